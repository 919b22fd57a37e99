package conformance

// The scheduler differential test: daemonsim's scheduler, driven by the sim
// engine as users run it, beside the real kube-scheduler of v1.37.1
// (scheduler_upstream_test.go), decision by decision, on generated clusters
// (scheduler_gen_test.go).
//
// daemonsim's side is its real scheduler.New under sim.New, with a small
// kubelet (pods start after a seeded delay, terminating pods leave at their
// deletion timestamp). schRecorder wraps the scheduler: each Reconcile pass
// is cut into its attempts, in order, from the Plan it returns (a bind per
// placed pod; per failed pod a FailedScheduling note, the victims'
// DisruptionTarget and deletion, the nominations it clears, its own status
// update). A failed attempt that changes nothing has no place among the
// binds of its pass; it is put where upstream's queue order puts it (see
// parse). Before each attempt the upstream scheduler runs one cycle for
// the same pod on the state daemonsim's store would have at that point of
// the pass (the pass's view, forked, with the earlier attempts' changes
// applied, as if each had been written before the next cycle), and the two
// are compared: bound or pending, the node, the nomination, the victims,
// the nominations cleared, the FailedScheduling message, and the queue
// order (priority, then the time the pod entered the queue: arrival order,
// and a pod that failed re-enters at its failure). Then daemonsim's changes
// are applied and the next attempt is checked, so that both sides always
// start a decision from the same state. When the cluster is at rest, every
// pod left pending is tried upstream once more: one that upstream places
// was missed by daemonsim's retry logic.
//
// A decision is forced when its outcome does not depend on upstream's
// randomness (a unique best score; a unique preemption candidate after
// pickOneNodeForPreemption's chain; victims that do not depend on the order
// of equally important pods). Only forced decisions are compared in full;
// an unforced one still fails if daemonsim's choice is not among upstream's
// possible ones.
//
// What is not compared: when upstream retries a pod. daemonsim has no
// backoff, no periodic flush and coarse queueing hints (deliberate, see its
// package doc), so the passes are daemonsim's; within a pass the order of
// the attempts is checked, and the check at rest catches a pod daemonsim
// never retries although upstream would place it.
//
//	CONFORMANCE_SCHED_N=10000      clusters (default 300)
//	CONFORMANCE_SCHED_SEED=123     one cluster, with every decision and its timeline
//	CONFORMANCE_SCHED_ALL=1        print every difference, not the first 40
//	CONFORMANCE_SCHED_ALLOW=1      report differences without failing

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/kubernetes/pkg/features"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim"
)

var schT0 = sim.Epoch

// schKubelet plays the kubelets: a bound pod starts (Running, startTime)
// 1 to 20 s after it is seen bound, drawn per pod; a terminating pod leaves
// at its deletion timestamp.
type schKubelet struct {
	r       *rand.Rand
	marked  []cluster.Key
	startAt map[cluster.Key]time.Time
}

func (k *schKubelet) Name() string { return "kubelet" }

func (k *schKubelet) Observe(d cluster.Delta) {
	if d.Key.Kind == cluster.KindPod && d.New != nil {
		k.marked = append(k.marked, d.Key)
	}
}

func (k *schKubelet) Wake(key cluster.Key) { k.marked = append(k.marked, key) }

func (k *schKubelet) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	keys := k.marked
	k.marked = nil
	slices.SortFunc(keys, cluster.Key.Compare)
	keys = slices.Compact(keys)
	zero := int64(0)
	for _, key := range keys {
		p, ok := v.Pod(key.Namespace, key.Name)
		if !ok {
			continue
		}
		if p.DeletionTimestamp != nil {
			if wait := p.DeletionTimestamp.Sub(now); wait > 0 {
				plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: key, After: wait})
			} else {
				plan.Changes = append(plan.Changes, cluster.Delete{Key: key, GracePeriodSeconds: &zero})
			}
			continue
		}
		if !p.IsBound() || p.IsTerminal() || p.Status.StartTime != nil {
			continue
		}
		at, ok := k.startAt[key]
		if !ok {
			at = now.Add(time.Duration(1+k.r.IntN(20)) * time.Second)
			k.startAt[key] = at
		}
		if wait := at.Sub(now); wait > 0 {
			plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: key, After: wait})
			continue
		}
		cp := p.DeepCopy()
		cp.Status.Phase = cluster.PodRunning
		t := now
		cp.Status.StartTime = &t
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: cp, ExpectedRV: p.ResourceVersion})
	}
	return plan, nil
}

// schAttempt is one of daemonsim's scheduling attempts, read from a Plan.
type schAttempt struct {
	pod       cluster.Key
	bound     string // node bound to; "" for a failure
	message   string // the FailedScheduling note
	nominated string // the nomination after the attempt (failures)
	ownUpdate bool   // the attempt wrote the pod's status
	victims   []cluster.Key
	clears    []cluster.Key
	node      string // the node of the Preempted notes
	changes   []cluster.Change
	floating  bool // changed nothing: its place among the pass's binds is inferred
	refused   []string
}

func (a *schAttempt) failed() bool { return a.bound == "" }

// schResult is one compared decision.
type schResult struct {
	kind     string // bind, fail, preempt, rest
	hinted   bool   // upstream's OpportunisticBatching hint placed the pod
	seed     uint64
	at       time.Duration
	pass     int
	index    int
	pod      string
	forced   bool
	why      string
	mismatch []schDiff
}

