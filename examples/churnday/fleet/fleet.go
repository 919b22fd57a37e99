// Package fleet is the cluster examples/churnday and examples/replay run:
// three DaemonSets (a log agent, fluent-bit; a node exporter; a CNI agent,
// cilium, on the host network at system-node-critical priority) and two
// ReplicaSets of workload, loaded with cluster/manifest from the embedded
// cluster.yaml, the node agent's latencies, the rollout both programs make
// and the summary they print (package sim/report).
package fleet

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/report"
)

//go:embed cluster.yaml
var clusterYAML []byte

// Source is the name the programs' changes carry in the event log.
const Source = "scenario"

// The DaemonSet rolled out in the middle of the run, and its new image.
const (
	RolloutNamespace = "monitoring"
	RolloutName      = "node-exporter"
	RolloutImage     = "quay.io/prometheus/node-exporter:v1.8.2"
)

// Workload sizes, per node: web replicas (4 CPU each) and batch replicas
// (12 CPU each) on 32-CPU nodes fill about 22% of the CPU.
const (
	WebPerNode   = 1.0
	BatchPerNode = 0.25
)

// Config is sim.NewDefault's configuration for the programs: pods Running
// after about 2 s, Ready 5 to 15 s later.
func Config(seed uint64) sim.DefaultConfig {
	return sim.DefaultConfig{
		Engine: sim.Config{Seed: seed, MaxSteps: 200_000_000},
		NodeAgent: sim.NodeAgentConfig{
			StartLatency: sim.LogNormal(2*time.Second, 0.3).Truncate(time.Millisecond),
			ReadyDelay:   sim.Uniform(5*time.Second, 15*time.Second).Truncate(time.Millisecond),
		},
	}
}

// Objects returns the embedded manifests' objects, the ReplicaSets scaled
// to nodes nodes (web WebPerNode × nodes, batch BatchPerNode × nodes).
// The objects are new on each call and the caller's.
func Objects(nodes int) ([]cluster.Object, error) {
	set, err := manifest.Load("cluster.yaml", clusterYAML)
	if err != nil {
		return nil, err
	}
	var out []cluster.Object
	for _, o := range set.Objects {
		if rs, ok := o.Object.(*cluster.ReplicaSet); ok {
			per := WebPerNode
			if rs.Name == "batch" {
				per = BatchPerNode
			}
			n := int32(per * float64(nodes))
			rs.Spec.Replicas = &n
		}
		out = append(out, o.Object)
	}
	return out, nil
}

// Observe registers a report observer on c, starting at c's now, and
// returns it. Register it before anything is created, so that it sees
// every node and pod. Errors: an observer already registered.
func Observe(c *sim.Cluster) (*report.Observer, error) {
	obs := report.New(c.Now())
	if err := c.Add(obs); err != nil {
		return nil, err
	}
	return obs, nil
}

// Submit submits the objects, sized to nodes nodes, at c's now. Errors:
// a bad manifest (a bug).
func Submit(c *sim.Cluster, nodes int) error {
	objs, err := Objects(nodes)
	if err != nil {
		return err
	}
	for _, o := range objs {
		c.Submit(c.Now(), Source, cluster.Create{Object: o})
	}
	return nil
}

// Rollout updates the rolled DaemonSet's image now (kubectl set image).
func Rollout(c *sim.Cluster) error {
	ds, ok := c.View().DaemonSet(RolloutNamespace, RolloutName)
	if !ok {
		return fmt.Errorf("daemonset %s/%s not found", RolloutNamespace, RolloutName)
	}
	next := ds.DeepCopy()
	next.Spec.Template.Spec.Containers[0].Image = RolloutImage
	c.Submit(c.Now(), Source, cluster.Update{Object: next})
	return nil
}
