package churn_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
)

// Example generates a day of churn for six nodes in two racks from an
// engine's streams: crashes, a rack failure and a rolling maintenance.
func Example() {
	e, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	var nodes []churn.Node
	for i := range 6 {
		nodes = append(nodes, churn.Node{Name: fmt.Sprintf("n%d", i), Labels: selector.Set{"rack": fmt.Sprintf("r%d", i%2)}})
	}
	res, err := churn.Generate(e.Rand, nodes, 24*time.Hour,
		churn.Crash{FailuresPerNodeHour: 0.02, Downtime: sim.Fixed(20 * time.Minute)},
		churn.Correlated{DomainLabel: "rack", FailuresPerDomainHour: 0.04, Downtime: sim.Fixed(time.Hour)},
		churn.Maintenance{Start: 20 * time.Hour, Fraction: 0.5, DrainTime: 5 * time.Minute, Reboot: sim.Fixed(2 * time.Minute)},
	)
	if err != nil {
		panic(err)
	}
	for _, ev := range res.Events {
		fmt.Println(ev)
	}
	fmt.Println("made", res.Made, "dropped", len(res.Dropped))

	_, err = churn.Generate(e.Rand, nodes, time.Hour, churn.Crash{FailuresPerNodeHour: -1})
	fmt.Println(err)
	// Output:
	// 15h35m58.997667101s fail node/n5
	// 15h55m58.997667101s recover node/n5
	// 19h20m1.013235078s fail node/n4
	// 19h40m1.013235078s recover node/n4
	// 20h0m0s drain node/n3
	// 20h0m0s drain node/n4
	// 20h0m0s drain node/n5
	// 20h5m0s fail node/n3
	// 20h5m0s fail node/n4
	// 20h5m0s fail node/n5
	// 20h7m0s recover node/n3
	// 20h7m0s uncordon node/n3
	// 20h7m0s recover node/n4
	// 20h7m0s uncordon node/n4
	// 20h7m0s recover node/n5
	// 20h7m0s uncordon node/n5
	// 20h7m0s drain node/n2
	// 20h7m0s drain node/n0
	// 20h7m0s drain node/n1
	// 20h12m0s fail node/n2
	// 20h12m0s fail node/n0
	// 20h12m0s fail node/n1
	// 20h14m0s recover node/n2
	// 20h14m0s uncordon node/n2
	// 20h14m0s recover node/n0
	// 20h14m0s uncordon node/n0
	// 20h14m0s recover node/n1
	// 20h14m0s uncordon node/n1
	// 21h57m12.312726421s fail node/n1
	// 22h17m12.312726421s recover node/n1
	// 22h55m39.628156825s fail node/n0
	// 22h55m39.628156825s fail node/n2
	// 22h55m39.628156825s fail node/n4
	// 23h55m39.628156825s recover node/n0
	// 23h55m39.628156825s recover node/n2
	// 23h55m39.628156825s recover node/n4
	// made [6 6 24] dropped 0
	// generators[0].failuresPerNodeHour: Invalid value: -1: must be a finite number, not negative
}