type schDiff struct {
	field   string // order, bound/pending, node, nominated, victims, clears, message, rest
	up, ds  string
	tags    []string // causes, general: counted by cluster in the report
	details []string // specifics of this case
}

// schRun is the state of one cluster's run.
type schRun struct {
	seed   uint64
	e      *sim.Engine
	inner  *scheduler.Scheduler
	up     *schUpstream
	stamps map[string]time.Time // upstream queue timestamps by pod key@uid
	// the stamps as the pass found them: the queue order of the pass
	passStamps map[string]time.Time
	passStart  *cluster.Store // the state the pass started from
	done       []*schAttempt  // the pass's attempts checked so far
	seq        int64
	pass       int
	results    []schResult
	err        error
	verbose    bool
	log        []string
}

// stamp gives the next queue timestamp: time moves with the virtual clock
// and every stamp is distinct, in the order the events happen.
func (r *schRun) stamp(now time.Time) time.Time {
	r.seq++
	return now.Add(time.Duration(r.seq))
}

func schStampKey(p *cluster.Pod) string { return p.Namespace + "/" + p.Name + "@" + p.UID }

// schRecorder is the scheduler as the engine sees it, with the decisions of
// every pass checked against upstream.
type schRecorder struct{ run *schRun }

func (w *schRecorder) Name() string { return w.run.inner.Name() }

func (w *schRecorder) Wake(k cluster.Key) { w.run.inner.Wake(k) }

func (w *schRecorder) Observe(d cluster.Delta) {
	w.run.inner.Observe(d)
	if d.Key.Kind != cluster.KindPod || d.New == nil {
		return
	}
	p := d.New.(*cluster.Pod)
	if p.IsBound() || p.Spec.SchedulerName != cluster.DefaultSchedulerName {
		return
	}
	if _, ok := w.run.stamps[schStampKey(p)]; !ok {
		w.run.stamps[schStampKey(p)] = w.run.stamp(w.run.e.Now()) // arrival
	}
}

func (w *schRecorder) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	r := w.run
	fork := view.Fork()
	r.passStart = view.Fork()
	plan, err := r.inner.Reconcile(now, view)
	if err != nil || r.err != nil {
		return plan, err
	}
	r.pass++
	r.passStamps = maps.Clone(r.stamps)
	attempts, err := r.parse(plan, fork)
	if err != nil {
		r.err = fmt.Errorf("pass %d at %s: %w", r.pass, r.e.Offset(now), err)
		return plan, nil
	}
	if err := r.check(now, fork, attempts); err != nil {
		r.err = fmt.Errorf("pass %d at %s: %w", r.pass, r.e.Offset(now), err)
	}
	return plan, nil
}

