package daemonset_test

// Upstream's own DaemonSet controller unit scenarios, ported: every test
// here is named TestUpstream_<UpstreamName> after a test of
// k8s.io/kubernetes@v1.37.1 pkg/controller/daemon/daemon_controller_test.go
// (this file) or update_test.go (upstream_update_test.go), sets up the same
// state, runs the same syncs through the stepper and asserts what upstream
// asserts: creates, deletes and events per sync, status counters, the pods
// deleted.
//
// How upstream's fakes map onto daemonsim:
//   - upstream's fake pod control records creates and deletes, puts created
//     pods into the informer cache at once and marks its expectations
//     observed, so the status written by a sync counts the pods that same
//     sync created, and rollingUpdate runs in the same sync as manage.
//     daemonsim's stepper applies the plan after the sync: a status written
//     by a sync counts what the sync saw.
//   - deletes: the fake removes pods it created from the cache at once; the
//     port removes every deleted pod (the kubelet's part) after each sync.
//   - events: upstream counts the controller's own recorder only
//     (FailedDaemonPod, SucceededDaemonPod, SelectingAll); the fake pod
//     control records no SuccessfulCreate/SuccessfulDelete events, so those
//     notes (and daemonsim's own notes) are not counted.
//   - pod and DaemonSet metadata that the store fills in (uid,
//     creationTimestamp) is produced by creating objects at the right
//     virtual time instead of writing it.
//
// A case that daemonsim decides differently on purpose starts with a
// t.Skip naming the deliberate difference (go doc ./daemonset) and the
// test that pins daemonsim's behaviour instead.

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

// upstream's label sets (simpleDaemonSetLabel, ... in daemon_controller_test.go).
var (
	upLabel      = selector.Set{"name": "simple-daemon", "type": "production"}
	upLabel2     = selector.Set{"name": "simple-daemon", "type": "test"}
	upNodeLabel  = selector.Set{"color": "blue", "speed": "fast"}
	upNodeLabel2 = selector.Set{"color": "red", "speed": "fast"}
)

// upStrategies is upstream's updateStrategies(): OnDelete, and RollingUpdate
// with maxUnavailable 1.
var upStrategies = []struct {
	name string
	opt  dsOption
}{
	{"OnDelete", onDelete},
	{"RollingUpdate", maxUnavailable(cluster.FromInt(1))},
}

// upDS is upstream's newDaemonSet: selector and template labels upLabel,
// one container foo/bar, revisionHistoryLimit 2, OnDelete.
func upDS(name string, opts ...dsOption) *cluster.DaemonSet {
	two := int32(2)
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default"}, Spec: cluster.DaemonSetSpec{
		RevisionHistoryLimit: &two,
		UpdateStrategy:       cluster.DaemonSetUpdateStrategy{Type: cluster.OnDeleteDaemonSetStrategyType},
		Selector:             &selector.LabelSelector{MatchLabels: upLabel.Clone()},
		Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: upLabel.Clone()},
			Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "foo", Image: "foo/bar"}}}},
	}}
	for _, o := range opts {
		o(ds)
	}
	return ds
}

func upNodeSelector(s selector.Set) dsOption {
	return func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = s.Clone() }
}

func upNodeName(n string) dsOption {
	return func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.NodeName = n }
}

func upTolerations(tols ...taints.Toleration) dsOption {
	return func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.Tolerations = tols }
}

// upstream's noScheduleTolerations, noScheduleTaints and noExecuteTaints.
var (
	upNoScheduleToleration = taints.Toleration{Key: "dedicated", Value: "user1", Effect: taints.NoSchedule}
	upNoScheduleTaint      = taints.Taint{Key: "dedicated", Value: "user1", Effect: taints.NoSchedule}
	upNoExecuteTaint       = taints.Taint{Key: "dedicated", Value: "user1", Effect: taints.NoExecute}
)

// upNode is upstream's newNode: Ready, with labels (100 pods allocatable
// upstream; the DaemonSet controller looks at no resources).
func upNode(name string, labels selector.Set, opts ...ct.NodeOption) *cluster.Node {
	n := ct.Node(name, append([]ct.NodeOption{ct.MaxPods("100")}, opts...)...)
	if len(labels) > 0 {
		n.Labels = labels.Clone()
	}
	return n
}

func upTaints(ts ...taints.Taint) ct.NodeOption {
	return func(n *cluster.Node) { n.Spec.Taints = append(n.Spec.Taints, ts...) }
}

// up is the stepper on upstream's fixture: an empty store, a controller,
// and the DaemonSet under test (created by createDS).
type up struct {
	*stepper
	n int // pods made so far, for names
}

func newUp(t *testing.T, name string, cfg ...daemonset.Config) *up {
	t.Helper()
	c := daemonset.Config{}
	if len(cfg) > 0 {
		c = cfg[0]
	}
	return &up{stepper: &stepper{t: t, s: cluster.NewStore(), c: daemonset.New(c), now: t0, ds: name, budget: unchecked}}
}

// addNodes is upstream's addNodes: node-<start> .. node-<start+n-1>.
func (u *up) addNodes(start, n int, labels selector.Set) {
	for i := start; i < start+n; i++ {
		u.apply(cluster.Create{Object: upNode(fmt.Sprintf("node-%d", i), labels)})
	}
}

func (u *up) create(objs ...cluster.Object) {
	for _, o := range objs {
		u.apply(cluster.Create{Object: o})
	}
}

func (u *up) dsObj() *cluster.DaemonSet {
	ds, ok := u.s.DaemonSet("default", u.ds)
	require.True(u.t, ok)
	return ds
}

// newPod is upstream's newPod: a pod named <prefix><n> on node (spec.nodeName,
// unless node is ""), with labels; owned by the DaemonSet under test (which
// must exist) it copies the template's spec and carries the current
// revision hash, as upstream's newPod(…, ds) does.
func (u *up) newPod(prefix, node string, labels selector.Set, owned bool) *cluster.Pod {
	u.n++
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: fmt.Sprintf("%s%d", prefix, u.n), Namespace: "default", Labels: labels.Clone()}}
	p.Spec.Containers = []cluster.Container{{Name: "foo", Image: "foo/bar"}}
	if owned {
		ds := u.dsObj()
		p.Spec = ds.Spec.Template.Spec.DeepCopy()
		if p.Labels == nil {
			p.Labels = selector.Set{}
		}
		p.Labels[daemonset.ControllerRevisionHashLabel] = daemonset.CurrentHash(u.s, ds)
		ct.ControlledBy("DaemonSet", ds.Name, ds.UID)(p)
	}
	p.Spec.NodeName = node
	return p
}

