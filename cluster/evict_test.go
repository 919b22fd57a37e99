package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
)

func budget(name string, st cluster.PodDisruptionBudgetStatus, kv ...string) *cluster.PodDisruptionBudget {
	one := cluster.FromInt(1)
	b := &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default"},
		Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &selector.LabelSelector{MatchLabels: selector.Set{}}}}
	for i := 0; i+1 < len(kv); i += 2 {
		b.Spec.Selector.MatchLabels[kv[i]] = kv[i+1]
	}
	b.Status = st
	return b
}

func readyPod(name string, opts ...ct.PodOption) *cluster.Pod {
	p := ct.Pod(name, ct.OnNode("n1"), ct.PodLabels("app", "web"))
	p.Status.Phase = cluster.PodRunning
	p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Evict is the eviction subresource: the budget selecting the pod decides,
// in upstream's order of checks and with its refusals.
func TestEvict(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	allow := func(n, current, desired int32) cluster.PodDisruptionBudgetStatus {
		return cluster.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: n, CurrentHealthy: current, DesiredHealthy: desired, ExpectedPods: current}
	}
	notReady := func(p *cluster.Pod) { p.Status.Conditions[0].Status = cluster.ConditionFalse }
	pending := func(p *cluster.Pod) { p.Status.Phase = cluster.PodPending; p.Status.Conditions = nil }
	for _, tc := range []struct {
		name     string
		pod      *cluster.Pod
		budgets  []*cluster.PodDisruptionBudget
		err      error
		message  string
		usesBudg bool
	}{
		{name: "no budget", pod: readyPod("p")},
		{name: "a budget of another app", pod: readyPod("p"), budgets: []*cluster.PodDisruptionBudget{budget("db", allow(0, 1, 1), "app", "db")}},
		{name: "the budget allows one", pod: readyPod("p"), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(1, 3, 2), "app", "web")}, usesBudg: true},
		{name: "the budget allows none", pod: readyPod("p"), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(0, 2, 2), "app", "web")},
			err: cluster.ErrTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget. (The disruption budget web needs 2 healthy pods and has 2 currently)"},
		{name: "the budget's status lags its generation", pod: readyPod("p"),
			budgets: []*cluster.PodDisruptionBudget{budget("web", cluster.PodDisruptionBudgetStatus{DisruptionsAllowed: 1}, "app", "web")},
			err:     cluster.ErrTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget. (The disruption budget web is still being processed by the server.)"},
		{name: "a negative allowance", pod: readyPod("p"), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(-1, 1, 2), "app", "web")},
			err: cluster.ErrForbidden},
		{name: "two budgets", pod: readyPod("p"), budgets: []*cluster.PodDisruptionBudget{budget("a", allow(1, 3, 2), "app", "web"), budget("b", allow(1, 3, 2))},
			err: cluster.ErrInternal, message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."},
		{name: "a pending pod ignores the budget", pod: readyPod("p", pending), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(0, 0, 2), "app", "web")}},
		{name: "an unready pod when the budget is met", pod: readyPod("p", notReady), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(0, 2, 2), "app", "web")}},
		{name: "an unready pod when it is not", pod: readyPod("p", notReady), budgets: []*cluster.PodDisruptionBudget{budget("web", allow(0, 1, 2), "app", "web")},
			err: cluster.ErrTooManyRequests, message: "Cannot evict pod as it would violate the pod's disruption budget. (The disruption budget web needs 2 healthy pods and has 1 currently)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cluster.NewStore()
			for _, b := range tc.budgets {
				_, err := s.Apply(now, cluster.Create{Object: b})
				require.NoError(t, err)
			}
			_, err := s.Apply(now, cluster.Create{Object: tc.pod})
			require.NoError(t, err)
			rev, digest := s.Revision(), cluster.Digest(s)
			d, err := s.Apply(now, cluster.Evict{Pod: cluster.KeyOf(tc.pod)})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				var ee *cluster.EvictionError
				require.ErrorAs(t, err, &ee)
				if tc.message != "" {
					assert.Equal(t, "evict pod/default/p: "+tc.message, err.Error())
				}
				assert.Equal(t, digest, cluster.Digest(s), "nothing changed")
				return
			}
			require.NoError(t, err)
			p, ok := s.Pod("default", "p")
			if tc.pod.Status.Phase == cluster.PodPending {
				assert.True(t, ok, "a pending pod bound to a node terminates too")
				assert.NotNil(t, p.DeletionTimestamp)
			} else {
				require.True(t, ok, "a running pod terminates for its grace period")
				require.NotNil(t, p.DeletionTimestamp)
				c, ok := p.Condition(cluster.DisruptionTarget)
				require.True(t, ok)
				assert.Equal(t, "EvictionByEvictionAPI", c.Reason)
				assert.Equal(t, "Eviction API: evicting", c.Message)
			}
			if tc.usesBudg {
				require.Len(t, d.Also, 1)
				assert.Equal(t, rev+2, d.Rev)
				b, _ := d.Also[0].New.(*cluster.PodDisruptionBudget)
				require.NotNil(t, b)
				assert.Equal(t, int32(0), b.Status.DisruptionsAllowed)
				assert.Equal(t, map[string]time.Time{"p": now}, b.Status.DisruptedPods)
				assert.Equal(t, rev+1, d.Also[0].Rev)
			} else {
				assert.Empty(t, d.Also)
				assert.Equal(t, rev+1, d.Rev)
			}
		})
	}
}

