package nodelifecycle

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

// DefaultName is the controller's name in the event log.
const DefaultName = "node-lifecycle-controller"

// Upstream's defaults (kube-controller-manager flags, the kubelet's lease
// renewal, pkg/controller/nodelifecycle/scheduler).
const (
	DefaultNodeMonitorPeriod           = 5 * time.Second
	DefaultNodeMonitorGracePeriod      = 50 * time.Second
	DefaultNodeStartupGracePeriod      = 60 * time.Second
	DefaultLeaseRenewInterval          = 10 * time.Second
	DefaultNodeEvictionPeriod          = 100 * time.Millisecond
	DefaultEvictionLimiterQPS          = 0.1
	DefaultSecondaryEvictionLimiterQPS = 0.01
	DefaultLargeClusterThreshold       = 50
	DefaultUnhealthyZoneThreshold      = 0.55
)

// The reasons and messages the controller writes, in upstream's words.
const (
	ReasonRegisteredNode         = "RegisteredNode"
	ReasonRemovingNode           = "RemovingNode"
	ReasonNodeNotReady           = "NodeNotReady"
	ReasonNodeStatusUnknown      = "NodeStatusUnknown"
	ReasonNodeStatusNeverUpdated = "NodeStatusNeverUpdated"
	// ReasonInvalidAnnotation is the simulator's own: a Warning on a node
	// whose AnnotationKubeletStopped is not an RFC 3339 time.
	ReasonInvalidAnnotation       = "InvalidAnnotation"
	MessageNodeStatusUnknown      = "Kubelet stopped posting node status."
	MessageNodeStatusNeverUpdated = "Kubelet never posted node status."
	MessagePodNodeNotReady        = "Node is not ready"
)

// Config configures a Controller. A zero field takes upstream's default.
type Config struct {
	// Name is the controller's name in the log; "" means DefaultName.
	Name string
	// Start is the controller's start: monitor passes run at Start +
	// k·NodeMonitorPeriod and NoExecute tainting ticks at Start +
	// k·NodeEvictionPeriod. Zero, or a time after the first Reconcile,
	// means the instant of the first Reconcile; pass the engine's start
	// (sim.Config.Start, sim.Epoch by default) to pin the grid whatever
	// happens first.
	Start time.Time
	// NodeMonitorPeriod is --node-monitor-period (5 s).
	NodeMonitorPeriod time.Duration
	// NodeMonitorGracePeriod is --node-monitor-grace-period (50 s).
	NodeMonitorGracePeriod time.Duration
	// NodeStartupGracePeriod is --node-startup-grace-period (60 s): the
	// grace of a node that has no Ready condition.
	NodeStartupGracePeriod time.Duration
	// LeaseRenewInterval is the kubelet's lease renewal interval (10 s):
	// a running kubelet renews at its start and every interval after.
	LeaseRenewInterval time.Duration
	// NodeEvictionPeriod is the NoExecute tainting tick (100 ms).
	NodeEvictionPeriod time.Duration
	// EvictionLimiterQPS is --node-eviction-rate (0.1 nodes/s per zone);
	// SecondaryEvictionLimiterQPS --secondary-node-eviction-rate (0.01).
	// A negative value means 0: a limiter that never admits.
	EvictionLimiterQPS, SecondaryEvictionLimiterQPS float64
	// LargeClusterThreshold is --large-cluster-size-threshold (50); a
	// negative value means 0.
	LargeClusterThreshold int
	// UnhealthyZoneThreshold is --unhealthy-zone-threshold (0.55).
	UnhealthyZoneThreshold float64
}

func (cfg Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.NodeMonitorPeriod, DefaultNodeMonitorPeriod)
	def(&cfg.NodeMonitorGracePeriod, DefaultNodeMonitorGracePeriod)
	def(&cfg.NodeStartupGracePeriod, DefaultNodeStartupGracePeriod)
	def(&cfg.LeaseRenewInterval, DefaultLeaseRenewInterval)
	def(&cfg.NodeEvictionPeriod, DefaultNodeEvictionPeriod)
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	qps := func(q *float64, v float64) {
		if *q == 0 {
			*q = v
		} else if *q < 0 {
			*q = 0
		}
	}
	qps(&cfg.EvictionLimiterQPS, DefaultEvictionLimiterQPS)
	qps(&cfg.SecondaryEvictionLimiterQPS, DefaultSecondaryEvictionLimiterQPS)
	if cfg.LargeClusterThreshold == 0 {
		cfg.LargeClusterThreshold = DefaultLargeClusterThreshold
	} else if cfg.LargeClusterThreshold < 0 {
		cfg.LargeClusterThreshold = 0
	}
	if cfg.UnhealthyZoneThreshold == 0 {
		cfg.UnhealthyZoneThreshold = DefaultUnhealthyZoneThreshold
	}
	var errs []error
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"NodeMonitorPeriod", cfg.NodeMonitorPeriod}, {"NodeMonitorGracePeriod", cfg.NodeMonitorGracePeriod},
		{"NodeStartupGracePeriod", cfg.NodeStartupGracePeriod}, {"LeaseRenewInterval", cfg.LeaseRenewInterval},
		{"NodeEvictionPeriod", cfg.NodeEvictionPeriod}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("nodelifecycle: %s: must not be negative, got %v", d.name, d.v))
		}
	}
	// A running kubelet is never late (see the package doc): each grace
	// must cover a renewal interval and the pass that sees the renewal.
	least := cfg.LeaseRenewInterval + cfg.NodeMonitorPeriod
	if cfg.NodeMonitorGracePeriod < least {
		errs = append(errs, fmt.Errorf("nodelifecycle: NodeMonitorGracePeriod: must be at least LeaseRenewInterval + NodeMonitorPeriod (%v), got %v", least, cfg.NodeMonitorGracePeriod))
	}
	if cfg.NodeStartupGracePeriod < least {
		errs = append(errs, fmt.Errorf("nodelifecycle: NodeStartupGracePeriod: must be at least LeaseRenewInterval + NodeMonitorPeriod (%v), got %v", least, cfg.NodeStartupGracePeriod))
	}
	if !(cfg.UnhealthyZoneThreshold > 0 && cfg.UnhealthyZoneThreshold <= 1) {
		errs = append(errs, fmt.Errorf("nodelifecycle: UnhealthyZoneThreshold: must be in (0, 1], got %v", cfg.UnhealthyZoneThreshold))
	}
	return cfg, errors.Join(errs...)
}

