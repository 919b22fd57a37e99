// Package tainteviction is the taint eviction controller (upstream's
// pkg/controller/tainteviction, v1.37.1, the taint-eviction-controller
// that the SeparateTaintEvictionController gate, on by default, runs on
// its own) as a pure reconciler: Observe files applied node and pod
// changes, Reconcile returns a cluster.Plan. It implements sim.Controller
// without importing sim; register it with Engine.Add (call Sync first on
// a store that already holds objects).
//
// # What it reacts to
//
// A node whose NoExecute taints changed: created, deleted, or updated
// with a NoExecute taint list that differs in order, key, value, effect
// or timeAdded (other taints, labels and status are ignored). A pod that
// was deleted, bound, created bound, or whose tolerations changed while
// bound (status writes, deletion timestamps and label changes are
// ignored).
//
// # The rules
//
// The controller keeps each node's NoExecute taints as it last saw them.
// For a changed node it looks at every pod bound to it; for a changed pod
// at that pod, against the taints it keeps for the pod's node (none known:
// nothing to do). For each such pod (upstream's processPodOnNode, with
// now the instant of the Reconcile; see Decide):
//
//   - the node lost its last NoExecute taint, or the pod tolerates every
//     one forever: a scheduled deletion is cancelled;
//   - a NoExecute taint that no toleration tolerates: a scheduled deletion
//     is cancelled and the pod is deleted now;
//   - otherwise, unless a deletion is already scheduled (it keeps its
//     deadline whatever changed since), one is scheduled at now + the
//     smallest tolerationSeconds of the tolerations used (now when that
//     is 0 or negative). The deadline counts from when the controller saw
//     the taint, not from the taint's timeAdded.
//
// A cancelled deletion is recorded as a Normal TaintManagerEviction note
// "Cancelling deletion of Pod <namespace>/<name>"; a pod deleted or gone
// from the store cancels its own. A deleted node's taint record is
// dropped and its pods are left to the pod garbage collector; their
// scheduled deletions stay, as upstream's timers do, and fire unless the
// pod goes first (or a node of that name appears without the taints).
//
// Deleting a pod (upstream's deletePodHandler): a Normal
// TaintManagerEviction note "Marking for deletion Pod <namespace>/<name>",
// the DisruptionTarget condition (True, reason DeletionByTaintManager,
// "Taint manager: deleting due to NoExecute taint") as a status write when
// it is not there yet, then a plain cluster.Delete: the pod's own grace
// period, no PodDisruptionBudget check (not the eviction subresource).
// DaemonSet pods carry not-ready and unreachable NoExecute tolerations
// without tolerationSeconds, so those taints never delete them.
//
// # Order and cost
//
// Reconcile handles the marked nodes in name order (each node's pods in
// key order), then the marked pods in key order (upstream's workers take
// node updates first), then fires the deadlines that have come in
// (deadline, pod key) order; so a taint removed, or a pod deleted, at the
// instant of its deadline cancels the deletion. Scheduled deletions sit in
// a B-tree ordered by (deadline, key); the controller asks the engine for
// a wake-up at the earliest deadline whenever none is coming for that
// instant: one per instant at which pods are due, not one per pod, and
// never two for one instant (TestOneWakePerDeadline, TestNoDuplicateWake).
// A node change costs O(pods on that node · log scheduled) through the
// view's pods-on-node index (a node that has no NoExecute taint and none
// of whose pods has a deletion scheduled costs O(1)); a pod change
// O(log pods + tolerations × taints); a deletion due O(log scheduled).
// Nothing scans all pods or all nodes, except Sync (all nodes, once)
// (TestCost).
//
// # Deliberate differences
//
//   - Same-instant re-evaluation keeps a scheduled deletion silently.
//     Upstream keeps it only when it was created before now (its check is
//     createdAt + min before now + min) and otherwise cancels it, with a
//     "Cancelling deletion" event, and adds it again; with a real clock
//     that needs two evaluations in one nanosecond, on the virtual clock
//     every pair of changes of one instant would do it
//     (TestSameInstantKeepsDeadline).
//   - A pod deleted at once in a Reconcile is not deleted a second time in
//     the same Reconcile (upstream's in-progress work makes its second
//     AddWork a no-op; here the round is the unit of work in progress).
//   - A pod already terminating gets the note and the condition but no
//     second Delete: upstream's DELETE without a grace period finds the
//     graceful deletion pending and changes nothing, while this store's
//     would move the deletion timestamp to now + the grace period
//     (TestTerminatingPodNotDeletedAgain).
//   - When the pod is gone at its deadline (possible only if its deletion
//     was not observed) the note is recorded and nothing else, where
//     upstream retries its GET five times 10 ms apart and gives up.
//   - tolerationSeconds beyond what a time.Duration holds (about 292
//     years) is capped there; upstream's multiplication overflows.
//   - Taints and tolerations with the Gt/Lt operators follow
//     taints.Toleration.ToleratesTaint (the comparison gate off, the
//     v1.37 default).
//
// Not modelled: the controller running inside the node lifecycle
// controller (SeparateTaintEvictionController off), its metrics, and its
// eight workers sharded by node name (the order above replaces theirs).
//
// Tests: decide_test.go (the deadline rule, table-driven);
// controller_test.go (through the engine: delete at once with its notes
// and condition, tolerationSeconds counted from observation, cancel on
// taint removal and pod deletion, deadlines that do not move, forever
// tolerations, NoSchedule ignored, node deletion, Sync, the engine's
// wake-ups, the reads a node change costs, determinism and replay);
// example_test.go; bench_test.go (a node's taint put on or taken off with
// 100 pods on it: about 35 µs in a store of 1,000 pods, 77 µs in one of
// 100,000, 130 allocations).
package tainteviction
