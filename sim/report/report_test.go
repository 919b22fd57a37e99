package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func ds(avail, desired int32) *cluster.DaemonSet {
	return &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Namespace: "ns", Name: "agent"},
		Status: cluster.DaemonSetStatus{NumberAvailable: avail, DesiredNumberScheduled: desired}}
}

var dsKey0 = cluster.Key{Kind: cluster.KindDaemonSet, Namespace: "ns", Name: "agent"}

// round observes deltas and reconciles at now, as the engine would.
func round(o *Observer, now time.Time, ds ...cluster.Delta) {
	for _, d := range ds {
		o.Observe(d)
	}
	_, _ = o.Reconcile(now, nil)
}

// Coverage from a hand-computed status history: 4/4 for 10 s, 2/4 for
// 20 s, 3/4 for 30 s, 4/4 for 40 s: mean (10 + 10 + 22.5 + 40) / 100 =
// 0.825, min 0.5, 50 s below full. A value written and overwritten at one
// instant (0/4 at 60 s) is not held; desired 0 is not counted.
func TestCoverage(t *testing.T) {
	o := New(t0)
	var prev *cluster.DaemonSet
	step := func(s float64, vs ...*cluster.DaemonSet) {
		var deltas []cluster.Delta
		for _, v := range vs {
			deltas = append(deltas, cluster.Delta{Key: dsKey0, Old: prev, New: v})
			prev = v
		}
		round(o, at(s), deltas...)
	}
	step(0, ds(0, 0), ds(4, 4))
	step(10, ds(2, 4))
	step(30, ds(3, 4))
	step(60, ds(0, 4), ds(4, 4))
	s := o.Summary(at(100), nil)
	require.Len(t, s.DaemonSets, 1)
	c := s.DaemonSets[0].Coverage
	assert.InDelta(t, 0.825, c.Mean, 1e-12)
	assert.Equal(t, 0.5, c.Min)
	assert.Equal(t, 50.0, c.BelowFullSeconds)
	assert.Equal(t, 100.0, c.CountedSeconds)
	assert.Equal(t, 1.0, c.Final)

	// Summary does not change the observer; the run goes on: 100 s more
	// at 0/0 (not counted), then 1/2 for 50 s
	again := o.Summary(at(100), nil)
	assert.Equal(t, s, again)
	step(100, ds(0, 0))
	step(200, ds(1, 2))
	s = o.Summary(at(250), nil)
	c = s.DaemonSets[0].Coverage
	assert.InDelta(t, (82.5+25)/150, c.Mean, 1e-12)
	assert.Equal(t, 150.0, c.CountedSeconds)
	assert.Equal(t, 100.0, c.BelowFullSeconds)
	assert.Equal(t, 0.5, c.Final)

	// Reset starts the figures at now and keeps the status: 1/2 from 250 s
	o.Reset(at(250))
	s = o.Summary(at(260), nil)
	c = s.DaemonSets[0].Coverage
	assert.Equal(t, Coverage{Mean: 0.5, Min: 0.5, BelowFullSeconds: 10, CountedSeconds: 10, Final: 0.5}, c)
	assert.Equal(t, 10.0, s.DurationSeconds)
}

func pod(name string, owner string, node string, created time.Time) *cluster.Pod {
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: "ns", Name: name, CreationTimestamp: created}}
	if owner != "" {
		yes := true
		p.OwnerReferences = []cluster.OwnerReference{{Kind: "DaemonSet", Name: owner, Controller: &yes}}
	}
	p.Spec.NodeName = node
	return p
}

func podKey(name string) cluster.Key {
	return cluster.Key{Kind: cluster.KindPod, Namespace: "ns", Name: name}
}

