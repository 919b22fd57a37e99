package scheduler_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// build stores the objects in order and returns the store.
func build(t *testing.T, objs ...cluster.Object) *cluster.Store {
	t.Helper()
	s := cluster.NewStore()
	for _, o := range objs {
		_, err := s.Apply(t0, cluster.Create{Object: o})
		require.NoError(t, err, "create %s", cluster.KeyOf(o))
	}
	return s
}

// decide schedules pod (stored last) on a store holding objs.
func decide(t *testing.T, cfg scheduler.Config, pod *cluster.Pod, objs ...cluster.Object) scheduler.Decision {
	t.Helper()
	s := build(t, append(objs, pod)...)
	d, err := scheduler.Decide(cfg, s, t0, cluster.KeyOf(pod))
	require.NoError(t, err)
	return d
}

func tol(key string, op taints.Operator, effect taints.Effect) taints.Toleration {
	return taints.Toleration{Key: key, Operator: op, Effect: effect}
}

func matchFields(nodes ...string) ct.PodOption {
	return func(p *cluster.Pod) {
		p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchFields: []selector.NodeSelectorRequirement{{Key: selector.ObjectNameField, Operator: selector.NodeSelectorOpIn, Values: nodes}}}}}}}
	}
}

func requiredLabel(key string, values ...string) ct.PodOption {
	return func(p *cluster.Pod) {
		p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
				MatchExpressions: []selector.NodeSelectorRequirement{{Key: key, Operator: selector.NodeSelectorOpIn, Values: values}}}}}}}
	}
}

func hostPortIP(port int32, ip string, proto cluster.Protocol) ct.PodOption {
	return func(p *cluster.Pod) {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, cluster.ContainerPort{ContainerPort: port, HostPort: port, HostIP: ip, Protocol: proto})
	}
}

