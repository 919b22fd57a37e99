package tainteviction_test

import (
	"bytes"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
	"github.com/daemonsim/daemonsim/taints"
)

// newWorld returns a world with the taint eviction controller, the node
// agent (which removes a deleted pod when its grace period ends) and pod
// GC, in that order.
func newWorld(t *testing.T) (*simtest.World, *tainteviction.Controller) {
	t.Helper()
	te := tainteviction.New()
	agent, err := sim.NewNodeAgent(sim.NodeAgentConfig{})
	require.NoError(t, err)
	e, err := sim.New(sim.Config{}, te, agent, sim.NewPodGC())
	require.NoError(t, err)
	return simtest.Wrap(t, e), te
}

func nodeKey(name string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: name} }

// setTaints replaces node's taints with ts at the current instant, after
// the changes already queued for it.
func setTaints(w *simtest.World, node string, ts ...taints.Taint) {
	w.Run(0)
	w.Update(nodeKey(node), func(o cluster.Object) { o.(*cluster.Node).Spec.Taints = ts })
}

func noExec(key string) taints.Taint { return taints.Taint{Key: key, Effect: taints.NoExecute} }

// notesAt renders the offsets from the start of the run of the events with
// reason, as "+10s default/web: message".
func notesAt(w *simtest.World, reason string) []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == reason {
			out = append(out, fmt.Sprintf("%s %s/%s: %s", w.Offset(ev.At), ev.Note.Object.Namespace, ev.Note.Object.Name, ev.Note.Message))
		}
	}
	return out
}

// byController returns the timeline lines of the taint eviction
// controller's changes and notes, without sequence numbers and revisions.
func byController(w *simtest.World) []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Source != tainteviction.Name || ev.Kind == sim.EventWake {
			continue
		}
		line := sim.Describe(sim.Epoch, *ev)
		_, rest, _ := strings.Cut(line, ": ")
		rest, _, _ = strings.Cut(rest, " -> rev")
		out = append(out, strings.SplitN(line, " ", 2)[0]+" "+rest)
	}
	return out
}

func TestUntoleratedDeletedAtOnce(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Node("n2"),
		ct.Pod("default/web", ct.OnNode("n1")),
		ct.Pod("default/tolerant", ct.OnNode("n1"), ct.Toleration(tol("dedicated", taints.NoExecute, nil))),
		ct.Pod("default/elsewhere", ct.OnNode("n2")))
	w.Run(10 * time.Second)
	setTaints(w, "n1", taints.MustParse("dedicated=x:NoExecute"))
	w.Run(time.Second)
	w.NoErrors()

	assert.Equal(t, []string{
		"t=+10s note Normal TaintManagerEviction pod/default/web: Marking for deletion Pod default/web",
		"t=+10s update-status pod/default/web",
		"t=+10s delete pod/default/web",
	}, byController(w))
	p := w.Pod("web")
	require.True(t, p.IsTerminating())
	assert.Equal(t, sim.Epoch.Add(40*time.Second), *p.DeletionTimestamp, "the pod's own grace period (30s)")
	c, ok := p.Condition(cluster.DisruptionTarget)
	require.True(t, ok)
	assert.Equal(t, cluster.ConditionTrue, c.Status)
	assert.Equal(t, "DeletionByTaintManager", c.Reason)
	assert.Equal(t, "Taint manager: deleting due to NoExecute taint", c.Message)
	assert.Equal(t, sim.Epoch.Add(10*time.Second), c.LastTransitionTime)
	assert.False(t, w.Pod("tolerant").IsTerminating())
	assert.False(t, w.Pod("elsewhere").IsTerminating())
	assert.Equal(t, 0, te.Scheduled())

	w.Run(time.Minute)
	_, ok = w.View().Pod("default", "web")
	assert.False(t, ok, "the node agent removed it at its deletion timestamp")
	assert.Empty(t, notesAt(w, "TaintManagerEviction")[1:], "no cancel note when the deleted pod leaves")
}

