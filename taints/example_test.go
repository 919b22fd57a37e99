package taints_test

import (
	"fmt"

	"github.com/daemonsim/daemonsim/taints"
)

func ExampleFindUntolerated() {
	node := []taints.Taint{
		taints.MustParse("node-role.kubernetes.io/control-plane:NoSchedule"),
		taints.MustParse("maintenance=true:NoExecute"),
	}
	tols := []taints.Toleration{{Key: taints.KeyControlPlane, Operator: taints.OpExists, Effect: taints.NoSchedule}}
	t, found := taints.FindUntolerated(node, tols, taints.DoNotScheduleFilter)
	fmt.Println(t, found)
	delay, evict := taints.EvictionDelay(node, tols)
	fmt.Println(delay, evict)
	// Output:
	// maintenance=true:NoExecute true
	// 0s true
}
