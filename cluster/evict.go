package cluster

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/daemonsim/daemonsim/selector"
)

// Evict is the pods/eviction subresource (the API server's EvictionREST):
// it deletes a pod, with its own grace period unless GracePeriodSeconds is
// given, but only as the PodDisruptionBudget selecting the pod allows.
// kubectl drain evicts through it, as upstream's does; upstream's taint
// eviction and the scheduler's preemption delete pods directly (the
// scheduler weighs the budgets when it picks victims), and so do
// daemonsim's.
//
//   - A pod that is Pending, Succeeded or Failed, or already being
//     deleted, is deleted with no budget check.
//   - More than one budget selecting the pod: refused (ErrInternal, "This
//     pod has more than one PodDisruptionBudget, which the eviction
//     subresource does not support."). None: deleted.
//   - A pod that is not Ready is deleted without using the budget when the
//     budget has currentHealthy >= desiredHealthy > 0 (the default
//     unhealthyPodEvictionPolicy, IfHealthyBudget).
//   - Otherwise the budget must allow a disruption: a budget whose status
//     has not observed its generation, or whose disruptionsAllowed is 0,
//     refuses with ErrTooManyRequests (429, "Cannot evict pod as it would
//     violate the pod's disruption budget.", with the cause naming the
//     budget); a negative disruptionsAllowed or more than 2,000 disrupted
//     pods with ErrForbidden. When it does, its disruptionsAllowed goes
//     down by one and the pod is listed in its disruptedPods at now: one
//     more version of the budget, in Delta.Also.
//
// The pod's version being deleted carries the DisruptionTarget condition
// (reason EvictionByEvictionAPI), as upstream writes it just before the
// delete. Deliberate difference: upstream writes that condition and the
// delete as two versions; here they are one.
type Evict struct {
	Pod                Key
	GracePeriodSeconds *int64
}

func (c Evict) Target() Key { return c.Pod }
func (Evict) Verb() string  { return "evict" }
func (Evict) change()       {}
func (c Evict) String() string {
	s := "evict " + c.Pod.String()
	if c.GracePeriodSeconds != nil {
		s += fmt.Sprintf(" grace=%ds", *c.GracePeriodSeconds)
	}
	return s
}

// The sentinels an eviction's refusal wraps besides the store's own.
var (
	// ErrTooManyRequests: the API server's 429; the caller retries later
	// (kubectl drain every 5 s).
	ErrTooManyRequests = errors.New("too many requests")
	// ErrInternal: the API server's 500.
	ErrInternal = errors.New("internal error")
)

// MaxDisruptedPods is upstream's MaxDisruptedPodSize: a budget listing more
// disrupted pods refuses evictions until the disruption controller catches
// up.
const MaxDisruptedPods = 2000

// EvictionError is an eviction the API server refuses: its status code
// (429, 403 or 500), its message, and the cause it gives with the budget's
// name. It wraps ErrTooManyRequests, ErrForbidden or ErrInternal.
type EvictionError struct {
	Code    int
	Message string
	Budget  string // the PodDisruptionBudget concerned, "" for none
	Cause   string
}

func (e *EvictionError) Error() string {
	if e.Cause == "" {
		return e.Message
	}
	return e.Message + " (" + e.Cause + ")"
}

func (e *EvictionError) Unwrap() error {
	switch e.Code {
	case 429:
		return ErrTooManyRequests
	case 403:
		return ErrForbidden
	}
	return ErrInternal
}

const violationMessage = "Cannot evict pod as it would violate the pod's disruption budget."

