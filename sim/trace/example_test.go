package trace_test

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// Example reads a small trace and applies each event's writes to a store;
// the drain is a process a controller runs (ErrProcess).
func Example() {
	const in = `# a node joins, fails, recovers, is drained and leaves
time,node,event,labels,taints,cpu,memory,pods
0s,n1,add,topology.kubernetes.io/zone=a,,16,64Gi,110
1h,n1,fail,,,,,
1h5m,n1,recover,,,,,
2h,n1,drain,,,,,
3h,n1,remove,,,,,
`
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	store := cluster.NewStore()
	r := trace.NewCSVReader("churn.csv", strings.NewReader(in))
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		changes, err := ev.Changes(store, nil, start.Add(ev.At))
		if err != nil {
			fmt.Printf("%s: %v\n", ev, err)
			continue
		}
		for _, c := range changes {
			if _, err := store.Apply(start.Add(ev.At), c); err != nil {
				fmt.Println(err)
				return
			}
			fmt.Printf("%s: %s %s\n", ev, c.Verb(), c.Target())
		}
	}
	fmt.Println("nodes:", store.NodeCount())

	_, err := trace.ReadAll(trace.NewCSVReader("bad.csv", strings.NewReader("time,node,event\n0s,n1,ad\n")))
	fmt.Println(err)
	// Output:
	// 0s add node/n1: create node/n1
	// 1h0m0s fail node/n1: update-status node/n1
	// 1h5m0s recover node/n1: update-status node/n1
	// 2h0m0s drain node/n1: node/n1: drain: not a store change: a controller runs it
	// 3h0m0s remove node/n1: delete node/n1
	// nodes: 0
	// bad.csv:2:7: event: unknown "ad" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)
}
