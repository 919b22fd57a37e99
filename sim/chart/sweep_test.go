package chart

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/sim/sweep"
)

// sweepResults are 3 values of batch × 4 seeds of a toy rollout: its
// duration is 6000 s over the batch, plus the seed's tens of seconds; its
// peak the batch plus the seed mod 2. Run 1 (batch 1, seed 2) did not
// finish.
func sweepResults() []sweep.Result {
	var out []sweep.Result
	for i, batch := range []int{1, 10, 50} {
		for seed := uint64(1); seed <= 4; seed++ {
			idx := 4*i + int(seed) - 1
			finished := 1.0
			if idx == 1 {
				finished = 0
			}
			out = append(out, sweep.Result{Sweep: "toy", ID: "0", Runs: 12, Index: idx, Seed: seed,
				Params: sweep.Values{{Name: "nodes", Value: "100"}, {Name: "batch", Value: fmt.Sprint(batch)}},
				Figures: sweep.Figures{"seconds": 6000/float64(batch) + 10*float64(seed),
					"peak": float64(batch) + float64(seed%2), "finished": finished}})
		}
	}
	return out
}

// exactly counts the styles equal to style.
func exactly(styles []string, style string) int {
	n := 0
	for _, s := range styles {
		if s == style {
			n++
		}
	}
	return n
}

func sweepSpec() SweepSpec {
	return SweepSpec{Title: "toy <rollout> & batch", Group: "batch",
		X:        SweepAxis{Figure: "peak", Label: "peak unavailability (pods)"},
		Y:        SweepAxis{Figure: "seconds", Label: "rollout duration", Seconds: true},
		Finished: "finished", ByGroup: true}
}

func renderSweep(t *testing.T, results []sweep.Result, spec SweepSpec) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Sweep(&buf, results, spec))
	return buf.String()
}

// The chart is well-formed XML with the title (escaped), the subtitle,
// the panels' titles, a legend label per value, the axis labels (both
// axes span more than 20×, so log) and duration ticks; a translucent
// marker per finished run and an outlined one per unfinished run, in each
// panel; a mean (a 2 pt outline) per value in each panel and in the
// legend; 10 bar
// strokes per value (scatter: 2 bars and 4 caps; by group: 1 bar and 2
// caps; the legend's line).
func TestSweep(t *testing.T) {
	doc := parse(t, renderSweep(t, sweepResults(), sweepSpec()))
	for _, want := range []string{"toy <rollout> & batch",
		"12 runs, 3 values of batch (4 seeds each); small markers: one run each; hollow: runs whose finished is 0 (their values are lower bounds)",
		"large outlines: the mean; bars: its 95% confidence interval (Student's t over the seeds)",
		"rollout duration against peak unavailability", "per batch",
		"batch=1", "batch=10", "batch=50",
		"peak unavailability (pods, log scale)", "rollout duration (log scale)", "batch",
		"2 min", "5 min", "10 min", "1 h", "1", "10", "50",
	} {
		assert.Contains(t, doc.texts, want)
	}
	assert.NotContains(t, doc.texts, "nodes=100", "a parameter that does not vary is not in the labels")
	assert.Equal(t, 2*11, count(doc.styles, "fill-opacity:0.6"), "11 finished runs, in 2 panels")
	assert.Equal(t, 2*1, count(doc.styles, "stroke-width:1.2"), "1 unfinished run, in 2 panels")
	for _, c := range []string{"#0072B2", "#D55E00", "#009E73"} {
		assert.Equal(t, 3, exactly(doc.styles, "fill:none;stroke:"+c+";stroke-width:2"), "%s: a mean in each panel and the legend", c)
		assert.Equal(t, 10, count(doc.styles, "stroke:"+c+";stroke-width:1.6"), "%s: bars", c)
	}
}

// Without ByGroup there is one panel; linear scales have number ticks.
func TestSweepOnePanel(t *testing.T) {
	spec := sweepSpec()
	spec.ByGroup, spec.Finished = false, ""
	spec.X.Scale, spec.Y.Scale, spec.Y.Seconds = ScaleLinear, ScaleLinear, false
	doc := parse(t, renderSweep(t, sweepResults(), spec))
	assert.NotContains(t, doc.texts, "per batch")
	assert.Contains(t, doc.texts, "peak unavailability (pods)")
	assert.Contains(t, doc.texts, "rollout duration")
	assert.Equal(t, 12, count(doc.styles, "fill-opacity:0.6"), "every run filled, once")
	assert.Zero(t, count(doc.styles, "stroke-width:1.2"))
}

// A parameter other than Group that varies makes series of its own,
// named by both.
func TestSweepOtherParameter(t *testing.T) {
	rs := sweepResults()
	for i := range rs {
		if rs[i].Seed > 2 {
			rs[i].Params = sweep.Values{{Name: "nodes", Value: "200"}, rs[i].Params[1]}
		}
	}
	doc := parse(t, renderSweep(t, rs, sweepSpec()))
	for _, want := range []string{"batch=1, nodes=100", "batch=1, nodes=200", "batch=50, nodes=200"} {
		assert.Contains(t, doc.texts, want)
	}
	assert.Contains(t, doc.texts, "12 runs, 6 values of batch (2 seeds each); small markers: one run each; hollow: runs whose finished is 0 (their values are lower bounds)")
}

