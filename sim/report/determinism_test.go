package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/report"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// churnSummary runs six hours of generated churn (crashes, kubelet stops,
// maintenance) on 60 nodes with one DaemonSet and returns the summary as
// JSON.
func churnSummary(t *testing.T, seed uint64) []byte {
	t.Helper()
	c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: seed},
		NodeAgent: sim.NodeAgentConfig{ReadyDelay: sim.Uniform(5*time.Second, 15*time.Second)}})
	require.NoError(t, err)
	obs := report.New(c.Now())
	require.NoError(t, c.Add(obs))
	c.Submit(c.Now(), "test", cluster.Create{Object: agent()})
	for i := range 60 {
		c.Submit(c.Now(), "test", cluster.Create{Object: trace.NewNode(nil, trace.NodeEvent{Node: fmt.Sprintf("n%02d", i)}, c.Now())})
	}
	require.NoError(t, c.RunFor(time.Minute))
	gen, err := churn.Generate(c.Rand, churn.NodesOf(c.View()), 6*time.Hour,
		churn.Crash{FailuresPerNodeHour: 0.01, Downtime: churn.GoogleDowntime()}, churn.DefaultKubeletStop(), churn.DefaultMaintenance())
	require.NoError(t, err)
	rp := churn.NewReplayer(c, churn.NewSource(gen.Events), churn.ReplayOptions{})
	require.NoError(t, rp.RunUntil(c.Now().Add(6*time.Hour)))
	s := obs.Summary(c.Now(), c.Rollouts.Rollouts)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	return buf.Bytes()
}

// The same seed gives the same summary, byte for byte; another seed
// another.
func TestDeterminism(t *testing.T) {
	a, b, other := churnSummary(t, 5), churnSummary(t, 5), churnSummary(t, 6)
	assert.Equal(t, string(a), string(b))
	assert.NotEqual(t, string(a), string(other))
	// the per-node figures are in it, and not trivially: churn leaves
	// nodes without a daemon pod
	var m struct {
		DaemonSets []struct {
			Coverage report.Coverage `json:"coverage"`
		} `json:"daemonSets"`
	}
	require.NoError(t, json.Unmarshal(a, &m))
	require.Len(t, m.DaemonSets, 1)
	c := m.DaemonSets[0].Coverage
	assert.Positive(t, c.NodesUncovered)
	assert.NotEmpty(t, c.WorstNode)
	assert.Positive(t, c.WorstNodeUncoveredSeconds)
}