func TestTolerationSecondsCountFromObservation(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol(taints.KeyNodeNotReady, taints.NoExecute, secs(30)))))
	w.Run(5 * time.Second)
	longAgo := sim.Epoch.Add(-time.Hour)
	setTaints(w, "n1", taints.Taint{Key: taints.KeyNodeNotReady, Effect: taints.NoExecute, TimeAdded: &longAgo})
	w.Run(time.Second)
	fireAt, createdAt, ok := te.Deadline(simtest.PodKey("web"))
	require.True(t, ok)
	assert.Equal(t, sim.Epoch.Add(5*time.Second), createdAt)
	assert.Equal(t, sim.Epoch.Add(35*time.Second), fireAt, "30s after the controller saw the taint, not after timeAdded")

	w.Run(28 * time.Second) // to +34s
	assert.False(t, w.Pod("web").IsTerminating())
	w.Run(time.Second) // +35s
	assert.True(t, w.Pod("web").IsTerminating())
	assert.Equal(t, []string{"+35s default/web: Marking for deletion Pod default/web"}, notesAt(w, "TaintManagerEviction"))
	w.NoErrors()
}

func TestTaintRemovedCancels(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol(taints.KeyNodeUnreachable, taints.NoExecute, secs(30)))))
	setTaints(w, "n1", noExec(taints.KeyNodeUnreachable), taints.MustParse("keep=me:NoSchedule"))
	w.Run(20 * time.Second)
	assert.Equal(t, 1, te.Scheduled())
	setTaints(w, "n1", taints.MustParse("keep=me:NoSchedule"))
	w.Run(time.Minute)
	w.NoErrors()
	assert.Equal(t, []string{"+20s default/web: Cancelling deletion of Pod default/web"}, notesAt(w, "TaintManagerEviction"))
	assert.False(t, w.Pod("web").IsTerminating())
	assert.Equal(t, 0, te.Scheduled())
}

func TestPodGoneCancels(t *testing.T) {
	w, _ := newWorld(t)
	zero := int64(0)
	w.Create(ct.Node("n1"),
		ct.Pod("default/graceful", ct.OnNode("n1"), ct.Toleration(tol("", taints.NoExecute, secs(60)))),
		ct.Pod("default/quick", ct.OnNode("n1"), ct.Toleration(tol("", taints.NoExecute, secs(60)))))
	setTaints(w, "n1", noExec("maintenance"))
	w.Run(10 * time.Second)
	w.Apply(cluster.Delete{Key: simtest.PodKey("graceful")}, cluster.Delete{Key: simtest.PodKey("quick"), GracePeriodSeconds: &zero})
	w.Run(2 * time.Minute)
	w.NoErrors()
	// a terminating pod keeps its scheduled deletion; it is cancelled when
	// the pod leaves the store (30s later for the graceful one)
	assert.Equal(t, []string{
		"+10s default/quick: Cancelling deletion of Pod default/quick",
		"+40s default/graceful: Cancelling deletion of Pod default/graceful",
	}, notesAt(w, "TaintManagerEviction"))
}

func TestDeadlineDoesNotMove(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol("a", taints.NoExecute, secs(60))),
		ct.Toleration(tol("b", taints.NoExecute, secs(20)))))
	setTaints(w, "n1", noExec("a"))
	w.Run(10 * time.Second)
	// a second tolerated taint with a shorter toleration: the deadline stays
	setTaints(w, "n1", noExec("a"), noExec("b"))
	w.Run(10 * time.Second)
	// a pod update lowering the tolerationSeconds: it stays too
	w.Update(simtest.PodKey("web"), func(o cluster.Object) {
		o.(*cluster.Pod).Spec.Tolerations[0].TolerationSeconds = secs(1)
	})
	w.Run(time.Second)
	fireAt, createdAt, ok := te.Deadline(simtest.PodKey("web"))
	require.True(t, ok)
	assert.Equal(t, sim.Epoch, createdAt)
	assert.Equal(t, sim.Epoch.Add(60*time.Second), fireAt)
	w.Run(time.Minute)
	w.NoErrors()
	assert.Equal(t, []string{"+1m0s default/web: Marking for deletion Pod default/web"}, notesAt(w, "TaintManagerEviction"))
}

