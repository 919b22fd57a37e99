package tainteviction

import (
	"slices"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/taints"
)

// Name is the controller's name in the event log (upstream's
// taint-eviction-controller).
const Name = "taint-eviction-controller"

// The event reason, and the DisruptionTarget condition the controller
// sets on a pod before it deletes it, in upstream's words.
const (
	ReasonTaintManagerEviction    = "TaintManagerEviction"
	ReasonDeletionByTaintManager  = "DeletionByTaintManager"
	MessageDeletionByTaintManager = "Taint manager: deleting due to NoExecute taint"
)

// Controller is upstream's taint eviction controller as a pure
// reconciler: Observe turns node and pod changes into work, Reconcile
// returns a cluster.Plan with the deletions due, their notes and a timed
// wake-up for the next deadline. It implements sim.Controller. See the
// package doc for the rules, the order and the cost.
//
// A Controller is not safe for concurrent use.
type Controller struct {
	// tainted holds each node's NoExecute taints, as last seen (never an
	// empty list: a node without any is absent); upstream's taintedNodes
	tainted map[string][]taints.Taint
	// works holds the scheduled deletions by pod; queue the same, by
	// (fireAt, key)
	works map[cluster.Key]*work
	queue *btree.BTreeG[*work]
	// onNode counts the scheduled deletions of each node's pods
	onNode map[string]int
	// the dirty nodes and pods since the last Reconcile
	nodes []string
	pods  []cluster.Key
	// fired holds the pods deleted at once in the current Reconcile
	// (upstream's work in progress, which a second AddWork skips)
	fired map[cluster.Key]bool
	// asked holds the instants of the wake-ups asked of the engine that
	// have not come yet, in time order
	asked []time.Time
}

// work is one scheduled deletion: upstream's TimedWorker.
type work struct {
	key       cluster.Key
	node      string
	createdAt time.Time
	fireAt    time.Time
}

func workLess(a, b *work) bool {
	if c := a.fireAt.Compare(b.fireAt); c != 0 {
		return c < 0
	}
	return a.key.Compare(b.key) < 0
}

// New returns a controller that knows nothing yet. Register it on an
// engine with an empty store, or call Sync with the store's view first.
func New() *Controller {
	c := &Controller{}
	c.reset()
	return c
}

func (c *Controller) reset() {
	c.tainted = map[string][]taints.Taint{}
	c.works = map[cluster.Key]*work{}
	c.queue = btree.NewG(16, workLess)
	c.onNode = map[string]int{}
	c.nodes, c.pods = nil, nil
	c.fired = map[cluster.Key]bool{}
	c.asked = nil
}

// Name returns Name.
func (c *Controller) Name() string { return Name }

// Sync forgets everything and marks every node of view that has a
// NoExecute taint, so that the next Reconcile looks at their pods, as
// upstream does when its informers list the objects at start. For a
// controller registered on an engine whose store already holds objects;
// the deadlines of the pods found count from that Reconcile. O(nodes).
func (c *Controller) Sync(view cluster.View) {
	c.reset()
	for n := range view.Nodes() {
		if slices.ContainsFunc(n.Spec.Taints, isNoExecute) {
			c.nodes = append(c.nodes, n.Name)
		}
	}
}

// Observe marks a node whose NoExecute taints changed (a create, a delete,
// or an update whose NoExecute taint list differs, timeAdded included)
// and a pod that was deleted, or created or updated bound to a node with
// its node or tolerations changed; every other change is ignored, as
// upstream's event handlers ignore them (an unbound pod too: upstream
// queues it and then finds no node). O(taints) or O(tolerations).
func (c *Controller) Observe(d cluster.Delta) {
	switch d.Key.Kind {
	case cluster.KindNode:
		o, _ := d.Old.(*cluster.Node)
		n, _ := d.New.(*cluster.Node)
		if o != nil && n != nil && sameNoExecute(o.Spec.Taints, n.Spec.Taints) {
			return
		}
		c.nodes = append(c.nodes, d.Key.Name)
	case cluster.KindPod:
		o, _ := d.Old.(*cluster.Pod)
		n, _ := d.New.(*cluster.Pod)
		if n != nil && !n.IsBound() {
			return // on no node: nothing to do, nothing scheduled
		}
		if o != nil && n != nil && o.Spec.NodeName == n.Spec.NodeName &&
			slices.EqualFunc(o.Spec.Tolerations, n.Spec.Tolerations, taints.Toleration.Equal) {
			return
		}
		c.pods = append(c.pods, d.Key)
	}
}

