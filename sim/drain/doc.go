// Package drain is kubectl drain (k8s.io/kubectl pkg/drain and
// pkg/cmd/drain, v1.37.1) as a simulated process over virtual time: a
// controller that runs any number of drains at once, one per node, each
// started by Start and read back by Result. It implements sim.Controller
// without importing sim; register it on an engine (it needs no Sync) after
// the disruption controller, so that a round's budget writes are applied
// before the drain's evictions.
//
//	drains := drain.New()
//	e.Add(drains)
//	drains.Start("n1", drain.Options{IgnoreDaemonSets: true}, e.Now())
//	e.WakeAt(e.Now(), drains.Name(), drain.NodeKey("n1"))
//	e.RunFor(10 * time.Minute)
//	r, _ := drains.Result("n1") // r.Phase, r.Lines, r.Err
//
// # A drain
//
//  1. Cordon: spec.unschedulable = true ("node/n1 cordoned", or "node/n1
//     already cordoned"). The write is an Update of the node as read,
//     with its resourceVersion expected; on a conflict it is made again.
//     A missing node fails the drain as kubectl's lookup does ("Error from
//     server (NotFound): nodes "n1" not found").
//  2. List the node's pods (the view's pods-on-node index, by namespace
//     and name) that PodSelector matches, and run upstream's filters in
//     order; the first that says "don't delete" ends the chain and the
//     last verdict stands: a DaemonSet pod that is not finished refuses
//     the drain without IgnoreDaemonSets ("cannot delete DaemonSet-managed
//     Pods (use --ignore-daemonsets to ignore): ns/name") and is skipped
//     with it ("Warning: ignoring DaemonSet-managed Pods: ns/name"); a pod
//     of a DaemonSet that does not exist refuses it unless Force; a mirror
//     pod (MirrorPodAnnotation) is skipped; a pod with no controller that
//     is not finished refuses it unless Force ("cannot delete Pods that
//     declare no controller (use --force to override): ns/name"; with
//     Force, "Warning: deleting Pods that declare no controller: ...").
//     Finished pods pass every filter. Any refusal ends the drain Refused
//     before anything is evicted, with kubectl's lines ("error: unable to
//     drain node ..., continuing command...", the pending nodes, the
//     errors one per line).
//  3. Evict every pod at once through cluster.Evict (the eviction
//     subresource, with GracePeriodSeconds when given), each preceded by
//     "evicting pod ns/name". A 429 (a PodDisruptionBudget allows no
//     disruption) prints `error when evicting pods/"name" -n "ns" (will
//     retry after 5s): Cannot evict pod as it would violate the pod's
//     disruption budget.` and the pod is evicted again RetryInterval
//     later; any other refusal fails that pod ("error when evicting
//     pods/...: message"); a pod that is gone is done.
//  4. Wait for each evicted pod to be gone, as kubectl's poll every
//     PollInterval from the eviction: a pod observed gone is reported
//     ("pod/name evicted") at the first poll at or after it left. With a
//     Timeout (one deadline for the node, from the start of the
//     evictions), an attempt or poll at or after the deadline fails the
//     pod with "global timeout reached: <timeout>".
//  5. End: "node/n1 drained" (Drained), or, after an error, the pods still
//     to go, the node's failure and the errors, as kubectl prints them
//     (TimedOut if the timeout was reached, else Failed). The node stays
//     cordoned either way.
//
// DisableEviction deletes the pods instead (no budget is consulted), then
// waits for all of them ("pod/name deleted") with the timeout counted from
// the deletions; it fails with "timed out waiting for the condition".
//
// Each line kubectl prints is recorded as a note (reason ReasonDrain, about
// the node; Warning for what kubectl writes to standard error) and kept in
// the drain's Result with its instant. The evictions and deletions are
// changes in the log under DefaultName, each refused eviction with the API
// server's error naming the budget. A drain that a budget blocks forever
// retries forever, as kubectl does without --timeout: Stabilize then runs
// into its step bound; run the clock with RunUntil or give a Timeout.
//
// # Cost
//
// A drain costs O(pods on the node) when it starts (the listing) and at
// each of its rounds; its rounds are its own wake-ups (a retry, a poll at
// which a pod observed gone is due, the deadline, the look at a submitted
// change's outcome) and the deletions of its pods, which Observe finds in
// O(1). Nothing polls: a pod's wait costs nothing until the pod goes. A
// Reconcile with no drain marked is O(1), as is an Observe of anything
// else. Measured: 50 drains at once of 20 pods each take 8 ms on clusters of
// 500, 2,000 and 8,000 nodes alike (BenchmarkDrain50Of2000Nodes).
//
// # How the outcome of an eviction is known
//
// A drain submits its Evicts with a wake-up at the same instant, which the
// engine queues after them: in that round a pod that is being deleted (or
// gone) was evicted, and one that is not was refused, with the error the
// engine handed the controller when the store refused it
// (sim.RefusalObserver, Controller.Refused), as kubectl reads its request's
// error.
//
// # Deliberate differences
//
//   - Pods are evicted in listing order within one instant; kubectl's
//     goroutines run in any order. The errors of several pods are
//     aggregated in the order they happen (time, then listing order);
//     kubectl's in the order its goroutines report (TestWaitForDeletion).
//   - Filter errors and warnings of different messages come in the order of
//     their first pod; upstream groups them through a map, in random order
//     (TestFilters, "unmanaged and daemon pods refuse").
//   - At the deadline's instant upstream's timers race. Here a poll at the
//     deadline reports a pod gone before that instant's round and fails
//     the others; in delete mode the wait's own timeout wins over its poll
//     at the same instant (TestDeadlineTies).
//   - A pod already gone when its eviction is due is done without an Evict
//     in the log (kubectl sends one and gets 404); as in kubectl, no
//     "pod/x evicted" line (TestGoneBeforeRetry).
//   - The cordon is an Update with the node's resourceVersion, made again on
//     a conflict, where kubectl sends a strategic merge patch; the outcome
//     is the same.
//
// # Not modelled
//
// --skip-wait-for-delete-timeout (the skip-deleted filter), --dry-run,
// --chunk-size, --selector (drain several nodes in one command: start one
// drain per node; each runs as its own kubectl process), the emptyDir
// filter (no volumes are simulated: DeleteEmptyDirData is accepted and has
// no effect), evictions refused because the namespace is terminating (no
// namespaces are simulated), the discovery of the eviction API (policy/v1
// is assumed), and the lines kubectl prints only at -v=2.
//
// Tests: drain_test.go (filters, budget retries every 5 s, timeouts of
// evictions and of waits, the poll grid, delete mode, other eviction
// errors, Start's errors, concurrent drains and determinism, the
// deliberate differences), example_test.go, bench_test.go.
package drain
