package conformance

// The generator of the scheduler differential test: small seeded clusters
// (2 to 15 nodes, so that percentageOfNodesToScore and the preemption
// candidate count cut nothing), their running pods, PodDisruptionBudgets and
// PriorityClasses, and waves of pending pods, as a list of timed changes.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// schStep is a set of changes submitted at one instant, in order.
type schStep struct {
	at      time.Duration // after the start
	what    string        // for the report
	changes []cluster.Change
}

// schScenario is one generated cluster and what happens to it.
type schScenario struct {
	seed  uint64
	steps []schStep
	desc  []string // a one-line summary per notable object, for the report
}

type schGen struct {
	r       *rand.Rand
	sc      *schScenario
	nodes   []*cluster.Node
	running []*cluster.Pod
	pending []*cluster.Pod // specs already generated, for duplicates
	classes map[string]int32
	nextPod int
}

func schChance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func schPick[T any](r *rand.Rand, pool []T) T { return pool[r.IntN(len(pool))] }

func schPtr[T any](v T) *T { return &v }

var (
	schTaintKeys = []string{"dedicated", "gpu", "spot", "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}
	schEffects   = []taints.Effect{taints.NoSchedule, taints.PreferNoSchedule, taints.NoExecute, taints.PreferNoSchedule, taints.PreferNoSchedule}
	schApps      = []string{"web", "db", "cache"}
	schGPU       = cluster.ResourceName("example.com/gpu")
)

// schGenerate returns the scenario of one seed.
func schGenerate(seed uint64) *schScenario {
	g := &schGen{r: rand.New(rand.NewPCG(seed, 0x5ced)), sc: &schScenario{seed: seed}, classes: map[string]int32{}}
	r := g.r
	var setup []cluster.Change

	// PriorityClasses: admission resolves them on both sides alike.
	classes := []*cluster.PriorityClass{
		{ObjectMeta: cluster.ObjectMeta{Name: "low"}, Value: 100},
		{ObjectMeta: cluster.ObjectMeta{Name: "mid"}, Value: 1000},
		{ObjectMeta: cluster.ObjectMeta{Name: "high"}, Value: 10000},
		{ObjectMeta: cluster.ObjectMeta{Name: "neg"}, Value: -5},
		{ObjectMeta: cluster.ObjectMeta{Name: "never"}, Value: 5000, PreemptionPolicy: schPtr(cluster.PreemptNever)},
	}
	if schChance(r, 0.2) {
		classes = append(classes, &cluster.PriorityClass{ObjectMeta: cluster.ObjectMeta{Name: "default-pri"}, Value: 10, GlobalDefault: true})
		g.sc.desc = append(g.sc.desc, "global default class default-pri=10")
	}
	for _, c := range classes {
		g.classes[c.Name] = c.Value
		setup = append(setup, cluster.Create{Object: c})
	}

	n := 2 + r.IntN(14)
	var templates []*cluster.Node
	if schChance(r, 0.4) {
		// a few kinds of identical nodes: score ties
		for range 1 + r.IntN(3) {
			templates = append(templates, g.node("template"))
		}
		g.sc.desc = append(g.sc.desc, fmt.Sprintf("%d node templates", len(templates)))
	}
	for i := range n {
		name := fmt.Sprintf("n-%d", i+1)
		var nd *cluster.Node
		if templates != nil {
			nd = schPick(r, templates).DeepCopy()
			nd.Name = name
			nd.Labels = nd.Labels.Clone()
			nd.Labels["kubernetes.io/hostname"] = name
		} else {
			nd = g.node(name)
		}
		g.nodes = append(g.nodes, nd)
		setup = append(setup, cluster.Create{Object: nd})
	}
	for _, nd := range g.nodes {
		for range r.IntN(5) {
			p := g.runningPod(nd)
			g.running = append(g.running, p)
			setup = append(setup, cluster.Create{Object: p})
		}
	}
	if schChance(r, 0.15) { // a pod of another scheduler, bound: its resources count
		p := g.runningPod(schPick(r, g.nodes))
		p.Spec.SchedulerName = "other-scheduler"
		setup = append(setup, cluster.Create{Object: p})
	}
	for i := range r.IntN(3) {
		setup = append(setup, cluster.Create{Object: g.pdb(fmt.Sprintf("pdb-%d", i+1))})
	}
	g.sc.steps = append(g.sc.steps, schStep{at: 0, what: "cluster", changes: setup})

	// The main wave: pods created together at one instant.
	g.wave(time.Second, 2+r.IntN(11))
	// Later waves and cluster events.
	at := time.Second
	for range r.IntN(4) {
		at += time.Duration(1+r.IntN(40)) * time.Second
		if schChance(r, 0.6) {
			g.wave(at, 1+r.IntN(3))
		} else {
			g.event(at)
		}
	}
	return g.sc
}

func (g *schGen) node(name string) *cluster.Node {
	r := g.r
	res := map[string]string{
		"cpu":    schPick(r, []string{"1", "2", "4", "8", "1500m", "500m"}),
		"memory": schPick(r, []string{"1Gi", "2Gi", "4Gi", "8Gi", "16Gi", "512Mi"}),
		"pods":   schPick(r, []string{"110", "110", "110", "8", "5", "3"}),
	}
	if schChance(r, 0.7) {
		res["ephemeral-storage"] = schPick(r, []string{"10Gi", "50Gi", "1Gi"})
	}
	if schChance(r, 0.25) {
		res[string(schGPU)] = schPick(r, []string{"1", "2", "4"})
	}
	alloc, err := cluster.ParseResourceList(res)
	if err != nil {
		panic(err)
	}
	labels := selector.Set{
		"kubernetes.io/hostname": name,
		"zone":                   schPick(r, []string{"a", "b", "c"}),
		"gen":                    strconv.Itoa(1 + r.IntN(20)),
	}
	if schChance(r, 0.7) {
		labels["disk"] = schPick(r, []string{"ssd", "hdd"})
	}
	if schChance(r, 0.15) {
		labels["role"] = "infra"
	}
	nd := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name, Labels: labels}}
	nd.Status.Capacity = alloc
	nd.Status.Allocatable = alloc
	nd.Status.Conditions = []cluster.NodeCondition{{Type: cluster.NodeReady, Status: cluster.ConditionTrue}}
	for range schPick(r, []int{0, 0, 0, 1, 1, 2}) {
		t := taints.Taint{Key: schPick(r, schTaintKeys), Effect: schPick(r, schEffects)}
		if schChance(r, 0.5) {
			t.Value = schPick(r, []string{"x", "y"})
		}
		if !slices.ContainsFunc(nd.Spec.Taints, func(o taints.Taint) bool { return o.Key == t.Key && o.Effect == t.Effect }) {
			nd.Spec.Taints = append(nd.Spec.Taints, t)
		}
	}
	nd.Spec.Unschedulable = schChance(r, 0.1)
	return nd
}

