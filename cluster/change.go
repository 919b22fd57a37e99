package cluster

import (
	"fmt"
	"time"
)

// Change is one write to the store: the sealed set Create, Update,
// UpdateStatus, Delete, Bind and Evict. Controllers return Changes in a Plan; the
// engine applies them with Store.Apply. A Change holds its object by
// pointer; once submitted, the writer must not modify it.
type Change interface {
	// Target is the key of the object the change writes.
	Target() Key
	// Verb is the change's name in logs: "create", "update", ...
	Verb() string
	change()
}

// Create adds a new object. It fails with ErrAlreadyExists if the key is
// taken, or ErrInvalid (with every problem listed) if the defaulted object
// is not valid.
//
// The store fills in the metadata the object lacks: a uid, the
// resourceVersion, generation 1 and creationTimestamp now; a pod's phase
// Pending. What the object carries is kept, as is its status: an object
// taken from a snapshot of a real cluster (uid, creationTimestamp,
// generation, resourceVersion, ownerReferences, deletionTimestamp, node
// conditions, pod status) loads as it was, so the cluster can be simulated
// from that state on (see sim.Config.Initial). Deliberate difference: the
// API server always sets uid, creationTimestamp and generation itself and
// clears a created DaemonSet's status; a simulator that could not load a
// cluster's state as it is would be of little use. A kept resourceVersion
// above the store's revision makes every later version higher still. The
// store does not check that given uids are unique.
//
// The store keeps a copy of Object, unless Handoff is set: then it keeps
// Object itself, and the caller gives it up. Defaulting and admission
// write into it whether or not the create succeeds, a successful create
// adds the store's metadata (uid, resourceVersion, creationTimestamp), and
// from submission on nobody may modify it or anything it points to (maps,
// slices, pointers it shares with other values included); reading stays
// safe. A controller that builds a fresh object for each create saves a
// copy per pod this way. The outcome is the same as without Handoff.
type Create struct {
	Object  Object
	Handoff bool
}

// Update replaces an object's metadata and spec; its status is kept (the
// status subresource is written by UpdateStatus). With ExpectedRV non-zero it
// fails with ErrConflict unless the stored resourceVersion equals it.
type Update struct {
	Object     Object
	ExpectedRV uint64
}

// UpdateStatus replaces an object's status only, as the status subresource
// does; metadata and spec are kept. ExpectedRV as for Update.
//
// Handoff gives Object to the store as for Create: the new version is
// Object itself, with the stored metadata and spec written into it, and
// its status (slices and pointers included) is kept without a copy.
type UpdateStatus struct {
	Object     Object
	ExpectedRV uint64
	Handoff    bool
}

// DeletionPropagation says what happens to an object's dependents.
type DeletionPropagation string

// The propagation policies. Background (the default for apps/v1) removes
// the object at once and lets the garbage collector delete dependents;
// Orphan keeps the object (with the "orphan" finalizer) until the garbage
// collector has removed the owner references from its dependents; Foreground
// keeps it (with "foregroundDeletion") until its dependents are gone.
const (
	DeletePropagationBackground DeletionPropagation = "Background"
	DeletePropagationOrphan     DeletionPropagation = "Orphan"
	DeletePropagationForeground DeletionPropagation = "Foreground"
)

// The finalizers the store adds for Orphan and Foreground deletions.
const (
	FinalizerOrphanDependents = "orphan"
	FinalizerDeleteDependents = "foregroundDeletion"
)

// Delete removes an object. Pods are deleted gracefully: a bound,
// non-terminal pod gets deletionTimestamp = now + grace period and stays
// until a Delete with a zero grace period (the node agent's job); an unbound
// or terminal pod, or GracePeriodSeconds 0, is removed at once. An object
// with finalizers is marked terminating and removed when an Update clears
// them. ExpectedRV as for Update; ErrNotFound if absent.
type Delete struct {
	Key                Key
	GracePeriodSeconds *int64
	Propagation        DeletionPropagation
	ExpectedRV         uint64
}

