package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// covRun drives an Observer by hand: nodes, one DaemonSet and its pods,
// each change as a delta with the previous version as Old.
type covRun struct {
	t     *testing.T
	o     *Observer
	ds    *cluster.DaemonSet
	nodes map[string]*cluster.Node
	pods  map[string]*cluster.Pod
	slots map[string]uint64
	next  uint64
	queue []cluster.Delta
}

func newCovRun(t *testing.T) *covRun {
	return &covRun{t: t, o: New(t0), nodes: map[string]*cluster.Node{}, pods: map[string]*cluster.Pod{},
		slots: map[string]uint64{}, next: 1}
}

// setDS writes the DaemonSet: generation gen, a nodeSelector (nil: none)
// and minReadySeconds.
func (r *covRun) setDS(gen int64, sel selector.Set, minReady int32) {
	n := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Namespace: "ns", Name: "agent", Generation: gen},
		Spec: cluster.DaemonSetSpec{MinReadySeconds: minReady, Template: cluster.PodTemplateSpec{Spec: cluster.PodSpec{NodeSelector: sel}}}}
	r.queue = append(r.queue, cluster.Delta{Key: dsKey0, Old: nilIfNoDS(r.ds), New: n})
	r.ds = n
}

func nilIfNoDS(d *cluster.DaemonSet) cluster.Object {
	if d == nil {
		return nil
	}
	return d
}

// setNode writes a node with labels and taints (nil New when gone).
func (r *covRun) setNode(name string, gone bool, labels selector.Set, ts ...taints.Taint) {
	var n *cluster.Node
	if !gone {
		n = &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name, Labels: labels}, Spec: cluster.NodeSpec{Taints: ts}}
	}
	d := cluster.Delta{Key: cluster.Key{Kind: cluster.KindNode, Name: name}}
	if old := r.nodes[name]; old != nil {
		d.Old = old
	}
	if n != nil {
		d.New = n
		r.nodes[name] = n
	} else {
		delete(r.nodes, name)
	}
	r.queue = append(r.queue, d)
}

// setPod writes a daemon pod on node: Ready since readyAt (zero: not
// Ready), in phase; gone deletes it.
func (r *covRun) setPod(name, node string, readyAt time.Time, phase cluster.PodPhase, gone bool) {
	slot, ok := r.slots[name]
	if !ok {
		slot, r.next = r.next, r.next+1
		r.slots[name] = slot
	}
	d := cluster.Delta{Key: podKey(name), Slot: slot}
	if old := r.pods[name]; old != nil {
		d.Old = old
	}
	if gone {
		delete(r.pods, name)
	} else {
		p := pod(name, "agent", node, t0)
		p.Status.Phase = phase
		if !readyAt.IsZero() {
			p.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: readyAt}}
		}
		r.pods[name] = p
		d.New = p
	}
	r.queue = append(r.queue, d)
}

// ready puts a Ready, running pod on node, Ready from now.
func (r *covRun) ready(name, node string, now float64) {
	r.setPod(name, node, at(now), cluster.PodRunning, false)
}

// round observes what was queued and reconciles at s seconds.
func (r *covRun) round(s float64) {
	round(r.o, at(s), r.queue...)
	r.queue = r.queue[:0]
}

type worst struct {
	name    string
	seconds float64
	nodes   int
}

func (r *covRun) worst(end float64) worst {
	s := r.o.Summary(at(end), nil)
	require.Len(r.t, s.DaemonSets, 1)
	c := s.DaemonSets[0].Coverage
	return worst{c.WorstNode, c.WorstNodeUncoveredSeconds, c.NodesUncovered}
}

