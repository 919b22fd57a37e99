package daemonset_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/sim"
)

// A rolling update on three nodes, followed by the RolloutReporter that
// sim.NewDefault registers, then
// `kubectl rollout status` and `kubectl rollout undo` on the result.
func Example_rollout() {
	c, _ := sim.NewDefault(sim.DefaultConfig{NodeAgent: sim.NodeAgentConfig{
		StartLatency: sim.Fixed(time.Second), ReadyDelay: sim.Fixed(4 * time.Second)}})
	for _, n := range []string{"n1", "n2", "n3"} {
		c.Submit(c.Now(), "me", cluster.Create{Object: node(n)})
	}
	c.Submit(c.Now(), "me", cluster.Create{Object: newDS("agent")})
	_ = c.Stabilize()

	ds, _ := c.View().DaemonSet("default", "agent")
	next := ds.DeepCopy()
	next.Spec.Template.Spec.Containers[0].Image = "agent:2"
	c.Submit(c.Now(), "me", cluster.Update{Object: next})
	_ = c.RunFor(time.Second)
	ds, _ = c.View().DaemonSet("default", "agent")
	msg, done, _ := daemonset.RolloutStatus(ds)
	fmt.Print(msg)
	fmt.Println("done:", done)

	_ = c.Stabilize()
	ds, _ = c.View().DaemonSet("default", "agent")
	msg, done, _ = daemonset.RolloutStatus(ds)
	fmt.Print(msg)
	fmt.Println("done:", done)
	r := c.Rollouts.Rollouts("default", "agent")[0]
	fmt.Println(r.Duration(), r.PeakUnavailable, r.Replaced)

	for _, cr := range daemonset.Revisions(c.View(), ds) {
		fmt.Println("revision", cr.Revision)
	}
	back, msg, err := daemonset.Rollback(c.View(), "default", "agent", 0)
	fmt.Println(msg, err, back.Spec.Template.Spec.Containers[0].Image)
	_, _, err = daemonset.Rollback(c.View(), "default", "agent", 5)
	fmt.Println(err)
	// Output:
	// Waiting for daemon set "agent" rollout to finish: 0 out of 3 new pods have been updated...
	// done: false
	// daemon set "agent" successfully rolled out
	// done: true
	// 1m45s 1 3
	// revision 1
	// revision 2
	// rolled back <nil> agent:1
	// unable to find specified revision 5 in history
}
