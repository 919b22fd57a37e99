package sim

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// ErrLogVersion is wrapped by the error of ReadLog for a log whose header
// names a version this release does not read.
var ErrLogVersion = errors.New("unsupported log version")

// LogError is an error in a log being read: where (the file, when OpenLog
// opened it, and the line, counted from 1; 0 before the first line) and
// what, naming the field.
type LogError struct {
	Path string
	Line int
	Err  error
}

// Error renders "sim: log run.jsonl:12: gracePeriodSeconds: ...".
func (e *LogError) Error() string {
	where := e.Path
	if e.Line > 0 {
		if where != "" {
			where += ":"
		} else {
			where = "line "
		}
		where += strconv.Itoa(e.Line)
	}
	if where == "" {
		return "sim: log: " + e.Err.Error()
	}
	return "sim: log " + where + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *LogError) Unwrap() error { return e.Err }

// maxLogLine bounds one line of a log (an object of a few MiB is already
// far beyond what Kubernetes stores).
const maxLogLine = 64 << 20

// LogReader reads a log that a LogWriter (or WriteJSONL) wrote: ReadLog
// checks the header, Next (or All) yields the events in log order, each
// change decoded back into its cluster.Change with a new object. It reads
// one line at a time and keeps nothing of the events it returned. Not safe
// for concurrent use.
type LogReader struct {
	br      *bufio.Reader
	closers []io.Closer
	path    string
	line    int // the line last read
	header  LogHeader
	prevAt  time.Time
	err     error // sticky: io.EOF at the end, or a *LogError
	buf     []byte
	in      logLine[json.RawMessage]
}

// ReadLog reads the header of the log in r and returns a reader of its
// events. A gzip-compressed log is recognised by its magic bytes and read
// through gzip. Errors (each a *LogError): no header; a first line that is
// not a daemonsim log's header (a log from before version 1 has none);
// a version this release does not read (wrapping ErrLogVersion, naming the
// version found and the one supported); a malformed header.
func ReadLog(r io.Reader) (*LogReader, error) { return readLog(r, "") }

