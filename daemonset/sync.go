package daemonset

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

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
	st.now = now
	plan.Notes = append(plan.Notes, st.notes...)
	st.notes = nil
	if ds.Spec.Selector != nil && ds.Spec.Selector.IsEmpty() {
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonSelectingAll,
			Message: "This daemon set is selecting all pods. A non-empty selector is required."})
		return
	}
	if ds.DeletionTimestamp != nil {
		return // being deleted: no manage, no status (upstream)
	}
	if st.compiledGen != ds.Generation {
		c.compile(st)
		st.built = false
	}
	if !c.constructHistory(view, st, plan) {
		return // a hash collision: retried with the new collision count
	}
	if !st.built {
		c.rebuild(view, st)
	}
	c.claim(view, st, plan)
	c.markAvailable(now, st)

	nodes := st.dirtyNodes
	st.dirtyNodes = nil
	slices.SortFunc(nodes, func(a, b *nodeEntry) int { return cmp.Compare(a.name, b.name) })
	var creates []*nodeEntry
	var deletes []*cluster.Pod
	surge := allowsSurge(ds)
	for _, e := range nodes {
		e.dirty = false
		e.pending = false // re-evaluated below
		if e.stale {
			node, ok := view.Node(e.name)
			e.known, e.stale = ok, false
			e.shouldRun, e.shouldContinue = false, false
			if ok {
				e.shouldRun, e.shouldContinue = st.pl.shouldRun(node)
			}
		}
		if e.known {
			creates, deletes = c.podsShouldBeOnNode(now, st, e, surge, creates, deletes, plan)
		} else {
			// unscheduled pods aimed at a vanished node never get bound
			// and PodGC does not see them: delete them here
			for _, p := range e.pods {
				if !p.IsBound() {
					deletes = append(deletes, p)
				}
			}
		}
	}
	// the nodes' standing as this sync found them (the plan is not applied yet)
	var watched []*cluster.Pod // the current node's pods whose availability is awaited
	var e *nodeEntry
	watch := func(p *cluster.Pod) {
		if !slices.Contains(watched, p) {
			watched = append(watched, p)
			c.watchAvailability(now, st, e, p, plan)
		}
	}
	for _, e = range nodes {
		watched = watched[:0]
		nc := contribution(now, st, e, watch)
		st.total.add(e.contrib, -1)
		st.total.add(nc, 1)
		e.contrib = nc
		st.rs.setRoll(e, classify(now, st, e, surge, watch))
		c.trackRollout(now, st, e, nc)
	}
	done := c.syncNodes(st, view, creates, deletes, plan)
	// upstream's manage returns the error of a failed create, and a failed
	// rolling update returns its own: either ends the sync before the
	// rolling update and the history cleanup
	failed := st.failed > 0
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
		st.statusBlind = len(done.created)+len(done.deleted) > 0
		failed = c.rollingUpdate(view, st, plan)
		st.statusBlind = false
	}
	for _, e := range nodes {
		if !e.known && len(e.pods) == 0 && !e.dirty {
			delete(st.nodes, e.name)
		}
	}
	c.uncount(now, st)
	if !failed {
		c.cleanupHistory(st, plan)
	}
	c.writeStatus(st, plan)
	c.followRollout(st, plan)
	clear(st.adopted)
	st.removed, st.uncounted = st.removed[:0], st.uncounted[:0]
	if st.failed > 0 {
		// upstream returns the error and the work queue retries the key
		// with its per-item exponential backoff (5ms doubling to 1000s)
		st.failed = 0
		st.failures++
		delay := min(5*time.Millisecond<<min(st.failures-1, 30), 1000*time.Second)
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: st.key, After: delay})
	} else {
		st.failures = 0
	}
}

