package daemonset

// Why a node does or does not run a DaemonSet's pod: NodeShouldRunDaemonPod
// with the reason, for people (the simulate example's "why not" groups) and
// never for the controller, which keeps its own faster path in decide.go.

import (
	"fmt"
	"slices"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

// The reasons NodeShouldRunDaemonPod's predicates fail with, in the words
// of the upstream scheduler plugins that hold the same predicates (NodeName,
// NodeAffinity, TaintToleration, v1.37).
const (
	// ReasonNodeName: the template's nodeName names another node.
	ReasonNodeName = "node(s) didn't match the requested node name"
	// ReasonNodeAffinity: the template's nodeSelector or its required node
	// affinity does not match the node.
	ReasonNodeAffinity = "node(s) didn't match Pod's node affinity/selector"
	// ReasonUntoleratedTaint: the node has a NoSchedule or NoExecute taint
	// that neither the template's tolerations nor the default daemon
	// tolerations tolerate.
	ReasonUntoleratedTaint = "node(s) had untolerated taint(s)"
)

// Fit is NodeShouldRunDaemonPod's answer for one node and one DaemonSet,
// with the reason when the answer is no.
type Fit struct {
	// ShouldRun and ShouldContinueRunning are NodeShouldRunDaemonPod's
	// results, always equal to them.
	ShouldRun, ShouldContinueRunning bool
	// Reason is "" when ShouldRun, else the first predicate that failed,
	// in upstream's order: ReasonNodeName, ReasonNodeAffinity or
	// ReasonUntoleratedTaint.
	Reason string
	// Detail narrows Reason, "" when there is nothing to add: for
	// ReasonNodeName the name the template asks for; for
	// ReasonNodeAffinity the first nodeSelector entry (by key) the node
	// lacks, as key=value, or "required node affinity" when the
	// nodeSelector matches and the affinity does not.
	Detail string
	// Taint is, for ReasonUntoleratedTaint, the first untolerated
	// NoSchedule or NoExecute taint in the node's order (the one upstream's
	// TaintToleration filter finds); the zero Taint otherwise.
	Taint taints.Taint
}

// String renders the fit as one reason: "" when the pod should run, else
// Reason, with the taint named as upstream's TaintToleration filter named
// it before v1.30 ("node(s) had untolerated taint {key: value}"), and
// Detail in parentheses for the other reasons:
//
//	node(s) didn't match Pod's node affinity/selector (nodeSelector role=monitoring)
//	node(s) had untolerated taint {dedicated: gpu}
func (f Fit) String() string {
	switch {
	case f.ShouldRun:
		return ""
	case f.Reason == ReasonUntoleratedTaint:
		return fmt.Sprintf("node(s) had untolerated taint {%s: %s}", f.Taint.Key, f.Taint.Value)
	case f.Detail != "":
		return f.Reason + " (" + f.Detail + ")"
	}
	return f.Reason
}

// Explainer answers ExplainNodeShouldRunDaemonPod for one DaemonSet's
// template, compiled once, on many nodes. It is immutable once built and
// keeps no reference to the DaemonSet beyond the compiled template (which
// shares the template's nodeSelector map: do not modify the DaemonSet while
// the Explainer is in use).
type Explainer struct {
	pl *placement
}

// NewExplainer compiles ds's template (nodeName, nodeSelector, required
// node affinity, tolerations plus the default daemon tolerations) for
// Explain. O(template).
func NewExplainer(ds *cluster.DaemonSet) *Explainer {
	return &Explainer{pl: newPlacement(ds)}
}

// ExplainNodeShouldRunDaemonPod is NodeShouldRunDaemonPod with the reason:
// its ShouldRun and ShouldContinueRunning are NodeShouldRunDaemonPod's on
// every input. Cost: O(template + node labels and taints); use NewExplainer
// for many nodes.
func ExplainNodeShouldRunDaemonPod(node *cluster.Node, ds *cluster.DaemonSet) Fit {
	return NewExplainer(ds).Explain(node)
}

// Explain returns the fit of the DaemonSet's pod on node. It reads node
// and writes nothing. Cost: O(node labels + nodeSelector · log + affinity
// + taints × tolerations).
func (x *Explainer) Explain(node *cluster.Node) Fit {
	pl := x.pl
	if pl.nodeName != "" && pl.nodeName != node.Name {
		return Fit{Reason: ReasonNodeName, Detail: pl.nodeName}
	}
	if len(pl.nodeSelector) > 0 {
		keys := make([]string, 0, len(pl.nodeSelector))
		for k := range pl.nodeSelector { //detlint:allow the keys are sorted before use
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if got, ok := node.Labels[k]; !ok || got != pl.nodeSelector[k] {
				return Fit{Reason: ReasonNodeAffinity, Detail: "nodeSelector " + k + "=" + pl.nodeSelector[k]}
			}
		}
	}
	if pl.affinity != nil {
		if ok, _ := pl.affinity.Match(node.Name, node.Labels); !ok {
			return Fit{Reason: ReasonNodeAffinity, Detail: "required node affinity"}
		}
	}
	t, untolerated := taints.FindUntolerated(node.Spec.Taints, pl.tolerations, taints.DoNotScheduleFilter)
	if !untolerated {
		return Fit{ShouldRun: true, ShouldContinueRunning: true}
	}
	_, noExecute := taints.FindUntolerated(node.Spec.Taints, pl.tolerations, taints.NoExecuteFilter)
	return Fit{ShouldContinueRunning: !noExecute, Reason: ReasonUntoleratedTaint, Taint: t}
}
