// Package replicaset is the ReplicaSet controller (upstream's
// pkg/controller/replicaset, v1.37.1) as a pure reconciler: Observe files
// applied changes in its cache, Reconcile returns a cluster.Plan. It
// implements sim.Controller without importing sim; register it with
// Engine.Add (call Sync first on a store that already holds objects).
//
// # A sync
//
// Reconcile syncs the ReplicaSets marked since the last call in key order.
// Each sync is upstream's syncReplicaSet:
//
//  1. claim (upstream's ClaimPods over the active pods): adopt the marked
//     orphans that match the selector (an Update adding the controller
//     reference), release owned pods that no longer match (an Update
//     removing it); neither while the ReplicaSet is being deleted. An
//     adopted pod counts at once.
//  2. manage, when the expectations are met (every create and deletion
//     the last manage planned was observed, or ExpectationsTimeout passed)
//     and the ReplicaSet is not being deleted: diff = active pods −
//     spec.replicas; create min(−diff, 500) pods from the template in
//     slow-start batches 1, 2, 4, ... (a batch with a failed create ends
//     the sync's creates: FailedCreate events, the ReplicaFailure
//     condition, a retry after 5 ms doubling to 1000 s), or delete
//     min(diff, 500) pods in upstream's getPodsToDelete order (see
//     lessForDeletion: unbound, phase, readiness, pod-deletion-cost,
//     rank, ready time and creation time in log2 buckets with the UID as
//     tie-break). A pod's rank is the number of active pods on its node
//     matching a ReplicaSet with the same controller (0 for a ReplicaSet
//     with none).
//  3. status, counted over the claimed pods as the sync found them:
//     replicas (active: not terminal, not being deleted), fullyLabeledReplicas,
//     readyReplicas, availableReplicas (ready for minReadySeconds),
//     terminatingReplicas (DeploymentReplicaSetTerminatingReplicas, on in
//     v1.37), observedGeneration, ReplicaFailure; written only when it
//     changed. With minReadySeconds, when ready != available, a wake-up at
//     the instant the next pod becomes available.
//
// Terminating pods are not replicas, so a deleted, evicted or preempted pod
// is replaced in the same instant its deletion is observed. Events:
// SuccessfulCreate "Created pod: x", FailedCreate "Error creating: err",
// SuccessfulDelete "Deleted pod: x", as upstream's pod control words them.
//
// # Cost
//
// Cost grows with what changed. A pod change is O(1) (a pod with a
// controller reference, found by UID) or O(ReplicaSets in the namespace)
// (an orphan whose labels or owner changed). A sync is O(pods that changed
// since the last sync · log pods); status counters are kept by deltas, and
// pods waiting to become available sit in a time-ordered heap. A
// scale-down is O(a log a) for the ReplicaSet's a active pods, plus the pods
// on their nodes when the ReplicaSet has a controller (the ranks). A new
// ReplicaSet costs O(orphans in its namespace); a changed template label
// set or minReadySeconds recounts its pods.
//
// # Deliberate differences
//
//   - Generated names: "<rs>-" (cut to 58 characters) and 5 characters of
//     the API server's alphabet, counted up from an offset hashed from the
//     UID (PodName), not random, so runs are deterministic
//     (TestDeterminism).
//   - Pods that the deletion order does not tell apart are ordered by UID,
//     then name; upstream's unstable sort leaves them in informer order.
//   - Rule 7 (container restart counts) never decides: daemonsim pods have
//     no container statuses.
//   - A create or delete the store refuses is never observed; the engine
//     tells the controller of it (sim.RefusalObserver), which lowers its
//     expectations at once, as upstream's failed request does. Admission
//     refusals it can foresee (cluster.CheckPodAdmission, Config.Admit)
//     fail the create before it is planned, as upstream's synchronous API
//     error does (TestFailedCreateCondition); a refusal at apply lowers the
//     expectation and syncs again (TestRefusedCreateIsRetriedAtOnce).
//   - Of two ReplicaSets that would adopt one orphan in the same round,
//     the first in key order does; upstream's second patch fails.
//
// Tests: scenario_test.go (scale up and down with status, replacement after
// deletion, eviction and node loss, adoption and release, minReadySeconds
// wake-up, failed creates, determinism); order_test.go (the deletion
// order, rule by rule).
package replicaset