// Wake is told that the earliest deadline has come; Reconcile deletes
// every pod due, so the key is not needed.
func (c *Controller) Wake(cluster.Key) {}

// Reconcile handles the marked nodes by name, then the marked pods by key
// (upstream's workers take node updates first), then deletes the pods
// whose deadline has come in (deadline, key) order, and asks for a
// wake-up at the next deadline. It never fails. Cost: O(pods on each
// marked node + marked pods + deletions due) times O(log scheduled).
func (c *Controller) Reconcile(now time.Time, view cluster.View) (cluster.Plan, error) {
	var plan cluster.Plan
	i := 0
	for i < len(c.asked) && !c.asked[i].After(now) {
		i++ // that wake-up has come
	}
	c.asked = c.asked[i:]
	nodes := c.nodes
	c.nodes = nil
	slices.Sort(nodes)
	for _, name := range slices.Compact(nodes) {
		c.syncNode(now, view, name, &plan)
	}
	pods := c.pods
	c.pods = nil
	slices.SortFunc(pods, cluster.Key.Compare)
	for _, k := range slices.Compact(pods) {
		c.syncPod(now, view, k, &plan)
	}
	for {
		w, ok := c.queue.Min()
		if !ok || w.fireAt.After(now) {
			break
		}
		c.remove(w)
		c.delete(now, view, w.key, &plan)
	}
	clear(c.fired)
	c.askWake(now, &plan)
	return plan, nil
}

// syncNode is upstream's handleNodeUpdate.
func (c *Controller) syncNode(now time.Time, view cluster.View, name string, plan *cluster.Plan) {
	n, ok := view.Node(name)
	if !ok {
		// the pods are pod GC's; their scheduled deletions stay
		delete(c.tainted, name)
		return
	}
	ts := noExecute(n.Spec.Taints)
	if len(ts) == 0 {
		delete(c.tainted, name)
		if c.onNode[name] == 0 {
			return // nothing to cancel
		}
		for p := range view.PodsOnNode(name) {
			c.cancel(cluster.KeyOf(p), plan)
		}
		return
	}
	c.tainted[name] = ts
	for p := range view.PodsOnNode(name) {
		c.process(now, p, ts, plan)
	}
}

// syncPod is upstream's handlePodUpdate.
func (c *Controller) syncPod(now time.Time, view cluster.View, k cluster.Key, plan *cluster.Plan) {
	p, ok := view.Pod(k.Namespace, k.Name)
	if !ok {
		c.cancel(k, plan)
		return
	}
	if !p.IsBound() {
		return
	}
	if ts, ok := c.tainted[p.Spec.NodeName]; ok {
		c.process(now, p, ts, plan)
	}
}

// process is upstream's processPodOnNode: ts are the NoExecute taints of
// p's node.
func (c *Controller) process(now time.Time, p *cluster.Pod, ts []taints.Taint, plan *cluster.Plan) {
	k := cluster.KeyOf(p)
	if c.fired[k] {
		return // deleted in this round already
	}
	action, delay := Decide(ts, p.Spec.Tolerations)
	switch action {
	case Keep:
		c.cancel(k, plan)
	case DeleteNow:
		c.cancel(k, plan)
		c.deleteNow(now, p, plan)
	case DeleteAfter:
		if _, ok := c.works[k]; ok {
			return // a scheduled deletion keeps its deadline
		}
		if delay <= 0 {
			c.deleteNow(now, p, plan)
			return
		}
		w := &work{key: k, node: p.Spec.NodeName, createdAt: now, fireAt: now.Add(delay)}
		c.works[k] = w
		c.queue.ReplaceOrInsert(w)
		c.onNode[w.node]++
	}
}

// deleteNow deletes p in this round (upstream's AddWork with fireAt =
// now, which runs the work at once).
func (c *Controller) deleteNow(now time.Time, p *cluster.Pod, plan *cluster.Plan) {
	k := cluster.KeyOf(p)
	c.fired[k] = true
	c.deletePod(now, p, k, plan)
}

// cancel drops k's scheduled deletion, if any, with upstream's event.
func (c *Controller) cancel(k cluster.Key, plan *cluster.Plan) {
	w, ok := c.works[k]
	if !ok {
		return
	}
	c.remove(w)
	plan.Notes = append(plan.Notes, cluster.Note{Object: k, Type: cluster.NoteNormal, Reason: ReasonTaintManagerEviction,
		Message: "Cancelling deletion of Pod " + k.Namespace + "/" + k.Name})
}

