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
	"github.com/daemonsim/daemonsim/taints"
)

func rolling(maxUnavailable, maxSurge cluster.IntOrString) dsOption {
	return func(ds *cluster.DaemonSet) {
		ds.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: &maxUnavailable, MaxSurge: &maxSurge}}
	}
}

func maxUnavailable(v cluster.IntOrString) dsOption { return rolling(v, cluster.FromInt(0)) }
func maxSurge(v cluster.IntOrString) dsOption       { return rolling(cluster.FromInt(0), v) }

func onDelete(ds *cluster.DaemonSet) {
	ds.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.OnDeleteDaemonSetStrategyType}
}

func historyLimit(n int32) dsOption {
	return func(ds *cluster.DaemonSet) { ds.Spec.RevisionHistoryLimit = &n }
}

type syncStep struct {
	created, deleted []string
}

// expectSyncs runs one sync per step, checking its creates and deletes;
// between syncs the kubelet binds and readies every pod and removes the
// ones being deleted.
func (s *stepper) expectSyncs(steps ...syncStep) {
	s.t.Helper()
	for i, st := range steps {
		c, d := s.sync()
		assert.Equal(s.t, st.created, c, "sync %d creates", i+1)
		assert.Equal(s.t, st.deleted, d, "sync %d deletes", i+1)
		s.terminate()
		s.kubelet()
	}
}

func nodesOf(n ...string) []string { return n }

func TestRollingUpdateMaxUnavailable(t *testing.T) {
	s := newStepper(t, 5, newDS("agent", maxUnavailable(cluster.FromInt(2))))
	require.Len(t, s.revisions(), 1)
	s.image("2")
	// each sync: the deletes take effect and the kubelet removes them
	// before the next; the replacements come one sync later; new pods
	// are ready by the sync after their creation
	s.expectSyncs(
		syncStep{nil, nodesOf("n0", "n1")},
		syncStep{nodesOf("n0", "n1"), nil},
		syncStep{nil, nodesOf("n2", "n3")},
		syncStep{nodesOf("n2", "n3"), nil},
		syncStep{nil, nodesOf("n4")},
		syncStep{nodesOf("n4"), nil},
		syncStep{nil, nil},
	)
	st := s.status()
	assert.Equal(t, int32(5), st.UpdatedNumberScheduled)
	assert.Equal(t, int32(5), st.NumberAvailable)
	revs := s.revisions()
	require.Len(t, revs, 2)
	assert.Regexp(t, `^1:`, revs[0])
	assert.Regexp(t, `^2:`, revs[1])
	require.Len(t, s.noteMessages(daemonset.ReasonRolloutFinished), 1)
	assert.Contains(t, s.noteMessages(daemonset.ReasonRolloutFinished)[0], "maxUnavailable 2, maxSurge 0, peak unavailable 2, 5 pods replaced, 5 nodes without a ready pod")
}

func TestRollingUpdateWaitsForTermination(t *testing.T) {
	s := newStepper(t, 3, newDS("agent"))
	s.image("2")
	c, d := s.sync()
	assert.Empty(t, c)
	assert.Equal(t, nodesOf("n0"), d, "default maxUnavailable 1")
	for range 3 {
		c, d = s.sync()
		assert.Empty(t, c, "the node's only pod is terminating: no replacement yet")
		assert.Empty(t, d, "the terminating pod counts as unavailable")
	}
	s.terminate()
	c, d = s.sync()
	assert.Equal(t, nodesOf("n0"), c)
	assert.Empty(t, d)
	c, d = s.sync()
	assert.Empty(t, c)
	assert.Empty(t, d, "the new pod is not ready yet")
}

