package cluster_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
)

// An object that already carries metadata, as in a snapshot of a real
// cluster, keeps it; only what is missing is filled in.
func TestCreateKeepsImportedMetadata(t *testing.T) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	created := now.Add(-72 * time.Hour)
	deleting := now.Add(20 * time.Second)
	grace := int64(30)
	yes := true
	s := cluster.NewStore()
	n := ct.Node("n1")
	n.UID, n.ResourceVersion, n.CreationTimestamp = "7c1d5a3e-real-node", 48213977, created
	n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionFalse, Reason: "KubeletNotReady"}}
	_, err := s.Apply(now, cluster.Create{Object: n})
	require.NoError(t, err)

	p := ct.Pod("web-0", ct.OnNode("n1"))
	p.UID, p.ResourceVersion, p.Generation, p.CreationTimestamp = "a3f1-real-pod", 1200, 3, created
	p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7d4", UID: "rs-uid", Controller: &yes}}
	p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &deleting, &grace
	p.Status.Phase = cluster.PodRunning
	d, err := s.Apply(now, cluster.Create{Object: p})
	require.NoError(t, err)

	got, ok := s.Pod("default", "web-0")
	require.True(t, ok)
	assert.Equal(t, "a3f1-real-pod", got.UID)
	assert.Equal(t, uint64(1200), got.ResourceVersion)
	assert.Equal(t, int64(3), got.Generation)
	assert.Equal(t, created, got.CreationTimestamp)
	assert.Equal(t, deleting, *got.DeletionTimestamp)
	assert.Equal(t, int64(30), *got.DeletionGracePeriodSeconds)
	assert.Equal(t, "rs-uid", got.ControllerRef().UID)
	assert.Equal(t, cluster.PodRunning, got.Status.Phase)
	gotNode, _ := s.Node("n1")
	assert.Equal(t, "7c1d5a3e-real-node", gotNode.UID)
	assert.Equal(t, "KubeletNotReady", gotNode.Status.Conditions[0].Reason)

	// the pod's slot is its creation revision, whatever its uid
	assert.Equal(t, uint64(2), d.Slot)
	slot, ok := s.PodSlot("default", "web-0")
	require.True(t, ok)
	assert.Equal(t, d.Slot, slot)

	// every later version is above every imported one
	cp := gotNode.DeepCopy()
	cp.Labels = selector.Set{"zone": "a"}
	d, err = s.Apply(now, cluster.Update{Object: cp})
	require.NoError(t, err)
	assert.Greater(t, d.New.Meta().ResourceVersion, uint64(48213977))
	assert.Equal(t, uint64(3), s.Revision(), "the revision still counts changes")

	// a pod made by the store gets the store's uid and metadata
	q := ct.Pod("web-1")
	d, err = s.Apply(now, cluster.Create{Object: q})
	require.NoError(t, err)
	assert.Equal(t, "00000000-0000-4000-8000-000000000004", d.New.Meta().UID)
	assert.Equal(t, now, d.New.Meta().CreationTimestamp)
	assert.Equal(t, int64(1), d.New.Meta().Generation)
	assert.Greater(t, d.New.Meta().ResourceVersion, uint64(48213978))
	assert.Equal(t, uint64(4), d.Slot)
	assert.Nil(t, d.New.Meta().DeletionTimestamp)

	// slots stay with their pods through deletes and forks
	fork := s.Fork()
	d, err = fork.Apply(now, cluster.Delete{Key: cluster.KeyOf(q)})
	require.NoError(t, err)
	assert.Equal(t, uint64(4), d.Slot)
	slot, _ = s.PodSlot("default", "web-1")
	assert.Equal(t, uint64(4), slot, "the parent keeps the pod")
	zero := int64(0)
	d, err = fork.Apply(now, cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), d.Slot)
}

// A pod imported with only a deletionTimestamp gets the grace period the
// API server would have written beside it.
func TestCreateTerminatingPodGetsGracePeriod(t *testing.T) {
	s := cluster.NewStore()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := ct.Pod("p", ct.OnNode("n1"))
	p.DeletionTimestamp = &at
	_, err := s.Apply(at, cluster.Create{Object: p})
	require.NoError(t, err)
	got, _ := s.Pod("default", "p")
	require.NotNil(t, got.DeletionGracePeriodSeconds)
	assert.Equal(t, cluster.DefaultTerminationGracePeriodSeconds, *got.DeletionGracePeriodSeconds)
}

// otherObject is an Object of a type the store does not hold.
type otherObject struct{ cluster.ObjectMeta }

func (*otherObject) ObjectKind() cluster.Kind         { return cluster.KindPod }
func (o *otherObject) DeepCopyObject() cluster.Object { c := *o; return &c }

