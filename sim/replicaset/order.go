package replicaset

// Which pods a scale-down deletes: upstream's getPodsToDelete with
// ActivePodsWithRanks.Less (PodDeletionCost and the logarithmic
// scale-down, both on by default in v1.37).

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// podsToDelete returns the n pods of active (st's active pods, n <=
// len(active)) that a scale-down deletes: all of them when n is
// len(active), else the first n in deletion order, each ranked by the
// number of active pods on its node that match a related ReplicaSet's
// selector. Cost: O(a log a) for a active pods, plus, for a ReplicaSet with
// a controller, the pods on the nodes of its pods.
func podsToDelete(now time.Time, view cluster.View, related []*rsState, active []*cluster.Pod, n int) []*cluster.Pod {
	if n >= len(active) {
		return active
	}
	ranked := make([]rankedPod, len(active))
	onNode := relatedOnNodes(view, related, active)
	for i, p := range active {
		ranked[i] = rankedPod{pod: p, rank: onNode[p.Spec.NodeName]}
	}
	slices.SortFunc(ranked, func(a, b rankedPod) int { return compareForDeletion(a, b, now) })
	out := make([]*cluster.Pod, n)
	for i := range out {
		out[i] = ranked[i].pod
	}
	return out
}

// relatedOnNodes counts, for each node an active pod is bound to, the
// active pods there that match the selector of a related ReplicaSet of
// their namespace (upstream's getPodsRankedByRelatedPodsOnSameNode).
// Unbound pods all share one rank and are only ever compared with each
// other on it, so they are not counted. No related ReplicaSets: every rank
// is 0.
func relatedOnNodes(view cluster.View, related []*rsState, active []*cluster.Pod) map[string]int {
	out := map[string]int{}
	if len(related) == 0 {
		return out
	}
	for _, p := range active {
		node := p.Spec.NodeName
		if _, done := out[node]; done || node == "" {
			continue
		}
		count := 0
		for q := range view.PodsOnNode(node) {
			if !isPodActive(q) {
				continue
			}
			for _, r := range related {
				if r.key.Namespace == q.Namespace && r.selErr == nil && r.sel.Matches(q.Labels) {
					count++
					break
				}
			}
		}
		out[node] = count
	}
	return out
}

// rankedPod is a pod with its rank: the related pods on its node.
type rankedPod struct {
	pod  *cluster.Pod
	rank int
}

var phaseOrdinal = map[cluster.PodPhase]int{cluster.PodPending: 0, cluster.PodUnknown: 1, cluster.PodRunning: 2}

// lessForDeletion is upstream's ActivePodsWithRanks.Less: whether a is
// deleted before b. The first rule that tells them apart decides:
//
//  1. unbound before bound;
//  2. phase Pending, then Unknown, then Running;
//  3. not ready before ready;
//  4. lower pod-deletion cost first;
//  5. higher rank (more related pods on the node) first;
//  6. both ready: ready for less time first, compared in buckets of
//     floor(log2(now − ready time)) with the lower UID first within a
//     bucket (a zero ready time first);
//  7. more container restarts first (daemonsim has no container
//     statuses: never decides);
//  8. newer first, by creation time in the same log2 buckets, with the
//     lower UID first within a bucket (a zero time first).
func lessForDeletion(a, b rankedPod, now time.Time) bool {
	pa, pb := a.pod, b.pod
	if pa.Spec.NodeName != pb.Spec.NodeName && (pa.Spec.NodeName == "" || pb.Spec.NodeName == "") {
		return pa.Spec.NodeName == ""
	}
	if oa, ob := phaseOrdinal[pa.Status.Phase], phaseOrdinal[pb.Status.Phase]; oa != ob {
		return oa < ob
	}
	ra, rb := pa.IsReady(), pb.IsReady()
	if ra != rb {
		return !ra
	}
	if ca, cb := DeletionCost(pa), DeletionCost(pb); ca != cb {
		return ca < cb
	}
	if a.rank != b.rank {
		return a.rank > b.rank
	}
	if ra && rb {
		ta, tb := readyTime(pa), readyTime(pb)
		if !ta.Equal(tb) {
			return timeLess(ta, tb, now, pa.UID, pb.UID)
		}
	}
	ta, tb := pa.CreationTimestamp, pb.CreationTimestamp
	if !ta.Equal(tb) {
		return timeLess(ta, tb, now, pa.UID, pb.UID)
	}
	return false
}

// compareForDeletion orders a and b by lessForDeletion, and pods it does
// not tell apart by UID, then name: a total order, where upstream's
// unstable sort leaves such pods in an order that depends on its informer
// cache.
func compareForDeletion(a, b rankedPod, now time.Time) int {
	switch {
	case lessForDeletion(a, b, now):
		return -1
	case lessForDeletion(b, a, now):
		return 1
	}
	if c := cmp.Compare(a.pod.UID, b.pod.UID); c != 0 {
		return c
	}
	return cmp.Compare(a.pod.Name, b.pod.Name)
}

// timeLess is rules 6 and 8 for two different times: a zero time first;
// then the later time first when their log2 buckets differ; the lower UID
// first when they are in the same bucket.
func timeLess(ta, tb, now time.Time, ua, ub string) bool {
	if ta.IsZero() || tb.IsZero() {
		return ta.IsZero()
	}
	if d := logBucket(now.Sub(ta)) - logBucket(now.Sub(tb)); d != 0 {
		return d < 0
	}
	return ua < ub
}

// logBucket is upstream's logarithmic rank of an age: floor(log2) of its
// nanoseconds, -1 for an age that is not positive. It computes it as
// upstream does, through float64 math.Log2, so that ages that round to a
// power of two land in the same bucket.
func logBucket(d time.Duration) int64 {
	if d <= 0 {
		return -1
	}
	return int64(math.Log2(float64(d)))
}

// readyTime is the transition time of a ready pod's Ready condition.
func readyTime(p *cluster.Pod) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == cluster.PodReady && c.Status == cluster.ConditionTrue {
			return c.LastTransitionTime
		}
	}
	return time.Time{}
}

// DeletionCost returns the pod's PodDeletionCostAnnotation as upstream
// reads it: an int32 written without a plus sign or leading zeros; 0 when
// it is missing or invalid.
func DeletionCost(p *cluster.Pod) int32 {
	v, ok := p.Annotations[PodDeletionCostAnnotation]
	if !ok || v == "" {
		return 0
	}
	if !(v[0] == '-' || v == "0" || (v[0] >= '1' && v[0] <= '9')) {
		return 0
	}
	i, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(i)
}
