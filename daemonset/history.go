package daemonset

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// DefaultRevisionHistoryLimit is how many old revisions a DaemonSet keeps
// when spec.revisionHistoryLimit is unset (the API default).
const DefaultRevisionHistoryLimit = 10

// history is what the controller knows of a DaemonSet's
// ControllerRevisions between syncs.
type history struct {
	dirty    bool   // a revision, the spec or the salt changed: recompute at the next sync
	hashGone bool   // the last pod with some hash went away: prune again
	cur      string // the current revision's name ("" before the first)
	curRev   int64  // and its revision number
	old      []*cluster.ControllerRevision
}

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

// constructHistory is upstream's constructHistory: claim the namespace's
// revisions (adopt orphans that match the selector, release owned ones that
// do not), label those without a hash label with their name, split them
// into current (matching the template) and old, and make the current one:
// create it (revision max(old)+1) when there is none, or keep the newest
// of the matching ones (relabelling the DaemonSet's pods to its hash and
// deleting the others) and renumber it to max(old)+1 when it is older
// (a rollback). A name taken by a different template is a hash collision:
// status.collisionCount goes up and the sync stops, as upstream's error
// does; the next sync salts the hash with the new count. It sets
// st.hash and returns false when the sync must stop: after a collision,
// and after relabelling pods (the rest waits until the new labels are
// observed, where upstream would act on stale labels). It runs only when a
// revision, the spec or the collision count changed. O(revisions in the
// namespace), plus O(pods of the DaemonSet) for a duplicate.
func (c *Controller) constructHistory(view cluster.View, st *dsState, plan *cluster.Plan) bool {
	h := &st.history
	if !h.dirty {
		return true
	}
	ds := st.ds
	var current, old []*cluster.ControllerRevision
	for cr := range view.ControllerRevisions(ds.Namespace) {
		ref := cr.ControllerRef()
		matches := st.sel.Matches(cr.Labels)
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
		if bytes.Equal(cr.Data, st.patch) {
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
	var cur *cluster.ControllerRevision
	created, relabelled := false, false
	if len(current) == 0 {
		hash := TemplateHash(&ds.Spec.Template, ds.Status.CollisionCount)
		name := ds.Name + "-" + hash
		if ex, ok := view.ControllerRevision(ds.Namespace, name); ok {
			if !bytes.Equal(ex.Data, st.patch) {
				cp := *ds
				n := int32(1)
				if cc := ds.Status.CollisionCount; cc != nil {
					n = *cc + 1
				}
				cp.Status.CollisionCount = &n
				plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
				plan.Notes = append(plan.Notes, cluster.Note{Object: st.key, Type: cluster.NoteNormal, Reason: ReasonHashCollision,
					Message: fmt.Sprintf("Found a hash collision for DaemonSet %q - bumping collisionCount to %d to resolve it", ds.Name, n)})
				return false
			}
			cur = ex
		} else {
			labels := maps.Clone(ds.Spec.Template.Labels)
			if labels == nil {
				labels = selector.Set{}
			}
			labels[ControllerRevisionHashLabel] = hash
			cur = &cluster.ControllerRevision{
				ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: labels,
					Annotations: maps.Clone(ds.Annotations), OwnerReferences: []cluster.OwnerReference{controllerRef(ds)}},
				Data: st.patch, Revision: next,
			}
			plan.Changes = append(plan.Changes, cluster.Create{Object: cur})
			created = true
		}
	} else {
		cur, relabelled = c.dedupHistory(view, st, current, plan)
		if cur.Revision < next {
			cp := *cur
			cp.Revision = next
			plan.Changes = append(plan.Changes, cluster.Update{Object: &cp})
			cur = &cp
		}
	}
	h.dirty = false
	h.hashGone = true // prune at this sync (or the next, after a relabelling)
	h.old = old
	// a rollout: the current revision changed, or a new DaemonSet made a
	// revision beside adopted old ones (its adopted pods will be replaced)
	if h.cur != cur.Name && (h.cur != "" || created && len(old) > 0) {
		c.startRollout(st, cur)
	}
	h.cur, h.curRev = cur.Name, cur.Revision
	if hash := revisionHash(cur); hash != st.hash {
		st.hash = hash
		st.built = false // every pod's standing changes: reload
	}
	// after a relabelling, upstream's later steps would see the pods' old
	// labels; wait for the new ones to be observed instead
	return !relabelled
}

// dedupHistory is upstream's dedupCurHistories: of several revisions
// matching the template, keep the one with the highest revision (on a tie
// the last by name), relabel every pod the DaemonSet claims (its own that
// match the selector, and the orphans it adopts in the same write) whose
// hash label differs to its hash, and delete the others.
func (c *Controller) dedupHistory(view cluster.View, st *dsState, current []*cluster.ControllerRevision, plan *cluster.Plan) (keep *cluster.ControllerRevision, relabelled bool) {
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
	// upstream relabels the pods getDaemonPods claims: the owned pods that
	// match the selector and the orphans it adopts on the way
	relabel := func(p *cluster.Pod, adopt bool) {
		if p.Labels[ControllerRevisionHashLabel] == hash {
			return // an orphan to adopt only is claim's
		}
		cp := *p
		cp.Labels = maps.Clone(p.Labels)
		if cp.Labels == nil {
			cp.Labels = selector.Set{}
		}
		cp.Labels[ControllerRevisionHashLabel] = hash
		if adopt {
			cp.OwnerReferences = append(slices.Clone(p.OwnerReferences), controllerRef(st.ds))
		}
		plan.Changes = append(plan.Changes, cluster.Update{Object: &cp, ExpectedRV: p.ResourceVersion})
		relabelled = true
	}
	for p := range view.PodsControlledBy(st.ds.UID) {
		if c.ownerOf(p) == st && st.sel.Matches(p.Labels) {
			relabel(p, false)
		}
	}
	for _, p := range sortedPods(c.orphans[st.key.Namespace]) {
		if st.sel.Matches(p.Labels) && !p.IsTerminating() {
			relabel(p, true)
		}
	}
	for _, cr := range current {
		if cr != keep {
			plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(cr)})
		}
	}
	return keep, relabelled
}

// cleanupHistory is upstream's cleanupHistory: when there are more old
// revisions than spec.revisionHistoryLimit, delete the oldest (by
// revision, then name) whose hash no pod of the DaemonSet carries, until
// the limit is met or none is left to delete. The current revision is
// never deleted. It runs when the revisions were recomputed or a hash lost
// its last pod. O(old revisions).
func (c *Controller) cleanupHistory(st *dsState, plan *cluster.Plan) {
	h := &st.history
	if !h.hashGone {
		return
	}
	h.hashGone = false
	limit := DefaultRevisionHistoryLimit
	if l := st.ds.Spec.RevisionHistoryLimit; l != nil {
		limit = int(*l)
	}
	toKill := len(h.old) - limit
	if toKill <= 0 {
		return
	}
	old := slices.Clone(h.old)
	slices.SortFunc(old, func(a, b *cluster.ControllerRevision) int {
		return cmp.Or(cmp.Compare(a.Revision, b.Revision), cmp.Compare(a.Name, b.Name))
	})
	for _, cr := range old {
		if toKill <= 0 {
			break
		}
		h := revisionHash(cr)
		if st.hashes[h]-countOf(st.removed, h) > 0 {
			continue // a live pod still runs it
		}
		plan.Changes = append(plan.Changes, cluster.Delete{Key: cluster.KeyOf(cr)})
		toKill--
	}
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
