package sim_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
)

// Changes without an object are refused and logged; the engine, the
// timeline, the JSON Lines export and Replay do not panic.
func TestEngineRefusesChangesWithoutObjects(t *testing.T) {
	e, err := sim.New(sim.Config{})
	require.NoError(t, err)
	changes := []cluster.Change{
		nil,
		cluster.Create{},
		cluster.Create{Object: (*cluster.Pod)(nil)},
		cluster.Create{Object: (*cluster.Node)(nil), Handoff: true},
		cluster.Update{Object: (*cluster.DaemonSet)(nil)},
		cluster.UpdateStatus{Object: (*cluster.Pod)(nil)},
		cluster.UpdateStatus{Object: (*cluster.PodDisruptionBudget)(nil), Handoff: true},
	}
	for _, c := range changes {
		e.Submit(e.Now(), "scenario", c)
	}
	require.NotPanics(t, func() { require.NoError(t, e.Stabilize()) })
	log := e.Log()
	require.Len(t, log, len(changes))
	for _, ev := range log {
		assert.Contains(t, ev.Err, "invalid", "%s", sim.Describe(e.Now(), ev))
	}
	var out bytes.Buffer
	require.NotPanics(t, func() {
		_ = e.Timeline(0)
		require.NoError(t, e.WriteJSONL(&out))
	})
	var s *cluster.Store
	require.NotPanics(t, func() { s, err = sim.Replay(log) })
	require.NoError(t, err)
	assert.Equal(t, uint64(0), s.Revision())
}
