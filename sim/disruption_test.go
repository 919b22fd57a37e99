package sim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// webCluster is three nodes with three Ready pods of a ReplicaSet "web"
// (replicas 3) and the budget pdb over them.
func webCluster(t *testing.T, pdb cluster.PodDisruptionBudgetSpec) *simtest.World {
	t.Helper()
	c := simtest.NewDefault(t, sim.DefaultConfig{})
	three := int32(3)
	rs := &cluster.ReplicaSet{ObjectMeta: cluster.ObjectMeta{Name: "web", Namespace: "default", UID: "rs-web"},
		Spec: cluster.ReplicaSetSpec{Replicas: &three, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "web"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "web"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "web", Image: "web:1"}}}}}}
	c.Submit(c.Now(), "scenario", cluster.Create{Object: rs})
	yes := true
	for i, n := range []string{"n1", "n2", "n3"} {
		c.Submit(c.Now(), "scenario", cluster.Create{Object: ct.Node(n)})
		p := ct.Pod("web-"+string(rune('a'+i)), ct.OnNode(n), ct.PodLabels("app", "web"))
		p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs-web", Controller: &yes}}
		c.Submit(c.Now(), "scenario", cluster.Create{Object: p})
	}
	pdb.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "web"}}
	c.Submit(c.Now(), "scenario", cluster.Create{Object: &cluster.PodDisruptionBudget{
		ObjectMeta: cluster.ObjectMeta{Name: "web", Namespace: "default"}, Spec: pdb}})
	require.NoError(t, c.RunFor(time.Second))
	return c
}

func webBudget(t *testing.T, c *simtest.World) cluster.PodDisruptionBudgetStatus {
	t.Helper()
	o, ok := c.View().Get(cluster.Key{Kind: cluster.KindPodDisruptionBudget, Namespace: "default", Name: "web"})
	require.True(t, ok)
	return o.(*cluster.PodDisruptionBudget).Status
}

// The disruption controller keeps the budget's status, and evictions go
// through it: one pod may go (maxUnavailable 1); the ReplicaSet controller
// replaces it (the node agent has no latency here, so the replacement is
// Ready in the same instant) and the budget allows one again; of two
// evictions in one instant the second is refused with the API server's 429
// naming the budget, since the first took the only disruption allowed (the
// budget still counts 3 healthy pods, so the cause is upstream's "does not
// allow evicting pods currently", not "needs 2 healthy pods").
func TestEvictionHonoursTheBudget(t *testing.T) {
	one := cluster.FromInt(1)
	c := webCluster(t, cluster.PodDisruptionBudgetSpec{MaxUnavailable: &one})
	assert.Equal(t, cluster.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3},
		webBudget(t, c))

	evictedAt := c.Now()
	c.Submit(c.Now(), "drain", cluster.Evict{Pod: simtest.PodKey("web-a")})
	require.NoError(t, c.RunFor(time.Second))
	assert.Equal(t, "", c.LastErr(simtest.PodKey("web-a")))
	p, ok := c.View().Pod("default", "web-a")
	require.True(t, ok, "terminating for its grace period")
	require.NotNil(t, p.DeletionTimestamp)
	st := webBudget(t, c)
	assert.Equal(t, int32(1), st.DisruptionsAllowed, "the replacement is healthy")
	assert.Equal(t, int32(3), st.CurrentHealthy, "two old pods and the replacement; the terminating pod is not healthy")
	assert.Empty(t, st.DisruptedPods, "the pod is being deleted: its entry is done")

	c.Submit(c.Now(), "drain", cluster.Evict{Pod: simtest.PodKey("web-b")})
	c.Submit(c.Now(), "drain", cluster.Evict{Pod: simtest.PodKey("web-c")})
	require.NoError(t, c.RunFor(time.Second))
	assert.Equal(t, "", c.LastErr(simtest.PodKey("web-b")))
	assert.Equal(t, "evict pod/default/web-c: Cannot evict pod as it would violate the pod's disruption budget. (The disruption budget web does not allow evicting pods currently)",
		c.LastErr(simtest.PodKey("web-c")))
	p, _ = c.View().Pod("default", "web-c")
	assert.Nil(t, p.DeletionTimestamp, "not evicted")

	require.NoError(t, c.Stabilize())
	_, ok = c.View().Pod("default", "web-a")
	assert.False(t, ok, "gone after its grace period")
	assert.Equal(t, evictedAt.Add(31*time.Second), c.Now(), "web-b, evicted a second later, is the last to go")
	st = webBudget(t, c)
	assert.Equal(t, int32(1), st.DisruptionsAllowed)
	assert.Equal(t, int32(3), st.CurrentHealthy)
}

// A budget whose pods have a controller without a scale (a DaemonSet's)
// cannot compute its expected pods with maxUnavailable: the sync fails and
// the budget is made safe, as upstream's failSafe does.
func TestBudgetOverPodsWithoutAScale(t *testing.T) {
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	yes := true
	c.Submit(c.Now(), "scenario", cluster.Create{Object: ct.Node("n1")})
	p := ct.Pod("agent-x", ct.OnNode("n1"), ct.PodLabels("app", "agent"))
	p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "ds-agent", Controller: &yes}}
	c.Submit(c.Now(), "scenario", cluster.Create{Object: p})
	one := cluster.FromInt(1)
	c.Submit(c.Now(), "scenario", cluster.Create{Object: &cluster.PodDisruptionBudget{
		ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec:       cluster.PodDisruptionBudgetSpec{MaxUnavailable: &one, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}}},
		Status:     cluster.PodDisruptionBudgetStatus{DisruptionsAllowed: 1}}})
	require.NoError(t, c.RunFor(time.Second))
	var msgs []string
	for ev := range c.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == "CalculateExpectedPodCountFailed" {
			msgs = append(msgs, ev.Note.Message)
		}
	}
	require.NotEmpty(t, msgs)
	assert.Equal(t, `Failed to calculate the number of expected pods: found no controllers for pod "agent-x"`, msgs[0])
	o, _ := c.View().Get(cluster.Key{Kind: cluster.KindPodDisruptionBudget, Namespace: "default", Name: "agent"})
	assert.Equal(t, int32(0), o.(*cluster.PodDisruptionBudget).Status.DisruptionsAllowed)
}

// minAvailable as a number counts the pods themselves, whatever their
// controller.
func TestBudgetMinAvailable(t *testing.T) {
	two := cluster.FromInt(2)
	c := webCluster(t, cluster.PodDisruptionBudgetSpec{MinAvailable: &two})
	assert.Equal(t, cluster.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 3, DesiredHealthy: 2, ExpectedPods: 3},
		webBudget(t, c))
}
