package scheduler_test

// Upstream's own DefaultPreemption unit scenarios, ported: every test here
// is named TestUpstream_<UpstreamName> after a test of
// k8s.io/kubernetes@v1.37.1
// pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go,
// sets up the same nodes, pods and PDBs and asserts what upstream asserts,
// through what daemonsim shows: Decide's nominated node, victims and
// message, or, for the end-to-end TestPreempt, the engine's log.
//
// How upstream's harness maps onto daemonsim:
//   - upstream calls one stage at a time (SelectVictimsOnNode,
//     DryRunPreemption, SelectCandidate, PodEligibleToPreemptOthers,
//     PostFilter) with hand-made filter statuses; daemonsim runs the whole
//     attempt (filters, then preemption). A stage's result is read off the
//     attempt: the victims on one node from a cluster of that node alone,
//     the candidates of a dry run node by node, eligibility from the
//     "not eligible" message.
//   - upstream's test nodes only fail where the test wants them to; where
//     a case needs the preemptor to fail filtering first, the port gives
//     the node a reason that yields the same status (a pod limit, an
//     untolerated taint), and says so.
//   - priorities are set through PriorityClasses (the store's priority
//     admission refuses a bare spec.priority), with upstream's values.

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
)

// upstream's priorities (negPriority ... veryHighPriority) as classes.
const (
	upNeg       = "up-neg"       // -100
	upLow       = "up-low"       // 0
	upMid       = "up-mid"       // 100
	upHigh      = "up-high"      // 1000
	upVeryHigh  = "up-veryhigh"  // 10000
	upHighNever = "up-highnever" // 1000, preemptionPolicy Never
)

var upClasses = []cluster.Object{
	ct.PriorityClass(upNeg, -100), ct.PriorityClass(upLow, 0), ct.PriorityClass(upMid, 100),
	ct.PriorityClass(upHigh, 1000), ct.PriorityClass(upVeryHigh, 10000),
	func() cluster.Object {
		c := ct.PriorityClass(upHighNever, 1000)
		never := cluster.PreemptNever
		c.PreemptionPolicy = &never
		return c
	}(),
}

// upstream's smallRes, mediumRes, largeRes and veryLargeRes (cpu, memory).
var (
	upSmall     = []string{"cpu", "100m", "memory", "100"}
	upMedium    = []string{"cpu", "200m", "memory", "200"}
	upLarge     = []string{"cpu", "300m", "memory", "300"}
	upVeryLarge = []string{"cpu", "500m", "memory", "500"}
)

// upNodeCap is st.MakeNode().Name(name).Capacity(res): 32 pods plus res,
// nothing else allocatable.
func upNodeCap(name string, res ...string) *cluster.Node {
	n := ct.Node(name)
	n.Status.Allocatable = cluster.Resources(append([]string{"pods", "32"}, res...)...)
	n.Status.Capacity = n.Status.Allocatable
	n.Labels = map[string]string{"hostname": name}
	return n
}

// upPod is st.MakePod().Name(name).Priority(class's value); node "" leaves
// it pending, class "" gives priority 0 without a class.
func upPod(name, node, class string, opts ...ct.PodOption) *cluster.Pod {
	o := []ct.PodOption{}
	if node != "" {
		o = append(o, ct.OnNode(node))
	}
	if class != "" {
		o = append(o, ct.PriorityClassName(class))
	}
	return ct.Pod(name, append(o, opts...)...)
}

func upReq(res []string) ct.PodOption { return ct.Requests(res...) }

// upStart is StartTime(epochTimeN): time.Unix(0, n).
func upStart(n int64) ct.PodOption { return ct.StartTime(time.Unix(0, n)) }

func upLabel(k, v string) ct.PodOption { return ct.PodLabels(k, v) }

// upDecide is one scheduling attempt of pod against upstream's classes and objs.
func upDecide(t *testing.T, cfg scheduler.Config, pod *cluster.Pod, objs ...cluster.Object) scheduler.Decision {
	t.Helper()
	return decide(t, cfg, pod, append(slices.Clone(upClasses), objs...)...)
}

// victimNames returns the victims' names, sorted as upstream's tests sort them.
func victimNames(d scheduler.Decision) []string {
	var out []string
	for _, k := range d.Victims {
		out = append(out, k.Name)
	}
	slices.Sort(out)
	return out
}