// parse cuts a pass's plan into attempts in the order they were made.
func (r *schRun) parse(plan cluster.Plan, fork *cluster.Store) ([]*schAttempt, error) {
	if len(plan.Later) > 0 {
		return nil, fmt.Errorf("unexpected delayed changes (BindLatency is 0)")
	}
	uidKey := map[string]cluster.Key{}
	for p := range fork.Pods() {
		uidKey[p.UID] = cluster.KeyOf(p)
	}
	// The failures, in order, with the victims their Preempted notes name.
	var fails []*schAttempt
	victimsOf := map[cluster.Key][]cluster.Key{} // preemptor -> victims noted
	nodeOf := map[cluster.Key]string{}
	for _, n := range plan.Notes {
		switch n.Reason {
		case "FailedScheduling":
			fails = append(fails, &schAttempt{pod: n.Object, message: n.Message})
		case "Preempted":
			var uid, node string
			if _, err := fmt.Sscanf(n.Message, "Preempted by pod %s on node %s", &uid, &node); err != nil {
				return nil, fmt.Errorf("unreadable Preempted note %q", n.Message)
			}
			k, ok := uidKey[uid]
			if !ok {
				return nil, fmt.Errorf("Preempted note names unknown pod uid %s", uid)
			}
			victimsOf[k] = append(victimsOf[k], n.Object)
			nodeOf[k] = node
		}
	}
	failIdx := map[cluster.Key]int{}
	for i, f := range fails {
		if _, dup := failIdx[f.pod]; dup {
			return nil, fmt.Errorf("%s failed twice in one pass", f.pod)
		}
		failIdx[f.pod] = i
		f.node = nodeOf[f.pod]
	}
	priority := func(k cluster.Key) int32 {
		if p, ok := fork.Pod(k.Namespace, k.Name); ok {
			return p.PriorityValue()
		}
		return 0
	}
	nnnSet := map[cluster.Key]string{} // nominations the pass's changes wrote
	nominatedTo := func(k cluster.Key) string {
		if v, ok := nnnSet[k]; ok {
			return v
		}
		if p, ok := fork.Pod(k.Namespace, k.Name); ok {
			return p.Status.NominatedNodeName
		}
		return ""
	}

	type item struct {
		a    *schAttempt
		fail bool
	}
	var items []item
	next := 0                              // fails[:next] are placed: anchored, or floating
	lastFail := -1                         // index in items of the last anchored failure
	lo, hi := map[int]int{}, map[int]int{} // a floating failure goes before items[p], lo <= p <= hi
	var cur *schAttempt                    // the failure whose changes are being read
	anchor := func(j int) *schAttempt {
		for k := next; k < j; k++ {
			fails[k].floating = true
			lo[k], hi[k] = lastFail+1, len(items)
		}
		lastFail = len(items)
		items = append(items, item{fails[j], true})
		next = j + 1
		return fails[j]
	}
	victimOwner := func(k cluster.Key) int {
		from := next
		if cur != nil {
			from = failIdx[cur.pod]
		}
		for j := from; j < len(fails); j++ {
			if slices.Contains(victimsOf[fails[j].pod], k) && !slices.Contains(fails[j].victims, k) {
				return j
			}
		}
		return -1
	}
	cs := plan.Changes
	// ownUpdateAt is where a failure's own status write is, or -1.
	ownUpdateAt := func(from int, j int) (int, *cluster.Pod) {
		for i := from; i < len(cs); i++ {
			if u, ok := cs[i].(cluster.UpdateStatus); ok && cluster.KeyOf(u.Object) == fails[j].pod {
				if q, ok := u.Object.(*cluster.Pod); ok {
					if c, ok := q.Condition(cluster.PodScheduled); ok && c.Message == fails[j].message {
						return i, q
					}
				}
			}
		}
		return -1, nil
	}
	// clearOwner returns the failure whose preemption clears pod k's
	// nomination with the status write at i, or -1: a failure not yet
	// closed, of higher priority than k, nominated (by its own write, later)
	// to the node k is nominated to; and the write is not k's own status
	// (that carries k's new message).
	clearOwner := func(i int, k cluster.Key, p *cluster.Pod) int {
		if p.Status.NominatedNodeName != "" || nominatedTo(k) == "" {
			return -1
		}
		if jk, ok := failIdx[k]; ok && jk >= next {
			// k's own write comes after the writes of the failures tried
			// before k: if one of those is still to come, this is a clear
			earlier := false
			for j := next; j < jk; j++ {
				if at, _ := ownUpdateAt(i+1, j); at >= 0 {
					earlier = true
				}
			}
			if at, _ := ownUpdateAt(i, jk); !earlier && at == i && !(cur != nil && cur.node == nominatedTo(k) && priority(k) < priority(cur.pod)) {
				// it carries k's message; a clear only if k's own write comes later too
				if at2, _ := ownUpdateAt(i+1, jk); at2 < 0 {
					return -1
				}
			}
		}
		from := next
		if cur != nil {
			from = failIdx[cur.pod]
		}
		for j := from; j < len(fails); j++ {
			f := fails[j]
			if f.pod == k || priority(k) >= priority(f.pod) || !schPreempted(f.message) {
				continue
			}
			node := f.node
			if node == "" {
				if _, q := ownUpdateAt(i+1, j); q != nil {
					node = q.Status.NominatedNodeName
				} else if fp, ok := fork.Pod(f.pod.Namespace, f.pod.Name); ok {
					node = fp.Status.NominatedNodeName // nominated before, unchanged
				}
			}
			if node != "" && node == nominatedTo(k) {
				return j
			}
		}
		return -1
	}
	for i := 0; i < len(cs); i++ {
		switch c := cs[i].(type) {
		case cluster.Bind:
			items = append(items, item{&schAttempt{pod: c.Pod, bound: c.Node, changes: []cluster.Change{c}}, false})
			cur = nil
		case cluster.Delete:
			j := victimOwner(c.Key)
			if j < 0 {
				return nil, fmt.Errorf("delete of %s by no preemptor", c.Key)
			}
			a := fails[j]
			if a != cur {
				a = anchor(j)
				cur = a
			}
			a.victims = append(a.victims, c.Key)
			a.changes = append(a.changes, c)
		case cluster.UpdateStatus:
			p, ok := c.Object.(*cluster.Pod)
			if !ok {
				return nil, fmt.Errorf("unexpected status write %s", c)
			}
			k := cluster.KeyOf(p)
			if i+1 < len(cs) {
				if d, ok := cs[i+1].(cluster.Delete); ok && d.Key == k {
					j := victimOwner(k)
					if j < 0 {
						return nil, fmt.Errorf("preemption of %s by no preemptor", k)
					}
					a := fails[j]
					if a != cur {
						a = anchor(j)
						cur = a
					}
					a.victims = append(a.victims, k)
					a.changes = append(a.changes, c, d)
					i++
					continue
				}
			}
			// a nomination cleared by a preemptor, or a failure's own status
			if j := clearOwner(i, k, p); j >= 0 {
				a := fails[j]
				if a != cur {
					a = anchor(j)
					cur = a
				}
				a.clears = append(a.clears, k)
				a.changes = append(a.changes, c)
				nnnSet[k] = ""
				continue
			}
			j, ok := failIdx[k]
			if !ok || (j < next && fails[j] != cur) {
				return nil, fmt.Errorf("status write of %s belongs to no attempt", k)
			}
			a := fails[j]
			if a != cur {
				a = anchor(j)
			}
			a.ownUpdate = true
			a.nominated = p.Status.NominatedNodeName
			a.changes = append(a.changes, c)
			nnnSet[k] = p.Status.NominatedNodeName
			cur = nil
		default:
			return nil, fmt.Errorf("unexpected change %s", c)
		}
	}
	for k := next; k < len(fails); k++ {
		fails[k].floating = true
		lo[k], hi[k] = lastFail+1, len(items)
	}

	// Place the floating failures: between their anchored neighbours, among
	// the binds there, before the first bind upstream's queue pops after
	// them (keeping the failures' own order).
	at := map[int][]*schAttempt{}
	floor := 0
	for j, f := range fails {
		if !f.floating {
			continue
		}
		p := max(lo[j], floor)
		for p < hi[j] && !items[p].fail && r.lessKeys(fork, items[p].a.pod, f.pod) {
			p++
		}
		at[p] = append(at[p], f)
		floor = p
	}
	var out []*schAttempt
	for pos := 0; pos <= len(items); pos++ {
		out = append(out, at[pos]...)
		if pos < len(items) {
			out = append(out, items[pos].a)
		}
	}
	if len(out) != len(items)+len(lo) {
		return nil, fmt.Errorf("placed %d attempts of %d", len(out), len(items)+len(lo))
	}
	return out, nil
}