// noExecWant is a NoExecute change decided and not yet written.
type noExecWant uint8

const (
	wantKeep        noExecWant = iota // nothing pending
	wantNone                          // remove not-ready and unreachable NoExecute
	wantNotReady                      // not-ready:NoExecute, not unreachable
	wantUnreachable                   // unreachable:NoExecute, not not-ready
)

// nodeState is what the controller keeps of one node.
type nodeState struct {
	name string
	node *cluster.Node // the stored version, kept by Observe
	// registration and health (upstream's knownNodeSet, nodeHealthMap)
	known     bool
	firstPass time.Time // the pass that registered the node
	floor     time.Time // the probe time set other than by a heartbeat
	seenSet   bool      // a pass has recorded the node's health
	seenHas   bool      // the recorded status had a Ready condition
	seenReady cluster.ConditionStatus
	seenCond  cluster.NodeCondition // the recorded Ready condition, if it had one
	// the kubelet
	stopped bool
	stopAt  time.Time
	// a kubelet start (or a start and a stop) observed at a pass instant
	// before the pass: the renewal it makes reaches the informer after the
	// pass, so it takes effect once the pass has run
	kubeletLate bool
	origin      time.Time // the kubelet's start: its first lease renewal
	deadline    time.Time // the pass at which the node goes Unknown; zero: none
	// the zone
	zkey     string
	excluded bool
	ready    cluster.ConditionStatus // the Ready status, with writes planned; "" none
	counted  *zone                   // the zone whose counts hold the node
	// the tainting queue (upstream's UniqueQueue set and heap)
	inSet, queued bool
	qseq          uint64
	// work
	changed, inPass, inSpec bool
	want                    noExecWant
	// the NoExecute taints the last spec write of this controller left
	wrote, wroteNR, wroteUR bool
	statusRound             uint64 // the round that planned a status write
	deleted                 bool
}

type deadlineItem struct {
	at int64
	st *nodeState
}

func deadlineLess(a, b deadlineItem) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.st.name < b.st.name
}

// Controller is the node lifecycle controller as a pure reconciler: it
// reads a cluster.View and returns a cluster.Plan; it never writes the
// store. It implements sim.Controller. See the package doc for what it
// does, its timing, its cost and where it differs from upstream.
//
// A Controller is not safe for concurrent use.
type Controller struct {
	cfg     Config
	start   time.Time
	started bool
	round   uint64
	seq     uint64
	// the last monitor pass: one per pass instant, in the first round
	// there; what a later round at that instant finds waits for the next
	passed   bool
	lastPass time.Time

	nodes     map[string]*nodeState
	removed   map[string]*nodeState // deleted known nodes, for the next pass's RemovingNode
	ghosts    map[string]*nodeState // deleted nodes still queued for a taint
	zones     map[string]*zone
	zoneList  []*zone // by key
	active    []*zone // zones with a queue, by key
	deadlines *btree.BTreeG[deadlineItem]
	wakes     *btree.BTreeG[int64] // wake-ups asked for and not yet come

	changed    []*nodeState // observed since the last round
	late       []*nodeState // kubelet starts that wait for the pass at this instant
	work       []*nodeState // for the next monitor pass
	spec       []*nodeState // for a spec write
	podsToMark []cluster.Key
}

// New returns a controller with cfg (defaults filled in). Start it on an
// empty store, or call Sync with the store's view first. Errors: a
// negative interval, a grace period shorter than LeaseRenewInterval +
// NodeMonitorPeriod, an UnhealthyZoneThreshold outside (0, 1].
func New(cfg Config) (*Controller, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Controller{
		cfg:       cfg,
		nodes:     map[string]*nodeState{},
		removed:   map[string]*nodeState{},
		ghosts:    map[string]*nodeState{},
		zones:     map[string]*zone{},
		deadlines: btree.NewG(16, deadlineLess),
		wakes:     btree.NewG(16, func(a, b int64) bool { return a < b }),
	}, nil
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.cfg.Name }

// Config returns the configuration with its defaults filled in.
func (c *Controller) Config() Config { return c.cfg }

// Sync loads the nodes of view, for a controller that starts on a store
// that already holds some: each is registered at the first monitor pass
// and starts a fresh grace period there, as upstream's nodes do when the
// controller starts. Cost: O(nodes log nodes).
func (c *Controller) Sync(view cluster.View) {
	for n := range view.Nodes() {
		c.Observe(cluster.Delta{Key: cluster.KeyOf(n), New: n})
	}
}

// Observe files one applied change: a node's create, update or delete
// (counted in its zone by delta, marked for the NoSchedule pass and, when
// its Ready condition, NoExecute taints, zone, exclusion or kubelet
// annotation changed, for the next monitor pass), or a pod newly bound to
// a node whose Ready was last seen not True. Cost: O(1) map work and the
// node's conditions and taints; other kinds are ignored.
func (c *Controller) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		o, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		c.observeNode(d.Key.Name, o, n)
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		if n == nil || n.Spec.NodeName == "" || (o != nil && o.Spec.NodeName == n.Spec.NodeName) {
			return
		}
		if st := c.nodes[n.Spec.NodeName]; st != nil && st.seenSet && st.seenHas && st.seenReady != cluster.ConditionTrue {
			c.podsToMark = append(c.podsToMark, d.Key)
		}
	}
}

