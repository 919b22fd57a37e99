package conformance

// The generator of the DaemonSet controller differential test: a seeded
// cluster state of the kind users meet, built in a daemonsim store through
// Apply (creates at chosen instants, binds, status writes, graceful and
// finalizer-held deletions), so that creation timestamps, UIDs, owner
// references and statuses are the store's own.

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/daemonset"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// dsT0 is when a generated cluster starts; the compared sync runs at
// dsT0 + dsSyncAt.
var dsT0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

const dsSyncAt = 1000 * time.Second

const (
	dsTemplateGenerationAnnotation = "deprecated.daemonset.template.generation"
	dsTemplateGenerationLabel      = "pod-template-generation"
	dsHashLabel                    = daemonset.ControllerRevisionHashLabel
)

// dsCluster is one generated cluster: the store, the instant of the sync,
// and a description of what was generated, printed with a mismatch.
type dsCluster struct {
	seed  uint64
	store *cluster.Store
	now   time.Time
	desc  []string
	dss   []string // DaemonSet names, in key order
}

type dsGen struct {
	r     *rand.Rand
	s     *cluster.Store
	now   time.Time
	desc  []string
	nodes []string // nodes that exist
	gone  []string // node names pods are aimed at that do not exist
	err   error
	seq   int
}

func dsChance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func dsPick[T any](r *rand.Rand, pool []T) T { return pool[r.IntN(len(pool))] }

// dsWeighted returns i with probability w[i] / sum(w).
func dsWeighted(r *rand.Rand, w ...float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	v := r.Float64() * sum
	for i, x := range w {
		if v < x {
			return i
		}
		v -= x
	}
	return len(w) - 1
}

func (g *dsGen) apply(at time.Time, c cluster.Change) cluster.Delta {
	if g.err != nil {
		return cluster.Delta{}
	}
	d, err := g.s.Apply(at, c)
	if err != nil {
		g.err = fmt.Errorf("generator: %s: %w", c, err)
	}
	return d
}

func (g *dsGen) note(format string, args ...any) {
	g.desc = append(g.desc, fmt.Sprintf(format, args...))
}

// dsGenerate builds the cluster of seed.
func dsGenerate(seed uint64) (*dsCluster, error) {
	g := &dsGen{r: rand.New(rand.NewPCG(seed, 19)), s: cluster.NewStore(), now: dsT0.Add(dsSyncAt)}
	for i := range 1 + g.r.IntN(12) {
		g.node(fmt.Sprintf("node-%d", i+1))
	}
	for i := range 1 + g.r.IntN(2) {
		g.gone = append(g.gone, fmt.Sprintf("gone-%d", i+1))
	}
	c := &dsCluster{seed: seed, store: g.s, now: g.now}
	for i := range 1 + dsWeighted(g.r, 0.7, 0.3) {
		name := []string{"ds-a", "ds-b"}[i]
		g.daemonSet(name)
		c.dss = append(c.dss, name)
	}
	c.desc = g.desc
	return c, g.err
}

var dsTaintPool = []taints.Taint{
	{Key: taints.KeyNodeNotReady, Effect: taints.NoExecute},
	{Key: taints.KeyNodeNotReady, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeUnreachable, Effect: taints.NoExecute},
	{Key: taints.KeyNodeUnreachable, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeUnschedulable, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeDiskPressure, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeMemoryPressure, Effect: taints.NoSchedule},
	{Key: taints.KeyNodePIDPressure, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeNetworkUnavailable, Effect: taints.NoSchedule},
	{Key: "node.kubernetes.io/out-of-service", Value: "nodeshutdown", Effect: taints.NoExecute},
	{Key: "dedicated", Value: "infra", Effect: taints.NoSchedule},
	{Key: "dedicated", Value: "infra", Effect: taints.NoExecute},
	{Key: "dedicated", Value: "gpu", Effect: taints.PreferNoSchedule},
	{Key: "special", Effect: taints.NoExecute},
	{Key: "special", Effect: taints.PreferNoSchedule},
	{Key: "example.com/maintenance", Value: "true", Effect: taints.NoExecute},
}