// followRollout starts, measures and finishes the rollout being followed.
func (c *Controller) followRollout(st *dsState, plan *cluster.Plan) {
	r := st.rollout
	if r == nil {
		return
	}
	t := st.total
	if st.rolloutPending {
		st.rolloutPending = false
		r.report.Start = st.now
		r.report.MaxUnavailable, r.report.MaxSurge, _ = MaxUnavailableAndSurge(st.ds, int(t.desired))
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonRolloutStarted,
			Message: fmt.Sprintf("rolling out revision %d (%s) to %d nodes: %d of them updated, maxUnavailable %d, maxSurge %d",
				r.report.Revision, r.report.Hash, t.desired, t.updated, r.report.MaxUnavailable, r.report.MaxSurge)})
	}
	r.report.PeakUnavailable = max(r.report.PeakUnavailable, int(t.desired-t.available))
	if t.updated >= t.desired && t.available >= t.desired {
		c.finishRollout(st, false, plan)
	}
}

// allowsSurge is upstream's AllowsSurge: a RollingUpdate whose maxSurge
// resolves to more than zero against one node.
func allowsSurge(ds *cluster.DaemonSet) bool {
	_, surge, err := MaxUnavailableAndSurge(ds, 1)
	return err == nil && surge > 0
}

// podsShouldBeOnNode is upstream's per-node decision; it appends the node
// to creates when it needs a pod and the pods to delete to deletes.
func (c *Controller) podsShouldBeOnNode(now time.Time, st *dsState, e *nodeEntry, surge bool,
	creates []*nodeEntry, deletes []*cluster.Pod, plan *cluster.Plan) ([]*nodeEntry, []*cluster.Pod) {
	ds := st.ds
	exists := len(e.pods) > 0
	switch {
	case e.shouldRun && !exists:
		creates = append(creates, e)
	case e.shouldContinue:
		var running []*cluster.Pod
		// of several failed pods the first is deleted and the backoff
		// holds the others; upstream meets the pods it owned before the
		// sync before those it adopted in it (FilterPodsByOwner), each
		// group in its cache's order, here by podLess
		pods := e.pods
		if len(pods) > 1 {
			pods = slices.SortedFunc(slices.Values(e.pods), func(a, b *cluster.Pod) int {
				if aa, ba := st.adopted[a.Name], st.adopted[b.Name]; aa != ba {
					if ba {
						return -1
					}
					return 1
				}
				return podLess(a, b)
			})
		}
		for _, p := range pods {
			if p.IsTerminating() {
				continue
			}
			switch p.Status.Phase {
			case cluster.PodFailed:
				key := fmt.Sprintf("%s/%d/%s", ds.UID, ds.Status.ObservedGeneration, e.name)
				if b, ok := c.backoff[key]; ok && now.Sub(b.lastUpdate) < b.delay {
					plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: cluster.KeyOf(p), After: b.delay})
					continue
				}
				c.backoffNext(key, now)
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedDaemonPod,
					Message: fmt.Sprintf("Found failed daemon pod %s/%s on node %s, will try to kill it", p.Namespace, p.Name, e.name)})
				deletes = append(deletes, p)
			case cluster.PodSucceeded:
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSucceededDaemonPod,
					Message: fmt.Sprintf("Found succeeded daemon pod %s/%s on node %s, will try to delete it", p.Namespace, p.Name, e.name)})
				deletes = append(deletes, p)
			default:
				running = append(running, p)
			}
		}
		slices.SortFunc(running, podLess)
		if !surge {
			if len(running) > 1 {
				deletes = append(deletes, running[1:]...)
			}
			break
		}
		if len(running) <= 1 {
			if len(running) == 0 && e.shouldRun {
				creates = append(creates, e)
			}
			break
		}
		var oldestNew, oldestOld *cluster.Pod
		for _, p := range running {
			// upstream's surge rule compares the hash label only
			if p.Labels[ControllerRevisionHashLabel] == st.hash {
				if oldestNew == nil {
					oldestNew = p
					continue
				}
			} else if oldestOld == nil {
				oldestOld = p
				continue
			}
			deletes = append(deletes, p)
		}
		if oldestNew != nil && oldestOld != nil &&
			(!oldestOld.IsReady() || oldestNew.IsAvailable(ds.Spec.MinReadySeconds, now)) {
			deletes = append(deletes, oldestOld)
		}
	case exists: // and !shouldContinue
		for _, p := range e.pods {
			if !p.IsTerminating() {
				deletes = append(deletes, p)
			}
		}
	}
	return creates, deletes
}

