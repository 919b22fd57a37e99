package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// TestNodeAgentStopsWithItsNode checks that a pod whose node is removed
// gets no further status from the agent (there is no kubelet left), even
// when the agent had already moved it on while the node existed, and that
// the pod garbage collector removes it after its quarantine. A pod on a
// node that stays goes on to Ready.
func TestNodeAgentStopsWithItsNode(t *testing.T) {
	c := simtest.NewDefault(t, sim.DefaultConfig{NodeAgent: sim.NodeAgentConfig{
		StartLatency: sim.Fixed(10 * time.Second), ReadyDelay: sim.Fixed(10 * time.Second)}})
	for _, n := range []string{"n1", "n2", "n3"} {
		c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Node(n)})
	}
	for _, p := range []string{"a:n1", "b:n2", "c:n3"} {
		c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod("default/"+p[:1], ct.OnNode(p[2:]))})
	}
	zero := int64(0)
	remove := func(at time.Duration, node string) {
		c.Submit(sim.Epoch.Add(at), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: node}, GracePeriodSeconds: &zero})
	}
	remove(5*time.Second, "n1")  // before the pod starts
	remove(15*time.Second, "n2") // after it started, before it is ready
	pod := func(name string) *cluster.Pod { return c.Pod(name) }

	require.NoError(t, c.RunUntil(sim.Epoch.Add(30*time.Second)))
	assert.Equal(t, cluster.PodPending, pod("a").Status.Phase, "removed before it started")
	assert.Equal(t, cluster.PodRunning, pod("b").Status.Phase)
	assert.False(t, pod("b").IsReady(), "removed before it was ready")
	assert.True(t, pod("c").IsReady())

	require.NoError(t, c.RunUntil(sim.Epoch.Add(time.Minute)))
	for _, name := range []string{"a", "b"} {
		_, ok := c.View().Pod("default", name)
		assert.False(t, ok, "%s: the pod garbage collector removed it", name)
	}
	assert.True(t, pod("c").IsReady())
}

// agentCluster returns a default cluster with the nodes given and the
// agent configured as cfg.
func agentCluster(t *testing.T, seed uint64, cfg sim.NodeAgentConfig, nodes ...string) *simtest.World {
	t.Helper()
	w := simtest.NewDefault(t, sim.DefaultConfig{Engine: sim.Config{Seed: seed}, NodeAgent: cfg})
	for _, n := range nodes {
		w.Create(ct.Node(n))
	}
	return w
}

// TestNodeAgentLifecycle follows one pod bound at the start through
// Pending, Running and Ready at the instants its fixed latencies give.
func TestNodeAgentLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name         string
		start, ready time.Duration
	}{
		{"start 2s ready 3s later", 2 * time.Second, 3 * time.Second},
		{"ready as it starts", 2 * time.Second, 0},
		{"all at once", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := agentCluster(t, 1, sim.NodeAgentConfig{StartLatency: sim.Fixed(tc.start), ReadyDelay: sim.Fixed(tc.ready)}, "n1")
			c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod("p", ct.OnNode("n1"))})
			if tc.start > 0 {
				require.NoError(t, c.RunUntil(sim.Epoch.Add(tc.start-time.Nanosecond)))
				p := c.Pod("p")
				assert.Equal(t, cluster.PodPending, p.Status.Phase)
				assert.Nil(t, p.Status.StartTime)
			}
			require.NoError(t, c.RunUntil(sim.Epoch.Add(tc.start)))
			p := c.Pod("p")
			assert.Equal(t, cluster.PodRunning, p.Status.Phase)
			require.NotNil(t, p.Status.StartTime)
			assert.Equal(t, sim.Epoch.Add(tc.start), *p.Status.StartTime)
			ready, ok := p.Condition(cluster.PodReady)
			require.True(t, ok)
			if tc.ready > 0 {
				assert.Equal(t, cluster.ConditionFalse, ready.Status)
				assert.Equal(t, "ContainersNotReady", ready.Reason)
				require.NoError(t, c.RunUntil(sim.Epoch.Add(tc.start+tc.ready-time.Nanosecond)))
				assert.False(t, c.Pod("p").IsReady())
				require.NoError(t, c.RunUntil(sim.Epoch.Add(tc.start+tc.ready)))
				ready, _ = c.Pod("p").Condition(cluster.PodReady)
			}
			assert.Equal(t, cluster.ConditionTrue, ready.Status)
			assert.Equal(t, sim.Epoch.Add(tc.start+tc.ready), ready.LastTransitionTime)
			require.NoError(t, c.Stabilize())
			assert.Equal(t, cluster.PodRunning, c.Pod("p").Status.Phase, "nothing more happens to it")
		})
	}
}

