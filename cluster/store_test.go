package cluster_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func mustApply(t *testing.T, s *cluster.Store, c cluster.Change) cluster.Delta {
	t.Helper()
	d, err := s.Apply(t0, c)
	require.NoError(t, err)
	return d
}

func names[T cluster.Object](seq func(func(T) bool)) []string {
	var out []string
	for o := range seq {
		out = append(out, cluster.KeyOf(o).NamespacedName())
	}
	return out
}

func TestStoreCreateGetAndOrder(t *testing.T) {
	s := cluster.NewStore()
	for _, n := range []string{"n3", "n1", "n2"} {
		mustApply(t, s, cluster.Create{Object: ct.Node(n)})
	}
	d := mustApply(t, s, cluster.Create{Object: ct.Pod("b/p", ct.OnNode("n1"))})
	mustApply(t, s, cluster.Create{Object: ct.Pod("a/q", ct.OnNode("n1"))})
	mustApply(t, s, cluster.Create{Object: ct.Pod("a/p")})

	assert.Equal(t, uint64(6), s.Revision())
	assert.Equal(t, []string{"n1", "n2", "n3"}, names(s.Nodes()))
	assert.Equal(t, []string{"a/p", "a/q", "b/p"}, names(s.Pods()))
	assert.Equal(t, []string{"a/q", "b/p"}, names(s.PodsOnNode("n1")))
	assert.Empty(t, names(s.PodsOnNode("n2")))

	p := d.New.(*cluster.Pod)
	assert.Equal(t, uint64(4), p.ResourceVersion)
	assert.Equal(t, int64(1), p.Generation)
	assert.Equal(t, "00000000-0000-4000-8000-000000000004", p.UID)
	assert.Equal(t, cluster.DefaultSchedulerName, p.Spec.SchedulerName, "defaulted")
	assert.Equal(t, t0, p.CreationTimestamp)

	_, err := s.Apply(t0, cluster.Create{Object: ct.Node("n1")})
	assert.True(t, errors.Is(err, cluster.ErrAlreadyExists))
	assert.EqualError(t, err, `create node/n1: node "n1" already exists`)
	assert.Equal(t, uint64(6), s.Revision(), "a failed change bumps nothing")
}

// TestStoreCreateTakenName checks that a create whose name is taken
// changes nothing (the stored pod, its index entries and the revision stay)
// and that, as upstream, validation is reported before the name clash.
func TestStoreCreateTakenName(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Pod("a/p", ct.OnNode("n1"), ct.ControlledBy("DaemonSet", "ds", "uid-1"))})
	before, _ := s.Pod("a", "p")

	_, err := s.Apply(t0, cluster.Create{Object: ct.Pod("a/p", ct.OnNode("n2"))})
	require.ErrorIs(t, err, cluster.ErrAlreadyExists)
	assert.EqualError(t, err, `create pod/a/p: pod "p" already exists`)
	after, _ := s.Pod("a", "p")
	assert.Same(t, before, after)
	assert.Equal(t, []string{"a/p"}, names(s.PodsOnNode("n1")))
	assert.Empty(t, names(s.PodsOnNode("n2")))
	assert.Equal(t, []string{"a/p"}, names(s.PodsControlledBy("uid-1")))
	assert.Equal(t, uint64(1), s.Revision())

	_, err = s.Apply(t0, cluster.Create{Object: ct.Pod("a/p", ct.PodLabels("-bad", "v"))})
	require.ErrorIs(t, err, cluster.ErrInvalid, "validation comes before the name clash")
	assert.NotErrorIs(t, err, cluster.ErrAlreadyExists)
	assert.Equal(t, uint64(1), s.Revision())
}

func TestStoreCallerKeepsOwnership(t *testing.T) {
	s := cluster.NewStore()
	n := ct.Node("n1", ct.NodeLabels("zone", "a"))
	mustApply(t, s, cluster.Create{Object: n})
	n.Labels["zone"] = "b"
	got, _ := s.Node("n1")
	assert.Equal(t, "a", got.Labels["zone"], "the store copied the object")
}