// requests returns a container's resources: requests, often without cpu
// or memory, and the limit an extended resource must have (equal to its
// request).
func (g *schGen) requests(gpu bool) cluster.ResourceRequirements {
	r := g.r
	m := map[string]string{}
	if schChance(r, 0.85) {
		m["cpu"] = schPick(r, []string{"100m", "250m", "500m", "1", "2", "300m", "750m"})
	}
	if schChance(r, 0.8) {
		m["memory"] = schPick(r, []string{"64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "3Gi"})
	}
	if schChance(r, 0.05) {
		m["ephemeral-storage"] = schPick(r, []string{"1Gi", "5Gi"})
	}
	var limits cluster.ResourceList
	if gpu && schChance(r, 0.1) {
		m[string(schGPU)] = schPick(r, []string{"1", "2"})
		limits = cluster.Resources(string(schGPU), m[string(schGPU)])
	}
	l, err := cluster.ParseResourceList(m)
	if err != nil {
		panic(err)
	}
	return cluster.ResourceRequirements{Requests: l, Limits: limits}
}

func (g *schGen) ports() []cluster.ContainerPort {
	r := g.r
	if !schChance(r, 0.15) {
		return nil
	}
	hp := schPick(r, []int32{80, 443, 8080})
	p := cluster.ContainerPort{ContainerPort: 8000 + hp, HostPort: hp, Protocol: schPick(r, []cluster.Protocol{cluster.ProtocolTCP, cluster.ProtocolTCP, "UDP"})}
	if schChance(r, 0.2) {
		p.HostIP = schPick(r, []string{"127.0.0.1", "10.0.0.1"})
	}
	return []cluster.ContainerPort{p}
}

func (g *schGen) class() string {
	return schPick(g.r, []string{"", "", "low", "low", "mid", "mid", "high", "never", "neg"})
}

func (g *schGen) name(prefix string) string {
	g.nextPod++
	return fmt.Sprintf("%s-%d", prefix, g.nextPod)
}

func (g *schGen) runningPod(nd *cluster.Node) *cluster.Pod {
	r := g.r
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: g.name("r"), Namespace: "default"}}
	if schChance(r, 0.8) {
		p.Labels = selector.Set{"app": schPick(r, schApps)}
	}
	_, gpu := nd.Status.Allocatable.Get(schGPU)
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "img", Resources: g.requests(gpu), Ports: g.ports()}}
	p.Spec.NodeName = nd.Name
	p.Spec.PriorityClassName = schPick(r, []string{"", "", "low", "low", "neg", "mid", "high"})
	switch r.IntN(4) {
	case 0:
		p.Spec.TerminationGracePeriodSeconds = schPtr(int64(0))
	case 1:
		p.Spec.TerminationGracePeriodSeconds = schPtr(int64(10))
	}
	p.Status.Phase = cluster.PodRunning
	if schChance(r, 0.9) {
		// few distinct start times, so that equal ones occur
		t := schT0.Add(-time.Duration(schPick(r, []int{600, 300, 300, 120, 60, 60})) * time.Second)
		p.Status.StartTime = &t
	}
	if schChance(r, 0.1) {
		// terminating: leaves at its deletion timestamp
		dt := schT0.Add(time.Duration(schPick(r, []int{5, 20, 45})) * time.Second)
		p.DeletionTimestamp = &dt
		p.DeletionGracePeriodSeconds = schPtr(int64(30))
		if schChance(r, 0.5) {
			p.Status.Conditions = append(p.Status.Conditions, cluster.PodCondition{Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue,
				Reason: "PreemptionByScheduler", Message: "default-scheduler: preempting to accommodate a higher priority pod"})
		}
	}
	return p
}

