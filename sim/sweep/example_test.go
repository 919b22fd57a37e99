package sweep_test

import (
	"fmt"
	"os"
	"strconv"

	"github.com/daemonsim/daemonsim/sim/sweep"
)

// A sweep of a toy "rollout": its duration is the nodes over the batch
// size, plus a little that depends on the seed.
func Example() {
	s := &sweep.Sweep{
		Name:   "toy",
		Params: []sweep.Param{{Name: "batch", Values: []string{"1", "10"}}},
		Seeds:  sweep.Seeds(1, 4),
		Simulate: func(r sweep.Run) (sweep.Figures, error) {
			batch, err := strconv.Atoi(r.Param("batch"))
			if err != nil {
				return nil, err
			}
			return sweep.Figures{"minutes": 100/float64(batch) + float64(r.Seed%3)}, nil
		},
	}
	results, err := s.Run(2)
	if err != nil {
		fmt.Println(err)
		return
	}
	agg, _ := sweep.Aggregate(results)
	_ = agg.WriteText(os.Stdout)
	// Output:
	// batch=1 (4 runs)
	// FIGURE   N  MEAN     ±95%   P50      P90      P99      MIN      MAX
	// minutes  4  101.000  1.299  101.000  102.000  102.000  100.000  102.000
	//
	// batch=10 (4 runs)
	// FIGURE   N  MEAN    ±95%   P50     P90     P99     MIN     MAX
	// minutes  4  11.000  1.299  11.000  12.000  12.000  10.000  12.000
}
