package daemonset_test

import (
	"fmt"
	"slices"
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

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNodeShouldRunDaemonPod(t *testing.T) {
	zoneAffinity := func(ds *cluster.DaemonSet) {
		ds.Spec.Template.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: "zone", Operator: selector.NodeSelectorOpIn, Values: []string{"a"}}},
			}}}}}
	}
	pinned := func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.NodeName = "n1" }
	for _, tc := range []struct {
		name            string
		node            *cluster.Node
		ds              *cluster.DaemonSet
		shouldRun, cont bool
	}{
		{"plain node", node("n1"), newDS("a"), true, true},
		{"template nodeName matches", node("n1"), newDS("a", pinned), true, true},
		{"template nodeName differs", node("n2"), newDS("a", pinned), false, false},
		{"nodeSelector matches", node("n1", ct.NodeLabels("disk", "ssd")), newDS("a", nodeSelector("disk", "ssd")), true, true},
		{"nodeSelector misses", node("n1", ct.NodeLabels("disk", "hdd")), newDS("a", nodeSelector("disk", "ssd")), false, false},
		{"affinity matches", node("n1", ct.NodeLabels("zone", "a")), newDS("a", zoneAffinity), true, true},
		{"affinity misses", node("n1", ct.NodeLabels("zone", "b")), newDS("a", zoneAffinity), false, false},
		{"untolerated NoSchedule keeps", node("n1", ct.Taint("gpu=yes:NoSchedule")), newDS("a"), false, true},
		{"untolerated NoExecute removes", node("n1", ct.Taint("gpu=yes:NoExecute")), newDS("a"), false, false},
		{"PreferNoSchedule ignored", node("n1", ct.Taint("gpu=yes:PreferNoSchedule")), newDS("a"), true, true},
		{"tolerated NoExecute", node("n1", ct.Taint("gpu=yes:NoExecute")), newDS("a", tolerate(taints.Toleration{Key: "gpu", Operator: taints.OpExists})), true, true},
		{"cordoned", node("n1", ct.Unschedulable(), ct.Taint(taints.KeyNodeUnschedulable+":NoSchedule")), newDS("a"), true, true},
		{"not ready", node("n1", ct.NotReady(), ct.Taint(taints.KeyNodeNotReady+":NoExecute"), ct.Taint(taints.KeyNodeUnreachable+":NoExecute")), newDS("a"), true, true},
		{"memory pressure", node("n1", ct.Taint(taints.KeyNodeMemoryPressure+":NoSchedule")), newDS("a"), true, true},
		{"network unavailable", node("n1", ct.Taint(taints.KeyNodeNetworkUnavailable+":NoSchedule")), newDS("a"), false, true},
		{"network unavailable, hostNetwork", node("n1", ct.Taint(taints.KeyNodeNetworkUnavailable+":NoSchedule")), newDS("a", hostNetwork), true, true},
		{"no room is the scheduler's business", ct.Node("n1", ct.CPU("10m")), newDS("a"), true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, cont := daemonset.NodeShouldRunDaemonPod(tc.node, tc.ds)
			assert.Equal(t, tc.shouldRun, run, "shouldRun")
			assert.Equal(t, tc.cont, cont, "shouldContinueRunning")
		})
	}
}

func TestTolerationsAndAffinity(t *testing.T) {
	assert.Len(t, daemonset.DefaultTolerations(false), 6)
	assert.Len(t, daemonset.DefaultTolerations(true), 7)
	// a user toleration with tolerationSeconds is replaced by the infinite one, not duplicated
	secs := int64(300)
	user := []taints.Toleration{{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &secs}, {Key: "x", Operator: taints.OpExists}}
	got := daemonset.AddDaemonPodTolerations(user, false)
	require.Len(t, got, 7)
	assert.Nil(t, got[0].TolerationSeconds)
	assert.Equal(t, "x", got[1].Key)
	assert.NotNil(t, user[0].TolerationSeconds, "the input is not modified")

	a := &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{
			{MatchExpressions: []selector.NodeSelectorRequirement{{Key: "zone", Operator: selector.NodeSelectorOpExists}}}}},
		PreferredDuringSchedulingIgnoredDuringExecution: []cluster.PreferredSchedulingTerm{{Weight: 1}},
	}}
	r := daemonset.ReplaceNodeNameAffinity(a, "n7")
	assert.Len(t, r.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution, 1)
	p := &cluster.Pod{Spec: cluster.PodSpec{Affinity: r}}
	n, err := daemonset.TargetNodeName(p)
	require.NoError(t, err)
	assert.Equal(t, "n7", n)
	assert.Len(t, a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions, 1, "input kept")
	_, err = daemonset.TargetNodeName(&cluster.Pod{})
	assert.Error(t, err)
}

