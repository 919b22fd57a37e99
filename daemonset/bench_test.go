package daemonset_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
)

// BenchmarkDaemonSets measures a cluster going from empty to every daemon
// pod Ready: the nodes exist, then 10 DaemonSets are created at once and
// the controller, the scheduler and the node agent (start latency 2 s,
// readiness 3 s) run to a fixed point. The metric pods/s counts
// Ready pods per second of wall time.
func BenchmarkDaemonSets(b *testing.B) {
	for _, nodes := range []int{5_000, 50_000} {
		b.Run(fmt.Sprintf("%dNodes_10DaemonSets", nodes), func(b *testing.B) {
			b.ReportAllocs()
			var total time.Duration
			for range b.N {
				b.StopTimer()
				c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 1}, NodeAgent: sim.NodeAgentConfig{
					StartLatency: sim.Fixed(2 * time.Second), ReadyDelay: sim.Fixed(3 * time.Second)}})
				require.NoError(b, err)
				for i := range nodes {
					c.Submit(c.Now(), "bench", cluster.Create{Object: ct.Node(fmt.Sprintf("node-%05d", i), ct.CPU("8"), ct.Memory("32Gi"), ct.MaxPods("110"))})
				}
				require.NoError(b, c.Stabilize())
				for i := range 10 {
					c.Submit(c.Now(), "bench", cluster.Create{Object: newDS(fmt.Sprintf("agent-%d", i))})
				}
				b.StartTimer()
				start := time.Now()
				require.NoError(b, c.Stabilize())
				total += time.Since(start)
				b.StopTimer()
				for ds := range c.View().DaemonSets() {
					require.Equal(b, int32(nodes), ds.Status.NumberReady)
				}
			}
			b.ReportMetric(float64(10*nodes)*float64(b.N)/total.Seconds(), "pods/s")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
		})
	}
}