func TestRollingUpdatePercentages(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes int
		value string
		first int
	}{
		{"25% of 10 rounds up to 3", 10, "25%", 3},
		{"10% of 5 rounds up to 1", 5, "10%", 1},
		{"100% of 4", 4, "100%", 4},
		{"1% of 3 is 1", 3, "1%", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStepper(t, tc.nodes, newDS("agent", maxUnavailable(cluster.FromString(tc.value))))
			s.image("2")
			_, d := s.sync()
			assert.Len(t, d, tc.first)
		})
	}
	mu, ms, err := daemonset.MaxUnavailableAndSurge(newDS("a", maxSurge(cluster.FromString("10%"))), 1000)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 100}, []int{mu, ms})
	mu, ms, err = daemonset.MaxUnavailableAndSurge(newDS("a", onDelete), 10)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0}, []int{mu, ms}, "both zero resolve to maxUnavailable 1")
	mu, _, err = daemonset.MaxUnavailableAndSurge(newDS("a", maxUnavailable(cluster.FromString("10%"))), 0)
	require.NoError(t, err)
	assert.Zero(t, mu, "no desired nodes: nothing to resolve against")
}

func TestRollingUpdateSurge(t *testing.T) {
	s := newStepper(t, 4, newDS("agent", maxSurge(cluster.FromInt(1))))
	s.image("2")
	s.expectSyncs(
		syncStep{nodesOf("n0"), nil}, // the new pod beside the old one
		// new one available: manage deletes the old, and the rolling
		// update, seeing that done, surges onto the next node in the same
		// sync (upstream's TestDaemonSetUpdatesPodsWithMaxSurge)
		syncStep{nodesOf("n1"), nodesOf("n0")},
		syncStep{nodesOf("n2"), nodesOf("n1")},
		syncStep{nodesOf("n3"), nodesOf("n2")},
		syncStep{nil, nodesOf("n3")},
		syncStep{nil, nil},
	)
	assert.Equal(t, int32(4), s.status().UpdatedNumberScheduled)
}

func TestRollingUpdateSurgeWaitsForAvailability(t *testing.T) {
	s := newStepper(t, 3, newDS("agent", maxSurge(cluster.FromString("50%")), minReady(10)))
	s.image("2")
	c, d := s.sync()
	assert.Equal(t, nodesOf("n0", "n1"), c, "50% of 3 rounds up to 2")
	assert.Empty(t, d)
	s.kubelet()
	s.advance(10*time.Second - time.Millisecond)
	_, d = s.sync()
	assert.Empty(t, d, "ready for just under minReadySeconds is not available")
	s.advance(time.Millisecond)
	_, d = s.sync()
	assert.Equal(t, nodesOf("n0", "n1"), d, "ready for exactly minReadySeconds is")
}

func TestRollingUpdateUnavailableOldPods(t *testing.T) {
	for _, tc := range []struct {
		name    string
		max     int32
		deleted []string
	}{
		// n2's old pod is not ready: replaced outside the budget, and it
		// uses it up
		{"budget 1", 1, nodesOf("n2")},
		{"budget 2", 2, nodesOf("n0", "n2")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStepper(t, 4, newDS("agent", maxUnavailable(cluster.FromInt(tc.max))))
			s.already = 1
			s.unready("n2")
			s.sync()
			s.image("2")
			_, d := s.sync()
			assert.Equal(t, tc.deleted, d)
		})
	}
	t.Run("surge replaces at once", func(t *testing.T) {
		s := newStepper(t, 4, newDS("agent", maxSurge(cluster.FromInt(1))))
		s.already = 1
		s.unready("n2")
		s.sync()
		s.image("2")
		c, d := s.sync()
		assert.Equal(t, nodesOf("n0", "n2"), c, "n2 outside the budget, n0 within it")
		assert.Empty(t, d)
	})
}

