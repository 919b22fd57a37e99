package report

import (
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
	"github.com/daemonsim/daemonsim/taints"
)

// Name is the observer's controller name.
const Name = "run-report"

// The DisruptionTarget condition reasons the observer tells apart.
const (
	ReasonEvictionAPI = "EvictionByEvictionAPI"
	ReasonPodGC       = "DeletionByPodGC"
)

// Observer follows a run's changes and keeps the figures a Summary gives.
// It is a controller that only observes: Reconcile returns an empty Plan.
// Register it with sim.Engine.Add before the run starts (objects created
// before it is registered are seen from their first later change).
//
// Costs: a pod change is O(1) (map lookups by DaemonSet and node name and
// a scan of the object's conditions and owner references, and of the
// DaemonSet's Ready pods on the node, which are short); a node change is
// O(1), or O(DaemonSets) when it is a create, a delete or a change of
// labels or taints (eligibility is evaluated again); a DaemonSet change is
// O(1), or O(nodes seen) when it is a create, a delete or a spec change
// (a new metadata.generation or minReadySeconds: eligibility again, for
// every node; rare). A round that follows changes is O(DaemonSets and
// (DaemonSet, node) pairs changed), never a scan of the store. Memory:
// O(DaemonSets × nodes seen + bound pods): an entry of some 120 bytes per
// DaemonSet and node, one duration per pod bound (for the percentiles)
// plus a few bytes per live pod. Not safe for concurrent use.
type Observer struct {
	start time.Time
	// dsByKey indexes ds by namespace/name; ds is in creation order.
	dsByKey map[string]int
	ds      []*dsStats
	touched []int // ds indexes whose live status changed since the last round
	pods    cluster.SlotTable[podState]
	// bound are pods bound since the last round: their creation time and
	// whether they are daemon pods; the round turns them into waits.
	bound           []boundPod
	daemonWaits     []time.Duration
	workloadWaits   []time.Duration
	workload        PodCounts
	nodes           nodeStats
	nodesTouched    bool
	rounds          int
	lastRound       time.Time
	observedChanges int
	// The per-node coverage (uncovered.go): nodes by index (nodeIdx by
	// name; nodeObjs the live object, nil when gone or not seen), the
	// entries to settle at the next round, and the Reset epoch and time.
	nodeIdx    map[string]int32
	nodeNames  []string
	nodeObjs   []*cluster.Node
	covTouched []covKey
	epoch      int
	resetAt    time.Time
	taintBuf   []taints.Taint // nodeCoverage's scratch
}

type boundPod struct {
	created time.Time
	daemon  bool
}

// podState is what the observer remembers of a live pod: whether its
// disruption and failure were counted. The zero value means "unknown".
type podState struct {
	known, disrupted, failed bool
}

// status is a DaemonSet's (available, desired) pair.
type status struct{ available, desired int32 }

type dsStats struct {
	namespace, name string
	live, settled   status
	started         bool // settled and since hold a value
	touched         bool // queued in Observer.touched
	since           time.Time
	integ           coverageInteg
	counts          PodCounts
	// obj is the live DaemonSet (nil before its create and after its
	// delete); tols its template's tolerations with the daemon pods'
	// defaults, as NodeShouldRunDaemonPod uses them; nodes its per-node
	// coverage entries by node index.
	obj   *cluster.DaemonSet
	tols  []taints.Toleration
	nodes []nodeCov
}

// coverageInteg is a DaemonSet's coverage integrated over time.
type coverageInteg struct {
	counted, below time.Duration
	deficit        float64 // the sum of (1 − share) × seconds: full coverage adds exactly 0
	min            float64 // the lowest share held for a positive time
	seen           bool    // min holds a value
}

func (c *coverageInteg) add(st status, d time.Duration) {
	if st.desired <= 0 || d <= 0 {
		return
	}
	r := ratio(st)
	if !c.seen || r < c.min {
		c.min, c.seen = r, true
	}
	c.counted += d
	if r < 1 {
		c.below += d
		c.deficit += float64((1 - r) * d.Seconds()) // the conversion forbids a fused multiply-add: same digits on every architecture
	}
}

func ratio(st status) float64 {
	r := float64(st.available) / float64(st.desired)
	return min(r, 1)
}

