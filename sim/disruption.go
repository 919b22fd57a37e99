package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// DisruptionControllerName is the disruption controller's name in the log.
const DisruptionControllerName = "disruption-controller"

// DisruptionDeletionTimeout is upstream's DeletionTimeout: how long a pod
// an eviction listed in a budget's disruptedPods stays out of its
// currentHealthy before the controller stops waiting for its deletion.
const DisruptionDeletionTimeout = 2 * time.Minute

// DisruptionController is upstream's disruption controller
// (pkg/controller/disruption): it keeps each PodDisruptionBudget's status
// (expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed,
// disruptedPods, observedGeneration), which the Evict change reads.
//
//   - The budget's pods are those of its namespace its selector matches (a
//     nil selector matches none, an empty one all).
//   - minAvailable as a number: desiredHealthy is it, expectedPods the
//     number of pods. maxUnavailable, or minAvailable as a percentage:
//     expectedPods is the sum of the scale of the pods' controllers, of
//     which only ReplicaSets (spec.replicas) have one here; a pod without a
//     controller is left out (an UnmanagedPods warning); a pod whose
//     controller has no scale (a DaemonSet's, as upstream, which finds no
//     scale for it) fails the sync (CalculateExpectedPodCountFailed), and
//     the budget is made safe: disruptionsAllowed 0 (upstream's failSafe).
//     Percentages round up.
//   - currentHealthy counts the Ready pods that are not being deleted and
//     not listed in disruptedPods for less than DisruptionDeletionTimeout;
//     an entry older than that is dropped with a NotDeleted warning on the
//     pod, in upstream's words (which name the namespace twice).
//   - disruptionsAllowed is currentHealthy - desiredHealthy, and 0 when
//     that is negative or expectedPods is 0.
//   - A budget with no pods gets a NoPods note at each sync, as upstream.
//
// It follows the pods of each budget through Observe (a budget's members
// are loaded from the view, O(pods), when it is created or its selector
// changes) and
// syncs a budget at the next Reconcile when one of its pods, itself, or a
// ReplicaSet of its namespace changed. Not modelled: the budget's
// DisruptionAllowed condition, unhealthyPodEvictionPolicy, and the clearing
// of stale DisruptionTarget conditions. It implements Controller.
type DisruptionController struct {
	budgets map[cluster.Key]*budgetState
	byNS    map[string][]*budgetState // by name
	dirty   []cluster.Key
}

type budgetState struct {
	key     cluster.Key
	sel     selector.Selector
	members map[string]*cluster.Pod // the matching pods, by name
	load    bool                    // members are to be loaded from the view
}

// NewDisruptionController returns a disruption controller.
func NewDisruptionController() *DisruptionController {
	return &DisruptionController{budgets: map[cluster.Key]*budgetState{}, byNS: map[string][]*budgetState{}}
}

// Name returns DisruptionControllerName.
func (c *DisruptionController) Name() string { return DisruptionControllerName }

// Sync loads every budget of view, for a controller registered on an
// engine whose store already holds some. O(budgets + pods).
func (c *DisruptionController) Sync(view cluster.View) {
	for o := range view.Objects() {
		if b, ok := o.(*cluster.PodDisruptionBudget); ok {
			c.Observe(cluster.Delta{Key: cluster.KeyOf(b), New: b})
		}
	}
}

// Observe follows budgets, their pods and ReplicaSets. O(budgets in the
// pod's namespace) per pod change.
func (c *DisruptionController) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindPodDisruptionBudget:
		c.observeBudget(d)
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		for _, st := range c.byNS[d.Key.Namespace] {
			was := o != nil && st.sel.Matches(o.Labels)
			is := n != nil && st.sel.Matches(n.Labels)
			if !st.load {
				if is {
					st.members[d.Key.Name] = n
				} else if was {
					delete(st.members, d.Key.Name)
				}
			}
			if was || is {
				c.dirty = append(c.dirty, st.key)
			}
		}
	case cluster.KindReplicaSet: // a scale changed
		for _, st := range c.byNS[d.Key.Namespace] {
			c.dirty = append(c.dirty, st.key)
		}
	}
}

