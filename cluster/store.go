package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/google/btree"

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
	// Objects yields every object in ascending Key order: kind (in Kind
	// order), namespace, name.
	Objects() iter.Seq[Object]
	// Fork returns a private copy-on-write working copy. O(1).
	Fork() *Store
}

const btreeDegree = 32

// token marks the store generation that owns an entry. Every clone gives
// both stores new tokens, so an entry made before a fork is owned by
// neither side afterwards.
type token struct{ _ int }

// entry holds one stored object in its kind's tree, with a pointer to the
// object's metadata so that ordering needs no interface call. A store
// replaces the object of an entry it owns in place (the
// key never changes, so no tree or index moves); an entry it does not own
// may be shared with a fork or snapshot and is replaced by a new one,
// copy-on-write like the trees.
type entry[T Object] struct {
	meta *ObjectMeta // obj's
	obj  T
	tok  *token
}

func entryLess[T Object](a, b *entry[T]) bool {
	if a.meta.Namespace != b.meta.Namespace {
		return a.meta.Namespace < b.meta.Namespace
	}
	return a.meta.Name < b.meta.Name
}

// probeEntry returns a search key for (ns, name).
func probeEntry[T Object](ns, name string) *entry[T] {
	return &entry[T]{meta: &ObjectMeta{Namespace: ns, Name: name}}
}

// tree is an ordered set of one kind of object, keyed by (namespace, name),
// with a reusable search key so that a lookup allocates nothing (which
// makes even concurrent reads of one Store unsafe, as its contract says),
// and a hint: the entry the last successful find returned. A write almost
// always follows a read of the same key (a status write reads the stored
// version first), and the hint makes the second search free. The hint is
// always an entry of the tree: delete clears it and an insert replaces it.
type tree[T Object] struct {
	t   *btree.BTreeG[*entry[T]]
	aux *treeAux[T]
}

type treeAux[T Object] struct {
	probe *entry[T]
	hint  *entry[T]
}

func newTree[T Object]() tree[T] {
	return tree[T]{btree.NewG(btreeDegree, entryLess[T]), &treeAux[T]{probe: probeEntry[T]("", "")}}
}

// clone shares the entries copy-on-write; the hint stays with t (its entry
// is still in t) and the clone starts without one.
func (t tree[T]) clone() tree[T] {
	return tree[T]{t.t.Clone(), &treeAux[T]{probe: probeEntry[T]("", "")}}
}

func (t tree[T]) find(ns, name string) (*entry[T], bool) {
	if h := t.aux.hint; h != nil && h.meta.Name == name && h.meta.Namespace == ns {
		return h, true
	}
	p := t.aux.probe
	p.meta.Namespace, p.meta.Name = ns, name
	e, ok := t.t.Get(p)
	if ok {
		t.aux.hint = e
	}
	return e, ok
}

func (t tree[T]) get(ns, name string) (T, bool) {
	if e, ok := t.find(ns, name); ok {
		return e.obj, true
	}
	var zero T
	return zero, false
}

// set stores o: in place when tok owns o's entry, else in a new entry.
// isNew says o is to be added: then the insertion is the search, and if
// the key is taken after all the tree is left as it was and set returns
// a nil entry. It returns the entry holding o and whether it is the one
// that was there before.
func (t tree[T]) set(tok *token, o T, isNew bool) (e *entry[T], inPlace bool) {
	m := o.Meta()
	if !isNew {
		if cur, ok := t.find(m.Namespace, m.Name); ok && cur.tok == tok {
			cur.meta, cur.obj = m, o
			return cur, true
		}
	}
	e = &entry[T]{meta: m, obj: o, tok: tok}
	if old, taken := t.t.ReplaceOrInsert(e); taken && isNew {
		t.t.ReplaceOrInsert(old)
		return nil, false
	}
	t.aux.hint = e
	return e, false
}

func (t tree[T]) delete(ns, name string) {
	p := t.aux.probe
	p.meta.Namespace, p.meta.Name = ns, name
	t.t.Delete(p)
	t.aux.hint = nil
}

// indexItem is one entry of a secondary pod index, ordered by (key,
// namespace, name); a nil entry sorts before every pod of its key.
type indexItem struct {
	key string
	e   *entry[*Pod]
}

