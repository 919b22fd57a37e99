package report

import (
	"maps"
	"reflect"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/taints"
)

// The per-node coverage: for each DaemonSet and each node it has seen, the
// time the node was eligible (daemonset.NodeShouldRunDaemonPod's
// shouldRun) without an available pod of the DaemonSet on it. A pod is
// available from its Ready condition's lastTransitionTime plus the
// DaemonSet's minReadySeconds (cluster.Pod.IsAvailable) while it stays
// Ready and not terminal; the observer needs no wake-up for that instant,
// since nothing else changes before it: a settled interval [since, until)
// of a node whose earliest available instant is a counts min(until, a) −
// since uncovered (or nothing, if a is at or before since).

// nodeCov is one (DaemonSet, node) pair. The live fields follow the
// changes; the settled ones hold from since and are set from the live
// ones at the round that follows a change.
type nodeCov struct {
	// live: the DaemonSet's pods on the node that are Ready and not
	// terminal (one, two during a surge), and the node's eligibility.
	ready    []readyPod
	eligible bool
	// settled
	settledEligible bool
	available       bool      // a settled pod is or becomes available,
	availableAt     time.Time // from then on
	since           time.Time
	started         bool
	touched         bool // queued in Observer.covTouched
	// uncovered is the settled uncovered time of epoch; an entry of an
	// older epoch (before a Reset) counts from the Reset with none.
	uncovered time.Duration
	epoch     int
}

// readyPod is a Ready pod by its slot and Ready transition time.
type readyPod struct {
	slot uint64
	at   time.Time
}

// covKey names a nodeCov: a DaemonSet index and a node index.
type covKey struct{ ds, node int32 }

// nodeIndex returns name's node index, assigning the next one to a name
// not seen before. O(1) amortised.
func (o *Observer) nodeIndex(name string) int32 {
	if i, ok := o.nodeIdx[name]; ok {
		return i
	}
	i := int32(len(o.nodeNames))
	o.nodeIdx[name] = i
	o.nodeNames = append(o.nodeNames, name)
	o.nodeObjs = append(o.nodeObjs, nil)
	return i
}

// cov returns the entry of (ds, node), made with the current epoch if new.
func (o *Observer) cov(ds, node int32) *nodeCov {
	s := o.ds[ds]
	for int(node) >= len(s.nodes) {
		s.nodes = append(s.nodes, nodeCov{epoch: o.epoch})
	}
	return &s.nodes[node]
}

// touchCov queues (ds, node) to be settled at the next round, once.
func (o *Observer) touchCov(ds, node int32) {
	if e := o.cov(ds, node); !e.touched {
		e.touched = true
		o.covTouched = append(o.covTouched, covKey{ds, node})
	}
}

// eligible is shouldRun for ds on the node of index node (false when
// either is gone or not seen).
func (o *Observer) eligible(s *dsStats, node int32) bool {
	n := o.nodeObjs[node]
	if s.obj == nil || n == nil {
		return false
	}
	shouldRun, _ := daemonset.NodeShouldRunDaemonPod(n, s.obj)
	return shouldRun
}

// setEligible sets the live eligibility of (ds, node), queuing the entry
// when it changes.
func (o *Observer) setEligible(ds, node int32, v bool) {
	if e := o.cov(ds, node); e.eligible != v {
		e.eligible = v
		o.touchCov(ds, node)
	}
}

// placementChanged reports whether a DaemonSet change may change which
// nodes are eligible (reevaluate) or when its pods are available
// (retouch): a create or a delete does both; a spec change (a new
// metadata.generation: the store bumps it on every spec change, a status
// write keeps it) reevaluates when the template's placement fields
// (nodeName, nodeSelector, affinity, tolerations, hostNetwork) differ and
// retouches when minReadySeconds does. A new image changes neither.
func placementChanged(old, n *cluster.DaemonSet) (reevaluate, retouch bool) {
	if old == nil || n == nil {
		return true, true
	}
	if old.Generation == n.Generation {
		return false, false
	}
	a, b := &old.Spec.Template.Spec, &n.Spec.Template.Spec
	reevaluate = a.NodeName != b.NodeName || !maps.Equal(a.NodeSelector, b.NodeSelector) || a.HostNetwork != b.HostNetwork ||
		!reflect.DeepEqual(a.Affinity, b.Affinity) || !reflect.DeepEqual(a.Tolerations, b.Tolerations)
	return reevaluate, old.Spec.MinReadySeconds != n.Spec.MinReadySeconds
}