// schPreempted reports whether a FailedScheduling message is that of a
// preemption that found a node: no PostFilter reason, or upstream's
// "found a potential placement".
func schPreempted(msg string) bool {
	return !strings.Contains(msg, " preemption: ") || strings.Contains(msg, "preemption: found a potential placement")
}

// lessKeys is upstream's queue order between two pods of the fork.
func (r *schRun) lessKeys(fork *cluster.Store, a, b cluster.Key) bool {
	pa, oka := fork.Pod(a.Namespace, a.Name)
	pb, okb := fork.Pod(b.Namespace, b.Name)
	if !oka || !okb {
		return false
	}
	stamps := r.passStamps
	va, _ := r.up.converted("pod/"+schPodKey(a.Namespace, a.Name), pa.ResourceVersion, pa, func(in any) (runtime.Object, error) { return schConvert[v1.Pod](in) })
	vb, _ := r.up.converted("pod/"+schPodKey(b.Namespace, b.Name), pb.ResourceVersion, pb, func(in any) (runtime.Object, error) { return schConvert[v1.Pod](in) })
	qa := &framework.QueuedPodInfo{PodInfo: &framework.PodInfo{Pod: va.(*v1.Pod)}}
	qa.Timestamp = stamps[schStampKey(pa)]
	qb := &framework.QueuedPodInfo{PodInfo: &framework.PodInfo{Pod: vb.(*v1.Pod)}}
	qb.Timestamp = stamps[schStampKey(pb)]
	return r.up.fw.QueueSortFunc()(qa, qb)
}

// schNoHandoff returns c as a change another store may apply: the stored
// objects the engine is given must not be handed to the fork.
func schNoHandoff(c cluster.Change) cluster.Change {
	switch c := c.(type) {
	case cluster.UpdateStatus:
		c.Handoff = false
		return c
	case cluster.Create:
		c.Handoff = false
		return c
	}
	return c
}

func schKeys(ks []cluster.Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = schPodKey(k.Namespace, k.Name)
	}
	return out
}

func schSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// check compares each attempt of a pass with upstream's cycle on the same
// state, then applies the attempt's changes to the fork.
func (r *schRun) check(now time.Time, fork *cluster.Store, attempts []*schAttempt) error {
	r.done = r.done[:0]
	defer func() { r.done = r.done[:0] }()
	var prev *schAttempt
	orderReported := false // one queue-order difference per pass
	for i, a := range attempts {
		p, ok := fork.Pod(a.pod.Namespace, a.pod.Name)
		if !ok {
			return fmt.Errorf("attempt for %s, which is gone", a.pod)
		}
		if !a.ownUpdate && a.failed() {
			a.nominated = p.Status.NominatedNodeName
		}
		up, err := r.up.decide(fork, now, a.pod, r.stamps[schStampKey(p)])
		if err != nil {
			return fmt.Errorf("upstream, %s: %w", a.pod, err)
		}
		res := schResult{seed: r.seed, at: now.Sub(schT0), pass: r.pass, index: i + 1, pod: a.pod.NamespacedName()}
		res.forced, res.why, res.hinted = up.forced, up.why, up.hinted
		switch {
		case !a.failed():
			res.kind = "bind"
		case len(a.victims) > 0 || a.nominated != "":
			res.kind = "preempt"
		default:
			res.kind = "fail"
		}
		res.mismatch = r.compare(now, fork, a, up)
		if prev != nil && !orderReported && r.lessKeys(fork, a.pod, prev.pod) && !r.lessKeys(fork, prev.pod, a.pod) {
			orderReported = true
			pp, _ := fork.Pod(prev.pod.Namespace, prev.pod.Name)
			res.mismatch = append(res.mismatch, schDiff{field: "order",
				up:   fmt.Sprintf("%s before %s", a.pod.Name, prev.pod.Name),
				ds:   fmt.Sprintf("%s (priority %d) before %s (priority %d)", prev.pod.Name, pp.PriorityValue(), a.pod.Name, p.PriorityValue()),
				tags: []string{"queue order"}})
		}
		if len(res.mismatch) > 0 {
			res.forced = true // compared, and found different
		}
		r.results = append(r.results, res)
		if r.verbose {
			r.log = append(r.log, fmt.Sprintf("  %s pass %d #%d %s: daemonsim %s | upstream %s", r.e.Offset(now), r.pass, i+1, a.pod.Name, schDescribe(a), schDescribeUp(up)))
		}
		// daemonsim's changes, as the engine will apply them
		for _, c := range a.changes {
			if _, err := fork.Apply(now, schNoHandoff(c)); err != nil {
				a.refused = append(a.refused, fmt.Sprintf("%s: %v", c, err))
			}
		}
		if len(a.refused) > 0 {
			last := &r.results[len(r.results)-1]
			last.mismatch = append(last.mismatch, schDiff{field: "refused write", up: "(upstream patches without a precondition)",
				ds: strings.Join(a.refused, "; "), tags: []string{"daemonsim submits a change the store refuses"}})
			last.forced = true
		}
		if a.failed() {
			if q, ok := fork.Pod(a.pod.Namespace, a.pod.Name); ok {
				r.stamps[schStampKey(q)] = r.stamp(now) // re-queued at the failure
			}
		}
		r.up.settle(up, a.bound)
		r.done = append(r.done, a)
		prev = a
	}
	return nil
}

