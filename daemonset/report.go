package daemonset

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// DefaultRolloutReporterName is a RolloutReporter's name in the event log
// when its config gives none.
const DefaultRolloutReporterName = "daemonset-rollouts"

// RolloutReporterConfig configures a RolloutReporter. The zero value is
// usable.
type RolloutReporterConfig struct {
	// Name is the reporter's name in the log; "" means
	// DefaultRolloutReporterName. It must differ from every other
	// controller's name in the same engine.
	Name string
}

// RolloutReporter follows the rollouts of every DaemonSet as an observer:
// it reads the objects the DaemonSet controller writes (the
// ControllerRevisions, the DaemonSet's status, the pods it deletes) and the
// nodes and pods, records a RolloutStarted and a RolloutFinished note per
// rollout, and keeps a RolloutReport for each (Rollouts). It changes
// nothing in the store; it implements
// sim.Controller, so a run attaches it by registering it beside the
// controller (sim.Engine.Add).
//
// A rollout runs from the sync that finds a new current revision (a
// template change, a rollback, or a new DaemonSet that adopted pods of
// older revisions) to the first sync that finds every desired node running
// an updated, available pod, or to the next rollout, which supersedes it.
// The reporter tells these syncs apart as the controller does: it decides
// the current revision from the revisions and the template with the
// controller's own history decision (decideHistory), at the rounds at which
// the controller runs it; it reads the counts of each sync from the status
// that sync wrote (desired, updated and available nodes: the start's
// figures, the peak of unavailable nodes, the end); it follows each desired
// node's standing (whether its first daemon pod, bound pods first, is
// ready) at the rounds at which the controller syncs the node; and it
// counts as replaced every pod of an older revision that leaves or starts
// terminating while the rollout runs without a DisruptionTarget condition
// (the marks of preemption, eviction and pod GC): the deletes the
// controller's syncs submit.
//
// It relies on the engine's rounds: every controller of a round reads the
// same view, and a round follows, at the same instant, every applied
// change. A sync's status is known at the round after it, so the notes come
// one round after the sync that decides them, at the same instant.
//
// Costs: between rollouts a change costs O(1) (a pod) or O(DaemonSets) (a
// node or a revision), and history work is the controller's, O(revisions
// in the namespace) when a revision, the spec or the collision count
// changed. A rollout's start costs O(nodes + pods of the DaemonSet +
// orphans in its namespace); while it runs, a pod change costs O(pods of
// the DaemonSet on its node), and a node whose standing may have changed
// O(pods of the DaemonSet there) at the next round, plus O(log nodes)
// when the node itself changed. Memory: per running rollout, O(nodes +
// pods of the DaemonSet).
//
// A RolloutReporter is not safe for concurrent use.
type RolloutReporter struct {
	name    string
	sets    map[cluster.Key]*followedDS
	byUID   map[string]*followedDS
	all     []*followedDS                      // by key
	orphans map[string]map[string]*cluster.Pod // namespace -> name -> live pod with no controller
	dirty   []*followedDS
	spare   []*followedDS // the other dirty list, reused
}

// followedDS is what the reporter keeps of one DaemonSet.
type followedDS struct {
	key  cluster.Key
	ds   *cluster.DaemonSet // as last observed
	spec compiled           // its spec, compiled at the controller's syncs

	// the history as the controller's syncs decide it
	historyDirty bool   // a revision, the spec or the collision count changed
	cur, hash    string // the current revision's name and hash ("" before the first)
	reload       bool   // the controller loads the DaemonSet in full at its next sync

	queued  bool // in the reporter's dirty list
	dropped bool // the DaemonSet is gone: forgotten
	synced  bool // a change the controller syncs the DaemonSet for was observed
	// mirrored: the controller's sync at the round of mirroredAt ran
	// through while the rollout's start figures are due; its counts are
	// those of its status write, or, without one, before (the status at
	// the start of that sync). mirroredDS is the DaemonSet it synced.
	mirrored   bool
	mirroredAt time.Time
	mirroredDS *cluster.DaemonSet
	before     cluster.DaemonSetStatus
	wrote      bool           // a status write of the controller was observed
	notes      []cluster.Note // for the next round: a superseded rollout's
	lastAt     time.Time      // the last sync of the DaemonSet the reporter saw

	run     *rolloutRun
	reports []RolloutReport // finished rollouts, oldest first
}

