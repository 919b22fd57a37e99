package churn

import (
	"io"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/sim/trace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const realTrace = "../../data/google-2011-machine_events.csv.gz"

// TestGoogleFigures recounts, from the shipped 2011 machine_events table,
// every figure the package doc and the Google* constants state.
func TestGoogleFigures(t *testing.T) {
	if _, err := os.Stat(realTrace); err != nil {
		t.Skipf("the 2011 trace is not here (%v): see data/README.md", err)
	}
	r, err := trace.OpenGoogle2011(realTrace, trace.Google2011Options{})
	require.NoError(t, err)
	defer r.Close()

	present := map[string]bool{}
	seen := map[string]bool{}
	removedAt := map[string]time.Duration{}
	var last, end time.Duration
	nodeHours := 0.0
	var downs []time.Duration
	var removes []time.Duration
	newAfterZero := 0
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		nodeHours += float64(len(present)) * (ev.At - last).Hours()
		last, end = ev.At, ev.At
		switch ev.Type {
		case trace.Add:
			if at, ok := removedAt[ev.Node]; ok {
				downs = append(downs, ev.At-at)
				delete(removedAt, ev.Node)
			} else if ev.At > 0 && !seen[ev.Node] {
				newAfterZero++
			}
			present[ev.Node] = true
			seen[ev.Node] = true
		case trace.Remove:
			delete(present, ev.Node)
			removedAt[ev.Node] = ev.At
			removes = append(removes, ev.At)
		}
	}
	assert.InDelta(t, 696.15, end.Hours(), 0.005)
	assert.InDelta(t, GoogleNodeHours, nodeHours, 1)
	assert.Equal(t, 106, newAfterZero)
	assert.Len(t, removedAt, 97, "removed and never back")
	assert.Len(t, removes, 8957)
	assert.Len(t, downs, 8860)

	slices.Sort(downs)
	q := func(p float64) time.Duration { return downs[int(p*float64(len(downs)-1))] }
	assert.Equal(t, 998, int(q(0.5).Seconds()))
	assert.Equal(t, 397, int(q(0.25).Seconds()))
	assert.Equal(t, 7137, int(q(0.75).Seconds()))
	assert.Equal(t, 98, int(q(0.1).Seconds()))
	assert.Equal(t, 31160, int(q(0.9).Seconds()))
	sigma := math.Log(q(0.75).Seconds()/q(0.25).Seconds()) / 1.349
	assert.InDelta(t, 2.14, sigma, 0.005)

	// Bursts: REMOVEs each within 120 s of the one before.
	var bursts [][]time.Duration
	for i, at := range removes {
		if i == 0 || at-removes[i-1] > 120*time.Second {
			bursts = append(bursts, nil)
		}
		bursts[len(bursts)-1] = append(bursts[len(bursts)-1], at)
	}
	var large [][]time.Duration
	inLarge := 0
	for _, b := range bursts {
		if len(b) >= 10 {
			large = append(large, b)
			inLarge += len(b)
		}
	}
	assert.Len(t, large, 53)
	assert.Equal(t, 1329, inLarge)
	followed := 0
	for i := range large[:len(large)-1] {
		if large[i+1][0]-large[i][len(large[i])-1] <= time.Hour {
			followed++
		}
	}
	assert.Equal(t, 22, followed)
	assert.InDelta(t, GoogleSecondBurst, float64(followed)/float64(len(large)-1), 1e-12)
	assert.InDelta(t, GoogleBurstsPerHour, float64(len(large))/696.15, 1e-12)
	sizes := make([]int, len(large))
	for i, b := range large {
		sizes[i] = len(b)
	}
	slices.Sort(sizes)
	assert.Equal(t, 13, sizes[len(sizes)/2])
	assert.Equal(t, 168, sizes[len(sizes)-1])
	assert.InDelta(t, 25, float64(inLarge)/float64(len(large)), 0.1)

	// Crash and Correlated together give the trace's REMOVE rate.
	lone := GoogleLoneRemovePerNodeHour*GoogleNodeHours + float64(inLarge) + 97
	assert.InDelta(t, 8957, lone, 1e-6)
}