func (g *schGen) pdb(name string) *cluster.PodDisruptionBudget {
	r := g.r
	b := &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default"}}
	app := schPick(r, schApps)
	b.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": app}}
	if schChance(r, 0.1) {
		b.Spec.Selector = &selector.LabelSelector{} // empty: matches nothing in preemption
	}
	b.Spec.MinAvailable = schPtr(cluster.FromInt(1))
	b.Status.DisruptionsAllowed = schPick(r, []int32{0, 0, 1, 2})
	for _, p := range g.running {
		if p.Labels["app"] == app && schChance(r, 0.2) {
			if b.Status.DisruptedPods == nil {
				b.Status.DisruptedPods = map[string]time.Time{}
			}
			b.Status.DisruptedPods[p.Name] = schT0
		}
	}
	g.sc.desc = append(g.sc.desc, fmt.Sprintf("pdb %s app=%s allowed=%d disrupted=%d", name, app, b.Status.DisruptionsAllowed, len(b.Status.DisruptedPods)))
	return b
}

var schTolerations = []taints.Toleration{
	{Operator: taints.OpExists}, // everything
	{Key: "dedicated", Operator: taints.OpEqual, Value: "x", Effect: taints.NoSchedule},
	{Key: "dedicated", Operator: taints.OpExists},
	{Key: "spot", Operator: taints.OpExists, Effect: taints.PreferNoSchedule},
	{Key: "spot", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "gpu", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: schPtr(int64(30))},
	{Key: "gpu", Operator: taints.OpEqual, Value: "y"},
	{Key: "node.kubernetes.io/not-ready", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: schPtr(int64(300))},
	{Key: "node.kubernetes.io/unreachable", Operator: taints.OpExists, Effect: taints.NoExecute},
	{Key: "node.kubernetes.io/unschedulable", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Operator: taints.OpExists, Effect: taints.PreferNoSchedule},
}

// schDaemonTolerations are the DaemonSet controller's defaults.
var schDaemonTolerations = []taints.Toleration{
	{Key: "node.kubernetes.io/not-ready", Operator: taints.OpExists, Effect: taints.NoExecute},
	{Key: "node.kubernetes.io/unreachable", Operator: taints.OpExists, Effect: taints.NoExecute},
	{Key: "node.kubernetes.io/disk-pressure", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "node.kubernetes.io/memory-pressure", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "node.kubernetes.io/pid-pressure", Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "node.kubernetes.io/unschedulable", Operator: taints.OpExists, Effect: taints.NoSchedule},
}