func TestUntoleratedTaintReplacesSchedule(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol("a", taints.NoExecute, secs(60)))))
	setTaints(w, "n1", noExec("a"))
	w.Run(10 * time.Second)
	setTaints(w, "n1", noExec("a"), noExec("b"))
	w.Run(time.Second)
	w.NoErrors()
	assert.Equal(t, []string{
		"+10s default/web: Cancelling deletion of Pod default/web",
		"+10s default/web: Marking for deletion Pod default/web",
	}, notesAt(w, "TaintManagerEviction"))
	assert.True(t, w.Pod("web").IsTerminating())
	assert.Equal(t, 0, te.Scheduled())
}

func TestTolerationAddedCancels(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol("a", taints.NoExecute, secs(60)))))
	setTaints(w, "n1", noExec("a"))
	w.Run(10 * time.Second)
	// the pod's tolerationSeconds can change; made forever, the
	// deletion is cancelled
	w.Update(simtest.PodKey("web"), func(o cluster.Object) {
		o.(*cluster.Pod).Spec.Tolerations[0].TolerationSeconds = nil
	})
	w.Run(2 * time.Minute)
	w.NoErrors()
	assert.Equal(t, []string{"+10s default/web: Cancelling deletion of Pod default/web"}, notesAt(w, "TaintManagerEviction"))
	assert.False(t, w.Pod("web").IsTerminating())
}

func TestNoScheduleTaintsDoNothing(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1")))
	setTaints(w, "n1", taints.MustParse("a=b:NoSchedule"), taints.MustParse("c:PreferNoSchedule"))
	w.Run(time.Hour)
	w.NoErrors()
	assert.Empty(t, byController(w))
	assert.False(t, w.Pod("web").IsTerminating())
	assert.Equal(t, 0, te.Scheduled())
}

func TestUnboundPodDeletedWhenBound(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web"))
	setTaints(w, "n1", noExec("a"))
	w.Run(5 * time.Second)
	assert.Empty(t, byController(w), "an unbound pod is not on the node")
	w.Apply(cluster.Bind{Pod: simtest.PodKey("web"), Node: "n1"})
	w.Run(time.Second)
	w.NoErrors()
	assert.Equal(t, []string{"+5s default/web: Marking for deletion Pod default/web"}, notesAt(w, "TaintManagerEviction"))
}

// TestDaemonPodsStay runs the DaemonSet controller and the scheduler: a
// daemon pod carries the default not-ready and unreachable tolerations
// without tolerationSeconds and stays on a not-ready node, while an
// ordinary pod with the 300s toleration that DefaultTolerationSeconds
// admission adds goes 300s after the taint was seen.
func TestDaemonPodsStay(t *testing.T) {
	sched, err := scheduler.New(scheduler.Config{})
	require.NoError(t, err)
	agent, err := sim.NewNodeAgent(sim.NodeAgentConfig{})
	require.NoError(t, err)
	e, err := sim.New(sim.Config{}, daemonset.New(daemonset.Config{}), sched, tainteviction.New(), agent, sim.NewPodGC())
	require.NoError(t, err)
	w := simtest.Wrap(t, e)
	ds := &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Namespace: "kube-system", Name: "agent"},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec:       ct.Pod("x").Spec,
			},
		},
	}
	w.Create(ct.Node("n1"), ds, ct.Pod("default/web", ct.OnNode("n1"),
		ct.Toleration(tol(taints.KeyNodeNotReady, taints.NoExecute, secs(300))),
		ct.Toleration(tol(taints.KeyNodeUnreachable, taints.NoExecute, secs(300)))))
	w.Run(time.Minute)
	var daemon *cluster.Pod
	for p := range w.View().PodsOnNode("n1") {
		if p.Namespace == "kube-system" {
			daemon = p
		}
	}
	require.NotNil(t, daemon, "the DaemonSet controller made its pod")
	setTaints(w, "n1", noExec(taints.KeyNodeNotReady), noExec(taints.KeyNodeUnreachable))
	w.Run(time.Hour)
	w.NoErrors()
	assert.Equal(t, []string{"+6m0s default/web: Marking for deletion Pod default/web"}, notesAt(w, "TaintManagerEviction"))
	p, ok := w.View().Pod(daemon.Namespace, daemon.Name)
	require.True(t, ok)
	assert.False(t, p.IsTerminating())
}

