package sim

import (
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

type noop struct{}

func (noop) Name() string          { return "noop" }
func (noop) Observe(cluster.Delta) {}
func (noop) Wake(cluster.Key)      {}
func (noop) Reconcile(time.Time, cluster.View) (cluster.Plan, error) {
	return cluster.Plan{}, nil
}

// BenchmarkEngineNoopEvents queues 1,000,000 wake-up events, one per
// virtual millisecond, for a controller that does nothing, and runs the
// engine to a fixed point: every event is popped, logged, delivered, and
// followed by a reconcile round. Reports events/s.
func BenchmarkEngineNoopEvents(b *testing.B) {
	const n = 1_000_000
	b.ReportAllocs()
	var elapsed time.Duration
	runs := 0
	for b.Loop() {
		start := time.Now()
		e, err := New(Config{}, noop{})
		if err != nil {
			b.Fatal(err)
		}
		key := cluster.Key{Kind: cluster.KindNode, Name: "n"}
		for i := range n {
			e.WakeAt(Epoch.Add(time.Duration(i)*time.Millisecond), "noop", key)
		}
		if err := e.Stabilize(); err != nil {
			b.Fatal(err)
		}
		if e.LogLen() != n {
			b.Fatalf("logged %d events", e.LogLen())
		}
		elapsed += time.Since(start)
		runs++
	}
	b.ReportMetric(float64(n*runs)/elapsed.Seconds(), "events/s")
}
