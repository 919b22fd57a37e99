// Package printers writes cluster objects as the tables `kubectl get` prints:
// the same columns, the same cell rules and the same padding, with ages
// measured on the simulated clock. The scenario files' get commands and the
// runner program both print through it.
//
//	printers.Pods(os.Stdout, view, now, printers.Options{Wide: true})
//
// # Columns
//
//   - Pods: NAME READY STATUS RESTARTS AGE, with NAMESPACE first for all
//     namespaces and IP NODE NOMINATED NODE READINESS GATES when wide.
//   - Nodes: NAME STATUS ROLES AGE VERSION, wide adding INTERNAL-IP
//     EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME.
//   - DaemonSets: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE
//     SELECTOR AGE, wide adding CONTAINERS IMAGES SELECTOR.
//   - Events: LAST SEEN TYPE REASON OBJECT MESSAGE.
//
// # Differences from kubectl
//
// daemonsim has no container statuses, pod IPs or node system info, so:
// a pod's READY counts all its containers (and restartable init containers)
// as ready when its Ready condition is True and none otherwise; STATUS is
// the pod's status reason if it has one, else its phase, or Terminating when
// it is being deleted and not terminal (so a bound pod not yet started is
// Pending, where kubectl says ContainerCreating); RESTARTS is always 0; IP,
// INTERNAL-IP and EXTERNAL-IP are <none> and the node's VERSION is empty,
// OS-IMAGE, KERNEL-VERSION and CONTAINER-RUNTIME <unknown>, as kubectl prints
// them for objects without those fields. Trailing blanks are trimmed from
// every line (kubectl leaves the padding of an empty last cell), so that
// golden files have none. "No resources found" goes to w, not to standard
// error.
//
// # Determinism
//
// Rows come in the view's order: namespace, then name (events in the order
// given). Nothing reads the wall clock: ages are now minus the object's
// creationTimestamp.
package printers

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
)

// Options selects and shapes the rows, as kubectl get's flags do.
type Options struct {
	// Namespace is the namespace listed (-n); "" means "default". It is
	// ignored for cluster-scoped kinds and with AllNamespaces.
	Namespace string
	// AllNamespaces lists every namespace and adds the NAMESPACE column (-A).
	AllNamespaces bool
	// Selector filters by labels (-l); the zero Selector matches everything.
	// Events are not filtered by it.
	Selector selector.Selector
	// Wide adds the wide columns (-o wide).
	Wide bool
	// Name, when set, lists only the object of that name (kubectl get pod
	// NAME); with no such object the table prints kubectl's NotFound error.
	Name string
}

func (o Options) namespace() string {
	if o.Namespace == "" {
		return cluster.DefaultNamespace
	}
	return o.Namespace
}

// includes reports whether an object named name in namespace ns ("" for
// cluster-scoped kinds) with labels ls is listed.
func (o Options) includes(ns, name string, ls selector.Set) bool {
	if ns != "" && !o.AllNamespaces && ns != o.namespace() {
		return false
	}
	if o.Name != "" && name != o.Name {
		return false
	}
	return o.Selector.Matches(ls)
}

// WriteTable writes rows of cells padded into columns as kubectl does (a
// tabwriter with minimum width 6, tab width 4, padding 3, spaces), with
// trailing blanks trimmed. The first row is usually the header. Errors are
// w's.
func WriteTable(w io.Writer, rows [][]string) error {
	t := table{rows: rows}
	return t.write(w)
}

// table collects rows and writes them padded as kubectl does (a tabwriter
// with minimum width 6, tab width 4, padding 3, spaces).
type table struct {
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 6, 4, 3, ' ', 0)
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(w, out.String())
	return err
}

// noResources writes kubectl's message for an empty list, or its NotFound
// error for a missing named object.
func noResources(w io.Writer, resource string, namespaced bool, o Options) error {
	var err error
	switch {
	case o.Name != "":
		_, err = fmt.Fprintf(w, "Error from server (NotFound): %s %q not found\n", resource, o.Name)
	case namespaced && !o.AllNamespaces:
		_, err = fmt.Fprintf(w, "No resources found in %s namespace.\n", o.namespace())
	default:
		_, err = fmt.Fprintln(w, "No resources found")
	}
	return err
}

