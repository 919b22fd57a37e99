package cluster

import (
	"iter"
	"maps"
	"slices"
	"strconv"

	"github.com/daemonsim/daemonsim/field"
)

// The descriptions of the built-in kinds, in Kind order. A kind added
// later lives in a file of its own (replicaset.go is the model): its
// type, DeepCopy, validation, kindDef and View accessors.

func init() {
	registerKind(kindDef[Node, *Node]{
		kind: KindNode, name: "node",
		validate:    validateNode,
		spec:        func(n *Node) any { return n.Spec },
		keepStatus:  func(dst, src *Node) { dst.Status = src.DeepCopy().Status },
		writeStatus: writeNodeStatus,
	})
	registerKind(kindDef[PriorityClass, *PriorityClass]{
		kind: KindPriorityClass, name: "priorityclass",
		store:          func() kindStore { return &classTree{tree: newTree[*PriorityClass]()} },
		defaults:       defaultPriorityClassFields,
		validate:       validatePriorityClass,
		validateUpdate: validatePriorityClassUpdate,
		admitCreate:    func(s *Store, c *PriorityClass) error { return admitPriorityClass(s, c) },
		admitUpdate:    func(s *Store, c *PriorityClass) error { return admitPriorityClass(s, c) },
		spec:           func(c *PriorityClass) any { return [3]any{c.Value, c.GlobalDefault, c.PreemptionPolicy} },
	})
	registerKind(kindDef[DaemonSet, *DaemonSet]{
		kind: KindDaemonSet, name: "daemonset", namespaced: true,
		defaults:       defaultDaemonSet,
		validate:       validateDaemonSet,
		validateUpdate: validateDaemonSetUpdate,
		prepareCreate:  prepareDaemonSetCreate,
		prepareUpdate:  prepareDaemonSetUpdate,
		spec:           func(d *DaemonSet) any { return d.Spec },
		keepStatus:     func(dst, src *DaemonSet) { dst.Status = src.DeepCopy().Status },
		writeStatus:    writeDaemonSetStatus,
	})
	registerKind(kindDef[ControllerRevision, *ControllerRevision]{
		kind: KindControllerRevision, name: "controllerrevision", namespaced: true,
		validate:       validateControllerRevision,
		validateUpdate: validateControllerRevisionUpdate,
		spec:           func(r *ControllerRevision) any { return r.Data },
	})
	registerKind(kindDef[PodDisruptionBudget, *PodDisruptionBudget]{
		kind: KindPodDisruptionBudget, name: "poddisruptionbudget", namespaced: true,
		validate:    validatePDB,
		spec:        func(b *PodDisruptionBudget) any { return b.Spec },
		keepStatus:  func(dst, src *PodDisruptionBudget) { dst.Status = src.DeepCopy().Status },
		writeStatus: writePDBStatus,
	})
	registerKind(kindDef[Pod, *Pod]{
		kind: KindPod, name: "pod", namespaced: true,
		store:          newPodTree,
		defaults:       defaultPod,
		validate:       validatePod,
		validateUpdate: validatePodUpdate,
		prepareCreate:  preparePodCreate,
		admitCreate: func(s *Store, p *Pod) error {
			if err := admitPod(s, p); err != nil {
				return err
			}
			admitDefaultTolerationSeconds(p)
			return nil
		},
		admitUpdate:   func(_ *Store, p *Pod) error { admitDefaultTolerationSeconds(p); return nil },
		spec:          func(p *Pod) any { return p.Spec },
		keepStatus:    func(dst, src *Pod) { dst.Status = src.DeepCopy().Status },
		writeStatus:   writePodStatus,
		deletionGrace: (*Pod).DeletionGracePeriod,
	})
}

// ---------------------------------------------------------------- nodes

// writeNodeStatus is the nodes/status subresource: capacity and
// allocatable are validated as resource lists.
func writeNodeStatus(old, in *Node, handoff bool) (*Node, field.ErrorList) {
	if !handoff {
		in = &Node{Status: in.DeepCopy().Status}
	}
	in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
	errs := validateResourceList(in.Status.Capacity, field.NewPath("status", "capacity"))
	errs = append(errs, validateResourceList(in.Status.Allocatable, field.NewPath("status", "allocatable"))...)
	return in, errs
}

// Node returns the named node. O(log n).
func (s *Store) Node(name string) (*Node, bool) { return treeOf[*Node](s, KindNode).get("", name) }

