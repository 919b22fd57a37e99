package trace

import (
	"strings"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// apply applies changes to s in order.
func apply(t *testing.T, s *cluster.Store, now time.Time, cs []cluster.Change) {
	t.Helper()
	for _, c := range cs {
		_, err := s.Apply(now, c)
		require.NoError(t, err, "%s %s", c.Verb(), c.Target())
	}
}

func verbs(cs []cluster.Change) string {
	var ss []string
	for _, c := range cs {
		ss = append(ss, c.Verb())
	}
	return strings.Join(ss, ",")
}

func ready(n *cluster.Node) cluster.ConditionStatus {
	c, _ := n.Condition(cluster.NodeReady)
	return c.Status
}

// TestChanges drives one node through every event type on a store.
func TestChanges(t *testing.T) {
	s := cluster.NewStore()
	now := epoch
	step := func(ev NodeEvent, want string) *cluster.Node {
		t.Helper()
		now = now.Add(time.Minute)
		cs, err := ev.Changes(s, nil, now)
		require.NoError(t, err, ev)
		assert.Equal(t, want, verbs(cs), ev)
		apply(t, s, now, cs)
		n, _ := s.Node(ev.Node)
		return n
	}

	n := step(NodeEvent{Node: "n1", Type: Add, Labels: selector.Set{"zone": "a"},
		Taints: []taints.Taint{{Key: "t", Value: "1", Effect: taints.NoSchedule}}, Capacity: cluster.Resources("cpu", "8")}, "create")
	require.NotNil(t, n)
	assert.Equal(t, selector.Set{"kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", LabelHostname: "n1", "zone": "a"}, n.Labels)
	assert.Equal(t, cluster.Resources("cpu", "8", "memory", "64Gi", "pods", "110"), n.Status.Capacity)
	assert.Equal(t, cluster.Resources("cpu", "8", "memory", "64Gi", "pods", "110"), n.Status.Allocatable)
	assert.Equal(t, cluster.ConditionTrue, ready(n))
	assert.Len(t, n.Spec.Taints, 1)

	n = step(NodeEvent{Node: "n1", Type: Update, Labels: selector.Set{"tier": "web"}, RemoveLabels: []string{"zone", "absent"},
		Taints:       []taints.Taint{{Key: "m", Effect: taints.NoExecute}},
		RemoveTaints: []taints.Taint{{Key: "t"}}}, "update")
	assert.Equal(t, "web", n.Labels["tier"])
	assert.NotContains(t, n.Labels, "zone")
	assert.Equal(t, []taints.Taint{{Key: "m", Effect: taints.NoExecute}}, n.Spec.Taints)

	n = step(NodeEvent{Node: "n1", Type: Update, Capacity: cluster.Resources("memory", "32Gi")}, "update-status")
	assert.Equal(t, cluster.Resources("cpu", "8", "memory", "32Gi", "pods", "110"), n.Status.Capacity)
	assert.Equal(t, cluster.Resources("cpu", "8", "memory", "32Gi", "pods", "110"), n.Status.Allocatable)

	step(NodeEvent{Node: "n1", Type: Update, Labels: selector.Set{"tier": "db"}, Capacity: cluster.Resources("cpu", "16")}, "update,update-status")
	step(NodeEvent{Node: "n1", Type: Update, Labels: selector.Set{"tier": "db"}, Capacity: cluster.Resources("cpu", "16"),
		RemoveTaints: []taints.Taint{{Key: "absent", Effect: taints.NoSchedule}}}, "")

	n = step(NodeEvent{Node: "n1", Type: Cordon}, "update")
	assert.True(t, n.Spec.Unschedulable)
	step(NodeEvent{Node: "n1", Type: Cordon}, "")
	n = step(NodeEvent{Node: "n1", Type: Uncordon}, "update")
	assert.False(t, n.Spec.Unschedulable)
	step(NodeEvent{Node: "n1", Type: Uncordon}, "")

	failAt := now.Add(time.Minute)
	n = step(NodeEvent{Node: "n1", Type: Fail}, "update-status")
	assert.Equal(t, cluster.ConditionFalse, ready(n))
	c, _ := n.Condition(cluster.NodeReady)
	assert.Equal(t, "KubeletNotReady", c.Reason)
	assert.Equal(t, failAt, c.LastTransitionTime)
	step(NodeEvent{Node: "n1", Type: Fail}, "")
	n = step(NodeEvent{Node: "n1", Type: Recover}, "update-status")
	assert.Equal(t, cluster.ConditionTrue, ready(n))
	step(NodeEvent{Node: "n1", Type: Recover}, "")

	for _, et := range []EventType{StopKubelet, StartKubelet, Drain} {
		cs, err := NodeEvent{Node: "n1", Type: et}.Changes(s, nil, now)
		assert.ErrorIs(t, err, ErrProcess, et)
		assert.Equal(t, "node/n1: "+string(et)+": not a store change: a controller runs it", err.Error())
		assert.Nil(t, cs)
	}

	cs, err := NodeEvent{Node: "n1", Type: Add}.Changes(s, nil, now)
	assert.ErrorIs(t, err, cluster.ErrAlreadyExists)
	assert.Nil(t, cs)

	step(NodeEvent{Node: "n1", Type: Remove}, "delete")
	_, ok := s.Node("n1")
	assert.False(t, ok)

	for _, et := range []EventType{Remove, Update, Fail, Recover, Cordon, Uncordon} {
		_, err := NodeEvent{Node: "n1", Type: et}.Changes(s, nil, now)
		assert.ErrorIs(t, err, cluster.ErrNotFound, et)
	}
	_, err = NodeEvent{Node: "n1", Type: Fail, Labels: selector.Set{"a": "b"}}.Changes(s, nil, now)
	assert.EqualError(t, err, "node/n1: fail: labels: not allowed on a fail event (only add and update)")
}

// TestChangesDoNotModifyView: the view's node is never written.
func TestChangesDoNotModifyView(t *testing.T) {
	s := cluster.NewStore()
	apply(t, s, epoch, mustChanges(t, NodeEvent{Node: "n1", Type: Add, Labels: selector.Set{"a": "1"}}, s))
	before, _ := s.Node("n1")
	snap := before.DeepCopy()
	for _, ev := range []NodeEvent{
		{Node: "n1", Type: Update, Labels: selector.Set{"a": "2"}, RemoveLabels: []string{"kubernetes.io/os"},
			Taints: []taints.Taint{{Key: "x", Effect: taints.NoSchedule}}, Capacity: cluster.Resources("cpu", "1")},
		{Node: "n1", Type: Fail},
		{Node: "n1", Type: Cordon},
	} {
		mustChanges(t, ev, s)
	}
	after, _ := s.Node("n1")
	assert.Equal(t, snap, after)
}

func mustChanges(t *testing.T, ev NodeEvent, v cluster.View) []cluster.Change {
	t.Helper()
	cs, err := ev.Changes(v, nil, epoch)
	require.NoError(t, err)
	return cs
}

// TestNewNodeTemplate: the template's parts are copied, its identity
// dropped, and its taints replaced by the event's of the same key and effect.
func TestNewNodeTemplate(t *testing.T) {
	tmpl := DefaultNodeTemplate()
	tmpl.Name, tmpl.UID, tmpl.ResourceVersion = "tmpl", "uid-1", 7
	tmpl.Spec.Taints = []taints.Taint{{Key: "a", Value: "1", Effect: taints.NoSchedule}, {Key: "b", Effect: taints.NoExecute}}
	tmpl.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionFalse}}
	n := NewNode(tmpl, NodeEvent{Node: "n9", Type: Add, Taints: []taints.Taint{{Key: "a", Value: "2", Effect: taints.NoSchedule}}}, epoch)
	assert.Equal(t, "n9", n.Name)
	assert.Empty(t, n.UID)
	assert.Zero(t, n.ResourceVersion)
	assert.Equal(t, []taints.Taint{{Key: "a", Value: "2", Effect: taints.NoSchedule}, {Key: "b", Effect: taints.NoExecute}}, n.Spec.Taints)
	assert.Equal(t, cluster.ConditionFalse, ready(n), "the template's conditions are kept")
	assert.Equal(t, epoch, n.Status.Conditions[0].LastTransitionTime)
	n.Labels["x"] = "y"
	assert.NotContains(t, tmpl.Labels, "x", "nothing shared with the template")
	assert.Equal(t, "1", tmpl.Spec.Taints[0].Value)
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		ev   NodeEvent
		want string
	}{
		{NodeEvent{Node: "n1", Type: Add}, ""},
		{NodeEvent{At: -1, Node: "n1", Type: Add}, "time: -1ns is negative"},
		{NodeEvent{Node: "n1", Type: Add, Capacity: cluster.ResourceList{cluster.Resources("memory", "1")[0], cluster.Resources("cpu", "1")[0]}},
			"cpu: capacity must be sorted by name with unique names"},
		{NodeEvent{Node: "n1", Type: Update, RemoveLabels: []string{"a", "a"}}, "labels: a-: removed twice"},
		{NodeEvent{Node: "n1", Type: Update, RemoveTaints: []taints.Taint{{Key: "a"}, {Key: "a"}}}, "taints: a-: removed twice"},
		{NodeEvent{Node: "n1", Type: Update, RemoveTaints: []taints.Taint{{Key: "a", Value: "v"}}}, `taints: invalid taint removal "a-"`},
		{NodeEvent{Node: "n1", Type: Update, Labels: selector.Set{"a": "1"}, RemoveLabels: []string{"a"}}, "labels: a: both set and removed"},
		{NodeEvent{Node: "n1", Type: Add, Taints: []taints.Taint{{Key: "a", Effect: "Sometimes"}}}, `taints: invalid taint "a:Sometimes"`},
	} {
		err := tc.ev.Check()
		if tc.want == "" {
			assert.NoError(t, err)
			continue
		}
		assert.EqualError(t, err, tc.want)
	}
	assert.True(t, Add.IsStoreChange())
	assert.False(t, Drain.IsStoreChange())
	assert.False(t, EventType("x").IsStoreChange())
	_, err := ParseEventType("ad")
	assert.EqualError(t, err, `unknown "ad" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)`)
	assert.Equal(t, "1m30s add node/n1", NodeEvent{At: 90 * time.Second, Node: "n1", Type: Add}.String())
}