// rolloutRun is one rollout while it runs.
type rolloutRun struct {
	report  RolloutReport
	started bool // RolloutStarted noted: the start's figures taken
	loaded  bool // nodes holds every node, and each one's standing was taken
	stopped bool // the sync that started it stopped (relabelled pods)
	nodes   map[string]*standing
	dirty   []*standing // those whose standing may have changed since the last sync
}

// standing is one node as a running rollout follows it.
type standing struct {
	name string
	// pods are the bound pods that count for the DaemonSet on the node
	// (countsOn), kept from the changes
	pods    []*cluster.Pod
	desired bool // the node exists and should run the daemon
	// nodeChanged: desired must be looked at again
	nodeChanged bool
	marked      bool      // in dirty
	down        bool      // desired and without a ready pod at the last sync that looked
	since       time.Time // since when, if down
}

// NewRolloutReporter returns a reporter with cfg. Register it in an engine
// before the first change, or call Sync with the store's view first.
func NewRolloutReporter(cfg RolloutReporterConfig) *RolloutReporter {
	r := &RolloutReporter{name: cfg.Name}
	if r.name == "" {
		r.name = DefaultRolloutReporterName
	}
	r.reset()
	return r
}

func (r *RolloutReporter) reset() {
	r.sets = map[cluster.Key]*followedDS{}
	r.byUID = map[string]*followedDS{}
	r.all = nil
	r.orphans = map[string]map[string]*cluster.Pod{}
	r.dirty = nil
}

// Name returns the reporter's name.
func (r *RolloutReporter) Name() string { return r.name }

// Sync forgets everything and takes up the DaemonSets and pods of view,
// as a controller started on that store would (Controller.Sync): the
// current revision each one has then is not a rollout. Cost: O(DaemonSets
// + pods).
func (r *RolloutReporter) Sync(view cluster.View) {
	r.reset()
	for ds := range view.DaemonSets() {
		r.observeDaemonSet(nil, ds)
	}
	for p := range view.Pods() {
		r.observePod(nil, p)
	}
}

// Observe follows one applied change. Cost: O(1) for a pod with a
// controller, O(DaemonSets in the namespace) for one without and for a
// revision, O(DaemonSets) for a node.
func (r *RolloutReporter) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		o, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		if o != nil && n != nil && o.Labels.Equal(n.Labels) && slices.Equal(o.Spec.Taints, n.Spec.Taints) {
			return // the controller ignores it too
		}
		for _, f := range r.all {
			if f.run != nil && f.run.loaded {
				s := f.run.standingOf(d.Key.Name)
				s.nodeChanged = true
				f.run.mark(s)
			}
			r.touch(f)
		}
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		r.observePod(o, n)
	case cluster.KindDaemonSet:
		o, _ := d.Old.(*cluster.DaemonSet)
		n, _ := d.New.(*cluster.DaemonSet)
		r.observeDaemonSet(o, n)
	case cluster.KindControllerRevision:
		for _, f := range r.inNamespace(d.Key.Namespace) {
			f.historyDirty = true
			r.touch(f)
		}
	}
}

// Wake takes the reporter's own wake-up for a DaemonSet, asked for when a
// rollout's first sync may plan nothing (after a sync that stopped on
// relabelled pods): no change would bring a round at that instant to take
// its counts. Other keys are ignored.
func (r *RolloutReporter) Wake(k cluster.Key) {
	if f := r.sets[k]; f != nil {
		r.enqueue(f)
	}
}

// touch notes that the controller syncs f at the next round, when that
// matters: a rollout runs, or the history decision is due (a sync that
// stops before it leaves it due).
func (r *RolloutReporter) touch(f *followedDS) {
	if f.run != nil || f.historyDirty {
		f.synced = true
		r.enqueue(f)
	}
}

func (r *RolloutReporter) enqueue(f *followedDS) {
	if !f.queued {
		f.queued = true
		r.dirty = append(r.dirty, f)
	}
}

// inNamespace returns the followed DaemonSets of namespace ns, by name.
func (r *RolloutReporter) inNamespace(ns string) []*followedDS {
	i, _ := slices.BinarySearchFunc(r.all, ns, func(f *followedDS, ns string) int { return cmp.Compare(f.key.Namespace, ns) })
	j := i
	for j < len(r.all) && r.all[j].key.Namespace == ns {
		j++
	}
	return r.all[i:j]
}

