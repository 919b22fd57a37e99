package trace

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// EventType is what happens to a node in a NodeEvent. Its values are the
// words of the CSV format's event column and of the scenario language.
type EventType string

// The event types, in the order EventTypes lists them.
const (
	// Add: the node joins the cluster (a Create from the template).
	Add EventType = "add"
	// Remove: the node leaves the cluster (a Delete).
	Remove EventType = "remove"
	// Update: the node's labels, taints or capacity change.
	Update EventType = "update"
	// Fail: the kubelet reports the node NotReady (Ready=False).
	Fail EventType = "fail"
	// Recover: the kubelet reports the node Ready again (Ready=True).
	Recover EventType = "recover"
	// StopKubelet: the kubelet stops posting status; the node lifecycle
	// controller turns the node Unknown after its grace period.
	StopKubelet EventType = "stop-kubelet"
	// StartKubelet: the kubelet posts status again.
	StartKubelet EventType = "start-kubelet"
	// Drain: kubectl drain (cordon, then evict through the eviction API).
	Drain EventType = "drain"
	// Cordon: spec.unschedulable becomes true.
	Cordon EventType = "cordon"
	// Uncordon: spec.unschedulable becomes false.
	Uncordon EventType = "uncordon"
)

var eventTypes = [...]EventType{Add, Remove, Update, Fail, Recover, StopKubelet, StartKubelet, Drain, Cordon, Uncordon}

// EventTypes returns every event type, in the documented order (add, remove,
// update, fail, recover, stop-kubelet, start-kubelet, drain, cordon,
// uncordon). The slice is new; the caller owns it.
func EventTypes() []EventType { return slices.Clone(eventTypes[:]) }

// index returns t's position in eventTypes, or -1.
func (t EventType) index() int {
	for i, x := range eventTypes {
		if x == t {
			return i
		}
	}
	return -1
}

// Valid reports whether t is one of the event types.
func (t EventType) Valid() bool { return t.index() >= 0 }

// IsStoreChange reports whether the event is a write to the node alone
// (add, remove, update, fail, recover, cordon, uncordon), which Changes
// turns into cluster.Changes; stop-kubelet, start-kubelet and drain are
// processes that a controller runs over time (heartbeats, the node
// lifecycle controller, kubectl drain's evictions and retries).
func (t EventType) IsStoreChange() bool {
	switch t {
	case StopKubelet, StartKubelet, Drain:
		return false
	}
	return t.Valid()
}

// ParseEventType reads an event type as the CSV format writes it. The error
// lists the known types: `unknown "ad" (want add, remove, ...)`.
func ParseEventType(s string) (EventType, error) {
	if t := EventType(s); t.Valid() {
		return t, nil
	}
	return "", fmt.Errorf("unknown %q (want %s)", s, typeList())
}

func typeList() string {
	ss := make([]string, len(eventTypes))
	for i, t := range eventTypes {
		ss[i] = string(t)
	}
	return strings.Join(ss, ", ")
}

// NodeEvent is one line of a trace: at offset At from the start of the
// replay, Type happens to node Node.
//
// Labels, Taints and Capacity say what an add creates the node with (over
// the template; see NewNode) and what an update sets; RemoveLabels and
// RemoveTaints, for an update only, what it takes away (a taint with an
// empty Effect removes the key's taints of every effect, as `kubectl taint
// k-` does). A nil Capacity (or nil Labels, ...) means "nothing given":
// an add keeps the template's, an update leaves the node's. Other types
// carry none of these. Capacity is sorted by name with unique names (a
// cluster.ResourceList), and a reader returns it so.
//
// File and Line are where the event was read (for messages); they are not
// part of the event's meaning and the writer does not write them.
type NodeEvent struct {
	At           time.Duration
	Node         string
	Type         EventType
	Labels       selector.Set
	RemoveLabels []string
	Taints       []taints.Taint
	RemoveTaints []taints.Taint
	Capacity     cluster.ResourceList

	File string
	Line int
}

// String renders the event for logs: "90s add node/n1".
func (e NodeEvent) String() string { return fmt.Sprintf("%s %s node/%s", e.At, e.Type, e.Node) }

