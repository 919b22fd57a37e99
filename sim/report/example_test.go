package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/report"
	"github.com/daemonsim/daemonsim/sim/trace"
)

func agent() *cluster.DaemonSet {
	labels := selector.Set{"app": "agent"}
	return &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: labels},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: labels},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}
}

// Two nodes run a DaemonSet for 300 s; a pod becomes Ready 10 s after
// it starts. At 100 s the pod on n2 fails; the DaemonSet controller
// replaces it, and the new pod is Ready at 110 s. So the DaemonSet covers
// none of its 2 nodes for the first 10 s and one of them from 100 s to
// 110 s: a mean of (0 + 90 + 5 + 190) / 300 = 95%, 20 s below full.
// Both nodes were uncovered for a while: n1 for 10 s, n2, the worst, for
// 20 s (the first 10 s and 100 s to 110 s).
func Example() {
	c, _ := sim.NewDefault(sim.DefaultConfig{NodeAgent: sim.NodeAgentConfig{ReadyDelay: sim.Fixed(10 * time.Second)}})
	obs := report.New(c.Now())
	_ = c.Add(obs)
	c.Submit(c.Now(), "example", cluster.Create{Object: agent()})
	rp := churn.NewReplayer(c, churn.NewSource([]trace.NodeEvent{
		{At: 0, Node: "n1", Type: trace.Add},
		{At: 0, Node: "n2", Type: trace.Add},
	}), churn.ReplayOptions{})
	if err := rp.RunUntil(sim.Epoch.Add(100 * time.Second)); err != nil {
		fmt.Println(err)
		return
	}
	for p := range c.View().PodsOnNode("n2") {
		_ = c.Fail(cluster.KeyOf(p), "Crashed", "the agent exited")
	}
	if err := rp.RunUntil(sim.Epoch.Add(300 * time.Second)); err != nil {
		fmt.Println(err)
		return
	}
	s := obs.Summary(c.Now(), c.Rollouts.Rollouts)
	_ = s.WriteText(os.Stdout)
	// Output:
	// run: 5m0s of simulated time
	//
	// DAEMONSET      MEAN-COVERAGE  MIN-COVERAGE  BELOW-100%  FINAL     NODES-UNCOVERED  WORST-NODE  WORST-UNCOVERED
	// default/agent  95.000%        0.000%        20s         100.000%  2                n2          20s
	//
	// PODS           CREATED  PREEMPTED  TAINT-EVICTED  API-EVICTED  POD-GC  OTHER  FAILED
	// default/agent  3        0          0              0            0       0      1
	// workload       0        0          0              0            0       0      0
	//
	// PENDING        BOUND  P50  P90  P99  MAX
	// daemon pods    3      0s   0s   0s   0s
	// workload pods  0      0s   0s   0s   0s
	//
	// NODES         MEAN  MIN  MAX  FINAL  NODE-HOURS
	// Ready         2.0   2    2    2      0.2
	// NotReady      0.0   0    0    0      0.0
	// Unknown       0.0   0    0    0      0.0
	// no condition  0.0   0    0    0      0.0
}
