package scheduler_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/internal/pagefault"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim"
)

// The benchmarks are named after upstream scheduler_perf workloads so their
// numbers can be set beside its thresholds. Each runs the scheduler
// through the engine: the measured pods are created (validated, admitted
// and stored) at one instant, the scheduler places them in one pass and
// the engine applies the binds, and for preemption the victims' deletions
// and the retries. The metric pods/s counts measured pods bound per
// second of wall time, end to end; sched-pods/s counts them per second
// spent inside the scheduler (its Observe and Reconcile) only.

func benchNode(name string) *cluster.Node {
	return ct.Node(name, ct.CPU("4"), ct.Memory("32Gi"), ct.MaxPods("110"))
}

// timed wraps the scheduler to measure the wall time spent inside it
// (Observe and Reconcile), apart from the store's work.
type timed struct {
	*scheduler.Scheduler
	on    bool
	spent time.Duration
}

func (t *timed) Observe(d cluster.Delta) {
	if !t.on {
		t.Scheduler.Observe(d)
		return
	}
	start := time.Now()
	t.Scheduler.Observe(d)
	t.spent += time.Since(start)
}

func (t *timed) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	if !t.on {
		return t.Scheduler.Reconcile(now, v)
	}
	start := time.Now()
	p, err := t.Scheduler.Reconcile(now, v)
	t.spent += time.Since(start)
	return p, err
}

// runBench builds the cluster with setup (untimed), then times submitting
// the measured pods and stabilizing, and checks they all bound.
func runBench(b *testing.B, setup []cluster.Object, measured func(i int) *cluster.Pod, n int) {
	b.ReportAllocs()
	b.ResetTimer() // building setup is not measured, in time or allocations
	var total, inScheduler time.Duration
	var faults int64
	for range b.N {
		b.StopTimer()
		sched, err := scheduler.New(scheduler.Config{})
		require.NoError(b, err)
		s := &timed{Scheduler: sched}
		e, err := sim.New(sim.Config{Seed: 1}, s)
		require.NoError(b, err)
		for _, o := range setup {
			e.Submit(e.Now(), "bench", cluster.Create{Object: o})
		}
		require.NoError(b, e.Stabilize())
		pods := make([]*cluster.Pod, n)
		for i := range pods {
			pods[i] = measured(i)
		}
		at := e.Now().Add(time.Second)
		s.on = true
		runtime.GC() // the setup's garbage is not the measured phase's to collect
		b.StartTimer()
		start, faults0 := time.Now(), pagefault.Minor()
		for _, p := range pods {
			e.Submit(at, "bench", cluster.Create{Object: p})
		}
		require.NoError(b, e.Stabilize())
		total += time.Since(start)
		faults += pagefault.Minor() - faults0
		b.StopTimer()
		inScheduler += s.spent
		bound := 0
		for _, p := range pods {
			if q, ok := e.View().Pod(p.Namespace, p.Name); ok && q.IsBound() {
				bound++
			}
		}
		require.Equal(b, n, bound, "every measured pod bound")
	}
	b.ReportMetric(float64(n)*float64(b.N)/total.Seconds(), "pods/s")
	b.ReportMetric(float64(n)*float64(b.N)/inScheduler.Seconds(), "sched-pods/s")
	b.ReportMetric(float64(faults)/float64(b.N), "faults/op")
}

func BenchmarkSchedulingBasic(b *testing.B) {
	b.Run("5000Nodes_10000Pods", func(b *testing.B) {
		var setup []cluster.Object
		for i := range 5000 {
			setup = append(setup, benchNode(fmt.Sprintf("node-%05d", i)))
		}
		for i := range 1000 {
			setup = append(setup, ct.Pod(fmt.Sprintf("init-%05d", i), ct.Requests("cpu", "100m", "memory", "500Mi")))
		}
		runBench(b, setup, func(i int) *cluster.Pod {
			return ct.Pod(fmt.Sprintf("pod-%05d", i), ct.Requests("cpu", "100m", "memory", "500Mi"))
		}, 10000)
	})
}

func BenchmarkSchedulingDaemonset(b *testing.B) {
	b.Run("15000Nodes", func(b *testing.B) {
		var setup []cluster.Object
		for i := range 15000 {
			setup = append(setup, benchNode(fmt.Sprintf("node-%05d", i)))
		}
		runBench(b, setup, func(i int) *cluster.Pod {
			node := fmt.Sprintf("node-%05d", i%15000)
			return ct.Pod(fmt.Sprintf("ds%d-%s", i/15000, node), ct.Requests("cpu", "100m", "memory", "200Mi"), matchFields(node))
		}, 30000)
	})
}

func BenchmarkPreemptionBasic(b *testing.B) {
	b.Run("5000Nodes", func(b *testing.B) {
		setup := []cluster.Object{ct.PriorityClass("low", 10), ct.PriorityClass("high", 1000)}
		for i := range 5000 {
			setup = append(setup, benchNode(fmt.Sprintf("node-%05d", i)))
		}
		zero := int64(0)
		for i := range 20000 {
			setup = append(setup, ct.Pod(fmt.Sprintf("low-%05d", i), ct.PriorityClassName("low"), ct.Requests("cpu", "1", "memory", "1Gi"),
				func(p *cluster.Pod) { p.Spec.TerminationGracePeriodSeconds = &zero }))
		}
		runBench(b, setup, func(i int) *cluster.Pod {
			return ct.Pod(fmt.Sprintf("high-%05d", i), ct.PriorityClassName("high"), ct.Requests("cpu", "1", "memory", "1Gi"))
		}, 5000)
	})
}
