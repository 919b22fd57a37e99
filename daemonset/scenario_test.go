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
	"github.com/daemonsim/daemonsim/taints"
)

var agent = sim.NodeAgentConfig{StartLatency: sim.Fixed(2 * time.Second), ReadyDelay: sim.Fixed(3 * time.Second)}

func nodeKey(n string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: n} }
func dsKey(n string) cluster.Key {
	return cluster.Key{Kind: cluster.KindDaemonSet, Namespace: "default", Name: n}
}

// The seed page: "As nodes are added to the cluster, Pods are added to
// them. As nodes are removed from the cluster, those Pods are garbage
// collected."
func TestScenarioNodesAddedAndRemoved(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready", "n2:Running:ready"}, w.pods("agent"))
	st := w.status("agent")
	assert.Equal(t, int32(2), st.DesiredNumberScheduled)
	assert.Equal(t, int32(2), st.NumberAvailable)

	w.Create(node("n3"))
	w.Run(10 * time.Second)
	assert.Equal(t, []string{"n1:Running:ready", "n2:Running:ready", "n3:Running:ready"}, w.pods("agent"))

	w.Apply(cluster.Delete{Key: nodeKey("n2")})
	w.Run(time.Second)
	assert.Equal(t, int32(2), w.status("agent").DesiredNumberScheduled)
	assert.Len(t, w.pods("agent"), 3, "the pod stays until pod GC's quarantine ends")
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready", "n3:Running:ready"}, w.pods("agent"))
	assert.Empty(t, w.Errors())
}

// "Deleting a DaemonSet will clean up the Pods it created."
func TestScenarioDeleteCascades(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	w.Apply(cluster.Delete{Key: dsKey("agent")})
	w.Run(time.Second)
	n := 0
	for p := range w.View().Pods() {
		assert.True(t, p.IsTerminating(), p.Name)
		n++
	}
	assert.Equal(t, 2, n)
	w.Run(time.Minute)
	assert.Zero(t, w.View().PodCount(), "gone after the 30s grace period")
	assert.Empty(t, w.Errors())
}

// Foreground deletion: the DaemonSet waits, being deleted, for its pods;
// its controller creates nothing meanwhile.
func TestScenarioForegroundDeletion(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	start := w.LogLen()
	w.Apply(cluster.Delete{Key: dsKey("agent"), Propagation: cluster.DeletePropagationForeground})
	w.Run(10 * time.Second)
	_, ok := w.View().DaemonSet("default", "agent")
	assert.True(t, ok, "kept by the foregroundDeletion finalizer")
	w.Run(time.Minute)
	_, ok = w.View().DaemonSet("default", "agent")
	assert.False(t, ok)
	assert.Zero(t, w.View().PodCount())
	for ev := range w.Events(start) {
		if ev.Kind == sim.EventChange {
			assert.NotEqual(t, "create", ev.Change.Verb(), sim.Describe(sim.Epoch, *ev))
		}
	}
}

