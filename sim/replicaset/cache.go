package replicaset

// The cache: what the controller knows of each ReplicaSet between syncs,
// kept up to date by Observe and brought to the sync's instant by refresh.

import (
	"cmp"
	"container/heap"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// rsState is the controller's cache of one ReplicaSet: the object and what
// its spec compiles to, the pods whose controller reference names it (and
// the orphans it is adopting), the status counters kept by deltas, and the
// controller's own work on it, which the store does not hold.
type rsState struct {
	key      cluster.Key
	uid      string
	rs       *cluster.ReplicaSet // as last observed
	owner    string              // the UID of its own controller ("" for none): its group
	sel      selector.Selector
	selErr   error
	compiled bool // tmplSel, minReady and tmpl are for rs.Generation
	gen      int64
	tmplSel  selector.Selector // the template's labels, as a selector (fullyLabeledReplicas)
	minReady int32
	tmpl     *cluster.Pod // the pod every create copies

	pods  cluster.SlotTable[*podEntry] // by slot (cluster.Delta.Slot)
	total counts                       // the sum of the pods' contributions
	// dirtyPods are the slots whose pods changed since they were counted
	dirtyPods []uint64
	avail     availHeap // ready pods that become available later
	claims    map[string]bool
	exp       expectations
	seq       uint64 // pod name counter
	failures  int    // consecutive syncs whose manage failed (retry backoff)
	queued    bool
	dropped   bool
}

// podEntry is one pod filed under a ReplicaSet: its last observed version
// (or the adopted copy the sync filed), what it contributes to the
// counters, and whether it must be recounted.
type podEntry struct {
	pod    *cluster.Pod
	c      counts    // its contribution as last counted (each field 0 or 1)
	waitAt time.Time // ready but not yet available: when it becomes available
	dirty  bool
}

// counts are the status counters: active pods (replicas), of which those
// fully labelled, ready and available; and terminating pods.
type counts struct {
	active, labeled, ready, available, terminating int32
}

func (a *counts) add(b counts, sign int32) {
	a.active += sign * b.active
	a.labeled += sign * b.labeled
	a.ready += sign * b.ready
	a.available += sign * b.available
	a.terminating += sign * b.terminating
}

// expectations is upstream's ControllerExpectations record of one
// ReplicaSet: the creates still to be observed and the pods whose deletion
// is still to be observed, since at.
type expectations struct {
	set bool
	add int
	del map[string]bool
	at  time.Time
}

// satisfied reports whether a sync may create or delete: no record, every
// expectation met, or the record older than ExpectationsTimeout.
func (e *expectations) satisfied(now time.Time) bool {
	return !e.set || (e.add <= 0 && len(e.del) == 0) || now.Sub(e.at) > ExpectationsTimeout
}

// isPodActive is upstream's IsPodActive: not Succeeded or Failed and not
// being deleted.
func isPodActive(p *cluster.Pod) bool { return !p.IsTerminal() && !p.IsTerminating() }

// isPodTerminating is upstream's IsPodTerminating: being deleted and not
// terminal.
func isPodTerminating(p *cluster.Pod) bool { return !p.IsTerminal() && p.IsTerminating() }

func controllerRef(rs *cluster.ReplicaSet) cluster.OwnerReference {
	t := true
	return cluster.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// ownerUID returns the UID of o's controller, "" for none.
func ownerUID(m *cluster.ObjectMeta) string {
	if ref := m.ControllerRef(); ref != nil {
		return ref.UID
	}
	return ""
}

func (c *Controller) observeReplicaSet(o, n *cluster.ReplicaSet) {
	switch {
	case n == nil:
		if st := c.sets[cluster.KeyOf(o)]; st != nil {
			c.drop(st)
		}
	case o == nil || o.UID != n.UID:
		if o != nil {
			if st := c.sets[cluster.KeyOf(o)]; st != nil {
				c.drop(st)
			}
		}
		k := cluster.KeyOf(n)
		st := &rsState{key: k, uid: n.UID, rs: n, claims: map[string]bool{}}
		st.sel, st.selErr = selector.LabelSelectorAsSelector(n.Spec.Selector)
		c.sets[k] = st
		c.byUID[n.UID] = st
		c.all = insertSorted(c.all, st)
		c.setOwner(st, ownerUID(&n.ObjectMeta))
		// the orphans it may adopt
		if m := c.orphans[k.Namespace]; st.selErr == nil {
			for name, p := range m { //detlint:allow sets a flag per pod; claims are sorted when used
				if st.sel.Matches(p.Labels) {
					st.claims[name] = true
				}
			}
		}
		c.enqueue(st)
	default:
		st := c.sets[cluster.KeyOf(n)]
		if st == nil {
			return
		}
		st.rs = n
		c.setOwner(st, ownerUID(&n.ObjectMeta))
		c.enqueue(st) // upstream syncs on every update (and spec changes are picked up by refresh)
	}
}

// setOwner files st in the group of ReplicaSets with the same controller.
func (c *Controller) setOwner(st *rsState, uid string) {
	if st.owner == uid {
		return
	}
	if st.owner != "" {
		if l := removeSorted(c.groups[st.owner], st); len(l) > 0 {
			c.groups[st.owner] = l
		} else {
			delete(c.groups, st.owner)
		}
	}
	st.owner = uid
	if uid != "" {
		c.groups[uid] = insertSorted(c.groups[uid], st)
	}
}

func (c *Controller) drop(st *rsState) {
	c.setOwner(st, "")
	delete(c.sets, st.key)
	delete(c.byUID, st.uid)
	c.all = removeSorted(c.all, st)
	st.dropped = true
	st.queued = true // never enqueued again
}

// ownerOf returns the state of the ReplicaSet controlling p, or nil: its
// controller reference must name a ReplicaSet of p's namespace by name and
// UID (upstream's resolveControllerRef).
func (c *Controller) ownerOf(p *cluster.Pod) *rsState {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "ReplicaSet" {
		return nil
	}
	st := c.byUID[ref.UID]
	if st == nil || st.rs.Name != ref.Name || st.key.Namespace != p.Namespace {
		return nil
	}
	return st
}

// observePod files one pod change. watch is false when Sync loads the
// store: no expectation is observed then.
func (c *Controller) observePod(o, n *cluster.Pod, slot uint64, watch bool) {
	var ost, nst *rsState
	if o != nil {
		ost = c.ownerOf(o)
		if o.ControllerRef() == nil {
			if m := c.orphans[o.Namespace]; m != nil {
				delete(m, o.Name)
			}
		}
	}
	if n != nil {
		nst = c.ownerOf(n)
	}
	// orphans filed by an adoption in flight: the store now says who owns it
	if l, ok := c.adopting[slot]; ok {
		delete(c.adopting, slot)
		for _, st := range l {
			if st != nst && !st.dropped {
				c.removePod(st, slot)
			}
		}
	}
	if ost != nil && ost != nst {
		c.removePod(ost, slot) // released, or gone: upstream syncs the old owner
		if watch {
			ost.exp.deletionObserved(o.Name)
		}
	}
	if n == nil {
		return
	}
	if nst != nil {
		c.putPod(nst, n, slot)
		if watch {
			if n.IsTerminating() {
				nst.exp.deletionObserved(n.Name) // upstream's updatePod treats it as a delete
			} else if o == nil {
				nst.exp.add--
			}
		}
		if isPodActive(n) && nst.selErr == nil && !nst.sel.Matches(n.Labels) {
			nst.claims[n.Name] = true // release
		}
		return
	}
	if n.ControllerRef() != nil || !isPodActive(n) {
		return
	}
	m := c.orphans[n.Namespace]
	if m == nil {
		m = map[string]*cluster.Pod{}
		c.orphans[n.Namespace] = m
	}
	m[n.Name] = n
	if o != nil && o.ControllerRef() == nil && o.Labels.Equal(n.Labels) {
		return // upstream enqueues for an orphan only when labels or the controller changed
	}
	for _, st := range c.inNamespace(n.Namespace) {
		if st.selErr == nil && st.sel.Matches(n.Labels) {
			st.claims[n.Name] = true // adopt
			c.enqueue(st)
		}
	}
}

func (e *expectations) deletionObserved(name string) {
	delete(e.del, name)
}

// putPod files the current version of a pod under st and marks it for
// recounting.
func (c *Controller) putPod(st *rsState, p *cluster.Pod, slot uint64) {
	e := st.pods.Get(slot)
	if e == nil {
		e = &podEntry{}
		st.pods.Set(slot, e)
	}
	e.pod = p
	if !e.dirty {
		e.dirty = true
		st.dirtyPods = append(st.dirtyPods, slot)
	}
	c.enqueue(st)
}

// removePod takes the pod with the slot out of st, if it is filed there.
func (c *Controller) removePod(st *rsState, slot uint64) {
	e := st.pods.Get(slot)
	if e == nil {
		return
	}
	st.total.add(e.c, -1)
	st.pods.Delete(slot)
	e.dirty = false
	c.enqueue(st)
}

// compile brings the compiled template to rs's generation; when the
// template's labels or minReadySeconds changed, every pod is recounted.
// O(1), or O(pods of st) when they changed.
func (st *rsState) compile() {
	rs := st.rs
	if st.compiled && st.gen == rs.Generation {
		return
	}
	labels := rs.Spec.Template.Labels
	recount := !st.compiled || !st.tmplSel.Equal(selector.SelectorFromSet(labels)) || st.minReady != rs.Spec.MinReadySeconds
	st.compiled, st.gen = true, rs.Generation
	st.tmplSel = selector.SelectorFromSet(labels)
	st.minReady = rs.Spec.MinReadySeconds
	st.tmpl = newTemplatePod(rs)
	if !recount {
		return
	}
	for slot, e := range st.pods.All() {
		e.waitAt = time.Time{}
		if !e.dirty {
			e.dirty = true
			st.dirtyPods = append(st.dirtyPods, slot)
		}
	}
	st.avail = st.avail[:0]
}

// refresh recounts, at now, the pods that changed and those that became
// available since the last sync. O((changed pods + pods turned available)
// · log pods).
func (st *rsState) refresh(now time.Time) {
	for _, slot := range st.dirtyPods {
		if e := st.pods.Get(slot); e != nil && e.dirty {
			e.dirty = false
			st.recount(slot, e, now)
		}
	}
	st.dirtyPods = st.dirtyPods[:0]
	for len(st.avail) > 0 && !st.avail[0].at.After(now) {
		a := heap.Pop(&st.avail).(availEntry)
		if e := st.pods.Get(a.slot); e == a.e && e.waitAt.Equal(a.at) {
			st.recount(a.slot, e, now)
		}
	}
}

// recount replaces e's contribution by the one its pod makes at now.
func (st *rsState) recount(slot uint64, e *podEntry, now time.Time) {
	nc, wait := st.contribution(e.pod, now)
	st.total.add(e.c, -1)
	st.total.add(nc, 1)
	e.c = nc
	if !wait.IsZero() && !wait.Equal(e.waitAt) {
		heap.Push(&st.avail, availEntry{at: wait, slot: slot, e: e})
	}
	e.waitAt = wait
}

// contribution is what p counts for in st's status at now (upstream's
// calculateStatus over the claimed pods), and when a ready pod that is not
// available yet becomes so (zero for none).
func (st *rsState) contribution(p *cluster.Pod, now time.Time) (counts, time.Time) {
	var c counts
	if p.IsTerminal() || st.selErr != nil || !st.sel.Matches(p.Labels) {
		return c, time.Time{}
	}
	if p.IsTerminating() {
		c.terminating = 1
		return c, time.Time{}
	}
	c.active = 1
	if st.tmplSel.Matches(p.Labels) {
		c.labeled = 1
	}
	if !p.IsReady() {
		return c, time.Time{}
	}
	c.ready = 1
	if p.IsAvailable(st.minReady, now) {
		c.available = 1
		return c, time.Time{}
	}
	cond, _ := p.Condition(cluster.PodReady)
	if cond.LastTransitionTime.IsZero() {
		return c, time.Time{} // never available (upstream's IsPodAvailable)
	}
	return c, cond.LastTransitionTime.Add(time.Duration(st.minReady) * time.Second)
}

// activePods returns the pods st counts as replicas, in slot (creation)
// order. O(pods of st).
func (st *rsState) activePods() []*cluster.Pod {
	out := make([]*cluster.Pod, 0, st.total.active)
	for _, e := range st.pods.All() {
		if e.c.active == 1 {
			out = append(out, e.pod)
		}
	}
	return out
}

// nextAvailable returns the earliest time a ready pod of st becomes
// available, dropping stale heap entries; false when none is waiting.
func (st *rsState) nextAvailable() (time.Time, bool) {
	for len(st.avail) > 0 {
		a := st.avail[0]
		if e := st.pods.Get(a.slot); e == a.e && e.waitAt.Equal(a.at) {
			return a.at, true
		}
		heap.Pop(&st.avail)
	}
	return time.Time{}, false
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for n := range m { //detlint:allow collected, then sorted
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// availEntry asks for a pod to be recounted once time passes at: the
// moment it becomes available.
type availEntry struct {
	at   time.Time
	slot uint64
	e    *podEntry
}

// availHeap orders availEntry by time, then slot.
type availHeap []availEntry

func (h availHeap) Len() int { return len(h) }
func (h availHeap) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return cmp.Less(h[i].slot, h[j].slot)
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