// Age renders the time from t to now as kubectl's AGE column does
// (apimachinery's HumanDuration): "45s" below two minutes, "3m2s" below ten,
// "25m" below three hours, "5h30m" below eight, "20h" below two days,
// "2d3h" below eight, "30d" below two years, then "2y10d" and "9y".
// A zero t gives "<unknown>", a t more than a second after now "<invalid>".
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return HumanDuration(now.Sub(t))
}

// HumanDuration renders d in kubectl's short human form; see Age.
func HumanDuration(d time.Duration) string {
	seconds := int64(d / time.Second)
	switch {
	case seconds < -1:
		return "<invalid>"
	case seconds < 0:
		return "0s"
	case seconds < 2*60:
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int64(d / time.Minute)
	switch {
	case minutes < 10:
		if s := seconds % 60; s != 0 {
			return fmt.Sprintf("%dm%ds", minutes, s)
		}
		return fmt.Sprintf("%dm", minutes)
	case minutes < 3*60:
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int64(d / time.Hour)
	switch {
	case hours < 8:
		if m := minutes % 60; m != 0 {
			return fmt.Sprintf("%dh%dm", hours, m)
		}
		return fmt.Sprintf("%dh", hours)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 8*24:
		if h := hours % 24; h != 0 {
			return fmt.Sprintf("%dd%dh", hours/24, h)
		}
		return fmt.Sprintf("%dd", hours/24)
	case hours < 2*365*24:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 8*365*24:
		if dy := (hours / 24) % 365; dy != 0 {
			return fmt.Sprintf("%dy%dd", hours/24/365, dy)
		}
		return fmt.Sprintf("%dy", hours/24/365)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// Pods writes the pods of view that opts selects, by namespace and name.
// Errors are w's.
func Pods(w io.Writer, view cluster.View, now time.Time, opts Options) error {
	var t table
	head := []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}
	if opts.AllNamespaces {
		head = append([]string{"NAMESPACE"}, head...)
	}
	if opts.Wide {
		head = append(head, "IP", "NODE", "NOMINATED NODE", "READINESS GATES")
	}
	t.add(head...)
	for p := range view.Pods() {
		if !opts.includes(p.Namespace, p.Name, p.Labels) {
			continue
		}
		row := PodRow(p, now, opts.Wide)
		if opts.AllNamespaces {
			row = append([]string{p.Namespace}, row...)
		}
		t.add(row...)
	}
	if len(t.rows) == 1 {
		return noResources(w, "pods", true, opts)
	}
	return t.write(w)
}

// PodRow returns the cells of one pod's row, without NAMESPACE.
func PodRow(p *cluster.Pod, now time.Time, wide bool) []string {
	total := len(p.Spec.Containers)
	for _, c := range p.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == cluster.ContainerRestartPolicyAlways {
			total++
		}
	}
	ready := 0
	if p.IsReady() {
		ready = total
	}
	row := []string{p.Name, fmt.Sprintf("%d/%d", ready, total), PodStatus(p), "0", Age(p.CreationTimestamp, now)}
	if wide {
		row = append(row, "<none>", orNone(p.Spec.NodeName), orNone(p.Status.NominatedNodeName), "<none>")
	}
	return row
}

// PodStatus is the STATUS cell: the status reason, else the phase ("" when
// the pod has none yet prints as Pending), and Terminating for a pod being
// deleted that is not Succeeded or Failed (Unknown when its reason is
// NodeLost, as kubectl).
func PodStatus(p *cluster.Pod) string {
	reason := string(p.Status.Phase)
	if reason == "" {
		reason = string(cluster.PodPending)
	}
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	for _, c := range p.Status.Conditions {
		if c.Type == cluster.PodScheduled && c.Reason == "SchedulingGated" {
			reason = "SchedulingGated"
		}
	}
	if p.DeletionTimestamp != nil {
		switch {
		case p.Status.Reason == "NodeLost":
			reason = "Unknown"
		case !p.IsTerminal():
			reason = "Terminating"
		}
	}
	return reason
}

// Nodes writes the nodes of view that opts selects, by name. Errors are w's.
func Nodes(w io.Writer, view cluster.View, now time.Time, opts Options) error {
	var t table
	head := []string{"NAME", "STATUS", "ROLES", "AGE", "VERSION"}
	if opts.Wide {
		head = append(head, "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME")
	}
	t.add(head...)
	for n := range view.Nodes() {
		if !opts.includes("", n.Name, n.Labels) {
			continue
		}
		row := []string{n.Name, NodeStatus(n), NodeRoles(n), Age(n.CreationTimestamp, now), ""}
		if opts.Wide {
			row = append(row, "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>")
		}
		t.add(row...)
	}
	if len(t.rows) == 1 {
		return noResources(w, "nodes", false, opts)
	}
	return t.write(w)
}

// NodeStatus is the STATUS cell: Ready, NotReady (the Ready condition False
// or Unknown) or Unknown (no Ready condition), then ",SchedulingDisabled"
// when the node is cordoned.
func NodeStatus(n *cluster.Node) string {
	status := "Unknown"
	if c, ok := n.Condition(cluster.NodeReady); ok {
		status = "NotReady"
		if c.Status == cluster.ConditionTrue {
			status = "Ready"
		}
	}
	if n.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	return status
}

// NodeRoles is the ROLES cell: the suffixes of node-role.kubernetes.io/
// labels and the value of kubernetes.io/role, sorted and comma-joined,
// or <none>.
func NodeRoles(n *cluster.Node) string {
	var roles []string
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if r := strings.TrimPrefix(k, "node-role.kubernetes.io/"); r != "" {
				roles = append(roles, r)
			}
		case k == "kubernetes.io/role" && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	roles = slices.Compact(roles)
	if len(roles) == 0 {
		return "<none>"
	}
	return strings.Join(roles, ",")
}

// DaemonSets writes the DaemonSets of view that opts selects, by namespace
// and name. Errors are w's.
func DaemonSets(w io.Writer, view cluster.View, now time.Time, opts Options) error {
	var t table
	head := []string{"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"}
	if opts.AllNamespaces {
		head = append([]string{"NAMESPACE"}, head...)
	}
	if opts.Wide {
		head = append(head, "CONTAINERS", "IMAGES", "SELECTOR")
	}
	t.add(head...)
	for ds := range view.DaemonSets() {
		if !opts.includes(ds.Namespace, ds.Name, ds.Labels) {
			continue
		}
		st := ds.Status
		row := []string{ds.Name,
			fmt.Sprint(st.DesiredNumberScheduled), fmt.Sprint(st.CurrentNumberScheduled),
			fmt.Sprint(st.NumberReady), fmt.Sprint(st.UpdatedNumberScheduled),
			fmt.Sprint(st.NumberAvailable), formatLabels(ds.Spec.Template.Spec.NodeSelector),
			Age(ds.CreationTimestamp, now)}
		if opts.AllNamespaces {
			row = append([]string{ds.Namespace}, row...)
		}
		if opts.Wide {
			var names, images []string
			for _, c := range ds.Spec.Template.Spec.Containers {
				names = append(names, c.Name)
				images = append(images, c.Image)
			}
			sel := selector.FormatLabelSelector(ds.Spec.Selector)
			row = append(row, strings.Join(names, ","), strings.Join(images, ","), sel)
		}
		t.add(row...)
	}
	if len(t.rows) == 1 {
		return noResources(w, "daemonsets.apps", true, opts)
	}
	return t.write(w)
}

// formatLabels is apimachinery's labels.FormatLabels: k=v pairs sorted by
// key, comma-joined, or <none>.
func formatLabels(s selector.Set) string {
	if len(s) == 0 {
		return "<none>"
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s[k]
	}
	return strings.Join(parts, ",")
}

// Event is one Kubernetes-style event to print: a note and when it was
// recorded.
type Event struct {
	At time.Time
	cluster.Note
}

// Events writes the events that opts selects, in the order given (the log's).
// The namespace of a note about a cluster-scoped object (a node) is "default",
// where upstream records node events. OBJECT is kind/name; the kind is
// daemonsim's lower-case name ("pod", "daemonset"), which is kubectl's
// lower-cased Kind. Errors are w's.
func Events(w io.Writer, events []Event, now time.Time, opts Options) error {
	var t table
	head := []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}
	if opts.AllNamespaces {
		head = append([]string{"NAMESPACE"}, head...)
	}
	t.add(head...)
	for _, e := range events {
		ns := e.Object.Namespace
		if ns == "" {
			ns = cluster.DefaultNamespace
		}
		if !opts.AllNamespaces && ns != opts.namespace() {
			continue
		}
		row := []string{Age(e.At, now), string(e.Type), e.Reason, e.Object.Kind.String() + "/" + e.Object.Name, strings.TrimSpace(e.Message)}
		if opts.AllNamespaces {
			row = append([]string{ns}, row...)
		}
		t.add(row...)
	}
	if len(t.rows) == 1 {
		return noResources(w, "events", true, opts)
	}
	return t.write(w)
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
