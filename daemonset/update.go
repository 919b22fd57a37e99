package daemonset

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
)

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

// classify computes e's roll as upstream's rollingUpdate sees the node:
// findUpdatedPodsOnNode (terminating pods ignored; more than one new or
// more than one old pod is "not ok"), then the no-surge or the surge rules.
// A node takes part when it has pods or should run the daemon. watch is
// called with every pod whose availability decides the result and will
// change with time.
func classify(now time.Time, st *dsState, e *nodeEntry, surge bool, watch func(*cluster.Pod)) roll {
	if len(e.pods) == 0 && !(e.known && e.shouldRun) {
		return roll{}
	}
	mr := st.ds.Spec.MinReadySeconds
	var newPod, oldPod *cluster.Pod
	ok := true
	for _, p := range e.pods {
		if p.IsTerminating() {
			continue
		}
		if isPodUpdated(p, st.hash, st.gen) {
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
		a := p.IsAvailable(mr, now)
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

// rollingUpdate is upstream's rollingUpdate on the aggregates. Without
// surge: delete every unavailable old pod, and the first
// maxUnavailable-numUnavailable available old pods by node name; the
// replacements are created by the next syncs. With surge: create a new pod
// beside every unavailable old pod and beside the first
// maxSurge-numSurge available ones by node name, delete old pods whose new
// pod is available (or that are unavailable where the daemon should no
// longer run), and delete available old pods on such nodes only while more
// pods are available than desired. It reports whether it failed (a bad
// maxUnavailable or maxSurge, or an old pod on a vanished node), as
// upstream's returns an error, which skips the history cleanup.
// Cost: O(pods it acts on · log nodes).
func (c *Controller) rollingUpdate(view cluster.View, st *dsState, plan *cluster.Plan) (failed bool) {
	rs := &st.rs
	desired := int(st.total.desired)
	maxUnavailable, maxSurge, err := MaxUnavailableAndSurge(st.ds, desired)
	if err != nil {
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonRollingUpdateFailed, Message: err.Error()})
		return true
	}
	var creates []string
	var deletes []*cluster.Pod
	if !allowsSurge(st.ds) {
		for _, e := range rs.first(rkNow, rs.sets[rkNow].Len()) {
			deletes = append(deletes, e.roll.old)
		}
		for _, e := range rs.first(rkBudget, maxUnavailable-rs.unavailable) {
			deletes = append(deletes, e.roll.old)
		}
		_ = c.submit(st, view, nil, deletes, plan)
		return false
	}
	if maxSurge == 0 {
		// a surge DaemonSet with no desired nodes: upstream takes the
		// no-surge path with maxUnavailable 0, deleting the old pods that
		// are unavailable
		for _, e := range rs.first(rkDeleteOld, rs.sets[rkDeleteOld].Len()) {
			if !slices.ContainsFunc(e.pods, func(p *cluster.Pod) bool { return !p.IsTerminating() && isPodUpdated(p, st.hash, st.gen) }) {
				deletes = append(deletes, e.roll.old) // an old pod alone, unavailable
			}
		}
		if rs.vanished > 0 {
			for _, e := range sortedEntries(st) {
				if e.roll.kind == rkVanished && !e.roll.available {
					deletes = append(deletes, e.roll.old)
				}
			}
		}
		_ = c.submit(st, view, nil, deletes, plan)
		return false
	}
	if rs.vanished > 0 {
		// upstream's node lookup fails for the node, and the whole rolling
		// update with it, until pod GC removes the pod
		plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteWarning, Reason: ReasonRollingUpdateFailed,
			Message: fmt.Sprintf("%d old pods are on nodes that no longer exist; waiting for them to be garbage collected", rs.vanished)})
		return true
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
	_ = c.submit(st, view, creates, deletes, plan)
	return false
}

