package daemonset

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// DefaultName is the controller's name in the event log.
const DefaultName = "daemonset-controller"

// Config configures a Controller. The zero value gives upstream's settings.
type Config struct {
	// Name is the controller's name in the log; "" means DefaultName.
	Name string
	// BurstReplicas caps creates and deletes per sync; 0 means 250.
	BurstReplicas int
	// BackoffInitial and BackoffMax bound the failed-pod backoff; 0 means
	// 1s and 15m.
	BackoffInitial, BackoffMax time.Duration
	// Admit, when set, is asked about every pod the controller is about to
	// create, after the store's own admission check; an error fails that
	// create as the API server would (a FailedCreate event, and slow start
	// stops after the batch). Tests use it to inject a quota. It is called
	// in a deterministic order and must be deterministic itself. The pod
	// is handed to the store once admitted (cluster.Create.Handoff):
	// Admit may read it but must neither modify nor keep it.
	Admit func(pod *cluster.Pod) error
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Name == "" {
		out.Name = DefaultName
	}
	if out.BurstReplicas == 0 {
		out.BurstReplicas = BurstReplicas
	}
	if out.BackoffInitial == 0 {
		out.BackoffInitial = FailedPodBackoffInitial
	}
	if out.BackoffMax == 0 {
		out.BackoffMax = FailedPodBackoffMax
	}
	return out
}

// counts are the status counters one node contributes, or their sums.
type counts struct {
	desired, current, misscheduled, ready, available, updated int32
}

func (a *counts) add(b counts, sign int32) {
	a.desired += sign * b.desired
	a.current += sign * b.current
	a.misscheduled += sign * b.misscheduled
	a.ready += sign * b.ready
	a.available += sign * b.available
	a.updated += sign * b.updated
}

// nodeEntry is what one DaemonSet knows about one node: whether the node
// exists and should run the daemon, the DaemonSet's pods aimed at it
// (upstream's nodeToDaemonPods entry: terminal pods being deleted left
// out), and what it contributes to the status counters.
type nodeEntry struct {
	name                      string
	known                     bool // the node exists
	shouldRun, shouldContinue bool
	pods                      []*cluster.Pod // any order; sorted with podLess when read
	contrib                   counts
	dirty                     bool
	stale                     bool // the node changed since known/shouldRun were computed
	pending                   bool // waiting in the DaemonSet's create queue
	roll                      roll // the node's part in a rolling update
}

// podLoc is where an owned pod is filed: its name, the node entry holding
// it (nil when it names no node or the DaemonSet is not loaded) and its
// revision hash as counted in dsState.hashes ("" when not counted: a pod
// that names no node keeps no revision alive, as upstream's cleanupHistory
// groups pods by node). The zero podLoc means "not filed".
type podLoc struct {
	name string
	e    *nodeEntry
	hash string
}

// dsState is the controller's incremental view of one DaemonSet.
type dsState struct {
	key    cluster.Key
	ds     *cluster.DaemonSet
	sel    selector.Selector
	pl     *placement
	hash   string
	gen    string       // the pod-template-generation label value, "" for none
	tmpl   *cluster.Pod // the pod template with daemon tolerations and hash label
	nodes  map[string]*nodeEntry
	filed  cluster.SlotTable[podLoc] // owned pods by slot (cluster.Delta.Slot): where each is filed
	hashes map[string]int            // revision hash -> owned pods labelled with it
	total  counts
	built  bool // nodes and pods are loaded; false means rebuild at the next sync

	// compiledGen is the generation sel, pl and patch were compiled for
	// (-1: never).
	compiledGen int64
	patch       []byte // the template patch a matching ControllerRevision holds
	history     history
	rs          rollSets
	avail       availHeap
	rollout     *rolloutState
	reports     []RolloutReport // finished rollouts, oldest first
	// rolloutPending: a rollout started at this sync; its start figures
	// are taken once the nodes are loaded
	rolloutPending bool
	now            time.Time // the time of the sync under way

	queued     bool // in the controller's dirty list
	dirtyNodes []*nodeEntry
	// createQueue holds nodes found to need a pod that the burst limit
	// left for later syncs, in the order found; entries whose pending flag
	// was cleared (re-evaluated since) are skipped.
	createQueue []*nodeEntry
	claims      map[string]bool // pod names to check for adoption or release
	notes       []cluster.Note
	// for the sync under way: the orphans it adopted, and what its
	// deletes remove at once (the pods that leave the store without a
	// grace period): their revision hashes (for cleanupHistory) and the
	// adopted ones among them (for the status)
	adopted     map[string]bool
	removed     []string
	uncounted   []*cluster.Pod
	statusBlind bool   // the status does not see the deletes being submitted
	seq         uint64 // pod name counter
	failures    int    // consecutive syncs with failed creates (rate-limited requeue)
	failed      int    // failed creates in the sync under way
}

