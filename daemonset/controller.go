package daemonset

import (
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// DefaultName is the controller's name in the event log.
const DefaultName = "daemonset-controller"

// Config configures a Controller. The zero value gives upstream's settings.
type Config struct {
	// Name is the controller's name in the log; "" means DefaultName.
	Name string
	// BurstReplicas caps creates and deletes per sync; 0 means 250.
	BurstReplicas int
	// BackoffInitial and BackoffMax bound the failed-pod backoff; 0 means
	// 1s and 15m.
	BackoffInitial, BackoffMax time.Duration
	// Admit, when set, is asked about every pod the controller is about to
	// create, after the store's own admission check; an error fails that
	// create as the API server would (a FailedCreate event, and slow start
	// stops after the batch). Tests use it to inject a quota. It is called
	// in a deterministic order and must be deterministic itself. The pod
	// is handed to the store once admitted (cluster.Create.Handoff):
	// Admit may read it but must neither modify nor keep it.
	Admit func(pod *cluster.Pod) error
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Name == "" {
		out.Name = DefaultName
	}
	if out.BurstReplicas == 0 {
		out.BurstReplicas = BurstReplicas
	}
	if out.BackoffInitial == 0 {
		out.BackoffInitial = FailedPodBackoffInitial
	}
	if out.BackoffMax == 0 {
		out.BackoffMax = FailedPodBackoffMax
	}
	return out
}

// Controller is the DaemonSet controller as a pure reconciler: it reads a
// cluster.View and returns a cluster.Plan; it never writes the store. It
// implements sim.Controller. Its work is incremental: every change marks
// the (DaemonSet, node) pairs it can affect, a sync visits only those, and
// the status counters are kept by deltas. A DaemonSet is loaded in full
// (O(nodes + its pods)) when it is created or its spec changes. It keeps
// no rollout report: RolloutReporter does, beside it.
//
// A Controller is not safe for concurrent use.
type Controller struct {
	cfg Config
	// the cache
	sets    map[cluster.Key]*dsState
	all     []*dsState                         // by key
	byUID   map[string]*dsState                // DaemonSet UID -> state
	orphans map[string]map[string]*cluster.Pod // namespace -> name -> live pod with no controller
	// the work
	dirty   []*dsState
	wakes   []cluster.Key           // pod wake-ups to resolve at the next Reconcile
	backoff map[string]backoffEntry // failed-pod backoff by backoffKey
	pass    pass                    // the sync under way (reused)
}

// New returns a controller with cfg (defaults filled in). Start it on an
// empty store, or call Sync with the store's view first.
func New(cfg Config) *Controller {
	c := &Controller{cfg: cfg.withDefaults()}
	c.reset()
	return c
}

func (c *Controller) reset() {
	c.sets = map[cluster.Key]*dsState{}
	c.all = nil
	c.byUID = map[string]*dsState{}
	c.orphans = map[string]map[string]*cluster.Pod{}
	c.dirty = nil
	c.wakes = nil
	c.backoff = map[string]backoffEntry{}
}

// Name returns the controller's name.
func (c *Controller) Name() string { return c.cfg.Name }

// Sync loads the controller's caches from view, for a controller that
// starts on a store that already holds objects. Every DaemonSet is synced
// at the next Reconcile. Cost: O(DaemonSets + pods).
func (c *Controller) Sync(view cluster.View) {
	c.reset()
	for ds := range view.DaemonSets() {
		c.observeDaemonSet(nil, ds)
	}
	for p := range view.Pods() {
		slot, _ := view.PodSlot(p.Namespace, p.Name)
		c.observePod(nil, p, slot)
	}
}

// Observe updates the caches from one applied change and marks what it
// can affect. Cost: O(1) for a pod with a controller, O(DaemonSets) for
// a pod without one and for a node.
func (c *Controller) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		o, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		if o != nil && n != nil && o.Labels.Equal(n.Labels) && slices.Equal(o.Spec.Taints, n.Spec.Taints) {
			return // upstream's shouldIgnoreNodeUpdate: only labels and taints matter
		}
		for _, st := range c.all {
			c.markNode(st, d.Key.Name)
			if e := st.nodes[d.Key.Name]; e != nil {
				e.stale = true
			}
		}
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		c.observePod(o, n, d.Slot)
	case cluster.KindDaemonSet:
		o, _ := d.Old.(*cluster.DaemonSet)
		n, _ := d.New.(*cluster.DaemonSet)
		c.observeDaemonSet(o, n)
	case cluster.KindControllerRevision:
		// any DaemonSet of the namespace may own, adopt or release it
		for _, st := range c.all {
			if st.key.Namespace == d.Key.Namespace {
				st.history.dirty = true
				c.enqueue(st)
			}
		}
	}
}

// Wake marks what a requested wake-up concerns: a pod key marks the pod's
// node for every DaemonSet that has it filed (failed-pod backoff,
// minReadySeconds; done at the next Reconcile, which has the view that
// gives the pod's slot: O(log pods + DaemonSets in the namespace)), a
// DaemonSet key the DaemonSet (a retry after failed creates).
func (c *Controller) Wake(k cluster.Key) {
	switch k.Kind {
	case cluster.KindPod:
		c.wakes = append(c.wakes, k)
	case cluster.KindDaemonSet:
		if st := c.sets[k]; st != nil {
			c.enqueue(st)
		}
	}
}

func (c *Controller) enqueue(st *dsState) {
	if !st.work.queued {
		st.work.queued = true
		c.dirty = append(c.dirty, st)
	}
}

func (c *Controller) markNode(st *dsState, node string) {
	c.enqueue(st)
	if !st.built {
		return // the whole DaemonSet is rebuilt anyway
	}
	c.markEntry(st, c.entry(st, node))
}

// markEntry is markNode for a node entry of a built st.
func (c *Controller) markEntry(st *dsState, e *nodeEntry) {
	c.enqueue(st)
	if !e.dirty {
		e.dirty = true
		st.work.dirtyNodes = append(st.work.dirtyNodes, e)
	}
}

func cmpKey(a, b *dsState) int { return a.key.Compare(b.key) }

// Reconcile syncs every DaemonSet marked since the last call, in key
// order, and returns the creates, deletes, ownership patches, status writes,
// notes and wake-ups they need. Each DaemonSet's work is that of upstream's
// syncDaemonSet restricted to the nodes that changed.
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	for _, k := range c.wakes {
		if slot, ok := view.PodSlot(k.Namespace, k.Name); ok {
			c.eachFiling(k.Namespace, slot, func(st *dsState) {
				if e := st.filed.Get(slot).e; e != nil {
					c.markEntry(st, e)
				}
			})
		}
	}
	c.wakes = c.wakes[:0]
	dirty := c.dirty
	c.dirty = nil
	slices.SortFunc(dirty, cmpKey)
	for _, st := range dirty {
		if c.sets[st.key] != st {
			continue // dropped
		}
		st.work.queued = false
		c.sync(now, view, st, &plan)
	}
	return plan, nil
}
