// Package clustertest builds cluster objects for tests, examples and
// benchmarks with functional options:
//
//	n := clustertest.Node("n1", clustertest.CPU("4"), clustertest.Memory("8Gi"),
//		clustertest.Labels("zone", "a"), clustertest.Taint("gpu=true:NoSchedule"))
//	p := clustertest.Pod("default/web-0", clustertest.Requests("cpu", "100m"))
//
// Builders panic on malformed literals (a bad quantity or taint): they are
// for code whose inputs are constants. They return fresh objects that the
// caller owns. This package does not import testify.
package clustertest

import (
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// NodeOption changes a node being built.
type NodeOption func(*cluster.Node)

// Node returns a Ready node with the options applied, in order. Without
// resource options it has 4 cpu, 16Gi memory and 110 pods allocatable.
func Node(name string, opts ...NodeOption) *cluster.Node {
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name}}
	n.Status.Allocatable = cluster.Resources("cpu", "4", "memory", "16Gi", "pods", "110")
	n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue}}
	for _, o := range opts {
		o(n)
	}
	n.Status.Capacity = n.Status.Allocatable
	return n
}

func nodeResource(name cluster.ResourceName, q string) NodeOption {
	return func(n *cluster.Node) {
		n.Status.Allocatable = n.Status.Allocatable.With(name, cluster.MustParseQuantity(q))
	}
}

// CPU sets allocatable cpu ("4", "3500m").
func CPU(q string) NodeOption { return nodeResource(cluster.ResourceCPU, q) }

// Memory sets allocatable memory ("16Gi").
func Memory(q string) NodeOption { return nodeResource(cluster.ResourceMemory, q) }

// MaxPods sets allocatable pods.
func MaxPods(q string) NodeOption { return nodeResource(cluster.ResourcePods, q) }

// NodeLabels adds labels from key, value pairs.
func NodeLabels(kv ...string) NodeOption {
	return func(n *cluster.Node) { n.Labels = addLabels(n.Labels, kv) }
}

// Taint adds a taint in kubectl syntax ("key=value:Effect").
func Taint(spec string) NodeOption {
	return func(n *cluster.Node) { n.Spec.Taints = append(n.Spec.Taints, taints.MustParse(spec)) }
}

// Unschedulable cordons the node.
func Unschedulable() NodeOption { return func(n *cluster.Node) { n.Spec.Unschedulable = true } }

// NotReady sets the Ready condition to False.
func NotReady() NodeOption {
	return func(n *cluster.Node) {
		n.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionFalse}}
	}
}

func addLabels(s selector.Set, kv []string) selector.Set {
	if len(kv)%2 != 0 {
		panic("clustertest: labels need key, value pairs")
	}
	if s == nil {
		s = selector.Set{}
	}
	for i := 0; i < len(kv); i += 2 {
		s[kv[i]] = kv[i+1]
	}
	return s
}

// PodOption changes a pod being built.
type PodOption func(*cluster.Pod)

// Pod returns a pod named "namespace/name" (or "name" in "default") with
// one container "c" and the options applied, in order.
func Pod(nsName string, opts ...PodOption) *cluster.Pod {
	ns, name := cluster.DefaultNamespace, nsName
	if i := strings.IndexByte(nsName, '/'); i >= 0 {
		ns, name = nsName[:i], nsName[i+1:]
	}
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Namespace: ns, Name: name}}
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Requests sets the first container's requests from name, quantity pairs.
// A resource that cannot be overcommitted (an extended resource such as
// example.com/gpu, or hugepages) gets an equal limit too, as the API server
// requires.
func Requests(kv ...string) PodOption {
	return func(p *cluster.Pod) {
		r := &p.Spec.Containers[0].Resources
		r.Requests = cluster.Resources(kv...)
		for _, e := range r.Requests {
			if n := string(e.Name); strings.Contains(n, "/") && !strings.HasPrefix(n, "kubernetes.io/") || strings.HasPrefix(n, "hugepages-") {
				r.Limits = r.Limits.With(e.Name, e.Quantity)
			}
		}
	}
}

