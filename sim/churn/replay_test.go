package churn_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// replayGood replays sim/trace's good.csv (every event type) on a default
// cluster running one DaemonSet, and returns the cluster and replayer at
// the end.
func replayGood(t *testing.T) (*sim.Cluster, *churn.Replayer) {
	t.Helper()
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	c.Submit(c.Now(), "test", cluster.Create{Object: agent()})
	r, err := trace.Open("../trace/testdata/good.csv")
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	rp := churn.NewReplayer(c, r, churn.ReplayOptions{})
	require.NoError(t, rp.RunUntil(sim.Epoch.Add(time.Hour)))
	return c, rp
}

// agent is a DaemonSet with no tolerations of its own.
func agent() *cluster.DaemonSet {
	return &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}
}

func nodeNames(v cluster.View) []string {
	var out []string
	for n := range v.Nodes() {
		out = append(out, n.Name)
	}
	return out
}

// Each event takes effect at its instant, through the same path a user's
// change or a controller's would: nodes join and get daemon pods, a
// failed node turns NotReady and is tainted by the node lifecycle
// controller, a stopped kubelet makes its node Unknown after the grace
// period, a drain runs, a removed node goes.
func TestReplayer(t *testing.T) {
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	c.Submit(c.Now(), "test", cluster.Create{Object: agent()})
	r, err := trace.Open("../trace/testdata/good.csv")
	require.NoError(t, err)
	defer r.Close()
	rp := churn.NewReplayer(c, r, churn.ReplayOptions{})

	require.NoError(t, rp.RunUntil(sim.Epoch.Add(time.Minute)))
	assert.Equal(t, []string{"n1", "n2"}, nodeNames(c.View()), "n3 joins at 90 s")
	ds, _ := c.View().DaemonSet("default", "agent")
	assert.Equal(t, int32(1), ds.Status.DesiredNumberScheduled, "n2 is tainted dedicated=gpu:NoSchedule")

	require.NoError(t, rp.RunUntil(sim.Epoch.Add(time.Hour+3*time.Minute)))
	n1, _ := c.View().Node("n1")
	ready, _ := n1.Condition(cluster.NodeReady)
	assert.Equal(t, cluster.ConditionFalse, ready.Status, "failed at 1h2m")
	assert.True(t, hasTaint(n1, "node.kubernetes.io/not-ready", "NoSchedule"), "%v", n1.Spec.Taints)

	require.NoError(t, rp.RunUntil(sim.Epoch.Add(3*time.Hour+2*time.Minute)))
	n3, _ := c.View().Node("n3")
	ready, _ = n3.Condition(cluster.NodeReady)
	assert.Equal(t, cluster.ConditionUnknown, ready.Status, "kubelet stopped at 3h, grace 50 s")

	require.NoError(t, rp.RunUntil(sim.Epoch.Add(6*time.Hour)))
	assert.True(t, rp.Done())
	assert.Equal(t, []string{"n1", "n2"}, nodeNames(c.View()), "n3 removed at 5h")
	n3res, ok := c.Drains.Result("n2")
	require.True(t, ok, "the drain at 2h ran")
	assert.Equal(t, "Drained", string(n3res.Phase))
	st := rp.Stats()
	assert.Equal(t, 14, st.Events)
	assert.Zero(t, st.Skipped)
	for _, ev := range c.Log() {
		assert.Empty(t, ev.Err, sim.Describe(sim.Epoch, ev))
	}
}

// hasTaint reports whether n has a taint with key and effect.
func hasTaint(n *cluster.Node, key, effect string) bool {
	for _, t := range n.Spec.Taints {
		if t.Key == key && string(t.Effect) == effect {
			return true
		}
	}
	return false
}

// An event that does not apply (a node added twice, a kubelet stopped
// twice, a node that is not there) is skipped with a Warning note naming
// the file and line, and the replay goes on.
func TestReplayerSkips(t *testing.T) {
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	src := "time,node,event\n0s,n1,add\n1s,n1,add\n2s,n9,cordon\n3s,n1,stop-kubelet\n4s,n1,stop-kubelet\n5s,n1,remove\n"
	rp := churn.NewReplayer(c, trace.NewCSVReader("t.csv", bytes.NewBufferString(src)), churn.ReplayOptions{})
	require.NoError(t, rp.RunUntil(sim.Epoch.Add(time.Minute)))
	st := rp.Stats()
	assert.Equal(t, 6, st.Events)
	assert.Equal(t, 3, st.Skipped)
	var msgs []string
	for _, ev := range c.Log() {
		if ev.Kind == sim.EventNote && ev.Note.Reason == churn.ReasonReplaySkipped {
			msgs = append(msgs, ev.Note.Message)
		}
	}
	require.Len(t, msgs, 3)
	assert.Contains(t, msgs[0], "t.csv:3: 1s add node/n1: ")
	assert.Contains(t, msgs[1], "t.csv:4: 2s cordon node/n9: ")
	assert.Contains(t, msgs[2], "t.csv:6: 4s stop-kubelet node/n1: ")
}

// The same trace and seed give the same log, byte for byte.
func TestReplayerDeterminism(t *testing.T) {
	a, _ := replayGood(t)
	b, _ := replayGood(t)
	var la, lb bytes.Buffer
	require.NoError(t, a.WriteJSONL(&la))
	require.NoError(t, b.WriteJSONL(&lb))
	assert.Equal(t, la.String(), lb.String())
	assert.NotEmpty(t, la.String())
}
