package replicaset

// The sync: one ReplicaSet's upstream syncReplicaSet. It brings the cache
// to the sync's instant, claims pods, creates or deletes within the burst
// limit when the expectations are met, and writes the status.

import (
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// sync is upstream's syncReplicaSet for st at now: claim (adopt matching
// orphans, release owned pods that no longer match), then, when the
// expectations are met and the ReplicaSet is not being deleted,
// manageReplicas, then the status as the claimed pods were found.
func (c *Controller) sync(now time.Time, view cluster.View, st *rsState, plan *cluster.Plan) {
	rs, ok := view.ReplicaSet(st.key.Namespace, st.key.Name)
	if !ok || rs.UID != st.uid {
		return
	}
	st.rs = rs
	if st.selErr != nil {
		return // upstream returns at once: a selector that does not convert matches nothing
	}
	st.compile()
	satisfied := st.exp.satisfied(now)
	c.claim(view, st, plan)
	st.refresh(now)
	found := st.total // the claimed pods as this sync found them: the status counts these
	var manageErr error
	diff := 0
	if satisfied && rs.DeletionTimestamp == nil {
		diff, manageErr = c.manage(now, view, st, plan)
	}
	status := newStatus(now, rs, found, manageErr, diff)
	if status != nil {
		cp := &cluster.ReplicaSet{ObjectMeta: rs.ObjectMeta, Spec: rs.Spec, Status: *status}
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: cp, Handoff: true})
	}
	if manageErr != nil {
		// upstream returns the error and the work queue retries the key
		// with its per-item exponential backoff (5ms doubling to 1000s)
		st.failures++
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: st.key, After: failuresDelay(st.failures)})
		return
	}
	st.failures = 0
	ready, available := rs.Status.ReadyReplicas, rs.Status.AvailableReplicas
	if status != nil {
		ready, available = status.ReadyReplicas, status.AvailableReplicas
	}
	if rs.Spec.MinReadySeconds > 0 && ready != available {
		// upstream's FindMinNextPodAvailabilityCheck, falling back to
		// minReadySeconds
		after := time.Duration(rs.Spec.MinReadySeconds) * time.Second
		if at, ok := st.nextAvailable(); ok {
			after = max(at.Sub(now), 0)
		}
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: st.key, After: after})
	}
}

func failuresDelay(failures int) time.Duration {
	return min(5*time.Millisecond<<min(failures-1, 30), 1000*time.Second)
}

// claim adopts the marked orphans that match the selector and releases the
// owned pods that no longer do (upstream's ClaimPods over the active pods),
// by updating their owner references; nothing is adopted or released while
// the ReplicaSet is being deleted. An adopted pod counts as the
// ReplicaSet's at once. An orphan another ReplicaSet adopts in the same
// round is left to it (upstream's second adoption would fail: a pod has
// one controller). O(marked pods · log pods).
func (c *Controller) claim(view cluster.View, st *rsState, plan *cluster.Plan) {
	if len(st.claims) == 0 {
		return
	}
	names := sortedNames(st.claims)
	clear(st.claims)
	if st.rs.DeletionTimestamp != nil {
		return
	}
	for _, name := range names {
		q, ok := view.Pod(st.key.Namespace, name)
		if !ok || !isPodActive(q) {
			continue
		}
		ref := q.ControllerRef()
		matches := st.sel.Matches(q.Labels)
		slot, _ := view.PodSlot(q.Namespace, q.Name)
		switch {
		case ref == nil && matches:
			if len(c.adopting[slot]) > 0 {
				continue
			}
			cp := *q
			cp.OwnerReferences = append(slices.Clone(q.OwnerReferences), controllerRef(st.rs))
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: q.ResourceVersion})
			c.putPod(st, &cp, slot)
			c.adopting[slot] = append(c.adopting[slot], st)
		case ref != nil && ref.UID == st.uid && !matches:
			cp := *q
			cp.OwnerReferences = slices.DeleteFunc(slices.Clone(q.OwnerReferences), func(r cluster.OwnerReference) bool { return r.UID == st.uid })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: q.ResourceVersion})
		}
	}
}

