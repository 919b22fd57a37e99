package scheduler

import (
	"slices"

	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// Code is a filter's verdict, as the framework's status codes.
type Code uint8

// The verdicts. Unschedulable means preemption might help on that node;
// UnschedulableAndUnresolvable means removing pods cannot help.
const (
	Success Code = iota
	Unschedulable
	UnschedulableAndUnresolvable
)

// String returns the upstream code name.
func (c Code) String() string {
	switch c {
	case Success:
		return "Success"
	case Unschedulable:
		return "Unschedulable"
	case UnschedulableAndUnresolvable:
		return "UnschedulableAndUnresolvable"
	}
	return "Unknown"
}

// Status is the outcome of filtering one node: the code, the plugin that
// rejected the node and its reasons (upstream texts, in plugin order).
type Status struct {
	Code    Code
	Plugin  string
	Reasons []string
}

// The plugin names, as upstream.
const (
	PluginNodeUnschedulable  = "NodeUnschedulable"
	PluginNodeName           = "NodeName"
	PluginTaintToleration    = "TaintToleration"
	PluginNodeAffinity       = "NodeAffinity"
	PluginNodePorts          = "NodePorts"
	PluginNodeResourcesFit   = "NodeResourcesFit"
	PluginBalancedAllocation = "NodeResourcesBalancedAllocation"
	PluginDefaultPreemption  = "DefaultPreemption"
)

// The filter reasons, as upstream words them.
const (
	ReasonUnschedulable       = "node(s) were unschedulable"
	ReasonNodeName            = "node(s) didn't match the requested node name"
	ReasonUntoleratedTaint    = "node(s) had untolerated taint(s)"
	ReasonNodeAffinity        = "node(s) didn't match Pod's node affinity/selector"
	ReasonAffinityConflict    = "pod affinity terms conflict"
	ReasonNodePorts           = "node(s) didn't have free ports for the requested pod ports"
	ReasonTooManyPods         = "Too many pods"
	ReasonInsufficientCPU     = "Insufficient cpu"
	ReasonInsufficientMemory  = "Insufficient memory"
	ReasonInsufficientStorage = "Insufficient ephemeral-storage"
	ReasonNoVictims           = "No preemption victims found for incoming pod"
	ReasonPreemptionNotHelp   = "Preemption is not helpful for scheduling"
)

// The filters return shared, immutable statuses (nil for success), so
// that a pass over thousands of failing nodes allocates nothing.
var (
	statusUnschedulable = &Status{UnschedulableAndUnresolvable, PluginNodeUnschedulable, []string{ReasonUnschedulable}}
	statusNodeName      = &Status{UnschedulableAndUnresolvable, PluginNodeName, []string{ReasonNodeName}}
	statusTaint         = &Status{UnschedulableAndUnresolvable, PluginTaintToleration, []string{ReasonUntoleratedTaint}}
	statusAffinity      = &Status{UnschedulableAndUnresolvable, PluginNodeAffinity, []string{ReasonNodeAffinity}}
	statusPorts         = &Status{Unschedulable, PluginNodePorts, []string{ReasonNodePorts}}
	statusNoVictims     = &Status{UnschedulableAndUnresolvable, PluginDefaultPreemption, []string{ReasonNoVictims}}
	statusNotHelpful    = &Status{UnschedulableAndUnresolvable, PluginDefaultPreemption, []string{ReasonPreemptionNotHelp}}

	// fitStatuses[unresolvable][mask]: NodeResourcesFit's statuses for
	// the combinations of too many pods (1), cpu (2), memory (4) and
	// ephemeral storage (8), reasons in upstream order.
	fitStatuses = func() (t [2][16]*Status) {
		names := []string{ReasonTooManyPods, ReasonInsufficientCPU, ReasonInsufficientMemory, ReasonInsufficientStorage}
		for u, code := range []Code{Unschedulable, UnschedulableAndUnresolvable} {
			for mask := 1; mask < 16; mask++ {
				var reasons []string
				for i, n := range names {
					if mask&(1<<i) != 0 {
						reasons = append(reasons, n)
					}
				}
				t[u][mask] = &Status{code, PluginNodeResourcesFit, reasons}
			}
		}
		return t
	}()
)

var unschedulableTaint = taints.Taint{Key: taints.KeyNodeUnschedulable, Effect: taints.NoSchedule}

// podCtx is what the scheduler computes once per pod per attempt (the
// framework's PreFilter and PreScore state).
type podCtx struct {
	*podInfo // the pod, its priority, requests and host ports

	bestEffort bool // no cpu or memory request: BalancedAllocation skips it

	toleratesUnschedulable bool
	nodeSelector           selector.Selector
	hasNodeSelector        bool
	affinity               *selector.LazyErrorNodeSelector

	// NodeAffinity PreFilter: when every required term names nodes with
	// matchFields metadata.name In, only those nodes are evaluated.
	restricted bool
	nodeNames  []string // sorted, unique
	conflict   bool     // the terms' node names have an empty union

	softTolerations []taints.Toleration
	preferred       []preferredTerm
}

type preferredTerm struct {
	weight int64
	term   *selector.NodeSelector
}

func newPodCtx(pi *podInfo) *podCtx {
	p := pi.pod
	pc := &podCtx{podInfo: pi}
	pc.bestEffort = pc.req.milliCPU == 0 && pc.req.memory == 0
	pc.toleratesUnschedulable = taints.TolerationsTolerateTaint(p.Spec.Tolerations, unschedulableTaint)
	if len(p.Spec.NodeSelector) > 0 {
		pc.nodeSelector, pc.hasNodeSelector = selector.SelectorFromSet(p.Spec.NodeSelector), true
	}
	if a := p.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		if req := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			pc.affinity = selector.NewLazyErrorNodeSelector(req)
			pc.preFilterNames(req)
		}
		for _, t := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			if t.Weight == 0 || t.Preference.IsEmpty() {
				continue
			}
			pc.preferred = append(pc.preferred, preferredTerm{int64(t.Weight), &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{t.Preference}}})
		}
	}
	for _, t := range p.Spec.Tolerations {
		if t.Effect == "" || t.Effect == taints.PreferNoSchedule {
			pc.softTolerations = append(pc.softTolerations, t)
		}
	}
	return pc
}

