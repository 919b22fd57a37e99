package replicaset

import (
	"cmp"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// DefaultName is the controller's name in the event log.
const DefaultName = "replicaset-controller"

// The controller's constants, with upstream's values
// (pkg/controller/replicaset, pkg/controller/controller_utils.go).
const (
	// BurstReplicas caps the creates, and separately the deletes, of one
	// sync.
	BurstReplicas = 500
	// SlowStartInitialBatchSize is the first create batch of a sync; each
	// next batch doubles while every create succeeds.
	SlowStartInitialBatchSize = 1
	// ExpectationsTimeout is how long a sync waits for the creates and
	// deletes it planned to be observed before it acts again regardless.
	ExpectationsTimeout = 5 * time.Minute
	// PodDeletionCostAnnotation is the pod annotation whose integer value
	// (int32; missing or invalid counts as 0) makes a pod be deleted later
	// the higher it is (the PodDeletionCost feature, on by default).
	PodDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"
)

// The event reasons the controller records (upstream's pod control's).
const (
	ReasonSuccessfulCreate = "SuccessfulCreate"
	ReasonFailedCreate     = "FailedCreate"
	ReasonSuccessfulDelete = "SuccessfulDelete"
	ReasonFailedDelete     = "FailedDelete"
)

// Config configures a Controller. The zero value gives upstream's
// settings.
type Config struct {
	// Name is the controller's name in the log; "" means DefaultName.
	Name string
	// BurstReplicas caps creates and deletes per sync; 0 means 500.
	BurstReplicas int
	// Admit, when set, is asked about every pod the controller is about to
	// create, after the store's own admission check; an error fails that
	// create as the API server would (a FailedCreate event, slow start
	// stops after the batch, the ReplicaFailure condition, a retry with
	// backoff). Tests use it to inject a quota. It is called in a
	// deterministic order and must be deterministic itself; it may read
	// the pod but must neither modify nor keep it (the pod is handed to the
	// store once admitted).
	Admit func(pod *cluster.Pod) error
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Name == "" {
		out.Name = DefaultName
	}
	if out.BurstReplicas <= 0 {
		out.BurstReplicas = BurstReplicas
	}
	return out
}

// Controller is the ReplicaSet controller as a pure reconciler: it reads a
// cluster.View and returns a cluster.Plan; it never writes the store. It
// implements sim.Controller. See the package doc for what a sync does, its
// order and its cost.
//
// A Controller is not safe for concurrent use.
type Controller struct {
	cfg Config
	// the cache
	sets    map[cluster.Key]*rsState
	all     []*rsState                         // by key
	byUID   map[string]*rsState                // ReplicaSet UID -> state
	groups  map[string][]*rsState              // controller owner UID -> its ReplicaSets, by key
	orphans map[string]map[string]*cluster.Pod // namespace -> name -> active pod with no controller
	// adopting lists, per pod slot, the ReplicaSets that filed an orphan
	// they adopt before the store shows the new owner
	adopting map[uint64][]*rsState
	// the work
	dirty []*rsState
}

// New returns a controller with cfg (defaults filled in). Start it on an
// empty store, or call Sync with the store's view first.
func New(cfg Config) *Controller {
	c := &Controller{cfg: cfg.withDefaults()}
	c.reset()
	return c
}

func (c *Controller) reset() {
	c.sets = map[cluster.Key]*rsState{}
	c.all = nil
	c.byUID = map[string]*rsState{}
	c.groups = map[string][]*rsState{}
	c.orphans = map[string]map[string]*cluster.Pod{}
	c.adopting = map[uint64][]*rsState{}
	c.dirty = nil
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.cfg.Name }

// Sync loads the controller's caches from view, for a controller that
// starts on a store that already holds objects. Every ReplicaSet is synced
// at the next Reconcile. Cost: O(objects in the store).
func (c *Controller) Sync(view cluster.View) {
	c.reset()
	for o := range view.Objects() {
		if rs, ok := o.(*cluster.ReplicaSet); ok {
			c.observeReplicaSet(nil, rs)
		}
	}
	for p := range view.Pods() {
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		c.observePod(nil, p, slot, false)
	}
}

// Observe updates the caches from one applied change and marks the
// ReplicaSets it concerns. Cost: O(1) for a pod with a controller
// reference (and a pod being adopted), O(ReplicaSets in the namespace) for
// an orphan whose labels or owner changed, O(orphans in the namespace) for
// a new ReplicaSet, O(its pods) for a ReplicaSet whose template labels or
// minReadySeconds changed; nodes and other kinds are ignored.
func (c *Controller) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		c.observePod(o, n, d.Slot, true)
	case cluster.KindReplicaSet:
		o, _ := d.Old.(*cluster.ReplicaSet)
		n, _ := d.New.(*cluster.ReplicaSet)
		c.observeReplicaSet(o, n)
	}
}

