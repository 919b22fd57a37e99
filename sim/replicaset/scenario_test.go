package replicaset_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/replicaset"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

func newWorld(t *testing.T, nodes int) *simtest.World {
	w := simtest.NewDefault(t, sim.DefaultConfig{})
	for i := range nodes {
		w.Create(ct.Node("n"+string(rune('1'+i)), ct.CPU("4"), ct.Memory("8Gi")))
	}
	return w
}

// owned returns the active pods controlled by the ReplicaSet with uid.
func owned(w *simtest.World, uid string) []*cluster.Pod {
	var out []*cluster.Pod
	for p := range w.View().PodsControlledBy(uid) {
		if !p.IsTerminating() && !p.IsTerminal() {
			out = append(out, p)
		}
	}
	return out
}

func rsOf(w *simtest.World, name string) *cluster.ReplicaSet {
	rs, ok := w.View().ReplicaSet("default", name)
	require.True(w.TB, ok)
	return rs
}

func TestScaleUpDownAndStatus(t *testing.T) {
	w := newWorld(t, 3)
	w.Create(ct.ReplicaSet("web", 5))
	w.Run(time.Minute)
	w.NoErrors()
	rs := rsOf(w, "web")
	assert.Len(t, owned(w, rs.UID), 5)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulCreate), 5)
	assert.Equal(t, int32(5), rs.Status.Replicas)
	assert.Equal(t, int32(5), rs.Status.ReadyReplicas)
	assert.Equal(t, int32(5), rs.Status.AvailableReplicas)
	assert.Equal(t, int32(5), rs.Status.FullyLabeledReplicas)
	assert.Equal(t, rs.Generation, rs.Status.ObservedGeneration)

	w.Update(cluster.KeyOf(rs), func(o cluster.Object) { two := int32(2); o.(*cluster.ReplicaSet).Spec.Replicas = &two })
	w.Run(time.Minute)
	w.NoErrors()
	rs = rsOf(w, "web")
	assert.Len(t, owned(w, rs.UID), 2)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulDelete), 3)
	assert.Equal(t, int32(2), rs.Status.Replicas)
}

func TestReplacedAfterDeleteEvictAndNodeLoss(t *testing.T) {
	w := newWorld(t, 3)
	w.Create(ct.ReplicaSet("web", 3))
	w.Run(time.Minute)
	rs := rsOf(w, "web")
	pods := owned(w, rs.UID)
	require.Len(t, pods, 3)

	// a deleted pod is replaced at once, while it is still terminating
	w.Delete(cluster.KeyOf(pods[0]))
	w.Run(time.Second)
	assert.Len(t, owned(w, rs.UID), 3)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulCreate), 4)

	// an evicted one too
	w.Apply(cluster.Evict{Pod: cluster.KeyOf(pods[1])})
	w.Run(time.Second)
	assert.Len(t, owned(w, rs.UID), 3)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulCreate), 5)

	// node loss: PodGC deletes the pods of a deleted node, the
	// ReplicaSet makes new ones on the other nodes
	node := w.Pod(pods[2].Namespace + "/" + pods[2].Name).Spec.NodeName
	w.Delete(cluster.Key{Kind: cluster.KindNode, Name: node})
	w.Run(2 * time.Minute)
	w.NoErrors()
	for _, p := range owned(w, rs.UID) {
		assert.NotEqual(t, node, p.Spec.NodeName)
	}
	assert.Len(t, owned(w, rs.UID), 3)
	assert.Equal(t, int32(3), rsOf(w, "web").Status.ReadyReplicas)
}

func TestAdoptionAndRelease(t *testing.T) {
	w := newWorld(t, 1)
	w.Create(ct.Pod("default/stray", ct.PodLabels("app", "web")))
	w.Run(time.Second)
	w.Create(ct.ReplicaSet("web", 2))
	w.Run(time.Minute)
	w.NoErrors()
	rs := rsOf(w, "web")
	ref := w.Pod("stray").ControllerRef()
	require.NotNil(t, ref)
	assert.Equal(t, rs.UID, ref.UID)
	assert.Len(t, owned(w, rs.UID), 2)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulCreate), 1) // the orphan counts

	// relabelled: released, and replaced
	w.Update(cluster.KeyOf(w.Pod("stray")), func(o cluster.Object) { o.Meta().Labels = map[string]string{"app": "other"} })
	w.Run(time.Minute)
	w.NoErrors()
	assert.Nil(t, w.Pod("stray").ControllerRef())
	assert.Len(t, owned(w, rs.UID), 2)
	assert.Len(t, w.Messages(replicaset.ReasonSuccessfulCreate), 2)
}

func TestMinReadySecondsWakeUp(t *testing.T) {
	w := newWorld(t, 1)
	rs := ct.ReplicaSet("web", 1)
	rs.Spec.MinReadySeconds = 30
	w.Create(rs)
	w.Run(10 * time.Second)
	st := rsOf(w, "web").Status
	assert.Equal(t, int32(1), st.ReadyReplicas)
	assert.Equal(t, int32(0), st.AvailableReplicas)
	w.Run(time.Minute)
	assert.Equal(t, int32(1), rsOf(w, "web").Status.AvailableReplicas)
}

func TestFailedCreateCondition(t *testing.T) {
	quota := 2
	w := simtest.NewDefault(t, sim.DefaultConfig{ReplicaSet: replicaset.Config{Admit: func(*cluster.Pod) error {
		if quota == 0 {
			return assert.AnError
		}
		quota--
		return nil
	}}})
	w.Create(ct.Node("n1", ct.CPU("4")), ct.ReplicaSet("web", 5))
	w.Run(time.Second)
	rs := rsOf(w, "web")
	assert.Len(t, owned(w, rs.UID), 2)
	require.Len(t, rs.Status.Conditions, 1)
	assert.Equal(t, cluster.ReplicaSetReplicaFailure, rs.Status.Conditions[0].Type)
	assert.Equal(t, replicaset.ReasonFailedCreate, rs.Status.Conditions[0].Reason)
	// slow start stops at the first failing batch; the work queue's
	// backoff (5ms doubling) retries within the second
	assert.NotEmpty(t, w.Messages(replicaset.ReasonFailedCreate))
	assert.Less(t, len(w.Messages(replicaset.ReasonFailedCreate)), 20)
	quota = 10
	w.Run(time.Minute)
	rs = rsOf(w, "web")
	assert.Len(t, owned(w, rs.UID), 5)
	assert.Empty(t, rs.Status.Conditions)
}

func TestDeterminism(t *testing.T) {
	run := func() string {
		w := newWorld(t, 3)
		w.Create(ct.ReplicaSet("web", 7), ct.ReplicaSet("api", 4))
		w.Run(time.Minute)
		w.Update(cluster.KeyOf(rsOf(w, "web")), func(o cluster.Object) { one := int32(1); o.(*cluster.ReplicaSet).Spec.Replicas = &one })
		w.Run(time.Minute)
		return w.Timeline(0)
	}
	assert.Equal(t, run(), run())
}
