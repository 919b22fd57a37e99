package nodelifecycle_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/nodelifecycle"
	"github.com/daemonsim/daemonsim/taints"
)

// world is an engine with only the node lifecycle controller.
type world struct {
	t *testing.T
	e *sim.Engine
	c *nodelifecycle.Controller
}

func newWorld(t *testing.T, cfg nodelifecycle.Config) *world {
	t.Helper()
	c, err := nodelifecycle.New(cfg)
	require.NoError(t, err)
	e, err := sim.New(sim.Config{}, c)
	require.NoError(t, err)
	return &world{t: t, e: e, c: c}
}

// node is a Ready node in zone (no zone labels if "").
func node(name, zone string) *cluster.Node {
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}}
	if zone != "" {
		n.Labels = map[string]string{nodelifecycle.LabelTopologyRegion: "r", nodelifecycle.LabelTopologyZone: zone}
	}
	n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue, LastTransitionTime: sim.Epoch}}
	return n
}

// at is the instant d after the engine's start.
func at(d time.Duration) time.Time { return sim.Epoch.Add(d) }

func (w *world) create(objs ...cluster.Object) {
	for _, o := range objs {
		w.e.Submit(w.e.Now(), "scenario", cluster.Create{Object: o})
	}
}

// runTo runs the engine to the offset d.
func (w *world) runTo(d time.Duration) {
	w.t.Helper()
	require.NoError(w.t, w.e.RunUntil(at(d)))
}

func (w *world) stop(name string) {
	w.t.Helper()
	ch, err := nodelifecycle.StopKubelet(w.e.View(), name, w.e.Now())
	require.NoError(w.t, err)
	w.e.Submit(w.e.Now(), "scenario", ch)
}

func (w *world) start(name string) {
	w.t.Helper()
	ch, err := nodelifecycle.StartKubelet(w.e.View(), name, w.e.Now())
	require.NoError(w.t, err)
	w.e.Submit(w.e.Now(), "scenario", ch)
}

// setReady writes n's Ready condition as its kubelet would.
func (w *world) setReady(name string, st cluster.ConditionStatus) {
	w.t.Helper()
	n, ok := w.e.View().Node(name)
	require.True(w.t, ok)
	cp := n.DeepCopy()
	for i := range cp.Status.Conditions {
		if cp.Status.Conditions[i].Type == cluster.NodeReady {
			cp.Status.Conditions[i] = cluster.NodeCondition{Type: cluster.NodeReady, Status: st, LastTransitionTime: w.e.Now(), Reason: "Kubelet"}
		}
	}
	w.e.Submit(w.e.Now(), "scenario", cluster.UpdateStatus{Object: cp})
}

func (w *world) node(name string) *cluster.Node {
	w.t.Helper()
	n, ok := w.e.View().Node(name)
	require.True(w.t, ok, name)
	return n
}

// ready is "Status@offset" of the node's Ready condition.
func (w *world) ready(name string) string {
	c, ok := w.node(name).Condition(cluster.NodeReady)
	if !ok {
		return "none"
	}
	return fmt.Sprintf("%s@%v", c.Status, c.LastTransitionTime.Sub(sim.Epoch))
}

// taints lists the node's taints as "key:Effect@offset".
func (w *world) taints(name string) []string {
	var out []string
	for _, t := range w.node(name).Spec.Taints {
		s := t.Key + ":" + string(t.Effect)
		if t.TimeAdded != nil {
			s += fmt.Sprintf("@%v", t.TimeAdded.Sub(sim.Epoch))
		}
		out = append(out, strings.TrimPrefix(s, "node.kubernetes.io/"))
	}
	return out
}

// notes lists the controller's notes with reason as "offset object".
func (w *world) notes(reason string) []string {
	var out []string
	for _, ev := range w.e.Log() {
		if ev.Kind == sim.EventNote && ev.Note.Reason == reason {
			out = append(out, fmt.Sprintf("%v %s", ev.At.Sub(sim.Epoch), ev.Note.Object))
		}
	}
	return out
}