// TestStoreHandoff checks that a change given with Handoff stores the
// submitted object itself, and that the outcome equals the same change
// given without it: created pods, and status writes of every kind with a
// status (the stored metadata and spec win over the submitted ones).
func TestStoreHandoff(t *testing.T) {
	pdb := func() *cluster.PodDisruptionBudget {
		one := cluster.FromInt(1)
		return &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "b", Namespace: "default"},
			Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "a"}}}}
	}
	ds := func() *cluster.DaemonSet {
		return &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "d", Namespace: "default"}, Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "a"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "a"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "c", Image: "i"}}}}}}
	}
	build := func(handoff bool) (*cluster.Store, []cluster.Object) {
		s := cluster.NewStore()
		var submitted []cluster.Object
		apply := func(c cluster.Change, o cluster.Object) {
			submitted = append(submitted, o)
			mustApply(t, s, c)
		}
		for _, o := range []cluster.Object{ct.Node("n1"), ct.Pod("default/p", ct.PodLabels("app", "a")), ds(), pdb()} {
			apply(cluster.Create{Object: o, Handoff: handoff}, o)
		}
		n := ct.Node("n1", ct.NodeLabels("ignored", "x"), ct.CPU("2"))
		apply(cluster.UpdateStatus{Object: n, Handoff: handoff}, n)
		p := ct.Pod("default/p", ct.PodLabels("ignored", "x"), ct.StartTime(t0))
		p.Status.Phase = cluster.PodRunning
		p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue}}
		apply(cluster.UpdateStatus{Object: p, Handoff: handoff}, p)
		d := ds()
		d.Spec.Template.Labels["ignored"] = "x"
		d.Status.NumberReady = 1
		apply(cluster.UpdateStatus{Object: d, Handoff: handoff}, d)
		b := pdb()
		b.Status.CurrentHealthy = 1
		apply(cluster.UpdateStatus{Object: b, Handoff: handoff}, b)
		return s, submitted
	}
	copied, _ := build(false)
	kept, submitted := build(true)
	assert.Equal(t, cluster.Digest(copied), cluster.Digest(kept))
	want := slices.Collect(copied.Objects())
	got := slices.Collect(kept.Objects())
	require.Equal(t, want, got)
	for _, o := range submitted[4:] {
		stored, ok := kept.Get(cluster.KeyOf(o))
		require.True(t, ok)
		assert.Same(t, o, stored, "%s: the status write's object is the new version", cluster.KeyOf(o))
	}
	p, _ := kept.Pod("default", "p")
	assert.NotContains(t, p.Labels, "ignored", "the stored metadata wins")
	assert.Equal(t, "a", p.Labels["app"])
	assert.Equal(t, uint64(6), p.ResourceVersion)
	n, _ := kept.Node("n1")
	assert.NotContains(t, n.Labels, "ignored")
	assert.Equal(t, int64(2000), n.Status.Capacity.Milli(cluster.ResourceCPU), "the submitted status is kept")
	created := submitted[1].(*cluster.Pod)
	assert.Equal(t, "00000000-0000-4000-8000-000000000002", created.UID, "a handed-off create is written into")
	assert.Equal(t, cluster.PodPending, created.Status.Phase)

	s := cluster.NewStore()
	bad := ct.Pod("default/bad")
	bad.Spec.Containers = nil
	_, err := s.Apply(t0, cluster.Create{Object: bad, Handoff: true})
	require.ErrorIs(t, err, cluster.ErrInvalid)
	_, ok := s.Pod("default", "bad")
	assert.False(t, ok, "a refused handoff stores nothing")
}

