package nodelifecycle

import (
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// ZoneState is a zone's disruption state (upstream's ZoneState).
type ZoneState string

// The zone states.
const (
	StateInitial           ZoneState = "Initial"
	StateNormal            ZoneState = "Normal"
	StateFullDisruption    ZoneState = "FullDisruption"
	StatePartialDisruption ZoneState = "PartialDisruption"
)

// The node labels the zone key is made of, and the label that leaves a
// node out of its zone's state.
const (
	LabelTopologyZone            = "topology.kubernetes.io/zone"
	LabelTopologyRegion          = "topology.kubernetes.io/region"
	LabelFailureDomainBetaZone   = "failure-domain.beta.kubernetes.io/zone"
	LabelFailureDomainBetaRegion = "failure-domain.beta.kubernetes.io/region"
	LabelExcludeDisruption       = "node.kubernetes.io/exclude-disruption"
)

// ZoneKey is upstream's nodetopology.GetZoneKey: "" for a node with no
// region and no zone label, else region + ":\x00:" + zone (the stable
// labels first, the beta ones when those are missing). O(1).
func ZoneKey(n *cluster.Node) string {
	l := n.Labels
	zone, ok := l[LabelTopologyZone]
	if !ok {
		zone = l[LabelFailureDomainBetaZone]
	}
	region, ok := l[LabelTopologyRegion]
	if !ok {
		region = l[LabelFailureDomainBetaRegion]
	}
	if region == "" && zone == "" {
		return ""
	}
	return region + ":\x00:" + zone
}

// ComputeZoneState is upstream's ComputeZoneState over counts: a zone with
// no ready node and some not ready is FullDisruption; one with more than
// two not ready making at least threshold of it is PartialDisruption;
// anything else is Normal. O(1).
func ComputeZoneState(ready, notReady int, threshold float64) ZoneState {
	switch {
	case ready == 0 && notReady > 0:
		return StateFullDisruption
	case notReady > 2 && float32(notReady)/float32(notReady+ready) >= float32(threshold):
		return StatePartialDisruption
	default:
		return StateNormal
	}
}

// bucket is a token bucket of burst 1 (upstream's
// flowcontrol.NewTokenBucketRateLimiter(qps, 1)), or a limiter that never
// admits (NewFakeNeverRateLimiter, whose QPS reads 1) when never is set.
// It holds one token from readyAt on.
type bucket struct {
	qps     float64
	never   bool
	readyAt time.Time
}

// newBucket returns a full bucket of qps, or a never limiter for qps <= 0.
func newBucket(qps float64) bucket {
	if qps <= 0 {
		return bucket{never: true}
	}
	return bucket{qps: qps}
}

// reportedQPS is what upstream's limiter.QPS() returns.
func (b *bucket) reportedQPS() float64 {
	if b.never {
		return 1
	}
	return b.qps
}

// interval is the time one token takes to come back.
func (b *bucket) interval() time.Duration {
	return time.Duration(float64(time.Second) / b.qps)
}

// tryAccept takes the token if there is one at now.
func (b *bucket) tryAccept(now time.Time) bool {
	if b.never || now.Before(b.readyAt) {
		return false
	}
	b.readyAt = now.Add(b.interval())
	return true
}

// swap is upstream's SwapLimiter: nothing if the reported QPS is qps
// already; else a new limiter, which starts drained if the old one had
// no token at now.
func (b *bucket) swap(qps float64, now time.Time) {
	if b.reportedQPS() == qps {
		return
	}
	nb := newBucket(qps)
	if !nb.never && !b.tryAccept(now) {
		nb.tryAccept(now)
	}
	*b = nb
}

// qitem is one entry of a zone's tainting queue. Entries are appended in
// sequence order, so the queue is first in, first out; an entry whose
// node was taken off the queue since (st.qseq differs, or st.queued is
// false) is stale and skipped.
type qitem struct {
	st  *nodeState
	seq uint64
}

// zone is what the controller keeps of one zone: the counts of its ready
// and not-ready nodes (kept by deltas), its recorded state, its limiter
// and its tainting queue (upstream's zoneNoExecuteTainter entry).
type zone struct {
	key             string
	ready, notReady int
	recorded        bool // in upstream's zoneStates
	state           ZoneState
	bucket          bucket
	q               []qitem
	head            int
	nextTry         time.Time // the tick at which the queue is tried next; zero: not due
	active          bool      // in Controller.active
}

// size is the number of counted nodes.
func (z *zone) size() int { return z.ready + z.notReady }

// computed is the state the counts give.
func (z *zone) computed(threshold float64) ZoneState {
	return ComputeZoneState(z.ready, z.notReady, threshold)
}

// live returns the head entry that is not stale, dropping stale ones, or
// false when the queue is empty.
func (z *zone) live() (qitem, bool) {
	for z.head < len(z.q) {
		it := z.q[z.head]
		if it.st.queued && it.st.qseq == it.seq {
			return it, true
		}
		z.q[z.head] = qitem{}
		z.head++
	}
	z.q, z.head = z.q[:0], 0
	return qitem{}, false
}

// pop removes the head entry.
func (z *zone) pop() {
	z.q[z.head] = qitem{}
	z.head++
	if z.head == len(z.q) {
		z.q, z.head = z.q[:0], 0
	} else if z.head > 64 && z.head*2 > len(z.q) {
		n := copy(z.q, z.q[z.head:])
		clear(z.q[n:])
		z.q, z.head = z.q[:n], 0
	}
}

// ZoneStatus describes one zone, as Zones returns it.
type ZoneStatus struct {
	// Zone is the zone key (ZoneKey).
	Zone string
	// State is the recorded state ("" if the zone is not recorded: it had
	// no counted node at the last pass).
	State ZoneState
	// Ready and NotReady count the zone's nodes that are not excluded.
	Ready, NotReady int
	// QPS is the limiter's reported QPS (1 for a paused limiter, as
	// upstream's never limiter reports); Paused says which.
	QPS    float64
	Paused bool
	// Queued is the number of nodes waiting for a NoExecute taint.
	Queued int
}