// ownerOf returns the followed DaemonSet controlling p, or nil.
func (r *RolloutReporter) ownerOf(p *cluster.Pod) *followedDS {
	ref := p.ControllerRef()
	if ref == nil || ref.Kind != "DaemonSet" {
		return nil
	}
	f := r.byUID[ref.UID]
	if f == nil || f.ds.Name != ref.Name || f.key.Namespace != p.Namespace {
		return nil
	}
	return f
}

func (r *RolloutReporter) observeDaemonSet(o, n *cluster.DaemonSet) {
	switch {
	case n == nil:
		if f := r.sets[cluster.KeyOf(o)]; f != nil {
			r.drop(f)
		}
	case o == nil || o.UID != n.UID:
		if o != nil {
			if f := r.sets[cluster.KeyOf(o)]; f != nil {
				r.drop(f)
			}
		}
		k := cluster.KeyOf(n)
		f := &followedDS{key: k, ds: n, spec: compiled{generation: -1}, historyDirty: true, reload: true}
		r.sets[k] = f
		r.byUID[n.UID] = f
		i, _ := slices.BinarySearchFunc(r.all, k, func(f *followedDS, k cluster.Key) int { return f.key.Compare(k) })
		r.all = slices.Insert(r.all, i, f)
		r.touch(f)
	default:
		f := r.sets[cluster.KeyOf(n)]
		if f == nil {
			return
		}
		f.ds = n
		switch {
		case o.Generation != n.Generation, !equalPtr(o.Status.CollisionCount, n.Status.CollisionCount):
			f.historyDirty = true
			r.touch(f)
		case (o.DeletionTimestamp == nil) != (n.DeletionTimestamp == nil):
			r.touch(f)
		}
		if f.run != nil && statusCountsDiffer(&o.Status, &n.Status) {
			f.wrote = true // a sync's status write: its counts
			r.enqueue(f)
		}
	}
}

// statusCountsDiffer reports whether a status write changed what the
// controller's writeStatus writes: the counters or the observed
// generation.
func statusCountsDiffer(a, b *cluster.DaemonSetStatus) bool {
	return a.DesiredNumberScheduled != b.DesiredNumberScheduled || a.CurrentNumberScheduled != b.CurrentNumberScheduled ||
		a.NumberMisscheduled != b.NumberMisscheduled || a.NumberReady != b.NumberReady ||
		a.UpdatedNumberScheduled != b.UpdatedNumberScheduled || a.NumberAvailable != b.NumberAvailable ||
		a.NumberUnavailable != b.NumberUnavailable || a.ObservedGeneration != b.ObservedGeneration
}

func (r *RolloutReporter) drop(f *followedDS) {
	delete(r.sets, f.key)
	delete(r.byUID, f.ds.UID)
	if i, ok := slices.BinarySearchFunc(r.all, f.key, func(f *followedDS, k cluster.Key) int { return f.key.Compare(k) }); ok {
		r.all = slices.Delete(r.all, i, i+1)
	}
	f.queued, f.dropped = true, true // never enqueued again; Reconcile skips it
	f.run = nil
}

// observePod keeps the orphans, files the change in the running rollouts
// it counts for (the owner's, and for an orphan those of its namespace
// whose selector it matches), and counts the replaced pods. Cost: O(1)
// for a pod with a controller (plus O(pods of the DaemonSet on its node)
// during a rollout), O(DaemonSets in the namespace) for an orphan.
func (r *RolloutReporter) observePod(o, n *cluster.Pod) {
	orphan := func(p *cluster.Pod) bool { return p != nil && p.ControllerRef() == nil }
	if orphan(o) {
		delete(r.orphans[o.Namespace], o.Name)
	}
	if orphan(n) && !n.IsTerminating() {
		m := r.orphans[n.Namespace]
		if m == nil {
			m = map[string]*cluster.Pod{}
			r.orphans[n.Namespace] = m
		}
		m[n.Name] = n
	}
	var fo, fn *followedDS
	if o != nil {
		fo = r.ownerOf(o)
	}
	if n != nil {
		if fo != nil && sameController(o, n) {
			fn = fo // the common case: a status write
		} else {
			fn = r.ownerOf(n)
		}
	}
	for i, f := range [2]*followedDS{fo, fn} {
		if f == nil || i == 1 && f == fo {
			continue
		}
		if f.run != nil {
			f.run.file(f, o, n)
		}
		r.touch(f)
	}
	if fo != nil && fo.run != nil && fo.ds.DeletionTimestamp == nil && isReplaced(o, n, fo.hash, fo.spec.gen) {
		fo.run.report.Replaced++
	}
	if !orphan(o) && !orphan(n) {
		return
	}
	ns := n
	if ns == nil {
		ns = o
	}
	for _, f := range r.inNamespace(ns.Namespace) {
		if f.run == nil || f == fo || f == fn {
			continue
		}
		if orphan(o) && f.spec.sel.Matches(o.Labels) || orphan(n) && f.spec.sel.Matches(n.Labels) {
			f.run.file(f, o, n)
			r.touch(f)
		}
	}
}