// sortedEntries returns st's node entries by name. O(n log n); for the
// rare paths that need every entry.
func sortedEntries(st *dsState) []*nodeEntry {
	out := make([]*nodeEntry, 0, len(st.nodes))
	for _, e := range st.nodes { //detlint:allow collected, then sorted by name
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b *nodeEntry) int { return strings.Compare(a.name, b.name) })
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

// rolloutState follows one rollout: from the sync that found a new current
// revision to the one that finds every desired node updated and available.
type rolloutState struct {
	report RolloutReport
	down   map[string]time.Time // desired nodes without a ready pod -> since
}

// RolloutReport describes one rollout of a DaemonSet: from the sync that
// found a new current revision (a template change, a rollback, or a new
// DaemonSet beside adopted older revisions) to the
// sync that found every desired node running an updated, available pod
// (kubectl's "successfully rolled out"), or to the next rollout that
// superseded it.
type RolloutReport struct {
	// Revision and Hash name the revision rolled out.
	Revision int64
	Hash     string
	// Start and End are virtual times; End is zero while it runs.
	Start, End time.Time
	// Superseded is set when a newer revision started before this one
	// finished.
	Superseded bool
	// MaxUnavailable and MaxSurge are the bounds resolved at the start.
	MaxUnavailable, MaxSurge int
	// PeakUnavailable is the most desired nodes without an available pod
	// (status.numberUnavailable) at any sync of the rollout.
	PeakUnavailable int
	// Replaced counts the pods of older revisions the controller deleted.
	Replaced int
	// Downtime is, per node that spent time without a ready daemon pod
	// while the rollout ran, how long it did, by node name.
	Downtime []NodeDowntime
}

// NodeDowntime is the time one node spent without a ready daemon pod.
type NodeDowntime struct {
	Node     string
	Duration time.Duration
}

// Duration is End - Start (0 while the rollout runs).
func (r *RolloutReport) Duration() time.Duration {
	if r.End.IsZero() {
		return 0
	}
	return r.End.Sub(r.Start)
}

// DowntimeStats returns the total, mean and maximum downtime over the
// nodes that had any.
func (r *RolloutReport) DowntimeStats() (total, mean, maxd time.Duration) {
	for _, d := range r.Downtime {
		total += d.Duration
		maxd = max(maxd, d.Duration)
	}
	if len(r.Downtime) > 0 {
		mean = total / time.Duration(len(r.Downtime))
	}
	return total, mean, maxd
}

// String renders the figures on one line: the summary, then each node's
// downtime by name. It is the RolloutFinished note's message.
func (r *RolloutReport) String() string {
	total, mean, maxd := r.DowntimeStats()
	var b strings.Builder
	fmt.Fprintf(&b, "revision %d (%s)", r.Revision, r.Hash)
	if r.Superseded {
		b.WriteString(" superseded")
	} else {
		b.WriteString(" rolled out")
	}
	fmt.Fprintf(&b, " in %s, from %s to %s: maxUnavailable %d, maxSurge %d, peak unavailable %d, %d pods replaced, %d nodes without a ready pod (mean %s, max %s, total %s)",
		r.Duration(), r.Start.Format(time.RFC3339Nano), r.End.Format(time.RFC3339Nano),
		r.MaxUnavailable, r.MaxSurge, r.PeakUnavailable, r.Replaced, len(r.Downtime), mean, maxd, total)
	for i, d := range r.Downtime {
		if i == 0 {
			b.WriteString("; per node:")
		}
		fmt.Fprintf(&b, " %s %s", d.Node, d.Duration)
	}
	return b.String()
}

// startRollout begins following the rollout of cur; a rollout still
// running is reported as superseded.
func (c *Controller) startRollout(st *dsState, cur *cluster.ControllerRevision) {
	if st.rollout != nil {
		c.finishRollout(st, true, nil)
	}
	st.rollout = &rolloutState{report: RolloutReport{Revision: cur.Revision, Hash: revisionHash(cur)}, down: map[string]time.Time{}}
	st.rolloutPending = true
}

