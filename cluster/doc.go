// Package cluster is the simulator's object model and state: Node, Pod,
// DaemonSet, ReplicaSet, ControllerRevision, PriorityClass and
// PodDisruptionBudget with Kubernetes JSON field names; exact resource
// quantities; defaulting and validation with API-server field paths; and
// the Store, an ordered set of objects (one google/btree per kind, pod
// indexes by node and by controller UID) with O(1) snapshots and
// copy-on-write forks. Each
// object sits in an entry owned by one store generation; a write to an
// entry the store owns (a status write, a bind) replaces the object in
// place and moves nothing in the trees or indexes unless an index key
// changed, while an entry shared with a snapshot or fork is copied first.
//
// Store.Apply is the only way to write. A Create is defaulted, validated,
// then admitted, and only then stored, so that, as upstream, an invalid
// object is refused as invalid even if its name is taken; an Update is
// validated against the stored object; nothing is half applied.
// Controllers describe writes as Changes in a Plan and the sim engine
// applies them.
//
// The store copies what it is given, but a created pod shares its labels,
// annotations, owner references, node selector and tolerations with the
// pod created before it when they are equal (stored objects are never
// modified, so sharing is safe): a DaemonSet's pods, stamped from one
// template, then cost one copy of those parts, not one per pod. A writer
// that builds a fresh object for each change (the DaemonSet controller's
// pods, the node agent's and the scheduler's status writes) sets Handoff
// on its Create or UpdateStatus instead: the store keeps that object
// itself, with no copy, and the writer gives it up (see Create). Each tree
// remembers the entry its last lookup found, so a write that follows a
// read of the same object does not search again.
//
// # The kind table
//
// Each kind is described once, in the kind table: a kindDef registered
// from an init function of the kind's file (kinds.go for the first six,
// replicaset.go for ReplicaSet). A description holds the kind's Kind
// value and name ("replicaset": Kind.String, ParseKind, keys, logs),
// whether it is namespaced, the container its objects are kept in (a
// tree ordered by namespace and name, or for pods the tree with its
// by-node and by-owner indexes, slots and sharing), defaulting, create
// and update validation, the strategy's PrepareForCreate and
// PrepareForUpdate, admission, what metadata.generation counts, the
// status subresource (keep the stored status on update; write and
// validate a new one) and graceful deletion. The store keeps one
// container per kind in a slice indexed by Kind; Apply, the changes,
// admission, Default, Validate, ValidateUpdate, IsNilObject, Objects,
// Digest and the object encoding (NewObject, DecodeObject, ParseKey)
// work from the table and know no kind by name, except where a change is
// a pod's alone (Bind, Delta.Slot). The typed View accessors (Node, Pods,
// ReplicaSets, ...) are each kind's own, in its file. Cost: a change
// looks its kind up once (an array index) and makes a few indirect calls
// where the store had type switches; the pod accessors reach the pod
// container with one type assertion, and no map is consulted.
//
// To add a kind, write one file like replicaset.go: the type (with
// ObjectMeta embedded, JSON names as Kubernetes'), ObjectKind (which must
// not dereference its receiver) and DeepCopyObject, DeepCopy, a Kind
// constant after the last one (so that the objects of the kinds before it
// keep their order in Objects, and every digest of a store without the
// new kind stays as it was), the kindDef with what the kind has, and the
// Store methods that read it; then list the typed accessors in View if
// controllers need them. conformance/validation_diff_test.go compares a
// kind's validation with upstream's. TestThrowawayKind defines a kind in
// a test file this way and stores, validates, digests and decodes it.
//
// # Admission
//
// The Priority admission plugin is modelled on pod creation: the pod's
// priorityClassName, or the global default class (the lowest value if
// several), sets spec.priority and spec.preemptionPolicy; an unknown
// class, or a priority or policy in the spec that disagrees with the
// class, is refused with ErrForbidden in upstream's words. Only one class
// may be the global default.
//
// The DefaultTolerationSeconds admission plugin runs on every pod create
// and update: a pod that does not already tolerate the
// node.kubernetes.io/not-ready (or .../unreachable) NoExecute taint (a
// toleration with that key or an empty one, and effect NoExecute or empty;
// operator and value are not looked at, as upstream) gets {key, Exists,
// NoExecute, tolerationSeconds 300} appended, so an ordinary pod on a node
// that stops reporting is evicted 300 s after the taint eviction
// controller sees the taint. Daemon pods tolerate both taints forever and
// get nothing. Pods that had no tolerations share one slice of the two.
//
// Deliberate difference: the built-in classes system-cluster-critical
// (2000000000) and system-node-critical (2000001000) always resolve
// (ResolvePriorityClass, BuiltinPriorityClasses) but are not stored
// objects, unlike upstream where the API server creates them at start, so
// that an empty store is empty and a scenario's first change is revision 1.
//
// # Validation
//
// Validate and ValidateUpdate are upstream's ValidatePod, ValidateDaemonSet,
// ValidateReplicaSet, ValidateNode, PodDisruptionBudget, PriorityClass and
// ControllerRevision validation (v1.37.1, feature gates at their defaults)
// for every field the types have, with upstream's field paths, error
// types, messages and rendered bad values; Bind and the status
// subresources (pods, nodes, DaemonSets, ReplicaSets, PDBs) are validated
// as upstream's. conformance/validation_diff_test.go compares them with
// the real validators on generated objects (ReplicaSet updates and status
// updates too).
//
// # Deliberate differences
//
//   - A create keeps the metadata and status an object carries (see
//     Create), where the API server sets uid, creationTimestamp and
//     generation itself, so that a cluster's state loads as it was
//     (TestCreateKeepsImportedMetadata).
//   - Every accepted change writes a new version: a Delete of an object
//     already being deleted that shortens nothing (a pod held by a
//     finalizer, say) gives it a new resourceVersion, where the API server
//     writes nothing and sends no watch event, so a controller waiting to
//     observe that deletion (upstream's DaemonSet expectations) sees it here.
//     The log then holds one version per accepted change
//     (conformance/daemonset_diff_test.go counts the cases).
//   - A non-integer deprecated.daemonset.template.generation annotation is
//     refused as metadata.annotations[...]: Invalid value, where the API
//     server fails its conversion without a field path
//     (TestTemplateGenerationAnnotationErrors).
//   - A negative metadata.generation is refused for every kind (upstream
//     resets it on create for pods, DaemonSets, ReplicaSets, PDBs and
//     PriorityClasses; here a given generation is kept).
//   - A status write keeps the stored metadata, for every kind; upstream's
//     status strategies keep the spec (and for pods the owner references
//     and deletion timestamp) but take other metadata changes, such as
//     labels.
//   - Resource lists are sorted and unique (one more error than upstream
//     for a repeated name); quantities beyond about 9.2e15 units are refused
//     when decoded.
//   - The pod update Forbidden message leaves out upstream's appended spec
//     diff, and an error upstream reports twice on update is reported once.
//   - A preferAvoidPods annotation entry without a controller is refused
//     ("must point to a controller"); upstream's validation panics on it.
package cluster
