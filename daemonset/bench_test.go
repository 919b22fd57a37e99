package daemonset_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/internal/pagefault"
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
			var faults int64
			for range b.N {
				b.StopTimer()
				c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 1, LogWindow: benchLogWindow(b)}, NodeAgent: sim.NodeAgentConfig{
					StartLatency: sim.Fixed(2 * time.Second), ReadyDelay: sim.Fixed(3 * time.Second)}})
				require.NoError(b, err)
				for i := range nodes {
					c.Submit(c.Now(), "bench", cluster.Create{Object: ct.Node(fmt.Sprintf("node-%05d", i), ct.CPU("8"), ct.Memory("32Gi"), ct.MaxPods("110"))})
				}
				require.NoError(b, c.Stabilize())
				for i := range 10 {
					c.Submit(c.Now(), "bench", cluster.Create{Object: newDS(fmt.Sprintf("agent-%d", i))})
				}
				runtime.GC() // the setup's garbage is not the measured phase's to collect
				elapsed, f := stabilizeTimed(b, c)
				total, faults = total+elapsed, faults+f
				for ds := range c.View().DaemonSets() {
					require.Equal(b, int32(nodes), ds.Status.NumberReady)
				}
			}
			b.ReportMetric(float64(10*nodes)*float64(b.N)/total.Seconds(), "pods/s")
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(faults)/float64(b.N), "faults/op")
		})
	}
}

// BenchmarkRollingUpdate measures a rollout of a new image over 5,000
// nodes through controller, scheduler and node agent: pods start at once,
// are Ready 20 s later and terminate at once (terminationGracePeriodSeconds
// 0). With maxUnavailable 1 that is 5,000 waves, about 28 hours of
// simulated time; with 10%, 10 waves. The cluster is built and settled
// before the timer starts; the timer covers the template update to the
// rollout's end.
func BenchmarkRollingUpdate(b *testing.B) {
	const nodes = 5_000
	for _, tc := range []struct {
		name string
		max  cluster.IntOrString
	}{
		{"5000Nodes_MaxUnavailable1", cluster.FromInt(1)},
		{"5000Nodes_MaxUnavailable10%", cluster.FromString("10%")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var total, simulated time.Duration
			var faults int64
			for range b.N {
				b.StopTimer()
				c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 1}, NodeAgent: sim.NodeAgentConfig{
					StartLatency: sim.Fixed(0), ReadyDelay: sim.Fixed(20 * time.Second)}})
				require.NoError(b, err)
				reporter := c.Rollouts
				for i := range nodes {
					c.Submit(c.Now(), "bench", cluster.Create{Object: ct.Node(fmt.Sprintf("node-%05d", i), ct.CPU("8"), ct.Memory("32Gi"), ct.MaxPods("110"))})
				}
				zero := int64(0)
				ds := newDS("agent", maxUnavailable(tc.max))
				ds.Spec.Template.Spec.TerminationGracePeriodSeconds = &zero
				c.Submit(c.Now(), "bench", cluster.Create{Object: ds})
				require.NoError(b, c.Stabilize())
				cur, _ := c.View().DaemonSet("default", "agent")
				cp := cur.DeepCopy()
				cp.Spec.Template.Spec.Containers[0].Image = "agent:2"
				c.Submit(c.Now(), "bench", cluster.Update{Object: cp})
				elapsed, f := stabilizeTimed(b, c)
				total, faults = total+elapsed, faults+f
				reports := reporter.Rollouts("default", "agent")
				require.Len(b, reports, 1)
				require.False(b, reports[0].End.IsZero())
				require.Equal(b, nodes, reports[0].Replaced)
				simulated += reports[0].Duration()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(faults)/float64(b.N), "faults/op")
			b.ReportMetric(simulated.Hours()/float64(b.N), "sim-h/run")
		})
	}
}

// stabilizeTimed runs c to a fixed point with the benchmark timer on and
// returns the wall time it took and the page faults it caused (the pages
// the kernel supplied on first touch: many in a cold run, few in a warm
// one).
func stabilizeTimed(b *testing.B, c *sim.Cluster) (time.Duration, int64) {
	b.StartTimer()
	start, faults := time.Now(), pagefault.Minor()
	require.NoError(b, c.Stabilize())
	elapsed, faults := time.Since(start), pagefault.Minor()-faults
	b.StopTimer()
	return elapsed, faults
}

// benchLogWindow is sim.Config.LogWindow for the benchmark:
// DAEMONSIM_LOG_WINDOW=N keeps only the last N events in memory (the
// issue 24 measurements), unset keeps the whole log.
func benchLogWindow(b *testing.B) int {
	v := os.Getenv("DAEMONSIM_LOG_WINDOW")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	require.NoError(b, err, "DAEMONSIM_LOG_WINDOW")
	return n
}
