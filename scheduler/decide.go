package scheduler

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// Decision is the outcome of one scheduling attempt for one pod.
type Decision struct {
	Pod cluster.Key
	// Node is the node chosen; "" when the pod fits nowhere.
	Node string
	// Nominated is the node preemption nominated; "" when none, and
	// ClearNomination says whether an existing nomination is removed.
	Nominated       string
	ClearNomination bool
	// Victims are the pods preemption evicts on Nominated, most important
	// first (priority descending, then earlier start, then the order
	// the scheduler first saw them).
	Victims []cluster.Key
	// Message explains a failure in the upstream FitError form; "" on
	// success.
	Message string
	// Statuses holds the filter outcome of every node that failed, by
	// node name. Only Decide fills it.
	Statuses []NodeStatus
	// Scores holds the scores when more than one node was feasible, in
	// the order the nodes were evaluated. Only Decide fills it; Reconcile
	// does not keep scores.
	Scores []NodeScore
}

// NodeStatus is one node's filter outcome.
type NodeStatus struct {
	Node string
	Status
}

// diagnosis collects the filter statuses of one attempt.
type diagnosis struct {
	statuses  []nodeStatus // in evaluation order
	absent    *Status      // the status of nodes not evaluated
	preFilter string       // a PreFilter rejection's message
}

// nodeStatus is one failed node; st is shared and immutable. nominated
// marks the pod's nominated node, tried first and not again among the
// others: it stands last in a diagnosis, out of evaluation order.
type nodeStatus struct {
	ni        *nodeInfo
	st        *Status
	nominated bool
}

// code returns the status code of a node, absent ones included.
func (d *diagnosis) code(name string) Code {
	for i := range d.statuses {
		if d.statuses[i].ni.name == name {
			return d.statuses[i].st.Code
		}
	}
	return d.absent.Code
}

// fitMessage is FitError.Error: "0/N nodes are available: " then the
// sorted histogram of reasons (or the PreFilter message), then ".".
func fitMessage(numAll int, statuses []nodeStatus, absent *Status, preFilter string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "0/%d nodes are available:", numAll)
	if preFilter != "" {
		fmt.Fprintf(&b, " %s.", preFilter)
		return b.String()
	}
	// Count by shared status first (few distinct ones), then by reason.
	type byStatus struct {
		st *Status
		n  int
	}
	var groups []byStatus
	for _, ns := range statuses {
		i := slices.IndexFunc(groups, func(g byStatus) bool { return g.st == ns.st })
		if i < 0 {
			groups = append(groups, byStatus{ns.st, 0})
			i = len(groups) - 1
		}
		groups[i].n++
	}
	if missing := numAll - len(statuses); missing > 0 && absent != nil {
		groups = append(groups, byStatus{absent, missing})
	}
	type count struct {
		reason string
		n      int
	}
	var counts []count
	for _, g := range groups {
		for _, r := range g.st.Reasons {
			i := slices.IndexFunc(counts, func(c count) bool { return c.reason == r })
			if i < 0 {
				counts = append(counts, count{r, 0})
				i = len(counts) - 1
			}
			counts[i].n += g.n
		}
	}
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprintf("%d %s", c.n, c.reason)
	}
	slices.Sort(parts)
	if len(parts) > 0 {
		fmt.Fprintf(&b, " %s.", strings.Join(parts, ", "))
	}
	return b.String()
}

// numFeasibleNodesToFind is upstream's: every node below 100 nodes,
// otherwise the configured or adaptive percentage, at least 100.
func (s *Scheduler) numFeasibleNodesToFind(numAll int) int {
	const minFeasibleNodesToFind, minFeasibleNodesPercentageToFind = 100, 5
	if numAll < minFeasibleNodesToFind {
		return numAll
	}
	pct := int(s.cfg.PercentageOfNodesToScore)
	if pct == 0 {
		pct = 50 - numAll/125
		if pct < minFeasibleNodesPercentageToFind {
			pct = minFeasibleNodesPercentageToFind
		}
	}
	n := numAll * pct / 100
	if n < minFeasibleNodesToFind {
		return minFeasibleNodesToFind
	}
	return n
}

// The statuses of nodes a PreFilter ruled out.
// preFilterStatus is the status of the nodes NodeAffinity's PreFilter left
// out when the nominated node failed on plugin as well: upstream lists
// every plugin recorded in the diagnosis, sorted.
func preFilterStatus(plugin string) *Status {
	ps := []string{PluginNodeAffinity, plugin}
	slices.Sort(ps)
	return &Status{UnschedulableAndUnresolvable, PluginNodeAffinity, []string{"node(s) didn't satisfy plugin(s) [" + strings.Join(ps, " ") + "]"}}
}

