package scheduler

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// preemptResult is DefaultPreemption's PostFilter outcome.
type preemptResult struct {
	node    string     // nominated node; "" when preemption failed
	victims []*podInfo // on node, most important first
	clear   bool       // failed and the pod's nomination is cleared
	message string     // why it failed
}

// candidate is a node where evicting victims lets the pod fit; its
// victims are victimBuf[from:to].
type candidate struct {
	ni            *nodeInfo
	from, to      int
	pdbViolations int
}

// pdb is a PodDisruptionBudget with its selector compiled.
type pdb struct {
	obj     *cluster.PodDisruptionBudget
	sel     selector.Selector
	allowed int32
}

// pdbIndex loads the PDBs of a namespace from the view once per attempt.
type pdbIndex struct {
	view cluster.View
	byNS map[string][]pdb
}

func (x *pdbIndex) namespace(ns string) []pdb {
	if l, ok := x.byNS[ns]; ok {
		return l
	}
	var l []pdb
	for b := range x.view.PodDisruptionBudgets(ns) {
		sel, err := selector.LabelSelectorAsSelector(b.Spec.Selector)
		if err != nil || sel.Empty() || sel.IsNothing() {
			continue // an invalid, nil or empty selector matches nothing
		}
		l = append(l, pdb{obj: b, sel: sel, allowed: b.Status.DisruptionsAllowed})
	}
	if x.byNS == nil {
		x.byNS = map[string][]pdb{}
	}
	x.byNS[ns] = l
	return l
}

// startTime is GetPodStartTime in Unix nanoseconds: status.startTime, or
// now for a pod that has not started.
func startTime(p *podInfo, now int64) int64 {
	if p.started {
		return p.startNanos
	}
	return now
}

// moreImportant orders victims: higher priority first, then the earlier
// start time (MoreImportantPod), then the order the scheduler first saw
// the pods, so the order is total.
func moreImportant(now int64) func(a, b *podInfo) int {
	return func(a, b *podInfo) int {
		if c := cmp.Compare(b.priority, a.priority); c != 0 {
			return c
		}
		if c := cmp.Compare(startTime(a, now), startTime(b, now)); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	}
}

// terminatingByPreemption reports whether a pod is terminating because the
// scheduler preempted it.
func terminatingByPreemption(p *cluster.Pod) bool {
	if p.DeletionTimestamp == nil {
		return false
	}
	c, ok := p.Condition(cluster.DisruptionTarget)
	return ok && c.Status == cluster.ConditionTrue && c.Reason == ReasonPreemptionByScheduler
}

// ReasonPreemptionByScheduler is the DisruptionTarget condition's reason on
// a preemption victim.
const ReasonPreemptionByScheduler = "PreemptionByScheduler"