func (g *dsGen) node(name string) {
	r := g.r
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: name, Labels: selector.Set{
		"kubernetes.io/hostname": name,
		"zone":                   dsPick(r, []string{"a", "b", "c"}),
	}}}
	if dsChance(r, 0.5) {
		n.Labels["disk"] = dsPick(r, []string{"ssd", "hdd"})
	}
	if dsChance(r, 0.3) {
		n.Labels["gpu"] = "true"
	}
	if dsChance(r, 0.6) {
		n.Labels["tier"] = dsPick(r, []string{"1", "3", "10"})
	}
	for range dsPick(r, []int{0, 0, 0, 1, 1, 2, 3}) {
		t := dsPick(r, dsTaintPool)
		if t.Key == "example.com/maintenance" {
			at := dsT0.Add(30 * time.Second)
			t.TimeAdded = &at
		}
		if !slices.ContainsFunc(n.Spec.Taints, func(o taints.Taint) bool { return o.Key == t.Key && o.Effect == t.Effect }) {
			n.Spec.Taints = append(n.Spec.Taints, t)
		}
	}
	n.Spec.Unschedulable = dsChance(r, 0.15)
	ready := dsPick(r, []cluster.ConditionStatus{cluster.ConditionTrue, cluster.ConditionTrue, cluster.ConditionTrue, cluster.ConditionFalse, cluster.ConditionUnknown})
	n.Status = cluster.NodeStatus{
		Capacity: cluster.Resources("cpu", "4", "memory", "8Gi", "pods", "110"),
		Conditions: []cluster.NodeCondition{{Type: cluster.NodeReady, Status: ready,
			LastTransitionTime: dsT0.Add(time.Duration(r.IntN(900)) * time.Second)}},
	}
	g.apply(dsT0, cluster.Create{Object: n})
	g.nodes = append(g.nodes, name)
	var ts []string
	for _, t := range n.Spec.Taints {
		ts = append(ts, t.String())
	}
	g.note("node %s labels=%s taints=[%s] unschedulable=%v ready=%s", name, n.Labels, strings.Join(ts, " "), n.Spec.Unschedulable, ready)
}

// dsVersion is one template of a DaemonSet's history.
type dsVersion struct {
	v    int // 1 for the first template
	tmpl cluster.PodTemplateSpec
	hash string // daemonset.TemplateHash of tmpl
}

var dsTolerationPool = []taints.Toleration{
	{Operator: taints.OpExists}, // empty key: tolerates every taint
	{Key: "dedicated", Operator: taints.OpEqual, Value: "infra", Effect: taints.NoSchedule},
	{Key: "dedicated", Operator: taints.OpExists},
	{Key: "special", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: dsPtr(int64(30))},
	{Key: taints.KeyNodeNotReady, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: dsPtr(int64(300))},
	{Key: taints.KeyNodeUnreachable, Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: dsPtr(int64(300))},
	{Key: taints.KeyNodeNetworkUnavailable, Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: taints.KeyNodeUnschedulable, Operator: taints.OpExists, Effect: taints.NoSchedule},
	{Key: "example.com/maintenance", Operator: taints.OpEqual, Value: "true", Effect: taints.NoExecute},
	{Key: "node.kubernetes.io/out-of-service", Operator: taints.OpExists},
}

func dsPtr[T any](v T) *T { return &v }