func indexLess(a, b indexItem) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	if a.e == nil || b.e == nil {
		return a.e == nil && b.e != nil
	}
	return entryLess(a.e, b.e)
}

// Store is the cluster state: one ordered tree per kind and two pod
// indexes (by node and by controller UID). Apply is the only way to write.
// A Store is not safe for concurrent use. Its zero value is not usable: call
// NewStore.
type Store struct {
	rev uint64
	// rvOffset is added to a revision to make a resourceVersion: 0 unless
	// an imported object carried a resourceVersion above the revision, and
	// then just enough that every later version is higher than any
	// imported one.
	rvOffset    uint64
	readOnly    bool
	tok         *token
	nodes       tree[*Node]
	pods        tree[*Pod]
	daemonSets  tree[*DaemonSet]
	revisions   tree[*ControllerRevision]
	classes     tree[*PriorityClass]
	pdbs        tree[*PodDisruptionBudget]
	podsByNode  *btree.BTreeG[indexItem]
	podsByOwner *btree.BTreeG[indexItem]
	// removedSlot is the slot of the pod remove took out last.
	removedSlot uint64
	// imported holds the slots of the pods whose uid the store did not
	// make (an imported object keeps its uid), by key; nil until the first.
	imported *btree.BTreeG[keySlot]
	// lastPod is the pod created last (nil if none): a pod created next
	// shares its equal parts (copyPodSharing).
	lastPod *Pod
	// defaultClass is the global default PriorityClass (nil for none),
	// valid while defaultClassKnown; any PriorityClass write drops it.
	defaultClass      *PriorityClass
	defaultClassKnown bool
}

var _ View = (*Store)(nil)

// NewStore returns an empty store at revision 0.
func NewStore() *Store {
	return &Store{
		nodes:       newTree[*Node](),
		pods:        newTree[*Pod](),
		daemonSets:  newTree[*DaemonSet](),
		revisions:   newTree[*ControllerRevision](),
		classes:     newTree[*PriorityClass](),
		pdbs:        newTree[*PodDisruptionBudget](),
		podsByNode:  btree.NewG(btreeDegree, indexLess),
		podsByOwner: btree.NewG(btreeDegree, indexLess),
		tok:         new(token),
	}
}

// clone is O(1): every tree is cloned copy-on-write, and s takes a new
// token so that neither store writes in place into the entries they share.
func (s *Store) clone() *Store {
	s.tok = new(token)
	return &Store{
		rev:         s.rev,
		rvOffset:    s.rvOffset,
		imported:    cloneImported(s.imported),
		tok:         new(token),
		nodes:       s.nodes.clone(),
		pods:        s.pods.clone(),
		daemonSets:  s.daemonSets.clone(),
		revisions:   s.revisions.clone(),
		classes:     s.classes.clone(),
		pdbs:        s.pdbs.clone(),
		podsByNode:  s.podsByNode.Clone(),
		podsByOwner: s.podsByOwner.Clone(),
		lastPod:     s.lastPod,

		defaultClass:      s.defaultClass,
		defaultClassKnown: s.defaultClassKnown,
	}
}