// refused lists the refused changes.
func (w *world) refused() []string {
	var out []string
	for _, ev := range w.e.Log() {
		if ev.Kind == sim.EventChange && ev.Err != "" {
			out = append(out, ev.Err)
		}
	}
	return out
}

func TestStopKubeletTimeline(t *testing.T) {
	tests := []struct {
		name   string
		stopAt time.Duration
		// the Ready condition and taints at the end
		wantReady  string
		wantTaints []string
	}{
		// last renewal 10 s, seen at 15 s, Unknown at the first pass after
		// 65 s; that pass queues the node on the Ready status it wrote
		// (upstream's currentReadyCondition) and the tick at 70 s, its
		// zone's bucket full, taints it: both taints at 70 s
		{"stop at 11s", 11 * time.Second, "Unknown@1m10s", []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}},
		// a renewal due at the stop is made: last renewal 10 s, as above
		{"stop at 10s", 10 * time.Second, "Unknown@1m10s", []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}},
		// last renewal 0 s, seen at 5 s: Unknown at 60 s
		{"stop at 9s", 9 * time.Second, "Unknown@1m0s", []string{"unreachable:NoExecute@1m0s", "unreachable:NoSchedule@1m0s"}},
		// last renewal 20 s, seen at 25 s: Unknown at 80 s
		{"stop at 24s", 24 * time.Second, "Unknown@1m20s", []string{"unreachable:NoExecute@1m20s", "unreachable:NoSchedule@1m20s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nodelifecycle.Config{})
			w.create(node("n1", "a"), node("n2", "a"), node("n3", "a"))
			w.runTo(tc.stopAt)
			w.stop("n1")
			w.runTo(3 * time.Minute)
			assert.Equal(t, tc.wantReady, w.ready("n1"))
			assert.Equal(t, tc.wantTaints, w.taints("n1"))
			assert.Equal(t, "True@0s", w.ready("n2"))
			assert.Empty(t, w.taints("n2"))
			assert.Empty(t, w.refused())
			assert.Equal(t, []string{"0s node/n1", "0s node/n2", "0s node/n3"}, w.notes(nodelifecycle.ReasonRegisteredNode))
			c, _ := w.node("n1").Condition(cluster.NodeReady)
			assert.Equal(t, nodelifecycle.ReasonNodeStatusUnknown, c.Reason)
			assert.Equal(t, nodelifecycle.MessageNodeStatusUnknown, c.Message)
			for _, typ := range []cluster.NodeConditionType{cluster.NodeMemoryPressure, cluster.NodeDiskPressure, cluster.NodePIDPressure} {
				c, ok := w.node("n1").Condition(typ)
				require.True(t, ok, typ)
				assert.Equal(t, cluster.ConditionUnknown, c.Status)
				assert.Equal(t, nodelifecycle.ReasonNodeStatusNeverUpdated, c.Reason)
			}
			_, ok := w.node("n1").Condition(cluster.NodeNetworkUnavailable)
			assert.False(t, ok, "NetworkUnavailable is left alone")
			assert.Len(t, w.notes(nodelifecycle.ReasonNodeNotReady), 1)
		})
	}
}