// Node Ready condition states, the index into the per-state arrays.
const (
	nodeReady = iota
	nodeNotReady
	nodeUnknown
	nodeNoCondition
	nodeStates
)

type nodeStats struct {
	live, settled [nodeStates]int
	since         time.Time
	started       bool
	integ         [nodeStates]float64 // node-seconds
	lo, hi        [nodeStates]int     // the least and most held for a positive time
	seen          bool                // lo and hi hold values
}

// New returns an Observer whose run starts at start (the engine's start:
// the Summary's time axis counts from it).
func New(start time.Time) *Observer {
	return &Observer{start: start, dsByKey: map[string]int{}, nodeIdx: map[string]int32{}}
}

// Name returns Name.
func (o *Observer) Name() string { return Name }

// Wake does nothing: the observer asks for no wake-ups.
func (o *Observer) Wake(cluster.Key) {}

// Observe folds one applied change into the figures. O(1), except for the
// node and DaemonSet changes the Observer's costs name.
func (o *Observer) Observe(d cluster.Delta) {
	o.observedChanges++
	switch d.Key.Kind {
	case cluster.KindDaemonSet:
		o.observeDaemonSet(d)
	case cluster.KindPod:
		o.observePod(d)
	case cluster.KindNode:
		o.observeNode(d)
	}
}

func dsKey(namespace, name string) string { return namespace + "/" + name }

func (o *Observer) daemonSet(namespace, name string) (int, *dsStats) {
	k := dsKey(namespace, name)
	if i, ok := o.dsByKey[k]; ok {
		return i, o.ds[i]
	}
	s := &dsStats{namespace: namespace, name: name}
	o.ds = append(o.ds, s)
	o.dsByKey[k] = len(o.ds) - 1
	return len(o.ds) - 1, s
}

// touch queues ds i to be settled at the next round, once.
func (o *Observer) touch(i int) {
	if s := o.ds[i]; !s.touched {
		s.touched = true
		o.touched = append(o.touched, i)
	}
}

func (o *Observer) observeDaemonSet(d cluster.Delta) {
	i, s := o.daemonSet(d.Key.Namespace, d.Key.Name)
	n, _ := d.New.(*cluster.DaemonSet)
	old, _ := d.Old.(*cluster.DaemonSet)
	if n != nil {
		s.live = status{n.Status.NumberAvailable, n.Status.DesiredNumberScheduled}
	} else {
		s.live = status{} // gone: not counted from here on
	}
	o.touch(i)
	o.daemonSetCoverage(i, old, n)
}

// daemonSetOf returns the stats of the DaemonSet that controls p, or nil.
func (o *Observer) daemonSetOf(p *cluster.Pod) *dsStats {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" {
		return nil
	}
	_, s := o.daemonSet(p.Namespace, ref.Name)
	return s
}

func (o *Observer) observePod(d cluster.Delta) {
	n, _ := d.New.(*cluster.Pod)
	old, _ := d.Old.(*cluster.Pod)
	o.podCoverage(d.Slot, old, n)
	if n == nil {
		o.pods.Delete(d.Slot)
		return
	}
	counts := &o.workload
	ds := o.daemonSetOf(n)
	if ds != nil {
		counts = &ds.counts
	}
	st := o.pods.Get(d.Slot)
	st.known = true
	if old == nil {
		counts.Created++
	}
	if n.IsBound() && (old == nil || !old.IsBound()) {
		o.bound = append(o.bound, boundPod{created: n.CreationTimestamp, daemon: ds != nil})
	}
	if c, ok := n.Condition(cluster.DisruptionTarget); ok && c.Status == cluster.ConditionTrue && !st.disrupted {
		st.disrupted = true
		switch c.Reason {
		case scheduler.ReasonPreemptionByScheduler:
			counts.Preempted++
		case tainteviction.ReasonDeletionByTaintManager:
			counts.TaintEvicted++
		case ReasonEvictionAPI:
			counts.APIEvicted++
		case ReasonPodGC:
			counts.PodGCDeleted++
		default:
			counts.OtherDisrupted++
		}
	}
	if n.Status.Phase == cluster.PodFailed && !st.failed && !st.disrupted {
		st.failed = true
		counts.Failed++
	}
	o.pods.Set(d.Slot, st)
}