// addPods is upstream's addPods: n owned pods on node with labels.
func (u *up) addPods(node string, labels selector.Set, n int) {
	for range n {
		u.create(u.newPod(node+"-", node, labels, true))
	}
}

// addFailedPods is upstream's addFailedPods.
func (u *up) addFailedPods(node string, labels selector.Set, n int) {
	for range n {
		p := u.newPod(node+"-", node, labels, true)
		u.create(p)
		u.setPhase(p.Name, cluster.PodFailed)
	}
}

func (u *up) pod(name string) *cluster.Pod {
	p, ok := u.s.Pod("default", name)
	require.True(u.t, ok, "pod %s", name)
	return p
}

func (u *up) setPhase(name string, phase cluster.PodPhase) {
	cp := *u.pod(name)
	cp.Status.Phase = phase
	u.apply(cluster.UpdateStatus{Object: &cp})
}

// setReady sets the pod's Ready condition, changed at at.
func (u *up) setReady(name string, ready bool, at time.Time) {
	cp := *u.pod(name)
	st := cluster.ConditionFalse
	if ready {
		st = cluster.ConditionTrue
	}
	cp.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: st, LastTransitionTime: at}}
	u.apply(cluster.UpdateStatus{Object: &cp})
}

// markPodsReady is upstream's markPodsReady: every pod of the DaemonSet
// gets Ready=True now. (The stepper's kubelet also binds the pod; the
// controller places by target node either way.)
func (u *up) markPodsReady() { u.kubelet() }

// terminating marks the pod deleted (a graceful delete of a bound pod).
func (u *up) terminating(name string) {
	u.apply(cluster.Delete{Key: cluster.KeyOf(u.pod(name))})
	require.NotNil(u.t, u.pod(name).DeletionTimestamp)
}

// upEvents are the reasons upstream's controller records itself.
var upEvents = []string{daemonset.ReasonFailedDaemonPod, daemonset.ReasonSucceededDaemonPod, daemonset.ReasonSelectingAll}

func countEvents(notes []cluster.Note) int {
	n := 0
	for _, no := range notes {
		if slices.Contains(upEvents, no.Reason) {
			n++
		}
	}
	return n
}

// expectSync is upstream's expectSyncDaemonSets: one sync with that many
// creates, deletes and events. Deleted pods are then removed, as the fake
// pod control removes them from the cache. It returns the nodes created
// on and the names of the pods deleted.
func (u *up) expectSync(creates, deletes, events int) (created, deletedPods []string) {
	u.t.Helper()
	before := len(u.notes)
	var gone []string
	for _, p := range u.pods() {
		if p.IsTerminating() {
			gone = append(gone, p.Name)
		}
	}
	created, deleted := u.sync()
	assert.Len(u.t, created, creates, "creates: %v", created)
	assert.Len(u.t, deleted, deletes, "deletes (nodes): %v", deleted)
	assert.Equal(u.t, events, countEvents(u.notes[before:]), "events: %v", u.notes[before:])
	for _, p := range u.pods() {
		if p.IsTerminating() && !slices.Contains(gone, p.Name) {
			deletedPods = append(deletedPods, p.Name)
		}
	}
	slices.Sort(deletedPods)
	u.terminate()
	return created, deletedPods
}

// expectNothing is a sync of a DaemonSet being deleted: upstream returns
// before creates, deletes, adoption and the status write (the stepper's
// sync checks a status that is not written here).
func (u *up) expectNothing() {
	u.t.Helper()
	plan, err := u.c.Reconcile(u.now, u.s)
	require.NoError(u.t, err)
	assert.Empty(u.t, plan.Changes)
	assert.Zero(u.t, countEvents(plan.Notes))
}

func (u *up) dsStatus() cluster.DaemonSetStatus { return u.dsObj().Status }

// forStrategies runs f once per upstream strategy, as a subtest.
func forStrategies(t *testing.T, f func(t *testing.T, strategy dsOption)) {
	for _, s := range upStrategies {
		t.Run(s.name, func(t *testing.T) { f(t, s.opt) })
	}
}

// TestUpstream_TestSimpleDaemonSetLaunchesPods: daemon_controller_test.go
// TestSimpleDaemonSetLaunchesPods.
func TestUpstream_TestSimpleDaemonSetLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 5, nil)
		u.expectSync(5, 0, 0)
	})
}

// TestUpstream_TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods:
// daemon_controller_test.go TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods.
func TestUpstream_TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 5, nil)
		u.expectSync(5, 0, 0)
		pods := u.pods()
		require.Len(t, pods, 5)
		want := []string{"node-0", "node-1", "node-2", "node-3", "node-4"}
		var got []string
		for _, p := range pods {
			assert.Empty(t, p.Spec.NodeName, "the hostname of pod %s should be empty", p.Name)
			require.NotNil(t, p.Spec.Affinity)
			require.NotNil(t, p.Spec.Affinity.NodeAffinity)
			ns := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
			require.NotNil(t, ns)
			require.Len(t, ns.NodeSelectorTerms, 1)
			require.Len(t, ns.NodeSelectorTerms[0].MatchFields, 1)
			f := ns.NodeSelectorTerms[0].MatchFields[0]
			assert.Equal(t, selector.ObjectNameField, f.Key)
			assert.Equal(t, selector.NodeSelectorOpIn, f.Operator)
			require.Len(t, f.Values, 1)
			got = append(got, f.Values[0])
		}
		slices.Sort(got)
		assert.Equal(t, want, got, "one pod per node")
	})
}

