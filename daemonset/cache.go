package daemonset

// The cache: what the controller knows of each DaemonSet between syncs,
// kept up to date by Observe and refreshed by the sync, which reads it
// through the decisions.

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
)

// dsState is the controller's cache of one DaemonSet: the object and what
// its spec compiles to, its nodes and the pods filed on them, the
// aggregates kept by deltas (status counters, rolling-update sets, the
// revision hashes its pods carry), its revision history; and the
// controller's own work on it (dsWork), which the store does not hold.
type dsState struct {
	key  cluster.Key
	ds   *cluster.DaemonSet // as last observed or synced
	spec compiled           // compiled at a sync, for spec.generation
	hash string             // the current revision's hash
	tmpl *cluster.Pod       // the pod template with daemon tolerations and hash label

	// built: nodes and pods are loaded for spec and hash; false means
	// rebuild at the next sync
	built   bool
	nodes   map[string]*nodeEntry
	filed   cluster.SlotTable[podLoc] // owned pods by slot (cluster.Delta.Slot): where each is filed
	hashes  map[string]int            // revision hash -> owned pods labelled with it
	total   counts                    // the sum of the nodes' contributions
	rs      rollSets
	avail   availHeap // nodes to sync when a ready pod there becomes available
	history history

	work dsWork
}

// dsWork is the controller's bookkeeping for one DaemonSet: what it has
// still to do and its own counters, none of it derived from the store.
type dsWork struct {
	queued     bool // in the controller's dirty list
	dirtyNodes []*nodeEntry
	// createQueue holds nodes found to need a pod that the burst limit
	// left for later syncs, in the order found; entries whose pending flag
	// was cleared (re-evaluated since) are skipped.
	createQueue []*nodeEntry
	claims      map[string]bool // pod names to check for adoption or release
	notes       []cluster.Note  // for the next sync (FailedPlacement)
	seq         uint64          // pod name counter
	failures    int             // consecutive syncs with failed creates (rate-limited requeue)
}