// file keeps run's pods up to date with the change from o to n and marks
// the node when its standing may change: a pod joined or left the ones
// that count there, or one of them changed readiness. Nothing is kept
// before the run is loaded: loading takes every node.
func (run *rolloutRun) file(f *followedDS, o, n *cluster.Pod) {
	if !run.loaded {
		return
	}
	counts := n != nil && n.IsBound() && f.countsOn(n)
	if o != nil && o.IsBound() {
		if s := run.nodes[o.Spec.NodeName]; s != nil {
			if i := slices.IndexFunc(s.pods, func(p *cluster.Pod) bool { return p.Name == o.Name }); i >= 0 {
				if counts && n.Spec.NodeName == o.Spec.NodeName {
					s.pods[i] = n // the common case: a status write
					if o.IsReady() != n.IsReady() {
						run.mark(s)
					}
					return
				}
				s.pods = slices.Delete(s.pods, i, i+1)
				run.mark(s)
			}
		}
	}
	if counts {
		s := run.standingOf(n.Spec.NodeName)
		s.pods = append(s.pods, n)
		run.mark(s)
	}
}

// sameController reports whether a and b name the same controller.
func sameController(a, b *cluster.Pod) bool {
	ra, rb := a.ControllerRef(), b.ControllerRef()
	return ra != nil && rb != nil && ra.UID == rb.UID && ra.Kind == rb.Kind && ra.Name == rb.Name
}

// standingOf returns the node's standing, new (to be looked at) when the
// node was not followed yet.
func (run *rolloutRun) standingOf(node string) *standing {
	s := run.nodes[node]
	if s == nil {
		s = &standing{name: node, nodeChanged: true}
		run.nodes[node] = s
	}
	return s
}

func (run *rolloutRun) mark(s *standing) {
	if !s.marked {
		s.marked = true
		run.dirty = append(run.dirty, s)
	}
}

// isReplaced reports whether the change from o to n is the delete of a
// pod of an older revision than hash (and generation label gen): o was not
// terminating, n is gone or terminating, and no DisruptionTarget condition
// says that someone other than the controller removes it.
func isReplaced(o, n *cluster.Pod, hash, gen string) bool {
	if o == nil || o.IsTerminating() || n != nil && !n.IsTerminating() {
		return false
	}
	if c, ok := o.Condition(cluster.DisruptionTarget); ok && c.Status == cluster.ConditionTrue {
		return false
	}
	return !isPodUpdated(o, hash, gen)
}

// Reconcile takes, for every DaemonSet that changed, the counts of the
// controller's last sync from the status (starting, measuring and
// finishing rollouts), then mirrors the controller's sync of this round:
// the history decision and the standing of the nodes that changed. It
// returns the RolloutStarted and RolloutFinished notes, by DaemonSet key,
// and at most its own wake-up at this instant (see Wake); never a change,
// nor an error.
func (r *RolloutReporter) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	dirty := r.dirty
	r.dirty, r.spare = r.spare[:0], nil
	if len(dirty) > 1 {
		slices.SortFunc(dirty, func(a, b *followedDS) int { return a.key.Compare(b.key) })
	}
	for _, f := range dirty {
		if f.dropped {
			continue
		}
		f.queued = false
		r.follow(now, view, f, &plan)
	}
	clear(dirty)
	r.spare = dirty[:0]
	return plan, nil
}

