package tainteviction_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
	"github.com/daemonsim/daemonsim/taints"
)

// BenchmarkNodeTaintChange drives the controller by hand on a store of
// 1,000 nodes with 100 pods each (100,000 pods, each tolerating the taint
// for 300s): one op puts a NoExecute taint on a node or takes it off
// (scheduling or cancelling its 100 deletions). The cost should depend on
// the 100 pods, not on the 100,000.
func BenchmarkNodeTaintChange(b *testing.B) {
	const nodes, perNode = 1000, 100
	st := cluster.NewStore()
	now := sim.Epoch
	apply := func(c cluster.Change) cluster.Delta {
		d, err := st.Apply(now, c)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	for i := range nodes {
		apply(cluster.Create{Object: ct.Node(fmt.Sprintf("n%04d", i))})
	}
	for i := range nodes * perNode {
		apply(cluster.Create{Object: ct.Pod(fmt.Sprintf("default/p%06d", i), ct.OnNode(fmt.Sprintf("n%04d", i%nodes)),
			ct.Toleration(tol(taints.KeyNodeNotReady, taints.NoExecute, secs(300))))})
	}
	te := tainteviction.New()
	te.Sync(st)
	b.ResetTimer()
	for i := range b.N {
		now = now.Add(time.Second)
		name := fmt.Sprintf("n%04d", (i/2)%nodes)
		n, _ := st.Node(name)
		cp := n.DeepCopy()
		if i%2 == 0 {
			cp.Spec.Taints = []taints.Taint{noExec(taints.KeyNodeNotReady)}
		} else {
			cp.Spec.Taints = nil
		}
		te.Observe(apply(cluster.Update{Object: cp}))
		plan, _ := te.Reconcile(now, st)
		if len(plan.Notes) != 0 && i%2 == 0 || len(plan.Notes) != perNode && i%2 == 1 {
			b.Fatalf("op %d: %d notes", i, len(plan.Notes))
		}
	}
}
