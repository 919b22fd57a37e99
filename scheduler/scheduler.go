package scheduler

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

// Config configures a Scheduler. The zero value is the default profile of
// default-scheduler.
type Config struct {
	// SchedulerName is the spec.schedulerName this scheduler serves;
	// empty means cluster.DefaultSchedulerName. Pods naming another
	// scheduler are left alone (but their resources are counted once
	// bound).
	SchedulerName string
	// PercentageOfNodesToScore bounds how many feasible nodes are looked
	// for before scoring, as a percentage of the nodes (1 to 100); 0 means
	// upstream's adaptive default (50% minus 1% per 125 nodes, at least
	// 5%), and never fewer than 100 nodes.
	PercentageOfNodesToScore int32
	// BindLatency is the delay between the decision and the bind (the
	// binding API call); 0 binds at the decision's instant. Not negative.
	BindLatency time.Duration
	// MinCandidateNodesPercentage and MinCandidateNodesAbsolute bound the
	// nodes preemption dry-runs, as DefaultPreemptionArgs: 0 means the
	// defaults of 10% and 100. Percentage at most 100, absolute not
	// negative.
	MinCandidateNodesPercentage int32
	MinCandidateNodesAbsolute   int32
}

func (c *Config) validate() error {
	var errs []error
	if c.PercentageOfNodesToScore < 0 || c.PercentageOfNodesToScore > 100 {
		errs = append(errs, fmt.Errorf("percentageOfNodesToScore: Invalid value: %d: not in valid range [0-100]", c.PercentageOfNodesToScore))
	}
	if c.BindLatency < 0 {
		errs = append(errs, fmt.Errorf("bindLatency: Invalid value: %v: must not be negative", c.BindLatency))
	}
	if c.MinCandidateNodesPercentage < 0 || c.MinCandidateNodesPercentage > 100 {
		errs = append(errs, fmt.Errorf("minCandidateNodesPercentage: Invalid value: %d: not in valid range [0, 100]", c.MinCandidateNodesPercentage))
	}
	if c.MinCandidateNodesAbsolute < 0 {
		errs = append(errs, fmt.Errorf("minCandidateNodesAbsolute: Invalid value: %d: not in valid range [0, inf)", c.MinCandidateNodesAbsolute))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("scheduler config: %w", err)
	}
	if c.SchedulerName == "" {
		c.SchedulerName = cluster.DefaultSchedulerName
	}
	if c.MinCandidateNodesPercentage == 0 {
		c.MinCandidateNodesPercentage = 10
	}
	if c.MinCandidateNodesAbsolute == 0 {
		c.MinCandidateNodesAbsolute = 100
	}
	return nil
}

// Scheduler is one scheduler profile as a sim controller. It keeps an
// incremental cache of nodes and pods fed by Observe (the informers) and a
// queue of its pending pods; Reconcile tries every queued pod once, in
// queue order, and returns binds, preemptions and status updates as a
// Plan. It never touches the store itself. It is not safe for concurrent
// use.
type Scheduler struct {
	cfg   Config
	cache cache

	// active holds pods to try at the next Reconcile, unordered; they are
	// sorted into queue order when tried.
	active []*podInfo
	// unschedulable holds pods that failed, by key.
	unschedulable *btree.BTreeG[*podInfo]
	// moveAll is set by an event that may make unschedulable pods fit;
	// moveSome by one that may make those of priority at most moveMax fit.
	moveAll, moveSome bool
	moveMax           int32

	nextStartNodeIndex int
	preemptionOffset   int
	stamps             uint64 // queue entries made, for podInfo.enqSeq

	scoreBuf    []nodeScore  // reused by every attempt
	feasibleBuf []*nodeInfo  // reused by every attempt
	statusBuf   []nodeStatus // reused by every attempt
	victimBuf   []*podInfo   // preemption scratch, reused
	// more preemption scratch, reused
	potentialBuf               []*nodeInfo
	candidateBuf, violatingBuf []candidate
	aliveBuf                   []*candidate
	explain                    bool // Decide reports scores and statuses

	classes  []classRep // equivalence classes, most recently used first
	classSeq uint64     // classes made
	pdbGen   uint64     // PodDisruptionBudget changes observed
	// noEquivalence turns the memos off (tests compare both ways)
	noEquivalence bool
}

// New returns a scheduler, or an error naming every invalid field.
func New(cfg Config) (*Scheduler, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Scheduler{
		cfg:   cfg,
		cache: newCache(),
		unschedulable: btree.NewG(16, func(a, b *podInfo) bool {
			return compareKeys(a, b) < 0
		}),
	}, nil
}

// Name is the scheduler name; it is also the controller's name in the log.
func (s *Scheduler) Name() string { return s.cfg.SchedulerName }