// Nodes yields every node by name.
func (s *Store) Nodes() iter.Seq[*Node] { return treeOf[*Node](s, KindNode).all() }

// NodeCount is the number of nodes. O(1).
func (s *Store) NodeCount() int { return treeOf[*Node](s, KindNode).t.Len() }

// ---------------------------------------------------------------- priority classes

// classTree is the PriorityClass kind's container: the tree and the
// global default class admission last found in it, kept until the next
// PriorityClass write.
type classTree struct {
	*tree[*PriorityClass]
	// defaultClass is the global default PriorityClass (nil for none),
	// valid while defaultKnown; any PriorityClass write drops it.
	defaultClass *PriorityClass
	defaultKnown bool
}

func (t *classTree) insert(tok *token, rev uint64, o Object) bool {
	t.defaultKnown = false
	return t.tree.insert(tok, rev, o)
}

func (t *classTree) replace(tok *token, old, o Object) {
	t.defaultKnown = false
	t.tree.replace(tok, old, o)
}

func (t *classTree) remove(o Object) {
	t.defaultKnown = false
	t.tree.remove(o)
}

func (t *classTree) clone() kindStore {
	return &classTree{tree: t.tree.cloneTree(), defaultClass: t.defaultClass, defaultKnown: t.defaultKnown}
}

func (s *Store) classTree() *classTree { return s.trees[KindPriorityClass].(*classTree) }

// PriorityClass returns the class. O(log n).
func (s *Store) PriorityClass(name string) (*PriorityClass, bool) {
	return s.classTree().get("", name)
}

// PriorityClasses yields every class by name.
func (s *Store) PriorityClasses() iter.Seq[*PriorityClass] { return s.classTree().all() }

// ---------------------------------------------------------------- DaemonSets

// TemplateGenerationAnnotation is the DaemonSet annotation that carries
// the template generation (apps.DeprecatedTemplateGeneration): the API
// server keeps it in spec.templateGeneration of its internal type and
// shows it to apps/v1 clients as this annotation. The store sets it on
// create (to the value given, at least 1) and raises it by one on every
// update that changes the pod template; a value given on update is
// ignored.
const TemplateGenerationAnnotation = "deprecated.daemonset.template.generation"

// templateGeneration reads ds's template generation annotation: 0 when
// it is absent, an error naming the annotation when it is not an integer
// (the API server's conversion refuses it).
func templateGeneration(ds *DaemonSet) (int64, field.ErrorList) {
	v, ok := ds.Annotations[TemplateGenerationAnnotation]
	if !ok {
		return 0, nil
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, field.ErrorList{field.Invalid(field.NewPath("metadata", "annotations").Key(TemplateGenerationAnnotation), v, "must be an integer")}
	}
	return g, nil
}

// setTemplateGeneration writes the annotation into a copy of ds's
// annotations (the map may be shared).
func setTemplateGeneration(ds *DaemonSet, gen int64) {
	v := strconv.FormatInt(gen, 10)
	if ds.Annotations[TemplateGenerationAnnotation] == v {
		return
	}
	a := make(map[string]string, len(ds.Annotations)+1)
	maps.Copy(a, ds.Annotations)
	a[TemplateGenerationAnnotation] = v
	ds.Annotations = a
}

// prepareDaemonSetCreate is the strategy's PrepareForCreate for the
// template generation: the annotation's value, at least 1.
func prepareDaemonSetCreate(ds *DaemonSet) field.ErrorList {
	gen, errs := templateGeneration(ds)
	setTemplateGeneration(ds, max(gen, 1))
	return errs
}

// prepareDaemonSetUpdate is the strategy's PrepareForUpdate: the template
// generation is the server's, kept, and raised by a template change.
func prepareDaemonSetUpdate(old, ds *DaemonSet) {
	gen, _ := templateGeneration(old)
	if !jsonEqual(old.Spec.Template, ds.Spec.Template) {
		gen++
	}
	setTemplateGeneration(ds, gen)
}

// writeDaemonSetStatus is the daemonsets/status subresource.
func writeDaemonSetStatus(old, in *DaemonSet, handoff bool) (*DaemonSet, field.ErrorList) {
	if !handoff {
		in = &DaemonSet{Status: in.DeepCopy().Status}
	}
	in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
	return in, validateDaemonSetStatus(&old.Status, &in.Status)
}

