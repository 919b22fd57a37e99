package daemonset_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

func explainDS(mod func(s *cluster.PodSpec)) *cluster.DaemonSet {
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Namespace: "default", Name: "agent"},
		Spec: cluster.DaemonSetSpec{Template: cluster.PodTemplateSpec{Spec: cluster.PodSpec{
			Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}
	if mod != nil {
		mod(&ds.Spec.Template.Spec)
	}
	return ds
}

func TestExplainNodeShouldRunDaemonPod(t *testing.T) {
	affinity := func(key string, op selector.NodeSelectorOperator, values ...string) func(s *cluster.PodSpec) {
		return func(s *cluster.PodSpec) {
			s.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{
				NodeSelectorTerms: []selector.NodeSelectorTerm{{MatchExpressions: []selector.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}}}}}
		}
	}
	for _, tc := range []struct {
		name             string
		node             *cluster.Node
		spec             func(s *cluster.PodSpec)
		run, cont        bool
		reason, rendered string
	}{
		{"plain node", ct.Node("n1"), nil, true, true, "", ""},
		{"nodeName elsewhere", ct.Node("n1"), func(s *cluster.PodSpec) { s.NodeName = "n2" }, false, false,
			daemonset.ReasonNodeName, "node(s) didn't match the requested node name (n2)"},
		{"nodeName here", ct.Node("n1"), func(s *cluster.PodSpec) { s.NodeName = "n1" }, true, true, "", ""},
		{"nodeSelector missing label, first by key", ct.Node("n1", ct.NodeLabels("b", "1")),
			func(s *cluster.PodSpec) { s.NodeSelector = selector.Set{"c": "1", "b": "1", "a": "1"} }, false, false,
			daemonset.ReasonNodeAffinity, "node(s) didn't match Pod's node affinity/selector (nodeSelector a=1)"},
		{"nodeSelector wrong value", ct.Node("n1", ct.NodeLabels("role", "web")),
			func(s *cluster.PodSpec) { s.NodeSelector = selector.Set{"role": "monitoring"} }, false, false,
			daemonset.ReasonNodeAffinity, "node(s) didn't match Pod's node affinity/selector (nodeSelector role=monitoring)"},
		{"affinity", ct.Node("n1", ct.NodeLabels("zone", "b")), affinity("zone", selector.NodeSelectorOpIn, "a"), false, false,
			daemonset.ReasonNodeAffinity, "node(s) didn't match Pod's node affinity/selector (required node affinity)"},
		{"affinity matches", ct.Node("n1", ct.NodeLabels("zone", "a")), affinity("zone", selector.NodeSelectorOpIn, "a"), true, true, "", ""},
		{"affinity that does not parse matches nothing", ct.Node("n1", ct.NodeLabels("zone", "a")), affinity("zone", selector.NodeSelectorOpGt, "x"), false, false,
			daemonset.ReasonNodeAffinity, "node(s) didn't match Pod's node affinity/selector (required node affinity)"},
		{"nodeName before selector", ct.Node("n1"), func(s *cluster.PodSpec) { s.NodeName = "n2"; s.NodeSelector = selector.Set{"a": "1"} }, false, false,
			daemonset.ReasonNodeName, "node(s) didn't match the requested node name (n2)"},
		{"NoSchedule taint: no new pod, an old one stays", ct.Node("n1", ct.Taint("dedicated=gpu:NoSchedule")), nil, false, true,
			daemonset.ReasonUntoleratedTaint, "node(s) had untolerated taint {dedicated: gpu}"},
		{"NoExecute taint: the pod goes", ct.Node("n1", ct.Taint("dedicated=gpu:NoExecute")), nil, false, false,
			daemonset.ReasonUntoleratedTaint, "node(s) had untolerated taint {dedicated: gpu}"},
		{"first untolerated taint in node order, NoExecute decides staying", ct.Node("n1", ct.Taint("a:NoSchedule"), ct.Taint("b=1:NoExecute")), nil, false, false,
			daemonset.ReasonUntoleratedTaint, "node(s) had untolerated taint {a: }"},
		{"PreferNoSchedule is not a predicate", ct.Node("n1", ct.Taint("a=1:PreferNoSchedule")), nil, true, true, "", ""},
		{"tolerated taint", ct.Node("n1", ct.Taint("dedicated=gpu:NoSchedule")),
			func(s *cluster.PodSpec) {
				s.Tolerations = []taints.Toleration{{Key: "dedicated", Operator: taints.OpExists, Effect: taints.NoSchedule}}
			}, true, true, "", ""},
		{"default daemon toleration: unschedulable", ct.Node("n1", ct.Taint("node.kubernetes.io/unschedulable:NoSchedule")), nil, true, true, "", ""},
		{"default daemon toleration: not-ready", ct.Node("n1", ct.Taint("node.kubernetes.io/not-ready:NoExecute")), nil, true, true, "", ""},
		{"network-unavailable only with hostNetwork", ct.Node("n1", ct.Taint("node.kubernetes.io/network-unavailable:NoSchedule")), nil, false, true,
			daemonset.ReasonUntoleratedTaint, "node(s) had untolerated taint {node.kubernetes.io/network-unavailable: }"},
		{"network-unavailable with hostNetwork", ct.Node("n1", ct.Taint("node.kubernetes.io/network-unavailable:NoSchedule")),
			func(s *cluster.PodSpec) { s.HostNetwork = true }, true, true, "", ""},
		{"selector before taints", ct.Node("n1", ct.Taint("a:NoExecute")), func(s *cluster.PodSpec) { s.NodeSelector = selector.Set{"a": "1"} }, false, false,
			daemonset.ReasonNodeAffinity, "node(s) didn't match Pod's node affinity/selector (nodeSelector a=1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := explainDS(tc.spec)
			fit := daemonset.ExplainNodeShouldRunDaemonPod(tc.node, ds)
			assert.Equal(t, []bool{tc.run, tc.cont}, []bool{fit.ShouldRun, fit.ShouldContinueRunning})
			assert.Equal(t, tc.reason, fit.Reason)
			assert.Equal(t, tc.rendered, fit.String())
			run, cont := daemonset.NodeShouldRunDaemonPod(tc.node, ds)
			assert.Equal(t, []bool{run, cont}, []bool{fit.ShouldRun, fit.ShouldContinueRunning}, "disagrees with NodeShouldRunDaemonPod")
		})
	}
}