// evict applies an Evict (see there).
func (s *Store) evict(now time.Time, c Evict) (Delta, error) {
	if c.Pod.Kind != KindPod {
		return Delta{}, fmt.Errorf("evict needs a pod key: %w", ErrInvalid)
	}
	pod, ok := s.Pod(c.Pod.Namespace, c.Pod.Name)
	if !ok {
		return Delta{}, fmt.Errorf("pod %q %w", c.Pod.Name, ErrNotFound)
	}
	if g := c.GracePeriodSeconds; g != nil && *g < 0 {
		return s.delete(now, Delete{Key: c.Pod, GracePeriodSeconds: g}) // refused with its own error
	}
	if canIgnoreBudget(pod) {
		return s.evictPod(now, pod, c, nil)
	}
	var budgets []*PodDisruptionBudget
	for b := range s.PodDisruptionBudgets(pod.Namespace) {
		sel, err := selector.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil || !sel.Matches(pod.Labels) {
			continue // an invalid selector is skipped, as upstream
		}
		budgets = append(budgets, b)
	}
	switch len(budgets) {
	case 0:
		return s.evictPod(now, pod, c, nil)
	case 1:
	default:
		return Delta{}, &EvictionError{Code: 500, Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
	}
	b := budgets[0]
	if !pod.IsReady() && b.Status.CurrentHealthy >= b.Status.DesiredHealthy && b.Status.DesiredHealthy > 0 {
		return s.evictPod(now, pod, c, nil) // an unhealthy pod, and the budget is met without it
	}
	if err := budgetAllows(b); err != nil {
		return Delta{}, err
	}
	nb := b.DeepCopy()
	nb.Status.DisruptionsAllowed--
	if nb.Status.DisruptedPods == nil {
		nb.Status.DisruptedPods = map[string]time.Time{}
	} else {
		nb.Status.DisruptedPods = maps.Clone(nb.Status.DisruptedPods)
	}
	nb.Status.DisruptedPods[pod.Name] = now
	bd, err := s.updateStatus(kinds[KindPodDisruptionBudget], nb, 0, true)
	if err != nil {
		return Delta{}, err
	}
	return s.evictPod(now, pod, c, &bd)
}

// canIgnoreBudget is upstream's canIgnorePDB: a pod that is Pending,
// Succeeded or Failed, or already being deleted.
func canIgnoreBudget(p *Pod) bool {
	switch p.Status.Phase {
	case PodPending, PodSucceeded, PodFailed:
		return true
	}
	return p.DeletionTimestamp != nil
}

// budgetAllows is upstream's checkAndDecrement without the decrement: nil
// when b allows one more disruption.
func budgetAllows(b *PodDisruptionBudget) error {
	st := &b.Status
	switch {
	case st.ObservedGeneration < b.Generation:
		return &EvictionError{Code: 429, Message: violationMessage, Budget: b.Name,
			Cause: fmt.Sprintf("The disruption budget %s is still being processed by the server.", b.Name)}
	case st.DisruptionsAllowed < 0:
		return &EvictionError{Code: 403, Message: fmt.Sprintf("poddisruptionbudgets.policy %q is forbidden: pdb disruptions allowed is negative", b.Name), Budget: b.Name,
			Cause: fmt.Sprintf("The disruption budget %s does not allow evicting pods currently: pdb disruptions allowed is negative", b.Name)}
	case len(st.DisruptedPods) > MaxDisruptedPods:
		return &EvictionError{Code: 403, Message: fmt.Sprintf("poddisruptionbudgets.policy %q is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller", b.Name), Budget: b.Name,
			Cause: fmt.Sprintf("The disruption budget %s does not allow evicting pods currently: too many pending evictions not confirmed by PDB controller", b.Name)}
	case st.DisruptionsAllowed == 0:
		cause := fmt.Sprintf("The disruption budget %s does not allow evicting pods currently", b.Name)
		if st.CurrentHealthy <= st.DesiredHealthy {
			cause = fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", b.Name, st.DesiredHealthy, st.CurrentHealthy)
		}
		return &EvictionError{Code: 429, Message: violationMessage, Budget: b.Name, Cause: cause}
	}
	return nil
}

// evictPod deletes pod as an eviction does: its version being deleted
// carries the DisruptionTarget condition. budget, when not nil, is the
// budget's version the eviction wrote first; it goes into Delta.Also.
func (s *Store) evictPod(now time.Time, pod *Pod, c Evict, budget *Delta) (Delta, error) {
	d, err := s.deleteWith(now, Delete{Key: c.Pod, GracePeriodSeconds: c.GracePeriodSeconds}, func(o Object) {
		p := o.(*Pod)
		SetPodCondition(&p.Status, PodCondition{Type: DisruptionTarget, Status: ConditionTrue,
			Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting"}, now)
	})
	if err != nil {
		return Delta{}, err
	}
	if budget != nil {
		d.Also = append(d.Also, *budget)
	}
	return d, nil
}
