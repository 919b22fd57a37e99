package churn

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/trace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streams returns an engine's stream source for seed.
func streams(t testing.TB, seed uint64) func(string) *rand.Rand {
	e, err := sim.New(sim.Config{Seed: seed})
	require.NoError(t, err)
	return e.Rand
}

// mkNodes returns n nodes n-00000 ... spread over racks racks (rack i%racks)
// and 3 zones.
func mkNodes(n, racks int) []Node {
	out := make([]Node, n)
	for i := range out {
		out[i] = Node{Name: fmt.Sprintf("n-%05d", i), Labels: selector.Set{
			trace.LabelRack: fmt.Sprintf("rack-%03d", i%racks),
			trace.LabelZone: fmt.Sprintf("zone-%d", i%racks%3),
		}}
	}
	return out
}

func gen(t testing.TB, seed uint64, nodes []Node, horizon time.Duration, gens ...Generator) Result {
	t.Helper()
	res, err := Generate(streams(t, seed), nodes, horizon, gens...)
	require.NoError(t, err)
	return res
}

// within asserts |got-want| ≤ k·sd, printing the z-score.
func within(t *testing.T, what string, got, want, sd, k float64) {
	t.Helper()
	z := (got - want) / sd
	t.Logf("%s: got %.6g, want %.6g ± %.3g (z = %.2f)", what, got, want, sd, z)
	assert.LessOrEqual(t, math.Abs(z), k, "%s: got %g, want %g ± %g·%g", what, got, want, k, sd)
}

// sorted checks the contract of Generate's output: time order, and every
// event valid.
func checkSorted(t *testing.T, evs []trace.NodeEvent, horizon time.Duration) {
	t.Helper()
	for i, ev := range evs {
		require.NoError(t, ev.Check(), ev)
		require.Less(t, ev.At, horizon, ev)
		if i > 0 {
			require.LessOrEqual(t, evs[i-1].At, ev.At, "event %d", i)
		}
	}
}

// presence integrates the number of present nodes over [0, horizon) from
// the starting count and the adds and removes.
func nodeHours(start int, evs []trace.NodeEvent, horizon time.Duration, up, down trace.EventType) float64 {
	n := float64(start)
	var last time.Duration
	total := 0.0
	for _, ev := range evs {
		total += n * (ev.At - last).Hours()
		last = ev.At
		switch ev.Type {
		case up:
			n++
		case down:
			n--
		}
	}
	return total + n*(horizon-last).Hours()
}

func count(evs []trace.NodeEvent, typ trace.EventType) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// TestSteadyRates: over 20,000 hours the arrivals are λT and the
// departures μ per node-hour, each within 5 standard deviations (Poisson).
func TestSteadyRates(t *testing.T) {
	const horizon = 20000 * time.Hour
	c := Steady{ArrivalsPerHour: 2, DeparturesPerNodeHour: 1e-3, Labels: selector.Set{"pool": "churn"}}
	res := gen(t, 1, mkNodes(500, 10), horizon, c)
	checkSorted(t, res.Events, horizon)
	assert.Empty(t, res.Dropped)
	arr := float64(count(res.Events, trace.Add))
	within(t, "arrivals", arr, 2*horizon.Hours(), math.Sqrt(2*horizon.Hours()), 5)
	nh := nodeHours(500, res.Events, horizon, trace.Add, trace.Remove)
	dep := float64(count(res.Events, trace.Remove))
	within(t, "departures", dep, 1e-3*nh, math.Sqrt(1e-3*nh), 5)
	assert.InDelta(t, 2000, nh/horizon.Hours(), 200, "the mean population tends to λ/μ")
	first := res.Events[slices.IndexFunc(res.Events, func(e trace.NodeEvent) bool { return e.Type == trace.Add })]
	assert.Equal(t, "node-0", first.Node)
	assert.Equal(t, selector.Set{"pool": "churn"}, first.Labels)
}

