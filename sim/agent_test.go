package sim

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

// TestNodeAgentStopsWithItsNode checks that a pod whose node is removed
// gets no further status from the agent (there is no kubelet left), even
// when the agent had already moved it on while the node existed, and that
// the pod garbage collector removes it after its quarantine. A pod on a
// node that stays goes on to Ready.
func TestNodeAgentStopsWithItsNode(t *testing.T) {
	c, err := NewDefault(DefaultConfig{NodeAgent: NodeAgentConfig{
		StartLatency: Fixed(10 * time.Second), ReadyDelay: Fixed(10 * time.Second)}})
	require.NoError(t, err)
	for _, n := range []string{"n1", "n2", "n3"} {
		c.Submit(Epoch, "scenario", cluster.Create{Object: ct.Node(n)})
	}
	for _, p := range []string{"a:n1", "b:n2", "c:n3"} {
		c.Submit(Epoch, "scenario", cluster.Create{Object: ct.Pod("default/"+p[:1], ct.OnNode(p[2:]))})
	}
	zero := int64(0)
	remove := func(at time.Duration, node string) {
		c.Submit(Epoch.Add(at), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: node}, GracePeriodSeconds: &zero})
	}
	remove(5*time.Second, "n1")  // before the pod starts
	remove(15*time.Second, "n2") // after it started, before it is ready
	pod := func(name string) *cluster.Pod {
		p, ok := c.View().Pod("default", name)
		require.True(t, ok, name)
		return p
	}

	require.NoError(t, c.RunUntil(Epoch.Add(30*time.Second)))
	assert.Equal(t, cluster.PodPending, pod("a").Status.Phase, "removed before it started")
	assert.Equal(t, cluster.PodRunning, pod("b").Status.Phase)
	assert.False(t, pod("b").IsReady(), "removed before it was ready")
	assert.True(t, pod("c").IsReady())

	require.NoError(t, c.RunUntil(Epoch.Add(time.Minute)))
	for _, name := range []string{"a", "b"} {
		_, ok := c.View().Pod("default", name)
		assert.False(t, ok, "%s: the pod garbage collector removed it", name)
	}
	assert.True(t, pod("c").IsReady())
}
