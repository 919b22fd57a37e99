package drain_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/drain"
)

// A drain of n1, whose two pods of the ReplicaSet web are guarded by a
// budget with minAvailable 1: the first eviction takes the one disruption
// allowed, the second is refused (429) and retried 5 s later, by when the
// ReplicaSet's replacement runs on n2 and the budget allows one again.
func Example() {
	c, err := sim.NewDefault(sim.DefaultConfig{})
	if err != nil {
		panic(err)
	}
	drains := c.Drains
	yes, one := true, cluster.FromInt(1)
	rs := ct.ReplicaSet("web", 2)
	rs.UID = "rs-web"
	objs := []cluster.Object{ct.Node("n1"), ct.Node("n2"), rs,
		&cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "web"}}}}}
	for _, name := range []string{"web-0", "web-1"} {
		p := ct.Pod(name, ct.OnNode("n1"), ct.PodLabels("app", "web"))
		p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: "rs-web", Controller: &yes}}
		objs = append(objs, p)
	}
	for _, o := range objs {
		c.Submit(c.Now(), "scenario", cluster.Create{Object: o})
	}
	if err := c.RunFor(time.Second); err != nil {
		panic(err)
	}

	ten := int64(10)
	if err := c.Drain("n1", drain.Options{GracePeriodSeconds: &ten}); err != nil {
		panic(err)
	}
	if err := c.RunFor(time.Minute); err != nil {
		panic(err)
	}

	r, _ := drains.Result("n1")
	for _, l := range r.Lines {
		fmt.Printf("+%s %s\n", l.At.Sub(r.Started), l.Text)
	}
	fmt.Println(r.Phase)
	for p := range c.View().PodsOnNode("n2") {
		fmt.Println("on n2:", p.Name, p.IsReady())
	}
	// Output:
	// +0s node/n1 cordoned
	// +0s evicting pod default/web-0
	// +0s evicting pod default/web-1
	// +0s error when evicting pods/"web-1" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.
	// +5s evicting pod default/web-1
	// +10s pod/web-0 evicted
	// +15s pod/web-1 evicted
	// +15s node/n1 drained
	// Drained
	// on n2: web-h2z79 true
	// on n2: web-h2z7b true
}
