package daemonset

// The decisions: functions of their arguments that read the cache (node
// entries, the rolling-update aggregates) but never write it, and return
// what to do. The sync (sync.go) feeds them and files their results.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// compiled is a DaemonSet's spec as the decisions read it, for one
// generation: the selector, the placement, the template generation label
// and the template patch a matching ControllerRevision holds.
type compiled struct {
	generation int64 // -1: never compiled
	sel        selector.Selector
	pl         *placement
	gen        string // the pod-template-generation label value, "" for none
	patch      []byte
}

// compileSpec compiles ds's spec. O(template).
func compileSpec(ds *cluster.DaemonSet) compiled {
	sel, _ := selector.LabelSelectorAsSelector(ds.Spec.Selector)
	return compiled{generation: ds.Generation, sel: sel, pl: newPlacement(ds),
		gen: templateGenerationLabel(ds), patch: templatePatch(&ds.Spec.Template)}
}

// target is what a sync compares a DaemonSet's pods with: the current
// revision's hash, the template generation label and minReadySeconds.
type target struct {
	hash, gen string
	minReady  int32
}

// placement is a DaemonSet's pod template compiled for NodeShouldRunDaemonPod:
// what decides which nodes run its pods. It is immutable once built.
type placement struct {
	nodeName     string
	nodeSelector selector.Set
	affinity     *selector.LazyErrorNodeSelector
	tolerations  []taints.Toleration
}

func newPlacement(ds *cluster.DaemonSet) *placement {
	spec := &ds.Spec.Template.Spec
	pl := &placement{
		nodeName:     spec.NodeName,
		nodeSelector: spec.NodeSelector,
		tolerations:  AddDaemonPodTolerations(spec.Tolerations, spec.HostNetwork),
	}
	if a := spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		pl.affinity = selector.NewLazyErrorNodeSelector(a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution)
	}
	return pl
}

// shouldRun is NodeShouldRunDaemonPod on the compiled template.
func (pl *placement) shouldRun(node *cluster.Node) (shouldRun, shouldContinueRunning bool) {
	if pl.nodeName != "" && pl.nodeName != node.Name {
		return false, false
	}
	for k, v := range pl.nodeSelector { //detlint:allow every entry must match; order cannot change the result
		if got, ok := node.Labels[k]; !ok || got != v {
			return false, false
		}
	}
	if pl.affinity != nil {
		if ok, _ := pl.affinity.Match(node.Name, node.Labels); !ok {
			return false, false
		}
	}
	if _, untolerated := taints.FindUntolerated(node.Spec.Taints, pl.tolerations, taints.DoNotScheduleFilter); !untolerated {
		return true, true
	}
	_, noExecute := taints.FindUntolerated(node.Spec.Taints, pl.tolerations, taints.NoExecuteFilter)
	return false, !noExecute
}