func TestRollingUpdateNeverReady(t *testing.T) {
	s := newStepper(t, 3, newDS("agent"))
	s.image("2")
	_, d := s.sync()
	require.Equal(t, nodesOf("n0"), d)
	s.terminate()
	c, _ := s.sync()
	require.Equal(t, nodesOf("n0"), c)
	for range 5 {
		s.kubelet("n0") // n0's new pod never becomes ready
		s.advance(time.Minute)
		c, d := s.sync()
		assert.Empty(t, c)
		assert.Empty(t, d, "the stuck pod holds the whole budget")
	}
	assert.Equal(t, int32(1), s.status().UpdatedNumberScheduled)
	assert.Equal(t, int32(1), s.status().NumberUnavailable)
}

func TestRollingUpdateMinReadyBoundary(t *testing.T) {
	s := newStepper(t, 2, newDS("agent", minReady(10)))
	s.image("2")
	_, d := s.sync()
	require.Equal(t, nodesOf("n0"), d)
	s.terminate()
	c, _ := s.sync()
	require.Equal(t, nodesOf("n0"), c)
	s.kubelet() // ready now
	s.sync()
	s.advance(10*time.Second - time.Millisecond)
	s.c.Wake(dsKey("agent"))
	_, d = s.sync()
	assert.Empty(t, d, "ready for just under 10s is not yet available")
	s.advance(time.Millisecond)
	s.c.Wake(dsKey("agent"))
	_, d = s.sync()
	assert.Equal(t, nodesOf("n1"), d, "ready for exactly minReadySeconds is available (v1.37's IsPodAvailable)")
}

func TestRollingUpdateTolerationChange(t *testing.T) {
	tol := taints.Toleration{Key: "dedicated", Operator: taints.OpExists}
	untolerate := func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.Tolerations = nil }
	mk := func(t *testing.T, opts ...dsOption) *stepper {
		s := &stepper{t: t, s: cluster.NewStore(), c: daemonset.New(daemonset.Config{}), now: t0, ds: "agent", budget: unchecked}
		s.apply(cluster.Create{Object: node("n0")})
		s.apply(cluster.Create{Object: node("n1")})
		s.apply(cluster.Create{Object: node("n2", ct.Taint("dedicated=x:NoSchedule"))})
		s.apply(cluster.Create{Object: newDS("agent", append(opts, tolerate(tol))...)})
		s.start()
		require.Len(t, s.pods(), 3)
		return s
	}
	t.Run("no surge: n2's pod is an update candidate and is not replaced", func(t *testing.T) {
		s := mk(t)
		s.updateDS(untolerate)
		s.expectSyncs(
			syncStep{nil, nodesOf("n0")},
			syncStep{nodesOf("n0"), nil},
			syncStep{nil, nodesOf("n1")},
			syncStep{nodesOf("n1"), nil},
			syncStep{nil, nodesOf("n2")},
			syncStep{nil, nil},
		)
		assert.Len(t, s.pods(), 2)
	})
	t.Run("surge: n2's pod goes while availability stays above desired", func(t *testing.T) {
		s := mk(t, maxSurge(cluster.FromInt(1)))
		s.updateDS(untolerate)
		c, d := s.sync()
		assert.Equal(t, nodesOf("n0"), c)
		assert.Equal(t, nodesOf("n2"), d, "3 available, 2 desired")
	})
	t.Run("surge: n2's pod stays while availability is at desired", func(t *testing.T) {
		s := mk(t, maxSurge(cluster.FromInt(1)))
		s.already = 1
		s.unready("n1")
		s.sync()
		s.updateDS(untolerate)
		c, d := s.sync()
		assert.Equal(t, nodesOf("n0", "n1"), c, "n1's unavailable old pod is replaced at once")
		assert.Empty(t, d, "2 available, 2 desired: n2's pod keeps serving")
	})
}

