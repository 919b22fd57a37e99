// Package nodelifecycle is the node lifecycle controller (upstream's
// pkg/controller/nodelifecycle, v1.37.1) as a pure reconciler: Observe
// files applied changes, Reconcile returns a cluster.Plan with the status
// and taint writes, the events (notes) and the timed wake-ups it needs. It
// implements sim.Controller without importing sim; register it with
// sim.New or Engine.Add (call Sync first on a store that already holds
// nodes).
//
// # What it does
//
// Monitor passes run every NodeMonitorPeriod (5 s) on a fixed grid from
// the controller's start (Config.Start). A pass runs in the first
// reconcile round at its instant and sees every change applied at that
// instant before it (but a kubelet start alone: see Heartbeats); what
// later rounds at the same instant bring (its own writes, reactions to
// them) waits for the next pass. A pass is upstream's monitorNodeHealth
// for the nodes that need one:
//
//  1. a node seen for the first time: a RegisteredNode event, its zone
//     recorded (Initial, a new tainting queue with a full limiter), and its
//     not-ready and unreachable NoExecute taints removed
//     (markNodeAsReachable); a node gone: a RemovingNode event.
//  2. health (tryUpdateNodeHealth): when the pass is strictly after the
//     node's probe time plus its grace (NodeMonitorGracePeriod, 50 s, or
//     NodeStartupGracePeriod, 60 s, for a node with no Ready condition),
//     Ready, MemoryPressure, DiskPressure and PIDPressure become Unknown
//     (NodeStatusUnknown "Kubelet stopped posting node status.", or
//     appended as NodeStatusNeverUpdated "Kubelet never posted node
//     status."; transition time the pass), written with UpdateStatus only
//     if Ready changed. The controller never sets Ready False.
//  3. NoExecute (processTaintBaseEviction), on the Ready status as the
//     pass leaves it, its own write included (upstream passes
//     currentReadyCondition, re-read after tryUpdateNodeHealth's write):
//     False swaps unreachable:NoExecute for not-ready:NoExecute at once,
//     or queues the node in its zone; Unknown the mirror image; True
//     removes both taints and takes the node off the queue. So the pass
//     that turns a node Unknown queues it, and the tainting tick at that
//     instant taints it if its zone has a token (TestStopKubeletTimeline,
//     and the conformance test against upstream).
//  4. the pass that turned Ready from True: a Normal NodeNotReady event
//     on the node ("Node n1 status is now: NodeNotReady") and
//     MarkPodsNotReady: each pod bound to it with a Ready condition that
//     is not False gets it False (an UpdateStatus) and a Warning
//     NodeNotReady "Node is not ready". A pod bound later to a node whose
//     Ready was last seen not True is marked too (processPod).
//  5. zones (handleDisruption): per zone (ZoneKey: region and zone labels;
//     nodes labelled node.kubernetes.io/exclude-disruption are not
//     counted), ComputeZoneState; a state change swaps the zone's limiter
//     (Normal and FullDisruption EvictionLimiterQPS 0.1; PartialDisruption
//     SecondaryEvictionLimiterQPS 0.01 above LargeClusterThreshold nodes,
//     else 0: no tainting). All zones fully disrupted: master disruption
//     mode, every node loses its NoExecute taints and every limiter
//     pauses; leaving it, every node's probe time is reset to the pass.
//
// NoExecute tainting ticks run every NodeEvictionPeriod (100 ms) on the
// same grid (a tick at a pass instant runs after the pass): each zone's
// queue gives up nodes while its token bucket (burst 1) has tokens, first
// in, first out; a node whose Ready is then False gets
// not-ready:NoExecute (and loses unreachable:NoExecute), Unknown the
// reverse, anything else nothing; the token is spent either way. Added
// taints have timeAdded the tick. At 0.1 QPS one node per zone per 10 s
// is tainted, the first at once; a swapped limiter starts drained if the
// old one had no token.
//
// The NoSchedule pass (doNoScheduleTaintingPass) runs on every node
// create and update, in the round after it is observed: not-ready,
// unreachable, memory-, disk-, pid-pressure, network-unavailable and
// unschedulable NoSchedule taints follow the conditions and
// spec.unschedulable (NoScheduleTaints), added with timeAdded now.
//
// A node's writes are at most one UpdateStatus and one Update (all its
// taint changes together) per round, with its resourceVersion; when a
// round writes both, the Update waits for the next round at the same
// instant, after the status write is observed.
//
// # Heartbeats, and the kubelet
//
// Deliberate difference: there are no Lease objects and no periodic
// heartbeat events. A running kubelet renews its lease at its start (the
// node's creation, or StartKubelet) and every LeaseRenewInterval (10 s)
// after; this is implicit, and costs nothing. A stopped kubelet is recorded
// on the node itself: AnnotationKubeletStopped, written by StopKubelet
// (removed by StartKubelet), its value the RFC 3339 time of the stop. From
// it the controller computes the kubelet's last renewal (the last one due
// at or before the stop), the pass that first saw it (the first pass
// strictly after it: a renewal due at a pass instant reaches the pass's
// informer after the pass), and upstream's probe time: the latest of that
// pass, the pass that registered the node (on the controller's first pass
// every node starts a fresh grace period) and any reset. It wakes itself
// at the first pass strictly after probe + grace. StopKubelet and
// StartKubelet return an Update with the node's resourceVersion, so a
// change to the node submitted before it in the same instant makes it fail
// with a conflict rather than be overwritten. With the defaults, a
// node made at 0 s whose kubelet stops at 11 s renewed last at 10 s, seen
// at 15 s: Unknown at the first pass after 65 s, 70 s, queued by that
// pass and, its zone's bucket full, tainted unreachable:NoExecute by the
// tick at 70 s (TestStopKubeletTimeline).
//
// A kubelet start is a renewal too, and one at a pass instant reaches the
// informer after the pass: a StartKubelet observed at a pass instant
// before its pass takes effect after it, so a node whose grace runs out
// at that pass still turns Unknown there (and stays so: the kubelet
// renews its lease but posts no status until the caller writes one), as
// upstream's does (TestStartKubeletAtPass). Deliberate difference: when
// the node's Ready condition also changed since the last pass (a kubelet
// that comes back and posts Ready=True, as sim.Cluster.StartKubelet with
// ready does for a node that is not Ready), the start counts at once and
// the pass sees both; upstream's pass would see neither and the next pass
// both, so here the taints go one pass (5 s) earlier. A start whose
// status post leaves the Ready condition as it was cannot be told from a
// start alone: it is late, and if the grace runs out at that very pass
// the node is left Unknown until the next status write. That needs the
// start applied before the pass at its instant (submitted for an instant
// the engine has not run yet, as the conformance test does);
// sim.Cluster.StartKubelet, the scenario's start-kubelet and the replayer
// submit at the engine's current instant, after its pass has run, so
// their starts are seen by the next pass as upstream's are.
//
// Consequences: only a lease renewal is a heartbeat; status writes by
// others (the scenario's fail-node, a trace's fail event) change the
// conditions, which the NoSchedule and NoExecute rules follow, but do not
// renew anything. A running kubelet is never late, so New refuses grace
// periods shorter than LeaseRenewInterval + NodeMonitorPeriod. Every node
// has a lease here, so the startup grace only lengthens the grace of a
// node with no Ready condition (upstream also counts from the creation
// time a node that never had a lease). An annotation that is not an
// RFC 3339 time counts as a stop at the node's creation, with a Warning
// InvalidAnnotation note naming the field.
//
// # Other differences
//
//   - Upstream re-queues every waiting node at each pass (Remove, then
//     Add), so the order among nodes waiting for a token is the order the
//     parallel pass reached them in, which is arbitrary; here a waiting
//     node keeps its place, and nodes queued by one pass are in name
//     order (TestZoneRateLimit).
//   - A pass works only on the nodes that changed since the last one in a
//     way it reads (Ready, the NoExecute taints other than to what it wrote
//     itself, zone labels, exclusion), those whose deadline is due, and the
//     new and deleted ones; on any other node upstream's pass does nothing
//     either. Failed
//     writes are not retried in place (upstream tries 5 times, 20 ms
//     apart, and remembers nodes whose pods it could not mark): a write
//     refused for a conflict is followed by the conflicting change, which
//     this controller observes and acts on again.
//   - A queued node whose Ready condition is missing when its token comes
//     is dropped; upstream retries it every 50 ms.
//   - A node whose zone label changes leaves its old zone's queue (a later
//     pass queues it in the new one); upstream leaves it in the old one.
//   - A zone with only excluded nodes gets a new queue when a node of it is
//     registered; upstream makes it one at every pass.
//   - Upstream's evictionsTotal and other metrics, the label
//     reconciliation (beta OS and arch labels) and pod eviction without
//     taints (long removed upstream) are not modelled; eviction by the
//     taints is the taint eviction controller's.
//
// # Cost
//
// A node change is O(1) map work plus O(conditions · taints) for the
// NoSchedule pass, and O(log nodes) for its deadline; zone counts are kept
// by deltas. A pass costs O(k log k) for the k nodes that need it, plus
// O(zones); it is a wake-up only when some node changed or has a deadline,
// never a timer per node (TestNoPeriodicWakeups: 100 running kubelets for
// an hour cost no wake-up; a stopped one two). Each wake-up instant is
// asked for once. Entering or leaving master disruption mode is
// O(nodes log nodes), once. BenchmarkStoppedKubelets (5000 nodes in 10
// zones, 500 kubelets stopping over an hour, two hours simulated) runs in
// about 0.1 s with 700 wake-ups.
//
// # Determinism
//
// Everything is ordered: nodes by name within each step, zones by key,
// queues by the sequence they were filled in; no map iteration decides
// anything and no clock is read but Reconcile's now (TestDeterminism).
package nodelifecycle
