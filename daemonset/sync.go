package daemonset

// The sync: one DaemonSet's upstream syncDaemonSet, restricted to its
// marked nodes. It refreshes the cache, asks the decisions, files what
// they return in the cache and the controller's work, and plans it.

import (
	"cmp"
	"container/heap"
	"iter"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// pass is one sync of one DaemonSet under way: what its steps tell each
// other, none of it kept once the sync ends. The controller reuses one.
type pass struct {
	now  time.Time
	view cluster.View
	st   *dsState
	plan *cluster.Plan
	// rules are podsShouldBeOnNode's, for this sync
	rules nodeRules
	// the orphans this sync adopted, and what its deletes remove at once
	// (the pods that leave the store without a grace period): their
	// revision hashes (for cleanupHistory) and the adopted ones among them
	// (for the status)
	adopted     map[string]bool
	removed     []string
	uncounted   []*cluster.Pod
	statusBlind bool // the status does not see the deletes being submitted
	failed      int  // failed creates
}

// begin resets the controller's pass for a sync of st.
func (c *Controller) begin(now time.Time, view cluster.View, st *dsState, plan *cluster.Plan) *pass {
	p := &c.pass
	clear(p.adopted)
	p.now, p.view, p.st, p.plan = now, view, st, plan
	p.rules = nodeRules{}
	p.removed, p.uncounted = p.removed[:0], p.uncounted[:0]
	p.statusBlind, p.failed = false, 0
	return p
}

// sync is upstream's syncDaemonSet for one DaemonSet, restricted to its
// marked nodes: claim pods, construct the revision history, decide per node
// (podsShouldBeOnNode), submit creates and deletes within the burst limit
// with slow start, then, when that changed nothing, run the rolling update
// on the aggregates; prune the history, and write the status when a
// counter or the observed generation changed.
func (c *Controller) sync(now time.Time, view cluster.View, st *dsState, plan *cluster.Plan) {
	ds, ok := view.DaemonSet(st.key.Namespace, st.key.Name)
	if !ok || ds.UID != st.ds.UID {
		return
	}
	st.ds = ds
	plan.Notes = append(plan.Notes, st.work.notes...)
	st.work.notes = nil
	if ds.Spec.Selector != nil && ds.Spec.Selector.IsEmpty() {
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonSelectingAll,
			Message: "This daemon set is selecting all pods. A non-empty selector is required."})
		return
	}
	if ds.DeletionTimestamp != nil {
		return // being deleted: no manage, no status (upstream)
	}
	p := c.begin(now, view, st, plan)
	if st.spec.generation != ds.Generation {
		st.spec = compileSpec(ds)
		st.built = false
	}
	if !c.constructHistory(p) {
		return // a hash collision: retried with the new collision count
	}
	if !st.built {
		c.rebuild(view, st)
	}
	c.claim(p)
	c.markAvailable(now, st)

	nodes := st.work.dirtyNodes
	st.work.dirtyNodes = nil
	slices.SortFunc(nodes, func(a, b *nodeEntry) int { return cmp.Compare(a.name, b.name) })
	var creates []*nodeEntry
	var deletes []*cluster.Pod
	surge := allowsSurge(ds)
	p.rules = nodeRules{ds: ds, target: st.target(), surge: surge, adopted: p.adopted, backoff: c.backoff,
		initial: c.cfg.BackoffInitial, max: c.cfg.BackoffMax}
	for _, e := range nodes {
		e.dirty = false
		e.pending = false // re-evaluated below
		if e.stale {
			node, ok := view.Node(e.name)
			e.known, e.stale = ok, false
			e.shouldRun, e.shouldContinue = false, false
			if ok {
				e.shouldRun, e.shouldContinue = st.spec.pl.shouldRun(node)
			}
		}
		if e.known {
			var create bool
			var bu backoffUpdate
			create, deletes, bu = podsShouldBeOnNode(now, &p.rules, e, deletes, plan)
			if create {
				creates = append(creates, e)
			}
			if bu.key != "" {
				c.backoff[bu.key] = bu.entry
			}
		} else {
			// unscheduled pods aimed at a vanished node never get bound
			// and PodGC does not see them: delete them here
			for _, q := range e.pods {
				if !q.IsBound() {
					deletes = append(deletes, q)
				}
			}
		}
	}
	// the nodes' standing as this sync found them (the plan is not applied yet)
	tg := p.rules.target
	var watched []*cluster.Pod // the current node's pods whose availability is awaited
	var e *nodeEntry
	watch := func(q *cluster.Pod) {
		if !slices.Contains(watched, q) {
			watched = append(watched, q)
			c.watchAvailability(now, st, e, q, plan)
		}
	}
	for _, e = range nodes {
		watched = watched[:0]
		nc := contribution(now, tg, e, watch)
		st.total.add(e.contrib, -1)
		st.total.add(nc, 1)
		e.contrib = nc
		st.rs.setRoll(e, classify(now, tg, e, surge, watch))
	}
	done := c.syncNodes(p, creates, deletes)
	// upstream's manage returns the error of a failed create, and a failed
	// rolling update returns its own: either ends the sync before the
	// rolling update and the history cleanup
	failed := p.failed > 0
	if !failed && ds.Spec.UpdateStrategy.Type == cluster.RollingUpdateDaemonSetStrategyType {
		// upstream runs the rolling update when manage's expectations are
		// met, and manage's own creates and deletes are observed at once
		// (its unit tests' pod control; a real controller's informer
		// usually too): the rolling update sees the nodes as manage left
		// them
		c.afterManage(now, st, done, surge)
		// the status counts what a sync with an unsynced cache finds,
		// where the rolling update follows a manage that acted only at the
		// next sync: so only its deletes after a manage that did nothing
		// uncount the orphans they remove
		p.statusBlind = len(done.created)+len(done.deleted) > 0
		failed = c.rollingUpdate(p)
		p.statusBlind = false
	}
	for _, e := range nodes {
		if !e.known && len(e.pods) == 0 && !e.dirty {
			delete(st.nodes, e.name)
		}
	}
	c.uncount(p)
	if !failed {
		c.cleanupHistory(p)
	}
	if cp := statusUpdate(st.ds, st.total); cp != nil {
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: cp, Handoff: true})
	}
	if p.failed > 0 {
		// upstream returns the error and the work queue retries the key
		// with its per-item exponential backoff (5ms doubling to 1000s)
		st.work.failures++
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: st.key, After: failuresDelay(st.work.failures)})
	} else {
		st.work.failures = 0
	}
}