// preempt is DefaultPreemption's PostFilter: eligibility, candidates among
// the nodes that failed with Unschedulable, a dry run on up to
// numCandidates of them from a rotating offset, and the choice of one.
func (s *Scheduler) preempt(now time.Time, view cluster.View, pc *podCtx, diag *diagnosis, numAll int) preemptResult {
	p := pc.pod
	if p.Spec.PreemptionPolicy != nil && *p.Spec.PreemptionPolicy == cluster.PreemptNever {
		return preemptResult{message: "not eligible due to preemptionPolicy=Never."}
	}
	if nn := pc.podInfo.nominated; nn != "" && diag.code(nn) != UnschedulableAndUnresolvable {
		if ni, ok := s.cache.live(nn); ok {
			for _, v := range ni.pods {
				if v.priority < pc.priority && terminatingByPreemption(v.pod) {
					return preemptResult{message: "not eligible due to a terminating pod on the nominated node."}
				}
			}
		}
	}

	// The statuses are in evaluation order: a rotation of name order.
	// Un-rotating them puts the potential nodes in name order in O(n),
	// comparing ranks (renumbered here if nodes came or went since).
	s.cache.ranks()
	potential := s.potentialBuf[:0]
	defer func() { clear(potential); s.potentialBuf = potential[:0] }()
	split := 0
	var nominated *nodeInfo // the nominated node's entry, out of evaluation order
	for _, ns := range diag.statuses {
		if ns.st.Code != Unschedulable {
			continue
		}
		if ns.nominated {
			nominated = ns.ni
			continue
		}
		if len(potential) > 0 && ns.ni.rank < potential[len(potential)-1].rank {
			split = len(potential)
		}
		potential = append(potential, ns.ni)
	}
	slices.Reverse(potential[:split]) // rotate left by split, in place
	slices.Reverse(potential[split:])
	slices.Reverse(potential)
	if nominated != nil {
		i, _ := slices.BinarySearchFunc(potential, nominated.rank, func(ni *nodeInfo, r int) int { return cmp.Compare(ni.rank, r) })
		potential = slices.Insert(potential, i, nominated)
	}
	if len(potential) == 0 {
		return preemptResult{clear: true, message: fitMessage(numAll, nil, statusNotHelpful, "")}
	}

	n := len(potential)
	numCandidates := n * int(s.cfg.MinCandidateNodesPercentage) / 100
	numCandidates = min(max(numCandidates, int(s.cfg.MinCandidateNodesAbsolute)), n)
	offset := s.preemptionOffset % n
	pdbs := pdbIndex{view: view}
	nonViolating, violating := s.candidateBuf[:0], s.violatingBuf[:0]
	defer func() {
		clear(nonViolating)
		clear(violating)
		s.candidateBuf, s.violatingBuf = nonViolating[:0], violating[:0]
	}()
	var statuses []nodeStatus
	arena := s.victimBuf[:0]
	examined := 0
	for i := 0; i < n; i++ {
		ni := potential[(offset+i)%n]
		examined++
		from := len(arena)
		var violations int
		var st *Status
		arena, violations, st = s.dryRun(now, pc, ni, &pdbs, arena)
		if st == nil {
			c := candidate{ni, from, len(arena), violations}
			if violations == 0 {
				nonViolating = append(nonViolating, c)
			} else {
				violating = append(violating, c)
			}
			if len(nonViolating) > 0 && len(nonViolating)+len(violating) >= numCandidates {
				break
			}
			continue
		}
		statuses = append(statuses, nodeStatus{ni: ni, st: st})
	}
	s.preemptionOffset = (offset + examined) % n
	defer func() { clear(arena); s.victimBuf = arena[:0] }()
	candidates := append(nonViolating, violating...)
	if len(candidates) == 0 {
		return preemptResult{clear: true, message: fitMessage(numAll, statuses, statusNotHelpful, "")}
	}
	best := pickOneNode(candidates, arena, now, &s.aliveBuf)
	return preemptResult{node: best.ni.name, victims: slices.Clone(arena[best.from:best.to])}
}

// sortByImportance sorts victims by moreImportant; the lists are short,
// so an insertion sort without allocation.
func sortByImportance(vs []*podInfo, now int64) {
	less := moreImportant(now)
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && less(vs[j], vs[j-1]) < 0; j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}

// dryRun is selectVictims through the node's memo (see equiv.go).
func (s *Scheduler) dryRun(now time.Time, pc *podCtx, ni *nodeInfo, pdbs *pdbIndex, arena []*podInfo) ([]*podInfo, int, *Status) {
	if !pc.memoOK(ni) {
		return s.selectVictims(now, pc, ni, pdbs, arena)
	}
	m := &ni.victimMemo
	if m.class == pc.class && m.gen == ni.gen && m.pdbGen == s.pdbGen && m.now == now.UnixNano() {
		return append(arena, m.victims...), m.violations, m.st
	}
	from := len(arena)
	arena, violations, st := s.selectVictims(now, pc, ni, pdbs, arena)
	*m = victimMemo{class: pc.class, gen: ni.gen, pdbGen: s.pdbGen, now: now.UnixNano(),
		victims: append(m.victims[:0], arena[from:]...), violations: violations, st: st}
	return arena, violations, st
}