func cloneImported(t *btree.BTreeG[keySlot]) *btree.BTreeG[keySlot] {
	if t == nil {
		return nil
	}
	return t.Clone()
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

func all[T Object](t tree[T]) iter.Seq[T] {
	return func(yield func(T) bool) { t.t.Ascend(func(e *entry[T]) bool { return yield(e.obj) }) }
}

func inNamespace[T Object](t tree[T], ns string) iter.Seq[T] {
	return func(yield func(T) bool) {
		t.t.AscendGreaterOrEqual(probeEntry[T](ns, ""), func(e *entry[T]) bool {
			if e.meta.Namespace != ns {
				return false
			}
			return yield(e.obj)
		})
	}
}

// Get returns the object with key k.
func (s *Store) Get(k Key) (Object, bool) {
	var o Object
	var ok bool
	switch k.Kind {
	case KindNode:
		o, ok = s.Node(k.Name)
	case KindPod:
		o, ok = s.Pod(k.Namespace, k.Name)
	case KindDaemonSet:
		o, ok = s.DaemonSet(k.Namespace, k.Name)
	case KindControllerRevision:
		o, ok = s.ControllerRevision(k.Namespace, k.Name)
	case KindPriorityClass:
		o, ok = s.PriorityClass(k.Name)
	case KindPodDisruptionBudget:
		o, ok = s.pdbs.get(k.Namespace, k.Name)
	}
	if !ok {
		return nil, false
	}
	return o, true
}

func (s *Store) Node(name string) (*Node, bool)          { return s.nodes.get("", name) }
func (s *Store) Nodes() iter.Seq[*Node]                  { return all(s.nodes) }
func (s *Store) NodeCount() int                          { return s.nodes.t.Len() }
func (s *Store) Pod(namespace, name string) (*Pod, bool) { return s.pods.get(namespace, name) }
func (s *Store) Pods() iter.Seq[*Pod]                    { return all(s.pods) }
func (s *Store) PodCount() int                           { return s.pods.t.Len() }
func (s *Store) DaemonSet(namespace, name string) (*DaemonSet, bool) {
	return s.daemonSets.get(namespace, name)
}
func (s *Store) DaemonSets() iter.Seq[*DaemonSet] { return all(s.daemonSets) }
func (s *Store) ControllerRevision(namespace, name string) (*ControllerRevision, bool) {
	return s.revisions.get(namespace, name)
}
func (s *Store) ControllerRevisions(namespace string) iter.Seq[*ControllerRevision] {
	return inNamespace(s.revisions, namespace)
}
func (s *Store) PriorityClass(name string) (*PriorityClass, bool) { return s.classes.get("", name) }
func (s *Store) PriorityClasses() iter.Seq[*PriorityClass]        { return all(s.classes) }
func (s *Store) PodDisruptionBudgets(namespace string) iter.Seq[*PodDisruptionBudget] {
	return inNamespace(s.pdbs, namespace)
}

func indexRange(t *btree.BTreeG[indexItem], key string) iter.Seq[*Pod] {
	return func(yield func(*Pod) bool) {
		t.AscendGreaterOrEqual(indexItem{key: key}, func(it indexItem) bool {
			if it.key != key {
				return false
			}
			return yield(it.e.obj)
		})
	}
}

func (s *Store) PodsOnNode(node string) iter.Seq[*Pod] { return indexRange(s.podsByNode, node) }
func (s *Store) PodsControlledBy(uid string) iter.Seq[*Pod] {
	return indexRange(s.podsByOwner, uid)
}

// Apply validates c against the current state and applies it atomically:
// on error nothing changed and the revision is not bumped. now is the
// virtual time, used for creation and deletion timestamps. On success the
// revision is bumped by one, the written object gets a resourceVersion
// higher than any before it (the new revision, unless an imported object
// carried a higher one: see Create), and the returned Delta holds the
// objects before and after (shared with the store; do not modify) and, for
// a pod, its slot. Errors wrap ErrNotFound, ErrAlreadyExists, ErrConflict,
// ErrInvalid or ErrReadOnly; a change without an object (nil, or a nil
// pointer) or of a kind the store does not hold is refused with ErrInvalid.
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
		if err = checkObject(c.Object); err == nil {
			d, err = s.create(now, c)
		}
	case Update:
		if err = checkObject(c.Object); err == nil {
			d, err = s.update(c.Object, c.ExpectedRV)
		}
	case UpdateStatus:
		if err = checkObject(c.Object); err == nil {
			d, err = s.updateStatus(c.Object, c.ExpectedRV, c.Handoff)
		}
	case Delete:
		d, err = s.delete(now, c)
	case Bind:
		d, err = s.bind(now, c)
	default:
		err = fmt.Errorf("unknown change %T: %w", c, ErrInvalid)
	}
	if err != nil {
		return Delta{}, fmt.Errorf("%s %s: %w", c.Verb(), c.Target(), err)
	}
	if d.Key.Kind == KindPod {
		if d.New == nil {
			d.Slot = s.removedSlot
		} else {
			d.Slot = s.slotOf(d.New.(*Pod))
		}
	}
	return d, nil
}

