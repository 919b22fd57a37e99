package daemonset_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
)

var agent = sim.NodeAgentConfig{StartLatency: sim.Fixed(2 * time.Second), ReadyDelay: sim.Fixed(3 * time.Second)}

func nodeKey(n string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: n} }
func dsKey(n string) cluster.Key {
	return cluster.Key{Kind: cluster.KindDaemonSet, Namespace: "default", Name: n}
}

// Two DaemonSets whose selectors both match an orphan try to adopt it in
// the same round; the store lets one adoption through (the other's
// resourceVersion precondition fails), and the loser neither counts the
// pod nor keeps it: it places its own pod on the node. (The winner then
// replaces the adopted pod, whose template is not its own.) The
// invariants check both statuses against a recount at every instant.
func TestScenarioTwoDaemonSetsAdoptOneOrphan(t *testing.T) {
	w := newWorld(t, agent)
	shared := func(ds *cluster.DaemonSet) {
		ds.Spec.Selector.MatchLabels = selector.Set{"tier": "agent"}
		ds.Spec.Template.Labels["tier"] = "agent"
	}
	orphan := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: "stray", Namespace: "default", Labels: selector.Set{"tier": "agent"}},
		Spec: cluster.PodSpec{NodeName: "n1", Containers: []cluster.Container{{Name: "c", Image: "c"}}}}
	w.Create(node("n1"), orphan)
	w.Run(time.Minute)
	w.Create(newDS("a", shared), newDS("b", shared))
	w.Run(time.Minute)

	var applied, refused int
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventChange && ev.Change.Verb() == "update" && ev.Change.Target().Name == "stray" {
			if ev.Err == "" {
				applied++
			} else {
				refused++
				assert.Contains(t, ev.Err, "conflict")
			}
		}
	}
	assert.Equal(t, 1, applied, "one adoption goes through")
	assert.Equal(t, 1, refused, "the other meets a changed resourceVersion")
	for _, name := range []string{"a", "b"} {
		st := w.status(name)
		assert.Equal(t, int32(1), st.CurrentNumberScheduled, name)
		assert.Equal(t, int32(1), st.NumberReady, name)
		assert.Len(t, w.pods(name), 1, name)
	}
}

// A rolling update through the engine: maxUnavailable 34% of 6 nodes is
// 3; each wave waits for the 30 s grace period, then 2 s start and 3 s
// readiness, so the rollout takes two waves of 35 s and each node spends
// 5 s without a ready pod (a terminating pod stays ready).
func TestScenarioRollingUpdate(t *testing.T) {
	w := newWorld(t, agent)
	for i := range 6 {
		w.Create(node(fmt.Sprintf("n%d", i)))
	}
	w.Create(newDS("agent", maxUnavailable(cluster.FromString("34%"))))
	w.Run(time.Minute)
	start := w.Now()
	w.Update(dsKey("agent"), func(o cluster.Object) {
		o.(*cluster.DaemonSet).Spec.Template.Spec.Containers[0].Image = "agent:2"
	})
	w.Run(10 * time.Minute)
	st := w.status("agent")
	assert.Equal(t, int32(6), st.UpdatedNumberScheduled)
	assert.Equal(t, int32(6), st.NumberAvailable)
	ds, _ := w.View().DaemonSet("default", "agent")
	msg, done, err := daemonset.RolloutStatus(ds)
	require.NoError(t, err)
	assert.True(t, done, msg)

	reports := w.reporter.Rollouts("default", "agent")
	require.Len(t, reports, 1)
	r := reports[0]
	assert.Equal(t, int64(2), r.Revision)
	assert.Equal(t, start, r.Start)
	assert.Equal(t, 70*time.Second, r.Duration())
	assert.Equal(t, 3, r.MaxUnavailable)
	assert.Equal(t, 3, r.PeakUnavailable)
	assert.Equal(t, 6, r.Replaced)
	require.Len(t, r.Downtime, 6)
	for _, d := range r.Downtime {
		assert.Equal(t, 5*time.Second, d.Duration, d.Node)
	}
	assert.Len(t, w.Messages(daemonset.ReasonRolloutStarted), 1)
	assert.Equal(t, []string{r.String()}, w.Messages(daemonset.ReasonRolloutFinished))
	assert.Contains(t, r.String(), "in 1m10s, from 2000-01-01T00:01:00Z to 2000-01-01T00:02:10Z")
	assert.Contains(t, r.String(), "; per node: n0 5s n1 5s n2 5s n3 5s n4 5s n5 5s")
	assert.Empty(t, w.Errors())
}

// A pod relabelled out of the selector is released, not deleted, and the
// node gets a new pod.
func TestScenarioRelease(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	var name string
	for p := range w.View().Pods() {
		name = p.Name
	}
	w.Update(cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: name}, func(o cluster.Object) {
		o.Meta().Labels = selector.Set{"app": "debug"}
	})
	w.Run(time.Minute)
	p, ok := w.View().Pod("default", name)
	require.True(t, ok)
	assert.Nil(t, p.ControllerRef())
	assert.Equal(t, []string{"n1:Running:ready"}, w.pods("agent"))
	assert.Equal(t, 2, w.View().PodCount())
}

