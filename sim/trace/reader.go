package trace

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Error is a problem with one line of a trace: the file, the line (1-based),
// the column (1-based byte offset of the field in the line, as
// encoding/csv's FieldPos counts; 1 for a problem with the whole line, such
// as a wrong number of fields; where encoding/csv noticed a syntax error),
// the column's name ("event", "cpu"; "" for a whole-line or syntax
// problem) and what is wrong.
// Error renders "trace.csv:12:9: event: unknown "ad" (want add, ...)".
// A problem below the lines (a corrupt gzip stream, a read error) has Line 0
// and wraps the cause (Unwrap); so has a Google2011Options that cannot work
// (Line 0, no cause).
type Error struct {
	File   string
	Line   int
	Column int
	Field  string
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			s += fmt.Sprintf(":%d", e.Column)
		}
	}
	s += ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	if e.Msg != "" {
		return s + e.Msg
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause of a problem below the lines, or nil.
func (e *Error) Unwrap() error { return e.Err }

// format decodes the records of one trace format.
type format interface {
	// configure sets up the csv reader (comments, ...).
	configure(cr *csv.Reader)
	// record turns a record into an event, or an error naming the column;
	// header is true until a record has been accepted as the header.
	record(r *Reader, rec []string) (ev NodeEvent, skip bool, err error)
}

// Reader streams NodeEvents from a trace in one of the formats (see the
// package doc): NewCSVReader, NewGoogle2011Reader, Open, OpenGoogle2011.
// It holds one line at a time: memory does not grow with the trace (the CSV
// header's columns and a small buffer only). Input that starts with the gzip
// magic bytes (1f 8b) is decompressed on the fly, multi-member streams
// included. A Reader is not safe for concurrent use.
type Reader struct {
	name   string
	src    io.Reader
	closer io.Closer
	fmt    format
	cr     *csv.Reader
	gz     *gzip.Reader
	err    error // sticky: the first error, or io.EOF

	line     int // of the current record
	last     time.Duration
	lastLine int
	started  bool
	nEvents  int
}

func newReader(name string, r io.Reader, f format) *Reader {
	return &Reader{name: name, src: r, fmt: f}
}

// Name returns the file name the reader puts in errors.
func (r *Reader) Name() string { return r.name }

func (r *Reader) start() error {
	br := bufio.NewReaderSize(r.src, 64<<10)
	var in io.Reader = br
	magic, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return &Error{File: r.name, Err: err}
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return &Error{File: r.name, Msg: "gzip: " + err.Error(), Err: err}
		}
		r.gz = gz
		in = gz
	}
	r.cr = csv.NewReader(in)
	r.cr.FieldsPerRecord = -1
	r.cr.ReuseRecord = true
	r.fmt.configure(r.cr)
	return nil
}

// Next returns the next event, in file order. At the end of the trace it
// returns io.EOF; on a malformed line an *Error naming the file, line and
// column; a read or gzip error is an *Error wrapping the cause. After
// either, every later call returns the same error. Cost: one line's parse;
// the event's maps and slices are new and the caller owns them.
func (r *Reader) Next() (NodeEvent, error) {
	if r.err != nil {
		return NodeEvent{}, r.err
	}
	ev, err := r.next()
	if err != nil {
		r.err = err
		return NodeEvent{}, err
	}
	return ev, nil
}

func (r *Reader) next() (NodeEvent, error) {
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			return NodeEvent{}, err
		}
	}
	for {
		rec, err := r.cr.Read()
		if err == io.EOF {
			return NodeEvent{}, r.atEOF()
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return NodeEvent{}, &Error{File: r.name, Line: pe.Line, Column: pe.Column, Msg: pe.Err.Error(), Err: pe.Err}
			}
			if r.gz != nil && (errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF)) {
				return NodeEvent{}, &Error{File: r.name, Msg: "gzip: " + err.Error(), Err: err}
			}
			return NodeEvent{}, &Error{File: r.name, Err: err}
		}
		r.line, _ = r.cr.FieldPos(0)
		ev, skip, err := r.fmt.record(r, rec)
		if err != nil {
			return NodeEvent{}, err
		}
		if skip {
			continue
		}
		if r.nEvents > 0 && ev.At < r.last {
			return NodeEvent{}, r.errAt(0, "time", "%s is before %s, the time of the event on line %d: events must be in time order", ev.At, r.last, r.lastLine)
		}
		r.last, r.lastLine = ev.At, r.line
		r.nEvents++
		ev.File, ev.Line = r.name, r.line
		return ev, nil
	}
}