// problem is a semantic problem with an event: the column it concerns
// ("labels") and the message.
type problem struct{ column, msg string }

// check returns the first problem with e that a reader would refuse and a
// writer must not write, in column order: the time, the node name, the type,
// then what the type allows. Quantities must not be negative.
func (e *NodeEvent) check() *problem {
	if e.At < 0 {
		return &problem{"time", fmt.Sprintf("%s is negative", e.At)}
	}
	if msgs := selector.NameIsDNSSubdomain(e.Node); len(msgs) > 0 {
		return &problem{"node", fmt.Sprintf("invalid name %q: %s", e.Node, strings.Join(msgs, "; "))}
	}
	if !e.Type.Valid() {
		return &problem{"event", fmt.Sprintf("unknown %q (want %s)", e.Type, typeList())}
	}
	carries := e.Type == Add || e.Type == Update
	if !carries && (len(e.Labels) > 0 || len(e.RemoveLabels) > 0) {
		return &problem{"labels", fmt.Sprintf("not allowed on a %s event (only add and update)", e.Type)}
	}
	if !carries && (len(e.Taints) > 0 || len(e.RemoveTaints) > 0) {
		return &problem{"taints", fmt.Sprintf("not allowed on a %s event (only add and update)", e.Type)}
	}
	if !carries && len(e.Capacity) > 0 {
		return &problem{string(e.Capacity[0].Name), fmt.Sprintf("not allowed on a %s event (only add and update)", e.Type)}
	}
	if e.Type == Add && len(e.RemoveLabels) > 0 {
		return &problem{"labels", fmt.Sprintf("%s-: removing a label is only for update events", e.RemoveLabels[0])}
	}
	if e.Type == Add && len(e.RemoveTaints) > 0 {
		return &problem{"taints", fmt.Sprintf("%s-: removing a taint is only for update events", e.RemoveTaints[0])}
	}
	for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
		if msgs := selector.IsQualifiedName(k); len(msgs) > 0 {
			return &problem{"labels", fmt.Sprintf("key %q: %s", k, strings.Join(msgs, "; "))}
		}
		if msgs := selector.IsValidLabelValue(e.Labels[k]); len(msgs) > 0 {
			return &problem{"labels", fmt.Sprintf("%s: value %q: %s", k, e.Labels[k], strings.Join(msgs, "; "))}
		}
		if slices.Contains(e.RemoveLabels, k) {
			return &problem{"labels", fmt.Sprintf("%s: both set and removed", k)}
		}
	}
	for i, k := range e.RemoveLabels {
		if msgs := selector.IsQualifiedName(k); len(msgs) > 0 {
			return &problem{"labels", fmt.Sprintf("key %q: %s", k, strings.Join(msgs, "; "))}
		}
		if slices.Contains(e.RemoveLabels[:i], k) {
			return &problem{"labels", fmt.Sprintf("%s-: removed twice", k)}
		}
	}
	for i, t := range e.Taints {
		if p, err := taints.Parse(t.String()); err != nil || p != t {
			return &problem{"taints", fmt.Sprintf("invalid taint %q", t.String())}
		}
		for _, o := range e.Taints[:i] {
			if o.MatchTaint(t) {
				return &problem{"taints", fmt.Sprintf("%s: repeated (taints are unique by key and effect)", t)}
			}
		}
		for _, r := range e.RemoveTaints {
			if r.Key == t.Key && (r.Effect == "" || r.Effect == t.Effect) {
				return &problem{"taints", fmt.Sprintf("%s: both set and removed", t)}
			}
		}
	}
	for i, t := range e.RemoveTaints {
		if _, err := parseTaintRemoval(removalString(t)); err != nil || t.Value != "" || t.TimeAdded != nil {
			return &problem{"taints", fmt.Sprintf("invalid taint removal %q", removalString(t))}
		}
		if slices.Contains(e.RemoveTaints[:i], t) {
			return &problem{"taints", fmt.Sprintf("%s: removed twice", removalString(t))}
		}
	}
	for i, r := range e.Capacity {
		if i > 0 && e.Capacity[i-1].Name >= r.Name {
			return &problem{string(r.Name), "capacity must be sorted by name with unique names"}
		}
		if msgs := selector.IsQualifiedName(string(r.Name)); len(msgs) > 0 {
			return &problem{string(r.Name), fmt.Sprintf("invalid resource name: %s", strings.Join(msgs, "; "))}
		}
		if r.Quantity.MilliValue() < 0 {
			return &problem{string(r.Name), fmt.Sprintf("%s is negative", r.Quantity)}
		}
	}
	return nil
}

