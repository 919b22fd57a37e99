// Package e2e holds the repository's end-to-end tests: scenario files
// (package sim/scenario's datadriven format) that check, against a whole
// simulated cluster (sim.NewDefault: the DaemonSet controller, the
// scheduler, the node agent, pod GC, the garbage collector), each
// behaviour the Kubernetes DaemonSet concept page describes. The one Go
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
//   - default-tolerations.txt: pods land on nodes tainted disk-pressure,
//     memory-pressure, pid-pressure and unschedulable (and on a cordoned
//     node without the taint), where an ordinary pod fits none (why).
//   - not-ready-unreachable.txt: pods are bound to nodes tainted not-ready
//     and unreachable (NoExecute), and nothing deletes a daemon pod when
//     its node stops answering.
//   - host-network.txt: only a hostNetwork DaemonSet gets the
//     network-unavailable toleration and a pod on such a node.
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
//   - validation.txt: the API refuses a selector that does not match the
//     template's labels, a restartPolicy other than Always, a name that is
//     not a DNS subdomain, and a change to the selector.
//
// The manifests: agent.yaml (a minimal DaemonSet), and copies of the seed
// page's manifests from cluster/manifest/testdata/seeds
// (fluentd-elasticsearch.yaml is 000_c014c3b4d1ba1cfc-1.yaml,
// monitoring-agent.yaml is 003_84e305e173ec1453-2.yaml).
//
// The directory wrong/ (not run) keeps scenarios whose output differs from
// upstream, each with a note of what upstream prints instead.
//
// Partial: the node lifecycle controller and taint eviction are not
// simulated yet, so the files put the node taints on themselves and do not
// look at pod readiness on NotReady or unreachable nodes.
package e2e