// OnNode sets spec.nodeName (a pre-bound pod).
func OnNode(node string) PodOption { return func(p *cluster.Pod) { p.Spec.NodeName = node } }

// PodLabels adds labels from key, value pairs.
func PodLabels(kv ...string) PodOption {
	return func(p *cluster.Pod) { p.Labels = addLabels(p.Labels, kv) }
}

// Priority sets spec.priority directly, for pods that never pass through
// a store (filter and score tests). The store's priority admission refuses
// a pod whose spec.priority differs from its class's value (0 without a
// class); for stored pods use PriorityClassName.
func Priority(v int32) PodOption { return func(p *cluster.Pod) { p.Spec.Priority = &v } }

// Toleration adds a toleration.
func Toleration(t taints.Toleration) PodOption {
	return func(p *cluster.Pod) { p.Spec.Tolerations = append(p.Spec.Tolerations, t) }
}

// NodeSelector adds nodeSelector entries from key, value pairs.
func NodeSelector(kv ...string) PodOption {
	return func(p *cluster.Pod) { p.Spec.NodeSelector = addLabels(p.Spec.NodeSelector, kv) }
}

// ControlledBy adds a controller owner reference.
func ControlledBy(kind, name, uid string) PodOption {
	return func(p *cluster.Pod) {
		t := true
		p.OwnerReferences = append(p.OwnerReferences, cluster.OwnerReference{
			APIVersion: "apps/v1", Kind: kind, Name: name, UID: uid, Controller: &t, BlockOwnerDeletion: &t})
	}
}

// HostPort adds a container port claiming hostPort on the node (TCP).
func HostPort(port int32) PodOption {
	return func(p *cluster.Pod) {
		p.Spec.Containers[0].Ports = append(p.Spec.Containers[0].Ports, cluster.ContainerPort{ContainerPort: port, HostPort: port})
	}
}

// PriorityClassName sets spec.priorityClassName; the store's priority
// admission fills spec.priority from the class when the pod is created.
func PriorityClassName(name string) PodOption {
	return func(p *cluster.Pod) { p.Spec.PriorityClassName = name }
}

// PreemptNever sets spec.preemptionPolicy to Never. Priority admission
// refuses it if the pod's class says otherwise.
func PreemptNever() PodOption {
	return func(p *cluster.Pod) { v := cluster.PreemptNever; p.Spec.PreemptionPolicy = &v }
}

// StartTime sets status.startTime.
func StartTime(t time.Time) PodOption {
	return func(p *cluster.Pod) { p.Status.StartTime = &t }
}

// PriorityClass returns a PriorityClass with the given value. The
// preemption policy defaults to PreemptLowerPriority when stored.
func PriorityClass(name string, value int32) *cluster.PriorityClass {
	return &cluster.PriorityClass{ObjectMeta: cluster.ObjectMeta{Name: name}, Value: value}
}

// ReplicaSet returns a ReplicaSet named "namespace/name" (or "name" in
// "default") that keeps replicas pods labelled app=<name>, selected by
// that label, each with one container "c" and the options applied to
// the template's pod, in order (Requests, PodLabels, Toleration, ...;
// options that name a pod or its node have no meaning in a template).
func ReplicaSet(nsName string, replicas int32, opts ...PodOption) *cluster.ReplicaSet {
	p := Pod(nsName, append([]PodOption{PodLabels("app", nameOf(nsName))}, opts...)...)
	return &cluster.ReplicaSet{
		ObjectMeta: cluster.ObjectMeta{Namespace: p.Namespace, Name: p.Name},
		Spec: cluster.ReplicaSetSpec{
			Replicas: &replicas,
			Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": p.Name}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: p.Labels}, Spec: p.Spec},
		},
	}
}

func nameOf(nsName string) string {
	if i := strings.IndexByte(nsName, '/'); i >= 0 {
		return nsName[i+1:]
	}
	return nsName
}

// Resources returns a resource list from name, quantity pairs
// ("cpu", "100m", "memory", "200Mi"). It panics on a bad quantity: it is
// for literals in tests and examples.
func Resources(kv ...string) cluster.ResourceList {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	l, err := cluster.ParseResourceList(m)
	if err != nil {
		panic(err)
	}
	return l
}