func TestNodeDeleted(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"),
		ct.Pod("default/short", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(20)))),
		ct.Pod("default/long", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(300)))))
	setTaints(w, "n1", noExec("a"))
	w.Run(10 * time.Second)
	w.Delete(nodeKey("n1"))
	w.Run(5 * time.Minute)
	w.NoErrors()
	// the scheduled deletions outlive the node: short's fires at +20s;
	// pod GC force-deletes both 40s after the node went (+50s), which
	// cancels long's
	assert.Equal(t, []string{
		"+20s default/short: Marking for deletion Pod default/short",
		"+50s default/long: Cancelling deletion of Pod default/long",
	}, notesAt(w, "TaintManagerEviction"))
	assert.Equal(t, 0, te.Scheduled())
	assert.Equal(t, 0, w.View().PodCount())
}

func TestTerminatingPodNotDeletedAgain(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1")))
	setTaints(w, "n1", noExec("a"))
	w.Run(5 * time.Second)
	first := *w.Pod("web").DeletionTimestamp
	setTaints(w, "n1", noExec("a"), noExec("b"))
	w.Run(time.Second)
	w.NoErrors()
	// upstream evaluates the pod again and fires again: the note, but the
	// condition is there and a second DELETE would change nothing
	assert.Equal(t, []string{
		"t=+0s note Normal TaintManagerEviction pod/default/web: Marking for deletion Pod default/web",
		"t=+0s update-status pod/default/web",
		"t=+0s delete pod/default/web",
		"t=+5s note Normal TaintManagerEviction pod/default/web: Marking for deletion Pod default/web",
	}, byController(w))
	assert.Equal(t, first, *w.Pod("web").DeletionTimestamp)
}

func TestPodDeletedByOthersGetsCondition(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1")))
	w.Run(time.Second)
	w.Delete(simtest.PodKey("web"))
	w.Run(4 * time.Second)
	first := *w.Pod("web").DeletionTimestamp
	setTaints(w, "n1", noExec("a"))
	w.Run(time.Second)
	w.NoErrors()
	assert.Equal(t, []string{
		"t=+5s note Normal TaintManagerEviction pod/default/web: Marking for deletion Pod default/web",
		"t=+5s update-status pod/default/web",
	}, byController(w))
	p := w.Pod("web")
	assert.Equal(t, first, *p.DeletionTimestamp)
	c, ok := p.Condition(cluster.DisruptionTarget)
	require.True(t, ok)
	assert.Equal(t, "DeletionByTaintManager", c.Reason)
}

var _ sim.Controller = (*tainteviction.Controller)(nil)

// TestSameInstantKeepsDeadline pins a deliberate difference: a node's
// taint and the pod's tolerations changing at one instant evaluate the
// pod twice in one round; the second keeps the deadline with no cancel
// note (upstream would cancel and re-add if its clock read the same
// instant twice).
func TestSameInstantKeepsDeadline(t *testing.T) {
	w, te := newWorld(t)
	w.Create(ct.Node("n1"), ct.Pod("default/web", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(30)))))
	w.Run(time.Second)
	setTaints(w, "n1", noExec("a"))
	w.Update(simtest.PodKey("web"), func(o cluster.Object) {
		p := o.(*cluster.Pod)
		p.Spec.Tolerations = append(p.Spec.Tolerations, tol("b", taints.NoExecute, secs(10)))
	})
	w.Run(time.Second)
	w.NoErrors()
	fireAt, _, ok := te.Deadline(simtest.PodKey("web"))
	require.True(t, ok)
	assert.Equal(t, sim.Epoch.Add(31*time.Second), fireAt)
	assert.Empty(t, byController(w))
}

// TestOneWakePerDeadline checks that the controller asks for one wake-up
// per distinct deadline, not one per pod.
func TestOneWakePerDeadline(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"))
	for i := range 50 {
		s := int64(30)
		if i%2 == 1 {
			s = 60
		}
		w.Create(ct.Pod(fmt.Sprintf("default/p%02d", i), ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(s)))))
	}
	w.Run(time.Second)
	setTaints(w, "n1", noExec("a"))
	w.Run(2 * time.Minute)
	w.NoErrors()
	var wakes []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventWake && ev.Source == tainteviction.Name {
			wakes = append(wakes, w.Offset(ev.At)+" "+ev.Key.String())
		}
	}
	assert.Equal(t, []string{"+31s pod/default/p00", "+1m1s pod/default/p01"}, wakes)
	assert.Len(t, notesAt(w, "TaintManagerEviction"), 50)
}

