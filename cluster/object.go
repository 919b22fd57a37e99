package cluster

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// Key names an object: kind, namespace ("" for cluster-scoped kinds), name.
type Key struct {
	Kind      Kind
	Namespace string
	Name      string
}

// Compare orders keys by kind, namespace, then name (a total order).
func (k Key) Compare(o Key) int {
	if c := cmp.Compare(k.Kind, o.Kind); c != 0 {
		return c
	}
	if c := cmp.Compare(k.Namespace, o.Namespace); c != 0 {
		return c
	}
	return cmp.Compare(k.Name, o.Name)
}

// String renders "pod/default/web-0" or, for cluster-scoped kinds, "node/n1".
func (k Key) String() string {
	if !k.Kind.Namespaced() {
		return k.Kind.String() + "/" + k.Name
	}
	return k.Kind.String() + "/" + k.Namespace + "/" + k.Name
}

// NamespacedName renders "namespace/name" (or "name" when cluster-scoped).
func (k Key) NamespacedName() string {
	if k.Namespace == "" {
		return k.Name
	}
	return k.Namespace + "/" + k.Name
}

// Object is any stored object. Objects read from a View are shared and must
// not be modified: DeepCopyObject first.
type Object interface {
	// Meta returns the object's metadata (aliasing the object).
	Meta() *ObjectMeta
	// ObjectKind returns the kind.
	ObjectKind() Kind
	// DeepCopyObject returns a copy that shares nothing with the receiver.
	DeepCopyObject() Object
}

// Meta returns m itself; it makes every object type satisfy Object.Meta.
func (m *ObjectMeta) Meta() *ObjectMeta { return m }

// KeyOf returns the key of o; for a nil object (or a nil pointer of an
// object type) it returns the kind alone, or the zero Key.
func KeyOf(o Object) Key {
	if IsNilObject(o) {
		if o == nil {
			return Key{}
		}
		return Key{Kind: o.ObjectKind()}
	}
	m := o.Meta()
	return Key{Kind: o.ObjectKind(), Namespace: m.Namespace, Name: m.Name}
}

// IsNilObject reports whether o is nil or a nil pointer of one of the
// kinds' object types: what a Change must not carry.
func IsNilObject(o Object) bool {
	_, isNil := kindOf(o)
	return isNil
}

// ObjectKind implementations.
func (*Node) ObjectKind() Kind                { return KindNode }
func (*Pod) ObjectKind() Kind                 { return KindPod }
func (*DaemonSet) ObjectKind() Kind           { return KindDaemonSet }
func (*ControllerRevision) ObjectKind() Kind  { return KindControllerRevision }
func (*PriorityClass) ObjectKind() Kind       { return KindPriorityClass }
func (*PodDisruptionBudget) ObjectKind() Kind { return KindPodDisruptionBudget }

// DeepCopyObject implementations.
func (n *Node) DeepCopyObject() Object                { return n.DeepCopy() }
func (p *Pod) DeepCopyObject() Object                 { return p.DeepCopy() }
func (d *DaemonSet) DeepCopyObject() Object           { return d.DeepCopy() }
func (r *ControllerRevision) DeepCopyObject() Object  { return r.DeepCopy() }
func (c *PriorityClass) DeepCopyObject() Object       { return c.DeepCopy() }
func (b *PodDisruptionBudget) DeepCopyObject() Object { return b.DeepCopy() }

var (
	_ Object = (*Node)(nil)
	_ Object = (*Pod)(nil)
	_ Object = (*DaemonSet)(nil)
	_ Object = (*ControllerRevision)(nil)
	_ Object = (*PriorityClass)(nil)
	_ Object = (*PodDisruptionBudget)(nil)
)

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// DeepCopy returns a copy of m sharing nothing with it.
func (m ObjectMeta) DeepCopy() ObjectMeta {
	out := m
	out.DeletionTimestamp = clonePtr(m.DeletionTimestamp)
	out.DeletionGracePeriodSeconds = clonePtr(m.DeletionGracePeriodSeconds)
	out.Labels = m.Labels.Clone()
	out.Annotations = maps.Clone(m.Annotations)
	if m.OwnerReferences != nil {
		out.OwnerReferences = make([]OwnerReference, len(m.OwnerReferences))
		for i, r := range m.OwnerReferences {
			r.Controller = clonePtr(r.Controller)
			r.BlockOwnerDeletion = clonePtr(r.BlockOwnerDeletion)
			out.OwnerReferences[i] = r
		}
	}
	out.Finalizers = slices.Clone(m.Finalizers)
	return out
}

