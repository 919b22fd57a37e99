package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim/nodelifecycle"
)

// NodeAgentName is the node agent's name in the event log.
const NodeAgentName = "kubelet"

// The random streams the node agent draws from, one per quantity.
const (
	StreamStartLatency = "kubelet/start-latency"
	StreamReadyDelay   = "kubelet/ready-delay"
	StreamFailure      = "kubelet/failure"
)

// NodeAgentConfig configures the node agent. The zero value starts and
// readies pods at once and never fails one.
type NodeAgentConfig struct {
	// StartLatency is the time from a pod's binding to its Running phase.
	StartLatency Distribution
	// ReadyDelay is the time from Running to the Ready condition.
	ReadyDelay Distribution
	// FailureProbability is the chance, drawn per pod when it is bound,
	// that the pod goes Failed at its start time instead of Running.
	FailureProbability float64
}

// ReasonSimulatedFailure is the status reason of a pod the agent failed.
const ReasonSimulatedFailure = "SimulatedFailure"

// NodeAgent plays every kubelet's part: a bound pod becomes Running after
// its start latency and Ready after its readiness delay (each drawn per pod
// from its own named stream, in the order the binds are applied); a pod
// created already Running (a loaded cluster state) is taken up where it is:
// left alone when Ready, else made Ready after a readiness delay; a pod may
// fail instead (FailureProbability, or Fail); a pod being deleted leaves
// the store when its grace period ends (deletionTimestamp). Pods on a node
// that no longer exists are left to the pod garbage collector. On a node
// whose kubelet is stopped (nodelifecycle.StopKubelet's annotation) nothing
// happens to its pods: none starts, turns Ready or leaves the store at its
// deletion timestamp, until the kubelet starts again, when each carries on
// where it was (what was due meanwhile happens then). When a node turns
// Ready again with its kubelet running, the pods the agent had made Ready
// and someone else marked not ready (the node lifecycle controller's
// MarkPodsNotReady) are posted Ready again, as the kubelet's status manager
// does. It implements Controller.
//
// The agent keeps its own timers, ordered by (time, key), and asks the
// engine for one wake-up per instant at which some pod is due, not one per
// pod: the wake-up names the first pod due then, and the round it starts
// handles every pod due at that instant.
type NodeAgent struct {
	streams Streams
	cfg     NodeAgentConfig
	pods    cluster.SlotTable[*agentPod] // the pods the agent follows, by slot
	nodes   map[string]bool              // the nodes that exist: a pod elsewhere has no kubelet
	// nodeDeletes counts node deletions: a pod whose node was found at
	// the current count needs no new look in nodes, since only a
	// deletion can take its node away.
	nodeDeletes uint64
	dirty       []*agentPod // marked pods, for the next round
	spare       []*agentPod // the previous round's dirty array, reused
	timers      *btree.BTreeG[agentTimer]
	// joined are nodes that appeared since the last round: pods bound
	// to them before they existed have a kubelet now
	joined []string
	// drawing are the pods whose timers wait for their draws, in the
	// order Observe met them (the order the draws are made in), and
	// wakes the keys of the wake-ups that came, resolved at Reconcile
	drawing []*agentPod
	wakes   []cluster.Key
	fails   []failRequest
	// stopped are the nodes whose kubelet is stopped (the node lifecycle
	// annotation, nodelifecycle.KubeletStopped): their pods are parked
	// until it starts again, resumed lists the nodes whose kubelet started
	// since the last round
	stopped map[string]bool
	parked  map[string][]*agentPod
	resumed []string
	// resync lists the nodes that turned Ready (with a running kubelet)
	// since the last round: the kubelet posts its pods' readiness again
	// over what others wrote (the node lifecycle controller's
	// MarkPodsNotReady)
	resync []string
	seq    uint64    // the last timer's sequence number
	wakeAt time.Time // the earliest wake-up asked of the engine and not yet come; zero if none
}