// Controller is the DaemonSet controller as a pure reconciler: it reads a
// cluster.View and returns a cluster.Plan; it never writes the store. It
// implements sim.Controller. Its work is incremental: every change marks
// the (DaemonSet, node) pairs it can affect, a sync visits only those, and
// the status counters are kept by deltas. A DaemonSet is loaded in full
// (O(nodes + its pods)) when it is created or its spec changes.
//
// A Controller is not safe for concurrent use.
type Controller struct {
	cfg     Config
	sets    map[cluster.Key]*dsState
	all     []*dsState                         // by key
	byUID   map[string]*dsState                // DaemonSet UID -> state
	orphans map[string]map[string]*cluster.Pod // namespace -> name -> live pod with no controller
	dirty   []*dsState
	wakes   []cluster.Key // pod wake-ups to resolve at the next Reconcile
	backoff map[string]backoffEntry
}

type backoffEntry struct {
	delay      time.Duration
	lastUpdate time.Time
}

// New returns a controller with cfg (defaults filled in). Start it on an
// empty store, or call Sync with the store's view first.
func New(cfg Config) *Controller {
	c := &Controller{cfg: cfg.withDefaults()}
	c.reset()
	return c
}

func (c *Controller) reset() {
	c.sets = map[cluster.Key]*dsState{}
	c.all = nil
	c.byUID = map[string]*dsState{}
	c.orphans = map[string]map[string]*cluster.Pod{}
	c.dirty = nil
	c.wakes = nil
	c.backoff = map[string]backoffEntry{}
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.cfg.Name }

// Sync loads the controller's caches from view, for a controller that
// starts on a store that already holds objects. Every DaemonSet is synced
// at the next Reconcile. Cost: O(DaemonSets + pods).
func (c *Controller) Sync(view cluster.View) {
	c.reset()
	for ds := range view.DaemonSets() {
		c.observeDaemonSet(nil, ds)
	}
	for p := range view.Pods() {
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		c.observePod(nil, p, slot)
	}
}

// Observe updates the caches from one applied change and marks what it
// can affect. Cost: O(1) for a pod with a controller, O(DaemonSets) for
// a pod without one and for a node.
func (c *Controller) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		o, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		if o != nil && n != nil && o.Labels.Equal(n.Labels) && slices.Equal(o.Spec.Taints, n.Spec.Taints) {
			return // upstream's shouldIgnoreNodeUpdate: only labels and taints matter
		}
		for _, st := range c.all {
			c.markNode(st, d.Key.Name)
			if e := st.nodes[d.Key.Name]; e != nil {
				e.stale = true
			}
		}
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		c.observePod(o, n, d.Slot)
	case cluster.KindDaemonSet:
		o, _ := d.Old.(*cluster.DaemonSet)
		n, _ := d.New.(*cluster.DaemonSet)
		c.observeDaemonSet(o, n)
	case cluster.KindControllerRevision:
		// any DaemonSet of the namespace may own, adopt or release it
		for _, st := range c.all {
			if st.key.Namespace == d.Key.Namespace {
				st.history.dirty = true
				c.enqueue(st)
			}
		}
	}
}

// Wake marks what a requested wake-up concerns: a pod key marks the pod's
// node for every DaemonSet that has it filed (failed-pod backoff,
// minReadySeconds; done at the next Reconcile, which has the view that
// gives the pod's slot: O(log pods + DaemonSets in the namespace)), a
// DaemonSet key the DaemonSet (a retry after failed creates).
func (c *Controller) Wake(k cluster.Key) {
	switch k.Kind {
	case cluster.KindPod:
		c.wakes = append(c.wakes, k)
	case cluster.KindDaemonSet:
		if st := c.sets[k]; st != nil {
			c.enqueue(st)
		}
	}
}

func (c *Controller) enqueue(st *dsState) {
	if !st.queued {
		st.queued = true
		c.dirty = append(c.dirty, st)
	}
}

func (c *Controller) entry(st *dsState, node string) *nodeEntry {
	e := st.nodes[node]
	if e == nil {
		e = &nodeEntry{name: node, stale: true}
		st.nodes[node] = e
	}
	return e
}