// TestNoDuplicateWake: a deadline earlier than the one a wake-up is
// coming for gets its own wake-up, and the later one is not asked twice.
func TestNoDuplicateWake(t *testing.T) {
	w, _ := newWorld(t)
	w.Create(ct.Node("n1"), ct.Node("n2"),
		ct.Pod("default/late", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(60)))),
		ct.Pod("default/early", ct.OnNode("n2"), ct.Toleration(tol("a", taints.NoExecute, secs(20)))))
	setTaints(w, "n1", noExec("a"))
	w.Run(10 * time.Second)
	setTaints(w, "n2", noExec("a"))
	w.Run(2 * time.Minute)
	w.NoErrors()
	var wakes []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventWake && ev.Source == tainteviction.Name {
			wakes = append(wakes, w.Offset(ev.At)+" "+ev.Key.String())
		}
	}
	assert.Equal(t, []string{"+30s pod/default/early", "+1m0s pod/default/late"}, wakes)
	assert.Equal(t, []string{
		"+30s default/early: Marking for deletion Pod default/early",
		"+1m0s default/late: Marking for deletion Pod default/late",
	}, notesAt(w, "TaintManagerEviction"))
}

// TestInitialState loads a tainted node and its pods from Config.Initial:
// the node and the pods are marked in one round, and the pod deleted at
// once is deleted once.
func TestInitialState(t *testing.T) {
	st := cluster.NewStore()
	for _, o := range []cluster.Object{
		ct.Node("n1", ct.Taint("a:NoExecute")),
		ct.Pod("default/now", ct.OnNode("n1")),
		ct.Pod("default/later", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(30)))),
	} {
		_, err := st.Apply(sim.Epoch, cluster.Create{Object: o})
		require.NoError(t, err)
	}
	e, err := sim.New(sim.Config{Initial: st}, tainteviction.New())
	require.NoError(t, err)
	w := simtest.Wrap(t, e)
	w.Run(time.Minute)
	w.NoErrors()
	assert.Equal(t, []string{
		"+0s default/now: Marking for deletion Pod default/now",
		"+30s default/later: Marking for deletion Pod default/later",
	}, notesAt(w, "TaintManagerEviction"))
}

func TestSync(t *testing.T) {
	e, err := sim.New(sim.Config{})
	require.NoError(t, err)
	w := simtest.Wrap(t, e)
	w.Create(ct.Node("n1", ct.Taint("a:NoExecute")), ct.Node("n2"),
		ct.Pod("default/now", ct.OnNode("n1")),
		ct.Pod("default/later", ct.OnNode("n1"), ct.Toleration(tol("a", taints.NoExecute, secs(30)))),
		ct.Pod("default/safe", ct.OnNode("n2")))
	w.Run(10 * time.Second)
	te := tainteviction.New()
	te.Sync(w.View())
	require.NoError(t, e.Add(te))
	e.WakeAt(e.Now(), te.Name(), cluster.Key{})
	w.Run(time.Minute)
	w.NoErrors()
	assert.Equal(t, []string{
		"+10s default/now: Marking for deletion Pod default/now",
		"+40s default/later: Marking for deletion Pod default/later",
	}, notesAt(w, "TaintManagerEviction"))
}

// scenario runs a churn of taints and tolerations over a few nodes and
// returns the engine.
func scenario(t *testing.T) *sim.Engine {
	w, _ := newWorld(t)
	e := w.Engine
	r := e.Rand("test/churn")
	for i := range 4 {
		w.Create(ct.Node(fmt.Sprintf("n%d", i)))
	}
	for i := range 40 {
		opts := []ct.PodOption{ct.OnNode(fmt.Sprintf("n%d", i%4))}
		switch i % 5 {
		case 1:
			opts = append(opts, ct.Toleration(tol(taints.KeyNodeNotReady, taints.NoExecute, secs(int64(10+r.IntN(50))))))
		case 2:
			opts = append(opts, ct.Toleration(tol(taints.KeyNodeNotReady, taints.NoExecute, nil)))
		case 3:
			opts = append(opts, ct.Toleration(tol("", taints.NoExecute, secs(int64(5+r.IntN(100))))))
		}
		w.Create(ct.Pod(fmt.Sprintf("default/p%02d", i), opts...))
	}
	for range 30 {
		node := fmt.Sprintf("n%d", r.IntN(4))
		var ts []taints.Taint
		switch r.IntN(3) {
		case 0:
			ts = []taints.Taint{noExec(taints.KeyNodeNotReady)}
		case 1:
			ts = []taints.Taint{taints.MustParse("x:NoSchedule")}
		}
		w.Run(time.Duration(1+r.IntN(20)) * time.Second)
		setTaints(w, node, ts...)
	}
	w.Run(10 * time.Minute)
	w.NoErrors()
	return e
}