// selectVictims is SelectVictimsOnNode: remove every lower-priority pod;
// if the pod then fits, reprieve as many as possible, most important
// first, PDB-violating ones before the others. The victims are appended
// to arena, most important first; the returned status is nil on success.
func (s *Scheduler) selectVictims(now time.Time, pc *podCtx, ni *nodeInfo, pdbs *pdbIndex, arena []*podInfo) ([]*podInfo, int, *Status) {
	st := ni.nodeState.clone()
	base := len(arena)
	for _, v := range ni.pods {
		if v.priority < pc.priority {
			arena = append(arena, v)
			st.add(v, -1)
		}
	}
	potential := arena[base:]
	if len(potential) == 0 {
		return arena, 0, statusNoVictims
	}
	if fits := pc.filterWithNominated(ni, &st); fits != nil {
		return arena[:base], 0, fits
	}
	sortByImportance(potential, now.UnixNano())
	violating, nonViolating := splitByPDB(potential, pdbs)
	// The victims overwrite the potential ones in place: never more of
	// them than potential ones, and each is chosen after being read.
	n := 0
	reprieve := func(v *podInfo) bool {
		st.add(v, 1)
		if pc.filterWithNominated(ni, &st) == nil {
			return true
		}
		st.add(v, -1)
		arena[base+n] = v
		n++
		return false
	}
	violations := 0
	for _, v := range violating {
		if !reprieve(v) {
			violations++
		}
	}
	for _, v := range nonViolating {
		reprieve(v)
	}
	victims := arena[base : base+n]
	if len(violating) > 0 && len(nonViolating) > 0 {
		sortByImportance(victims, now.UnixNano())
	}
	return arena[:base+n], violations, nil
}

// splitByPDB is filterPodsWithPDBViolation: each pod that a PDB of its
// namespace selects, and that the PDB does not already list as disrupted,
// uses one of the PDB's allowed disruptions; a pod is violating if any of
// its PDBs goes below zero. Both results keep the input order.
func splitByPDB(pods []*podInfo, pdbs *pdbIndex) (violating, nonViolating []*podInfo) {
	guarded := false
	for _, p := range pods {
		if p.labeled && len(pdbs.namespace(p.pod.Namespace)) > 0 {
			guarded = true
			break
		}
	}
	if !guarded {
		// No copy: selectVictims only overwrites entries already read.
		return nil, pods
	}
	var allowed map[*cluster.PodDisruptionBudget]int32
	for _, p := range pods {
		violated := false
		if len(p.pod.Labels) > 0 {
			for _, b := range pdbs.namespace(p.pod.Namespace) {
				if !b.sel.Matches(p.pod.Labels) {
					continue
				}
				if _, done := b.obj.Status.DisruptedPods[p.pod.Name]; done {
					continue
				}
				if allowed == nil {
					allowed = map[*cluster.PodDisruptionBudget]int32{}
				}
				left, seen := allowed[b.obj]
				if !seen {
					left = b.allowed
				}
				left--
				allowed[b.obj] = left
				if left < 0 {
					violated = true
				}
			}
		}
		if violated {
			violating = append(violating, p)
		} else {
			nonViolating = append(nonViolating, p)
		}
	}
	return violating, nonViolating
}

// pickOneNode is pickOneNodeForPreemption: fewest PDB violations, then
// the lowest highest-victim priority, the lowest sum of victim priorities
// (each shifted by 2^31), the fewest victims, the latest earliest start
// among the highest-priority victims, and at last the lowest node name
// (upstream takes the first of a map's iteration).
// buf is scratch space, kept between calls.
func pickOneNode(cs []candidate, arena []*podInfo, now time.Time, buf *[]*candidate) candidate {
	type scoreFunc func(c *candidate) int64
	funcs := []scoreFunc{
		func(c *candidate) int64 { return -int64(c.pdbViolations) },
		func(c *candidate) int64 { return -int64(arena[c.from].priority) },
		func(c *candidate) int64 {
			var sum int64
			for _, v := range arena[c.from:c.to] {
				sum += int64(v.priority) + int64(math.MaxInt32) + 1
			}
			return -sum
		},
		func(c *candidate) int64 { return -int64(c.to - c.from) },
		func(c *candidate) int64 { return earliestStart(arena[c.from:c.to], now.UnixNano()) },
	}
	alive := (*buf)[:0]
	for i := range cs {
		alive = append(alive, &cs[i])
	}
	full := alive
	defer func() { clear(full); *buf = full[:0] }()
	for _, f := range funcs {
		next := alive[:0] // filtering in place: next never passes the reader
		best := int64(math.MinInt64)
		for _, c := range alive {
			sc := f(c)
			if sc > best {
				best, next = sc, next[:0]
			}
			if sc == best {
				next = append(next, c)
			}
		}
		alive = next
		if len(alive) == 1 {
			return *alive[0]
		}
	}
	return *slices.MinFunc(alive, func(a, b *candidate) int { return strings.Compare(a.ni.name, b.ni.name) })
}