// Check reports whether e is an event a reader could return and a writer
// may write: a non-negative time, a valid node name (a DNS subdomain),
// a known type, labels and taints valid as Kubernetes validates them and
// unique (taints by key and effect), labels, taints and capacity only on add
// and update, removals only on update, capacity sorted with non-negative
// quantities. The error names the column ("labels: ...").
func (e NodeEvent) Check() error {
	if p := e.check(); p != nil {
		return fmt.Errorf("%s: %s", p.column, p.msg)
	}
	return nil
}

// removalString renders a taint removal as kubectl writes it: "k:Effect-"
// or "k-".
func removalString(t taints.Taint) string {
	if t.Effect == "" {
		return t.Key + "-"
	}
	return t.Key + ":" + string(t.Effect) + "-"
}

// parseTaintRemoval reads "k-" or "k:Effect-".
func parseTaintRemoval(s string) (taints.Taint, error) {
	body, ok := strings.CutSuffix(s, "-")
	if !ok {
		return taints.Taint{}, fmt.Errorf("invalid taint removal %q: must end in -", s)
	}
	key, eff, hasEff := strings.Cut(body, ":")
	if msgs := selector.IsQualifiedName(key); len(msgs) > 0 {
		return taints.Taint{}, fmt.Errorf("invalid taint removal %q: key: %s", s, strings.Join(msgs, "; "))
	}
	t := taints.Taint{Key: key}
	if hasEff {
		switch e := taints.Effect(eff); e {
		case taints.NoSchedule, taints.PreferNoSchedule, taints.NoExecute:
			t.Effect = e
		default:
			return taints.Taint{}, fmt.Errorf("invalid taint removal %q: unknown effect %q (want NoSchedule, PreferNoSchedule or NoExecute)", s, eff)
		}
	}
	return t, nil
}

// ErrProcess is what Changes returns for the events that are processes run
// by a controller over time rather than writes (stop-kubelet, start-kubelet,
// drain): see EventType.IsStoreChange.
var ErrProcess = errors.New("not a store change: a controller runs it")

// DefaultNodeTemplate returns a new copy of the template NewNode uses when
// given nil: labels kubernetes.io/os=linux and kubernetes.io/arch=amd64
// (as a kubelet sets them), capacity and allocatable cpu 32, memory 64Gi,
// pods 110 (the kubelet's default maxPods), and no conditions (so that
// NewNode adds Ready=True). 32 CPUs and 64Gi are the most common machine of
// the 2011 Google trace (normalised CPU 0.5, memory 0.2493) at the default
// Google2011Options scale, so a machine whose capacity the trace leaves
// empty gets the common size.
func DefaultNodeTemplate() *cluster.Node {
	res := cluster.Resources("cpu", "32", "memory", "64Gi", "pods", "110")
	return &cluster.Node{
		ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{
			"kubernetes.io/os":   "linux",
			"kubernetes.io/arch": "amd64",
		}},
		Status: cluster.NodeStatus{Capacity: res, Allocatable: slices.Clone(res)},
	}
}

// LabelHostname is the label a kubelet gives its node: the node's name.
const LabelHostname = "kubernetes.io/hostname"

