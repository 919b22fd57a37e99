package conformance

// The generator of the taint eviction differential test
// (tainteviction_diff_test.go): per seed, a few nodes and pods and a
// sequence of changes at whole seconds: a node's taints replaced, a node
// deleted or created again, a pod created bound (with tolerations from a
// pool of the cases upstream's rule separates), a pod deleted at once, a
// toleration added to a pod.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

// teStep kinds.
const (
	teSetTaints  = "taints"
	teDeleteNode = "delete-node"
	teCreateNode = "create-node"
	teCreatePod  = "create-pod"
	teDeletePod  = "delete-pod"
	teTolerate   = "tolerate"
)

// teStep is one generated change at second At of the sequence.
type teStep struct {
	At     int
	Kind   string
	Node   string
	Taints []taints.Taint      // teSetTaints, teCreateNode
	Pod    string              // pod name in namespace default
	Tols   []taints.Toleration // teCreatePod: its tolerations; teTolerate: the one added
}

func (s teStep) String() string {
	switch s.Kind {
	case teSetTaints, teCreateNode:
		return fmt.Sprintf("+%ds %s %s %v", s.At, s.Kind, s.Node, s.Taints)
	case teDeleteNode:
		return fmt.Sprintf("+%ds %s %s", s.At, s.Kind, s.Node)
	case teCreatePod:
		return fmt.Sprintf("+%ds %s %s on %s tolerations %v", s.At, s.Kind, s.Pod, s.Node, s.Tols)
	default:
		return fmt.Sprintf("+%ds %s %s %v", s.At, s.Kind, s.Pod, s.Tols)
	}
}

func teSecs(s int64) *int64 { return &s }

// teTolPool holds tolerations that upstream's rule tells apart: bounded,
// zero, negative, forever, matching by key, by value, every key, every
// effect, and one for a NoSchedule taint.
var teTolPool = []taints.Toleration{
	{Key: "a", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: teSecs(30)},
	{Key: "a", Operator: taints.OpEqual, Value: "x", Effect: taints.NoExecute, TolerationSeconds: teSecs(10)},
	{Key: "a", Operator: taints.OpExists},
	{Key: "b", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: teSecs(0)},
	{Key: "b", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: teSecs(-5)},
	{Key: "b", Operator: taints.OpEqual, Value: "", Effect: taints.NoExecute, TolerationSeconds: teSecs(120)},
	{Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: teSecs(45)},
	{Operator: taints.OpExists},
	{Key: "node.kubernetes.io/unreachable", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: teSecs(20)},
	{Key: "node.kubernetes.io/not-ready", Operator: taints.OpExists, Effect: taints.NoExecute},
	{Key: "a", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "c", Operator: taints.OpEqual, Value: "y", Effect: taints.NoExecute, TolerationSeconds: teSecs(7)},
}

var (
	teTaintKeys   = []string{"a", "a", "b", "c", "node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"}
	teTaintValues = []string{"", "", "x", "y"}
	teEffects     = []taints.Effect{taints.NoExecute, taints.NoExecute, taints.NoExecute, taints.NoSchedule, taints.PreferNoSchedule}
)

// teTaints returns 0 to 3 taints, unique by key and effect.
func teTaints(r *rand.Rand, at int) []taints.Taint {
	var out []taints.Taint
	for range r.IntN(4) {
		t := taints.Taint{Key: pick(r, teTaintKeys), Value: pick(r, teTaintValues), Effect: pick(r, teEffects)}
		if r.IntN(3) == 0 {
			ta := teEpoch.Add(time.Duration(at-r.IntN(100)) * time.Second)
			t.TimeAdded = &ta
		}
		if slices.ContainsFunc(out, func(o taints.Taint) bool { return o.Key == t.Key && o.Effect == t.Effect }) {
			continue
		}
		out = append(out, t)
	}
	return out
}

// teEpoch is second 0 of every sequence, on both sides.
var teEpoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// teGenerate returns the sequence for seed, in time order (ties in
// generation order).
func teGenerate(seed uint64) (nodes []string, steps []teStep) {
	r := rand.New(rand.NewPCG(seed, 0x7a1e7))
	nNodes := 1 + r.IntN(3)
	for i := range nNodes {
		n := fmt.Sprintf("n%d", i+1)
		nodes = append(nodes, n)
		steps = append(steps, teStep{At: 0, Kind: teCreateNode, Node: n, Taints: teTaints(r, 0)})
	}
	var pods []string
	podSeq := 0
	newPod := func(at int) {
		podSeq++
		name := fmt.Sprintf("p%d", podSeq)
		pods = append(pods, name)
		var tols []taints.Toleration
		for range r.IntN(4) {
			t := pick(r, teTolPool)
			if !slices.ContainsFunc(tols, t.Equal) {
				tols = append(tols, t)
			}
		}
		steps = append(steps, teStep{At: at, Kind: teCreatePod, Pod: name, Node: pick(r, nodes), Tols: tols})
	}
	for range 1 + r.IntN(6) {
		newPod(0)
	}
	at := 0
	for range 3 + r.IntN(10) {
		if r.IntN(3) > 0 {
			at += r.IntN(60)
		}
		switch x := r.IntN(20); {
		case x < 10:
			n := pick(r, nodes)
			steps = append(steps, teStep{At: at, Kind: teSetTaints, Node: n, Taints: teTaints(r, at)})
		case x < 11:
			n := pick(r, nodes)
			steps = append(steps, teStep{At: at, Kind: teDeleteNode, Node: n})
			steps = append(steps, teStep{At: at + r.IntN(40), Kind: teCreateNode, Node: n, Taints: teTaints(r, at)})
		case x < 15:
			newPod(at)
		case x < 17:
			steps = append(steps, teStep{At: at, Kind: teDeletePod, Pod: pick(r, pods)})
		default:
			steps = append(steps, teStep{At: at, Kind: teTolerate, Pod: pick(r, pods), Tols: []taints.Toleration{pick(r, teTolPool)}})
		}
	}
	slices.SortStableFunc(steps, func(a, b teStep) int { return a.At - b.At })
	return nodes, steps
}

// teNode is a node as the sequence creates or updates it.
func teNode(name string, ts []taints.Taint) *cluster.Node {
	return &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}, Spec: cluster.NodeSpec{Taints: slices.Clone(ts)}}
}
