package report

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/trace"
)

var seriesT0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func sAt(s float64) time.Time { return seriesT0.Add(time.Duration(s * float64(time.Second))) }

func newRec(t testing.TB, cfg SeriesConfig) *Recorder {
	t.Helper()
	r, err := NewRecorder(seriesT0, cfg)
	require.NoError(t, err)
	return r
}

// seriesRound observes deltas and reconciles at now, as the engine would.
func seriesRound(r *Recorder, now time.Time, ds ...cluster.Delta) {
	for _, d := range ds {
		r.Observe(d)
	}
	_, _ = r.Reconcile(now, nil)
}

func dsStatus(desired, ready, available int32) *cluster.DaemonSet {
	return &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Namespace: "ns", Name: "agent"},
		Status: cluster.DaemonSetStatus{DesiredNumberScheduled: desired, NumberReady: ready, NumberAvailable: available}}
}

func sNode(name string, ready cluster.ConditionStatus, cordoned bool) *cluster.Node {
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}, Spec: cluster.NodeSpec{Unschedulable: cordoned}}
	if ready != "" {
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: ready}}
	}
	return n
}

func sPod(name, node string, daemon, deleting bool) *cluster.Pod {
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: "ns", Name: name}}
	p.Spec.NodeName = node
	if daemon {
		yes := true
		p.OwnerReferences = []cluster.OwnerReference{{Kind: "DaemonSet", Name: "agent", Controller: &yes}}
	}
	if deleting {
		at := seriesT0
		p.DeletionTimestamp = &at
	}
	return p
}

func delta(old, new cluster.Object) cluster.Delta {
	o := old
	if o == nil {
		o = new
	}
	return cluster.Delta{Key: cluster.KeyOf(o), Old: old, New: new}
}

// A hand-computed history on a 10 s grid, ending off the grid at 35 s.
// The DaemonSet's unavailable count spikes to 2 between the samples at 0
// and 10 s (the sample at 10 s holds 0 but its high is 2); a status
// written and overwritten at 20 s (in two rounds of that instant) is held
// for no time. Nodes: n1 Ready then cordoned then Unknown; n2 with no
// Ready condition, then Ready, then gone. Pending: p1 (workload) waits
// from 3 to 8 s, p2 (a daemon pod) never counts, p3 (workload) waits from
// 21 s until it is deleted at 33 s.
func TestSeriesHistory(t *testing.T) {
	r := newRec(t, SeriesConfig{Interval: 10 * time.Second})
	n1, n2 := sNode("n1", cluster.ConditionTrue, false), sNode("n2", "", false)
	seriesRound(r, sAt(0), delta(nil, dsStatus(4, 4, 4)), delta(nil, n1), delta(nil, n2))
	p1, p2 := sPod("p1", "", false, false), sPod("p2", "", true, false)
	seriesRound(r, sAt(3), delta(nil, p1), delta(nil, p2))
	seriesRound(r, sAt(5), delta(dsStatus(4, 4, 4), dsStatus(4, 2, 2)))
	seriesRound(r, sAt(7), delta(dsStatus(4, 2, 2), dsStatus(4, 4, 4)))
	seriesRound(r, sAt(8), delta(p1, sPod("p1", "n1", false, false)))
	n2r := sNode("n2", cluster.ConditionTrue, false)
	seriesRound(r, sAt(12), delta(n2, n2r))
	n1c := sNode("n1", cluster.ConditionTrue, true)
	seriesRound(r, sAt(15), delta(n1, n1c))
	seriesRound(r, sAt(20), delta(dsStatus(4, 4, 4), dsStatus(4, 0, 0)))
	seriesRound(r, sAt(20), delta(dsStatus(4, 0, 0), dsStatus(4, 4, 4)))
	p3 := sPod("p3", "", false, false)
	seriesRound(r, sAt(21), delta(nil, p3))
	n1u := sNode("n1", cluster.ConditionUnknown, true)
	seriesRound(r, sAt(22), delta(n1c, n1u))
	seriesRound(r, sAt(25), delta(dsStatus(4, 4, 4), dsStatus(4, 3, 3)))
	seriesRound(r, sAt(31), delta(n2r, nil))
	seriesRound(r, sAt(33), delta(p3, sPod("p3", "", false, true)))
	s := r.Series(sAt(35))

	sec := time.Second
	assert.Equal(t, []time.Duration{0, 10 * sec, 20 * sec, 30 * sec, 35 * sec}, s.Times)
	assert.Equal(t, 10*sec, s.Interval)
	assert.Equal(t, sAt(0), s.Start)
	assert.Equal(t, sAt(35), s.End)
	for _, tc := range []struct {
		name string
		got  Samples
		want Samples
	}{
		{"ready", s.NodesReady, Samples{Values: []int{1, 1, 2, 1, 0}, Low: []int{1, 1, 1, 1, 0}, High: []int{1, 1, 2, 2, 1}}},
		{"notReady", s.NodesNotReady, Samples{Values: []int{1, 1, 0, 1, 1}, Low: []int{1, 1, 0, 0, 1}, High: []int{1, 1, 1, 1, 1}}},
		{"cordoned", s.NodesCordoned, Samples{Values: []int{0, 0, 1, 1, 1}, Low: []int{0, 0, 0, 1, 1}, High: []int{0, 0, 1, 1, 1}}},
		{"pending", s.WorkloadPending, Samples{Values: []int{0, 0, 0, 1, 0}, Low: []int{0, 0, 0, 0, 0}, High: []int{0, 1, 0, 1, 1}}},
	} {
		assert.Equal(t, tc.want, tc.got, tc.name)
	}
	require.Len(t, s.DaemonSets, 1)
	d := s.DaemonSets[0]
	assert.Equal(t, "ns", d.Namespace)
	assert.Equal(t, "agent", d.Name)
	assert.Equal(t, Samples{Values: []int{4, 4, 4, 4, 4}, Low: []int{4, 4, 4, 4, 4}, High: []int{4, 4, 4, 4, 4}}, d.Desired)
	assert.Equal(t, Samples{Values: []int{4, 4, 4, 3, 3}, Low: []int{4, 2, 4, 3, 3}, High: []int{4, 4, 4, 4, 3}}, d.Ready)
	assert.Equal(t, Samples{Values: []int{0, 0, 0, 1, 1}, Low: []int{0, 0, 0, 0, 1}, High: []int{0, 2, 0, 1, 1}}, d.Unavailable)
}