var (
	statusAbsent            = &Status{Code: UnschedulableAndUnresolvable}
	statusAffinityConflict  = &Status{UnschedulableAndUnresolvable, PluginNodeAffinity, []string{ReasonAffinityConflict}}
	statusPreFilterAffinity = &Status{UnschedulableAndUnresolvable, PluginNodeAffinity, []string{"node(s) didn't satisfy plugin(s) [" + PluginNodeAffinity + "]"}}
)

// attempt runs one scheduling cycle for pi against the cache: the
// nominated node first, then PreFilter, Filter (from the rotating start
// index, stopping at numFeasibleNodesToFind), Score and selection, and
// PostFilter (preemption) when nothing fits. It updates the rotating
// indexes but not the cache; apply does that.
func (s *Scheduler) attempt(now time.Time, view cluster.View, pi *podInfo) Decision {
	d := Decision{Pod: pi.key()}
	pc := newPodCtx(pi)
	if !pc.restricted && pi.class == 0 && !s.noEquivalence {
		pi.class = s.classify(pi)
	}
	numAll := len(s.cache.nodes)
	if numAll == 0 {
		d.Message = "no nodes available to schedule pods"
		return d
	}
	// the nominated node is tried first, after PreFilter; when it fails,
	// its status stays in the diagnosis and its plugin joins the PreFilter
	// message of the nodes a PreFilter left out, as upstream's
	// evaluateNominatedNode writes into the shared diagnosis
	var nominated *nodeStatus
	if nn := pi.nominated; nn != "" && !(pc.restricted && pc.conflict) {
		if ni, ok := s.cache.live(nn); ok {
			st := pc.filterWithNominated(ni, &ni.nodeState)
			if st == nil {
				d.Node = nn
				return d
			}
			nominated = &nodeStatus{ni: ni, st: st, nominated: true}
		}
	}

	diag := diagnosis{absent: statusAbsent, statuses: s.statusBuf[:0]}
	defer func() { clear(diag.statuses); s.statusBuf = diag.statuses[:0] }()
	nodes := s.cache.nodes
	if pc.restricted {
		if pc.conflict {
			diag.absent = statusAffinityConflict
			diag.preFilter = ReasonAffinityConflict
			nodes = nil
		} else {
			nodes = make([]*nodeInfo, 0, len(pc.nodeNames))
			for _, name := range pc.nodeNames {
				if ni, ok := s.cache.live(name); ok {
					nodes = append(nodes, ni)
				}
			}
			diag.absent = statusPreFilterAffinity
			if nominated != nil && nominated.st.Plugin != "" && nominated.st.Plugin != PluginNodeAffinity {
				diag.absent = preFilterStatus(nominated.st.Plugin)
			}
		}
	}

	feasible := s.feasibleBuf[:0]
	defer func() { clear(feasible); s.feasibleBuf = feasible[:0] }()
	if n := len(nodes); n > 0 {
		toFind := s.numFeasibleNodesToFind(n)
		j := s.nextStartNodeIndex % n
		for i := 0; i < n; i, j = i+1, j+1 {
			if j == n {
				j = 0
			}
			ni := nodes[j]
			if nominated != nil && ni == nominated.ni {
				nominated = nil // evaluated again here, in its turn
			}
			st := pc.filterNode(ni)
			if st == nil {
				feasible = append(feasible, ni)
				if len(feasible) >= toFind {
					break
				}
			} else {
				diag.statuses = append(diag.statuses, nodeStatus{ni: ni, st: st})
			}
		}
	}
	if nominated != nil {
		diag.statuses = append(diag.statuses, *nominated)
	}
	if !(pc.restricted && pc.conflict) {
		s.nextStartNodeIndex = (s.nextStartNodeIndex + len(feasible) + len(diag.statuses)) % numAll
	}

	switch len(feasible) {
	case 0:
	case 1:
		d.Node = feasible[0].name
		return d
	default:
		scores := pc.score(feasible, s.scoreBuf)
		s.scoreBuf = scores
		best := 0
		for i := 1; i < len(scores); i++ {
			a, b := scores[i].total, scores[best].total
			if a > b || (a == b && feasible[i].name < feasible[best].name) {
				best = i
			}
		}
		d.Node = feasible[best].name
		if s.explain {
			d.Scores = make([]NodeScore, len(scores))
			for i, sc := range scores {
				d.Scores[i] = NodeScore{Node: feasible[i].name, TaintToleration: sc.taint, NodeAffinity: sc.affinity,
					LeastAllocated: sc.least, BalancedAllocation: sc.balanced, Total: sc.total}
			}
		}
		return d
	}

	if s.explain {
		d.Statuses = make([]NodeStatus, len(diag.statuses))
		for i, ns := range diag.statuses {
			d.Statuses[i] = NodeStatus{ns.ni.name, *ns.st}
		}
		slices.SortFunc(d.Statuses, func(a, b NodeStatus) int { return strings.Compare(a.Node, b.Node) })
	}
	msg := fitMessage(numAll, diag.statuses, diag.absent, diag.preFilter)
	r := s.preempt(now, view, pc, &diag, numAll)
	if r.node != "" {
		d.Nominated = r.node
		d.Victims = make([]cluster.Key, len(r.victims))
		for i, v := range r.victims {
			d.Victims[i] = v.key()
		}
		// a successful PostFilter's message, after DynamicResources' (none)
		msg += fmt.Sprintf(" preemption: found a potential placement for pod on node %s, preempting %d victims", r.node, len(r.victims))
	} else {
		d.ClearNomination = r.clear
		// the DynamicResources PostFilter, which runs first, rejects a pod
		// without resource claims with no reason, so only preemption's shows
		msg += " preemption: " + r.message
	}
	d.Message = msg
	return d
}

