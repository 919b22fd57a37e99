// Package manifest reads Kubernetes manifests into daemonsim's objects and
// writes objects (one, several, or a whole cluster state) back as
// Kubernetes YAML and JSON in `kubectl get -o yaml` shape.
//
// # Usage
//
//	set, err := manifest.LoadFiles("my-daemonset.yaml", "snapshot/") // or Load(name, data)
//	if err != nil {
//		fmt.Fprintln(os.Stderr, err) // one "file:line: path: message" per problem
//		os.Exit(1)
//	}
//	for _, ig := range set.Ignored {
//		fmt.Printf("%s:%d: %s: ignored (%d times)\n", ig.File, ig.Line, ig.Path, ig.Count)
//	}
//	store, err := set.Store(now)        // or submit manifest.ApplyChange(view, o.Object)
//	manifest.WriteState(os.Stdout, store, "yaml")
//
// # What Load accepts
//
// A file is a stream of YAML documents, split as kubectl splits them (at
// lines that start with "---", which may be followed by spaces and
// a comment only), or, when its first non-blank character is "{", a stream
// of JSON values. Empty and comment-only documents are skipped. Each
// document is an object with apiVersion and kind:
//
//   - Node and Pod (v1), DaemonSet, ReplicaSet and ControllerRevision
//     (apps/v1), PriorityClass (scheduling.k8s.io/v1) and
//     PodDisruptionBudget (policy/v1) are decoded. One of these kinds with
//     another apiVersion (extensions/v1beta1 DaemonSet) is an error naming
//     the version accepted.
//   - A v1 List, the shape of `kubectl get nodes,pods,daemonsets -A -o
//     yaml`, is read item by item; so is a typed list (PodList,
//     DaemonSetList, ... in the kind's apiVersion), whose items may leave
//     out apiVersion and kind, as the API server serves them.
//   - Any other kind (ServiceAccount, ConfigMap, ClusterRole, CRDs, ...) is
//     listed in Set.Skipped with its position, namespace and name, and not
//     decoded.
//
// YAML is converted to JSON as sigs.k8s.io/yaml does (YAML 1.1: an
// unquoted yes is true; anchors, aliases and merge keys), and the JSON
// decoded into the cluster package's types by their JSON tags (Kubernetes'
// names). Each document is also parsed with go-yaml v3 (sigs.k8s.io/yaml/
// goyaml.v3), for the line of every field.
//
// # Strict fields, ignored fields
//
// Before decoding, every field is checked against Kubernetes' own schema of
// the kind (schema_gen.go, generated from the k8s.io/api v0.37.1 types by
// conformance/manifest_schema_test.go: `cd conformance && go test -run
// TestManifestSchema -update`; without -update that test fails when the
// table is stale), as the API server's strict decoding does (`kubectl
// apply`, field validation Strict):
//
//   - a field Kubernetes does not have is an error, "unknown field";
//     names are case sensitive;
//   - a field given twice is an error, "duplicate field";
//   - a value of the wrong JSON type is an error: "expected string",
//     "expected integer" (and of 32 or 64 bits), "expected boolean",
//     "expected object", "expected array", "expected int or string",
//     a quantity that does not parse, a time that is not RFC 3339. As for
//     the API server, a YAML number where a string is expected (an
//     unquoted label value 1.0) is an error, not converted.
//
// A field Kubernetes has and daemonsim does not model (what the cluster
// package's types have, read by reflection over their JSON tags, is what is
// modelled): images are modelled, volumes, probes, security contexts,
// environment, service accounts, pod IPs and container statuses are not.
// Such a field is checked like any other, then dropped, and reported once
// per kind and path in Set.Ignored, indices collapsed
// ("spec.template.spec.containers.volumeMounts"), with the first position
// it was seen at and how often.
//
// Then each object is validated as a create into a store would validate
// it: a copy is defaulted and validated (cluster.Default, cluster.Validate,
// the strategy's create checks) in a scratch store, so every problem is
// listed with upstream's field path and message; the object returned is
// as written, not defaulted (the store defaults it on create). Admission
// (a pod's priorityClassName must name a class) is left to Set.Store,
// which creates the classes first. An object defined twice in one file is
// an error.
//
// # Errors
//
// A load that finds any problem returns an *Error listing every problem of
// the input (every file, for LoadFiles) and no Set: nothing of a bad file
// is applied. Each problem is one line, "file:line: path: message":
//
//	ds.yaml:14: spec.template.spec.tolerashuns: unknown field
//	ds.yaml:9: spec.updateStrategy.rollingUpdate.maxUnavailable: expected int or string
//	ds.yaml:1: apiVersion: Unsupported value: "extensions/v1beta1": supported values: "apps/v1"
//	ds.yaml:19: invalid YAML: mapping values are not allowed in this context
//	ds.yaml:14: spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`
//
// The line is the field's (its key's); where the path names something the
// document lacks (a Required value), the line of the nearest part it has.
// Paths of a List's items start with items[i]. Problems come in file order;
// within a document, syntax first, then fields by line, then validation in
// upstream's order. No input makes Load panic (FuzzLoad).
//
// # Snapshots
//
// What a real cluster's objects carry is kept: uids, resourceVersions,
// creation and deletion timestamps, generations, owner references, node
// conditions, pod status (phase, conditions, start time), DaemonSet and
// budget status; Set.Store creates them with it (see cluster.Create), so a
// `kubectl get -o yaml` of a cluster can be simulated forward
// (TestSnapshotForward: a kind cluster's nodes, DaemonSet and running pod
// loaded into sim.Config.Initial; the pod is kept, the missing one made).
//
// # Writing
//
// Marshal, WriteYAML, WriteJSON and WriteState print what `kubectl get -o
// yaml` (or -o json) prints: keys in alphabetical order at every level,
// which puts apiVersion, kind, metadata, spec and status in that order
// (kubectl prints objects as maps); apiVersion and kind as Kubernetes
// serves the kind; no null and no empty list or map, and no empty object
// but where it means something (a set pointer: a PodDisruptionBudget's
// selector {} selects every pod); JSON indented by four spaces. Several
// objects are a v1 List with metadata {resourceVersion: ""}, as kubectl
// prints them; WriteState always writes a List.
//
// Round trip: what is written loads back to equal objects (equal JSON, so
// the same cluster.Digest when created into a store in the same order):
// TestRoundTripState checks simulated states (nodes, classes, a DaemonSet
// with its revision and pods, a budget, pending pods) at several instants
// in YAML and JSON, and FuzzLoad checks that any accepted input written
// with WriteYAML loads back equal. Loading drops empty lists and objects
// for that reason (they mean what their absence means). Fields daemonsim
// does not model are not written: they were dropped on load.
// conformance/manifest_diff_test.go checks that what WriteYAML writes
// decodes with upstream's strict decoder without error, and that
// upstream's strict decoding and Load agree on misspelt fields (both
// refuse), added real fields (both accept) and values of the wrong type
// (both refuse), on mutations of the seed, real-world and simulated
// manifests.
//
// # Cost
//
// Load is linear in its input: each document is parsed twice (go-yaml v3
// for lines, v2 through sigs.k8s.io/yaml for values, as kubectl), checked
// once against the schema, decoded and validated; about 0.2 ms per small
// object on one core, as is writing (most of it go-yaml). A line lookup
// walks the document's nodes along the path. Nothing here keeps state
// between calls; the functions are safe for concurrent use on different
// values.
//
// # Deliberate differences from kubectl and the API server
//
//   - A number or boolean where Kubernetes has a string is refused, as by
//     the API server (kubectl apply); sigs.k8s.io/yaml.Unmarshal into typed
//     objects would turn it into a string (TestLoadErrors "label value",
//     "JSON has no YAML conversions").
//   - metadata.resourceVersion must be a decimal number (daemonsim keeps
//     it as one; etcd's always are) (TestLoadErrors "resourceVersion").
//   - An object defined twice in one file is an error; kubectl apply would
//     apply the second over the first (TestLoadErrors "duplicate object").
//   - Typed lists (PodList, ...) are read; kubectl apply -f wants a List
//     or single objects (TestLoadList).
//   - A quantity beyond about 9.2e15 units is refused where daemonsim reads
//     it (cluster.Quantity), accepted in ignored fields.
//   - metadata.generateName is not modelled: an object needs a name.
//   - Written: a status that is all zero is left out (the cluster types'
//     omitzero), where the API server prints zero counters; times keep
//     their sub-second part, where metav1.Time prints whole seconds
//     (TestMarshalShape, TestWriteSubsecondTime).
package manifest