// follow is one round for f: the outcome of the controller's last sync,
// the notes left for this round, then the mirror of this round's sync.
func (r *RolloutReporter) follow(now time.Time, view cluster.View, f *followedDS, plan *cluster.Plan) {
	if f.mirrored {
		f.mirrored = false
		if f.mirroredAt.Equal(now) {
			// the sync's status write, if any, was applied since: a round
			// follows every change at the same instant
			f.wrote = false
			r.outcome(f, f.mirroredAt, f.ds.Status, f.mirroredDS, plan)
		} else {
			// nothing changed at that instant after the sync: it wrote no
			// status, and a write seen since is a later sync's
			r.outcome(f, f.mirroredAt, f.before, f.mirroredDS, plan)
		}
		f.mirroredDS = nil
	}
	if f.wrote {
		// a sync's status write, applied at this instant (a round follows
		// every change at the same instant)
		f.wrote = false
		r.outcome(f, now, f.ds.Status, f.ds, plan)
	}
	plan.Notes = append(plan.Notes, f.notes...)
	f.notes = nil
	if f.synced {
		f.synced = false
		r.mirror(now, view, f, plan)
	}
}

// mirror follows the controller's sync of f at now, step by step as far
// as the rollout is concerned: the same early returns, the spec compiled
// when its generation changed, the history decision when it is due (which
// may start a rollout), then each changed node's standing.
func (r *RolloutReporter) mirror(now time.Time, view cluster.View, f *followedDS, plan *cluster.Plan) {
	ds := f.ds // as the view has it: every change to it was observed
	f.lastAt = now
	if ds.Spec.Selector != nil && ds.Spec.Selector.IsEmpty() || ds.DeletionTimestamp != nil {
		return // the controller's sync stops there
	}
	if f.spec.generation != ds.Generation {
		f.spec = compileSpec(ds)
		f.reload = true
	}
	if f.historyDirty {
		var discard cluster.Plan // the controller's to plan
		d := decideHistory(view, ds, f.spec.sel, f.spec.patch, r.claimed(view, f), &discard)
		if d.cur == nil {
			return // a hash collision: the history stays due
		}
		f.historyDirty = false
		if f.cur != d.cur.Name && (f.cur != "" || d.created && len(d.old) > 0) {
			r.start(now, f, d.cur)
		}
		f.cur = d.cur.Name
		if h := revisionHash(d.cur); h != f.hash {
			f.hash = h
			f.reload = true
		}
		if d.relabelled {
			if f.run != nil && !f.run.started {
				f.run.stopped = true
			}
			return
		}
	}
	reload := f.reload
	f.reload = false
	run := f.run
	if run == nil {
		return
	}
	if run.stopped && !run.started {
		// the rollout's first sync after one that stopped: its plan may be
		// empty, and then no round follows at this instant
		run.stopped = false
		plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: f.key})
	}
	if reload || !run.loaded {
		r.load(now, view, f)
	} else {
		for _, s := range run.dirty {
			s.marked = false
			if s.nodeChanged {
				s.nodeChanged = false
				n, ok := view.Node(s.name)
				s.desired = false
				if ok {
					s.desired, _ = f.spec.pl.shouldRun(n)
				}
			}
			run.track(now, s)
			if !s.desired && !s.down && len(s.pods) == 0 {
				delete(run.nodes, s.name) // nothing to follow there
			}
		}
		clear(run.dirty)
		run.dirty = run.dirty[:0]
	}
	if !run.started {
		// the start's figures are this sync's counts, written or not;
		// later syncs count through their status writes (wrote): a sync
		// that writes none changes neither the peak nor the end
		f.mirrored, f.mirroredAt, f.mirroredDS, f.before = true, now, ds, ds.Status
		r.enqueue(f)
	}
}

// claimed yields the pods the controller's history decision claims for f:
// its own that match the selector, then the orphans of its namespace that
// it would adopt, by name. Only a duplicate revision asks: O(pods of the
// DaemonSet + orphans in its namespace).
func (r *RolloutReporter) claimed(view cluster.View, f *followedDS) iter.Seq2[*cluster.Pod, bool] {
	return func(yield func(*cluster.Pod, bool) bool) {
		for p := range view.PodsControlledBy(f.ds.UID) {
			if f.owns(p) && f.spec.sel.Matches(p.Labels) && !yield(p, false) {
				return
			}
		}
		for _, p := range sortedPods(r.orphans[f.key.Namespace]) {
			if f.spec.sel.Matches(p.Labels) && !p.IsTerminating() && !yield(p, true) {
				return
			}
		}
	}
}

