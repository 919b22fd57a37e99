package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
)

// snapshotOfARealCluster is a store as a user would load it from a real
// cluster: objects with their own uids, timestamps, owner references and
// status, a month old. It holds a DaemonSet "agent" on three nodes, with
// one pod that is fine, one whose labels were changed by hand, an orphan
// that matches, a pod bound to a node that no longer exists and an unbound
// pod stuck in deletion.
func snapshotOfARealCluster(t *testing.T, now time.Time) *cluster.Store {
	t.Helper()
	month := now.Add(-30 * 24 * time.Hour)
	s := cluster.NewStore()
	apply := func(o cluster.Object) {
		t.Helper()
		_, err := s.Apply(now, cluster.Create{Object: o})
		require.NoError(t, err, "%s", cluster.KeyOf(o))
	}
	for i, name := range []string{"n1", "n2", "n3"} {
		n := ct.Node(name)
		n.UID, n.CreationTimestamp, n.ResourceVersion = "node-uid-"+name, month, uint64(900+i)
		apply(n)
	}
	yes := true
	ds := &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "kube-system", UID: "3f2a-ds-uid", CreationTimestamp: month,
			Generation: 4, ResourceVersion: 48213977, Annotations: map[string]string{cluster.TemplateGenerationAnnotation: "3"}},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:3"}}}}},
		Status: cluster.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, NumberReady: 3, ObservedGeneration: 4},
	}
	apply(ds)
	owner := []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "3f2a-ds-uid", Controller: &yes, BlockOwnerDeletion: &yes}}
	pod := func(name, node string, labels selector.Set, owned bool) *cluster.Pod {
		p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "kube-system", UID: "pod-uid-" + name,
			CreationTimestamp: month, Labels: labels},
			Spec: cluster.PodSpec{NodeName: node, Containers: ds.Spec.Template.Spec.Containers},
			Status: cluster.PodStatus{Phase: cluster.PodRunning, StartTime: &month, Conditions: []cluster.PodCondition{
				{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: month}}}}
		if owned {
			p.OwnerReferences = owner
		}
		return p
	}
	current := selector.Set{"app": "agent", daemonset.ControllerRevisionHashLabel: "5d9f8b7c6", daemonset.TemplateGenerationLabel: "3"}
	apply(pod("agent-fine", "n1", current, true))
	apply(pod("agent-debugged", "n2", selector.Set{"app": "agent-debug"}, true))
	apply(pod("agent-orphan", "n3", current, false))
	apply(pod("agent-ghost", "n9", current, true))
	stuck := pod("stuck", "", selector.Set{"app": "other"}, false)
	stuck.DeletionTimestamp = &month
	stuck.Status = cluster.PodStatus{Phase: cluster.PodPending}
	apply(stuck)
	return s
}

