package scheduler_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// reaper plays the kubelet's part in termination only: a pod marked for
// deletion is removed when its grace period is over. (The full node agent
// lives in sim.)
type reaper struct{ due []cluster.Key }

func (r *reaper) Name() string { return "reaper" }
func (r *reaper) Observe(d cluster.Delta) {
	if p, ok := d.New.(*cluster.Pod); ok && p.DeletionTimestamp != nil {
		r.due = append(r.due, d.Key)
	}
}
func (r *reaper) Wake(k cluster.Key) { r.due = append(r.due, k) }
func (r *reaper) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	zero := int64(0)
	for _, k := range r.due {
		p, ok := v.Pod(k.Namespace, k.Name)
		if !ok || p.DeletionTimestamp == nil {
			continue
		}
		if wait := p.DeletionTimestamp.Sub(now); wait > 0 {
			plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: k, After: wait})
			continue
		}
		plan.Changes = append(plan.Changes, cluster.Delete{Key: k, GracePeriodSeconds: &zero})
	}
	r.due = nil
	return plan, nil
}

// newEngine is a world of one scheduler per config (one default without
// any) and the reaper.
func newEngine(t *testing.T, cfgs ...scheduler.Config) *simtest.World {
	t.Helper()
	if len(cfgs) == 0 {
		cfgs = []scheduler.Config{{}}
	}
	var cs []sim.Controller
	for _, c := range cfgs {
		s, err := scheduler.New(c)
		require.NoError(t, err)
		cs = append(cs, s)
	}
	cs = append(cs, &reaper{})
	e, err := sim.New(sim.Config{Seed: 1}, cs...)
	require.NoError(t, err)
	return simtest.Wrap(t, e)
}

func TestScenarioPreemptThenBindAfterVictimsTerminate(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.CPU("1")), ct.Node("b", ct.CPU("1")),
		running("low", "a", "low", "1", 0), running("mid", "b", "mid", "1", 0))...)
	require.NoError(t, e.Stabilize())
	start := e.LogLen()
	e.Create(ct.Pod("big", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")))
	require.NoError(t, e.RunFor(time.Second))

	big := e.Pod("big")
	assert.False(t, big.IsBound())
	assert.Equal(t, "a", big.Status.NominatedNodeName, "the node with the lower-priority victim")
	c, ok := big.Condition(cluster.PodScheduled)
	require.True(t, ok)
	assert.Equal(t, cluster.ConditionFalse, c.Status)
	assert.Equal(t, "0/2 nodes are available: 2 Insufficient cpu. preemption: found a potential placement for pod on node a, preempting 1 victims", c.Message)
	victim := e.Pod("low")
	require.NotNil(t, victim.DeletionTimestamp, "victim terminating")
	dt, ok := victim.Condition(cluster.DisruptionTarget)
	require.True(t, ok)
	assert.Equal(t, scheduler.ReasonPreemptionByScheduler, dt.Reason)
	assert.Equal(t, "default-scheduler: preempting to accommodate a higher priority pod", dt.Message)
	_, midGone := e.View().Pod("default", "mid")
	assert.True(t, midGone, "mid untouched")
	assert.Len(t, e.Notes("Preempted"), 1)

	// The victim's 30 s grace period runs out; then the preemptor binds.
	require.NoError(t, e.RunUntil(sim.Epoch.Add(29*time.Second)))
	assert.False(t, e.Pod("big").IsBound(), "still waiting at 29s")
	require.NoError(t, e.Stabilize())
	assert.Equal(t, "a", e.Pod("big").Spec.NodeName)
	assert.Equal(t, 30*time.Second, e.Now().Sub(sim.Epoch))
	_, still := e.View().Pod("default", "low")
	assert.False(t, still)
	e.NoErrors()
	t.Log("\n" + e.Timeline(start))
}

func TestScenarioDaemonPodPreemptsOnItsOwnNode(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.CPU("1")), ct.Node("b", ct.CPU("1")),
		running("web-a", "a", "mid", "1", 0, func(p *cluster.Pod) { g := int64(0); p.Spec.TerminationGracePeriodSeconds = &g }),
		running("web-b", "b", "low", "1", 0))...)
	require.NoError(t, e.Stabilize())
	e.Create(ct.Pod("kube-system/agent-a", ct.PriorityClassName(cluster.SystemNodeCritical), ct.Requests("cpu", "100m"), matchFields("a")))
	require.NoError(t, e.Stabilize())
	assert.Equal(t, "a", e.Pod("kube-system/agent-a").Spec.NodeName)
	_, ok := e.View().Pod("default", "web-a")
	assert.False(t, ok, "the workload pod on a was preempted")
	assert.True(t, e.Pod("web-b").IsBound(), "b's cheaper pod was not touched")
	e.NoErrors()
}