// TestUpstream_TestSimpleDaemonSetPodCreateErrors: daemon_controller_test.go
// TestSimpleDaemonSetPodCreateErrors: 100 nodes and a quota of 10 pods: 10
// creates, at most 15 create calls (slow start), and the status written
// counts the 10 pods created.
func TestUpstream_TestSimpleDaemonSetPodCreateErrors(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		t.Skip("deliberate difference (go doc ./daemonset, Expectations): the status a sync writes counts the pods as it found them, not the ones it creates; upstream's fake pod control puts them in the cache at once. TestStatusCountsThePodsTheSyncFound pins it")
		calls, created := 0, 0
		u := newUp(t, "foo", daemonset.Config{Admit: func(*cluster.Pod) error {
			calls++
			if created >= 10 {
				return fmt.Errorf("exceeded quota")
			}
			created++
			return nil
		}})
		u.create(upDS("foo", strategy))
		u.addNodes(0, 100, nil)
		u.expectSync(10, 0, 0)
		expectedLimit := 0
		for pass := uint8(0); expectedLimit <= 10; pass++ {
			expectedLimit += daemonset.SlowStartInitialBatchSize << pass
		}
		assert.LessOrEqual(t, calls, expectedLimit, "create calls")
		st := u.dsStatus()
		assert.Equal(t, int32(100), st.DesiredNumberScheduled)
		assert.Equal(t, int32(10), st.CurrentNumberScheduled)
		assert.Equal(t, int32(10), st.UpdatedNumberScheduled)
	})
}

// TestUpstream_TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods:
// daemon_controller_test.go TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods:
// the single sync's status already counts the 5 pods it created.
func TestUpstream_TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		t.Skip("deliberate difference (go doc ./daemonset, Expectations): the status a sync writes counts the pods as it found them, not the ones it creates; upstream's fake pod control puts them in the cache at once. TestStatusCountsThePodsTheSyncFound pins it")
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 5, nil)
		u.expectSync(5, 0, 0)
		assert.Equal(t, int32(5), u.dsStatus().CurrentNumberScheduled)
	})
}

// TestUpstream_TestNoNodesDoesNothing: daemon_controller_test.go TestNoNodesDoesNothing.
func TestUpstream_TestNoNodesDoesNothing(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestOneNodeDaemonLaunchesPod: daemon_controller_test.go TestOneNodeDaemonLaunchesPod.
func TestUpstream_TestOneNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy), upNode("only-node", nil))
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestNotReadyNodeDaemonDoesLaunchPod: daemon_controller_test.go
// TestNotReadyNodeDaemonDoesLaunchPod.
func TestUpstream_TestNotReadyNodeDaemonDoesLaunchPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy), upNode("not-ready", nil, ct.NotReady()))
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod:
// daemon_controller_test.go TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod:
// a non-daemon pod fills the node; the DaemonSet (pinned to the node by
// nodeName) still creates its pod.
func TestUpstream_TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		req := ct.Resources("memory", "75M", "cpu", "75m")
		ds := upDS("foo", strategy, upNodeName("too-much-mem"))
		ds.Spec.Template.Spec.Containers[0].Resources.Requests = req
		u.create(ds, upNode("too-much-mem", nil, ct.Memory("100M"), ct.CPU("200m")))
		u.create(ct.Pod("other/filler", ct.OnNode("too-much-mem"), ct.Requests("memory", "75M", "cpu", "75m")))
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod:
// daemon_controller_test.go TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod.
func TestUpstream_TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod(t *testing.T) {
	u := newUp(t, "foo")
	ds := upDS("foo", upNodeSelector(upNodeLabel))
	ds.Spec.Template.Spec.Containers[0].Resources.Requests = ct.Resources("memory", "50M", "cpu", "75m")
	u.create(ds, upNode("not-enough-resource", nil, ct.Memory("10M"), ct.CPU("20m")),
		upNode("enough-resource", upNodeLabel, ct.Memory("100M"), ct.CPU("200m")))
	c, _ := u.expectSync(1, 0, 0)
	assert.Equal(t, []string{"enough-resource"}, c)
}

// TestUpstream_TestNetworkUnavailableNodeDaemonLaunchesPod: daemon_controller_test.go
// TestNetworkUnavailableNodeDaemonLaunchesPod (the condition, no taint).
func TestUpstream_TestNetworkUnavailableNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "simple")
		n := upNode("network-unavailable", nil)
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeNetworkUnavailable, Status: cluster.ConditionTrue}}
		u.create(upDS("simple", strategy), n)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestDontDoAnythingIfBeingDeleted: daemon_controller_test.go
// TestDontDoAnythingIfBeingDeleted. The DaemonSet is held by a finalizer
// and deleted, so it carries a deletionTimestamp.
func TestUpstream_TestDontDoAnythingIfBeingDeleted(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		ds := upDS("foo", strategy, upNodeName("not-too-much-mem"))
		ds.Finalizers = []string{"example.com/hold"}
		u.create(upNode("not-too-much-mem", nil), ct.Pod("other/p", ct.OnNode("not-too-much-mem")), ds)
		u.apply(cluster.Delete{Key: cluster.KeyOf(ds)})
		require.NotNil(t, u.dsObj().DeletionTimestamp)
		u.expectNothing()
	})
}

// TestUpstream_TestDontDoAnythingIfBeingDeletedRace: daemon_controller_test.go
// TestDontDoAnythingIfBeingDeletedRace. Upstream's cache says the DaemonSet
// is alive while the API says it is being deleted; daemonsim has one
// source of truth, so the decision content is ported: a DaemonSet being
// deleted neither creates nor adopts a matching orphan.
func TestUpstream_TestDontDoAnythingIfBeingDeletedRace(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		ds := upDS("foo", strategy)
		ds.Finalizers = []string{"example.com/hold"}
		u.addNodes(0, 5, nil)
		u.create(ds)
		orphan := u.newPod("pod1-", "node-0", upLabel, false)
		u.create(orphan)
		u.apply(cluster.Delete{Key: cluster.KeyOf(ds)})
		u.expectNothing()
		assert.Nil(t, u.pod(orphan.Name).ControllerRef(), "not adopted")
	})
}

func hostPortSpec(node string, port int32) cluster.PodSpec {
	return cluster.PodSpec{NodeName: node, Containers: []cluster.Container{{Name: "foo", Image: "foo/bar",
		Ports: []cluster.ContainerPort{{ContainerPort: port, HostPort: port}}}}}
}

