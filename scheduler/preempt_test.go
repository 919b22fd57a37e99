package scheduler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/selector"
)

var classes = []cluster.Object{
	ct.PriorityClass("low", 10), ct.PriorityClass("mid", 100), ct.PriorityClass("high", 1000),
	func() cluster.Object {
		c := ct.PriorityClass("polite", 1000)
		never := cluster.PreemptNever
		c.PreemptionPolicy = &never
		return c
	}(),
}

func with(objs ...cluster.Object) []cluster.Object {
	return append(append([]cluster.Object{}, classes...), objs...)
}

// running is a pod bound to node with a class, cpu request and start time.
func running(name, node, class, cpu string, started time.Duration, opts ...ct.PodOption) *cluster.Pod {
	opts = append([]ct.PodOption{ct.OnNode(node), ct.PriorityClassName(class), ct.Requests("cpu", cpu), ct.StartTime(t0.Add(started))}, opts...)
	return ct.Pod(name, opts...)
}

func keys(names ...string) []cluster.Key {
	var out []cluster.Key
	for _, n := range names {
		out = append(out, cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: n})
	}
	return out
}

func pdbFor(name string, allowed int32, kv ...string) *cluster.PodDisruptionBudget {
	b := &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: name}}
	b.Spec.Selector = &selector.LabelSelector{MatchLabels: map[string]string{kv[0]: kv[1]}}
	b.Status.DisruptionsAllowed = allowed
	return b
}