// dsNodeExpressions are required node-affinity expressions on node labels,
// every operator.
var dsNodeExpressions = []selector.NodeSelectorRequirement{
	{Key: "zone", Operator: selector.NodeSelectorOpIn, Values: []string{"a", "b"}},
	{Key: "zone", Operator: selector.NodeSelectorOpNotIn, Values: []string{"c"}},
	{Key: "gpu", Operator: selector.NodeSelectorOpExists},
	{Key: "gpu", Operator: selector.NodeSelectorOpDoesNotExist},
	{Key: "tier", Operator: selector.NodeSelectorOpGt, Values: []string{"2"}},
	{Key: "tier", Operator: selector.NodeSelectorOpLt, Values: []string{"5"}},
	{Key: "disk", Operator: selector.NodeSelectorOpIn, Values: []string{"ssd"}},
}

func (g *dsGen) affinity() *cluster.Affinity {
	r := g.r
	na := &cluster.NodeAffinity{}
	if dsChance(r, 0.85) {
		ns := &selector.NodeSelector{}
		for range 1 + dsWeighted(r, 0.7, 0.3) {
			var term selector.NodeSelectorTerm
			for range dsPick(r, []int{0, 1, 1, 2}) {
				term.MatchExpressions = append(term.MatchExpressions, dsPick(r, dsNodeExpressions))
			}
			if len(term.MatchExpressions) == 0 || dsChance(r, 0.3) {
				op := dsPick(r, []selector.NodeSelectorOperator{selector.NodeSelectorOpIn, selector.NodeSelectorOpNotIn})
				term.MatchFields = append(term.MatchFields, selector.NodeSelectorRequirement{
					Key: selector.ObjectNameField, Operator: op, Values: []string{dsPick(r, g.nodes)}})
			}
			ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, term)
		}
		na.RequiredDuringSchedulingIgnoredDuringExecution = ns
	}
	if na.RequiredDuringSchedulingIgnoredDuringExecution == nil || dsChance(r, 0.2) {
		na.PreferredDuringSchedulingIgnoredDuringExecution = []cluster.PreferredSchedulingTerm{{Weight: 10,
			Preference: selector.NodeSelectorTerm{MatchExpressions: []selector.NodeSelectorRequirement{dsPick(r, dsNodeExpressions)}}}}
	}
	return &cluster.Affinity{NodeAffinity: na}
}

func dsIntOrString(v any) *cluster.IntOrString {
	switch v := v.(type) {
	case int:
		x := cluster.FromInt(int32(v))
		return &x
	case string:
		x := cluster.FromString(v)
		return &x
	}
	return nil
}

