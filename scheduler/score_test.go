package scheduler_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

func preferLabel(weight int32, key, value string) ct.PodOption {
	return func(p *cluster.Pod) {
		if p.Spec.Affinity == nil {
			p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{}}
		}
		na := p.Spec.Affinity.NodeAffinity
		na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
			cluster.PreferredSchedulingTerm{Weight: weight, Preference: selector.NodeSelectorTerm{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: key, Operator: selector.NodeSelectorOpIn, Values: []string{value}}}}})
	}
}

func scoreOf(t *testing.T, d scheduler.Decision, node string) scheduler.NodeScore {
	t.Helper()
	for _, s := range d.Scores {
		if s.Node == node {
			return s
		}
	}
	require.Failf(t, "no score", "node %s", node)
	return scheduler.NodeScore{}
}

func TestScores(t *testing.T) {
	t.Run("PreferNoSchedule taints count, reversed", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p"),
			ct.Node("a", ct.Taint("x=:PreferNoSchedule"), ct.Taint("y=:PreferNoSchedule")),
			ct.Node("b", ct.Taint("x=:PreferNoSchedule")), ct.Node("c", ct.Taint("x=:PreferNoSchedule")))
		assert.Equal(t, int64(0), scoreOf(t, d, "a").TaintToleration)
		assert.Equal(t, int64(50), scoreOf(t, d, "b").TaintToleration)
		assert.Equal(t, "b", d.Node, "b and c tie; the lower name wins")
	})
	t.Run("a PreferNoSchedule toleration removes the penalty", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p", ct.Toleration(taints.Toleration{Key: "x", Operator: taints.OpExists, Effect: taints.PreferNoSchedule})),
			ct.Node("a", ct.Taint("x=:PreferNoSchedule")), ct.Node("b", ct.Taint("y=:PreferNoSchedule")))
		assert.Equal(t, int64(100), scoreOf(t, d, "a").TaintToleration)
		assert.Equal(t, int64(0), scoreOf(t, d, "b").TaintToleration)
		assert.Equal(t, "a", d.Node)
	})
	t.Run("preferred node affinity weights, normalised to the best", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p", preferLabel(10, "zone", "x"), preferLabel(30, "disk", "ssd")),
			ct.Node("a", ct.NodeLabels("zone", "x")), ct.Node("b", ct.NodeLabels("zone", "x", "disk", "ssd")), ct.Node("c", ct.NodeLabels("disk", "ssd")))
		assert.Equal(t, int64(25), scoreOf(t, d, "a").NodeAffinity)
		assert.Equal(t, int64(100), scoreOf(t, d, "b").NodeAffinity)
		assert.Equal(t, int64(75), scoreOf(t, d, "c").NodeAffinity)
		assert.Equal(t, "b", d.Node)
	})
	t.Run("LeastAllocated and BalancedAllocation", func(t *testing.T) {
		// a: 4 cpu 16Gi with 2 cpu, 2Gi used; b: empty.
		d := decide(t, scheduler.Config{}, ct.Pod("p", ct.Requests("cpu", "1", "memory", "2Gi")),
			ct.Node("a"), ct.Node("b"), ct.Pod("used", ct.OnNode("a"), ct.Requests("cpu", "2", "memory", "2Gi")))
		a, b := scoreOf(t, d, "a"), scoreOf(t, d, "b")
		// a: cpu (4000-3000)*100/4000 = 25, memory (16-4)*100/16 = 75 -> 50
		assert.Equal(t, int64(50), a.LeastAllocated)
		// b: cpu 75, memory 87 -> 81
		assert.Equal(t, int64(81), b.LeastAllocated)
		// v1.37 scores the change in balance: 50 + (50 + withPod - withoutPod) / 2.
		// a: with the pod |0.75-0.25|/2 = 0.25 -> 75, without |0.5-0.125|/2 =
		// 0.1875 -> 81: 50 + (50+75-81)/2 = 72. b: with |0.25-0.125|/2 =
		// 0.0625 -> 93, without 0 -> 100: 50 + (50+93-100)/2 = 71.
		assert.Equal(t, int64(72), a.BalancedAllocation)
		assert.Equal(t, int64(71), b.BalancedAllocation)
		assert.Equal(t, int64(3*100+2*0+81+71), b.Total)
		assert.Equal(t, "b", d.Node)
	})
	t.Run("containers without requests count the defaults for LeastAllocated only", func(t *testing.T) {
		d := decide(t, scheduler.Config{}, ct.Pod("p"), ct.Node("a", ct.CPU("1"), ct.Memory("1000Mi")), ct.Node("b", ct.CPU("1"), ct.Memory("1000Mi")))
		a := scoreOf(t, d, "a")
		// cpu (1000-100)*100/1000 = 90; memory (1000-200)*100/1000 = 80 -> 85
		assert.Equal(t, int64(85), a.LeastAllocated)
		assert.Equal(t, int64(0), a.BalancedAllocation, "skipped for a best-effort pod")
		assert.Equal(t, "a", d.Node)
	})
}

func TestPercentageOfNodesToScore(t *testing.T) {
	nodes := func(n int) []cluster.Object {
		out := make([]cluster.Object, n)
		for i := range out {
			out[i] = ct.Node(fmt.Sprintf("n%04d", i))
		}
		return out
	}
	tests := []struct {
		nodes, pct, scored int
	}{
		{50, 0, 50},     // below 100 nodes: all
		{150, 0, 100},   // 48% of 150 = 72, at least 100
		{1000, 0, 420},  // 50 - 8 = 42%
		{1000, 20, 200}, // configured
		{1000, 5, 100},  // at least 100
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d nodes %d%%", tc.nodes, tc.pct), func(t *testing.T) {
			d := decide(t, scheduler.Config{PercentageOfNodesToScore: int32(tc.pct)}, ct.Pod("p"), nodes(tc.nodes)...)
			assert.Len(t, d.Scores, tc.scored)
			assert.Equal(t, "n0000", d.Scores[0].Node, "the rotating start begins at index 0")
		})
	}
}

func TestConfigValidation(t *testing.T) {
	_, err := scheduler.New(scheduler.Config{PercentageOfNodesToScore: 101, BindLatency: -1, MinCandidateNodesPercentage: -1, MinCandidateNodesAbsolute: -2})
	require.Error(t, err)
	for _, want := range []string{"percentageOfNodesToScore: Invalid value: 101", "bindLatency: Invalid value: -1ns", "minCandidateNodesPercentage: Invalid value: -1", "minCandidateNodesAbsolute: Invalid value: -2"} {
		assert.Contains(t, err.Error(), want)
	}
	s, err := scheduler.New(scheduler.Config{})
	require.NoError(t, err)
	assert.Equal(t, "default-scheduler", s.Name())
	assert.Equal(t, int32(10), s.Config().MinCandidateNodesPercentage)
	assert.Equal(t, int32(100), s.Config().MinCandidateNodesAbsolute)
}