// TestCrashRates: failures per up-node-hour, and the downtimes' median.
func TestCrashRates(t *testing.T) {
	const horizon = 5000 * time.Hour
	c := Crash{FailuresPerNodeHour: 1e-3, Downtime: sim.LogNormal(10*time.Minute, 1)}
	res := gen(t, 2, mkNodes(1000, 10), horizon, c)
	checkSorted(t, res.Events, horizon)
	upHours := nodeHours(1000, res.Events, horizon, trace.Recover, trace.Fail)
	fails := float64(count(res.Events, trace.Fail))
	within(t, "failures", fails, 1e-3*upHours, math.Sqrt(1e-3*upHours), 5)

	failedAt := map[string]time.Duration{}
	var downs []float64
	for _, ev := range res.Events {
		switch ev.Type {
		case trace.Fail:
			_, down := failedAt[ev.Node]
			require.False(t, down, "%s fails while failed", ev)
			failedAt[ev.Node] = ev.At
		case trace.Recover:
			at, down := failedAt[ev.Node]
			require.True(t, down, "%s recovers while up", ev)
			downs = append(downs, (ev.At - at).Seconds())
			delete(failedAt, ev.Node)
		}
	}
	slices.Sort(downs)
	median := downs[len(downs)/2]
	// The sample median of a log-normal has sd ≈ m·σ·√(π/2)/√n.
	within(t, "median downtime (s)", median, 600, 600*math.Sqrt(math.Pi/2)/math.Sqrt(float64(len(downs))), 5)
}

// TestKubeletStop: stops per running-kubelet-hour, the return fraction,
// and a kubelet that does not return is never stopped again.
func TestKubeletStop(t *testing.T) {
	const horizon = 3000 * time.Hour
	c := KubeletStop{StopsPerNodeHour: 1e-3, ReturnProbability: 0.7, Restart: sim.Fixed(20 * time.Minute)}
	res := gen(t, 3, mkNodes(2000, 10), horizon, c)
	checkSorted(t, res.Events, horizon)
	stopped := map[string]time.Duration{}
	gone := map[string]bool{}
	stops, returns := 0, 0
	for _, ev := range res.Events {
		require.False(t, gone[ev.Node], "%s after a stop with no return", ev)
		switch ev.Type {
		case trace.StopKubelet:
			require.NotContains(t, stopped, ev.Node)
			stopped[ev.Node] = ev.At
			stops++
		case trace.StartKubelet:
			require.Equal(t, 20*time.Minute, ev.At-stopped[ev.Node])
			delete(stopped, ev.Node)
			returns++
		default:
			t.Fatalf("unexpected %s", ev)
		}
	}
	// A stop whose restart would fall past the horizon neither returns
	// nor is gone: count those as returning.
	for n, at := range stopped {
		if at+20*time.Minute >= horizon {
			returns++
		} else {
			gone[n] = true
		}
	}
	p := float64(returns) / float64(stops)
	within(t, "return fraction", p, 0.7, math.Sqrt(0.7*0.3/float64(stops)), 5)
	running := nodeHours(2000, res.Events, horizon, trace.StartKubelet, trace.StopKubelet)
	within(t, "stops", float64(stops), 1e-3*running, math.Sqrt(1e-3*running), 5)
}

