package cluster

import (
	"iter"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
)

// This file is the whole of the ReplicaSet kind: its type, DeepCopy,
// defaulting, validation, its entry in the kind table and its View
// accessors. A new kind is added the same way, in a file of its own.

// KindReplicaSet is the kind of ReplicaSets (apps/v1). It comes after the
// kinds before it, so that their objects keep their order (and a store
// without ReplicaSets its digest).
const KindReplicaSet Kind = KindPod + 1

// ReplicaSet keeps a number of pods made from a template running
// (apps/v1). Its controller is not part of this package.
type ReplicaSet struct {
	ObjectMeta `json:"metadata"`
	Spec       ReplicaSetSpec   `json:"spec"`
	Status     ReplicaSetStatus `json:"status,omitzero"`
}

// ReplicaSetSpec is a ReplicaSet's spec. Replicas defaults to 1.
type ReplicaSetSpec struct {
	Replicas        *int32                  `json:"replicas,omitempty"`
	MinReadySeconds int32                   `json:"minReadySeconds,omitempty"`
	Selector        *selector.LabelSelector `json:"selector"`
	Template        PodTemplateSpec         `json:"template"`
}

// ReplicaSetStatus is a ReplicaSet's status, written by its controller.
// TerminatingReplicas is set only by a controller that counts terminating
// pods (the DeploymentReplicaSetTerminatingReplicas feature, on by
// default in v1.37).
type ReplicaSetStatus struct {
	Replicas             int32                 `json:"replicas"`
	FullyLabeledReplicas int32                 `json:"fullyLabeledReplicas,omitempty"`
	ReadyReplicas        int32                 `json:"readyReplicas,omitempty"`
	AvailableReplicas    int32                 `json:"availableReplicas,omitempty"`
	TerminatingReplicas  *int32                `json:"terminatingReplicas,omitempty"`
	ObservedGeneration   int64                 `json:"observedGeneration,omitempty"`
	Conditions           []ReplicaSetCondition `json:"conditions,omitempty"`
}

// ReplicaSetConditionType names a ReplicaSet condition.
type ReplicaSetConditionType string

// ReplicaSetReplicaFailure is added when a pod cannot be created or
// deleted (quota, admission).
const ReplicaSetReplicaFailure ReplicaSetConditionType = "ReplicaFailure"

// ReplicaSetCondition is one ReplicaSet condition.
type ReplicaSetCondition struct {
	Type               ReplicaSetConditionType `json:"type"`
	Status             ConditionStatus         `json:"status"`
	LastTransitionTime time.Time               `json:"lastTransitionTime,omitzero"`
	Reason             string                  `json:"reason,omitempty"`
	Message            string                  `json:"message,omitempty"`
}

// ReplicasValue returns spec.replicas, or 1 (the default) when unset.
func (r *ReplicaSet) ReplicasValue() int32 {
	if r.Spec.Replicas == nil {
		return 1
	}
	return *r.Spec.Replicas
}

// ObjectKind returns KindReplicaSet.
func (*ReplicaSet) ObjectKind() Kind { return KindReplicaSet }

// DeepCopyObject returns r.DeepCopy().
func (r *ReplicaSet) DeepCopyObject() Object { return r.DeepCopy() }

var _ Object = (*ReplicaSet)(nil)

// DeepCopy returns a copy of r sharing nothing with it; nil stays nil.
func (r *ReplicaSet) DeepCopy() *ReplicaSet {
	if r == nil {
		return nil
	}
	spec := r.Spec
	spec.Replicas = clonePtr(r.Spec.Replicas)
	spec.Selector = r.Spec.Selector.DeepCopy()
	spec.Template = r.Spec.Template.DeepCopy()
	return &ReplicaSet{ObjectMeta: r.ObjectMeta.DeepCopy(), Spec: spec, Status: r.Status.deepCopy()}
}

func (st ReplicaSetStatus) deepCopy() ReplicaSetStatus {
	st.TerminatingReplicas = clonePtr(st.TerminatingReplicas)
	st.Conditions = slices.Clone(st.Conditions)
	return st
}

func init() {
	registerKind(kindDef[ReplicaSet, *ReplicaSet]{
		kind: KindReplicaSet, name: "replicaset", namespaced: true,
		defaults:       defaultReplicaSet,
		validate:       validateReplicaSet,
		validateUpdate: validateReplicaSetUpdate,
		spec:           func(r *ReplicaSet) any { return r.Spec },
		keepStatus:     func(dst, src *ReplicaSet) { dst.Status = src.Status.deepCopy() },
		writeStatus:    writeReplicaSetStatus,
	})
}

// defaultReplicaSet is SetObjectDefaults_ReplicaSet: replicas 1, and the
// template's pod spec defaults.
func defaultReplicaSet(r *ReplicaSet) {
	if r.Spec.Replicas == nil {
		one := int32(1)
		r.Spec.Replicas = &one
	}
	defaultPodSpec(&r.Spec.Template.Spec, false)
}