// constructHistory runs decideHistory when a revision, the spec or the
// collision count changed, and files the outcome in the cache: the old
// revisions, a prune at this sync, and the current hash (a new one
// reloads the DaemonSet). It returns false when the sync must stop.
func (c *Controller) constructHistory(p *pass) bool {
	st := p.st
	h := &st.history
	if !h.dirty {
		return true
	}
	d := decideHistory(p.view, st.ds, st.spec.sel, st.spec.patch, c.claimed(p.view, st), p.plan)
	if d.cur == nil {
		return false
	}
	h.dirty = false
	h.hashGone = true // prune at this sync (or the next, after a relabelling)
	h.old = d.old
	if hash := revisionHash(d.cur); hash != st.hash {
		st.hash = hash
		st.built = false // every pod's standing changes: reload
	}
	// after a relabelling, upstream's later steps would see the pods' old
	// labels; wait for the new ones to be observed instead
	return !d.relabelled
}

// claimed yields the pods upstream's getDaemonPods claims for st: its own
// that match the selector, then the orphans it would adopt (matching, not
// being deleted), each with whether it is adopted.
func (c *Controller) claimed(view cluster.View, st *dsState) iter.Seq2[*cluster.Pod, bool] {
	return func(yield func(*cluster.Pod, bool) bool) {
		for p := range view.PodsControlledBy(st.ds.UID) {
			if c.ownerOf(p) == st && st.spec.sel.Matches(p.Labels) && !yield(p, false) {
				return
			}
		}
		for _, p := range sortedPods(c.orphans[st.key.Namespace]) {
			if st.spec.sel.Matches(p.Labels) && !p.IsTerminating() && !yield(p, true) {
				return
			}
		}
	}
}