// TestCorrelated: a domain's nodes fail and recover together; domain
// failures per up-domain-hour; the share of first failures followed by a
// second within the window.
func TestCorrelated(t *testing.T) {
	const horizon = 200000 * time.Hour
	c := Correlated{FailuresPerDomainHour: 1e-3, Downtime: sim.Fixed(30 * time.Minute), SecondFailureProbability: 0.3, Window: time.Hour}
	nodes := mkNodes(400, 40) // 40 racks of 10
	res := gen(t, 4, nodes, horizon, c)
	checkSorted(t, res.Events, horizon)
	values, members := c.Domains(nodes)
	require.Len(t, values, 40)
	rackOf := map[string]string{}
	for _, n := range nodes {
		rackOf[n.Name] = n.Labels[trace.LabelRack]
	}
	// Fold the events into domain transitions: each (time, rack, type)
	// must cover every node of the rack.
	type tr struct {
		at   time.Duration
		rack string
		typ  trace.EventType
	}
	var trs []tr
	for i := 0; i < len(res.Events); {
		ev := res.Events[i]
		rack := rackOf[ev.Node]
		m := members[rack]
		require.GreaterOrEqual(t, len(res.Events)-i, len(m))
		for j, name := range m {
			e := res.Events[i+j]
			require.Equal(t, tr{ev.At, name, ev.Type}, tr{e.At, e.Node, e.Type}, "the rack's nodes in name order at one instant")
		}
		trs = append(trs, tr{ev.At, rack, ev.Type})
		i += len(m)
	}
	type state struct {
		down       bool
		recovered  time.Duration
		lastFirst  bool // the last failure was a first failure
		hadFailure bool
	}
	st := map[string]*state{}
	for _, v := range values {
		st[v] = &state{}
	}
	firsts, seconds, fails := 0, 0, 0
	for _, x := range trs {
		s := st[x.rack]
		switch x.typ {
		case trace.Fail:
			require.False(t, s.down, "%s fails while down", x.rack)
			s.down = true
			fails++
			if s.hadFailure && s.lastFirst && x.at-s.recovered <= time.Hour {
				seconds++
				s.lastFirst = false
			} else {
				firsts++
				s.lastFirst = true
			}
			s.hadFailure = true
		case trace.Recover:
			require.True(t, s.down)
			s.down = false
			s.recovered = x.at
		}
	}
	upDomainHours := 40*horizon.Hours() - float64(fails)*0.5
	// Failures at the domain rate: firsts plus the seconds, less the
	// seconds' share; chance puts a few firsts within the window (rate ×
	// 1 h ≈ 0.1%), which the tolerance covers.
	within(t, "first failures", float64(firsts), 1e-3*upDomainHours, math.Sqrt(1e-3*upDomainHours), 5)
	p := float64(seconds) / float64(firsts)
	within(t, "second-failure share", p, 0.3, math.Sqrt(0.3*0.7/float64(firsts)), 5)
}

// TestMaintenance: every node goes through drain, fail, recover,
// uncordon once a round, in order; waves do not overlap and hold at most
// WaveSize nodes.
func TestMaintenance(t *testing.T) {
	c := Maintenance{Start: time.Hour, Fraction: 0.1, DrainTime: 5 * time.Minute, Reboot: sim.Uniform(time.Minute, 3*time.Minute),
		UncordonDelay: 10 * time.Second, Pause: time.Minute, Period: 24 * time.Hour}
	nodes := mkNodes(95, 5)
	assert.Equal(t, 10, c.WaveSize(95))
	assert.Equal(t, 1, Maintenance{Fraction: 0.001}.WaveSize(95))
	assert.Equal(t, 95, Maintenance{Fraction: 1}.WaveSize(95))
	assert.Equal(t, 0, c.WaveSize(0))
	const horizon = 48 * time.Hour
	res := gen(t, 5, nodes, horizon, c)
	checkSorted(t, res.Events, horizon)
	require.Len(t, res.Events, 2*95*4, "two rounds of four events a node")
	assert.Equal(t, time.Hour, res.Events[0].At)
	assert.Equal(t, 25*time.Hour, res.Events[4*95].At, "the second round starts a period after the first")

	want := []trace.EventType{trace.Drain, trace.Fail, trace.Recover, trace.Uncordon}
	step := map[string]int{}
	last := map[string]time.Duration{}
	in := 0
	maxIn := 0
	for _, ev := range res.Events {
		i := step[ev.Node] % 4
		require.Equal(t, want[i], ev.Type, ev)
		if i == 1 {
			require.Equal(t, 5*time.Minute, ev.At-last[ev.Node])
		}
		step[ev.Node]++
		last[ev.Node] = ev.At
		switch ev.Type {
		case trace.Drain:
			in++
		case trace.Uncordon:
			in--
		}
		maxIn = max(maxIn, in)
	}
	assert.Equal(t, 10, maxIn)
	for _, n := range nodes {
		assert.Equal(t, 8, step[n.Name], n.Name)
	}
	// Shuffled: the first wave is not the first ten names.
	var first []string
	for _, ev := range res.Events[:10] {
		first = append(first, ev.Node)
	}
	assert.NotEqual(t, names(nodes[:10]), first)
}

