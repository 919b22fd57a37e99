package trace

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// defaultHeader is the header NewCSVWriter writes by default.
const defaultHeader = "time,node,event,labels,taints,cpu,memory,pods"

// DefaultResources are the resource columns NewCSVWriter writes when given
// none: cpu, memory, pods. The slice is new; the caller owns it.
func DefaultResources() []cluster.ResourceName {
	return []cluster.ResourceName{cluster.ResourceCPU, cluster.ResourceMemory, cluster.ResourcePods}
}

type colKind uint8

const (
	colTime colKind = iota
	colNode
	colEvent
	colLabels
	colTaints
	colResource
)

type csvCol struct {
	kind colKind
	name string
}

// csvFormat is the documented CSV node-event format (see the package doc).
type csvFormat struct {
	haveHeader bool
	cols       []csvCol
	header     string
}

// NewCSVReader returns a Reader of the CSV node-event format (see the
// package doc) from r, gzipped or not, naming the input name in errors
// ("trace.csv:12:9: event: ..."). Nothing is read until the first Next.
// The caller keeps r and closes it after the Reader is done.
func NewCSVReader(name string, r io.Reader) *Reader {
	return newReader(name, r, &csvFormat{})
}

// Resources returns the resource columns of a CSV trace's header, in
// header order, once the first Next has read the header; nil before,
// and for the Google 2011 format. The slice is new; the caller owns it.
func (r *Reader) Resources() []cluster.ResourceName {
	f, ok := r.fmt.(*csvFormat)
	if !ok {
		return nil
	}
	var out []cluster.ResourceName
	for _, c := range f.cols {
		if c.kind == colResource {
			out = append(out, cluster.ResourceName(c.name))
		}
	}
	return out
}

func (f *csvFormat) configure(cr *csv.Reader) { cr.Comment = '#' }

func (f *csvFormat) record(r *Reader, rec []string) (NodeEvent, bool, error) {
	if !f.haveHeader {
		return NodeEvent{}, true, f.readHeader(r, rec)
	}
	if len(rec) != len(f.cols) {
		return NodeEvent{}, false, r.errAt(0, "", "want %d fields as the header has (%s), got %d", len(f.cols), f.header, len(rec))
	}
	var ev NodeEvent
	for i, c := range f.cols {
		s := strings.TrimSpace(rec[i])
		switch c.kind {
		case colTime:
			at, err := parseTime(s)
			if err != nil {
				return NodeEvent{}, false, r.errAt(i, c.name, "%s", err)
			}
			ev.At = at
		case colNode:
			if s == "" {
				return NodeEvent{}, false, r.errAt(i, c.name, "required")
			}
			ev.Node = s
		case colEvent:
			t, err := ParseEventType(s)
			if err != nil {
				return NodeEvent{}, false, r.errAt(i, c.name, "%s", err)
			}
			ev.Type = t
		case colLabels:
			if err := parseLabels(s, &ev); err != nil {
				return NodeEvent{}, false, r.errAt(i, c.name, "%s", err)
			}
		case colTaints:
			if err := parseTaints(s, &ev); err != nil {
				return NodeEvent{}, false, r.errAt(i, c.name, "%s", err)
			}
		case colResource:
			if s == "" {
				continue
			}
			q, err := cluster.ParseQuantity(s)
			if err != nil {
				return NodeEvent{}, false, r.errAt(i, c.name, "invalid quantity %q: %s", s, err)
			}
			ev.Capacity = append(ev.Capacity, cluster.ResourceEntry{Name: cluster.ResourceName(c.name), Quantity: q})
		}
	}
	slices.SortFunc(ev.Capacity, func(a, b cluster.ResourceEntry) int { return strings.Compare(string(a.Name), string(b.Name)) })
	if p := ev.check(); p != nil {
		col := 0
		for i, c := range f.cols {
			if c.name == p.column {
				col = i
			}
		}
		return NodeEvent{}, false, r.errAt(col, p.column, "%s", p.msg)
	}
	return ev, false, nil
}