// NewNode returns the node an add event creates: a deep copy of tmpl (nil
// means DefaultNodeTemplate) named e.Node, without the template's uid,
// resourceVersion or timestamps, with the labels of the template, then
// kubernetes.io/hostname=<name>, then e.Labels (later ones win); the
// template's taints, then e.Taints (an event taint replaces the template's
// taint of the same key and effect); the template's capacity with e.Capacity
// over it, and the same over allocatable when the template lists one (no
// reservation is modelled); and the template's conditions with an unset
// lastTransitionTime becoming now, or if it has none Ready=True
// (KubeletReady) at now. The caller owns the result; nothing is shared with
// tmpl or e.
func NewNode(tmpl *cluster.Node, e NodeEvent, now time.Time) *cluster.Node {
	if tmpl == nil {
		tmpl = DefaultNodeTemplate()
	}
	n := tmpl.DeepCopy()
	n.ObjectMeta = cluster.ObjectMeta{
		Name:        e.Node,
		Labels:      n.Labels,
		Annotations: n.Annotations,
		Finalizers:  n.Finalizers,
	}
	if n.Labels == nil {
		n.Labels = selector.Set{}
	}
	n.Labels[LabelHostname] = e.Node
	for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
		n.Labels[k] = e.Labels[k]
	}
	n.Spec.Taints = setTaints(n.Spec.Taints, e.Taints)
	n.Status.Capacity = overlay(n.Status.Capacity, e.Capacity)
	if len(n.Status.Allocatable) > 0 {
		n.Status.Allocatable = overlay(n.Status.Allocatable, e.Capacity)
	}
	if len(n.Status.Conditions) == 0 {
		n.Status.Conditions = []cluster.NodeCondition{readyCondition(true, now)}
	}
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].LastTransitionTime.IsZero() {
			n.Status.Conditions[i].LastTransitionTime = now
		}
	}
	return n
}

// setTaints returns ts with each of add put in: replacing a taint of the
// same key and effect where there is one, else appended. ts is not modified.
func setTaints(ts, add []taints.Taint) []taints.Taint {
	if len(add) == 0 {
		return ts
	}
	out := slices.Clone(ts)
	for _, t := range add {
		if i := slices.IndexFunc(out, t.MatchTaint); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

// overlay returns l with every entry of over set (sorted); l is not
// modified.
func overlay(l, over cluster.ResourceList) cluster.ResourceList {
	for _, r := range over {
		l = l.With(r.Name, r.Quantity)
	}
	return l
}

func readyCondition(ready bool, now time.Time) cluster.NodeCondition {
	if ready {
		return cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionTrue, LastTransitionTime: now,
			Reason: "KubeletReady", Message: "kubelet is posting ready status"}
	}
	return cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionFalse, LastTransitionTime: now,
		Reason: "KubeletNotReady", Message: "container runtime network not ready"}
}