// OpenLog opens the file at path and reads it as ReadLog does; errors name
// the file (path:line). Close closes the file.
func OpenLog(path string) (*LogReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	lr, err := readLog(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	lr.closers = append(lr.closers, f)
	return lr, nil
}

func readLog(r io.Reader, path string) (*LogReader, error) {
	lr := &LogReader{br: bufio.NewReaderSize(r, 64<<10), path: path}
	if magic, _ := lr.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(lr.br)
		if err != nil {
			return nil, lr.errorf("gzip: %w", err)
		}
		lr.br = bufio.NewReaderSize(z, 64<<10)
		lr.closers = append(lr.closers, z)
	}
	b, err := lr.readLine()
	switch {
	case err == io.EOF:
		lr.line = 0
		return nil, lr.errorf("empty: no header line (a log starts with {\"kind\":%q,\"version\":%d,...})", LogKind, LogVersion)
	case err != nil:
		return nil, err
	}
	var h struct {
		Kind    *string         `json:"kind"`
		Version json.RawMessage `json:"version"`
		Start   *time.Time      `json:"start"`
		Seed    *uint64         `json:"seed"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, lr.errorf("header: %w", err)
	}
	switch {
	case h.Kind == nil || *h.Kind != LogKind:
		found := "no kind"
		if h.Kind != nil {
			found = fmt.Sprintf("kind %q", *h.Kind)
		}
		return nil, lr.errorf("%w: the first line has %s, not the header {\"kind\":%q,\"version\":N,...}: "+
			"not a daemonsim log, or one written before version 1, which this release cannot read (it reads version %d)",
			ErrLogVersion, found, LogKind, LogVersion)
	case h.Version == nil:
		return nil, lr.errorf("%w: the header has no version (this release reads version %d)", ErrLogVersion, LogVersion)
	}
	var version int
	if err := json.Unmarshal(h.Version, &version); err != nil {
		return nil, lr.errorf("%w: the header's version is %s, not a number (this release reads version %d)", ErrLogVersion, h.Version, LogVersion)
	}
	if version != LogVersion {
		return nil, lr.errorf("%w: the header says version %d; this release reads version %d only", ErrLogVersion, version, LogVersion)
	}
	switch {
	case h.Start == nil:
		return nil, lr.errorf("header: start: required")
	case h.Seed == nil:
		return nil, lr.errorf("header: seed: required")
	}
	lr.header = LogHeader{Kind: LogKind, Version: version, Start: *h.Start, Seed: *h.Seed}
	lr.prevAt = *h.Start
	return lr, nil
}

func (lr *LogReader) errorf(format string, args ...any) *LogError {
	return &LogError{Path: lr.path, Line: lr.line, Err: fmt.Errorf(format, args...)}
}

// readLine returns the next line that is not blank, without its line
// ending, in a buffer valid until the next call; io.EOF at the end.
func (lr *LogReader) readLine() ([]byte, error) {
	for {
		lr.buf = lr.buf[:0]
		lr.line++
		for {
			chunk, err := lr.br.ReadSlice('\n')
			lr.buf = append(lr.buf, chunk...)
			if len(lr.buf) > maxLogLine {
				return nil, lr.errorf("line longer than %d bytes", maxLogLine)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if len(lr.buf) == 0 {
					lr.line--
					return nil, io.EOF
				}
				break
			}
			if err != nil {
				return nil, lr.errorf("%w", err)
			}
			break
		}
		b := bytes.TrimSpace(lr.buf)
		if len(b) > 0 {
			return b, nil
		}
	}
}

// Header returns the log's header.
func (lr *LogReader) Header() LogHeader { return lr.header }

// Line returns the number of the line last read: the header's after
// ReadLog, then the last event's (blank lines count).
func (lr *LogReader) Line() int { return lr.line }

// Next returns the next event: io.EOF after the last one, or a *LogError
// naming the line and field of a malformed one, after which every call
// returns that error. Its change (or note) is new and the caller's. The
// checks: a known kind, a positive seq, an RFC 3339 at not before the
// previous event's (nor the header's start), the fields of the event's
// kind and the change's verb only, a key that parses and that is the
// object's, an object that decodes as the key's kind, and a change either
// applied (rev) or refused (error). A change is not checked against the
// store: ReplayLog does that.
func (lr *LogReader) Next() (Event, error) {
	if lr.err != nil {
		return Event{}, lr.err
	}
	ev, err := lr.next()
	if err != nil {
		lr.err = err
		return Event{}, err
	}
	return ev, nil
}

// All yields the events in log order, and at the end a read error, if any,
// with a zero Event. Stopping early is allowed.
func (lr *LogReader) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := lr.Next()
			if err == io.EOF {
				return
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
}

// Close closes what OpenLog opened (the file) and the gzip stream, if any.
func (lr *LogReader) Close() error {
	var err error
	for _, c := range lr.closers {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}
	lr.closers = nil
	return err
}

func (lr *LogReader) next() (Event, error) {
	b, err := lr.readLine()
	if err != nil {
		return Event{}, err
	}
	l := &lr.in
	*l = logLine[json.RawMessage]{Object: l.Object[:0]}
	if err := json.Unmarshal(b, l); err != nil {
		return Event{}, lr.errorf("%w", jsonFieldError(err))
	}
	ev := Event{Seq: l.Seq, Source: l.Source}
	switch l.Kind {
	case "change", "wake", "note":
	case LogKind:
		return Event{}, lr.errorf("kind: a second header")
	case "":
		return Event{}, lr.errorf("kind: required (change, wake or note)")
	default:
		return Event{}, lr.errorf("kind: unknown event kind %q (change, wake or note)", l.Kind)
	}
	if l.Seq == 0 {
		return Event{}, lr.errorf("seq: required (a positive number)")
	}
	if l.At == "" {
		return Event{}, lr.errorf("at: required")
	}
	at, err := time.Parse(time.RFC3339Nano, l.At)
	if err != nil {
		return Event{}, lr.errorf("at: %q is not an RFC 3339 time", l.At)
	}
	if at.Before(lr.prevAt) {
		return Event{}, lr.errorf("at: %s is before the previous event (or the start), %s", l.At, lr.prevAt.Format(time.RFC3339Nano))
	}
	lr.prevAt, ev.At = at, at
	hasObject := len(l.Object) > 0 && !bytes.Equal(l.Object, []byte("null"))
	switch l.Kind {
	case "change":
		ev.Kind = EventChange
		if l.Note != nil {
			return Event{}, lr.errorf("note: not allowed on a change")
		}
		if err := lr.change(l, hasObject, &ev); err != nil {
			return Event{}, err
		}
	case "wake":
		ev.Kind = EventWake
		if err := lr.only(l, "key"); err != nil {
			return Event{}, err
		}
		if l.Key == "" {
			return Event{}, lr.errorf("key: required on a wake")
		}
		if ev.Key, err = cluster.ParseKey(l.Key); err != nil {
			return Event{}, lr.errorf("key: %w", err)
		}
	case "note":
		ev.Kind = EventNote
		if err := lr.only(l, "note"); err != nil {
			return Event{}, err
		}
		if l.Note == nil {
			return Event{}, lr.errorf("note: required on a note")
		}
		n := &cluster.Note{Type: cluster.NoteType(l.Note.Type), Reason: l.Note.Reason, Message: l.Note.Message}
		r := l.Note.Object
		if r.Kind != "" {
			k, ok := cluster.ParseKind(r.Kind)
			if !ok {
				return Event{}, lr.errorf("note.object.kind: unknown kind %q", r.Kind)
			}
			n.Object = cluster.Key{Kind: k, Namespace: r.Namespace, Name: r.Name}
		} else if r.Namespace != "" || r.Name != "" {
			return Event{}, lr.errorf("note.object.kind: required with a name")
		}
		ev.Note = n
	}
	return ev, nil
}

// only checks that l has no field of a change's but those named (among
// "key" and "note").
func (lr *LogReader) only(l *logLine[json.RawMessage], allowed string) error {
	bad := ""
	switch {
	case l.Verb != "":
		bad = "verb"
	case l.Key != "" && allowed != "key":
		bad = "key"
	case len(l.Object) > 0:
		bad = "object"
	case l.NodeName != "":
		bad = "nodeName"
	case l.GracePeriodSeconds != nil:
		bad = "gracePeriodSeconds"
	case l.PropagationPolicy != "":
		bad = "propagationPolicy"
	case l.ExpectedResourceVersion != 0:
		bad = "expectedResourceVersion"
	case l.Rev != 0:
		bad = "rev"
	case l.Error != "":
		bad = "error"
	case l.Note != nil && allowed != "note":
		bad = "note"
	}
	if bad != "" {
		return lr.errorf("%s: not allowed on a %s", bad, l.Kind)
	}
	return nil
}

// change decodes l's change into ev.
func (lr *LogReader) change(l *logLine[json.RawMessage], hasObject bool, ev *Event) error {
	switch {
	case l.Error == "" && l.Rev == 0:
		return lr.errorf("rev: required on an applied change (a refused one has error)")
	case l.Error != "" && l.Rev != 0:
		return lr.errorf("rev: not allowed on a refused change (it has error)")
	}
	ev.Rev, ev.Err = l.Rev, l.Error
	var key cluster.Key
	if l.Key != "" {
		k, err := cluster.ParseKey(l.Key)
		if err != nil {
			return lr.errorf("key: %w", err)
		}
		key = k
	}
	// allow reports the first field set that the verb does not have.
	fields := [...]struct {
		name string
		set  bool
	}{
		{"object", len(l.Object) > 0},
		{"nodeName", l.NodeName != ""},
		{"gracePeriodSeconds", l.GracePeriodSeconds != nil},
		{"propagationPolicy", l.PropagationPolicy != ""},
		{"expectedResourceVersion", l.ExpectedResourceVersion != 0},
	}
	allow := func(ok ...string) error {
		for _, f := range fields {
			if f.set && !slices.Contains(ok, f.name) {
				return lr.errorf("%s: not allowed on a %s", f.name, l.Verb)
			}
		}
		return nil
	}
	switch l.Verb {
	case "":
		if l.Key != "" || l.Error == "" {
			return lr.errorf("verb: required (create, update, update-status, delete, bind or evict)")
		}
		if err := allow(); err != nil {
			return err
		}
		return nil // a nil change, refused
	case "create", "update", "update-status":
		var err error
		if l.Verb == "create" {
			err = allow("object")
		} else {
			err = allow("object", "expectedResourceVersion")
		}
		if err != nil {
			return err
		}
		o, err := lr.object(l, key, hasObject)
		if err != nil {
			return err
		}
		switch l.Verb {
		case "create":
			ev.Change = cluster.Create{Object: o}
		case "update":
			ev.Change = cluster.Update{Object: o, ExpectedRV: l.ExpectedResourceVersion}
		default:
			ev.Change = cluster.UpdateStatus{Object: o, ExpectedRV: l.ExpectedResourceVersion}
		}
	case "delete":
		if err := allow("gracePeriodSeconds", "propagationPolicy", "expectedResourceVersion"); err != nil {
			return err
		}
		ev.Change = cluster.Delete{Key: key, GracePeriodSeconds: l.GracePeriodSeconds,
			Propagation: cluster.DeletionPropagation(l.PropagationPolicy), ExpectedRV: l.ExpectedResourceVersion}
	case "bind":
		if err := allow("nodeName"); err != nil {
			return err
		}
		ev.Change = cluster.Bind{Pod: key, Node: l.NodeName}
	case "evict":
		if err := allow("gracePeriodSeconds"); err != nil {
			return err
		}
		ev.Change = cluster.Evict{Pod: key, GracePeriodSeconds: l.GracePeriodSeconds}
	default:
		return lr.errorf("verb: unknown verb %q (create, update, update-status, delete, bind or evict)", l.Verb)
	}
	return nil
}

// object decodes the object of a create or update: a new object of the
// key's kind, a nil pointer of that kind for "null" (a refused change
// without an object), or nil without a key.
func (lr *LogReader) object(l *logLine[json.RawMessage], key cluster.Key, hasObject bool) (cluster.Object, error) {
	if l.Key == "" {
		if hasObject {
			return nil, lr.errorf("key: required with an object")
		}
		if l.Error == "" {
			return nil, lr.errorf("object: required on an applied %s", l.Verb)
		}
		return nil, nil
	}
	if !hasObject {
		if l.Error == "" {
			return nil, lr.errorf("object: required on an applied %s", l.Verb)
		}
		o, ok := cluster.NewObject(key.Kind)
		if !ok {
			return nil, lr.errorf("key: kind %s has no objects", key.Kind)
		}
		nilObj := reflect.Zero(reflect.TypeOf(o)).Interface().(cluster.Object)
		if got := cluster.KeyOf(nilObj); got != key {
			return nil, lr.errorf("key: %q names an object, but object is null", l.Key)
		}
		return nilObj, nil
	}
	if !bytes.HasPrefix(l.Object, []byte("{")) {
		return nil, lr.errorf("object: not a JSON object")
	}
	o, err := cluster.DecodeObject(key.Kind, l.Object)
	if err != nil {
		return nil, lr.errorf("object: %w", jsonFieldError(err))
	}
	if got := cluster.KeyOf(o).String(); got != l.Key {
		return nil, lr.errorf("key: %q, but the object is %s", l.Key, got)
	}
	return o, nil
}

// jsonFieldError makes a JSON decoding error name the field path as the
// log's lowerCamel names spell it, when it has one.
func jsonFieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s: cannot read JSON %s as %s", te.Field, te.Value, te.Type)
	}
	return err
}

// ReplayLog is Replay of the events lr yields, read one at a time: it
// rebuilds the store from the log's changes and checks each has the same
// outcome as logged, so that cluster.Digest of the result equals the
// digest of the store that wrote the log. It keeps no events. Errors: a
// read error of lr (a *LogError), or an event whose outcome differs,
// naming its seq and line.
func ReplayLog(lr *LogReader) (*cluster.Store, error) {
	s := cluster.NewStore()
	for {
		ev, err := lr.Next()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		// the reader's objects are new and no one else's: hand them over
		switch c := ev.Change.(type) {
		case cluster.Create:
			c.Handoff = true
			ev.Change = c
		case cluster.UpdateStatus:
			c.Handoff = true
			ev.Change = c
		}
		if err := replayEvent(s, &ev); err != nil {
			return nil, &LogError{Path: lr.path, Line: lr.line, Err: err}
		}
	}
}
