package daemonset_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
)

// stepper drives one controller against a store sync by sync, with the
// test playing scheduler and kubelet, so that every sync's creates and
// deletes can be checked. A rollout reporter, when r is set, reconciles
// with the controller at every sync, on the same view, as an engine round
// has them; reports flushes it at the current instant.
type stepper struct {
	t       *testing.T
	s       *cluster.Store
	c       *daemonset.Controller
	r       *daemonset.RolloutReporter
	now     time.Time
	ds      string // the DaemonSet under test
	wakes   []wake
	notes   []cluster.Note
	budget  int // the most unavailable desired nodes allowed (unchecked, auto or a number)
	already int // nodes unavailable before the rollout, allowed beyond the budget
}

// The stepper's budget settings: no check, or the DaemonSet's own
// maxUnavailable (0 with surge).
const (
	unchecked = -1
	auto      = -2
)

type wake struct {
	at  time.Time
	key cluster.Key
}

// newStepper makes nodes n0..n<count-1> and the DaemonSet, and brings it to
// every pod Ready.
func newStepper(t *testing.T, count int, ds *cluster.DaemonSet) *stepper {
	t.Helper()
	s := &stepper{t: t, s: cluster.NewStore(), c: daemonset.New(daemonset.Config{}),
		r: daemonset.NewRolloutReporter(daemonset.RolloutReporterConfig{}), now: t0, ds: ds.Name, budget: unchecked}
	for i := range count {
		s.apply(cluster.Create{Object: node(fmt.Sprintf("n%d", i))})
	}
	s.apply(cluster.Create{Object: ds})
	s.start()
	return s
}

// start settles the DaemonSet until every pod is available, then checks
// the DaemonSet's own budget from there on.
func (s *stepper) start() {
	s.t.Helper()
	s.settle()
	ds, _ := s.s.DaemonSet("default", s.ds)
	if mr := ds.Spec.MinReadySeconds; mr > 0 {
		s.advance(time.Duration(mr)*time.Second + time.Second)
		s.settle()
	}
	s.budget = auto
}

// apply applies one change and shows it to the controller.
func (s *stepper) apply(ch cluster.Change) {
	s.t.Helper()
	d, err := s.s.Apply(s.now, ch)
	require.NoError(s.t, err, "%s", ch)
	s.c.Observe(d)
	if s.r != nil {
		s.r.Observe(d)
	}
}

// sync runs one Reconcile, applies its plan and returns the nodes of the
// pods it created and deleted, each sorted.
func (s *stepper) sync() (created, deleted []string) {
	s.t.Helper()
	plan, err := s.c.Reconcile(s.now, s.s)
	require.NoError(s.t, err)
	s.reconcileReporter()
	ds, _ := s.s.DaemonSet("default", s.ds)
	want := daemonset.ComputeStatus(s.s, ds, s.now) // what the sync saw
	// a sync that adopts, renumbers or deduplicates revisions counts pods
	// against the hash it settles on, which the view does not show yet
	recount := true
	for _, ch := range plan.Changes {
		if ch.Verb() != "create" && changeKind(ch) == cluster.KindControllerRevision {
			recount = false
		}
	}
	for _, ch := range plan.Changes {
		switch ch := ch.(type) {
		case cluster.Create:
			if p, ok := ch.Object.(*cluster.Pod); ok {
				n, err := daemonset.TargetNodeName(p)
				require.NoError(s.t, err)
				created = append(created, n)
			}
		case cluster.Delete:
			if ch.Key.Kind == cluster.KindPod {
				p, ok := s.s.Pod(ch.Key.Namespace, ch.Key.Name)
				require.True(s.t, ok)
				n, _ := daemonset.TargetNodeName(p)
				deleted = append(deleted, n)
			}
		}
		s.apply(ch)
	}
	for _, r := range plan.Requeue {
		s.wakes = append(s.wakes, wake{s.now.Add(r.After), r.Key})
	}
	s.notes = append(s.notes, plan.Notes...)
	slices.Sort(created)
	slices.Sort(deleted)
	if ds, _ = s.s.DaemonSet("default", s.ds); recount && ds.Status.CollisionCount == want.CollisionCount {
		require.Equal(s.t, want, ds.Status, "status at %s", s.now.Sub(t0))
	}
	s.check()
	return created, deleted
}

// advance moves the clock and delivers the wake-ups that came due.
func (s *stepper) advance(d time.Duration) {
	s.now = s.now.Add(d)
	kept := s.wakes[:0]
	for _, w := range s.wakes {
		if w.at.After(s.now) {
			kept = append(kept, w)
		} else {
			s.c.Wake(w.key)
		}
	}
	s.wakes = kept
}

// pods returns the DaemonSet's pods in name order.
func (s *stepper) pods() []*cluster.Pod {
	ds, ok := s.s.DaemonSet("default", s.ds)
	require.True(s.t, ok)
	var out []*cluster.Pod
	for p := range s.s.PodsControlledBy(ds.UID) {
		out = append(out, p)
	}
	return out
}

// kubelet binds every unbound pod to its node and makes every bound pod not
// yet ready Running and Ready now, except pods on the nodes in hold. It
// returns how many pods it changed.
func (s *stepper) kubelet(hold ...string) int {
	s.t.Helper()
	n := 0
	for _, p := range s.pods() {
		node, _ := daemonset.TargetNodeName(p)
		if slices.Contains(hold, node) || p.IsTerminating() {
			continue
		}
		if !p.IsBound() {
			s.apply(cluster.Bind{Pod: cluster.KeyOf(p), Node: node})
			p, _ = s.s.Pod(p.Namespace, p.Name)
			n++
		}
		if !p.IsReady() && !p.IsTerminal() {
			cp := *p
			cp.Status.Phase = cluster.PodRunning
			cp.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: s.now}}
			s.apply(cluster.UpdateStatus{Object: &cp})
			n++
		}
	}
	return n
}