func (c *DisruptionController) observeBudget(d cluster.Delta) {
	k := d.Key
	if d.New == nil {
		st := c.budgets[k]
		if st == nil {
			return
		}
		delete(c.budgets, k)
		c.byNS[k.Namespace] = slices.DeleteFunc(c.byNS[k.Namespace], func(s *budgetState) bool { return s == st })
		return
	}
	n := d.New.(*cluster.PodDisruptionBudget)
	st := c.budgets[k]
	if st == nil {
		st = &budgetState{key: k}
		c.budgets[k] = st
		l := c.byNS[k.Namespace]
		i, _ := slices.BinarySearchFunc(l, k.Name, func(s *budgetState, name string) int { return strings.Compare(s.key.Name, name) })
		c.byNS[k.Namespace] = slices.Insert(l, i, st)
	}
	if o, _ := d.Old.(*cluster.PodDisruptionBudget); o == nil || !sameSelector(o.Spec.Selector, n.Spec.Selector) {
		st.sel, _ = selector.LabelSelectorAsSelector(n.Spec.Selector) // an invalid one matches nothing
		st.members, st.load = map[string]*cluster.Pod{}, true
	}
	c.dirty = append(c.dirty, k)
}

func sameSelector(a, b *selector.LabelSelector) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.String() == b.String()
}

// Wake marks the budget whose disruptedPods entry expires.
func (c *DisruptionController) Wake(k cluster.Key) { c.dirty = append(c.dirty, k) }

// Reconcile syncs the marked budgets in key order.
func (c *DisruptionController) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	keys := c.dirty
	c.dirty = nil
	slices.SortFunc(keys, cluster.Key.Compare)
	keys = slices.Compact(keys)
	for _, k := range keys {
		st := c.budgets[k]
		o, ok := view.Get(k)
		if st == nil || !ok {
			continue
		}
		pdb := o.(*cluster.PodDisruptionBudget)
		if st.load {
			for p := range view.Pods() {
				if p.Namespace == k.Namespace && st.sel.Matches(p.Labels) {
					st.members[p.Name] = p
				}
			}
			st.load = false
		}
		c.sync(now, view, pdb, st, &plan)
	}
	return plan, nil
}