func TestDeterminism(t *testing.T) {
	var logs [2]bytes.Buffer
	var notes [2]int
	for i := range logs {
		e := scenario(t)
		require.NoError(t, e.WriteJSONL(&logs[i]))
		for ev := range e.Events(0) {
			if ev.Kind == sim.EventNote {
				notes[i]++
			}
		}
		replayed, err := sim.Replay(e.Log())
		require.NoError(t, err)
		assert.Equal(t, cluster.Digest(e.View()), cluster.Digest(replayed))
	}
	assert.Equal(t, logs[0].String(), logs[1].String())
	assert.Greater(t, notes[0], 10, "the scenario deletes and cancels")
}

// countingView fails the test when the controller lists every pod or
// every node, and counts the pods it reads through PodsOnNode.
type countingView struct {
	cluster.View
	t      *testing.T
	onNode map[string]int
}

func (v countingView) Pods() iter.Seq[*cluster.Pod] {
	v.t.Error("Reconcile listed every pod")
	return v.View.Pods()
}

func (v countingView) Nodes() iter.Seq[*cluster.Node] {
	v.t.Error("Reconcile listed every node")
	return v.View.Nodes()
}

func (v countingView) PodsOnNode(node string) iter.Seq[*cluster.Pod] {
	return func(yield func(*cluster.Pod) bool) {
		for p := range v.View.PodsOnNode(node) {
			v.onNode[node]++
			if !yield(p) {
				return
			}
		}
	}
}

// counted wraps the controller to hand it a countingView.
type counted struct {
	*tainteviction.Controller
	v countingView
}

func (c counted) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	c.v.View = view
	return c.Controller.Reconcile(now, c.v)
}

// TestCost checks that a node's taint change reads only that node's pods,
// that a pod change or a deadline reads none by node, and that nothing
// lists the whole cluster.
func TestCost(t *testing.T) {
	c := counted{Controller: tainteviction.New(), v: countingView{t: t, onNode: map[string]int{}}}
	e, err := sim.New(sim.Config{}, c)
	require.NoError(t, err)
	w := simtest.Wrap(t, e)
	for i := range 20 {
		w.Create(ct.Node(fmt.Sprintf("n%02d", i)))
	}
	for i := range 400 {
		w.Create(ct.Pod(fmt.Sprintf("default/p%03d", i), ct.OnNode(fmt.Sprintf("n%02d", i%20)),
			ct.Toleration(tol("a", taints.NoExecute, secs(30)))))
	}
	w.Run(time.Second)
	clear(c.v.onNode)
	setTaints(w, "n03", noExec("a"))
	w.Run(time.Second)
	assert.Equal(t, map[string]int{"n03": 20}, c.v.onNode)
	clear(c.v.onNode)
	// a pod change, and a NoSchedule taint elsewhere: no node listing
	w.Update(simtest.PodKey("p003"), func(o cluster.Object) {
		p := o.(*cluster.Pod)
		p.Spec.Tolerations = append(p.Spec.Tolerations, tol("b", taints.NoExecute, nil))
	})
	setTaints(w, "n04", taints.MustParse("x:NoSchedule"))
	w.Run(time.Minute) // the deadlines fire
	w.NoErrors()
	assert.Empty(t, c.v.onNode)
	assert.Len(t, notesAt(w, "TaintManagerEviction"), 20)
	// the taint removed after the deletions: no deletion is left to
	// cancel, so the node's pods are not read
	setTaints(w, "n03")
	w.Run(time.Second)
	assert.Empty(t, c.v.onNode)
}