// Config returns the configuration with defaults filled in.
func (s *Scheduler) Config() Config { return s.cfg }

// Wake is unused: the scheduler asks for no timed wake-ups.
func (s *Scheduler) Wake(cluster.Key) {}

// Sync rebuilds the scheduler's cache and queue from view, as if every
// object had just been observed: for a scheduler started on a populated
// store. Pending pods enter the queue in key order, stamped at the next
// Reconcile, as upstream's queue takes them from its informer's first list
// after a restart. O(objects).
func (s *Scheduler) Sync(view cluster.View) {
	s.cache = newCache()
	s.active, s.moveAll, s.moveSome = nil, false, false
	s.unschedulable.Clear(false)
	for n := range view.Nodes() {
		s.cache.setNode(n)
	}
	for p := range view.Pods() {
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		s.observePod(nil, p, slot)
	}
}

// Observe updates the cache and queue from one applied change. O(log n)
// for most changes; a new node costs O(nodes) to insert in order.
func (s *Scheduler) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		switch {
		case d.New == nil:
			s.cache.deleteNode(d.Key.Name)
		case d.Old == nil:
			s.cache.setNode(d.New.(*cluster.Node))
			s.moveAll = true
		default:
			o, n := d.Old.(*cluster.Node), d.New.(*cluster.Node)
			s.cache.setNode(n)
			if nodeChangeMayHelp(o, n) {
				s.moveAll = true
			}
		}
	case cluster.KindPod:
		var o, n *cluster.Pod
		if d.Old != nil {
			o = d.Old.(*cluster.Pod)
		}
		if d.New != nil {
			n = d.New.(*cluster.Pod)
		}
		s.observePod(o, n, d.Slot)
	case cluster.KindPodDisruptionBudget:
		s.pdbGen++ // the dry runs' results may change
	}
}

// nodeChangeMayHelp reports whether a node update changed anything the
// filters read: cordoning, taints, labels or allocatable resources.
func nodeChangeMayHelp(o, n *cluster.Node) bool {
	return o.Spec.Unschedulable != n.Spec.Unschedulable ||
		!slices.EqualFunc(o.Spec.Taints, n.Spec.Taints, func(a, b taints.Taint) bool {
			return a.Key == b.Key && a.Value == b.Value && a.Effect == b.Effect
		}) ||
		!o.Labels.Equal(n.Labels) ||
		!slices.EqualFunc(o.Allocatable(), n.Allocatable(), func(a, b cluster.ResourceEntry) bool {
			return a.Name == b.Name && a.Quantity.Cmp(b.Quantity) == 0
		})
}

func (s *Scheduler) forget(pi *podInfo) {
	switch pi.state {
	case podOnNode:
		s.cache.unplacePod(pi)
		s.moveAll = true // resources freed
	case podUnschedulable:
		s.unschedulable.Delete(pi)
	}
	s.cache.nominate(pi, "")
	pi.state = 0
	s.cache.pods.Delete(pi.slot)
}

// observePod follows one change of the pod with store slot slot.
func (s *Scheduler) observePod(o, n *cluster.Pod, slot uint64) {
	pi := s.cache.pods.Get(slot)
	if pi != nil {
		// whatever changes, the nodes it counts on or is nominated to see
		// a new generation (conservative: a status change alone moves no
		// filter result, and the dry-run memo is also tied to the instant)
		if pi.state == podOnNode {
			s.cache.touch(pi.node)
		}
		if pi.nominated != "" {
			s.cache.touch(pi.nominated)
		}
	}
	// Terminal pods leave the scheduler's cache, as the scheduler's
	// informer filters them out; unbound terminating pods are never tried.
	if n == nil || n.IsTerminal() || (!n.IsBound() && n.IsTerminating()) {
		if pi != nil {
			s.forget(pi)
		}
		return
	}
	if n.IsBound() {
		if pi == nil {
			pi = s.cache.newPodInfo(n, slot)
			s.cache.pods.Set(slot, pi)
			s.cache.placePod(pi, n.Spec.NodeName)
			return
		}
		if pi.state == podOnNode && pi.node == n.Spec.NodeName {
			pi.assumed = false
			pi.setStatus(n) // the spec of a bound pod does not change what it requests
			if len(pi.ports) > 0 {
				// upstream's cache removes and adds an updated pod: its
				// host ports are claimed again, even ones another pod's
				// removal took out of the node's set (see nodeState.add)
				s.cache.reclaimPorts(pi)
			}
			return
		}
		// bound here by someone else, or elsewhere than assumed
		s.forget(pi)
		pi = s.cache.newPodInfo(n, slot)
		s.cache.pods.Set(slot, pi)
		s.cache.placePod(pi, n.Spec.NodeName)
		return
	}
	if n.Spec.SchedulerName != s.cfg.SchedulerName {
		return
	}
	if pi == nil {
		pi = s.cache.newPodInfo(n, slot)
		s.cache.pods.Set(slot, pi)
		s.stamp(pi) // arrival order; the time is set at the next Reconcile
		s.enqueue(pi)
		s.cache.nominate(pi, n.Status.NominatedNodeName)
		return
	}
	if pi.state == podOnNode { // assumed, bind not yet applied
		pi.pod = n
		return
	}
	specChanged := o != nil && o.Generation != n.Generation
	pi.setPod(n)
	if o != nil && o.Status.NominatedNodeName != "" && o.Status.NominatedNodeName != n.Status.NominatedNodeName {
		// upstream treats the pod as gone from its old nominated node, and
		// retries the pods of its priority or lower
		s.moveUpTo(o.PriorityValue())
	}
	if nn := n.Status.NominatedNodeName; nn != pi.nominated {
		s.cache.nominate(pi, nn)
	}
	if specChanged && pi.state == podUnschedulable {
		s.unschedulable.Delete(pi)
		s.enqueue(pi)
	}
}