// preFilterNames is NodeAffinity's PreFilter: the union over terms of the
// intersection, within a term, of its matchFields metadata.name In values;
// no restriction as soon as one term has no such requirement.
func (pc *podCtx) preFilterNames(ns *selector.NodeSelector) {
	if len(ns.NodeSelectorTerms) == 0 {
		return
	}
	var union []string
	for _, t := range ns.NodeSelectorTerms {
		var names []string
		found := false
		for _, r := range t.MatchFields {
			if r.Key != selector.ObjectNameField || r.Operator != selector.NodeSelectorOpIn {
				continue
			}
			vals := slices.Clone(r.Values)
			slices.Sort(vals)
			vals = slices.Compact(vals)
			if !found {
				names, found = vals, true
				continue
			}
			names = slices.DeleteFunc(names, func(n string) bool { _, ok := slices.BinarySearch(vals, n); return !ok })
		}
		if !found {
			return
		}
		union = append(union, names...)
	}
	slices.Sort(union)
	pc.nodeNames = slices.Compact(union)
	pc.restricted = true
	pc.conflict = len(pc.nodeNames) == 0
}

// filter runs the filter plugins in upstream order on ni with the given
// accounting (ni's own, or a modified copy) and returns the first failure,
// or nil. The returned status is shared and must not be modified.
func (pc *podCtx) filter(ni *nodeInfo, st *nodeState) *Status {
	p := pc.pod
	if ni.unschedulable && !pc.toleratesUnschedulable {
		return statusUnschedulable
	}
	if p.Spec.NodeName != "" && p.Spec.NodeName != ni.name {
		return statusNodeName
	}
	if ni.hasHardTaints {
		if _, bad := taints.FindUntolerated(ni.taints, p.Spec.Tolerations, taints.DoNotScheduleFilter); bad {
			return statusTaint
		}
	}
	if pc.hasNodeSelector && !pc.nodeSelector.Matches(ni.labels) {
		return statusAffinity
	}
	if pc.affinity != nil {
		if ok, _ := pc.affinity.Match(ni.name, ni.labels); !ok {
			return statusAffinity
		}
	}
	if len(pc.ports) > 0 && len(st.ports) > 0 {
		for _, want := range pc.ports {
			for _, used := range st.ports {
				if want.conflicts(used) {
					return statusPorts
				}
			}
		}
	}
	return pc.fit(ni, st)
}

// fit is NodeResourcesFit's Filter: every insufficient resource is a
// reason; the status is unresolvable when a request exceeds the node's
// allocatable amount outright.
func (pc *podCtx) fit(ni *nodeInfo, st *nodeState) *Status {
	mask, unresolvable := 0, 0
	if int64(st.podCount)+1 > ni.allowedPods {
		mask |= 1
	}
	r := &pc.req
	check := func(bit int, req, alloc, used int64) {
		if req > 0 && req > alloc-used {
			mask |= bit
			if req > alloc {
				unresolvable = 1
			}
		}
	}
	check(2, r.milliCPU, ni.alloc.milliCPU, st.requested.milliCPU)
	check(4, r.memory, ni.alloc.memory, st.requested.memory)
	check(8, r.ephemeral, ni.alloc.ephemeral, st.requested.ephemeral)
	var scalars []string
	for _, sc := range r.scalars {
		alloc := ni.alloc.scalar(sc.name)
		if sc.value > alloc-st.requested.scalar(sc.name) {
			scalars = append(scalars, "Insufficient "+string(sc.name))
			if sc.value > alloc {
				unresolvable = 1
			}
		}
	}
	if scalars == nil {
		if mask == 0 {
			return nil
		}
		return fitStatuses[unresolvable][mask]
	}
	var reasons []string
	if mask != 0 {
		reasons = slices.Clone(fitStatuses[0][mask].Reasons)
	}
	code := Unschedulable
	if unresolvable == 1 {
		code = UnschedulableAndUnresolvable
	}
	return &Status{code, PluginNodeResourcesFit, append(reasons, scalars...)}
}

// filterWithNominated is RunFilterPluginsWithNominatedPods: a first pass
// with the pods nominated to ni whose priority is at least the pod's
// (other than the pod itself) added to the accounting, then, if any were
// added and the first pass succeeded, a second pass without them. st is
// the accounting to start from.
func (pc *podCtx) filterWithNominated(ni *nodeInfo, st *nodeState) *Status {
	var withNominated nodeState
	added := false
	for _, np := range ni.nominated {
		if np == pc.podInfo || np.priority < pc.priority {
			continue
		}
		if !added {
			withNominated, added = st.clone(), true
		}
		withNominated.add(np, 1)
	}
	if !added {
		return pc.filter(ni, st)
	}
	if s := pc.filter(ni, &withNominated); s != nil {
		return s
	}
	return pc.filter(ni, st)
}
