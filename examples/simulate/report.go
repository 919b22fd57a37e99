package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/cluster/printers"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/scheduler"
	"github.com/daemonsim/daemonsim/sim"
)

// namesShown is how many node or pod names a group lists.
const namesShown = 3

// checkImageUpdates fails unless each --update-image container is in a
// DaemonSet of the inputs (the -f files, else the snapshot).
func checkImageUpdates(o *options, in *inputs) error {
	for _, u := range o.imageUpdates() {
		found := false
		for _, ds := range updateTargets(in) {
			for _, c := range ds.Spec.Template.Spec.Containers {
				found = found || c.Name == u[0]
			}
			for _, c := range ds.Spec.Template.Spec.InitContainers {
				found = found || c.Name == u[0]
			}
		}
		if !found {
			return fmt.Errorf("--update-image: no DaemonSet in the inputs has a container named %q", u[0])
		}
	}
	return nil
}

// updateTargets are the DaemonSets --update-image acts on: those of the -f
// files, or with none there those of the snapshot.
func updateTargets(in *inputs) []*cluster.DaemonSet {
	var out []*cluster.DaemonSet
	for _, s := range []*manifest.Set{in.first, in.snapshot} {
		if s == nil {
			continue
		}
		for _, obj := range s.Objects {
			if ds, ok := obj.Object.(*cluster.DaemonSet); ok {
				out = append(out, ds)
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// setImages applies --update-image: kubectl set image on every target
// DaemonSet, as one update each.
func (r *runner) setImages() {
	ups := r.o.imageUpdates()
	if len(ups) == 0 {
		return
	}
	for _, t := range updateTargets(r.in) {
		k := keyOf(t)
		ds, ok := r.c.View().DaemonSet(k.Namespace, k.Name)
		if !ok {
			continue
		}
		next := ds.DeepCopy()
		changed := false
		for _, u := range ups {
			for _, cs := range [][]cluster.Container{next.Spec.Template.Spec.InitContainers, next.Spec.Template.Spec.Containers} {
				for i := range cs {
					if cs[i].Name == u[0] && cs[i].Image != u[1] {
						cs[i].Image = u[1]
						changed = true
					}
				}
			}
		}
		if changed {
			r.c.Submit(r.c.Now(), source, cluster.Update{Object: next})
		}
	}
}

// group is a reason and the names it applies to, in name order.
type group struct {
	reason string
	names  []string
}

// groups sorts the groups by size, largest first, then reason.
func sortGroups(m map[string][]string) []group {
	out := make([]group, 0, len(m))
	for reason, names := range m {
		out = append(out, group{reason, names})
	}
	slices.SortFunc(out, func(a, b group) int {
		return cmp.Or(cmp.Compare(len(b.names), len(a.names)), cmp.Compare(a.reason, b.reason))
	})
	return out
}

func (g group) String() string {
	shown := g.names[:min(len(g.names), namesShown)]
	s := strings.Join(shown, ", ")
	if more := len(g.names) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("%6d  %s: %s", len(g.names), g.reason, s)
}

// count renders n with a noun, "1 node", "3 nodes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// report writes the summary.
func (r *runner) report(w io.Writer, timeline string) error {
	c, view := r.c, r.c.View()
	var b bytes.Buffer

	// the cluster and the inputs
	nodes := view.NodeCount()
	fmt.Fprintf(&b, "cluster: %s", count(nodes, "node"))
	var parts []string
	if r.generated > 0 {
		g := fmt.Sprintf("%d generated", r.generated)
		if r.o.zones > 0 {
			g += fmt.Sprintf(" in %s", count(min(r.o.zones, r.generated), "zone"))
		}
		if r.o.controlPlane > 0 {
			g += fmt.Sprintf(", %d of them control-plane", r.o.controlPlane)
		}
		parts = append(parts, g)
	}
	if r.in.snapshot != nil {
		parts = append(parts, "from "+r.o.snapshot)
	}
	if from := nodes - r.generated - snapshotNodes(r.in.snapshot); from > 0 {
		if r.timeline != nil {
			parts = append(parts, fmt.Sprintf("%d from the manifests and the timeline", from))
		} else {
			parts = append(parts, fmt.Sprintf("%d from the manifests", from))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, "; "))
	}
	if r.timeline != nil && r.timeline.Cluster != nil {
		fmt.Fprintf(&b, "; %s from %s\n", r.timeline.Cluster, r.timeline.File)
	} else {
		fmt.Fprintf(&b, "; seed %d; node agent: start %s, ready %s\n", r.o.seed, r.o.start, r.o.ready)
	}
	r.reportInputs(&b)

	// how the run went
	fmt.Fprintf(&b, "simulated: %s", r.phaseLine(r.first, r.start))
	if r.updated {
		fmt.Fprintf(&b, "; update applied at %s, %s", c.Offset(r.updateAt), r.phaseLine(r.second, r.updateAt))
	} else if len(r.o.then) > 0 || len(r.o.imageUpdates()) > 0 {
		fmt.Fprintf(&b, "; the update was not applied: --until came first")
	}
	fmt.Fprintf(&b, "; %d events\n", c.LogLen())
	r.reportRefused(&b)
	if timeline != "" {
		fmt.Fprintf(&b, "\ntimeline:\n%s", indent(timeline, "  "))
	}

	ready := r.allReadyTimes()
	any := false
	for ds := range view.DaemonSets() {
		b.WriteByte('\n')
		r.reportDaemonSet(&b, ds, ready[cluster.KeyOf(ds)])
		any = true
	}
	if any {
		fmt.Fprintf(&b, "\n$ kubectl get daemonsets -A\n")
		if err := printers.DaemonSets(&b, view, c.Now(), printers.Options{AllNamespaces: true}); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func snapshotNodes(s *manifest.Set) int {
	if s == nil {
		return 0
	}
	n := 0
	for _, obj := range s.Objects {
		if obj.Object.ObjectKind() == cluster.KindNode {
			n++
		}
	}
	return n
}

// phaseLine says how a phase that began at from ended.
func (r *runner) phaseLine(p phase, from time.Time) string {
	if p.stable {
		return fmt.Sprintf("settled at %s (%s)", r.c.Offset(p.end), p.end.Sub(from))
	}
	return fmt.Sprintf("still changing at %s (--until %s)", r.c.Offset(p.end), r.o.until)
}

// reportInputs lists what was loaded, skipped and ignored, once each.
func (r *runner) reportInputs(b *bytes.Buffer) {
	all := &manifest.Set{}
	all.Merge(r.in.first)
	all.Merge(r.in.then)
	for _, x := range []struct {
		label string
		s     *manifest.Set
	}{{"manifests", r.in.first}, {"then", r.in.then}} {
		kinds := map[string]int{}
		for _, obj := range x.s.Objects {
			_, kind := manifest.APIVersionKind(obj.Object.ObjectKind())
			kinds[kind]++
		}
		var loaded []string
		for _, k := range sortedKeys(kinds) {
			loaded = append(loaded, count(kinds[k], k))
		}
		if len(loaded) > 0 {
			fmt.Fprintf(b, "%s: %s\n", x.label, strings.Join(loaded, ", "))
		}
	}
	var skipped []string
	for _, s := range all.Skipped {
		if s.Kind == "Scenario" {
			continue
		}
		name := s.Name
		if s.Namespace != "" {
			name = s.Namespace + "/" + s.Name
		}
		skipped = append(skipped, fmt.Sprintf("%s %s (%s:%d)", s.Kind, name, s.File, s.Line))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(b, "skipped, not simulated: %s\n", strings.Join(skipped, ", "))
	}
	if len(all.Ignored) > 0 {
		fmt.Fprintf(b, "ignored fields, accepted but not simulated:\n")
		for _, ig := range all.Ignored {
			times := ""
			if ig.Count > 1 {
				times = fmt.Sprintf(", %d times", ig.Count)
			}
			fmt.Fprintf(b, "  %s %s (%s:%d%s)\n", ig.Kind, ig.Path, ig.File, ig.Line, times)
		}
	}
}

// reportRefused lists the runner's changes the cluster refused.
func (r *runner) reportRefused(b *bytes.Buffer) {
	for ev := range r.c.Events(0) {
		if ev.Kind == sim.EventChange && ev.Source == source && ev.Err != "" {
			fmt.Fprintf(b, "refused: %s %s: %s\n", ev.Change.Verb(), ev.Change.Target(), ev.Err)
		}
	}
}

// allReadyTimes returns, per DaemonSet, the first instant of the first
// phase whose status write showed every desired node with an updated,
// ready pod (from the log's status writes before the update).
func (r *runner) allReadyTimes() map[cluster.Key]time.Time {
	out := map[cluster.Key]time.Time{}
	i := 0
	for ev := range r.c.Events(0) {
		if r.updated && i >= r.updateLog {
			break
		}
		i++
		if ev.Kind != sim.EventChange || ev.Rev == 0 {
			continue
		}
		us, ok := ev.Change.(cluster.UpdateStatus)
		if !ok {
			continue
		}
		ds, ok := us.Object.(*cluster.DaemonSet)
		if !ok || !allReady(ds) {
			continue
		}
		if k := cluster.KeyOf(ds); out[k].IsZero() {
			out[k] = ev.At
		}
	}
	return out
}

// allReady reports whether ds's status shows every desired node with an
// updated, ready pod, for its current generation.
func allReady(ds *cluster.DaemonSet) bool {
	st := ds.Status
	return st.DesiredNumberScheduled > 0 && st.NumberReady == st.DesiredNumberScheduled &&
		st.UpdatedNumberScheduled == st.DesiredNumberScheduled && st.ObservedGeneration == ds.Generation
}

// reportDaemonSet writes what a user asks first about one DaemonSet.
func (r *runner) reportDaemonSet(b *bytes.Buffer, ds *cluster.DaemonSet, ready time.Time) {
	c, view := r.c, r.c.View()
	st := ds.Status
	fmt.Fprintf(b, "daemonset %s/%s\n", ds.Namespace, ds.Name)

	x := daemonset.NewExplainer(ds)
	why := map[string][]string{}
	should := 0
	for n := range view.Nodes() {
		fit := x.Explain(n)
		if fit.ShouldRun {
			should++
			continue
		}
		why[fit.String()] = append(why[fit.String()], n.Name)
	}
	fmt.Fprintf(b, "  nodes that should run a pod: %d of %d\n", should, view.NodeCount())
	if gs := sortGroups(why); len(gs) > 0 {
		fmt.Fprintf(b, "  no pod on %s:\n", count(view.NodeCount()-should, "node"))
		for _, g := range gs {
			fmt.Fprintf(b, "  %s\n", g)
		}
	}

	// the pods: pending ones by the scheduler's message, and those starting
	pending := map[string][]string{}
	firstPod := map[string]*cluster.Pod{}
	var starting, pendingCount int
	for p := range view.PodsControlledBy(ds.UID) {
		if p.DeletionTimestamp != nil || p.IsTerminal() {
			continue
		}
		if p.IsBound() {
			if !p.IsReady() {
				starting++
			}
			continue
		}
		pendingCount++
		msg := "not yet tried by the scheduler"
		if cond, ok := p.Condition(cluster.PodScheduled); ok && cond.Status == cluster.ConditionFalse && cond.Message != "" {
			msg = cond.Message
		}
		target := daemonNode(p)
		if target == "" {
			target = p.Name
		}
		pending[msg] = append(pending[msg], target)
		if _, ok := firstPod[msg]; !ok {
			firstPod[msg] = p
		}
	}
	fmt.Fprintf(b, "  pods: desired %d, current %d, ready %d, up-to-date %d, available %d",
		st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady, st.UpdatedNumberScheduled, st.NumberAvailable)
	if st.NumberMisscheduled > 0 {
		fmt.Fprintf(b, ", misscheduled %d (on nodes that should not run one)", st.NumberMisscheduled)
	}
	if starting > 0 {
		fmt.Fprintf(b, ", starting %d", starting)
	}
	b.WriteByte('\n')
	if pendingCount > 0 {
		fmt.Fprintf(b, "  pending: %s, for these nodes:\n", count(pendingCount, "pod"))
		for _, g := range sortGroups(pending) {
			msg := g.reason
			g.reason = r.nodeReasons(firstPod[msg], msg)
			fmt.Fprintf(b, "  %s\n", g)
			if msg != g.reason {
				fmt.Fprintf(b, "          FailedScheduling: %s\n", msg)
			}
		}
	}
	switch {
	case should == 0:
	case !ready.IsZero():
		created := ds.CreationTimestamp
		if created.Before(r.start) {
			created = r.start
		}
		fmt.Fprintf(b, "  all %d pods ready at %s (%s after the DaemonSet was created)\n",
			should, c.Offset(ready), ready.Sub(created))
	case r.readyAtStart[cluster.KeyOf(ds)]:
		fmt.Fprintf(b, "  all %d pods ready from the start, as loaded\n", should)
	case pendingCount > 0:
		fmt.Fprintf(b, "  not all ready: %s pending\n", count(pendingCount, "pod"))
	default:
		fmt.Fprintf(b, "  not all ready by %s\n", c.Offset(c.Now()))
	}
	for _, rr := range c.Rollouts.Rollouts(ds.Namespace, ds.Name) {
		fmt.Fprintf(b, "  %s\n", r.rolloutLine(&rr))
		if rr.End.IsZero() && !rr.Superseded && r.lastPhase().stable {
			fmt.Fprintf(b, "  the rollout cannot finish: %d of %d desired pods are not available and nothing is left to happen\n",
				st.DesiredNumberScheduled-st.NumberAvailable, st.DesiredNumberScheduled)
		}
	}
}

// nodeReasons is why the scheduler cannot place p on the node it is made
// for: the reasons of that node's filter status in a scheduling attempt
// (scheduler.Decide), or msg when there is no such node or attempt.
// Cost: one Decide, O(objects).
func (r *runner) nodeReasons(p *cluster.Pod, msg string) string {
	target := daemonNode(p)
	if target == "" {
		return msg
	}
	d, err := scheduler.Decide(r.cfg.Scheduler, r.c.View(), r.c.Now(), cluster.KeyOf(p))
	if err != nil {
		return msg
	}
	for _, ns := range d.Statuses {
		if ns.Node == target && len(ns.Reasons) > 0 {
			return strings.Join(ns.Reasons, ", ")
		}
	}
	if _, ok := r.c.View().Node(target); !ok {
		return "node " + target + " does not exist"
	}
	return msg
}

// lastPhase is how the run ended.
func (r *runner) lastPhase() phase {
	if r.updated {
		return r.second
	}
	return r.first
}

// rolloutLine renders one rollout report.
func (r *runner) rolloutLine(rr *daemonset.RolloutReport) string {
	c := r.c
	var s strings.Builder
	fmt.Fprintf(&s, "rollout of revision %d from %s: ", rr.Revision, c.Offset(rr.Start))
	switch {
	case rr.Superseded:
		s.WriteString("superseded by a newer revision")
	case rr.End.IsZero():
		fmt.Fprintf(&s, "still running at %s", c.Offset(c.Now()))
	default:
		fmt.Fprintf(&s, "took %s (to %s)", rr.Duration(), c.Offset(rr.End))
	}
	fmt.Fprintf(&s, "; peak unavailable %d (maxUnavailable %d, maxSurge %d); %s replaced",
		rr.PeakUnavailable, rr.MaxUnavailable, rr.MaxSurge, count(rr.Replaced, "pod"))
	if len(rr.Downtime) > 0 {
		_, mean, longest := rr.DowntimeStats()
		fmt.Fprintf(&s, "; %s without a ready pod for %s on average, %s at most",
			count(len(rr.Downtime), "node"), mean.Round(time.Millisecond), longest.Round(time.Millisecond))
	}
	return s.String()
}

// daemonNode is the node a daemon pod is made for: the single name of its
// matchFields metadata.name affinity term, or "".
func daemonNode(p *cluster.Pod) string {
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range t.MatchFields {
			if f.Key == "metadata.name" && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var out strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		if l != "\n" {
			out.WriteString(prefix)
		}
		out.WriteString(l)
	}
	return out.String()
}