// TestStartKubeletAtPass: a kubelet start is a lease renewal, and one at
// a pass instant reaches upstream's informer after the pass; so a start at
// the very pass at which the node's grace runs out comes too late, and the
// node turns Unknown there (the conformance test's seed 29). A start that
// comes with a status post changing the Ready condition is seen by the
// pass at once: the deliberate difference of the package doc.
func TestStartKubeletAtPass(t *testing.T) {
	tests := []struct {
		name      string
		stopAt    time.Duration
		startAt   time.Duration
		postReady bool
		// at startAt and at 10 min
		wantReady  string
		wantTaints []string
	}{
		// stop at 59 s: renewal 50 s, seen at 55 s, Unknown at the first
		// pass after 105 s, 110 s; the start at 110 s is seen at 115 s
		{"start at the pass the grace runs out", 59 * time.Second, 110 * time.Second, false,
			"Unknown@1m50s", []string{"unreachable:NoExecute@1m50s", "unreachable:NoSchedule@1m50s"}},
		{"start a tick before it", 59 * time.Second, 110*time.Second - 100*time.Millisecond, false, "True@0s", nil},
		{"start at the pass before", 59 * time.Second, 105 * time.Second, false, "True@0s", nil},
		// stop at 11 s: Unknown and tainted at 70 s; the kubelet comes back
		// at the 110 s pass and posts Ready=True: that pass sees both and
		// the taints go at once (upstream: at the 115 s pass)
		{"start with Ready=True at a pass", 11 * time.Second, 110 * time.Second, true, "True@1m50s", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, nodelifecycle.Config{})
			w.create(node("n1", "a"), node("n2", "a"), node("n3", "a"))
			w.runTo(tc.stopAt)
			w.stop("n1")
			w.runTo(tc.startAt - time.Nanosecond)
			ch, err := nodelifecycle.StartKubelet(w.e.View(), "n1", at(tc.startAt))
			require.NoError(t, err)
			w.e.Submit(at(tc.startAt), "scenario", ch)
			if tc.postReady {
				n := w.node("n1").DeepCopy()
				n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue, LastTransitionTime: at(tc.startAt), Reason: "KubeletReady"}}
				w.e.Submit(at(tc.startAt), "scenario", cluster.UpdateStatus{Object: n})
			}
			w.runTo(tc.startAt)
			assert.Equal(t, tc.wantReady, w.ready("n1"))
			assert.Equal(t, tc.wantTaints, w.taints("n1"))
			// the kubelet runs from the start on: nothing changes after
			w.runTo(10 * time.Minute)
			assert.Equal(t, tc.wantReady, w.ready("n1"))
			assert.Equal(t, tc.wantTaints, w.taints("n1"))
			assert.Empty(t, w.refused())
		})
	}
}

// TestNoPeriodicWakeups pins the cost model: nodes whose kubelets run
// cost no wake-up at all, and a stopped one a handful.
func TestNoPeriodicWakeups(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	for i := range 100 {
		w.create(node(fmt.Sprintf("n%03d", i), "a"))
	}
	w.runTo(time.Hour)
	wakes := func() int {
		n := 0
		for _, ev := range w.e.Log() {
			if ev.Kind == sim.EventWake {
				n++
			}
		}
		return n
	}
	assert.Equal(t, 0, wakes(), "the registration pass runs at 0 s with the creates")
	w.stop("n050")
	w.runTo(2 * time.Hour)
	// the deadline pass (which queues and taints the node) and the pass
	// after its status write: nothing else
	assert.Equal(t, 2, wakes())
	assert.Equal(t, []string{"unreachable:NoExecute@1h1m0s", "unreachable:NoSchedule@1h1m0s"}, w.taints("n050"))
}

func TestZoneRateLimit(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	for i := 1; i <= 10; i++ {
		w.create(node(fmt.Sprintf("a%02d", i), "a"))
	}
	w.create(node("b1", "b"), node("b2", "b"), node("b3", "b"), node("b4", "b"))
	w.runTo(11 * time.Second)
	// three of ten in zone a (not a partial disruption: 3/10 < 0.55) and
	// one of four in zone b stop at once
	for _, n := range []string{"a03", "a01", "a02", "b1"} {
		w.stop(n)
	}
	w.runTo(5 * time.Minute)
	noExec := func(name string) string {
		for _, s := range w.taints(name) {
			if strings.Contains(s, "NoExecute") {
				return s
			}
		}
		return ""
	}
	// queued by the 70 s pass that turns them Unknown, in name order;
	// one token per zone per 10 s, the first at once
	assert.Equal(t, "unreachable:NoExecute@1m10s", noExec("a01"))
	assert.Equal(t, "unreachable:NoExecute@1m20s", noExec("a02"))
	assert.Equal(t, "unreachable:NoExecute@1m30s", noExec("a03"))
	assert.Equal(t, "unreachable:NoExecute@1m10s", noExec("b1"), "each zone has its own bucket")
	for _, n := range []string{"a01", "a02", "a03", "b1"} {
		assert.Equal(t, "Unknown@1m10s", w.ready(n), n)
	}
	assert.Equal(t, []nodelifecycle.ZoneStatus{
		{Zone: "r:\x00:a", State: nodelifecycle.StateNormal, Ready: 7, NotReady: 3, QPS: 0.1},
		{Zone: "r:\x00:b", State: nodelifecycle.StateNormal, Ready: 3, NotReady: 1, QPS: 0.1},
	}, w.c.Zones())
}