// TestBurst: sizes within bounds, every node removed one lifetime after
// its add, bursts at the rate.
func TestBurst(t *testing.T) {
	const horizon = 10000 * time.Hour
	c := Burst{BurstsPerHour: 0.5, MinSize: 3, MaxSize: 7, Spread: 2 * time.Minute, Lifetime: sim.Fixed(3 * time.Hour), NamePrefix: "b-"}
	res := gen(t, 6, mkNodes(10, 2), horizon, c)
	checkSorted(t, res.Events, horizon)
	added := map[string]time.Duration{}
	for _, ev := range res.Events {
		switch ev.Type {
		case trace.Add:
			require.True(t, strings.HasPrefix(ev.Node, "b-"))
			added[ev.Node] = ev.At
		case trace.Remove:
			require.Equal(t, 3*time.Hour, ev.At-added[ev.Node], ev)
		}
	}
	// Without a spread a burst's adds share one instant: group by it.
	c.Spread = 0
	res = gen(t, 6, mkNodes(10, 2), horizon, c)
	sizes := map[time.Duration]int{}
	for _, ev := range res.Events {
		if ev.Type == trace.Add {
			sizes[ev.At]++
		}
	}
	within(t, "bursts", float64(len(sizes)), 0.5*horizon.Hours(), math.Sqrt(0.5*horizon.Hours()), 5)
	hist := map[int]int{}
	for _, n := range sizes {
		hist[n]++
	}
	for n := 3; n <= 7; n++ {
		within(t, fmt.Sprintf("bursts of %d", n), float64(hist[n]), float64(len(sizes))/5, math.Sqrt(float64(len(sizes))*0.2*0.8), 5)
	}
	assert.Len(t, hist, 5, "sizes 3 to 7 only")
}

// TestGenerateDrops: an event another generator made impossible is
// dropped, the rest kept in order.
func TestGenerateDrops(t *testing.T) {
	nodes := mkNodes(50, 5)
	res := gen(t, 9, nodes, 2000*time.Hour,
		Steady{DeparturesPerNodeHour: 2e-3},
		Crash{FailuresPerNodeHour: 2e-3, Downtime: sim.Fixed(time.Hour)})
	require.NotEmpty(t, res.Dropped)
	assert.Equal(t, res.Made[0]+res.Made[1], len(res.Events)+len(res.Dropped))
	gone := map[string]time.Duration{}
	for _, ev := range res.Events {
		_, g := gone[ev.Node]
		require.False(t, g, "%s after its node's removal", ev)
		if ev.Type == trace.Remove {
			gone[ev.Node] = ev.At
		}
	}
	for _, ev := range res.Dropped {
		at, g := gone[ev.Node]
		require.True(t, g && at <= ev.At, "%s dropped though its node was there", ev)
	}
}

// csvOf renders events with the trace writer: the byte-for-byte form.
func csvOf(t testing.TB, evs []trace.NodeEvent) []byte {
	var buf bytes.Buffer
	w := trace.NewCSVWriter(&buf)
	for _, ev := range evs {
		require.NoError(t, w.Write(ev))
	}
	require.NoError(t, w.Flush())
	return buf.Bytes()
}

func defaults(nodes, racks int) []Generator {
	return []Generator{DefaultSteady(nodes), DefaultCrash(), DefaultKubeletStop(), DefaultCorrelated(racks), DefaultMaintenance(), DefaultBurst(nodes)}
}

// TestDeterminism: the same seed gives the same events, byte for byte;
// another seed other events.
func TestDeterminism(t *testing.T) {
	nodes := mkNodes(2000, 50)
	const horizon = 30 * 24 * time.Hour
	a := csvOf(t, gen(t, 42, nodes, horizon, defaults(2000, 50)...).Events)
	b := csvOf(t, gen(t, 42, nodes, horizon, defaults(2000, 50)...).Events)
	c := csvOf(t, gen(t, 43, nodes, horizon, defaults(2000, 50)...).Events)
	assert.Greater(t, bytes.Count(a, []byte("\n")), 1000)
	assert.Equal(t, string(a), string(b))
	assert.NotEqual(t, string(a), string(c))
}