// readHeader reads the header record into f.cols.
func (f *csvFormat) readHeader(r *Reader, rec []string) error {
	fixed := [...]string{"time", "node", "event"}
	seen := map[string]bool{}
	var names []string
	for i, raw := range rec {
		if i == 0 {
			raw = strings.TrimPrefix(raw, "\ufeff") // a UTF-8 byte order mark
		}
		s := strings.TrimSpace(raw)
		names = append(names, s)
		c := csvCol{name: s}
		switch {
		case i < len(fixed):
			if s != fixed[i] {
				return r.errAt(i, "header", "column %d must be %q, got %q (want a header such as %s)", i+1, fixed[i], s, defaultHeader)
			}
			c.kind = colKind(i)
		case s == "labels":
			c.kind = colLabels
		case s == "taints":
			c.kind = colTaints
		case s == "time" || s == "node" || s == "event":
			c.kind = colTime // caught as repeated below
		default:
			if msgs := selector.IsQualifiedName(s); len(msgs) > 0 {
				return r.errAt(i, "header", "column %q: not labels, taints or a resource name: %s", s, strings.Join(msgs, "; "))
			}
			c.kind = colResource
		}
		if seen[s] {
			return r.errAt(i, "header", "column %q repeated", s)
		}
		seen[s] = true
		f.cols = append(f.cols, c)
	}
	if len(rec) < len(fixed) {
		return r.errAt(0, "header", "want at least time,node,event (such as %s), got %q", defaultHeader, strings.Join(names, ","))
	}
	f.header = strings.Join(names, ",")
	f.haveHeader = true
	return nil
}

// parseTime reads the time column: a Go duration ("90s", "1h2m", "1.5h",
// "250ms") or a plain number of seconds ("90", "12.5").
func parseTime(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	bad := func() error {
		return fmt.Errorf("invalid %q (want a duration such as 90s or 1h2m, or a number of seconds)", s)
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%q is negative", s)
	}
	if s[0] == '+' {
		return 0, bad()
	}
	seconds := strings.Trim(s, "0123456789.") == "" && strings.Count(s, ".") <= 1 && s != "."
	in := s
	if seconds {
		in = s + "s"
	}
	d, err := time.ParseDuration(in)
	if err != nil {
		return 0, bad()
	}
	return d, nil
}

// parseLabels reads "k=v;k2=v2" (and, for updates, "k-" removals) into ev.
// Empty entries are skipped; validity is left to check.
func parseLabels(s string, ev *NodeEvent) error {
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, "=")
		if !ok {
			key, rm := strings.CutSuffix(entry, "-")
			if !rm {
				return fmt.Errorf("entry %q: want key=value (or key- to remove the label)", entry)
			}
			k = key
		}
		if _, dup := ev.Labels[k]; dup || slices.Contains(ev.RemoveLabels, k) {
			return fmt.Errorf("key %q given twice", k)
		}
		if !ok {
			ev.RemoveLabels = append(ev.RemoveLabels, k)
			continue
		}
		if ev.Labels == nil {
			ev.Labels = selector.Set{}
		}
		ev.Labels[k] = v
	}
	return nil
}

// parseTaints reads "k=v:Effect;k:Effect" (and, for updates, "k-" and
// "k:Effect-" removals) into ev.
func parseTaints(s string, ev *NodeEvent) error {
	for entry := range strings.SplitSeq(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if strings.HasSuffix(entry, "-") {
			t, err := parseTaintRemoval(entry)
			if err != nil {
				return err
			}
			ev.RemoveTaints = append(ev.RemoveTaints, t)
			continue
		}
		t, err := taints.Parse(entry)
		if err != nil {
			return err
		}
		ev.Taints = append(ev.Taints, t)
	}
	return nil
}