// owns reports whether p's controller reference names f's DaemonSet.
func (f *followedDS) owns(p *cluster.Pod) bool {
	ref := p.ControllerRef()
	return ref != nil && ref.Kind == "DaemonSet" && ref.UID == f.ds.UID && ref.Name == f.ds.Name && p.Namespace == f.key.Namespace
}

// countsOn reports whether p, a pod of f's namespace, counts for f where
// it runs, as the controller's sync counts it: its own that match the
// selector and the orphans it adopts at that sync (not being deleted),
// without terminal pods being deleted.
func (f *followedDS) countsOn(p *cluster.Pod) bool {
	if p.Namespace != f.key.Namespace || p.IsTerminal() && p.IsTerminating() || !f.spec.sel.Matches(p.Labels) {
		return false
	}
	if p.ControllerRef() == nil {
		return !p.IsTerminating()
	}
	return f.owns(p)
}

// load takes, for a rollout starting or a DaemonSet reloaded, every node
// of view and the bound pods that count for f on each (its own and the
// orphans), and looks at each node's standing, as the controller's rebuild
// looks at every node. A reload keeps what the nodes' downtime was. O(nodes
// + pods of the DaemonSet + orphans in its namespace).
func (r *RolloutReporter) load(now time.Time, view cluster.View, f *followedDS) {
	run := f.run
	if run.nodes == nil {
		run.nodes = make(map[string]*standing, view.NodeCount())
	}
	for _, s := range run.nodes { //detlint:allow each node is reset on its own
		s.pods, s.desired, s.nodeChanged, s.marked = s.pods[:0], false, false, false
	}
	clear(run.dirty)
	run.dirty = run.dirty[:0]
	run.loaded = true
	// the nodes the controller's rebuild looks at: those of the view, and
	// those its pods are bound to (gone: not desired); marked is borrowed
	// to list each once
	slab := make([]standing, 0, view.NodeCount())
	looked := make([]*standing, 0, view.NodeCount())
	for n := range view.Nodes() {
		s := run.nodes[n.Name]
		if s == nil {
			slab = append(slab, standing{name: n.Name})
			s = &slab[len(slab)-1]
			run.nodes[n.Name] = s
		}
		s.desired, _ = f.spec.pl.shouldRun(n)
		s.marked = true
		looked = append(looked, s)
	}
	add := func(p *cluster.Pod) {
		if p.IsBound() && f.countsOn(p) {
			s := run.standingOf(p.Spec.NodeName)
			s.pods = append(s.pods, p)
			if !s.marked {
				s.nodeChanged = false // not in the view: not desired
				s.marked = true
				looked = append(looked, s)
			}
		}
	}
	for p := range view.PodsControlledBy(f.ds.UID) {
		add(p)
	}
	for _, p := range r.orphans[f.key.Namespace] { //detlint:allow per-node sets: podLess picks from them whatever their order
		add(p)
	}
	for _, s := range looked {
		s.marked = false
		run.track(now, s)
	}
}

// track is the controller's per-node account of a rollout: a desired node
// without a ready pod (its first pod that counts, podLess: bound ones
// first, is not ready) is down from the sync that finds it so to the one
// that finds it otherwise. O(pods that count on the node).
func (run *rolloutRun) track(now time.Time, s *standing) {
	down := s.desired
	if down {
		var first *cluster.Pod
		for _, p := range s.pods {
			if first == nil || podLess(p, first) < 0 {
				first = p
			}
		}
		down = first == nil || !first.IsReady()
	}
	switch {
	case down && !s.down:
		s.down, s.since = true, now
	case !down && s.down:
		s.down = false
		run.report.Downtime = addDowntime(run.report.Downtime, s.name, now.Sub(s.since))
	}
}

// start begins following the rollout of cur; a rollout still running is
// reported as superseded, its note at the next round.
func (r *RolloutReporter) start(now time.Time, f *followedDS, cur *cluster.ControllerRevision) {
	if f.run != nil {
		r.finish(f, now, true, nil)
	}
	f.run = &rolloutRun{report: RolloutReport{Revision: cur.Revision, Hash: revisionHash(cur)}}
}