// Pending times: 100 workload pods created at 0 and bound at 1 s, 2 s,
// ..., 100 s (in a shuffled order) have nearest-rank percentiles p50 =
// 50 s, p90 = 90 s, p99 = 99 s and max 100 s (closed form: the p-th
// percentile of 1..n is ceil(p·n/100)). Daemon pods are counted apart.
func TestPendingPercentiles(t *testing.T) {
	o := New(t0)
	const n = 100
	for i := 1; i <= n; i++ {
		o.Observe(cluster.Delta{Key: podKey(name(i)), Slot: uint64(i), New: pod(name(i), "", "", t0)})
	}
	o.Observe(cluster.Delta{Key: podKey("d"), Slot: 1000, New: pod("d", "agent", "", t0)})
	round(o, t0)
	for k := 1; k <= n; k++ {
		i := (k*37)%n + 1 // every pod once, not in creation order
		old := pod(name(i), "", "", t0)
		round(o, at(float64(k)), cluster.Delta{Key: podKey(name(i)), Slot: uint64(i), Old: old, New: pod(name(i), "", "node", t0)})
	}
	round(o, at(7), cluster.Delta{Key: podKey("d"), Slot: 1000, Old: pod("d", "agent", "", t0), New: pod("d", "agent", "node", t0)})
	s := o.Summary(at(200), nil)
	assert.Equal(t, Percentiles{Count: n, P50Seconds: 50, P90Seconds: 90, P99Seconds: 99, MaxSeconds: 100}, s.WorkloadPending)
	assert.Equal(t, Percentiles{Count: 1, P50Seconds: 7, P90Seconds: 7, P99Seconds: 7, MaxSeconds: 7}, s.DaemonPending)
	assert.Equal(t, n, s.Workload.Created)
	require.Len(t, s.DaemonSets, 1)
	assert.Equal(t, 1, s.DaemonSets[0].Pods.Created)
}

func name(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

func TestPercentilesSmall(t *testing.T) {
	for _, tc := range []struct {
		in   []time.Duration
		want Percentiles
	}{
		{nil, Percentiles{}},
		{[]time.Duration{3 * time.Second, time.Second}, Percentiles{Count: 2, P50Seconds: 1, P90Seconds: 3, P99Seconds: 3, MaxSeconds: 3}},
		{[]time.Duration{4, 1, 3, 2, 5, 6, 7, 8, 9, 10}, Percentiles{Count: 10, P50Seconds: 5e-9, P90Seconds: 9e-9, P99Seconds: 10e-9, MaxSeconds: 10e-9}},
	} {
		assert.Equal(t, tc.want, percentiles(tc.in), "%v", tc.in)
	}
}

func withCondition(p *cluster.Pod, reason string) *cluster.Pod {
	p.Status.Conditions = append(p.Status.Conditions, cluster.PodCondition{Type: cluster.DisruptionTarget,
		Status: cluster.ConditionTrue, Reason: reason})
	return p
}

// Each disruption counts once, by the reason of the DisruptionTarget
// condition, for the pod's DaemonSet or the workload; a Failed pod with
// the condition (pod GC marks it Failed) is not also a failure.
func TestDisruptions(t *testing.T) {
	o := New(t0)
	type step struct {
		name, owner, reason string
		failed, leave       bool
	}
	slots := map[string]uint64{}
	prev := map[string]*cluster.Pod{}
	for i, s := range []step{
		{name: "a", owner: "agent"}, {name: "a", owner: "agent", reason: "PreemptionByScheduler"},
		{name: "a", owner: "agent", reason: "PreemptionByScheduler"}, {name: "a", leave: true},
		{name: "b", owner: "agent", reason: "DeletionByTaintManager"},
		{name: "c"}, {name: "c", reason: "EvictionByEvictionAPI"},
		{name: "d", reason: "DeletionByPodGC", failed: true},
		{name: "e", failed: true}, {name: "e", failed: true},
		{name: "f", reason: "SomethingElse"},
	} {
		if _, ok := slots[s.name]; !ok {
			slots[s.name] = uint64(i + 1)
		}
		d := cluster.Delta{Key: podKey(s.name), Slot: slots[s.name], Old: nilIfMissing(prev[s.name])}
		if !s.leave {
			p := pod(s.name, s.owner, "node", t0)
			if s.reason != "" {
				withCondition(p, s.reason)
			}
			if s.failed {
				p.Status.Phase = cluster.PodFailed
			}
			d.New = p
			prev[s.name] = p
		}
		round(o, at(float64(i)), d)
	}
	s := o.Summary(at(20), nil)
	require.Len(t, s.DaemonSets, 1)
	assert.Equal(t, PodCounts{Created: 2, Preempted: 1, TaintEvicted: 1}, s.DaemonSets[0].Pods)
	assert.Equal(t, PodCounts{Created: 4, APIEvicted: 1, PodGCDeleted: 1, OtherDisrupted: 1, Failed: 1}, s.Workload)
}

func nilIfMissing(p *cluster.Pod) cluster.Object {
	if p == nil {
		return nil
	}
	return p
}

func node(name string, ready cluster.ConditionStatus) *cluster.Node {
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}}
	if ready != "" {
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: ready}}
	}
	return n
}