// cleanupHistory deletes the revisions pruneHistory picks, when the
// revisions were recomputed or a hash lost its last pod: a revision is
// live while a pod still filed carries its hash and is not removed by
// this sync.
func (c *Controller) cleanupHistory(p *pass) {
	st := p.st
	h := &st.history
	if !h.hashGone {
		return
	}
	h.hashGone = false
	limit := DefaultRevisionHistoryLimit
	if l := st.ds.Spec.RevisionHistoryLimit; l != nil {
		limit = int(*l)
	}
	live := func(hash string) bool { return st.hashes[hash]-countOf(p.removed, hash) > 0 }
	for _, cr := range pruneHistory(h.old, limit, live) {
		p.plan.Changes = append(p.plan.Changes, cluster.Delete{Key: cluster.KeyOf(cr)})
	}
}

// syncNodes is manage's share of upstream's syncNodes: nodes found to need
// a pod join the DaemonSet's create queue, and at most BurstReplicas of
// them, oldest first, are submitted with the deletes. It returns what was
// submitted.
func (c *Controller) syncNodes(p *pass, creates []*nodeEntry, deletes []*cluster.Pod) submitted {
	st := p.st
	burst := c.cfg.BurstReplicas
	// nodes left over by the burst limit wait in a queue instead of being
	// re-evaluated at every sync, so that creating n pods costs O(n), not
	// O(n²/burst); a node that changes meanwhile is re-evaluated anyway
	for _, e := range creates {
		if !e.pending {
			e.pending = true
			st.work.createQueue = append(st.work.createQueue, e)
		}
	}
	var names []string
	for len(st.work.createQueue) > 0 && len(names) < burst {
		e := st.work.createQueue[0]
		st.work.createQueue[0] = nil
		st.work.createQueue = st.work.createQueue[1:]
		if e.pending {
			e.pending = false
			names = append(names, e.name)
		}
	}
	if len(st.work.createQueue) == 0 {
		st.work.createQueue = nil // let the array go
	}
	return c.submit(p, names, deletes)
}

// submitted is what one syncNodes call planned: the pods it creates and
// the pods it deletes.
type submitted struct {
	created, deleted []*cluster.Pod
}

// submit is upstream's syncNodes: at most BurstReplicas creates, in
// slow-start batches of 1, 2, 4, ... that stop after the first batch with
// a failed create (FailedCreate; the DaemonSet is retried with the work
// queue's backoff), and at most BurstReplicas deletes. Nodes left over are
// marked for the next sync. It returns the pods it creates and deletes.
func (c *Controller) submit(p *pass, creates []string, deletes []*cluster.Pod) submitted {
	st, view, plan := p.st, p.view, p.plan
	burst := c.cfg.BurstReplicas
	var done submitted
	createDiff := min(len(creates), burst)
	for _, node := range creates[createDiff:] {
		c.markNode(st, node)
	}
	failed := 0
	batch := min(createDiff, SlowStartInitialBatchSize)
	for pos := 0; pos < createDiff; {
		batchFailed := 0
		for _, node := range creates[pos : pos+batch] {
			q := c.newPod(view, st, node)
			err := cluster.CheckPodAdmission(view, q)
			if err == nil && c.cfg.Admit != nil {
				err = c.cfg.Admit(q)
			}
			if err != nil {
				batchFailed++
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedCreate,
					Message: "Error creating: " + err.Error()})
				c.markNode(st, node)
				continue
			}
			done.created = append(done.created, q)
			plan.Changes = append(plan.Changes, cluster.Create{Object: q, Handoff: true})
			plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulCreate,
				Message: "Created pod: " + q.Name})
		}
		failed += batchFailed
		pos += batch
		if batchFailed > 0 {
			for _, node := range creates[pos:createDiff] {
				c.markNode(st, node) // never attempted: the next sync retries
			}
			break
		}
		batch = min(2*batch, createDiff-pos)
	}
	p.failed += failed
	deleteDiff := min(len(deletes), burst)
	for _, q := range deletes[deleteDiff:] {
		if node, err := TargetNodeName(q); err == nil {
			c.markNode(st, node) // where putPod filed it
		}
	}
	for _, q := range deletes[:deleteDiff] {
		done.deleted = append(done.deleted, q)
		if afterDelete(p.now, q) == nil {
			// it leaves at once: upstream's later steps, which list
			// the pods again, no longer see it
			if _, err := TargetNodeName(q); err == nil && q.Labels[ControllerRevisionHashLabel] != "" {
				h := q.Labels[ControllerRevisionHashLabel]
				p.removed = append(p.removed, h)
				st.history.hashGone = true
			}
			if p.adopted[q.Name] && !p.statusBlind {
				p.uncounted = append(p.uncounted, q)
			}
		}
		plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(q)})
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulDelete,
			Message: "Deleted pod: " + q.Name})
	}
	return done
}