func copyTaints(ts []taints.Taint) []taints.Taint {
	if ts == nil {
		return nil
	}
	out := make([]taints.Taint, len(ts))
	for i, t := range ts {
		t.TimeAdded = clonePtr(t.TimeAdded)
		out[i] = t
	}
	return out
}

func copyTolerations(ts []taints.Toleration) []taints.Toleration {
	if ts == nil {
		return nil
	}
	out := make([]taints.Toleration, len(ts))
	for i, t := range ts {
		t.TolerationSeconds = clonePtr(t.TolerationSeconds)
		out[i] = t
	}
	return out
}

// DeepCopy returns a copy of n sharing nothing with it; nil stays nil.
func (n *Node) DeepCopy() *Node {
	if n == nil {
		return nil
	}
	return &Node{
		ObjectMeta: n.ObjectMeta.DeepCopy(),
		Spec:       NodeSpec{Unschedulable: n.Spec.Unschedulable, Taints: copyTaints(n.Spec.Taints)},
		Status: NodeStatus{
			Capacity:    slices.Clone(n.Status.Capacity),
			Allocatable: slices.Clone(n.Status.Allocatable),
			Conditions:  slices.Clone(n.Status.Conditions),
		},
	}
}

func copyContainers(cs []Container) []Container {
	if cs == nil {
		return nil
	}
	out := make([]Container, len(cs))
	for i, c := range cs {
		c.Resources.Limits = slices.Clone(c.Resources.Limits)
		c.Resources.Requests = slices.Clone(c.Resources.Requests)
		c.Ports = slices.Clone(c.Ports)
		c.RestartPolicy = clonePtr(c.RestartPolicy)
		out[i] = c
	}
	return out
}

// DeepCopy returns a copy of a sharing nothing with it; nil stays nil.
// An affinity of the shape daemon pods have (one required term of one
// single-valued field requirement, nothing else) is copied in one
// allocation.
func (a *Affinity) DeepCopy() *Affinity {
	if a == nil {
		return nil
	}
	if r, ok := singleFieldRequirement(a); ok {
		return NewSingleFieldAffinity(r.Key, r.Operator, r.Values[0])
	}
	out := &Affinity{}
	if na := a.NodeAffinity; na != nil {
		out.NodeAffinity = &NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: na.RequiredDuringSchedulingIgnoredDuringExecution.DeepCopy()}
		if na.PreferredDuringSchedulingIgnoredDuringExecution != nil {
			out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = make([]PreferredSchedulingTerm, len(na.PreferredDuringSchedulingIgnoredDuringExecution))
			for i, t := range na.PreferredDuringSchedulingIgnoredDuringExecution {
				out.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution[i] = PreferredSchedulingTerm{Weight: t.Weight, Preference: t.Preference.DeepCopy()}
			}
		}
	}
	return out
}

// DeepCopy returns a copy of s sharing nothing with it.
func (s PodSpec) DeepCopy() PodSpec {
	out := s
	out.InitContainers = copyContainers(s.InitContainers)
	out.Containers = copyContainers(s.Containers)
	out.TerminationGracePeriodSeconds = clonePtr(s.TerminationGracePeriodSeconds)
	out.ActiveDeadlineSeconds = clonePtr(s.ActiveDeadlineSeconds)
	out.NodeSelector = s.NodeSelector.Clone()
	out.Affinity = s.Affinity.DeepCopy()
	out.Tolerations = copyTolerations(s.Tolerations)
	out.Priority = clonePtr(s.Priority)
	out.PreemptionPolicy = clonePtr(s.PreemptionPolicy)
	out.Overhead = slices.Clone(s.Overhead)
	return out
}

// DeepCopy returns a copy of p sharing nothing with it; nil stays nil.
func (p *Pod) DeepCopy() *Pod {
	if p == nil {
		return nil
	}
	st := p.Status
	st.Conditions = slices.Clone(p.Status.Conditions)
	st.StartTime = clonePtr(p.Status.StartTime)
	return &Pod{ObjectMeta: p.ObjectMeta.DeepCopy(), Spec: p.Spec.DeepCopy(), Status: st}
}

// DeepCopy returns a copy of t sharing nothing with it.
func (t PodTemplateSpec) DeepCopy() PodTemplateSpec {
	return PodTemplateSpec{ObjectMeta: t.ObjectMeta.DeepCopy(), Spec: t.Spec.DeepCopy()}
}