// Writer writes NodeEvents in the CSV node-event format, one line each,
// after a header line: time,node,event,labels,taints and the resource
// columns. Labels are written in key order, removals and taints in the
// event's order, quantities in their canonical form (Quantity.String),
// times as time.Duration.String renders them ("1h2m0s"); what Writer writes,
// NewCSVReader reads back to the same events. Output is buffered: call
// Flush. Not safe for concurrent use.
type Writer struct {
	w         *csv.Writer
	resources []cluster.ResourceName
	started   bool
	n         int
	last      time.Duration
	err       error
	rec       []string
}

// NewCSVWriter returns a Writer to w with the given resource columns, in
// that order (none: DefaultResources, cpu, memory, pods). A resource name
// that is not a qualified name, is labels or taints, or is repeated makes
// every Write fail.
func NewCSVWriter(w io.Writer, resources ...cluster.ResourceName) *Writer {
	if len(resources) == 0 {
		resources = DefaultResources()
	}
	wr := &Writer{w: csv.NewWriter(w), resources: slices.Clone(resources)}
	seen := map[cluster.ResourceName]bool{}
	for _, r := range wr.resources {
		s := string(r)
		switch {
		case s == "labels" || s == "taints" || s == "time" || s == "node" || s == "event":
			wr.err = fmt.Errorf("trace: resource column %q: a reserved column name", s)
		case len(selector.IsQualifiedName(s)) > 0:
			wr.err = fmt.Errorf("trace: resource column %q: %s", s, strings.Join(selector.IsQualifiedName(s), "; "))
		case seen[r]:
			wr.err = fmt.Errorf("trace: resource column %q repeated", s)
		}
		seen[r] = true
	}
	return wr
}

func (w *Writer) header() {
	if w.started {
		return
	}
	w.started = true
	rec := []string{"time", "node", "event", "labels", "taints"}
	for _, r := range w.resources {
		rec = append(rec, string(r))
	}
	if err := w.w.Write(rec); err != nil {
		w.err = err
	}
}

// Write writes e as one line (after the header, on the first call). It
// refuses, writing nothing, an event that fails Check, one earlier than the
// event before it, and one with a resource that has no column. A write
// error of the underlying writer is sticky.
func (w *Writer) Write(e NodeEvent) error {
	if w.err != nil {
		return w.err
	}
	if err := e.Check(); err != nil {
		return fmt.Errorf("trace: write %s: %w", e, err)
	}
	if w.n > 0 && e.At < w.last {
		return fmt.Errorf("trace: write %s: before %s, the time of the event before it", e, w.last)
	}
	for _, r := range e.Capacity {
		if !slices.Contains(w.resources, r.Name) {
			return fmt.Errorf("trace: write %s: resource %q has no column", e, r.Name)
		}
	}
	w.header()
	if w.err != nil {
		return w.err
	}
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
		labels = append(labels, k+"="+e.Labels[k])
	}
	for _, k := range e.RemoveLabels {
		labels = append(labels, k+"-")
	}
	var ts []string
	for _, t := range e.Taints {
		ts = append(ts, t.String())
	}
	for _, t := range e.RemoveTaints {
		ts = append(ts, removalString(t))
	}
	w.rec = append(w.rec[:0], e.At.String(), e.Node, string(e.Type), strings.Join(labels, ";"), strings.Join(ts, ";"))
	for _, r := range w.resources {
		s := ""
		if q, ok := e.Capacity.Get(r); ok {
			s = q.String()
		}
		w.rec = append(w.rec, s)
	}
	if err := w.w.Write(w.rec); err != nil {
		w.err = err
		return err
	}
	w.n++
	w.last = e.At
	return nil
}

// Flush writes the header if nothing was written yet (an empty trace is
// a header alone) and flushes the buffer; it returns the first error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.header()
	w.w.Flush()
	if w.err == nil {
		w.err = w.w.Error()
	}
	return w.err
}