func (g *schGen) expression() selector.NodeSelectorRequirement {
	r := g.r
	switch r.IntN(7) {
	case 0:
		return selector.NodeSelectorRequirement{Key: "zone", Operator: selector.NodeSelectorOpIn, Values: schPick(r, [][]string{{"a"}, {"a", "b"}, {"c"}})}
	case 1:
		return selector.NodeSelectorRequirement{Key: "zone", Operator: selector.NodeSelectorOpNotIn, Values: []string{schPick(r, []string{"a", "b", "c"})}}
	case 2:
		return selector.NodeSelectorRequirement{Key: "disk", Operator: selector.NodeSelectorOpExists}
	case 3:
		return selector.NodeSelectorRequirement{Key: schPick(r, []string{"role", "disk"}), Operator: selector.NodeSelectorOpDoesNotExist}
	case 4:
		return selector.NodeSelectorRequirement{Key: "gen", Operator: selector.NodeSelectorOpGt, Values: []string{strconv.Itoa(r.IntN(20))}}
	case 5:
		return selector.NodeSelectorRequirement{Key: "gen", Operator: selector.NodeSelectorOpLt, Values: []string{strconv.Itoa(2 + r.IntN(20))}}
	default:
		return selector.NodeSelectorRequirement{Key: "disk", Operator: selector.NodeSelectorOpIn, Values: []string{"ssd"}}
	}
}

func (g *schGen) term() selector.NodeSelectorTerm {
	var t selector.NodeSelectorTerm
	for range 1 + g.r.IntN(2) {
		t.MatchExpressions = append(t.MatchExpressions, g.expression())
	}
	if schChance(g.r, 0.1) {
		t.MatchFields = []selector.NodeSelectorRequirement{{Key: "metadata.name", Operator: selector.NodeSelectorOpNotIn, Values: []string{schPick(g.r, g.nodes).Name}}}
	}
	return t
}

// pendingPod returns a new pending pod; often a copy of an earlier one.
func (g *schGen) pendingPod() *cluster.Pod {
	r := g.r
	name := g.name("p")
	if len(g.pending) > 0 && schChance(r, 0.3) {
		p := schPick(r, g.pending).DeepCopy()
		p.Name = name
		p.Status = cluster.PodStatus{}
		return p
	}
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: "default"}}
	if schChance(r, 0.5) {
		p.Labels = selector.Set{"app": schPick(r, schApps)}
	}
	p.Spec.PriorityClassName = g.class()
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "img", Resources: g.requests(true), Ports: g.ports()}}
	if schChance(r, 0.2) {
		p.Spec.Containers = append(p.Spec.Containers, cluster.Container{Name: "d", Image: "img", Resources: g.requests(false)})
	}
	if schChance(r, 0.2) {
		p.Spec.InitContainers = append(p.Spec.InitContainers, cluster.Container{Name: "init", Image: "img", Resources: g.requests(false)})
	}
	if schChance(r, 0.15) {
		always := cluster.ContainerRestartPolicyAlways
		sidecar := cluster.Container{Name: "sidecar", Image: "img", Resources: g.requests(false), RestartPolicy: &always}
		p.Spec.InitContainers = append([]cluster.Container{sidecar}, p.Spec.InitContainers...)
	}
	if schChance(r, 0.05) {
		p.Spec.Overhead = cluster.Resources("cpu", "50m", "memory", "32Mi")
	}
	if schChance(r, 0.45) {
		for range 1 + r.IntN(3) {
			t := schPick(r, schTolerations)
			p.Spec.Tolerations = append(p.Spec.Tolerations, t)
		}
	}
	if schChance(r, 0.2) {
		p.Spec.NodeSelector = schPick(r, []selector.Set{{"zone": "a"}, {"disk": "ssd"}, {"zone": "b", "disk": "hdd"}})
	}
	var aff cluster.NodeAffinity
	if schChance(r, 0.25) {
		ns := &selector.NodeSelector{}
		for range 1 + r.IntN(2) {
			ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, g.term())
		}
		aff.RequiredDuringSchedulingIgnoredDuringExecution = ns
	}
	if schChance(r, 0.35) {
		for range 1 + r.IntN(3) {
			aff.PreferredDuringSchedulingIgnoredDuringExecution = append(aff.PreferredDuringSchedulingIgnoredDuringExecution,
				cluster.PreferredSchedulingTerm{Weight: schPick(r, []int32{1, 5, 10, 50, 100}), Preference: g.term()})
		}
	}
	if schChance(r, 0.1) {
		// DaemonSet-style: one node by name, the daemon tolerations
		nd := schPick(r, g.nodes).Name
		if schChance(r, 0.1) {
			nd = "n-gone" // a node that does not exist
		}
		aff.RequiredDuringSchedulingIgnoredDuringExecution = &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{{
			MatchFields: []selector.NodeSelectorRequirement{{Key: "metadata.name", Operator: selector.NodeSelectorOpIn, Values: []string{nd}}}}}}
		p.Spec.Tolerations = append(p.Spec.Tolerations, schDaemonTolerations...)
		if schChance(r, 0.5) {
			p.Spec.PriorityClassName = cluster.SystemNodeCritical
		}
	}
	if aff.RequiredDuringSchedulingIgnoredDuringExecution != nil || aff.PreferredDuringSchedulingIgnoredDuringExecution != nil {
		p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &aff}
	}
	if schChance(r, 0.04) {
		p.Spec.SchedulerName = "other-scheduler"
	}
	g.pending = append(g.pending, p)
	return p
}

