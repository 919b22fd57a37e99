package nodelifecycle

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func TestComputeZoneState(t *testing.T) {
	tests := []struct {
		ready, notReady int
		want            ZoneState
	}{
		{0, 0, StateNormal},
		{0, 1, StateFullDisruption},
		{0, 7, StateFullDisruption},
		{1, 2, StateNormal},              // two not ready is never partial
		{2, 3, StatePartialDisruption},   // 60%
		{9, 11, StatePartialDisruption},  // exactly 55%
		{10, 11, StateNormal},            // 52%
		{7, 3, StateNormal},              // 30%
		{45, 55, StatePartialDisruption}, // 55% in float32
		{1, 100, StatePartialDisruption}, // some ready: partial, not full
		{100, 0, StateNormal},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ComputeZoneState(tc.ready, tc.notReady, 0.55), "%d ready, %d not ready", tc.ready, tc.notReady)
	}
}

func TestZoneKey(t *testing.T) {
	tests := []struct {
		labels map[string]string
		want   string
	}{
		{nil, ""},
		{map[string]string{"x": "y"}, ""},
		{map[string]string{LabelTopologyZone: "a"}, ":\x00:a"},
		{map[string]string{LabelTopologyRegion: "r"}, "r:\x00:"},
		{map[string]string{LabelTopologyRegion: "r", LabelTopologyZone: "a"}, "r:\x00:a"},
		{map[string]string{LabelFailureDomainBetaRegion: "r", LabelFailureDomainBetaZone: "b"}, "r:\x00:b"},
		// the stable labels win
		{map[string]string{LabelTopologyZone: "a", LabelFailureDomainBetaZone: "b"}, ":\x00:a"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ZoneKey(&cluster.Node{ObjectMeta: cluster.ObjectMeta{Labels: tc.labels}}), "%v", tc.labels)
	}
}

func TestNoScheduleTaints(t *testing.T) {
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	now := t0.Add(time.Minute)
	cond := func(typ cluster.NodeConditionType, st cluster.ConditionStatus) cluster.NodeCondition {
		return cluster.NodeCondition{Type: typ, Status: st}
	}
	tests := []struct {
		name    string
		conds   []cluster.NodeCondition
		unsched bool
		ts      []taints.Taint
		want    []taints.Taint
		changed bool
	}{
		{name: "ready, nothing", conds: []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionTrue)}},
		{name: "not ready",
			conds:   []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionFalse)},
			want:    []taints.Taint{{Key: taints.KeyNodeNotReady, Effect: taints.NoSchedule, TimeAdded: &now}},
			changed: true},
		{name: "unknown replaces not-ready, other taints kept in place",
			conds:   []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionUnknown)},
			ts:      []taints.Taint{{Key: taints.KeyNodeNotReady, Effect: taints.NoSchedule, TimeAdded: at(0)}, {Key: "gpu", Effect: taints.NoSchedule}, {Key: taints.KeyNodeNotReady, Effect: taints.NoExecute, TimeAdded: at(0)}},
			want:    []taints.Taint{{Key: "gpu", Effect: taints.NoSchedule}, {Key: taints.KeyNodeNotReady, Effect: taints.NoExecute, TimeAdded: at(0)}, {Key: taints.KeyNodeUnreachable, Effect: taints.NoSchedule, TimeAdded: &now}},
			changed: true},
		{name: "kept as it is, timeAdded too",
			conds: []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionFalse)},
			ts:    []taints.Taint{{Key: taints.KeyNodeNotReady, Effect: taints.NoSchedule, TimeAdded: at(0)}},
			want:  []taints.Taint{{Key: taints.KeyNodeNotReady, Effect: taints.NoSchedule, TimeAdded: at(0)}}},
		{name: "pressures in condition order, then unschedulable",
			conds: []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionTrue), cond(cluster.NodePIDPressure, cluster.ConditionTrue),
				cond(cluster.NodeMemoryPressure, cluster.ConditionTrue), cond(cluster.NodeDiskPressure, cluster.ConditionFalse),
				cond(cluster.NodeNetworkUnavailable, cluster.ConditionTrue)},
			unsched: true,
			want: []taints.Taint{{Key: taints.KeyNodePIDPressure, Effect: taints.NoSchedule, TimeAdded: &now},
				{Key: taints.KeyNodeMemoryPressure, Effect: taints.NoSchedule, TimeAdded: &now},
				{Key: taints.KeyNodeNetworkUnavailable, Effect: taints.NoSchedule, TimeAdded: &now},
				{Key: taints.KeyNodeUnschedulable, Effect: taints.NoSchedule, TimeAdded: &now}},
			changed: true},
		{name: "stale ones go",
			conds:   []cluster.NodeCondition{cond(cluster.NodeReady, cluster.ConditionTrue)},
			ts:      []taints.Taint{{Key: taints.KeyNodeUnschedulable, Effect: taints.NoSchedule}, {Key: taints.KeyNodeDiskPressure, Effect: taints.NoSchedule}, {Key: taints.KeyNodeDiskPressure, Effect: taints.PreferNoSchedule}},
			want:    []taints.Taint{{Key: taints.KeyNodeDiskPressure, Effect: taints.PreferNoSchedule}},
			changed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := &cluster.Node{Spec: cluster.NodeSpec{Unschedulable: tc.unsched, Taints: tc.ts}, Status: cluster.NodeStatus{Conditions: tc.conds}}
			before := append([]taints.Taint(nil), tc.ts...)
			got, changed := NoScheduleTaints(n, tc.ts, now)
			assert.Equal(t, tc.changed, changed)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, before, tc.ts, "the input is not modified")
		})
	}
}