// agentTimer is a pod's next due time, in Unix nanoseconds. Timers are
// ordered by (at, seq), seq being the order they were set in; the pods due
// at one instant are taken together and handled in key order, so the
// order among them is immaterial. A timer left behind by a pod that moved
// on or left is harmless, because a due pod is checked against its own
// state.
type agentTimer struct {
	at  int64
	seq uint64
	ap  *agentPod
}

func timerLess(a, b agentTimer) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

type agentStage uint8

const (
	stageStarting agentStage = iota
	stageRunning             // waiting for readiness
	stageDone                // ready or failed: nothing more until deletion
)

// agentPod is what the agent knows of one pod.
type agentPod struct {
	slot   uint64       // the pod's store slot
	pod    *cluster.Pod // the stored version, kept current by Observe
	stage  agentStage
	marked bool // in dirty
	gone   bool // no longer in pods: its marks and timers are ignored
	fail   bool
	parked bool      // waiting in parked for its node's kubelet
	at     time.Time // when the next stage is due
	// nodeSeen is nodeDeletes+1 when the pod's node was last found to
	// exist (0: not yet looked at).
	nodeSeen uint64
	reason   string
	message  string
	// draw says what the next Reconcile draws for the pod before anything
	// else: its start latency (and failure), or its readiness delay
	draw drawKind
}

type drawKind uint8

const (
	drawNone  drawKind = iota
	drawStart          // start latency, then failure
	drawReady          // readiness delay, for a pod created running
)

// failRequest is a Fail waiting for the next Reconcile.
type failRequest struct {
	key             cluster.Key
	reason, message string
}

// key returns the pod's key.
func (ap *agentPod) key() cluster.Key {
	return cluster.Key{Kind: cluster.KindPod, Namespace: ap.pod.Namespace, Name: ap.pod.Name}
}

// NewNodeAgent returns a node agent; register it on an engine (New, Add),
// which hands it its random streams (UseStreams). It knows the nodes it
// observes being created; on an engine whose store already holds nodes
// call Sync first. Errors: an invalid distribution or probability.
func NewNodeAgent(cfg NodeAgentConfig) (*NodeAgent, error) {
	if err := cfg.StartLatency.Validate(); err != nil {
		return nil, fmt.Errorf("sim: StartLatency: %w", err)
	}
	if err := cfg.ReadyDelay.Validate(); err != nil {
		return nil, fmt.Errorf("sim: ReadyDelay: %w", err)
	}
	if !(cfg.FailureProbability >= 0 && cfg.FailureProbability <= 1) {
		return nil, fmt.Errorf("sim: FailureProbability must be in [0, 1], got %v", cfg.FailureProbability)
	}
	return &NodeAgent{cfg: cfg, nodes: map[string]bool{}, stopped: map[string]bool{}, parked: map[string][]*agentPod{},
		timers: btree.NewG(16, timerLess)}, nil
}

// UseStreams gives the agent the engine's random streams (see
// RandomUser); the engine calls it when the agent is registered.
func (a *NodeAgent) UseStreams(s Streams) { a.streams = s }

// Sync loads the nodes of view, for an agent registered on an engine whose
// store already holds some. O(nodes).
func (a *NodeAgent) Sync(view cluster.View) {
	for n := range view.Nodes() {
		a.nodes[n.Name] = true
	}
}

// rand returns the named stream.
func (a *NodeAgent) rand(name string) *rand.Rand {
	if a.streams == nil {
		panic("sim: the node agent is not registered on an engine") // a broken invariant of the wiring
	}
	return a.streams.Rand(name)
}

// Name returns NodeAgentName.
func (a *NodeAgent) Name() string { return NodeAgentName }

// follow returns the agent's record of p, made (with nothing due) if there
// is none.
func (a *NodeAgent) follow(slot uint64, p *cluster.Pod) *agentPod {
	ap := a.pods.Get(slot)
	if ap == nil {
		ap = &agentPod{slot: slot, pod: p, stage: stageDone}
		a.pods.Set(slot, ap)
	}
	return ap
}