// nodeEntry is what one DaemonSet knows about one node: whether the node
// exists and should run the daemon, the DaemonSet's pods aimed at it
// (upstream's nodeToDaemonPods entry: terminal pods being deleted left
// out), what it contributes to the status counters and its part in a
// rolling update; and the sync's marks on it.
type nodeEntry struct {
	name                      string
	known                     bool // the node exists
	shouldRun, shouldContinue bool
	pods                      []*cluster.Pod // any order; sorted with podLess when read
	contrib                   counts
	roll                      roll // the node's part in a rolling update
	stale                     bool // the node changed since known/shouldRun were computed
	dirty                     bool // in the DaemonSet's dirtyNodes
	pending                   bool // waiting in the DaemonSet's create queue
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

// history is what the controller knows of a DaemonSet's
// ControllerRevisions between syncs.
type history struct {
	dirty    bool // a revision, the spec or the salt changed: recompute at the next sync
	hashGone bool // the last pod with some hash went away: prune again
	old      []*cluster.ControllerRevision
}

// target returns what st's pods are compared with.
func (st *dsState) target() target {
	return target{hash: st.hash, gen: st.spec.gen, minReady: st.ds.Spec.MinReadySeconds}
}

func (c *Controller) entry(st *dsState, node string) *nodeEntry {
	e := st.nodes[node]
	if e == nil {
		e = &nodeEntry{name: node, stale: true}
		st.nodes[node] = e
	}
	return e
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
		st := &dsState{key: k, ds: n, nodes: map[string]*nodeEntry{}, hashes: map[string]int{},
			spec: compiled{generation: -1}, work: dsWork{claims: map[string]bool{}}}
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
	st.work.queued = true // never enqueue again; Reconcile skips dropped states
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
		if nstate.built && !nstate.spec.sel.Matches(n.Labels) {
			nstate.work.claims[n.Name] = true // release
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
		if st.key.Namespace == n.Namespace && st.built && st.spec.sel.Matches(n.Labels) {
			st.work.claims[n.Name] = true // adopt
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
			st.work.notes = append(st.work.notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedPlacement,
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

// rebuild loads a DaemonSet's nodes and pods from view, for the compiled
// spec and the current revision's hash. O(nodes + its pods
// + orphans in its namespace).
func (c *Controller) rebuild(view cluster.View, st *dsState) {
	ds := st.ds
	st.tmpl = newTemplatePod(ds, st.spec.pl, st.hash, st.spec.gen)
	clear(st.hashes)
	st.nodes = make(map[string]*nodeEntry, view.NodeCount())
	st.filed = cluster.SlotTable[podLoc]{}
	st.work.dirtyNodes = st.work.dirtyNodes[:0]
	st.work.createQueue = nil
	st.total = counts{}
	st.rs = newRollSets()
	st.avail = st.avail[:0]
	st.built = true
	for n := range view.Nodes() {
		e := c.entry(st, n.Name)
		e.known = true
		e.shouldRun, e.shouldContinue = st.spec.pl.shouldRun(n)
		e.dirty = true
		st.work.dirtyNodes = append(st.work.dirtyNodes, e)
	}
	for p := range view.PodsControlledBy(ds.UID) {
		if c.ownerOf(p) != st {
			continue
		}
		if !st.spec.sel.Matches(p.Labels) {
			// upstream's ClaimPods releases it, and it counts for nothing
			st.work.claims[p.Name] = true
			continue
		}
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		c.putPod(st, p, slot)
	}
	for _, p := range sortedPods(c.orphans[st.key.Namespace]) {
		if st.spec.sel.Matches(p.Labels) {
			st.work.claims[p.Name] = true
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

// rollSets are a DaemonSet's rolling-update aggregates, kept by deltas as
// node entries change: the counters upstream's rollingUpdate computes over
// every node, and per kind the nodes in name order, so a sync takes the
// first k candidates in O(k log n).
type rollSets struct {
	unavailable, available, vanished int
	sets                             [numRollKinds]*btree.BTreeG[*nodeEntry]
}

func newRollSets() rollSets {
	var rs rollSets
	for k := rkNow; k < numRollKinds; k++ {
		if k != rkVanished {
			rs.sets[k] = btree.NewG(16, func(a, b *nodeEntry) bool { return a.name < b.name })
		}
	}
	return rs
}

// setRoll replaces e's roll and updates the aggregates. O(log n).
func (rs *rollSets) setRoll(e *nodeEntry, r roll) {
	o := e.roll
	rs.count(o, -1)
	rs.count(r, 1)
	if o.kind != r.kind {
		if s := rs.sets[o.kind]; s != nil {
			s.Delete(e)
		}
		if s := rs.sets[r.kind]; s != nil {
			s.ReplaceOrInsert(e)
		}
	}
	e.roll = r
}

func (rs *rollSets) count(r roll, sign int) {
	if r.unavailable {
		rs.unavailable += sign
	}
	if r.available {
		rs.available += sign
	}
	if r.kind == rkVanished {
		rs.vanished += sign
	}
}

// first returns up to n nodes of kind k in name order.
func (rs *rollSets) first(k rollKind, n int) []*nodeEntry {
	var out []*nodeEntry
	if n <= 0 {
		return nil
	}
	rs.sets[k].Ascend(func(e *nodeEntry) bool {
		out = append(out, e)
		return len(out) < n
	})
	return out
}

// availEntry asks for node to be synced once time passes at: the moment a
// ready pod there becomes available.
type availEntry struct {
	at   time.Time
	node *nodeEntry
}

// availHeap orders availEntry by time, then node name.
type availHeap []availEntry

func (h availHeap) Len() int { return len(h) }
func (h availHeap) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].node.name < h[j].node.name
}
func (h availHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *availHeap) Push(x any)   { *h = append(*h, x.(availEntry)) }
func (h *availHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

var _ heap.Interface = (*availHeap)(nil)
