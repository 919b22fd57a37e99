package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
	"github.com/daemonsim/daemonsim/sim/sweep"
)

// tiny is a sweep of 6 runs that takes well under a second.
var tiny = []string{"--nodes", "60", "--hours", "1", "--rollout-at", "0.25", "--seeds", "3", "--max-unavailable", "1,25%"}

func noEnv(string) string { return "" }

func runEnv(t testing.TB, getenv func(string) string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	status := run(args, &out, &errOut, getenv)
	return out.String(), errOut.String(), status
}

func runArgs(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	return runEnv(t, noEnv, args...)
}

func with(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

// TestGolden pins the table (and the JSON) of the tiny sweep; go test
// -update rewrites the files.
func TestGolden(t *testing.T) {
	out, errOut, status := runArgs(t, with(tiny, "--workers", "2")...)
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/tiny.golden", []byte(out))
	out, errOut, status = runArgs(t, with(tiny, "--workers", "2", "--json")...)
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/tiny.json", []byte(out))
}

// The checks of issue 23: the same table and aggregate, byte for byte,
// with 1 and 2 workers (and 5).
func TestWorkers(t *testing.T) {
	for _, format := range [][]string{nil, {"--json"}} {
		one, errOut, status := runArgs(t, with(tiny, append(format, "--workers", "1")...)...)
		require.Equal(t, 0, status, errOut)
		for _, w := range []string{"2", "5"} {
			got, errOut, status := runArgs(t, with(tiny, append(format, "--workers", w)...)...)
			require.Equal(t, 0, status, errOut)
			assert.Equal(t, one, got, "--workers %s %v", w, format)
		}
	}
}

// ... and with 1 shard, and with 3 shards merged (by --shard, by the
// Indexed Job's environment, in both shard modes), through the files.
func TestShardsMerged(t *testing.T) {
	dir := t.TempDir()
	whole, errOut, status := runArgs(t, with(tiny, "--workers", "1")...)
	require.Equal(t, 0, status, errOut)
	wholeJSON, _, _ := runArgs(t, with(tiny, "--workers", "1", "--json")...)

	// one shard, 0/1, through a file
	one := filepath.Join(dir, "one.jsonl")
	out, errOut, status := runArgs(t, with(tiny, "--shard", "0/1", "--out", one)...)
	require.Equal(t, 0, status, errOut)
	assert.Equal(t, "shard 0/1 (modulo): 6 runs written to "+one+"\n", out)
	got, errOut, status := runArgs(t, "merge", one)
	require.Equal(t, 0, status, errOut)
	assert.Equal(t, whole, got, "1 shard")

	for _, mode := range []string{"modulo", "blocks"} {
		var files []string
		for i, idx := range []string{"2", "0", "1"} {
			f := filepath.Join(dir, mode+"-"+idx+".jsonl")
			files = append(files, f)
			var args []string
			env := noEnv
			if i == 0 {
				args = with(tiny, "--shard", idx+"/3", "--out", f, "--shard-mode", mode)
			} else {
				// a pod of an Indexed Job: the index from the environment
				env = func(k string) string {
					return map[string]string{sweep.EnvCompletionIndex: idx, sweep.EnvCompletions: "3"}[k]
				}
				args = with(tiny, "--out", f, "--shard-mode", mode, "--workers", "2")
			}
			_, errOut, status := runEnv(t, env, args...)
			require.Equal(t, 0, status, errOut)
		}
		got, errOut, status := runArgs(t, append([]string{"merge"}, files...)...)
		require.Equal(t, 0, status, errOut)
		assert.Equal(t, whole, got, "3 %s shards merged", mode)
		gotJSON, _, _ := runArgs(t, append([]string{"merge", "--json"}, files...)...)
		assert.Equal(t, wholeJSON, gotJSON, "3 %s shards merged, JSON", mode)

		_, errOut, status = runArgs(t, "merge", files[0], files[1])
		assert.Equal(t, 1, status)
		assert.Contains(t, errOut, "error: merge: 2 of 6 runs missing (a shard not given?)")
	}

	// a shard with no --out writes JSON Lines to standard output
	out, errOut, status = runArgs(t, with(tiny, "--shard", "1/3")...)
	require.Equal(t, 0, status, errOut)
	rs, err := sweep.ReadJSONL(strings.NewReader(out), "stdout")
	require.NoError(t, err)
	assert.Equal(t, []int{1, 4}, []int{rs[0].Index, rs[1].Index})

	// shards of another definition are refused
	other := filepath.Join(dir, "other.jsonl")
	_, errOut, status = runArgs(t, with(tiny, "--seeds", "3", "--first-seed", "2", "--shard", "0/1", "--out", other)...)
	require.Equal(t, 0, status, errOut)
	_, errOut, status = runArgs(t, "merge", filepath.Join(dir, "modulo-0.jsonl"), other)
	assert.Equal(t, 1, status)
	assert.Contains(t, errOut, "results of two sweeps")
}

func TestFlags(t *testing.T) {
	out, _, status := runArgs(t, "--help")
	assert.Equal(t, 0, status)
	assert.Contains(t, out, "Usage:\n  go run ./examples/sweep [flags]")
	out, _, status = runArgs(t, "merge", "--help")
	assert.Equal(t, 0, status)
	assert.Contains(t, out, "Usage:")
	jobEnv := func(idx string) func(string) string {
		return func(k string) string {
			if k == sweep.EnvCompletionIndex {
				return idx
			}
			return ""
		}
	}
	for _, tc := range []struct {
		env  func(string) string
		args []string
		want string
	}{
		{noEnv, []string{"--max-unavailable", "0"}, `--max-unavailable: "0" is not a positive integer or a percentage`},
		{noEnv, []string{"--max-unavailable", "1,150%"}, `--max-unavailable: "150%" is not a percentage between 1% and 100%`},
		{noEnv, []string{"--max-unavailable", ","}, "--max-unavailable: no values"},
		{noEnv, []string{"--nodes", "10,x"}, `--nodes: "x" is not between 1 and 100000`},
		{noEnv, []string{"--churn", "-1"}, `--churn: "-1" is not a factor between 0 and 1000`},
		{noEnv, []string{"--hours", "0"}, "--hours: 0 is not between 0 (excluded) and 744"},
		{noEnv, []string{"--hours", "1", "--rollout-at", "1"}, "--rollout-at: 1 is not between 0 and --hours (1, excluded)"},
		{noEnv, []string{"--seeds", "0"}, "--seeds: 0 is not between 1 and 100000"},
		{noEnv, []string{"--workers", "0"}, "--workers: 0 is below 1"},
		{noEnv, []string{"--shard", "3/3"}, "--shard: shard 3/3: the index is not between 0 and 2"},
		{noEnv, []string{"--shard", "1/3", "--shards", "4"}, "--shards: 4, but --shard is 1/3"},
		{noEnv, []string{"--shards", "4"}, "--shards: given without --shard or JOB_COMPLETION_INDEX"},
		{noEnv, []string{"--shard-mode", "random"}, `--shard-mode: "random" is not a shard mode (modulo, blocks)`},
		{jobEnv("1"), nil, "JOB_COMPLETION_INDEX is set but the shard count is not: set JOB_COMPLETIONS (the Job's completions) or --shards"},
		{jobEnv("x"), []string{"--shards", "3"}, `JOB_COMPLETION_INDEX: "x" is not a number`},
		{noEnv, []string{"--bogus"}, "unknown flag: --bogus"},
		{noEnv, []string{"extra"}, `unexpected argument "extra"`},
		{noEnv, []string{"merge"}, "merge: no shard files given"},
		{noEnv, []string{"--shard", "0/2", "--chart", "x.svg"}, "--chart: a shard has part of the sweep's runs; chart the merged results (merge --chart FILE)"},
	} {
		out, errOut, status := runEnv(t, tc.env, tc.args...)
		assert.Equal(t, 1, status, "%v", tc.args)
		assert.Empty(t, out)
		assert.Equal(t, "error: "+tc.want+"\nSee 'sweep --help' for usage.\n", errOut, "%v", tc.args)
	}
	// an Indexed Job's pod with --shards
	out, errOut, status := runEnv(t, jobEnv("2"), with(tiny, "--shards", "3")...)
	require.Equal(t, 0, status, errOut)
	rs, err := sweep.ReadJSONL(strings.NewReader(out), "stdout")
	require.NoError(t, err)
	assert.Equal(t, []int{2, 5}, []int{rs[0].Index, rs[1].Index})

	// files that are not results
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte("{}\n"), 0o644))
	_, errOut, status = runArgs(t, "merge", bad)
	assert.Equal(t, 1, status)
	assert.Equal(t, "error: "+bad+":1: missing sweep, id, runs, index, params, seed, figures\n", errOut)
	_, errOut, status = runArgs(t, "merge", filepath.Join(t.TempDir(), "none.jsonl"))
	assert.Equal(t, 1, status)
	assert.True(t, strings.HasPrefix(errOut, "error: open "), errOut)
}

