// Package daemonset is the DaemonSet controller of Kubernetes
// (pkg/controller/daemon) as a pure reconciler: it reads a cluster.View and
// returns a cluster.Plan of creates, deletes, ownership patches, status
// writes, events and timed wake-ups. It never writes the store, and it
// never binds a pod: the scheduler does that. Beside it, a RolloutReporter
// follows its rollouts as an observer.
//
// # Usage
//
//	c, _ := sim.NewDefault(sim.DefaultConfig{})        // controller, scheduler, node agent, GC, reporter
//	c.Submit(c.Now(), "me", cluster.Create{Object: ds}) // a DaemonSet
//	c.Stabilize()
//	reports := c.Rollouts.Rollouts(ds.Namespace, ds.Name)
//
// or, for one decision on a static view:
//
//	ctl := daemonset.New(daemonset.Config{})
//	ctl.Sync(view)
//	plan, _ := ctl.Reconcile(now, view)
//
// # Three parts
//
// No field belongs to more than one of them.
//
//   - The decisions (decide.go, history.go): functions of their arguments
//     that return what to do (or append it to the plan they are handed)
//     and write nothing else. Which nodes should run a
//     pod (NodeShouldRunDaemonPod, the compiled placement), what a node
//     needs (podsShouldBeOnNode: create, the pods to delete, the notes and
//     wake-ups, and the failed-pod backoff entry to store, from the table
//     it is handed read-only), what a node contributes to the status
//     (contribution) and its part in a rolling update (classify), the
//     rolling update's budget and candidates (MaxUnavailableAndSurge,
//     rollingUpdateChoice: what to create, delete or surge), the status
//     to write (statusUpdate), the pod template, and the revision history
//     (decideHistory: which revision is current, what to create, adopt,
//     release, relabel or renumber, or a collision; pruneHistory). They
//     read the cache's node entries and aggregates, never write them.
//   - The cache (cache.go): per DaemonSet (dsState), the object and its
//     compiled spec, the current hash, its nodes and the pods filed on
//     them, the aggregates kept by deltas (status counters,
//     rolling-update sets, the hashes its pods carry), the revisions it
//     controls; plus the controller's own work on it (dsWork: marks, the
//     create queue, claims to check, notes for the next sync, the pod name
//     counter, consecutive failures). Observe writes it (O(1) per pod
//     change), the sync (sync.go) refreshes it from what the decisions
//     return. What one sync's steps tell each other (the orphans it
//     adopted, what its deletes remove at once, its failed creates) lives
//     in a pass, not in the cache. The controller holds, across
//     DaemonSets, the orphans and the failed-pod backoff table.
//   - The report (report.go): RolloutReporter, a controller of its own
//     (Name, Observe, Wake, Reconcile, as sim.Controller; it imports no
//     sim) that sim.NewDefault registers beside the DaemonSet controller
//     (and any other run may add). It
//     learns everything from the changes it observes and the view: the
//     current revision from the ControllerRevisions and the template (with
//     decideHistory, the controller's own decision), the counts of each
//     sync from the status it writes, each node's standing from the pods,
//     the replaced pods from the deletes. It keeps per DaemonSet its
//     compiled spec and what it knows of the history, and per running
//     rollout each node's pods that count and downtime; its notes are
//     RolloutStarted and RolloutFinished; Rollouts returns the reports. The
//     controller keeps nothing of rollouts.
//
// # What it does, per DaemonSet
//
//   - Which nodes: NodeShouldRunDaemonPod, with upstream's three predicates
//     only (template nodeName; nodeSelector and required node affinity;
//     NoSchedule and NoExecute taints against the template's tolerations
//     plus the default daemon tolerations). An untolerated NoSchedule taint
//     keeps an existing pod (counted misscheduled) and places no new one; an
//     untolerated NoExecute taint removes it. Resources, host ports,
//     cordoning and readiness are left to the scheduler.
//   - Pods: copies of the template with the default daemon tolerations
//     (DefaultTolerations; a matching user toleration is replaced, not
//     duplicated), the controller-revision-hash label, the required node
//     affinity replaced by one matchFields metadata.name term, and a
//     controller reference. At most BurstReplicas creates and as many
//     deletes per sync; creates go in slow-start batches of 1, 2, 4, ... and
//     stop after the first batch with a failure (FailedCreate), retried with
//     the work queue's backoff (5 ms doubling to 1000 s).
//   - Per node (podsShouldBeOnNode): a missing pod is created; pods being
//     deleted are skipped (so a node whose only pod is terminating waits);
//     a Failed pod is deleted (FailedDaemonPod) unless its node is in
//     backoff, keyed by DaemonSet UID, observed generation and node, 1 s
//     doubling to 15 min; a Succeeded pod is deleted (SucceededDaemonPod);
//     extra pods are deleted, keeping the oldest (bound first, then
//     creation time, then name); with surge allowed, one pod of the current
//     hash and one older are kept. Unscheduled pods aimed at a node that no
//     longer exists are deleted; pods bound to one are left to pod GC.
//   - Ownership: orphans that match the selector are adopted, owned pods
//     that no longer match are released (never deleted); a DaemonSet being
//     deleted does nothing at all; a selector that selects everything is
//     refused at run time (SelectingAll) and nothing else happens.
//   - Status: the counters of upstream's updateDaemonSetStatus, kept by
//     deltas (each node's contribution is recomputed when the node or one
//     of its pods changes), written when a counter or observedGeneration
//     changed. ComputeStatus is the full recount, for tests.
//   - History: one ControllerRevision per distinct pod template, named
//     <ds>-<hash> and labelled controller-revision-hash=<hash>, with
//     revision numbers; the hash (TemplateHash) is salted with
//     status.collisionCount, and a name taken by another template raises
//     the count. Orphan revisions matching the selector are adopted, owned
//     ones that no longer match released; several revisions matching the
//     template are deduplicated (the newest kept, every pod relabelled to
//     its hash); a template that matches an older revision (a rollback)
//     makes it current again under the next revision number, so pods
//     already on it are not restarted. Old revisions beyond
//     spec.revisionHistoryLimit are pruned oldest first, except those a
//     pod of the DaemonSet still carries. Rollback mirrors kubectl rollout
//     undo; Revisions and CurrentHash read the history from a view.
//   - RollingUpdate (upstream's rollingUpdate), run after manage in the
//     same sync, on the nodes as manage left them (its creates there, its
//     deletes being deleted), as upstream does when manage's expectations
//     are met at once. So with surge, the sync that deletes old pods whose
//     new ones became available also surges onto the next nodes. maxUnavailable
//     and maxSurge are numbers or percentages of the desired nodes rounded
//     up; both zero resolve to maxUnavailable 1 (MaxUnavailableAndSurge).
//     Without surge: old pods that are unavailable are deleted outside the
//     budget (and count against it); available old pods are deleted while
//     fewer than maxUnavailable nodes are unavailable, where a node whose
//     only pod is terminating, or has no pod, counts as unavailable; the
//     replacement is created by the next sync once the old pod is gone.
//     With surge: a new pod is created beside every unavailable old pod,
//     and beside available ones within maxSurge; the old pod is deleted
//     when the new one is available (ready for at least minReadySeconds,
//     as v1.37's IsPodAvailable); an old
//     pod where the daemon should no longer run is deleted only while more
//     pods are available than desired. Candidates are taken in node-name
//     order.
//   - OnDelete: a template change makes a revision and touches no pod; pods
//     deleted by anyone come back on the current template.
//   - Rollouts (RolloutReporter, beside the controller): from the sync
//     that finds a new current revision (a template change, a rollback, or
//     a new DaemonSet that adopted pods of older revisions) to the one
//     that finds every desired node updated and available, the reporter
//     follows start and end, the most nodes unavailable at a sync, the old
//     pods deleted and each node's time without a ready pod (Rollouts;
//     RolloutStarted and RolloutFinished notes, the latter with start and
//     end times and every node's downtime). RolloutStatus mirrors kubectl
//     rollout status.
//
// # Order and cost
//
// Reconcile visits marked DaemonSets by (namespace, name) and, within one,
// marked nodes by name; pods on a node are ordered as upstream's
// podByCreationTimestampAndPhase. A sync runs its steps in upstream's
// order, each a decision on the cache followed by filing its result:
// compile the spec (when the generation changed), decideHistory, load the
// DaemonSet (when needed), claim, then per marked node podsShouldBeOnNode,
// contribution and classify, submit within the burst limit, the rolling
// update's choice on the aggregates, pruneHistory and statusUpdate.
// Observe costs O(1) per pod change and
// O(DaemonSets) per node change; a sync costs O(marked nodes + their pods).
// A DaemonSet is loaded in full, O(nodes + its pods + orphans in its
// namespace), when it is created, its spec changes or its current
// revision changes. The rolling update keeps its counters and candidate
// sets (B-trees by node name) by deltas as nodes are synced, so a sync
// costs O(marked nodes + pods it acts on · log nodes), not O(nodes);
// pods that become available with time are found through a heap of
// ready-time + minReadySeconds. History work is O(revisions in the
// namespace), done only when a revision, the spec or the collision count
// changed. The reporter's costs are RolloutReporter's: between rollouts
// O(1) per pod change; a rollout's start O(nodes + pods of the DaemonSet);
// then O(pods of the DaemonSet on the node) per pod change and per node
// whose standing may have changed.
//
// # Deliberate differences from upstream
//
//   - Expectations: the engine applies a plan's changes before the next
//     Reconcile, so the controller always sees its own writes; upstream's
//     expectations (and the status-only sync while they are unmet) never
//     come into play, and observedGeneration is always written. Within a
//     sync, the rolling update sees manage's creates and deletes (as
//     upstream's unit tests, whose pod control puts them in the cache at
//     once), but the status written counts the pods as the sync found them:
//     a real controller's cache gets its own creates only through its
//     watch, after it computed the status, and the next sync (which those
//     creates trigger) writes the counts with them
//     (TestStatusCountsThePodsTheSyncFound pins it). Upstream's unit tests
//     TestSimpleDaemonSetPodCreateErrors and
//     TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods expect the created
//     pods counted at once.
//   - Imported state: an object created with metadata keeps it (see
//     cluster.Create), so a controller started on a cluster's state
//     (sim.Config.Initial) adopts, releases and repairs what it finds at
//     its first sync, as upstream does after a restart
//     (TestFirstSyncReleasesPodsThatNoLongerMatch, sim's
//     TestSimulateFromASnapshot).
//   - Pod names: upstream draws 5 random characters after "<name>-"; here
//     they count up from an offset taken from the UID (fluentd-5d6rg,
//     fluentd-5d6rh, ...): distinct for the first 27^5 pods, a taken name
//     is skipped. Counting keeps pods made together next to each other in
//     the store's order, which makes the store's lookups of them cheap at
//     scale (the 50,000-node benchmark took 20-21 s instead of 25-29 s
//     with random-looking names; TestPodName).
//   - Template hash: FNV-32a over the template's JSON (upstream: over a spew
//     dump), so equal templates give equal hashes, but not upstream's bytes
//     (TestHashCollision; the differential harness compares revisions by
//     the template they hold).
//   - FailedPlacement: upstream defines the reason but no longer emits it
//     (placement moved to the scheduler in 1.12). Here it is emitted when
//     the scheduler marks a daemon pod unschedulable, with the scheduler's
//     message, so a user sees why a node has no running daemon pod
//     (TestScenarioFailedPlacement).
//   - Create failures are known before the create is submitted: the store's
//     admission check (an unknown priorityClassName, say) and Config.Admit
//     (an injected quota) are asked first, because a plan cannot see its
//     own results. SuccessfulCreate and SuccessfulDelete events are recorded
//     when the change is planned, just before it is applied
//     (TestSyncUnknownPriorityClass, TestSyncBurstAndSlowStart).
//   - Status writes carry no resourceVersion precondition, so there is no
//     conflict-and-retry; the minReadySeconds wake-up is per pod, at its
//     ready time + minReadySeconds, the instant it becomes available (when
//     upstream's status requeue, minReadySeconds after the sync that saw it
//     turn ready, comes back), instead of requeueing the whole DaemonSet
//     (TestScenarioMinReadySeconds).
//   - The failed-pod backoff has no jitter and no periodic GC of its
//     entries (neither changes what happens). Of several failed pods on one
//     node the first met is deleted and the backoff holds the others;
//     upstream meets the pods it owned before the sync before the orphans
//     it adopts in it, each group in its cache's (a map's) order; here each
//     group is taken by bound first, creation time, then name
//     (TestFailedPodOwnedBeforeAdopted).
//   - Rolling updates walk nodes by name where upstream walks a map in
//     random order: the maxUnavailable (or maxSurge) candidates taken are
//     the first ones by node name (TestRollingUpdateMaxUnavailable,
//     TestRollingUpdateSurge).
//   - A sync that relabels pods while deduplicating revisions stops there;
//     upstream goes on with its cache's stale labels (and may delete pods
//     it is about to count as updated) (TestHistoryDedupAndAdoption).
//   - An old pod aimed at a node that no longer exists stops a surge
//     rolling update, as upstream's failed node lookup does; here the sync
//     records a RollingUpdateFailed note instead of returning an error, and,
//     as upstream's error does, skips the history cleanup
//     (TestFailedRollingUpdateSkipsCleanup).
//   - Notes upstream does not emit: HashCollision (upstream logs it),
//     RollingUpdateFailed, and, from the RolloutReporter (under its own
//     name in the log), RolloutStarted and RolloutFinished, which carry
//     the rollout figures (see RolloutReport; TestScenarioRollingUpdate).
//   - The rollout report is an observer rather than part of the controller
//     (DESIGN.md's layers: a controller talks only through the objects in
//     the store, and so can whoever watches it): its notes come one round
//     after the sync they describe, at the same instant, because that
//     sync's counts are read from the status it writes; a rollout whose
//     first counted sync follows one that stopped on relabelled pods gets
//     one wake-up of the reporter's own, so its notes keep that instant
//     (TestRolloutReporterDuplicateRevision). Its pods replaced are the
//     pods of older revisions deleted without a DisruptionTarget condition
//     while the rollout runs: the controller's deletes, and a user's (which
//     the controller, counting its own, left out); preemption, eviction and
//     pod GC mark theirs (TestRolloutReporterReplacedPods).
package daemonset