func (c *Controller) observeNode(name string, o, n *cluster.Node) {
	st := c.nodes[name]
	if n == nil {
		if st == nil {
			return
		}
		c.uncount(st)
		c.setDeadline(st, time.Time{})
		delete(c.nodes, name)
		st.deleted = true
		if st.queued {
			c.ghosts[name] = st
		}
		if st.known {
			c.removed[name] = st
		}
		return
	}
	created := st == nil
	if created {
		st = &nodeState{name: name, origin: n.CreationTimestamp}
		c.nodes[name] = st
		if g := c.ghosts[name]; g != nil { // registration removes it from the queue
			g.queued = false
			delete(c.ghosts, name)
		}
		if old := c.removed[name]; old != nil { // deleted and made again between two passes
			delete(c.removed, name)
			st.known, st.firstPass, st.floor = true, old.firstPass, old.floor
		}
	}
	st.node = n
	c.count(st, ZoneKey(n), isExcluded(n), readyStatus(n))
	if !st.changed {
		st.changed = true
		c.changed = append(c.changed, st)
	}
	if created || o == nil || c.passRelevant(st, o, n) {
		c.toPass(st)
	}
}

// isExcluded reports whether n is left out of its zone's state.
func isExcluded(n *cluster.Node) bool {
	_, ok := n.Labels[LabelExcludeDisruption]
	return ok
}

// readyStatus is n's Ready status, "" when it has none.
func readyStatus(n *cluster.Node) cluster.ConditionStatus {
	if c, ok := n.Condition(cluster.NodeReady); ok {
		return c.Status
	}
	return ""
}

// passRelevant reports whether a node update concerns the monitor pass:
// its Ready condition, zone or exclusion changed, or its NoExecute
// controller taints changed other than to what this controller last
// wrote. (The kubelet annotation sets a deadline, in Reconcile.)
func (c *Controller) passRelevant(st *nodeState, o, n *cluster.Node) bool {
	oc, oh := o.Condition(cluster.NodeReady)
	nc, nh := n.Condition(cluster.NodeReady)
	if oh != nh || oc.Status != nc.Status || ZoneKey(o) != ZoneKey(n) || isExcluded(o) != isExcluded(n) {
		return true
	}
	onr, our := noExecTaints(o.Spec.Taints)
	nnr, nur := noExecTaints(n.Spec.Taints)
	if onr == nnr && our == nur {
		return false
	}
	own := st.wrote && st.wroteNR == nnr && st.wroteUR == nur
	st.wrote = false
	if !own {
		return true
	}
	// an own write that leaves the taint the Ready status asks for needs
	// no pass; one that took it away (master disruption mode) does, to
	// queue the node again
	switch readyStatus(n) {
	case cluster.ConditionTrue:
		return nnr || nur
	case cluster.ConditionFalse:
		return !nnr || nur
	case cluster.ConditionUnknown:
		return nnr || !nur
	}
	return true
}

// count moves st's contribution to the zone counts to zone key zk (none
// if excluded) and Ready status ready.
func (c *Controller) count(st *nodeState, zk string, excluded bool, ready cluster.ConditionStatus) {
	c.uncount(st)
	if zk != st.zkey && st.queued { // the queue is the old zone's: leave it
		st.queued, st.inSet = false, false
	}
	st.zkey, st.excluded, st.ready = zk, excluded, ready
	if st.deleted || excluded {
		return
	}
	z := c.zone(zk)
	if ready == cluster.ConditionTrue {
		z.ready++
	} else {
		z.notReady++
	}
	st.counted = z
}

// uncount takes st out of its zone's counts.
func (c *Controller) uncount(st *nodeState) {
	if z := st.counted; z != nil {
		if st.ready == cluster.ConditionTrue {
			z.ready--
		} else {
			z.notReady--
		}
		st.counted = nil
	}
}

// zone returns the zone of key k, made (unrecorded, without a limiter)
// if new.
func (c *Controller) zone(k string) *zone {
	z := c.zones[k]
	if z == nil {
		z = &zone{key: k, bucket: newBucket(c.cfg.EvictionLimiterQPS)}
		c.zones[k] = z
		i, _ := slices.BinarySearchFunc(c.zoneList, k, func(z *zone, k string) int { return strings.Compare(z.key, k) })
		c.zoneList = slices.Insert(c.zoneList, i, z)
	}
	return z
}

// record is upstream's addPodEvictorForNewZone: an unrecorded zone
// becomes Initial with a new, empty queue and a full limiter.
func (c *Controller) record(z *zone) {
	if z.recorded {
		return
	}
	for _, it := range z.q[z.head:] {
		if it.st.queued && it.st.qseq == it.seq {
			it.st.queued, it.st.inSet = false, false
		}
	}
	z.q, z.head, z.nextTry = z.q[:0], 0, time.Time{}
	z.recorded, z.state, z.bucket = true, StateInitial, newBucket(c.cfg.EvictionLimiterQPS)
}

func (c *Controller) toPass(st *nodeState) {
	if !st.inPass {
		st.inPass = true
		c.work = append(c.work, st)
	}
}

func (c *Controller) toSpec(st *nodeState) {
	if !st.inSpec {
		st.inSpec = true
		c.spec = append(c.spec, st)
	}
}

// Wake notes a due wake-up (a monitor pass, a node's deadline, a zone's
// tainting tick); Reconcile works out what is due from the time.
func (c *Controller) Wake(cluster.Key) {}

func byName(a, b *nodeState) int { return strings.Compare(a.name, b.name) }