// TestUpstream_TestPortConflictWithSameDaemonPodDoesNotDeletePod:
// daemon_controller_test.go TestPortConflictWithSameDaemonPodDoesNotDeletePod.
func TestUpstream_TestPortConflictWithSameDaemonPodDoesNotDeletePod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		ds := upDS("foo", strategy)
		ds.Spec.Template.Spec = hostPortSpec("port-conflict", 666)
		u.create(upNode("port-conflict", nil), ds)
		u.create(u.newPod("foo-", "port-conflict", upLabel, true))
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestNoPortConflictNodeDaemonLaunchesPod: daemon_controller_test.go
// TestNoPortConflictNodeDaemonLaunchesPod.
func TestUpstream_TestNoPortConflictNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		ds := upDS("foo", strategy)
		ds.Spec.Template.Spec = hostPortSpec("no-port-conflict", 6662)
		other := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: "other", Namespace: "other"}, Spec: hostPortSpec("no-port-conflict", 6661)}
		u.create(upNode("no-port-conflict", nil), other, ds)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector:
// daemon_controller_test.go TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector.
// The store refuses an empty selector, so the DaemonSet is served by a view
// (emptySelectorView) as in TestSyncSelectingAll.
func TestUpstream_TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		s := store(t, upNode("node1", nil), ct.Pod("default/p", ct.PodLabels("bang", "boom"), ct.OnNode("node1")))
		ds := upDS("foo", strategy, upNodeSelector(selector.Set{"foo": "bar"}))
		ds.UID = "uid-1"
		ds.Spec.Selector = &selector.LabelSelector{}
		c := daemonset.New(daemonset.Config{})
		c.Sync(s)
		c.Observe(cluster.Delta{Key: cluster.KeyOf(ds), New: ds})
		plan, err := c.Reconcile(t0, emptySelectorView{s, ds})
		require.NoError(t, err)
		assert.Zero(t, count(plan, "create"))
		assert.Zero(t, count(plan, "delete"))
		assert.Equal(t, 1, countEvents(plan.Notes))
	})
}

// TestUpstream_TestDealsWithExistingPods: daemon_controller_test.go
// TestDealsWithExistingPods: node-4's two owned pods no longer match the
// selector and are released, so node-0 and node-4 get a pod and the extra
// pods on node-2 and node-3 go.
func TestUpstream_TestDealsWithExistingPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 5, nil)
		u.addPods("node-1", upLabel, 1)
		u.addPods("node-2", upLabel, 2)
		u.addPods("node-3", upLabel, 5)
		u.addPods("node-4", upLabel2, 2)
		c, _ := u.expectSync(2, 5, 0)
		assert.Equal(t, []string{"node-0", "node-4"}, c)
	})
}

// TestUpstream_TestSelectorDaemonLaunchesPods: daemon_controller_test.go TestSelectorDaemonLaunchesPods.
func TestUpstream_TestSelectorDaemonLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel)))
		u.addNodes(0, 4, nil)
		u.addNodes(4, 3, upNodeLabel)
		u.expectSync(3, 0, 0)
	})
}

// TestUpstream_TestSelectorDaemonDeletesUnselectedPods: daemon_controller_test.go
// TestSelectorDaemonDeletesUnselectedPods.
func TestUpstream_TestSelectorDaemonDeletesUnselectedPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel)))
		u.addNodes(0, 5, nil)
		u.addNodes(5, 5, upNodeLabel)
		u.addPods("node-0", upLabel2, 2)
		u.addPods("node-1", upLabel, 3)
		u.addPods("node-1", upLabel2, 1)
		u.addPods("node-4", upLabel, 1)
		u.expectSync(5, 4, 0)
	})
}

// TestUpstream_TestSelectorDaemonDealsWithExistingPods: daemon_controller_test.go
// TestSelectorDaemonDealsWithExistingPods.
func TestUpstream_TestSelectorDaemonDealsWithExistingPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel)))
		u.addNodes(0, 5, nil)
		u.addNodes(5, 5, upNodeLabel)
		u.addPods("node-0", upLabel, 1)
		u.addPods("node-1", upLabel, 3)
		u.addPods("node-1", upLabel2, 2)
		u.addPods("node-2", upLabel, 4)
		u.addPods("node-6", upLabel, 13)
		u.addPods("node-7", upLabel2, 4)
		u.addPods("node-9", upLabel, 1)
		u.addPods("node-9", upLabel2, 1)
		u.expectSync(3, 20, 0)
	})
}

// TestUpstream_TestBadSelectorDaemonDoesNothing: daemon_controller_test.go TestBadSelectorDaemonDoesNothing.
func TestUpstream_TestBadSelectorDaemonDoesNothing(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.addNodes(0, 4, nil)
		u.addNodes(4, 3, upNodeLabel)
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel2)))
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestNameDaemonSetLaunchesPods: daemon_controller_test.go TestNameDaemonSetLaunchesPods.
func TestUpstream_TestNameDaemonSetLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeName("node-0")))
		u.addNodes(0, 5, nil)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestBadNameDaemonSetDoesNothing: daemon_controller_test.go TestBadNameDaemonSetDoesNothing.
func TestUpstream_TestBadNameDaemonSetDoesNothing(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeName("node-10")))
		u.addNodes(0, 5, nil)
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestNameAndSelectorDaemonSetLaunchesPods: daemon_controller_test.go
// TestNameAndSelectorDaemonSetLaunchesPods.
func TestUpstream_TestNameAndSelectorDaemonSetLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel), upNodeName("node-6")))
		u.addNodes(0, 4, nil)
		u.addNodes(4, 3, upNodeLabel)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestInconsistentNameSelectorDaemonSetDoesNothing:
// daemon_controller_test.go TestInconsistentNameSelectorDaemonSetDoesNothing.
func TestUpstream_TestInconsistentNameSelectorDaemonSetDoesNothing(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy, upNodeSelector(upNodeLabel), upNodeName("node-0")))
		u.addNodes(0, 4, nil)
		u.addNodes(4, 3, upNodeLabel)
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestSelectorDaemonSetLaunchesPods: daemon_controller_test.go
// TestSelectorDaemonSetLaunchesPods (OnDelete only).
func TestUpstream_TestSelectorDaemonSetLaunchesPods(t *testing.T) {
	u := newUp(t, "foo")
	u.create(upDS("foo", upNodeSelector(upNodeLabel)))
	u.addNodes(0, 4, nil)
	u.addNodes(4, 3, upNodeLabel)
	u.expectSync(3, 0, 0)
}