func (c *Controller) markNode(st *dsState, node string) {
	c.enqueue(st)
	if !st.built {
		return // the whole DaemonSet is rebuilt anyway
	}
	c.markEntry(st, c.entry(st, node))
}

// markEntry is markNode for a node entry of a built st.
func (c *Controller) markEntry(st *dsState, e *nodeEntry) {
	c.enqueue(st)
	if !e.dirty {
		e.dirty = true
		st.dirtyNodes = append(st.dirtyNodes, e)
	}
}

func (c *Controller) observeDaemonSet(o, n *cluster.DaemonSet) {
	switch {
	case n == nil: // deleted: the garbage collector owns its pods now
		st := c.sets[cluster.KeyOf(o)]
		if st == nil {
			return
		}
		c.drop(st)
	case o == nil || o.UID != n.UID:
		if o != nil {
			if st := c.sets[cluster.KeyOf(o)]; st != nil {
				c.drop(st)
			}
		}
		k := cluster.KeyOf(n)
		st := &dsState{key: k, ds: n, claims: map[string]bool{}, nodes: map[string]*nodeEntry{},
			hashes: map[string]int{}, compiledGen: -1}
		st.history.dirty = true
		c.sets[k] = st
		c.byUID[n.UID] = st
		i, _ := slices.BinarySearchFunc(c.all, k, func(s *dsState, k cluster.Key) int { return s.key.Compare(k) })
		c.all = slices.Insert(c.all, i, st)
		// orphans that may be adopted
		c.enqueue(st)
	default:
		st := c.sets[cluster.KeyOf(n)]
		if st == nil {
			return
		}
		st.ds = n
		if o.Generation != n.Generation {
			st.built = false // the spec changed: reload at the next sync
			st.history.dirty = true
			c.enqueue(st)
		} else if !equalPtr(o.Status.CollisionCount, n.Status.CollisionCount) {
			st.history.dirty = true // the hash salt changed: a new revision name
			c.enqueue(st)
		} else if (o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil) {
			c.enqueue(st)
		}
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func (c *Controller) drop(st *dsState) {
	delete(c.sets, st.key)
	delete(c.byUID, st.ds.UID)
	if i, ok := slices.BinarySearchFunc(c.all, st.key, func(s *dsState, k cluster.Key) int { return s.key.Compare(k) }); ok {
		c.all = slices.Delete(c.all, i, i+1)
	}
	st.queued = true // never enqueue again; Reconcile skips dropped states
	st.nodes = nil
}

// filedUnder calls f with the state of every DaemonSet that has p (whose
// slot is slot) filed: how a change finds the DaemonSet a pod counted for
// before, without a map over all pods. A pod is filed under the
// DaemonSet its controller reference names, found through byUID; only an
// orphan can be filed elsewhere: claim files a pod it adopts at once,
// before the store shows the new owner, and two DaemonSets may both try.
// So an orphan is looked for in every DaemonSet of its namespace, in key
// order. Cost: O(1) for a pod with a controller reference, O(log
// DaemonSets + DaemonSets in the namespace) for an orphan.
func (c *Controller) filedUnder(p *cluster.Pod, slot uint64, f func(*dsState)) {
	if p.ControllerRef() != nil {
		if st := c.ownerOf(p); st != nil {
			if st.filed.Get(slot).name != "" {
				f(st)
			}
		}
		return
	}
	c.eachFiling(p.Namespace, slot, f)
}

// eachFiling calls f with every DaemonSet of namespace ns that has the pod
// with the slot filed, in key order. Cost: O(log DaemonSets + DaemonSets
// in ns).
func (c *Controller) eachFiling(ns string, slot uint64, f func(*dsState)) {
	i, _ := slices.BinarySearchFunc(c.all, ns, func(st *dsState, ns string) int { return cmp.Compare(st.key.Namespace, ns) })
	for ; i < len(c.all) && c.all[i].key.Namespace == ns; i++ {
		if c.all[i].filed.Get(slot).name != "" {
			f(c.all[i])
		}
	}
}

// ownerOf returns the state of the DaemonSet controlling p, or nil.
func (c *Controller) ownerOf(p *cluster.Pod) *dsState {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" {
		return nil
	}
	st := c.byUID[ref.UID]
	if st == nil || st.ds.Name != ref.Name || st.key.Namespace != p.Namespace {
		return nil
	}
	return st
}

func (c *Controller) observePod(o, n *cluster.Pod, slot uint64) {
	if o != nil && o.ControllerRef() == nil {
		if m := c.orphans[o.Namespace]; m != nil {
			delete(m, o.Name)
		}
	}
	var nstate *dsState
	if n != nil {
		nstate = c.ownerOf(n)
	}
	if o != nil {
		c.filedUnder(o, slot, func(st *dsState) {
			if st != nstate {
				c.removePod(st, slot)
			}
		})
	}
	if n == nil {
		return
	}
	if nstate != nil {
		c.putPod(nstate, n, slot)
		if nstate.built && !nstate.sel.Matches(n.Labels) {
			nstate.claims[n.Name] = true // release
			c.enqueue(nstate)
		}
		c.observeTransitions(nstate, o, n)
		return
	}
	if n.ControllerRef() != nil || n.IsTerminating() {
		return
	}
	m := c.orphans[n.Namespace]
	if m == nil {
		m = map[string]*cluster.Pod{}
		c.orphans[n.Namespace] = m
	}
	m[n.Name] = n
	if o != nil && o.ControllerRef() == nil && o.Labels.Equal(n.Labels) {
		return // upstream enqueues orphans only when labels or the controller changed
	}
	for _, st := range c.all {
		if st.key.Namespace == n.Namespace && st.built && st.sel.Matches(n.Labels) {
			st.claims[n.Name] = true // adopt
			c.enqueue(st)
		}
	}
}

// observeTransitions turns a pod's own changes into notes: FailedPlacement
// when the scheduler reports it unschedulable. (The minReadySeconds
// wake-up is asked for by contribution, when the pod's node is synced.)
func (c *Controller) observeTransitions(st *dsState, o, n *cluster.Pod) {
	if cond, ok := n.Condition(cluster.PodScheduled); ok && cond.Status == cluster.ConditionFalse && !n.IsBound() {
		var prev cluster.PodCondition
		if o != nil {
			prev, _ = o.Condition(cluster.PodScheduled)
		}
		if prev.Status != cond.Status || prev.Message != cond.Message {
			node, _ := TargetNodeName(n)
			st.notes = append(st.notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedPlacement,
				Message: fmt.Sprintf("failed to place pod %s on %q: %s", n.Name, node, cond.Message)})
			c.enqueue(st)
		}
	}
}