// outcome takes the counts of a sync of ds at at from the status s it
// left: the start's figures, the peak, and the end.
func (r *RolloutReporter) outcome(f *followedDS, at time.Time, s cluster.DaemonSetStatus, ds *cluster.DaemonSet, plan *cluster.Plan) {
	if at.After(f.lastAt) {
		f.lastAt = at
	}
	run := f.run
	if run == nil {
		return
	}
	desired, updated, available := s.DesiredNumberScheduled, s.UpdatedNumberScheduled, s.NumberAvailable
	if !run.started {
		run.started = true
		run.report.Start = at
		run.report.MaxUnavailable, run.report.MaxSurge, _ = MaxUnavailableAndSurge(ds, int(desired))
		limits := fmt.Sprintf("maxUnavailable %d, maxSurge %d", run.report.MaxUnavailable, run.report.MaxSurge)
		if ds.Spec.UpdateStrategy.Type == cluster.OnDeleteDaemonSetStrategyType {
			limits = "updateStrategy OnDelete: a pod is replaced when it is deleted"
		}
		plan.Notes = append(plan.Notes, cluster.Note{Object: f.key, Type: cluster.NoteNormal, Reason: ReasonRolloutStarted,
			Message: fmt.Sprintf("rolling out revision %d (%s) to %d nodes: %d of them updated, %s",
				run.report.Revision, run.report.Hash, desired, updated, limits)})
	}
	run.report.PeakUnavailable = max(run.report.PeakUnavailable, int(desired-available))
	if updated >= desired && available >= desired {
		r.finish(f, at, false, plan)
	}
}

// finish closes f's rollout at at: open downtime ends then, the report is
// kept and noted (in plan, or at the next round when plan is nil).
func (r *RolloutReporter) finish(f *followedDS, at time.Time, superseded bool, plan *cluster.Plan) {
	report := f.run.reportAt(at)
	f.run = nil
	report.End = at
	report.Superseded = superseded
	f.reports = append(f.reports, report)
	note := cluster.Note{Object: f.key, Type: cluster.NoteNormal, Reason: ReasonRolloutFinished, Message: report.String()}
	if plan != nil {
		plan.Notes = append(plan.Notes, note)
	} else {
		f.notes = append(f.notes, note)
		r.enqueue(f)
	}
}

// reportAt returns the report as of at: a copy whose Downtime includes
// the time nodes still without a ready pod have spent so far.
func (run *rolloutRun) reportAt(at time.Time) RolloutReport {
	out := run.report
	out.Downtime = slices.Clone(run.report.Downtime)
	for _, s := range run.nodes { //detlint:allow each node adds to its own entry
		if s.down {
			out.Downtime = addDowntime(out.Downtime, s.name, at.Sub(s.since))
		}
	}
	return out
}

// Rollouts returns the reports of the DaemonSet's rollouts the reporter
// followed, oldest first, the one still running (End zero) last, as of
// the last sync of the DaemonSet it saw. Nothing is kept of a DaemonSet
// once it is deleted. The slice is new; the reports' Downtime slices are
// shared and must not be modified. O(rollouts + nodes of the running one).
func (r *RolloutReporter) Rollouts(namespace, name string) []RolloutReport {
	f := r.sets[cluster.Key{Kind: cluster.KindDaemonSet, Namespace: namespace, Name: name}]
	if f == nil {
		return nil
	}
	out := slices.Clone(f.reports)
	if f.run != nil {
		out = append(out, f.run.reportAt(f.lastAt))
	}
	return out
}

// RolloutReport describes one rollout of a DaemonSet: from the sync that
// found a new current revision (a template change, a rollback, or a new
// DaemonSet beside adopted older revisions) to the
// sync that found every desired node running an updated, available pod
// (kubectl's "successfully rolled out"), or to the next rollout that
// superseded it.
type RolloutReport struct {
	// Revision and Hash name the revision rolled out.
	Revision int64
	Hash     string
	// Start and End are virtual times; End is zero while it runs.
	Start, End time.Time
	// Superseded is set when a newer revision started before this one
	// finished.
	Superseded bool
	// MaxUnavailable and MaxSurge are the bounds resolved at the start.
	MaxUnavailable, MaxSurge int
	// PeakUnavailable is the most desired nodes without an available pod
	// (status.numberUnavailable) at any sync of the rollout.
	PeakUnavailable int
	// Replaced counts the pods of older revisions the controller deleted.
	Replaced int
	// Downtime is, per node that spent time without a ready daemon pod
	// while the rollout ran, how long it did, by node name.
	Downtime []NodeDowntime
}

