package tainteviction_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/sim/tainteviction"
	"github.com/daemonsim/daemonsim/taints"
)

func secs(s int64) *int64 { return &s }

// tol is an Exists toleration of key for effect (empty key: all keys),
// with tolerationSeconds s when s is not nil.
func tol(key string, effect taints.Effect, s *int64) taints.Toleration {
	return taints.Toleration{Key: key, Operator: taints.OpExists, Effect: effect, TolerationSeconds: s}
}

func TestDecide(t *testing.T) {
	old := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	notReady := taints.Taint{Key: taints.KeyNodeNotReady, Effect: taints.NoExecute}
	unreachable := taints.Taint{Key: taints.KeyNodeUnreachable, Effect: taints.NoExecute}
	gpu := taints.MustParse("gpu=yes:NoExecute")
	cases := []struct {
		name   string
		taints []taints.Taint
		tols   []taints.Toleration
		action tainteviction.Action
		delay  time.Duration
	}{
		{name: "no taints", action: tainteviction.Keep},
		{name: "no taints, tolerations", tols: []taints.Toleration{tol("", "", secs(5))}, action: tainteviction.Keep},
		{name: "NoSchedule only", taints: []taints.Taint{taints.MustParse("a=b:NoSchedule"), taints.MustParse("c:PreferNoSchedule")},
			action: tainteviction.Keep},
		{name: "untolerated", taints: []taints.Taint{notReady}, action: tainteviction.DeleteNow},
		{name: "NoSchedule toleration does not tolerate NoExecute", taints: []taints.Taint{notReady},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoSchedule, nil)}, action: tainteviction.DeleteNow},
		{name: "value mismatch", taints: []taints.Taint{gpu},
			tols:   []taints.Toleration{{Key: "gpu", Operator: taints.OpEqual, Value: "no", Effect: taints.NoExecute}},
			action: tainteviction.DeleteNow},
		{name: "value match forever", taints: []taints.Taint{gpu},
			tols:   []taints.Toleration{{Key: "gpu", Value: "yes", Effect: taints.NoExecute}},
			action: tainteviction.Keep},
		{name: "forever", taints: []taints.Taint{notReady},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, nil)}, action: tainteviction.Keep},
		{name: "empty effect tolerates NoExecute", taints: []taints.Taint{notReady},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, "", secs(7))}, action: tainteviction.DeleteAfter, delay: 7 * time.Second},
		{name: "30s", taints: []taints.Taint{notReady},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(30))},
			action: tainteviction.DeleteAfter, delay: 30 * time.Second},
		{name: "timeAdded is not read", taints: []taints.Taint{{Key: taints.KeyNodeNotReady, Effect: taints.NoExecute, TimeAdded: &old}},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(30))},
			action: tainteviction.DeleteAfter, delay: 30 * time.Second},
		{name: "min over taints", taints: []taints.Taint{notReady, unreachable},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(60)), tol(taints.KeyNodeUnreachable, taints.NoExecute, secs(20))},
			action: tainteviction.DeleteAfter, delay: 20 * time.Second},
		{name: "forever and finite: the finite one", taints: []taints.Taint{notReady, unreachable},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, nil), tol(taints.KeyNodeUnreachable, taints.NoExecute, secs(60))},
			action: tainteviction.DeleteAfter, delay: 60 * time.Second},
		{name: "one of two untolerated", taints: []taints.Taint{notReady, gpu},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, nil)}, action: tainteviction.DeleteNow},
		{name: "zero seconds: now", taints: []taints.Taint{notReady},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(0))}, action: tainteviction.DeleteAfter},
		{name: "negative seconds: now", taints: []taints.Taint{notReady, unreachable},
			tols:   []taints.Toleration{tol(taints.KeyNodeUnreachable, taints.NoExecute, secs(-5)), tol(taints.KeyNodeNotReady, taints.NoExecute, secs(9))},
			action: tainteviction.DeleteAfter},
		{name: "zero seconds, then an untolerated taint", taints: []taints.Taint{notReady, gpu},
			tols: []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(0))}, action: tainteviction.DeleteNow},
		// upstream's GetMatchingTolerations uses the first toleration that
		// tolerates each taint, so a later, shorter one does not count
		{name: "first tolerating toleration: forever wins", taints: []taints.Taint{notReady},
			tols:   []taints.Toleration{tol("", "", nil), tol(taints.KeyNodeNotReady, taints.NoExecute, secs(10))},
			action: tainteviction.Keep},
		{name: "first tolerating toleration: 10s wins", taints: []taints.Taint{notReady},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(10)), tol("", "", nil)},
			action: tainteviction.DeleteAfter, delay: 10 * time.Second},
		{name: "first tolerating toleration: later 5s ignored", taints: []taints.Taint{notReady},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(100)), tol(taints.KeyNodeNotReady, "", secs(5))},
			action: tainteviction.DeleteAfter, delay: 100 * time.Second},
		{name: "one toleration used twice", taints: []taints.Taint{notReady, unreachable},
			tols: []taints.Toleration{tol("", taints.NoExecute, secs(45))}, action: tainteviction.DeleteAfter, delay: 45 * time.Second},
		{name: "NoSchedule taints beside", taints: []taints.Taint{taints.MustParse("x:NoSchedule"), notReady},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(3))},
			action: tainteviction.DeleteAfter, delay: 3 * time.Second},
		{name: "huge seconds capped", taints: []taints.Taint{notReady},
			tols:   []taints.Toleration{tol(taints.KeyNodeNotReady, taints.NoExecute, secs(math.MaxInt64))},
			action: tainteviction.DeleteAfter, delay: time.Duration(math.MaxInt64/int64(time.Second)) * time.Second},
		{name: "Gt does not tolerate (gate off)", taints: []taints.Taint{taints.MustParse("n=5:NoExecute")},
			tols:   []taints.Toleration{{Key: "n", Operator: taints.OpGt, Value: "1", Effect: taints.NoExecute}},
			action: tainteviction.DeleteNow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			action, delay := tainteviction.Decide(tc.taints, tc.tols)
			assert.Equal(t, tc.action, action)
			assert.Equal(t, tc.delay, delay)
		})
	}
}

func TestActionString(t *testing.T) {
	assert.Equal(t, "Keep", tainteviction.Keep.String())
	assert.Equal(t, "DeleteNow", tainteviction.DeleteNow.String())
	assert.Equal(t, "DeleteAfter", tainteviction.DeleteAfter.String())
	assert.Equal(t, "Action(?)", tainteviction.Action(9).String())
}