func TestPartialDisruptionStopsTainting(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	for i := 1; i <= 5; i++ {
		w.create(node(fmt.Sprintf("n%d", i), "a"))
	}
	w.runTo(11 * time.Second)
	for _, n := range []string{"n1", "n2", "n3"} {
		w.stop(n)
	}
	w.runTo(10 * time.Minute)
	// 3 of 5 not ready (> 2, 60% >= 55%) at the 70 s pass: it queues
	// them, but the zone is partially disrupted and small, so its limiter
	// pauses at the end of that pass, before the tick at 70 s
	for _, n := range []string{"n1", "n2", "n3"} {
		assert.Equal(t, []string{"unreachable:NoSchedule@1m10s"}, w.taints(n), n)
	}
	assert.Equal(t, []nodelifecycle.ZoneStatus{
		{Zone: "r:\x00:a", State: nodelifecycle.StatePartialDisruption, Ready: 2, NotReady: 3, QPS: 1, Paused: true, Queued: 3},
	}, w.c.Zones())

	// one comes back: 2 of 5, Normal again; the new limiter starts drained
	// (the paused one had no token), so the first taint waits 10 s
	w.start("n3")
	w.setReady("n3", cluster.ConditionTrue)
	w.runTo(10*time.Minute + 30*time.Second)
	assert.Empty(t, w.taints("n3"))
	// the 10m0s pass sees the changes made at 10m0s
	assert.Equal(t, []string{"unreachable:NoSchedule@1m10s", "unreachable:NoExecute@10m10s"}, w.taints("n1"))
	assert.Equal(t, []string{"unreachable:NoSchedule@1m10s", "unreachable:NoExecute@10m20s"}, w.taints("n2"))
}

func TestMasterDisruptionMode(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("a1", "a"), node("b1", "b"))
	w.runTo(11 * time.Second)
	w.stop("a1")
	w.runTo(2 * time.Minute)
	assert.Equal(t, []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}, w.taints("a1"))
	// the last zone goes: every zone fully disrupted, NoExecute taints go
	w.stop("b1")
	w.runTo(5 * time.Minute)
	assert.Equal(t, []string{"unreachable:NoSchedule@1m10s"}, w.taints("a1"))
	// b1 renewed last at 2m0s (due at the stop), seen at 2m5s
	assert.Equal(t, []string{"unreachable:NoSchedule@3m0s"}, w.taints("b1"))
	for _, z := range w.c.Zones() {
		assert.Equal(t, nodelifecycle.StateFullDisruption, z.State)
		assert.True(t, z.Paused)
	}
	// b1 comes back: out of master mode, zone a (FullDisruption alone)
	// taints at the normal rate; its limiter starts drained
	w.start("b1")
	w.setReady("b1", cluster.ConditionTrue)
	w.runTo(6 * time.Minute)
	assert.Empty(t, w.taints("b1"))
	assert.Equal(t, []string{"unreachable:NoSchedule@1m10s", "unreachable:NoExecute@5m10s"}, w.taints("a1"))
}

func TestRecovery(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("n1", ""), node("n2", ""), node("n3", ""))
	w.runTo(11 * time.Second)
	w.stop("n1")
	w.runTo(2 * time.Minute)
	require.Equal(t, []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}, w.taints("n1"))
	// the kubelet comes back and posts Ready=True: the NoSchedule taint
	// goes with the condition, the NoExecute one at the next pass
	w.runTo(2*time.Minute + 2*time.Second)
	w.start("n1")
	w.setReady("n1", cluster.ConditionTrue)
	w.runTo(3 * time.Minute)
	assert.Empty(t, w.taints("n1"))
	assert.Equal(t, "True@2m2s", w.ready("n1"))
	// and it is healthy for good
	w.runTo(time.Hour)
	assert.Equal(t, "True@2m2s", w.ready("n1"))
	assert.Empty(t, w.refused())
}

