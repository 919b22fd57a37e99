package cluster

import (
	"errors"
	"fmt"
)

// ErrForbidden is wrapped by errors from admission: a pod naming an unknown
// PriorityClass, a second global default class.
var ErrForbidden = errors.New("forbidden")

// The built-in classes, always known to admission. Upstream the API server
// creates them as objects when it starts; the simulator does not store them
// (so that an empty store is empty and revision 1 is the user's first
// change), but resolves their names exactly as if they were stored.
// A stored class with the same name takes their place.
var builtinPriorityClasses = []PriorityClass{
	{ObjectMeta: ObjectMeta{Name: SystemClusterCritical}, Value: SystemCriticalPriority,
		Description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
	{ObjectMeta: ObjectMeta{Name: SystemNodeCritical}, Value: SystemNodeCriticalPriority,
		Description: "Used for system critical pods that must not be moved from their current node."},
}

// BuiltinPriorityClasses returns fresh copies of the built-in classes,
// system-cluster-critical then system-node-critical, defaulted.
func BuiltinPriorityClasses() []*PriorityClass {
	out := make([]*PriorityClass, len(builtinPriorityClasses))
	for i := range builtinPriorityClasses {
		out[i] = builtinPriorityClass(i)
	}
	return out
}

func builtinPriorityClass(i int) *PriorityClass {
	c := builtinPriorityClasses[i].DeepCopy()
	Default(c)
	return c
}

// ResolvePriorityClass returns the class called name: the stored one, or a
// built-in. O(log n).
func ResolvePriorityClass(v View, name string) (*PriorityClass, bool) {
	if c, ok := v.PriorityClass(name); ok {
		return c, true
	}
	for i := range builtinPriorityClasses {
		if builtinPriorityClasses[i].Name == name {
			return builtinPriorityClass(i), true
		}
	}
	return nil, false
}

// defaultPriorityClass returns the global default class: upstream picks
// the one with the lowest value if several exist; ties go to the lowest
// name. O(classes); O(1) on a Store whose classes have not been written
// since it last answered (it keeps the answer until the next
// PriorityClass write).
func defaultPriorityClass(v View) *PriorityClass {
	var cache *classTree
	if s, ok := v.(*Store); ok {
		cache = s.classTree()
	}
	if cache != nil && cache.defaultKnown {
		return cache.defaultClass
	}
	var best *PriorityClass
	for c := range v.PriorityClasses() {
		if c.GlobalDefault && (best == nil || c.Value < best.Value) {
			best = c
		}
	}
	if cache != nil {
		cache.defaultClass, cache.defaultKnown = best, true
	}
	return best
}

// admitPod is the Priority admission plugin on pod creation
// (plugin/pkg/admission/priority): it resolves spec.priorityClassName (or
// the global default class) into spec.priority and spec.preemptionPolicy,
// and refuses an unknown class or a priority that disagrees with the class.
// It edits p in place.
func admitPod(v View, p *Pod) error {
	var (
		name     = p.Spec.PriorityClassName
		priority int32
		policy   *PreemptionPolicy
	)
	if name == "" {
		if c := defaultPriorityClass(v); c != nil {
			name, priority, policy = c.Name, c.Value, c.PreemptionPolicy
		}
	} else {
		c, ok := ResolvePriorityClass(v, name)
		if !ok {
			return fmt.Errorf("pods %q is forbidden: no PriorityClass with name %s was found: %w", p.Name, name, ErrForbidden)
		}
		priority, policy = c.Value, c.PreemptionPolicy
	}
	if p.Spec.Priority != nil && *p.Spec.Priority != priority {
		return fmt.Errorf("pods %q is forbidden: the integer value of priority (%d) must not be provided in pod spec; priority admission controller computed %d from the given PriorityClass name: %w",
			p.Name, *p.Spec.Priority, priority, ErrForbidden)
	}
	if policy != nil && p.Spec.PreemptionPolicy != nil && *p.Spec.PreemptionPolicy != *policy {
		return fmt.Errorf("pods %q is forbidden: the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority admission controller computed %s from the given PriorityClass name: %w",
			p.Name, *p.Spec.PreemptionPolicy, *policy, ErrForbidden)
	}
	p.Spec.PriorityClassName = name
	p.Spec.Priority = &priority
	if policy != nil {
		pp := *policy
		p.Spec.PreemptionPolicy = &pp
	}
	return nil
}

// admitPriorityClass refuses a second global default class, as the
// Priority admission plugin does on create and update.
func admitPriorityClass(v View, c *PriorityClass) error {
	if !c.GlobalDefault {
		return nil
	}
	for o := range v.PriorityClasses() {
		if o.GlobalDefault && o.Name != c.Name {
			return fmt.Errorf("priorityclasses %q is forbidden: PriorityClass %v is already marked as default. Only one default can exist: %w", c.Name, o.Name, ErrForbidden)
		}
	}
	return nil
}

// CheckPodAdmission reports whether creating p would pass the admission
// plugins the simulator models (Priority), without changing p or v. A
// controller uses it to learn, before planning a create, that the API
// server would refuse it (an unknown priorityClassName, say). The error is
// the one Apply would return. Cost: one class lookup.
func CheckPodAdmission(v View, p *Pod) error {
	c := *p // admitPod writes only spec.priority* fields, which are replaced below
	c.Spec.Priority = clonePtr(p.Spec.Priority)
	c.Spec.PreemptionPolicy = clonePtr(p.Spec.PreemptionPolicy)
	return admitPod(v, &c)
}