// manage is upstream's manageReplicas: diff = active pods − spec.replicas;
// below zero, create min(−diff, burst) pods in slow-start batches; above,
// delete min(diff, burst) pods in getPodsToDelete's order. It returns diff
// and the error of the first failed create of the batch that failed.
func (c *Controller) manage(now time.Time, view cluster.View, st *rsState, plan *cluster.Plan) (int, error) {
	diff := int(st.total.active) - int(st.rs.ReplicasValue())
	burst := c.cfg.BurstReplicas
	switch {
	case diff < 0:
		n := min(-diff, burst)
		st.exp = expectations{set: true, add: n, at: now}
		successes := 0
		var firstErr error
		for pos, batch := 0, min(n, SlowStartInitialBatchSize); batch > 0; batch = min(2*batch, n-pos) {
			var batchErr error
			for range batch {
				q := c.newPod(view, st)
				err := cluster.CheckPodAdmission(view, q)
				if err == nil && c.cfg.Admit != nil {
					err = c.cfg.Admit(q)
				}
				if err != nil {
					plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonFailedCreate,
						Message: "Error creating: " + err.Error()})
					if batchErr == nil {
						batchErr = err
					}
					continue
				}
				successes++
				plan.Changes = append(plan.Changes, cluster.Create{Object: q, Handoff: true})
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulCreate,
					Message: "Created pod: " + q.Name})
			}
			pos += batch
			if batchErr != nil {
				firstErr = batchErr
				break
			}
		}
		// the creates never tried, and the failed ones, will not be observed
		st.exp.add -= n - successes
		return diff, firstErr
	case diff > 0:
		n := min(diff, burst)
		victims := podsToDelete(now, view, c.related(st), st.activePods(), n)
		st.exp = expectations{set: true, del: make(map[string]bool, len(victims)), at: now}
		for _, q := range victims {
			st.exp.del[q.Name] = true
			plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(q)})
			plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonSuccessfulDelete,
				Message: "Deleted pod: " + q.Name})
		}
	}
	return diff, nil
}

// related returns the ReplicaSets whose pods rank st's pods when scaling
// down: every ReplicaSet with the same controller as st (st included), in
// key order; none when st has no controller (upstream's
// getReplicaSetsWithSameController).
func (c *Controller) related(st *rsState) []*rsState {
	if st.owner == "" {
		return nil
	}
	return c.groups[st.owner]
}

// newStatus is upstream's calculateStatus and the check before its status
// write: the new status, or nil when the stored one is the same and has
// observed the ReplicaSet's generation.
func newStatus(now time.Time, rs *cluster.ReplicaSet, t counts, manageErr error, diff int) *cluster.ReplicaSetStatus {
	s := rs.Status
	s.Conditions = slices.Clone(rs.Status.Conditions)
	i := slices.IndexFunc(s.Conditions, func(c cluster.ReplicaSetCondition) bool { return c.Type == cluster.ReplicaSetReplicaFailure })
	switch {
	case manageErr != nil && i < 0:
		reason := ""
		if diff < 0 {
			reason = ReasonFailedCreate
		} else if diff > 0 {
			reason = ReasonFailedDelete
		}
		s.Conditions = append(s.Conditions, cluster.ReplicaSetCondition{Type: cluster.ReplicaSetReplicaFailure,
			Status: cluster.ConditionTrue, LastTransitionTime: now, Reason: reason, Message: manageErr.Error()})
	case manageErr == nil && i >= 0:
		s.Conditions = slices.Delete(s.Conditions, i, i+1)
	}
	if len(s.Conditions) == 0 {
		s.Conditions = nil
	}
	s.Replicas = t.active
	s.FullyLabeledReplicas = t.labeled
	s.ReadyReplicas = t.ready
	s.AvailableReplicas = t.available
	term := t.terminating
	s.TerminatingReplicas = &term
	old := rs.Status
	if old.Replicas == s.Replicas && old.FullyLabeledReplicas == s.FullyLabeledReplicas &&
		old.ReadyReplicas == s.ReadyReplicas && old.AvailableReplicas == s.AvailableReplicas &&
		old.TerminatingReplicas != nil && *old.TerminatingReplicas == term &&
		rs.Generation == old.ObservedGeneration && slices.Equal(old.Conditions, s.Conditions) {
		return nil
	}
	s.ObservedGeneration = rs.Generation
	return &s
}

// newTemplatePod returns the pod every create of rs copies: the template's
// labels, annotations, finalizers and spec, the namespace and the
// controller reference (upstream's GetPodFromTemplate). Its maps and
// slices are shared by the pods made from it; stored objects are never
// modified, and the slices have no spare capacity, so an append by
// admission copies.
func newTemplatePod(rs *cluster.ReplicaSet) *cluster.Pod {
	t := rs.Spec.Template.DeepCopy()
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: rs.Namespace, Labels: t.Labels, Annotations: t.Annotations,
		Finalizers: slices.Clip(t.Finalizers)}, Spec: t.Spec}
	p.Spec.Tolerations = slices.Clip(p.Spec.Tolerations)
	p.Spec.Containers = slices.Clip(p.Spec.Containers)
	p.Spec.InitContainers = slices.Clip(p.Spec.InitContainers)
	p.OwnerReferences = []cluster.OwnerReference{controllerRef(rs)}
	return p
}

// newPod makes the next pod of st from its template, with a generated name
// not taken in view.
func (c *Controller) newPod(view cluster.View, st *rsState) *cluster.Pod {
	p := *st.tmpl
	for {
		st.seq++
		p.Name = PodName(st.rs, st.seq)
		if _, taken := view.Pod(p.Namespace, p.Name); !taken {
			break
		}
	}
	return &p
}

// PodName returns the seq-th generated name for rs's pods:
// cluster.GeneratedName with the ReplicaSet's name and a dash (a counter
// from an offset taken from the UID where the API server draws at random;
// see there). The controller skips a name that is taken. O(1).
func PodName(rs *cluster.ReplicaSet, seq uint64) string {
	return cluster.GeneratedName(rs.Name+"-", rs.UID, seq)
}
