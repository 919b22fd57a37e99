package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// SeriesName is the Recorder's controller name.
const SeriesName = "run-series"

// The Recorder's defaults (SeriesConfig's zero values).
const (
	DefaultSeriesInterval  = time.Minute
	DefaultSeriesMaxPoints = 2048
)

// minSeriesPoints is the least SeriesConfig.MaxPoints accepted.
const minSeriesPoints = 16

// SeriesConfig sets how a Recorder samples.
type SeriesConfig struct {
	// Interval is the simulated time between samples at the start
	// (0: DefaultSeriesInterval). It doubles each time the samples
	// reach MaxPoints.
	Interval time.Duration
	// MaxPoints bounds the samples kept (0: DefaultSeriesMaxPoints; at
	// least 16).
	MaxPoints int
}

// Recorder follows a run's changes, like Observer, and keeps them as time
// series over simulated time, for a chart (package sim/chart draws one):
//
//   - nodes Ready (Ready condition True), NotReady (any other status,
//     Unknown included, or no Ready condition yet) and cordoned
//     (spec.unschedulable, whatever the Ready condition);
//   - per DaemonSet, from its status as its controller last wrote it:
//     desired (desiredNumberScheduled), ready (numberReady) and
//     unavailable (desiredNumberScheduled − numberAvailable, at least 0);
//     all 0 before the DaemonSet is seen and after it is deleted;
//   - pending workload pods: pods no DaemonSet controls that are not bound,
//     not terminal (Succeeded, Failed) and not terminating.
//
// # Sampling
//
// Samples are taken on a grid of simulated time, Start + k × Interval,
// as a scrape at each grid instant would see the cluster: a sample's
// value is the one held at its instant (the last one settled at that
// instant, as Observer's rounds settle). So that a change shorter than
// the interval is not lost, each sample also keeps the least and greatest
// value held since the previous sample (closed interval: both samples'
// values included; a value written and overwritten at one instant is held
// for no time and counts for neither). When the samples reach MaxPoints,
// every other one is dropped (its low and high fold into the next kept
// sample) and the interval doubles, so a run of any length keeps at most
// MaxPoints grid samples, at an interval of Interval × 2^k. Series adds a
// last sample at its end if the end is off the grid.
//
// # What is partial
//
//   - Counts of nodes and pending pods are kept by difference, change by
//     change (no scan of the store): register the Recorder before any
//     object is created, as churnday does; a node or pod created before is
//     miscounted from its first later change.
//   - The DaemonSet series are the controller's status, and lag its syncs
//     as Observer's coverage does.
//   - Pending workload pods: the simulated scheduler binds at the instant
//     it finds a node, so a pod that fits is pending for no time and never
//     counts; only pods that wait for room (or preemption) show.
//
// Costs: a change is O(1); a round is O(series changed) plus, once per
// grid instant passed, O(series) to take the sample (so O(series) per
// Interval of simulated time, whatever the number of changes), amortised
// O(series) per sample for the halving. Series are 4 + 3 per DaemonSet.
// Memory: O(series × MaxPoints). Not safe for concurrent use.
type Recorder struct {
	interval  time.Duration // the configured interval (Reset restores it)
	maxPoints int
	start     time.Time
	step      time.Duration // the current grid interval
	n         int           // grid samples taken
	lastRound time.Time
	tracks    []*track
	touched   []int
	dsByKey   map[string]int // namespace/name → index into ds
	ds        []dsTracks
}

// Indexes of the fixed tracks.
const (
	trackReady = iota
	trackNotReady
	trackCordoned
	trackPending
	fixedTracks
)

type dsTracks struct {
	namespace, name             string
	desired, ready, unavailable int // track indexes
}

// track is one series: its live value (as the changes of the current
// round leave it), its settled value and since when it is held, the low
// and high of the current sample interval, and the samples.
type track struct {
	live, settled int32
	since         time.Time
	touched       bool
	lo, hi        int32 // over the current interval, settled included
	values        []int32
	low, high     []int32
}

// fold widens the current interval's low and high by v.
func (t *track) fold(v int32) {
	t.lo, t.hi = min(t.lo, v), max(t.hi, v)
}

// NewRecorder returns a Recorder whose samples start at start (the
// engine's start, or the start of the window Reset opens). Errors: a
// negative SeriesConfig.Interval, a SeriesConfig.MaxPoints below 16 (0
// excepted).
func NewRecorder(start time.Time, cfg SeriesConfig) (*Recorder, error) {
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("SeriesConfig.Interval: %v is negative", cfg.Interval)
	}
	if cfg.MaxPoints != 0 && cfg.MaxPoints < minSeriesPoints {
		return nil, fmt.Errorf("SeriesConfig.MaxPoints: %d is below %d", cfg.MaxPoints, minSeriesPoints)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultSeriesInterval
	}
	if cfg.MaxPoints == 0 {
		cfg.MaxPoints = DefaultSeriesMaxPoints
	}
	r := &Recorder{interval: cfg.Interval, maxPoints: cfg.MaxPoints, start: start, step: cfg.Interval,
		lastRound: start, dsByKey: map[string]int{}}
	for range fixedTracks {
		r.newTrack()
	}
	return r, nil
}