// daemonSetCoverage follows a DaemonSet change for the per-node coverage.
// A create, a delete or a spec change of the placement evaluates every
// node seen again, and a change of minReadySeconds queues every entry (its
// pods' availability moved): O(nodes seen), rare. A status write, or a
// spec change of anything else (a rollout's new image), costs O(1).
func (o *Observer) daemonSetCoverage(i int, old, n *cluster.DaemonSet) {
	s := o.ds[i]
	s.obj = n
	reevaluate, retouch := placementChanged(old, n)
	if reevaluate {
		s.tols = nil
		if n != nil {
			s.tols = daemonset.AddDaemonPodTolerations(n.Spec.Template.Spec.Tolerations, n.Spec.Template.Spec.HostNetwork)
		}
	}
	for node := range o.nodeObjs {
		if !reevaluate && !retouch {
			break
		}
		if reevaluate {
			o.setEligible(int32(i), int32(node), o.eligible(s, int32(node)))
		}
		if retouch {
			o.touchCov(int32(i), int32(node))
		}
	}
}

// sameTaint reports whether two taints are the same to placement: key,
// value and effect (TimeAdded is not looked at).
func sameTaint(x, y taints.Taint) bool {
	return x.Key == y.Key && x.Value == y.Value && x.Effect == y.Effect
}

// changedTaints appends to buf the NoSchedule and NoExecute taints that
// one of a and b has and the other has not. O(taints²), taints being few.
func changedTaints(buf []taints.Taint, a, b []taints.Taint) []taints.Taint {
	for _, pair := range [2][2][]taints.Taint{{a, b}, {b, a}} {
		for _, t := range pair[0] {
			if taints.DoNotScheduleFilter(t) && !slices.ContainsFunc(pair[1], func(u taints.Taint) bool { return sameTaint(t, u) }) {
				buf = append(buf, t)
			}
		}
	}
	return buf
}

// nodeCoverage follows a node change for the per-node coverage. A create,
// a delete or a change of labels evaluates the node for every DaemonSet,
// O(DaemonSets). A change of NoSchedule or NoExecute taints evaluates it
// for every DaemonSet that does not tolerate one of the taints that
// changed (shouldRun depends on the untolerated ones alone), O(DaemonSets ×
// taints changed). Any other change (conditions, heartbeats, PreferNoSchedule
// taints, a taint's TimeAdded) costs O(taints²).
func (o *Observer) nodeCoverage(old, n *cluster.Node) {
	name := ""
	switch {
	case n != nil:
		name = n.Name
	case old != nil:
		name = old.Name
	default:
		return
	}
	node := o.nodeIndex(name)
	o.nodeObjs[node] = n
	var changed []taints.Taint // nil: evaluate for every DaemonSet
	if old != nil && n != nil && maps.Equal(old.Labels, n.Labels) {
		o.taintBuf = changedTaints(o.taintBuf[:0], old.Spec.Taints, n.Spec.Taints)
		if len(o.taintBuf) == 0 {
			return
		}
		changed = o.taintBuf
	}
	for i, s := range o.ds {
		if s.obj == nil { // not eligible, set so at the delete
			continue
		}
		if changed != nil && !slices.ContainsFunc(changed, func(t taints.Taint) bool { return !taints.TolerationsTolerateTaint(s.tols, t) }) {
			continue // every taint that changed is tolerated: shouldRun is as it was
		}
		o.setEligible(int32(i), node, o.eligible(s, node))
	}
}