func TestPreemption(t *testing.T) {
	one := func(name string) *cluster.Node { return ct.Node(name, ct.CPU("1")) }
	tests := []struct {
		name        string
		objs        []cluster.Object
		pod         *cluster.Pod
		wantNode    string // nominated
		wantVictims []cluster.Key
		wantMsg     string
	}{
		{name: "fewest victims needed, reprieving the most important",
			objs: with(one("a"), running("v1", "a", "low", "400m", 0), running("v2", "a", "mid", "400m", 0), running("v3", "a", "low", "200m", 0)),
			pod:  ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			// remove all, then reprieve mid v2 (fits: 400+500), then low v1 (no), then low v3 (no: 400+200+500 > 1000)
			wantNode: "a", wantVictims: keys("v1", "v3")},
		{name: "among equal priorities the newer pod is the victim",
			objs:     with(one("a"), running("old", "a", "low", "500m", 0), running("new", "a", "low", "500m", time.Minute)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("new")},
		{name: "equal priority is never preempted",
			objs:    with(one("a"), running("v", "a", "high", "1", 0)),
			pod:     ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantMsg: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
		{name: "preemptionPolicy Never",
			objs:    with(one("a"), running("v", "a", "low", "1", 0)),
			pod:     ct.Pod("p", ct.PriorityClassName("polite"), ct.Requests("cpu", "500m")),
			wantMsg: "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."},
		{name: "removing every victim is not enough",
			objs:    with(one("a"), running("v", "a", "low", "500m", 0), running("w", "a", "high", "500m", 0)),
			pod:     ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "600m")),
			wantMsg: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu."},
		{name: "unresolvable nodes are not candidates",
			objs:     with(one("a"), ct.Node("b", ct.CPU("1"), ct.Taint("k=:NoSchedule")), running("v", "a", "low", "1", 0), running("w", "b", "low", "1", 0, ct.Toleration(tol("k", "Exists", "")))),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("v")},
		{name: "fewest PDB violations first",
			objs: with(one("a"), one("b"), pdbFor("guard", 0, "app", "db"),
				running("va", "a", "low", "1", 0, ct.PodLabels("app", "db")), running("vb", "b", "mid", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "b", wantVictims: keys("vb")},
		{name: "a pod already in disruptedPods does not count against its PDB",
			objs: with(one("a"), one("b"), func() cluster.Object {
				b := pdbFor("guard", 0, "app", "db")
				b.Status.DisruptedPods = map[string]time.Time{"va": t0}
				return b
			}(), running("va", "a", "mid", "1", 0, ct.PodLabels("app", "db")), running("vb", "b", "mid", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("va")},
		{name: "PDB with allowance left is not violated",
			objs: with(one("a"), one("b"), pdbFor("guard", 1, "app", "db"),
				running("va", "a", "low", "1", 0, ct.PodLabels("app", "db")), running("vb", "b", "mid", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("va")},
		{name: "lowest highest-victim priority",
			objs:     with(one("a"), one("b"), running("va", "a", "mid", "1", 0), running("vb", "b", "low", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "b", wantVictims: keys("vb")},
		{name: "lowest priority sum",
			objs: with(one("a"), one("b"), running("a1", "a", "mid", "500m", 0), running("a2", "a", "mid", "500m", 0),
				running("b1", "b", "mid", "500m", 0), running("b2", "b", "low", "500m", 0)),
			pod: ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "1")),
			// a: victims mid+mid; b: mid+low -> b
			wantNode: "b", wantVictims: keys("b1", "b2")},
		{name: "fewest victims",
			objs: with(one("a"), one("b"), running("a1", "a", "low", "500m", 0), running("a2", "a", "low", "500m", 0),
				running("b1", "b", "low", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "1")),
			wantNode: "b", wantVictims: keys("b1")},
		{name: "latest start time",
			objs:     with(one("a"), one("b"), running("va", "a", "low", "1", time.Hour), running("vb", "b", "low", "1", time.Minute)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("va")},
		{name: "full tie goes to the lower node name",
			objs:     with(one("b"), one("a"), running("vb", "b", "low", "1", 0), running("va", "a", "low", "1", 0)),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.Requests("cpu", "500m")),
			wantNode: "a", wantVictims: keys("va")},
		{name: "host port conflict resolved by preemption",
			objs:     with(ct.Node("a"), running("v", "a", "low", "100m", 0, ct.HostPort(80))),
			pod:      ct.Pod("p", ct.PriorityClassName("high"), ct.HostPort(80)),
			wantNode: "a", wantVictims: keys("v")},
		{name: "system-node-critical daemon pod preempts on its own node only",
			objs: with(one("a"), one("b"), running("va", "a", "high", "1", 0), running("vb", "b", "low", "1", 0)),
			pod:  ct.Pod("kube-system/agent", ct.PriorityClassName(cluster.SystemNodeCritical), ct.Requests("cpu", "100m"), matchFields("a")),
			// b has the cheaper victim, but the pod may only go to a.
			wantNode: "a", wantVictims: keys("va")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(t, scheduler.Config{}, tc.pod, tc.objs...)
			assert.Equal(t, "", d.Node)
			assert.Equal(t, tc.wantNode, d.Nominated)
			assert.Equal(t, tc.wantVictims, d.Victims)
			if tc.wantMsg != "" {
				assert.Equal(t, tc.wantMsg, d.Message)
			}
			if tc.wantNode == "" {
				assert.True(t, d.ClearNomination || tc.pod.Spec.PriorityClassName == "polite")
			}
		})
	}
}

func TestNominatedPodsTwoPass(t *testing.T) {
	nominatedTo := func(node string) ct.PodOption {
		return func(p *cluster.Pod) { p.Status.NominatedNodeName = node }
	}
	tests := []struct {
		name      string
		nominated *cluster.Pod
		pod       *cluster.Pod
		wantNode  string
	}{
		{name: "a higher-priority nominated pod keeps its room",
			nominated: ct.Pod("big", ct.PriorityClassName("high"), ct.Requests("cpu", "800m"), nominatedTo("a")),
			pod:       ct.Pod("p", ct.PriorityClassName("mid"), ct.Requests("cpu", "500m")), wantNode: "b"},
		{name: "an equal-priority nominated pod keeps its room",
			nominated: ct.Pod("big", ct.PriorityClassName("mid"), ct.Requests("cpu", "800m"), nominatedTo("a")),
			pod:       ct.Pod("p", ct.PriorityClassName("mid"), ct.Requests("cpu", "500m")), wantNode: "b"},
		{name: "a lower-priority nominated pod is ignored",
			nominated: ct.Pod("big", ct.PriorityClassName("low"), ct.Requests("cpu", "800m"), nominatedTo("a")),
			pod:       ct.Pod("p", ct.PriorityClassName("mid"), ct.Requests("cpu", "500m")), wantNode: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// a is emptier than b, so without nominations a wins.
			d := decide(t, scheduler.Config{}, tc.pod, with(ct.Node("a", ct.CPU("1")), ct.Node("b", ct.CPU("1")),
				running("x", "b", "low", "100m", 0), tc.nominated)...)
			assert.Equal(t, tc.wantNode, d.Node)
		})
	}
	t.Run("the nominated node is tried first", func(t *testing.T) {
		p := ct.Pod("p", ct.PriorityClassName("mid"), nominatedTo("b"))
		d := decide(t, scheduler.Config{}, p, with(ct.Node("a"), ct.Node("b"), running("x", "b", "low", "3", 0))...)
		assert.Equal(t, "b", d.Node)
		assert.Empty(t, d.Scores, "not scored")
	})
}
