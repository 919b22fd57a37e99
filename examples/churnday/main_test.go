package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
)

func runArgs(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	status := run(args, &out, &errOut)
	return out.String(), errOut.String(), status
}

// TestGolden pins a small day: 200 nodes, 6 hours, seed 1 (text and
// JSON); go test -update rewrites the files.
func TestGolden(t *testing.T) {
	out, errOut, status := runArgs(t, "--nodes", "200", "--hours", "6")
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/nodes200-hours6.golden", []byte(out))
	out, errOut, status = runArgs(t, "--nodes", "200", "--hours", "6", "--json")
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/nodes200-hours6.json", []byte(out))
}

// The same flags give the same event log, byte for byte; another seed
// gives another.
func TestDeterminism(t *testing.T) {
	dir := t.TempDir()
	logs := make([][]byte, 3)
	for i, seed := range []string{"3", "3", "4"} {
		path := filepath.Join(dir, "log"+seed+string(rune('a'+i)))
		_, errOut, status := runArgs(t, "--nodes", "150", "--hours", "4", "--seed", seed, "--log", path)
		require.Equal(t, 0, status, errOut)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		logs[i] = b
	}
	assert.Greater(t, len(logs[0]), 1000)
	assert.True(t, bytes.Equal(logs[0], logs[1]), "same seed, same log")
	assert.False(t, bytes.Equal(logs[0], logs[2]), "another seed, another log")
}

// GOMAXPROCS does not change the output (the simulation uses one
// goroutine; nothing may depend on the scheduler of the Go runtime).
func TestGOMAXPROCS(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one, _, status := runArgs(t, "--nodes", "120", "--hours", "3", "--json")
	require.Equal(t, 0, status)
	runtime.GOMAXPROCS(4)
	four, _, status := runArgs(t, "--nodes", "120", "--hours", "3", "--json")
	require.Equal(t, 0, status)
	assert.Equal(t, one, four)
}

// What the day must show whatever the seed: the rollout ran and finished,
// the drains evicted workload pods through the eviction API, and the
// DaemonSet pods were never evicted by a drain (drain ignores them).
func TestDayBehaviour(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		d, err := simulate(&options{nodes: 200, hours: 6, seed: seed}, nil)
		require.NoError(t, err)
		s := d.summary
		require.Len(t, s.DaemonSets, 3)
		for _, ds := range s.DaemonSets {
			assert.Zero(t, ds.Pods.APIEvicted, "%s", ds.Name)
			assert.LessOrEqual(t, ds.Coverage.Min, ds.Coverage.Mean+1e-12)
			assert.LessOrEqual(t, ds.Coverage.Mean, 1+1e-12)
			if ds.Name == "node-exporter" {
				require.Len(t, ds.Rollouts, 1)
				r := ds.Rollouts[0]
				assert.True(t, r.Finished)
				assert.Equal(t, 20, r.MaxUnavailable, "10% of 200")
				assert.LessOrEqual(t, r.PeakUnavailable, 20+int(s.Nodes.NotReady.Max))
			} else {
				assert.Empty(t, ds.Rollouts)
			}
		}
		assert.Positive(t, s.Workload.APIEvicted, "maintenance drains evict workload pods")
		assert.Equal(t, 200*6*3600.0, s.Nodes.Ready.NodeHours*3600+s.Nodes.NotReady.NodeHours*3600+
			s.Nodes.Unknown.NodeHours*3600+s.Nodes.NoCondition.NodeHours*3600, "no node joins or leaves in 6 h at seed %d", seed)
	}
}

func TestFlags(t *testing.T) {
	out, _, status := runArgs(t, "--help")
	assert.Equal(t, 0, status)
	assert.Contains(t, out, "Usage:\n  go run ./examples/churnday")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nodes", "0"}, "error: --nodes: 0 is not between 1 and 100000\n"},
		{[]string{"--nodes", "x"}, "error: --nodes: \"x\": not a valid value\n"},
		{[]string{"--hours", "-1"}, "error: --hours: -1 is not between 0 (excluded) and 744\n"},
		{[]string{"--bogus"}, "error: unknown flag: --bogus\n"},
		{[]string{"extra"}, "error: unexpected argument \"extra\"\n"},
		{[]string{"--log"}, "error: flag needs an argument: --log\n"},
	} {
		out, errOut, status := runArgs(t, tc.args...)
		assert.Equal(t, 1, status, "%v", tc.args)
		assert.Empty(t, out)
		assert.Equal(t, tc.want+"See 'churnday --help' for usage.\n", errOut, "%v", tc.args)
	}
	_, errOut, status := runArgs(t, "--nodes", "10", "--hours", "0.1", "--log", filepath.Join(t.TempDir(), "no", "such", "dir"))
	assert.Equal(t, 1, status)
	assert.True(t, strings.HasPrefix(errOut, "error: open "), errOut)
}

// BenchmarkDay is the default run: 5,000 nodes, 24 hours. It reports the
// events processed per second of wall time.
func BenchmarkDay(b *testing.B) {
	events := 0
	for b.Loop() {
		d, err := simulate(&options{nodes: 5000, hours: 24, seed: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		events += d.c.LogLen()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// --chart writes the day's chart: well-formed SVG with the title and the
// panels, the same bytes for the same flags, and the printed summary as
// without it.
func TestChart(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--nodes", "60", "--hours", "1", "--seed", "2"}
	plain, errOut, status := runArgs(t, args...)
	require.Equal(t, 0, status, errOut)
	charts := make([][]byte, 2)
	for i := range charts {
		path := filepath.Join(dir, fmt.Sprintf("day%d.svg", i))
		out, errOut, status := runArgs(t, append(args, "--chart", path)...)
		require.Equal(t, 0, status, errOut)
		assert.Equal(t, plain, out, "the summary does not change")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		charts[i] = b
	}
	assert.Equal(t, charts[0], charts[1], "same flags, same chart")

	dec := xml.NewDecoder(bytes.NewReader(charts[0]))
	var texts []string
	root, inText := "", false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	assert.Equal(t, "svg", root)
	for _, want := range []string{"churnday: 60 nodes, 1 h of churn, seed 2, node-exporter rolled out at 30m0s",
		"Nodes Ready", "DaemonSet monitoring/node-exporter: daemon pods", "Pending workload pods",
		"simulated time since the start (hours)"} {
		assert.Contains(t, texts, want)
	}

	_, errOut, status = runArgs(t, "--nodes", "10", "--hours", "0.1", "--chart", filepath.Join(dir, "no", "such", "dir"))
	assert.Equal(t, 1, status)
	assert.True(t, strings.HasPrefix(errOut, "error: open "), errOut)
	_, errOut, status = runArgs(t, "--chart")
	assert.Equal(t, 1, status)
	assert.Equal(t, "error: flag needs an argument: --chart\nSee 'churnday --help' for usage.\n", errOut)
}
