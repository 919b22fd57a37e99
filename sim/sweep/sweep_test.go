package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toy is a sweep whose runs draw figures from their own seeded stream,
// with run times that vary so that runs finish out of order.
func toy() *Sweep {
	return &Sweep{
		Name:   "toy",
		Params: []Param{{Name: "size", Values: []string{"1", "10"}}, {Name: "mu", Values: []string{"1", "5%", "25%"}}},
		Seeds:  Seeds(1, 7),
		Simulate: func(r Run) (Figures, error) {
			rng := rand.New(rand.NewPCG(r.Seed, uint64(len(r.Param("mu"))+10*len(r.Param("size")))))
			x := 0.0
			for range rng.IntN(20000) { // uneven work
				x += rng.Float64()
			}
			return Figures{"x": x / 1000, "third": 1.0 / 3 * float64(r.Seed)}, nil
		},
	}
}

func aggregateBytes(t *testing.T, rs []Result) []byte {
	t.Helper()
	agg, err := Aggregate(rs)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, agg.WriteJSON(&b))
	require.NoError(t, agg.WriteText(&b))
	return b.Bytes()
}

func TestRunsOrder(t *testing.T) {
	runs, err := toy().Runs()
	require.NoError(t, err)
	require.Len(t, runs, 2*3*7)
	assert.Equal(t, "run 0 (size=1,mu=1, seed 1)", runs[0].String())
	assert.Equal(t, "run 7 (size=1,mu=5%, seed 1)", runs[7].String())
	assert.Equal(t, "run 41 (size=10,mu=25%, seed 7)", runs[41].String())
	for i, r := range runs {
		assert.Equal(t, i, r.Index)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Sweep)
		want string
	}{
		{"no simulate", func(s *Sweep) { s.Simulate = nil }, "Simulate: not set"},
		{"no seeds", func(s *Sweep) { s.Seeds = nil }, "Seeds: none"},
		{"seed twice", func(s *Sweep) { s.Seeds = []uint64{1, 1} }, "Seeds[1]: 1 is given twice"},
		{"unnamed", func(s *Sweep) { s.Params[0].Name = "" }, "Params[0].Name: empty"},
		{"name twice", func(s *Sweep) { s.Params[1].Name = "size" }, `Params[1].Name: "size" is given twice`},
		{"no values", func(s *Sweep) { s.Params[1].Values = nil }, "Params[1].Values: none"},
		{"value twice", func(s *Sweep) { s.Params[1].Values = []string{"1", "1"} }, `Params[1].Values[1]: "1" is given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := toy()
			tc.edit(s)
			_, err := s.Run(2)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// The check of issue 23: the same aggregate, byte for byte, with 1 and
// several workers, and from 1 shard or 3 shards merged (both modes),
// through JSON Lines.
func TestSameAggregate(t *testing.T) {
	s := toy()
	one, err := s.Run(1)
	require.NoError(t, err)
	want := aggregateBytes(t, one)
	for _, w := range []int{2, 3, 8} {
		got, err := s.Run(w)
		require.NoError(t, err)
		assert.Equal(t, one, got, "workers %d: results in run order", w)
		assert.Equal(t, string(want), string(aggregateBytes(t, got)), "workers %d", w)
	}
	for _, mode := range []ShardMode{Modulo, Blocks} {
		var shards [][]Result
		for i := 2; i >= 0; i-- { // any order
			rs, err := s.RunShard(Shard{Index: i, Count: 3, Mode: mode}, 2, nil)
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, WriteJSONL(&b, rs))
			back, err := ReadJSONL(&b, fmt.Sprintf("shard-%d.jsonl", i))
			require.NoError(t, err)
			assert.Equal(t, rs, back, "JSON Lines round trip")
			shards = append(shards, back)
		}
		merged, err := Merge(shards...)
		require.NoError(t, err)
		require.NoError(t, s.Verify(merged))
		assert.Equal(t, string(want), string(aggregateBytes(t, merged)), "%s shards merged", mode)
	}
	// and the whole sweep through one file
	var b bytes.Buffer
	require.NoError(t, WriteJSONL(&b, one))
	back, err := ReadJSONL(&b, "all.jsonl")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(aggregateBytes(t, back)))
}

func TestShards(t *testing.T) {
	runs, err := toy().Runs()
	require.NoError(t, err)
	for _, mode := range []ShardMode{Modulo, Blocks} {
		for n := 1; n <= 50; n += 7 {
			seen := make([]int, len(runs))
			for i := range n {
				sel, err := Shard{Index: i, Count: n, Mode: mode}.Select(runs)
				require.NoError(t, err)
				for _, r := range sel {
					seen[r.Index]++
				}
			}
			for idx, c := range seen {
				require.Equal(t, 1, c, "%s %d shards: run %d", mode, n, idx)
			}
		}
	}
	sel, _ := Shard{Index: 1, Count: 4}.Select(runs)
	assert.Equal(t, []int{1, 5, 9}, []int{sel[0].Index, sel[1].Index, sel[2].Index})
	sel, _ = Shard{Index: 1, Count: 4, Mode: Blocks}.Select(runs) // 42 runs: [10, 21)
	assert.Equal(t, 10, sel[0].Index)
	assert.Equal(t, 20, sel[len(sel)-1].Index)
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"0/1", Shard{0, 1, Modulo}, ""},
		{"2/3", Shard{2, 3, Modulo}, ""},
		{"3/3", Shard{}, "the index is not between 0 and 2"},
		{"-1/3", Shard{}, "the index is not between 0 and 2"},
		{"0/0", Shard{}, "the count is below 1"},
		{"1", Shard{}, `"1" is not i/n`},
		{"a/3", Shard{}, `shard index "a" is not a number`},
		{"1/b", Shard{}, `shard count "b" is not a number`},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			require.Error(t, err, tc.in)
			assert.Contains(t, err.Error(), tc.err)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
}

func TestShardFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	_, ok, err := ShardFromEnv(env(), 0)
	assert.False(t, ok)
	assert.NoError(t, err)
	sh, ok, err := ShardFromEnv(env(EnvCompletionIndex, "2", EnvCompletions, "5"), 0)
	assert.True(t, ok)
	require.NoError(t, err)
	assert.Equal(t, Shard{Index: 2, Count: 5}, sh)
	sh, _, err = ShardFromEnv(env(EnvCompletionIndex, "2", EnvCompletions, "5"), 4) // count given wins
	require.NoError(t, err)
	assert.Equal(t, Shard{Index: 2, Count: 4}, sh)
	_, _, err = ShardFromEnv(env(EnvCompletionIndex, "2"), 0)
	assert.ErrorContains(t, err, "JOB_COMPLETIONS")
	_, _, err = ShardFromEnv(env(EnvCompletionIndex, "x", EnvCompletions, "5"), 0)
	assert.ErrorContains(t, err, `JOB_COMPLETION_INDEX: "x" is not a number`)
	_, _, err = ShardFromEnv(env(EnvCompletionIndex, "5", EnvCompletions, "5"), 0)
	assert.ErrorContains(t, err, "the index is not between 0 and 4")
}

// A failing run stops the sweep with the error of the lowest failing
// index, whatever the workers; a panic is an error; a NaN is refused.
func TestFailures(t *testing.T) {
	for _, w := range []int{1, 2, 4, 16} {
		s := toy()
		inner := s.Simulate
		s.Simulate = func(r Run) (Figures, error) {
			switch r.Index {
			case 9, 30:
				return nil, errors.New("boom")
			case 12:
				panic("kaboom")
			}
			return inner(r)
		}
		_, err := s.Run(w)
		require.Error(t, err)
		assert.Equal(t, "run 9 (size=1,mu=5%, seed 3): boom", err.Error(), "workers %d", w)
	}
	s := toy()
	s.Simulate = func(r Run) (Figures, error) {
		if r.Index == 3 {
			panic("kaboom")
		}
		return Figures{"x": 1}, nil
	}
	_, err := s.Run(3)
	assert.EqualError(t, err, "run 3 (size=1,mu=1, seed 4): panic: kaboom")
	s.Simulate = func(r Run) (Figures, error) { return Figures{"x": math.NaN()}, nil }
	_, err = s.Run(3)
	assert.EqualError(t, err, "run 0 (size=1,mu=1, seed 1): figures.x: NaN is not finite")
}

func TestMergeErrors(t *testing.T) {
	s := toy()
	a, err := s.RunShard(Shard{Index: 0, Count: 2}, 2, nil)
	require.NoError(t, err)
	b, err := s.RunShard(Shard{Index: 1, Count: 2}, 2, nil)
	require.NoError(t, err)
	_, err = Merge(a)
	assert.ErrorContains(t, err, "merge: 21 of 42 runs missing (a shard not given?): 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, ...")
	_, err = Merge(a, b, a)
	assert.ErrorContains(t, err, "merge: run 0 is given twice")
	other := append([]Result(nil), b...)
	other[0].Sweep = "other"
	_, err = Merge(a, other)
	assert.ErrorContains(t, err, "results of two sweeps")
	other = append([]Result(nil), b...)
	other[3].ID = "0000000000000000"
	_, err = Merge(a, other)
	assert.ErrorContains(t, err, "results of two sweeps")
	_, err = Merge()
	assert.ErrorContains(t, err, "no results")
	all, err := Merge(b, a)
	require.NoError(t, err)
	require.NoError(t, s.Verify(all))
	s2 := toy()
	s2.Seeds = Seeds(2, 7)
	assert.ErrorContains(t, s2.Verify(all), "result of run 0: sweep ID")
	assert.NotEqual(t, s.ID(), s2.ID())
	s3 := toy()
	s3.Params[1].Values = []string{"1", "5%", "25"}
	assert.NotEqual(t, s.ID(), s3.ID())
	assert.Equal(t, s.ID(), toy().ID())
}

func TestReadJSONLErrors(t *testing.T) {
	good := `{"sweep":"s","id":"x","runs":2,"index":1,"params":{"b":"2","a":"1"},"seed":3,"figures":{"x":1.5}}`
	rs, err := ReadJSONL(strings.NewReader("\n"+good+"\n"), "f")
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, Values{{"b", "2"}, {"a", "1"}}, rs[0].Params, "parameter order kept")
	var b bytes.Buffer
	require.NoError(t, WriteJSONL(&b, rs))
	assert.Equal(t, good+"\n", b.String(), "written back the same")
	for _, tc := range []struct{ line, want string }{
		{`{"sweep":"s","id":"x","runs":2,"index":2,"params":{},"seed":3,"figures":{}}`, "f:1: index: 2 is not between 0 and 1"},
		{`{"sweep":"s","id":"x","runs":0,"index":0,"params":{},"seed":3,"figures":{}}`, "f:1: runs: 0 is below 1"},
		{`{"sweep":"s","runs":2,"index":0,"seed":3}`, "f:1: missing id, params, figures"},
		{`{"sweep":"s","id":"x","runs":2,"index":0,"params":{},"seed":3,"figures":{"x":"1"}}`, "f:1: figures: a string is not a float64"},
		{`{"sweep":"s","id":"x","runs":2,"index":0,"params":{},"seed":3,"figures":{"x":null}}`, "f:1: figures.x: null is not a number"},
		{`{"sweep":"s","id":"x","runs":2,"index":0,"params":{"a":1},"seed":3,"figures":{}}`, "f:1: a: 1 is not a string"},
		{`{"sweep":"s","id":"x","runs":2,"index":0,"params":{},"seed":-3,"figures":{}}`, "f:1: seed: a number -3 is not a uint64"},
		{`{"sweep":"s","id":"x","runs":2,"index":0,"params":{},"seed":3,"figures":{},"extra":1}`, `f:1: json: unknown field "extra"`},
		{`{"sweep":"s"} {}`, "f:1: more than one object on the line"},
		{`nope`, "f:1: invalid character"},
	} {
		_, err := ReadJSONL(strings.NewReader(tc.line), "f")
		require.Error(t, err, tc.line)
		assert.Contains(t, err.Error(), tc.want, tc.line)
	}
}

func TestDescribe(t *testing.T) {
	st := Describe([]float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10})
	assert.Equal(t, 10, st.Count)
	assert.Equal(t, 5.5, st.Mean)
	assert.InDelta(t, 3.0277, st.StdDev, 1e-4) // sqrt(82.5/9)
	// t(0.975, 9) = 2.2622; 2.2622 × 3.0277 / √10 = 2.1659
	assert.InDelta(t, 2.1659, st.CI95, 1e-4)
	assert.Equal(t, []float64{1, 5, 9, 10, 10}, []float64{st.Min, st.P50, st.P90, st.P99, st.Max})
	one := Describe([]float64{4})
	assert.Equal(t, Stats{Count: 1, Mean: 4, Min: 4, P50: 4, P90: 4, P99: 4, Max: 4}, one)
	assert.Equal(t, Stats{}, Describe(nil))
}

func TestTQuantile(t *testing.T) {
	// two-sided 95% critical values from any table of Student's t
	for df, want := range map[int]float64{1: 12.7062, 2: 4.3027, 4: 2.7764, 9: 2.2622, 29: 2.0452, 100: 1.9840, 100000: 1.9600} {
		assert.InDelta(t, want, TQuantile(0.975, df), 1e-4, "df %d", df)
	}
	assert.InDelta(t, -2.2622, TQuantile(0.025, 9), 1e-4)
	assert.InDelta(t, 1.3830, TQuantile(0.9, 9), 1e-4)
	assert.Equal(t, 0.0, TQuantile(0.5, 3))
	assert.True(t, math.IsNaN(TQuantile(1, 3)))
	assert.True(t, math.IsNaN(TQuantile(0.9, 0)))
}

func TestWriteText(t *testing.T) {
	rs := []Result{
		{Sweep: "s", Runs: 3, Index: 2, Params: Values{{"mu", "5%"}}, Seed: 1, Figures: Figures{"d": 10}},
		{Sweep: "s", Runs: 3, Index: 0, Params: Values{{"mu", "1"}}, Seed: 1, Figures: Figures{"d": 3, "c": 1}},
		{Sweep: "s", Runs: 3, Index: 1, Params: Values{{"mu", "1"}}, Seed: 2, Figures: Figures{"d": 5}},
	}
	agg, err := Aggregate(rs)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, agg.WriteText(&b, "d", "c", "none"))
	// mu=1: mean 4, sd √2, t(0.975,1)=12.706 → 12.706 × √2 / √2 = 12.706
	assert.Equal(t, `mu=1 (2 runs)
FIGURE  N  MEAN   ±95%    P50    P90    P99    MIN    MAX
d       2  4.000  12.706  3.000  5.000  5.000  3.000  5.000
c       1  1.000  0.000   1.000  1.000  1.000  1.000  1.000

mu=5% (1 runs)
FIGURE  N  MEAN    ±95%   P50     P90     P99     MIN     MAX
d       1  10.000  0.000  10.000  10.000  10.000  10.000  10.000
`, b.String())
	_, err = Aggregate(append(rs, rs[0]))
	assert.ErrorContains(t, err, "run 2 is given twice")
}

func FuzzReadJSONL(f *testing.F) {
	f.Add(`{"sweep":"s","id":"x","runs":2,"index":1,"params":{"b":"2","a":"1"},"seed":3,"figures":{"x":1.5}}`)
	f.Add(`{"params":{"a":"1","a":"2"}}`)
	f.Add("{}\n\n[]")
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := ReadJSONL(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		var b bytes.Buffer
		require.NoError(t, WriteJSONL(&b, rs))
		back, err := ReadJSONL(&b, "again")
		require.NoError(t, err)
		require.Equal(t, len(rs), len(back))
		for i := range rs {
			require.Equal(t, rs[i].Params, back[i].Params)
			require.Equal(t, rs[i].Figures, back[i].Figures)
		}
	})
}
