// Package sim is the simulator's imperative shell: a virtual clock, an
// event queue ordered by (At, Seq), the authoritative cluster.Store, an
// append-only event log, named seeded random streams, and the loop that
// drives controllers.
//
// # Usage
//
//	e, _ := sim.New(sim.Config{Seed: 42}, myController)
//	e.Submit(e.Now(), "scenario", cluster.Create{Object: node})
//	if err := e.Stabilize(); err != nil { ... } // run to a fixed point
//	fmt.Print(e.Timeline(0))                     // what happened, one line per event
//	e.WriteJSONL(os.Stdout)                      // the log, machine-readable
//
// # The loop
//
// Step pops the earliest event, moves the clock to its time and applies it
// to the store (validated first; a refused change is logged with its error
// and changes nothing). Every controller is told of the applied change
// (Observe). When no other event is queued for the same instant, each
// controller that observed something or was woken since its last pass
// reconciles, in registration order, against the store as a read-only view
// (View: the View methods only, so no type assertion reaches the store's
// writers); its Plan's changes are queued at the current instant (or after
// their delay), its notes logged, its requeues scheduled as wake-up events.
// A Plan is the only way a controller changes state.
// RunUntil runs to a virtual time; Stabilize runs until nothing is queued,
// bounded by Config.MaxSteps so that a livelock is an error naming what
// still churns, not a hang.
//
// # Components
//
// Every controller, built in or a user's, goes through the same public
// interface: Controller, RandomUser for one that draws random numbers
// (the engine hands it its named streams when it is registered) and
// RefusalObserver for one that wants to hear of its own refused changes,
// as an API client hears its request's error. None has
// the engine or the store; see Example_userController for a controller of
// one's own beside the built-in ones.
//
// NewDefault returns a Cluster: an engine with the DaemonSet controller,
// the ReplicaSet controller (package sim/replicaset), the scheduler, the
// NodeAgent, PodGC, the GarbageCollector, the
// DisruptionController and the daemonset.RolloutReporter (an observer that
// writes only notes) registered in that order. The node agent plays every
// kubelet: a bound pod turns
// Running after a start latency and Ready after a readiness delay, each
// drawn per pod from a Distribution (Fixed, Uniform, LogNormal, optionally
// Truncate'd to a unit) on its own named stream (StreamStartLatency,
// StreamReadyDelay, StreamFailure); a pod fails instead with
// FailureProbability or on a Cluster.Fail call; a pod being deleted leaves the
// store at its deletionTimestamp. The agent keeps its own timers in time
// order and asks the engine for one wake-up per instant at which some pod
// is due, naming the first such pod, not one per pod; the round it starts
// handles every pod due, in key order. It follows the pods it runs and
// the node list through Observe, so a round reads from the view only the
// pods of nodes that appeared and the pods named by wake-ups; a pod bound
// in Observe has its latencies drawn at the next round, in the order the
// binds were observed.
// Differences from a real kubelet: there
// are no container statuses and no restarts, a Failed pod has reason
// SimulatedFailure (or the one given to Fail), and termination always
// takes the whole grace period. PodGC deletes the pods of a node that was
// deleted or never existed PodGCQuarantine (40 s) after it first sees them;
// upstream's 20 s check period is not modelled. The GarbageCollector follows only controller references
// to DaemonSets: background deletion deletes the pods and revisions,
// orphan deletion strips the references, foreground deletion waits for the
// pods to be gone. The DisruptionController keeps each
// PodDisruptionBudget's status as upstream's does, which cluster.Evict, the
// eviction subresource, reads.
//
// Where the built-ins differ in shape from upstream's, deliberately: the
// node agent is one controller for every node, not a kubelet per node, so
// that a cluster's cost grows with its changes rather than with its nodes
// (DESIGN.md's "cost grows with what changed"); the rollout reports are an
// observer of the objects, not a part of the DaemonSet controller, so that
// the controller decides and nothing else (its report notes come one round
// after the sync they describe, at the same instant). Preemption and (with
// the churn work) taint eviction delete pods directly, each marking the
// pod with its DisruptionTarget condition first, as upstream's do; only
// what upstream sends through the eviction subresource (kubectl drain)
// goes through cluster.Evict, because the subresource's budget checks
// would refuse disruptions upstream makes.
//
// # The log
//
// Every applied or refused change, wake-up and note is appended to the
// engine's log (Log, Events, Timeline). WriteJSONL and WriteLogFile write
// it as versioned JSON Lines (a header {"kind":"daemonsim.log",
// "version":1,...}, then one lowerCamel object per event; the schema is in
// docs/log.md), StreamLog writes it as the run goes (CreateLog: gzipped
// for a .gz path), ReadLog and OpenLog read it back into Events (a log of
// another version is refused with ErrLogVersion), and ReplayLog rebuilds
// the state from a log file, giving the run's digest. Config.LogWindow
// bounds the history kept in memory (a long run streams its log to a file
// and keeps only its last events and the object versions they refer to).
//
// # Determinism
//
// Same inputs and seed give the same log, byte for byte: events are ordered
// by (At, Seq) with Seq a gap-free counter, controllers run in registration
// order, and random numbers come only from Rand(stream), a PCG generator
// seeded by (Config.Seed, FNV-64a(stream)) so that one stream's draws never
// shift another's. The clock is virtual and only moves forward. State is a
// fold of the log: Replay(log) rebuilds a store whose cluster.Digest equals
// the original's. The log keeps an applied status write's object as stored
// rather than as submitted (see Event), which holds every status version
// once instead of twice. The engine uses no goroutines and is not safe for
// concurrent use; run independent simulations in parallel instead.
package sim
