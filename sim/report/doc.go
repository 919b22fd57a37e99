// Package report summarises a simulated run: an Observer, registered
// beside the other controllers (sim.Engine.Add), follows every applied
// change and keeps, at a cost per change that does not grow with the
// cluster (it never rescans the store), the figures a user asks of a run:
//
//   - per DaemonSet, the share of its eligible nodes covered by an
//     available daemon pod over simulated time, from the DaemonSet's status
//     (numberAvailable / desiredNumberScheduled): its time-weighted mean,
//     its minimum, the time spent below 100%;
//   - per DaemonSet and node, from the observer's own account of the
//     objects (not the status), the time the node was eligible without an
//     available daemon pod: the worst node (the longest total, the first
//     by name among equals) with its total, and how many nodes were ever
//     uncovered (for a positive time);
//   - per DaemonSet and for the workload (every pod no DaemonSet controls),
//     the pods created, preempted, evicted by taint eviction, evicted through
//     the eviction API, deleted by pod GC, and failed: a disruption is told
//     apart by the reason of the DisruptionTarget condition the deleter puts
//     on the pod (PreemptionByScheduler, DeletionByTaintManager,
//     EvictionByEvictionAPI, DeletionByPodGC);
//   - pending times, creation to binding, for daemon and workload pods:
//     p50, p90, p99 and the maximum (nearest rank);
//   - the nodes by Ready condition status over time (counts, time-weighted);
//   - each DaemonSet's rollouts, from daemonset.RolloutReporter.
//
// A Recorder, another observer, keeps the same quantities as time series
// (nodes Ready, not Ready and cordoned; per DaemonSet desired, ready and
// unavailable; pending workload pods) on a fixed simulated-time grid with
// a bounded number of points, for package sim/chart to draw.
//
// # Usage
//
//	c, _ := sim.NewDefault(cfg)
//	obs := report.New(c.Now())
//	_ = c.Add(obs) // last, after the rollout reporter
//	... run ...
//	s := obs.Summary(c.Now(), c.Rollouts.Rollouts)
//	s.WriteText(os.Stdout) // or s.WriteJSON
//
// # Time
//
// A change carries no time; the engine reconciles every controller that
// observed a change at the instant of the change, once no event of that
// instant is left (a round; an instant may have several, as controllers'
// changes at that instant follow). So the observer keeps what it observed
// as "live" and, in Reconcile, settles it at the round's now: an interval
// ends and the next starts there. A value written and overwritten at one
// instant is held for no time and counts neither for the time-weighted
// figures nor for the minimum and maximum. Pending times are measured at
// the round that follows the bind.
//
// # Per-node coverage
//
// A node is eligible for a DaemonSet while daemonset.NodeShouldRunDaemonPod
// gives shouldRun (the template's nodeName, nodeSelector and required node
// affinity, and its untolerated NoSchedule and NoExecute taints): a node
// with an untolerated NoSchedule taint, whose pod may stay, is not
// eligible, as it is not counted in desiredNumberScheduled. It is covered
// while a pod the DaemonSet controls (its controller reference) is bound
// to it, Ready, not Succeeded or Failed, and available: Ready for the
// DaemonSet's minReadySeconds (cluster.Pod.IsAvailable, from the Ready
// condition's lastTransitionTime). A terminating pod that is still Ready
// covers its node (it still runs). Eligible and not covered is
// uncovered; a node gone is not eligible, and a node never eligible never
// counts. The instant minReadySeconds ends needs no wake-up: nothing
// changes before it, so an interval that ends after it counts as
// uncovered up to it only. Nodes are by name: a node deleted and made
// again adds to the same total. The costs are the Observer's: a pod change
// O(1); a node change O(1) unless it is a create, a delete, a label
// change or a NoSchedule or NoExecute taint change that some DaemonSet
// does not tolerate (O(DaemonSets)); a DaemonSet's create, delete or spec
// change of placement or minReadySeconds O(nodes seen), rare.
//
// # What is partial
//
//   - The per-node figures are as the observer saw the objects: a node or a
//     DaemonSet made before the observer was registered, and not changed
//     since, is not known (register it first); a pod Ready before then
//     covers its node from its first later change.
//   - Coverage (mean, min, below 100%) is the DaemonSet controller's own status: between the
//     controller's syncs (a node leaves, a pod fails) the status, and so the
//     coverage, lags by the controller's round, as kubectl's view does.
//     Time with desiredNumberScheduled 0 is not counted.
//   - A pod created before the observer was registered counts from its
//     first later change (not as created); a bind before then is not a
//     pending time. Register it first.
//   - Pods still pending at the end have no pending time (Percentiles count
//     bound pods only).
//   - A node whose kubelet posts Ready=False keeps its pods Ready (upstream's
//     node lifecycle controller marks pods not ready only when it turns the
//     node Unknown itself), so such a node still counts as covered.
//   - Pending times are as the simulated scheduler makes them: it binds at
//     the instant it finds a node, so a pod that fits waits 0 s; only pods
//     that wait for room (or preemption) have a pending time above 0.
//   - A pod counts once, under the first DisruptionTarget reason it
//     carries; the rollout reporter's Replaced counts the rollout's deletes
//     apart, so a pod the rollout deleted that pod GC then force-deleted
//     (its node went while it terminated) is in both.
//   - A pod force-deleted with no DisruptionTarget condition (a user's
//     delete, the DaemonSet controller's) counts as neither disrupted nor
//     failed.
package report
