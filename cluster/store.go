package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/field"
)

// The store's error sentinels; Apply wraps them with the verb and key.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrConflict      = errors.New("conflict")
	// ErrInvalid is field.ErrInvalid: every validation error matches it.
	ErrInvalid = field.ErrInvalid
	// ErrReadOnly is returned by Apply on a Snapshot's store.
	ErrReadOnly = errors.New("store is read-only")
)

// View is a read-only, consistent view of the cluster: a Store, a
// Snapshot or a fork. Iterators yield objects in ascending key order
// (namespace, then name). Returned pointers are shared with the store and
// MUST NOT be modified: DeepCopy first. A View is not safe for concurrent
// use with writes to the store it reads.
type View interface {
	// Revision is the store revision: the number of changes applied.
	Revision() uint64
	// Get returns the object with key k. O(log n).
	Get(k Key) (Object, bool)
	// Node returns the named node. O(log n).
	Node(name string) (*Node, bool)
	// Nodes yields every node by name.
	Nodes() iter.Seq[*Node]
	// NodeCount is the number of nodes. O(1).
	NodeCount() int
	// Pod returns the pod. O(log n).
	Pod(namespace, name string) (*Pod, bool)
	// Pods yields every pod by (namespace, name).
	Pods() iter.Seq[*Pod]
	// PodCount is the number of pods. O(1).
	PodCount() int
	// PodSlot returns the pod's slot (Delta.Slot), or false if there is
	// no such pod. O(log n).
	PodSlot(namespace, name string) (uint64, bool)
	// PodsOnNode yields the pods bound to node by (namespace, name).
	// O(log n + pods on the node).
	PodsOnNode(node string) iter.Seq[*Pod]
	// PodsControlledBy yields the pods whose controller reference has the
	// given UID, by (namespace, name). O(log n + those pods).
	PodsControlledBy(uid string) iter.Seq[*Pod]
	// DaemonSet returns the DaemonSet. O(log n).
	DaemonSet(namespace, name string) (*DaemonSet, bool)
	// DaemonSets yields every DaemonSet by (namespace, name).
	DaemonSets() iter.Seq[*DaemonSet]
	// ControllerRevision returns the revision. O(log n).
	ControllerRevision(namespace, name string) (*ControllerRevision, bool)
	// ControllerRevisions yields the revisions of a namespace by name.
	ControllerRevisions(namespace string) iter.Seq[*ControllerRevision]
	// PriorityClass returns the class. O(log n).
	PriorityClass(name string) (*PriorityClass, bool)
	// PriorityClasses yields every class by name.
	PriorityClasses() iter.Seq[*PriorityClass]
	// PodDisruptionBudgets yields the PDBs of a namespace by name.
	PodDisruptionBudgets(namespace string) iter.Seq[*PodDisruptionBudget]
	// ReplicaSet returns the ReplicaSet. O(log n).
	ReplicaSet(namespace, name string) (*ReplicaSet, bool)
	// ReplicaSets yields the ReplicaSets of a namespace by name.
	// O(log n + those ReplicaSets).
	ReplicaSets(namespace string) iter.Seq[*ReplicaSet]
	// Objects yields every object in ascending Key order: kind (in Kind
	// order), namespace, name.
	Objects() iter.Seq[Object]
	// Fork returns a private copy-on-write working copy. O(1).
	Fork() *Store
}

// Store is the cluster state: one container per kind, in a table indexed
// by Kind (see the kind table in the package doc), each an ordered tree,
// pods with two indexes (by node and by controller UID). Apply is the
// only way to write. A Store is not safe for concurrent use. Its zero
// value is not usable: call NewStore.
type Store struct {
	rev uint64
	// rvOffset is added to a revision to make a resourceVersion: 0 unless
	// an imported object carried a resourceVersion above the revision, and
	// then just enough that every later version is higher than any
	// imported one.
	rvOffset uint64
	readOnly bool
	tok      *token
	// trees holds each registered kind's container at its Kind (nil
	// elsewhere).
	trees []kindStore
}