// rollingUpdate submits what rollingUpdateChoice picks on st's aggregates
// (a RollingUpdateFailed note instead when it fails). It reports whether
// it failed, as upstream's returns an error, which skips the history
// cleanup. Cost: O(pods it acts on · log nodes).
func (c *Controller) rollingUpdate(p *pass) (failed bool) {
	st := p.st
	creates, deletes, failure := rollingUpdateChoice(st.ds, st.target(), int(st.total.desired), &st.rs, st.nodes)
	if failure != "" {
		p.plan.Notes = append(p.plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonRollingUpdateFailed, Message: failure})
		return true
	}
	_ = c.submit(p, creates, deletes)
	return false
}

// uncount takes out of the status counters the orphans this sync adopted
// and then deleted at once: upstream's status step claims them again, and
// the adoption, against a pod no longer there, fails. Their nodes are
// marked, so the next sync counts them from what it observes.
func (c *Controller) uncount(p *pass) {
	st := p.st
	var touched []*nodeEntry
	var left [][]*cluster.Pod // touched[i]'s pods without the uncounted ones
	for _, q := range p.uncounted {
		node, err := TargetNodeName(q)
		e := st.nodes[node]
		if err != nil || e == nil {
			continue
		}
		i := slices.Index(touched, e)
		if i < 0 {
			touched, left = append(touched, e), append(left, slices.Clone(e.pods))
			i = len(touched) - 1
		}
		left[i] = slices.DeleteFunc(left[i], func(r *cluster.Pod) bool { return r.Name == q.Name })
	}
	for i, e := range touched {
		virtual := *e
		virtual.pods = left[i]
		nc := contribution(p.now, st.target(), &virtual, func(*cluster.Pod) {})
		st.total.add(e.contrib, -1)
		st.total.add(nc, 1)
		e.contrib = nc
		c.markEntry(st, e)
	}
}

// afterManage reclassifies, for the rolling update, the nodes whose pods
// manage created or deleted, as if those changes were already observed: a
// deleted pod is gone, or terminating where the API server keeps it for its
// grace period (afterDelete), and a created one is there, not yet ready. Only the rolling-update sets change; the
// nodes are marked, so the next sync classifies them again from the pods
// it observes. Cost: O(pods submitted · log nodes).
func (c *Controller) afterManage(now time.Time, st *dsState, done submitted, surge bool) {
	if len(done.created)+len(done.deleted) == 0 {
		return
	}
	type touched struct {
		e    *nodeEntry
		pods []*cluster.Pod
	}
	var ts []touched
	at := func(p *cluster.Pod) *touched {
		node, err := TargetNodeName(p)
		if err != nil {
			return nil
		}
		e := st.nodes[node]
		if e == nil {
			return nil
		}
		for i := range ts {
			if ts[i].e == e {
				return &ts[i]
			}
		}
		ts = append(ts, touched{e: e, pods: slices.Clone(e.pods)})
		return &ts[len(ts)-1]
	}
	for _, p := range done.deleted {
		if t := at(p); t != nil {
			i := slices.IndexFunc(t.pods, func(q *cluster.Pod) bool { return q.Name == p.Name })
			if i < 0 {
				continue
			}
			if q := afterDelete(now, p); q != nil {
				t.pods[i] = q
			} else {
				t.pods = slices.Delete(t.pods, i, i+1)
			}
		}
	}
	for _, p := range done.created {
		if t := at(p); t != nil {
			t.pods = append(t.pods, p)
		}
	}
	tg := st.target()
	for _, t := range ts {
		virtual := *t.e
		virtual.pods = t.pods
		st.rs.setRoll(t.e, classify(now, tg, &virtual, surge, func(*cluster.Pod) {}))
		c.markEntry(st, t.e)
	}
}