// TestStreamsIndependent: adding generators before and after one, or
// reordering them, leaves its events as they were.
func TestStreamsIndependent(t *testing.T) {
	nodes := mkNodes(1000, 25)
	const horizon = 60 * 24 * time.Hour
	pick := func(evs []trace.NodeEvent, types ...trace.EventType) []trace.NodeEvent {
		var out []trace.NodeEvent
		for _, ev := range evs {
			if slices.Contains(types, ev.Type) {
				out = append(out, ev)
			}
		}
		return out
	}
	crash := Crash{FailuresPerNodeHour: 1e-3, Downtime: GoogleDowntime()}
	stops := DefaultKubeletStop()
	alone := gen(t, 7, nodes, horizon, crash).Events
	require.NotEmpty(t, alone)
	// Steady with arrivals only and bursts add nodes, which the crash
	// generator never touches, so nothing is dropped.
	with := gen(t, 7, nodes, horizon, Steady{ArrivalsPerHour: 3}, stops, crash, DefaultBurst(1000))
	assert.Empty(t, with.Dropped)
	assert.Equal(t, csvOf(t, alone), csvOf(t, pick(with.Events, trace.Fail, trace.Recover)))
	reordered := gen(t, 7, nodes, horizon, crash, DefaultBurst(1000), stops, Steady{ArrivalsPerHour: 3})
	assert.Equal(t, csvOf(t, alone), csvOf(t, pick(reordered.Events, trace.Fail, trace.Recover)))
	assert.Equal(t, csvOf(t, pick(with.Events, trace.StopKubelet, trace.StartKubelet)), csvOf(t, pick(reordered.Events, trace.StopKubelet, trace.StartKubelet)))

	// Two crash generators on their own streams differ from each other.
	two := gen(t, 7, nodes, horizon, crash, Crash{Stream: "churn/crash-2", FailuresPerNodeHour: 1e-3, Downtime: GoogleDowntime()})
	assert.Equal(t, len(alone), two.Made[0])
	assert.NotEqual(t, two.Made[0], two.Made[1])
}