func schDescribe(a *schAttempt) string {
	if !a.failed() {
		return "bind " + a.bound
	}
	s := fmt.Sprintf("pending nnn=%q", a.nominated)
	if len(a.victims) > 0 {
		s += " victims=" + schShort(schKeys(a.victims))
	}
	if len(a.clears) > 0 {
		s += " clears=" + schShort(schKeys(a.clears))
	}
	if a.floating {
		s += " (floating)"
	}
	return s + " msg=" + strconv.Quote(a.message)
}

func schDescribeUp(d *schUpDecision) string {
	var s string
	if d.node != "" {
		s = "bind " + d.node
		if len(d.best) > 1 {
			s += " best=" + fmt.Sprint(d.best)
		}
		if d.hinted {
			s += " (batch hint)"
		}
		return s
	}
	s = fmt.Sprintf("pending nnn=%q", d.nominated)
	if len(d.victims) > 0 {
		s += " victims=" + schShort(d.victims)
	}
	if len(d.clears) > 0 {
		s += " clears=" + schShort(d.clears)
	}
	if d.preempted && len(d.best) > 1 {
		s += " candidates=" + fmt.Sprint(d.best)
	}
	return s + " msg=" + strconv.Quote(d.message)
}

// compare returns the differences between daemonsim's attempt and
// upstream's decision, with tags that point at a cause.
func (r *schRun) compare(now time.Time, fork *cluster.Store, a *schAttempt, up *schUpDecision) []schDiff {
	var out []schDiff
	add := func(field, u, d string, tags ...string) {
		diff := schDiff{field: field, up: u, ds: d}
		for _, t := range tags {
			if strings.HasPrefix(t, schDetail) {
				diff.details = append(diff.details, strings.TrimPrefix(t, schDetail))
			} else if !slices.Contains(diff.tags, t) {
				diff.tags = append(diff.tags, t)
			}
		}
		out = append(out, diff)
	}
	switch {
	case up.node != "" && a.failed():
		add("bound/pending", "bind "+up.node, "pending: "+a.message, r.diagnose(now, fork, a, up)...)
	case up.node == "" && !a.failed():
		add("bound/pending", "pending: "+up.message, "bind "+a.bound, r.diagnose(now, fork, a, up)...)
	case up.node != "":
		switch {
		case a.bound == up.node:
		case up.hinted && !up.hintFresh && slices.Contains(up.best, a.bound):
			add("node", up.node+" (OpportunisticBatching hint)", a.bound+fmt.Sprintf(" (best of a fresh scoring %v)", up.best), "batching")
		case up.forced:
			add("node", up.node, a.bound, r.diagnose(now, fork, a, up)...)
		case !slices.Contains(up.best, a.bound):
			add("node", fmt.Sprintf("one of %v", up.best), a.bound, r.diagnose(now, fork, a, up)...)
		}
	default:
		if !up.preempted || up.forced {
			if a.nominated != up.nominated {
				add("nominated", fmt.Sprintf("%q", up.nominated), fmt.Sprintf("%q", a.nominated), r.diagnose(now, fork, a, up)...)
			}
			if !schSameSet(up.victims, schKeys(a.victims)) {
				add("victims", schShort(up.victims), schShort(schKeys(a.victims)), r.victimTags(fork, a)...)
			}
			if !schSameSet(up.clears, schKeys(a.clears)) {
				add("clears", schShort(up.clears), schShort(schKeys(a.clears)))
			}
			if up.message != a.message {
				add("message", up.message, a.message, r.messageTags(now, fork, a, up, up.message)...)
			}
			break
		}
		// preemption with a tie: daemonsim's node must be one upstream
		// could pick, with that node's victims and nominations cleared
		node := a.nominated
		anyAmbiguous := slices.ContainsFunc(slices.Collect(maps.Values(up.ambiguous)), func(b bool) bool { return b })
		vs, isCandidate := up.candVictims[node]
		if !isCandidate || (!slices.Contains(up.best, node) && !anyAmbiguous) {
			add("nominated", fmt.Sprintf("one of %v", up.best), fmt.Sprintf("%q", node), r.diagnose(now, fork, a, up)...)
			break
		}
		if !up.ambiguous[node] && !schSameSet(vs, schKeys(a.victims)) {
			add("victims", schShort(vs)+" on "+node, schShort(schKeys(a.victims)), r.victimTags(fork, a)...)
		}
		if !schSameSet(up.candClears[node], schKeys(a.clears)) {
			add("clears", schShort(up.candClears[node])+" on "+node, schShort(schKeys(a.clears)))
		}
		msg := strings.Replace(up.message, "on node "+up.nominated+",", "on node "+node+",", 1)
		msg = strings.Replace(msg, fmt.Sprintf("preempting %d victims", up.candCount[up.nominated]), fmt.Sprintf("preempting %d victims", up.candCount[node]), 1)
		if msg != a.message && !(up.ambiguous[node] && strings.HasPrefix(msg, a.message)) {
			add("message", msg, a.message, r.messageTags(now, fork, a, up, msg)...)
		}
	}
	return out
}