// Refused is told (sim.RefusalObserver) of a create or delete of this
// controller's that the store refused: it will never be observed, so its
// expectation is lowered at once and the ReplicaSet synced again, as
// upstream's manageReplicas does when a create or delete request fails
// (CreationObserved, DeletionObserved). Other changes are ignored.
func (c *Controller) Refused(ch cluster.Change, _ error) {
	switch x := ch.(type) {
	case cluster.Create:
		p, ok := x.Object.(*cluster.Pod)
		if !ok {
			return
		}
		if st := c.byUID[ownerUID(&p.ObjectMeta)]; st != nil && st.exp.set {
			st.exp.add--
			c.enqueue(st)
		}
	case cluster.Delete:
		if x.Key.Kind != cluster.KindPod {
			return
		}
		for _, st := range c.inNamespace(x.Key.Namespace) {
			if st.exp.del[x.Key.Name] {
				st.exp.deletionObserved(x.Key.Name)
				c.enqueue(st)
			}
		}
	}
}

// Wake marks the ReplicaSet a requested wake-up names (an availability
// check, expired expectations, a retry after failed creates). Other keys
// are ignored.
func (c *Controller) Wake(k cluster.Key) {
	if k.Kind != cluster.KindReplicaSet {
		return
	}
	if st := c.sets[k]; st != nil {
		c.enqueue(st)
	}
}

func (c *Controller) enqueue(st *rsState) {
	if !st.queued {
		st.queued = true
		c.dirty = append(c.dirty, st)
	}
}

// Reconcile syncs every ReplicaSet marked since the last call, in key
// order, and returns the creates, deletes, ownership updates, status
// writes, notes and wake-ups they need. It never fails.
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	dirty := c.dirty
	c.dirty = nil
	slices.SortFunc(dirty, func(a, b *rsState) int { return a.key.Compare(b.key) })
	for _, st := range dirty {
		if st.dropped {
			continue
		}
		st.queued = false
		c.sync(now, view, st, &plan)
	}
	return plan, nil
}

// insertSorted inserts st into l, kept in key order.
func insertSorted(l []*rsState, st *rsState) []*rsState {
	i, _ := slices.BinarySearchFunc(l, st.key, func(s *rsState, k cluster.Key) int { return s.key.Compare(k) })
	return slices.Insert(l, i, st)
}

// removeSorted removes st from l, kept in key order.
func removeSorted(l []*rsState, st *rsState) []*rsState {
	if i, ok := slices.BinarySearchFunc(l, st.key, func(s *rsState, k cluster.Key) int { return s.key.Compare(k) }); ok && l[i] == st {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// inNamespace returns the ReplicaSets of namespace ns, by name.
func (c *Controller) inNamespace(ns string) []*rsState {
	i, _ := slices.BinarySearchFunc(c.all, ns, func(st *rsState, ns string) int { return cmp.Compare(st.key.Namespace, ns) })
	j := i
	for j < len(c.all) && c.all[j].key.Namespace == ns {
		j++
	}
	return c.all[i:j]
}