// keySlot is an imported pod's slot, ordered by the pod's key.
type keySlot struct {
	ns, name string
	slot     uint64
}

func keySlotLess(a, b keySlot) bool {
	if a.ns != b.ns {
		return a.ns < b.ns
	}
	return a.name < b.name
}

// slotOf returns a stored pod's slot: the revision its store-made uid
// names, or the one recorded when it was imported. O(1), or O(log
// imported pods) once there are any.
func (s *Store) slotOf(p *Pod) uint64 {
	if s.imported != nil {
		if ks, ok := s.imported.Get(keySlot{ns: p.Namespace, name: p.Name}); ok {
			return ks.slot
		}
	}
	rev, _ := uidRevision(p.UID)
	return rev
}

// uidRevision returns the revision a uid made by Store.uid names (the
// hexadecimal digits after its prefix), and false for any other uid.
func uidRevision(uid string) (uint64, bool) {
	const prefix = "00000000-0000-4000-8000-"
	if len(uid) < len(prefix)+12 || uid[:len(prefix)] != prefix {
		return 0, false
	}
	var rev uint64
	for i := len(prefix); i < len(uid); i++ {
		c := uid[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		if rev>>60 != 0 {
			return 0, false
		}
		rev = rev<<4 | uint64(c)
	}
	return rev, true
}

// checkObject refuses what a change must not carry: no object, or one of
// a type the store does not hold.
func checkObject(o Object) error {
	if IsNilObject(o) {
		return fmt.Errorf("no object: %w", ErrInvalid)
	}
	switch o.(type) {
	case *Node, *Pod, *DaemonSet, *ControllerRevision, *PriorityClass, *PodDisruptionBudget:
		return nil
	}
	return fmt.Errorf("the store holds no objects of type %T: %w", o, ErrInvalid)
}

// PodSlot returns the slot of the pod (Delta.Slot), or false if there is
// no such pod. O(log n).
func (s *Store) PodSlot(namespace, name string) (uint64, bool) {
	p, ok := s.pods.get(namespace, name)
	if !ok {
		return 0, false
	}
	return s.slotOf(p), true
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

func (s *Store) create(now time.Time, c Create) (Delta, error) {
	if c.Object == nil {
		return Delta{}, fmt.Errorf("nil object: %w", ErrInvalid)
	}
	var o Object
	switch p, ok := c.Object.(*Pod); {
	case c.Handoff:
		o = c.Object
	case ok:
		o = copyPodSharing(p, s.lastPod)
	default:
		o = c.Object.DeepCopyObject()
	}
	Default(o)
	k := KeyOf(o)
	errs := Validate(o)
	if ds, ok := o.(*DaemonSet); ok {
		gen, err := templateGeneration(ds)
		errs = append(errs, err...)
		setTemplateGeneration(ds, max(gen, 1)) // the strategy's PrepareForCreate
	}
	if len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	if err := s.admit(o); err != nil {
		return Delta{}, err
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
	if p, ok := o.(*Pod); ok {
		if p.Status.Phase == "" {
			p.Status.Phase = PodPending // the pod strategy's PrepareForCreate
		}
		if m.DeletionTimestamp != nil && m.DeletionGracePeriodSeconds == nil {
			g := p.GracePeriodSeconds() // the API server sets both together
			m.DeletionGracePeriodSeconds = &g
		}
	}
	if m.DeletionTimestamp == nil {
		m.DeletionGracePeriodSeconds = nil
	}
	if !s.put(nil, o) {
		// last, as upstream: validation and admission come before storage
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrAlreadyExists)
	}
	s.rev = rev
	s.rvOffset = offset
	if p, ok := o.(*Pod); ok {
		s.lastPod = p
		if r, ok := uidRevision(p.UID); !ok || r != rev {
			// a uid the store did not make at this revision: the slot
			// is recorded aside
			if s.imported == nil {
				s.imported = btree.NewG(btreeDegree, keySlotLess)
			}
			s.imported.ReplaceOrInsert(keySlot{ns: p.Namespace, name: p.Name, slot: rev})
		}
	}
	return Delta{Rev: rev, Key: k, New: o}, nil
}

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

// admit runs the admission plugins the simulator models (Priority) on a
// defaulted, valid object being created; it may edit o.
func (s *Store) admit(o Object) error {
	switch o := o.(type) {
	case *Pod:
		return admitPod(s, o)
	case *PriorityClass:
		return admitPriorityClass(s, o)
	}
	return nil
}

func specOf(o Object) any {
	switch o := o.(type) {
	case *Node:
		return o.Spec
	case *Pod:
		return o.Spec
	case *DaemonSet:
		return o.Spec
	case *PodDisruptionBudget:
		return o.Spec
	case *ControllerRevision:
		return o.Data
	case *PriorityClass:
		return [3]any{o.Value, o.GlobalDefault, o.PreemptionPolicy}
	}
	return nil
}

// withStatus returns a copy of dst carrying src's status (same kind).
func withStatus(dst, src Object) Object {
	out := dst.DeepCopyObject()
	switch o := out.(type) {
	case *Node:
		o.Status = src.(*Node).DeepCopy().Status
	case *Pod:
		o.Status = src.(*Pod).DeepCopy().Status
	case *DaemonSet:
		o.Status = src.(*DaemonSet).DeepCopy().Status
	case *PodDisruptionBudget:
		o.Status = src.(*PodDisruptionBudget).DeepCopy().Status
	}
	return out
}

func (s *Store) update(obj Object, expectedRV uint64) (Delta, error) {
	if obj == nil {
		return Delta{}, fmt.Errorf("nil object: %w", ErrInvalid)
	}
	in := obj.DeepCopyObject()
	if in.ObjectKind().Namespaced() && in.Meta().Namespace == "" {
		in.Meta().Namespace = DefaultNamespace
	}
	k := KeyOf(in)
	old, ok := s.Get(k)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrNotFound)
	}
	om := old.Meta()
	if expectedRV != 0 && expectedRV != om.ResourceVersion {
		return Delta{}, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again: %w", ErrConflict)
	}
	// keep the status; take metadata and spec
	o := withStatus(in, old)
	Default(o)
	m := o.Meta()
	m.UID, m.CreationTimestamp, m.Generation = om.UID, om.CreationTimestamp, om.Generation
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = clonePtr(om.DeletionTimestamp), clonePtr(om.DeletionGracePeriodSeconds)
	errs := Validate(o)
	errs = append(errs, ValidateUpdate(old, o)...)
	if ds, ok := o.(*DaemonSet); ok {
		// the template generation is the server's: kept, and raised by a
		// template change (the strategy's PrepareForUpdate)
		oldDS := old.(*DaemonSet)
		gen, _ := templateGeneration(oldDS)
		if !jsonEqual(oldDS.Spec.Template, ds.Spec.Template) {
			gen++
		}
		setTemplateGeneration(ds, gen)
	}
	if len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	if c, ok := o.(*PriorityClass); ok {
		if err := admitPriorityClass(s, c); err != nil {
			return Delta{}, err
		}
	}
	if !jsonEqual(specOf(old), specOf(o)) {
		m.Generation++
	}
	rev := s.rev + 1
	m.ResourceVersion = s.rv(rev)
	s.rev = rev
	if m.DeletionTimestamp != nil && len(m.Finalizers) == 0 && !isGracefulPod(o) {
		// the last finalizer is gone: the object leaves the store
		s.remove(old)
		return Delta{Rev: rev, Key: k, Old: old}, nil
	}
	s.put(old, o)
	return Delta{Rev: rev, Key: k, Old: old, New: o}, nil
}