// forget drops the record of the pod with slot, if any.
func (a *NodeAgent) forget(slot uint64) {
	if ap := a.pods.Get(slot); ap != nil {
		ap.gone = true
		a.pods.Delete(slot)
	}
}

func (a *NodeAgent) touch(ap *agentPod) {
	if !ap.marked {
		ap.marked = true
		a.dirty = append(a.dirty, ap)
	}
}

// Fail asks for the pod to go Failed with reason and message at the
// agent's next Reconcile, as a container that exits for good or a kubelet
// rejection would; a pod that is then missing or not bound is left alone.
// The caller wakes the agent (Cluster.Fail does both, and checks the pod).
func (a *NodeAgent) Fail(key cluster.Key, reason, message string) {
	a.fails = append(a.fails, failRequest{key, reason, message})
}

// Observe keeps the node list and the followed pods current, and starts
// the clock on newly bound pods and on graceful deletions.
func (a *NodeAgent) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		name := d.Key.Name
		if d.New == nil {
			delete(a.nodes, name)
			delete(a.stopped, name)
			delete(a.parked, name) // its pods are forgotten as they come up
			a.nodeDeletes++
			return
		}
		if !a.nodes[name] {
			a.joined = append(a.joined, name)
		}
		a.nodes[name] = true
		n := d.New.(*cluster.Node)
		_, stopped, _ := nodelifecycle.KubeletStopped(n)
		switch {
		case stopped:
			a.stopped[name] = true
		case a.stopped[name]:
			delete(a.stopped, name)
			a.resumed = append(a.resumed, name)
		}
		if o, _ := d.Old.(*cluster.Node); !stopped && nodeReady(n) && (o == nil || !nodeReady(o)) {
			a.resync = append(a.resync, name)
		}
		return
	case cluster.KindPod:
	default:
		return
	}
	o, _ := d.Old.(*cluster.Pod)
	n, _ := d.New.(*cluster.Pod)
	if n == nil {
		a.forget(d.Slot)
		return
	}
	ap := a.pods.Get(d.Slot)
	if ap != nil {
		ap.pod = n
	}
	switch {
	case n.IsTerminating():
		if o == nil || !o.IsTerminating() || !o.DeletionTimestamp.Equal(*n.DeletionTimestamp) {
			if ap == nil {
				ap = &agentPod{slot: d.Slot, pod: n, stage: stageDone}
				a.pods.Set(d.Slot, ap)
			}
			a.touch(ap) // handled at the deletion timestamp
		}
	case n.IsBound() && (o == nil || !o.IsBound()) && !n.IsTerminal():
		a.start(d.Slot, n, o == nil)
	}
}

// start follows a pod that was just bound, or created bound (created is
// then true): its start is due after a start latency, drawn at the next
// Reconcile in the order pods were met here. A pod created already Running
// (a cluster's state loaded as it was) is taken up where it is: the
// kubelet carries on from there and does not start it again.
func (a *NodeAgent) start(slot uint64, p *cluster.Pod, created bool) {
	if ap := a.pods.Get(slot); ap != nil {
		ap.gone = true // retired by the new record
	}
	var ap *agentPod
	if created && p.Status.Phase == cluster.PodRunning {
		ap = &agentPod{slot: slot, pod: p, stage: stageDone}
		if !p.IsReady() {
			ap.stage, ap.draw = stageRunning, drawReady
		}
	} else {
		ap = &agentPod{slot: slot, pod: p, stage: stageStarting, draw: drawStart}
	}
	if ap.draw != drawNone {
		a.drawing = append(a.drawing, ap)
	}
	a.pods.Set(slot, ap)
	a.touch(ap)
}

