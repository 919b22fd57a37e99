package sim

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// The event log's file format (docs/log.md has it field by field): JSON
// Lines, UTF-8, one JSON object per line. The first line is the header,
//
//	{"kind":"daemonsim.log","version":1,"start":"2000-01-01T00:00:00Z","seed":42}
//
// and every other line one event, in log order ((At, Seq) order, which is
// not Seq order: a delayed change or a note has a lower seq than events
// logged before it):
//
//	{"seq":1,"at":"2000-01-01T00:00:00Z","offset":"+0s","kind":"change","source":"scenario","verb":"create","key":"node/n1","object":{...},"rev":1}
//	{"seq":9,"at":"2000-01-01T00:00:05Z","offset":"+5s","kind":"change","source":"default-scheduler","verb":"bind","key":"pod/default/web-0","nodeName":"n1","rev":7}
//	{"seq":3,"at":"2000-01-01T00:00:00Z","offset":"+0s","kind":"note","source":"daemonset-controller","note":{"type":"Normal","reason":"SuccessfulCreate","message":"Created pod: agent-5ngfp","object":{"kind":"daemonset","namespace":"default","name":"agent"}}}
//	{"seq":12,"at":"2000-01-01T00:00:30Z","offset":"+30s","kind":"wake","source":"kubelet","key":"pod/default/web-0"}
//
// Every name is lowerCamel; objects are as Kubernetes' JSON (the cluster
// types' JSON tags), as cluster.DecodeObject reads them. A version-1 reader
// ignores fields it does not know; a change to the meaning of a field, or
// a field a reader must understand, is a new version.
const (
	// LogKind is the header's kind: what marks a daemonsim event log.
	LogKind = "daemonsim.log"
	// LogVersion is the format version this release writes, and the only
	// one it reads.
	LogVersion = 1
)

// LogHeader is the first line of a log: the format's kind and version,
// and the run's start (the virtual time offsets are relative to) and seed.
type LogHeader struct {
	Kind    string    `json:"kind"`
	Version int       `json:"version"`
	Start   time.Time `json:"start"`
	Seed    uint64    `json:"seed"`
}

// logLine is one event's line; O is the object's type: any when writing,
// json.RawMessage when reading (decoded by the key's kind). The writer
// sets only the fields of the event's kind and the change's verb.
type logLine[O any] struct {
	Seq                     uint64   `json:"seq"`
	At                      string   `json:"at"`
	Offset                  string   `json:"offset"`
	Kind                    string   `json:"kind"`
	Source                  string   `json:"source"`
	Verb                    string   `json:"verb,omitempty"`
	Key                     string   `json:"key,omitempty"`
	Object                  O        `json:"object,omitempty"`
	NodeName                string   `json:"nodeName,omitempty"`
	GracePeriodSeconds      *int64   `json:"gracePeriodSeconds,omitempty"`
	PropagationPolicy       string   `json:"propagationPolicy,omitempty"`
	ExpectedResourceVersion uint64   `json:"expectedResourceVersion,omitempty,string"`
	Note                    *logNote `json:"note,omitempty"`
	Rev                     uint64   `json:"rev,omitempty"`
	Error                   string   `json:"error,omitempty"`
}

// logNote is a note's JSON: a Kubernetes event's type, reason and message,
// and the object it is about.
type logNote struct {
	Type    string       `json:"type"`
	Reason  string       `json:"reason"`
	Message string       `json:"message"`
	Object  logObjectRef `json:"object"`
}

// logObjectRef names an object: its kind as in keys ("daemonset"), its
// namespace (absent for a cluster-scoped kind) and name.
type logObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// LogWriter writes an event log in the versioned JSON Lines format: the
// header (WriteHeader, or StreamLog) and then one line per event
// (WriteEvent, or each event as the engine logs it after StreamLog). It
// buffers its output: Flush writes out what it holds, Close flushes and
// releases what the writer opened (CreateLog's file and gzip stream). The
// output is byte-identical for identical logs. It keeps no events: memory
// stays constant however long the run. Not safe for concurrent use; an
// attached writer runs on the engine's goroutine.
type LogWriter struct {
	buf     *bufio.Writer
	enc     *json.Encoder
	flush   []interface{ Flush() error } // gzip: flushed after buf
	closers []io.Closer                  // closed by Close, in order
	start   time.Time
	header  bool
	engine  *Engine // attached by StreamLog; detached by Close
	events  int
	err     error // the first write error; sticky
	closed  bool
	line    logLine[any]
	note    logNote
}

