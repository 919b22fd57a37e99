package cluster

import (
	"iter"

	"github.com/google/btree"
)

// podTree is the pod kind's container: the tree, two secondary indexes
// (pods by node, pods by controller UID), the slots of imported pods and
// the pod created last. The store reaches it through Store.podTree.
type podTree struct {
	*tree[*Pod]
	byNode, byOwner *btree.BTreeG[indexItem]
	// removedSlot is the slot of the pod remove took out last.
	removedSlot uint64
	// imported holds the slots of the pods whose uid the store did not
	// make (an imported object keeps its uid), by key; nil until the first.
	imported *btree.BTreeG[keySlot]
	// lastPod is the pod created last (nil if none): a pod created next
	// shares its equal parts (copyPodSharing).
	lastPod *Pod
}

var _ kindStore = (*podTree)(nil)

func newPodTree() kindStore {
	return &podTree{tree: newTree[*Pod](), byNode: btree.NewG(btreeDegree, indexLess), byOwner: btree.NewG(btreeDegree, indexLess)}
}

// podTree returns s's pod container. O(1).
func (s *Store) podTree() *podTree { return s.trees[KindPod].(*podTree) }

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

func controllerUID(p *Pod) string {
	if r := p.ControllerRef(); r != nil {
		return r.UID
	}
	return ""
}

func (t *podTree) clone() kindStore {
	return &podTree{
		tree:     t.tree.cloneTree(),
		byNode:   t.byNode.Clone(),
		byOwner:  t.byOwner.Clone(),
		imported: cloneImported(t.imported),
		lastPod:  t.lastPod,
	}
}

func cloneImported(t *btree.BTreeG[keySlot]) *btree.BTreeG[keySlot] {
	if t == nil {
		return nil
	}
	return t.Clone()
}

func (t *podTree) keep(o Object) Object { return copyPodSharing(o.(*Pod), t.lastPod) }

// insert stores a created pod and its index items, makes it the pod the
// next one shares with, and records its slot aside when its uid is not
// one the store made at rev.
func (t *podTree) insert(tok *token, rev uint64, o Object) bool {
	p := o.(*Pod)
	if !t.put(tok, nil, p) {
		return false
	}
	t.lastPod = p
	if r, ok := uidRevision(p.UID); !ok || r != rev {
		// a uid the store did not make at this revision: the slot
		// is recorded aside
		if t.imported == nil {
			t.imported = btree.NewG(btreeDegree, keySlotLess)
		}
		t.imported.ReplaceOrInsert(keySlot{ns: p.Namespace, name: p.Name, slot: rev})
	}
	return true
}

func (t *podTree) replace(tok *token, old, o Object) { t.put(tok, old.(*Pod), o.(*Pod)) }

// put stores p and moves its index items when their keys change. An item
// whose key is unchanged needs no work when the entry was updated in
// place, and is pointed at the new entry otherwise. old is nil for a new
// pod; then a taken key changes nothing and put returns false.
func (t *podTree) put(tok *token, old, p *Pod) bool {
	var oldNode, oldUID string
	if old != nil {
		oldNode, oldUID = old.Spec.NodeName, controllerUID(old)
	}
	e, inPlace := t.set(tok, p, old == nil)
	if e == nil {
		return false
	}
	reindex(t.byNode, e, inPlace, oldNode, p.Spec.NodeName)
	reindex(t.byOwner, e, inPlace, oldUID, controllerUID(p))
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

func (t *podTree) remove(o Object) {
	p := o.(*Pod)
	probe := probeEntry[*Pod](p.Namespace, p.Name)
	if p.Spec.NodeName != "" {
		t.byNode.Delete(indexItem{p.Spec.NodeName, probe})
	}
	if uid := controllerUID(p); uid != "" {
		t.byOwner.Delete(indexItem{uid, probe})
	}
	t.removedSlot = t.slotOf(p)
	if t.imported != nil {
		t.imported.Delete(keySlot{ns: p.Namespace, name: p.Name})
	}
	t.delete(p.Namespace, p.Name)
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
func (t *podTree) slotOf(p *Pod) uint64 {
	if t.imported != nil {
		if ks, ok := t.imported.Get(keySlot{ns: p.Namespace, name: p.Name}); ok {
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

// Pod returns the pod. O(log n).
func (s *Store) Pod(namespace, name string) (*Pod, bool) { return s.podTree().get(namespace, name) }

// Pods yields every pod by (namespace, name).
func (s *Store) Pods() iter.Seq[*Pod] { return s.podTree().all() }

// PodCount is the number of pods. O(1).
func (s *Store) PodCount() int { return s.podTree().t.Len() }

// PodsOnNode yields the pods bound to node by (namespace, name).
// O(log n + pods on the node).
func (s *Store) PodsOnNode(node string) iter.Seq[*Pod] { return indexRange(s.podTree().byNode, node) }

// PodsControlledBy yields the pods whose controller reference has the
// given UID, by (namespace, name). O(log n + those pods).
func (s *Store) PodsControlledBy(uid string) iter.Seq[*Pod] {
	return indexRange(s.podTree().byOwner, uid)
}

// PodSlot returns the slot of the pod (Delta.Slot), or false if there is
// no such pod. O(log n).
func (s *Store) PodSlot(namespace, name string) (uint64, bool) {
	t := s.podTree()
	p, ok := t.get(namespace, name)
	if !ok {
		return 0, false
	}
	return t.slotOf(p), true
}