// What every run of the sweep must show: the rollout's resolved
// maxUnavailable is the value's share of the desired nodes, and the peak
// unavailability stays within it plus the nodes churn took down.
func TestBehaviour(t *testing.T) {
	o, err := parseFlags(tiny, noEnv)
	require.NoError(t, err)
	results, err := newSweep(o).Run(2)
	require.NoError(t, err)
	for _, r := range results {
		f := r.Figures
		switch r.Params[len(r.Params)-1].Value {
		case "1":
			assert.Equal(t, 1.0, f[figMaxUnavailable], "run %d", r.Index)
		case "25%":
			assert.InDelta(t, 15, f[figMaxUnavailable], 1, "25%% of about 60, run %d", r.Index)
		}
		assert.Equal(t, 1.0, f[figFinished], "run %d finishes", r.Index)
		assert.Positive(t, f[figRolloutSeconds])
		assert.LessOrEqual(t, f[figCoverageMin], f[figCoverageMean])
		assert.LessOrEqual(t, f[figCoverageMean], 1.0)
	}
}

// BenchmarkSweep is the tiny sweep on 1 and 2 workers: on an idle
// machine with two cores, 2 workers take about half the wall time.
func BenchmarkSweep(b *testing.B) {
	o, err := parseFlags(tiny, noEnv)
	require.NoError(b, err)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			for b.Loop() {
				if _, err := newSweep(o).Run(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// --chart writes the chart of the sweep (valid XML, a legend entry per
// maxUnavailable, the axes) and leaves the table as it is; merge --chart
// of shards writes the same bytes; a chart that cannot be written is an
// error, after the table.
func TestChart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "sweep.svg")
	out, errOut, status := runArgs(t, with(tiny, "--workers", "2", "--chart", file)...)
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/tiny.golden", []byte(out))
	svg, err := os.ReadFile(file)
	require.NoError(t, err)
	texts := svgTexts(t, svg)
	for _, want := range []string{
		"examples/sweep: node-exporter rollout under churn (nodes=60, hours=1, rolloutAtHours=0.25, churn=1)",
		"maxUnavailable=1", "maxUnavailable=25%", "per maxUnavailable",
		"rollout duration against peak unavailability",
		"peak unavailability (pods not available at once)", "rollout duration", "25%", "20 min",
	} {
		assert.Contains(t, texts, want)
	}
	_, err = os.Stat(file + ".tmp")
	assert.True(t, errors.Is(err, os.ErrNotExist), "no temporary file left")

	var files []string
	for i := range 2 {
		f := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		files = append(files, f)
		_, errOut, status := runArgs(t, with(tiny, "--shard", fmt.Sprintf("%d/2", i), "--out", f)...)
		require.Equal(t, 0, status, errOut)
	}
	merged := filepath.Join(dir, "merged.svg")
	out, errOut, status = runArgs(t, append([]string{"merge", "--chart", merged}, files...)...)
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/tiny.golden", []byte(out))
	got, err := os.ReadFile(merged)
	require.NoError(t, err)
	assert.Equal(t, string(svg), string(got), "merge --chart: the same chart")

	_, errOut, status = runArgs(t, append([]string{"merge", "--chart", filepath.Join(dir, "none", "x.svg")}, files...)...)
	assert.Equal(t, 1, status)
	assert.Contains(t, errOut, "error: open "+filepath.Join(dir, "none", "x.svg.tmp"))
}

// svgTexts decodes b as XML, failing on any error, and returns its texts.
func svgTexts(t *testing.T, b []byte) []string {
	t.Helper()
	var texts []string
	dec := xml.NewDecoder(bytes.NewReader(b))
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	return texts
}