// daemonSet creates the DaemonSet name with a history of 1 to 3
// templates, its revisions, its pods and the pods around it.
func (g *dsGen) daemonSet(name string) {
	r := g.r
	sel := &selector.LabelSelector{MatchLabels: selector.Set{"app": name}}
	labels := selector.Set{"app": name}
	switch dsWeighted(r, 0.6, 0.2, 0.1, 0.1) {
	case 1:
		sel.MatchExpressions = []selector.LabelSelectorRequirement{{Key: "tier", Operator: selector.LabelSelectorOpIn, Values: []string{"frontend", "backend"}}}
		labels["tier"] = dsPick(r, []string{"frontend", "backend"})
	case 2:
		sel.MatchExpressions = []selector.LabelSelectorRequirement{{Key: "track", Operator: selector.LabelSelectorOpNotIn, Values: []string{"canary"}}}
		if dsChance(r, 0.5) {
			labels["track"] = "stable"
		}
	case 3:
		sel.MatchExpressions = []selector.LabelSelectorRequirement{{Key: "app", Operator: selector.LabelSelectorOpExists}}
	}
	spec := cluster.PodSpec{Containers: []cluster.Container{{Name: "main", Image: name + ":v1"}}}
	if dsChance(r, 0.3) {
		spec.NodeSelector = dsPick(r, []selector.Set{{"zone": "a"}, {"disk": "ssd"}, {"zone": "b", "disk": "hdd"}})
	}
	if dsChance(r, 0.45) {
		spec.Affinity = g.affinity()
	}
	if dsChance(r, 0.5) {
		for range 1 + r.IntN(2) {
			t := dsPick(r, dsTolerationPool)
			if !slices.ContainsFunc(spec.Tolerations, t.Equal) {
				spec.Tolerations = append(spec.Tolerations, t)
			}
		}
	}
	spec.HostNetwork = dsChance(r, 0.25)
	if dsChance(r, 0.2) {
		spec.TerminationGracePeriodSeconds = dsPtr(int64(dsPick(r, []int{0, 5, 60})))
	}
	ds := &cluster.DaemonSet{
		ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: cluster.DefaultNamespace, Labels: selector.Set{"team": "infra"}},
		Spec: cluster.DaemonSetSpec{
			Selector:        sel,
			Template:        cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: labels}, Spec: spec},
			MinReadySeconds: int32(dsPick(r, []int{0, 0, 0, 5, 30})),
		},
	}
	if dsChance(r, 0.2) {
		ds.Spec.Template.Annotations = map[string]string{"example.com/note": "daemon"}
	}
	if l := dsPick(r, []int{-1, -1, -1, 0, 1, 2}); l >= 0 {
		ds.Spec.RevisionHistoryLimit = dsPtr(int32(l))
	}
	strategy := "OnDelete"
	switch dsWeighted(r, 0.15, 0.1, 0.45, 0.3) {
	case 0:
		ds.Spec.UpdateStrategy.Type = cluster.OnDeleteDaemonSetStrategyType
	case 1:
		strategy = "RollingUpdate(defaults)"
	case 2:
		u := dsPick(r, []any{1, 1, 2, 3, "25%", "50%", "100%"})
		ds.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: dsIntOrString(u), MaxSurge: dsIntOrString(dsPick(r, []any{nil, 0, "0%"}))}}
		strategy = fmt.Sprintf("RollingUpdate(maxUnavailable=%v)", u)
	case 3:
		s := dsPick(r, []any{1, 2, "25%", "50%", "100%"})
		ds.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: dsIntOrString(dsPick(r, []any{0, "0%"})), MaxSurge: dsIntOrString(s)}}
		strategy = fmt.Sprintf("RollingUpdate(maxSurge=%v)", s)
	}
	nversions := 1 + dsWeighted(r, 0.35, 0.4, 0.25)
	annotated := dsChance(r, 0.5)
	if annotated {
		ds.Annotations = map[string]string{dsTemplateGenerationAnnotation: "1"}
	}
	created := dsT0.Add(5 * time.Second)
	d := g.apply(created, cluster.Create{Object: ds})
	if g.err != nil {
		return
	}
	stored := d.New.(*cluster.DaemonSet)
	// later templates: updates of the spec (the annotation follows the
	// template generation, as the API server keeps it)
	for v := 2; v <= nversions; v++ {
		cp := stored.DeepCopy()
		cp.Spec.Template.Spec.Containers[0].Image = fmt.Sprintf("%s:v%d", name, v)
		if annotated {
			cp.Annotations[dsTemplateGenerationAnnotation] = strconv.Itoa(v)
		}
		d = g.apply(created.Add(time.Duration(v)*time.Second), cluster.Update{Object: cp})
		if g.err != nil {
			return
		}
		stored = d.New.(*cluster.DaemonSet)
	}
	if dsChance(r, 0.1) { // a spec change that keeps the template
		cp := stored.DeepCopy()
		cp.Spec.MinReadySeconds += 1
		d = g.apply(created.Add(10*time.Second), cluster.Update{Object: cp})
		if g.err != nil {
			return
		}
		stored = d.New.(*cluster.DaemonSet)
	}
	if annotated && dsChance(r, 0.1) { // an annotation that lags behind
		cp := stored.DeepCopy()
		cp.Annotations[dsTemplateGenerationAnnotation] = strconv.Itoa(max(nversions-1, 1))
		d = g.apply(created.Add(11*time.Second), cluster.Update{Object: cp})
		if g.err != nil {
			return
		}
		stored = d.New.(*cluster.DaemonSet)
	}
	// the status an earlier sync wrote
	st := stored.DeepCopy()
	st.Status.ObservedGeneration = dsPick(r, []int64{0, stored.Generation - 1, stored.Generation, stored.Generation})
	st.Status.DesiredNumberScheduled = int32(r.IntN(4))
	st.Status.CurrentNumberScheduled = int32(r.IntN(4))
	st.Status.NumberReady = int32(r.IntN(4))
	st.Status.NumberAvailable = int32(r.IntN(3))
	st.Status.UpdatedNumberScheduled = int32(r.IntN(3))
	if dsChance(r, 0.2) {
		st.Status.CollisionCount = dsPtr(int32(r.IntN(2)))
	}
	d = g.apply(created.Add(12*time.Second), cluster.UpdateStatus{Object: st})
	if g.err != nil {
		return
	}
	stored = d.New.(*cluster.DaemonSet)
	g.note("daemonset %s uid=%s generation=%d observedGeneration=%d annotations=%v selector=%s templateLabels=%s strategy=%s minReadySeconds=%d revisionHistoryLimit=%d hostNetwork=%v nodeSelector=%s affinity=%s tolerations=%v collisionCount=%v",
		name, stored.UID, stored.Generation, stored.Status.ObservedGeneration, stored.Annotations, stored.Spec.Selector, stored.Spec.Template.Labels, strategy,
		stored.Spec.MinReadySeconds, *stored.Spec.RevisionHistoryLimit, stored.Spec.Template.Spec.HostNetwork, stored.Spec.Template.Spec.NodeSelector,
		dsJSON(stored.Spec.Template.Spec.Affinity), stored.Spec.Template.Spec.Tolerations, dsDeref(stored.Status.CollisionCount))

	versions := make([]dsVersion, nversions)
	for i := range versions {
		t := stored.Spec.Template.DeepCopy()
		t.Spec.Containers[0].Image = fmt.Sprintf("%s:v%d", name, i+1)
		versions[i] = dsVersion{v: i + 1, tmpl: t, hash: daemonset.TemplateHash(&t, stored.Status.CollisionCount)}
	}
	hasCurrent := g.revisions(stored, versions)
	g.pods(stored, versions, hasCurrent)
	if g.err == nil && dsChance(r, 0.03) {
		g.apply(g.now.Add(-5*time.Second), cluster.Delete{Key: cluster.KeyOf(stored), Propagation: cluster.DeletePropagationOrphan})
		g.note("daemonset %s is being deleted (orphan finalizer)", name)
	}
}