// newPod makes the pod for node from the template (which carries the
// controller reference): a generated name not taken in view and the
// node-name affinity.
func (c *Controller) newPod(view cluster.View, st *dsState, node string) *cluster.Pod {
	p := *st.tmpl
	for {
		st.work.seq++
		p.Name = podName(st.ds, st.work.seq)
		if _, taken := view.Pod(p.Namespace, p.Name); !taken {
			break
		}
	}
	p.Spec.Affinity = ReplaceNodeNameAffinity(st.tmpl.Spec.Affinity, node)
	return &p
}

// claim adopts marked orphans that match the selector and releases owned
// pods that no longer do (upstream's ClaimPods), by updating their owner
// references. An adopted pod counts as the DaemonSet's at once.
func (c *Controller) claim(p *pass) {
	st, view, plan := p.st, p.view, p.plan
	claims := st.work.claims
	if len(claims) == 0 {
		return
	}
	names := make([]string, 0, len(claims))
	for n := range claims { //detlint:allow collected, then sorted
		names = append(names, n)
	}
	clear(claims)
	slices.Sort(names)
	for _, name := range names {
		q, ok := view.Pod(st.key.Namespace, name)
		if !ok {
			continue
		}
		ref := q.ControllerRef()
		matches := st.spec.sel.Matches(q.Labels)
		switch {
		case ref == nil && matches && !q.IsTerminating():
			cp := *q
			cp.OwnerReferences = append(slices.Clone(q.OwnerReferences), controllerRef(st.ds))
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: q.ResourceVersion})
			slot, _ := view.PodSlot(q.Namespace, q.Name)
			c.putPod(st, &cp, slot)
			if p.adopted == nil {
				p.adopted = map[string]bool{}
			}
			p.adopted[q.Name] = true
		case ref != nil && ref.UID == st.ds.UID && !matches:
			cp := *q
			cp.OwnerReferences = slices.DeleteFunc(slices.Clone(q.OwnerReferences), func(r cluster.OwnerReference) bool { return r.UID == st.ds.UID })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: q.ResourceVersion})
			slot, _ := view.PodSlot(q.Namespace, q.Name)
			c.removePod(st, slot)
		}
	}
}

// watchAvailability asks for e to be synced when ready pod p becomes
// available: at the first sync from its ready time + minReadySeconds on
// (so every node's standing is current whenever the DaemonSet syncs), and
// with an engine wake-up at that instant, when upstream's status requeue
// (minReadySeconds after a sync that found the pod ready but not available)
// comes back.
func (c *Controller) watchAvailability(now time.Time, st *dsState, e *nodeEntry, p *cluster.Pod, plan *cluster.Plan) {
	cond, _ := p.Condition(cluster.PodReady)
	if cond.LastTransitionTime.IsZero() {
		return
	}
	at := cond.LastTransitionTime.Add(time.Duration(st.ds.Spec.MinReadySeconds) * time.Second)
	heap.Push(&st.avail, availEntry{at: at, node: e})
	plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: cluster.KeyOf(p), After: max(at.Sub(now), 0)})
}

// markAvailable marks the nodes whose pods have become available by now
// (ready time + minReadySeconds at or before now).
func (c *Controller) markAvailable(now time.Time, st *dsState) {
	for len(st.avail) > 0 && !st.avail[0].at.After(now) {
		e := heap.Pop(&st.avail).(availEntry).node
		if st.nodes[e.name] == e {
			c.markNode(st, e.name)
		}
	}
}