// drawTimers makes the draws the pods met since the last round wait for,
// in the order they were met, and sets their timers from now.
func (a *NodeAgent) drawTimers(now time.Time) {
	for _, ap := range a.drawing {
		switch ap.draw {
		case drawStart:
			ap.at = now.Add(a.cfg.StartLatency.Draw(a.rand(StreamStartLatency)))
			if a.cfg.FailureProbability > 0 && a.rand(StreamFailure).Float64() < a.cfg.FailureProbability {
				ap.fail, ap.reason, ap.message = true, ReasonSimulatedFailure, "the node agent failed the pod (simulated)"
			}
		case drawReady:
			ap.at = now.Add(a.cfg.ReadyDelay.Draw(a.rand(StreamReadyDelay)))
		}
		ap.draw = drawNone
	}
	clear(a.drawing)
	a.drawing = a.drawing[:0]
}

// Wake marks the pod named by a wake-up; the round also takes every other
// pod whose timer is due.
func (a *NodeAgent) Wake(k cluster.Key) { a.wakes = append(a.wakes, k) }

// after sets a timer for ap at at.
func (a *NodeAgent) after(at time.Time, ap *agentPod) {
	a.seq++
	a.timers.ReplaceOrInsert(agentTimer{at.UnixNano(), a.seq, ap})
}

// Reconcile moves every marked or due pod whose time has come to its next
// stage, in key order, and asks to be woken at the earliest timer left.
// It reads the view only for the pods of nodes that appeared since the
// last round (a pod bound to a node before the node existed has a kubelet
// only from then on): Observe keeps the stored version of every followed
// pod and the set of nodes, so a round costs no other lookups.
// Cost: O((pods touched + timers due) · log timers + pods of new nodes).
func (a *NodeAgent) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	a.drawTimers(now)
	for _, k := range a.wakes {
		if slot, ok := view.PodSlot(k.Namespace, k.Name); ok {
			if ap := a.pods.Get(slot); ap != nil {
				a.touch(ap)
			}
		}
	}
	a.wakes = a.wakes[:0]
	for _, f := range a.fails {
		p, ok := view.Pod(f.key.Namespace, f.key.Name)
		if !ok || !p.IsBound() {
			continue
		}
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		ap := a.follow(slot, p)
		ap.stage, ap.at, ap.fail, ap.reason, ap.message, ap.draw = stageStarting, now, true, f.reason, f.message, drawNone
		a.touch(ap)
	}
	a.fails = a.fails[:0]
	for _, name := range takeSorted(&a.joined) {
		for p := range view.PodsOnNode(name) {
			slot, _ := view.PodSlot(p.Namespace, p.Name)
			if a.pods.Get(slot) == nil && !p.IsTerminal() {
				if p.IsTerminating() {
					a.touch(a.follow(slot, p)) // removed at its deletion timestamp
				} else {
					a.start(slot, p, true)
				}
			}
		}
	}
	for _, name := range takeSorted(&a.resumed) {
		if a.stopped[name] {
			continue // stopped again in the same instant
		}
		for _, ap := range a.parked[name] {
			ap.parked = false
			if !ap.gone {
				a.touch(ap)
			}
		}
		delete(a.parked, name)
	}
	for _, name := range takeSorted(&a.resync) {
		a.postReadiness(&plan, view, name, now)
	}
	if !a.wakeAt.After(now) {
		a.wakeAt = time.Time{} // the wake-up asked for has come
	}
	for nanos := now.UnixNano(); ; {
		t, ok := a.timers.Min()
		if !ok || t.at > nanos {
			break
		}
		a.timers.DeleteMin()
		if !t.ap.gone {
			a.touch(t.ap)
		}
	}
	a.advance(&plan, now)
	a.askWake(&plan, now)
	return plan, nil
}

// nodeReady reports whether n's Ready condition is True.
func nodeReady(n *cluster.Node) bool {
	c, ok := n.Condition(cluster.NodeReady)
	return ok && c.Status == cluster.ConditionTrue
}