func dsDeref[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// revisions creates the DaemonSet's ControllerRevisions: some of its
// versions, owned, orphaned (to adopt) or owned with labels that no longer
// match (to release), with or without the hash label, sometimes two
// matching the current template. It reports whether an owned, labelled
// revision of the current template exists (one both controllers find).
func (g *dsGen) revisions(ds *cluster.DaemonSet, versions []dsVersion) bool {
	r := g.r
	cur := len(versions)
	revs := make([]int64, len(versions))
	for i := range revs {
		revs[i] = int64(i + 1)
	}
	if len(revs) > 1 && dsChance(r, 0.15) { // a rollback: the current template is an older revision
		r.Shuffle(len(revs), func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })
	}
	hasCurrent := false
	for i, v := range versions {
		if !dsChance(r, map[bool]float64{true: 0.75, false: 0.6}[v.v == cur]) {
			continue
		}
		labels := maps.Clone(v.tmpl.Labels)
		labels[dsHashLabel] = v.hash
		owner := []cluster.OwnerReference{dsControllerRef(ds)}
		kind := "owned"
		switch dsWeighted(r, 0.85, 0.1, 0.05) {
		case 1:
			owner, kind = nil, "orphan"
		case 2:
			labels["app"] = ds.Name + "-old"
			kind = "owned, labels not matching"
		}
		name := ds.Name + "-" + v.hash
		if labels["app"] != ds.Name {
			// not daemonsim's name for the template: a revision being
			// released under the name daemonsim would give the template's
			// new revision is reused by daemonsim but not by upstream,
			// whose hash differs (a difference of hash bytes only)
			name = fmt.Sprintf("%s-released-v%d", ds.Name, v.v)
		}
		if dsChance(r, 0.1) {
			delete(labels, dsHashLabel)
			kind += ", no hash label"
		} else if v.v == cur && owner != nil && labels["app"] == ds.Name {
			hasCurrent = true
		}
		cr := &cluster.ControllerRevision{
			ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: labels, OwnerReferences: owner},
			Data:       dsSimPatch(&v.tmpl), Revision: revs[i],
		}
		g.apply(dsT0.Add(time.Duration(20+i)*time.Second), cluster.Create{Object: cr})
		g.note("revision %s (template v%d) revision=%d %s", cr.Name, v.v, cr.Revision, kind)
		if v.v == cur && dsChance(r, 0.08) {
			dup := cr.DeepCopy()
			dup.Name = ds.Name + "-dup"
			dup.Labels = maps.Clone(v.tmpl.Labels)
			dup.Labels[dsHashLabel] = "dup"
			dup.OwnerReferences = []cluster.OwnerReference{dsControllerRef(ds)}
			dup.Revision = slices.Max(revs) + 1
			g.apply(dsT0.Add(30*time.Second), cluster.Create{Object: dup})
			g.note("revision %s: a duplicate of the current template, revision=%d", dup.Name, dup.Revision)
			hasCurrent = false // the duplicate is kept; its hash is new to the pods
		}
	}
	if g.err == nil && hasCurrent {
		if h := daemonset.CurrentHash(g.s, ds); h != versions[cur-1].hash {
			g.err = fmt.Errorf("generator: the current revision of %s is not found by daemonsim (hash %s, want %s): dsSimPatch differs from the library's", ds.Name, h, versions[cur-1].hash)
		}
	}
	return hasCurrent
}

