package scheduler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
)

// Pods created at one instant are tried in the order they arrived, as
// upstream's queue timestamps follow arrival order, not by name.
func TestQueueOrderFollowsArrival(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.MaxPods("1")))...)
	require.NoError(t, e.Stabilize())
	e.Create(ct.Pod("p-2", ct.PriorityClassName("low")), ct.Pod("p-10", ct.PriorityClassName("low")))
	require.NoError(t, e.Stabilize())
	assert.True(t, e.Pod("p-2").IsBound(), "p-2 came first")
	assert.False(t, e.Pod("p-10").IsBound())
	e.NoErrors()
}

// A failure re-stamps at the failure's instant and arrival order: two
// equal pods that both fail in one pass keep their order, and a pod
// queued at the same instant as another's failure, but before it, goes
// first.
func TestRestampWithinOneInstant(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.MaxPods("1")), running("blocker", "a", "high", "100m", 0))...)
	require.NoError(t, e.Stabilize())
	// b and a fail together at t=1s, b first (it arrived first)
	e.Submit(at(1), "scenario", cluster.Create{Object: ct.Pod("b", ct.PriorityClassName("low"))})
	e.Submit(at(1), "scenario", cluster.Create{Object: ct.Pod("a", ct.PriorityClassName("low"))})
	require.NoError(t, e.RunUntil(at(1)))
	zero := int64(0)
	e.Submit(at(2), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "blocker"}, GracePeriodSeconds: &zero})
	require.NoError(t, e.Stabilize())
	assert.True(t, e.Pod("b").IsBound(), "b failed first, so it is first again")
	assert.False(t, e.Pod("a").IsBound())
}

func at(seconds int) time.Time { return t0.Add(time.Duration(seconds) * time.Second) }

// Within one pass, a pod tried after a preemption sees the victims as the
// store will have them once the plan is applied: gone when their grace
// period is 0, else terminating. So a second preemptor does not preempt the
// same victim again (a second delete the store would refuse), and a pod
// that fits once the victim is gone binds at once.
func TestVictimsOfOnePreemptionAreGoneForTheNextPod(t *testing.T) {
	noGrace := func(p *cluster.Pod) { g := int64(0); p.Spec.TerminationGracePeriodSeconds = &g }
	t.Run("grace period 0: the victim is gone", func(t *testing.T) {
		e := newEngine(t)
		e.Create(with(ct.Node("a", ct.CPU("1")), running("low", "a", "low", "1", 0, noGrace))...)
		require.NoError(t, e.Stabilize())
		start := e.LogLen()
		// one instant: "big" preempts "low" (600m), then "small" (300m,
		// also high) fits in what is left once "low" is gone; both need
		// the victim gone, and only one delete is planned
		e.Create(ct.Pod("big", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")),
			ct.Pod("small", ct.PriorityClassName("high"), ct.Requests("cpu", "300m")))
		require.NoError(t, e.Stabilize())
		assert.Equal(t, "a", e.Pod("big").Spec.NodeName)
		assert.Equal(t, "a", e.Pod("small").Spec.NodeName)
		assert.Len(t, e.Notes("Preempted"), 1)
		deletes := 0
		for ev := range e.Events(start) {
			if d, ok := ev.Change.(cluster.Delete); ok && d.Key.Name == "low" {
				deletes++
				assert.Empty(t, ev.Err)
			}
		}
		assert.Equal(t, 1, deletes, "the victim is deleted once")
		e.NoErrors()
	})
	t.Run("grace period 30s: the victim is terminating", func(t *testing.T) {
		e := newEngine(t)
		e.Create(with(ct.Node("a", ct.CPU("1")), running("low", "a", "low", "1", 0))...)
		require.NoError(t, e.Stabilize())
		// "first" preempts "low"; "second" fits beside "first" once "low"
		// is gone, so its dry run takes the terminating "low" as its
		// victim too, but does not delete it again
		e.Create(ct.Pod("first", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")),
			ct.Pod("second", ct.PriorityClassName("high"), ct.Requests("cpu", "300m")))
		require.NoError(t, e.RunFor(time.Second))
		assert.Len(t, e.Notes("Preempted"), 1)
		assert.Equal(t, "a", e.Pod("first").Status.NominatedNodeName)
		assert.Equal(t, "a", e.Pod("second").Status.NominatedNodeName)
		assert.NotNil(t, e.Pod("low").DeletionTimestamp)
		e.NoErrors()
		require.NoError(t, e.Stabilize())
		assert.Equal(t, "a", e.Pod("first").Spec.NodeName)
		assert.Equal(t, "a", e.Pod("second").Spec.NodeName)
		e.NoErrors()
	})
}

// A nominated node that fails stays in the diagnosis, and its plugin joins
// the message of the nodes the PreFilter left out, as upstream's
// evaluateNominatedNode writes into the shared diagnosis.
func TestNominatedNodeFailureInTheMessage(t *testing.T) {
	nominated := func(node string) ct.PodOption {
		return func(p *cluster.Pod) { p.Status.NominatedNodeName = node }
	}
	t.Run("restricted to the nominated node", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p", ct.Requests("cpu", "2"), matchFields("a"), nominated("a")),
			ct.Node("a", ct.CPU("1")), ct.Node("b"), ct.Node("c"))
		assert.Equal(t, "", d.Node)
		assert.Equal(t, "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity NodeResourcesFit]. "+
			"preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", d.Message)
	})
	t.Run("nominated outside the nodes the PreFilter allows", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p", ct.Requests("cpu", "2"), matchFields("a"), nominated("b")),
			ct.Node("a", ct.CPU("1")), ct.Node("b", ct.CPU("1")), ct.Node("c"))
		// b fails first on NodeAffinity, which the message names already
		assert.Equal(t, "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. "+
			"preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.", d.Message)
	})
}

// Host ports on a node are a set, as upstream's: when two pods bound to a
// node hold one port, removing either frees it, so preempting the one of
// lower priority lets the pod in although the other still holds the port.
func TestHostPortsAreASet(t *testing.T) {
	d := decide(t, scheduler.Config{}, ct.Pod("p", ct.PriorityClassName("mid"), ct.HostPort(80)),
		with(ct.Node("a"),
			running("x", "a", "low", "10m", 0, ct.HostPort(80)),
			running("y", "a", "high", "10m", 0, ct.HostPort(80)))...)
	assert.Equal(t, "a", d.Nominated)
	assert.Equal(t, keys("x"), d.Victims)
}

// A pod whose nomination a preemption cleared earlier in the pass, and
// that fails later in the same pass, writes its status on top of the
// clear: no refused, conflicting write, and the store and the scheduler
// agree on its nomination.
func TestStatusWriteAfterANominationClearedInThePass(t *testing.T) {
	e := newEngine(t)
	e.Create(with(ct.Node("a", ct.CPU("1")), running("busy", "a", "low", "1", 0))...)
	require.NoError(t, e.Stabilize())
	low := ct.Pod("waiting", ct.PriorityClassName("mid"), ct.Requests("cpu", "900m"))
	low.Status.NominatedNodeName = "a"
	e.Create(low, ct.Pod("urgent", ct.PriorityClassName("high"), ct.Requests("cpu", "900m")))
	require.NoError(t, e.RunFor(time.Second))
	e.NoErrors()
	assert.Equal(t, "a", e.Pod("urgent").Status.NominatedNodeName)
	assert.Equal(t, "", e.Pod("waiting").Status.NominatedNodeName, "cleared by the higher preemptor")
}