// putPod records the current version of an owned pod (whose slot is slot)
// in its node entry (or takes it out when it is terminal and being
// deleted). A new version of a pod already recorded on the same node with
// the same revision hash (the common case: a bind or a status write) only
// swaps the pointer in the entry, with no lookup by name.
func (c *Controller) putPod(st *dsState, p *cluster.Pod, slot uint64) {
	hash := p.Labels[ControllerRevisionHashLabel]
	node, err := TargetNodeName(p)
	keep := !(p.IsTerminal() && p.IsTerminating())
	if loc := st.filed.Get(slot); loc.e != nil && st.built && err == nil && keep && loc.e.name == node && loc.hash == hash {
		e := loc.e
		if i := slices.IndexFunc(e.pods, func(q *cluster.Pod) bool { return q.Name == p.Name }); i >= 0 {
			e.pods[i] = p
			c.markEntry(st, e)
			return
		}
	}
	c.removePod(st, slot)
	counted := hash
	if err != nil {
		counted = ""
	}
	if counted != "" {
		st.hashes[counted]++
	}
	if !st.built {
		st.filed.Set(slot, podLoc{name: p.Name, hash: counted})
		c.enqueue(st)
		return
	}
	if err != nil {
		st.filed.Set(slot, podLoc{name: p.Name})
		return
	}
	e := c.entry(st, node)
	st.filed.Set(slot, podLoc{name: p.Name, e: e, hash: hash})
	if keep {
		e.pods = append(e.pods, p)
	}
	c.markEntry(st, e)
}

// removePod takes the pod with the slot out of st, if it is filed there.
func (c *Controller) removePod(st *dsState, slot uint64) {
	loc := st.filed.Get(slot)
	if loc.name == "" {
		return
	}
	st.filed.Delete(slot)
	if loc.hash != "" {
		if st.hashes[loc.hash]--; st.hashes[loc.hash] <= 0 {
			delete(st.hashes, loc.hash)
			st.history.hashGone = true // an old revision may be prunable now
		}
	}
	e := loc.e
	if e == nil || !st.built {
		c.enqueue(st)
		return
	}
	e.pods = slices.DeleteFunc(e.pods, func(p *cluster.Pod) bool { return p.Name == loc.name })
	c.markEntry(st, e)
}