// atEOF checks the end of the input: the gzip trailer's checksum has been
// verified by the read that returned EOF.
func (r *Reader) atEOF() error {
	if f, ok := r.fmt.(*csvFormat); ok && !f.haveHeader {
		return &Error{File: r.name, Line: 1, Msg: "missing header line (want " + defaultHeader + ")"}
	}
	return io.EOF
}

// errAt returns an Error for the field at index col of the current record
// (its byte column from FieldPos), named name.
func (r *Reader) errAt(col int, name, format string, args ...any) *Error {
	line, column := r.cr.FieldPos(col)
	return &Error{File: r.name, Line: line, Column: column, Field: name, Msg: fmt.Sprintf(format, args...)}
}

// Close closes what Open opened (the file and the gzip stream); for a Reader
// made by NewCSVReader or NewGoogle2011Reader it releases the gzip stream
// only and leaves the io.Reader to its owner. Afterwards Next returns the
// error it had already returned (io.EOF, say), or else os.ErrClosed.
func (r *Reader) Close() error {
	var err error
	if r.gz != nil {
		err = r.gz.Close()
	}
	if r.closer != nil {
		if e := r.closer.Close(); err == nil {
			err = e
		}
		r.closer = nil
	}
	if r.err == nil {
		r.err = os.ErrClosed
	}
	return err
}

// Open opens the CSV trace at path (gzipped or not, detected by the magic
// bytes) as NewCSVReader does, naming it path in errors. The caller must
// Close the Reader. Errors: the file cannot be opened (the *PathError).
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := NewCSVReader(path, f)
	r.closer = f
	return r, nil
}

// OpenGoogle2011 opens a Google 2011 machine_events table at path (gzipped
// or not) as NewGoogle2011Reader does. The caller must Close the Reader.
func OpenGoogle2011(path string, opts Google2011Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := NewGoogle2011Reader(path, f, opts)
	r.closer = f
	return r, nil
}

// ReadAll reads r to the end and returns every event in file order, or,
// if any line is bad, no events and the first error: nothing of a bad file
// is returned. It holds the whole trace in memory; to replay a large trace
// with the same guarantee, check it first with Summarize and then stream it
// again. Cost: O(events).
func ReadAll(r *Reader) ([]NodeEvent, error) {
	var out []NodeEvent
	for {
		ev, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
}

// Summary is what Summarize counts over a whole trace.
type Summary struct {
	// Events is the number of events; Nodes the number of distinct node
	// names among them.
	Events, Nodes int
	// NoCapacity counts the add and update events that carry no capacity.
	NoCapacity int
	// AtZero counts the events at time 0 (for the Google trace: the machines
	// present before the trace window).
	AtZero int
	// First and Last are the times of the first and last events (0 for an
	// empty trace).
	First, Last time.Duration

	byType [len(eventTypes)]int
}

// Count returns the number of events of type t.
func (s Summary) Count(t EventType) int {
	if i := t.index(); i >= 0 {
		return s.byType[i]
	}
	return 0
}

// Summarize reads r to the end, validating every line, and counts what it
// read; on a bad line it returns the error and the counts so far. It keeps
// one entry per distinct node name (to count them) and nothing else: a
// caller that must not start replaying a bad file runs it over the file
// first. Cost: O(events) time, O(nodes) memory.
func Summarize(r *Reader) (Summary, error) {
	var s Summary
	nodes := map[string]struct{}{}
	for {
		ev, err := r.Next()
		if err == io.EOF {
			s.Nodes = len(nodes)
			return s, nil
		}
		if err != nil {
			s.Nodes = len(nodes)
			return s, err
		}
		if s.Events == 0 {
			s.First = ev.At
		}
		s.Events++
		s.Last = ev.At
		if ev.At == 0 {
			s.AtZero++
		}
		s.byType[ev.Type.index()]++
		if (ev.Type == Add || ev.Type == Update) && len(ev.Capacity) == 0 {
			s.NoCapacity++
		}
		nodes[ev.Node] = struct{}{}
	}
}