func TestStoreValidationIsAtomic(t *testing.T) {
	s := cluster.NewStore()
	bad := ct.Pod("default/x", ct.PodLabels("-bad", "v"), ct.Requests("cpu", "-1"))
	bad.Spec.Containers = append(bad.Spec.Containers, cluster.Container{Name: "c"})
	_, err := s.Apply(t0, cluster.Create{Object: bad})
	require.Error(t, err)
	assert.True(t, errors.Is(err, cluster.ErrInvalid))
	msg := err.Error()
	assert.Contains(t, msg, `metadata.labels: Invalid value: "-bad": name part must consist of alphanumeric characters`)
	assert.Contains(t, msg, `spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`)
	assert.Contains(t, msg, `spec.containers[1].name: Duplicate value: "c"`)
	assert.Equal(t, 0, s.PodCount())
	assert.Equal(t, uint64(0), s.Revision())
}

func TestStoreUpdateGenerationAndConflict(t *testing.T) {
	s := cluster.NewStore()
	d := mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	n := d.New.(*cluster.Node).DeepCopy()

	n.Labels = selector.Set{"zone": "a"}
	d = mustApply(t, s, cluster.Update{Object: n, ExpectedRV: 1})
	assert.Equal(t, int64(1), d.New.Meta().Generation, "metadata changes do not bump generation")
	assert.Equal(t, uint64(2), d.New.Meta().ResourceVersion)

	n2 := d.New.(*cluster.Node).DeepCopy()
	n2.Spec.Unschedulable = true
	d = mustApply(t, s, cluster.Update{Object: n2})
	assert.Equal(t, int64(2), d.New.Meta().Generation, "spec changes bump generation")

	_, err := s.Apply(t0, cluster.Update{Object: n2, ExpectedRV: 2})
	assert.True(t, errors.Is(err, cluster.ErrConflict))

	// a status update keeps spec and metadata
	n3 := d.New.(*cluster.Node).DeepCopy()
	n3.Labels = nil
	n3.Spec.Unschedulable = false
	n3.Status.Conditions = nil
	d = mustApply(t, s, cluster.UpdateStatus{Object: n3})
	got := d.New.(*cluster.Node)
	assert.Equal(t, "a", got.Labels["zone"])
	assert.True(t, got.Spec.Unschedulable)
	assert.Empty(t, got.Status.Conditions)
	assert.Equal(t, int64(2), got.Generation)
}

func TestStorePodLifecycle(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	mustApply(t, s, cluster.Create{Object: ct.Pod("default/p", ct.ControlledBy("DaemonSet", "ds", "uid-1"))})
	assert.Equal(t, []string{"default/p"}, names(s.PodsControlledBy("uid-1")))

	d := mustApply(t, s, cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "p"}, Node: "n1"})
	p := d.New.(*cluster.Pod)
	assert.Equal(t, "n1", p.Spec.NodeName)
	c, ok := p.Condition(cluster.PodScheduled)
	require.True(t, ok)
	assert.Equal(t, cluster.ConditionTrue, c.Status)
	assert.Equal(t, []string{"default/p"}, names(s.PodsOnNode("n1")))

	_, err := s.Apply(t0, cluster.Bind{Pod: cluster.KeyOf(p), Node: "n2"})
	assert.EqualError(t, err, `bind pod/default/p: pod default/p is already assigned to node "n1": conflict`)

	// a bound pod terminates gracefully
	d = mustApply(t, s, cluster.Delete{Key: cluster.KeyOf(p)})
	p = d.New.(*cluster.Pod)
	require.NotNil(t, p.DeletionTimestamp)
	assert.Equal(t, t0.Add(30*time.Second), *p.DeletionTimestamp)
	assert.Equal(t, int64(30), *p.DeletionGracePeriodSeconds)
	assert.Equal(t, []string{"default/p"}, names(s.PodsOnNode("n1")), "still on the node while terminating")

	zero := int64(0)
	d = mustApply(t, s, cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero})
	assert.Nil(t, d.New)
	assert.Equal(t, 0, s.PodCount())
	assert.Empty(t, names(s.PodsOnNode("n1")))
	assert.Empty(t, names(s.PodsControlledBy("uid-1")))

	// an unbound pod goes at once
	mustApply(t, s, cluster.Create{Object: ct.Pod("default/q")})
	d = mustApply(t, s, cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "q"}})
	assert.Nil(t, d.New)
}