// preemptionPart is the part of a FitError message after "preemption: ",
// which is upstream's PostFilter status message.
func preemptionPart(msg string) string {
	if i := strings.Index(msg, "preemption: "); i >= 0 {
		return msg[i:]
	}
	return ""
}

// TestUpstream_TestPostFilter: default_preemption_test.go TestPostFilter.
func TestUpstream_TestPostFilter(t *testing.T) {
	onePod := func(name string) *cluster.Node {
		n := upNodeCap(name)
		n.Status.Allocatable = cluster.Resources("pods", "1")
		n.Status.Capacity = n.Status.Allocatable
		return n
	}
	const violating = "test.kubernetes.io/is-violating-pdb"
	for _, tc := range []struct {
		name        string
		pod         *cluster.Pod
		objs        []cluster.Object
		wantNode    string
		wantVictims []string
		wantStatus  string // upstream's status message when unschedulable
	}{
		{name: "pod with higher priority can be made schedulable",
			pod:      upPod("p", "", upHigh),
			objs:     []cluster.Object{onePod("node1"), upPod("p1", "node1", "")},
			wantNode: "node1", wantVictims: []string{"p1"}},
		{name: "pod with tied priority is still unschedulable",
			pod:        upPod("p", "", ""),
			objs:       []cluster.Object{onePod("node1"), upPod("p1", "node1", "")},
			wantStatus: "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
		// upstream hands node1 an UnschedulableAndUnresolvable status; here
		// an untolerated taint gives it that status
		{name: "preemption should respect filteredNodesStatuses",
			pod:        upPod("p", "", upHigh),
			objs:       []cluster.Object{func() cluster.Object { n := onePod("node1"); ct.Taint("up=x:NoSchedule")(n); return n }(), upPod("p1", "node1", "")},
			wantStatus: "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		{name: "pod can be made schedulable on one node",
			pod: upPod("p", "", upMid),
			objs: []cluster.Object{onePod("node1"), onePod("node2"),
				upPod("p1", "node1", upHigh), upPod("p2", "node2", upLow)},
			wantNode: "node2", wantVictims: []string{"p2"}},
		{name: "pod can be made schedulable on minHighestPriority node",
			pod: upPod("p", "", upVeryHigh),
			objs: []cluster.Object{onePod("node1"), onePod("node2"),
				upPod("p1", "node1", upHigh, upLabel(violating, "non-violating")),
				upPod("p2", "node1", upLow, upLabel(violating, "violating")),
				upPod("p3", "node2", upMid, upLabel(violating, "violating")),
				pdbFor("violating-pdb", 0, violating, "violating"),
				pdbFor("non-violating-pdb", math.MaxInt32, violating, "non-violating")},
			wantNode: "node2", wantVictims: []string{"p3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := upDecide(t, scheduler.Config{}, tc.pod, tc.objs...)
			assert.Empty(t, d.Node)
			assert.Equal(t, tc.wantNode, d.Nominated)
			assert.Equal(t, tc.wantVictims, victimNames(d))
			if tc.wantStatus != "" {
				assert.Equal(t, tc.wantStatus, preemptionPart(d.Message))
			}
		})
	}
}

// dryRunCase is one case of TestDryRunPreemption: nodes (veryLargeRes
// unless capacity is set), their pods, PDBs, the preemptor, and the
// expected candidates: node -> victims.
type dryRunCase struct {
	name       string
	nodes      []string
	capacity   []string
	pods       []*cluster.Pod
	pdbs       []cluster.Object
	pod        *cluster.Pod
	candidates map[string][]string
}

// TestUpstream_TestDryRunPreemption: default_preemption_test.go
// TestDryRunPreemption. A dry run's candidates are read node by node: the
// attempt on a cluster of that node alone (with its pods and the PDBs)
// nominates it with those victims exactly when upstream lists it as a
// candidate. (Upstream counts filter calls too; daemonsim keeps no such
// count. NumPDBViolations is not shown by a decision either.)
func TestUpstream_TestDryRunPreemption(t *testing.T) {
	two := []string{"node1", "node2"}
	foo := upLabel("app", "foo")
	pdbFoo := func(allowed int32, disrupted ...string) []cluster.Object {
		b := pdbFor("pdb", allowed, "app", "foo")
		if len(disrupted) > 0 {
			b.Status.DisruptedPods = map[string]time.Time{}
			for _, d := range disrupted {
				b.Status.DisruptedPods[d] = t0
			}
		}
		return []cluster.Object{b}
	}
	for _, tc := range []dryRunCase{
		{name: "a pod that fits on both nodes when lower priority pods are preempted", nodes: two,
			pod:        upPod("p", "", upHigh, upReq(upLarge)),
			pods:       []*cluster.Pod{upPod("p1", "node1", upMid, upReq(upLarge)), upPod("p2", "node2", upMid, upReq(upLarge))},
			candidates: map[string][]string{"node1": {"p1"}, "node2": {"p2"}}},
		{name: "a pod that would fit on the nodes, but other pods running are higher priority, no preemption would happen", nodes: two,
			pod:  upPod("p", "", upLow, upReq(upLarge)),
			pods: []*cluster.Pod{upPod("p1", "node1", upMid, upReq(upLarge)), upPod("p2", "node2", upMid, upReq(upLarge))}},
		{name: "medium priority pod is preempted, but lower priority one stays as it is small", nodes: two,
			pod: upPod("p", "", upHigh, upReq(upLarge)),
			pods: []*cluster.Pod{upPod("p1.1", "node1", upLow, upReq(upSmall)), upPod("p1.2", "node1", upMid, upReq(upLarge)),
				upPod("p2", "node2", upMid, upReq(upLarge))},
			candidates: map[string][]string{"node1": {"p1.2"}, "node2": {"p2"}}},
		{name: "mixed priority pods are preempted", nodes: two,
			pod: upPod("p", "", upHigh, upReq(upLarge)),
			pods: []*cluster.Pod{upPod("p1.1", "node1", upMid, upReq(upSmall)), upPod("p1.2", "node1", upLow, upReq(upSmall)),
				upPod("p1.3", "node1", upMid, upReq(upMedium)), upPod("p1.4", "node1", upHigh, upReq(upSmall)),
				upPod("p2", "node2", upHigh, upReq(upLarge))},
			candidates: map[string][]string{"node1": {"p1.2", "p1.3"}}},
		{name: "mixed priority pods are preempted, pick later StartTime one when priorities are equal", nodes: two,
			pod: upPod("p", "", upHigh, upReq(upLarge)),
			pods: []*cluster.Pod{upPod("p1.1", "node1", upLow, upReq(upSmall), upStart(5)), upPod("p1.2", "node1", upLow, upReq(upSmall), upStart(4)),
				upPod("p1.3", "node1", upMid, upReq(upMedium), upStart(3)), upPod("p1.4", "node1", upHigh, upReq(upSmall), upStart(2)),
				upPod("p2", "node2", upHigh, upReq(upLarge), upStart(1))},
			candidates: map[string][]string{"node1": {"p1.1", "p1.3"}}},
		{name: "preemption with violation of same pdb", nodes: []string{"node1"},
			pod:        upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods:       []*cluster.Pod{upPod("p1.1", "node1", upMid, foo, upReq(upMedium)), upPod("p1.2", "node1", upMid, foo, upReq(upMedium))},
			pdbs:       pdbFoo(1),
			candidates: map[string][]string{"node1": {"p1.1", "p1.2"}}},
		{name: "preemption with violation of the pdb with pod whose eviction was processed, the victim doesn't belong to DisruptedPods", nodes: []string{"node1"},
			pod:        upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods:       []*cluster.Pod{upPod("p1.1", "node1", upMid, foo, upReq(upMedium)), upPod("p1.2", "node1", upMid, foo, upReq(upMedium))},
			pdbs:       pdbFoo(1, "p2"),
			candidates: map[string][]string{"node1": {"p1.1", "p1.2"}}},
		{name: "preemption with violation of the pdb with pod whose eviction was processed, the victim belongs to DisruptedPods", nodes: []string{"node1"},
			pod:        upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods:       []*cluster.Pod{upPod("p1.1", "node1", upMid, foo, upReq(upMedium)), upPod("p1.2", "node1", upMid, foo, upReq(upMedium))},
			pdbs:       pdbFoo(1, "p1.2"),
			candidates: map[string][]string{"node1": {"p1.1", "p1.2"}}},
		{name: "preemption with violation of the pdb with pod whose eviction was processed, the victim which belongs to DisruptedPods is treated as 'nonViolating'", nodes: []string{"node1"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{upPod("p1.1", "node1", upMid, foo, upReq(upMedium)), upPod("p1.2", "node1", upMid, foo, upReq(upMedium)),
				upPod("p1.3", "node1", upMid, foo, upReq(upMedium))},
			pdbs:       pdbFoo(1, "p1.3"),
			candidates: map[string][]string{"node1": {"p1.1", "p1.2", "p1.3"}}},
		// with the gate off the victim's node-allocatable claim status is
		// ignored (daemonsim models no claims): the preemptor fits as is
		{name: "Preemption with DRA Node Allocatable: victim pod has DRA but feature gate is disabled", nodes: []string{"node1"},
			capacity: []string{"cpu", "5", "memory", "500"},
			pod:      upPod("p", "", upHigh, ct.Requests("cpu", "3")),
			pods:     []*cluster.Pod{upPod("victim-pod", "node1", upMid, ct.Requests("cpu", "1"))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range tc.nodes {
				objs := []cluster.Object{upNodeCap(n, upVeryLarge...)}
				if tc.capacity != nil {
					objs = []cluster.Object{upNodeCap(n, tc.capacity...)}
				}
				for _, p := range tc.pods {
					if p.Spec.NodeName == n {
						objs = append(objs, p.DeepCopy())
					}
				}
				objs = append(objs, tc.pdbs...)
				d := upDecide(t, scheduler.Config{}, tc.pod.DeepCopy(), objs...)
				want, isCandidate := tc.candidates[n]
				if isCandidate {
					assert.Equal(t, n, d.Nominated, "%s is a candidate", n)
					assert.Equal(t, want, victimNames(d), "victims on %s", n)
				} else {
					assert.Empty(t, d.Nominated, "%s is not a candidate", n)
					assert.Empty(t, d.Victims)
				}
			}
		})
	}
	// the dry run goes on past numCandidates until a candidate without PDB
	// violations is found: node3 is the only one, so it is chosen (upstream
	// starts at a random offset, 4 with its seed; the choice does not
	// depend on it)
	t.Run("preemption looks past numCandidates until a non-PDB violating node is found", func(t *testing.T) {
		objs := []cluster.Object{pdbFor("pdb", 0, "app", "foo")}
		for _, n := range []string{"node1", "node2", "node3", "node4", "node5"} {
			objs = append(objs, upNodeCap(n, upVeryLarge...))
		}
		objs = append(objs,
			upPod("p1", "node1", upMid, foo, upReq(upLarge)), upPod("p2", "node2", upMid, foo, upReq(upLarge)),
			upPod("p3", "node3", upMid, upReq(upLarge)), upPod("p4", "node4", upMid, upReq(upLarge)),
			upPod("p5", "node5", upMid, foo, upReq(upLarge)))
		d := upDecide(t, scheduler.Config{MinCandidateNodesPercentage: 40, MinCandidateNodesAbsolute: 2},
			upPod("p", "", upHigh, upReq(upLarge)), objs...)
		assert.Equal(t, "node3", d.Nominated)
		assert.Equal(t, []string{"p3"}, victimNames(d))
	})
	t.Run("DRA gate disabled: the preemptor fits without preemption", func(t *testing.T) {
		d := upDecide(t, scheduler.Config{}, upPod("p", "", upHigh, ct.Requests("cpu", "3")),
			upNodeCap("node1", "cpu", "5", "memory", "500"), upPod("victim-pod", "node1", upMid, ct.Requests("cpu", "1")))
		assert.Equal(t, "node1", d.Node)
		assert.Empty(t, d.Victims)
	})
}

// TestUpstream_TestSelectBestCandidate: default_preemption_test.go
// TestSelectBestCandidate (pickOneNodeForPreemption): any of the expected
// nodes is valid.
func TestUpstream_TestSelectBestCandidate(t *testing.T) {
	e := func(n int64) ct.PodOption { return upStart(n) }
	for _, tc := range []struct {
		name     string
		nodes    []string
		pod      *cluster.Pod
		pods     []*cluster.Pod
		expected []string
	}{
		{name: "a pod that fits on both nodes when lower priority pods are preempted", nodes: []string{"node1", "node2"},
			pod:      upPod("p", "", upHigh, upReq(upLarge)),
			pods:     []*cluster.Pod{upPod("p1", "node1", upMid, upReq(upLarge), e(0)), upPod("p2", "node2", upMid, upReq(upLarge), e(0))},
			expected: []string{"node1", "node2"}},
		{name: "node with min highest priority pod is picked", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upMedium), e(0)), upPod("p1.2", "node1", upMid, upReq(upLarge), e(0)),
				upPod("p2.1", "node2", upMid, upReq(upMedium), e(0)), upPod("p2.2", "node2", upLow, upReq(upMedium), e(0)),
				upPod("p3.1", "node3", upLow, upReq(upMedium), e(0)), upPod("p3.2", "node3", upLow, upReq(upMedium), e(0))},
			expected: []string{"node3"}},
		{name: "when highest priorities are the same, minimum sum of priorities is picked", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upMedium), e(0)), upPod("p1.2", "node1", upMid, upReq(upLarge), e(0)),
				upPod("p2.1", "node2", upMid, upReq(upLarge), e(0)), upPod("p2.2", "node2", upLow, upReq(upMedium), e(0)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(0)), upPod("p3.2", "node3", upMid, upReq(upMedium), e(0))},
			expected: []string{"node2"}},
		{name: "when highest priority and sum are the same, minimum number of pods is picked", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upSmall), e(0)), upPod("p1.2", "node1", upNeg, upReq(upSmall), e(0)),
				upPod("p1.3", "node1", upMid, upReq(upSmall), e(0)), upPod("p1.4", "node1", upNeg, upReq(upSmall), e(0)),
				upPod("p2.1", "node2", upMid, upReq(upLarge), e(0)), upPod("p2.2", "node2", upNeg, upReq(upMedium), e(0)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(0)), upPod("p3.2", "node3", upNeg, upReq(upSmall), e(0)),
				upPod("p3.3", "node3", upLow, upReq(upSmall), e(0))},
			expected: []string{"node2"}},
		{name: "sum of adjusted priorities is considered", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upSmall), e(0)), upPod("p1.2", "node1", upNeg, upReq(upSmall), e(0)),
				upPod("p1.3", "node1", upNeg, upReq(upSmall), e(0)),
				upPod("p2.1", "node2", upMid, upReq(upLarge), e(0)), upPod("p2.2", "node2", upNeg, upReq(upMedium), e(0)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(0)), upPod("p3.2", "node3", upNeg, upReq(upSmall), e(0)),
				upPod("p3.3", "node3", upLow, upReq(upSmall), e(0))},
			expected: []string{"node2"}},
		{name: "non-overlapping lowest high priority, sum priorities, and number of pods", nodes: []string{"node1", "node2", "node3", "node4"},
			pod: upPod("p", "", upVeryHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upSmall), e(0)), upPod("p1.2", "node1", upLow, upReq(upSmall), e(0)),
				upPod("p1.3", "node1", upLow, upReq(upSmall), e(0)),
				upPod("p2.1", "node2", upHigh, upReq(upLarge), e(0)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(0)), upPod("p3.2", "node3", upLow, upReq(upSmall), e(0)),
				upPod("p3.3", "node3", upLow, upReq(upSmall), e(0)), upPod("p3.4", "node3", upLow, upReq(upMedium), e(0)),
				upPod("p4.1", "node4", upMid, upReq(upMedium), e(0)), upPod("p4.2", "node4", upMid, upReq(upSmall), e(0)),
				upPod("p4.3", "node4", upMid, upReq(upSmall), e(0)), upPod("p4.4", "node4", upNeg, upReq(upSmall), e(0))},
			expected: []string{"node1"}},
		{name: "same priority, same number of victims, different start time for each node's pod", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upMedium), e(2)), upPod("p1.2", "node1", upMid, upReq(upMedium), e(2)),
				upPod("p2.1", "node2", upMid, upReq(upMedium), e(3)), upPod("p2.2", "node2", upMid, upReq(upMedium), e(3)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(1)), upPod("p3.2", "node3", upMid, upReq(upMedium), e(1))},
			expected: []string{"node2"}},
		{name: "same priority, same number of victims, different start time for all pods", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upMid, upReq(upMedium), e(4)), upPod("p1.2", "node1", upMid, upReq(upMedium), e(2)),
				upPod("p2.1", "node2", upMid, upReq(upMedium), e(5)), upPod("p2.2", "node2", upMid, upReq(upMedium), e(1)),
				upPod("p3.1", "node3", upMid, upReq(upMedium), e(3)), upPod("p3.2", "node3", upMid, upReq(upMedium), e(6))},
			expected: []string{"node3"}},
		{name: "different priority, same number of victims, different start time for all pods", nodes: []string{"node1", "node2", "node3"},
			pod: upPod("p", "", upHigh, upReq(upVeryLarge)),
			pods: []*cluster.Pod{
				upPod("p1.1", "node1", upLow, upReq(upMedium), e(4)), upPod("p1.2", "node1", upMid, upReq(upMedium), e(2)),
				upPod("p2.1", "node2", upMid, upReq(upMedium), e(6)), upPod("p2.2", "node2", upLow, upReq(upMedium), e(1)),
				upPod("p3.1", "node3", upLow, upReq(upMedium), e(3)), upPod("p3.2", "node3", upMid, upReq(upMedium), e(5))},
			expected: []string{"node2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var objs []cluster.Object
			for _, n := range tc.nodes {
				objs = append(objs, upNodeCap(n, upVeryLarge...))
			}
			for _, p := range tc.pods {
				objs = append(objs, p)
			}
			d := upDecide(t, scheduler.Config{}, tc.pod, objs...)
			assert.Contains(t, tc.expected, d.Nominated, "expect any node in %v", tc.expected)
		})
	}
}