// store builds a store holding objs (created in order).
func store(t *testing.T, objs ...cluster.Object) *cluster.Store {
	s := cluster.NewStore()
	for _, o := range objs {
		_, err := s.Apply(t0, cluster.Create{Object: o})
		require.NoError(t, err)
	}
	return s
}

// count returns how many of plan's changes with verb concern pods.
func count(plan cluster.Plan, verb string) int {
	return countKind(plan, verb, cluster.KindPod)
}

// countKind returns how many of plan's changes with verb concern kind.
func countKind(plan cluster.Plan, verb string, kind cluster.Kind) int {
	n := 0
	for _, c := range plan.Changes {
		if c.Verb() == verb && changeKind(c) == kind {
			n++
		}
	}
	return n
}

func changeKind(c cluster.Change) cluster.Kind {
	switch c := c.(type) {
	case cluster.Create:
		return c.Object.ObjectKind()
	case cluster.Update:
		return c.Object.ObjectKind()
	case cluster.UpdateStatus:
		return c.Object.ObjectKind()
	case cluster.Delete:
		return c.Key.Kind
	}
	return 0
}

func reasons(plan cluster.Plan, reason string) []string {
	var out []string
	for _, n := range plan.Notes {
		if n.Reason == reason {
			out = append(out, n.Message)
		}
	}
	return out
}

func nodes(n int) []cluster.Object {
	out := make([]cluster.Object, n)
	for i := range out {
		out[i] = node(fmt.Sprintf("n%03d", i))
	}
	return out
}

func TestSyncBurstAndSlowStart(t *testing.T) {
	for _, tc := range []struct {
		name            string
		nodes, quota    int
		creates, failed int
	}{
		{"burst caps creates at 250", 600, -1, 250, 0},
		{"all fit", 10, -1, 10, 0},
		// batches 1, 2, 4: the third has 2 failures, so nothing after it
		{"quota 5 stops after batch 3", 100, 5, 5, 2},
		{"quota 0 stops after batch 1", 100, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := store(t, append(nodes(tc.nodes), newDS("agent"))...)
			created := 0
			c := daemonset.New(daemonset.Config{Admit: func(*cluster.Pod) error {
				if tc.quota >= 0 && created >= tc.quota {
					return fmt.Errorf("exceeded quota: pods")
				}
				created++
				return nil
			}})
			c.Sync(s)
			plan, err := c.Reconcile(t0, s)
			require.NoError(t, err)
			assert.Equal(t, tc.creates, count(plan, "create"))
			assert.Len(t, reasons(plan, daemonset.ReasonFailedCreate), tc.failed)
			if tc.failed > 0 {
				assert.Equal(t, "Error creating: exceeded quota: pods", reasons(plan, daemonset.ReasonFailedCreate)[0])
				require.NotEmpty(t, plan.Requeue, "a failed sync is retried")
			}
		})
	}
}