var _ View = (*Store)(nil)

// NewStore returns an empty store at revision 0.
func NewStore() *Store {
	s := &Store{tok: new(token), trees: make([]kindStore, kindSlots)}
	for k := range s.trees {
		if ki := kinds[k]; ki != nil {
			s.trees[k] = ki.newStore()
		}
	}
	return s
}

// clone is O(1): every container is cloned copy-on-write, and s takes a
// new token so that neither store writes in place into the entries they
// share.
func (s *Store) clone() *Store {
	s.tok = new(token)
	c := &Store{rev: s.rev, rvOffset: s.rvOffset, tok: new(token), trees: make([]kindStore, len(s.trees))}
	for k, t := range s.trees {
		if t != nil {
			c.trees[k] = t.clone()
		}
	}
	return c
}

// Fork returns a writable copy-on-write copy of s. O(1); writes to either
// never show in the other. The objects themselves are shared, which is safe
// because stored objects are never modified.
func (s *Store) Fork() *Store { return s.clone() }

// Snapshot returns a read-only view of s as it is now. O(1); later writes to
// s do not show in it. Apply on it fails with ErrReadOnly.
func (s *Store) Snapshot() *Snapshot {
	c := s.clone()
	c.readOnly = true
	return &Snapshot{c}
}

// Snapshot is a read-only, frozen View of a store.
type Snapshot struct{ *Store }

var _ View = (*Snapshot)(nil)

// WithFork runs f on a fork of s; if f returns commit=true and no error,
// the fork becomes s's state, otherwise it is dropped. No fork outlives the
// call. It returns f's error.
func WithFork(s *Store, f func(fork *Store) (commit bool, err error)) error {
	fork := s.Fork()
	commit, err := f(fork)
	if err != nil || !commit {
		return err
	}
	ro := s.readOnly
	*s = *fork
	s.readOnly = ro
	return nil
}

// Revision returns the number of changes applied.
func (s *Store) Revision() uint64 { return s.rev }

// container returns the container of kind k, or nil if the store holds
// no such kind.
func (s *Store) container(k Kind) kindStore {
	if int(k) < len(s.trees) {
		return s.trees[k]
	}
	return nil
}

// Get returns the object with key k; the namespace of a cluster-scoped
// kind's key is not looked at. O(log n).
func (s *Store) Get(k Key) (Object, bool) {
	t := s.container(k.Kind)
	if t == nil {
		return nil, false
	}
	return lookup(kinds[k.Kind], t, k)
}

// lookup returns the object with key k from t, the container of kind ki.
func lookup(ki *kindInfo, t kindStore, k Key) (Object, bool) {
	if !ki.namespaced {
		k.Namespace = ""
	}
	return t.lookup(k.Namespace, k.Name)
}

