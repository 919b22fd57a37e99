package scenario_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/sim/scenario"
)

var (
	bigCount = regexp.MustCompile(`count=\(?\s*\+?\s*(\d+)`)
	number   = regexp.MustCompile(`\d+`)
	exponent = regexp.MustCompile(`\d[eEpP]|[iI]nf`)
)

// FuzzExec runs a fuzzed command line after a fixed setup: no input
// panics, and every error is a bad command or an engine failure.
func FuzzExec(f *testing.F) {
	for _, seed := range []struct{ line, input string }{
		{"add-nodes count=2 labels=zone=a taints=k=v:NoSchedule cpu=2", ""},
		{"label node n1 a=b c- overwrite", ""},
		{"taint node/n1 k=v:NoExecute k:NoSchedule- overwrite", ""},
		{"drain n1 ignore-daemonsets force grace-period=0", ""},
		{"get pods -A -o wide -l app=agent", ""},
		{"get nodes n1 -o yaml", ""},
		{"set strategy ds/agent type=RollingUpdate max-unavailable=10% max-surge=0", ""},
		{"set image ds/agent *=v2", ""},
		{"rollout undo ds/agent to-revision=1", ""},
		{"delete ds/agent cascade=orphan", ""},
		{"why pod/default/p", ""},
		{"status node/n1", ""},
		{"run for=1m trace", ""},
		{"fail-node n1 status=Unknown", ""},
		{"stop-kubelet n1", ""},
		{"start-kubelet node/n1 not-ready", ""},
		{"set-condition n1 DiskPressure=True reason=R message=(disk full)", ""},
		{"drain n1 ignore-daemonsets force timeout=30s grace-period=0 pod-selector=app!=x disable-eviction", ""},
		{"drain n2 no-wait", ""},
		{"churn crash failures-per-node-hour=2 downtime=lognormal(5m,1) for=1h", ""},
		{"churn correlated domain-label=zone downtime=(1m, 5m) second-failure-probability=0.5 window=1h for=2h", ""},
		{"churn burst bursts-per-hour=1 min-size=1 max-size=3 lifetime=fixed(10m) for=2h", ""},
		{"replay file=nothing.csv", ""},
		{"apply", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n"},
		{"create", "kind: Node\n"},
	} {
		f.Add(seed.line, seed.input)
	}
	setup := []string{"add-nodes n1 n2", "run"}
	ds := "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n" +
		"  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: agent, image: v1}]}\n"
	f.Fuzz(func(t *testing.T, line, input string) {
		if len(line) > 300 || len(input) > 4000 {
			return
		}
		for _, m := range bigCount.FindAllStringSubmatch(line, -1) {
			if n, err := strconv.Atoi(m[1]); err != nil || n > 100 {
				return // many nodes are slow, not wrong
			}
		}
		if strings.Contains(line, "churn") {
			// churn's cost is its events' count (rate × horizon): keep
			// the numbers small
			if exponent.MatchString(line) {
				return
			}
			for _, m := range number.FindAllString(line, -1) {
				if n, err := strconv.Atoi(m); err != nil || n > 10 {
					return
				}
			}
		}
		w, err := scenario.NewWorld(scenario.Config{})
		require.NoError(t, err)
		for _, s := range setup {
			c, err := scenario.ParseCommand(s, "")
			require.NoError(t, err)
			_, err = w.Exec(c)
			require.NoError(t, err)
		}
		_, err = w.Exec(scenario.Command{Name: "apply", Input: ds})
		require.NoError(t, err)
		c, err := scenario.ParseCommand(line, input)
		if err != nil {
			require.ErrorIs(t, err, scenario.ErrCommand)
			return
		}
		out, err := w.Exec(c)
		if err != nil {
			require.True(t, errors.Is(err, scenario.ErrCommand) || errors.Is(err, scenario.ErrEngine), "%v", err)
			return
		}
		require.NotEmpty(t, out)
	})
}
