package replicaset

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

func TestLessForDeletion(t *testing.T) {
	now := time.Date(2000, 1, 1, 12, 0, 0, 0, time.UTC)
	pod := func(uid string, opts ...func(*cluster.Pod)) rankedPod {
		p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: uid, UID: uid, CreationTimestamp: now.Add(-time.Hour)},
			Spec: cluster.PodSpec{NodeName: "n1"}, Status: cluster.PodStatus{Phase: cluster.PodRunning}}
		for _, o := range opts {
			o(p)
		}
		return rankedPod{pod: p}
	}
	ready := func(at time.Time) func(*cluster.Pod) {
		return func(p *cluster.Pod) {
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: at}}
		}
	}
	cost := func(v string) func(*cluster.Pod) {
		return func(p *cluster.Pod) { p.Annotations = map[string]string{PodDeletionCostAnnotation: v} }
	}
	created := func(at time.Time) func(*cluster.Pod) { return func(p *cluster.Pod) { p.CreationTimestamp = at } }
	rank := func(r rankedPod, n int) rankedPod { r.rank = n; return r }
	tests := []struct {
		name string
		a, b rankedPod
		less bool
	}{
		{"unbound first", pod("b", func(p *cluster.Pod) { p.Spec.NodeName = "" }), pod("a"), true},
		{"pending before running", pod("b", func(p *cluster.Pod) { p.Status.Phase = cluster.PodPending }), pod("a"), true},
		{"unknown before running", pod("b", func(p *cluster.Pod) { p.Status.Phase = cluster.PodUnknown }), pod("a"), true},
		{"not ready first", pod("b"), pod("a", ready(now.Add(-time.Minute))), true},
		{"lower cost first", pod("b", cost("-5")), pod("a"), true},
		{"invalid cost is 0", pod("b", cost("+5")), pod("a", cost("1")), true},
		{"leading zero invalid", pod("a", cost("05")), pod("b", cost("1")), true},
		{"higher rank first", rank(pod("b"), 3), rank(pod("a"), 1), true},
		{"ready later first", pod("b", ready(now.Add(-time.Minute))), pod("a", ready(now.Add(-time.Hour))), true},
		{"ready same bucket: uid", pod("b", ready(now.Add(-70*time.Second))), pod("a", ready(now.Add(-80*time.Second))), false},
		{"newer first", pod("b", created(now.Add(-time.Minute))), pod("a", created(now.Add(-time.Hour))), true},
		{"created same bucket: uid", pod("a", created(now.Add(-80*time.Second))), pod("b", created(now.Add(-70*time.Second))), true},
		{"zero creation first", pod("b", created(time.Time{})), pod("a"), true},
		{"equal", pod("a"), pod("a"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.less, lessForDeletion(tc.a, tc.b, now))
		})
	}
}

func TestLogBucket(t *testing.T) {
	assert.Equal(t, int64(-1), logBucket(0))
	assert.Equal(t, int64(0), logBucket(1))
	assert.Equal(t, int64(10), logBucket(1024))
	assert.Equal(t, int64(10), logBucket(2047))
}

func TestPodNameCountsUp(t *testing.T) {
	rs := &cluster.ReplicaSet{ObjectMeta: cluster.ObjectMeta{Name: "web", UID: "u1"}}
	a, b := PodName(rs, 1), PodName(rs, 2)
	assert.Len(t, a, len("web-")+5)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, PodName(rs, 1))
}

// TestRefusedCreateIsRetriedAtOnce: a create the store refuses at apply
// lowers the expectations at once (upstream's CreationObserved on a
// failed request), so the next sync creates again without waiting for
// ExpectationsTimeout.
func TestRefusedCreateIsRetriedAtOnce(t *testing.T) {
	st := cluster.NewStore()
	two := int32(2)
	rs := &cluster.ReplicaSet{ObjectMeta: cluster.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: cluster.ReplicaSetSpec{Replicas: &two, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "web"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "web"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "web", Image: "web:1"}}}}}}
	d, err := st.Apply(time.Time{}, cluster.Create{Object: rs})
	require.NoError(t, err)
	c := New(Config{})
	c.Observe(d)
	creates := func(p cluster.Plan) []cluster.Create {
		var out []cluster.Create
		for _, ch := range p.Changes {
			if x, ok := ch.(cluster.Create); ok {
				out = append(out, x)
			}
		}
		return out
	}
	p, err := c.Reconcile(time.Time{}, st)
	require.NoError(t, err)
	first := creates(p)
	require.Len(t, first, 2, "slow start: batches of one and two, cut to the two replicas")
	p, err = c.Reconcile(time.Time{}, st)
	require.NoError(t, err)
	assert.Empty(t, creates(p), "nothing to do while the create is expected")

	d, err = st.Apply(time.Time{}, first[1])
	require.NoError(t, err)
	c.Observe(d)
	c.Refused(first[0], errors.New("refused"))
	p, err = c.Reconcile(time.Time{}, st)
	require.NoError(t, err)
	assert.Len(t, creates(p), 1, "the refused create is retried at once")
}