// TestValidate: bad configs are refused with every field named by its
// path.
func TestValidate(t *testing.T) {
	nodes := mkNodes(3, 1)
	for _, tc := range []struct {
		name  string
		gens  []Generator
		nodes []Node
		want  []string
	}{
		{name: "steady", gens: []Generator{Steady{ArrivalsPerHour: -1, DeparturesPerNodeHour: math.NaN(), NamePrefix: "Node_", Labels: selector.Set{"a b": "c d"}}},
			want: []string{
				`generators[0].arrivalsPerHour: Invalid value: -1: must be a finite number, not negative`,
				`generators[0].departuresPerNodeHour: Invalid value: NaN: must be a finite number, not negative`,
				`generators[0].namePrefix: Invalid value: "Node_": `,
				`generators[0].labels[a b]: Invalid value: "a b": `,
				`generators[0].labels[a b]: Invalid value: "c d": `,
			}},
		{name: "crash", gens: []Generator{Crash{FailuresPerNodeHour: math.Inf(1), Downtime: sim.Uniform(time.Hour, time.Minute)}},
			want: []string{
				`generators[0].failuresPerNodeHour: Invalid value: +Inf: must be a finite number, not negative`,
				`generators[0].downtime: Invalid value: "uniform(1h0m0s,1m0s)": uniform bounds [1h0m0s, 1m0s] must satisfy 0 <= lo <= hi`,
			}},
		{name: "kubelet", gens: []Generator{Steady{}, KubeletStop{ReturnProbability: 1.5, Restart: sim.Fixed(-time.Second)}},
			want: []string{
				`generators[1].returnProbability: Invalid value: 1.5: must be between 0 and 1`,
				`generators[1].restart: Invalid value: "fixed(-1s)": fixed duration -1s is negative`,
			}},
		{name: "correlated", gens: []Generator{Correlated{DomainLabel: "bad key!", FailuresPerDomainHour: -1, SecondFailureProbability: -0.1, Window: -time.Second, Downtime: sim.LogNormal(time.Second, -1)}},
			want: []string{
				`generators[0].domainLabel: Invalid value: "bad key!": `,
				`generators[0].failuresPerDomainHour: Invalid value: -1: must be a finite number, not negative`,
				`generators[0].downtime: Invalid value: "lognormal(1s,-1)": log-normal median 1s and sigma -1 must not be negative`,
				`generators[0].secondFailureProbability: Invalid value: -0.1: must be between 0 and 1`,
				`generators[0].window: Invalid value: "-1s": must not be negative`,
			}},
		{name: "maintenance", gens: []Generator{Maintenance{Fraction: 0, Start: -1, DrainTime: -1, UncordonDelay: -1, Pause: -1, Period: -1}},
			want: []string{
				`generators[0].fraction: Invalid value: 0: must be more than 0 and at most 1`,
				`generators[0].start: Invalid value: "-1ns": must not be negative`,
				`generators[0].drainTime: Invalid value: "-1ns": must not be negative`,
				`generators[0].uncordonDelay: Invalid value: "-1ns": must not be negative`,
				`generators[0].pause: Invalid value: "-1ns": must not be negative`,
				`generators[0].period: Invalid value: "-1ns": must not be negative`,
			}},
		{name: "burst", gens: []Generator{Burst{BurstsPerHour: 1, MinSize: 0, MaxSize: -1, Spread: -1}},
			want: []string{
				`generators[0].minSize: Invalid value: 0: must be at least 1`,
				`generators[0].maxSize: Invalid value: -1: must be at least minSize (0)`,
				`generators[0].spread: Invalid value: "-1ns": must not be negative`,
			}},
		{name: "one stream twice", gens: []Generator{DefaultCrash(), DefaultCrash()},
			want: []string{`generators[1].stream: Invalid value: "churn/crash": generators[0] draws from this stream already: give each generator its own`}},
		{name: "nodes", nodes: []Node{{Name: "a"}, {Name: "a"}, {Name: "B!"}},
			want: []string{`nodes[1].name: Duplicate value: "a"`, `nodes[2].name: Invalid value: "B!": `}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := nodes
			if tc.nodes != nil {
				ns = tc.nodes
			}
			_, err := Generate(streams(t, 1), ns, time.Hour, tc.gens...)
			require.Error(t, err)
			got := strings.Split(err.Error(), "\n")
			t.Log(err)
			require.Len(t, got, len(tc.want), "one line per error:\n%s", err)
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(got[i], w), "error %d: got %q, want it to start %q", i, got[i], w)
			}
		})
	}
	_, err := Generate(streams(t, 1), nodes, -time.Hour)
	assert.EqualError(t, err, `horizon: Invalid value: "-1h0m0s": must not be negative`)
	for _, g := range defaults(1000, 10) {
		assert.Empty(t, g.Validate(field.NewPath("x")), "%T defaults are valid", g)
	}
}

func TestSource(t *testing.T) {
	res := gen(t, 1, mkNodes(10, 2), 100*time.Hour, Crash{FailuresPerNodeHour: 0.01, Downtime: sim.Fixed(time.Hour)})
	require.NotEmpty(t, res.Events)
	var src Source = NewSource(res.Events)
	var got []trace.NodeEvent
	for {
		ev, err := src.Next()
		if err != nil {
			assert.Equal(t, "EOF", err.Error())
			break
		}
		got = append(got, ev)
	}
	assert.Equal(t, res.Events, got)
	var _ Source = (*trace.Reader)(nil)

	assert.Empty(t, gen(t, 1, nil, 0, defaults(0, 0)...).Events, "no nodes, no horizon: nothing")
}

// BenchmarkGenerate: a month of every default generator on 12,500 nodes in
// 320 racks (the 2011 Google cell's size).
func BenchmarkGenerate(b *testing.B) {
	nodes := mkNodes(12500, 320)
	const horizon = 29 * 24 * time.Hour
	n := 0
	for i := 0; b.Loop(); i++ {
		res, err := Generate(streams(b, uint64(i)), nodes, horizon, defaults(12500, 320)...)
		if err != nil {
			b.Fatal(err)
		}
		n += len(res.Events)
	}
	b.ReportMetric(float64(n)/float64(b.N), "events/op")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
