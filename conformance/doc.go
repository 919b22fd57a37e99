// Package conformance runs daemonsim beside the upstream Kubernetes code it
// mirrors (k8s.io/kubernetes v1.37.1 and its staging modules at v0.37.1) on
// seeded, generated inputs, and fails on any difference that is not a
// deliberate one listed in the library's package docs.
//
// It is a separate module so that the library's go.mod never carries a
// Kubernetes dependency. Run it alone with:
//
//	cd conformance && go test -v ./...
//
// The first build compiles Kubernetes and takes about three minutes.
//
// # What is compared
//
//   - Selectors, taints, tolerations and node affinity against apimachinery
//     and component-helpers (selector_test.go, taints_test.go): 100,000
//     generated inputs each (CONFORMANCE_N, CONFORMANCE_SEED).
//   - Validation against upstream's validators, ValidatePod,
//     ValidateDaemonSet, ValidateNode and the rest, after v1 defaulting
//     (validation_diff_test.go): errors compared by full text, 3,000 objects
//     by default (CONFORMANCE_N).
//   - The DaemonSet controller (daemonset_*_test.go, dsconv_test.go): per
//     generated cluster (nodes with taints, labels and conditions; one or
//     two DaemonSets with selectors, affinity, tolerations and strategies;
//     owned, orphan, failed, succeeded, terminating, unbound, relabelled and
//     foreign pods; revisions current, old and orphan; vanished nodes), one
//     sync of the real controller (pkg/controller/daemon on a fake
//     clientset with informer indexers filled directly) and one of
//     daemonsim's, compared by creates per node, deletes, adoptions,
//     releases, relabels, revision writes, status and events. 300 clusters
//     by default; CONFORMANCE_DS_N sets the count, CONFORMANCE_DS_SEED runs
//     one cluster and prints it, CONFORMANCE_DS_CACHE=async compares with
//     a controller whose cache never sees its own writes.
//   - The scheduler (scheduler_*_test.go): per generated cluster (2 to 15
//     nodes, running pods, PDBs, priority classes, batches of pending pods
//     with every filter and score input daemonsim models), daemonsim's
//     scheduler under the engine and the real scheduler (scheduler.New with
//     the default profile, driven one cycle at a time on a fresh snapshot,
//     its queue fed as its event handlers would), compared decision by
//     decision: node, pending or bound, nominated node, victims and the
//     FailedScheduling message. 300 clusters by default;
//     CONFORMANCE_SCHED_N sets the count, CONFORMANCE_SCHED_SEED runs one
//     cluster with its timeline.
//
// Each differential test ends with one line, shown with -v:
//
//	daemonset: mismatches=K clusters=N
//	scheduler: mismatches=K decisions=N forced=F
//
// A decision is forced when upstream's outcome does not depend on its random
// draws (score ties in selectHost, preemption's random offset, map order);
// the others are counted, not compared, and the harness then makes upstream
// follow daemonsim's choice (ties to the lowest node name) so that later
// decisions stay comparable. Deliberate differences (counted-up pod names,
// the template hash's bytes, notes upstream does not emit, the status a
// sync writes, a store that writes a version for every accepted change,
// ...) are counted and printed separately. A test fails on any mismatch;
// CONFORMANCE_DS_ALLOW=1 and CONFORMANCE_SCHED_ALLOW=1 report without
// failing, for exploring.
package conformance

// # ReplicaSet scale-down, taint eviction and node lifecycle
//
//   - The ReplicaSet controller's scale-down choice (replicaset_diff_test.go,
//     replicaset_lifecycle_gen_test.go): per generated case (ReplicaSets of
//     one Deployment and of none, sharing up to six nodes; pods bound and
//     unbound, Pending, Unknown, Running, terminal and terminating, ready
//     and not, ready and creation times at and beside log2 bucket edges,
//     valid and invalid pod-deletion-cost annotations, orphans and a set of
//     the same owner UID in another namespace), the pods a sync of
//     daemonsim's sim/replicaset controller deletes against upstream's
//     getPodsToDelete with its clock pinned (its own ranking and Less, the
//     related pods from a real ReplicaSetController's
//     getIndirectlyRelatedPods; reached with go:linkname). A case whose
//     answer depends on upstream's list order (a tie across the cut, or
//     orders that disagree) is counted as unforced, not compared. 2,000
//     cases by default (CONFORMANCE_RS_N, CONFORMANCE_RS_SEED,
//     CONFORMANCE_RS_ALLOW).
//   - The taint eviction controller (tainteviction_diff_test.go,
//     tainteviction_lifecycle_gen_test.go): per generated sequence of node
//     taint changes, node deletions and re-creations, pod creations,
//     deletions and added tolerations, daemonsim's sim/tainteviction under
//     the engine against the real pkg/controller/tainteviction on a fake
//     clientset, its queues drained by the harness and its timed worker
//     queue on a FakeClock whose timers the harness fires: which pods each
//     deletes and at which second. 3,000 sequences by default
//     (CONFORMANCE_TE_N, CONFORMANCE_TE_SEED, CONFORMANCE_TE_ALLOW).
//   - The node lifecycle controller (nodelifecycle_diff_test.go,
//     nodelifecycle_lifecycle_gen_test.go): per generated sequence of
//     kubelet stops and restarts on two or three nodes of one zone,
//     daemonsim's sim/nodelifecycle under the engine against the real
//     pkg/controller/nodelifecycle on a fake clientset, its clock (the
//     unexported now field) and its zones' tainting limiters on a FakeClock,
//     monitorNodeHealth, doNoExecuteTaintingPass and doNoScheduleTaintingPass
//     called on upstream's 5 s and 100 ms grids, leases in kube-node-lease
//     renewed on the kubelet's 10 s grid: when each node turns Unknown, when
//     each taint lands or goes, when each pod is marked not ready, to the
//     100 ms tick. Multi-zone disruption modes are not reachable (a zone
//     state change swaps in a limiter on the real clock). Upstream's pass
//     runs with one worker over its nodes listed by name, one of the
//     orders its informer map and eight workers may give and the one
//     daemonsim's package doc states. 150 sequences by default
//     (CONFORMANCE_NL_N, CONFORMANCE_NL_SEED, CONFORMANCE_NL_ALLOW); 1,000
//     gave 0 mismatches too.
//
// Their summary lines:
//
//	replicaset: mismatches=K cases=N
//	tainteviction: mismatches=K sequences=N
//	nodelifecycle: mismatches=K sequences=N