// A cluster simulated "from now on": the engine starts from a snapshot, and
// the controllers repair at their first sync what upstream's would: the
// relabelled pod is released (not deleted) and its node gets a pod, the
// orphan is adopted (not restarted: its pod-template-generation is
// current), the pod on a vanished node is garbage collected after the 40 s
// quarantine, the unbound pod stuck in deletion is removed at once. The
// snapshot itself is left alone, and the log replays to the same state.
func TestSimulateFromASnapshot(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	snap := snapshotOfARealCluster(t, now)
	before := cluster.Digest(snap)
	c, err := NewDefault(DefaultConfig{Engine: Config{Seed: 1, Start: now, Initial: snap}})
	require.NoError(t, err)
	require.NoError(t, c.RunFor(time.Second))
	_, stuck := c.View().Pod("kube-system", "stuck")
	assert.False(t, stuck, "an unbound pod being deleted is removed at once")
	ghost, ok := c.View().Pod("kube-system", "agent-ghost")
	require.True(t, ok, "the pod on a vanished node waits for the quarantine")
	assert.Equal(t, "pod-uid-agent-ghost", ghost.UID)

	require.NoError(t, c.Stabilize())
	v := c.View()
	_, ok = v.Pod("kube-system", "agent-ghost")
	assert.False(t, ok, "garbage collected after the quarantine")
	released, ok := v.Pod("kube-system", "agent-debugged")
	require.True(t, ok, "a released pod is never deleted")
	assert.Nil(t, released.ControllerRef())
	fine, _ := v.Pod("kube-system", "agent-fine")
	assert.Equal(t, "pod-uid-agent-fine", fine.UID)
	assert.Equal(t, now.Add(-30*24*time.Hour), fine.CreationTimestamp)
	orphan, _ := v.Pod("kube-system", "agent-orphan")
	require.NotNil(t, orphan.ControllerRef(), "adopted")
	assert.Equal(t, "3f2a-ds-uid", orphan.ControllerRef().UID)

	ds, _ := v.DaemonSet("kube-system", "agent")
	assert.Equal(t, "3f2a-ds-uid", ds.UID)
	assert.Equal(t, int32(3), ds.Status.DesiredNumberScheduled)
	assert.Equal(t, int32(3), ds.Status.NumberReady)
	assert.Equal(t, int32(3), ds.Status.UpdatedNumberScheduled)
	onNode := map[string]string{}
	for p := range v.PodsControlledBy(ds.UID) {
		onNode[p.Spec.NodeName] = p.Name
	}
	assert.Equal(t, "agent-fine", onNode["n1"])
	assert.Equal(t, "agent-orphan", onNode["n3"])
	assert.NotEmpty(t, onNode["n2"], "the released pod's node got a daemon pod")
	assert.Len(t, onNode, 3)
	for ev := range c.Events(0) {
		if ev.Source == InitialSource {
			assert.Empty(t, ev.Err, "%s", Describe(now, *ev))
		}
	}

	assert.Equal(t, before, cluster.Digest(snap), "the snapshot is not changed")
	replayed, err := Replay(c.Log())
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(replayed))
	var a, b bytes.Buffer
	require.NoError(t, c.WriteJSONL(&a))
	c2, err := NewDefault(DefaultConfig{Engine: Config{Seed: 1, Start: now, Initial: snap}})
	require.NoError(t, err)
	require.NoError(t, c2.Stabilize())
	require.NoError(t, c2.WriteJSONL(&b))
	assert.Equal(t, a.String(), b.String(), "deterministic")
}

// Pod GC deletes a pod bound to a node that never existed 40 s after it
// first sees it, as upstream's gcOrphaned does; a node that appears within
// the quarantine keeps its pods.
func TestPodGCOfPodsOnNodesThatNeverExisted(t *testing.T) {
	c, err := NewDefault(DefaultConfig{})
	require.NoError(t, err)
	c.Submit(Epoch, "scenario", cluster.Create{Object: ct.Pod("default/ghost", ct.OnNode("nowhere"))})
	c.Submit(Epoch, "scenario", cluster.Create{Object: ct.Pod("default/early", ct.OnNode("late"))})
	c.Submit(Epoch.Add(20*time.Second), "scenario", cluster.Create{Object: ct.Node("late")})
	require.NoError(t, c.RunUntil(Epoch.Add(39*time.Second)))
	p, ok := c.View().Pod("default", "ghost")
	require.True(t, ok, "kept during the quarantine")
	assert.Equal(t, cluster.PodPending, p.Status.Phase)
	require.NoError(t, c.Stabilize())
	_, ok = c.View().Pod("default", "ghost")
	assert.False(t, ok)
	var failed *cluster.Pod
	for ev := range c.Events(0) {
		if u, ok := ev.Change.(cluster.UpdateStatus); ok && ev.Source == PodGCName {
			failed = u.Object.(*cluster.Pod)
			assert.Equal(t, Epoch.Add(PodGCQuarantine), ev.At)
		}
	}
	require.NotNil(t, failed)
	assert.Equal(t, cluster.PodFailed, failed.Status.Phase)
	dt, ok := failed.Condition(cluster.DisruptionTarget)
	require.True(t, ok)
	assert.Equal(t, "DeletionByPodGC", dt.Reason)
	early, ok := c.View().Pod("default", "early")
	require.True(t, ok, "its node appeared within the quarantine")
	assert.True(t, early.IsReady())
}