// TestNodeAgentGracePeriod deletes a running pod at +10s and checks that it
// stays, terminating, until its grace period is over: the pod's
// terminationGracePeriodSeconds (30 s when unset) unless the delete names
// one.
func TestNodeAgentGracePeriod(t *testing.T) {
	ptr := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		name        string
		podGrace    *int64
		deleteGrace *int64
		gone        time.Duration // after the delete
	}{
		{"default 30s", nil, nil, 30 * time.Second},
		{"the pod's own 10s", ptr(10), nil, 10 * time.Second},
		{"the delete's 5s over the pod's 10s", ptr(10), ptr(5), 5 * time.Second},
		{"zero: at once", ptr(0), nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := agentCluster(t, 1, sim.NodeAgentConfig{}, "n1")
			p := ct.Pod("p", ct.OnNode("n1"))
			p.Spec.TerminationGracePeriodSeconds = tc.podGrace
			c.Submit(sim.Epoch, "scenario", cluster.Create{Object: p})
			del := sim.Epoch.Add(10 * time.Second)
			c.Submit(del, "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: cluster.DefaultNamespace, Name: "p"}, GracePeriodSeconds: tc.deleteGrace})
			if tc.gone > 0 {
				require.NoError(t, c.RunUntil(del.Add(tc.gone-time.Nanosecond)))
				p := c.Pod("p")
				require.True(t, p.IsTerminating())
				assert.Equal(t, del.Add(tc.gone), *p.DeletionTimestamp)
			}
			require.NoError(t, c.RunUntil(del.Add(tc.gone)))
			_, ok := c.View().Pod(cluster.DefaultNamespace, "p")
			assert.False(t, ok, "gone when the grace period ends")
		})
	}
}

// TestNodeAgentFail fails a Ready pod by hand, and refuses pods that are
// missing or not bound.
func TestNodeAgentFail(t *testing.T) {
	c := agentCluster(t, 1, sim.NodeAgentConfig{StartLatency: sim.Fixed(time.Second), ReadyDelay: sim.Fixed(time.Second)}, "n1")
	c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod("p", ct.OnNode("n1"))})
	c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod("nowhere", ct.NodeSelector("zone", "none"))})
	require.NoError(t, c.RunUntil(sim.Epoch.Add(time.Minute)))
	require.True(t, c.Pod("p").IsReady())

	assert.EqualError(t, c.Fail(simtest.PodKey("missing"), "R", "m"), "sim: pod pod/default/missing is not bound to a node")
	assert.Error(t, c.Fail(simtest.PodKey("nowhere"), "R", "m"))
	require.NoError(t, c.Fail(simtest.PodKey("p"), "OOMKilled", "the container ran out of memory"))
	require.NoError(t, c.Stabilize())
	assert.Equal(t, sim.Epoch.Add(time.Minute), c.Now(), "failed at the instant it was asked")
	p := c.Pod("p")
	assert.Equal(t, cluster.PodFailed, p.Status.Phase)
	assert.Equal(t, "OOMKilled", p.Status.Reason)
	assert.Equal(t, "the container ran out of memory", p.Status.Message)
	ready, ok := p.Condition(cluster.PodReady)
	require.True(t, ok)
	assert.Equal(t, cluster.ConditionFalse, ready.Status)
	assert.Equal(t, sim.Epoch.Add(time.Minute), ready.LastTransitionTime)
	assert.Equal(t, cluster.PodPending, c.Pod("nowhere").Status.Phase)
}

// TestNodeAgentFailureProbability binds 2,000 pods with a failure
// probability of 1/4 and checks the share that fails, and that a failed
// pod goes Failed at its start time without ever running.
func TestNodeAgentFailureProbability(t *testing.T) {
	const nodes, perNode = 40, 50
	var names []string
	for i := range nodes {
		names = append(names, fmt.Sprintf("n%02d", i))
	}
	c := agentCluster(t, 3, sim.NodeAgentConfig{StartLatency: sim.Fixed(2 * time.Second), FailureProbability: 0.25}, names...)
	for _, n := range names {
		for j := range perNode {
			c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod(fmt.Sprintf("%s-p%02d", n, j), ct.OnNode(n))})
		}
	}
	require.NoError(t, c.Stabilize())
	failed := 0
	for p := range c.View().Pods() {
		switch p.Status.Phase {
		case cluster.PodFailed:
			failed++
			assert.Equal(t, sim.ReasonSimulatedFailure, p.Status.Reason)
			assert.Nil(t, p.Status.StartTime, "never ran")
		case cluster.PodRunning:
			assert.True(t, p.IsReady())
		default:
			t.Errorf("pod %s: phase %s", p.Name, p.Status.Phase)
		}
	}
	// 2,000 draws at 1/4: mean 500, standard deviation 19.4
	assert.InDelta(t, 500, failed, 80)
	assert.Equal(t, sim.Epoch.Add(2*time.Second), c.Now(), "every pod, failed or not, at its start time")
}

