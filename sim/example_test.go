package sim_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/sim"
)

func Example() {
	e, _ := sim.New(sim.Config{Seed: 42})
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node("node-a")})
	e.SubmitAfter(90*time.Second, "scenario", cluster.Create{Object: ct.Pod("default/web", ct.OnNode("node-a"))})
	e.SubmitAfter(2*time.Minute, "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "web"}})
	if err := e.Stabilize(); err != nil {
		panic(err)
	}
	fmt.Print(e.Timeline(0))
	replayed, _ := sim.Replay(e.Log())
	fmt.Println("replay digest matches:", cluster.Digest(replayed) == cluster.Digest(e.View()))
	// Output:
	// t=+0s #1 scenario: create node/node-a -> rev 1
	// t=+1m30s #2 scenario: create pod/default/web -> rev 2
	// t=+2m0s #3 scenario: delete pod/default/web -> rev 3
	// replay digest matches: true
}