func TestOnDelete(t *testing.T) {
	s := newStepper(t, 3, newDS("agent", onDelete))
	s.image("2")
	c, d := s.sync()
	assert.Empty(t, c)
	assert.Empty(t, d, "a template change touches no pod")
	assert.Len(t, s.revisions(), 2, "but makes a revision")
	assert.Equal(t, int32(0), s.status().UpdatedNumberScheduled)

	var victim *cluster.Pod
	for _, p := range s.pods() {
		if n, _ := daemonset.TargetNodeName(p); n == "n1" {
			victim = p
		}
	}
	s.apply(cluster.Delete{Key: cluster.KeyOf(victim)})
	s.terminate()
	c, _ = s.sync()
	assert.Equal(t, nodesOf("n1"), c, "a pod deleted by the user comes back")
	s.kubelet()
	s.sync()
	assert.Equal(t, int32(1), s.status().UpdatedNumberScheduled, "on the new template")
	ds, _ := s.s.DaemonSet("default", "agent")
	_, _, err := daemonset.RolloutStatus(ds)
	assert.EqualError(t, err, "rollout status is only available for RollingUpdate strategy type")

	// switching to RollingUpdate without a template change replaces the rest
	s.updateDS(func(ds *cluster.DaemonSet) { maxUnavailable(cluster.FromInt(1))(ds) })
	_, d = s.sync()
	assert.Equal(t, nodesOf("n0"), d)
}

func TestRollbackMidRollout(t *testing.T) {
	s := newStepper(t, 4, newDS("agent"))
	ds, _ := s.s.DaemonSet("default", "agent")
	_, _, err := daemonset.Rollback(s.s, "default", "agent", 0)
	assert.EqualError(t, err, "no last revision to roll back to")

	s.image("2")
	s.expectSyncs(syncStep{nil, nodesOf("n0")}, syncStep{nodesOf("n0"), nil}, syncStep{nil, nodesOf("n1")})
	ds, _ = s.s.DaemonSet("default", "agent")
	msg, done, err := daemonset.RolloutStatus(ds)
	require.NoError(t, err)
	assert.False(t, done)
	assert.Equal(t, "Waiting for daemon set \"agent\" rollout to finish: 1 out of 4 new pods have been updated...\n", msg)

	for _, tc := range []struct {
		to  int64
		err string
	}{{-1, "unable to find specified revision -1 in history"}, {7, "unable to find specified revision 7 in history"}} {
		_, _, err := daemonset.Rollback(s.s, "default", "agent", tc.to)
		assert.EqualError(t, err, tc.err)
	}
	_, msg, err = daemonset.Rollback(s.s, "default", "agent", 2)
	require.NoError(t, err)
	assert.Equal(t, "skipped rollback (current template already matches revision 2)", msg)

	back, msg, err := daemonset.Rollback(s.s, "default", "agent", 0)
	require.NoError(t, err)
	assert.Equal(t, "rolled back", msg)
	assert.Equal(t, "agent:1", back.Spec.Template.Spec.Containers[0].Image)
	before := s.revisions()
	s.apply(cluster.Update{Object: back})
	// n0 runs revision 2 (now old); n1's replacement is pending on
	// revision 2's template... n2 and n3 never left revision 1
	s.expectSyncs(syncStep{nodesOf("n1"), nil})
	after := s.revisions()
	require.Len(t, after, 2, "no new revision")
	assert.Equal(t, before[0][2:], after[1][2:], "revision 1 is current again...")
	assert.Regexp(t, `^3:`, after[1], "...renumbered to 3")
	s.expectSyncs(syncStep{nil, nodesOf("n0")}, syncStep{nodesOf("n0"), nil}, syncStep{nil, nil})
	assert.Equal(t, int32(4), s.status().UpdatedNumberScheduled)
	assert.Len(t, s.noteMessages(daemonset.ReasonRolloutFinished), 2)
	assert.Contains(t, s.noteMessages(daemonset.ReasonRolloutFinished)[0], "superseded")
	ds, _ = s.s.DaemonSet("default", "agent")
	msg, done, err = daemonset.RolloutStatus(ds)
	require.NoError(t, err)
	assert.True(t, done)
	assert.Equal(t, "daemon set \"agent\" successfully rolled out\n", msg)
}

