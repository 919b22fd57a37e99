package daemonset_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
)

// noteTimes returns the instants of the notes with reason, as offsets.
func (w *world) noteTimes(reason string) []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == reason {
			out = append(out, w.Offset(ev.At))
		}
	}
	return out
}

// A duplicate of the current revision with a higher number becomes
// current: the controller relabels the pods and stops, and its next sync
// plans nothing. The reporter's own wake-up takes that sync's counts at
// the same instant, not at the next change a minute later.
func TestRolloutReporterDuplicateRevision(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent"))
	w.Run(time.Minute)
	ds, _ := w.View().DaemonSet("default", "agent")
	revs := daemonset.Revisions(w.View(), ds)
	require.Len(t, revs, 1)
	dup := revs[0].DeepCopy()
	dup.Name, dup.UID, dup.ResourceVersion = "agent-dup", "", 0
	dup.Revision++
	dup.Labels = selector.Set{"app": "agent", daemonset.ControllerRevisionHashLabel: "dup"}
	w.Create(dup)
	w.SubmitAfter(time.Minute, "scenario", cluster.Create{Object: node("n3")})
	w.Run(3 * time.Minute)

	assert.Equal(t, []string{"+1m0s"}, w.noteTimes(daemonset.ReasonRolloutStarted))
	assert.Equal(t, []string{"+1m0s"}, w.noteTimes(daemonset.ReasonRolloutFinished))
	assert.Equal(t, []string{"rolling out revision 2 (dup) to 2 nodes: 2 of them updated, maxUnavailable 1, maxSurge 0"},
		w.Messages(daemonset.ReasonRolloutStarted))
	reports := w.reporter.Rollouts("default", "agent")
	require.Len(t, reports, 1)
	assert.Zero(t, reports[0].Duration())
	wakes := 0
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventWake && ev.Source == w.reporter.Name() {
			wakes++
		}
	}
	assert.Equal(t, 1, wakes, "the reporter's one wake-up")
}

// Replaced counts the pods of older revisions that go without a
// DisruptionTarget condition while a rollout runs: a user's delete counts
// (the controller, which only counts its own, did not), a delete marked
// as a disruption (preemption, eviction, pod GC) does not.
func TestRolloutReporterReplacedPods(t *testing.T) {
	w := newWorld(t, agent)
	w.Create(node("n1"), node("n2"), newDS("agent", onDelete))
	w.Run(time.Minute)
	w.Update(dsKey("agent"), func(o cluster.Object) {
		o.(*cluster.DaemonSet).Spec.Template.Spec.Containers[0].Image = "agent:2"
	})
	w.Run(time.Minute)
	require.Len(t, w.pods("agent"), 2)
	var old []*cluster.Pod
	for p := range w.View().Pods() {
		old = append(old, p)
	}
	require.Len(t, old, 2)
	disrupted := old[1].DeepCopy()
	cluster.SetPodCondition(&disrupted.Status, cluster.PodCondition{Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue,
		Reason: "EvictionByEvictionAPI"}, w.Now())
	w.Apply(cluster.UpdateStatus{Object: disrupted})
	w.Apply(cluster.Delete{Key: cluster.KeyOf(old[1])})
	w.Apply(cluster.Delete{Key: cluster.KeyOf(old[0])})
	w.Run(5 * time.Minute)

	reports := w.reporter.Rollouts("default", "agent")
	require.Len(t, reports, 1)
	assert.False(t, reports[0].End.IsZero(), "both nodes run the new revision")
	assert.Equal(t, 1, reports[0].Replaced, "the user's delete, not the disruption")
	assert.Empty(t, w.Messages(daemonset.ReasonSuccessfulDelete), "OnDelete: the controller deleted nothing")
}