// A succeeded pod is deleted with SucceededDaemonPod and replaced.
func TestScenarioSucceededPod(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	k := w.onlyPod()
	p, _ := w.View().Pod(k.Namespace, k.Name)
	cp := p.DeepCopy()
	cp.Status.Phase = cluster.PodSucceeded
	w.Apply(cluster.UpdateStatus{Object: cp})
	w.Run(time.Minute)
	require.Len(t, w.Messages(daemonset.ReasonSucceededDaemonPod), 1)
	assert.Equal(t, []string{"n1:Running:ready"}, w.pods("agent"))
	_, ok := w.View().Pod(k.Namespace, k.Name)
	assert.False(t, ok)
}

// A pod that does not fit is left to the scheduler; the controller reports
// FailedPlacement with the scheduler's explanation.
func TestScenarioFailedPlacement(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(ct.Node("small", ct.CPU("50m"), ct.Memory("1Gi"), ct.MaxPods("10")), node("big"), newDS("agent"))
	w.Run(time.Minute)
	assert.Equal(t, []string{"big:Running:ready", "small:Pending"}, w.pods("agent"))
	notes := w.Messages(daemonset.ReasonFailedPlacement)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], `on "small": 0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity].`)
	st := w.status("agent")
	assert.Equal(t, int32(2), st.CurrentNumberScheduled, "a pending pod counts as scheduled, as upstream")
	assert.Equal(t, int32(1), st.NumberReady)
}

// minReadySeconds: available strictly after readiness + minReadySeconds.
func TestScenarioMinReadySeconds(t *testing.T) {
	w := newWorld(t, agent) // ready at t=5s
	w.Create(node("n1"), newDS("agent", minReady(10)))
	w.Run(15*time.Second - time.Millisecond)
	st := w.status("agent")
	assert.Equal(t, int32(1), st.NumberReady)
	assert.Equal(t, int32(0), st.NumberAvailable, "just before 5s+10s it is not available yet")
	w.Run(time.Millisecond)
	st = w.status("agent")
	assert.Equal(t, int32(1), st.NumberAvailable, "at exactly 5s+10s it is (v1.37's IsPodAvailable), and the wake-up then finds it")
	assert.Equal(t, int32(0), st.NumberUnavailable)
}

// Duplicates on a node are pruned, keeping the oldest.
func TestScenarioDuplicatesPruned(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	// an orphan with matching labels, bound to n1: adopted, then pruned
	w.Create(ct.Pod("default/extra", ct.PodLabels("app", "agent"), ct.OnNode("n1")))
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready"}, w.pods("agent"))
	_, ok := w.View().Pod("default", "extra")
	assert.False(t, ok, "the younger pod is deleted")
}

// Unscheduled pods aimed at a node that does not exist are deleted.
func TestScenarioUnscheduledPodOnVanishedNode(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	ghost := ct.Pod("default/ghost", ct.PodLabels("app", "agent"))
	ghost.Spec.Affinity = daemonset.ReplaceNodeNameAffinity(nil, "gone")
	w.Create(ghost)
	w.Run(time.Minute)
	_, ok := w.View().Pod("default", "ghost")
	assert.False(t, ok)
	assert.Contains(t, w.Messages(daemonset.ReasonSuccessfulDelete), "Deleted pod: ghost")
}

// Same seed, same log; replaying the log gives the same state.
func TestDeterminism(t *testing.T) {
	build := func() (*sim.Cluster, string) {
		c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 11}, NodeAgent: sim.NodeAgentConfig{
			StartLatency: sim.LogNormal(2*time.Second, 0.5), ReadyDelay: sim.Uniform(time.Second, 5*time.Second), FailureProbability: 0.1}})
		require.NoError(t, err)
		reporter := c.Rollouts
		for i := range 20 {
			c.Submit(c.Now(), "scenario", cluster.Create{Object: node(string(rune('a'+i)) + "-node")})
		}
		c.Submit(c.Now(), "scenario", cluster.Create{Object: newDS("agent", maxUnavailable(cluster.FromString("20%")))})
		c.Submit(c.Now(), "scenario", cluster.Create{Object: newDS("surge", maxSurge(cluster.FromInt(3)))})
		c.SubmitAfter(30*time.Second, "scenario", cluster.Delete{Key: nodeKey("c-node")})
		require.NoError(t, c.RunFor(2*time.Minute))
		for _, name := range []string{"agent", "surge"} { // a rollout each
			ds, ok := c.View().DaemonSet("default", name)
			require.True(t, ok)
			cp := ds.DeepCopy()
			cp.Spec.Template.Spec.Containers[0].Image = name + ":2"
			c.Submit(c.Now(), "scenario", cluster.Update{Object: cp})
		}
		require.NoError(t, c.RunFor(10*time.Minute))
		require.Len(t, reporter.Rollouts("default", "agent"), 1)
		var b strings.Builder
		require.NoError(t, c.WriteJSONL(&b))
		return c, b.String()
	}
	a, la := build()
	_, lb := build()
	require.Equal(t, la, lb)
	st, err := sim.Replay(a.Log())
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(a.View()), cluster.Digest(st))
	assert.NotEmpty(t, a.LogLen())
}