// validateReplicaSet is ValidateReplicaSet: the metadata (a DNS subdomain
// name), then the spec:
//
//  1. spec.replicas and spec.minReadySeconds are not negative (an unset
//     replicas counts as 0, as upstream's conversion makes it);
//  2. spec.selector is required, a valid label selector, and not empty
//     ("empty selector is invalid for deployment", in upstream's words);
//  3. a selector that does not convert is "invalid label selector", and
//     then the template is not looked at; otherwise a selector that is
//     not empty must match the template's labels;
//  4. the template is a valid pod template (as a DaemonSet's), with
//     restartPolicy Always and no activeDeadlineSeconds.
func validateReplicaSet(o *ReplicaSet, discard bool) field.ErrorList {
	errs := validateMeta(&o.ObjectMeta, true, selector.NameIsDNSSubdomain, true, root(discard, "metadata"))
	return append(errs, validateReplicaSetSpec(&o.Spec, root(discard, "spec"))...)
}

func validateReplicaSetSpec(s *ReplicaSetSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	var replicas int32
	if s.Replicas != nil {
		replicas = *s.Replicas
	}
	if replicas < 0 {
		errs = append(errs, field.Invalid(p.Child("replicas"), int64(replicas), msgNegative))
	}
	if s.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("minReadySeconds"), int64(s.MinReadySeconds), msgNegative))
	}
	if s.Selector == nil {
		errs = append(errs, field.Required(p.Child("selector"), ""))
	} else {
		errs = append(errs, selector.ValidateLabelSelector(s.Selector, p.Child("selector"))...)
		if s.Selector.IsEmpty() {
			errs = append(errs, field.Invalid(p.Child("selector"), jsonValue{s.Selector}, "empty selector is invalid for deployment"))
		}
	}
	sel, err := selector.LabelSelectorAsSelector(s.Selector)
	if err != nil {
		return append(errs, field.Invalid(p.Child("selector"), jsonValue{s.Selector}, "invalid label selector"))
	}
	tp := p.Child("template")
	if !sel.Empty() && !sel.Matches(s.Template.Labels) {
		errs = append(errs, field.Invalid(tp.Child("metadata", "labels"), jsonValue{map[string]string(s.Template.Labels)}, "`selector` does not match template `labels`"))
	}
	errs = append(errs, validatePodTemplate(&s.Template, tp)...)
	if rp := s.Template.Spec.RestartPolicy; rp != RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), string(rp), []RestartPolicy{RestartPolicyAlways}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in ReplicaSet is not Supported"))
	}
	return errs
}

// validateReplicaSetUpdate is what ValidateReplicaSetUpdate adds to the
// create checks: spec.selector is immutable.
func validateReplicaSetUpdate(o, n *ReplicaSet) field.ErrorList {
	if !o.Spec.Selector.Equal(n.Spec.Selector) {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "selector"), jsonValue{n.Spec.Selector}, msgImmutable)}
	}
	return nil
}

// writeReplicaSetStatus is the replicasets/status subresource
// (ValidateReplicaSetStatusUpdate).
func writeReplicaSetStatus(old, in *ReplicaSet, handoff bool) (*ReplicaSet, field.ErrorList) {
	if !handoff {
		in = &ReplicaSet{Status: in.Status.deepCopy()}
	}
	in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
	return in, validateReplicaSetStatus(&in.Status)
}

// validateReplicaSetStatus is ValidateReplicaSetStatus:
//
//  1. replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//     observedGeneration and a set terminatingReplicas are not negative;
//  2. fullyLabeledReplicas, readyReplicas and availableReplicas are not
//     greater than replicas;
//  3. availableReplicas is not greater than readyReplicas.
func validateReplicaSetStatus(st *ReplicaSetStatus) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("status")
	counters := []struct {
		name string
		v    int64
	}{
		{"replicas", int64(st.Replicas)}, {"fullyLabeledReplicas", int64(st.FullyLabeledReplicas)},
		{"readyReplicas", int64(st.ReadyReplicas)}, {"availableReplicas", int64(st.AvailableReplicas)},
		{"observedGeneration", st.ObservedGeneration},
	}
	if st.TerminatingReplicas != nil {
		counters = append(counters, struct {
			name string
			v    int64
		}{"terminatingReplicas", int64(*st.TerminatingReplicas)})
	}
	for _, c := range counters {
		if c.v < 0 {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, msgNegative))
		}
	}
	const msg = "cannot be greater than status.replicas"
	if st.FullyLabeledReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("fullyLabeledReplicas"), st.FullyLabeledReplicas, msg))
	}
	if st.ReadyReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("readyReplicas"), st.ReadyReplicas, msg))
	}
	if st.AvailableReplicas > st.Replicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), st.AvailableReplicas, msg))
	}
	if st.AvailableReplicas > st.ReadyReplicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), st.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return errs
}

// ReplicaSet returns the ReplicaSet. O(log n).
func (s *Store) ReplicaSet(namespace, name string) (*ReplicaSet, bool) {
	return treeOf[*ReplicaSet](s, KindReplicaSet).get(namespace, name)
}

// ReplicaSets yields the ReplicaSets of a namespace by name. O(log n +
// those ReplicaSets).
func (s *Store) ReplicaSets(namespace string) iter.Seq[*ReplicaSet] {
	return treeOf[*ReplicaSet](s, KindReplicaSet).inNamespace(namespace)
}