// Generated pod names count up in creation order, and a name some other
// pod has taken is skipped (upstream's API server answers AlreadyExists
// and the name is drawn again).
func TestSyncSkipsTakenNames(t *testing.T) {
	created := func(s *cluster.Store) []string {
		c := daemonset.New(daemonset.Config{})
		c.Sync(s)
		plan, err := c.Reconcile(t0, s)
		require.NoError(t, err)
		var names []string
		for _, ch := range plan.Changes {
			if cr, ok := ch.(cluster.Create); ok {
				if p, ok := cr.Object.(*cluster.Pod); ok {
					names = append(names, p.Name)
				}
			}
		}
		return names
	}
	objs := append(nodes(3), newDS("agent"))
	free := created(store(t, objs...))
	require.Len(t, free, 3)
	assert.True(t, slices.IsSorted(free), "names count up: %v", free)

	squatter := func(name string) *cluster.Pod {
		return &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default", Labels: selector.Set{"app": "other"}},
			Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "c", Image: "c"}}}}
	}
	// the same nodes and DaemonSet (so the same UIDs), then two pods
	// holding the first and third names
	got := created(store(t, append(objs, squatter(free[0]), squatter(free[2]))...))
	require.Len(t, got, 3, "every node still gets a pod")
	assert.Equal(t, free[1], got[0], "the first name not taken")
	assert.NotContains(t, got, free[0])
	assert.NotContains(t, got, free[2])
	assert.True(t, slices.IsSorted(got), "names count up: %v", got)
}

func TestSyncUnknownPriorityClass(t *testing.T) {
	ds := newDS("agent")
	ds.Spec.Template.Spec.PriorityClassName = "missing"
	s := store(t, append(nodes(20), ds)...)
	c := daemonset.New(daemonset.Config{})
	c.Sync(s)
	plan, err := c.Reconcile(t0, s)
	require.NoError(t, err)
	assert.Zero(t, count(plan, "create"))
	failed := reasons(plan, daemonset.ReasonFailedCreate)
	require.Len(t, failed, 1, "slow start stops after the first batch of one")
	assert.Regexp(t, `^Error creating: pods "agent-[a-z0-9]{5}" is forbidden: no PriorityClass with name missing was found`, failed[0])
}

// emptySelectorView serves a DaemonSet with an empty selector, which the
// store refuses, to reach the controller's runtime check.
type emptySelectorView struct {
	*cluster.Store
	ds *cluster.DaemonSet
}

func (v emptySelectorView) DaemonSet(ns, name string) (*cluster.DaemonSet, bool) {
	if ns == v.ds.Namespace && name == v.ds.Name {
		return v.ds, true
	}
	return v.Store.DaemonSet(ns, name)
}

func TestSyncSelectingAll(t *testing.T) {
	s := store(t, nodes(3)...)
	ds := newDS("agent")
	ds.UID = "uid-1"
	ds.Spec.Selector = &selector.LabelSelector{}
	c := daemonset.New(daemonset.Config{})
	c.Observe(cluster.Delta{Key: cluster.KeyOf(ds), New: ds})
	plan, err := c.Reconcile(t0, emptySelectorView{s, ds})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "no creates, no deletes, no status")
	assert.Equal(t, []string{"This daemon set is selecting all pods. A non-empty selector is required."}, reasons(plan, daemonset.ReasonSelectingAll))
}