func cmpKey(a, b *dsState) int { return a.key.Compare(b.key) }

// Reconcile syncs every DaemonSet marked since the last call, in key
// order, and returns the creates, deletes, ownership patches, status writes,
// notes and wake-ups they need. Each DaemonSet's work is that of upstream's
// syncDaemonSet restricted to the nodes that changed.
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	for _, k := range c.wakes {
		if slot, ok := view.PodSlot(k.Namespace, k.Name); ok {
			c.eachFiling(k.Namespace, slot, func(st *dsState) {
				if e := st.filed.Get(slot).e; e != nil {
					c.markEntry(st, e)
				}
			})
		}
	}
	c.wakes = c.wakes[:0]
	dirty := c.dirty
	c.dirty = nil
	slices.SortFunc(dirty, cmpKey)
	for _, st := range dirty {
		if c.sets[st.key] != st {
			continue // dropped
		}
		st.queued = false
		c.sync(now, view, st, &plan)
	}
	return plan, nil
}

// compile turns the DaemonSet's spec into what the syncs use: the
// selector, the placement and the template patch revisions are matched
// against. O(template).
func (c *Controller) compile(st *dsState) {
	ds := st.ds
	st.sel, _ = selector.LabelSelectorAsSelector(ds.Spec.Selector)
	st.pl = newPlacement(ds)
	st.gen = templateGenerationLabel(ds)
	st.patch = templatePatch(&ds.Spec.Template)
	st.compiledGen = ds.Generation
}

// rebuild loads a DaemonSet's nodes and pods from view, for the compiled
// spec and the current revision's hash. O(nodes + its pods
// + orphans in its namespace).
func (c *Controller) rebuild(view cluster.View, st *dsState) {
	ds := st.ds
	st.tmpl = newTemplatePod(ds, st.pl, st.hash, st.gen)
	clear(st.hashes)
	st.nodes = make(map[string]*nodeEntry, view.NodeCount())
	st.filed = cluster.SlotTable[podLoc]{}
	st.dirtyNodes = st.dirtyNodes[:0]
	st.createQueue = nil
	st.total = counts{}
	st.rs = newRollSets()
	st.avail = st.avail[:0]
	st.built = true
	for n := range view.Nodes() {
		e := c.entry(st, n.Name)
		e.known = true
		e.shouldRun, e.shouldContinue = st.pl.shouldRun(n)
		e.dirty = true
		st.dirtyNodes = append(st.dirtyNodes, e)
	}
	for p := range view.PodsControlledBy(ds.UID) {
		if c.ownerOf(p) != st {
			continue
		}
		if !st.sel.Matches(p.Labels) {
			// upstream's ClaimPods releases it, and it counts for nothing
			st.claims[p.Name] = true
			continue
		}
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		c.putPod(st, p, slot)
	}
	for _, p := range sortedPods(c.orphans[st.key.Namespace]) {
		if st.sel.Matches(p.Labels) {
			st.claims[p.Name] = true
		}
	}
}

func sortedPods(m map[string]*cluster.Pod) []*cluster.Pod {
	out := make([]*cluster.Pod, 0, len(m))
	for _, p := range m { //detlint:allow collected, then sorted by name
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *cluster.Pod) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// newTemplatePod is upstream's CreatePodTemplate: the template with the
// default daemon tolerations, the template generation label (gen, when
// not empty) and the revision hash label, in the DaemonSet's namespace,
// plus the controller reference every pod gets.
// Pods are copies of it with a name and the node-name affinity; they share
// its labels, tolerations and owner references, which nobody modifies.
func newTemplatePod(ds *cluster.DaemonSet, pl *placement, hash, gen string) *cluster.Pod {
	t := ds.Spec.Template.DeepCopy()
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: ds.Namespace, Labels: t.Labels, Annotations: t.Annotations}, Spec: t.Spec}
	if p.Labels == nil {
		p.Labels = selector.Set{}
	}
	if gen != "" {
		p.Labels[TemplateGenerationLabel] = gen
	}
	if hash != "" {
		p.Labels[ControllerRevisionHashLabel] = hash
	}
	p.Spec.Tolerations = slices.Clone(pl.tolerations)
	p.OwnerReferences = []cluster.OwnerReference{controllerRef(ds)} // shared by every pod made from p
	return p
}
