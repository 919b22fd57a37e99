package scheduler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

// Pods created at one instant are tried in the order they arrived, as
// upstream's queue timestamps follow arrival order, not by name.
func TestQueueOrderFollowsArrival(t *testing.T) {
	e := newEngine(t)
	submit(e, with(ct.Node("a", ct.MaxPods("1")))...)
	require.NoError(t, e.Stabilize())
	submit(e, ct.Pod("p-2", ct.PriorityClassName("low")), ct.Pod("p-10", ct.PriorityClassName("low")))
	require.NoError(t, e.Stabilize())
	assert.True(t, pod(t, e, "p-2").IsBound(), "p-2 came first")
	assert.False(t, pod(t, e, "p-10").IsBound())
	noErrors(t, e)
}

// A failure re-stamps at the failure's instant and arrival order: two
// equal pods that both fail in one pass keep their order, and a pod
// queued at the same instant as another's failure, but before it, goes
// first.
func TestRestampWithinOneInstant(t *testing.T) {
	e := newEngine(t)
	submit(e, with(ct.Node("a", ct.MaxPods("1")), running("blocker", "a", "high", "100m", 0))...)
	require.NoError(t, e.Stabilize())
	// b and a fail together at t=1s, b first (it arrived first)
	e.Submit(at(1), "scenario", cluster.Create{Object: ct.Pod("b", ct.PriorityClassName("low"))})
	e.Submit(at(1), "scenario", cluster.Create{Object: ct.Pod("a", ct.PriorityClassName("low"))})
	require.NoError(t, e.RunUntil(at(1)))
	zero := int64(0)
	e.Submit(at(2), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "blocker"}, GracePeriodSeconds: &zero})
	require.NoError(t, e.Stabilize())
	assert.True(t, pod(t, e, "b").IsBound(), "b failed first, so it is first again")
	assert.False(t, pod(t, e, "a").IsBound())
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
		submit(e, with(ct.Node("a", ct.CPU("1")), running("low", "a", "low", "1", 0, noGrace))...)
		require.NoError(t, e.Stabilize())
		start := e.LogLen()
		// one instant: "big" preempts "low" (600m), then "small" (300m,
		// also high) fits in what is left once "low" is gone; both need
		// the victim gone, and only one delete is planned
		submit(e, ct.Pod("big", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")),
			ct.Pod("small", ct.PriorityClassName("high"), ct.Requests("cpu", "300m")))
		require.NoError(t, e.Stabilize())
		assert.Equal(t, "a", pod(t, e, "big").Spec.NodeName)
		assert.Equal(t, "a", pod(t, e, "small").Spec.NodeName)
		assert.Len(t, notes(e, "Preempted"), 1)
		deletes := 0
		for ev := range e.Events(start) {
			if d, ok := ev.Change.(cluster.Delete); ok && d.Key.Name == "low" {
				deletes++
				assert.Empty(t, ev.Err)
			}
		}
		assert.Equal(t, 1, deletes, "the victim is deleted once")
		noErrors(t, e)
	})
	t.Run("grace period 30s: the victim is terminating", func(t *testing.T) {
		e := newEngine(t)
		submit(e, with(ct.Node("a", ct.CPU("1")), running("low", "a", "low", "1", 0))...)
		require.NoError(t, e.Stabilize())
		// "first" preempts "low"; "second" fits beside "first" once "low"
		// is gone, so its dry run takes the terminating "low" as its
		// victim too, but does not delete it again
		submit(e, ct.Pod("first", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")),
			ct.Pod("second", ct.PriorityClassName("high"), ct.Requests("cpu", "300m")))
		require.NoError(t, e.RunFor(time.Second))
		assert.Len(t, notes(e, "Preempted"), 1)
		assert.Equal(t, "a", pod(t, e, "first").Status.NominatedNodeName)
		assert.Equal(t, "a", pod(t, e, "second").Status.NominatedNodeName)
		assert.NotNil(t, pod(t, e, "low").DeletionTimestamp)
		noErrors(t, e)
		require.NoError(t, e.Stabilize())
		assert.Equal(t, "a", pod(t, e, "first").Spec.NodeName)
		assert.Equal(t, "a", pod(t, e, "second").Spec.NodeName)
		noErrors(t, e)
	})
}
