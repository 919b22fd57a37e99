package printers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/cluster/printers"
	"github.com/daemonsim/daemonsim/selector"
)

// The cases of apimachinery's duration tests, read from its rules.
func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-2 * time.Second, "<invalid>"},
		{-time.Second + time.Millisecond, "0s"},
		{-time.Second, "0s"},
		{0, "0s"},
		{45 * time.Second, "45s"},
		{119 * time.Second, "119s"},
		{2 * time.Minute, "2m"},
		{3*time.Minute + 2*time.Second, "3m2s"},
		{9*time.Minute + 59*time.Second, "9m59s"},
		{10*time.Minute + 30*time.Second, "10m"},
		{179 * time.Minute, "179m"},
		{3 * time.Hour, "3h"},
		{5*time.Hour + 30*time.Minute, "5h30m"},
		{8*time.Hour + 30*time.Minute, "8h"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{51 * time.Hour, "2d3h"},
		{8 * 24 * time.Hour, "8d"},
		{729 * 24 * time.Hour, "729d"},
		{730 * 24 * time.Hour, "2y"},
		{740 * 24 * time.Hour, "2y10d"},
		{8 * 365 * 24 * time.Hour, "8y"},
		{20 * 365 * 24 * time.Hour, "20y"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, printers.HumanDuration(tc.d), "%s", tc.d)
	}
	assert.Equal(t, "<unknown>", printers.Age(time.Time{}, time.Now()))
}

func TestPodStatus(t *testing.T) {
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	pending := ct.Pod("p")
	running := ct.Pod("p", ct.OnNode("n1"))
	running.Status.Phase = cluster.PodRunning
	terminating := running.DeepCopy()
	terminating.DeletionTimestamp = &now
	failed := running.DeepCopy()
	failed.Status.Phase, failed.Status.Reason = cluster.PodFailed, "Evicted"
	failedDeleting := failed.DeepCopy()
	failedDeleting.DeletionTimestamp = &now
	succeeded := running.DeepCopy()
	succeeded.Status.Phase = cluster.PodSucceeded
	lost := terminating.DeepCopy()
	lost.Status.Reason = "NodeLost"
	tests := []struct {
		name string
		pod  *cluster.Pod
		want string
	}{
		{"no phase", pending, "Pending"},
		{"running", running, "Running"},
		{"terminating", terminating, "Terminating"},
		{"failed with reason", failed, "Evicted"},
		{"terminal pods are not terminating", failedDeleting, "Evicted"},
		{"succeeded", succeeded, "Succeeded"},
		{"node lost", lost, "Unknown"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, printers.PodStatus(tc.pod), tc.name)
	}
}

func TestNodeStatusAndRoles(t *testing.T) {
	n := ct.Node("n1")
	assert.Equal(t, "Ready", printers.NodeStatus(n))
	assert.Equal(t, "NotReady,SchedulingDisabled", printers.NodeStatus(ct.Node("n1", ct.NotReady(), ct.Unschedulable())))
	unknown := ct.Node("n1")
	unknown.Status.Conditions = nil
	assert.Equal(t, "Unknown", printers.NodeStatus(unknown))
	assert.Equal(t, "<none>", printers.NodeRoles(n))
	roles := ct.Node("n1", ct.NodeLabels("node-role.kubernetes.io/worker", "", "node-role.kubernetes.io/control-plane", "",
		"kubernetes.io/role", "worker", "node-role.kubernetes.io/", "x"))
	assert.Equal(t, "control-plane,worker", printers.NodeRoles(roles))
}

func store(t *testing.T, now time.Time, objs ...cluster.Object) *cluster.Store {
	s := cluster.NewStore()
	for _, o := range objs {
		_, err := s.Apply(now, cluster.Create{Object: o})
		require.NoError(t, err)
	}
	return s
}

func TestPodsTable(t *testing.T) {
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	web := ct.Pod("default/web", ct.PodLabels("app", "web"), ct.OnNode("n1"))
	web.Status.Phase = cluster.PodRunning
	web.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue}}
	agent := ct.Pod("kube-system/agent-x", ct.PodLabels("app", "agent"))
	agent.Status.NominatedNodeName = "n2"
	s := store(t, t0, web, agent)
	now := t0.Add(3*time.Minute + 2*time.Second)

	var b strings.Builder
	require.NoError(t, printers.Pods(&b, s, now, printers.Options{}))
	assert.Equal(t, "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          3m2s\n", b.String())

	b.Reset()
	require.NoError(t, printers.Pods(&b, s, now, printers.Options{AllNamespaces: true, Wide: true}))
	assert.Equal(t, ""+
		"NAMESPACE     NAME      READY   STATUS    RESTARTS   AGE    IP       NODE     NOMINATED NODE   READINESS GATES\n"+
		"default       web       1/1     Running   0          3m2s   <none>   n1       <none>           <none>\n"+
		"kube-system   agent-x   0/1     Pending   0          3m2s   <none>   <none>   n2               <none>\n", b.String())

	b.Reset()
	require.NoError(t, printers.Pods(&b, s, now, printers.Options{AllNamespaces: true, Selector: selector.MustParse("app=agent")}))
	assert.Equal(t, "NAMESPACE     NAME      READY   STATUS    RESTARTS   AGE\nkube-system   agent-x   0/1     Pending   0          3m2s\n", b.String())

	b.Reset()
	require.NoError(t, printers.Pods(&b, s, now, printers.Options{Namespace: "other"}))
	assert.Equal(t, "No resources found in other namespace.\n", b.String())

	b.Reset()
	require.NoError(t, printers.Nodes(&b, s, now, printers.Options{}))
	assert.Equal(t, "No resources found\n", b.String())
}

func TestEventsTable(t *testing.T) {
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []printers.Event{
		{At: t0, Note: cluster.Note{Object: cluster.Key{Kind: cluster.KindDaemonSet, Namespace: "kube-system", Name: "agent"},
			Type: cluster.NoteNormal, Reason: "SuccessfulCreate", Message: "Created pod: agent-x "}},
		{At: t0.Add(time.Minute), Note: cluster.Note{Object: cluster.Key{Kind: cluster.KindNode, Name: "n1"},
			Type: cluster.NoteWarning, Reason: "NodeNotReady", Message: "Node n1 is not ready"}},
	}
	var b strings.Builder
	require.NoError(t, printers.Events(&b, evs, t0.Add(2*time.Minute), printers.Options{}))
	assert.Equal(t, "LAST SEEN   TYPE      REASON         OBJECT    MESSAGE\n60s         Warning   NodeNotReady   node/n1   Node n1 is not ready\n", b.String())
	b.Reset()
	require.NoError(t, printers.Events(&b, evs, t0.Add(2*time.Minute), printers.Options{AllNamespaces: true}))
	assert.Equal(t, ""+
		"NAMESPACE     LAST SEEN   TYPE      REASON             OBJECT            MESSAGE\n"+
		"kube-system   2m          Normal    SuccessfulCreate   daemonset/agent   Created pod: agent-x\n"+
		"default       60s         Warning   NodeNotReady       node/n1           Node n1 is not ready\n", b.String())
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	require.NoError(t, printers.WriteTable(&b, [][]string{{"A", "LONGER", "C"}, {"xxxxxxx", "", ""}}))
	// minimum width 6 with padding 3; the empty last cells leave no blanks
	assert.Equal(t, "A         LONGER   C\nxxxxxxx\n", b.String())
}
