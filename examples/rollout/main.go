// Command rollout rolls a new image over a 1,000-node DaemonSet three
// times, with maxUnavailable 1, maxUnavailable 10% and maxSurge 10%, while
// nodes come and go, and prints for each the simulated rollout duration,
// the peak unavailability, the pods replaced and the time nodes spent
// without a ready daemon pod, side by side.
//
// Each run is the same cluster with the same seed: the controller, the
// scheduler and the node agent of sim.NewDefault (pods Running after
// about 2 s, Ready 5 to 15 s later, stopping within a 10 s grace period),
// its rollout reporter for the figures, and churn during the
// rollout: every 2 simulated minutes one node, drawn from the "churn"
// random stream, leaves and a new one joins.
//
//	go run ./examples/rollout                 # 1,000 nodes, seed 1
//	go run ./examples/rollout -nodes 5000 -seed 7
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
)

// churnEvery is how often one node leaves and another joins.
const churnEvery = 2 * time.Minute

// strategy is one way to roll.
type strategy struct {
	name                     string
	maxUnavailable, maxSurge cluster.IntOrString
}

var strategies = []strategy{
	{"maxUnavailable 1", cluster.FromInt(1), cluster.FromInt(0)},
	{"maxUnavailable 10%", cluster.FromString("10%"), cluster.FromInt(0)},
	{"maxSurge 10%", cluster.FromInt(0), cluster.FromString("10%")},
}

// nodeExporter is the DaemonSet rolled: image v1, the given strategy.
func nodeExporter(s strategy) *cluster.DaemonSet {
	labels := selector.Set{"app": "node-exporter"}
	grace := int64(10)
	return &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: "node-exporter", Namespace: "monitoring"},
		Spec: cluster.DaemonSetSpec{
			Selector: &selector.LabelSelector{MatchLabels: labels},
			UpdateStrategy: cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: &s.maxUnavailable, MaxSurge: &s.maxSurge}},
			Template: cluster.PodTemplateSpec{
				ObjectMeta: cluster.ObjectMeta{Labels: labels},
				Spec: cluster.PodSpec{
					HostNetwork:                   true,
					TerminationGracePeriodSeconds: &grace,
					Containers: []cluster.Container{{Name: "node-exporter", Image: "prom/node-exporter:v1.8.0",
						Resources: cluster.ResourceRequirements{Requests: ct.Resources("cpu", "100m", "memory", "180Mi")}}},
				},
			},
		},
	}
}

func node(name string) *cluster.Node {
	return ct.Node(name, ct.CPU("8"), ct.Memory("32Gi"), ct.MaxPods("110"))
}

// result is what one rollout did.
type result struct {
	report  daemonset.RolloutReport
	churned int
}

// roll builds the cluster, lets the DaemonSet settle, updates the image
// and runs until the rollout ends, with churn.
func roll(s strategy, nodes int, seed uint64) (result, error) {
	c, err := sim.NewDefault(sim.DefaultConfig{
		Engine: sim.Config{Seed: seed},
		NodeAgent: sim.NodeAgentConfig{
			StartLatency: sim.LogNormal(2*time.Second, 0.3).Truncate(time.Millisecond),
			ReadyDelay:   sim.Uniform(5*time.Second, 15*time.Second).Truncate(time.Millisecond),
		},
	})
	if err != nil {
		return result{}, err
	}
	names := make([]string, nodes)
	for i := range names {
		names[i] = fmt.Sprintf("node-%05d", i)
		c.Submit(c.Now(), "scenario", cluster.Create{Object: node(names[i])})
	}
	c.Submit(c.Now(), "scenario", cluster.Create{Object: nodeExporter(s)})
	if err := c.Stabilize(); err != nil {
		return result{}, err
	}
	ds, _ := c.View().DaemonSet("monitoring", "node-exporter")
	next := ds.DeepCopy()
	next.Spec.Template.Spec.Containers[0].Image = "prom/node-exporter:v1.8.2"
	c.Submit(c.Now(), "scenario", cluster.Update{Object: next})

	churn := c.Rand("churn")
	var res result
	for range 10_000 {
		if err := c.RunFor(churnEvery); err != nil {
			return result{}, err
		}
		if reports := c.Rollouts.Rollouts("monitoring", "node-exporter"); len(reports) > 0 && !reports[0].End.IsZero() {
			res.report = reports[0]
			return res, c.Stabilize()
		}
		i := churn.IntN(len(names))
		c.Submit(c.Now(), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: names[i]}})
		names[i] = fmt.Sprintf("node-%05d", nodes+res.churned)
		c.Submit(c.Now(), "scenario", cluster.Create{Object: node(names[i])})
		res.churned++
	}
	return result{}, fmt.Errorf("%s: the rollout did not end", s.name)
}

func run(w io.Writer, nodes int, seed uint64) error {
	results := make([]result, len(strategies))
	for i, s := range strategies {
		r, err := roll(s, nodes, seed)
		if err != nil {
			return err
		}
		results[i] = r
	}
	fmt.Fprintf(w, "rolling node-exporter v1.8.0 -> v1.8.2 over %d nodes (seed %d; every %s a node leaves and one joins)\n\n",
		nodes, seed, churnEvery)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	row := func(label string, f func(r *result) string) {
		cells := []string{label}
		for i := range results {
			cells = append(cells, f(&results[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	cells := []string{""}
	for _, s := range strategies {
		cells = append(cells, s.name)
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	row("resolved maxUnavailable / maxSurge", func(r *result) string {
		return fmt.Sprintf("%d / %d", r.report.MaxUnavailable, r.report.MaxSurge)
	})
	row("rollout duration (simulated)", func(r *result) string { return r.report.Duration().String() })
	row("peak unavailable pods", func(r *result) string { return fmt.Sprint(r.report.PeakUnavailable) })
	row("pods replaced", func(r *result) string { return fmt.Sprint(r.report.Replaced) })
	row("nodes without a ready pod", func(r *result) string { return fmt.Sprint(len(r.report.Downtime)) })
	row("  mean time without one", func(r *result) string {
		_, mean, _ := r.report.DowntimeStats()
		return mean.Round(time.Millisecond).String()
	})
	row("  longest time without one", func(r *result) string {
		_, _, maxd := r.report.DowntimeStats()
		return maxd.Round(time.Millisecond).String()
	})
	row("  node-hours without one", func(r *result) string {
		total, _, _ := r.report.DowntimeStats()
		return fmt.Sprintf("%.2f", total.Hours())
	})
	row("nodes replaced by churn", func(r *result) string { return fmt.Sprint(r.churned) })
	return tw.Flush()
}

func main() {
	nodes := flag.Int("nodes", 1000, "nodes in the cluster")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(os.Stdout, *nodes, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "rollout:", err)
		os.Exit(1)
	}
}