func dsControllerRef(ds *cluster.DaemonSet) cluster.OwnerReference {
	return cluster.OwnerReference{APIVersion: "apps/v1", Kind: "DaemonSet", Name: ds.Name, UID: ds.UID, Controller: dsPtr(true), BlockOwnerDeletion: dsPtr(true)}
}

// dsPodSpec says how one generated pod looks.
type dsPodSpec struct {
	node      string // target node
	version   *dsVersion
	hashLabel bool
	staleHash bool // the hash label names no revision
	genLabel  bool
	labels    func(selector.Set) // a last change to the labels
	owner     []cluster.OwnerReference
	bound     bool
	noTarget  bool // no node name and no node affinity
	phase     int  // dsPhase*
	terminate bool
	what      string
}

const (
	dsReady = iota
	dsNotReady
	dsPending
	dsFailed
	dsSucceeded
	dsReadyNoTime
)

var dsPhaseNames = []string{"Running/Ready", "Running/NotReady", "Pending", "Failed", "Succeeded", "Running/Ready(no transition time)"}

// pods creates the DaemonSet's pods on the nodes (none, one, or
// duplicates, of current and old versions, in every phase, some
// terminating) and the pods around it: owned pods whose labels no longer
// match, orphans to adopt, pods of another controller, pods aimed at
// nodes that do not exist, an owned pod that names no node.
func (g *dsGen) pods(ds *cluster.DaemonSet, versions []dsVersion, hasCurrent bool) {
	r := g.r
	version := func() *dsVersion {
		// the current template only when both controllers find its
		// revision: a pod of the current template under a revision only
		// daemonsim would name the same is a difference of hash bytes
		if hasCurrent && dsChance(r, 0.55) || len(versions) == 1 && hasCurrent {
			return &versions[len(versions)-1]
		}
		if len(versions) == 1 {
			return nil
		}
		return &versions[r.IntN(len(versions)-1)]
	}
	base := func(node string) dsPodSpec {
		v := version()
		p := dsPodSpec{node: node, version: v, hashLabel: dsChance(r, 0.9), owner: []cluster.OwnerReference{dsControllerRef(ds)},
			bound: dsChance(r, 0.85), phase: dsWeighted(r, 0.6, 0.12, 0.1, 0.08, 0.06, 0.04), terminate: dsChance(r, 0.1)}
		if v == nil {
			// the only template has no revision yet: pods of an
			// unrecorded earlier template
			p.version, p.staleHash = &versions[0], true
		}
		if !p.bound {
			p.phase = dsPick(r, []int{dsPending, dsPending, dsPending, dsFailed})
		}
		p.genLabel = dsChance(r, 0.3)
		return p
	}
	for _, n := range g.nodes {
		for range dsWeighted(r, 0.3, 0.55, 0.1, 0.05) {
			p := base(n)
			p.what = "daemon pod"
			g.pod(ds, p)
		}
	}
	if dsChance(r, 0.3) {
		p := base(dsPick(r, g.nodes))
		p.what = "owned, labels no longer match"
		p.labels = func(l selector.Set) { l["app"] = ds.Name + "-retired" }
		g.pod(ds, p)
	}
	for range dsWeighted(r, 0.7, 0.2, 0.1) {
		p := base(dsPick(r, g.nodes))
		p.owner = nil
		p.what = "orphan matching the selector"
		if dsChance(r, 0.3) {
			p.owner = []cluster.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: "cm-uid-1"}}
			p.what += " (non-controller owner)"
		}
		g.pod(ds, p)
	}
	if dsChance(r, 0.2) {
		p := base(dsPick(r, g.nodes))
		p.owner = []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "rs-1", UID: "rs-uid-1", Controller: dsPtr(true)}}
		p.what = "owned by a ReplicaSet, labels matching"
		g.pod(ds, p)
	}
	if dsChance(r, 0.1) {
		p := base(dsPick(r, g.nodes))
		ref := dsControllerRef(ds)
		ref.UID = "uid-of-an-earlier-" + ds.Name
		p.owner = []cluster.OwnerReference{ref}
		p.what = "owned by an earlier DaemonSet of the same name"
		g.pod(ds, p)
	}
	if dsChance(r, 0.25) {
		p := base(dsPick(r, g.gone))
		p.bound = dsChance(r, 0.5)
		p.what = "aimed at a node that does not exist"
		g.pod(ds, p)
	}
	if dsChance(r, 0.05) {
		p := base("")
		p.noTarget, p.bound = true, false
		p.what = "owned, names no node"
		g.pod(ds, p)
	}
}

