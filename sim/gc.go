package sim

import (
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// PodGCName is the pod garbage collector's name in the event log.
const PodGCName = "pod-gc"

// PodGCQuarantine is how long the pod garbage collector waits after a node
// disappears before it deletes the pods bound to it (upstream's
// quarantineTime).
const PodGCQuarantine = 40 * time.Second

// PodGC is upstream's pod garbage collector for orphaned pods: PodGCQuarantine
// after it finds a pod bound to a node that does not exist (the node was
// deleted, or never existed), if the node has not appeared meanwhile, every
// pod still bound to it is marked Failed with the DisruptionTarget condition
// (reason DeletionByPodGC) and force-deleted. A pod that is being deleted
// but was never bound is force-deleted at once (upstream's
// gcUnscheduledTerminating). Upstream checks every 20 s, so it acts between
// 40 s and a little over 60 s after it first sees the orphan; the simulator
// acts at exactly 40 s. The terminated-pod threshold (12,500) and the
// out-of-service taint are not modelled. It implements Controller; it keeps
// the set of node names, O(nodes).
type PodGC struct {
	nodes map[string]bool      // the nodes that exist
	gone  map[string]time.Time // node -> when its quarantine started (zero: at the next Reconcile)
	dirty []string
	// unscheduled are pods being deleted that were never bound
	unscheduled []cluster.Key
}

// NewPodGC returns a pod garbage collector.
func NewPodGC() *PodGC { return &PodGC{nodes: map[string]bool{}, gone: map[string]time.Time{}} }

// Name returns PodGCName.
func (g *PodGC) Name() string { return PodGCName }

// Observe notes node deletions and creations, pods bound to nodes that do
// not exist, and unbound pods being deleted. O(1).
func (g *PodGC) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		if d.New == nil {
			delete(g.nodes, d.Key.Name)
			g.quarantine(d.Key.Name)
		} else {
			g.nodes[d.Key.Name] = true
			delete(g.gone, d.Key.Name)
		}
	case cluster.KindPod:
		p, _ := d.New.(*cluster.Pod)
		switch {
		case p == nil:
		case p.IsBound() && !wasBound(d.Old) && !g.nodes[p.Spec.NodeName]:
			// created or bound onto a node that does not exist
			if _, ok := g.gone[p.Spec.NodeName]; !ok {
				g.quarantine(p.Spec.NodeName)
			}
		case !p.IsBound() && p.IsTerminating():
			g.unscheduled = append(g.unscheduled, d.Key)
		}
	}
}

// wasBound reports whether o is a pod bound to a node.
func wasBound(o cluster.Object) bool {
	p, ok := o.(*cluster.Pod)
	return ok && p.IsBound()
}

// quarantine starts node's quarantine at the next Reconcile.
func (g *PodGC) quarantine(node string) {
	g.gone[node] = time.Time{}
	g.dirty = append(g.dirty, node)
}

// Wake marks the node whose quarantine ended.
func (g *PodGC) Wake(k cluster.Key) { g.dirty = append(g.dirty, k.Name) }

// Reconcile force-deletes unbound pods being deleted, starts quarantines
// and deletes the pods of nodes whose quarantine is over, in node then pod
// key order.
func (g *PodGC) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	slices.SortFunc(g.unscheduled, cluster.Key.Compare)
	for i, k := range g.unscheduled {
		if i > 0 && k == g.unscheduled[i-1] {
			continue
		}
		if p, ok := view.Pod(k.Namespace, k.Name); ok && !p.IsBound() && p.IsTerminating() {
			g.forceDelete(now, p, "", &plan)
		}
	}
	g.unscheduled = g.unscheduled[:0]
	names := takeSorted(&g.dirty)
	for _, name := range names {
		since, ok := g.gone[name]
		if !ok {
			continue // came back
		}
		if since.IsZero() {
			g.gone[name] = now
			plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: cluster.Key{Kind: cluster.KindNode, Name: name}, After: PodGCQuarantine})
			continue
		}
		if now.Before(since.Add(PodGCQuarantine)) {
			continue
		}
		delete(g.gone, name)
		if _, back := view.Node(name); back {
			continue
		}
		for p := range view.PodsOnNode(name) {
			g.forceDelete(now, p, "PodGC: node no longer exists", &plan)
		}
	}
	return plan, nil
}

// forceDelete is upstream's markFailedAndDeletePodWithCondition: a pod not
// yet terminal is marked Failed (with the DeletionByPodGC DisruptionTarget
// condition when message is set), then deleted with grace period 0.
func (g *PodGC) forceDelete(now time.Time, p *cluster.Pod, message string, plan *cluster.Plan) {
	zero := int64(0)
	if !p.IsTerminal() {
		cp := *p
		cp.Status.Conditions = slices.Clone(p.Status.Conditions)
		cp.Status.Phase = cluster.PodFailed
		if message != "" {
			cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue,
				Reason: "DeletionByPodGC", Message: message}, now)
		}
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
	}
	plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero})
}

