package tainteviction

import (
	"math"
	"time"

	"github.com/daemonsim/daemonsim/taints"
)

// Action is what the controller does with one pod after it looked at the
// NoExecute taints of the pod's node (upstream's processPodOnNode).
type Action uint8

const (
	// Keep: the node has no NoExecute taint, or every toleration used
	// tolerates it forever (no tolerationSeconds). A scheduled deletion is
	// cancelled.
	Keep Action = iota
	// DeleteNow: some NoExecute taint is tolerated by no toleration. A
	// scheduled deletion is cancelled and the pod is deleted at once.
	DeleteNow
	// DeleteAfter: every NoExecute taint is tolerated and some toleration
	// used has tolerationSeconds: the pod is deleted the returned delay
	// after the controller saw the taints (0 when some tolerationSeconds
	// is 0 or negative), unless a deletion is already scheduled, which
	// keeps its time.
	DeleteAfter
)

// String returns "Keep", "DeleteNow" or "DeleteAfter".
func (a Action) String() string {
	switch a {
	case Keep:
		return "Keep"
	case DeleteNow:
		return "DeleteNow"
	case DeleteAfter:
		return "DeleteAfter"
	}
	return "Action(?)"
}

// maxSeconds is the largest tolerationSeconds that fits a time.Duration.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// Decide applies upstream's deadline rule to a pod with tolerations tols
// on a node with taints ts (the node's whole list: only NoExecute taints
// count, in list order):
//
//  1. no NoExecute taint: Keep;
//  2. for each NoExecute taint, the first toleration in tols that
//     tolerates it (taints.Toleration.ToleratesTaint) is the one used
//     (upstream's GetMatchingTolerations); a taint that none tolerates:
//     DeleteNow;
//  3. over the tolerations used (getMinTolerationTime): any
//     tolerationSeconds ≤ 0 gives DeleteAfter with delay 0; all nil gives
//     Keep; else DeleteAfter with the smallest tolerationSeconds.
//
// Only the first tolerating toleration of each taint is used: a later one
// with a shorter tolerationSeconds does not shorten the delay. Taint
// TimeAdded is not read: the delay counts from when the controller sees
// the taints. A tolerationSeconds too large for a time.Duration (more than
// about 292 years) is capped there, where upstream's multiplication
// overflows. Cost: O(len(ts) × len(tols)); no allocation.
func Decide(ts []taints.Taint, tols []taints.Toleration) (Action, time.Duration) {
	found, zero := false, false
	least := int64(-1) // the smallest positive tolerationSeconds used; -1 if none
	for _, t := range ts {
		if t.Effect != taints.NoExecute {
			continue
		}
		found = true
		used := -1
		for i := range tols {
			if tols[i].ToleratesTaint(t) {
				used = i
				break
			}
		}
		if used < 0 {
			return DeleteNow, 0
		}
		s := tols[used].TolerationSeconds
		switch {
		case s == nil:
		case *s <= 0:
			zero = true
		case least < 0 || *s < least:
			least = *s
		}
	}
	switch {
	case !found:
		return Keep, 0
	case zero:
		return DeleteAfter, 0
	case least < 0:
		return Keep, 0
	}
	return DeleteAfter, time.Duration(min(least, maxSeconds)) * time.Second
}
