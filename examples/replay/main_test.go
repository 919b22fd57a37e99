package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
)

const smallTrace = "testdata/churn.csv"

func runArgs(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	status := run(args, &out, &errOut)
	return out.String(), errOut.String(), status
}

// TestGolden pins the replay of the shipped trace (text and JSON); go test
// -update rewrites the files.
func TestGolden(t *testing.T) {
	out, errOut, status := runArgs(t, "-f", smallTrace)
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/churn.golden", []byte(out))
	out, errOut, status = runArgs(t, "-f", smallTrace, "--json")
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/churn.json", []byte(out))
}

// What the small trace must do, read from the trace (testdata/churn.csv):
// the not-returning kubelet stop of node-09 (Unknown from about 55m50s)
// gets its workload evicted by taint eviction 300 s after the unreachable
// taint, while the daemon pods, which tolerate it, stay; the NoExecute
// taint dedicated=infra on node-22 evicts fluent-bit and node-exporter
// (cilium tolerates everything); the two drains evict through the
// eviction API; the removed node-21's pods are deleted by pod GC; two
// nodes join.
func TestSmallTraceBehaviour(t *testing.T) {
	r, err := replay(&options{file: smallTrace, format: "csv", tail: 10 * time.Minute, seed: 1}, nil)
	require.NoError(t, err)
	s := r.summary
	assert.Equal(t, 24, r.nodes)
	assert.Equal(t, 0, r.stats.Skipped)
	byName := map[string]int{}
	for i, d := range s.DaemonSets {
		byName[d.Name] = i
	}
	cilium, fluent, exporter := s.DaemonSets[byName["cilium"]], s.DaemonSets[byName["fluent-bit"]], s.DaemonSets[byName["node-exporter"]]
	assert.Zero(t, cilium.Pods.TaintEvicted)
	assert.Equal(t, 1, fluent.Pods.TaintEvicted, "node-22's NoExecute taint")
	assert.Equal(t, 1, exporter.Pods.TaintEvicted, "node-22's NoExecute taint")
	for _, d := range s.DaemonSets {
		assert.Equal(t, 1, d.Pods.PodGCDeleted, "%s: node-21 removed", d.Name)
		assert.Zero(t, d.Pods.APIEvicted, "%s: drains ignore DaemonSet pods", d.Name)
	}
	assert.Positive(t, s.Workload.APIEvicted, "the drains of node-16 and node-17")
	assert.Positive(t, s.Workload.TaintEvicted, "node-09 unreachable")
	assert.Equal(t, 2, cilium.Pods.Created, "node-24 and node-25 join")
	require.Len(t, exporter.Rollouts, 1)
	assert.True(t, exporter.Rollouts[0].Finished)
	assert.Equal(t, 3, exporter.Rollouts[0].MaxUnavailable, "10% of 25 nodes, rounded up")
	assert.Positive(t, s.Nodes.Unknown.NodeHours)
	assert.Equal(t, 1, s.Nodes.NotReady.Final, "node-07 fails at 4h30m and stays failed")
}

// The same trace and seed give the same log, byte for byte.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	var logs [2][]byte
	for i := range logs {
		path := filepath.Join(dir, string(rune('a'+i)))
		_, errOut, status := runArgs(t, "-f", smallTrace, "--log", path)
		require.Equal(t, 0, status, errOut)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		logs[i] = b
	}
	assert.Greater(t, len(logs[0]), 1000)
	assert.True(t, bytes.Equal(logs[0], logs[1]))
}

func TestFlagsAndErrors(t *testing.T) {
	out, _, status := runArgs(t, "--help")
	assert.Equal(t, 0, status)
	assert.Contains(t, out, "--google2011")
	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("time,node,event\n0s,n1,ad\n"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "yaml"}, "error: --format: \"yaml\" is not csv or google2011\nSee 'replay --help' for usage.\n"},
		{[]string{"--google2011", "--format", "csv"}, "error: --google2011 and --format csv contradict each other\nSee 'replay --help' for usage.\n"},
		{[]string{"--tail", "-1s"}, "error: --tail: -1s is negative\nSee 'replay --help' for usage.\n"},
		{[]string{"--bogus"}, "error: unknown flag: --bogus\nSee 'replay --help' for usage.\n"},
		{[]string{"x.csv"}, "error: unexpected argument \"x.csv\" (a trace is given with -f)\nSee 'replay --help' for usage.\n"},
		{[]string{"-f", "testdata/none.csv"}, "error: open testdata/none.csv: no such file or directory\n"},
		{[]string{"-f", bad}, "error: " + bad + ":2:7: event: unknown \"ad\" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)\n"},
	} {
		out, errOut, status := runArgs(t, tc.args...)
		assert.Equal(t, 1, status, "%v", tc.args)
		assert.Empty(t, out)
		assert.Equal(t, tc.want, errOut, "%v", tc.args)
	}
}

// TestGoogle2011 replays the whole 29-day 2011 machine_events table on
// its 12,583 machines (about 7 s of CPU on a 2-vCPU Xeon VM); skipped with
// -short.
func TestGoogle2011(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("replays 29 days of 12,583 machines; skipped with -short and under the race detector")
	}
	r, err := replay(&options{file: "../../" + GoogleTrace, format: "google2011", tail: 10 * time.Minute, seed: 1}, nil)
	require.NoError(t, err)
	s := r.summary
	assert.Equal(t, 12_477, r.nodes, "machines at time 0 (data/README.md)")
	assert.Equal(t, 37_780, r.stats.Events)
	assert.Zero(t, r.stats.Skipped)
	// node-hours: the trace's 8,684,952 (sim/churn's GoogleNodeHours),
	// less the setup minute, plus the 10-minute tail
	total := s.Nodes.Ready.NodeHours + s.Nodes.NotReady.NodeHours + s.Nodes.Unknown.NodeHours + s.Nodes.NoCondition.NodeHours
	assert.InDelta(t, 8_684_952, total, 12_500*0.2)
	// every daemon pod that went was deleted by pod GC (its node was
	// removed) or replaced by the rollout, so the pods created less those
	// are the nodes gained (a machine back within PodGCQuarantine keeps
	// its pod)
	final := s.Nodes.Ready.Final + s.Nodes.NotReady.Final + s.Nodes.Unknown.Final + s.Nodes.NoCondition.Final
	for _, d := range s.DaemonSets {
		assert.Greater(t, d.Coverage.Mean, 0.999, d.Name)
		replaced := 0
		for _, ro := range d.Rollouts {
			replaced += ro.Replaced
		}
		// a pod the rollout deleted whose node was removed while it
		// terminated is both replaced and then deleted by pod GC, so the
		// rolled DaemonSet may count a few twice
		assert.InDelta(t, final-r.nodes, d.Pods.Created-d.Pods.PodGCDeleted-replaced, float64(min(replaced, 3)), d.Name)
		assert.Greater(t, d.Pods.PodGCDeleted, 8_000, "%s: most of the 8,957 REMOVEs", d.Name)
	}
}

// BenchmarkGoogle2011 is the --google2011 run: 29 days, 12,583 machines.
// It reports the events processed per second of wall time.
func BenchmarkGoogle2011(b *testing.B) {
	events := 0
	for b.Loop() {
		r, err := replay(&options{file: "../../" + GoogleTrace, format: "google2011", tail: 10 * time.Minute, seed: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		events += r.c.LogLen()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
