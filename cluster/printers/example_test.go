package printers_test

import (
	"os"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/cluster/printers"
)

func ExampleNodes() {
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	s := cluster.NewStore()
	for _, n := range []*cluster.Node{
		ct.Node("cp-1", ct.NodeLabels("node-role.kubernetes.io/control-plane", "")),
		ct.Node("worker-1", ct.Unschedulable()),
		ct.Node("worker-2", ct.NotReady()),
	} {
		if _, err := s.Apply(start, cluster.Create{Object: n}); err != nil {
			panic(err)
		}
	}
	if err := printers.Nodes(os.Stdout, s, start.Add(51*time.Hour), printers.Options{}); err != nil {
		panic(err)
	}
	// Output:
	// NAME       STATUS                     ROLES           AGE    VERSION
	// cp-1       Ready                      control-plane   2d3h
	// worker-1   Ready,SchedulingDisabled   <none>          2d3h
	// worker-2   NotReady                   <none>          2d3h
}