// unready makes the pods on nodes not ready (Running, Ready=False).
func (s *stepper) unready(nodes ...string) {
	s.t.Helper()
	for _, p := range s.pods() {
		if n, _ := daemonset.TargetNodeName(p); slices.Contains(nodes, n) {
			cp := *p
			cp.Status.Conditions = []cluster.PodCondition{{Type: cluster.PodReady, Status: cluster.ConditionFalse, LastTransitionTime: s.now}}
			s.apply(cluster.UpdateStatus{Object: &cp})
		}
	}
}

// terminate removes every pod being deleted, as the kubelet does at the end
// of the grace period. It returns how many it removed.
func (s *stepper) terminate() int {
	s.t.Helper()
	n := 0
	zero := int64(0)
	for _, p := range s.pods() {
		if p.IsTerminating() {
			s.apply(cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero})
			n++
		}
	}
	return n
}

// settle syncs, binds, readies and terminates until nothing changes.
func (s *stepper) settle() {
	s.t.Helper()
	for i := 0; ; i++ {
		require.Less(s.t, i, 10_000, "no fixed point")
		c, d := s.sync()
		if len(c)+len(d)+s.kubelet()+s.terminate() == 0 {
			if c, d := s.sync(); len(c)+len(d) == 0 {
				return
			}
		}
	}
}

// updateDS applies f to a copy of the DaemonSet and submits it.
func (s *stepper) updateDS(f func(*cluster.DaemonSet)) {
	s.t.Helper()
	ds, ok := s.s.DaemonSet("default", s.ds)
	require.True(s.t, ok)
	cp := ds.DeepCopy()
	f(cp)
	s.apply(cluster.Update{Object: cp})
}

// image sets the DaemonSet's container image: a new template revision.
func (s *stepper) image(tag string) {
	s.updateDS(func(ds *cluster.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = s.ds + ":" + tag })
}

// unavailable counts desired nodes without an available pod, as the
// status does, by a full recount.
func (s *stepper) status() cluster.DaemonSetStatus {
	ds, _ := s.s.DaemonSet("default", s.ds)
	return daemonset.ComputeStatus(s.s, ds, s.now)
}

// check asserts at most one live pod of each revision per node and, when
// a budget is set, the rolling-update invariant: the desired nodes without
// an available pod never exceed the budget plus the nodes that were
// unavailable before the rollout began. (sync checks that the status it
// wrote equals a full recount of what it saw.)
func (s *stepper) check() {
	s.t.Helper()
	ds, _ := s.s.DaemonSet("default", s.ds)
	hash := daemonset.CurrentHash(s.s, ds)
	gen, _ := daemonset.TemplateGeneration(ds)
	perNode := map[string][2]int{}
	for _, p := range s.pods() {
		if p.IsTerminating() || p.IsTerminal() {
			continue
		}
		n, _ := daemonset.TargetNodeName(p)
		c := perNode[n]
		if daemonset.IsPodUpdated(p, hash, gen) {
			c[0]++
		} else {
			c[1]++
		}
		perNode[n] = c
	}
	for n, c := range perNode {
		require.True(s.t, c[0] <= 1 && c[1] <= 1, "node %s has %d new and %d old pods", n, c[0], c[1])
	}
	budget := s.budget
	if budget == auto {
		budget, _, _ = daemonset.MaxUnavailableAndSurge(ds, int(ds.Status.DesiredNumberScheduled))
		if surge(ds) {
			budget = 0
		}
	}
	if budget >= 0 {
		require.LessOrEqual(s.t, int(ds.Status.NumberUnavailable), budget+s.already, "unavailable at %s", s.now.Sub(t0))
	}
}

// reconcileReporter runs the reporter's round, if there is one, and
// keeps its notes.
func (s *stepper) reconcileReporter() {
	s.t.Helper()
	if s.r == nil {
		return
	}
	plan, err := s.r.Reconcile(s.now, s.s)
	require.NoError(s.t, err)
	s.notes = append(s.notes, plan.Notes...)
}

// reports returns the reporter's rollouts of the DaemonSet, after a round
// at the current instant for the counts of the last sync (an engine has
// one after every change).
func (s *stepper) reports() []daemonset.RolloutReport {
	s.t.Helper()
	s.reconcileReporter()
	return s.r.Rollouts("default", s.ds)
}

// noteMessages returns the messages of the notes with reason, the
// reporter's included (after a round at the current instant).
func (s *stepper) noteMessages(reason string) []string {
	s.reconcileReporter()
	var out []string
	for _, n := range s.notes {
		if n.Reason == reason {
			out = append(out, n.Message)
		}
	}
	return out
}

// revisions returns "revision:hash" of the DaemonSet's revisions.
func (s *stepper) revisions() []string {
	ds, _ := s.s.DaemonSet("default", s.ds)
	var out []string
	for _, cr := range daemonset.Revisions(s.s, ds) {
		out = append(out, fmt.Sprintf("%d:%s", cr.Revision, cr.Labels[daemonset.ControllerRevisionHashLabel]))
	}
	return out
}
