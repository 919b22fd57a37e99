package daemonset_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
)

// firstSync is a controller started on a store that already holds s's
// objects: the plan of its first sync at now.
func firstSync(t *testing.T, s *cluster.Store, now time.Time) cluster.Plan {
	t.Helper()
	c := daemonset.New(daemonset.Config{})
	c.Sync(s)
	plan, err := c.Reconcile(now, s)
	require.NoError(t, err)
	return plan
}

// runningPod returns a Ready pod of ds bound to node, labelled as the
// controller labels its pods, created at the store's clock.
func runningPod(ds *cluster.DaemonSet, name, node string, labels selector.Set) *cluster.Pod {
	t := true
	return &cluster.Pod{
		ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: labels,
			OwnerReferences: []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: &t}}},
		Spec: cluster.PodSpec{NodeName: node, Containers: ds.Spec.Template.Spec.Containers},
		Status: cluster.PodStatus{Phase: cluster.PodRunning, Conditions: []cluster.PodCondition{
			{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: t0}}},
	}
}

func mustApply(t *testing.T, s *cluster.Store, c cluster.Change) cluster.Delta {
	t.Helper()
	d, err := s.Apply(t0, c)
	require.NoError(t, err, "%s", c)
	return d
}

// The first sync of a controller releases an owned pod whose labels no
// longer match the selector (upstream's ClaimPods): its controller reference
// is removed, it is neither deleted nor counted, and the node gets a pod of
// its own.
func TestFirstSyncReleasesPodsThatNoLongerMatch(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1")})
	mustApply(t, s, cluster.Create{Object: node("n2")})
	mustApply(t, s, cluster.Create{Object: newDS("agent")})
	ds, _ := s.DaemonSet("default", "agent")
	mustApply(t, s, cluster.Create{Object: runningPod(ds, "kept", "n1", selector.Set{"app": "agent"})})
	mustApply(t, s, cluster.Create{Object: runningPod(ds, "relabelled", "n2", selector.Set{"app": "debug"})})

	plan := firstSync(t, s, t0.Add(time.Minute))
	var released, deleted, createdOn []string
	var status *cluster.DaemonSetStatus
	for _, ch := range plan.Changes {
		switch ch := ch.(type) {
		case cluster.Update:
			if p, ok := ch.Object.(*cluster.Pod); ok {
				assert.Nil(t, p.ControllerRef(), "pod %s", p.Name)
				released = append(released, p.Name)
			}
		case cluster.Delete:
			deleted = append(deleted, ch.Key.Name)
		case cluster.Create:
			if p, ok := ch.Object.(*cluster.Pod); ok {
				n, err := daemonset.TargetNodeName(p)
				require.NoError(t, err)
				createdOn = append(createdOn, n)
			}
		case cluster.UpdateStatus:
			status = &ch.Object.(*cluster.DaemonSet).Status
		}
	}
	assert.Equal(t, []string{"relabelled"}, released)
	assert.Empty(t, deleted, "a released pod is never deleted")
	assert.Equal(t, []string{"n2"}, createdOn, "the node of the released pod gets a daemon pod")
	require.NotNil(t, status)
	assert.Equal(t, int32(2), status.DesiredNumberScheduled)
	assert.Equal(t, int32(1), status.CurrentNumberScheduled, "the released pod does not count")
	assert.Equal(t, int32(1), status.NumberReady)
}

