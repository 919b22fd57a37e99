package scenario_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
	"github.com/daemonsim/daemonsim/sim/scenario"
)

func TestTimelineGolden(t *testing.T) {
	path := "testdata/timelines/taint.yaml"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	tl, err := scenario.ParseTimeline(path, data)
	require.NoError(t, err)
	assert.Equal(t, "taint-a-node", tl.Name)
	require.NotNil(t, tl.Cluster)
	assert.Equal(t, "cluster seed=7 start-latency=2s ready-delay=3s", tl.Cluster.String())
	assert.Len(t, tl.Nodes, 2)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, tl.Run(w, &out))
	golden.Check(t, "testdata/timelines/taint.golden", []byte(out.String()))
}

const head = "apiVersion: daemonsim.io/v1alpha1\nkind: Scenario\nmetadata: {name: x}\n"

func TestParseTimelineSteps(t *testing.T) {
	tl, err := scenario.ParseTimeline("dir/s.yaml", []byte(head+`spec:
  steps:
  - at: 90s
    addNodes: {count: 2, labels: {zone: a}}
  - label: node/node-1 zone=b overwrite
  - at: 2m
    drain: {node: n1, ignoreDaemonsets: true}
  - get: [pods, -o wide]
  - apply:
      file: [a.yaml, b.yaml]
  - stabilize:
`))
	require.NoError(t, err)
	require.Len(t, tl.Steps, 6)
	var got []string
	for _, s := range tl.Steps {
		got = append(got, s.At.String()+" "+s.Command.Pos+" "+s.Command.String())
	}
	assert.Equal(t, []string{
		"1m30s dir/s.yaml:7 add-nodes count=2 labels=zone=a",
		"1m30s dir/s.yaml:8 label node/node-1 zone=b overwrite",
		"2m0s dir/s.yaml:10 drain node=n1 ignore-daemonsets=true",
		"2m0s dir/s.yaml:11 get pods -o wide",
		"2m0s dir/s.yaml:12 apply file=(a.yaml, b.yaml)",
		"2m0s dir/s.yaml:14 stabilize",
	}, got)
	assert.Equal(t, "dir", tl.Steps[4].Command.Dir)
	assert.Nil(t, tl.Cluster)
}

func TestParseTimelineErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"bad yaml", "apiVersion: [\n", []string{"s.yaml:1: did not find expected node content"}},
		{"wrong kind", "apiVersion: v1\nkind: Pod\nspec: {steps: []}\n", []string{
			"s.yaml:1: apiVersion: must be daemonsim.io/v1alpha1", "s.yaml:2: kind: must be Scenario"}},
		{"no spec", head, []string{"s.yaml:1: spec: Required value"}},
		{"unknown field", head + "spec:\n  steps: []\n  stepz: []\n", []string{
			"s.yaml:6: spec.stepz: unknown field (known: cluster, steps)"}},
		{"unknown command", head + "spec:\n  steps:\n  - at: 1m\n    frobnicate: {}\n", []string{
			"s.yaml:7: spec.steps[0].frobnicate: unknown command"}},
		{"two commands", head + "spec:\n  steps:\n  - cordon: n1\n    uncordon: n1\n", []string{
			"s.yaml:7: spec.steps[0].uncordon: a step has one command; this one already has cordon"}},
		{"no command", head + "spec:\n  steps:\n  - at: 1m\n", []string{
			"s.yaml:6: spec.steps[0]: a step needs a command"}},
		{"time goes back", head + "spec:\n  steps:\n  - {at: 5m, run: {}}\n  - {at: 1m, run: {}}\n", []string{
			"s.yaml:7: spec.steps[1].at: 1m0s is before the previous step's 5m0s: steps must be in time order"}},
		{"bad duration", head + "spec:\n  steps:\n  - {at: soon, run: {}}\n", []string{
			`s.yaml:6: spec.steps[0].at: want a duration such as 30s or 5m, got "soon"`}},
		{"bad cluster", head + "spec:\n  cluster: {seed: 1, nodez: 3}\n  steps: []\n", []string{
			"s.yaml:5: spec.cluster.nodez: unknown field"}},
		{"nested value", head + "spec:\n  steps:\n  - label: {node: n1, labels: {a: [b]}}\n", []string{
			"s.yaml:6: spec.steps[0].label.labels.a: expected a string or null"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenario.ParseTimeline("s.yaml", []byte(tc.doc))
			require.Error(t, err)
			assert.ErrorIs(t, err, scenario.ErrCommand)
			var te *scenario.TimelineError
			require.True(t, errors.As(err, &te))
			require.Len(t, te.Problems, len(tc.want), "%v", te.Problems)
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(te.Problems[i], w), "got %q, want prefix %q", te.Problems[i], w)
			}
		})
	}
}

