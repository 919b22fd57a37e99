// Command timeline builds a small cluster, runs the simulation engine with
// a toy binder controller while nodes join at random (seeded) times, and
// prints the timeline of everything that happened and the final placement.
//
// The binder here is a stand-in that shows how a controller plugs into the
// engine (observe changes, reconcile dirty keys, return a plan); the real
// scheduler lives in the scheduler package.
//
//	go run ./examples/timeline            # seed 1
//	go run ./examples/timeline -seed 7    # another history, equally reproducible
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
)

// binder binds each pending pod to the node with the fewest pods (ties to
// the lowest name). Pods wait while there is no node.
type binder struct {
	pending map[cluster.Key]bool
}

func (b *binder) Name() string { return "binder" }

func (b *binder) Observe(d cluster.Delta) {
	if p, ok := d.New.(*cluster.Pod); ok && !p.IsBound() {
		b.pending[d.Key] = true
	}
}

func (b *binder) Wake(cluster.Key) {}

func (b *binder) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	load := map[string]int{}
	for p := range v.Pods() { // pods in (namespace, name) order
		if p.IsBound() {
			load[p.Spec.NodeName]++
			continue
		}
		if !b.pending[cluster.KeyOf(p)] {
			continue
		}
		best := ""
		for n := range v.Nodes() { // nodes by name: the first of equal load wins
			if best == "" || load[n.Name] < load[best] {
				best = n.Name
			}
		}
		if best == "" {
			continue // no node yet: stay pending until one is added
		}
		load[best]++
		delete(b.pending, cluster.KeyOf(p))
		plan.Changes = append(plan.Changes, cluster.Bind{Pod: cluster.KeyOf(p), Node: best})
	}
	return plan, nil
}

func run(w io.Writer, seed uint64) error {
	e, err := sim.New(sim.Config{Seed: seed}, &binder{pending: map[cluster.Key]bool{}})
	if err != nil {
		return err
	}
	// Three nodes join at random times within the first minute; a pod
	// arrives every 10 seconds. Pods that arrive before any node wait.
	for i := range 9 {
		at := e.Now().Add(time.Duration(i) * 10 * time.Second)
		e.Submit(at, "scenario", cluster.Create{Object: ct.Pod(fmt.Sprintf("default/web-%d", i), ct.Requests("cpu", "100m"))})
	}
	churn := e.Rand("churn")
	for i := range 3 {
		at := e.Now().Add(time.Duration(churn.IntN(60)) * time.Second)
		e.Submit(at, "scenario", cluster.Create{Object: ct.Node(fmt.Sprintf("node-%d", i))})
	}
	if err := e.Stabilize(); err != nil {
		return err
	}
	fmt.Fprintf(w, "timeline (seed %d):\n%s\nfinal placement:\n", seed, e.Timeline(0))
	for p := range e.View().Pods() {
		fmt.Fprintf(w, "  %s/%s -> %s\n", p.Namespace, p.Name, p.Spec.NodeName)
	}
	fmt.Fprintf(w, "state digest: %s\n", cluster.Digest(e.View())[:16])
	return nil
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives the same history")
	flag.Parse()
	if err := run(os.Stdout, *seed); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