// reference is the dumb version: the value held at an instant is the last
// one written at or before it (0 before any), and the values held in
// [a, b] are the one held at a and the last one of each instant in (a, b].
type reference []struct {
	at time.Time
	v  int
}

func (h reference) at(t time.Time) int {
	v := 0
	for _, e := range h {
		if !e.at.After(t) {
			v = e.v
		}
	}
	return v
}

func (h reference) lowHigh(a, b time.Time) (int, int) {
	lo, hi := h.at(a), h.at(a)
	for i, e := range h {
		last := i == len(h)-1 || !h[i+1].at.Equal(e.at)
		if last && e.at.After(a) && !e.at.After(b) {
			lo, hi = min(lo, e.v), max(hi, e.v)
		}
	}
	return lo, hi
}

// Random histories (several rounds at some instants, long gaps, small
// MaxPoints so that the samples are halved several times) against the
// reference.
func TestSeriesAgainstReference(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		interval := time.Duration(1+rng.IntN(5)) * time.Second
		maxPoints := 16 + rng.IntN(20)
		r := newRec(t, SeriesConfig{Interval: interval, MaxPoints: maxPoints})
		var h reference
		now, prev := seriesT0, dsStatus(0, 0, 0)
		seriesRound(r, now, delta(nil, prev))
		for range 300 + rng.IntN(300) {
			switch rng.IntN(10) {
			case 0: // another round at the same instant
			case 1:
				now = now.Add(time.Duration(rng.IntN(100)) * time.Second)
			default:
				now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
			}
			v := int32(rng.IntN(50))
			next := dsStatus(v, 0, 0)
			seriesRound(r, now, delta(prev, next))
			prev = next
			h = append(h, struct {
				at time.Time
				v  int
			}{now, int(v)})
		}
		end := now.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
		s := r.Series(end)
		require.LessOrEqual(t, len(s.Times), maxPoints+1, "seed %d", seed)
		require.Equal(t, end.Sub(seriesT0), s.Times[len(s.Times)-1], "seed %d", seed)
		ratio := s.Interval / interval
		require.Zero(t, s.Interval%interval, "seed %d", seed)
		require.Zero(t, ratio&(ratio-1), "seed %d: the interval doubles", seed)
		require.Greater(t, ratio, time.Duration(1), "seed %d: halved at least once", seed)
		desired := s.DaemonSets[0].Desired
		for i, off := range s.Times {
			if i < len(s.Times)-1 {
				require.Equal(t, time.Duration(i)*s.Interval, off, "seed %d sample %d", seed, i)
			}
			at := seriesT0.Add(off)
			lo, hi := h.at(at), h.at(at)
			if i > 0 {
				lo, hi = h.lowHigh(seriesT0.Add(s.Times[i-1]), at)
			}
			require.Equal(t, h.at(at), desired.Values[i], "seed %d sample %d value", seed, i)
			require.Equal(t, lo, desired.Low[i], "seed %d sample %d low", seed, i)
			require.Equal(t, hi, desired.High[i], "seed %d sample %d high", seed, i)
		}
	}
}

// Halving keeps every other sample and doubles the interval: 16 points of
// 1 s fill at 15 s, 16 of 2 s at 30 s; at 40 s the grid is 4 s.
func TestSeriesHalving(t *testing.T) {
	r := newRec(t, SeriesConfig{Interval: time.Second, MaxPoints: 16})
	for i := range 41 {
		seriesRound(r, sAt(float64(i)), delta(nil, sPod(fmt.Sprint("p", i), "", false, false)))
	}
	s := r.Series(sAt(40))
	assert.Equal(t, 4*time.Second, s.Interval)
	require.Len(t, s.Times, 11)
	for i := range 11 {
		assert.Equal(t, time.Duration(4*i)*time.Second, s.Times[i])
		assert.Equal(t, 4*i+1, s.WorkloadPending.Values[i], "the pods created up to %d s", 4*i)
		if i > 0 {
			assert.Equal(t, 4*i-3, s.WorkloadPending.Low[i])
			assert.Equal(t, 4*i+1, s.WorkloadPending.High[i])
		}
	}
}

