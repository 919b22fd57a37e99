package nodelifecycle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/nodelifecycle"
)

// TestWithDefaultCluster stops a kubelet under running pods in the
// default cluster (sim.NewDefault registers the controller): the node's
// pods are marked not ready, the taints appear, nothing is refused.
func TestWithDefaultCluster(t *testing.T) {
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		c.Submit(c.Now(), "scenario", cluster.Create{Object: clustertest.Node(fmt.Sprintf("n%d", i), clustertest.CPU("4"), clustertest.Memory("8Gi"))})
	}
	for i := 1; i <= 6; i++ {
		c.Submit(c.Now(), "scenario", cluster.Create{Object: clustertest.Pod(fmt.Sprintf("default/p%d", i), clustertest.Requests("cpu", "100m"))})
	}
	require.NoError(t, c.RunUntil(sim.Epoch.Add(11*time.Second)))
	stop, err := nodelifecycle.StopKubelet(c.View(), "n1", c.Now())
	require.NoError(t, err)
	c.Submit(c.Now(), "scenario", stop)
	require.NoError(t, c.RunUntil(sim.Epoch.Add(3*time.Minute)))
	for _, ev := range c.Log() {
		assert.Empty(t, ev.Err, sim.Describe(sim.Epoch, ev))
	}
	n1, _ := c.View().Node("n1")
	ready, _ := n1.Condition(cluster.NodeReady)
	assert.Equal(t, cluster.ConditionUnknown, ready.Status)
	assert.Len(t, n1.Spec.Taints, 2)
	marked := 0
	for p := range c.View().PodsOnNode("n1") {
		c, ok := p.Condition(cluster.PodReady)
		require.True(t, ok)
		assert.Equal(t, cluster.ConditionFalse, c.Status, p.Name)
		marked++
	}
	assert.Positive(t, marked)
}

// BenchmarkStoppedKubelets: 5000 nodes in 10 zones, 500 kubelets stopping
// one every 7 s, an hour simulated.
func BenchmarkStoppedKubelets(b *testing.B) {
	for b.Loop() {
		c, _ := nodelifecycle.New(nodelifecycle.Config{})
		e, _ := sim.New(sim.Config{}, c)
		for i := range 5000 {
			e.Submit(e.Now(), "scenario", cluster.Create{Object: node(fmt.Sprintf("n%04d", i), fmt.Sprintf("z%d", i%10))})
		}
		for i := range 500 {
			if err := e.RunUntil(sim.Epoch.Add(time.Duration(i*7) * time.Second)); err != nil {
				b.Fatal(err)
			}
			ch, err := nodelifecycle.StopKubelet(e.View(), fmt.Sprintf("n%04d", (i*37)%5000), e.Now())
			if err != nil {
				b.Fatal(err)
			}
			e.Submit(e.Now(), "scenario", ch)
		}
		if err := e.RunUntil(sim.Epoch.Add(2 * time.Hour)); err != nil {
			b.Fatal(err)
		}
		wakes := 0
		for _, ev := range e.Log() {
			if ev.Kind == sim.EventWake {
				wakes++
			}
		}
		b.ReportMetric(float64(wakes), "wakes")
		b.ReportMetric(float64(e.LogLen()), "events")
	}
}