// updateStatus is the status subresource: the stored object's metadata and
// spec are kept (shared with the new version: stored objects are never
// modified), the status is taken from obj and validated alone, as the
// status strategies do. With handoff obj itself becomes the new version
// (the stored metadata and spec written into it) and its status is not
// copied. Cost: O(log n + status size).
func (s *Store) updateStatus(obj Object, expectedRV uint64, handoff bool) (Delta, error) {
	k := KeyOf(obj)
	if k.Kind.Namespaced() && k.Namespace == "" {
		k.Namespace = DefaultNamespace
	}
	old, ok := s.Get(k)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", k.Kind, k.Name, ErrNotFound)
	}
	if expectedRV != 0 && expectedRV != old.Meta().ResourceVersion {
		return Delta{}, fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again: %w", ErrConflict)
	}
	var o Object
	var errs field.ErrorList
	switch old := old.(type) {
	case *Node:
		in := obj.(*Node)
		if !handoff {
			in = &Node{Status: in.DeepCopy().Status}
		}
		in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
		errs = append(errs, validateResourceList(in.Status.Capacity, field.NewPath("status", "capacity"))...)
		errs = append(errs, validateResourceList(in.Status.Allocatable, field.NewPath("status", "allocatable"))...)
		o = in
	case *Pod:
		in := obj.(*Pod)
		if !handoff {
			in = &Pod{Status: in.Status}
			in.Status.Conditions = slices.Clone(in.Status.Conditions)
			in.Status.StartTime = clonePtr(in.Status.StartTime)
		}
		in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
		errs = append(errs, validatePodStatusUpdate(&old.Status, &in.Status, old.Spec.NodeName)...)
		o = in
	case *DaemonSet:
		in := obj.(*DaemonSet)
		if !handoff {
			in = &DaemonSet{Status: in.DeepCopy().Status}
		}
		in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
		errs = append(errs, validateDaemonSetStatus(&old.Status, &in.Status)...)
		o = in
	case *PodDisruptionBudget:
		in := obj.(*PodDisruptionBudget)
		if !handoff {
			in = &PodDisruptionBudget{Status: in.DeepCopy().Status}
		}
		in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
		errs = append(errs, validatePDBStatus(&in.Status)...)
		o = in
	default:
		o = old // kinds without a status: the write changes nothing but the version
	}
	if len(errs) > 0 {
		return Delta{}, errs.ToAggregate()
	}
	if o == old {
		o = old.DeepCopyObject()
	}
	rev := s.rev + 1
	o.Meta().ResourceVersion = s.rv(rev)
	s.rev = rev
	s.put(old, o)
	return Delta{Rev: rev, Key: k, Old: old, New: o}, nil
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

