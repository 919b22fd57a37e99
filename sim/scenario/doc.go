// Package scenario runs scenario files against a simulated cluster: a test
// is a text file of kubectl-like commands, each followed by the output it
// must print, in the github.com/cockroachdb/datadriven format, and a user's
// own go test runs a directory of them in one line:
//
//	func TestScenarios(t *testing.T) { scenario.Run(t, "testdata") }
//
// `go test -rewrite` writes each command's actual output in place of the
// expected one (read the diff before committing it). Outputs that quote the
// file's own line numbers (errors in inline YAML) move when a rewrite
// inserts lines above them: run -rewrite a second time. The same commands run
// from YAML timelines (ParseTimeline) and from any program (World.Exec).
//
// # Writing a scenario file
//
// A file is a list of commands. Each is one line (the command and its
// arguments: words, key=value, key=(v1, v2)), then for apply and create the
// objects as YAML, then a line "----", then the output, then a blank line.
// Lines starting with # are comments. Output with blank lines in it is
// wrapped in a second "----" line before and after. Write the commands with
// empty outputs and run `go test -rewrite` to fill them in:
//
//	# One pod per eligible node: the tainted node gets none.
//	cluster seed=1 start-latency=2s ready-delay=3s
//	----
//	ok
//
//	add-nodes count=2
//	----
//	node/node-1 created
//	node/node-2 created
//
//	add-nodes gpu-1 taints=gpu=true:NoSchedule
//	----
//	node/gpu-1 created
//
//	apply file=agent.yaml
//	----
//	daemonset.apps/agent created
//
//	run for=1m
//	----
//	t=+1m0s
//
//	get pods -o wide
//	----
//	NAME          READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES
//	agent-fgm9b   1/1     Running   0          60s   <none>   node-1   <none>           <none>
//	agent-fgm9c   1/1     Running   0          60s   <none>   node-2   <none>           <none>
//
// Each file runs on a fresh cluster (sim.NewDefault) at the simulated epoch;
// time moves only with run, stabilize and a blocking drain. Commands that change the cluster
// apply their changes at once, at the current instant, and print the
// result as kubectl does ("daemonset.apps/agent created", "node/n1
// cordoned"); the controllers (DaemonSet controller, scheduler, node agent,
// garbage collectors) act when time runs, so `get pods` right after an
// apply shows no pods yet, and `run` (for=0s) completes the current instant.
// What the simulator refuses prints into the output in kubectl's words
// ("Error from server (NotFound): ...", "The Pod "p" is invalid: ...",
// "error: ..."), so expected refusals are part of the golden text. A
// command that cannot run as written fails the test with the file and line:
// an unknown command, an unknown or misspelt argument (every argument must
// be used), a missing one, a value of the wrong form (a duration, a number,
// a taint, a label selector), or a cluster command that is not first.
//
// Objects are named kind/name, kind/namespace/name, or by the two words
// "kind name" (node n1, daemonset kube-system/agent); a namespaced object
// without a namespace is in "default". Kinds: node (no), pod (po),
// daemonset (ds), replicaset (rs), controllerrevision, priorityclass (pc),
// poddisruptionbudget (pdb), singular or plural. Where a command only takes
// one kind (cordon: nodes; set image: DaemonSets) the kind may be left out.
// Durations are Go durations (30s, 5m, 1h30m) or a number of seconds.
//
// # Commands
//
//	cluster [seed=N] [start-latency=D|(LO, HI)] [ready-delay=D|(LO, HI)] [failure-probability=P] [max-steps=N]
//	    Configure the fresh cluster (must come first): the engine seed and the
//	    node agent's latencies, fixed or uniform. Prints ok.
//	apply [file=PATH | file=(A, B)]  + YAML input
//	    kubectl apply: create each object, or update it when it exists
//	    ("created", "configured", "unchanged"); kinds daemonsim does not
//	    simulate are listed once as skipped, fields it does not model once as
//	    ignored. A manifest that does not load prints every problem with its
//	    file:line (inline input: the scenario file's lines) and applies nothing.
//	    Paths are relative to the scenario file; directories load every
//	    *.yaml, *.yml and *.json in them.
//	create [file=PATH] + YAML input
//	    kubectl create: AlreadyExists for an object that exists.
//	add-nodes NAME... | count=N [prefix=node-] [labels=K=V,...] [taints=K=V:EFFECT,...]
//	          [cpu=4] [memory=16Gi] [pods=110] [not-ready] [unschedulable]
//	    Create named nodes, or N nodes named prefix1, prefix2, ... (skipping
//	    names taken), Ready unless not-ready, with the allocatable given and
//	    the labels a kubelet sets (kubernetes.io/hostname, kubernetes.io/os=linux,
//	    kubernetes.io/arch=amd64) besides the labels given, which win.
//	    Prints a line per node, or one line for more than five.
//	delete KIND/NAME [cascade=background|orphan|foreground] [grace-period=N] [now]
//	    kubectl delete; nodes too (their pods go after pod GC's 40 s).
//	patch KIND/NAME  + YAML or JSON input
//	    kubectl patch --type merge (RFC 7386: maps merge key by key, null
//	    removes a key, lists and values replace); the result is checked as
//	    a manifest (unknown fields, types, validation). Prints "patched",
//	    "patched (no change)" or the refusal; the status is not patched.
//	label KIND/NAME K=V... K-... [overwrite]
//	    kubectl label, for any kind; changing a value needs overwrite.
//	taint [node] NAME K=V:EFFECT... K:EFFECT-... K-... [overwrite]
//	    kubectl taint nodes.
//	cordon NAME / uncordon NAME
//	drain NAME [ignore-daemonsets] [force] [delete-emptydir-data] [grace-period=N] [timeout=D]
//	      [disable-eviction] [pod-selector=SELECTOR] [no-wait]
//	    kubectl drain as a process (sim.Cluster.Drain, package sim/drain):
//	    cordon, refuse (evicting nothing) for DaemonSet pods without
//	    ignore-daemonsets or pods with no controller without force, evict
//	    the rest through the eviction subresource, retry a 429 every 5 s,
//	    wait for the pods to go. It blocks as kubectl does: the clock runs,
//	    an instant at a time (through any active replay), until the drain
//	    is no longer Draining, bounded by timeout plus one retry interval
//	    (kubectl notices its deadline at the next retry or poll) or, with
//	    no timeout, by 1 h, after which it says that the drain goes on.
//	    Prints the drain's lines with their offsets from its start
//	    ("+5s evicting pod default/web-0"), then the time reached. no-wait
//	    starts it and returns; its lines are Drain events either way.
//	    delete-emptydir-data changes nothing (no volumes are simulated).
//	fail-node NAME [status=False] [reason=R] [message=M] / recover-node NAME
//	    The kubelet posts Ready=False (KubeletNotReady) or True
//	    (KubeletReady) through the status subresource; it keeps renewing
//	    its lease. The node lifecycle controller taints the node
//	    not-ready (NoSchedule at once, NoExecute through its zone's rate
//	    limit). status=Unknown is refused: only the node lifecycle
//	    controller sets Unknown, when the kubelet stops (stop-kubelet).
//	set-condition NAME TYPE=True|False [reason=R] [message=M]
//	    Set one node condition (Ready, MemoryPressure, DiskPressure,
//	    PIDPressure, NetworkUnavailable; a timeline may write disk-pressure)
//	    through the status subresource, with the kubelet's (or, for
//	    NetworkUnavailable, the route controller's) reason and message
//	    unless given. The NoSchedule taints follow: memory-pressure,
//	    disk-pressure, pid-pressure, network-unavailable for True, and
//	    they go when the condition clears (so do hand-made taints of those
//	    keys whose condition is not set). Unknown is refused, as for
//	    fail-node.
//	stop-kubelet NAME / start-kubelet NAME [not-ready]
//	    sim.Cluster.StopKubelet / StartKubelet: the kubelet stops renewing
//	    its lease and acting on its pods (which stay as they are); the node
//	    lifecycle controller turns it Unknown after the 50 s grace, counted
//	    from the monitor pass that saw its last renewal, and taints it
//	    unreachable. start-kubelet renews the lease and, unless not-ready,
//	    posts Ready=True. Both apply at once; errors (no such node, already
//	    stopped or running) print as "error: ...".
//	churn KIND [PARAM=VALUE...] for=D
//	    Generate node churn with a sim/churn generator over [now, now+D)
//	    (D at most a year), from the engine's seed on the kind's stream,
//	    for the nodes there now, and replay it (a churn.Replayer): run and
//	    stabilize then submit each event at its instant. Prints the event
//	    count and the first 20 events. Kinds and parameters (defaults are
//	    the package's Default functions; rates are per hour, durations Go
//	    durations, distributions D, (LO, HI), fixed(D), uniform(LO,HI) or
//	    lognormal(MEDIAN,SIGMA)); every kind takes stream=NAME:
//	      steady       arrivals-per-hour departures-per-node-hour name-prefix labels
//	      crash        failures-per-node-hour downtime
//	      kubelet-stop stops-per-node-hour return-probability restart
//	      correlated   domain-label failures-per-domain-hour downtime
//	                   second-failure-probability window
//	      maintenance  start fraction drain-time reboot uncordon-delay pause period
//	      burst        bursts-per-hour min-size max-size spread lifetime name-prefix labels
//	    Bad values are named by their parameter with the form wanted; the
//	    generator's own checks (Validate) likewise ("churn correlated:
//	    second-failure-probability: Invalid value: 2: must be between 0 and
//	    1"). The cost is the events' count: generated up front, kept in
//	    memory.
//	replay file=PATH [format=csv|google2011]
//	    Replay a trace file (package sim/trace; path relative to the
//	    scenario file), read whole when the command runs (a read error
//	    prints as "error: ..." with the file and line), from now. Events
//	    that do not apply are skipped with a ReplaySkipped warning event.
//	fail-pod POD [reason=SimulatedFailure] [message=M]
//	    The bound pod goes Failed, as a container that exits would
//	    (sim.Cluster.Fail), at the current instant.
//	set image [ds/]NAME CONTAINER=IMAGE... ('*' for every container)
//	set strategy [ds/]NAME type=RollingUpdate|OnDelete [max-unavailable=N|P%] [max-surge=N|P%]
//	rollout undo [ds/]NAME [to-revision=N]      kubectl rollout undo (daemonset.Rollback)
//	rollout status [ds/]NAME                    one look (daemonset.RolloutStatus); kubectl would watch
//	rollout history [ds/]NAME                   the DaemonSet's ControllerRevisions
//	run [for=D | until=D | D] [trace]
//	    Advance the clock by D (until=: to D from the start), processing every
//	    event due (through the active replays: each replayed event at its
//	    instant). Prints the refused changes of the run, every event with
//	    trace (sim.Describe lines), and the time reached ("t=+1m0s").
//	stabilize [trace]
//	    Run every active replay to its end, then until nothing is queued
//	    (timed events included); the same output. A drain that a budget
//	    blocks forever retries forever: stabilize then fails at max-steps.
//	get pods|nodes|daemonsets|events [NAME] [-o wide|yaml|json] [-A] [-n NS] [-l SELECTOR]
//	    kubectl get, with kubectl's columns (package printers); also
//	    replicasets, priorityclasses, ... with -o yaml or json. key=value
//	    forms (o=wide, namespace=x, selector=app=x) work too.
//	events [namespace=NS]
//	    The notes (Kubernetes events) recorded since the last events command,
//	    every namespace unless one is given: the controllers' (RegisteredNode,
//	    NodeNotReady, TaintManagerEviction, ...), drain's lines (Drain) and
//	    skipped replay events (ReplaySkipped) alike.
//	status KIND/NAME
//	    The status: every field of a DaemonSet's (zeros too), other kinds' as YAML.
//	why [pod/]NAME
//	    Why a pending pod is not scheduled: one scheduling attempt now
//	    (scheduler.Decide), its message in upstream's FitError form (reasons
//	    grouped with counts), then each node's plugin and reasons, by node
//	    name, and the node preemption would nominate with its victims.
//	yaml KIND/NAME
//	    The object as kubectl get -o yaml prints it (manifest.Marshal).
//
// The cluster runs the node lifecycle controller and taint eviction
// (sim.NewDefault): node conditions become taints, a stopped kubelet makes
// its node Unknown after the grace period, and NoExecute taints evict the
// pods that do not tolerate them, ordinary pods after the 300 s default
// tolerations. The monitor passes run every 5 s, so stabilize may end at
// the next pass after the last change (a node added after the first pass
// is registered at the next one).
//
// # Timelines
//
// A timeline is the same vocabulary as a YAML document a user keeps beside
// their manifests (kind: Scenario; see ParseTimeline for the shape): each
// step at a simulated offset runs one command, whose arguments are a
// mapping of argument names (camelCase or kebab-case) or the rest of a
// scenario-file line. Timeline.Run prints each step's time, command and
// output; the errors are those of scenario files, with the timeline's file
// and line.
//
// # Determinism
//
// A file's output depends only on the file (and the manifests it reads):
// the cluster is seeded (seed=, default 0), object and event lists are in
// (namespace, name) or log order, and nothing reads the wall clock. A World
// is not safe for concurrent use; run files in parallel on separate Worlds.
package scenario
