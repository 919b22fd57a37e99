package cluster_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

func ExampleStore_Fork() {
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	s := cluster.NewStore()
	s.Apply(now, cluster.Create{Object: ct.Node("node-a")})
	s.Apply(now, cluster.Create{Object: ct.Pod("default/web", ct.Requests("cpu", "500m"))})

	// What if we bind web to node-a? Try it on a fork; the store is untouched.
	fork := s.Fork()
	d, err := fork.Apply(now, cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "web"}, Node: "node-a"})
	fmt.Println(err, d.New.(*cluster.Pod).Spec.NodeName)
	for p := range fork.PodsOnNode("node-a") {
		fmt.Println("fork:", p.Name)
	}
	n := 0
	for range s.PodsOnNode("node-a") {
		n++
	}
	fmt.Println("store:", n, "pods on node-a")

	// Bad input is refused whole, with field paths.
	_, err = s.Apply(now, cluster.Create{Object: ct.Pod("default/bad", ct.Requests("cpu", "-1"))})
	fmt.Println(err)
	// Output:
	// <nil> node-a
	// fork: web
	// store: 0 pods on node-a
	// create pod/default/bad: spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0
}