func TestFilters(t *testing.T) {
	n := func(name string, opts ...ct.NodeOption) *cluster.Node { return ct.Node(name, opts...) }
	tests := []struct {
		name     string
		objs     []cluster.Object
		pod      *cluster.Pod
		wantNode string
		wantMsg  string
		wantCode map[string]scheduler.Code // node -> status code
	}{
		{name: "cordoned node refused",
			objs: []cluster.Object{n("n1", ct.Unschedulable())}, pod: ct.Pod("p"),
			wantMsg:  "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
			wantCode: map[string]scheduler.Code{"n1": scheduler.UnschedulableAndUnresolvable}},
		{name: "cordoned node accepted with unschedulable toleration",
			objs: []cluster.Object{n("n1", ct.Unschedulable())},
			pod:  ct.Pod("p", ct.Toleration(tol(taints.KeyNodeUnschedulable, taints.OpExists, taints.NoSchedule))), wantNode: "n1"},
		{name: "NoSchedule and NoExecute taints refuse, PreferNoSchedule does not",
			objs: []cluster.Object{n("a", ct.Taint("k=v:NoSchedule")), n("b", ct.Taint("k=v:NoExecute")), n("c", ct.Taint("k=v:PreferNoSchedule"))},
			pod:  ct.Pod("p"), wantNode: "c"},
		{name: "untolerated taint message",
			objs: []cluster.Object{n("a", ct.Taint("k=v:NoSchedule")), n("b", ct.Taint("dedicated=gpu:NoExecute"))},
			pod:  ct.Pod("p", ct.Toleration(tol("k", taints.OpExists, ""))), wantNode: "a"},
		{name: "taints all untolerated",
			objs:     []cluster.Object{n("a", ct.Taint("k=v:NoSchedule")), n("b", ct.Taint("x=:NoExecute"))},
			pod:      ct.Pod("p"),
			wantMsg:  "0/2 nodes are available: 2 node(s) had untolerated taint(s). preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
			wantCode: map[string]scheduler.Code{"a": scheduler.UnschedulableAndUnresolvable, "b": scheduler.UnschedulableAndUnresolvable}},
		{name: "nodeSelector",
			objs: []cluster.Object{n("a", ct.NodeLabels("disk", "hdd")), n("b", ct.NodeLabels("disk", "ssd"))},
			pod:  ct.Pod("p", ct.NodeSelector("disk", "ssd")), wantNode: "b"},
		{name: "required node affinity",
			objs: []cluster.Object{n("a", ct.NodeLabels("zone", "x")), n("b", ct.NodeLabels("zone", "y")), n("c")},
			pod:  ct.Pod("p", requiredLabel("zone", "y", "z")), wantNode: "b"},
		{name: "node affinity message",
			objs:    []cluster.Object{n("a"), n("b", ct.NodeLabels("zone", "x"))},
			pod:     ct.Pod("p", ct.NodeSelector("zone", "y")),
			wantMsg: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."},
		{name: "matchFields limits evaluation to the named node",
			objs:     []cluster.Object{n("a"), n("b", ct.CPU("1")), n("c")},
			pod:      ct.Pod("p", matchFields("b"), ct.Requests("cpu", "2")),
			wantMsg:  "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
			wantCode: map[string]scheduler.Code{"b": scheduler.UnschedulableAndUnresolvable}},
		{name: "matchFields naming a missing node",
			objs:    []cluster.Object{n("a")},
			pod:     ct.Pod("p", matchFields("gone")),
			wantMsg: "0/1 nodes are available: 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		{name: "matchFields on the named node",
			objs: []cluster.Object{n("a"), n("b")}, pod: ct.Pod("p", matchFields("b")), wantNode: "b"},
		{name: "host port conflict is resolvable",
			objs:     []cluster.Object{n("a"), ct.Pod("other", ct.OnNode("a"), ct.HostPort(80))},
			pod:      ct.Pod("p", ct.HostPort(80)),
			wantMsg:  "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
			wantCode: map[string]scheduler.Code{"a": scheduler.Unschedulable}},
		{name: "host port on another protocol or IP is free",
			objs: []cluster.Object{n("a"), ct.Pod("other", ct.OnNode("a"), hostPortIP(80, "10.0.0.1", cluster.ProtocolUDP), hostPortIP(81, "10.0.0.1", cluster.ProtocolTCP))},
			pod:  ct.Pod("p", hostPortIP(80, "", cluster.ProtocolTCP), hostPortIP(81, "10.0.0.2", cluster.ProtocolTCP)), wantNode: "a"},
		{name: "host port 0.0.0.0 conflicts with a specific IP",
			objs:    []cluster.Object{n("a"), ct.Pod("other", ct.OnNode("a"), hostPortIP(81, "10.0.0.1", cluster.ProtocolTCP))},
			pod:     ct.Pod("p", ct.HostPort(81)),
			wantMsg: "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
		{name: "insufficient cpu and memory both reported",
			objs:     []cluster.Object{n("a", ct.CPU("1"), ct.Memory("1Gi")), ct.Pod("other", ct.OnNode("a"), ct.Requests("cpu", "800m", "memory", "800Mi"))},
			pod:      ct.Pod("p", ct.Requests("cpu", "300m", "memory", "300Mi")),
			wantMsg:  "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
			wantCode: map[string]scheduler.Code{"a": scheduler.Unschedulable}},
		{name: "request above allocatable is unresolvable",
			objs:     []cluster.Object{n("a", ct.CPU("1"))},
			pod:      ct.Pod("p", ct.Requests("cpu", "1500m")),
			wantMsg:  "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
			wantCode: map[string]scheduler.Code{"a": scheduler.UnschedulableAndUnresolvable}},
		{name: "too many pods",
			objs:    []cluster.Object{n("a", ct.MaxPods("1")), ct.Pod("other", ct.OnNode("a"))},
			pod:     ct.Pod("p"),
			wantMsg: "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
		{name: "extended resource",
			objs: []cluster.Object{n("a"), n("b", func(n *cluster.Node) {
				n.Status.Allocatable = n.Status.Allocatable.With("example.com/gpu", cluster.MustParseQuantity("1"))
			})},
			pod:      ct.Pod("p", ct.Requests("example.com/gpu", "1")),
			wantNode: "b"},
		{name: "extended resource message",
			objs:    []cluster.Object{n("a")},
			pod:     ct.Pod("p", ct.Requests("example.com/gpu", "1")),
			wantMsg: "0/1 nodes are available: 1 Insufficient example.com/gpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		{name: "init container larger than containers counts",
			objs: []cluster.Object{n("a", ct.CPU("1"))},
			pod: ct.Pod("p", ct.Requests("cpu", "100m"), func(p *cluster.Pod) {
				p.Spec.InitContainers = []cluster.Container{{Name: "init", Image: "init", Resources: cluster.ResourceRequirements{Requests: cluster.Resources("cpu", "1100m")}}}
			}),
			wantMsg: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
		{name: "sidecar adds to containers; overhead adds",
			objs: []cluster.Object{n("a", ct.CPU("1")), ct.Pod("other", ct.OnNode("a"), ct.Requests("cpu", "300m"))},
			pod: ct.Pod("p", ct.Requests("cpu", "300m"), func(p *cluster.Pod) {
				always := cluster.ContainerRestartPolicyAlways
				p.Spec.InitContainers = []cluster.Container{{Name: "side", Image: "side", RestartPolicy: &always, Resources: cluster.ResourceRequirements{Requests: cluster.Resources("cpu", "300m")}}}
				p.Spec.Overhead = cluster.Resources("cpu", "200m")
			}),
			wantMsg: "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
		{name: "first failing plugin wins: taint before resources",
			objs:    []cluster.Object{n("a", ct.CPU("1"), ct.Taint("k=:NoSchedule"))},
			pod:     ct.Pod("p", ct.Requests("cpu", "2")),
			wantMsg: "0/1 nodes are available: 1 node(s) had untolerated taint(s). preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(t, scheduler.Config{}, tc.pod, tc.objs...)
			assert.Equal(t, tc.wantNode, d.Node)
			assert.Equal(t, tc.wantMsg, d.Message)
			for node, code := range tc.wantCode {
				found := false
				for _, st := range d.Statuses {
					if st.Node == node {
						found = true
						assert.Equal(t, code, st.Code, node)
					}
				}
				assert.True(t, found, "status for %s", node)
			}
		})
	}
}

func TestNoNodes(t *testing.T) {
	d := decide(t, scheduler.Config{}, ct.Pod("p"))
	assert.Equal(t, "no nodes available to schedule pods", d.Message)
}

func TestOtherSchedulerPodIsNotDecided(t *testing.T) {
	p := ct.Pod("p", func(p *cluster.Pod) { p.Spec.SchedulerName = "my-scheduler" })
	s := build(t, ct.Node("n1"), p)
	_, err := scheduler.Decide(scheduler.Config{}, s, t0, cluster.KeyOf(p))
	assert.ErrorContains(t, err, "is not a pending pod of default-scheduler")
	d, err := scheduler.Decide(scheduler.Config{SchedulerName: "my-scheduler"}, s, t0, cluster.KeyOf(p))
	require.NoError(t, err)
	assert.Equal(t, "n1", d.Node)
}