// isGracefulPod reports whether o is a pod that is terminating on its grace
// period (it leaves through a zero-grace Delete, not through finalizers).
func isGracefulPod(o Object) bool {
	p, ok := o.(*Pod)
	return ok && p.DeletionGracePeriodSeconds != nil && *p.DeletionGracePeriodSeconds > 0
}

func (s *Store) delete(now time.Time, c Delete) (Delta, error) {
	old, ok := s.Get(c.Key)
	if !ok {
		return Delta{}, fmt.Errorf("%s %q %w", c.Key.Kind, c.Key.Name, ErrNotFound)
	}
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
	if p, isPod := old.(*Pod); isPod {
		grace = p.DeletionGracePeriod(c.GracePeriodSeconds)
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
	if grace == 0 && len(finalizers) == 0 {
		s.rev = rev
		s.remove(old)
		return Delta{Rev: rev, Key: c.Key, Old: old}, nil
	}
	o := old.DeepCopyObject()
	m := o.Meta()
	m.Finalizers = finalizers
	if grace > 0 || m.DeletionTimestamp == nil {
		m.DeletionTimestamp = timePtr(now.Add(time.Duration(grace) * time.Second))
	}
	if _, isPod := o.(*Pod); isPod {
		m.DeletionGracePeriodSeconds = &grace
	}
	m.ResourceVersion = s.rv(rev)
	s.rev = rev
	s.put(old, o)
	return Delta{Rev: rev, Key: c.Key, Old: old, New: o}, nil
}

func (s *Store) bind(now time.Time, c Bind) (Delta, error) {
	if c.Pod.Kind != KindPod {
		return Delta{}, fmt.Errorf("bind needs a pod key: %w", ErrInvalid)
	}
	old, ok := s.Pod(c.Pod.Namespace, c.Pod.Name)
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
	p.Status.Conditions = slices.Clone(old.Status.Conditions)
	SetPodCondition(&p.Status, PodCondition{Type: PodScheduled, Status: ConditionTrue}, now)
	rev := s.rev + 1
	p.ResourceVersion = s.rv(rev)
	s.rev = rev
	s.put(old, p)
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

func controllerUID(p *Pod) string {
	if r := p.ControllerRef(); r != nil {
		return r.UID
	}
	return ""
}

// put stores o, replacing old (nil for a new object), and keeps the pod
// indexes in step. For a new object whose key is taken it changes nothing
// and returns false.
func (s *Store) put(old, o Object) bool {
	isNew := old == nil
	var stored bool
	switch o := o.(type) {
	case *Node:
		stored = stores(s.nodes.set(s.tok, o, isNew))
	case *Pod:
		stored = s.putPod(old, o)
	case *DaemonSet:
		stored = stores(s.daemonSets.set(s.tok, o, isNew))
	case *ControllerRevision:
		stored = stores(s.revisions.set(s.tok, o, isNew))
	case *PriorityClass:
		stored = stores(s.classes.set(s.tok, o, isNew))
		s.defaultClassKnown = false
	case *PodDisruptionBudget:
		stored = stores(s.pdbs.set(s.tok, o, isNew))
	default:
		panic(fmt.Sprintf("cluster: cannot store %T", o))
	}
	return stored
}

// stores reports whether set stored its object.
func stores[T Object](e *entry[T], _ bool) bool { return e != nil }

// putPod stores p and moves its index items when their keys change. An
// item whose key is unchanged needs no work when the entry was updated in
// place, and is pointed at the new entry otherwise.
func (s *Store) putPod(old Object, p *Pod) bool {
	var oldNode, oldUID string
	if old != nil {
		op := old.(*Pod)
		oldNode, oldUID = op.Spec.NodeName, controllerUID(op)
	}
	e, inPlace := s.pods.set(s.tok, p, old == nil)
	if e == nil {
		return false
	}
	reindex(s.podsByNode, e, inPlace, oldNode, p.Spec.NodeName)
	reindex(s.podsByOwner, e, inPlace, oldUID, controllerUID(p))
	return true
}

func reindex(t *btree.BTreeG[indexItem], e *entry[*Pod], inPlace bool, from, to string) {
	if from == to && inPlace {
		return
	}
	if from != "" && from != to {
		t.Delete(indexItem{from, e}) // items compare by key and name only
	}
	if to != "" {
		t.ReplaceOrInsert(indexItem{to, e})
	}
}

func (s *Store) remove(o Object) {
	m := o.Meta()
	switch o := o.(type) {
	case *Node:
		s.nodes.delete(m.Namespace, m.Name)
	case *Pod:
		probe := probeEntry[*Pod](m.Namespace, m.Name)
		if o.Spec.NodeName != "" {
			s.podsByNode.Delete(indexItem{o.Spec.NodeName, probe})
		}
		if uid := controllerUID(o); uid != "" {
			s.podsByOwner.Delete(indexItem{uid, probe})
		}
		s.removedSlot = s.slotOf(o)
		if s.imported != nil {
			s.imported.Delete(keySlot{ns: m.Namespace, name: m.Name})
		}
		s.pods.delete(m.Namespace, m.Name)
	case *DaemonSet:
		s.daemonSets.delete(m.Namespace, m.Name)
	case *ControllerRevision:
		s.revisions.delete(m.Namespace, m.Name)
	case *PriorityClass:
		s.classes.delete(m.Namespace, m.Name)
		s.defaultClassKnown = false
	case *PodDisruptionBudget:
		s.pdbs.delete(m.Namespace, m.Name)
	}
}

// Objects yields every object in ascending Key order (kind, namespace, name).
func (s *Store) Objects() iter.Seq[Object] {
	return func(yield func(Object) bool) {
		_ = yieldAll(s.nodes, yield) && yieldAll(s.classes, yield) && yieldAll(s.daemonSets, yield) &&
			yieldAll(s.revisions, yield) && yieldAll(s.pdbs, yield) && yieldAll(s.pods, yield)
	}
}

// yieldAll yields t's objects in order and reports whether to go on.
func yieldAll[T Object](t tree[T], yield func(Object) bool) bool {
	ok := true
	t.t.Ascend(func(e *entry[T]) bool { ok = yield(e.obj); return ok })
	return ok
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