// TestUpstream_TestPodEligibleToPreemptOthers: default_preemption_test.go
// TestPodEligibleToPreemptOthers (the cases without pod groups). A pod that
// is not eligible says why in its message ("preemption: not eligible due
// to ..."); an eligible one goes on to the dry run. Where upstream's
// preemptor would simply fit (upstream asks the eligibility question
// directly), the node admits one pod, so that the attempt reaches
// preemption.
func TestUpstream_TestPodEligibleToPreemptOthers(t *testing.T) {
	oneSlot := func(n *cluster.Node) {
		n.Status.Allocatable = cluster.Resources("pods", "1")
		n.Status.Capacity = n.Status.Allocatable
	}
	noSlot := func(n *cluster.Node) {
		n.Status.Allocatable = cluster.Resources("pods", "0")
		n.Status.Capacity = n.Status.Allocatable
	}
	for _, tc := range []struct {
		name        string
		pod         *cluster.Pod
		nominated   string
		nodes       []*cluster.Node
		victim      *cluster.Pod // on node1, terminating
		disruption  bool         // the victim carries the scheduler's DisruptionTarget condition
		notEligible string       // "" when eligible
	}{
		// upstream: the nominated node's status is UnschedulableAndUnresolvable
		// (TaintToleration); here an untolerated taint gives it that status
		{name: "Pod with nominated node", pod: upPod("p-with-nominated-node", "", upHigh), nominated: "node1",
			nodes:  []*cluster.Node{func() *cluster.Node { n := upNodeCap("node1"); ct.Taint("up=x:NoSchedule")(n); return n }()},
			victim: upPod("p1", "node1", upLow)},
		// upstream has no nodes here; with none, the attempt ends before
		// PostFilter ("no nodes available to schedule pods", upstream's
		// ErrNoNodesAvailable), so the port gives a node without room
		{name: "Pod without nominated node", pod: upPod("p-without-nominated-node", "", upHigh),
			nodes: []*cluster.Node{func() *cluster.Node { n := upNodeCap("node1"); noSlot(n); return n }()}},
		{name: "Pod with 'PreemptNever' preemption policy", pod: upPod("p-with-preempt-never-policy", "", upHighNever),
			nodes:       []*cluster.Node{func() *cluster.Node { n := upNodeCap("node1"); noSlot(n); return n }()},
			notEligible: "preemption: not eligible due to preemptionPolicy=Never."},
		{name: "preemption victim pod terminating, as indicated by the dedicated DisruptionTarget condition",
			pod: upPod("p-with-nominated-node", "", upHigh), nominated: "node1",
			nodes:  []*cluster.Node{func() *cluster.Node { n := upNodeCap("node1"); oneSlot(n); return n }()},
			victim: upPod("p1", "node1", upLow), disruption: true,
			notEligible: "preemption: not eligible due to a terminating pod on the nominated node."},
		{name: "non-victim Pods terminating", pod: upPod("p-with-nominated-node", "", upHigh), nominated: "node1",
			nodes:  []*cluster.Node{func() *cluster.Node { n := upNodeCap("node1"); oneSlot(n); return n }()},
			victim: upPod("p1", "node1", upLow)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := slices.Clone(upClasses)
			for _, n := range tc.nodes {
				objs = append(objs, n)
			}
			if tc.victim != nil {
				objs = append(objs, tc.victim)
			}
			s := build(t, append(objs, tc.pod)...)
			apply := func(c cluster.Change) {
				_, err := s.Apply(t0, c)
				require.NoError(t, err)
			}
			if tc.victim != nil {
				if tc.disruption {
					v, _ := s.Pod("default", tc.victim.Name)
					cp := v.DeepCopy()
					cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue,
						Reason: scheduler.ReasonPreemptionByScheduler}, t0)
					apply(cluster.UpdateStatus{Object: cp})
				}
				apply(cluster.Delete{Key: cluster.KeyOf(tc.victim)})
				v, _ := s.Pod("default", tc.victim.Name)
				require.NotNil(t, v.DeletionTimestamp, "terminating")
			}
			if tc.nominated != "" {
				p, _ := s.Pod("default", tc.pod.Name)
				cp := p.DeepCopy()
				cp.Status.NominatedNodeName = tc.nominated
				apply(cluster.UpdateStatus{Object: cp})
			}
			d, err := scheduler.Decide(scheduler.Config{}, s, t0, cluster.KeyOf(tc.pod))
			require.NoError(t, err)
			assert.Empty(t, d.Node)
			if tc.notEligible != "" {
				assert.Equal(t, tc.notEligible, preemptionPart(d.Message))
			} else {
				assert.NotContains(t, d.Message, "not eligible")
				assert.True(t, d.Nominated != "" || strings.Contains(d.Message, "preemption: "), "the attempt reached the dry run: %q", d.Message)
			}
		})
	}
}

