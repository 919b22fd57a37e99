package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
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
// from its own named stream, in the order the binds are applied); a pod may
// fail instead (FailureProbability, or Fail); a pod being deleted leaves
// the store when its grace period ends (deletionTimestamp). Pods on a node
// that no longer exists are left to the pod garbage collector. It
// implements Controller.
//
// The agent keeps its own timers, ordered by (time, key), and asks the
// engine for one wake-up per instant at which some pod is due, not one per
// pod: the wake-up names the first pod due then, and the round it starts
// handles every pod due at that instant.
type NodeAgent struct {
	e      *Engine
	cfg    NodeAgentConfig
	pods   map[cluster.Key]*agentPod
	dirty  []cluster.Key
	spare  []cluster.Key // the previous round's dirty array, reused
	mark   map[cluster.Key]bool
	timers *btree.BTreeG[agentTimer]
	wakeAt time.Time // the earliest wake-up asked of the engine and not yet come; zero if none
}

// agentTimer is a pod's next due time. Timers are a set ordered by (at,
// key); one left behind by a pod that moved on is harmless, because a due
// pod is checked against its own state.
type agentTimer struct {
	at  time.Time
	key cluster.Key
}

func timerLess(a, b agentTimer) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.key.Compare(b.key) < 0
}

type agentStage uint8

const (
	stageStarting agentStage = iota
	stageRunning             // waiting for readiness
	stageDone                // ready or failed: nothing more until deletion
)

type agentPod struct {
	stage   agentStage
	at      time.Time // when the next stage is due
	fail    bool
	reason  string
	message string
}

// NewNodeAgent returns a node agent drawing from e's streams and registers
// it on e. Errors: an invalid distribution or probability, or a name clash.
func NewNodeAgent(e *Engine, cfg NodeAgentConfig) (*NodeAgent, error) {
	if err := cfg.StartLatency.Validate(); err != nil {
		return nil, fmt.Errorf("sim: StartLatency: %w", err)
	}
	if err := cfg.ReadyDelay.Validate(); err != nil {
		return nil, fmt.Errorf("sim: ReadyDelay: %w", err)
	}
	if !(cfg.FailureProbability >= 0 && cfg.FailureProbability <= 1) {
		return nil, fmt.Errorf("sim: FailureProbability must be in [0, 1], got %v", cfg.FailureProbability)
	}
	a := &NodeAgent{e: e, cfg: cfg, pods: map[cluster.Key]*agentPod{}, mark: map[cluster.Key]bool{},
		timers: btree.NewG(16, timerLess)}
	if err := e.Add(a); err != nil {
		return nil, err
	}
	return a, nil
}

// Name returns NodeAgentName.
func (a *NodeAgent) Name() string { return NodeAgentName }

func (a *NodeAgent) touch(k cluster.Key) {
	if !a.mark[k] {
		a.mark[k] = true
		a.dirty = append(a.dirty, k)
	}
}

// Fail makes the pod go Failed with reason and message at the current
// instant, as a container that exits for good or a kubelet rejection
// would. It returns an error if the pod does not exist or is not bound.
func (a *NodeAgent) Fail(key cluster.Key, reason, message string) error {
	p, ok := a.e.store.Pod(key.Namespace, key.Name)
	if !ok || !p.IsBound() {
		return fmt.Errorf("sim: pod %s is not bound to a node", key)
	}
	ap := a.pods[key]
	if ap == nil {
		ap = &agentPod{}
		a.pods[key] = ap
	}
	ap.stage, ap.at, ap.fail, ap.reason, ap.message = stageStarting, a.e.now, true, reason, message
	a.e.WakeAt(a.e.now, a.Name(), key)
	return nil
}

