package scenario_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/scenario"
)

// execLines runs the lines on w and returns their outputs joined.
func execLines(t *testing.T, w *scenario.World, lines ...string) string {
	t.Helper()
	var out strings.Builder
	for _, l := range lines {
		c, err := scenario.ParseCommand(l, "")
		require.NoError(t, err, l)
		s, err := w.Exec(c)
		require.NoError(t, err, l)
		out.WriteString(s)
	}
	return out.String()
}

// The node churn commands in a timeline: camelCase commands and
// arguments, a condition type as a kebab-case key (disk-pressure), and a
// blocking drain with a timeout.
func TestTimelineChurnCommands(t *testing.T) {
	doc := head + `spec:
  cluster:
    seed: 3
    nodes: {count: 2}
  steps:
  - at: 11s
    stopKubelet: node-1
  - setCondition: {node: node-2, DiskPressure: "True", reason: Full}
  - at: 80s
    get: nodes
  - drain: {node: node-2, timeout: 30s}
  - startKubelet: {node: node-1}
  - churn: {kind: crash, failuresPerNodeHour: "10", downtime: "(1m, 2m)", for: 30m}
  - stabilize: {}
  - get: nodes
`
	tl, err := scenario.ParseTimeline("s.yaml", []byte(doc))
	require.NoError(t, err)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, tl.Run(w, &out))
	got := out.String()
	for _, want := range []string{
		"t=+11s stop-kubelet node-1\nnode/node-1 kubelet stopped\n",
		"t=+11s set-condition node=node-2 disk-pressure=True reason=Full\nnode/node-2 DiskPressure=True (Full)\n",
		// Unknown at 70 s (the renewal at 10 s was seen at 15 s)
		"t=+1m20s get nodes\nNAME     STATUS     ROLES    AGE   VERSION\nnode-1   NotReady",
		"t=+1m20s drain node=node-2 timeout=30s\n+0s node/node-2 cordoned\n+0s node/node-2 drained\nt=+1m20s\n",
		"t=+1m20s start-kubelet node=node-1\nnode/node-1 kubelet started, Ready=True (KubeletReady)\n",
		"t=+1m20s churn kind=crash failures-per-node-hour=10 downtime=(1m, 2m) for=30m\nchurn crash: ",
	} {
		assert.Contains(t, got, want)
	}
}

// The same seed and commands give the same output and the same log, churn
// and replays included; another seed other churn.
func TestChurnDeterminism(t *testing.T) {
	run := func(seed string) (string, string) {
		w, err := scenario.NewWorld(scenario.Config{})
		require.NoError(t, err)
		out := execLines(t, w, "cluster seed="+seed+" start-latency=(1s, 3s)", "add-nodes count=6 labels=daemonsim.io/rack=r1",
			"churn crash failures-per-node-hour=2 downtime=lognormal(5m,1) for=2h",
			"churn kubelet-stop stops-per-node-hour=1 for=2h",
			"churn maintenance fraction=0.5 drain-time=2m reboot=(1m, 3m) for=2h",
			"run for=1h", "get nodes", "stabilize", "events")
		var log strings.Builder
		for ev := range w.Cluster().Events(0) {
			log.WriteString(sim.Describe(sim.Epoch, *ev) + "\n")
		}
		return out, log.String()
	}
	out1, log1 := run("7")
	out2, log2 := run("7")
	assert.Equal(t, out1, out2)
	assert.Equal(t, log1, log2)
	out3, _ := run("8")
	assert.NotEqual(t, out1, out3)
	assert.Contains(t, log1, "replay: update-status node/")
}

// While a replay is active, run submits each event at its instant: a
// replayed stop-kubelet at 11 s turns the node Unknown at 70 s, as the
// command does.
func TestReplayEventsAtTheirInstants(t *testing.T) {
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	execLines(t, w, "add-nodes n1", "run for=11s")
	out := execLines(t, w, "churn kubelet-stop stops-per-node-hour=1000000 return-probability=0 for=1s", "run until=69s", "get nodes")
	assert.Contains(t, out, "churn kubelet-stop: 1 event over 1s from t=+11s")
	assert.Contains(t, out, "n1     Ready")
	out = execLines(t, w, "run until=70s", "get nodes")
	assert.Contains(t, out, "n1     NotReady")
}

// Drain's bound: a budget that never allows the eviction keeps the drain
// running past the 1 h bound; the command says so and returns.
func TestDrainBound(t *testing.T) {
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	execLines(t, w, "add-nodes n1", "run")
	_, err = w.Exec(scenario.Command{Name: "create", Input: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: b}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: w}}
---
apiVersion: v1
kind: Pod
metadata: {name: w, labels: {app: w}}
spec:
  nodeName: n1
  containers: [{name: c, image: x}]
`})
	require.NoError(t, err)
	out := execLines(t, w, "run", "drain n1 force")
	assert.Contains(t, out, "+1h0m0s error when evicting pods/\"w\" -n \"default\" (will retry after 5s)")
	assert.True(t, strings.HasSuffix(out, "drain of node/n1 still running after 1h0m0s (no timeout); it goes on\nt=+1h0m0s\n"), out[len(out)-200:])
	out = execLines(t, w, "drain n1")
	assert.Contains(t, out, "error: ")
}

// The node churn commands from a program: a stopped kubelet turns its node
// Unknown after the grace period, and a drain blocks until it ends.
func ExampleWorld_nodeChurn() {
	w, err := scenario.NewWorld(scenario.Config{})
	if err != nil {
		panic(err)
	}
	for _, line := range []string{
		"add-nodes n1 n2",
		"run for=11s",
		"stop-kubelet n1",
		"set-condition n2 DiskPressure=True",
		"run until=70s",
		"get nodes",
		"drain n2",
	} {
		cmd, err := scenario.ParseCommand(line, "")
		if err != nil {
			panic(err)
		}
		out, err := w.Exec(cmd)
		if err != nil {
			panic(err)
		}
		fmt.Print(out)
	}
	// Output:
	// node/n1 created
	// node/n2 created
	// t=+11s
	// node/n1 kubelet stopped
	// node/n2 DiskPressure=True (KubeletHasDiskPressure)
	// t=+1m10s
	// NAME   STATUS     ROLES    AGE   VERSION
	// n1     NotReady   <none>   70s
	// n2     Ready      <none>   70s
	// +0s node/n2 cordoned
	// +0s node/n2 drained
	// t=+1m10s
}