// readyOn returns the DaemonSet (by name, in the pod's namespace) and
// node a pod counts for, and its Ready transition time, or ok false when
// it counts for none: it must be controlled by a DaemonSet, bound, Ready
// and not terminal.
func readyOn(p *cluster.Pod) (ds, node string, at time.Time, ok bool) {
	if p == nil || !p.IsBound() || p.IsTerminal() {
		return "", "", time.Time{}, false
	}
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" {
		return "", "", time.Time{}, false
	}
	c, isSet := p.Condition(cluster.PodReady)
	if !isSet || c.Status != cluster.ConditionTrue {
		return "", "", time.Time{}, false
	}
	return ref.Name, p.Spec.NodeName, c.LastTransitionTime, true
}

// podCoverage follows a pod change for the per-node coverage: the pod
// leaves the entry it counted for and joins the one it counts for now,
// if either differs. O(1) map lookups plus the pods that count on the
// node (one, or two in a surge); nothing but a scan of the pod's owner
// references and conditions when neither version counts or both count
// alike.
func (o *Observer) podCoverage(slot uint64, old, n *cluster.Pod) {
	ods, onode, oat, ook := readyOn(old)
	nds, nnode, nat, nok := readyOn(n)
	if ook == nok && (!ook || ods == nds && onode == nnode && oat.Equal(nat)) {
		return
	}
	if ook {
		i, _ := o.daemonSet(old.Namespace, ods)
		ds, node := int32(i), o.nodeIndex(onode)
		e := o.cov(ds, node)
		if k := slices.IndexFunc(e.ready, func(r readyPod) bool { return r.slot == slot }); k >= 0 {
			e.ready = slices.Delete(e.ready, k, k+1)
			o.touchCov(ds, node)
		}
	}
	if nok {
		i, _ := o.daemonSet(n.Namespace, nds)
		ds, node := int32(i), o.nodeIndex(nnode)
		e := o.cov(ds, node)
		e.ready = append(e.ready, readyPod{slot: slot, at: nat})
		o.touchCov(ds, node)
	}
}

// uncoveredUntil returns e's uncovered time in its epoch up to until:
// the settled time plus the open interval from since. An entry of an
// older epoch counts from resetAt with none settled.
func (e *nodeCov) uncoveredUntil(until time.Time, epoch int, resetAt time.Time) time.Duration {
	total, since := e.uncovered, e.since
	if e.epoch != epoch {
		total = 0
		if since.Before(resetAt) {
			since = resetAt
		}
	}
	if !e.started || !e.settledEligible {
		return total
	}
	end := until
	if e.available && e.availableAt.Before(end) {
		end = e.availableAt
	}
	if d := end.Sub(since); d > 0 {
		total += d
	}
	return total
}

// settle closes e's interval at now and starts the next from the live
// fields, with the DaemonSet's minReadySeconds. O(pods that count on the
// node).
func (o *Observer) settleCov(e *nodeCov, now time.Time, minReady int32) {
	e.uncovered = e.uncoveredUntil(now, o.epoch, o.resetAt)
	e.epoch = o.epoch
	e.settledEligible, e.since, e.started, e.touched = e.eligible, now, true, false
	e.available, e.availableAt = false, time.Time{}
	for _, r := range e.ready {
		if minReady > 0 && r.at.IsZero() {
			continue // never available (IsAvailable)
		}
		at := r.at.Add(time.Duration(minReady) * time.Second)
		if minReady == 0 {
			at = time.Time{} // available at once, whatever the transition time
		}
		if !e.available || at.Before(e.availableAt) {
			e.available, e.availableAt = true, at
		}
	}
}

// worstNode returns s's node with the most uncovered time up to end (the
// first by name among equals) and how many nodes had any. O(nodes seen).
func (o *Observer) worstNode(s *dsStats, end time.Time) (name string, worst time.Duration, count int) {
	for i := range s.nodes {
		d := s.nodes[i].uncoveredUntil(end, o.epoch, o.resetAt)
		if d <= 0 {
			continue
		}
		count++
		if n := o.nodeNames[i]; d > worst || d == worst && n < name {
			name, worst = n, d
		}
	}
	return name, worst, count
}