// validateDaemonSetStatus is upstream's ValidateDaemonSetStatusUpdate:
// counters not negative, collisionCount not negative and never decreased.
func validateDaemonSetStatus(old, st *DaemonSetStatus) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("status")
	for _, c := range []struct {
		name string
		v    int64
	}{
		{"currentNumberScheduled", int64(st.CurrentNumberScheduled)}, {"numberMisscheduled", int64(st.NumberMisscheduled)},
		{"desiredNumberScheduled", int64(st.DesiredNumberScheduled)}, {"numberReady", int64(st.NumberReady)},
		{"observedGeneration", st.ObservedGeneration}, {"updatedNumberScheduled", int64(st.UpdatedNumberScheduled)},
		{"numberAvailable", int64(st.NumberAvailable)}, {"numberUnavailable", int64(st.NumberUnavailable)},
	} {
		if c.v < 0 {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, "must be greater than or equal to 0"))
		}
	}
	if st.CollisionCount != nil {
		if *st.CollisionCount < 0 {
			errs = append(errs, field.Invalid(p.Child("collisionCount"), *st.CollisionCount, "must be greater than or equal to 0"))
		}
		if old.CollisionCount != nil && *st.CollisionCount < *old.CollisionCount {
			errs = append(errs, field.Invalid(p.Child("collisionCount"), *st.CollisionCount, "cannot be decremented"))
		}
	}
	return errs
}

// DaemonSet returns the DaemonSet. O(log n).
func (s *Store) DaemonSet(namespace, name string) (*DaemonSet, bool) {
	return treeOf[*DaemonSet](s, KindDaemonSet).get(namespace, name)
}

// DaemonSets yields every DaemonSet by (namespace, name).
func (s *Store) DaemonSets() iter.Seq[*DaemonSet] { return treeOf[*DaemonSet](s, KindDaemonSet).all() }

// ---------------------------------------------------------------- controller revisions

// ControllerRevision returns the revision. O(log n).
func (s *Store) ControllerRevision(namespace, name string) (*ControllerRevision, bool) {
	return treeOf[*ControllerRevision](s, KindControllerRevision).get(namespace, name)
}

// ControllerRevisions yields the revisions of a namespace by name.
func (s *Store) ControllerRevisions(namespace string) iter.Seq[*ControllerRevision] {
	return treeOf[*ControllerRevision](s, KindControllerRevision).inNamespace(namespace)
}

// ---------------------------------------------------------------- PodDisruptionBudgets

// writePDBStatus is the poddisruptionbudgets/status subresource.
func writePDBStatus(old, in *PodDisruptionBudget, handoff bool) (*PodDisruptionBudget, field.ErrorList) {
	if !handoff {
		in = &PodDisruptionBudget{Status: in.DeepCopy().Status}
	}
	in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
	return in, validatePDBStatus(&in.Status)
}

// PodDisruptionBudgets yields the PDBs of a namespace by name.
func (s *Store) PodDisruptionBudgets(namespace string) iter.Seq[*PodDisruptionBudget] {
	return treeOf[*PodDisruptionBudget](s, KindPodDisruptionBudget).inNamespace(namespace)
}

// ---------------------------------------------------------------- pods

// preparePodCreate is the pod strategy's PrepareForCreate: phase Pending
// when none is given; and a pod created terminating (imported) gets the
// grace period the API server sets with the deletion timestamp.
func preparePodCreate(p *Pod) field.ErrorList {
	if p.Status.Phase == "" {
		p.Status.Phase = PodPending
	}
	if p.DeletionTimestamp != nil && p.DeletionGracePeriodSeconds == nil {
		g := p.GracePeriodSeconds() // the API server sets both together
		p.DeletionGracePeriodSeconds = &g
	}
	return nil
}

// writePodStatus is the pods/status subresource. Only the parts of the
// status a pod's status holds by pointer are copied (metadata and spec
// are shared with the stored version, which is never modified).
func writePodStatus(old, in *Pod, handoff bool) (*Pod, field.ErrorList) {
	if !handoff {
		in = &Pod{Status: in.Status}
		in.Status.Conditions = slices.Clone(in.Status.Conditions)
		in.Status.StartTime = clonePtr(in.Status.StartTime)
	}
	in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
	return in, validatePodStatusUpdate(&old.Status, &in.Status, old.Spec.NodeName)
}