// The store gives a DaemonSet the template generation annotation, as the
// API server shows it to apps/v1 clients, and raises it with each template
// change; the controller labels pods with it, and a pod whose
// pod-template-generation label equals it counts as updated whatever its
// controller-revision-hash (upstream's IsPodUpdated).
func TestTemplateGeneration(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1")})
	mustApply(t, s, cluster.Create{Object: node("n2")})
	mustApply(t, s, cluster.Create{Object: newDS("agent")})
	ds, _ := s.DaemonSet("default", "agent")
	assert.Equal(t, "1", ds.Annotations[cluster.TemplateGenerationAnnotation])

	// a label change is not a template change; an image change is
	cp := ds.DeepCopy()
	cp.Labels = selector.Set{"team": "infra"}
	mustApply(t, s, cluster.Update{Object: cp})
	ds, _ = s.DaemonSet("default", "agent")
	assert.Equal(t, "1", ds.Annotations[cluster.TemplateGenerationAnnotation])
	cp = ds.DeepCopy()
	cp.Spec.Template.Spec.Containers[0].Image = "agent:2"
	cp.Annotations = map[string]string{cluster.TemplateGenerationAnnotation: "7"} // the server's, not the writer's
	mustApply(t, s, cluster.Update{Object: cp})
	ds, _ = s.DaemonSet("default", "agent")
	assert.Equal(t, "2", ds.Annotations[cluster.TemplateGenerationAnnotation])
	gen, err := daemonset.TemplateGeneration(ds)
	require.NoError(t, err)
	require.NotNil(t, gen)
	assert.Equal(t, int64(2), *gen)

	// n1: a pod of an old revision hash, labelled with the current
	// generation, is updated and stays; n2: a pod of generation 1 is not
	mustApply(t, s, cluster.Create{Object: runningPod(ds, "gen2", "n1", selector.Set{"app": "agent",
		daemonset.ControllerRevisionHashLabel: "oldhash", daemonset.TemplateGenerationLabel: "2"})})
	mustApply(t, s, cluster.Create{Object: runningPod(ds, "gen1", "n2", selector.Set{"app": "agent",
		daemonset.ControllerRevisionHashLabel: "oldhash", daemonset.TemplateGenerationLabel: "1"})})
	plan := firstSync(t, s, t0.Add(time.Minute))
	var deleted []string
	var status *cluster.DaemonSetStatus
	for _, ch := range plan.Changes {
		switch ch := ch.(type) {
		case cluster.Delete:
			deleted = append(deleted, ch.Key.Name)
		case cluster.UpdateStatus:
			status = &ch.Object.(*cluster.DaemonSet).Status
		}
	}
	assert.Equal(t, []string{"gen1"}, deleted, "maxUnavailable 1 replaces the one old pod")
	require.NotNil(t, status)
	assert.Equal(t, int32(1), status.UpdatedNumberScheduled)

	// new pods carry both labels
	c := daemonset.New(daemonset.Config{})
	s2 := cluster.NewStore()
	mustApply(t, s2, cluster.Create{Object: node("n1")})
	mustApply(t, s2, cluster.Create{Object: newDS("agent")})
	c.Sync(s2)
	plan, err = c.Reconcile(t0, s2)
	require.NoError(t, err)
	var pod *cluster.Pod
	for _, ch := range plan.Changes {
		if cr, ok := ch.(cluster.Create); ok {
			if p, ok := cr.Object.(*cluster.Pod); ok {
				pod = p
			}
		}
	}
	require.NotNil(t, pod)
	assert.Equal(t, "1", pod.Labels[daemonset.TemplateGenerationLabel])
	assert.NotEmpty(t, pod.Labels[daemonset.ControllerRevisionHashLabel])
}

func TestTemplateGenerationAnnotationErrors(t *testing.T) {
	s := cluster.NewStore()
	bad := newDS("agent")
	bad.Annotations = map[string]string{cluster.TemplateGenerationAnnotation: "one"}
	_, err := s.Apply(t0, cluster.Create{Object: bad})
	require.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Contains(t, err.Error(), "metadata.annotations[deprecated.daemonset.template.generation]")
	assert.Equal(t, uint64(0), s.Revision())

	given := newDS("agent")
	given.Annotations = map[string]string{cluster.TemplateGenerationAnnotation: "5"}
	mustApply(t, s, cluster.Create{Object: given})
	ds, _ := s.DaemonSet("default", "agent")
	assert.Equal(t, "5", ds.Annotations[cluster.TemplateGenerationAnnotation], "a create keeps a given generation")
	assert.Equal(t, "5", given.Annotations[cluster.TemplateGenerationAnnotation])
}