// Decide runs one scheduling attempt for the pod with key podKey against
// a cache built from view, and returns the decision without changing
// anything: the pure form of Reconcile for tests and what-if questions.
// The rotating start indexes begin at 0. O(objects in view) to build the
// cache. Fails if the configuration is invalid or the pod is not a
// pending pod of this scheduler.
func Decide(cfg Config, view cluster.View, now time.Time, podKey cluster.Key) (Decision, error) {
	s, err := New(cfg)
	if err != nil {
		return Decision{}, err
	}
	s.Sync(view)
	s.explain = true
	pi := s.cache.podByKey(view, podKey)
	if pi == nil || pi.state == podOnNode {
		return Decision{}, fmt.Errorf("scheduler: %s is not a pending pod of %s", podKey, s.cfg.SchedulerName)
	}
	return s.attempt(now, view, pi), nil
}

// apply turns a decision into cache updates and plan entries.
func (s *Scheduler) apply(now time.Time, view cluster.View, pi *podInfo, d Decision, plan *cluster.Plan) {
	if d.Node != "" {
		s.cache.nominate(pi, "")
		s.cache.placePod(pi, d.Node)
		pi.assumed = true
		bind := cluster.Bind{Pod: pi.key(), Node: d.Node}
		if s.cfg.BindLatency > 0 {
			plan.Later = append(plan.Later, cluster.Delayed{After: s.cfg.BindLatency, Change: bind})
		} else {
			plan.Changes = append(plan.Changes, bind)
		}
		return
	}
	if d.Nominated != "" {
		s.preparePreemption(now, view, pi, d, plan)
	}
	nominated := pi.nominated
	switch {
	case d.Nominated != "":
		nominated = d.Nominated
	case d.ClearNomination:
		nominated = ""
	}
	s.cache.nominate(pi, nominated)
	// upstream re-stamps a pod that failed: it lines up behind the pods
	// of its priority queued before it
	s.stamp(pi)
	pi.state, pi.enqueued, pi.enqueuedSet = podUnschedulable, now.UnixNano(), true
	s.unschedulable.ReplaceOrInsert(pi)

	plan.Notes = append(plan.Notes, cluster.Note{Object: pi.key(), Type: cluster.NoteWarning, Reason: "FailedScheduling", Message: d.Message})
	p := pi.pod.DeepCopy()
	changed := cluster.SetPodCondition(&p.Status, cluster.PodCondition{
		Type: cluster.PodScheduled, Status: cluster.ConditionFalse, Reason: "Unschedulable", Message: d.Message}, now)
	if p.Status.NominatedNodeName != nominated {
		p.Status.NominatedNodeName, changed = nominated, true
	}
	if changed {
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: p, ExpectedRV: pi.statusRV(), Handoff: true})
		pi.planned(p)
	}
}
