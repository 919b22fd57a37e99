package scheduler

import (
	"maps"
	"reflect"
	"slices"

	"github.com/daemonsim/daemonsim/cluster"
)

// Equivalence classes. Pending pods that the filters and the preemption
// dry run cannot tell apart (same priority, requests, host ports,
// spec.nodeName, tolerations, nodeSelector and required node affinity)
// share a class. A result computed for one member on a node stays right
// for every other member while the node is unchanged: every change to a
// node, to a pod on it or to a pod nominated to it bumps the node's
// generation. So a wave of identical pods (a Deployment's replicas, a
// burst of preemptors) filters and dry-runs each unchanged node once, not
// once per pod; the decisions are exactly those of evaluating every node
// again. Two exceptions keep that true: a node the pod itself is
// nominated to (its own nomination is left out of the filtering there),
// and pods restricted to a few nodes by the NodeAffinity PreFilter, which
// gain nothing and skip the classification.

// classRep is the member a class was made from; its fields are copies or
// immutable objects.
type classRep struct {
	id       uint64
	priority int32
	req      resources
	ports    []hostPort
	pod      *cluster.Pod
}

// maxClassReps bounds the classes a pod is compared with: the most
// recently used first.
const maxClassReps = 8

// classify returns pi's class, comparing it with the recent classes and
// making a new one when none matches. O(maxClassReps) comparisons.
func (s *Scheduler) classify(pi *podInfo) uint64 {
	for i, r := range s.classes {
		if r.priority == pi.priority && sameResources(&r.req, &pi.req) && slices.Equal(r.ports, pi.ports) && sameSchedulingSpec(r.pod, pi.pod) {
			copy(s.classes[1:i+1], s.classes[:i])
			s.classes[0] = r
			return r.id
		}
	}
	s.classSeq++
	r := classRep{id: s.classSeq, priority: pi.priority, req: pi.req, ports: pi.ports, pod: pi.pod}
	if len(s.classes) < maxClassReps {
		s.classes = append(s.classes, classRep{})
	}
	copy(s.classes[1:], s.classes[:len(s.classes)-1])
	s.classes[0] = r
	return r.id
}

func sameResources(a, b *resources) bool {
	return a.milliCPU == b.milliCPU && a.memory == b.memory && a.ephemeral == b.ephemeral && slices.Equal(a.scalars, b.scalars)
}

// sameSchedulingSpec compares the spec fields the filters read besides
// requests and ports.
func sameSchedulingSpec(a, b *cluster.Pod) bool {
	if a.Spec.NodeName != b.Spec.NodeName || len(a.Spec.Tolerations) != len(b.Spec.Tolerations) ||
		!maps.Equal(a.Spec.NodeSelector, b.Spec.NodeSelector) {
		return false
	}
	if len(a.Spec.Tolerations) > 0 && !reflect.DeepEqual(a.Spec.Tolerations, b.Spec.Tolerations) {
		return false
	}
	return reflect.DeepEqual(requiredAffinity(a), requiredAffinity(b))
}

func requiredAffinity(p *cluster.Pod) any {
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		return a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	}
	return nil
}

// filterMemo is the last filter result on a node: for class, at gen.
type filterMemo struct {
	class, gen uint64
	st         *Status
}

// victimMemo is the last dry-run result on a node, also valid only at the
// same instant (unstarted pods count as starting now) and PDB generation.
type victimMemo struct {
	class, gen, pdbGen uint64
	now                int64
	victims            []*podInfo
	violations         int
	st                 *Status
}

// memoOK reports whether pc may use and store results on ni.
func (pc *podCtx) memoOK(ni *nodeInfo) bool { return pc.class != 0 && pc.nominated != ni.name }

// filterNode is filterWithNominated on ni's own accounting, through the
// node's memo.
func (pc *podCtx) filterNode(ni *nodeInfo) *Status {
	if !pc.memoOK(ni) {
		return pc.filterWithNominated(ni, &ni.nodeState)
	}
	m := &ni.filterMemo
	if m.class == pc.class && m.gen == ni.gen {
		return m.st
	}
	st := pc.filterWithNominated(ni, &ni.nodeState)
	*m = filterMemo{pc.class, ni.gen, st}
	return st
}