func TestStoreFinalizers(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	k := cluster.Key{Kind: cluster.KindNode, Name: "n1"}
	d := mustApply(t, s, cluster.Delete{Key: k, Propagation: cluster.DeletePropagationOrphan})
	n := d.New.(*cluster.Node)
	assert.Equal(t, []string{cluster.FinalizerOrphanDependents}, n.Finalizers)
	require.NotNil(t, n.DeletionTimestamp)
	n = n.DeepCopy()
	n.Finalizers = nil
	d = mustApply(t, s, cluster.Update{Object: n})
	assert.Nil(t, d.New, "clearing the last finalizer removes the object")
	assert.Equal(t, 0, s.NodeCount())
}

func TestSnapshotAndFork(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	snap := s.Snapshot()
	fork := s.Fork()
	mustApply(t, s, cluster.Create{Object: ct.Node("n2")})
	mustApply(t, fork, cluster.Create{Object: ct.Node("f1")})

	assert.Equal(t, []string{"n1"}, names(snap.Nodes()))
	assert.Equal(t, []string{"f1", "n1"}, names(fork.Nodes()))
	assert.Equal(t, []string{"n1", "n2"}, names(s.Nodes()))
	_, err := snap.Apply(t0, cluster.Create{Object: ct.Node("x")})
	assert.True(t, errors.Is(err, cluster.ErrReadOnly))

	require.NoError(t, cluster.WithFork(s, func(f *cluster.Store) (bool, error) {
		_, err := f.Apply(t0, cluster.Create{Object: ct.Node("n3")})
		return false, err
	}))
	assert.Equal(t, []string{"n1", "n2"}, names(s.Nodes()), "reverted")
	require.NoError(t, cluster.WithFork(s, func(f *cluster.Store) (bool, error) {
		_, err := f.Apply(t0, cluster.Create{Object: ct.Node("n3")})
		return true, err
	}))
	assert.Equal(t, []string{"n1", "n2", "n3"}, names(s.Nodes()), "committed")
}

func TestDigest(t *testing.T) {
	build := func(order []string) *cluster.Store {
		s := cluster.NewStore()
		for _, n := range order {
			_, err := s.Apply(t0, cluster.Create{Object: ct.Node(n)})
			require.NoError(t, err)
		}
		return s
	}
	a, b := build([]string{"n1", "n2"}), build([]string{"n1", "n2"})
	assert.Equal(t, cluster.Digest(a), cluster.Digest(b))
	c := build([]string{"n2", "n1"})
	assert.NotEqual(t, cluster.Digest(a), cluster.Digest(c), "UIDs follow creation order")
	assert.Equal(t, cluster.Digest(a), cluster.Digest(a.Snapshot()))
}

func TestDaemonSetValidation(t *testing.T) {
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "kube-system"}}
	ds.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}}
	ds.Spec.Template.Labels = selector.Set{"app": "other"}
	ds.Spec.Template.Spec.Containers = []cluster.Container{{Name: "agent", Image: "agent:v1"}}
	s := cluster.NewStore()
	_, err := s.Apply(t0, cluster.Create{Object: ds})
	require.Error(t, err)
	assert.Equal(t, "create daemonset/kube-system/agent: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`", err.Error())

	ds.Spec.Template.Labels = selector.Set{"app": "agent"}
	d := mustApply(t, s, cluster.Create{Object: ds})
	got := d.New.(*cluster.DaemonSet)
	assert.Equal(t, cluster.RollingUpdateDaemonSetStrategyType, got.Spec.UpdateStrategy.Type)
	assert.Equal(t, "1", got.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.String())
	assert.Equal(t, "0", got.Spec.UpdateStrategy.RollingUpdate.MaxSurge.String())
	assert.Equal(t, int32(10), *got.Spec.RevisionHistoryLimit)

	upd := got.DeepCopy()
	upd.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent", "x": "y"}}
	upd.Spec.Template.Labels["x"] = "y"
	_, err = s.Apply(t0, cluster.Update{Object: upd})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"agent\",\"x\":\"y\"}}: field is immutable")

	upd = got.DeepCopy()
	upd.Spec.Template.Spec.Containers[0].Image = "agent:v2"
	d = mustApply(t, s, cluster.Update{Object: upd})
	assert.Equal(t, int64(2), d.New.Meta().Generation)
}

