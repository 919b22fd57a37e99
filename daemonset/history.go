package daemonset

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// DefaultRevisionHistoryLimit is how many old revisions a DaemonSet keeps
// when spec.revisionHistoryLimit is unset (the API default).
const DefaultRevisionHistoryLimit = 10

// templatePatch is upstream's getPatch: the JSON of
// {"spec":{"template":<template with "$patch":"replace">}} with every
// object's keys sorted. A ControllerRevision whose data equals it byte for
// byte matches the template (upstream's Match).
func templatePatch(t *cluster.PodTemplateSpec) []byte {
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("daemonset: pod template does not serialise: %v", err)) // plain data types only: cannot happen
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(fmt.Sprintf("daemonset: pod template does not round-trip: %v", err))
	}
	if m == nil {
		m = map[string]any{}
	}
	m["$patch"] = "replace"
	out, err := json.Marshal(map[string]any{"spec": map[string]any{"template": m}})
	if err != nil {
		panic(fmt.Sprintf("daemonset: template patch does not serialise: %v", err))
	}
	return out
}

// templateFromPatch reads the pod template out of a revision's data.
func templateFromPatch(data []byte) (cluster.PodTemplateSpec, error) {
	var p struct {
		Spec struct {
			Template *cluster.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return cluster.PodTemplateSpec{}, err
	}
	if p.Spec.Template == nil {
		return cluster.PodTemplateSpec{}, fmt.Errorf("the revision holds no spec.template")
	}
	return *p.Spec.Template, nil
}

// revisionHash is a revision's controller-revision-hash label, or its name
// when the label is missing (upstream labels such revisions with their
// name).
func revisionHash(cr *cluster.ControllerRevision) string {
	if h, ok := cr.Labels[ControllerRevisionHashLabel]; ok {
		return h
	}
	return cr.Name
}

// historyDecision is what decideHistory found for one DaemonSet.
type historyDecision struct {
	// cur is the current revision (created, adopted or renumbered by
	// the changes planned); nil when a hash collision stops the sync.
	cur *cluster.ControllerRevision
	// created: cur is new (no revision matched the template).
	created bool
	// old are the other revisions the DaemonSet controls once the
	// planned changes apply.
	old []*cluster.ControllerRevision
	// relabelled: pods were relabelled to cur's hash, and the sync stops
	// until the new labels are observed.
	relabelled bool
}

// decideHistory is upstream's constructHistory as a function of its
// inputs: claim the namespace's revisions (adopt orphans that match the
// selector, release owned ones that do not), label those without a hash
// label with their name, split them into current (whose data equals
// patch, the template's) and old, and make the current one: create it
// (revision max(old)+1) when there is none, or keep the newest of the
// matching ones (relabelling the claimed pods, which claimed yields with
// whether they are adopted, to its hash and deleting the others) and
// renumber it to max(old)+1 when it is older (a rollback). A name taken
// by a different template is a hash collision: status.collisionCount goes
// up and the sync stops, as upstream's error does; the next sync salts the
// hash with the new count. The changes and notes go to plan. A sync stops
// after a collision (cur nil) and after relabelling pods (the rest waits
// until the new labels are observed, where upstream would act on stale
// labels). Cost: O(revisions in the namespace), plus O(claimed pods) for a
// duplicate.
func decideHistory(view cluster.View, ds *cluster.DaemonSet, sel selector.Selector, patch []byte,
	claimed iter.Seq2[*cluster.Pod, bool], plan *cluster.Plan) historyDecision {
	var current, old []*cluster.ControllerRevision
	for cr := range view.ControllerRevisions(ds.Namespace) {
		ref := cr.ControllerRef()
		matches := sel.Matches(cr.Labels)
		var cp *cluster.ControllerRevision
		switch {
		case ref != nil && ref.UID == ds.UID && !matches:
			rel := *cr
			rel.OwnerReferences = slices.DeleteFunc(slices.Clone(cr.OwnerReferences), func(r cluster.OwnerReference) bool { return r.UID == ds.UID })
			plan.Changes = append(plan.Changes, cluster.Update{Object: &rel, ExpectedRV: cr.ResourceVersion})
			continue
		case ref != nil && ref.UID == ds.UID:
		case ref == nil && matches && !cr.IsTerminating():
			cp = new(*cr)
			cp.OwnerReferences = append(slices.Clone(cr.OwnerReferences), controllerRef(ds))
		default:
			continue
		}
		if _, ok := cr.Labels[ControllerRevisionHashLabel]; !ok {
			if cp == nil {
				cp = new(*cr)
			}
			cp.Labels = maps.Clone(cr.Labels)
			if cp.Labels == nil {
				cp.Labels = selector.Set{}
			}
			cp.Labels[ControllerRevisionHashLabel] = cr.Name
		}
		if cp != nil {
			plan.Changes = append(plan.Changes, cluster.Update{Object: cp, ExpectedRV: cr.ResourceVersion})
			cr = cp
		}
		if bytes.Equal(cr.Data, patch) {
			current = append(current, cr)
		} else {
			old = append(old, cr)
		}
	}
	var maxOld int64
	for _, cr := range old {
		maxOld = max(maxOld, cr.Revision)
	}
	next := maxOld + 1
	d := historyDecision{old: old}
	if len(current) == 0 {
		hash := TemplateHash(&ds.Spec.Template, ds.Status.CollisionCount)
		name := ds.Name + "-" + hash
		if ex, ok := view.ControllerRevision(ds.Namespace, name); ok {
			if !bytes.Equal(ex.Data, patch) {
				cp := *ds
				n := int32(1)
				if cc := ds.Status.CollisionCount; cc != nil {
					n = *cc + 1
				}
				cp.Status.CollisionCount = &n
				plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
				plan.Notes = append(plan.Notes, cluster.Note{Object: cluster.KeyOf(ds), Type: cluster.NoteNormal, Reason: ReasonHashCollision,
					Message: fmt.Sprintf("Found a hash collision for DaemonSet %q - bumping collisionCount to %d to resolve it", ds.Name, n)})
				return historyDecision{}
			}
			d.cur = ex
		} else {
			labels := maps.Clone(ds.Spec.Template.Labels)
			if labels == nil {
				labels = selector.Set{}
			}
			labels[ControllerRevisionHashLabel] = hash
			d.cur = &cluster.ControllerRevision{
				ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: labels,
					Annotations: maps.Clone(ds.Annotations), OwnerReferences: []cluster.OwnerReference{controllerRef(ds)}},
				Data: patch, Revision: next,
			}
			plan.Changes = append(plan.Changes, cluster.Create{Object: d.cur})
			d.created = true
		}
	} else {
		d.cur, d.relabelled = dedupHistory(ds, current, claimed, plan)
		if d.cur.Revision < next {
			cp := *d.cur
			cp.Revision = next
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
			d.cur = &cp
		}
	}
	return d
}