// Reconcile does what is due at now, in this order: the nodes observed
// since the last call (kubelet state from the annotation, deadlines), the
// pods to mark not ready, the monitor pass if now is a pass instant and
// some node needs it, the kubelet starts that waited for that pass, the
// NoExecute tainting of each zone whose queue is due, and one spec write
// per node that needs one (the NoSchedule taints from its conditions and
// the NoExecute taint decided), in node-name order within each step. It asks for a wake-up at the next instant something is
// due. The plan's objects are new copies that the engine may keep; view is
// only read, and not kept. Cost: O(k log k) for the k nodes the round
// touches, plus O(zones) in a pass. It never fails.
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	if !c.started {
		c.started = true
		c.start = c.cfg.Start
		if c.start.IsZero() || c.start.After(now) {
			c.start = now
		}
	}
	c.round++
	for {
		m, ok := c.wakes.Min()
		if !ok || m > now.UnixNano() {
			break
		}
		c.wakes.DeleteMin()
	}
	changed := c.changed
	c.changed = nil
	slices.SortFunc(changed, byName)
	for _, st := range changed {
		st.changed = false
		if st.deleted {
			continue
		}
		c.refreshKubelet(now, st, &plan)
		c.updateDeadline(now, st)
		c.toSpec(st)
	}
	c.markBoundPods(now, view, &plan)
	if c.passDue(now) {
		c.passed, c.lastPass = true, now
		c.pass(now, view, &plan)
	}
	c.applyLateStarts(now, &plan)
	c.tick(now)
	c.writeSpecs(now, view, &plan)
	c.askWakes(now, &plan)
	return plan, nil
}

// passDue reports whether now is a pass instant whose pass has not run.
func (c *Controller) passDue(now time.Time) bool {
	return c.onPass(now) && !(c.passed && c.lastPass.Equal(now))
}

// refreshKubelet reads the kubelet's state from st's annotation. A start
// of a stopped kubelet at a pass instant before the pass waits for it
// (applyLateStarts) unless a status write came with it: the start's
// renewal, like every renewal at a pass instant, reaches upstream's
// informer after the pass, so the pass still finds the kubelet stopped
// and may turn the node Unknown.
func (c *Controller) refreshKubelet(now time.Time, st *nodeState, plan *cluster.Plan) {
	if st.kubeletLate {
		return // read again after the pass
	}
	n := st.node
	at, stopped, bad := KubeletStopped(n)
	if !stopped {
		if st.stopped {
			if c.passDue(now) && c.readyAsSeen(st) {
				st.kubeletLate = true
				c.late = append(c.late, st)
				return
			}
			st.stopped, st.origin = false, now
		}
		return
	}
	at = maxTime(at, n.CreationTimestamp, st.origin)
	if at.After(now) {
		at = now
	}
	if st.stopped && at.Equal(st.stopAt) {
		return
	}
	if bad {
		plan.Notes = append(plan.Notes, cluster.Note{Object: cluster.KeyOf(n), Type: cluster.NoteWarning, Reason: ReasonInvalidAnnotation,
			Message: fmt.Sprintf("metadata.annotations[%s]: Invalid value: %q: not an RFC 3339 time; the kubelet counts as stopped at %s",
				AnnotationKubeletStopped, n.Annotations[AnnotationKubeletStopped], at.UTC().Format(time.RFC3339Nano))})
	}
	st.stopped, st.stopAt = true, at
}

// applyLateStarts applies the kubelet starts that waited for the pass at
// now: the kubelet runs from now (and, if the annotation is back, stopped
// again at now).
func (c *Controller) applyLateStarts(now time.Time, plan *cluster.Plan) {
	if len(c.late) == 0 {
		return
	}
	late := c.late
	c.late = nil
	slices.SortFunc(late, byName)
	for _, st := range late {
		st.kubeletLate = false
		if st.deleted {
			continue
		}
		st.stopped, st.origin = false, now
		c.refreshKubelet(now, st, plan)
		c.updateDeadline(now, st)
	}
}

// readyAsSeen reports whether st's node has the Ready condition the last
// pass recorded: no status write changed it since (a kubelet that comes
// back and posts Ready=True changes it unless it was that already).
func (c *Controller) readyAsSeen(st *nodeState) bool {
	cond, has := st.node.Condition(cluster.NodeReady)
	return st.seenSet && st.seenHas == has && (!has || cond == st.seenCond)
}

