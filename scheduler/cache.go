package scheduler

import (
	"slices"
	"strings"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// podState says where a pod known to the scheduler is.
type podState uint8

const (
	// podOnNode: bound (or assumed) and counted on its node.
	podOnNode podState = iota + 1
	// podActive: pending, to be tried at the next reconcile.
	podActive
	// podUnschedulable: pending, tried and failed; waits for a cluster
	// event that could make it fit.
	podUnschedulable
)

// podInfo is what the scheduler keeps of one pod: bound pods for the node
// accounting (the scheduler cache), this scheduler's pending pods for the
// queue and the nominator.
type podInfo struct {
	pod   *cluster.Pod // latest observed object; shared, read-only
	slot  uint64       // the pod's store slot (cluster.Delta.Slot)
	seq   uint64       // the order the scheduler first saw the pod
	state podState

	// accounting, on a node
	node     string
	assumed  bool // bound by this scheduler, bind not yet observed
	req      resources
	nonzero  cpuMemory // cpu and memory with scoring defaults
	ports    []hostPort
	priority int32

	labeled    bool  // has labels (a PDB can select it)
	chained    bool  // pod is a status this scheduler planned, not yet stored
	started    bool  // status.startTime is set
	startNanos int64 // status.startTime in Unix nanoseconds

	// queue: upstream's queue timestamp, as the instant the pod last
	// entered the queue (Unix nanoseconds, set at the first Reconcile
	// after it arrived, or at its failure) and the arrival order of that
	// entry, so that pods queued at one instant keep the order they came in
	enqueued    int64
	enqueuedSet bool
	enqSeq      uint64
	nominated   string // node this pending pod is nominated to
	class       uint64 // equivalence class; 0 until classified
}

// key returns the pod's key.
func (pi *podInfo) key() cluster.Key {
	return cluster.Key{Kind: cluster.KindPod, Namespace: pi.pod.Namespace, Name: pi.pod.Name}
}

// compareKeys orders pods as their keys.
func compareKeys(a, b *podInfo) int { return a.key().Compare(b.key()) }

func (c *cache) newPodInfo(p *cluster.Pod, slot uint64) *podInfo {
	c.seq++
	pi := &podInfo{slot: slot, seq: c.seq}
	pi.setPod(p)
	return pi
}

// statusRV is the precondition of a status write of the pod: the stored
// version's, or none when pod is a version this pass already planned (the
// write then applies after that one, as upstream's patches do).
func (pi *podInfo) statusRV() uint64 {
	if pi.chained {
		return 0
	}
	return pi.pod.ResourceVersion
}

// planned records p, a status write of the pod handed to the store in this
// pass, as the pod's version until the store's own is observed.
func (pi *podInfo) planned(p *cluster.Pod) {
	pi.pod, pi.chained = p, true
}

func (pi *podInfo) setStatus(p *cluster.Pod) {
	pi.chained = false
	pi.pod = p
	pi.started = p.Status.StartTime != nil
	if pi.started {
		pi.startNanos = p.Status.StartTime.UnixNano()
	}
}

func (pi *podInfo) setPod(p *cluster.Pod) {
	pi.setStatus(p)
	pi.class = 0
	pi.labeled = len(p.Labels) > 0
	pi.priority = p.PriorityValue()
	pi.req = podRequests(p, false)
	nz := podRequests(p, true)
	pi.nonzero = cpuMemory{milliCPU: nz.milliCPU, memory: nz.memory}
	pi.ports = podHostPorts(p)
}

// nodeState is the part of a node's accounting the filters read: what its
// pods request, how many there are and which host ports they hold.
type nodeState struct {
	requested resources
	nonzero   cpuMemory
	podCount  int
	ports     []hostPort // a set, as upstream's HostPortInfo: see add
}

func (st *nodeState) add(pi *podInfo, sign int) {
	st.requested.add(&pi.req, int64(sign))
	st.nonzero.milliCPU += int64(sign) * pi.nonzero.milliCPU
	st.nonzero.memory += int64(sign) * pi.nonzero.memory
	st.podCount += sign
	// host ports are a set, as upstream's NodeInfo keeps them: when two
	// pods hold one port (possible only for pods created bound to the
	// node), removing either frees it, also in preemption's dry runs
	if sign > 0 {
		for _, p := range pi.ports {
			if !slices.Contains(st.ports, p) {
				st.ports = append(st.ports, p)
			}
		}
		return
	}
	for _, p := range pi.ports {
		st.ports = slices.DeleteFunc(st.ports, func(q hostPort) bool { return q == p })
	}
}

// reclaimPorts puts pi's host ports back into its node's set.
func (c *cache) reclaimPorts(pi *podInfo) {
	ni, ok := c.byName[pi.node]
	if !ok {
		return
	}
	for _, p := range pi.ports {
		if !slices.Contains(ni.ports, p) {
			ni.ports = append(ni.ports, p)
			ni.gen++
		}
	}
}

func (st *nodeState) clone() nodeState {
	c := *st
	c.requested = st.requested.clone()
	c.ports = slices.Clone(st.ports)
	return c
}

// nodeInfo is the scheduler's view of one node: the node's fields the
// filters read, precomputed, and the accounting of the pods on it. A
// nodeInfo outlives its node while pods still name it.
type nodeInfo struct {
	name string
	node *cluster.Node // nil once the node is deleted
	rank int           // index in cache.nodes while live (name order), once cache.ranks ran

	unschedulable bool
	labels        selector.Set
	taints        []taints.Taint
	hasHardTaints bool // a NoSchedule or NoExecute taint
	hasSoftTaints bool // a PreferNoSchedule taint
	alloc         resources
	allowedPods   int64

	nodeState
	pods      []*podInfo // in the order they arrived
	nominated []*podInfo // pending pods nominated here, in the order nominated

	// gen is bumped by every change to the node, its pods or the pods
	// nominated to it; the memos are valid at one generation.
	gen        uint64
	filterMemo filterMemo
	victimMemo victimMemo
}

func (ni *nodeInfo) setNode(n *cluster.Node) {
	ni.gen++
	ni.node = n
	ni.unschedulable = n.Spec.Unschedulable
	ni.labels = n.Labels
	ni.taints = n.Spec.Taints
	ni.hasHardTaints, ni.hasSoftTaints = false, false
	for _, t := range n.Spec.Taints {
		if taints.DoNotScheduleFilter(t) {
			ni.hasHardTaints = true
		} else if t.Effect == taints.PreferNoSchedule {
			ni.hasSoftTaints = true
		}
	}
	alloc := n.Allocatable()
	ni.alloc = fromList(alloc, false)
	ni.allowedPods = 0
	if q, ok := alloc.Get(cluster.ResourcePods); ok {
		ni.allowedPods = q.Value()
	}
}

func (ni *nodeInfo) addPod(pi *podInfo) {
	ni.gen++
	ni.pods = append(ni.pods, pi)
	ni.nodeState.add(pi, 1)
}

func (ni *nodeInfo) removePod(pi *podInfo) {
	ni.gen++
	if i := slices.Index(ni.pods, pi); i >= 0 {
		ni.pods = slices.Delete(ni.pods, i, i+1)
		ni.nodeState.add(pi, -1)
	}
}

// cache is the scheduler's incremental picture of the cluster, kept by
// Observe: nodes in name order, every bound or assumed pod on its node,
// and this scheduler's pending pods.
type cache struct {
	nodes  []*nodeInfo // live nodes, ascending name
	byName map[string]*nodeInfo
	pods   cluster.SlotTable[*podInfo] // by the pods' store slots
	seq    uint64                      // podInfos created
	// ranksFrom is the first position of nodes whose rank may be stale
	// (len(nodes) when none is)
	ranksFrom int
}

func newCache() cache {
	return cache{byName: map[string]*nodeInfo{}}
}

// podByKey returns the entry of the pod with key k, which view finds by
// its slot, or nil. O(log pods in view).
func (c *cache) podByKey(view cluster.View, k cluster.Key) *podInfo {
	if k.Kind != cluster.KindPod {
		return nil
	}
	if slot, ok := view.PodSlot(k.Namespace, k.Name); ok {
		return c.pods.Get(slot)
	}
	return nil
}

// nodeInfo returns the entry for name, creating an empty one.
func (c *cache) nodeInfo(name string) *nodeInfo {
	ni, ok := c.byName[name]
	if !ok {
		ni = &nodeInfo{name: name}
		c.byName[name] = ni
	}
	return ni
}

// live returns the entry of an existing node.
func (c *cache) live(name string) (*nodeInfo, bool) {
	ni, ok := c.byName[name]
	if !ok || ni.node == nil {
		return nil, false
	}
	return ni, true
}

func (c *cache) nodeIndex(name string) (int, bool) {
	return slices.BinarySearchFunc(c.nodes, name, func(ni *nodeInfo, n string) int { return strings.Compare(ni.name, n) })
}

// setNode adds or updates a node. O(log n), plus a move of the pointers
// after it (a memmove that touches no node's entry) to insert a new one;
// the ranks are renumbered only when next needed (ranks).
func (c *cache) setNode(n *cluster.Node) {
	ni := c.nodeInfo(n.Name)
	if ni.node == nil {
		i, _ := c.nodeIndex(n.Name)
		c.nodes = slices.Insert(c.nodes, i, ni)
		c.ranksFrom = min(c.ranksFrom, i)
	}
	ni.setNode(n)
}

// ranks makes every live node's rank its index in c.nodes (name order),
// renumbering from the first position a node was added or removed at
// since the last call: O(nodes after it), once per batch of node changes
// rather than once per change.
func (c *cache) ranks() {
	for i := c.ranksFrom; i < len(c.nodes); i++ {
		c.nodes[i].rank = i
	}
	c.ranksFrom = len(c.nodes)
}

// deleteNode removes a node; its pods stay counted until they are deleted.
func (c *cache) deleteNode(name string) {
	ni, ok := c.byName[name]
	if !ok || ni.node == nil {
		return
	}
	if i, found := c.nodeIndex(name); found {
		c.nodes = slices.Delete(c.nodes, i, i+1)
		c.ranksFrom = min(c.ranksFrom, i)
	}
	ni.node = nil
	ni.gen++
	c.gc(ni)
}

// touch bumps the generation of the named node, if the cache has it.
func (c *cache) touch(name string) {
	if ni, ok := c.byName[name]; ok {
		ni.gen++
	}
}

// gc forgets an entry with no node, no pods and no nominations.
func (c *cache) gc(ni *nodeInfo) {
	if ni.node == nil && len(ni.pods) == 0 && len(ni.nominated) == 0 {
		delete(c.byName, ni.name)
	}
}

func (c *cache) placePod(pi *podInfo, node string) {
	pi.state, pi.node = podOnNode, node
	c.nodeInfo(node).addPod(pi)
}

func (c *cache) unplacePod(pi *podInfo) {
	if pi.state != podOnNode {
		return
	}
	if ni, ok := c.byName[pi.node]; ok {
		ni.removePod(pi)
		c.gc(ni)
	}
	pi.node, pi.assumed = "", false
}

// nominate records pi as nominated to node ("" clears it).
func (c *cache) nominate(pi *podInfo, node string) {
	if pi.nominated == node {
		return
	}
	if pi.nominated != "" {
		if ni, ok := c.byName[pi.nominated]; ok {
			ni.gen++
			if i := slices.Index(ni.nominated, pi); i >= 0 {
				ni.nominated = slices.Delete(ni.nominated, i, i+1)
			}
			c.gc(ni)
		}
	}
	pi.nominated = node
	if node != "" {
		ni := c.nodeInfo(node)
		ni.gen++
		ni.nominated = append(ni.nominated, pi)
	}
}