func TestApplyNoExec(t *testing.T) {
	now := t0.Add(time.Minute)
	old := t0
	nr := taints.Taint{Key: taints.KeyNodeNotReady, Effect: taints.NoExecute, TimeAdded: &old}
	ur := taints.Taint{Key: taints.KeyNodeUnreachable, Effect: taints.NoExecute, TimeAdded: &old}
	gpu := taints.Taint{Key: "gpu", Effect: taints.NoExecute}
	tests := []struct {
		name    string
		ts      []taints.Taint
		want    noExecWant
		out     []string
		changed bool
	}{
		{"none from none", []taints.Taint{gpu}, wantNone, []string{"gpu:NoExecute"}, false},
		{"none removes both", []taints.Taint{nr, gpu, ur}, wantNone, []string{"gpu:NoExecute"}, true},
		{"swap to unreachable", []taints.Taint{nr, gpu}, wantUnreachable, []string{"gpu:NoExecute", "node.kubernetes.io/unreachable:NoExecute@1m0s"}, true},
		{"not-ready again: put in place with the new time", []taints.Taint{nr, gpu}, wantNotReady, []string{"node.kubernetes.io/not-ready:NoExecute@1m0s", "gpu:NoExecute"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, changed := applyNoExec(tc.ts, tc.want, now)
			assert.Equal(t, tc.changed, changed)
			var got []string
			for _, x := range out {
				s := x.String()
				if x.TimeAdded != nil && x.TimeAdded.Equal(now) {
					s += "@1m0s"
				}
				got = append(got, s)
			}
			assert.Equal(t, tc.out, got)
		})
	}
}

func TestBucket(t *testing.T) {
	b := newBucket(0.1)
	assert.True(t, b.tryAccept(t0), "a new bucket is full")
	assert.False(t, b.tryAccept(t0.Add(9900*time.Millisecond)))
	assert.True(t, b.tryAccept(t0.Add(10*time.Second)))
	// tokens do not pile up past the burst of 1
	assert.True(t, b.tryAccept(t0.Add(time.Hour)))
	assert.False(t, b.tryAccept(t0.Add(time.Hour+time.Second)))

	// swap to the same QPS: nothing
	b.swap(0.1, t0.Add(time.Hour+time.Second))
	assert.Equal(t, t0.Add(time.Hour+10*time.Second), b.readyAt)
	// pause: reports QPS 1, never admits
	b.swap(0, t0.Add(time.Hour+time.Second))
	assert.True(t, b.never)
	assert.Equal(t, 1.0, b.reportedQPS())
	assert.False(t, b.tryAccept(t0.Add(2*time.Hour)))
	// back from a pause: drained, a token 1/qps later
	b.swap(0.01, t0.Add(2*time.Hour))
	assert.False(t, b.tryAccept(t0.Add(2*time.Hour+99*time.Second)))
	assert.True(t, b.tryAccept(t0.Add(2*time.Hour+100*time.Second)))
	// from a bucket with a token: the new one is full
	f := newBucket(0.1)
	f.swap(0.01, t0)
	assert.True(t, f.tryAccept(t0))
}

func TestGrid(t *testing.T) {
	c, err := New(Config{Start: t0})
	require.NoError(t, err)
	c.start = t0
	s := func(d time.Duration) time.Time { return t0.Add(d) }
	assert.Equal(t, s(15*time.Second), c.passAfter(s(10*time.Second)), "a renewal at a pass instant is seen by the next pass")
	assert.Equal(t, s(15*time.Second), c.passAfter(s(11*time.Second)))
	assert.Equal(t, t0, c.passAfter(t0.Add(-time.Hour)), "a renewal before the start is seen by the first pass")
	assert.Equal(t, s(10*time.Second), c.atOrAfter(s(10*time.Second), 5*time.Second))
	assert.Equal(t, s(10100*time.Millisecond), c.atOrAfter(s(10001*time.Millisecond), 100*time.Millisecond))
	st := &nodeState{origin: s(3 * time.Second), stopAt: s(33 * time.Second)}
	assert.Equal(t, s(33*time.Second), c.lastHeartbeat(st), "the renewal due at the stop is made")
	st.stopAt = s(32 * time.Second)
	assert.Equal(t, s(23*time.Second), c.lastHeartbeat(st))
}
