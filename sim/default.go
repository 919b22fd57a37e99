package sim

import (
	"fmt"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim/drain"
	"github.com/daemonsim/daemonsim/sim/nodelifecycle"
	"github.com/daemonsim/daemonsim/sim/replicaset"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
)

// DefaultConfig configures NewDefault: the engine and each component. The
// zero value is usable: upstream settings, pods that start and become
// ready at once.
type DefaultConfig struct {
	Engine     Config
	DaemonSet  daemonset.Config
	ReplicaSet replicaset.Config
	Scheduler  scheduler.Config
	NodeAgent  NodeAgentConfig
	// NodeLifecycle's Start is set to the engine's start.
	NodeLifecycle nodelifecycle.Config
	Rollouts      daemonset.RolloutReporterConfig
}

// Cluster is an engine with every component wired in, in this
// registration (and so reconcile) order: the DaemonSet controller, the
// ReplicaSet controller (sim/replicaset), the scheduler, the node agent,
// the node lifecycle controller (sim/nodelifecycle), the taint eviction
// controller (sim/tainteviction), the pod garbage collector, the garbage
// collector, the disruption controller, drain (sim/drain: kubectl drain as
// a process, started by Drain) and the rollout reporter (an observer that
// writes only notes: RolloutStarted and RolloutFinished, and the reports
// Rollouts returns). The fields give access to each for tests and what-if
// calls.
type Cluster struct {
	*Engine
	DaemonSets       *daemonset.Controller
	ReplicaSets      *replicaset.Controller
	Scheduler        *scheduler.Scheduler
	NodeAgent        *NodeAgent
	NodeLifecycle    *nodelifecycle.Controller
	TaintEviction    *tainteviction.Controller
	PodGC            *PodGC
	GarbageCollector *GarbageCollector
	Disruption       *DisruptionController
	Drains           *drain.Controller
	Rollouts         *daemonset.RolloutReporter
}

// NewDefault returns a simulated cluster with an empty store and all
// components registered. Errors come from an invalid component config.
func NewDefault(cfg DefaultConfig) (*Cluster, error) {
	sched, err := scheduler.New(cfg.Scheduler)
	if err != nil {
		return nil, fmt.Errorf("sim: scheduler: %w", err)
	}
	lcfg := cfg.NodeLifecycle
	lcfg.Start = cfg.Engine.Start
	if lcfg.Start.IsZero() {
		lcfg.Start = Epoch
	}
	lifecycle, err := nodelifecycle.New(lcfg)
	if err != nil {
		return nil, fmt.Errorf("sim: node lifecycle: %w", err)
	}
	c := &Cluster{
		DaemonSets:       daemonset.New(cfg.DaemonSet),
		ReplicaSets:      replicaset.New(cfg.ReplicaSet),
		Scheduler:        sched,
		NodeLifecycle:    lifecycle,
		TaintEviction:    tainteviction.New(),
		PodGC:            NewPodGC(),
		GarbageCollector: NewGarbageCollector(),
		Disruption:       NewDisruptionController(),
		Drains:           drain.New(),
		Rollouts:         daemonset.NewRolloutReporter(cfg.Rollouts),
	}
	e, err := New(cfg.Engine, c.DaemonSets, c.ReplicaSets, c.Scheduler)
	if err != nil {
		return nil, err
	}
	c.Engine = e
	if c.NodeAgent, err = NewNodeAgent(cfg.NodeAgent); err != nil {
		return nil, err
	}
	for _, ctl := range []Controller{c.NodeAgent, c.NodeLifecycle, c.TaintEviction, c.PodGC, c.GarbageCollector,
		c.Disruption, c.Drains, c.Rollouts} {
		if err := e.Add(ctl); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Fail makes the bound pod key go Failed with reason and message now, as a
// container that exits for good or a kubelet rejection would (the node
// agent writes it at this instant). It returns an error if the pod does
// not exist or is not bound.
func (c *Cluster) Fail(key cluster.Key, reason, message string) error {
	p, ok := c.View().Pod(key.Namespace, key.Name)
	if !ok || !p.IsBound() {
		return fmt.Errorf("sim: pod %s is not bound to a node", key)
	}
	c.NodeAgent.Fail(key, reason, message)
	c.WakeAt(c.Now(), c.NodeAgent.Name(), key)
	return nil
}

// StopKubelet stops node's kubelet now: it stops posting status and
// renewing its lease (the node lifecycle controller turns the node Unknown
// after the grace period and taints it unreachable) and stops acting on
// its pods (the node agent). Errors: the node does not exist or its
// kubelet is already stopped.
func (c *Cluster) StopKubelet(node string) error {
	ch, err := nodelifecycle.StopKubelet(c.View(), node, c.Now())
	if err != nil {
		return err
	}
	c.Submit(c.Now(), NodeAgentName, ch)
	return nil
}

// StartKubelet starts node's stopped kubelet now: its lease is renewed
// again and, when ready is true, it posts its conditions as a healthy
// kubelet that comes back does (MemoryPressure, DiskPressure and
// PIDPressure False, Ready True), so the node lifecycle controller removes
// the not-ready and unreachable taints; the node agent carries on with the
// node's pods. Errors: the node does not exist or its kubelet is running.
func (c *Cluster) StartKubelet(node string, ready bool) error {
	ch, err := nodelifecycle.StartKubelet(c.View(), node, c.Now())
	if err != nil {
		return err
	}
	c.Submit(c.Now(), NodeAgentName, ch)
	if ready {
		n, _ := c.View().Node(node)
		cp := *n // the status write replaces the conditions slice, never writes it
		changed := false
		for _, cond := range kubeletConditions {
			changed = cluster.SetNodeCondition(&cp.Status, cond, c.Now()) || changed
		}
		if changed {
			c.Submit(c.Now(), NodeAgentName, cluster.UpdateStatus{Object: &cp})
		}
	}
	return nil
}

// kubeletConditions are the conditions a healthy kubelet posts, in its
// words (the pressure conditions False, Ready True).
var kubeletConditions = []cluster.NodeCondition{
	{Type: cluster.NodeMemoryPressure, Status: cluster.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
	{Type: cluster.NodeDiskPressure, Status: cluster.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
	{Type: cluster.NodePIDPressure, Status: cluster.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
	{Type: cluster.NodeReady, Status: cluster.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
}

// Drain starts kubectl drain of node now (see package sim/drain): cordon,
// evict the pods the options let it, retry refused evictions, wait for the
// pods to go. Its lines are notes and Drains.Result(node). Errors: invalid
// options or a drain of node still running.
func (c *Cluster) Drain(node string, o drain.Options) error {
	if err := c.Drains.Start(node, o, c.Now()); err != nil {
		return err
	}
	c.WakeAt(c.Now(), c.Drains.Name(), drain.NodeKey(node))
	return nil
}
