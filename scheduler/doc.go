// Package scheduler is kube-scheduler's default profile as a pure sim
// controller: a queue, the filter and score plugins the simulator models,
// binding, nominated pods and DefaultPreemption, with upstream semantics
// (pkg/scheduler, Kubernetes v1.37).
//
// # How it runs
//
// A Scheduler keeps an incremental cache fed by Observe, as the real
// scheduler's informers feed its cache: every node (in name order) with
// the requests, pod count and host ports of the pods bound or assumed on
// it, and its own pending pods. Reconcile tries each queued pod once, in
// queue order, against that cache; a pod it places is assumed at once, so
// later pods of the same pass see it. The Plan it returns holds the binds
// (after Config.BindLatency), the preemption victims' DisruptionTarget
// conditions and deletions, nominations, PodScheduled=False conditions and
// FailedScheduling notes. Status updates carry the resourceVersion they
// were computed from, so a stale one is refused rather than overwriting a
// newer status. Decide runs one attempt against any View without changing
// anything.
//
// # Orders (every tie ends in a name)
//
//   - Queue: priority descending, then the time the pod entered the queue
//     (a pod that failed re-enters at the time of the failure), then
//     namespace and name.
//   - Nodes are evaluated in name order from a rotating start index
//     (upstream's nextStartNodeIndex, advanced by the nodes processed),
//     stopping once numFeasibleNodesToFind feasible nodes are found
//     (PercentageOfNodesToScore; the adaptive default is 50% minus 1% per
//     125 nodes, at least 5% and at least 100 nodes). A pod whose required
//     node affinity names nodes with matchFields metadata.name is
//     evaluated on those nodes only (NodeAffinity's PreFilter), so a
//     daemon pod costs one node evaluation.
//   - Score ties go to the lowest node name.
//   - Equivalent pods: pending pods that no filter and no dry run can tell
//     apart (same priority, requests, host ports, nodeName, tolerations,
//     nodeSelector and required affinity) share an equivalence class, and
//     each node keeps its last filter and dry-run result with the class
//     and the node's generation (bumped by any change to the node, its
//     pods or the pods nominated to it; dry runs also by the instant and
//     by PDB changes). A wave of identical pods therefore evaluates each
//     unchanged node once. The decisions are the same as without the memo
//     (tested by comparing whole logs); the node the pod is itself
//     nominated to, and pods restricted by the PreFilter, bypass it.
//   - Preemption victims on a node: highest priority first, then earliest
//     start time, then the order the scheduler first saw the pods (their
//     creation order, for pods created while it runs). Candidate nodes are dry-run in name order from
//     a rotating offset; the node is chosen by upstream's chain (fewest PDB
//     violations, lowest highest-victim priority, lowest priority sum,
//     fewest victims, latest start of the highest-priority victims) and
//     then the lowest node name.
//
// # Plugins
//
// Filters, in upstream order, each with its reason text and status code:
// NodeUnschedulable, NodeName, TaintToleration, NodeAffinity (nodeSelector
// and required affinity), NodePorts (Unschedulable: preemption may help)
// and NodeResourcesFit (cpu, memory, ephemeral storage, extended
// resources and the pod count; Unschedulable, or
// UnschedulableAndUnresolvable when a request exceeds the node's
// allocatable amount). A pod's request is resourcehelper.PodRequests:
// containers plus sidecar init containers, raised to the largest ordinary
// init container (beside the sidecars started before it), plus overhead.
// Filtering counts the pods nominated to a node with priority at least the
// pod's, in upstream's two passes. Scores: TaintToleration (weight 3,
// PreferNoSchedule taints, reversed), NodeAffinity (2, preferred terms),
// NodeResourcesFit LeastAllocated (1, cpu and memory, with upstream's
// 100m/200Mi defaults for containers without requests) and
// NodeResourcesBalancedAllocation (1, v1.37's form: the change in balance
// the pod brings, 50 + (50 + withPod - withoutPod) / 2; skipped for pods
// without cpu or memory requests). All scores are integers; BalancedAllocation computes
// upstream's float64 expression with explicit conversions so that no
// platform fuses operations.
//
// A pod that fits nowhere keeps a PodScheduled=False condition (reason
// Unschedulable) and gets a FailedScheduling note, both with upstream's
// FitError message:
//
//	0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu.
//	preemption: 0/3 nodes are available:
//	1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.
//
// (one line in the pod). The DynamicResources PostFilter, which runs before
// DefaultPreemption, rejects a pod without resource claims (every pod here)
// with no reason of its own, so only preemption's part follows.
//
// # Requeueing
//
// A pod that failed waits, without retries, until an event that could make
// it fit: a node added, or updated in its labels, taints, cordoning or
// allocatable resources; a bound pod deleted or finished; or an update to
// the pod's own spec. Then every waiting pod is tried again at the next
// Reconcile. A pending pod whose nomination changed (upstream treats it as
// gone from its old nominated node) retries the waiting pods of its
// priority or lower.
//
// # Deliberate differences from upstream
//
//   - Score ties, and the last preemption tie, go to the lowest node name;
//     upstream draws at random (TestScores, TestPreemption). Preemption's
//     dry run starts at a rotating offset (advanced by the nodes examined)
//     instead of a random one (TestPercentageOfNodesToScore covers the
//     filter's rotating start). The differential harness counts these draws
//     as unforced and makes upstream follow the name order
//     (go doc ./conformance).
//   - No backoff queue and no periodic flush of unschedulable pods (every
//     5 minutes upstream): a pod is retried on an event only, so that a
//     cluster with a permanently unschedulable pod still reaches a fixed
//     point (TestScenarioUnschedulableWaitsForAnEvent). Queueing hints are
//     coarse: any relevant event retries every waiting pod.
//   - Plugins the simulator has no objects for (volumes, inter-pod
//     affinity, topology spread, image locality, dynamic resources) are
//     absent; PodTopologySpread's default constraints only apply to pods
//     selected by Services and controllers the simulator does not model.
//   - Preemption is synchronous (victims are deleted in the same Plan) and
//     there are no extenders. The "Preempted" note says "Preempted by pod
//     <uid> on node <node>"; a successful bind gets no "Scheduled" note:
//     the bind event in the log records it
//     (TestScenarioPreemptThenBindAfterVictimsTerminate).
//   - KUBERNETES.md quotes the TaintToleration reason of older releases
//     ("node(s) had untolerated taint {key: value}"); v1.37 says
//     "node(s) had untolerated taint(s)", which is what this package says.
package scheduler
