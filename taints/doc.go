// Package taints implements node taints and pod tolerations with the
// semantics of Kubernetes (k8s.io/api core/v1 Toleration.ToleratesTaint,
// component-helpers FindMatchingUntoleratedTaint, the API server's
// validation and the taint-eviction controller's timing).
//
// # Usage
//
//	taint := taints.MustParse("dedicated=gpu:NoSchedule")
//	tol := taints.Toleration{Key: "dedicated", Operator: taints.OpExists}
//	tol.ToleratesTaint(taint) // true
//	t, found := taints.FindUntolerated(node.Spec.Taints, pod.Spec.Tolerations, taints.DoNotScheduleFilter)
//
// # Determinism
//
// Everything here is a pure function of its arguments. Functions that return
// "the first" taint use the order of the node's taint list. Time enters only
// as a value (EvictionTime's now); no clock is read.
//
// # Differences from upstream
//
//   - The Gt/Lt toleration operators (feature gate
//     TaintTolerationComparisonOperators, off by default upstream) are honoured
//     only by ToleratesTaintComparing; ToleratesTaint and FindUntolerated
//     behave as with the gate off, and validation refuses them.
//   - Parse requires an effect: kubectl also reads "key" and "key=value:"
//     (for removal); those are not taints that can be put on a node.
package taints