// Three nodes Ready from 0 s; n2 NotReady from 10 s to 40 s, then Unknown
// from 40 s to 70 s and Ready again; n3 leaves at 80 s. Over 100 s: Ready
// 300 − 60 − 20 = 220 node-seconds (mean 2.2), NotReady 30, Unknown 30.
func TestNodes(t *testing.T) {
	o := New(t0)
	key := func(n string) cluster.Key { return cluster.Key{Kind: cluster.KindNode, Name: n} }
	round(o, t0, cluster.Delta{Key: key("n1"), New: node("n1", "True")},
		cluster.Delta{Key: key("n2"), New: node("n2", "")}, cluster.Delta{Key: key("n2"), Old: node("n2", ""), New: node("n2", "True")},
		cluster.Delta{Key: key("n3"), New: node("n3", "True")})
	round(o, at(10), cluster.Delta{Key: key("n2"), Old: node("n2", "True"), New: node("n2", "False")})
	round(o, at(40), cluster.Delta{Key: key("n2"), Old: node("n2", "False"), New: node("n2", "Unknown")})
	round(o, at(70), cluster.Delta{Key: key("n2"), Old: node("n2", "Unknown"), New: node("n2", "True")})
	round(o, at(80), cluster.Delta{Key: key("n3"), Old: node("n3", "True")})
	s := o.Summary(at(100), nil)
	assert.Equal(t, NodeCount{Mean: 2.2, Min: 2, Max: 3, Final: 2, NodeHours: 220.0 / 3600}, s.Nodes.Ready)
	assert.Equal(t, NodeCount{Mean: 0.3, Min: 0, Max: 1, Final: 0, NodeHours: 30.0 / 3600}, s.Nodes.NotReady)
	assert.Equal(t, NodeCount{Mean: 0.3, Min: 0, Max: 1, Final: 0, NodeHours: 30.0 / 3600}, s.Nodes.Unknown)
	assert.Equal(t, NodeCount{}, s.Nodes.NoCondition, "n2 had no condition only within an instant")
}

// The JSON names are lowerCamel and documented; a round trip keeps the
// summary.
func TestJSON(t *testing.T) {
	o := New(t0)
	round(o, t0, cluster.Delta{Key: dsKey0, New: ds(1, 2)})
	s := o.Summary(at(10), nil)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	for _, k := range []string{`"daemonSets"`, `"coverage"`, `"belowFullSeconds"`, `"taintEvicted"`, `"apiEvicted"`,
		`"podGCDeleted"`, `"workloadPending"`, `"p99Seconds"`, `"notReady"`, `"nodeHours"`, `"rollouts": []`} {
		assert.Contains(t, buf.String(), k)
	}
	var back Summary
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, s, back)
}

// Reconcile changes nothing.
func TestReconcileEmpty(t *testing.T) {
	o := New(t0)
	o.Observe(cluster.Delta{Key: dsKey0, New: ds(1, 2)})
	p, err := o.Reconcile(t0, nil)
	require.NoError(t, err)
	assert.True(t, p.Empty())
}