// backoffNext is flowcontrol.Backoff.Next without jitter: the first
// failure (or one after more than twice the maximum since the last) waits
// the initial delay, each next one twice the last, up to the maximum.
func (c *Controller) backoffNext(key string, now time.Time) {
	b, ok := c.backoff[key]
	if !ok || now.Sub(b.lastUpdate) > 2*c.cfg.BackoffMax {
		b.delay = c.cfg.BackoffInitial
	} else {
		b.delay = min(2*b.delay, c.cfg.BackoffMax)
	}
	b.lastUpdate = now
	c.backoff[key] = b
}

// syncNodes is manage's share of upstream's syncNodes: nodes found to need
// a pod join the DaemonSet's create queue, and at most BurstReplicas of
// them, oldest first, are submitted with the deletes. It returns what was
// submitted.
func (c *Controller) syncNodes(st *dsState, view cluster.View, creates []*nodeEntry, deletes []*cluster.Pod, plan *cluster.Plan) submitted {
	burst := c.cfg.BurstReplicas
	// nodes left over by the burst limit wait in a queue instead of being
	// re-evaluated at every sync, so that creating n pods costs O(n), not
	// O(n²/burst); a node that changes meanwhile is re-evaluated anyway
	for _, e := range creates {
		if !e.pending {
			e.pending = true
			st.createQueue = append(st.createQueue, e)
		}
	}
	var names []string
	for len(st.createQueue) > 0 && len(names) < burst {
		e := st.createQueue[0]
		st.createQueue[0] = nil
		st.createQueue = st.createQueue[1:]
		if e.pending {
			e.pending = false
			names = append(names, e.name)
		}
	}
	if len(st.createQueue) == 0 {
		st.createQueue = nil // let the array go
	}
	return c.submit(st, view, names, deletes, plan)
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
func (c *Controller) submit(st *dsState, view cluster.View, creates []string, deletes []*cluster.Pod, plan *cluster.Plan) submitted {
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
			p := c.newPod(view, st, node)
			err := cluster.CheckPodAdmission(view, p)
			if err == nil && c.cfg.Admit != nil {
				err = c.cfg.Admit(p)
			}
			if err != nil {
				batchFailed++
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedCreate,
					Message: "Error creating: " + err.Error()})
				c.markNode(st, node)
				continue
			}
			done.created = append(done.created, p)
			plan.Changes = append(plan.Changes, cluster.Create{Object: p, Handoff: true})
			plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulCreate,
				Message: "Created pod: " + p.Name})
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
	st.failed += failed
	deleteDiff := min(len(deletes), burst)
	for _, p := range deletes[deleteDiff:] {
		if node, err := TargetNodeName(p); err == nil {
			c.markNode(st, node) // where putPod filed it
		}
	}
	for _, p := range deletes[:deleteDiff] {
		done.deleted = append(done.deleted, p)
		if afterDelete(st.now, p) == nil {
			// it leaves at once: upstream's later steps, which list
			// the pods again, no longer see it
			if _, err := TargetNodeName(p); err == nil && p.Labels[ControllerRevisionHashLabel] != "" {
				h := p.Labels[ControllerRevisionHashLabel]
				st.removed = append(st.removed, h)
				st.history.hashGone = true
			}
			if st.adopted[p.Name] && !st.statusBlind {
				st.uncounted = append(st.uncounted, p)
			}
		}
		if st.rollout != nil && !isPodUpdated(p, st.hash, st.gen) {
			st.rollout.report.Replaced++
		}
		plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(p)})
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulDelete,
			Message: "Deleted pod: " + p.Name})
	}
	return done
}

