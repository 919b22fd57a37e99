// Package trace reads and writes node-event traces: what happens to which
// node when (joins, leaves, label and capacity changes, failures, kubelet
// stops, drains, cordons), for a replay to drive a simulation with. It has
// two readers, one for daemonsim's own CSV format and one for the Google
// cluster-data 2011 machine_events table, a writer of the CSV format, and
// NodeEvent.Changes, which turns an event into the store writes it implies.
// It imports cluster, taints and selector only; sim and its controllers
// import it.
//
// # Usage
//
//	r, err := trace.Open("churn.csv.gz") // gzipped or not
//	if err != nil { ... }
//	defer r.Close()
//	for {
//		ev, err := r.Next()
//		if err == io.EOF { break }
//		if err != nil { return err } // churn.csv:12:9: event: unknown "ad" (want add, ...)
//		changes, err := ev.Changes(view, nil, start.Add(ev.At))
//		...
//	}
//
// # The CSV format
//
// A text file (UTF-8; gzipped or not, detected by the magic bytes 1f 8b) of
// comma-separated lines as RFC 4180 and encoding/csv read them (fields may be
// quoted; none of the values needs it; lines may end in CRLF; a UTF-8 byte
// order mark at the start is skipped). A line whose first character is #
// is a comment; blank lines are skipped. The first other line is the header;
// each later line is one event. Spaces around a field are ignored.
//
//	# a node joins, is tainted, fails, recovers and leaves
//	time,node,event,labels,taints,cpu,memory,pods
//	0s,n1,add,topology.kubernetes.io/zone=a;tier=web,,16,64Gi,110
//	90s,n1,update,tier-,dedicated=gpu:NoSchedule,,,
//	1h2m,n1,fail,,,,,
//	1h7m,n1,recover,,,,,
//	2h,n1,remove,,,,,
//
// The header names the columns. The first three are time, node and event, in
// that order; the others come in any order, each at most once: labels,
// taints, and resource columns, any other name being a resource name (cpu,
// memory, pods, ephemeral-storage, example.com/gpu: a qualified name).
// Every event line has as many fields as the header. The columns:
//
//   - time: when, as an offset from the start of the replay: a Go duration
//     ("90s", "1h2m", "1.5h", "250ms", as time.ParseDuration and kubectl's
//     --timeout read it) or a plain number of seconds ("90", "12.5"). Not
//     negative. Events must come in non-decreasing time order; events at
//     the same time keep their file order.
//   - node: the node's name, a DNS subdomain (as Kubernetes validates node
//     names).
//   - event: add, remove, update, fail, recover, stop-kubelet, start-kubelet,
//     drain, cordon or uncordon (EventType; the words of the scenario
//     language). add creates the node from a template (NewNode), remove
//     deletes it, update changes its labels, taints or capacity; fail and
//     recover are the kubelet reporting Ready=False and Ready=True;
//     stop-kubelet and start-kubelet stop and restart its status updates,
//     which the node lifecycle controller notices (Unknown after the grace
//     period); drain is kubectl drain; cordon and uncordon set and clear
//     spec.unschedulable.
//   - labels: key=value entries separated by ";" ("zone=a;tier=web"),
//     keys and values valid as Kubernetes label keys and values, each key at
//     most once. On an update, "key-" removes the label (kubectl label's
//     syntax).
//   - taints: taints in kubectl's syntax separated by ";"
//     ("dedicated=gpu:NoSchedule;maintenance:NoExecute"), unique by key and
//     effect. On an update, "key:Effect-" removes the key's taint of that
//     effect and "key-" its taints of every effect (kubectl taint's syntax).
//   - resource columns: the node's capacity of that resource, a Kubernetes
//     quantity ("16", "500m", "64Gi", "110"), not negative; empty: not
//     given (an add keeps the template's, an update the node's).
//
// labels, taints and resources are for add and update only (an empty field
// otherwise), and removals for update only. Removing a label or taint the
// node lacks does nothing. The writer (NewCSVWriter) writes this format,
// and what it writes reads back to the same events.
//
// # The Google 2011 machine_events table
//
// NewGoogle2011Reader reads the machine_events table of the Google
// cluster-data 2011 trace (clusterdata-2011-2, Google LLC, CC-BY 4.0; the
// whole table is shipped in data/google-2011-machine_events.csv.gz, see
// data/README.md): no header, six columns per line, "Google cluster-usage
// traces: format + schema" (Reiss and Wilkes, 2011):
//
//  1. timestamp, microseconds: the event's At (0 means the machine was
//     there before the trace window, which opens at 600 s: it is an add at
//     time 0, present at the start);
//  2. machine ID, a non-negative integer: the node is named
//     NamePrefix+ID, "machine-5";
//  3. event type: 0 ADD → add, 1 REMOVE → remove, 2 UPDATE → update (the
//     2011 trace's REMOVE is a machine failing or being taken out for
//     maintenance, and a later ADD of the same ID its return);
//  4. platform ID, an opaque string: the label daemonsim.io/platform
//     (PlatformLabelValue makes the base64 hash a label value);
//  5. and 6. CPU and memory, normalised so that the largest machine is 1.0
//     (a decimal from 0 to 1), or empty (unknown: the template's): scaled
//     by Google2011Options.CPU and Memory, by default 1.0 = 64 cores and
//     256Gi, and rounded to the nearest millicore and Mi.
//
// The trace gives no absolute capacities (the schema: each is "normalized
// to the largest capacity of the resource on any machine in the trace");
// the default scale is a choice, not a measurement, that makes the trace's
// most common machine (CPU 0.5, memory 0.2493) a 32-core, 63.8Gi node, a
// common size of Kubernetes nodes today. Nodes also get a synthetic rack
// and zone (LabelScheme: daemonsim.io/rack and topology.kubernetes.io/zone,
// from an FNV-1a hash of the machine ID, 320 racks in 3 zones by default)
// so that correlated failures and zone spreading have domains to act on.
// An add and an update carry the capacity and labels; a remove carries
// none. The 2011 file holds 37,780 events on 12,583 machines over 29 days:
// 21,443 ADD (12,477 at time 0), 8,957 REMOVE, 7,380 UPDATE, 32 with empty
// capacities.
//
// # Order, memory and cost
//
// Readers return events in file order and refuse a line whose time is
// before the line before it. They stream: one line is held at a time
// (encoding/csv with a reused record, a 64 KiB buffer and, for gzip,
// compress/gzip's window), so a trace of several GB replays in constant
// memory. Reading the whole 2011 file (2.9 MB uncompressed, 37,780 lines,
// from its gzip bytes in memory) takes about 90 ms on one core of a 2-vCPU
// Xeon VM (BenchmarkGoogle2011: about 430,000 events/s). ReadAll holds
// every event; Summarize holds one entry per node.
//
// # Errors
//
// A malformed line is an *Error naming the file, the line, the column (the
// byte position of the field in the line, 1-based) and the column's name:
//
//	trace.csv:12:9: event: unknown "ad" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)
//	trace.csv:3:1: want 8 fields as the header has (time,node,event,labels,taints,cpu,memory,pods), got 7
//	machine_events.csv:4:1: time: 1m0s is before 2m0s, the time of the event on line 3: events must be in time order
//
// A CSV syntax error (a bare or unterminated quote) has no field name; its
// column is where encoding/csv noticed it (for an unterminated quote, the
// end of the input). Reading stops at the first bad line and every later Next returns the same
// error. Events before it have been returned already: a caller that must
// load nothing of a bad file reads it with ReadAll (all or nothing) or
// checks it with Summarize before streaming it again. A corrupt gzip stream
// (a bad header, a bad checksum, a truncated file) is an *Error too.
// Nothing panics on any input (FuzzCSV, FuzzGoogle2011).
//
// # What is partial
//
//   - The readers check each line alone, not the sequence: a remove of a
//     node never added, or an add of one already there, reads fine and is
//     refused by Changes (ErrNotFound, ErrAlreadyExists) when replayed.
//   - stop-kubelet, start-kubelet and drain are not store writes: Changes
//     returns ErrProcess and the replay driver must hand them to the node
//     agent and a drain controller.
//   - Only the 2011 machine_events table is read; the 2019 trace (Borg
//     cells a-h, a different schema) and the machine_attributes table
//     (which would give real labels) are not.
//   - The Google reader gives a REMOVE no reason: the trace does not say
//     whether a machine failed or was taken out, so a replay removes it.
//
// # Determinism
//
// Everything is a pure function of the input bytes and the options: no
// clock, no random numbers, no map order in any output (labels are written
// in key order, racks come from a fixed hash).
package trace