func maxTime(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// ---------------------------------------------------------------- the grid

func (c *Controller) onGrid(t time.Time, p time.Duration) bool {
	d := t.Sub(c.start)
	return d >= 0 && d%p == 0
}

func (c *Controller) onPass(t time.Time) bool { return c.onGrid(t, c.cfg.NodeMonitorPeriod) }

// atOrAfter is the first grid instant (period p) at or after t.
func (c *Controller) atOrAfter(t time.Time, p time.Duration) time.Time {
	d := t.Sub(c.start)
	if d <= 0 {
		return c.start
	}
	k := (d + p - 1) / p
	return c.start.Add(k * p)
}

// passAfter is the first monitor pass strictly after t: the pass that
// sees a heartbeat made at t.
func (c *Controller) passAfter(t time.Time) time.Time {
	p := c.cfg.NodeMonitorPeriod
	d := t.Sub(c.start)
	if d < 0 {
		return c.start
	}
	return c.start.Add((d/p + 1) * p)
}

// lastHeartbeat is the last lease renewal of st's stopped kubelet: its
// start plus whole renewal intervals, at or before the stop.
func (c *Controller) lastHeartbeat(st *nodeState) time.Time {
	i := c.cfg.LeaseRenewInterval
	return st.origin.Add(st.stopAt.Sub(st.origin) / i * i)
}

// probe is upstream's probeTimestamp of a node whose kubelet stopped: the
// latest of the pass that registered it (provisionally the next pass, if
// none has yet), the pass that saw its last heartbeat, and any reset.
func (c *Controller) probe(now time.Time, st *nodeState) time.Time {
	f := st.firstPass
	if !st.known {
		f = c.atOrAfter(now, c.cfg.NodeMonitorPeriod)
	}
	return maxTime(st.floor, f, c.passAfter(c.lastHeartbeat(st)))
}

func (c *Controller) grace(hasReady bool) time.Duration {
	if hasReady {
		return c.cfg.NodeMonitorGracePeriod
	}
	return c.cfg.NodeStartupGracePeriod
}

// updateDeadline sets st's deadline: the first pass strictly after its
// probe time plus grace, for a stopped kubelet whose node's Ready is not
// Unknown yet; none otherwise.
func (c *Controller) updateDeadline(now time.Time, st *nodeState) {
	var at time.Time
	if st.stopped && !st.deleted && st.ready != cluster.ConditionUnknown {
		at = c.passAfter(c.probe(now, st).Add(c.grace(st.ready != "")))
		at = maxTime(at, c.atOrAfter(now, c.cfg.NodeMonitorPeriod))
	}
	c.setDeadline(st, at)
}

func (c *Controller) setDeadline(st *nodeState, at time.Time) {
	if st.deadline.Equal(at) {
		return
	}
	if !st.deadline.IsZero() {
		c.deadlines.Delete(deadlineItem{at: st.deadline.UnixNano(), st: st})
	}
	st.deadline = at
	if !at.IsZero() {
		c.deadlines.ReplaceOrInsert(deadlineItem{at: at.UnixNano(), st: st})
	}
}

// ---------------------------------------------------------------- the pass

// pass is upstream's monitorNodeHealth over the nodes that need it: the
// nodes that changed since the last pass and those whose deadline is due;
// a node in neither would do nothing in upstream's pass either.
func (c *Controller) pass(now time.Time, view cluster.View, plan *cluster.Plan) {
	for {
		it, ok := c.deadlines.Min()
		if !ok || it.at > now.UnixNano() {
			break
		}
		c.deadlines.DeleteMin()
		it.st.deadline = time.Time{}
		c.toPass(it.st)
	}
	if len(c.work) == 0 && len(c.removed) == 0 {
		return
	}
	work := c.work
	c.work = nil
	slices.SortFunc(work, byName)
	note := func(k cluster.Key, typ cluster.NoteType, reason, msg string) {
		plan.Notes = append(plan.Notes, cluster.Note{Object: k, Type: typ, Reason: reason, Message: msg})
	}
	for _, st := range work {
		st.inPass = false
		if st.deleted || st.known {
			continue
		}
		note(cluster.KeyOf(st.node), cluster.NoteNormal, ReasonRegisteredNode, fmt.Sprintf("Registered Node %s in Controller", st.name))
		st.known, st.firstPass = true, now
		c.record(c.zone(st.zkey))
		c.reachable(st, st.node)
	}
	for _, name := range slices.Sorted(maps.Keys(c.removed)) {
		note(cluster.Key{Kind: cluster.KindNode, Name: name}, cluster.NoteNormal, ReasonRemovingNode, fmt.Sprintf("Removing Node %s from Controller", name))
	}
	clear(c.removed)
	for _, z := range c.zoneList { // upstream's newZoneRepresentatives
		if z.size() > 0 && !z.recorded {
			c.record(z)
		}
	}
	for _, st := range work {
		if !st.deleted {
			c.monitor(now, view, st, plan)
		}
	}
	c.handleDisruption(now)
}

// monitor is one node's part of the pass: tryUpdateNodeHealth, then
// processTaintBaseEviction on the Ready status the pass found, then the
// NodeNotReady event and MarkPodsNotReady if this pass turned Ready from
// True.
func (c *Controller) monitor(now time.Time, view cluster.View, st *nodeState, plan *cluster.Plan) {
	n, ok := view.Node(st.name)
	if !ok {
		return
	}
	obs, has := n.Condition(cluster.NodeReady)
	if !has {
		obs = cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionUnknown, LastTransitionTime: n.CreationTimestamp}
	}
	if st.seenSet && st.seenHas != has {
		st.floor = now // a Ready condition appeared or went: upstream starts over
	}
	cur, curHas := obs, has
	if st.stopped && now.After(c.probe(now, st).Add(c.grace(has))) {
		conds := slices.Clone(n.Status.Conditions)
		for _, t := range []cluster.NodeConditionType{cluster.NodeReady, cluster.NodeMemoryPressure, cluster.NodeDiskPressure, cluster.NodePIDPressure} {
			i := slices.IndexFunc(conds, func(x cluster.NodeCondition) bool { return x.Type == t })
			switch {
			case i < 0:
				conds = append(conds, cluster.NodeCondition{Type: t, Status: cluster.ConditionUnknown, LastTransitionTime: now,
					Reason: ReasonNodeStatusNeverUpdated, Message: MessageNodeStatusNeverUpdated})
			case conds[i].Status != cluster.ConditionUnknown:
				conds[i] = cluster.NodeCondition{Type: t, Status: cluster.ConditionUnknown, LastTransitionTime: now,
					Reason: ReasonNodeStatusUnknown, Message: MessageNodeStatusUnknown}
			}
		}
		nr := conds[slices.IndexFunc(conds, func(x cluster.NodeCondition) bool { return x.Type == cluster.NodeReady })]
		if !has || nr != obs {
			cp := n.DeepCopy()
			cp.Status.Conditions = conds
			plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: cp, ExpectedRV: n.ResourceVersion})
			st.statusRound = c.round
			c.count(st, st.zkey, st.excluded, cluster.ConditionUnknown)
			cur, curHas = nr, true
		}
	}
	st.seenSet, st.seenHas, st.seenReady, st.seenCond = true, curHas, cur.Status, cur
	if curHas {
		c.taintBasedEviction(now, st, n, cur.Status)
		if obs.Status == cluster.ConditionTrue && cur.Status != cluster.ConditionTrue {
			plan.Notes = append(plan.Notes, cluster.Note{Object: cluster.KeyOf(n), Type: cluster.NoteNormal, Reason: ReasonNodeNotReady,
				Message: fmt.Sprintf("Node %s status is now: %s", n.Name, ReasonNodeNotReady)})
			for p := range view.PodsOnNode(n.Name) {
				markPodNotReady(now, p, plan)
			}
		}
	}
	c.updateDeadline(now, st)
}