// Apply validates c against the current state and applies it atomically:
// on error nothing changed and the revision is not bumped. now is the
// virtual time, used for creation and deletion timestamps. On success the
// revision is bumped by one per object written (one, but two for an Evict
// that uses a disruption budget, see Delta.Also), each written object gets
// a resourceVersion higher than any before it (its revision, unless an
// imported object carried a higher one: see Create), and the returned
// Delta holds the objects before and after (shared with the store; do not
// modify) and, for a pod, its slot. Errors wrap ErrNotFound,
// ErrAlreadyExists, ErrConflict, ErrInvalid or ErrReadOnly, and an Evict's
// ErrTooManyRequests, ErrForbidden or ErrInternal (an EvictionError); a
// change without an object (nil, or a nil pointer) or of a kind the store
// does not hold is refused with ErrInvalid.
// The object in c is copied; the caller keeps ownership of it. Cost:
// O(log n) plus the object's size.
func (s *Store) Apply(now time.Time, c Change) (Delta, error) {
	if c == nil {
		return Delta{}, fmt.Errorf("nil change: %w", ErrInvalid)
	}
	if s.readOnly {
		return Delta{}, fmt.Errorf("%s %s: %w", c.Verb(), c.Target(), ErrReadOnly)
	}
	var d Delta
	var err error
	switch c := c.(type) {
	case Create:
		var ki *kindInfo
		if ki, err = s.checkObject(c.Object); err == nil {
			d, err = s.create(now, ki, c)
		}
	case Update:
		var ki *kindInfo
		if ki, err = s.checkObject(c.Object); err == nil {
			d, err = s.update(ki, c.Object, c.ExpectedRV)
		}
	case UpdateStatus:
		var ki *kindInfo
		if ki, err = s.checkObject(c.Object); err == nil {
			d, err = s.updateStatus(ki, c.Object, c.ExpectedRV, c.Handoff)
		}
	case Delete:
		d, err = s.delete(now, c)
	case Evict:
		d, err = s.evict(now, c)
	case Bind:
		d, err = s.bind(now, c)
	default:
		err = fmt.Errorf("unknown change %T: %w", c, ErrInvalid)
	}
	if err != nil {
		return Delta{}, fmt.Errorf("%s %s: %w", c.Verb(), c.Target(), err)
	}
	if d.Key.Kind == KindPod {
		t := s.podTree()
		if d.New == nil {
			d.Slot = t.removedSlot
		} else {
			d.Slot = t.slotOf(d.New.(*Pod))
		}
	}
	return d, nil
}

// checkObject refuses what a change must not carry: no object, or one of
// a type the store does not hold. It returns the object's kind.
func (s *Store) checkObject(o Object) (*kindInfo, error) {
	ki, isNil := kindOf(o)
	switch {
	case isNil:
		return nil, fmt.Errorf("no object: %w", ErrInvalid)
	case ki == nil || s.container(ki.kind) == nil:
		return nil, fmt.Errorf("the store holds no objects of type %T: %w", o, ErrInvalid)
	}
	return ki, nil
}

// keyOf returns the key of o, an object of kind ki (not nil).
func keyOf(ki *kindInfo, o Object) Key {
	m := o.Meta()
	return Key{Kind: ki.kind, Namespace: m.Namespace, Name: m.Name}
}

// rv returns the resourceVersion of a write at revision rev.
func (s *Store) rv(rev uint64) uint64 { return rev + s.rvOffset }

// uid returns the uid of the object created at revision rev:
// "00000000-0000-4000-8000-" and rev in 12 hex digits (more past 2^48).
func (s *Store) uid(rev uint64) string {
	const prefix = "00000000-0000-4000-8000-"
	if rev >= 1<<48 {
		return fmt.Sprintf(prefix+"%012x", rev)
	}
	var b [len(prefix) + 12]byte
	copy(b[:], prefix)
	for i := len(b) - 1; i >= len(prefix); i-- {
		b[i] = "0123456789abcdef"[rev&15]
		rev >>= 4
	}
	return string(b[:])
}

// create is Create: the object is copied (unless handed off), defaulted,
// validated and prepared, admitted, given the store's metadata, and
// stored; a taken name is found last, as upstream.
func (s *Store) create(now time.Time, ki *kindInfo, c Create) (Delta, error) {
	t := s.trees[ki.kind]
	o := c.Object
	if !c.Handoff {
		o = t.keep(o)
	}
	defaultObject(ki, o)
	k := keyOf(ki, o)
	errs := validateObject(ki, o)
	if ki.prepareCreate != nil {
		errs = append(errs, ki.prepareCreate(o)...)
	}
	if len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	if ki.admitCreate != nil {
		if err := ki.admitCreate(s, o); err != nil {
			return Delta{}, err
		}
	}
	rev := s.rev + 1
	m := o.Meta()
	// an object that carries metadata (a snapshot of a cluster) keeps it;
	// the store fills in what is missing
	if m.UID == "" {
		m.UID = s.uid(rev)
	}
	offset := s.rvOffset
	if m.ResourceVersion == 0 {
		m.ResourceVersion = s.rv(rev)
	} else if m.ResourceVersion > s.rv(rev) {
		offset = m.ResourceVersion - rev // later versions come above it
	}
	if m.Generation == 0 {
		m.Generation = 1
	}
	if m.CreationTimestamp.IsZero() {
		m.CreationTimestamp = now
	}
	if m.DeletionTimestamp == nil {
		m.DeletionGracePeriodSeconds = nil
	}
	if !t.insert(s.tok, rev, o) {
		// last, as upstream: validation and admission come before storage
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrAlreadyExists)
	}
	s.rev = rev
	s.rvOffset = offset
	return Delta{Rev: rev, Key: k, New: o}, nil
}

