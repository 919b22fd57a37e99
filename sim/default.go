package sim

import (
	"fmt"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim/replicaset"
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
	Rollouts   daemonset.RolloutReporterConfig
}

// Cluster is an engine with every component wired in, in this
// registration (and so reconcile) order: the DaemonSet controller, the
// ReplicaSet controller (package sim/replicaset), the scheduler, the node agent, the pod garbage collector, the garbage
// collector, the disruption controller and the rollout reporter (an
// observer that writes only notes: RolloutStarted and RolloutFinished, and
// the reports Rollouts returns). The fields give access to each for tests
// and what-if calls.
type Cluster struct {
	*Engine
	DaemonSets       *daemonset.Controller
	ReplicaSets      *replicaset.Controller
	Scheduler        *scheduler.Scheduler
	NodeAgent        *NodeAgent
	PodGC            *PodGC
	GarbageCollector *GarbageCollector
	Disruption       *DisruptionController
	Rollouts         *daemonset.RolloutReporter
}

// NewDefault returns a simulated cluster with an empty store and all
// components registered. Errors come from an invalid component config.
func NewDefault(cfg DefaultConfig) (*Cluster, error) {
	sched, err := scheduler.New(cfg.Scheduler)
	if err != nil {
		return nil, fmt.Errorf("sim: scheduler: %w", err)
	}
	c := &Cluster{
		DaemonSets:       daemonset.New(cfg.DaemonSet),
		ReplicaSets:      replicaset.New(cfg.ReplicaSet),
		Scheduler:        sched,
		PodGC:            NewPodGC(),
		GarbageCollector: NewGarbageCollector(),
		Disruption:       NewDisruptionController(),
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
	for _, ctl := range []Controller{c.NodeAgent, c.PodGC, c.GarbageCollector, c.Disruption, c.Rollouts} {
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