// earliestStart is GetEarliestPodStartTime: the earliest start time among
// the victims of the highest priority, in Unix nanoseconds.
func earliestStart(victims []*podInfo, now int64) int64 {
	earliest, top := startTime(victims[0], now), victims[0].priority
	for _, v := range victims {
		switch t := startTime(v, now); {
		case v.priority == top && t < earliest:
			earliest = t
		case v.priority > top:
			top, earliest = v.priority, t
		}
	}
	return earliest
}

// deleting shows the rest of the pass a victim as the store will hold it
// once the plan is applied, as upstream's next scheduling cycle sees it on
// a fresh snapshot: gone when its grace period is 0, else terminating by
// preemption, still on its node and holding its resources until the node
// agent removes it (so a later pod neither deletes it again nor preempts
// as if it were still running). p is the victim with its DisruptionTarget
// condition, handed to the store: it is copied, not kept.
func (s *Scheduler) deleting(now time.Time, v *podInfo, p *cluster.Pod) {
	grace := v.pod.DeletionGracePeriod(nil)
	if v.assumed {
		grace = v.pod.GracePeriodSeconds() // its bind, planned earlier, applies first
	}
	if grace == 0 && len(v.pod.Finalizers) == 0 {
		s.forget(v)
		return
	}
	q := *p
	at := now.Add(time.Duration(grace) * time.Second)
	q.DeletionTimestamp, q.DeletionGracePeriodSeconds = &at, &grace
	v.setStatus(&q)
	s.cache.touch(v.node)
}

// preparePreemption is prepareCandidate: each victim not already
// terminating gets the DisruptionTarget condition and is deleted with its
// own grace period; pods of lower priority nominated to the same node lose
// their nomination.
func (s *Scheduler) preparePreemption(now time.Time, view cluster.View, pi *podInfo, d Decision, plan *cluster.Plan) {
	for _, k := range d.Victims {
		v := s.cache.podByKey(view, k)
		if v == nil || v.pod.DeletionTimestamp != nil {
			continue
		}
		p := v.pod.DeepCopy()
		cluster.SetPodCondition(&p.Status, cluster.PodCondition{
			Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue, Reason: ReasonPreemptionByScheduler,
			Message: s.cfg.SchedulerName + ": preempting to accommodate a higher priority pod"}, now)
		plan.Changes = append(plan.Changes,
			cluster.UpdateStatus{Object: p, ExpectedRV: v.pod.ResourceVersion, Handoff: true},
			cluster.Delete{Key: k})
		plan.Notes = append(plan.Notes, cluster.Note{Object: k, Type: cluster.NoteNormal, Reason: "Preempted",
			Message: fmt.Sprintf("Preempted by pod %s on node %s", pi.pod.UID, d.Nominated)})
		s.deleting(now, v, p)
	}
	if ni, ok := s.cache.byName[d.Nominated]; ok {
		var lower []*podInfo
		for _, np := range ni.nominated {
			if np != pi && np.priority < pi.priority {
				lower = append(lower, np)
			}
		}
		slices.SortFunc(lower, compareKeys)
		for _, np := range lower {
			s.cache.nominate(np, "")
			p := np.pod.DeepCopy()
			p.Status.NominatedNodeName = ""
			plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: p, ExpectedRV: np.statusRV(), Handoff: true})
			np.planned(p)
		}
	}
}