// TestUpstream_TestNodeAffinityDaemonLaunchesPods: daemon_controller_test.go
// TestNodeAffinityDaemonLaunchesPods.
func TestUpstream_TestNodeAffinityDaemonLaunchesPods(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		ds := upDS("foo", strategy)
		ds.Spec.Template.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: "color", Operator: selector.NodeSelectorOpIn, Values: []string{upNodeLabel["color"]}}},
			}}}}}
		u.create(ds)
		u.addNodes(0, 4, nil)
		u.addNodes(4, 3, upNodeLabel)
		u.expectSync(3, 0, 0)
	})
}

// TestUpstream_TestNumberReadyStatus: daemon_controller_test.go TestNumberReadyStatus.
func TestUpstream_TestNumberReadyStatus(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 2, upNodeLabel)
		u.addPods("node-0", upLabel, 1)
		u.addPods("node-1", upLabel, 1)
		u.expectSync(0, 0, 0)
		assert.Equal(t, int32(0), u.dsStatus().NumberReady)
		for _, p := range u.pods() {
			u.setReady(p.Name, true, u.now)
		}
		u.expectSync(0, 0, 0)
		assert.Equal(t, int32(2), u.dsStatus().NumberReady)
	})
}

// TestUpstream_TestObservedGeneration: daemon_controller_test.go TestObservedGeneration.
func TestUpstream_TestObservedGeneration(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 1, upNodeLabel)
		u.addPods("node-0", upLabel, 1)
		u.expectSync(0, 0, 0)
		assert.Equal(t, u.dsObj().Generation, u.dsStatus().ObservedGeneration)
		assert.Equal(t, int64(1), u.dsStatus().ObservedGeneration)
	})
}

// TestUpstream_TestDaemonKillFailedPods: daemon_controller_test.go TestDaemonKillFailedPods.
func TestUpstream_TestDaemonKillFailedPods(t *testing.T) {
	for _, tc := range []struct {
		failed, normal, creates, deletes, events int
		name                                     string
	}{
		{0, 1, 0, 0, 0, "normal (do nothing)"},
		{0, 0, 1, 0, 0, "no pods (create 1)"},
		{1, 0, 0, 1, 1, "1 failed pod (kill 1), 0 normal pod (create 0; will create in the next sync)"},
		{1, 3, 0, 3, 1, "1 failed pod (kill 1), 3 normal pods (kill 2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forStrategies(t, func(t *testing.T, strategy dsOption) {
				u := newUp(t, "foo")
				u.create(upDS("foo", strategy))
				u.addNodes(0, 1, nil)
				u.addFailedPods("node-0", upLabel, tc.failed)
				u.addPods("node-0", upLabel, tc.normal)
				u.expectSync(tc.creates, tc.deletes, tc.events)
			})
		})
	}
}

// TestUpstream_TestDaemonKillFailedPodsBackoff: daemon_controller_test.go
// TestDaemonKillFailedPodsBackoff. Upstream's fake pod control cannot
// delete a pod the test put into the cache, so the failed pod is still
// there at the second sync; the port puts a failed pod back after the
// first delete. The backoff key holds status.observedGeneration; upstream's
// test never sees its status writes (no informer runs), so the key stays
// at generation 0; here the DaemonSet is synced once before the node
// exists, so that its observedGeneration is already 1 and the first
// delete does not change the key, as upstream's test assumes. Upstream's
// backoff starts at 50ms (a test setting), the controller's default 1s
// here; the boundary is the same: in backoff just before the delay has
// passed, out of it at the delay.
func TestUpstream_TestDaemonKillFailedPodsBackoff(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.expectSync(0, 0, 0)
		require.Equal(t, int64(1), u.dsStatus().ObservedGeneration)
		u.addNodes(0, 1, nil)
		u.addFailedPods("node-0", upLabel, 1)
		u.expectSync(0, 1, 1) // the first sync deletes the pod and starts the backoff
		u.addFailedPods("node-0", upLabel, 1)
		failed := cluster.KeyOf(u.pods()[0])
		u.expectSync(0, 0, 0) // an immediate second sync is held by the backoff
		u.advance(daemonset.FailedPodBackoffInitial - time.Nanosecond)
		u.c.Wake(failed)      // the node is looked at again
		u.expectSync(0, 0, 0) // just before the end of the backoff
		u.advance(time.Nanosecond)
		u.c.Wake(failed)
		u.expectSync(0, 1, 1) // at the end the failed pod is deleted again
	})
}

// TestUpstream_TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod:
// daemon_controller_test.go TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod.
func TestUpstream_TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "intolerant")
		u.create(upDS("intolerant", strategy), upNode("tainted", nil, upTaints(upNoScheduleTaint)))
		u.create(u.newPod("keep-running-me", "tainted", upLabel, true))
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestNoExecuteTaintedDoesEvicitRunningIntolerantPod:
// daemon_controller_test.go TestNoExecuteTaintedDoesEvicitRunningIntolerantPod.
func TestUpstream_TestNoExecuteTaintedDoesEvicitRunningIntolerantPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "intolerant")
		u.create(upDS("intolerant", strategy), upNode("tainted", nil, upTaints(upNoExecuteTaint)))
		u.create(u.newPod("stop-running-me", "tainted", upLabel, true))
		u.expectSync(0, 1, 0)
	})
}

