package tainteviction_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/tainteviction"
	"github.com/daemonsim/daemonsim/taints"
)

// A node gets a NoExecute taint at +10s: the pod that does not tolerate
// it is deleted at once, the one that tolerates it for 30s at +40s, and
// the one that tolerates it forever stays.
func Example() {
	thirty := int64(30)
	e, _ := sim.New(sim.Config{}, tainteviction.New())
	node := ct.Node("n1")
	e.Submit(e.Now(), "scenario", cluster.Create{Object: node})
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Pod("web", ct.OnNode("n1"))})
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Pod("batch", ct.OnNode("n1"),
		ct.Toleration(taints.Toleration{Key: "maintenance", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: &thirty}))})
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Pod("logger", ct.OnNode("n1"),
		ct.Toleration(taints.Toleration{Operator: taints.OpExists}))})
	tainted := node.DeepCopy()
	tainted.Spec.Taints = []taints.Taint{taints.MustParse("maintenance=soon:NoExecute")}
	e.SubmitAfter(10*time.Second, "scenario", cluster.Update{Object: tainted})
	if err := e.RunUntil(sim.Epoch.Add(time.Minute)); err != nil {
		panic(err)
	}
	fmt.Print(e.Timeline(4))
	// Output:
	// t=+10s #5 scenario: update node/n1 -> rev 5
	// t=+10s #6 taint-eviction-controller: note Normal TaintManagerEviction pod/default/web: Marking for deletion Pod default/web
	// t=+10s #7 taint-eviction-controller: update-status pod/default/web -> rev 6
	// t=+10s #8 taint-eviction-controller: delete pod/default/web -> rev 7
	// t=+40s #9 taint-eviction-controller: wake pod/default/batch
	// t=+40s #10 taint-eviction-controller: note Normal TaintManagerEviction pod/default/batch: Marking for deletion Pod default/batch
	// t=+40s #11 taint-eviction-controller: update-status pod/default/batch -> rev 8
	// t=+40s #12 taint-eviction-controller: delete pod/default/batch -> rev 9
}