// The status a sync writes counts the pods as the sync found them, not the
// pods it creates (a deliberate difference from upstream's unit tests, see
// the package doc); the next sync, which the creates trigger, counts them.
func TestStatusCountsThePodsTheSyncFound(t *testing.T) {
	s := cluster.NewStore()
	for _, n := range []string{"n1", "n2", "n3"} {
		mustApply(t, s, cluster.Create{Object: node(n)})
	}
	mustApply(t, s, cluster.Create{Object: newDS("agent")})
	c := daemonset.New(daemonset.Config{})
	c.Sync(s)
	status := func(plan cluster.Plan) *cluster.DaemonSetStatus {
		var st *cluster.DaemonSetStatus
		for _, ch := range plan.Changes {
			if u, ok := ch.(cluster.UpdateStatus); ok {
				st = &u.Object.(*cluster.DaemonSet).Status
			}
		}
		return st
	}
	plan, err := c.Reconcile(t0, s)
	require.NoError(t, err)
	st := status(plan)
	require.NotNil(t, st)
	assert.Equal(t, int32(3), st.DesiredNumberScheduled)
	assert.Equal(t, int32(0), st.CurrentNumberScheduled, "the pods this sync creates are not counted yet")
	for _, ch := range plan.Changes {
		c.Observe(mustApply(t, s, ch))
	}
	plan, err = c.Reconcile(t0, s)
	require.NoError(t, err)
	st = status(plan)
	require.NotNil(t, st)
	assert.Equal(t, int32(3), st.CurrentNumberScheduled)
}

// The rolling update runs in the sync in which manage acted, on the nodes
// as manage left them: here manage deletes n0's old pod, which is not ready
// beside a new one that is not ready either; n0 then holds only its new
// pod, which no longer counts against maxSurge, so the same sync surges
// onto n1 (upstream, with manage's delete observed at once).
func TestRollingUpdateSeesManagesChanges(t *testing.T) {
	s := newStepper(t, 3, newDS("agent", maxSurge(cluster.FromInt(1))))
	s.budget = unchecked
	s.image("2")
	c, d := s.sync()
	assert.Equal(t, nodesOf("n0"), c)
	assert.Empty(t, d)
	s.kubelet()
	s.unready("n0") // the old and the new pod on n0
	c, d = s.sync()
	assert.Equal(t, nodesOf("n0"), d, "manage deletes the old pod that is not ready")
	assert.Equal(t, nodesOf("n1"), c, "and the rolling update surges in the same sync")
}

// planned sorts a plan's pod writes by verb: created on which nodes,
// deleted and updated by name, and the status written.
type planned struct {
	created, deleted, updated, revDeleted []string
	status                                *cluster.DaemonSetStatus
}

func summarize(t *testing.T, plan cluster.Plan) planned {
	t.Helper()
	var out planned
	for _, ch := range plan.Changes {
		switch ch := ch.(type) {
		case cluster.Create:
			if p, ok := ch.Object.(*cluster.Pod); ok {
				n, err := daemonset.TargetNodeName(p)
				require.NoError(t, err)
				out.created = append(out.created, n)
			}
		case cluster.Delete:
			if ch.Key.Kind == cluster.KindPod {
				out.deleted = append(out.deleted, ch.Key.Name)
			} else {
				out.revDeleted = append(out.revDeleted, ch.Key.Name)
			}
		case cluster.Update:
			out.updated = append(out.updated, cluster.KeyOf(ch.Object).Name)
		case cluster.UpdateStatus:
			out.status = &ch.Object.(*cluster.DaemonSet).Status
		}
	}
	return out
}

func withPhase(p *cluster.Pod, phase cluster.PodPhase) *cluster.Pod {
	p.Status.Phase = phase
	p.Status.Conditions = nil
	return p
}

func orphan(p *cluster.Pod) *cluster.Pod {
	p.OwnerReferences = nil
	return p
}

// An orphan the sync adopts and then deletes at once (here: it has
// succeeded) is not counted in the status: upstream's status step claims it
// again and the adoption fails against a pod no longer there.
func TestAdoptedThenRemovedOrphanIsNotCounted(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1")})
	mustApply(t, s, cluster.Create{Object: newDS("agent", nodeSelector("role", "none"))}) // runs nowhere
	ds, _ := s.DaemonSet("default", "agent")
	mustApply(t, s, cluster.Create{Object: withPhase(orphan(runningPod(ds, "done-1", "n1", selector.Set{"app": "agent"})), cluster.PodSucceeded)})
	mustApply(t, s, cluster.Create{Object: withPhase(orphan(runningPod(ds, "done-2", "n1", selector.Set{"app": "agent"})), cluster.PodSucceeded)})
	got := summarize(t, firstSync(t, s, t0.Add(time.Minute)))
	assert.Equal(t, []string{"done-1", "done-2"}, got.updated, "adopted")
	assert.Equal(t, []string{"done-1", "done-2"}, got.deleted, "and deleted: not to run here")
	require.NotNil(t, got.status)
	assert.Equal(t, int32(0), got.status.NumberMisscheduled, "neither counts")
}