// update is Update: the stored status, uid, creation and deletion
// metadata and generation are kept; the rest is taken from obj,
// defaulted and validated against the stored version.
func (s *Store) update(ki *kindInfo, obj Object, expectedRV uint64) (Delta, error) {
	in := obj.DeepCopyObject()
	if ki.namespaced && in.Meta().Namespace == "" {
		in.Meta().Namespace = DefaultNamespace
	}
	k := keyOf(ki, in)
	t := s.trees[ki.kind]
	old, ok := lookup(ki, t, k)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrNotFound)
	}
	om := old.Meta()
	if expectedRV != 0 && expectedRV != om.ResourceVersion {
		return Delta{}, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again: %w", ErrConflict)
	}
	// keep the status; take metadata and spec
	o := in
	if ki.keepStatus != nil {
		ki.keepStatus(o, old)
	}
	defaultObject(ki, o)
	m := o.Meta()
	m.UID, m.CreationTimestamp, m.Generation = om.UID, om.CreationTimestamp, om.Generation
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = clonePtr(om.DeletionTimestamp), clonePtr(om.DeletionGracePeriodSeconds)
	errs := validateObject(ki, o)
	errs = append(errs, ValidateUpdate(old, o)...)
	if ki.prepareUpdate != nil {
		ki.prepareUpdate(old, o)
	}
	if len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	if ki.admitUpdate != nil {
		if err := ki.admitUpdate(s, o); err != nil {
			return Delta{}, err
		}
	}
	if ki.spec != nil && !jsonEqual(ki.spec(old), ki.spec(o)) {
		m.Generation++
	}
	rev := s.rev + 1
	m.ResourceVersion = s.rv(rev)
	s.rev = rev
	if m.DeletionTimestamp != nil && len(m.Finalizers) == 0 && !ki.isGraceful(o) {
		// the last finalizer is gone: the object leaves the store
		t.remove(old)
		return Delta{Rev: rev, Key: k, Old: old}, nil
	}
	t.replace(s.tok, old, o)
	return Delta{Rev: rev, Key: k, Old: old, New: o}, nil
}

// updateStatus is the status subresource: the stored object's metadata and
// spec are kept (shared with the new version: stored objects are never
// modified), the status is taken from obj and validated alone, as the
// status strategies do (the kind table's writeStatus). With handoff obj
// itself becomes the new version (the stored metadata and spec written
// into it) and its status is not copied. A kind without status gets a new
// version that differs in its resourceVersion only. Cost: O(log n +
// status size).
func (s *Store) updateStatus(ki *kindInfo, obj Object, expectedRV uint64, handoff bool) (Delta, error) {
	k := keyOf(ki, obj)
	if ki.namespaced && k.Namespace == "" {
		k.Namespace = DefaultNamespace
	}
	t := s.trees[ki.kind]
	old, ok := lookup(ki, t, k)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrNotFound)
	}
	if expectedRV != 0 && expectedRV != old.Meta().ResourceVersion {
		return Delta{}, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again: %w", ErrConflict)
	}
	var o Object
	if ki.writeStatus != nil {
		var errs field.ErrorList
		if o, errs = ki.writeStatus(old, obj, handoff); len(errs) > 0 {
			return Delta{}, errs.ToAggregate()
		}
	} else {
		o = old.DeepCopyObject()
	}
	rev := s.rev + 1
	o.Meta().ResourceVersion = s.rv(rev)
	s.rev = rev
	t.replace(s.tok, old, o)
	return Delta{Rev: rev, Key: k, Old: old, New: o}, nil
}