// schDetail marks a diagnosis that is a specific of one case, not a cause.
const schDetail = "detail: "

// victimTags explains a victim difference: a victim daemonsim deletes that
// is already terminating at this point of the pass was preempted earlier in
// the same pass (its cache still shows it running).
func (r *schRun) victimTags(fork *cluster.Store, a *schAttempt) []string {
	for _, k := range a.victims {
		if p, ok := fork.Pod(k.Namespace, k.Name); ok && p.DeletionTimestamp != nil {
			return []string{"victim already terminating: preempted earlier in the pass"}
		}
	}
	return []string{"victims differ"}
}

func (r *schRun) messageTags(now time.Time, fork *cluster.Store, a *schAttempt, up *schUpDecision, msg string) []string {
	const claims = "no new claims to deallocate, "
	var tags []string
	u, d := msg, a.message
	if strings.Contains(d, claims) && !strings.Contains(u, claims) {
		tags = append(tags, `"no new claims to deallocate, " in the message`)
		d = strings.Replace(d, claims, "", 1)
	}
	if i := strings.Index(u, " preemption: found a potential placement"); i >= 0 && !strings.Contains(d, "found a potential placement") {
		tags = append(tags, "PostFilter success text missing")
		u = u[:i]
	}
	if u == d {
		return tags
	}
	plugins := regexp.MustCompile(`didn't satisfy plugin\(s\) \[[^]]*\]`)
	if pu, pd := plugins.FindString(u), plugins.FindString(d); pu != "" && pd != "" && pu != pd {
		tags = append(tags, "the absent nodes' plugin list: upstream adds the plugin that rejected the nominated node")
	}
	if dd, err := scheduler.Decide(r.inner.Config(), fork, now, a.pod); err == nil && dd.Node == "" {
		if dd.Message == msg {
			tags = append(tags, "a fresh Decide gives upstream's message: state left over in the pass")
			tags = append(tags, r.unseen(now, a, a.message)...)
		} else {
			tags = append(tags, "a fresh Decide gives daemonsim's message too")
		}
	}
	for _, t := range r.diagnose(now, fork, a, up) {
		if strings.HasPrefix(t, schDetail) || strings.HasPrefix(t, "the nominated node") {
			tags = append(tags, t)
		}
	}
	return tags
}

// unseen looks for what daemonsim's attempt did not see of the pass so
// far: the earliest state of the pass, or the pass's state without one of
// its changes, that gives daemonsim's message with a fresh cache.
func (r *schRun) unseen(now time.Time, a *schAttempt, msg string) []string {
	type change struct {
		at int // attempt
		c  cluster.Change
	}
	var all []change
	for j, b := range r.done {
		for _, c := range b.changes {
			all = append(all, change{j, c})
		}
	}
	try := func(keep func(i int) bool) bool {
		f := r.passStart.Fork()
		for i, c := range all {
			if keep(i) {
				_, _ = f.Apply(now, schNoHandoff(c.c))
			}
		}
		d, err := scheduler.Decide(r.inner.Config(), f, now, a.pod)
		return err == nil && d.Node == "" && d.Message == msg
	}
	for j := range r.done {
		if try(func(i int) bool { return all[i].at < j }) {
			b := r.done[j]
			return []string{schDetail + fmt.Sprintf("the attempt does not see attempt #%d (%s: %s) nor what follows", j+1, b.pod.Name, schDescribe(b))}
		}
	}
	for skip := range all {
		if try(func(i int) bool { return i != skip }) {
			b := r.done[all[skip].at]
			return []string{schDetail + fmt.Sprintf("the attempt does not see %s, written by attempt #%d (%s)", all[skip].c, all[skip].at+1, b.pod.Name)}
		}
	}
	return nil
}