func (c *Controller) remove(w *work) {
	delete(c.works, w.key)
	c.queue.Delete(w)
	if c.onNode[w.node]--; c.onNode[w.node] <= 0 {
		delete(c.onNode, w.node)
	}
}

// delete fires k's scheduled deletion.
func (c *Controller) delete(now time.Time, view cluster.View, k cluster.Key, plan *cluster.Plan) {
	p, ok := view.Pod(k.Namespace, k.Name)
	if !ok {
		// upstream records the event, then its GET fails
		plan.Notes = append(plan.Notes, markingNote(k))
		return
	}
	c.deletePod(now, p, k, plan)
}

func markingNote(k cluster.Key) cluster.Note {
	return cluster.Note{Object: k, Type: cluster.NoteNormal, Reason: ReasonTaintManagerEviction,
		Message: "Marking for deletion Pod " + k.Namespace + "/" + k.Name}
}

// deletePod is upstream's deletePodHandler: the event, the
// DisruptionTarget condition (a status write when it changes), then a
// Delete with the pod's own grace period. A pod already terminating is not
// deleted again: upstream's DELETE without a grace period finds the
// graceful deletion pending and changes nothing.
func (c *Controller) deletePod(now time.Time, p *cluster.Pod, k cluster.Key, plan *cluster.Plan) {
	plan.Notes = append(plan.Notes, markingNote(k))
	cp := *p
	cp.Status.Conditions = append(make([]cluster.PodCondition, 0, len(p.Status.Conditions)+1), p.Status.Conditions...)
	if cluster.SetPodCondition(&cp.Status, cluster.PodCondition{Type: cluster.DisruptionTarget, Status: cluster.ConditionTrue,
		Reason: ReasonDeletionByTaintManager, Message: MessageDeletionByTaintManager}, now) {
		plan.Changes = append(plan.Changes, cluster.UpdateStatus{Object: &cp, Handoff: true})
	}
	if p.IsTerminating() {
		return
	}
	plan.Changes = append(plan.Changes, cluster.Delete{Key: k})
}

// askWake asks the engine for a wake-up at the earliest deadline, unless
// one at that instant is already coming. (One asked for an earlier
// instant still needs this one: the round it starts asks only for what is
// not coming.) O(log asked), plus the insertion.
func (c *Controller) askWake(now time.Time, plan *cluster.Plan) {
	w, ok := c.queue.Min()
	if !ok {
		return
	}
	i, found := slices.BinarySearchFunc(c.asked, w.fireAt, time.Time.Compare)
	if found {
		return
	}
	c.asked = slices.Insert(c.asked, i, w.fireAt)
	plan.Requeue = append(plan.Requeue, cluster.Requeue{Key: w.key, After: w.fireAt.Sub(now)})
}

// Deadline returns when the scheduled deletion of pod k fires, and when
// the controller scheduled it (the instant it saw the taint); ok is false
// when none is scheduled. O(1).
func (c *Controller) Deadline(k cluster.Key) (fireAt, createdAt time.Time, ok bool) {
	w, ok := c.works[k]
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return w.fireAt, w.createdAt, true
}

// Scheduled returns the number of scheduled deletions. O(1).
func (c *Controller) Scheduled() int { return len(c.works) }

func isNoExecute(t taints.Taint) bool { return t.Effect == taints.NoExecute }

// noExecute returns the NoExecute taints of ts in order, as a new slice
// (nil when there are none).
func noExecute(ts []taints.Taint) []taints.Taint {
	var out []taints.Taint
	for _, t := range ts {
		if isNoExecute(t) {
			out = append(out, t)
		}
	}
	return out
}

// sameNoExecute reports whether a and b have the same NoExecute taints in
// the same order, timeAdded included (upstream's semantic DeepEqual of
// the filtered lists).
func sameNoExecute(a, b []taints.Taint) bool {
	i, j := 0, 0
	for {
		for i < len(a) && !isNoExecute(a[i]) {
			i++
		}
		for j < len(b) && !isNoExecute(b[j]) {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if !sameTaint(a[i], b[j]) {
			return false
		}
		i++
		j++
	}
}

func sameTaint(a, b taints.Taint) bool {
	if a.Key != b.Key || a.Value != b.Value || a.Effect != b.Effect {
		return false
	}
	if a.TimeAdded == nil || b.TimeAdded == nil {
		return a.TimeAdded == b.TimeAdded
	}
	return a.TimeAdded.Equal(*b.TimeAdded)
}