func (s *Store) delete(now time.Time, c Delete) (Delta, error) { return s.deleteWith(now, c, nil) }

// deleteWith is delete, with prepare (when not nil) applied to the version
// it stores for an object that stays, terminating, before it is stored.
func (s *Store) deleteWith(now time.Time, c Delete, prepare func(Object)) (Delta, error) {
	old, ok := s.Get(c.Key)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", c.Key.Kind, c.Key.Name, ErrNotFound)
	}
	ki := kinds[c.Key.Kind]
	om := old.Meta()
	if c.ExpectedRV != 0 && c.ExpectedRV != om.ResourceVersion {
		return Delta{}, fmt.Errorf("precondition failed: %w", ErrConflict)
	}
	if g := c.GracePeriodSeconds; g != nil && *g < 0 {
		return Delta{}, field.ErrorList{field.Invalid(field.NewPath("gracePeriodSeconds"), *g, "must be greater than or equal to 0")}.ToAggregate()
	}
	switch c.Propagation {
	case "", DeletePropagationBackground, DeletePropagationOrphan, DeletePropagationForeground:
	default:
		return Delta{}, field.ErrorList{field.NotSupported(field.NewPath("propagationPolicy"), string(c.Propagation),
			[]DeletionPropagation{DeletePropagationBackground, DeletePropagationOrphan, DeletePropagationForeground})}.ToAggregate()
	}
	grace := int64(0)
	if ki.deletionGrace != nil {
		grace = ki.deletionGrace(old, c.GracePeriodSeconds)
	}
	// a propagation policy replaces the garbage collector's finalizers
	// (the generic registry's deletionFinalizersForGarbageCollection)
	finalizers := slices.Clone(om.Finalizers)
	set := func(f string, on bool) {
		switch has := slices.Contains(finalizers, f); {
		case on && !has:
			finalizers = append(finalizers, f)
		case !on && has:
			finalizers = slices.DeleteFunc(finalizers, func(g string) bool { return g == f })
		}
	}
	switch c.Propagation {
	case DeletePropagationOrphan:
		set(FinalizerDeleteDependents, false)
		set(FinalizerOrphanDependents, true)
	case DeletePropagationForeground:
		set(FinalizerOrphanDependents, false)
		set(FinalizerDeleteDependents, true)
	case DeletePropagationBackground:
		set(FinalizerOrphanDependents, false)
		set(FinalizerDeleteDependents, false)
	}
	rev := s.rev + 1
	t := s.trees[c.Key.Kind]
	if grace == 0 && len(finalizers) == 0 {
		s.rev = rev
		t.remove(old)
		return Delta{Rev: rev, Key: c.Key, Old: old}, nil
	}
	o := old.DeepCopyObject()
	m := o.Meta()
	m.Finalizers = finalizers
	switch od, og := om.DeletionTimestamp, om.DeletionGracePeriodSeconds; {
	case od != nil && og != nil && *og > 0:
		// already being deleted: only a shorter grace period moves the
		// deletion, counted from the first request, not from now (the
		// generic registry's BeforeDelete)
		if grace < *og {
			m.DeletionTimestamp = timePtr(od.Add(time.Duration(grace-*og) * time.Second))
		}
	case grace > 0 || m.DeletionTimestamp == nil:
		m.DeletionTimestamp = timePtr(now.Add(time.Duration(grace) * time.Second))
	}
	if ki.deletionGrace != nil {
		m.DeletionGracePeriodSeconds = &grace
	}
	if prepare != nil {
		prepare(o)
	}
	m.ResourceVersion = s.rv(rev)
	s.rev = rev
	t.replace(s.tok, old, o)
	return Delta{Rev: rev, Key: c.Key, Old: old, New: o}, nil
}