func TestKubeletReportsNotReady(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("n1", ""), node("n2", ""), node("n3", ""))
	w.runTo(12 * time.Second)
	w.setReady("n1", cluster.ConditionFalse)
	w.runTo(time.Minute)
	// NoSchedule at once; queued by the 15 s pass and tainted there
	assert.Equal(t, []string{"not-ready:NoSchedule@12s", "not-ready:NoExecute@15s"}, w.taints("n1"))
	assert.Empty(t, w.notes(nodelifecycle.ReasonNodeNotReady), "only the controller's own Unknown is a NotReady transition")
	// then the kubelet stops: Unknown after the grace, the taints swap
	w.stop("n1")
	w.runTo(3 * time.Minute)
	// renewal 1m0s, seen 1m5s, the first pass after 1m55s; that pass
	// swaps not-ready:NoExecute for unreachable at once (no rate limit)
	assert.Equal(t, "Unknown@2m0s", w.ready("n1"))
	assert.Equal(t, []string{"unreachable:NoExecute@2m0s", "unreachable:NoSchedule@2m0s"}, w.taints("n1"))
	// back to True: both go
	w.start("n1")
	w.setReady("n1", cluster.ConditionTrue)
	w.runTo(4 * time.Minute)
	assert.Empty(t, w.taints("n1"))
}

func TestMarkPodsNotReady(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("n1", ""), node("n2", ""))
	pod := func(name string, ready cluster.ConditionStatus) *cluster.Pod {
		p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: "default", Name: name}}
		p.Spec.NodeName = "n1"
		p.Spec.Containers = []cluster.Container{{Name: "c", Image: "i"}}
		p.Status.Phase = cluster.PodRunning
		if ready != "" {
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: ready, Reason: "R", LastTransitionTime: sim.Epoch}}
		}
		return p
	}
	w.create(pod("ready", cluster.ConditionTrue), pod("unready", cluster.ConditionFalse), pod("none", ""))
	w.runTo(time.Second)
	w.stop("n1")
	w.runTo(2 * time.Minute)
	require.Empty(t, w.refused())
	get := func(name string) *cluster.Pod {
		p, ok := w.e.View().Pod("default", name)
		require.True(t, ok)
		return p
	}
	c, _ := get("ready").Condition(cluster.PodReady)
	assert.Equal(t, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, Reason: "R", LastTransitionTime: at(time.Minute)}, c)
	c, _ = get("unready").Condition(cluster.PodReady)
	assert.Equal(t, sim.Epoch, c.LastTransitionTime, "already False: untouched")
	assert.Empty(t, get("none").Status.Conditions)
	assert.Equal(t, []string{"1m0s node/n1"}, w.notes(nodelifecycle.ReasonNodeNotReady)[:1])
	assert.Equal(t, []string{"1m0s node/n1", "1m0s pod/default/ready"}, w.notes(nodelifecycle.ReasonNodeNotReady))
}

func TestNoScheduleFollowsConditions(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	n := node("n1", "")
	n.Spec.Taints = []taints.Taint{{Key: "gpu", Value: "true", Effect: taints.NoSchedule}, {Key: taints.KeyNodeDiskPressure, Effect: taints.NoSchedule}}
	n.Status.Conditions = append(n.Status.Conditions, cluster.NodeCondition{Type: cluster.NodeMemoryPressure, Status: cluster.ConditionTrue})
	w.create(n)
	w.runTo(3 * time.Second)
	assert.Equal(t, []string{"gpu:NoSchedule", "memory-pressure:NoSchedule@0s"}, w.taints("n1"))
	cp := w.node("n1").DeepCopy()
	cp.Spec.Unschedulable = true
	w.e.Submit(w.e.Now(), "scenario", cluster.Update{Object: cp})
	w.runTo(4 * time.Second)
	assert.Equal(t, []string{"gpu:NoSchedule", "memory-pressure:NoSchedule@0s", "unschedulable:NoSchedule@3s"}, w.taints("n1"))
}

