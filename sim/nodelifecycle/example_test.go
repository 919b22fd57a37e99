package nodelifecycle_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/nodelifecycle"
)

// A node's kubelet stops 11 s in: the node goes Unknown at 70 s, and the
// same pass queues it for its NoExecute taint, which the tick at 70 s adds
// with the NoSchedule one in one update. The pass at 75 s looks at the
// node again (its Ready changed) and has nothing to do.
func Example() {
	c, _ := nodelifecycle.New(nodelifecycle.Config{})
	e, _ := sim.New(sim.Config{}, c)
	for _, name := range []string{"n1", "n2"} {
		n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}}
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue}}
		e.Submit(e.Now(), "scenario", cluster.Create{Object: n})
	}
	_ = e.RunUntil(sim.Epoch.Add(11 * time.Second))
	stop, _ := nodelifecycle.StopKubelet(e.View(), "n1", e.Now())
	e.Submit(e.Now(), "scenario", stop)
	_ = e.Stabilize()
	for _, ev := range e.Log() {
		if ev.Source == c.Name() {
			fmt.Println(sim.Describe(sim.Epoch, ev))
		}
	}
	n1, _ := e.View().Node("n1")
	ready, _ := n1.Condition(cluster.NodeReady)
	fmt.Println(ready.Status, ready.Reason)
	for _, t := range n1.Spec.Taints {
		fmt.Println(t, t.TimeAdded.Sub(sim.Epoch))
	}
	// Output:
	// t=+0s #3 node-lifecycle-controller: note Normal RegisteredNode node/n1: Registered Node n1 in Controller
	// t=+0s #4 node-lifecycle-controller: note Normal RegisteredNode node/n2: Registered Node n2 in Controller
	// t=+1m10s #6 node-lifecycle-controller: wake node/n1
	// t=+1m10s #7 node-lifecycle-controller: note Normal NodeNotReady node/n1: Node n1 status is now: NodeNotReady
	// t=+1m10s #8 node-lifecycle-controller: update-status node/n1 -> rev 4
	// t=+1m10s #9 node-lifecycle-controller: update node/n1 -> rev 5
	// t=+1m15s #10 node-lifecycle-controller: wake node/n1
	// Unknown NodeStatusUnknown
	// node.kubernetes.io/unreachable:NoExecute 1m10s
	// node.kubernetes.io/unreachable:NoSchedule 1m10s
}