// dedupHistory is upstream's dedupCurHistories: of several revisions
// matching the template, keep the one with the highest revision (on a tie
// the last by name), relabel every pod the DaemonSet claims (its own that
// match the selector, and the orphans it adopts in the same write: claimed
// yields each with whether it is adopted) whose hash label differs to its
// hash, and delete the others.
func dedupHistory(ds *cluster.DaemonSet, current []*cluster.ControllerRevision, claimed iter.Seq2[*cluster.Pod, bool],
	plan *cluster.Plan) (keep *cluster.ControllerRevision, relabelled bool) {
	keep = current[0]
	for _, cr := range current[1:] {
		if cr.Revision >= keep.Revision {
			keep = cr
		}
	}
	if len(current) == 1 {
		return keep, false
	}
	hash := revisionHash(keep)
	for p, adopt := range claimed {
		if p.Labels[ControllerRevisionHashLabel] == hash {
			continue // an orphan to adopt only is claim's
		}
		cp := *p
		cp.Labels = maps.Clone(p.Labels)
		if cp.Labels == nil {
			cp.Labels = selector.Set{}
		}
		cp.Labels[ControllerRevisionHashLabel] = hash
		if adopt {
			cp.OwnerReferences = append(slices.Clone(p.OwnerReferences), controllerRef(ds))
		}
		plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: p.ResourceVersion})
		relabelled = true
	}
	for _, cr := range current {
		if cr != keep {
			plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(cr)})
		}
	}
	return keep, relabelled
}