// "--cascade=orphan ... the Pods will be left on the nodes. If you
// subsequently create a new DaemonSet with the same selector, the new
// DaemonSet adopts the existing Pods."
func TestScenarioOrphanThenAdopt(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	var names []string
	for p := range w.View().Pods() {
		names = append(names, p.Name)
	}
	w.Apply(cluster.Delete{Key: dsKey("agent"), Propagation: cluster.DeletePropagationOrphan})
	w.Run(time.Minute)
	_, ok := w.View().DaemonSet("default", "agent")
	assert.False(t, ok)
	var orphans []string
	for p := range w.View().Pods() {
		assert.Nil(t, p.ControllerRef(), p.Name)
		assert.False(t, p.IsTerminating())
		orphans = append(orphans, p.Name)
	}
	assert.Equal(t, names, orphans)

	w.Create(newDS("agent"))
	w.Run(time.Minute)
	ds, _ := w.View().DaemonSet("default", "agent")
	var adopted []string
	for p := range w.View().PodsControlledBy(ds.UID) {
		adopted = append(adopted, p.Name)
	}
	assert.Equal(t, names, adopted, "the same pods, not new ones")
	assert.Equal(t, int32(2), w.status("agent").UpdatedNumberScheduled, "same template, same hash")
	assert.Empty(t, w.Messages(daemonset.ReasonSuccessfulDelete))
	assert.Empty(t, w.reporter.Rollouts("default", "agent"), "same template: nothing to roll")
	revs := daemonset.Revisions(w.View(), ds)
	require.Len(t, revs, 1, "the orphaned revision is adopted, not made again")
	assert.Equal(t, int64(1), revs[0].Revision)
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

// Orphan, then a new DaemonSet with the same selector but a new template:
// it adopts the pods and the old revision, then rolls the pods over.
func TestScenarioOrphanThenAdoptWithNewTemplate(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	// a second template generation, so that the pods' pod-template-generation
	// label (2) differs from the new DaemonSet's (1): with equal generations
	// upstream counts adopted pods as updated whatever their template
	w.Update(dsKey("agent"), func(o cluster.Object) {
		o.(*cluster.DaemonSet).Spec.Template.Spec.Containers[0].Image = "agent:2"
	})
	w.Run(5 * time.Minute)
	replacedBefore := len(w.Messages(daemonset.ReasonSuccessfulDelete))
	w.Apply(cluster.Delete{Key: dsKey("agent"), Propagation: cluster.DeletePropagationOrphan})
	w.Run(time.Minute)
	next := newDS("agent")
	next.Spec.Template.Spec.Containers[0].Image = "agent:3"
	w.Create(next)
	w.Run(5 * time.Minute)
	ds, _ := w.View().DaemonSet("default", "agent")
	revs := daemonset.Revisions(w.View(), ds)
	require.Len(t, revs, 3)
	assert.Equal(t, []int64{1, 2, 3}, []int64{revs[0].Revision, revs[1].Revision, revs[2].Revision}, "the adopted revisions are the old ones")
	assert.Len(t, w.Messages(daemonset.ReasonSuccessfulDelete), replacedBefore+2, "both adopted pods replaced")
	reports := w.reporter.Rollouts("default", "agent")
	require.Len(t, reports, 1, "replacing adopted pods is a rollout")
	assert.Equal(t, 2, reports[0].Replaced)
	assert.False(t, reports[0].End.IsZero())
	st := w.status("agent")
	assert.Equal(t, int32(2), st.UpdatedNumberScheduled)
	assert.Equal(t, int32(2), st.NumberAvailable)
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

// A surge rollout through the engine: never fewer available pods than
// nodes, at most two pods per node.
func TestScenarioSurgeRollingUpdate(t *testing.T) {
	w := newWorld(t, agent)
	for i := range 4 {
		w.Create(node(fmt.Sprintf("n%d", i)))
	}
	w.Create(newDS("agent", maxSurge(cluster.FromInt(2))))
	w.Run(time.Minute)
	w.Update(dsKey("agent"), func(o cluster.Object) {
		o.(*cluster.DaemonSet).Spec.Template.Spec.Containers[0].Image = "agent:2"
	})
	w.Run(10 * time.Minute)
	reports := w.reporter.Rollouts("default", "agent")
	require.Len(t, reports, 1)
	r := reports[0]
	assert.Zero(t, r.PeakUnavailable)
	assert.Empty(t, r.Downtime, "a surge rollout keeps a ready pod on every node")
	assert.Equal(t, 4, r.Replaced)
	// two waves of 2 s start and 3 s readiness; the status counts the
	// oldest pod of a node, so the last old pods count until their 30 s
	// grace period ends
	assert.Equal(t, 40*time.Second, r.Duration())
	assert.Equal(t, int32(4), w.status("agent").UpdatedNumberScheduled)
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

// nodeSelector and required node affinity; relabelling moves pods.
func TestScenarioNodeSelectorAndAffinity(t *testing.T) {
	w := newWorld(t, agent)
	aff := func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: "zone", Operator: selector.NodeSelectorOpIn, Values: []string{"a", "b"}}},
			}}}}}
	}
	w.Create(node("n1", ct.NodeLabels("disk", "ssd", "zone", "a")), node("n2", ct.NodeLabels("zone", "c")), node("n3", ct.NodeLabels("disk", "ssd", "zone", "b")),
		newDS("ssd", nodeSelector("disk", "ssd")), newDS("zoned", aff))
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready", "n3:Running:ready"}, w.pods("ssd"))
	assert.Equal(t, []string{"n1:Running:ready", "n3:Running:ready"}, w.pods("zoned"))

	w.Update(nodeKey("n2"), func(o cluster.Object) { o.Meta().Labels = selector.Set{"disk": "ssd", "zone": "b"} })
	w.Update(nodeKey("n3"), func(o cluster.Object) { o.Meta().Labels = selector.Set{"zone": "c"} })
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready", "n2:Running:ready"}, w.pods("ssd"))
	assert.Equal(t, []string{"n1:Running:ready", "n2:Running:ready"}, w.pods("zoned"))
	// the daemon pod carries one matchFields term instead of the template's affinity
	ds, _ := w.View().DaemonSet("default", "zoned")
	for p := range w.View().PodsControlledBy(ds.UID) {
		terms := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
		require.Len(t, terms, 1)
		assert.Empty(t, terms[0].MatchExpressions)
		assert.Equal(t, []selector.NodeSelectorRequirement{{Key: "metadata.name", Operator: selector.NodeSelectorOpIn, Values: []string{p.Spec.NodeName}}}, terms[0].MatchFields)
	}
}