// DeepCopy returns a copy of d sharing nothing with it; nil stays nil.
func (d *DaemonSet) DeepCopy() *DaemonSet {
	if d == nil {
		return nil
	}
	spec := d.Spec
	spec.Selector = d.Spec.Selector.DeepCopy()
	spec.Template = d.Spec.Template.DeepCopy()
	spec.RevisionHistoryLimit = clonePtr(d.Spec.RevisionHistoryLimit)
	if ru := d.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		spec.UpdateStrategy.RollingUpdate = &RollingUpdateDaemonSet{MaxUnavailable: clonePtr(ru.MaxUnavailable), MaxSurge: clonePtr(ru.MaxSurge)}
	}
	st := d.Status
	st.CollisionCount = clonePtr(d.Status.CollisionCount)
	st.Conditions = slices.Clone(d.Status.Conditions)
	return &DaemonSet{ObjectMeta: d.ObjectMeta.DeepCopy(), Spec: spec, Status: st}
}

// DeepCopy returns a copy of r sharing nothing with it; nil stays nil.
func (r *ControllerRevision) DeepCopy() *ControllerRevision {
	if r == nil {
		return nil
	}
	return &ControllerRevision{ObjectMeta: r.ObjectMeta.DeepCopy(), Data: slices.Clone(r.Data), Revision: r.Revision}
}

// DeepCopy returns a copy of c sharing nothing with it; nil stays nil.
func (c *PriorityClass) DeepCopy() *PriorityClass {
	if c == nil {
		return nil
	}
	out := *c
	out.ObjectMeta = c.ObjectMeta.DeepCopy()
	out.PreemptionPolicy = clonePtr(c.PreemptionPolicy)
	return &out
}

// DeepCopy returns a copy of b sharing nothing with it; nil stays nil.
func (b *PodDisruptionBudget) DeepCopy() *PodDisruptionBudget {
	if b == nil {
		return nil
	}
	out := &PodDisruptionBudget{ObjectMeta: b.ObjectMeta.DeepCopy()}
	out.Spec = PodDisruptionBudgetSpec{
		MinAvailable:   clonePtr(b.Spec.MinAvailable),
		MaxUnavailable: clonePtr(b.Spec.MaxUnavailable),
		Selector:       b.Spec.Selector.DeepCopy(),
	}
	out.Status = b.Status
	out.Status.DisruptedPods = maps.Clone(b.Status.DisruptedPods)
	return out
}

// timePtr returns a pointer to a copy of t.
func timePtr(t time.Time) *time.Time { return &t }

// singleFieldAffinity is an affinity whose only part is one required term
// of one single-valued field requirement, with every part in one
// allocation.
type singleFieldAffinity struct {
	a    Affinity
	na   NodeAffinity
	ns   selector.NodeSelector
	term [1]selector.NodeSelectorTerm
	req  [1]selector.NodeSelectorRequirement
	val  [1]string
}

// NewSingleFieldAffinity returns an affinity whose only part is one
// required node selector term with one field requirement, key op
// [value]: the shape a DaemonSet controller pins its pods to their node
// with (matchFields metadata.name In [node]). It is made in one allocation;
// its slices have no spare capacity, so appending to them copies.
func NewSingleFieldAffinity(key string, op selector.NodeSelectorOperator, value string) *Affinity {
	b := &singleFieldAffinity{}
	b.val[0] = value
	b.req[0] = selector.NodeSelectorRequirement{Key: key, Operator: op, Values: b.val[:]}
	b.term[0].MatchFields = b.req[:]
	b.ns.NodeSelectorTerms = b.term[:]
	b.na.RequiredDuringSchedulingIgnoredDuringExecution = &b.ns
	b.a.NodeAffinity = &b.na
	return &b.a
}

// singleFieldRequirement returns a's requirement if a has the shape
// NewSingleFieldAffinity makes (nil slices where it has nil ones).
func singleFieldRequirement(a *Affinity) (selector.NodeSelectorRequirement, bool) {
	na := a.NodeAffinity
	if na == nil || na.PreferredDuringSchedulingIgnoredDuringExecution != nil || na.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return selector.NodeSelectorRequirement{}, false
	}
	terms := na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	if len(terms) != 1 || terms[0].MatchExpressions != nil || len(terms[0].MatchFields) != 1 {
		return selector.NodeSelectorRequirement{}, false
	}
	r := terms[0].MatchFields[0]
	if len(r.Values) != 1 {
		return selector.NodeSelectorRequirement{}, false
	}
	return r, true
}