// uncount takes out of the status counters the orphans this sync adopted
// and then deleted at once: upstream's status step claims them again, and
// the adoption, against a pod no longer there, fails. Their nodes are
// marked, so the next sync counts them from what it observes.
func (c *Controller) uncount(now time.Time, st *dsState) {
	var touched []*nodeEntry
	var left [][]*cluster.Pod // touched[i]'s pods without the uncounted ones
	for _, p := range st.uncounted {
		node, err := TargetNodeName(p)
		e := st.nodes[node]
		if err != nil || e == nil {
			continue
		}
		i := slices.Index(touched, e)
		if i < 0 {
			touched, left = append(touched, e), append(left, slices.Clone(e.pods))
			i = len(touched) - 1
		}
		left[i] = slices.DeleteFunc(left[i], func(q *cluster.Pod) bool { return q.Name == p.Name })
	}
	for i, e := range touched {
		virtual := *e
		virtual.pods = left[i]
		nc := contribution(now, st, &virtual, func(*cluster.Pod) {})
		st.total.add(e.contrib, -1)
		st.total.add(nc, 1)
		e.contrib = nc
		c.markEntry(st, e)
	}
}

// afterDelete is pod p as the store keeps it after a Delete with no grace
// period given (cluster.Delete): nil when it leaves at once (unbound,
// terminal, or a grace period of 0, and no finalizers), else a copy
// terminating at now + its grace period.
func afterDelete(now time.Time, p *cluster.Pod) *cluster.Pod {
	grace := p.DeletionGracePeriod(nil)
	if grace == 0 && len(p.Finalizers) == 0 {
		return nil
	}
	q := *p
	if grace > 0 || q.DeletionTimestamp == nil {
		at := now.Add(time.Duration(grace) * time.Second)
		q.DeletionTimestamp = &at
	}
	q.DeletionGracePeriodSeconds = &grace
	return &q
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
	for _, t := range ts {
		virtual := *t.e
		virtual.pods = t.pods
		st.rs.setRoll(t.e, classify(now, st, &virtual, surge, func(*cluster.Pod) {}))
		c.markEntry(st, t.e)
	}
}

// newPod makes the pod for node from the template (which carries the
// controller reference): a generated name not taken in view and the
// node-name affinity.
func (c *Controller) newPod(view cluster.View, st *dsState, node string) *cluster.Pod {
	p := *st.tmpl
	for {
		st.seq++
		p.Name = podName(st.ds, st.seq)
		if _, taken := view.Pod(p.Namespace, p.Name); !taken {
			break
		}
	}
	p.Spec.Affinity = ReplaceNodeNameAffinity(st.tmpl.Spec.Affinity, node)
	return &p
}

func controllerRef(ds *cluster.DaemonSet) cluster.OwnerReference {
	t := true
	return cluster.OwnerReference{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// claim adopts marked orphans that match the selector and releases owned
// pods that no longer do (upstream's ClaimPods), by updating their owner
// references. An adopted pod counts as the DaemonSet's at once.
func (c *Controller) claim(view cluster.View, st *dsState, plan *cluster.Plan) {
	if len(st.claims) == 0 {
		return
	}
	names := make([]string, 0, len(st.claims))
	for n := range st.claims { //detlint:allow collected, then sorted
		names = append(names, n)
	}
	clear(st.claims)
	slices.Sort(names)
	for _, name := range names {
		p, ok := view.Pod(st.key.Namespace, name)
		if !ok {
			continue
		}
		ref := p.ControllerRef()
		matches := st.sel.Matches(p.Labels)
		switch {
		case ref == nil && matches && !p.IsTerminating():
			cp := *p
			cp.OwnerReferences = append(slices.Clone(p.OwnerReferences), controllerRef(st.ds))
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: p.ResourceVersion})
			slot, _ := view.PodSlot(p.Namespace, p.Name)
			c.putPod(st, &cp, slot)
			if st.adopted == nil {
				st.adopted = map[string]bool{}
			}
			st.adopted[p.Name] = true
		case ref != nil && ref.UID == st.ds.UID && !matches:
			cp := *p
			cp.OwnerReferences = slices.DeleteFunc(slices.Clone(p.OwnerReferences), func(r cluster.OwnerReference) bool { return r.UID == st.ds.UID })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: p.ResourceVersion})
			slot, _ := view.PodSlot(p.Namespace, p.Name)
			c.removePod(st, slot)
		}
	}
}