func nodeState(n *cluster.Node) int {
	c, ok := n.Condition(cluster.NodeReady)
	switch {
	case !ok:
		return nodeNoCondition
	case c.Status == cluster.ConditionTrue:
		return nodeReady
	case c.Status == cluster.ConditionFalse:
		return nodeNotReady
	}
	return nodeUnknown
}

func (o *Observer) observeNode(d cluster.Delta) {
	old, _ := d.Old.(*cluster.Node)
	n, _ := d.New.(*cluster.Node)
	if old != nil {
		o.nodes.live[nodeState(old)]--
	}
	if n != nil {
		o.nodes.live[nodeState(n)]++
	}
	o.nodesTouched = true
	o.nodeCoverage(old, n)
}

// Reconcile settles what the round's changes did at now (every change
// observed since the last round happened at now) and returns an empty
// Plan. O(DaemonSets and (DaemonSet, node) pairs changed + pods bound
// since the last round).
func (o *Observer) Reconcile(now time.Time, _ cluster.View) (cluster.Plan, error) {
	o.rounds++
	o.lastRound = now
	for _, i := range o.touched {
		s := o.ds[i]
		if s.started {
			s.integ.add(s.settled, now.Sub(s.since))
		}
		s.settled, s.since, s.started, s.touched = s.live, now, true, false
	}
	o.touched = o.touched[:0]
	for _, k := range o.covTouched {
		var minReady int32
		if s := o.ds[k.ds]; s.obj != nil {
			minReady = s.obj.Spec.MinReadySeconds
		}
		o.settleCov(&o.ds[k.ds].nodes[k.node], now, minReady)
	}
	o.covTouched = o.covTouched[:0]
	if o.nodesTouched {
		o.nodes.settle(now)
		o.nodesTouched = false
	}
	for _, b := range o.bound {
		w := now.Sub(b.created)
		if b.daemon {
			o.daemonWaits = append(o.daemonWaits, w)
		} else {
			o.workloadWaits = append(o.workloadWaits, w)
		}
	}
	o.bound = o.bound[:0]
	return cluster.Plan{}, nil
}

// integrate adds the settled counts over [since, until) to integ and
// widens lo and hi by them, if that interval is not empty.
func (n *nodeStats) integrate(until time.Time, integ *[nodeStates]float64, lo, hi *[nodeStates]int, seen *bool) {
	if !n.started {
		return
	}
	dt := until.Sub(n.since).Seconds()
	if dt <= 0 {
		return
	}
	for i, c := range n.settled {
		integ[i] += float64(float64(c) * dt) // no fused multiply-add
		if !*seen || c < lo[i] {
			lo[i] = c
		}
		if !*seen || c > hi[i] {
			hi[i] = c
		}
	}
	*seen = true
}

func (n *nodeStats) settle(now time.Time) {
	n.integrate(now, &n.integ, &n.lo, &n.hi, &n.seen)
	n.settled, n.since, n.started = n.live, now, true
}

// Reset starts the figures again at now: the counts, pending times and
// time integrals (the nodes' uncovered times too) are cleared and the
// run's Start becomes now, while what the observer knows of the objects
// (each DaemonSet's status, each node's eligibility and Ready daemon pods,
// the nodes' states, which pods were disrupted) is kept, so that the
// figures of a window (after a set-up phase, say) are exact. Call it
// between rounds (after a RunUntil, Step or Stabilize), never inside one.
// O(DaemonSets): the per-node entries restart lazily, when next read.
func (o *Observer) Reset(now time.Time) {
	o.start = now
	o.epoch++ // the per-node entries restart at now when next read
	o.resetAt = now
	for _, s := range o.ds {
		s.integ = coverageInteg{}
		s.counts = PodCounts{}
		if s.started {
			s.since = now
		}
	}
	o.workload = PodCounts{}
	o.daemonWaits, o.workloadWaits, o.bound = nil, nil, o.bound[:0]
	n := &o.nodes
	n.integ = [nodeStates]float64{}
	n.lo, n.hi, n.seen = [nodeStates]int{}, [nodeStates]int{}, false
	if n.started {
		n.since = now
	}
}

// RolloutsFunc returns a DaemonSet's rollouts, as
// daemonset.RolloutReporter.Rollouts does (sim.Cluster.Rollouts.Rollouts).
type RolloutsFunc func(namespace, name string) []daemonset.RolloutReport