// sync is upstream's trySync for one budget, with failSafe on an error.
func (c *DisruptionController) sync(now time.Time, view cluster.View, pdb *cluster.PodDisruptionBudget, st *budgetState, plan *cluster.Plan) {
	names := slices.Sorted(maps.Keys(st.members))
	pods := make([]*cluster.Pod, len(names))
	for i, n := range names {
		pods[i] = st.members[n]
	}
	note := func(obj cluster.Key, typ cluster.NoteType, reason, msg string) {
		plan.Notes = append(plan.Notes, cluster.Note{Object: obj, Type: typ, Reason: reason, Message: msg})
	}
	if len(pods) == 0 {
		note(st.key, cluster.NoteNormal, "NoPods", "No matching pods found")
	}
	expected, desired, unmanaged, err := expectedPodCount(view, pdb, pods)
	if err != nil {
		note(st.key, cluster.NoteWarning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: "+err.Error())
		if pdb.Status.DisruptionsAllowed != 0 {
			cp := *pdb
			cp.Status.DisruptionsAllowed = 0 // failSafe
			plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, ExpectedRV: pdb.ResourceVersion})
		}
		return
	}
	if unmanaged {
		note(st.key, cluster.NoteWarning, "UnmanagedPods", fmt.Sprintf("Pods selected by this PodDisruptionBudget (selector: %v) were found "+
			"to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "+
			"To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.", selectorString(pdb.Spec.Selector)))
	}
	disrupted := map[string]time.Time{}
	var recheck time.Time
	if pdb.Status.DisruptedPods != nil {
		for _, p := range pods {
			at, found := pdb.Status.DisruptedPods[p.Name]
			if p.DeletionTimestamp != nil || !found {
				continue
			}
			if due := at.Add(DisruptionDeletionTimeout); due.Before(now) {
				note(cluster.KeyOf(p), cluster.NoteWarning, "NotDeleted",
					fmt.Sprintf("Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.Namespace, pdb.Namespace))
			} else {
				if recheck.IsZero() || due.Before(recheck) {
					recheck = due
				}
				disrupted[p.Name] = at
			}
		}
	}
	var healthy int32
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if at, found := disrupted[p.Name]; found && at.Add(DisruptionDeletionTimeout).After(now) {
			continue
		}
		if p.IsReady() {
			healthy++
		}
	}
	allowed := healthy - desired
	if expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	s := pdb.Status
	if len(disrupted) == 0 {
		disrupted = nil
	}
	if s.CurrentHealthy != healthy || s.DesiredHealthy != desired || s.ExpectedPods != expected || s.DisruptionsAllowed != allowed ||
		!maps.Equal(s.DisruptedPods, disrupted) || s.ObservedGeneration != pdb.Generation {
		cp := *pdb
		cp.Status = cluster.PodDisruptionBudgetStatus{CurrentHealthy: healthy, DesiredHealthy: desired, ExpectedPods: expected,
			DisruptionsAllowed: allowed, DisruptedPods: disrupted, ObservedGeneration: pdb.Generation}
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, ExpectedRV: pdb.ResourceVersion})
	}
	if !recheck.IsZero() {
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: st.key, After: recheck.Sub(now)})
	}
}

// expectedPodCount is upstream's getExpectedPodCount. unmanaged reports
// pods without a controller (left out of the scale).
func expectedPodCount(view cluster.View, pdb *cluster.PodDisruptionBudget, pods []*cluster.Pod) (expected, desired int32, unmanaged bool, err error) {
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		if expected, unmanaged, err = expectedScale(view, pods); err != nil {
			return
		}
		var mu int
		if mu, err = pdb.Spec.MaxUnavailable.ScaledValue(int(expected), true); err != nil {
			return
		}
		desired = max(expected-int32(mu), 0)
	case pdb.Spec.MinAvailable != nil && !pdb.Spec.MinAvailable.IsString:
		desired, expected = pdb.Spec.MinAvailable.IntVal, int32(len(pods))
	case pdb.Spec.MinAvailable != nil:
		if expected, unmanaged, err = expectedScale(view, pods); err != nil {
			return
		}
		var ma int
		if ma, err = pdb.Spec.MinAvailable.ScaledValue(int(expected), true); err != nil {
			return
		}
		desired = int32(ma)
	}
	return
}

// expectedScale is upstream's getExpectedScale: the sum of the scales of
// the pods' controllers. Only a ReplicaSet has a scale here.
func expectedScale(view cluster.View, pods []*cluster.Pod) (int32, bool, error) {
	scale := map[string]int32{}
	unmanaged := false
	for _, p := range pods {
		ref := p.ControllerRef()
		if ref == nil {
			unmanaged = true
			continue
		}
		if _, ok := scale[ref.UID]; ok {
			continue
		}
		if ref.Kind == "ReplicaSet" {
			if rs, ok := view.ReplicaSet(p.Namespace, ref.Name); ok && rs.UID == ref.UID {
				scale[ref.UID] = rs.ReplicasValue()
				continue
			}
		}
		return 0, unmanaged, fmt.Errorf("found no controllers for pod %q", p.Name)
	}
	var sum int32
	for _, n := range scale { //detlint:allow a sum
		sum += n
	}
	return sum, unmanaged, nil
}

// selectorString renders a label selector as upstream's %v of the
// structure does closely enough for a note: the kubectl form.
func selectorString(ls *selector.LabelSelector) string {
	if ls == nil {
		return "nil"
	}
	return ls.String()
}