// markPodNotReady is MarkPodsNotReady for one pod: its Ready condition,
// if it has one that is not False, turns False (reason and message kept,
// transition time now), and a Warning NodeNotReady note.
func markPodNotReady(now time.Time, p *cluster.Pod, plan *cluster.Plan) {
	i := slices.IndexFunc(p.Status.Conditions, func(x cluster.PodCondition) bool { return x.Type == cluster.PodReady })
	if i < 0 || p.Status.Conditions[i].Status == cluster.ConditionFalse {
		return
	}
	cp := *p
	cp.Status.Conditions = slices.Clone(p.Status.Conditions)
	cp.Status.Conditions[i].Status = cluster.ConditionFalse
	cp.Status.Conditions[i].LastTransitionTime = now
	plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, ExpectedRV: p.ResourceVersion})
	plan.Notes = append(plan.Notes, cluster.Note{Object: cluster.KeyOf(p), Type: cluster.NoteWarning, Reason: ReasonNodeNotReady, Message: MessagePodNodeNotReady})
}

// markBoundPods is upstream's processPod for the pods bound since the
// last round to a node whose Ready was last seen not True.
func (c *Controller) markBoundPods(now time.Time, view cluster.View, plan *cluster.Plan) {
	keys := c.podsToMark
	c.podsToMark = nil
	slices.SortFunc(keys, cluster.Key.Compare)
	keys = slices.Compact(keys)
	for _, k := range keys {
		p, ok := view.Pod(k.Namespace, k.Name)
		if !ok {
			continue
		}
		if st := c.nodes[p.Spec.NodeName]; st != nil && st.seenSet && st.seenHas && st.seenReady != cluster.ConditionTrue {
			markPodNotReady(now, p, plan)
		}
	}
}

// effNoExec reports which NoExecute controller taints st's node has once
// the pending decision is written.
func effNoExec(st *nodeState, n *cluster.Node) (notReady, unreachable bool) {
	switch st.want {
	case wantNone:
		return false, false
	case wantNotReady:
		return true, false
	case wantUnreachable:
		return false, true
	}
	return noExecTaints(n.Spec.Taints)
}

// taintBasedEviction is upstream's processTaintBaseEviction.
func (c *Controller) taintBasedEviction(now time.Time, st *nodeState, n *cluster.Node, observed cluster.ConditionStatus) {
	nr, ur := effNoExec(st, n)
	switch observed {
	case cluster.ConditionFalse:
		if ur {
			st.want = wantNotReady
			c.toSpec(st)
		} else {
			c.markForTainting(now, st, nr)
		}
	case cluster.ConditionUnknown:
		if nr {
			st.want = wantUnreachable
			c.toSpec(st)
		} else {
			c.markForTainting(now, st, ur)
		}
	case cluster.ConditionTrue:
		c.reachable(st, n)
	}
}

// markForTainting is upstream's markNodeForTainting: off the queue if the
// wanted taint is missing, then on it. A node waiting in the queue keeps
// its place (see the package doc).
func (c *Controller) markForTainting(now time.Time, st *nodeState, has bool) {
	if !has && !st.queued {
		st.inSet = false
	}
	if st.inSet {
		return
	}
	c.seq++
	st.inSet, st.queued, st.qseq = true, true, c.seq
	z := c.zone(st.zkey)
	z.q = append(z.q, qitem{st: st, seq: st.qseq})
	c.activate(z, now)
}

// reachable is upstream's markNodeAsReachable: both NoExecute taints go,
// and the node leaves the queue.
func (c *Controller) reachable(st *nodeState, n *cluster.Node) {
	if nr, ur := effNoExec(st, n); nr || ur {
		st.want = wantNone
		c.toSpec(st)
	}
	st.inSet, st.queued = false, false
}

// activate sets when z's queue is next tried: the first tick at which its
// limiter has a token, not before now; never for a paused limiter.
func (c *Controller) activate(z *zone, now time.Time) {
	z.nextTry = time.Time{}
	if !z.bucket.never {
		z.nextTry = c.atOrAfter(maxTime(now, z.bucket.readyAt), c.cfg.NodeEvictionPeriod)
	}
	if !z.active {
		z.active = true
		i, _ := slices.BinarySearchFunc(c.active, z.key, func(z *zone, k string) int { return strings.Compare(z.key, k) })
		c.active = slices.Insert(c.active, i, z)
	}
}

// tick is doNoExecuteTaintingPass for the zones due at now: each takes
// nodes off its queue while its limiter gives tokens; a node whose Ready
// is False gets not-ready:NoExecute, Unknown unreachable:NoExecute, and
// anything else nothing.
func (c *Controller) tick(now time.Time) {
	keep := c.active[:0]
	for _, z := range c.active {
		if !z.nextTry.IsZero() && !z.nextTry.After(now) {
			for {
				it, ok := z.live()
				if !ok || !z.bucket.tryAccept(now) {
					break
				}
				z.pop()
				st := it.st
				st.queued = false
				if st.deleted {
					delete(c.ghosts, st.name)
					continue
				}
				switch st.ready {
				case cluster.ConditionFalse:
					st.want = wantNotReady
					c.toSpec(st)
				case cluster.ConditionUnknown:
					st.want = wantUnreachable
					c.toSpec(st)
				}
			}
			z.nextTry = time.Time{}
			if _, ok := z.live(); ok && !z.bucket.never {
				z.nextTry = c.atOrAfter(maxTime(now, z.bucket.readyAt), c.cfg.NodeEvictionPeriod)
			}
		}
		if _, ok := z.live(); ok {
			keep = append(keep, z)
		} else {
			z.active, z.nextTry = false, time.Time{}
		}
	}
	clear(c.active[len(keep):])
	c.active = keep
}