func TestPodUpdateForbidden(t *testing.T) {
	s := cluster.NewStore()
	d := mustApply(t, s, cluster.Create{Object: ct.Pod("default/p")})
	p := d.New.(*cluster.Pod).DeepCopy()
	p.Spec.NodeName = "n1"
	_, err := s.Apply(t0, cluster.Update{Object: p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec: Forbidden: pod updates may not change fields other than")
	p = d.New.(*cluster.Pod).DeepCopy()
	p.Spec.Containers[0].Image = "v2"
	p.Labels = selector.Set{"a": "b"}
	mustApply(t, s, cluster.Update{Object: p})
}

func TestObjectsOrder(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Pod("a/p")})
	mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	mustApply(t, s, cluster.Create{Object: &cluster.PriorityClass{ObjectMeta: cluster.ObjectMeta{Name: "high"}, Value: 1000}})
	var keys []string
	for o := range s.Objects() {
		keys = append(keys, cluster.KeyOf(o).String())
	}
	assert.Equal(t, []string{"node/n1", "priorityclass/high", "pod/a/p"}, keys)
	assert.True(t, slices.IsSortedFunc([]cluster.Key{
		{Kind: cluster.KindNode, Name: "z"}, {Kind: cluster.KindPod, Namespace: "a", Name: "a"},
	}, cluster.Key.Compare))
}

// TestSnapshotSeesNoInPlaceWrite checks that entries updated in place by
// the store that owns them never show through an earlier snapshot or fork,
// in the trees or in the pod indexes, however many writes follow.
func TestSnapshotSeesNoInPlaceWrite(t *testing.T) {
	s := cluster.NewStore()
	mustApply(t, s, cluster.Create{Object: ct.Node("n1")})
	mustApply(t, s, cluster.Create{Object: ct.Pod("p")})
	status := func(v cluster.View) cluster.PodPhase {
		p, ok := v.Pod("default", "p")
		require.True(t, ok)
		return p.Status.Phase
	}
	onNode := func(v cluster.View) []string { return names(v.PodsOnNode("n1")) }
	setPhase := func(st *cluster.Store, ph cluster.PodPhase) {
		p, _ := st.Pod("default", "p")
		cp := p.DeepCopy()
		cp.Status.Phase = ph
		mustApply(t, st, cluster.UpdateStatus{Object: cp})
	}

	setPhase(s, cluster.PodRunning) // in place: the entry is the store's own
	before := s.Snapshot()
	fork := s.Fork()
	setPhase(s, cluster.PodSucceeded) // a new entry: shared with the snapshot
	setPhase(s, cluster.PodFailed)    // in place again, in the new entry
	mustApply(t, s, cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "p"}, Node: "n1"})
	setPhase(fork, cluster.PodSucceeded)
	setPhase(fork, cluster.PodSucceeded)

	assert.Equal(t, cluster.PodRunning, status(before))
	assert.Empty(t, onNode(before))
	assert.Equal(t, cluster.PodSucceeded, status(fork))
	assert.Empty(t, onNode(fork))
	assert.Equal(t, cluster.PodFailed, status(s))
	assert.Equal(t, []string{"default/p"}, onNode(s))
	for p := range s.PodsOnNode("n1") {
		assert.Equal(t, cluster.PodFailed, p.Status.Phase, "the index sees the in-place write")
	}
	zero := int64(0)
	mustApply(t, s, cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "p"}, GracePeriodSeconds: &zero})
	assert.Empty(t, onNode(s))
	assert.Equal(t, 0, s.PodCount())
	assert.Equal(t, cluster.PodRunning, status(before))
}