// trackRollout updates the downtime of node e after a sync computed its
// contribution nc.
func (c *Controller) trackRollout(now time.Time, st *dsState, e *nodeEntry, nc counts) {
	r := st.rollout
	if r == nil {
		return
	}
	down := nc.desired == 1 && nc.ready == 0
	since, was := r.down[e.name]
	switch {
	case down && !was:
		r.down[e.name] = now
	case !down && was:
		delete(r.down, e.name)
		r.report.Downtime = addDowntime(r.report.Downtime, e.name, now.Sub(since))
	}
}

// reportAt returns the report as of now: a copy whose Downtime includes
// the time nodes still without a ready pod have spent so far.
func (r *rolloutState) reportAt(now time.Time) RolloutReport {
	out := r.report
	out.Downtime = slices.Clone(r.report.Downtime)
	for n, since := range r.down { //detlint:allow each node adds to its own entry
		out.Downtime = addDowntime(out.Downtime, n, now.Sub(since))
	}
	return out
}

// addDowntime adds d to node's entry in dt (sorted by node), inserting
// the entry when missing, and returns dt.
func addDowntime(dt []NodeDowntime, node string, d time.Duration) []NodeDowntime {
	i, found := slices.BinarySearchFunc(dt, node, func(x NodeDowntime, n string) int { return strings.Compare(x.Node, n) })
	if !found {
		dt = slices.Insert(dt, i, NodeDowntime{Node: node})
	}
	dt[i].Duration += d
	return dt
}

// finishRollout closes the rollout: open downtime ends now, the report is
// kept and noted.
func (c *Controller) finishRollout(st *dsState, superseded bool, plan *cluster.Plan) {
	report := st.rollout.reportAt(st.now)
	st.rollout = nil
	report.End = st.now
	report.Superseded = superseded
	st.reports = append(st.reports, report)
	note := cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonRolloutFinished, Message: report.String()}
	if plan != nil {
		plan.Notes = append(plan.Notes, note)
	} else {
		st.notes = append(st.notes, note)
	}
}

// Rollouts returns the reports of the DaemonSet's rollouts seen by this
// controller, oldest first, the one still running (End zero) last. The
// slice is new; the reports' Downtime slices are shared and must not be
// modified. O(rollouts + nodes of the running one).
func (c *Controller) Rollouts(namespace, name string) []RolloutReport {
	st := c.sets[cluster.Key{Kind: cluster.KindDaemonSet, Namespace: namespace, Name: name}]
	if st == nil {
		return nil
	}
	out := slices.Clone(st.reports)
	if r := st.rollout; r != nil {
		out = append(out, r.reportAt(st.now))
	}
	return out
}

// RolloutStatus is `kubectl rollout status daemonset/<name>` for one look
// at ds (kubectl's DaemonSetStatusViewer): the message, and whether the
// rollout is done. Only the RollingUpdate strategy has a status; OnDelete
// gives kubectl's error.
func RolloutStatus(ds *cluster.DaemonSet) (string, bool, error) {
	if ds.Spec.UpdateStrategy.Type != cluster.RollingUpdateDaemonSetStrategyType {
		return "", true, fmt.Errorf("rollout status is only available for %s strategy type", cluster.RollingUpdateDaemonSetStrategyType)
	}
	s := ds.Status
	if ds.Generation <= s.ObservedGeneration {
		if s.UpdatedNumberScheduled < s.DesiredNumberScheduled {
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...\n", ds.Name, s.UpdatedNumberScheduled, s.DesiredNumberScheduled), false, nil
		}
		if s.NumberAvailable < s.DesiredNumberScheduled {
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...\n", ds.Name, s.NumberAvailable, s.DesiredNumberScheduled), false, nil
		}
		return fmt.Sprintf("daemon set %q successfully rolled out\n", ds.Name), true, nil
	}
	return "Waiting for daemon set spec update to be observed...\n", false, nil
}