// Series does not change the recorder; Reset starts the samples again at
// its instant, keeping the values held; a DaemonSet seen late has zeros
// before.
func TestSeriesResetAndRepeat(t *testing.T) {
	r := newRec(t, SeriesConfig{Interval: 10 * time.Second})
	n1 := sNode("n1", cluster.ConditionTrue, false)
	seriesRound(r, sAt(0), delta(nil, n1))
	a := r.Series(sAt(25))
	assert.Equal(t, a, r.Series(sAt(25)))
	assert.Equal(t, []int{1, 1, 1, 1}, a.NodesReady.Values)
	assert.Equal(t, r.Series(sAt(0)), r.Series(sAt(-5)), "end before the last round is the last round")

	r.Reset(sAt(30))
	seriesRound(r, sAt(45), delta(nil, dsStatus(3, 3, 3)))
	s := r.Series(sAt(50))
	assert.Equal(t, sAt(30), s.Start)
	assert.Equal(t, []time.Duration{0, 10 * time.Second, 20 * time.Second}, s.Times)
	assert.Equal(t, []int{1, 1, 1}, s.NodesReady.Values, "the node is still known")
	require.Len(t, s.DaemonSets, 1)
	assert.Equal(t, []int{0, 0, 3}, s.DaemonSets[0].Desired.Values)
	assert.Equal(t, []int{0, 0, 0}, s.DaemonSets[0].Desired.Low)
	assert.Equal(t, []int{0, 0, 3}, s.DaemonSets[0].Desired.High, "held from 45 s: in [40 s, 50 s] only")
}

func TestNewRecorderErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  SeriesConfig
		want string
	}{
		{SeriesConfig{Interval: -time.Second}, "SeriesConfig.Interval: -1s is negative"},
		{SeriesConfig{MaxPoints: 15}, "SeriesConfig.MaxPoints: 15 is below 16"},
		{SeriesConfig{MaxPoints: -1}, "SeriesConfig.MaxPoints: -1 is below 16"},
	} {
		_, err := NewRecorder(seriesT0, tc.cfg)
		assert.EqualError(t, err, tc.want)
	}
	r, err := NewRecorder(seriesT0, SeriesConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultSeriesInterval, r.interval)
	assert.Equal(t, DefaultSeriesMaxPoints, r.maxPoints)
	assert.Equal(t, SeriesName, r.Name())
}

// Three nodes join a DaemonSet's cluster at 0 s; pods are Ready 10 s
// after they start (at once: the default start latency is 0). Sampled
// every 5 s, the DaemonSet has 3 desired from the start, and its pods are
// unavailable until the sample at 10 s.
func ExampleRecorder() {
	c, _ := sim.NewDefault(sim.DefaultConfig{NodeAgent: sim.NodeAgentConfig{ReadyDelay: sim.Fixed(10 * time.Second)}})
	rec, _ := NewRecorder(c.Now(), SeriesConfig{Interval: 5 * time.Second})
	_ = c.Add(rec)
	c.Submit(c.Now(), "example", cluster.Create{Object: exampleAgent()})
	rp := churn.NewReplayer(c, churn.NewSource([]trace.NodeEvent{
		{At: 0, Node: "n1", Type: trace.Add}, {At: 0, Node: "n2", Type: trace.Add}, {At: 0, Node: "n3", Type: trace.Add},
	}), churn.ReplayOptions{})
	if err := rp.RunUntil(sim.Epoch.Add(20 * time.Second)); err != nil {
		fmt.Println(err)
		return
	}
	s := rec.Series(c.Now())
	d := s.DaemonSets[0]
	fmt.Println("times:        ", s.Times)
	fmt.Println("nodes ready:  ", s.NodesReady.Values)
	fmt.Println("desired:      ", d.Desired.Values)
	fmt.Println("ready:        ", d.Ready.Values)
	fmt.Println("unavailable:  ", d.Unavailable.Values)
	// Output:
	// times:         [0s 5s 10s 15s 20s]
	// nodes ready:   [3 3 3 3 3]
	// desired:       [3 3 3 3 3]
	// ready:         [0 0 3 3 3]
	// unavailable:   [3 3 0 0 0]
}

func exampleAgent() *cluster.DaemonSet {
	labels := selector.Set{"app": "agent"}
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"}}
	ds.Spec.Selector = &selector.LabelSelector{MatchLabels: labels}
	ds.Spec.Template.Labels = labels
	ds.Spec.Template.Spec.Containers = []cluster.Container{{Name: "agent", Image: "agent:1"}}
	return ds
}
