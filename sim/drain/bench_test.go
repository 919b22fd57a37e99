package drain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/drain"
)

// BenchmarkDrain50Of2000Nodes drains 50 of 2,000 nodes (20 pods each,
// 40,000 pods) at once, from the drains' start to the last pod gone (one
// op). The cost is that of the 50 nodes' pods, not of the cluster.
func BenchmarkDrain50Of2000Nodes(b *testing.B) {
	const nodes, perNode, drained = 2000, 20, 50
	for b.Loop() {
		b.StopTimer()
		agent, err := sim.NewNodeAgent(sim.NodeAgentConfig{})
		if err != nil {
			b.Fatal(err)
		}
		dc := drain.New()
		e, err := sim.New(sim.Config{}, agent, sim.NewPodGC(), sim.NewDisruptionController(), dc)
		if err != nil {
			b.Fatal(err)
		}
		for i := range nodes {
			n := fmt.Sprintf("n%04d", i)
			e.Submit(e.Now(), "bench", cluster.Create{Object: ct.Node(n)})
			for j := range perNode {
				e.Submit(e.Now(), "bench", cluster.Create{Object: web(fmt.Sprintf("web-%04d-%02d", i, j), n)})
			}
		}
		if err := e.RunFor(time.Second); err != nil {
			b.Fatal(err)
		}
		start := e.LogLen()
		b.StartTimer()
		for i := range drained {
			n := fmt.Sprintf("n%04d", i)
			if err := dc.Start(n, drain.Options{}, e.Now()); err != nil {
				b.Fatal(err)
			}
			e.WakeAt(e.Now(), dc.Name(), drain.NodeKey(n))
		}
		if err := e.Stabilize(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for i := range drained {
			if r, _ := dc.Result(fmt.Sprintf("n%04d", i)); r.Phase != drain.Drained {
				b.Fatalf("%s: %s", r.Node, r.Phase)
			}
		}
		b.ReportMetric(float64(e.LogLen()-start), "events/op")
		b.StartTimer()
	}
}