// NewLogWriter returns a writer of a log to w. Nothing is written until
// WriteHeader or StreamLog. Close does not close w.
func NewLogWriter(w io.Writer) *LogWriter {
	lw := &LogWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	lw.enc = json.NewEncoder(lw.buf)
	lw.enc.SetEscapeHTML(false)
	return lw
}

// CreateLog creates (or truncates) the file at path and returns a writer of
// a log to it, gzip-compressed when path ends in ".gz". Close flushes and
// closes the file (and the gzip stream); until then the file may hold less
// than was written. Errors: those of os.Create.
func CreateLog(path string) (*LogWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(path, ".gz") {
		lw := NewLogWriter(f)
		lw.closers = []io.Closer{f}
		return lw, nil
	}
	z := gzip.NewWriter(f)
	lw := NewLogWriter(z)
	lw.flush = []interface{ Flush() error }{z}
	lw.closers = []io.Closer{z, f}
	return lw, nil
}

// WriteHeader writes the header line with the current kind and version,
// start and seed. It must come first, once: a second call is an error,
// as is a call after Close.
func (lw *LogWriter) WriteHeader(start time.Time, seed uint64) error {
	if err := lw.usable(); err != nil {
		return err
	}
	if lw.header {
		return errors.New("sim: log writer: header already written")
	}
	lw.header, lw.start = true, start
	return lw.fail(lw.enc.Encode(LogHeader{Kind: LogKind, Version: LogVersion, Start: start, Seed: seed}))
}

func (lw *LogWriter) usable() error {
	switch {
	case lw.closed:
		return errors.New("sim: log writer: closed")
	case lw.err != nil:
		return lw.err
	}
	return nil
}

func (lw *LogWriter) fail(err error) error {
	if err != nil && lw.err == nil {
		lw.err = err
	}
	return err
}

// WriteEvent writes ev as one line (buffered). The header must have been
// written. The writer keeps nothing of ev. After a write error every call
// returns that error. Cost: the JSON encoding of ev's object, if any.
func (lw *LogWriter) WriteEvent(ev *Event) error {
	if err := lw.usable(); err != nil {
		return err
	}
	if !lw.header {
		return errors.New("sim: log writer: event before the header (call WriteHeader first)")
	}
	l := &lw.line
	*l = logLine[any]{
		Seq: ev.Seq, At: ev.At.Format(time.RFC3339Nano), Offset: offset(lw.start, ev.At),
		Kind: ev.Kind.String(), Source: ev.Source, Rev: ev.Rev, Error: ev.Err,
	}
	switch ev.Kind {
	case EventChange:
		if ev.Change == nil {
			break // refused at Apply; logged with its error
		}
		l.Verb = ev.Change.Verb()
		l.Key = keyString(ev.Change.Target())
		switch c := ev.Change.(type) {
		case cluster.Create:
			l.Object = c.Object
		case cluster.Update:
			l.Object, l.ExpectedResourceVersion = c.Object, c.ExpectedRV
		case cluster.UpdateStatus:
			l.Object, l.ExpectedResourceVersion = c.Object, c.ExpectedRV
		case cluster.Delete:
			l.GracePeriodSeconds = c.GracePeriodSeconds
			l.PropagationPolicy = string(c.Propagation)
			l.ExpectedResourceVersion = c.ExpectedRV
		case cluster.Bind:
			l.NodeName = c.Node
		case cluster.Evict:
			l.GracePeriodSeconds = c.GracePeriodSeconds
		}
	case EventWake:
		l.Key = keyString(ev.Key)
	case EventNote:
		if ev.Note != nil {
			n := ev.Note
			lw.note = logNote{Type: string(n.Type), Reason: n.Reason, Message: n.Message,
				Object: logObjectRef{Kind: n.Object.Kind.String(), Namespace: n.Object.Namespace, Name: n.Object.Name}}
			l.Note = &lw.note
		}
	}
	err := lw.fail(lw.enc.Encode(l))
	l.Object, l.Note = nil, nil // keep nothing of ev
	if err == nil {
		lw.events++
	}
	return err
}