// TestUpstream_TestTaintedNodeDaemonDoesNotLaunchIntolerantPod:
// daemon_controller_test.go TestTaintedNodeDaemonDoesNotLaunchIntolerantPod.
func TestUpstream_TestTaintedNodeDaemonDoesNotLaunchIntolerantPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "intolerant")
		u.create(upDS("intolerant", strategy), upNode("tainted", nil, upTaints(upNoScheduleTaint)))
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestTaintedNodeDaemonLaunchesToleratePod: daemon_controller_test.go
// TestTaintedNodeDaemonLaunchesToleratePod.
func TestUpstream_TestTaintedNodeDaemonLaunchesToleratePod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "tolerate")
		u.create(upDS("tolerate", strategy, upTolerations(upNoScheduleToleration)), upNode("tainted", nil, upTaints(upNoScheduleTaint)))
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestNotReadyNodeDaemonLaunchesPod: daemon_controller_test.go
// TestNotReadyNodeDaemonLaunchesPod.
func TestUpstream_TestNotReadyNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "simple")
		u.create(upDS("simple", strategy), upNode("tainted", nil, ct.NotReady(), ct.Taint(taints.KeyNodeNotReady+":NoExecute")))
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestUnreachableNodeDaemonLaunchesPod: daemon_controller_test.go
// TestUnreachableNodeDaemonLaunchesPod.
func TestUpstream_TestUnreachableNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "simple")
		n := upNode("tainted", nil, ct.Taint(taints.KeyNodeUnreachable+":NoExecute"))
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionUnknown}}
		u.create(upDS("simple", strategy), n)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestNodeDaemonLaunchesToleratePod: daemon_controller_test.go
// TestNodeDaemonLaunchesToleratePod.
func TestUpstream_TestNodeDaemonLaunchesToleratePod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "tolerate")
		u.create(upDS("tolerate", strategy, upTolerations(upNoScheduleToleration)))
		u.addNodes(0, 1, nil)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestDaemonSetRespectsTermination: daemon_controller_test.go
// TestDaemonSetRespectsTermination: the node's only pod is being deleted.
func TestUpstream_TestDaemonSetRespectsTermination(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 1, upNodeLabel)
		p := u.newPod("node-0-", "node-0", upLabel, true)
		u.create(p)
		u.terminating(p.Name)
		u.expectSync(0, 0, 0)
	})
}

// TestUpstream_TestTaintPressureNodeDaemonLaunchesPod: daemon_controller_test.go
// TestTaintPressureNodeDaemonLaunchesPod. Upstream makes the DaemonSet
// critical (kube-system, spec.priority system-cluster-critical without a
// class, which the store's priority admission refuses); since v1.17 every
// daemon pod tolerates the pressure taints, so the port leaves that out.
func TestUpstream_TestTaintPressureNodeDaemonLaunchesPod(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "critical")
		n := upNode("resources-pressure", nil,
			ct.Taint(taints.KeyNodeDiskPressure+":NoSchedule"), ct.Taint(taints.KeyNodeMemoryPressure+":NoSchedule"),
			ct.Taint(taints.KeyNodePIDPressure+":NoSchedule"))
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue},
			{Type: cluster.NodeDiskPressure, Status: cluster.ConditionTrue}, {Type: cluster.NodeMemoryPressure, Status: cluster.ConditionTrue},
			{Type: cluster.NodePIDPressure, Status: cluster.ConditionTrue}}
		u.create(upDS("critical", strategy), n)
		u.expectSync(1, 0, 0)
	})
}

// TestUpstream_TestNodeShouldRunDaemonPod: daemon_controller_test.go
// TestNodeShouldRunDaemonPod's table (the pods on the node do not enter the
// decision since the scheduler owns resources and ports).
func TestUpstream_TestNodeShouldRunDaemonPod(t *testing.T) {
	resSpec := func(node, mem, cpu string) cluster.PodSpec {
		return cluster.PodSpec{NodeName: node, Containers: []cluster.Container{{Name: "c", Image: "c",
			Resources: cluster.ResourceRequirements{Requests: ct.Resources("memory", mem, "cpu", cpu, "pods", "100")}}}}
	}
	affinity := func(v string) cluster.PodSpec {
		return cluster.PodSpec{Affinity: &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: "type", Operator: selector.NodeSelectorOpIn, Values: []string{v}}}}}}}}}
	}
	ports := cluster.PodSpec{Containers: []cluster.Container{{Name: "c", Image: "c", Ports: []cluster.ContainerPort{{HostPort: 666}}}}}
	for i, tc := range []struct {
		name            string
		spec            cluster.PodSpec
		unschedulable   bool
		shouldRun, cont bool
	}{
		{"ShouldRunDaemonPod", resSpec("", "50M", "0.5"), false, true, true},
		{"InsufficientResourceError", resSpec("", "200M", "0.5"), false, true, true},
		{"ErrPodNotMatchHostName", resSpec("other-node", "50M", "0.5"), false, false, false},
		{"ErrPodNotFitsHostPorts", ports, false, true, true},
		{"InsufficientResourceError", resSpec("", "100M", "0.5"), false, true, true},
		{"ShouldRunDaemonPod", resSpec("", "50M", "0.5"), false, true, true},
		{"ErrNodeSelectorNotMatch", cluster.PodSpec{NodeSelector: upLabel2.Clone()}, false, false, false},
		{"ShouldRunDaemonPod", cluster.PodSpec{NodeSelector: upLabel.Clone()}, false, true, true},
		{"ErrPodAffinityNotMatch", affinity("test"), false, false, false},
		{"ShouldRunDaemonPod", affinity("production"), false, true, true},
		{"ShouldRunDaemonPodOnUnschedulableNode", resSpec("", "50M", "0.5"), true, true, true},
	} {
		t.Run(fmt.Sprintf("%d %s", i, tc.name), func(t *testing.T) {
			forStrategies(t, func(t *testing.T, strategy dsOption) {
				n := upNode("test-node", upLabel, ct.Memory("100M"), ct.CPU("1"))
				n.Spec.Unschedulable = tc.unschedulable
				ds := &cluster.DaemonSet{Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: upLabel.Clone()},
					Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: upLabel.Clone()}, Spec: tc.spec}}}
				strategy(ds)
				run, cont := daemonset.NodeShouldRunDaemonPod(n, ds)
				assert.Equal(t, tc.shouldRun, run, "shouldRun")
				assert.Equal(t, tc.cont, cont, "shouldContinueRunning")
			})
		})
	}
}