// Per-node uncovered time from hand-computed runs.
func TestWorstNode(t *testing.T) {
	zone := func(z string) selector.Set { return selector.Set{"zone": z} }
	tests := []struct {
		name string
		run  func(r *covRun)
		end  float64
		want worst
	}{{
		// n2's pod fails at 100 s and its replacement is Ready at 140 s:
		// n2 is the worst node, with 40 s, and the only one uncovered.
		name: "a failed pod replaced after 40 s",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.setNode("n2", false, nil)
			r.ready("p1", "n1", 0)
			r.ready("p2", "n2", 0)
			r.round(0)
			r.setPod("p2", "n2", at(0), cluster.PodFailed, false)
			r.round(100)
			r.setPod("p2", "", time.Time{}, "", true)
			r.setPod("p3", "n2", time.Time{}, cluster.PodPending, false) // created
			r.round(101)
			r.ready("p3", "n2", 140)
			r.round(140)
		},
		end:  300,
		want: worst{"n2", 40, 1},
	}, {
		// n1 is without a pod 10 s to 40 s (30 s); n2 from 50 s to the end
		// at 100 s (50 s): n2 is the worst, both counted.
		name: "two nodes, the longest wins",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.setNode("n2", false, nil)
			r.ready("p1", "n1", 0)
			r.ready("p2", "n2", 0)
			r.round(0)
			r.setPod("p1", "", time.Time{}, "", true)
			r.round(10)
			r.ready("p3", "n1", 40)
			r.round(40)
			r.setPod("p2", "", time.Time{}, "", true)
			r.round(50)
		},
		end:  100,
		want: worst{"n2", 50, 2},
	}, {
		// n2 from 0 to 30 s, n1 from 70 s to 100 s: 30 s each, n1 by name.
		name: "two nodes tied, the first by name",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n2", false, nil)
			r.setNode("n1", false, nil)
			r.ready("p1", "n1", 0)
			r.round(0)
			r.ready("p2", "n2", 30)
			r.round(30)
			r.setPod("p1", "", time.Time{}, "", true)
			r.round(70)
		},
		end:  100,
		want: worst{"n1", 30, 2},
	}, {
		// n1 loses its pod at 10 s and is relabelled out of the
		// DaemonSet's nodeSelector at 30 s: 20 s, not 90.
		name: "a node that becomes ineligible stops counting",
		run: func(r *covRun) {
			r.setDS(1, zone("a"), 0)
			r.setNode("n1", false, zone("a"))
			r.ready("p1", "n1", 0)
			r.round(0)
			r.setPod("p1", "", time.Time{}, "", true)
			r.round(10)
			r.setNode("n1", false, zone("b"))
			r.round(30)
		},
		end:  100,
		want: worst{"n1", 20, 1},
	}, {
		// An untolerated NoSchedule taint makes the node ineligible
		// (shouldRun false) from 30 s; its removal at 60 s eligible again,
		// still without a pod: 20 + 40 s.
		name: "a tainted node is not eligible",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.round(10)
			r.setNode("n1", false, nil, taints.Taint{Key: "dedicated", Value: "db", Effect: taints.NoSchedule})
			r.round(30)
			r.setNode("n1", false, nil)
			r.round(60)
		},
		end:  100,
		want: worst{"n1", 60, 1},
	}, {
		// A taint every daemon pod tolerates (the cordon's) keeps the node
		// eligible, and a PreferNoSchedule taint is not looked at: 0 to 100 s.
		name: "tolerated taints",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.round(0)
			r.setNode("n1", false, nil, taints.Taint{Key: "node.kubernetes.io/unschedulable", Effect: taints.NoSchedule})
			r.round(30)
			r.setNode("n1", false, nil, taints.Taint{Key: "node.kubernetes.io/unschedulable", Effect: taints.NoSchedule},
				taints.Taint{Key: "dedicated", Effect: taints.PreferNoSchedule})
			r.round(60)
		},
		end:  100,
		want: worst{"n1", 100, 1},
	}, {
		// A deleted node stops counting; a node never eligible never counts.
		name: "a deleted node and an ineligible one",
		run: func(r *covRun) {
			r.setDS(1, zone("a"), 0)
			r.setNode("n1", false, zone("a"))
			r.setNode("n0", false, zone("b"))
			r.round(0)
			r.setNode("n1", true, nil)
			r.round(25)
		},
		end:  100,
		want: worst{"n1", 25, 1},
	}, {
		// A spec change (generation 2) that moves the nodeSelector from
		// zone a to zone b: n1 (zone a, covered) stops counting; n2 (zone
		// b, no pod) counts from 40 s. A status write (same generation,
		// another selector in the object) changes nothing.
		name: "a DaemonSet spec change evaluates every node",
		run: func(r *covRun) {
			r.setDS(1, zone("a"), 0)
			r.setNode("n1", false, zone("a"))
			r.setNode("n2", false, zone("b"))
			r.ready("p1", "n1", 0)
			r.round(0)
			r.setDS(2, zone("b"), 0)
			r.round(40)
			r.setPod("p1", "", time.Time{}, "", true) // n1 is not eligible any more
			r.round(50)
			r.setDS(2, zone("a"), 0) // not a spec change: generation 2 still
			r.round(60)
		},
		end:  100,
		want: worst{"n2", 60, 1},
	}, {
		// minReadySeconds 30: a pod Ready at 10 s is available at 40 s;
		// a pod on n2 Ready at 10 s that fails at 20 s never is.
		name: "minReadySeconds",
		run: func(r *covRun) {
			r.setDS(1, nil, 30)
			r.setNode("n1", false, nil)
			r.setNode("n2", false, nil)
			r.round(0)
			r.ready("p1", "n1", 10)
			r.ready("p2", "n2", 10)
			r.round(10)
			r.setPod("p2", "n2", at(10), cluster.PodFailed, false)
			r.round(20)
		},
		end:  100,
		want: worst{"n2", 100, 2},
	}, {
		// minReadySeconds raised to 60 at 20 s (generation 2): the pod Ready
		// since 0 is not available again until 60 s: 40 s.
		name: "minReadySeconds raised",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.ready("p1", "n1", 0)
			r.round(0)
			r.setDS(2, nil, 60)
			r.round(20)
		},
		end:  100,
		want: worst{"n1", 40, 1},
	}, {
		// A pod gone and its replacement Ready at one instant leave no
		// uncovered time; a surge pod's delete while the other stays
		// Ready neither.
		name: "changes within an instant and a surge",
		run: func(r *covRun) {
			r.setDS(1, nil, 0)
			r.setNode("n1", false, nil)
			r.ready("p1", "n1", 0)
			r.round(0)
			r.setPod("p1", "", time.Time{}, "", true)
			r.ready("p2", "n1", 10)
			r.round(10)
			r.ready("p3", "n1", 20)
			r.round(20)
			r.setPod("p2", "", time.Time{}, "", true)
			r.round(30)
		},
		end:  100,
		want: worst{"", 0, 0},
	}, {
		// Pods seen before their DaemonSet, nodes before it too: the
		// create evaluates every node.
		name: "the DaemonSet created last",
		run: func(r *covRun) {
			r.setNode("n1", false, nil)
			r.setNode("n2", false, nil)
			r.ready("p1", "n1", 0)
			r.round(0)
			r.setDS(1, nil, 0)
			r.round(5)
		},
		end:  100,
		want: worst{"n2", 95, 1},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newCovRun(t)
			tc.run(r)
			assert.Equal(t, tc.want, r.worst(tc.end))
			assert.Equal(t, tc.want, r.worst(tc.end), "Summary does not change the observer")
		})
	}
}