// pruneHistory is upstream's cleanupHistory's choice: when there are more
// old revisions than limit, the oldest (by revision, then name) whose hash
// no pod of the DaemonSet runs (live reports it), until the limit is met or
// none is left; the current revision is never among old. The slice is
// new. O(old · log old).
func pruneHistory(old []*cluster.ControllerRevision, limit int, live func(hash string) bool) []*cluster.ControllerRevision {
	toKill := len(old) - limit
	if toKill <= 0 {
		return nil
	}
	old = slices.Clone(old)
	slices.SortFunc(old, func(a, b *cluster.ControllerRevision) int {
		return cmp.Or(cmp.Compare(a.Revision, b.Revision), cmp.Compare(a.Name, b.Name))
	})
	var out []*cluster.ControllerRevision
	for _, cr := range old {
		if toKill <= 0 {
			break
		}
		if live(revisionHash(cr)) {
			continue // a live pod still runs it
		}
		out = append(out, cr)
		toKill--
	}
	return out
}

// countOf counts v in l.
func countOf(l []string, v string) int {
	n := 0
	for _, x := range l {
		if x == v {
			n++
		}
	}
	return n
}

// Revisions returns the ControllerRevisions controlled by ds in view,
// ordered by revision number, then name. The pointers alias the view.
// O(revisions in the namespace).
func Revisions(view cluster.View, ds *cluster.DaemonSet) []*cluster.ControllerRevision {
	var out []*cluster.ControllerRevision
	for cr := range view.ControllerRevisions(ds.Namespace) {
		if ref := cr.ControllerRef(); ref != nil && ref.UID == ds.UID {
			out = append(out, cr)
		}
	}
	slices.SortStableFunc(out, func(a, b *cluster.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	return out
}

// CurrentHash returns the hash of ds's current revision in view: the label
// of the newest revision it controls whose data matches its template, or,
// when there is none yet, the hash the controller will give the new
// revision. O(revisions in the namespace + template).
func CurrentHash(view cluster.View, ds *cluster.DaemonSet) string {
	patch := templatePatch(&ds.Spec.Template)
	var cur *cluster.ControllerRevision
	for _, cr := range Revisions(view, ds) {
		if bytes.Equal(cr.Data, patch) {
			cur = cr
		}
	}
	if cur == nil {
		return TemplateHash(&ds.Spec.Template, ds.Status.CollisionCount)
	}
	return revisionHash(cur)
}

// Rollback is `kubectl rollout undo daemonset/<name> --to-revision=N`
// (kubectl's DaemonSetRollbacker): it returns the DaemonSet with its pod
// template replaced by the one recorded in revision toRevision, for the
// caller to submit as an Update, and kubectl's message. toRevision 0 means
// the revision before the newest. The errors are kubectl's: a negative or
// unknown revision gives "unable to find specified revision N in
// history", 0 with fewer than two revisions "no last revision to roll
// back to". When the template already matches the revision, the returned
// DaemonSet is nil and the message is "skipped rollback (current template
// already matches revision N)". The result is a new object the caller
// owns. The controller then finds the revision current again and renumbers
// it; pods already on it are not restarted.
func Rollback(view cluster.View, namespace, name string, toRevision int64) (*cluster.DaemonSet, string, error) {
	notFound := fmt.Errorf("unable to find specified revision %d in history", toRevision)
	if toRevision < 0 {
		return nil, "", notFound
	}
	ds, ok := view.DaemonSet(namespace, name)
	if !ok {
		return nil, "", fmt.Errorf("daemonsets.apps %q not found", name)
	}
	revs := Revisions(view, ds)
	if toRevision == 0 && len(revs) <= 1 {
		return nil, "", fmt.Errorf("no last revision to roll back to")
	}
	var to *cluster.ControllerRevision
	if toRevision == 0 {
		to = revs[len(revs)-2]
	} else {
		for _, cr := range revs {
			if cr.Revision == toRevision {
				to = cr
				break
			}
		}
	}
	if to == nil {
		return nil, "", notFound
	}
	if bytes.Equal(templatePatch(&ds.Spec.Template), to.Data) {
		return nil, fmt.Sprintf("skipped rollback (current template already matches revision %d)", toRevision), nil
	}
	t, err := templateFromPatch(to.Data)
	if err != nil {
		return nil, "", fmt.Errorf("failed restoring revision %d: %v", toRevision, err)
	}
	out := ds.DeepCopy()
	out.Spec.Template = t
	return out, "rolled back", nil
}