func (g *dsGen) pod(ds *cluster.DaemonSet, ps dsPodSpec) {
	if g.err != nil {
		return
	}
	r := g.r
	g.seq++
	name := fmt.Sprintf("%s-p%d", ds.Name, g.seq)
	v := ps.version
	labels := maps.Clone(v.tmpl.Labels)
	if ps.hashLabel {
		labels[dsHashLabel] = v.hash
		if ps.staleHash {
			labels[dsHashLabel] = "stale"
		}
	}
	if ps.genLabel {
		gen := v.v
		if dsChance(r, 0.2) {
			gen = 7 // matching no template
		}
		labels[dsTemplateGenerationLabel] = strconv.Itoa(gen)
	}
	if ps.labels != nil {
		ps.labels(labels)
	}
	p := &cluster.Pod{
		ObjectMeta: cluster.ObjectMeta{Name: name, Namespace: ds.Namespace, Labels: labels,
			Annotations: maps.Clone(v.tmpl.Annotations), OwnerReferences: ps.owner},
		Spec: v.tmpl.Spec.DeepCopy(),
	}
	p.Spec.Tolerations = daemonset.AddDaemonPodTolerations(p.Spec.Tolerations, p.Spec.HostNetwork)
	if !ps.noTarget {
		p.Spec.Affinity = daemonset.ReplaceNodeNameAffinity(p.Spec.Affinity, ps.node)
	} else {
		p.Spec.Affinity = nil
	}
	terminal := ps.phase == dsFailed || ps.phase == dsSucceeded
	if ps.terminate && (terminal || !ps.bound) {
		p.Finalizers = []string{"example.com/hold"} // else the delete removes it at once
	}
	createdAt := dsT0.Add(time.Duration(100+r.IntN(300)) * time.Second)
	if dsChance(r, 0.2) {
		createdAt = dsT0.Add(200 * time.Second) // ties on creation time
	}
	g.apply(createdAt, cluster.Create{Object: p})
	if ps.bound {
		g.apply(createdAt.Add(time.Second), cluster.Bind{Pod: cluster.KeyOf(p), Node: ps.node})
	}
	if g.err != nil {
		return
	}
	stored, _ := g.s.Pod(p.Namespace, p.Name)
	st := stored.DeepCopy()
	mr := time.Duration(ds.Spec.MinReadySeconds) * time.Second
	readyFor := dsPick(r, []time.Duration{0, mr - time.Second, mr, mr, mr + time.Second, mr + 300*time.Second})
	readyFor = max(readyFor, 0)
	var conds []cluster.PodCondition
	if ps.bound {
		conds = append(conds, cluster.PodCondition{Type: cluster.PodScheduled, Status: cluster.ConditionTrue, LastTransitionTime: createdAt.Add(time.Second)})
	} else if dsChance(r, 0.3) {
		conds = append(conds, cluster.PodCondition{Type: cluster.PodScheduled, Status: cluster.ConditionFalse, Reason: "Unschedulable",
			Message: "0/3 nodes are available", LastTransitionTime: createdAt.Add(time.Second)})
	}
	switch ps.phase {
	case dsReady:
		st.Status.Phase = cluster.PodRunning
		conds = append(conds, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue, LastTransitionTime: g.now.Add(-readyFor)})
	case dsReadyNoTime:
		st.Status.Phase = cluster.PodRunning
		conds = append(conds, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionTrue})
	case dsNotReady:
		st.Status.Phase = cluster.PodRunning
		conds = append(conds, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, LastTransitionTime: g.now.Add(-readyFor)})
	case dsPending:
		st.Status.Phase = cluster.PodPending
	case dsFailed:
		st.Status.Phase = cluster.PodFailed
		conds = append(conds, cluster.PodCondition{Type: cluster.PodReady, Status: cluster.ConditionFalse, LastTransitionTime: g.now.Add(-readyFor)})
	case dsSucceeded:
		st.Status.Phase = cluster.PodSucceeded
	}
	st.Status.Conditions = conds
	g.apply(createdAt.Add(2*time.Second), cluster.UpdateStatus{Object: st})
	if ps.terminate {
		g.apply(g.now.Add(-time.Duration(r.IntN(20))*time.Second), cluster.Delete{Key: cluster.KeyOf(p)})
	}
	target := ps.node
	if ps.noTarget {
		target = "(none)"
	}
	var extra []string
	if ps.bound {
		extra = append(extra, "bound")
	} else {
		extra = append(extra, "unbound")
	}
	if ps.terminate {
		extra = append(extra, "terminating")
	}
	if ps.phase == dsReady {
		extra = append(extra, fmt.Sprintf("ready for %s", readyFor))
	}
	g.note("pod %s -> %s: %s, template v%d, labels=%s, %s, %s, created %s", name, target, ps.what, v.v, labels, dsPhaseNames[ps.phase],
		strings.Join(extra, ", "), createdAt.Sub(dsT0))
}
