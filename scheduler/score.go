package scheduler

import (
	"math"
	"slices"

	"github.com/daemonsim/daemonsim/taints"
)

// MaxNodeScore is the highest score a plugin gives a node.
const MaxNodeScore int64 = 100

// The score plugin weights of the default profile.
const (
	weightTaintToleration    = 3
	weightNodeAffinity       = 2
	weightNodeResourcesFit   = 1
	weightBalancedAllocation = 1
)

// NodeScore is one feasible node's scores: each plugin's normalised score
// and the weighted total.
type NodeScore struct {
	Node               string
	TaintToleration    int64
	NodeAffinity       int64
	LeastAllocated     int64
	BalancedAllocation int64
	Total              int64
}

// nodeScore is NodeScore without the name, kept in a reused buffer.
type nodeScore struct {
	taint, affinity, least, balanced, total int64
}

// score scores the feasible nodes with the default profile's plugins and
// normalisations into buf (grown as needed), one entry per node in the
// order given, and returns it.
func (pc *podCtx) score(nodes []*nodeInfo, buf []nodeScore) []nodeScore {
	out := slices.Grow(buf[:0], len(nodes))[:len(nodes)]
	var maxTaint, maxAffinity int64
	for i, ni := range nodes {
		s := nodeScore{}
		if ni.hasSoftTaints {
			s.taint = pc.intolerableSoftTaints(ni)
			maxTaint = max(maxTaint, s.taint)
		}
		for _, t := range pc.preferred {
			if t.term.Matches(ni.name, ni.labels) {
				s.affinity += t.weight
			}
		}
		maxAffinity = max(maxAffinity, s.affinity)
		s.least = pc.leastAllocated(ni)
		if !pc.bestEffort {
			s.balanced = pc.balancedAllocation(ni)
		}
		out[i] = s
	}
	for i := range out {
		s := &out[i]
		s.taint = normalize(s.taint, maxTaint, true)
		s.affinity = normalize(s.affinity, maxAffinity, false)
		s.total = weightTaintToleration*s.taint + weightNodeAffinity*s.affinity +
			weightNodeResourcesFit*s.least + weightBalancedAllocation*s.balanced
	}
	return out
}

// normalize is helper.DefaultNormalizeScore for one score.
func normalize(score, maxCount int64, reverse bool) int64 {
	if maxCount == 0 {
		if reverse {
			return MaxNodeScore
		}
		return 0
	}
	score = MaxNodeScore * score / maxCount
	if reverse {
		score = MaxNodeScore - score
	}
	return score
}

// intolerableSoftTaints counts the node's PreferNoSchedule taints that no
// toleration with an empty or PreferNoSchedule effect tolerates.
func (pc *podCtx) intolerableSoftTaints(ni *nodeInfo) int64 {
	var n int64
	for _, t := range ni.taints {
		if t.Effect == taints.PreferNoSchedule && !taints.TolerationsTolerateTaint(pc.softTolerations, t) {
			n++
		}
	}
	return n
}

// leastAllocated is NodeResourcesFit's LeastAllocated score over cpu and
// memory (weight 1 each), counting requests with the scoring defaults.
func (pc *podCtx) leastAllocated(ni *nodeInfo) int64 {
	cpu, okCPU := leastRequested(ni.alloc.milliCPU, ni.nonzero.milliCPU+pc.nonzero.milliCPU)
	mem, okMem := leastRequested(ni.alloc.memory, ni.nonzero.memory+pc.nonzero.memory)
	switch {
	case okCPU && okMem:
		return (cpu + mem) / 2
	case okCPU:
		return cpu
	case okMem:
		return mem
	}
	return 0
}

// leastRequested is one resource's LeastAllocated score; false when the
// node has none of it (the resource is then left out of the average).
func leastRequested(capacity, requested int64) (int64, bool) {
	if capacity == 0 {
		return 0, false
	}
	if requested > capacity {
		return 0, true
	}
	return (capacity - requested) * MaxNodeScore / capacity, true
}

// balancedAllocation is v1.37's NodeResourcesBalancedAllocation: it
// scores the change in balance the pod brings, not the balance after it.
// The balance of a node, (1 - the standard deviation of the cpu and memory
// request fractions) * 100 with exact requests, is taken with the pod's
// requests (withPod) and without them (withoutPod), and the score is
// 50 + (50 + withPod - withoutPod) / 2: near 75 for a small change, towards
// 100 when the pod improves the balance and towards 50 when it worsens it.
func (pc *podCtx) balancedAllocation(ni *nodeInfo) int64 {
	withPod := balance(ni.alloc.milliCPU, ni.requested.milliCPU+pc.req.milliCPU, ni.alloc.memory, ni.requested.memory+pc.req.memory)
	withoutPod := balance(ni.alloc.milliCPU, ni.requested.milliCPU, ni.alloc.memory, ni.requested.memory)
	return MaxNodeScore/2 + (MaxNodeScore/2+withPod-withoutPod)/2
}

// balance is upstream's balancedResourceScore over cpu and memory: a
// resource the node has none of is left out. It uses upstream's float64
// arithmetic; the conversions keep the compiler from fusing operations, so
// every platform rounds alike.
func balance(cpuAlloc, cpuReq, memAlloc, memReq int64) int64 {
	if cpuAlloc == 0 || memAlloc == 0 {
		return MaxNodeScore // fewer than two resources: no deviation
	}
	fc := float64(cpuReq) / float64(cpuAlloc)
	if fc > 1 {
		fc = 1
	}
	fm := float64(memReq) / float64(memAlloc)
	if fm > 1 {
		fm = 1
	}
	std := math.Abs(float64(fc-fm) / 2)
	return int64(float64(1-std) * float64(MaxNodeScore))
}