// TestUpstream_TestUpdateNode: daemon_controller_test.go TestUpdateNode.
// Upstream asserts the sync before the node update and whether the update
// enqueues the DaemonSet; daemonsim's marks are internal, so the port
// asserts what the enqueue is for: the decision of the next sync (a node
// that now matches gets a pod, a misscheduled pod is counted scheduled).
func TestUpstream_TestUpdateNode(t *testing.T) {
	for _, tc := range []struct {
		name             string
		oldNode, newNode *cluster.Node
		ds               func(dsOption) *cluster.DaemonSet
		creates          int // the first sync
		preExistingPod   bool
		nextCreates      int // the sync after the node update
	}{
		{name: "Nothing changed, should not enqueue", oldNode: upNode("node1", nil), newNode: upNode("node1", nil),
			ds: func(s dsOption) *cluster.DaemonSet { return upDS("ds", s, upNodeSelector(upNodeLabel)) }},
		{name: "Node labels changed", oldNode: upNode("node1", nil), newNode: upNode("node1", upNodeLabel),
			ds:          func(s dsOption) *cluster.DaemonSet { return upDS("ds", s, upNodeSelector(upNodeLabel)) },
			nextCreates: 1},
		{name: "Node taints changed", oldNode: upNode("node1", nil, upTaints(upNoScheduleTaint)), newNode: upNode("node1", nil),
			ds:          func(s dsOption) *cluster.DaemonSet { return upDS("ds", s) },
			nextCreates: 1},
		{name: "Node Allocatable changed", oldNode: upNode("node1", nil), newNode: upNode("node1", nil, ct.Memory("200M"), ct.CPU("200m")),
			ds: func(s dsOption) *cluster.DaemonSet {
				ds := upDS("ds", s)
				ds.Spec.Template.Spec.Containers[0].Resources.Requests = ct.Resources("memory", "200M", "cpu", "200m")
				return ds
			}, creates: 1},
		{name: "Pod transitions from misscheduled to scheduled due to node label change", oldNode: upNode("node1", nil), newNode: upNode("node1", upNodeLabel),
			ds:             func(s dsOption) *cluster.DaemonSet { return upDS("ds", s, upNodeSelector(upNodeLabel)) },
			preExistingPod: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forStrategies(t, func(t *testing.T, strategy dsOption) {
				u := newUp(t, "ds")
				u.create(tc.oldNode, tc.ds(strategy))
				u.expectSync(tc.creates, 0, 0)
				if tc.preExistingPod {
					// added after the sync, as upstream, which also writes
					// numberMisscheduled 1 into the DaemonSet's status
					u.addPods("node1", upLabel, 1)
				}
				old, _ := u.s.Node("node1")
				nn := tc.newNode.DeepCopy()
				nn.UID, nn.ResourceVersion = old.UID, 0
				u.apply(cluster.Update{Object: nn})       // labels and taints
				u.apply(cluster.UpdateStatus{Object: nn}) // allocatable
				u.expectSync(tc.nextCreates, 0, 0)
				assert.Zero(t, u.dsStatus().NumberMisscheduled)
				if tc.preExistingPod {
					assert.Equal(t, int32(1), u.dsStatus().CurrentNumberScheduled, "the pod is scheduled now")
				}
			})
		})
	}
}

// TestUpstream_TestDeleteNoDaemonPod: daemon_controller_test.go TestDeleteNoDaemonPod.
// The node is full of other pods; the DaemonSet creates its pod anyway
// (resources are the scheduler's), and deleting another pod is no reason
// to act (upstream: not enqueued; here: the next sync does nothing).
func TestUpstream_TestDeleteNoDaemonPod(t *testing.T) {
	for _, tc := range []struct {
		name       string
		controlled bool
		deleted    string // a pod of its own, unscheduled, when not one of the four
	}{
		{name: "Deleted non-daemon pods to release resources"},
		{name: "Deleted non-daemon pods (with controller) to release resources", controlled: true},
		{name: "Deleted no scheduled pods", controlled: true, deleted: "pod-5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forStrategies(t, func(t *testing.T, strategy dsOption) {
				u := newUp(t, "ds")
				u.create(upNode("node1", nil, ct.Memory("200M"), ct.CPU("200m")))
				ds := upDS("ds", strategy)
				ds.Spec.Template.Spec.Containers[0].Resources.Requests = ct.Resources("memory", "50M", "cpu", "50m")
				u.create(ds)
				for i := range 4 {
					opts := []ct.PodOption{ct.OnNode("node1"), ct.Requests("memory", "50M", "cpu", "50m")}
					if tc.controlled {
						opts = append(opts, ct.ControlledBy("ReplicaSet", "rs", "uid-rs"))
					}
					u.create(ct.Pod(fmt.Sprintf("pod-%d", i), opts...))
				}
				u.expectSync(1, 0, 0)
				victim := "pod-0"
				if tc.deleted != "" {
					victim = tc.deleted
					u.create(ct.Pod(victim, ct.Requests("memory", "50M", "cpu", "50m")))
				}
				zero := int64(0)
				u.apply(cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: victim}, GracePeriodSeconds: &zero})
				u.expectSync(0, 0, 0)
			})
		})
	}
}

// TestUpstream_TestDeleteUnscheduledPodForNotExistingNode: daemon_controller_test.go
// TestDeleteUnscheduledPodForNotExistingNode: the unscheduled pod aimed at
// a node that does not exist is deleted; the one bound to a missing node is
// left to pod GC.
func TestUpstream_TestDeleteUnscheduledPodForNotExistingNode(t *testing.T) {
	forStrategies(t, func(t *testing.T, strategy dsOption) {
		u := newUp(t, "foo")
		u.create(upDS("foo", strategy))
		u.addNodes(0, 1, nil)
		u.addPods("node-0", upLabel, 1)
		u.addPods("node-1", upLabel, 1)
		p := u.newPod("pod1-node-3", "", upLabel, true)
		p.Spec.Affinity = daemonset.ReplaceNodeNameAffinity(nil, "node-2")
		u.create(p)
		u.expectSync(0, 1, 0)
		_, ok := u.s.Pod("default", p.Name)
		assert.False(t, ok, "the unscheduled pod for node-2 is deleted")
	})
}

// TestUpstream_TestAddNode: daemon_controller_test.go TestAddNode. Upstream
// checks that each added node is queued; the decision it leads to: a node
// that does not match gets nothing, one that matches gets a pod.
func TestUpstream_TestAddNode(t *testing.T) {
	u := newUp(t, "ds")
	u.create(upDS("ds", upNodeSelector(upNodeLabel)))
	u.expectSync(0, 0, 0)
	u.create(upNode("node1", nil))
	u.expectSync(0, 0, 0)
	u.create(upNode("node2", upNodeLabel))
	c, _ := u.expectSync(1, 0, 0)
	assert.Equal(t, []string{"node2"}, c)
}