func TestStartupGrace(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	n := node("n1", "")
	n.Status.Conditions = nil
	w.create(n, node("n2", ""))
	w.runTo(0)
	w.stop("n1") // at its creation: the registration is its one renewal
	w.runTo(3 * time.Minute)
	// renewal 0 s, seen 5 s, startup grace 60 s: Unknown at 70 s
	assert.Equal(t, "Unknown@1m10s", w.ready("n1"))
	c, _ := w.node("n1").Condition(cluster.NodeReady)
	assert.Equal(t, nodelifecycle.ReasonNodeStatusNeverUpdated, c.Reason)
	assert.Equal(t, nodelifecycle.MessageNodeStatusNeverUpdated, c.Message)
	// the pass read a missing Ready as Unknown, so it queues the node at
	// once, as upstream's does; the one Update adds NoExecute first
	assert.Equal(t, []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}, w.taints("n1"))
	assert.Empty(t, w.notes(nodelifecycle.ReasonNodeNotReady), "Ready was never True")
}

func TestInvalidAnnotation(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	n := node("n1", "")
	n.Annotations = map[string]string{nodelifecycle.AnnotationKubeletStopped: "yesterday"}
	w.create(n, node("n2", ""))
	w.runTo(2 * time.Minute)
	assert.Equal(t, []string{"0s node/n1"}, w.notes(nodelifecycle.ReasonInvalidAnnotation))
	assert.Equal(t, "Unknown@1m0s", w.ready("n1"))
}

func TestDeleteQueuedNode(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	for i := 1; i <= 10; i++ {
		w.create(node(fmt.Sprintf("n%02d", i), "a"))
	}
	w.runTo(11 * time.Second)
	w.stop("n01")
	w.stop("n02")
	w.runTo(21 * time.Second)
	w.stop("n03") // renewal 20 s, seen 25 s: Unknown and queued at 80 s
	w.runTo(76 * time.Second)
	// n01 and n02 are Unknown and queued at 70 s; n01 takes the token
	require.Equal(t, []string{"unreachable:NoExecute@1m10s", "unreachable:NoSchedule@1m10s"}, w.taints("n01"))
	// n02 waits for the 80 s token; it is deleted, and still spends that
	// token, as upstream's queue does (NotFound counts as done), so n03
	// waits for the next one, at 90 s
	w.e.Submit(w.e.Now(), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "n02"}})
	w.runTo(2 * time.Minute)
	assert.Equal(t, []string{"1m20s node/n02"}, w.notes(nodelifecycle.ReasonRemovingNode))
	assert.Equal(t, []string{"unreachable:NoSchedule@1m20s", "unreachable:NoExecute@1m30s"}, w.taints("n03"))
	assert.Equal(t, []nodelifecycle.ZoneStatus{{Zone: "r:\x00:a", State: nodelifecycle.StateNormal, Ready: 7, NotReady: 2, QPS: 0.1}}, w.c.Zones())
}

func TestHelpersErrors(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("n1", ""))
	w.runTo(0)
	_, err := nodelifecycle.StopKubelet(w.e.View(), "nope", w.e.Now())
	assert.ErrorIs(t, err, cluster.ErrNotFound)
	assert.EqualError(t, err, "node/nope: stop-kubelet: not found")
	_, err = nodelifecycle.StartKubelet(w.e.View(), "n1", w.e.Now())
	assert.ErrorIs(t, err, nodelifecycle.ErrKubeletRunning)
	w.stop("n1")
	w.runTo(time.Second)
	_, err = nodelifecycle.StopKubelet(w.e.View(), "n1", w.e.Now())
	assert.ErrorIs(t, err, nodelifecycle.ErrKubeletStopped)
	assert.Equal(t, "2000-01-01T00:00:00Z", w.node("n1").Annotations[nodelifecycle.AnnotationKubeletStopped])
	w.start("n1")
	w.runTo(2 * time.Second)
	assert.Nil(t, w.node("n1").Annotations)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  nodelifecycle.Config
		want string
	}{
		{nodelifecycle.Config{NodeMonitorGracePeriod: 10 * time.Second},
			"nodelifecycle: NodeMonitorGracePeriod: must be at least LeaseRenewInterval + NodeMonitorPeriod (15s), got 10s"},
		{nodelifecycle.Config{NodeMonitorPeriod: -time.Second},
			"nodelifecycle: NodeMonitorPeriod: must not be negative, got -1s"},
		{nodelifecycle.Config{UnhealthyZoneThreshold: 2},
			"nodelifecycle: UnhealthyZoneThreshold: must be in (0, 1], got 2"},
	}
	for _, tc := range tests {
		_, err := nodelifecycle.New(tc.cfg)
		assert.EqualError(t, err, tc.want)
	}
	c, err := nodelifecycle.New(nodelifecycle.Config{})
	require.NoError(t, err)
	assert.Equal(t, 50*time.Second, c.Config().NodeMonitorGracePeriod)
}