func TestSyncStatusFromStaticView(t *testing.T) {
	s := store(t, node("n1"), node("n2", ct.Taint("gpu=yes:NoSchedule")), node("n3"), newDS("agent"))
	ds, _ := s.DaemonSet("default", "agent")
	mk := func(name, node string, ready bool) *cluster.Pod {
		p := ct.Pod("default/"+name, ct.PodLabels("app", "agent"), ct.OnNode(node), ct.ControlledBy("DaemonSet", "agent", ds.UID))
		if ready {
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: t0}}
		}
		return p
	}
	for _, p := range []*cluster.Pod{mk("a", "n1", true), mk("b", "n2", true)} {
		_, err := s.Apply(t0, cluster.Create{Object: p})
		require.NoError(t, err)
	}
	c := daemonset.New(daemonset.Config{})
	c.Sync(s)
	plan, err := c.Reconcile(t0, s)
	require.NoError(t, err)
	assert.Equal(t, 1, count(plan, "create"), "n3 only: n2's NoSchedule taint keeps its pod but places none")
	assert.Zero(t, count(plan, "delete"))
	var st cluster.DaemonSetStatus
	for _, ch := range plan.Changes {
		if u, ok := ch.(cluster.UpdateStatus); ok {
			st = u.Object.(*cluster.DaemonSet).Status
		}
	}
	assert.Equal(t, cluster.DaemonSetStatus{DesiredNumberScheduled: 2, CurrentNumberScheduled: 1, NumberMisscheduled: 1,
		NumberReady: 1, NumberAvailable: 1, NumberUnavailable: 1, ObservedGeneration: 1}, st)
	assert.Equal(t, daemonset.ComputeStatus(s, ds, t0), st)
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*cluster.DaemonSet)
		want string
	}{
		{"name", func(ds *cluster.DaemonSet) { ds.Name = "Bad_Name" }, "metadata.name: Invalid value: \"Bad_Name\""},
		{"selector required", func(ds *cluster.DaemonSet) { ds.Spec.Selector = nil }, "spec.template.metadata.labels: Invalid value: {\"app\":\"agent\"}: `selector` does not match template `labels`"},
		{"empty selector", func(ds *cluster.DaemonSet) { ds.Spec.Selector = &selector.LabelSelector{} }, "spec.selector: Invalid value: {}: empty selector is invalid for daemonset"},
		{"selector mismatch", func(ds *cluster.DaemonSet) { ds.Spec.Template.Labels = selector.Set{"app": "x"} }, "`selector` does not match template `labels`"},
		{"restartPolicy", func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = cluster.RestartPolicyNever }, "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""},
		{"activeDeadlineSeconds", func(ds *cluster.DaemonSet) { v := int64(5); ds.Spec.Template.Spec.ActiveDeadlineSeconds = &v }, "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"},
		{"minReadySeconds", func(ds *cluster.DaemonSet) { ds.Spec.MinReadySeconds = -1 }, "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"},
		{"revisionHistoryLimit", func(ds *cluster.DaemonSet) { v := int32(-1); ds.Spec.RevisionHistoryLimit = &v }, "spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"},
		{"strategy type", func(ds *cluster.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Recreate" }, "spec.updateStrategy: Unsupported value: {\"Type\":\"Recreate\",\"RollingUpdate\":null}: supported values: \"RollingUpdate\", \"OnDelete\""},
		{"both zero", func(ds *cluster.DaemonSet) {
			z := cluster.FromInt(0)
			ds.Spec.UpdateStrategy.RollingUpdate = &cluster.RollingUpdateDaemonSet{MaxUnavailable: &z, MaxSurge: &z}
		}, "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"},
		{"both set", func(ds *cluster.DaemonSet) {
			u, s := cluster.FromInt(1), cluster.FromString("10%")
			ds.Spec.UpdateStrategy.RollingUpdate = &cluster.RollingUpdateDaemonSet{MaxUnavailable: &u, MaxSurge: &s}
		}, "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \"10%\": may not be set when maxUnavailable is non-zero"},
		{"over 100%", func(ds *cluster.DaemonSet) {
			u := cluster.FromString("120%")
			ds.Spec.UpdateStrategy.RollingUpdate = &cluster.RollingUpdateDaemonSet{MaxUnavailable: &u}
		}, "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := newDS("agent")
			tc.edit(ds)
			_, err := cluster.NewStore().Apply(t0, cluster.Create{Object: ds})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// generation moves with the spec only
	s := store(t, newDS("agent"))
	ds, _ := s.DaemonSet("default", "agent")
	cp := ds.DeepCopy()
	cp.Labels = selector.Set{"team": "infra"}
	d, err := s.Apply(t0, cluster.Update{Object: cp})
	require.NoError(t, err)
	assert.Equal(t, int64(1), d.New.Meta().Generation)
	cp = d.New.(*cluster.DaemonSet).DeepCopy()
	cp.Spec.MinReadySeconds = 5
	d, err = s.Apply(t0, cluster.Update{Object: cp})
	require.NoError(t, err)
	assert.Equal(t, int64(2), d.New.Meta().Generation)
}