// TestNodeAgentStreamsAreSeparate checks that the agent's quantities come
// from separate named streams: turning failures on and changing the
// readiness delay leaves every pod's start latency as it was.
func TestNodeAgentStreamsAreSeparate(t *testing.T) {
	run := func(cfg sim.NodeAgentConfig) map[string]time.Time {
		c := agentCluster(t, 9, cfg, "n1", "n2")
		for i := range 200 {
			c.Submit(sim.Epoch, "scenario", cluster.Create{Object: ct.Pod(fmt.Sprintf("p%03d", i), ct.OnNode([]string{"n1", "n2"}[i%2]))})
		}
		require.NoError(t, c.Stabilize())
		started := map[string]time.Time{}
		for p := range c.View().Pods() {
			if p.Status.StartTime != nil {
				started[p.Name] = *p.Status.StartTime
			}
		}
		return started
	}
	start := sim.LogNormal(2*time.Second, 0.5)
	base := run(sim.NodeAgentConfig{StartLatency: start, ReadyDelay: sim.Fixed(time.Second)})
	require.Len(t, base, 200)
	distinct := map[time.Time]bool{}
	for _, at := range base {
		distinct[at] = true
	}
	assert.Greater(t, len(distinct), 190, "start latencies are drawn per pod")
	other := run(sim.NodeAgentConfig{StartLatency: start, ReadyDelay: sim.Uniform(time.Second, 9*time.Second), FailureProbability: 0.5})
	assert.Greater(t, len(other), 50)
	assert.Less(t, len(other), 150, "about half failed")
	for name, at := range other {
		assert.Equal(t, base[name], at, name)
	}
}

// A node whose kubelet stops: nothing happens to its pods (a pod bound
// there stays Pending, a pod being deleted stays Terminating), the node
// lifecycle controller marks the Ready pods not ready once the node is
// Unknown; when the kubelet starts again and posts Ready, the pods carry
// on: the pending one starts, the terminating one goes, the marked one is
// posted Ready again.
func TestNodeAgentWithAStoppedKubelet(t *testing.T) {
	c := simtest.NewDefault(t, sim.DefaultConfig{NodeAgent: sim.NodeAgentConfig{
		StartLatency: sim.Fixed(time.Second), ReadyDelay: sim.Fixed(time.Second)}})
	c.Create(ct.Node("n1"), ct.Pod("default/ready", ct.OnNode("n1")), ct.Pod("default/leaving", ct.OnNode("n1")))
	c.Run(10 * time.Second)
	require.True(t, c.Pod("ready").IsReady())
	require.NoError(t, c.StopKubelet("n1"))
	c.Run(time.Second)
	c.Create(ct.Pod("default/late", ct.OnNode("n1")))
	c.Submit(c.Now(), "test", cluster.Delete{Key: simtest.PodKey("leaving")})
	c.Run(5 * time.Minute)
	n1, _ := c.View().Node("n1")
	cond, _ := n1.Condition(cluster.NodeReady)
	assert.Equal(t, cluster.ConditionUnknown, cond.Status)
	assert.False(t, c.Pod("ready").IsReady(), "marked not ready by the node lifecycle controller")
	assert.Equal(t, cluster.PodPending, c.Pod("late").Status.Phase, "no kubelet started it")
	assert.True(t, c.Pod("leaving").IsTerminating(), "no kubelet confirmed its end")

	require.NoError(t, c.StartKubelet("n1", true))
	c.Run(10 * time.Second)
	assert.True(t, c.Pod("ready").IsReady(), "posted Ready again")
	assert.True(t, c.Pod("late").IsReady(), "started once the kubelet came back")
	_, ok := c.View().Pod("default", "leaving")
	assert.False(t, ok, "gone once the kubelet came back")
}