// newTrack adds a track that held 0 from the start, with as many samples
// as the others (all 0), and returns its index.
func (r *Recorder) newTrack() int {
	t := &track{since: r.lastRound, values: make([]int32, r.n), low: make([]int32, r.n), high: make([]int32, r.n)}
	r.tracks = append(r.tracks, t)
	return len(r.tracks) - 1
}

// Name returns SeriesName.
func (r *Recorder) Name() string { return SeriesName }

// Wake does nothing: the recorder asks for no wake-ups.
func (r *Recorder) Wake(cluster.Key) {}

// add changes track i's live value by d.
func (r *Recorder) add(i int, d int32) {
	if d == 0 {
		return
	}
	r.set(i, r.tracks[i].live+d)
}

// set sets track i's live value.
func (r *Recorder) set(i int, v int32) {
	t := r.tracks[i]
	t.live = v
	if !t.touched {
		t.touched = true
		r.touched = append(r.touched, i)
	}
}

// Observe folds one applied change into the live values. O(1).
func (r *Recorder) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		old, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		r.add(trackReady, b2i(nodeReadyTrue(n))-b2i(nodeReadyTrue(old)))
		r.add(trackNotReady, b2i(n != nil && !nodeReadyTrue(n))-b2i(old != nil && !nodeReadyTrue(old)))
		r.add(trackCordoned, b2i(n != nil && n.Spec.Unschedulable)-b2i(old != nil && old.Spec.Unschedulable))
	case cluster.KindPod:
		old, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		r.add(trackPending, b2i(pendingWorkload(n))-b2i(pendingWorkload(old)))
	case cluster.KindDaemonSet:
		ds := r.daemonSet(d.Key.Namespace, d.Key.Name)
		var st cluster.DaemonSetStatus
		if n, ok := d.New.(*cluster.DaemonSet); ok {
			st = n.Status
		}
		r.set(ds.desired, st.DesiredNumberScheduled)
		r.set(ds.ready, st.NumberReady)
		r.set(ds.unavailable, max(st.DesiredNumberScheduled-st.NumberAvailable, 0))
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func nodeReadyTrue(n *cluster.Node) bool {
	return n != nil && nodeState(n) == nodeReady
}

// pendingWorkload reports whether p is a workload pod waiting for a node.
func pendingWorkload(p *cluster.Pod) bool {
	if p == nil || p.IsBound() || p.IsTerminal() || p.DeletionTimestamp != nil {
		return false
	}
	ref := p.ControllerRef()
	return ref == nil || ref.Kind != "DaemonSet"
}

func (r *Recorder) daemonSet(namespace, name string) *dsTracks {
	k := dsKey(namespace, name)
	if i, ok := r.dsByKey[k]; ok {
		return &r.ds[i]
	}
	r.ds = append(r.ds, dsTracks{namespace: namespace, name: name,
		desired: r.newTrack(), ready: r.newTrack(), unavailable: r.newTrack()})
	r.dsByKey[k] = len(r.ds) - 1
	return &r.ds[len(r.ds)-1]
}

// Reconcile takes the samples of the grid instants before now, then
// settles the round's changes at now, and returns an empty Plan.
// O(series changed + series × grid instants passed).
func (r *Recorder) Reconcile(now time.Time, _ cluster.View) (cluster.Plan, error) {
	r.sampleBefore(now, false)
	for _, i := range r.touched {
		t := r.tracks[i]
		if now.After(t.since) {
			t.fold(t.settled) // held for [since, now)
		}
		// the new value counts from the next round or sample: overwritten
		// at this instant, it is held for no time
		t.settled, t.since, t.touched = t.live, now, false
	}
	r.touched = r.touched[:0]
	r.lastRound = now
	return cluster.Plan{}, nil
}

// next is the next grid instant to sample.
func (r *Recorder) next() time.Time { return r.start.Add(time.Duration(r.n) * r.step) }

// sampleBefore takes the samples of the grid instants before until (and
// at until, if inclusive), from the settled values.
func (r *Recorder) sampleBefore(until time.Time, inclusive bool) {
	for t := r.next(); t.Before(until) || inclusive && t.Equal(until); t = r.next() {
		r.sample()
		if r.n >= r.maxPoints {
			r.halve()
		}
	}
}

// sample appends the settled values as the next sample and starts the
// next interval from them.
func (r *Recorder) sample() {
	for _, t := range r.tracks {
		if r.n == 0 { // the first sample: nothing before it counts
			t.lo, t.hi = t.settled, t.settled
		}
		t.fold(t.settled)
		t.values = append(t.values, t.settled)
		t.low = append(t.low, t.lo)
		t.high = append(t.high, t.hi)
		t.lo, t.hi = t.settled, t.settled
	}
	r.n++
}