func TestHistoryPruning(t *testing.T) {
	t.Run("old revisions beyond the limit go, oldest first", func(t *testing.T) {
		s := newStepper(t, 2, newDS("agent", historyLimit(2)))
		for _, tag := range []string{"2", "3", "4", "5"} {
			s.image(tag)
			s.settle()
		}
		revs := s.revisions()
		require.Len(t, revs, 3)
		assert.Regexp(t, `^3:`, revs[0])
		assert.Regexp(t, `^5:`, revs[2])
	})
	t.Run("a revision live pods run is kept", func(t *testing.T) {
		s := newStepper(t, 2, newDS("agent", onDelete, historyLimit(1)))
		first := s.revisions()[0]
		for _, tag := range []string{"2", "3", "4"} {
			s.image(tag)
			s.sync()
		}
		revs := s.revisions()
		require.Len(t, revs, 2)
		assert.Equal(t, first, revs[0], "the pods still run revision 1")
		assert.Regexp(t, `^4:`, revs[1])
	})
}

func TestHashCollision(t *testing.T) {
	s := newStepper(t, 2, newDS("agent"))
	ds, _ := s.s.DaemonSet("default", "agent")
	next := ds.Spec.Template.DeepCopy()
	np := &next
	next.Spec.Containers[0].Image = "agent:2"
	taken := "agent-" + daemonset.TemplateHash(np, nil)
	s.apply(cluster.Create{Object: &cluster.ControllerRevision{ObjectMeta: cluster.ObjectMeta{Name: taken, Namespace: "default"},
		Data: []byte(`{"someone":"else"}`), Revision: 1}})
	s.sync()
	s.image("2")
	c, d := s.sync()
	assert.Empty(t, c)
	assert.Empty(t, d, "the sync stops at the collision")
	ds, _ = s.s.DaemonSet("default", "agent")
	require.NotNil(t, ds.Status.CollisionCount)
	assert.Equal(t, int32(1), *ds.Status.CollisionCount)
	assert.Len(t, s.noteMessages(daemonset.ReasonHashCollision), 1)

	_, d = s.sync()
	assert.Equal(t, nodesOf("n0"), d, "the next sync salts the hash and rolls")
	one := int32(1)
	want := daemonset.TemplateHash(np, &one)
	_, ok := s.s.ControllerRevision("default", "agent-"+want)
	assert.True(t, ok)
	assert.Equal(t, want, daemonset.CurrentHash(s.s, ds))
}

func TestHistoryDedupAndAdoption(t *testing.T) {
	s := newStepper(t, 2, newDS("agent"))
	ds, _ := s.s.DaemonSet("default", "agent")
	revs := daemonset.Revisions(s.s, ds)
	require.Len(t, revs, 1)
	// an orphan copy of the current revision under another name, with a
	// higher number, matching the selector: adopted, then kept as the
	// newest duplicate, and the pods relabelled to its hash
	dup := &cluster.ControllerRevision{ObjectMeta: cluster.ObjectMeta{Name: "agent-dup", Namespace: "default",
		Labels: selector.Set{"app": "agent"}}, Data: revs[0].Data, Revision: 5}
	s.apply(cluster.Create{Object: dup})
	c, d := s.sync()
	assert.Empty(t, c)
	assert.Empty(t, d)
	got := daemonset.Revisions(s.s, ds)
	require.Len(t, got, 1, "the older duplicate is deleted")
	assert.Equal(t, "agent-dup", got[0].Name)
	assert.Equal(t, "agent-dup", got[0].Labels[daemonset.ControllerRevisionHashLabel], "labelled with its name")
	for _, p := range s.pods() {
		assert.Equal(t, "agent-dup", p.Labels[daemonset.ControllerRevisionHashLabel])
	}
	s.sync()
	assert.Equal(t, int32(2), s.status().UpdatedNumberScheduled, "the relabelled pods are up to date: nothing restarts")
}