// handleDisruption is upstream's handleDisruption over the zone counts.
// O(zones), and O(nodes log nodes) when master disruption mode begins or
// ends.
func (c *Controller) handleDisruption(now time.Time) {
	th := c.cfg.UnhealthyZoneThreshold
	allAre := true
	for _, z := range c.zoneList {
		if z.size() > 0 && z.computed(th) != StateFullDisruption {
			allAre = false
		}
	}
	allWas := true
	for _, z := range c.zoneList {
		if !z.recorded {
			continue
		}
		if z.size() == 0 {
			z.recorded, z.state = false, ""
			continue
		}
		if z.state != StateFullDisruption {
			allWas = false
		}
	}
	switch {
	case allAre && allWas:
		return
	case allAre: // master disruption mode: no NoExecute taint anywhere
		for _, name := range slices.Sorted(maps.Keys(c.nodes)) {
			st := c.nodes[name]
			c.reachable(st, st.node)
		}
		for _, z := range c.zoneList {
			if z.recorded {
				z.bucket.swap(0, now)
				z.state = StateFullDisruption
				c.reactivate(z, now)
			}
		}
		// upstream's next passes queue every node that is not Ready again
		// (processTaintBaseEviction finds its taint missing); the queues
		// wait, their limiters paused, until the mode ends
		for _, name := range slices.Sorted(maps.Keys(c.nodes)) {
			if st := c.nodes[name]; !st.deleted && (st.ready == cluster.ConditionFalse || st.ready == cluster.ConditionUnknown) {
				c.markForTainting(now, st, false)
			}
		}
	case allWas: // leaving it: every node starts a fresh grace period
		for _, name := range slices.Sorted(maps.Keys(c.nodes)) {
			st := c.nodes[name]
			st.floor = now
			c.updateDeadline(now, st)
		}
		for _, z := range c.zoneList {
			if z.recorded {
				ns := z.computed(th)
				c.setLimiter(z, ns, now)
				z.state = ns
			}
		}
	default:
		for _, z := range c.zoneList {
			if ns := z.computed(th); z.recorded && ns != z.state {
				c.setLimiter(z, ns, now)
				z.state = ns
			}
		}
	}
}

// setLimiter is upstream's setLimiterInZone.
func (c *Controller) setLimiter(z *zone, s ZoneState, now time.Time) {
	switch s {
	case StateNormal, StateFullDisruption:
		z.bucket.swap(c.cfg.EvictionLimiterQPS, now)
	case StatePartialDisruption:
		qps := 0.0
		if z.size() > c.cfg.LargeClusterThreshold {
			qps = c.cfg.SecondaryEvictionLimiterQPS
		}
		z.bucket.swap(qps, now)
	}
	c.reactivate(z, now)
}

// reactivate recomputes when z's queue is tried, after its limiter changed.
func (c *Controller) reactivate(z *zone, now time.Time) {
	if _, ok := z.live(); ok {
		c.activate(z, now)
	}
}

// ---------------------------------------------------------------- spec writes

// writeSpecs writes, for each node marked, its NoSchedule taints from
// its conditions and spec.unschedulable and the NoExecute taint decided,
// as one Update. A node whose status this round writes waits for the next
// round (the status write is observed at the same instant), so that the
// two writes do not conflict.
func (c *Controller) writeSpecs(now time.Time, view cluster.View, plan *cluster.Plan) {
	list := c.spec
	c.spec = nil
	slices.SortFunc(list, byName)
	for _, st := range list {
		st.inSpec = false
		if st.deleted {
			continue
		}
		if st.statusRound == c.round {
			c.toSpec(st)
			continue
		}
		n, ok := view.Node(st.name)
		if !ok {
			continue
		}
		ts := n.Spec.Taints
		changed := false
		if st.want != wantKeep {
			ts, changed = applyNoExec(ts, st.want, now)
			st.want = wantKeep
		}
		var ch bool
		ts, ch = NoScheduleTaints(n, ts, now)
		if changed = changed || ch; !changed {
			continue
		}
		cp := n.DeepCopy()
		cp.Spec.Taints = ts
		plan.Changes = append(plan.Changes, cluster.Update{Object: cp, ExpectedRV: n.ResourceVersion})
		st.wrote = true
		st.wroteNR, st.wroteUR = noExecTaints(ts)
	}
}

// noExecTaints reports whether ts holds not-ready:NoExecute and
// unreachable:NoExecute.
func noExecTaints(ts []taints.Taint) (notReady, unreachable bool) {
	for _, t := range ts {
		if t.Effect != taints.NoExecute {
			continue
		}
		switch t.Key {
		case taints.KeyNodeNotReady:
			notReady = true
		case taints.KeyNodeUnreachable:
			unreachable = true
		}
	}
	return
}

// applyNoExec returns ts with the NoExecute controller taints as want
// says; an added taint (or one put again, as upstream's AddOrUpdateTaint
// does, in its place) has timeAdded now. ts is not modified.
func applyNoExec(ts []taints.Taint, want noExecWant, now time.Time) ([]taints.Taint, bool) {
	out, changed := ts, false
	drop := func(key string) {
		var ch bool
		out, ch = removeTaint(out, key, taints.NoExecute)
		changed = changed || ch
	}
	var add string
	switch want {
	case wantNone:
		drop(taints.KeyNodeNotReady)
		drop(taints.KeyNodeUnreachable)
		return out, changed
	case wantNotReady:
		add = taints.KeyNodeNotReady
		drop(taints.KeyNodeUnreachable)
	case wantUnreachable:
		add = taints.KeyNodeUnreachable
		drop(taints.KeyNodeNotReady)
	default:
		return ts, false
	}
	at := now
	t := taints.Taint{Key: add, Effect: taints.NoExecute, TimeAdded: &at}
	if i := slices.IndexFunc(out, t.MatchTaint); i >= 0 {
		if old := out[i]; old.Value == "" && old.TimeAdded != nil && old.TimeAdded.Equal(now) {
			return out, changed
		}
		out = slices.Clone(out)
		out[i] = t
		return out, true
	}
	return append(slices.Clip(out), t), true
}

