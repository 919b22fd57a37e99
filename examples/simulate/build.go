package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/taints"
)

// Well-known labels and taints of generated nodes.
const (
	labelHostname     = "kubernetes.io/hostname"
	labelOS           = "kubernetes.io/os"
	labelArch         = "kubernetes.io/arch"
	labelZone         = "topology.kubernetes.io/zone"
	labelControlPlane = "node-role.kubernetes.io/control-plane"
)

// inputs are the loaded files: the manifests to apply first, those to
// apply later (--then), the snapshot, the node template, and the files
// holding a timeline.
type inputs struct {
	first, then *manifest.Set
	snapshot    *manifest.Set
	template    *cluster.Node
	timelines   []timelineFile
}

// timelineFile is a file with a kind: Scenario document, and its bytes.
type timelineFile struct {
	name string
	data []byte
}

// load reads every file the options name. Problems of every file are
// reported together (a *manifest.Error), as kubectl does.
func load(o *options, stdin []byte) (*inputs, error) {
	in := &inputs{}
	stdinData := stdin
	var problems []manifest.Problem
	collect := func(err error) {
		var me *manifest.Error
		if errors.As(err, &me) {
			problems = append(problems, me.Problems...)
			return
		}
		problems = append(problems, manifest.Problem{Message: err.Error()})
	}
	loadAll := func(paths []string) *manifest.Set {
		all := &manifest.Set{}
		for _, p := range paths {
			var s *manifest.Set
			var err error
			if p == "-" {
				if stdin == nil {
					err = errors.New("-: standard input was already read by an earlier -")
				} else {
					s, err = manifest.Load(manifest.Stdin, stdin)
					stdin = nil
				}
			} else {
				s, err = manifest.LoadFiles(p)
			}
			if err != nil {
				collect(err)
				continue
			}
			all.Merge(s)
		}
		return all
	}
	in.first = loadAll(o.files)
	in.then = loadAll(o.then)
	if o.snapshot != "" {
		in.snapshot = loadAll([]string{o.snapshot})
	}
	if o.template != "" {
		s := loadAll([]string{o.template})
		var nodes []*cluster.Node
		for _, obj := range s.Objects {
			if n, ok := obj.Object.(*cluster.Node); ok {
				nodes = append(nodes, n)
			}
		}
		if len(nodes) != 1 || len(s.Objects) != 1 {
			problems = append(problems, manifest.Problem{File: o.template,
				Message: fmt.Sprintf("--node-template: want exactly one Node, found %d object(s), %d of them Nodes", len(s.Objects), len(nodes))})
		} else {
			in.template = nodes[0]
		}
	}
	if len(problems) > 0 {
		return nil, &manifest.Error{Problems: problems}
	}
	// a kind: Scenario document is skipped by the loader; its file is a timeline
	seen := map[string]bool{}
	for _, sk := range in.first.Skipped {
		if sk.Kind != "Scenario" || seen[sk.File] {
			continue
		}
		seen[sk.File] = true
		var data []byte
		var err error
		if sk.File == manifest.Stdin {
			data = stdinData
		} else {
			data, err = os.ReadFile(sk.File)
		}
		if err != nil {
			return nil, err
		}
		in.timelines = append(in.timelines, timelineFile{name: sk.File, data: data})
	}
	return in, nil
}