// genNode and genDS draw from small alphabets so that matches and misses
// both happen often.
var (
	genKeys   = []string{"a", "b", "c"}
	genValues = []string{"1", "2"}
	genNames  = []string{"n0", "n1", "n2"}
	genOps    = []selector.NodeSelectorOperator{selector.NodeSelectorOpIn, selector.NodeSelectorOpNotIn,
		selector.NodeSelectorOpExists, selector.NodeSelectorOpDoesNotExist, selector.NodeSelectorOpGt, selector.NodeSelectorOpLt}
	genEffects   = []taints.Effect{taints.NoSchedule, taints.NoExecute, taints.PreferNoSchedule}
	genTaintKeys = []string{"a", "b", "node.kubernetes.io/not-ready", "node.kubernetes.io/unschedulable",
		"node.kubernetes.io/network-unavailable", "node.kubernetes.io/disk-pressure"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func genNode(r *rand.Rand) *cluster.Node {
	var opts []ct.NodeOption
	for _, k := range genKeys {
		if r.IntN(2) == 0 {
			opts = append(opts, ct.NodeLabels(k, pick(r, genValues)))
		}
	}
	n := ct.Node(pick(r, genNames), opts...)
	seen := map[string]bool{}
	for range r.IntN(3) {
		t := taints.Taint{Key: pick(r, genTaintKeys), Effect: pick(r, genEffects)}
		if r.IntN(2) == 0 {
			t.Value = pick(r, genValues)
		}
		if id := t.Key + string(t.Effect); !seen[id] {
			seen[id] = true
			n.Spec.Taints = append(n.Spec.Taints, t)
		}
	}
	return n
}

func genDS(r *rand.Rand) *cluster.DaemonSet {
	return explainDS(func(s *cluster.PodSpec) {
		if r.IntN(4) == 0 {
			s.NodeName = pick(r, genNames)
		}
		if r.IntN(2) == 0 {
			s.NodeSelector = selector.Set{}
			for range 1 + r.IntN(2) {
				s.NodeSelector[pick(r, genKeys)] = pick(r, genValues)
			}
		}
		if r.IntN(2) == 0 {
			ns := &selector.NodeSelector{}
			for range 1 + r.IntN(2) {
				var term selector.NodeSelectorTerm
				for range 1 + r.IntN(2) {
					req := selector.NodeSelectorRequirement{Key: pick(r, genKeys), Operator: pick(r, genOps)}
					switch req.Operator {
					case selector.NodeSelectorOpIn, selector.NodeSelectorOpNotIn:
						req.Values = []string{pick(r, genValues)}
					case selector.NodeSelectorOpGt, selector.NodeSelectorOpLt:
						req.Values = []string{pick(r, genValues)}
					}
					term.MatchExpressions = append(term.MatchExpressions, req)
				}
				if r.IntN(4) == 0 {
					term.MatchFields = []selector.NodeSelectorRequirement{{Key: selector.ObjectNameField,
						Operator: selector.NodeSelectorOpIn, Values: []string{pick(r, genNames)}}}
				}
				ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, term)
			}
			s.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: ns}}
		}
		s.HostNetwork = r.IntN(2) == 0
		for range r.IntN(3) {
			tol := taints.Toleration{Key: pick(r, genTaintKeys), Operator: taints.OpExists}
			if r.IntN(3) == 0 {
				tol = taints.Toleration{Key: pick(r, genTaintKeys), Operator: taints.OpEqual, Value: pick(r, genValues)}
			}
			if r.IntN(2) == 0 {
				tol.Effect = pick(r, genEffects)
			}
			s.Tolerations = append(s.Tolerations, tol)
		}
	})
}

