package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
)

// TestRunGolden pins the output for seed 1; go test -update rewrites it.
func TestRunGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 1000, 1))
	golden.Check(t, "testdata/seed1.golden", out.Bytes())
}

// Whatever the seed: the same seed gives the same rollouts; every rollout
// ends; maxUnavailable bounds the unavailability the rollout causes (nodes
// that join add theirs until their pod is ready); a surge rollout keeps a
// ready pod on every node that had one; and a faster rollout sees less
// churn.
func TestRollBehaviour(t *testing.T) {
	const nodes = 200
	for _, seed := range []uint64{1, 2, 99} {
		var results []result
		for _, s := range strategies {
			a, err := roll(s, nodes, seed)
			require.NoError(t, err)
			b, err := roll(s, nodes, seed)
			require.NoError(t, err)
			assert.Equal(t, a, b, "seed %d %s", seed, s.name)
			assert.False(t, a.report.End.IsZero())
			results = append(results, a)
		}
		one, tenth, surge := results[0].report, results[1].report, results[2].report
		assert.Equal(t, []int{1, 0}, []int{one.MaxUnavailable, one.MaxSurge})
		assert.Equal(t, []int{20, 0}, []int{tenth.MaxUnavailable, tenth.MaxSurge}, "10% of 200")
		assert.Equal(t, []int{0, 20}, []int{surge.MaxUnavailable, surge.MaxSurge})
		assert.LessOrEqual(t, one.PeakUnavailable, 1+1, "one pod, plus a node that just joined")
		assert.LessOrEqual(t, tenth.PeakUnavailable, 20+1)
		assert.LessOrEqual(t, surge.PeakUnavailable, 1, "only a node that just joined")
		assert.LessOrEqual(t, len(surge.Downtime), results[2].churned)
		assert.Greater(t, one.Duration(), tenth.Duration())
		assert.Greater(t, tenth.Duration(), surge.Duration())
		assert.Greater(t, results[0].churned, results[1].churned)
		for _, r := range results {
			// every original node still there was replaced; nodes that
			// joined run the new revision from the start
			assert.LessOrEqual(t, r.report.Replaced, nodes)
			assert.GreaterOrEqual(t, r.report.Replaced, nodes-r.churned)
		}
	}
}
