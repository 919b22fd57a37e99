package scheduler_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim"
)

// TestEquivalenceChangesNothing runs one busy scenario twice, with the
// equivalence-class memos and without, and requires the same log byte for
// byte: waves of identical pods of several priorities, preemption with
// PDBs and grace periods, nominations, node changes and deletions while
// pods wait.
func TestEquivalenceChangesNothing(t *testing.T) {
	run := func(memo bool) (string, int) {
		c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 7}, NodeAgent: sim.NodeAgentConfig{
			StartLatency: sim.Uniform(time.Second, 3*time.Second), ReadyDelay: sim.Fixed(time.Second)}})
		require.NoError(t, err)
		if !memo {
			scheduler.DisableEquivalence(c.Scheduler)
		}
		at := c.Now()
		submit := func(after time.Duration, ch cluster.Change) { c.Submit(at.Add(after), "test", ch) }
		for _, o := range []cluster.Object{ct.PriorityClass("low", 10), ct.PriorityClass("mid", 100), ct.PriorityClass("high", 1000),
			pdbFor("guard", 3, "app", "guarded")} {
			submit(0, cluster.Create{Object: o})
		}
		for i := range 40 {
			opts := []ct.NodeOption{ct.CPU([]string{"2", "4", "3"}[i%3]), ct.Memory("8Gi"), ct.MaxPods("110")}
			if i%7 == 0 {
				opts = append(opts, ct.NodeLabels("disk", "ssd"))
			}
			if i%11 == 0 {
				opts = append(opts, ct.Taint("dedicated=infra:NoSchedule"))
			}
			submit(0, cluster.Create{Object: ct.Node(fmt.Sprintf("node-%02d", i), opts...)})
		}
		grace := func(s int64) ct.PodOption {
			return func(p *cluster.Pod) { p.Spec.TerminationGracePeriodSeconds = &s }
		}
		for i := range 120 {
			opts := []ct.PodOption{ct.PriorityClassName("low"), ct.Requests("cpu", "1", "memory", "1Gi"), grace(int64(i % 3 * 5))}
			if i%4 == 0 {
				opts = append(opts, ct.PodLabels("app", "guarded"))
			}
			submit(time.Duration(i%5)*time.Second, cluster.Create{Object: ct.Pod(fmt.Sprintf("low-%03d", i), opts...)})
		}
		for i := range 60 {
			class, cpu := "high", "1"
			if i%3 == 0 {
				class, cpu = "mid", "700m"
			}
			opts := []ct.PodOption{ct.PriorityClassName(class), ct.Requests("cpu", cpu, "memory", "1Gi")}
			if i%10 == 0 {
				opts = append(opts, ct.NodeSelector("disk", "ssd"))
			}
			submit(10*time.Second+time.Duration(i/20)*7*time.Second, cluster.Create{Object: ct.Pod(fmt.Sprintf("hi-%03d", i), opts...)})
		}
		submit(15*time.Second, cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "node-05"}})
		submit(20*time.Second, cluster.Create{Object: ct.Node("node-99", ct.CPU("8"), ct.Memory("8Gi"), ct.MaxPods("110"))})
		require.NoError(t, c.RunFor(2*time.Minute))
		var buf bytes.Buffer
		require.NoError(t, c.WriteJSONL(&buf))
		preempted := 0
		for ev := range c.Events(0) {
			if ev.Note != nil && ev.Note.Reason == "Preempted" {
				preempted++
			}
		}
		return buf.String(), preempted
	}
	with, preemptions := run(true)
	without, _ := run(false)
	assert.Greater(t, preemptions, 10, "the scenario preempts")
	require.Equal(t, without, with)
}