// On generated nodes and DaemonSets the explanation agrees with
// NodeShouldRunDaemonPod, and its reason is one that holds.
func TestExplainAgreesWithNodeShouldRunDaemonPod(t *testing.T) {
	const seed = 21
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	counts := map[string]int{}
	for i := range 20_000 {
		node, ds := genNode(r), genDS(r)
		fit := daemonset.ExplainNodeShouldRunDaemonPod(node, ds)
		run, cont := daemonset.NodeShouldRunDaemonPod(node, ds)
		require.Equal(t, []bool{run, cont}, []bool{fit.ShouldRun, fit.ShouldContinueRunning},
			"case %d: node %+v ds %+v: %s", i, node, ds.Spec.Template.Spec, fit)
		require.Equal(t, fit.ShouldRun, fit.Reason == "", "case %d", i)
		spec := &ds.Spec.Template.Spec
		switch fit.Reason {
		case daemonset.ReasonNodeName:
			require.Equal(t, spec.NodeName, fit.Detail)
			require.NotEqual(t, node.Name, spec.NodeName)
		case daemonset.ReasonNodeAffinity:
			// the nodeName predicate passed
			require.True(t, spec.NodeName == "" || spec.NodeName == node.Name, "case %d", i)
		case daemonset.ReasonUntoleratedTaint:
			require.Contains(t, node.Spec.Taints, fit.Taint)
			require.NotEqual(t, taints.PreferNoSchedule, fit.Taint.Effect)
			tols := daemonset.AddDaemonPodTolerations(spec.Tolerations, spec.HostNetwork)
			require.False(t, taints.TolerationsTolerateTaint(tols, fit.Taint), "case %d: %s is tolerated", i, fit.Taint)
			// the earlier predicates passed: without the taints the pod runs
			bare := node.DeepCopy()
			bare.Spec.Taints = nil
			require.True(t, daemonset.ExplainNodeShouldRunDaemonPod(bare, ds).ShouldRun, "case %d", i)
		}
		counts[fmt.Sprintf("%v %v %s", fit.ShouldRun, fit.ShouldContinueRunning, fit.Reason)]++
	}
	// every outcome was drawn often enough to mean something
	for _, k := range []string{"true true ", "false false " + daemonset.ReasonNodeName,
		"false false " + daemonset.ReasonNodeAffinity, "false true " + daemonset.ReasonUntoleratedTaint,
		"false false " + daemonset.ReasonUntoleratedTaint} {
		assert.Greater(t, counts[k], 200, "%q drawn %d times", k, counts[k])
	}
}

// One Explainer for many nodes gives what the one-shot call gives.
func TestExplainerReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 0))
	for range 200 {
		ds := genDS(r)
		x := daemonset.NewExplainer(ds)
		for range 20 {
			n := genNode(r)
			assert.Equal(t, daemonset.ExplainNodeShouldRunDaemonPod(n, ds), x.Explain(n))
		}
	}
}

// Why three nodes do or do not run a node exporter that wants
// role=monitoring nodes.
func ExampleExplainer() {
	ds := explainDS(func(s *cluster.PodSpec) { s.NodeSelector = selector.Set{"role": "monitoring"} })
	x := daemonset.NewExplainer(ds)
	for _, n := range []*cluster.Node{
		ct.Node("n1", ct.NodeLabels("role", "monitoring")),
		ct.Node("n2", ct.NodeLabels("role", "web")),
		ct.Node("n3", ct.NodeLabels("role", "monitoring"), ct.Taint("dedicated=db:NoSchedule")),
	} {
		fit := x.Explain(n)
		fmt.Printf("%s run=%v stay=%v %q\n", n.Name, fit.ShouldRun, fit.ShouldContinueRunning, fit.String())
	}
	// Output:
	// n1 run=true stay=true ""
	// n2 run=false stay=false "node(s) didn't match Pod's node affinity/selector (nodeSelector role=monitoring)"
	// n3 run=false stay=true "node(s) had untolerated taint {dedicated: db}"
}