// TestDeterminism runs one churn twice and requires identical logs.
func TestDeterminism(t *testing.T) {
	run := func() string {
		w := newWorld(t, nodelifecycle.Config{})
		for i := range 30 {
			w.create(node(fmt.Sprintf("n%02d", i), fmt.Sprintf("z%d", i%3)))
		}
		for step := range 20 {
			w.runTo(time.Duration(step*37) * time.Second)
			name := fmt.Sprintf("n%02d", (step*7)%30)
			if _, stopped := w.node(name).Annotations[nodelifecycle.AnnotationKubeletStopped]; stopped {
				w.start(name)
				w.setReady(name, cluster.ConditionTrue)
			} else {
				w.stop(name)
			}
		}
		w.runTo(time.Hour)
		var b strings.Builder
		for _, ev := range w.e.Log() {
			b.WriteString(sim.Describe(sim.Epoch, ev))
			b.WriteByte('\n')
		}
		return b.String()
	}
	a, b := run(), run()
	assert.Equal(t, a, b)
	assert.Equal(t, 20, strings.Count(a, "note Normal NodeNotReady"))
}

// TestFreshGraceAtStart: a controller that starts on nodes whose kubelets
// stopped long ago gives each a fresh grace period from its first pass.
func TestFreshGraceAtStart(t *testing.T) {
	store := cluster.NewStore()
	old := node("n1", "")
	old.CreationTimestamp = sim.Epoch.Add(-time.Hour)
	old.Annotations = map[string]string{nodelifecycle.AnnotationKubeletStopped: sim.Epoch.Add(-30 * time.Minute).Format(time.RFC3339)}
	for _, n := range []*cluster.Node{old, node("n2", ""), node("n3", "")} {
		_, err := store.Apply(sim.Epoch.Add(-time.Hour), cluster.Create{Object: n})
		require.NoError(t, err)
	}
	c, err := nodelifecycle.New(nodelifecycle.Config{})
	require.NoError(t, err)
	e, err := sim.New(sim.Config{Initial: store}, c)
	require.NoError(t, err)
	w := &world{t: t, e: e, c: c}
	w.runTo(2 * time.Minute)
	// first pass 0 s, + 50 s: Unknown and tainted at 55 s
	assert.Equal(t, "Unknown@55s", w.ready("n1"))
	assert.Equal(t, []string{"unreachable:NoExecute@55s", "unreachable:NoSchedule@55s"}, w.taints("n1"))
}

// TestPodBoundToNotReadyNode is processPod: a pod bound to a node last
// seen not Ready has its Ready condition set False at once.
func TestPodBoundToNotReadyNode(t *testing.T) {
	w := newWorld(t, nodelifecycle.Config{})
	w.create(node("n1", ""), node("n2", ""))
	w.runTo(time.Second)
	w.setReady("n1", cluster.ConditionFalse)
	w.runTo(7 * time.Second)
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: "default", Name: "late"}}
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "i"}}
	p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue}}
	w.create(p)
	w.runTo(8 * time.Second)
	w.e.Submit(w.e.Now(), "scenario", cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "late"}, Node: "n1"})
	w.runTo(9 * time.Second)
	got, _ := w.e.View().Pod("default", "late")
	c, _ := got.Condition(cluster.PodReady)
	assert.Equal(t, cluster.ConditionFalse, c.Status)
	assert.Equal(t, at(8*time.Second), c.LastTransitionTime)
	assert.Equal(t, []string{"8s pod/default/late"}, w.notes(nodelifecycle.ReasonNodeNotReady))
}