// Observe starts the clock on newly bound pods and on graceful deletions.
func (a *NodeAgent) Observe(d cluster.Delta) {
	if d.Key.Kind != cluster.KindPod {
		return
	}
	o, _ := d.Old.(*cluster.Pod)
	n, _ := d.New.(*cluster.Pod)
	switch {
	case n == nil:
		delete(a.pods, d.Key)
	case n.IsTerminating():
		if o == nil || !o.IsTerminating() || !o.DeletionTimestamp.Equal(*n.DeletionTimestamp) {
			a.touch(d.Key) // handled at the deletion timestamp
		}
	case n.IsBound() && (o == nil || !o.IsBound()) && !n.IsTerminal():
		ap := &agentPod{stage: stageStarting, at: a.e.now.Add(a.cfg.StartLatency.Draw(a.e.Rand(StreamStartLatency)))}
		if a.cfg.FailureProbability > 0 && a.e.Rand(StreamFailure).Float64() < a.cfg.FailureProbability {
			ap.fail, ap.reason, ap.message = true, ReasonSimulatedFailure, "the node agent failed the pod (simulated)"
		}
		a.pods[d.Key] = ap
		a.touch(d.Key)
	}
}

// Wake marks the pod named by a wake-up; the round also takes every other
// pod whose timer is due.
func (a *NodeAgent) Wake(k cluster.Key) { a.touch(k) }

// after sets a timer for k at at.
func (a *NodeAgent) after(at time.Time, k cluster.Key) {
	a.timers.ReplaceOrInsert(agentTimer{at, k})
}

// Reconcile moves every marked or due pod whose time has come to its next
// stage, in key order, and asks to be woken at the earliest timer left.
// Cost: O((pods touched + timers due) · log timers).
func (a *NodeAgent) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	if !a.wakeAt.After(now) {
		a.wakeAt = time.Time{} // the wake-up asked for has come
	}
	for {
		t, ok := a.timers.Min()
		if !ok || t.at.After(now) {
			break
		}
		a.timers.DeleteMin()
		a.touch(t.key)
	}
	a.advance(&plan, now, view)
	a.askWake(&plan, now)
	return plan, nil
}

// advance handles the marked pods in key order.
func (a *NodeAgent) advance(plan *cluster.Plan, now time.Time, view cluster.View) {
	keys := a.dirty
	a.dirty = a.spare[:0]
	defer func() { a.spare = keys[:0] }()
	for _, k := range keys {
		delete(a.mark, k) // O(marked), where clear is O(the map's high-water size)
	}
	slices.SortFunc(keys, cluster.Key.Compare)
	for _, k := range keys {
		p, ok := view.Pod(k.Namespace, k.Name)
		if !ok || !p.IsBound() {
			continue
		}
		if _, ok := view.Node(p.Spec.NodeName); !ok {
			delete(a.pods, k) // no kubelet left: pod GC's business
			continue
		}
		if p.IsTerminating() {
			if at := *p.DeletionTimestamp; now.Before(at) {
				a.after(at, k)
				continue
			}
			zero := int64(0)
			plan.Changes = append(plan.Changes, cluster.Delete{Key: k, GracePeriodSeconds: &zero})
			delete(a.pods, k)
			continue
		}
		ap := a.pods[k]
		if ap == nil || ap.stage == stageDone || p.IsTerminal() {
			continue
		}
		if now.Before(ap.at) {
			a.after(ap.at, k)
			continue
		}
		cp := *p
		cp.Status.Conditions = slices.Clone(p.Status.Conditions)
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
			delay := a.cfg.ReadyDelay.Draw(a.e.Rand(StreamReadyDelay))
			if delay == 0 {
				cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue}, now)
				ap.stage = stageDone
			} else {
				cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, Reason: "ContainersNotReady"}, now)
				ap.stage, ap.at = stageRunning, now.Add(delay)
				a.after(ap.at, k)
			}
		case ap.stage == stageRunning:
			cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue}, now)
			ap.stage = stageDone
		}
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp})
	}
}

// askWake asks the engine for a wake-up at the earliest timer, unless one
// at or before it is already coming.
func (a *NodeAgent) askWake(plan *cluster.Plan, now time.Time) {
	t, ok := a.timers.Min()
	if !ok || (!a.wakeAt.IsZero() && !t.at.Before(a.wakeAt)) {
		return
	}
	a.wakeAt = t.at
	plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: t.key, After: t.at.Sub(now)})
}