// TestUpstream_TestSelectVictimsOnNode: default_preemption_test.go
// TestSelectVictimsOnNode (the cases without pod groups, inter-pod
// affinity or topology spread): node1 alone, veryLargeRes.
func TestUpstream_TestSelectVictimsOnNode(t *testing.T) {
	foo := upLabel("app", "foo")
	for _, tc := range []struct {
		name      string
		pods      []*cluster.Pod
		pdbs      []cluster.Object
		preemptor *cluster.Pod
		podSlots  string // the node's pod limit, where the preemptor must fail filtering first
		victims   []string
	}{
		{name: "Basic: Preempt single lower priority pod",
			pods:      []*cluster.Pod{upPod("victim", "node1", upLow, upReq(upLarge))},
			preemptor: upPod("p", "", upHigh, upReq(upLarge)), victims: []string{"victim"}},
		{name: "Priority: Prefer lower priority victim",
			pods: []*cluster.Pod{upPod("high-prio", "node1", upHigh, upReq(upSmall)), upPod("mid-prio", "node1", upMid, upReq(upSmall)),
				upPod("low-prio", "node1", upLow, upReq(upSmall))},
			preemptor: upPod("p", "", upHigh, upReq(upLarge)), victims: []string{"low-prio"}},
		{name: "PDB: Prefer non-violating victim with higher priority over violating victim with lower priority",
			pods:      []*cluster.Pod{upPod("victim-pdb", "node1", upLow, foo, upReq(upMedium)), upPod("victim-no-pdb", "node1", upMid, upReq(upMedium))},
			pdbs:      []cluster.Object{pdbFor("pdb", 0, "app", "foo")},
			preemptor: upPod("p", "", upHigh, upReq(upLarge)), victims: []string{"victim-no-pdb"}},
		{name: "PDB: Prefer lower prioirity pod for preemption, when preemption without pdb violation is not possible",
			pods:      []*cluster.Pod{upPod("v1", "node1", upLow, foo, upReq(upMedium)), upPod("v2", "node1", upMid, foo, upReq(upMedium))},
			pdbs:      []cluster.Object{pdbFor("pdb", 0, "app", "foo")},
			preemptor: upPod("p", "", upHigh, upReq(upLarge)), victims: []string{"v1"}},
		{name: "Failure: Cannot preempt the victim with higher priority",
			pods:      []*cluster.Pod{upPod("victim", "node1", upHigh)},
			preemptor: upPod("p", "", upMid), podSlots: "1"},
		{name: "Failure: Cannot preempt if node is empty",
			preemptor: upPod("p", "", upMid), podSlots: "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := upNodeCap("node1", upVeryLarge...)
			if tc.podSlots != "" {
				n.Status.Allocatable = n.Status.Allocatable.With(cluster.ResourcePods, cluster.MustParseQuantity(tc.podSlots))
				n.Status.Capacity = n.Status.Allocatable
			}
			objs := []cluster.Object{n}
			for _, p := range tc.pods {
				objs = append(objs, p)
			}
			d := upDecide(t, scheduler.Config{}, tc.preemptor, append(objs, tc.pdbs...)...)
			assert.Empty(t, d.Node)
			if tc.victims == nil {
				// upstream: UnschedulableAndUnresolvable, no victims
				assert.Empty(t, d.Nominated)
				assert.Empty(t, d.Victims)
				assert.Equal(t, "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", preemptionPart(d.Message))
				return
			}
			assert.Equal(t, "node1", d.Nominated)
			assert.Equal(t, tc.victims, victimNames(d))
		})
	}
}