// wave creates k pending pods at one instant, in a random order, some with
// a nominatedNodeName or a nodeName already set.
func (g *schGen) wave(at time.Duration, k int) {
	r := g.r
	pods := make([]*cluster.Pod, k)
	for i := range pods {
		pods[i] = g.pendingPod()
	}
	if schChance(r, 0.5) {
		r.Shuffle(len(pods), func(i, j int) { pods[i], pods[j] = pods[j], pods[i] })
	}
	var cs []cluster.Change
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
		if schChance(r, 0.04) {
			p.Spec.NodeName = schPick(r, g.nodes).Name // bound by its creator
		}
		cs = append(cs, cluster.Create{Object: p})
		if p.Spec.NodeName == "" && schChance(r, 0.1) {
			st := p.DeepCopy()
			st.Status.Phase = cluster.PodPending
			st.Status.NominatedNodeName = schPick(r, g.nodes).Name
			cs = append(cs, cluster.UpdateStatus{Object: st})
			names[len(names)-1] += "(nnn=" + st.Status.NominatedNodeName + ")"
		}
	}
	g.sc.steps = append(g.sc.steps, schStep{at: at, what: fmt.Sprintf("pods %v", names), changes: cs})
}

// event changes the cluster: a running pod deleted, a node added,
// cordoned or uncordoned, or relabelled.
func (g *schGen) event(at time.Duration) {
	r := g.r
	switch r.IntN(4) {
	case 0:
		if len(g.running) > 0 {
			p := schPick(r, g.running)
			g.sc.steps = append(g.sc.steps, schStep{at: at, what: "delete " + p.Name, changes: []cluster.Change{cluster.Delete{Key: cluster.KeyOf(p)}}})
			return
		}
		fallthrough
	case 1:
		nd := g.node(fmt.Sprintf("n-%d", len(g.nodes)+1))
		g.nodes = append(g.nodes, nd)
		g.sc.steps = append(g.sc.steps, schStep{at: at, what: "add node " + nd.Name, changes: []cluster.Change{cluster.Create{Object: nd}}})
	case 2:
		i := r.IntN(len(g.nodes))
		nd := g.nodes[i].DeepCopy()
		nd.Spec.Unschedulable = !nd.Spec.Unschedulable
		g.nodes[i] = nd
		g.sc.steps = append(g.sc.steps, schStep{at: at, what: fmt.Sprintf("node %s unschedulable=%v", nd.Name, nd.Spec.Unschedulable), changes: []cluster.Change{cluster.Update{Object: nd}}})
	default:
		i := r.IntN(len(g.nodes))
		nd := g.nodes[i].DeepCopy()
		nd.Labels = nd.Labels.Clone()
		nd.Labels["zone"] = schPick(r, []string{"a", "b", "c"})
		g.nodes[i] = nd
		g.sc.steps = append(g.sc.steps, schStep{at: at, what: fmt.Sprintf("node %s zone=%s", nd.Name, nd.Labels["zone"]), changes: []cluster.Change{cluster.Update{Object: nd}}})
	}
}