// NodeShouldRunDaemonPod reports whether ds should place a new pod on node
// (shouldRun) and whether a pod already there may stay
// (shouldContinueRunning), with upstream's three predicates only: the
// template's nodeName, its nodeSelector and required node affinity, and the
// node's NoSchedule and NoExecute taints against the template's tolerations
// plus the default daemon tolerations. An untolerated NoSchedule taint
// gives (false, true): an existing pod stays, no new one comes; an
// untolerated NoExecute taint gives (false, false). Resources, host ports,
// cordoning and readiness are the scheduler's business and are not looked
// at. Cost: O(template affinity + node labels and taints).
func NodeShouldRunDaemonPod(node *cluster.Node, ds *cluster.DaemonSet) (shouldRun, shouldContinueRunning bool) {
	return newPlacement(ds).shouldRun(node)
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

func controllerRef(ds *cluster.DaemonSet) cluster.OwnerReference {
	t := true
	return cluster.OwnerReference{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &t, BlockOwnerDeletion: &t}
}

// backoffEntry is the failed-pod backoff of one (DaemonSet, generation,
// node) key.
type backoffEntry struct {
	delay      time.Duration
	lastUpdate time.Time
}

// backoffKey is the failed-pod backoff's key for ds's pods on node:
// upstream's, the DaemonSet's UID, observed generation and the node.
func backoffKey(ds *cluster.DaemonSet, node string) string {
	return fmt.Sprintf("%s/%d/%s", ds.UID, ds.Status.ObservedGeneration, node)
}

// nextBackoff is flowcontrol.Backoff.Next without jitter: the first
// failure (b not ok, or one more than twice the maximum after the last)
// waits the initial delay, each next one twice the last, up to the maximum.
func nextBackoff(b backoffEntry, ok bool, now time.Time, initial, maxDelay time.Duration) backoffEntry {
	if !ok || now.Sub(b.lastUpdate) > 2*maxDelay {
		b.delay = initial
	} else {
		b.delay = min(2*b.delay, maxDelay)
	}
	b.lastUpdate = now
	return b
}

// failuresDelay is the work queue's per-item backoff after failures
// consecutive syncs with failed creates: 5 ms doubling to 1000 s.
func failuresDelay(failures int) time.Duration {
	return min(5*time.Millisecond<<min(failures-1, 30), 1000*time.Second)
}

// nodeRules are what podsShouldBeOnNode applies to a node's pods: the
// DaemonSet, the revision they are compared with, whether it surges, the
// pods adopted in the sync under way (met after the others), and the
// failed-pod backoff table (read only) with its bounds.
type nodeRules struct {
	ds      *cluster.DaemonSet
	target  target
	surge   bool
	adopted map[string]bool
	backoff map[string]backoffEntry
	// initial and max bound the failed-pod backoff
	initial, max time.Duration
}

// backoffUpdate is a failed-pod backoff entry to store: podsShouldBeOnNode
// deleted a failed pod under key. The zero value stores nothing.
type backoffUpdate struct {
	key   string
	entry backoffEntry
}

// podsShouldBeOnNode is upstream's per-node decision for node entry e
// (which it only reads): whether the node needs a new pod, and the pods to
// delete, appended to deletes; its notes and wake-ups go to plan. Pods
// being deleted are skipped. A Failed pod is deleted (FailedDaemonPod)
// unless the node's backoff holds, and then waits for it (a wake-up); the
// first one deleted advances the backoff (the returned update), which then
// holds the others. A Succeeded pod is deleted (SucceededDaemonPod). Of
// the running pods the oldest (podLess) is kept; with surge, the oldest of
// the current revision and the oldest older one, and that older one goes
// once the new one is available (or the old one is not ready). Where the
// daemon may no longer run, every pod not being deleted goes.
// Cost: O(pods on the node · log).
func podsShouldBeOnNode(now time.Time, r *nodeRules, e *nodeEntry, deletes []*cluster.Pod,
	plan *cluster.Plan) (create bool, _ []*cluster.Pod, bu backoffUpdate) {
	ds := r.ds
	key := cluster.KeyOf(ds)
	exists := len(e.pods) > 0
	switch {
	case e.shouldRun && !exists:
		create = true
	case e.shouldContinue:
		var running []*cluster.Pod
		// of several failed pods the first is deleted and the backoff
		// holds the others; upstream meets the pods it owned before the
		// sync before those it adopted in it (FilterPodsByOwner), each
		// group in its cache's order, here by podLess
		pods := e.pods
		if len(pods) > 1 {
			pods = slices.SortedFunc(slices.Values(e.pods), func(a, b *cluster.Pod) int {
				if aa, ba := r.adopted[a.Name], r.adopted[b.Name]; aa != ba {
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
				k := backoffKey(ds, e.name)
				b, ok := r.backoff[k]
				if bu.key == k {
					b, ok = bu.entry, true // advanced by an earlier failed pod of this node
				}
				if ok && now.Sub(b.lastUpdate) < b.delay {
					plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: cluster.KeyOf(p), After: b.delay})
					continue
				}
				bu = backoffUpdate{key: k, entry: nextBackoff(b, ok, now, r.initial, r.max)}
				plan.Notes = append(plan.Notes, cluster.Note{Object: key, Type: cluster.NoteWarning, Reason: ReasonFailedDaemonPod,
					Message: fmt.Sprintf("Found failed daemon pod %s/%s on node %s, will try to kill it", p.Namespace, p.Name, e.name)})
				deletes = append(deletes, p)
			case cluster.PodSucceeded:
				plan.Notes = append(plan.Notes, cluster.Note{Object: key, Type: cluster.NoteNormal, Reason: ReasonSucceededDaemonPod,
					Message: fmt.Sprintf("Found succeeded daemon pod %s/%s on node %s, will try to delete it", p.Namespace, p.Name, e.name)})
				deletes = append(deletes, p)
			default:
				running = append(running, p)
			}
		}
		slices.SortFunc(running, podLess)
		if !r.surge {
			if len(running) > 1 {
				deletes = append(deletes, running[1:]...)
			}
			break
		}
		if len(running) <= 1 {
			if len(running) == 0 && e.shouldRun {
				create = true
			}
			break
		}
		var oldestNew, oldestOld *cluster.Pod
		for _, p := range running {
			// upstream's surge rule compares the hash label only
			if p.Labels[ControllerRevisionHashLabel] == r.target.hash {
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
			(!oldestOld.IsReady() || oldestNew.IsAvailable(r.target.minReady, now)) {
			deletes = append(deletes, oldestOld)
		}
	case exists: // and !shouldContinue
		for _, p := range e.pods {
			if !p.IsTerminating() {
				deletes = append(deletes, p)
			}
		}
	}
	return create, deletes, bu
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

// contribution is what node entry e adds to the status counters
// (upstream's updateDaemonSetStatus, per node), its pods compared with
// tg. A pod that is ready but not yet available is passed to watch.
func contribution(now time.Time, tg target, e *nodeEntry, watch func(*cluster.Pod)) counts {
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
		if first.IsAvailable(tg.minReady, now) {
			out.available = 1
		} else {
			watch(first)
		}
	}
	if isPodUpdated(first, tg.hash, tg.gen) {
		out.updated = 1
	}
	return out
}

// statusUpdate returns ds with its status counters set to t and the
// generation observed, for a status write, or nil when the stored status
// already says so.
func statusUpdate(ds *cluster.DaemonSet, t counts) *cluster.DaemonSet {
	s := ds.Status
	if s.DesiredNumberScheduled == t.desired && s.CurrentNumberScheduled == t.current &&
		s.NumberMisscheduled == t.misscheduled && s.NumberReady == t.ready &&
		s.UpdatedNumberScheduled == t.updated && s.NumberAvailable == t.available &&
		s.NumberUnavailable == t.desired-t.available && s.ObservedGeneration >= ds.Generation {
		return nil
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
	return &cp
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

// rollKind is what a rolling update may do on one node.
type rollKind uint8

const (
	rkNone rollKind = iota
	// rkNow: without surge, delete the old pod (it is unavailable, so it
	// is replaced outside the budget); with surge, create a new pod beside
	// the unavailable old one.
	rkNow
	// rkBudget: the node's only pod is old and available: without surge,
	// delete it within maxUnavailable; with surge, create a new pod beside
	// it within maxSurge.
	rkBudget
	// rkDeleteOld (surge): delete the old pod now (its new pod is
	// available, or it is unavailable on a node that should not run it).
	rkDeleteOld
	// rkShouldNotRun (surge): an available old pod on a node that should no
	// longer run the daemon, deleted only while availability stays above
	// desired.
	rkShouldNotRun
	// rkVanished (surge): an old pod aimed at a node that no longer exists;
	// upstream's node lookup fails and the rolling update stops.
	rkVanished
	numRollKinds
)

// roll is one node's part in a rolling update, computed when the node is
// synced from its pods as they were at the start of that sync.
type roll struct {
	kind rollKind
	// unavailable counts toward numUnavailable (no surge) or numSurge
	// (surge); available toward the surge path's numAvailable.
	unavailable, available bool
	old                    *cluster.Pod // the old pod kind concerns
}

// classify computes e's roll as upstream's rollingUpdate sees the node,
// its pods compared with tg: findUpdatedPodsOnNode (terminating pods
// ignored; more than one new or more than one old pod is "not ok"), then
// the no-surge or the surge rules. A node takes part when it has pods or
// should run the daemon. watch is called with every pod whose availability
// decides the result and will change with time.
func classify(now time.Time, tg target, e *nodeEntry, surge bool, watch func(*cluster.Pod)) roll {
	if len(e.pods) == 0 && !(e.known && e.shouldRun) {
		return roll{}
	}
	var newPod, oldPod *cluster.Pod
	ok := true
	for _, p := range e.pods {
		if p.IsTerminating() {
			continue
		}
		if isPodUpdated(p, tg.hash, tg.gen) {
			ok = ok && newPod == nil
			newPod = p
		} else {
			ok = ok && oldPod == nil
			oldPod = p
		}
	}
	if !ok {
		return roll{unavailable: true} // manage prunes the extra pods
	}
	avail := func(p *cluster.Pod) bool {
		a := p.IsAvailable(tg.minReady, now)
		if !a && p.IsReady() {
			watch(p)
		}
		return a
	}
	if !surge {
		switch {
		case oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
			return roll{unavailable: true} // manage creates or prunes
		case newPod != nil:
			return roll{unavailable: !avail(newPod)}
		case !avail(oldPod):
			return roll{kind: rkNow, unavailable: true, old: oldPod}
		default:
			return roll{kind: rkBudget, old: oldPod}
		}
	}
	var r roll
	if oldPod != nil {
		r.available = avail(oldPod)
	} else if newPod != nil {
		r.available = avail(newPod)
	}
	switch {
	case oldPod == nil:
	case newPod == nil:
		r.old = oldPod
		switch {
		case !e.known:
			r.kind = rkVanished
		case !r.available && !e.shouldRun:
			r.kind = rkDeleteOld
		case !r.available:
			r.kind = rkNow
		case !e.shouldRun:
			r.kind = rkShouldNotRun
		default:
			r.kind = rkBudget
		}
	case !avail(newPod):
		r.unavailable = true // waiting for the new pod
	default:
		r.kind, r.old = rkDeleteOld, oldPod
	}
	return r
}

// MaxUnavailableAndSurge resolves a DaemonSet's rolling-update bounds
// against desired nodes as upstream's updatedDesiredNodeCounts does:
// percentages rounded up, non-RollingUpdate strategies 0, and when desired
// is positive and both come to 0, maxUnavailable 1. An error names a value
// that is not an integer or a percentage (validation prevents it).
func MaxUnavailableAndSurge(ds *cluster.DaemonSet, desired int) (maxUnavailable, maxSurge int, err error) {
	us := ds.Spec.UpdateStrategy
	if us.Type == cluster.RollingUpdateDaemonSetStrategyType && us.RollingUpdate != nil {
		if v := us.RollingUpdate.MaxUnavailable; v != nil {
			if maxUnavailable, err = v.ScaledValue(desired, true); err != nil {
				return 0, 0, fmt.Errorf("invalid value for MaxUnavailable: %w", err)
			}
		}
		if v := us.RollingUpdate.MaxSurge; v != nil {
			if maxSurge, err = v.ScaledValue(desired, true); err != nil {
				return 0, 0, fmt.Errorf("invalid value for MaxSurge: %w", err)
			}
		}
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		maxUnavailable = 1
	}
	return maxUnavailable, maxSurge, nil
}

// allowsSurge is upstream's AllowsSurge: a RollingUpdate whose maxSurge
// resolves to more than zero against one node.
func allowsSurge(ds *cluster.DaemonSet) bool {
	_, surge, err := MaxUnavailableAndSurge(ds, 1)
	return err == nil && surge > 0
}

// rollingUpdateChoice is upstream's rollingUpdate on the aggregates rs,
// for desired nodes, its pods compared with tg: the nodes to create a pod
// on and the pods to delete. Without surge: every unavailable old pod, and
// the first maxUnavailable-numUnavailable available old pods by node name;
// the replacements are created by the next syncs. With surge: a new pod
// beside every unavailable old pod and beside the first maxSurge-numSurge
// available ones by node name, the old pods whose new pod is available (or
// that are unavailable where the daemon should no longer run), and the
// available old pods on such nodes only while more pods are available than
// desired. A surge DaemonSet with no desired nodes takes the no-surge path
// with maxUnavailable 0, as upstream. It fails, with the message of a
// RollingUpdateFailed note, on a bad maxUnavailable or maxSurge and, with
// surge, on an old pod on a vanished node (upstream's failed node lookup);
// nodes is every node entry, read on that path only.
// Cost: O(pods chosen · log nodes).
func rollingUpdateChoice(ds *cluster.DaemonSet, tg target, desired int, rs *rollSets,
	nodes map[string]*nodeEntry) (creates []string, deletes []*cluster.Pod, failure string) {
	maxUnavailable, maxSurge, err := MaxUnavailableAndSurge(ds, desired)
	if err != nil {
		return nil, nil, err.Error()
	}
	if !allowsSurge(ds) {
		for _, e := range rs.first(rkNow, rs.sets[rkNow].Len()) {
			deletes = append(deletes, e.roll.old)
		}
		for _, e := range rs.first(rkBudget, maxUnavailable-rs.unavailable) {
			deletes = append(deletes, e.roll.old)
		}
		return nil, deletes, ""
	}
	if maxSurge == 0 {
		for _, e := range rs.first(rkDeleteOld, rs.sets[rkDeleteOld].Len()) {
			if !slices.ContainsFunc(e.pods, func(p *cluster.Pod) bool { return !p.IsTerminating() && isPodUpdated(p, tg.hash, tg.gen) }) {
				deletes = append(deletes, e.roll.old) // an old pod alone, unavailable
			}
		}
		if rs.vanished > 0 {
			for _, e := range sortedEntries(nodes) {
				if e.roll.kind == rkVanished && !e.roll.available {
					deletes = append(deletes, e.roll.old)
				}
			}
		}
		return nil, deletes, ""
	}
	if rs.vanished > 0 {
		// upstream's node lookup fails for the node, and the whole rolling
		// update with it, until pod GC removes the pod
		return nil, nil, fmt.Sprintf("%d old pods are on nodes that no longer exist; waiting for them to be garbage collected", rs.vanished)
	}
	for _, e := range rs.first(rkDeleteOld, rs.sets[rkDeleteOld].Len()) {
		deletes = append(deletes, e.roll.old)
	}
	for _, e := range rs.first(rkShouldNotRun, rs.available-desired) {
		deletes = append(deletes, e.roll.old)
	}
	for _, e := range rs.first(rkNow, rs.sets[rkNow].Len()) {
		creates = append(creates, e.name)
	}
	for _, e := range rs.first(rkBudget, maxSurge-rs.unavailable) {
		creates = append(creates, e.name)
	}
	return creates, deletes, ""
}

// sortedEntries returns the node entries by name. O(n log n); for the
// rare paths that need every entry.
func sortedEntries(nodes map[string]*nodeEntry) []*nodeEntry {
	out := make([]*nodeEntry, 0, len(nodes))
	for _, e := range nodes { //detlint:allow collected, then sorted by name
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *nodeEntry) int { return strings.Compare(a.name, b.name) })
	return out
}