// postReadiness is the kubelet's status manager on a node that is Ready
// again: each pod the agent has made Ready whose stored Ready condition
// someone else set to False (the node lifecycle controller marks the pods
// of a node that is not Ready) is posted Ready again. O(pods on the node).
func (a *NodeAgent) postReadiness(plan *cluster.Plan, view cluster.View, node string, now time.Time) {
	if a.stopped[node] || !a.nodes[node] {
		return
	}
	for p := range view.PodsOnNode(node) {
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		ap := a.pods.Get(slot)
		if ap == nil || ap.gone || ap.stage != stageDone || ap.fail || p.IsTerminating() || p.IsTerminal() ||
			p.Status.Phase != cluster.PodRunning || p.IsReady() {
			continue
		}
		cp := *p
		cp.Status.Conditions = slices.Clone(p.Status.Conditions)
		cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue}, now)
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
	}
}

// advance handles the marked pods in key order.
func (a *NodeAgent) advance(plan *cluster.Plan, now time.Time) {
	aps := a.dirty
	a.dirty = a.spare[:0]
	defer func() { a.spare = aps[:0] }()
	for _, ap := range aps {
		ap.marked = false
	}
	// A key appears twice only when one of the two is gone, so the order
	// between equal keys never matters.
	slices.SortFunc(aps, func(x, y *agentPod) int { return x.key().Compare(y.key()) })
	for _, ap := range aps {
		if ap.gone {
			continue
		}
		p := ap.pod
		if !p.IsBound() {
			continue
		}
		if ap.nodeSeen != a.nodeDeletes+1 {
			if !a.nodes[p.Spec.NodeName] {
				a.forget(ap.slot) // no kubelet left: pod GC's business
				continue
			}
			ap.nodeSeen = a.nodeDeletes + 1
		}
		if node := p.Spec.NodeName; a.stopped[node] {
			// no kubelet reports: the pod stays as it is (not started,
			// not Ready, not removed at its deletion timestamp) until the
			// kubelet starts again
			if !ap.parked {
				ap.parked = true
				a.parked[node] = append(a.parked[node], ap)
			}
			continue
		}
		if p.IsTerminating() {
			if at := *p.DeletionTimestamp; now.Before(at) {
				a.after(at, ap)
				continue
			}
			zero := int64(0)
			plan.Changes = append(plan.Changes, cluster.Delete{Key: ap.key(), GracePeriodSeconds: &zero})
			a.forget(ap.slot)
			continue
		}
		if ap.stage == stageDone || p.IsTerminal() {
			continue
		}
		if now.Before(ap.at) {
			a.after(ap.at, ap)
			continue
		}
		cp := *p
		// room for the one condition a step may add: Ready, when missing
		room := 1
		if _, ok := p.Condition(cluster.PodReady); ok {
			room = 0
		}
		cp.Status.Conditions = append(make([]cluster.PodCondition, 0, len(p.Status.Conditions)+room), p.Status.Conditions...)
		switch {
		case ap.fail:
			cp.Status.Phase = cluster.PodFailed
			cp.Status.Reason, cp.Status.Message = ap.reason, ap.message
			if p.IsReady() {
				cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, Reason: "PodCompleted"}, now)
			}
			ap.stage = stageDone
		case ap.stage == stageStarting:
			cp.Status.Phase = cluster.PodRunning
			t := now
			cp.Status.StartTime = &t
			delay := a.cfg.ReadyDelay.Draw(a.rand(StreamReadyDelay))
			if delay == 0 {
				cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue}, now)
				ap.stage = stageDone
			} else {
				cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, Reason: "ContainersNotReady"}, now)
				ap.stage, ap.at = stageRunning, now.Add(delay)
				a.after(ap.at, ap)
			}
		case ap.stage == stageRunning:
			cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue}, now)
			ap.stage = stageDone
		}
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
	}
}

// askWake asks the engine for a wake-up at the earliest timer, unless one
// at or before it is already coming.
func (a *NodeAgent) askWake(plan *cluster.Plan, now time.Time) {
	t, ok := a.timers.Min()
	if !ok {
		return
	}
	at := time.Unix(0, t.at).In(now.Location())
	if !a.wakeAt.IsZero() && !at.Before(a.wakeAt) {
		return
	}
	a.wakeAt = at
	plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: t.ap.key(), After: at.Sub(now)})
}
