// Package e2e holds the repository's end-to-end tests: scenario files
// (package sim/scenario's datadriven format) that check, against a whole
// simulated cluster (sim.NewDefault: the DaemonSet controller, the
// ReplicaSet controller, the scheduler, the node agent, the node lifecycle
// controller, taint eviction, pod GC, the garbage collector, the
// disruption controller, drain), each behaviour the Kubernetes DaemonSet
// concept page describes, and the node churn rules (KUBERNETES.md 8-11). The one Go
// test, TestScenarios, runs every testdata/*.txt file on a fresh cluster;
// `go test ./e2e -rewrite` rewrites their expected outputs (read the diff:
// each output was checked against upstream Kubernetes v1.37, and the
// comments in each file say why it is what Kubernetes does).
//
// The files and what each checks:
//
//   - one-pod-per-node.txt: the seed page's fluentd-elasticsearch
//     DaemonSet runs exactly one pod on every eligible node, the
//     control-plane node included (its toleration), none on a node with an
//     untolerated taint; the pods carry the template's tolerations, then
//     the six defaults, and a matchFields node affinity.
//   - nodes-added-removed.txt: a new node gets a pod at once; a deleted
//     node stops counting, and its pod goes 40 s later (pod GC); a node
//     re-created under the same name gets a new pod from the template.
//   - delete-cascade.txt: deleting a DaemonSet deletes its pods and
//     revisions (background, the default, and cascade=background); with
//     cascade=foreground the DaemonSet stays until its pods are gone and
//     its controller creates nothing meanwhile.
//   - orphan-adopt.txt: cascade=orphan leaves the pods, without an owner;
//     a new DaemonSet with the same selector adopts them (same names, no
//     restart, revision 1 adopted); with a different template it adopts
//     them and its updateStrategy replaces them.
//   - node-selector.txt: the seed page's monitoring-agent (nodeSelector
//     nodepool: workload) runs only on matching nodes; relabelling a node
//     adds or deletes its pod (misscheduled while it terminates); changing
//     the template's nodeSelector moves the pods.
//   - node-affinity.txt: required node affinity chooses the nodes; each pod's
//     required affinity is replaced by matchFields metadata.name In [node]
//     (preferred terms kept); relabelling moves pods; nodeSelector and
//     affinity are ANDed.
//   - default-tolerations.txt: pods land on nodes whose DiskPressure,
//     MemoryPressure or PIDPressure condition is True, or that are
//     cordoned, which the node lifecycle controller taints, where an
//     ordinary pod fits none (why); the taint goes when the condition
//     clears.
//   - not-ready-unreachable.txt: no daemon pod for a node already NotReady
//     (the not-ready:NoSchedule taint), and nothing deletes a running
//     daemon pod when its node's kubelet stops (unreachable, tolerated
//     forever; DESIRED drops, the pod counts as misscheduled).
//   - host-network.txt: only a hostNetwork DaemonSet gets the
//     network-unavailable toleration and a pod on a node whose
//     NetworkUnavailable condition is True.
//   - noschedule-vs-noexecute.txt: a NoSchedule taint added later keeps the
//     running pod (misscheduled) but places no new one; a NoExecute taint
//     added later deletes it unless the DaemonSet tolerates it.
//   - priority-preemption.txt: a daemon pod that does not fit stays Pending
//     (why: no victims of lower priority; FailedScheduling); one with a
//     high priorityClass preempts a low-priority pod, is nominated (why
//     while the victim terminates) and binds once it is gone.
//   - rolling-update.txt: maxUnavailable 1 (the seed page's fragment)
//     replaces one node at a time; a percentage is rounded up.
//   - rolling-update-surge.txt: maxSurge 1 starts the new pod beside the old
//     one and keeps every node available; maxSurge/maxUnavailable validation.
//   - rollback.txt: rollout history and rollout undo (to the previous
//     revision, to a named one, skipped when already current, unknown;
//     in the middle of a rollout, keeping the pods not yet replaced).
//   - min-ready-seconds.txt: a pod is available only after minReadySeconds
//     of readiness, and a rolling update waits for that before the next
//     node.
//   - ondelete.txt: with OnDelete a template change replaces no pod; a
//     deleted pod and a new node get the new template; switching back to
//     RollingUpdate replaces the rest.
//   - replace-deleted-pods.txt: a deleted pod is replaced once gone (at once
//     when force-deleted); a failed pod is deleted and replaced.
//   - failed-pod-backoff.txt: deletions of failed pods on one node back off
//     1 s, 2 s, 4 s, 8 s.
//   - pod-template.txt: a pod's image may be changed in place (the
//     DaemonSet still counts it up to date), other fields not; a re-created
//     node gets a pod from the template, not the modified pod.
//   - host-port.txt: a daemon pod whose hostPort is taken on its node stays
//     Pending (NodePorts) until the port is free.
//   - scheduler-name.txt: pods naming another scheduler are created but
//     left alone by the default scheduler.
//   - stop-kubelet.txt: a kubelet stopped at 11 s makes its node Unknown
//     at 70 s with unreachable:NoSchedule, unreachable:NoExecute at 75 s;
//     its pods marked Ready=False (MarkPodsNotReady); an ordinary pod
//     (300 s default tolerations) deleted at 375 s and replaced by its
//     ReplicaSet on the other node; the daemon pod stays.
//   - pods-on-unreachable-node.txt: a pod bound to a node whose kubelet
//     has stopped stays Pending, a running one goes 0/1; DESIRED 0 and
//     both misscheduled.
//   - kubelet-not-ready.txt: a kubelet-reported NotReady (fail-node) gives
//     not-ready:NoSchedule at once and not-ready:NoExecute through the
//     zone's rate limit (one node per 10 s); both go when it is Ready.
//   - condition-taints.txt: MemoryPressure, DiskPressure, PIDPressure,
//     NetworkUnavailable and a cordon give their NoSchedule taints, which
//     go when they clear; a hand-made condition taint without its
//     condition is removed, other taints are kept.
//   - toleration-seconds.txt: tolerationSeconds counted from when taint
//     eviction saw the taint, not timeAdded; a removed taint cancels the
//     deletion (TaintManagerEviction events); no toleration: at once;
//     no tolerationSeconds: never.
//   - drain-pdb.txt: a drain that a budget refuses (429) retries every
//     5 s until a replacement pod is Ready, then evicts and waits.
//   - drain-daemonsets.txt: drain refused for DaemonSet pods without
//     ignore-daemonsets and for unmanaged pods without force; with both it
//     skips the daemon pod and deletes the unmanaged one.
//   - churn-correlated.txt: a rack fails at once (churn correlated); its
//     NoExecute taints come one node per 10 s and its ordinary pods move to
//     the other rack.
//   - replay-csv.txt: a small CSV trace (churn.csv) replayed: add, fail,
//     recover, stop-kubelet, drain, uncordon, remove, and a skipped event.
//   - validation.txt: the API refuses a selector that does not match the
//     template's labels, a restartPolicy other than Always, a name that is
//     not a DNS subdomain, and a change to the selector.
//
// The manifests: agent.yaml (a minimal DaemonSet), web-rs.yaml (a
// one-replica ReplicaSet), churn.csv (a trace), and copies of the seed
// page's manifests from cluster/manifest/testdata/seeds
// (fluentd-elasticsearch.yaml is 000_c014c3b4d1ba1cfc-1.yaml,
// monitoring-agent.yaml is 003_84e305e173ec1453-2.yaml).
//
// The directory wrong/ (not run) keeps scenarios whose output differs from
// upstream, each with a note of what upstream prints instead.
//
// Partial: two behaviours are in wrong/ until fixed: pods left Ready=False
// after a stopped kubelet starts again, and a node that stays NotReady
// past master disruption mode never tainted NoExecute.
package e2e