// A controller started on a store with history picks the current revision
// up without mistaking it for a rollout, and finds nothing to do.
func TestRestartKeepsHistory(t *testing.T) {
	s := newStepper(t, 3, newDS("agent"))
	s.image("2")
	s.settle()
	before := s.revisions()
	s.c = daemonset.New(daemonset.Config{})
	s.c.Sync(s.s)
	s.r = daemonset.NewRolloutReporter(daemonset.RolloutReporterConfig{})
	s.r.Sync(s.s)
	c, d := s.sync()
	assert.Empty(t, c)
	assert.Empty(t, d)
	assert.Equal(t, before, s.revisions())
	assert.Empty(t, s.reports())
	assert.Equal(t, int32(3), s.status().UpdatedNumberScheduled)
}

// orphan removes the DaemonSet, leaving its pods and revisions without an
// owner, as orphan propagation and the garbage collector do.
func (s *stepper) orphan() {
	s.t.Helper()
	ds, _ := s.s.DaemonSet("default", s.ds)
	for _, p := range s.pods() {
		cp := *p
		cp.OwnerReferences = nil
		s.apply(cluster.Update{Object: &cp})
	}
	for _, cr := range daemonset.Revisions(s.s, ds) {
		cp := *cr
		cp.OwnerReferences = nil
		s.apply(cluster.Update{Object: &cp})
	}
	s.apply(cluster.Delete{Key: cluster.KeyOf(ds)})
}

func TestOrphanThenAdoptSyncBySync(t *testing.T) {
	t.Run("same template: adopted, nothing restarts", func(t *testing.T) {
		s := newStepper(t, 3, newDS("agent"))
		s.orphan()
		s.apply(cluster.Create{Object: newDS("agent")})
		s.expectSyncs(syncStep{nil, nil}, syncStep{nil, nil})
		assert.Len(t, s.revisions(), 1)
		assert.Equal(t, int32(3), s.status().UpdatedNumberScheduled)
	})
	t.Run("new template, same template generation: adopted as updated", func(t *testing.T) {
		// upstream's IsPodUpdated: the pods' pod-template-generation label (1)
		// equals the new DaemonSet's template generation (1), so they count
		// as updated although their hash is the old template's
		s := newStepper(t, 3, newDS("agent"))
		s.orphan()
		next := newDS("agent")
		next.Spec.Template.Spec.Containers[0].Image = "agent:2"
		s.apply(cluster.Create{Object: next})
		s.expectSyncs(syncStep{nil, nil}, syncStep{nil, nil})
		assert.Len(t, s.revisions(), 2)
		assert.Equal(t, int32(3), s.status().UpdatedNumberScheduled)
	})
	t.Run("new template: adopted, then rolled", func(t *testing.T) {
		s := newStepper(t, 3, newDS("agent"))
		s.image("2") // template generation 2: the pods are labelled 2
		s.settle()
		s.orphan()
		next := newDS("agent")
		next.Spec.Template.Spec.Containers[0].Image = "agent:3"
		s.apply(cluster.Create{Object: next})
		s.expectSyncs(
			syncStep{nil, nodesOf("n0")}, // adopt all three, then roll within maxUnavailable 1
			syncStep{nodesOf("n0"), nil},
			syncStep{nil, nodesOf("n1")},
			syncStep{nodesOf("n1"), nil},
			syncStep{nil, nodesOf("n2")},
			syncStep{nodesOf("n2"), nil},
			syncStep{nil, nil},
		)
		revs := s.revisions()
		require.Len(t, revs, 3, "the adopted revisions and the new one")
		assert.Regexp(t, `^1:`, revs[0])
		assert.Regexp(t, `^2:`, revs[1])
		assert.Regexp(t, `^3:`, revs[2])
		assert.Equal(t, int32(3), s.status().UpdatedNumberScheduled)
	})
}