func TestEvictMissingPod(t *testing.T) {
	s := cluster.NewStore()
	_, err := s.Apply(time.Time{}, cluster.Evict{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "gone"}})
	require.ErrorIs(t, err, cluster.ErrNotFound)
	_, err = s.Apply(time.Time{}, cluster.Evict{Pod: cluster.Key{Kind: cluster.KindNode, Name: "n1"}})
	require.ErrorIs(t, err, cluster.ErrInvalid)
}

// A second delete of a pod being deleted only shortens its grace period,
// counted from the first request (the generic registry's BeforeDelete): a
// delete without a grace period, or with a longer one, leaves the
// deletionTimestamp as it was; a shorter one moves it earlier; zero
// removes the pod.
func TestDeleteTerminatingPodOnlyShortens(t *testing.T) {
	s := cluster.NewStore()
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err := s.Apply(t0, cluster.Create{Object: ct.Node("n1")})
	require.NoError(t, err)
	_, err = s.Apply(t0, cluster.Create{Object: ct.Pod("p", ct.OnNode("n1"))})
	require.NoError(t, err)
	key := cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "p"}
	_, err = s.Apply(t0, cluster.Delete{Key: key})
	require.NoError(t, err)
	ts := func() time.Time {
		p, ok := s.Pod("default", "p")
		require.True(t, ok)
		return *p.DeletionTimestamp
	}
	require.Equal(t, t0.Add(30*time.Second), ts())

	g := func(s int64) *int64 { return &s }
	_, err = s.Apply(t0.Add(10*time.Second), cluster.Delete{Key: key})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(30*time.Second), ts(), "no grace period: unchanged, not now+30s")
	_, err = s.Apply(t0.Add(10*time.Second), cluster.Delete{Key: key, GracePeriodSeconds: g(60)})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(30*time.Second), ts(), "a longer one: unchanged")
	_, err = s.Apply(t0.Add(10*time.Second), cluster.Delete{Key: key, GracePeriodSeconds: g(15)})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(15*time.Second), ts(), "a shorter one counts from the first request")
	_, err = s.Apply(t0.Add(11*time.Second), cluster.Delete{Key: key, GracePeriodSeconds: g(0)})
	require.NoError(t, err)
	_, ok := s.Pod("default", "p")
	assert.False(t, ok, "zero removes it")
}
