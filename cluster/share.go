package cluster

import (
	"maps"
	"slices"

	"github.com/daemonsim/daemonsim/taints"
)

// copyPodSharing returns a copy of p for the store to keep, like DeepCopy,
// except that each of the parts below that equals prev's is shared with
// prev instead of copied: labels, annotations, owner references, node
// selector and tolerations. prev is a stored pod (nil for none); stored
// objects are never modified, and Default, Validate and admission leave
// these parts alone, so sharing them is safe. Pods a controller stamps
// from one template differ in little more than name and node affinity, so
// most of their copy is shared and the store holds one set of
// tolerations and labels per template instead of one per pod. Equality
// keeps nil apart from empty, so the copy is indistinguishable from a
// DeepCopy. Cost: the comparisons, O(size of the shared parts).
func copyPodSharing(p, prev *Pod) *Pod {
	if prev == nil {
		return p.DeepCopy()
	}
	// Leave out of the deep copy the parts to share, then put prev's in.
	in := *p
	shareLabels := sameMap(p.Labels, prev.Labels)
	shareAnnotations := sameMap(p.Annotations, prev.Annotations)
	shareOwners := ownerRefsEqual(p.OwnerReferences, prev.OwnerReferences)
	shareSelector := sameMap(p.Spec.NodeSelector, prev.Spec.NodeSelector)
	shareTolerations := tolerationsEqual(p.Spec.Tolerations, prev.Spec.Tolerations)
	if shareLabels {
		in.Labels = nil
	}
	if shareAnnotations {
		in.Annotations = nil
	}
	if shareOwners {
		in.OwnerReferences = nil
	}
	if shareSelector {
		in.Spec.NodeSelector = nil
	}
	if shareTolerations {
		in.Spec.Tolerations = nil
	}
	out := in.DeepCopy()
	if shareLabels {
		out.Labels = prev.Labels
	}
	if shareAnnotations {
		out.Annotations = prev.Annotations
	}
	if shareOwners {
		out.OwnerReferences = prev.OwnerReferences
	}
	if shareSelector {
		out.Spec.NodeSelector = prev.Spec.NodeSelector
	}
	if shareTolerations {
		out.Spec.Tolerations = prev.Spec.Tolerations
	}
	return out
}

// sameMap reports whether m and prev have the same entries and are both
// nil or both not.
func sameMap[M ~map[string]string](m, prev M) bool {
	return (m == nil) == (prev == nil) && maps.Equal(m, prev)
}

func ownerRefsEqual(a, b []OwnerReference) bool {
	return (a == nil) == (b == nil) && slices.EqualFunc(a, b, func(x, y OwnerReference) bool {
		return x.APIVersion == y.APIVersion && x.Kind == y.Kind && x.Name == y.Name && x.UID == y.UID &&
			ptrEqual(x.Controller, y.Controller) && ptrEqual(x.BlockOwnerDeletion, y.BlockOwnerDeletion)
	})
}

func tolerationsEqual(a, b []taints.Toleration) bool {
	return (a == nil) == (b == nil) && slices.EqualFunc(a, b, func(x, y taints.Toleration) bool {
		return x.Key == y.Key && x.Operator == y.Operator && x.Value == y.Value && x.Effect == y.Effect &&
			ptrEqual(x.TolerationSeconds, y.TolerationSeconds)
	})
}

// ptrEqual reports whether a and b are both nil or point to equal values.
func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