// GarbageCollectorName is the garbage collector's name in the event log.
const GarbageCollectorName = "garbage-collector"

// GarbageCollector is the part of upstream's garbage collector that
// DaemonSets need. When a DaemonSet is deleted in the background (the
// default), its pods and ControllerRevisions are deleted (pods with their
// own grace period). With the orphan finalizer it removes the DaemonSet's
// owner reference from each dependent, then the finalizer, so the
// DaemonSet leaves and the pods stay. With foregroundDeletion it deletes
// the dependents and removes the finalizer once they are gone. Only
// controller references to DaemonSets are followed; other owner kinds are
// not collected. It implements Controller.
type GarbageCollector struct {
	gone     map[string]cluster.Key // deleted DaemonSet UID -> its key
	deleting map[string]cluster.Key // UID of a DaemonSet terminating with a finalizer -> its key
	dirty    []string               // UIDs
}

// NewGarbageCollector returns a garbage collector.
func NewGarbageCollector() *GarbageCollector {
	return &GarbageCollector{gone: map[string]cluster.Key{}, deleting: map[string]cluster.Key{}}
}

// Name returns GarbageCollectorName.
func (g *GarbageCollector) Name() string { return GarbageCollectorName }

// Observe notes DaemonSets that left or are being deleted with a
// finalizer, and dependents of foreground deletions that went away.
func (g *GarbageCollector) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindDaemonSet:
		if d.New == nil {
			uid := d.Old.Meta().UID
			g.gone[uid] = d.Key
			delete(g.deleting, uid)
			g.dirty = append(g.dirty, uid)
			return
		}
		m := d.New.Meta()
		if m.DeletionTimestamp != nil && len(m.Finalizers) > 0 {
			g.deleting[m.UID] = d.Key
			g.dirty = append(g.dirty, m.UID)
		}
	case cluster.KindPod:
		if d.New != nil {
			return
		}
		if ref := d.Old.Meta().ControllerRef(); ref != nil {
			if _, ok := g.deleting[ref.UID]; ok {
				g.dirty = append(g.dirty, ref.UID)
			}
		}
	}
}

// Wake is unused: the collector acts on observed changes only.
func (g *GarbageCollector) Wake(cluster.Key) {}

// Reconcile acts on every marked owner, in UID order.
func (g *GarbageCollector) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	for _, uid := range takeSorted(&g.dirty) {
		if k, ok := g.gone[uid]; ok {
			delete(g.gone, uid)
			g.deleteDependents(view, k.Namespace, uid, &plan)
			continue
		}
		k, ok := g.deleting[uid]
		if !ok {
			continue
		}
		ds, ok := view.DaemonSet(k.Namespace, k.Name)
		if !ok || ds.UID != uid || ds.DeletionTimestamp == nil {
			delete(g.deleting, uid)
			continue
		}
		switch {
		case slices.Contains(ds.Finalizers, cluster.FinalizerOrphanDependents):
			for p := range view.PodsControlledBy(uid) {
				cp := *p
				cp.OwnerReferences = withoutOwner(p.OwnerReferences, uid)
				plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
			}
			for r := range view.ControllerRevisions(ds.Namespace) {
				if ref := r.ControllerRef(); ref != nil && ref.UID == uid {
					cp := *r
					cp.OwnerReferences = withoutOwner(r.OwnerReferences, uid)
					plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
				}
			}
			cp := *ds
			cp.Finalizers = slices.DeleteFunc(slices.Clone(ds.Finalizers), func(f string) bool { return f == cluster.FinalizerOrphanDependents })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
		case slices.Contains(ds.Finalizers, cluster.FinalizerDeleteDependents):
			if g.deleteDependents(view, ds.Namespace, uid, &plan) > 0 {
				continue // wait until they are gone
			}
			delete(g.deleting, uid)
			cp := *ds
			cp.Finalizers = slices.DeleteFunc(slices.Clone(ds.Finalizers), func(f string) bool { return f == cluster.FinalizerDeleteDependents })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
		}
	}
	return plan, nil
}

// deleteDependents deletes the pods and revisions controlled by uid that
// are not already terminating, and returns how many dependents remain.
func (g *GarbageCollector) deleteDependents(view cluster.View, ns, uid string, plan *cluster.Plan) int {
	n := 0
	for p := range view.PodsControlledBy(uid) {
		n++
		if !p.IsTerminating() {
			plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(p)})
		}
	}
	for r := range view.ControllerRevisions(ns) {
		if ref := r.ControllerRef(); ref != nil && ref.UID == uid {
			n++
			plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(r)})
		}
	}
	return n
}

// takeSorted empties *list and returns its former contents sorted and
// without repeats.
func takeSorted(list *[]string) []string {
	out := *list
	*list = nil
	slices.Sort(out)
	return slices.Compact(out)
}

// withoutOwner returns a copy of refs without the references to uid.
func withoutOwner(refs []cluster.OwnerReference, uid string) []cluster.OwnerReference {
	return slices.DeleteFunc(slices.Clone(refs), func(r cluster.OwnerReference) bool { return r.UID == uid })
}