// NodeDowntime is the time one node spent without a ready daemon pod.
type NodeDowntime struct {
	Node     string
	Duration time.Duration
}

// Duration is End - Start (0 while the rollout runs).
func (r *RolloutReport) Duration() time.Duration {
	if r.End.IsZero() {
		return 0
	}
	return r.End.Sub(r.Start)
}

// DowntimeStats returns the total, mean and maximum downtime over the
// nodes that had any.
func (r *RolloutReport) DowntimeStats() (total, mean, maxd time.Duration) {
	for _, d := range r.Downtime {
		total += d.Duration
		maxd = max(maxd, d.Duration)
	}
	if len(r.Downtime) > 0 {
		mean = total / time.Duration(len(r.Downtime))
	}
	return total, mean, maxd
}

// String renders the figures on one line: the summary, then each node's
// downtime by name. It is the RolloutFinished note's message.
func (r *RolloutReport) String() string {
	total, mean, maxd := r.DowntimeStats()
	var b strings.Builder
	fmt.Fprintf(&b, "revision %d (%s)", r.Revision, r.Hash)
	if r.Superseded {
		b.WriteString(" superseded")
	} else {
		b.WriteString(" rolled out")
	}
	fmt.Fprintf(&b, " in %s, from %s to %s: maxUnavailable %d, maxSurge %d, peak unavailable %d, %d pods replaced, %d nodes without a ready pod (mean %s, max %s, total %s)",
		r.Duration(), r.Start.Format(time.RFC3339Nano), r.End.Format(time.RFC3339Nano),
		r.MaxUnavailable, r.MaxSurge, r.PeakUnavailable, r.Replaced, len(r.Downtime), mean, maxd, total)
	for i, d := range r.Downtime {
		if i == 0 {
			b.WriteString("; per node:")
		}
		b.WriteByte(' ')
		b.WriteString(d.Node)
		b.WriteByte(' ')
		b.WriteString(d.Duration.String())
	}
	return b.String()
}

// addDowntime adds d to node's entry in dt (sorted by node), inserting
// the entry when missing, and returns dt.
func addDowntime(dt []NodeDowntime, node string, d time.Duration) []NodeDowntime {
	if len(dt) == 0 || dt[len(dt)-1].Node < node {
		return append(dt, NodeDowntime{Node: node, Duration: d}) // nodes often come in name order
	}
	i, found := slices.BinarySearchFunc(dt, node, func(x NodeDowntime, n string) int { return strings.Compare(x.Node, n) })
	if !found {
		dt = slices.Insert(dt, i, NodeDowntime{Node: node})
	}
	dt[i].Duration += d
	return dt
}

// RolloutStatus is `kubectl rollout status daemonset/<name>` for one look
// at ds (kubectl's DaemonSetStatusViewer): the message, and whether the
// rollout is done. Only the RollingUpdate strategy has a status; OnDelete
// gives kubectl's error.
func RolloutStatus(ds *cluster.DaemonSet) (string, bool, error) {
	if ds.Spec.UpdateStrategy.Type != cluster.RollingUpdateDaemonSetStrategyType {
		return "", true, fmt.Errorf("rollout status is only available for %s strategy type", cluster.RollingUpdateDaemonSetStrategyType)
	}
	s := ds.Status
	if ds.Generation <= s.ObservedGeneration {
		if s.UpdatedNumberScheduled < s.DesiredNumberScheduled {
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...\n", ds.Name, s.UpdatedNumberScheduled, s.DesiredNumberScheduled), false, nil
		}
		if s.NumberAvailable < s.DesiredNumberScheduled {
			return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...\n", ds.Name, s.NumberAvailable, s.DesiredNumberScheduled), false, nil
		}
		return fmt.Sprintf("daemon set %q successfully rolled out\n", ds.Name), true, nil
	}
	return "Waiting for daemon set spec update to be observed...\n", false, nil
}