// TestUpstream_TestPreempt: default_preemption_test.go TestPreempt, end to
// end in the engine: the preemptor is nominated, exactly the expected pods
// get the DisruptionTarget condition and are deleted, and the next
// attempts preempt nothing more (the preemptor binds once the victims are
// gone). The extender cases are not portable except the one whose
// extender is not interested in the pod (it changes nothing).
func TestUpstream_TestPreempt(t *testing.T) {
	basic := []*cluster.Pod{
		upPod("p1.1", "node1", upLow, upReq(upSmall)), upPod("p1.2", "node1", upLow, upReq(upSmall)),
		upPod("p2.1", "node2", upHigh, upReq(upLarge)), upPod("p3.1", "node3", upMid, upReq(upMedium)),
	}
	three := []string{"node1", "node2", "node3"}
	for _, tc := range []struct {
		name      string
		preemptor *cluster.Pod
		pods      []*cluster.Pod
		nodes     []string
		want      string
		victims   []string
	}{
		{name: "basic preemption logic", preemptor: upPod("p", "", upHigh, upReq(upVeryLarge)), pods: basic, nodes: three,
			want: "node1", victims: []string{"p1.1", "p1.2"}},
		{name: "One scheduler extender allows only node1, but it is not interested in given pod, otherwise node1 would have been chosen",
			preemptor: upPod("p", "", upHigh, upReq(upVeryLarge)), nodes: []string{"node1", "node2"},
			pods: []*cluster.Pod{upPod("p1.1", "node1", upMid, upReq(upSmall)), upPod("p1.2", "node1", upLow, upReq(upSmall)),
				upPod("p2.1", "node2", upMid, upReq(upLarge))},
			want: "node2", victims: []string{"p2.1"}},
		{name: "no preempting in pod", preemptor: upPod("p", "", upHighNever, upReq(upVeryLarge)), pods: basic, nodes: three},
		{name: "PreemptionPolicy is nil", preemptor: upPod("p", "", upHigh, upReq(upVeryLarge)), pods: basic, nodes: three,
			want: "node1", victims: []string{"p1.1", "p1.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t)
			objs := slices.Clone(upClasses)
			for _, n := range tc.nodes {
				objs = append(objs, upNodeCap(n, upVeryLarge...))
			}
			for _, p := range tc.pods {
				objs = append(objs, p.DeepCopy())
			}
			e.Create(objs...)
			require.NoError(t, e.Stabilize())
			e.Create(tc.preemptor.DeepCopy())
			require.NoError(t, e.RunFor(time.Second))

			p := e.Pod("p")
			assert.False(t, p.IsBound())
			assert.Equal(t, tc.want, p.Status.NominatedNodeName)
			var terminating []string
			for _, v := range tc.pods {
				vp := e.Pod(v.Name)
				if vp.DeletionTimestamp == nil {
					continue
				}
				terminating = append(terminating, v.Name)
				c, ok := vp.Condition(cluster.DisruptionTarget)
				require.True(t, ok, "%s has the DisruptionTarget condition", v.Name)
				assert.Equal(t, cluster.ConditionTrue, c.Status)
				assert.Equal(t, scheduler.ReasonPreemptionByScheduler, c.Reason)
				assert.Equal(t, "default-scheduler: preempting to accommodate a higher priority pod", c.Message)
			}
			assert.Equal(t, tc.victims, terminating, "preempted pods")
			assert.Len(t, e.Notes("Preempted"), len(tc.victims))

			// later attempts preempt no more pods
			require.NoError(t, e.Stabilize())
			assert.Len(t, e.Notes("Preempted"), len(tc.victims), "no more preemption")
			var gone []string
			for _, v := range tc.pods {
				if _, ok := e.View().Pod("default", v.Name); !ok {
					gone = append(gone, v.Name)
				}
			}
			assert.Equal(t, tc.victims, gone)
			if tc.want != "" {
				assert.Equal(t, tc.want, e.Pod("p").Spec.NodeName, "bound once the victims are gone")
			} else {
				assert.False(t, e.Pod("p").IsBound())
			}
			e.NoErrors()
		})
	}
}