// Bind assigns a pending pod to a node (the pods/binding subresource): it
// sets spec.nodeName and the PodScheduled=True condition, and clears
// status.nominatedNodeName (ClearingNominatedNodeNameAfterBinding, on by
// default since v1.35). It fails with
// ErrConflict if the pod is already bound or is terminating, ErrNotFound if
// the pod is absent.
type Bind struct {
	Pod  Key
	Node string
}

func (c Create) Target() Key       { return KeyOf(c.Object) }
func (c Update) Target() Key       { return KeyOf(c.Object) }
func (c UpdateStatus) Target() Key { return KeyOf(c.Object) }
func (c Delete) Target() Key       { return c.Key }
func (c Bind) Target() Key         { return c.Pod }

func (Create) Verb() string       { return "create" }
func (Update) Verb() string       { return "update" }
func (UpdateStatus) Verb() string { return "update-status" }
func (Delete) Verb() string       { return "delete" }
func (Bind) Verb() string         { return "bind" }

func (Create) change()       {}
func (Update) change()       {}
func (UpdateStatus) change() {}
func (Delete) change()       {}
func (Bind) change()         {}

// String renders "create pod/default/x", "bind pod/default/x -> n1".
func (c Create) String() string       { return "create " + c.Target().String() }
func (c Update) String() string       { return "update " + c.Target().String() }
func (c UpdateStatus) String() string { return "update-status " + c.Target().String() }
func (c Delete) String() string {
	s := "delete " + c.Key.String()
	if c.GracePeriodSeconds != nil {
		s += fmt.Sprintf(" grace=%ds", *c.GracePeriodSeconds)
	}
	if c.Propagation != "" {
		s += " propagation=" + string(c.Propagation)
	}
	return s
}
func (c Bind) String() string { return "bind " + c.Pod.String() + " -> " + c.Node }

// Delta describes one applied change: the object before (nil for a
// create) and after (nil when it left the store). Old and New are shared
// with the store and must not be modified.
//
// Slot, for a pod, is a number that is the pod's alone: the store
// revision at which the pod was created (the number a uid the store made
// is made of; an imported uid has nothing to do with it).
// It stays the pod's for its lifetime and no other pod of the store (or
// of the store it was forked from, before the fork) ever has it, so an
// observer can keep per-pod state in a SlotTable indexed by it rather
// than a map keyed by Key; View.PodSlot gives it for a stored pod. Pods
// made one after another have slots close together, which keeps such a
// table's accesses in cache. It is 0 for other kinds.
//
// Also holds the other objects the same change wrote before this one, in
// order: only an Evict writes two (the PodDisruptionBudget it uses, then
// the pod). Rev is the revision after the last write.
type Delta struct {
	Rev  uint64
	Key  Key
	Old  Object
	New  Object
	Slot uint64
	Also []Delta
}

// NoteType is Normal or Warning, as Kubernetes events.
type NoteType string

// The note types.
const (
	NoteNormal  NoteType = "Normal"
	NoteWarning NoteType = "Warning"
)

// Note is a Kubernetes-style event a controller records about an object
// (reason SelectingAll, FailedPlacement, ...). Notes go to the event log;
// they do not change the store.
type Note struct {
	Object  Key
	Type    NoteType
	Reason  string
	Message string
}

// String renders "Warning SelectingAll daemonset/ns/x: message".
func (n Note) String() string {
	return string(n.Type) + " " + n.Reason + " " + n.Object.String() + ": " + n.Message
}

// Requeue asks the engine to wake a controller for Key after After.
type Requeue struct {
	Key   Key
	After time.Duration
}

// Delayed is a change to submit After from now (a bind latency, say).
type Delayed struct {
	After  time.Duration
	Change Change
}

// Plan is what a controller returns from one reconcile pass. The engine
// submits Changes now in slice order, Later at their delays, records
// Notes, and schedules the Requeues. A Plan's contents become the engine's;
// the controller must not modify them afterwards.
type Plan struct {
	Changes []Change
	Later   []Delayed
	Notes   []Note
	Requeue []Requeue
}

// Empty reports whether the plan asks for nothing.
func (p *Plan) Empty() bool {
	return len(p.Changes) == 0 && len(p.Later) == 0 && len(p.Notes) == 0 && len(p.Requeue) == 0
}