// diagnose tells a difference made by the pass (daemonsim's one-pass
// cache) from one in daemonsim's rules: scheduler.Decide on the same state,
// a fresh cache, says what daemonsim decides when nothing of the pass is
// left over; and for a node chosen differently, which plugin's scores
// differ.
func (r *schRun) diagnose(now time.Time, fork *cluster.Store, a *schAttempt, up *schUpDecision) []string {
	d, err := scheduler.Decide(r.inner.Config(), fork, now, a.pod)
	if err != nil {
		return []string{"Decide: " + err.Error()}
	}
	p, _ := fork.Pod(a.pod.Namespace, a.pod.Name)
	var tags []string
	fresh := d.Node
	switch {
	case up.node != "" && d.Node == up.node, up.node != "" && d.Node != "" && !up.forced && slices.Contains(up.best, d.Node),
		up.node == "" && d.Node == "" && d.Nominated == up.nominated:
		tags = append(tags, "a fresh Decide agrees with upstream: state left over in the pass")
		if a.failed() {
			tags = append(tags, r.unseen(now, a, a.message)...)
		}
	default:
		if fresh == "" {
			fresh = "pending nnn=" + d.Nominated
		}
		tags = append(tags, "a fresh Decide decides as the pass did: the rules differ", schDetail+"a fresh Decide says "+fresh)
	}
	if up.node == "" && d.Node == "" {
		ours := map[string][]string{}
		for _, st := range d.Statuses {
			ours[st.Node] = st.Reasons
		}
		var diffs []string
		for node := range r.up.nodes {
			if u, o := up.reasons[node], ours[node]; !slices.Equal(u, o) {
				if node == p.Status.NominatedNodeName && len(o) == 0 {
					tags = append(tags, "the nominated node's filter status: upstream keeps it in the diagnosis (also outside PreFilter's nodes)")
				}
				diffs = append(diffs, fmt.Sprintf("%s%s: upstream %q, daemonsim %q", schDetail, node, u, o))
			}
		}
		slices.Sort(diffs)
		tags = append(tags, diffs...)
	}
	if up.node != "" && d.Node != "" && d.Node != up.node && up.pluginScores != nil {
		for _, sc := range d.Scores {
			ups := up.pluginScores[sc.Node]
			for plugin, ours := range map[string]int64{
				scheduler.PluginTaintToleration:    sc.TaintToleration * 3,
				scheduler.PluginNodeAffinity:       sc.NodeAffinity * 2,
				scheduler.PluginNodeResourcesFit:   sc.LeastAllocated,
				scheduler.PluginBalancedAllocation: sc.BalancedAllocation,
			} {
				if theirs, ok := ups[plugin]; ok && theirs != ours {
					tags = append(tags, "score "+plugin+" differs", fmt.Sprintf("%sscore %s on %s: upstream %d, daemonsim %d", schDetail, plugin, sc.Node, theirs, ours))
				}
			}
		}
	}
	return tags
}

// rest tries every pod left pending at the fixed point once more upstream:
// one upstream places was missed by daemonsim's retries.
func (r *schRun) rest() error {
	now := r.e.Now()
	fork := r.e.View().Fork()
	for p := range fork.Pods() {
		if p.IsBound() || p.IsTerminating() || p.IsTerminal() || p.Spec.SchedulerName != cluster.DefaultSchedulerName {
			continue
		}
		k := cluster.KeyOf(p)
		up, err := r.up.decide(fork, now.Add(time.Hour), k, r.stamps[schStampKey(p)])
		if err != nil {
			return fmt.Errorf("upstream at rest, %s: %w", k, err)
		}
		res := schResult{kind: "rest", seed: r.seed, at: now.Sub(schT0), pass: 0, index: 0, pod: k.NamespacedName(), forced: true}
		if up.node != "" {
			res.mismatch = append(res.mismatch, schDiff{field: "rest", up: "bind " + up.node, ds: "left pending: " + r.lastMessage(k),
				tags: []string{"pending at rest, fits upstream: a missed retry"}})
		}
		r.results = append(r.results, res)
	}
	return nil
}

func (r *schRun) lastMessage(k cluster.Key) string {
	var m string
	for ev := range r.e.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Object == k && ev.Note.Reason == "FailedScheduling" {
			m = ev.Note.Message
		}
	}
	return m
}

// schRunCluster generates and runs one cluster.
func schRunCluster(up *schUpstream, seed uint64, verbose bool) (*schRun, error) {
	sc := schGenerate(seed)
	inner, err := scheduler.New(scheduler.Config{})
	if err != nil {
		return nil, err
	}
	run := &schRun{seed: seed, inner: inner, up: up, stamps: map[string]time.Time{}, verbose: verbose}
	kubelet := &schKubelet{r: rand.New(rand.NewPCG(seed, 0x6b75)), startAt: map[cluster.Key]time.Time{}}
	e, err := sim.New(sim.Config{Seed: seed, MaxSteps: 200_000}, &schRecorder{run}, kubelet)
	if err != nil {
		return nil, err
	}
	run.e = e
	for _, st := range sc.steps {
		for _, c := range st.changes {
			e.Submit(schT0.Add(st.at), "scenario", c)
		}
	}
	err = e.Stabilize()
	if err == nil {
		for ev := range e.Events(0) {
			if _, isDelete := ev.Change.(cluster.Delete); ev.Err != "" && ev.Source == "scenario" && !isDelete {
				err = fmt.Errorf("the generator made a change the store refuses: %s", sim.Describe(schT0, *ev))
				break
			}
		}
	}
	if err == nil {
		err = run.err
	}
	if err == nil {
		err = run.rest()
	}
	if verbose {
		for _, st := range sc.steps {
			run.log = append(run.log, fmt.Sprintf("  step +%s: %s", st.at, st.what))
		}
		for _, d := range sc.desc {
			run.log = append(run.log, "  "+d)
		}
		run.log = append(run.log, e.Timeline(0))
	}
	return run, err
}

func schEnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestSchedulerMatchesUpstream(t *testing.T) {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	// set by hand rather than with featuregatetesting, whose log line at
	// cleanup would follow the summary line
	async := utilfeature.DefaultFeatureGate.Enabled(features.SchedulerAsyncPreemption)
	set := func(on bool) {
		if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{string(features.SchedulerAsyncPreemption): on}); err != nil {
			t.Fatalf("feature gate: %v", err)
		}
	}
	set(false)
	restored := false
	restore := func() {
		if !restored {
			restored = true
			set(async)
		}
	}
	defer restore()

	seeds := []uint64{}
	verbose := false
	if s, err := strconv.ParseUint(os.Getenv("CONFORMANCE_SCHED_SEED"), 10, 64); err == nil {
		seeds, verbose = append(seeds, s), true
	} else {
		for i := range schEnvInt("CONFORMANCE_SCHED_N", 300) {
			seeds = append(seeds, uint64(i+1))
		}
	}
	start := time.Now()
	var all []schResult
	var failed []string
	preemptions, pdbViolating := 0, 0
	for _, seed := range seeds {
		up, err := newSchUpstream()
		if err != nil {
			t.Fatalf("upstream scheduler: %v", err)
		}
		run, err := schRunCluster(up, seed, verbose)
		up.close()
		preemptions, pdbViolating = preemptions+up.preemptions, pdbViolating+up.pdbViolating
		if verbose && run != nil {
			t.Log("cluster seed=" + strconv.FormatUint(seed, 10) + "\n" + strings.Join(run.log, "\n"))
		}
		if err != nil {
			failed = append(failed, fmt.Sprintf("seed=%d: %v", seed, err))
			continue
		}
		all = append(all, run.results...)
	}

	// The report: every mismatch, then counts by field and by tag.
	var lines []string
	byField := map[string]int{}
	byTag := map[string][]uint64{}
	mismatches, forced := 0, 0
	unforced := map[string]int{}
	kinds := map[string]int{}
	hinted := 0
	for _, r := range all {
		kinds[r.kind]++
		if r.hinted {
			hinted++
		}
		if r.forced {
			forced++
		} else {
			unforced[r.why]++
		}
		if len(r.mismatch) == 0 {
			continue
		}
		mismatches++
		for _, d := range r.mismatch {
			byField[d.field]++
			for _, tag := range d.tags {
				if !slices.Contains(byTag[tag], r.seed) {
					byTag[tag] = append(byTag[tag], r.seed)
				}
			}
			line := fmt.Sprintf("seed=%d t=+%s pass=%d #%d %s: %s\n    upstream:  %s\n    daemonsim: %s\n    %s",
				r.seed, r.at, r.pass, r.index, r.pod, d.field, d.up, d.ds, strings.Join(d.tags, "; "))
			for _, dt := range d.details {
				line += "\n      " + dt
			}
			lines = append(lines, line)
		}
	}
	const maxLines = 40
	if len(lines) > maxLines && !verbose && os.Getenv("CONFORMANCE_SCHED_ALL") != "1" {
		t.Logf("first %d of %d differences (CONFORMANCE_SCHED_SEED=<seed> reruns one cluster with its timeline):", maxLines, len(lines))
		lines = lines[:maxLines]
	}
	for _, l := range lines {
		t.Log(l)
	}
	for _, f := range failed {
		t.Errorf("harness error: %s", f)
	}
	fields := slices.Sorted(func(yield func(string) bool) {
		for f := range byField {
			if !yield(f) {
				return
			}
		}
	})
	for _, f := range fields {
		t.Logf("  field %-14s %d", f, byField[f])
	}
	tags := make([]string, 0, len(byTag))
	for tag := range byTag {
		tags = append(tags, tag)
	}
	sort.Slice(tags, func(i, j int) bool { return len(byTag[tags[i]]) > len(byTag[tags[j]]) })
	for _, tag := range tags {
		t.Logf("  %3d clusters, e.g. seed=%d: %s", len(byTag[tag]), byTag[tag][0], tag)
	}
	for why, n := range unforced {
		t.Logf("  unforced (not compared): %d %s", n, why)
	}
	t.Logf("clusters=%d in %s; daemonsim's attempts: %d binds, %d preemptions or nominations, %d other failures; %d pods pending at rest",
		len(seeds), time.Since(start).Round(time.Millisecond), kinds["bind"], kinds["preempt"], kinds["fail"], kinds["rest"])
	t.Logf("upstream placed %d pods by OpportunisticBatching's hint (the previous pod's scores) instead of a full scoring", hinted)
	t.Logf("upstream preempted %d times, %d of them on a node whose victims violate a PodDisruptionBudget", preemptions, pdbViolating)
	if mismatches > 0 && os.Getenv("CONFORMANCE_SCHED_ALLOW") != "1" {
		t.Errorf("%d of %d scheduler decisions differ from upstream (CONFORMANCE_SCHED_ALLOW=1 reports without failing)", mismatches, len(all))
	}
	restore()
	fmt.Printf("scheduler: mismatches=%d decisions=%d forced=%d\n", mismatches, len(all), forced)
}