func (s *Store) bind(now time.Time, c Bind) (Delta, error) {
	if c.Pod.Kind != KindPod {
		return Delta{}, fmt.Errorf("bind needs a pod key: %w", ErrInvalid)
	}
	t := s.podTree()
	old, ok := t.get(c.Pod.Namespace, c.Pod.Name)
	if !ok {
		return Delta{}, fmt.Errorf("pod %q %w", c.Pod.Name, ErrNotFound)
	}
	if old.IsBound() {
		return Delta{}, fmt.Errorf("pod %s is already assigned to node %q: %w", c.Pod.NamespacedName(), old.Spec.NodeName, ErrConflict)
	}
	if old.DeletionTimestamp != nil {
		return Delta{}, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host: %w", c.Pod.NamespacedName(), ErrConflict)
	}
	if errs := validateBinding(c.Node); len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	cp := *old // metadata and spec are shared with the old version, which is never modified
	p := &cp
	p.Spec.NodeName = c.Node
	// the nomination hint is cleared, as the binding subresource does with
	// ClearingNominatedNodeNameAfterBinding (beta, on since v1.35)
	p.Status.NominatedNodeName = ""
	p.Status.Conditions = slices.Clone(old.Status.Conditions)
	SetPodCondition(&p.Status, PodCondition{Type: PodScheduled, Status: ConditionTrue}, now)
	rev := s.rev + 1
	p.ResourceVersion = s.rv(rev)
	s.rev = rev
	t.put(s.tok, old, p)
	return Delta{Rev: rev, Key: c.Pod, Old: old, New: p}, nil
}

// SetPodCondition sets or replaces the condition of c's type in st. The
// transition time becomes now when the status changes (or the condition is
// new), and is kept otherwise, as the kubelet does. It reports whether
// anything changed.
func SetPodCondition(st *PodStatus, c PodCondition, now time.Time) bool {
	for i := range st.Conditions {
		old := &st.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return false
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		} else {
			c.LastTransitionTime = now
		}
		*old = c
		return true
	}
	c.LastTransitionTime = now
	st.Conditions = append(st.Conditions, c)
	return true
}

// SetNodeCondition is SetPodCondition for a node's conditions: it sets or
// replaces the condition of c's type in st, the transition time becoming
// now when the status changes (or the condition is new). The conditions
// slice is replaced, never written in place, so st may share it with a
// stored version. It reports whether anything changed.
func SetNodeCondition(st *NodeStatus, c NodeCondition, now time.Time) bool {
	for i, old := range st.Conditions {
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message {
			return false
		}
		c.LastTransitionTime = now
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		st.Conditions = slices.Clone(st.Conditions)
		st.Conditions[i] = c
		return true
	}
	c.LastTransitionTime = now
	st.Conditions = append(slices.Clip(st.Conditions), c)
	return true
}

// Objects yields every object in ascending Key order (kind, namespace, name).
func (s *Store) Objects() iter.Seq[Object] {
	return func(yield func(Object) bool) {
		for _, t := range s.trees {
			if t != nil && !t.ascend(yield) {
				return
			}
		}
	}
}

// Digest returns a hex SHA-256 over the revision and the JSON of every
// object in key order: equal digests mean equal states. Cost: O(state size).
func Digest(v View) string {
	h := sha256.New()
	fmt.Fprintf(h, "rev=%d\n", v.Revision())
	for o := range v.Objects() {
		b, err := json.Marshal(o)
		if err != nil {
			panic(fmt.Sprintf("cluster: digest of %s: %v", KeyOf(o), err))
		}
		fmt.Fprintf(h, "%s\n", KeyOf(o))
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