// Every pod delta carries the pod's slot: the revision that created it,
// kept through every write and on both sides of a fork, reported on
// removal, never another pod's; other kinds have none.
func TestPodSlots(t *testing.T) {
	s := cluster.NewStore()
	podKey := func(name string) cluster.Key {
		return cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: name}
	}
	slotOf := func(v cluster.View, name string) uint64 {
		t.Helper()
		slot, ok := v.PodSlot("default", name)
		require.True(t, ok, name)
		return slot
	}
	assert.Zero(t, mustApply(t, s, cluster.Create{Object: ct.Node("n1")}).Slot, "nodes have no slot")
	created := map[string]uint64{}
	for _, name := range []string{"c", "a", "b"} {
		d := mustApply(t, s, cluster.Create{Object: ct.Pod("default/" + name)})
		assert.Equal(t, d.Rev, d.Slot, "the creating revision")
		assert.Equal(t, d.Slot, slotOf(s, name))
		created[name] = d.Slot
	}
	assert.Less(t, created["c"], created["a"], "creation order, not name order")
	_, ok := s.PodSlot("default", "missing")
	assert.False(t, ok)

	// every kind of write keeps the slot
	a := created["a"]
	assert.Equal(t, a, mustApply(t, s, cluster.Bind{Pod: podKey("a"), Node: "n1"}).Slot)
	running := ct.Pod("default/a")
	running.Status.Phase = cluster.PodRunning
	assert.Equal(t, a, mustApply(t, s, cluster.UpdateStatus{Object: running}).Slot)
	cur, _ := s.Pod("default", "a")
	labelled := cur.DeepCopy()
	labelled.Labels = map[string]string{"x": "y"}
	assert.Equal(t, a, mustApply(t, s, cluster.Update{Object: labelled}).Slot)
	d := mustApply(t, s, cluster.Delete{Key: podKey("a")})
	require.NotNil(t, d.New, "a bound pod terminates gracefully")
	assert.Equal(t, a, d.Slot)
	zero := int64(0)
	d = mustApply(t, s, cluster.Delete{Key: podKey("a"), GracePeriodSeconds: &zero})
	require.Nil(t, d.New)
	assert.Equal(t, a, d.Slot, "the removal names the pod's slot")

	// a pod that leaves through its last finalizer
	d = mustApply(t, s, cluster.Delete{Key: podKey("b"), Propagation: cluster.DeletePropagationOrphan})
	require.NotNil(t, d.New, "kept by the orphan finalizer")
	fin := d.New.(*cluster.Pod).DeepCopy()
	fin.Finalizers = nil
	d = mustApply(t, s, cluster.Update{Object: fin})
	require.Nil(t, d.New)
	assert.Equal(t, created["b"], d.Slot)

	// the name comes back with a new slot
	d = mustApply(t, s, cluster.Create{Object: ct.Pod("default/a")})
	assert.Equal(t, d.Rev, d.Slot)
	assert.Greater(t, d.Slot, a)

	// forks: shared pods keep their slots when either side writes them
	snap := s.Snapshot()
	fork := s.Fork()
	for _, st := range []*cluster.Store{s, fork} {
		c, _ := st.Pod("default", "c")
		relabelled := c.DeepCopy()
		relabelled.Labels = map[string]string{"side": "x"}
		assert.Equal(t, created["c"], mustApply(t, st, cluster.Update{Object: relabelled}).Slot)
		d := mustApply(t, st, cluster.Create{Object: ct.Pod("default/new")})
		assert.Equal(t, d.Rev, d.Slot)
	}
	assert.Equal(t, created["c"], slotOf(snap, "c"))
	_, ok = snap.PodSlot("default", "new")
	assert.False(t, ok, "the snapshot does not see later pods")
}