// Of several failed pods on a node the controller deletes one per backoff
// period: the first of those it owned before the sync, as upstream's
// FilterPodsByOwner lists them before the orphans it adopts.
func TestFailedPodOwnedBeforeAdopted(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1")})
	mustApply(t, s, cluster.Create{Object: newDS("agent", onDelete)}) // no rolling update to replace the other
	ds, _ := s.DaemonSet("default", "agent")
	// the orphan is the older, so by creation time alone it would go first
	mustApply(t, s, cluster.Create{Object: withPhase(orphan(runningPod(ds, "a-orphan", "n1", selector.Set{"app": "agent"})), cluster.PodFailed)})
	mustApply(t, s, cluster.Create{Object: withPhase(runningPod(ds, "b-owned", "n1", selector.Set{"app": "agent"}), cluster.PodFailed)})
	got := summarize(t, firstSync(t, s, t0.Add(time.Minute)))
	assert.Equal(t, []string{"b-owned"}, got.deleted)
}

// A surge DaemonSet with no desired nodes takes upstream's no-surge path:
// its unavailable old pods are deleted.
func TestSurgeWithNoDesiredNodes(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1", ct.Taint("x=y:NoSchedule"))}) // no new pods here, the old one stays
	mustApply(t, s, cluster.Create{Object: newDS("agent", maxSurge(cluster.FromString("50%")))})
	ds, _ := s.DaemonSet("default", "agent")
	old := runningPod(ds, "old", "n1", selector.Set{"app": "agent", daemonset.ControllerRevisionHashLabel: "old"})
	old.Status.Conditions = nil // not ready
	mustApply(t, s, cluster.Create{Object: old})
	got := summarize(t, firstSync(t, s, t0.Add(time.Minute)))
	assert.Equal(t, []string{"old"}, got.deleted)
}

// A rolling update that fails (an old pod on a node that no longer exists)
// skips the history cleanup, as upstream's returned error does.
func TestFailedRollingUpdateSkipsCleanup(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: node("n1", ct.Taint("x=y:NoSchedule"))}) // no pods keep the first revision
	ds := newDS("agent", maxSurge(cluster.FromInt(1)), historyLimit(0))
	mustApply(t, s, cluster.Create{Object: ds})
	c := daemonset.New(daemonset.Config{})
	c.Sync(s)
	plan, err := c.Reconcile(t0, s)
	require.NoError(t, err)
	for _, ch := range plan.Changes {
		mustApply(t, s, ch)
	}
	stored, _ := s.DaemonSet("default", "agent")
	firstRev := daemonset.Revisions(s, stored)[0].Name
	cp := stored.DeepCopy()
	cp.Spec.Template.Spec.Containers[0].Image = "agent:2"
	mustApply(t, s, cluster.Update{Object: cp})
	stored, _ = s.DaemonSet("default", "agent")
	gone := runningPod(stored, "on-gone", "gone", selector.Set{"app": "agent", daemonset.ControllerRevisionHashLabel: "x"})
	mustApply(t, s, cluster.Create{Object: gone})
	got := summarize(t, firstSync(t, s, t0.Add(time.Minute)))
	assert.NotContains(t, got.revDeleted, firstRev, "no cleanup while the rolling update fails")
	zero := int64(0)
	mustApply(t, s, cluster.Delete{Key: cluster.KeyOf(gone), GracePeriodSeconds: &zero})
	got = summarize(t, firstSync(t, s, t0.Add(time.Minute)))
	assert.Contains(t, got.revDeleted, firstRev, "once pod GC removed the pod, the cleanup runs")
}