// The same results, in any order, give the same bytes; another value or
// title others.
func TestSweepDeterministic(t *testing.T) {
	a := renderSweep(t, sweepResults(), sweepSpec())
	assert.Equal(t, a, renderSweep(t, sweepResults(), sweepSpec()))
	rev := sweepResults()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	assert.Equal(t, a, renderSweep(t, rev, sweepSpec()), "results reversed")
	changed := sweepResults()
	changed[5].Figures["seconds"] += 100
	assert.NotEqual(t, a, renderSweep(t, changed, sweepSpec()))
	spec := sweepSpec()
	spec.Title = "other"
	assert.NotEqual(t, a, renderSweep(t, sweepResults(), spec))
}

func TestSweepErrors(t *testing.T) {
	noGroup := sweepResults()
	noGroup[3].Params = noGroup[3].Params[:1]
	noFig := sweepResults()
	delete(noFig[2].Figures, "seconds")
	nan := sweepResults()
	nan[4].Figures["peak"] = math.Inf(1)
	zero := sweepResults()
	zero[0].Figures["peak"] = 0
	logSpec := sweepSpec()
	logSpec.X.Scale = ScaleLog
	badScale := sweepSpec()
	badScale.Y.Scale = 7
	noFinished := sweepSpec()
	noFinished.Finished = "done"
	for _, tc := range []struct {
		results []sweep.Result
		spec    SweepSpec
		want    string
	}{
		{nil, sweepSpec(), "results: none"},
		{noGroup, sweepSpec(), `run 3: no parameter "batch" (parameters: nodes)`},
		{noFig, sweepSpec(), `run 2: no figure "seconds" for the y axis (figures: finished, peak)`},
		{sweepResults(), noFinished, `run 0: no figure "done" for the finished axis (figures: finished, peak, seconds)`},
		{nan, sweepSpec(), `run 4: figure "peak" is +Inf`},
		{zero, logSpec, `x axis (figure "peak"): log scale, but a value is 0`},
		{sweepResults(), badScale, `y axis (figure "seconds"): scale 7 is not a Scale`},
	} {
		var buf bytes.Buffer
		assert.EqualError(t, Sweep(&buf, tc.results, tc.spec), tc.want)
		assert.Zero(t, buf.Len(), "nothing written")
	}
	// a 0 on an auto axis makes it linear, not an error
	parse(t, renderSweep(t, zero, sweepSpec()))
}

// Log ticks: 1, 2, 5 × 10^k, or durations, thinned to at most 9 labels;
// linear duration ticks at a duration step.
func TestSweepTicks(t *testing.T) {
	for _, tc := range []struct {
		ticks  sweepTicks
		lo, hi float64
		major  []string
	}{
		{sweepTicks{log: true}, 0.8, 150, []string{"1", "2", "5", "10", "20", "50", "100"}},
		{sweepTicks{log: true}, 0.8, 15000, []string{"1", "3", "10", "30", "100", "300", "1000", "3000", "1e+04"}},
		{sweepTicks{log: true, seconds: true}, 90, 21600, []string{"2 min", "5 min", "10 min", "30 min", "1 h", "2 h", "6 h"}},
		{sweepTicks{log: true, seconds: true}, 50, 1000, []string{"1 min", "2 min", "5 min", "10 min", "15 min"}},
		{sweepTicks{log: true, seconds: true}, 0.5, 2e5, []string{"1 s", "10 s", "1 min", "10 min", "1 h", "10 h", "24 h"}},
		{sweepTicks{seconds: true}, 0, 7200, []string{"0", "15 min", "30 min", "45 min", "1 h", "1.25 h", "1.5 h", "1.75 h", "2 h"}},
		{sweepTicks{seconds: true}, 100, 400, []string{"2 min", "3 min", "4 min", "5 min", "6 min"}},
	} {
		var major []string
		for _, tk := range tc.ticks.Ticks(tc.lo, tc.hi) {
			if !tk.IsMinor() {
				major = append(major, tk.Label)
			}
		}
		assert.Equal(t, tc.major, major, "%+v [%v, %v]", tc.ticks, tc.lo, tc.hi)
	}
	assert.Empty(t, sweepTicks{log: true}.Ticks(0, 10), "log from 0")
	assert.Empty(t, sweepTicks{}.Ticks(math.NaN(), 1))
}

// A chart of a toy sweep: the error names what is missing.
func ExampleSweep() {
	results := []sweep.Result{
		{Index: 0, Seed: 1, Params: sweep.Values{{Name: "batch", Value: "1"}}, Figures: sweep.Figures{"seconds": 600, "peak": 1}},
		{Index: 1, Seed: 2, Params: sweep.Values{{Name: "batch", Value: "1"}}, Figures: sweep.Figures{"seconds": 610, "peak": 2}},
		{Index: 2, Seed: 1, Params: sweep.Values{{Name: "batch", Value: "10"}}, Figures: sweep.Figures{"seconds": 60, "peak": 10}},
	}
	spec := SweepSpec{Title: "toy", Group: "batch",
		X: SweepAxis{Figure: "peak", Label: "peak unavailability (pods)"},
		Y: SweepAxis{Figure: "seconds", Label: "rollout duration", Seconds: true}}
	var svg bytes.Buffer
	err := Sweep(&svg, results, spec)
	fmt.Println(err, strings.HasPrefix(svg.String(), "<?xml"))
	spec.Y.Figure = "minutes"
	fmt.Fprintln(os.Stdout, Sweep(&svg, results, spec))
	// Output:
	// <nil> true
	// run 0: no figure "minutes" for the y axis (figures: peak, seconds)
}