// contribution is what node entry e adds to the status counters
// (upstream's updateDaemonSetStatus, per node). A pod that is ready but not
// yet available is passed to watch.
func contribution(now time.Time, st *dsState, e *nodeEntry, watch func(*cluster.Pod)) counts {
	var out counts
	if !e.known {
		return out
	}
	if !e.shouldRun {
		if len(e.pods) > 0 {
			out.misscheduled = 1
		}
		return out
	}
	out.desired = 1
	if len(e.pods) == 0 {
		return out
	}
	out.current = 1
	first := slices.MinFunc(e.pods, podLess)
	if first.IsReady() {
		out.ready = 1
		if first.IsAvailable(st.ds.Spec.MinReadySeconds, now) {
			out.available = 1
		} else {
			watch(first)
		}
	}
	if isPodUpdated(first, st.hash, st.gen) {
		out.updated = 1
	}
	return out
}

// writeStatus plans a status write when a counter differs from the stored
// status or the generation has not been observed yet.
func (c *Controller) writeStatus(st *dsState, plan *cluster.Plan) {
	ds, t := st.ds, st.total
	s := ds.Status
	if s.DesiredNumberScheduled == t.desired && s.CurrentNumberScheduled == t.current &&
		s.NumberMisscheduled == t.misscheduled && s.NumberReady == t.ready &&
		s.UpdatedNumberScheduled == t.updated && s.NumberAvailable == t.available &&
		s.NumberUnavailable == t.desired-t.available && s.ObservedGeneration >= ds.Generation {
		return
	}
	cp := *ds
	cp.Status.DesiredNumberScheduled = t.desired
	cp.Status.CurrentNumberScheduled = t.current
	cp.Status.NumberMisscheduled = t.misscheduled
	cp.Status.NumberReady = t.ready
	cp.Status.UpdatedNumberScheduled = t.updated
	cp.Status.NumberAvailable = t.available
	cp.Status.NumberUnavailable = t.desired - t.available
	cp.Status.ObservedGeneration = ds.Generation
	plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
}

// ComputeStatus recounts ds's status counters from view the way upstream's
// updateDaemonSetStatus does, over every node and every pod of ds, with the
// current revision's hash (CurrentHash): the reference the controller's
// incremental counters must equal. It sets
// ObservedGeneration to ds.Generation and keeps the rest of ds.Status.
// Cost: O(nodes + pods of ds).
func ComputeStatus(view cluster.View, ds *cluster.DaemonSet, now time.Time) cluster.DaemonSetStatus {
	pl := newPlacement(ds)
	hash := CurrentHash(view, ds)
	gen := templateGenerationLabel(ds)
	sel, _ := selector.LabelSelectorAsSelector(ds.Spec.Selector)
	byNode := map[string][]*cluster.Pod{}
	for p := range view.PodsControlledBy(ds.UID) {
		if (p.IsTerminal() && p.IsTerminating()) || !sel.Matches(p.Labels) {
			continue // a pod that no longer matches is released, not counted
		}
		if n, err := TargetNodeName(p); err == nil {
			byNode[n] = append(byNode[n], p)
		}
	}
	var t counts
	for n := range view.Nodes() {
		shouldRun, _ := pl.shouldRun(n)
		pods := byNode[n.Name]
		if !shouldRun {
			if len(pods) > 0 {
				t.misscheduled++
			}
			continue
		}
		t.desired++
		if len(pods) == 0 {
			continue
		}
		t.current++
		first := slices.MinFunc(pods, podLess)
		if first.IsReady() {
			t.ready++
			if first.IsAvailable(ds.Spec.MinReadySeconds, now) {
				t.available++
			}
		}
		if isPodUpdated(first, hash, gen) {
			t.updated++
		}
	}
	s := ds.Status
	s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberMisscheduled = t.desired, t.current, t.misscheduled
	s.NumberReady, s.NumberAvailable, s.UpdatedNumberScheduled = t.ready, t.available, t.updated
	s.NumberUnavailable = t.desired - t.available
	s.ObservedGeneration = ds.Generation
	return s
}