// removeTaint returns ts without the taint of key and effect (a new slice
// if it was there).
func removeTaint(ts []taints.Taint, key string, e taints.Effect) ([]taints.Taint, bool) {
	i := slices.IndexFunc(ts, func(t taints.Taint) bool { return t.Key == key && t.Effect == e })
	if i < 0 {
		return ts, false
	}
	out := make([]taints.Taint, 0, len(ts)-1)
	out = append(out, ts[:i]...)
	return append(out, ts[i+1:]...), true
}

// conditionTaints is upstream's nodeConditionToTaintKeyStatusMap.
var conditionTaints = []struct {
	cond   cluster.NodeConditionType
	status cluster.ConditionStatus
	key    string
}{
	{cluster.NodeReady, cluster.ConditionFalse, taints.KeyNodeNotReady},
	{cluster.NodeReady, cluster.ConditionUnknown, taints.KeyNodeUnreachable},
	{cluster.NodeMemoryPressure, cluster.ConditionTrue, taints.KeyNodeMemoryPressure},
	{cluster.NodeDiskPressure, cluster.ConditionTrue, taints.KeyNodeDiskPressure},
	{cluster.NodeNetworkUnavailable, cluster.ConditionTrue, taints.KeyNodeNetworkUnavailable},
	{cluster.NodePIDPressure, cluster.ConditionTrue, taints.KeyNodePIDPressure},
}

// isControllerNoScheduleKey reports whether key is one the NoSchedule
// pass owns (a condition's or unschedulable).
func isControllerNoScheduleKey(key string) bool {
	if key == taints.KeyNodeUnschedulable {
		return true
	}
	return slices.ContainsFunc(conditionTaints, func(ct struct {
		cond   cluster.NodeConditionType
		status cluster.ConditionStatus
		key    string
	}) bool {
		return ct.key == key
	})
}

// NoScheduleTaints is upstream's doNoScheduleTaintingPass for node n
// whose taints are to be ts: the NoSchedule taints its conditions ask for
// (Ready False not-ready, Unknown unreachable; MemoryPressure,
// DiskPressure, PIDPressure and NetworkUnavailable True their keys, in the
// order of n's conditions) and spec.unschedulable (unschedulable) are
// added with timeAdded now at the end, and the NoSchedule taints of those
// keys that none asks for removed; other taints are kept as they are. It
// returns the new list (ts itself if nothing changed; ts is never
// modified) and whether it changed. O(conditions · taints).
func NoScheduleTaints(n *cluster.Node, ts []taints.Taint, now time.Time) ([]taints.Taint, bool) {
	var want []string
	for _, c := range n.Status.Conditions {
		for _, ct := range conditionTaints {
			if ct.cond == c.Type && ct.status == c.Status && !slices.Contains(want, ct.key) {
				want = append(want, ct.key)
			}
		}
	}
	if n.Spec.Unschedulable {
		want = append(want, taints.KeyNodeUnschedulable)
	}
	out := ts
	changed := false
	for i := 0; i < len(out); i++ {
		t := out[i]
		if t.Effect == taints.NoSchedule && isControllerNoScheduleKey(t.Key) && !slices.Contains(want, t.Key) {
			out, _ = removeTaint(out, t.Key, taints.NoSchedule)
			changed = true
			i--
		}
	}
	for _, k := range want {
		if slices.ContainsFunc(out, func(t taints.Taint) bool { return t.Key == k && t.Effect == taints.NoSchedule }) {
			continue
		}
		at := now
		out = append(slices.Clip(out), taints.Taint{Key: k, Effect: taints.NoSchedule, TimeAdded: &at})
		changed = true
	}
	return out, changed
}

// ---------------------------------------------------------------- wake-ups

// askWakes asks for a wake-up at the next monitor pass if some node waits
// for one, at the earliest deadline, and at each zone's next tick; each
// instant once.
func (c *Controller) askWakes(now time.Time, plan *cluster.Plan) {
	ask := func(at time.Time, name string) {
		if !at.After(now) {
			return
		}
		k := at.UnixNano()
		if _, ok := c.wakes.Get(k); ok {
			return
		}
		c.wakes.ReplaceOrInsert(k)
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: cluster.Key{Kind: cluster.KindNode, Name: name}, After: at.Sub(now)})
	}
	if len(c.work) > 0 || len(c.removed) > 0 {
		next := c.atOrAfter(now, c.cfg.NodeMonitorPeriod)
		if !next.After(now) {
			next = c.passAfter(now)
		}
		name := ""
		if len(c.work) > 0 {
			name = slices.MinFunc(c.work, byName).name
		} else {
			name = slices.Min(slices.Collect(maps.Keys(c.removed)))
		}
		ask(next, name)
	}
	if it, ok := c.deadlines.Min(); ok {
		ask(it.st.deadline, it.st.name)
	}
	for _, z := range c.active {
		if !z.nextTry.IsZero() {
			it, _ := z.live()
			ask(z.nextTry, it.st.name)
		}
	}
}

// Zones returns every zone the controller knows, by key. Cost: O(zones).
func (c *Controller) Zones() []ZoneStatus {
	out := make([]ZoneStatus, 0, len(c.zoneList))
	for _, z := range c.zoneList {
		q := 0
		for _, it := range z.q[z.head:] {
			if it.st.queued && it.st.qseq == it.seq {
				q++
			}
		}
		s := ZoneStatus{Zone: z.key, Ready: z.ready, NotReady: z.notReady, QPS: z.bucket.reportedQPS(), Paused: z.bucket.never, Queued: q}
		if z.recorded {
			s.State = z.state
		}
		out = append(out, s)
	}
	return out
}