// parseLabels parses "k=v,k2=v2" into a label set.
func parseLabels(s string) (selector.Set, error) {
	out := selector.Set{}
	if s == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--node-labels: %q is not KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

// parseTaints parses "k=v:NoSchedule,k2:NoExecute".
func parseTaints(s string) ([]taints.Taint, error) {
	if s == "" {
		return nil, nil
	}
	var out []taints.Taint
	for _, spec := range strings.Split(s, ",") {
		t, err := taints.Parse(strings.TrimSpace(spec))
		if err != nil {
			return nil, fmt.Errorf("--node-taints: %v", err)
		}
		out = append(out, t)
	}
	return out, nil
}

// nodeTemplate is the node every generated node copies, before its name,
// hostname, zone and control-plane role.
func nodeTemplate(o *options, from *cluster.Node, explicit func(string) bool) (*cluster.Node, error) {
	n := &cluster.Node{}
	if from != nil {
		n = from.DeepCopy()
		n.ObjectMeta = cluster.ObjectMeta{Labels: n.Labels, Annotations: n.Annotations}
	}
	if n.Labels == nil {
		n.Labels = selector.Set{}
	}
	if from == nil {
		n.Labels[labelOS] = "linux"
		n.Labels[labelArch] = "amd64"
	}
	labels, err := parseLabels(o.nodeLabels)
	if err != nil {
		return nil, err
	}
	for k, v := range labels {
		n.Labels[k] = v
	}
	ts, err := parseTaints(o.nodeTaints)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(o taints.Taint) bool { return o.MatchTaint(t) })
		n.Spec.Taints = append(n.Spec.Taints, t)
	}
	alloc := n.Status.Allocatable
	for _, r := range []struct{ flag, name, value string }{
		{"node-cpu", "cpu", o.nodeCPU}, {"node-memory", "memory", o.nodeMemory}, {"node-pods", "pods", o.nodePods},
	} {
		if _, ok := alloc.Get(cluster.ResourceName(r.name)); ok && !explicit(r.flag) {
			continue // the template's
		}
		q, err := cluster.ParseQuantity(r.value)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q: %v", r.flag, r.value, err)
		}
		alloc = alloc.With(cluster.ResourceName(r.name), q)
	}
	n.Status.Allocatable = alloc
	if from == nil || len(n.Status.Capacity) == 0 || explicit("node-cpu") || explicit("node-memory") || explicit("node-pods") {
		n.Status.Capacity = alloc
	}
	if _, ok := n.Condition(cluster.NodeReady); !ok {
		n.Status.Conditions = append(n.Status.Conditions, cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionTrue})
	}
	return n, nil
}

// generateNodes returns o.nodes nodes made from tmpl, in name order.
func generateNodes(o *options, tmpl *cluster.Node) []*cluster.Node {
	width := max(3, len(strconv.Itoa(o.nodes-1)))
	nodes := make([]*cluster.Node, o.nodes)
	for i := range nodes {
		n := tmpl.DeepCopy()
		n.Name = fmt.Sprintf("node-%0*d", width, i)
		n.Labels[labelHostname] = n.Name
		if o.zones > 0 {
			n.Labels[labelZone] = zoneName(i % o.zones)
		}
		if i < o.controlPlane {
			n.Labels[labelControlPlane] = ""
			n.Spec.Taints = append(n.Spec.Taints, taints.Taint{Key: labelControlPlane, Effect: taints.NoSchedule})
		}
		nodes[i] = n
	}
	return nodes
}

// zoneName is zone-a ... zone-z, then zone-aa, zone-ab, ...
func zoneName(i int) string {
	if i < 26 {
		return "zone-" + string(rune('a'+i))
	}
	return "zone-" + string(rune('a'+i/26-1)) + string(rune('a'+i%26))
}

// validateNode checks a generated node as the store will, so that a bad
// label from a flag is reported once, before the run, as a flag error.
func validateNode(n *cluster.Node) error {
	c := n.DeepCopy()
	cluster.Default(c)
	if errs := cluster.Validate(c); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("generated node %s: %s", n.Name, strings.Join(msgs, "; "))
	}
	return nil
}

// startTime is when the run starts: the epoch, or with a snapshot the
// latest time it records (so that its objects are not in the future).
func startTime(snapshot *manifest.Set) time.Time {
	start := sim.Epoch
	if snapshot == nil {
		return start
	}
	later := func(t time.Time) {
		if t.After(start) {
			start = t
		}
	}
	for _, obj := range snapshot.Objects {
		switch o := obj.Object.(type) {
		case *cluster.Node:
			later(o.CreationTimestamp)
			for _, c := range o.Status.Conditions {
				later(c.LastTransitionTime)
			}
		case *cluster.Pod:
			later(o.CreationTimestamp)
			for _, c := range o.Status.Conditions {
				later(c.LastTransitionTime)
			}
		case *cluster.DaemonSet:
			later(o.CreationTimestamp)
		}
	}
	return start.Truncate(time.Second).Add(time.Second)
}