// keyString renders k as Key.String does, or "" for the zero key (that of
// a change without an object).
func keyString(k cluster.Key) string {
	if k == (cluster.Key{}) {
		return ""
	}
	return k.String()
}

// Events returns the number of events written so far.
func (lw *LogWriter) Events() int { return lw.events }

// Err returns the first write error, nil if none: how a caller streaming
// with StreamLog learns of a failed write before Close.
func (lw *LogWriter) Err() error { return lw.err }

// Flush writes out the buffered lines (through the gzip stream, whose
// output then ends at a block boundary, so that a reader sees every line
// so far). Errors: the underlying writer's.
func (lw *LogWriter) Flush() error {
	if err := lw.usable(); err != nil {
		return err
	}
	if err := lw.fail(lw.buf.Flush()); err != nil {
		return err
	}
	for _, f := range lw.flush {
		if err := lw.fail(f.Flush()); err != nil {
			return err
		}
	}
	return nil
}

// Close detaches the writer from its engine (if StreamLog attached it),
// flushes it and closes what CreateLog opened. It returns the first error
// the writer met, a write's included. A second Close does nothing and
// returns nil.
func (lw *LogWriter) Close() error {
	if lw.closed {
		return nil
	}
	if e := lw.engine; e != nil {
		e.log.writers = slices.DeleteFunc(e.log.writers, func(w *LogWriter) bool { return w == lw })
		lw.engine = nil
	}
	err := lw.err
	if err == nil {
		err = lw.fail(lw.buf.Flush())
	}
	for _, c := range lw.closers {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	lw.closed = true
	return err
}

// logged writes the i'th event of l: the engine's call as it pushes one.
func (lw *LogWriter) logged(l *eventLog, i int) {
	if lw.err == nil {
		_ = lw.WriteEvent(l.event(i)) // kept in lw.err
	}
}

// StreamLog attaches lw to the engine: it writes the header (the engine's
// start and seed), then the events logged so far, and from then on each
// event as the engine logs it, until lw.Close. So a run streams to a file
// as it goes:
//
//	lw, err := sim.CreateLog("run.jsonl.gz")
//	...
//	if err := e.StreamLog(lw); err != nil { ... }
//	err = e.Stabilize()
//	if cerr := lw.Close(); cerr != nil { ... } // flushes; reports a failed write
//
// A write error does not stop the engine: the writer stops writing, and
// Err and Close return the error. Errors: the header was already written,
// lw is closed, or a write of the header or the events so far failed
// (then lw is not attached). Several writers may be attached; each costs
// the JSON encoding of every event as it is logged.
func (e *Engine) StreamLog(lw *LogWriter) error {
	if e.log.dropped > 0 {
		return ErrLogDropped
	}
	if err := lw.WriteHeader(e.cfg.Start, e.cfg.Seed); err != nil {
		return err
	}
	for ev := range e.log.from(0) {
		if err := lw.WriteEvent(ev); err != nil {
			return err
		}
	}
	lw.engine = e
	e.log.writers = append(e.log.writers, lw)
	return nil
}

// WriteLogFile writes the log so far to the file at path in the versioned
// format (see docs/log.md), gzipped when path ends in ".gz". To write a
// log as the run goes instead, attach a CreateLog writer with StreamLog
// before running. Errors: the file cannot be created or written.
func (e *Engine) WriteLogFile(path string) error {
	lw, err := CreateLog(path)
	if err != nil {
		return err
	}
	if err := e.StreamLog(lw); err != nil {
		lw.Close()
		return err
	}
	return lw.Close()
}