// surgeFixture is the start of upstream's TestSurge* tests: DaemonSet foo
// with maxSurge 1 and five nodes.
func surgeFixture(t *testing.T, minReadySeconds int32) *up {
	u := newUp(t, "foo")
	ds := upDS("foo", maxSurge(cluster.FromInt(1)))
	ds.Spec.MinReadySeconds = minReadySeconds
	u.create(ds)
	u.addNodes(0, 5, nil)
	return u
}

// surgePod makes an owned pod, of the current revision or (current false)
// of an older one (no hash label, as upstream deletes it), created at
// t0+created, with a Ready condition of value *ready since t0+readyAt
// unless ready is nil.
func (u *up) surgePod(prefix, node string, current bool, created time.Duration, ready *bool, readyAt time.Duration) *cluster.Pod {
	saved := u.now
	u.now = t0.Add(created)
	p := u.newPod(prefix, node, upLabel, true)
	if !current {
		delete(p.Labels, daemonset.ControllerRevisionHashLabel)
	}
	u.create(p)
	if ready != nil {
		u.setReady(p.Name, *ready, t0.Add(readyAt))
	}
	u.now = saved
	return u.pod(p.Name)
}

var yes, no = true, false

// TestUpstream_TestSurgeDealsWithExistingPods: daemon_controller_test.go TestSurgeDealsWithExistingPods.
func TestUpstream_TestSurgeDealsWithExistingPods(t *testing.T) {
	u := surgeFixture(t, 0)
	u.addPods("node-1", upLabel, 1)
	u.addPods("node-2", upLabel, 2)
	u.addPods("node-3", upLabel, 5)
	u.addPods("node-4", upLabel2, 2)
	u.expectSync(2, 5, 0)
}

// TestUpstream_TestSurgePreservesReadyOldPods: daemon_controller_test.go TestSurgePreservesReadyOldPods.
func TestUpstream_TestSurgePreservesReadyOldPods(t *testing.T) {
	u := surgeFixture(t, 0)
	u.now = t0.Add(200 * time.Second)
	u.surgePod("node-1-", "node-1", true, 100*time.Second, nil, 0)
	u.surgePod("node-1-old-", "node-1", false, 50*time.Second, &yes, 0)
	del := u.surgePod("node-1-delete-", "node-1", false, 60*time.Second, &yes, 0)
	u.addPods("node-2", upLabel, 1)
	_, deleted := u.expectSync(3, 1, 0)
	assert.Equal(t, []string{del.Name}, deleted)
}

// TestUpstream_TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted:
// daemon_controller_test.go TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted.
func TestUpstream_TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted(t *testing.T) {
	u := surgeFixture(t, 0)
	u.now = t0.Add(200 * time.Second)
	u.surgePod("node-0-", "node-0", true, 100*time.Second, &no, 0)
	u.surgePod("node-0-old-ready-", "node-0", false, 50*time.Second, &yes, 0)
	for i := 1; i < 5; i++ {
		p := u.surgePod(fmt.Sprintf("node-%d-preserve-", i), fmt.Sprintf("node-%d", i), false, time.Second, &yes, 0)
		if i == 4 {
			u.terminating(p.Name)
		}
	}
	c, _ := u.expectSync(1, 0, 0)
	assert.Equal(t, []string{"node-4"}, c, "node-4 has only a pod being deleted")
}

// TestUpstream_TestSurgeDeletesUnreadyOldPods: daemon_controller_test.go TestSurgeDeletesUnreadyOldPods.
func TestUpstream_TestSurgeDeletesUnreadyOldPods(t *testing.T) {
	u := surgeFixture(t, 0)
	u.now = t0.Add(200 * time.Second)
	u.surgePod("node-1-", "node-1", true, 100*time.Second, nil, 0)
	unready := u.surgePod("node-1-old-unready-", "node-1", false, 50*time.Second, &no, 0)
	ready := u.surgePod("node-1-delete-", "node-1", false, 60*time.Second, &yes, 0)
	u.addPods("node-2", upLabel, 1)
	_, deleted := u.expectSync(3, 2, 0)
	want := []string{ready.Name, unready.Name}
	slices.Sort(want)
	assert.Equal(t, want, deleted)
}

// TestUpstream_TestSurgePreservesOldReadyWithUnsatisfiedMinReady:
// daemon_controller_test.go TestSurgePreservesOldReadyWithUnsatisfiedMinReady:
// at 60 s the new pod, ready since 50 s, is not available (minReadySeconds 15).
func TestUpstream_TestSurgePreservesOldReadyWithUnsatisfiedMinReady(t *testing.T) {
	u := surgeFixture(t, 15)
	u.surgePod("node-1-", "node-1", true, 100*time.Second, &yes, 50*time.Second)
	u.surgePod("node-1-old-ready-", "node-1", false, 50*time.Second, &yes, 0)
	excess := u.surgePod("node-1-delete-", "node-1", false, 60*time.Second, &yes, 0)
	u.addPods("node-2", upLabel, 1)
	u.now = t0.Add(60 * time.Second)
	_, deleted := u.expectSync(3, 1, 0)
	assert.Equal(t, []string{excess.Name}, deleted)
}

// TestUpstream_TestSurgeDeletesOldReadyWithUnsatisfiedMinReady:
// daemon_controller_test.go TestSurgeDeletesOldReadyWithUnsatisfiedMinReady:
// at 70 s the new pod, ready since 50 s, is available.
func TestUpstream_TestSurgeDeletesOldReadyWithUnsatisfiedMinReady(t *testing.T) {
	u := surgeFixture(t, 15)
	u.surgePod("node-1-", "node-1", true, 100*time.Second, &yes, 50*time.Second)
	old := u.surgePod("node-1-old-ready-", "node-1", false, 50*time.Second, &yes, 0)
	excess := u.surgePod("node-1-delete-", "node-1", false, 60*time.Second, &yes, 0)
	u.addPods("node-2", upLabel, 1)
	u.now = t0.Add(70 * time.Second)
	_, deleted := u.expectSync(3, 2, 0)
	want := []string{excess.Name, old.Name}
	slices.Sort(want)
	assert.Equal(t, want, deleted)
}