func TestScenarioOtherSchedulerName(t *testing.T) {
	mine := func(p *cluster.Pod) { p.Spec.SchedulerName = "my-scheduler" }
	t.Run("stays pending without its scheduler", func(t *testing.T) {
		e := newEngine(t)
		e.Create(ct.Node("a"), ct.Pod("p", mine))
		require.NoError(t, e.Stabilize())
		p := e.Pod("p")
		assert.False(t, p.IsBound())
		assert.Empty(t, p.Status.Conditions, "untouched")
		assert.Empty(t, e.Notes("FailedScheduling"))
	})
	t.Run("a second scheduler binds it", func(t *testing.T) {
		e := newEngine(t, scheduler.Config{}, scheduler.Config{SchedulerName: "my-scheduler"})
		e.Create(ct.Node("a"), ct.Pod("p", mine), ct.Pod("q"))
		require.NoError(t, e.Stabilize())
		assert.Equal(t, "a", e.Pod("p").Spec.NodeName)
		assert.Equal(t, "a", e.Pod("q").Spec.NodeName)
		for ev := range e.Events(0) {
			if b, ok := ev.Change.(cluster.Bind); ok {
				want := map[string]string{"p": "my-scheduler", "q": "default-scheduler"}[b.Pod.Name]
				assert.Equal(t, want, ev.Source, "bound by its own scheduler")
			}
		}
	})
}

func TestScenarioUnschedulableWaitsForAnEvent(t *testing.T) {
	e := newEngine(t)
	e.Create(ct.Node("a", ct.CPU("1")), ct.Pod("p", ct.Requests("cpu", "2")))
	require.NoError(t, e.Stabilize())
	// Unrelated churn: other pods come and bind; none frees room.
	for _, n := range []string{"x", "y"} {
		e.Create(ct.Pod(n, ct.Requests("cpu", "100m")))
		require.NoError(t, e.RunFor(time.Minute))
	}
	assert.Equal(t, []string{"default/p: 0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		e.Notes("FailedScheduling"), "tried once: binding other pods is no reason to retry")
	e.Create(ct.Node("b", ct.CPU("4")))
	require.NoError(t, e.Stabilize())
	assert.Equal(t, "b", e.Pod("p").Spec.NodeName)
	c, _ := e.Pod("p").Condition(cluster.PodScheduled)
	assert.Equal(t, cluster.ConditionTrue, c.Status)
	e.NoErrors()
}

func TestScenarioBindLatency(t *testing.T) {
	e := newEngine(t, scheduler.Config{BindLatency: 250 * time.Millisecond})
	e.Create(ct.Node("a"), ct.Pod("p"), ct.Pod("q"))
	require.NoError(t, e.Stabilize())
	var at []time.Duration
	for ev := range e.Events(0) {
		if _, ok := ev.Change.(cluster.Bind); ok {
			at = append(at, ev.At.Sub(sim.Epoch))
		}
	}
	assert.Equal(t, []time.Duration{250 * time.Millisecond, 250 * time.Millisecond}, at)
	e.NoErrors()
}

func TestScenarioQueueOrder(t *testing.T) {
	// One slot; the higher-priority pod gets it although it came later,
	// and among equals the earlier one, then the lower name.
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.MaxPods("1")))...)
	require.NoError(t, e.Stabilize())
	e.Create(ct.Pod("z-low", ct.PriorityClassName("low")), ct.Pod("y-high", ct.PriorityClassName("high")))
	require.NoError(t, e.Stabilize())
	assert.True(t, e.Pod("y-high").IsBound())
	assert.False(t, e.Pod("z-low").IsBound())
}

