package cluster

import (
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/field"
)

// Kind identifies an object type. Kinds order the store: nodes first.
// Each kind is described once, in the kind table (see the package doc's
// "The kind table"); String, Namespaced and ParseKind read it.
type Kind uint8

// The kinds the store holds, in store order. Kinds added later (such as
// KindReplicaSet) come after these, so that the order of the objects of
// these kinds, and every digest of a store that holds only them, stay as
// they were.
const (
	KindNode Kind = iota + 1
	KindPriorityClass
	KindDaemonSet
	KindControllerRevision
	KindPodDisruptionBudget
	KindPod
)

// String returns the lower-case kind name ("pod"), "" for the zero Kind,
// or "kind(N)" for a kind the table does not describe.
func (k Kind) String() string {
	if ki := kinds[k]; ki != nil {
		return ki.name
	}
	if k == 0 {
		return ""
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Namespaced reports whether objects of the kind live in a namespace
// (true for a kind the table does not describe).
func (k Kind) Namespaced() bool {
	if ki := kinds[k]; ki != nil {
		return ki.namespaced
	}
	return true
}

// ParseKind returns the kind named by s ("pod", "node", ...), as String
// renders it.
func ParseKind(s string) (Kind, bool) {
	for _, ki := range kinds {
		if ki != nil && ki.name == s {
			return ki.kind, true
		}
	}
	return 0, false
}

// ParseKey parses a key as Key.String renders it: "pod/default/web-0", or
// "node/n1" for a cluster-scoped kind. It fails on an unknown kind or a
// key without the parts its kind needs; an invalid name is not checked.
func ParseKey(s string) (Key, error) {
	kind, rest, ok := strings.Cut(s, "/")
	k, known := ParseKind(kind)
	switch {
	case !known:
		return Key{}, fmt.Errorf("key %q: unknown kind %q", s, kind)
	case !ok:
		return Key{}, fmt.Errorf("key %q: no name", s)
	case !k.Namespaced():
		return Key{Kind: k, Name: rest}, nil
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		return Key{}, fmt.Errorf("key %q: a %s key is kind/namespace/name", s, k)
	}
	return Key{Kind: k, Namespace: ns, Name: name}, nil
}

// NewObject returns a new, empty object of kind k (a *Pod for KindPod),
// for instance to decode an object of a logged key into:
//
//	key, _ := cluster.ParseKey(line.Key)
//	o, _ := cluster.NewObject(key.Kind)
//	err := json.Unmarshal(line.Object, o)
//
// It returns false for a kind the table does not describe.
func NewObject(k Kind) (Object, bool) {
	if ki := kinds[k]; ki != nil {
		return ki.newObject(), true
	}
	return nil, false
}

// DecodeObject decodes the JSON of an object of kind k (as json.Marshal,
// Digest and the event log write it) into a new object of that kind.
func DecodeObject(k Kind, data []byte) (Object, error) {
	o, ok := NewObject(k)
	if !ok {
		return nil, fmt.Errorf("decode %s: unknown kind", k)
	}
	if err := json.Unmarshal(data, o); err != nil {
		return nil, fmt.Errorf("decode %s: %w", k, err)
	}
	return o, nil
}

// kinds is the kind table, indexed by Kind (a uint8, so that a lookup
// needs no bounds check); nil where no kind is registered. It is filled
// by registerKind from the init functions of the kinds' files and only
// read afterwards; so no package-level variable of this package may be
// initialized with a Store (init functions run after those).
var kinds [256]*kindInfo

// kindSlots is one more than the highest registered Kind: the length of a
// new store's table of trees.
var kindSlots int

// kindInfo is one kind's entry in the kind table: everything the store,
// the changes, admission, validation, the digest and the object encoding
// need to know of the kind. It is made from a kindDef by registerKind;
// the functions take objects of the kind's type (they panic on others).
// Optional parts are nil when the kind has none.
type kindInfo struct {
	kind       Kind
	name       string
	namespaced bool

	// newObject returns an empty object of the kind.
	newObject func() Object
	// check reports whether o is of the kind's type, and if so whether
	// it is a nil pointer.
	check func(o Object) (ofKind, isNil bool)
	// newStore returns the empty container a store keeps the kind's
	// objects in (a tree, with indexes for pods).
	newStore func() kindStore

	defaults       func(Object)
	validate       func(o Object, discard bool) field.ErrorList
	validateUpdate func(old, new Object) field.ErrorList
	prepareCreate  func(Object) field.ErrorList
	prepareUpdate  func(old, new Object)
	admitCreate    func(s *Store, o Object) error
	admitUpdate    func(s *Store, o Object) error
	spec           func(Object) any
	keepStatus     func(dst, src Object)
	writeStatus    func(old, in Object, handoff bool) (Object, field.ErrorList)
	deletionGrace  func(o Object, requested *int64) int64
}

// objectPtr is the constraint of a kind's object type: a pointer to a
// struct E that is an Object.
type objectPtr[E any] interface {
	*E
	Object
}

// kindDef describes a kind, typed: a kind's file fills one in and
// registers it from an init function with registerKind. Only kind, name
// and validate are required.
type kindDef[E any, T objectPtr[E]] struct {
	kind       Kind
	name       string // lower case, as in keys and logs: "replicaset"
	namespaced bool

	// store returns the empty container for the kind's objects; nil
	// means a plain tree, ordered by (namespace, name).
	store func() kindStore

	// defaults is the API server's defaulting (SetDefaults_*), in place;
	// the namespace of a namespaced kind is defaulted before it.
	defaults func(T)
	// validate is create validation (Validate* with the metadata
	// checks). With discard it may build no paths (its paths are
	// field.Discard): Validate calls it once with discard and, only if
	// that found something, again without.
	validate func(o T, discard bool) field.ErrorList
	// validateUpdate is what update validation adds to validate(new),
	// beyond the generic metadata rules (ValidateUpdate).
	validateUpdate func(old, new T) field.ErrorList
	// prepareCreate is the strategy's PrepareForCreate, run after
	// validation and before admission; its errors join validation's.
	prepareCreate func(T) field.ErrorList
	// prepareUpdate is the strategy's PrepareForUpdate, run after
	// validation of an update.
	prepareUpdate func(old, new T)
	// admitCreate and admitUpdate are the admission plugins the
	// simulator models, on a valid object; they may edit it.
	admitCreate func(s *Store, o T) error
	admitUpdate func(s *Store, o T) error
	// spec returns what metadata.generation counts changes of (its JSON
	// is compared); nil means no generation bumps.
	spec func(T) any
	// keepStatus sets dst's status to a copy of src's: an Update keeps
	// the stored status. nil for a kind without status.
	keepStatus func(dst, src T)
	// writeStatus is the status subresource: the new version with old's
	// metadata and spec and in's status (in itself when handoff, else a
	// copy), and the status validation's errors. nil means the kind has
	// no status: a status write changes only the resourceVersion.
	writeStatus func(old, in T, handoff bool) (T, field.ErrorList)
	// deletionGrace is set for kinds deleted gracefully (pods): the
	// grace period of a Delete (requested may be nil). A terminating
	// object of such a kind with a positive grace period leaves the store
	// through a zero-grace Delete, not when its last finalizer goes.
	deletionGrace func(o T, requested *int64) int64
}

// registerKind enters d in the kind table; it panics if d.kind is 0 or
// taken, or a required part is missing (a broken kind definition).
func registerKind[E any, T objectPtr[E]](d kindDef[E, T]) {
	if d.kind == 0 || kinds[d.kind] != nil || d.name == "" || d.validate == nil {
		panic(fmt.Sprintf("cluster: bad or duplicate kind definition %d %q", d.kind, d.name))
	}
	ki := &kindInfo{
		kind:       d.kind,
		name:       d.name,
		namespaced: d.namespaced,
		newObject:  func() Object { return T(new(E)) },
		check: func(o Object) (bool, bool) {
			p, ok := o.(T)
			return ok, ok && p == nil
		},
		newStore: d.store,
		validate: func(o Object, discard bool) field.ErrorList { return d.validate(o.(T), discard) },
	}
	if ki.newStore == nil {
		ki.newStore = func() kindStore { return newTree[T]() }
	}
	if f := d.defaults; f != nil {
		ki.defaults = func(o Object) { f(o.(T)) }
	}
	if f := d.validateUpdate; f != nil {
		ki.validateUpdate = func(old, new Object) field.ErrorList { return f(old.(T), new.(T)) }
	}
	if f := d.prepareCreate; f != nil {
		ki.prepareCreate = func(o Object) field.ErrorList { return f(o.(T)) }
	}
	if f := d.prepareUpdate; f != nil {
		ki.prepareUpdate = func(old, new Object) { f(old.(T), new.(T)) }
	}
	if f := d.admitCreate; f != nil {
		ki.admitCreate = func(s *Store, o Object) error { return f(s, o.(T)) }
	}
	if f := d.admitUpdate; f != nil {
		ki.admitUpdate = func(s *Store, o Object) error { return f(s, o.(T)) }
	}
	if f := d.spec; f != nil {
		ki.spec = func(o Object) any { return f(o.(T)) }
	}
	if f := d.keepStatus; f != nil {
		ki.keepStatus = func(dst, src Object) { f(dst.(T), src.(T)) }
	}
	if f := d.writeStatus; f != nil {
		ki.writeStatus = func(old, in Object, handoff bool) (Object, field.ErrorList) {
			o, errs := f(old.(T), in.(T), handoff)
			return o, errs
		}
	}
	if f := d.deletionGrace; f != nil {
		ki.deletionGrace = func(o Object, requested *int64) int64 { return f(o.(T), requested) }
	}
	kinds[d.kind] = ki
	kindSlots = max(kindSlots, int(d.kind)+1)
}

// kindOf returns the kind table's entry for o, or nil when o is of no
// registered kind's type; isNil reports a nil pointer of that type.
func kindOf(o Object) (ki *kindInfo, isNil bool) {
	if o == nil {
		return nil, true
	}
	ki = kinds[o.ObjectKind()]
	if ki == nil {
		return nil, false
	}
	ofKind, isNil := ki.check(o)
	if !ofKind {
		return nil, false
	}
	return ki, isNil
}

// isGraceful reports whether o, of kind ki, is terminating on its grace
// period (it leaves through a zero-grace Delete, not through finalizers).
func (ki *kindInfo) isGraceful(o Object) bool {
	g := o.Meta().DeletionGracePeriodSeconds
	return ki.deletionGrace != nil && g != nil && *g > 0
}

// ---------------------------------------------------------------- containers

// kindStore holds the objects of one kind in a store: a tree ordered by
// (namespace, name), and whatever indexes the kind keeps (pods: by node
// and by controller). The store calls it with objects of the kind only.
// Writes to it are the store's; a clone shares everything copy-on-write.
type kindStore interface {
	// lookup returns the object called (ns, name). O(log n).
	lookup(ns, name string) (Object, bool)
	// keep returns the copy of o the store keeps on a create: a DeepCopy
	// (pods share parts with the pod created before).
	keep(o Object) Object
	// insert adds o, created at revision rev, unless its key is taken:
	// then it changes nothing and returns false.
	insert(tok *token, rev uint64, o Object) bool
	// replace stores o in place of old, the stored version of its key.
	replace(tok *token, old, o Object)
	// remove takes out o, a stored object.
	remove(o Object)
	// clone returns a copy-on-write copy. O(1).
	clone() kindStore
	// count is the number of objects. O(1).
	count() int
	// ascend yields the objects in (namespace, name) order and reports
	// whether yield asked to go on.
	ascend(yield func(Object) bool) bool
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
// A *tree is the kindStore of every kind that keeps no index.
type tree[T Object] struct {
	t     *btree.BTreeG[*entry[T]]
	probe *entry[T]
	hint  *entry[T]
}

var _ kindStore = (*tree[*Node])(nil)

func newTree[T Object]() *tree[T] {
	return &tree[T]{t: btree.NewG(btreeDegree, entryLess[T]), probe: probeEntry[T]("", "")}
}

// cloneTree shares the entries copy-on-write; the hint stays with t (its
// entry is still in t) and the clone starts without one.
func (t *tree[T]) cloneTree() *tree[T] {
	return &tree[T]{t: t.t.Clone(), probe: probeEntry[T]("", "")}
}

func (t *tree[T]) find(ns, name string) (*entry[T], bool) {
	if h := t.hint; h != nil && h.meta.Name == name && h.meta.Namespace == ns {
		return h, true
	}
	p := t.probe
	p.meta.Namespace, p.meta.Name = ns, name
	e, ok := t.t.Get(p)
	if ok {
		t.hint = e
	}
	return e, ok
}

func (t *tree[T]) get(ns, name string) (T, bool) {
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
func (t *tree[T]) set(tok *token, o T, isNew bool) (e *entry[T], inPlace bool) {
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
	t.hint = e
	return e, false
}

func (t *tree[T]) delete(ns, name string) {
	p := t.probe
	p.meta.Namespace, p.meta.Name = ns, name
	t.t.Delete(p)
	t.hint = nil
}

func (t *tree[T]) all() iter.Seq[T] {
	return func(yield func(T) bool) { t.t.Ascend(func(e *entry[T]) bool { return yield(e.obj) }) }
}

func (t *tree[T]) inNamespace(ns string) iter.Seq[T] {
	return func(yield func(T) bool) {
		t.t.AscendGreaterOrEqual(probeEntry[T](ns, ""), func(e *entry[T]) bool {
			if e.meta.Namespace != ns {
				return false
			}
			return yield(e.obj)
		})
	}
}

func (t *tree[T]) lookup(ns, name string) (Object, bool) {
	if e, ok := t.find(ns, name); ok {
		return e.obj, true
	}
	return nil, false
}

func (t *tree[T]) keep(o Object) Object { return o.DeepCopyObject() }

func (t *tree[T]) insert(tok *token, _ uint64, o Object) bool {
	e, _ := t.set(tok, o.(T), true)
	return e != nil
}

func (t *tree[T]) replace(tok *token, _, o Object) { t.set(tok, o.(T), false) }

func (t *tree[T]) remove(o Object) {
	m := o.Meta()
	t.delete(m.Namespace, m.Name)
}

func (t *tree[T]) clone() kindStore { return t.cloneTree() }

func (t *tree[T]) count() int { return t.t.Len() }

func (t *tree[T]) ascend(yield func(Object) bool) bool {
	ok := true
	t.t.Ascend(func(e *entry[T]) bool { ok = yield(e.obj); return ok })
	return ok
}

// treeOf returns s's tree of kind k, whose objects are of type T. It
// panics if k's container is not a plain tree of T (a broken kind
// definition).
func treeOf[T Object](s *Store, k Kind) *tree[T] { return s.trees[k].(*tree[T]) }