// The seed page's control-plane tolerations; cordoned and NotReady nodes
// still get daemon pods; network-unavailable only with hostNetwork.
func TestScenarioTaintsAndTolerations(t *testing.T) {
	w := newWorld(t, agent)
	cp := taints.Toleration{Key: taints.KeyControlPlane, Operator: taints.OpExists, Effect: taints.NoSchedule}
	w.Create(
		node("cp", ct.Taint(taints.KeyControlPlane+":NoSchedule")),
		node("cordoned", ct.Unschedulable(), ct.Taint(taints.KeyNodeUnschedulable+":NoSchedule")),
		node("notready", ct.NotReady(), ct.Taint(taints.KeyNodeNotReady+":NoExecute")),
		node("nonet", ct.Taint(taints.KeyNodeNetworkUnavailable+":NoSchedule")),
		newDS("fluentd", tolerate(cp)), newDS("plain"), newDS("cni", hostNetwork, tolerate(cp)))
	w.Run(time.Minute)
	assert.Equal(t, []string{"cordoned:Running:ready", "cp:Running:ready", "notready:Running:ready"}, w.pods("fluentd"))
	assert.Equal(t, []string{"cordoned:Running:ready", "notready:Running:ready"}, w.pods("plain"))
	assert.Equal(t, []string{"cordoned:Running:ready", "cp:Running:ready", "nonet:Running:ready", "notready:Running:ready"}, w.pods("cni"))
	ds, _ := w.View().DaemonSet("default", "fluentd")
	for p := range w.View().PodsControlledBy(ds.UID) {
		assert.Len(t, p.Spec.Tolerations, 7, "the control-plane toleration and six defaults")
	}
}

// An untolerated NoSchedule taint keeps the pod (misscheduled); an
// untolerated NoExecute taint removes it.
func TestScenarioTaintAddedLater(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	w.Update(nodeKey("n1"), func(o cluster.Object) {
		o.(*cluster.Node).Spec.Taints = []taints.Taint{taints.MustParse("dedicated=db:NoSchedule")}
	})
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready", "n2:Running:ready"}, w.pods("agent"))
	st := w.status("agent")
	assert.Equal(t, int32(1), st.NumberMisscheduled)
	assert.Equal(t, int32(1), st.DesiredNumberScheduled)

	w.Update(nodeKey("n1"), func(o cluster.Object) {
		o.(*cluster.Node).Spec.Taints = []taints.Taint{taints.MustParse("dedicated=db:NoExecute")}
	})
	w.Run(time.Second)
	assert.Equal(t, []string{"n1:Running:ready:terminating", "n2:Running:ready"}, w.pods("agent"))
	w.Run(time.Minute)
	assert.Equal(t, []string{"n2:Running:ready"}, w.pods("agent"))
	assert.Equal(t, int32(0), w.status("agent").NumberMisscheduled)
}

// A failed daemon pod is deleted (FailedDaemonPod) and replaced; the
// deletions on one node back off 1s, 2s, 4s, ...
func TestScenarioFailedPodBackoff(t *testing.T) {
	w := newWorld(t, sim.NodeAgentConfig{FailureProbability: 1})
	w.Create(node("n1"), newDS("agent"))
	w.Run(20 * time.Second)
	var at []time.Duration
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == daemonset.ReasonFailedDaemonPod {
			at = append(at, ev.At.Sub(sim.Epoch))
		}
	}
	// failures at 0s; then a deletion at 0, 1, 3, 7, 15 (delays 1, 2, 4, 8)
	assert.Equal(t, []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second}, at)
	assert.Contains(t, w.Messages(daemonset.ReasonFailedDaemonPod)[0], "Found failed daemon pod default/agent-")
	assert.Contains(t, w.Messages(daemonset.ReasonFailedDaemonPod)[0], "on node n1, will try to kill it")
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

// A node whose only pod is terminating gets no replacement until it is gone.
func TestScenarioTerminatingPodNotReplacedEarly(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), newDS("agent"))
	w.Run(time.Minute)
	k := w.onlyPod()
	w.Apply(cluster.Delete{Key: k})
	w.Run(29 * time.Second)
	assert.Equal(t, []string{"n1:Running:ready:terminating"}, w.pods("agent"))
	w.Run(2 * time.Second)
	assert.Equal(t, []string{"n1:Pending"}, w.pods("agent"), "replaced once the old pod left at 30s")
	w.Run(time.Minute)
	assert.Equal(t, []string{"n1:Running:ready"}, w.pods("agent"))
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