// mixed runs a scenario with spreading, taints, preemption and a late node.
func mixed(t *testing.T) *simtest.World {
	e := newEngine(t, scheduler.Config{BindLatency: 100 * time.Millisecond})
	var objs []cluster.Object
	for _, n := range []string{"n1", "n2", "n3", "n4"} {
		objs = append(objs, ct.Node(n, ct.CPU("2"), ct.Memory("4Gi")))
	}
	objs = append(objs, ct.Node("gpu", ct.CPU("8"), ct.Taint("gpu=true:NoSchedule")))
	for i := range 12 {
		objs = append(objs, ct.Pod(fmt.Sprintf("w%02d", i), ct.PriorityClassName("low"), ct.Requests("cpu", "500m", "memory", "500Mi")))
	}
	e.Create(with(objs...)...)
	require.NoError(t, e.Stabilize())
	e.Create(ct.Pod("urgent", ct.PriorityClassName("high"), ct.Requests("cpu", "1500m")))
	e.SubmitAfter(10*time.Second, "scenario", cluster.Create{Object: ct.Node("n5", ct.CPU("4"))})
	require.NoError(t, e.Stabilize())
	return e
}

func TestDeterminism(t *testing.T) {
	var logs [2]strings.Builder
	var digests [2]string
	for i := range 2 {
		e := mixed(t)
		require.NoError(t, e.WriteJSONL(&logs[i]))
		digests[i] = cluster.Digest(e.View())
		replayed, err := sim.Replay(e.Log())
		require.NoError(t, err)
		assert.Equal(t, digests[i], cluster.Digest(replayed), "replaying the log gives the same state")
	}
	assert.Equal(t, logs[0].String(), logs[1].String(), "same seed, same log")
	assert.Equal(t, digests[0], digests[1])
	assert.True(t, mixed(t).Pod("urgent").IsBound())
}

// Nodes that come and go between preemptions: the candidates are still
// taken in name order (the ranks are renumbered when next needed, not on
// every node change). Equal victims on c, d and, added later, b and a:
// each preemptor goes to the first node in name order with a victim left.
func TestScenarioPreemptionAfterNodesComeAndGo(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("c", ct.CPU("1")), ct.Node("d", ct.CPU("1")),
		running("low-c", "c", "low", "1", 0), running("low-d", "d", "low", "1", 0))...)
	require.NoError(t, e.Stabilize())
	e.Create(ct.Pod("p1", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")))
	require.NoError(t, e.RunFor(time.Second))
	assert.Equal(t, "c", e.Pod("p1").Status.NominatedNodeName)

	// two nodes join before c, one goes; their victims are as good
	e.Create(ct.Node("b", ct.CPU("1")), ct.Node("a", ct.CPU("1")))
	e.Create(running("low-b", "b", "low", "1", 0), running("low-a", "a", "low", "1", 0))
	e.Submit(e.Now(), "test", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "d"}})
	require.NoError(t, e.RunFor(time.Second))
	e.Create(ct.Pod("p2", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")))
	require.NoError(t, e.RunFor(time.Second))
	assert.Equal(t, "a", e.Pod("p2").Status.NominatedNodeName, "the first node in name order")
	e.Create(ct.Pod("p3", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")))
	require.NoError(t, e.RunFor(time.Second))
	assert.Equal(t, "b", e.Pod("p3").Status.NominatedNodeName)
}