// A change without an object, or with one the store cannot hold, is refused
// with ErrInvalid and changes nothing; nothing panics.
func TestApplyRefusesMissingObjects(t *testing.T) {
	s := cluster.NewStore()
	_, err := s.Apply(time.Time{}, cluster.Create{Object: ct.Node("n1")})
	require.NoError(t, err)
	before := cluster.Digest(s)
	for _, c := range []cluster.Change{
		nil,
		cluster.Create{},
		cluster.Create{Object: (*cluster.Pod)(nil)},
		cluster.Create{Object: (*cluster.Node)(nil), Handoff: true},
		cluster.Create{Object: (*cluster.DaemonSet)(nil)},
		cluster.Create{Object: (*cluster.ControllerRevision)(nil)},
		cluster.Create{Object: (*cluster.PriorityClass)(nil)},
		cluster.Create{Object: (*cluster.PodDisruptionBudget)(nil)},
		cluster.Create{Object: &otherObject{ObjectMeta: cluster.ObjectMeta{Name: "x"}}},
		cluster.Update{},
		cluster.Update{Object: (*cluster.Node)(nil)},
		cluster.UpdateStatus{},
		cluster.UpdateStatus{Object: (*cluster.Pod)(nil), Handoff: true},
		cluster.UpdateStatus{Object: &otherObject{ObjectMeta: cluster.ObjectMeta{Name: "x"}}},
	} {
		var err error
		require.NotPanics(t, func() { _, err = s.Apply(time.Time{}, c) }, "%#v", c)
		require.ErrorIs(t, err, cluster.ErrInvalid, "%#v", c)
		assert.Equal(t, before, cluster.Digest(s), "%#v", c)
	}
	assert.Equal(t, cluster.Key{Kind: cluster.KindPod}, cluster.KeyOf((*cluster.Pod)(nil)))
	assert.Equal(t, cluster.Key{}, cluster.KeyOf(nil))
}

// The binding and the status subresources are validated as upstream's.
func TestBindAndStatusValidation(t *testing.T) {
	s := cluster.NewStore()
	_, err := s.Apply(time.Time{}, cluster.Create{Object: ct.Pod("p")})
	require.NoError(t, err)
	_, err = s.Apply(time.Time{}, cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "p"}, Node: "Bad_Node"})
	require.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Contains(t, err.Error(), `target.name: Invalid value: "Bad_Node"`)
	p, _ := s.Pod("default", "p")
	cp := p.DeepCopy()
	cp.Status.NominatedNodeName = "Bad_Node"
	_, err = s.Apply(time.Time{}, cluster.UpdateStatus{Object: cp})
	require.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Contains(t, err.Error(), `status.nominatedNodeName: Invalid value: "Bad_Node"`)
	assert.Equal(t, uint64(1), s.Revision())
}

// A propagation policy replaces the garbage collector's finalizers rather
// than adding beside them.
func TestDeletePropagationReplacesFinalizers(t *testing.T) {
	s := cluster.NewStore()
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "a", Namespace: "default"}, Spec: cluster.DaemonSetSpec{
		Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "a"}},
		Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "a"}},
			Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "a", Image: "a"}}}}}}
	_, err := s.Apply(time.Time{}, cluster.Create{Object: ds})
	require.NoError(t, err)
	k := cluster.KeyOf(ds)
	_, err = s.Apply(time.Time{}, cluster.Delete{Key: k, Propagation: cluster.DeletePropagationForeground})
	require.NoError(t, err)
	got, _ := s.DaemonSet("default", "a")
	assert.Equal(t, []string{cluster.FinalizerDeleteDependents}, got.Finalizers)
	_, err = s.Apply(time.Time{}, cluster.Delete{Key: k, Propagation: cluster.DeletePropagationOrphan})
	require.NoError(t, err)
	got, _ = s.DaemonSet("default", "a")
	assert.Equal(t, []string{cluster.FinalizerOrphanDependents}, got.Finalizers)
	_, err = s.Apply(time.Time{}, cluster.Delete{Key: k, Propagation: cluster.DeletePropagationBackground})
	require.NoError(t, err)
	_, ok := s.DaemonSet("default", "a")
	assert.False(t, ok, "no finalizer left: the DaemonSet is gone")
}

// A pod imported with a uid in the store's own format, made by another
// store at another revision, still gets a slot of its own.
func TestImportedStoreFormatUIDGetsItsOwnSlot(t *testing.T) {
	s := cluster.NewStore()
	x := ct.Pod("x")
	x.UID = "00000000-0000-4000-8000-000000000003" // another store's revision 3
	dx, err := s.Apply(time.Time{}, cluster.Create{Object: x})
	require.NoError(t, err)
	assert.Equal(t, uint64(1), dx.Slot)
	_, err = s.Apply(time.Time{}, cluster.Create{Object: ct.Pod("y")})
	require.NoError(t, err)
	dz, err := s.Apply(time.Time{}, cluster.Create{Object: ct.Pod("z")})
	require.NoError(t, err)
	assert.Equal(t, uint64(3), dz.Slot)
	slot, _ := s.PodSlot("default", "x")
	assert.Equal(t, uint64(1), slot, "not 3, which is z's")
	fork := s.Fork()
	zero := int64(0)
	d, err := fork.Apply(time.Time{}, cluster.Delete{Key: cluster.KeyOf(x), GracePeriodSeconds: &zero})
	require.NoError(t, err)
	assert.Equal(t, uint64(1), d.Slot)
	slot, ok := s.PodSlot("default", "x")
	require.True(t, ok)
	assert.Equal(t, uint64(1), slot, "the parent keeps it")
}