// Reset restarts the per-node figures at now and keeps what the observer
// knows: n1, uncovered from 30 s, counts from the Reset at 50 s; n2,
// uncovered 0 to 20 s before it, not at all.
func TestWorstNodeReset(t *testing.T) {
	r := newCovRun(t)
	r.setDS(1, nil, 0)
	r.setNode("n1", false, nil)
	r.setNode("n2", false, nil)
	r.ready("p1", "n1", 0)
	r.round(0)
	r.ready("p2", "n2", 20)
	r.round(20)
	r.setPod("p1", "", time.Time{}, "", true)
	r.round(30) // n1 uncovered from 30 s
	assert.Equal(t, worst{"n1", 20, 2}, r.worst(50))
	r.o.Reset(at(50))
	assert.Equal(t, worst{"n1", 30, 1}, r.worst(80))
	r.ready("p3", "n1", 90)
	r.round(90)
	assert.Equal(t, worst{"n1", 40, 1}, r.worst(200))
	r.o.Reset(at(200))
	assert.Equal(t, worst{"", 0, 0}, r.worst(300))
	// a change after a Reset settles with the Reset's start: n2 from 300 s
	r.setPod("p2", "", time.Time{}, "", true)
	r.round(300)
	assert.Equal(t, worst{"n2", 10, 1}, r.worst(310))
}

// The per-node figures in JSON (lowerCamel) and in the coverage table.
func TestWorstNodeOutput(t *testing.T) {
	r := newCovRun(t)
	r.setDS(1, nil, 0)
	r.setNode("n1", false, nil)
	r.round(0)
	r.ready("p1", "n1", 40)
	r.round(40)
	s := r.o.Summary(at(100), nil)
	var buf bytes.Buffer
	require.NoError(t, s.WriteJSON(&buf))
	var m struct {
		DaemonSets []struct {
			Coverage map[string]any `json:"coverage"`
		} `json:"daemonSets"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	require.Len(t, m.DaemonSets, 1)
	c := m.DaemonSets[0].Coverage
	assert.Equal(t, 1.0, c["nodesUncovered"])
	assert.Equal(t, "n1", c["worstNode"])
	assert.Equal(t, 40.0, c["worstNodeUncoveredSeconds"])
	buf.Reset()
	require.NoError(t, s.WriteText(&buf))
	assert.Contains(t, buf.String(), "NODES-UNCOVERED  WORST-NODE  WORST-UNCOVERED\nns/agent")
	assert.Regexp(t, `ns/agent +\S+ +\S+ +\S+ +\S+ +1 +n1 +40s\n`, buf.String())
}