// halve keeps every other sample (the even ones) and doubles the
// interval; a dropped sample's low and high fold into the next kept one
// (or, for the last, into the current interval).
func (r *Recorder) halve() {
	m := (r.n + 1) / 2
	for _, t := range r.tracks {
		for j := range m {
			k := 2 * j
			lo, hi := t.low[k], t.high[k]
			if k > 0 {
				lo, hi = min(lo, t.low[k-1]), max(hi, t.high[k-1])
			}
			t.values[j], t.low[j], t.high[j] = t.values[k], lo, hi
		}
		if r.n%2 == 0 { // the last sample, odd, is dropped: its interval joins the current one
			t.fold(t.low[r.n-1])
			t.fold(t.high[r.n-1])
		}
		t.values, t.low, t.high = t.values[:m], t.low[:m], t.high[:m]
	}
	r.n, r.step = m, 2*r.step
}

// Reset starts the samples again at now with the configured interval,
// keeping what the recorder knows of the cluster (the values held), so
// that a window after a set-up phase is charted alone. Call it between
// rounds (after a RunUntil, Step or Stabilize), never inside one.
// O(series).
func (r *Recorder) Reset(now time.Time) {
	r.start, r.step, r.n = now, r.interval, 0
	if now.After(r.lastRound) {
		r.lastRound = now
	}
	for _, t := range r.tracks {
		t.values, t.low, t.high = t.values[:0], t.low[:0], t.high[:0]
		t.lo, t.hi, t.since = t.settled, t.settled, now
	}
}

// Series returns the samples from the recorder's start to end (normally
// the engine's Now after the run): the grid samples up to end, and a last
// one at end if end is off the grid. It does not change the recorder: a
// run can go on and be charted again. end before the last round is
// treated as the last round's instant. Cost: O(series × (MaxPoints +
// grid instants since the last round)). The Series is the caller's.
func (r *Recorder) Series(end time.Time) *Series {
	if end.Before(r.lastRound) {
		end = r.lastRound
	}
	c := r.clone()
	c.sampleBefore(end, true)
	s := &Series{Start: c.start, End: end, Interval: c.step}
	for i := range c.n {
		s.Times = append(s.Times, time.Duration(i)*c.step)
	}
	last := c.n == 0 || s.Times[c.n-1] != end.Sub(c.start)
	if last {
		s.Times = append(s.Times, end.Sub(c.start))
		c.sample() // no halving: the bound is MaxPoints + 1
	}
	samples := func(i int) Samples {
		t := c.tracks[i]
		return Samples{Values: ints(t.values), Low: ints(t.low), High: ints(t.high)}
	}
	s.NodesReady, s.NodesNotReady, s.NodesCordoned = samples(trackReady), samples(trackNotReady), samples(trackCordoned)
	s.WorkloadPending = samples(trackPending)
	for _, d := range c.ds {
		s.DaemonSets = append(s.DaemonSets, DaemonSetSeries{Namespace: d.namespace, Name: d.name,
			Desired: samples(d.desired), Ready: samples(d.ready), Unavailable: samples(d.unavailable)})
	}
	slices.SortFunc(s.DaemonSets, func(a, b DaemonSetSeries) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return s
}

// clone copies the recorder's sampling state (not its index of
// DaemonSets, which Series does not need).
func (r *Recorder) clone() *Recorder {
	c := *r
	c.tracks = make([]*track, len(r.tracks))
	for i, t := range r.tracks {
		u := *t
		u.values, u.low, u.high = slices.Clone(t.values), slices.Clone(t.low), slices.Clone(t.high)
		c.tracks[i] = &u
	}
	c.ds = slices.Clone(r.ds)
	c.dsByKey, c.touched = nil, nil
	return &c
}

func ints(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// Series is a run's time series, sampled as Recorder documents: every
// Samples has one value per time in Times.
type Series struct {
	// Start is the virtual time the samples count from; End the last
	// sample's. Interval is the grid's interval (after any halving).
	Start, End time.Time
	Interval   time.Duration
	// Times are the samples' offsets from Start, ascending: k × Interval
	// for each grid instant up to End, then End − Start if off the grid.
	Times []time.Duration
	// NodesReady are nodes whose Ready condition is True; NodesNotReady
	// every other node (False, Unknown, no condition); NodesCordoned the
	// nodes with spec.unschedulable, Ready or not.
	NodesReady, NodesNotReady, NodesCordoned Samples
	// DaemonSets are every DaemonSet seen, by namespace then name.
	DaemonSets []DaemonSetSeries
	// WorkloadPending are the pods no DaemonSet controls that wait for a
	// node (not bound, not terminal, not terminating).
	WorkloadPending Samples
}

// DaemonSetSeries is one DaemonSet's series, from its status.
type DaemonSetSeries struct {
	Namespace, Name string
	// Desired is desiredNumberScheduled, Ready numberReady, Unavailable
	// desiredNumberScheduled − numberAvailable (at least 0).
	Desired, Ready, Unavailable Samples
}

// Samples is one series: Values[i] is the value held at Times[i]; Low[i]
// and High[i] the least and greatest value held between Times[i-1] and
// Times[i], both included (Values[0] for i = 0).
type Samples struct {
	Values, Low, High []int
}