// Changes returns the writes e implies against v, at now, for the event
// types that are writes (IsStoreChange), in the order they are to be
// applied:
//
//   - add: a Create of NewNode(tmpl, e, now); ErrAlreadyExists (wrapped)
//     if v has the node.
//   - remove: a Delete of the node; ErrNotFound (wrapped) if v lacks it.
//   - update: an Update of a copy of the node with e's labels and taints
//     set and its removals made (removing what the node lacks does nothing),
//     if that changes anything; then an UpdateStatus with e.Capacity set
//     over status.capacity (and status.allocatable when the node lists one),
//     if that changes anything. ErrNotFound if v lacks the node.
//   - cordon, uncordon: an Update setting spec.unschedulable, or nothing if
//     it is set so already.
//   - fail, recover: an UpdateStatus setting the Ready condition False
//     (KubeletNotReady) or True (KubeletReady), transition time now, or
//     nothing if it has that status already.
//
// For stop-kubelet, start-kubelet and drain it returns ErrProcess (wrapped):
// the replay hands those to the controllers that run them. An invalid event
// (Check) is an error. The changes hold new objects the caller owns (it may
// set Handoff on them); nothing of v is modified. Cost: one node lookup and
// a copy of that node.
func (e NodeEvent) Changes(v cluster.View, tmpl *cluster.Node, now time.Time) ([]cluster.Change, error) {
	if err := e.Check(); err != nil {
		return nil, fmt.Errorf("node/%s: %s: %w", e.Node, e.Type, err)
	}
	if !e.Type.IsStoreChange() {
		return nil, fmt.Errorf("node/%s: %s: %w", e.Node, e.Type, ErrProcess)
	}
	old, ok := v.Node(e.Node)
	if e.Type == Add {
		if ok {
			return nil, fmt.Errorf("node/%s: add: %w", e.Node, cluster.ErrAlreadyExists)
		}
		return []cluster.Change{cluster.Create{Object: NewNode(tmpl, e, now)}}, nil
	}
	if !ok {
		return nil, fmt.Errorf("node/%s: %s: %w", e.Node, e.Type, cluster.ErrNotFound)
	}
	switch e.Type {
	case Remove:
		return []cluster.Change{cluster.Delete{Key: cluster.KeyOf(old)}}, nil
	case Cordon, Uncordon:
		on := e.Type == Cordon
		if old.Spec.Unschedulable == on {
			return nil, nil
		}
		n := old.DeepCopy()
		n.Spec.Unschedulable = on
		return []cluster.Change{cluster.Update{Object: n}}, nil
	case Fail, Recover:
		ready := e.Type == Recover
		want := cluster.ConditionFalse
		if ready {
			want = cluster.ConditionTrue
		}
		if c, ok := old.Condition(cluster.NodeReady); ok && c.Status == want {
			return nil, nil
		}
		n := old.DeepCopy()
		c := readyCondition(ready, now)
		if i := slices.IndexFunc(n.Status.Conditions, func(x cluster.NodeCondition) bool { return x.Type == cluster.NodeReady }); i >= 0 {
			n.Status.Conditions[i] = c
		} else {
			n.Status.Conditions = append(n.Status.Conditions, c)
		}
		return []cluster.Change{cluster.UpdateStatus{Object: n}}, nil
	}
	// Update.
	var out []cluster.Change
	n := old.DeepCopy()
	changed := false
	for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
		if cur, ok := n.Labels[k]; !ok || cur != e.Labels[k] {
			if n.Labels == nil {
				n.Labels = selector.Set{}
			}
			n.Labels[k] = e.Labels[k]
			changed = true
		}
	}
	for _, k := range e.RemoveLabels {
		if _, ok := n.Labels[k]; ok {
			delete(n.Labels, k)
			changed = true
		}
	}
	if len(e.RemoveTaints) > 0 {
		kept := n.Spec.Taints[:0:0]
		for _, t := range n.Spec.Taints {
			if slices.ContainsFunc(e.RemoveTaints, func(r taints.Taint) bool {
				return r.Key == t.Key && (r.Effect == "" || r.Effect == t.Effect)
			}) {
				changed = true
				continue
			}
			kept = append(kept, t)
		}
		n.Spec.Taints = kept
	}
	for _, t := range e.Taints {
		i := slices.IndexFunc(n.Spec.Taints, t.MatchTaint)
		switch {
		case i < 0:
			n.Spec.Taints = append(n.Spec.Taints, t)
			changed = true
		case n.Spec.Taints[i].Value != t.Value:
			n.Spec.Taints[i] = t
			changed = true
		}
	}
	if changed {
		out = append(out, cluster.Update{Object: n})
	}
	if len(e.Capacity) > 0 {
		s := old.DeepCopy()
		capNew := overlay(s.Status.Capacity, e.Capacity)
		allocNew := s.Status.Allocatable
		if len(allocNew) > 0 {
			allocNew = overlay(allocNew, e.Capacity)
		}
		if !sameResources(capNew, s.Status.Capacity) || !sameResources(allocNew, s.Status.Allocatable) {
			s.Status.Capacity, s.Status.Allocatable = capNew, allocNew
			out = append(out, cluster.UpdateStatus{Object: s})
		}
	}
	return out, nil
}

// sameResources reports whether a and b list the same names with equal
// amounts.
func sameResources(a, b cluster.ResourceList) bool {
	return slices.EqualFunc(a, b, func(x, y cluster.ResourceEntry) bool {
		return x.Name == y.Name && x.Quantity.Cmp(y.Quantity) == 0
	})
}