// A step whose arguments are wrong fails the run with the step's file and
// line, after the steps before it ran.
func TestTimelineRunErrors(t *testing.T) {
	tests := []struct {
		name, steps, want string
	}{
		{"unknown argument", "  - addNodes: {count: 1}\n  - at: 1m\n    addNodes: {count: 1, colour: red}\n",
			"s.yaml:8: bad command: add-nodes: unknown argument colour=red"},
		{"bad value", "  - run: {for: soon}\n", `s.yaml:6: bad command: run: for: want a duration such as 30s or 5m, got "soon"`},
		{"inline manifest error", "  - apply:\n      manifest:\n        apiVersion: v1\n        kind: Node\n        metadata: {name: n1}\n        spec: {unschedulabel: true}\n  - bogus-late: {}\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := scenario.ParseTimeline("s.yaml", []byte(head+"spec:\n  steps:\n"+tc.steps))
			if tc.want == "" {
				require.Error(t, err) // bogus-late is a parse error: nothing runs
				return
			}
			require.NoError(t, err)
			w, err := scenario.NewWorld(scenario.Config{})
			require.NoError(t, err)
			var out strings.Builder
			err = tl.Run(w, &out)
			require.Error(t, err)
			assert.ErrorIs(t, err, scenario.ErrCommand)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// An inline manifest's errors carry the timeline's lines.
func TestTimelineInlineManifestLines(t *testing.T) {
	doc := head + `spec:
  steps:
  - apply:
      manifest:
        apiVersion: v1
        kind: Node
        metadata: {name: n1}
        spec: {unschedulabel: true}
  - create:
      manifest:
      - apiVersion: v1
        kind: Node
        metadata: {name: n2}
      - apiVersion: v1
        kind: Node
        metadata: {name: n3}
        spec: {taintz: []}
`
	tl, err := scenario.ParseTimeline("s.yaml", []byte(doc))
	require.NoError(t, err)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, tl.Run(w, &out))
	assert.Contains(t, out.String(), "error: s.yaml:11: spec.unschedulabel: unknown field")
	assert.Contains(t, out.String(), "error: s.yaml:20: manifest[1].spec.taintz: unknown field")
}

func TestTimelineClusterOnUsedWorld(t *testing.T) {
	tl, err := scenario.ParseTimeline("s.yaml", []byte(head+"spec:\n  cluster: {seed: 3}\n  steps: []\n"))
	require.NoError(t, err)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	_, err = w.Exec(scenario.Command{Name: "add-nodes", Args: []scenario.Arg{{Key: "n1"}}})
	require.NoError(t, err)
	err = tl.Run(w, &strings.Builder{})
	assert.ErrorIs(t, err, scenario.ErrCommand)
	assert.Equal(t, "s.yaml:5: bad command: cluster must be the first command of a file", err.Error())
}

func FuzzParseTimeline(f *testing.F) {
	seed, err := os.ReadFile("testdata/timelines/taint.yaml")
	require.NoError(f, err)
	f.Add(string(seed))
	f.Add(head + "spec:\n  steps:\n  - {at: 1m, run: 30s}\n  - get: pods -o wide\n")
	f.Add(head + "spec:\n  cluster: {nodes: [{count: 2}, {name: n9}]}\n  steps:\n  - apply: {manifest: [{kind: Node}]}\n")
	f.Add("apiVersion: [\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, doc string) {
		tl, err := scenario.ParseTimeline("f.yaml", []byte(doc))
		if err != nil {
			var te *scenario.TimelineError
			require.True(t, errors.As(err, &te), "%T: %v", err, err)
			require.NotEmpty(t, te.Problems)
			for _, p := range te.Problems {
				require.True(t, strings.HasPrefix(p, "f.yaml:"), p)
			}
			return
		}
		prev := time.Duration(0)
		for _, s := range tl.Steps {
			require.GreaterOrEqual(t, s.At, prev)
			prev = s.At
			require.NotEmpty(t, s.Command.Name)
			require.True(t, strings.HasPrefix(s.Command.Pos, "f.yaml:"), s.Command.Pos)
		}
	})
}

// An inline list may hold kinds daemonsim skips, with block scalars, and
// comments between its items.
func TestTimelineInlineManifestList(t *testing.T) {
	doc := head + `spec:
  steps:
  - apply:
      manifest:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: conf}
        data:
          config.yaml: |
            a: 1

            b: 2
      # the node
      - apiVersion: v1
        kind: Node
        metadata: {name: n1}
  - get: nodes
`
	tl, err := scenario.ParseTimeline("s.yaml", []byte(doc))
	require.NoError(t, err)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, tl.Run(w, &out))
	assert.Equal(t, `t=+0s apply
configmap/conf skipped: daemonsim does not simulate ConfigMap (s.yaml:8)
node/n1 created

t=+0s get nodes
NAME   STATUS    ROLES    AGE   VERSION
n1     Unknown   <none>   0s
`, out.String())
}

// A patch step: the merge patch inline under patch:, the object under
// object:, as kubectl patch --type merge.
func TestTimelinePatchGolden(t *testing.T) {
	path := "testdata/timelines/patch.yaml"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	tl, err := scenario.ParseTimeline(path, data)
	require.NoError(t, err)
	w, err := scenario.NewWorld(scenario.Config{})
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, tl.Run(w, &out))
	golden.Check(t, "testdata/timelines/patch.golden", []byte(out.String()))
}