// moveUpTo asks for the unschedulable pods of priority at most prio to be
// tried again at the next Reconcile.
func (s *Scheduler) moveUpTo(prio int32) {
	if !s.moveSome || prio > s.moveMax {
		s.moveMax = prio
	}
	s.moveSome = true
}

// enqueue puts pi in the active queue; its enqueue time is set when it is
// first tried if it has none.
func (s *Scheduler) enqueue(pi *podInfo) {
	pi.state = podActive
	s.active = append(s.active, pi)
}

// stamp gives pi a new queue entry: the next arrival number, and no time
// yet (the next Reconcile, or the caller, sets it).
func (s *Scheduler) stamp(pi *podInfo) {
	s.stamps++
	pi.enqSeq, pi.enqueuedSet = s.stamps, false
}

// queueLess is the queue order (PrioritySort): higher priority first, then
// the earlier queue timestamp: the instant of the queue entry, then its
// arrival number (upstream's timestamps are distinct and follow arrival
// order), then namespace and name, which never decides.
func queueLess(a, b *podInfo) int {
	if c := cmp.Compare(b.priority, a.priority); c != 0 {
		return c
	}
	if c := cmp.Compare(a.enqueued, b.enqueued); c != 0 {
		return c
	}
	if c := cmp.Compare(a.enqSeq, b.enqSeq); c != 0 {
		return c
	}
	return compareKeys(a, b)
}

// Pending returns the keys of this scheduler's pods waiting in the queue
// (to be tried, or unschedulable), in queue order. O(p log p).
func (s *Scheduler) Pending() []cluster.Key {
	var ps []*podInfo
	for _, pi := range s.active {
		if pi.state == podActive {
			ps = append(ps, pi)
		}
	}
	s.unschedulable.Ascend(func(pi *podInfo) bool { ps = append(ps, pi); return true })
	slices.SortFunc(ps, queueLess)
	out := make([]cluster.Key, len(ps))
	for i, pi := range ps {
		out[i] = pi.key()
	}
	return out
}

// Reconcile tries every queued pod once, in queue order, against the
// cache (which already counts the pods placed earlier in the same pass),
// and returns the plan: binds (after BindLatency), preemption victims'
// DisruptionTarget conditions and deletions, nominations, PodScheduled=False
// conditions and FailedScheduling notes. If an event since the last pass
// may have made room, every unschedulable pod is tried again first.
// Cost: per pod, the nodes evaluated (see PercentageOfNodesToScore), plus
// preemption's dry runs for pods that fit nowhere.
func (s *Scheduler) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	switch {
	case s.moveAll:
		s.unschedulable.Ascend(func(pi *podInfo) bool {
			pi.state = podActive
			s.active = append(s.active, pi)
			return true
		})
		s.unschedulable.Clear(false)
	case s.moveSome:
		var moved []*podInfo
		s.unschedulable.Ascend(func(pi *podInfo) bool {
			if pi.priority <= s.moveMax {
				moved = append(moved, pi)
			}
			return true
		})
		for _, pi := range moved {
			s.unschedulable.Delete(pi)
			pi.state = podActive
			s.active = append(s.active, pi)
		}
	}
	s.moveAll, s.moveSome = false, false
	batch := s.active
	s.active = nil
	for _, pi := range batch {
		if !pi.enqueuedSet {
			pi.enqueued, pi.enqueuedSet = now.UnixNano(), true
		}
	}
	slices.SortFunc(batch, queueLess)
	for _, pi := range batch {
		if pi.state != podActive { // gone since, or a duplicate entry already tried
			continue
		}
		d := s.attempt(now, view, pi)
		s.apply(now, view, pi, d, &plan)
	}
	return plan, nil
}
