package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"

	"github.com/daemonsim/daemonsim/cluster"
)

// Epoch is the virtual time at which every simulation starts unless
// Config.Start says otherwise (the origin testing/synctest uses).
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Controller is a reconciler driven by the engine. Controllers implement it
// without importing sim: they read a cluster.View and return a cluster.Plan.
//
// The engine calls Observe for every applied change, in log order, and Wake
// when a Requeue the controller asked for comes due; a controller turns
// these into its own dirty keys. When no event is left at the current
// instant, the engine calls Reconcile on each controller that observed or
// was woken since its last Reconcile, in registration order.
type Controller interface {
	// Name identifies the controller in the log; it must be unique.
	Name() string
	// Observe is told about one applied change. It must not keep the
	// Delta's objects beyond its own read-only use.
	Observe(d cluster.Delta)
	// Wake is told that a requested wake-up for key is due.
	Wake(key cluster.Key)
	// Reconcile works through the dirty keys against view (read-only; do
	// not keep it after returning) and returns what to change. It must be a
	// deterministic function of its inputs and its own state. An error
	// stops the engine (it means a broken invariant, not a failed change).
	Reconcile(now time.Time, view cluster.View) (cluster.Plan, error)
}

// Config configures an Engine. The zero value is usable.
type Config struct {
	// Seed seeds every named random stream.
	Seed uint64
	// Start is the virtual time of the first instant; zero means Epoch.
	Start time.Time
	// MaxSteps bounds Stabilize; zero means 10,000,000. Running past it
	// returns an error that wraps ErrNoFixedPoint.
	MaxSteps int
	// Initial, when set, is the state to simulate from (a store, a
	// snapshot, a fork, or a real cluster's objects loaded into a store):
	// each of its objects is created at Start by the source InitialSource,
	// in key order (nodes, priority classes, DaemonSets, revisions, PDBs,
	// then pods), keeping its uid, timestamps, owner references and status
	// (see cluster.Create). The controllers observe these creates as
	// upstream's informers list the objects when they start, and act on
	// what they find at their first sync; the log holds the creates, so
	// Replay of the log rebuilds the run. Initial is read in New and not
	// kept.
	Initial cluster.View
	// LogWindow, when positive, bounds the history the engine keeps in
	// memory: once more than LogWindow events are logged, the oldest are
	// dropped in whole chunks of 4,096, so the log (and the object
	// versions only it refers to) stays within LogWindow+4,096 events.
	// Log, Events, Timeline and LogLen's count still number every event,
	// but yield only those kept; WriteJSONL, WriteLogFile and a StreamLog
	// attached later refuse a log that lost its beginning (ErrLogDropped).
	// To keep the whole log of a long run, attach a StreamLog writer
	// before it starts: it writes each event as it is logged. Zero keeps
	// everything.
	LogWindow int
}

// ErrLogDropped is returned by the log writers when events were dropped
// from memory (Config.LogWindow) before they could be written.
var ErrLogDropped = errors.New("sim: the log's first events were dropped (Config.LogWindow); attach a StreamLog writer before the run to keep the whole log")

// InitialSource is the log's source for the creates of Config.Initial.
const InitialSource = "initial"

// ErrNoFixedPoint is wrapped by Stabilize's error when the bound is hit.
var ErrNoFixedPoint = errors.New("sim: no fixed point")

// EventKind says what an Event records.
type EventKind uint8

// The event kinds.
const (
	// EventChange is a change submitted to the store (applied or refused).
	EventChange EventKind = iota + 1
	// EventWake is a controller wake-up coming due.
	EventWake
	// EventNote is a Kubernetes-style event a controller recorded.
	EventNote
)

var eventKindNames = [...]string{"", "change", "wake", "note"}

// String returns "change", "wake" or "note".
func (k EventKind) String() string { return eventKindNames[k] }

// Event is one entry of the log. Seq is gap-free and assigned when the
// event is queued (notes: when recorded); events are processed in (At, Seq)
// order, so the log is in that order too.
//
// Change is the change as submitted, except that an applied create or
// status write (cluster.Create, cluster.UpdateStatus) holds the object as
// stored: the create as the API server returns it (defaulted and
// admitted, with uid, resourceVersion and creationTimestamp), the status
// write with the metadata and spec it kept (so it differs from what was
// submitted only in what the status subresource ignores, and the new
// resourceVersion). A change given with Handoff already holds the stored
// object and is logged as it is, Handoff included; one given without is
// logged with the stored object in place of the submitted one. Either way
// the log holds one copy of every created pod and status write, and
// Replay gives the same state, since the store sets what it adds again.
// To apply a logged change to another store, clear Handoff first (Replay
// does): the stored object must not be handed to a second store.
type Event struct {
	Seq    uint64
	At     time.Time
	Kind   EventKind
	Source string         // who submitted it: "scenario", a controller name, ...
	Change cluster.Change // EventChange; see Event
	Key    cluster.Key    // EventWake: the key to wake
	Note   *cluster.Note  // EventNote
	Rev    uint64         // EventChange: the store revision after applying (0 if refused)
	Err    string         // EventChange: the error text if refused
}

type pending struct {
	ev *Event
}

func pendingLess(a, b pending) bool {
	if !a.ev.At.Equal(b.ev.At) {
		return a.ev.At.Before(b.ev.At)
	}
	return a.ev.Seq < b.ev.Seq
}

// Engine is the simulator's imperative shell: the virtual clock, the event
// queue, the authoritative store, the log and the random streams. It runs
// on one goroutine and is not safe for concurrent use.
type Engine struct {
	cfg         Config
	now         time.Time
	seq         uint64
	store       *cluster.Store
	view        readOnlyView // store, as controllers and callers read it
	queue       *btree.BTreeG[pending]
	log         eventLog
	controllers []Controller
	dirty       []bool
	streams     map[string]*rand.Rand
	steps       int
	// free holds processed change events for reuse: once applied and
	// logged (as a compact record), a change's queued Event is referenced
	// by nothing, so the next Submit reuses it instead of allocating.
	free []*Event
}

// New returns an engine at cfg.Start with an empty store (and the creates
// of cfg.Initial queued) and the controllers registered in the given order.
// Errors: a nil controller or two controllers with the same name.
func New(cfg Config, controllers ...Controller) (*Engine, error) {
	if cfg.Start.IsZero() {
		cfg.Start = Epoch
	}
	if cfg.MaxSteps == 0 {
		cfg.MaxSteps = 10_000_000
	}
	if cfg.MaxSteps < 0 {
		return nil, fmt.Errorf("sim: MaxSteps must not be negative, got %d", cfg.MaxSteps)
	}
	if cfg.LogWindow < 0 {
		return nil, fmt.Errorf("sim: LogWindow must not be negative, got %d", cfg.LogWindow)
	}
	seen := map[string]bool{}
	for i, c := range controllers {
		if c == nil {
			return nil, fmt.Errorf("sim: controller %d is nil", i)
		}
		if seen[c.Name()] {
			return nil, fmt.Errorf("sim: two controllers are named %q", c.Name())
		}
		seen[c.Name()] = true
	}
	store := cluster.NewStore()
	e := &Engine{
		cfg:         cfg,
		now:         cfg.Start,
		store:       store,
		view:        readOnlyView{store},
		queue:       btree.NewG(16, pendingLess),
		controllers: slices.Clone(controllers),
		dirty:       make([]bool, len(controllers)),
		streams:     map[string]*rand.Rand{},
	}
	e.log.window = cfg.LogWindow
	if cfg.Initial != nil {
		for o := range cfg.Initial.Objects() {
			e.Submit(cfg.Start, InitialSource, cluster.Create{Object: o})
		}
		e.cfg.Initial = nil
	}
	for _, c := range e.controllers {
		e.handStreams(c)
	}
	return e, nil
}

// Streams gives named random streams: what the engine hands a controller
// that draws random numbers (RandomUser). Rand(name) returns the stream
// of that name, made on first use from the engine's seed and the name, so
// that one stream's draws never shift another's. The streams belong to the
// engine's goroutine.
type Streams interface {
	Rand(name string) *rand.Rand
}

// RandomUser is implemented by a controller that draws random numbers:
// the engine calls UseStreams once, when the controller is registered
// (New, Add), with its named streams. Random numbers come from nowhere
// else.
type RandomUser interface {
	UseStreams(Streams)
}

// RefusalObserver is implemented by a controller that wants to know when
// the store refuses one of its own changes, as an API client learns it
// from the error its request returns: the engine calls Refused with the
// change and the error at the instant it was refused (only for changes
// whose source is the controller's Name), then marks the controller dirty.
// Upstream's controllers lower their expectations this way (a create that
// failed will never be observed). Refused must not keep the change's
// object.
type RefusalObserver interface {
	Refused(c cluster.Change, err error)
}

// engineStreams is the engine's Rand, and nothing more of it.
type engineStreams struct{ e *Engine }

func (s engineStreams) Rand(name string) *rand.Rand { return s.e.Rand(name) }

func (e *Engine) handStreams(c Controller) {
	if u, ok := c.(RandomUser); ok {
		u.UseStreams(engineStreams{e})
	}
}

// readOnlyView is the store as controllers and callers read it: the View
// methods alone, so that no type assertion reaches the store's writers.
type readOnlyView struct{ cluster.View }

// Add registers c after the controllers already registered; it is told
// only of changes applied from now on (call its own Sync first if it needs
// the current state). Errors: a nil controller or a name already taken.
func (e *Engine) Add(c Controller) error {
	if c == nil {
		return fmt.Errorf("sim: controller is nil")
	}
	for _, o := range e.controllers {
		if o.Name() == c.Name() {
			return fmt.Errorf("sim: two controllers are named %q", c.Name())
		}
	}
	e.controllers = append(e.controllers, c)
	e.dirty = append(e.dirty, false)
	e.handStreams(c)
	return nil
}

// Now returns the virtual time.
func (e *Engine) Now() time.Time { return e.now }

// View returns the authoritative store as a read-only view: it has the
// View methods only, so that nothing can write through it, not even by a
// type assertion (Fork gives a private copy, writable but the engine's
// never). It changes as the engine runs; take Snapshot for a frozen one.
func (e *Engine) View() cluster.View { return e.view }

// Snapshot returns a frozen read-only view of the current state. O(1).
func (e *Engine) Snapshot() *cluster.Snapshot { return e.store.Snapshot() }

// Log returns a copy of the events processed so far, in (At, Seq) order.
// Cost: O(log length); use LogLen and Events to read part of it.
func (e *Engine) Log() []Event { return e.log.slice(0) }

// LogLen returns the number of events in the log. O(1).
func (e *Engine) LogLen() int { return e.log.n }

// Events yields the log's events from index from on, in log order. Each
// yielded Event is new and the caller's; the objects and notes it points
// to are shared with the engine and must not be modified.
func (e *Engine) Events(from int) iter.Seq[*Event] { return e.log.from(from) }

// Pending returns the number of queued events.
func (e *Engine) Pending() int { return e.queue.Len() }

// NextAt returns the time of the earliest queued event, and false when
// nothing is queued. O(log n).
func (e *Engine) NextAt() (time.Time, bool) {
	next, ok := e.queue.Min()
	if !ok {
		return time.Time{}, false
	}
	return next.ev.At, true
}

// Controllers returns the registered controllers in registration order.
func (e *Engine) Controllers() []Controller { return slices.Clone(e.controllers) }

// Rand returns the named random stream, created on first use from the seed
// and an FNV-64a hash of the name, so draws on one stream never shift
// another. The stream belongs to the engine; callers draw from it but keep
// it on the engine's goroutine.
func (e *Engine) Rand(stream string) *rand.Rand {
	if r, ok := e.streams[stream]; ok {
		return r
	}
	h := fnv.New64a()
	h.Write([]byte(stream))
	r := rand.New(rand.NewPCG(e.cfg.Seed, h.Sum64()))
	e.streams[stream] = r
	return r
}

func (e *Engine) enqueue(ev *Event) uint64 {
	e.seq++
	ev.Seq = e.seq
	e.queue.ReplaceOrInsert(pending{ev})
	return ev.Seq
}

// Submit queues change c from source to be applied at virtual time at
// (clamped to Now if earlier) and returns its sequence number.
func (e *Engine) Submit(at time.Time, source string, c cluster.Change) uint64 {
	if at.Before(e.now) {
		at = e.now
	}
	var ev *Event
	if n := len(e.free); n > 0 {
		ev, e.free = e.free[n-1], e.free[:n-1]
		*ev = Event{At: at, Kind: EventChange, Source: source, Change: c}
	} else {
		ev = &Event{At: at, Kind: EventChange, Source: source, Change: c}
	}
	return e.enqueue(ev)
}

// SubmitAfter queues c to be applied d after Now.
func (e *Engine) SubmitAfter(d time.Duration, source string, c cluster.Change) uint64 {
	return e.Submit(e.now.Add(d), source, c)
}

// WakeAt queues a wake-up of the named controller for key at time at.
func (e *Engine) WakeAt(at time.Time, controller string, key cluster.Key) uint64 {
	if at.Before(e.now) {
		at = e.now
	}
	return e.enqueue(&Event{At: at, Kind: EventWake, Source: controller, Key: key})
}

// Record appends a note to the log at Now (it is not queued).
func (e *Engine) Record(source string, n cluster.Note) {
	e.seq++
	e.log.append(&Event{Seq: e.seq, At: e.now, Kind: EventNote, Source: source, Note: &n})
}

// Step processes the earliest queued event: it moves the clock to its time,
// applies it, and tells the controllers. If no other event is queued for the
// same instant, it then runs a reconcile round. It returns the processed
// event (as logged) and false when the queue was empty. An error means a
// controller failed; the event was still processed.
// Panics if the clock would move backwards (a broken invariant).
func (e *Engine) Step() (Event, bool, error) {
	first, ok := e.queue.DeleteMin()
	if !ok {
		return Event{}, false, nil
	}
	ev := first.ev
	if ev.At.Before(e.now) {
		panic(fmt.Sprintf("sim: clock would move backwards from %v to %v", e.now, ev.At))
	}
	e.now = ev.At
	e.steps++
	switch ev.Kind {
	case EventChange:
		d, err := e.store.Apply(e.now, ev.Change)
		if err != nil {
			ev.Err = err.Error()
			for i, c := range e.controllers {
				if r, ok := c.(RefusalObserver); ok && c.Name() == ev.Source {
					r.Refused(ev.Change, err)
					e.dirty[i] = true
				}
			}
		} else {
			ev.Rev = d.Rev
			switch c := ev.Change.(type) {
			case cluster.Create:
				if c.Object != d.New {
					ev.Change = cluster.Create{Object: d.New}
				}
			case cluster.UpdateStatus:
				if c.Object != d.New {
					ev.Change = cluster.UpdateStatus{Object: d.New, ExpectedRV: c.ExpectedRV}
				}
			}
			for i, c := range e.controllers {
				for _, a := range d.Also {
					c.Observe(a) // an Evict's budget write, before the pod's
				}
				c.Observe(d)
				e.dirty[i] = true
			}
		}
	case EventWake:
		for i, c := range e.controllers {
			if c.Name() == ev.Source {
				c.Wake(ev.Key)
				e.dirty[i] = true
			}
		}
	}
	out := *ev
	if ev.Kind == EventWake {
		e.log.appendWake(ev) // the log keeps ev
	} else {
		e.log.append(ev)
		*ev = Event{} // drop what it points to
		e.free = append(e.free, ev)
	}
	if next, ok := e.queue.Min(); ok && next.ev.At.Equal(e.now) {
		return out, true, nil
	}
	return out, true, e.reconcile()
}

func (e *Engine) reconcile() error {
	for i, c := range e.controllers {
		if !e.dirty[i] {
			continue
		}
		e.dirty[i] = false
		plan, err := c.Reconcile(e.now, e.view)
		if err != nil {
			return fmt.Errorf("sim: controller %s at %s: %w", c.Name(), e.Offset(e.now), err)
		}
		for _, n := range plan.Notes {
			e.Record(c.Name(), n)
		}
		for _, ch := range plan.Changes {
			e.Submit(e.now, c.Name(), ch)
		}
		for _, l := range plan.Later {
			e.Submit(e.now.Add(l.After), c.Name(), l.Change)
		}
		for _, r := range plan.Requeue {
			e.WakeAt(e.now.Add(r.After), c.Name(), r.Key)
		}
	}
	return nil
}

// RunUntil processes every event due at or before t, then sets the clock
// to t (if later). Errors are those of Step.
func (e *Engine) RunUntil(t time.Time) error {
	for {
		next, ok := e.queue.Min()
		if !ok || next.ev.At.After(t) {
			break
		}
		if _, _, err := e.Step(); err != nil {
			return err
		}
	}
	if t.After(e.now) {
		e.now = t
	}
	return nil
}

// RunFor is RunUntil(Now()+d).
func (e *Engine) RunFor(d time.Duration) error { return e.RunUntil(e.now.Add(d)) }

// Stabilize runs until no event is queued: a fixed point, with time moving
// forward through every timed event. It stops with an error wrapping
// ErrNoFixedPoint after Config.MaxSteps steps, naming the sources and keys
// that produced the most events in the last steps (a livelock report).
func (e *Engine) Stabilize() error {
	start := e.log.n
	for steps := 0; ; steps++ {
		if steps >= e.cfg.MaxSteps {
			return e.livelock(start)
		}
		_, ok, err := e.Step()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
	}
}

func (e *Engine) livelock(start int) error {
	from := max(start, e.log.n-1000)
	window := e.log.slice(from)
	type churn struct {
		who   string
		count int
	}
	counts := map[string]int{}
	var order []string
	for _, ev := range window {
		var key string
		switch ev.Kind {
		case EventChange:
			key = ev.Change.Target().String()
		case EventWake:
			key = ev.Key.String()
		default:
			key = ev.Note.Object.String()
		}
		who := ev.Source + " " + key
		if counts[who] == 0 {
			order = append(order, who)
		}
		counts[who]++
	}
	list := make([]churn, len(order))
	for i, w := range order {
		list[i] = churn{w, counts[w]}
	}
	slices.SortStableFunc(list, func(a, b churn) int { return b.count - a.count })
	var parts []string
	for i, c := range list {
		if i == 5 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d events)", c.who, c.count))
	}
	return fmt.Errorf("%w after %d steps at %s; still churning in the last %d events: %s",
		ErrNoFixedPoint, e.cfg.MaxSteps, e.Offset(e.now), len(window), strings.Join(parts, ", "))
}

// Offset renders t relative to the start as "+1m30s".
func (e *Engine) Offset(t time.Time) string { return offset(e.cfg.Start, t) }

func offset(start, t time.Time) string {
	d := t.Sub(start)
	if d < 0 {
		return d.String()
	}
	return "+" + d.String()
}

// eventLog is an append-only list of events, kept as 48-byte records in
// fixed-size chunks, so that appending never copies earlier events and a
// logged event costs no allocation of its own (an Event is 144 bytes and
// its own heap object). Reading materializes Events from the records.
type eventLog struct {
	chunks  [][]logRecord
	n       int
	sources []string                  // interned event sources, by index
	source  map[string]uint32         // source -> index in sources
	locs    []*time.Location          // interned time locations, by index
	locIdx  map[*time.Location]uint16 // location -> index in locs, once there are more than 8
	more    map[int]*time.Location    // by log position, the locations past locs' room
	errs    []string                  // the errors of refused changes, by index
	writers []*LogWriter              // streaming writers (StreamLog), told of each event pushed
	window  int                       // Config.LogWindow
	dropped int                       // events dropped from memory (a multiple of logChunk)
}

// logRecord is one logged event. payload is the change (EventChange), the
// note (EventNote) or the queued Event holding the key (EventWake). The
// time is kept as Unix nanoseconds and its location (locs[loc], or
// more[position] when loc is moreLocs), from which time.Unix(0, at).In(loc)
// rebuilds the same Time. rev is the revision, or for a refused change
// (refused set) the index of its error in errs.
type logRecord struct {
	seq     uint64
	at      int64
	payload any
	rev     uint64
	source  uint32
	loc     uint16
	kind    EventKind
	refused bool
}

const logChunk = 4096

// moreLocs is the loc of a record whose location is kept in more.
const moreLocs = math.MaxUint16

// append records ev. The log keeps nothing of ev itself (so a caller's
// Event may live on its stack) but the objects and notes it points to;
// wake-ups go through appendWake.
func (l *eventLog) append(ev *Event) { l.push(l.record(ev)) }

// appendWake records the wake-up ev, keeping ev for its key (boxing the
// key instead would allocate).
func (l *eventLog) appendWake(ev *Event) {
	r := l.record(ev)
	r.payload = ev
	l.push(r)
}

func (l *eventLog) record(ev *Event) logRecord {
	src, ok := l.source[ev.Source]
	if !ok {
		if l.source == nil {
			l.source = map[string]uint32{}
		}
		src = uint32(len(l.sources))
		l.sources = append(l.sources, ev.Source)
		l.source[ev.Source] = src
	}
	r := logRecord{seq: ev.Seq, at: ev.At.UnixNano(), loc: l.locIndex(ev.At.Location()), rev: ev.Rev, source: src, kind: ev.Kind}
	if r.loc == moreLocs {
		if l.more == nil {
			l.more = map[int]*time.Location{}
		}
		l.more[l.n] = ev.At.Location() // the record is pushed next, at position n
	}
	switch ev.Kind {
	case EventChange:
		r.payload = ev.Change
	case EventNote:
		r.payload = ev.Note
	}
	if ev.Err != "" {
		r.rev, r.refused = uint64(len(l.errs)), true
		l.errs = append(l.errs, ev.Err)
	}
	return r
}

// locIndex returns loc's index in locs, adding it if new, or moreLocs when
// locs is full. A run uses one location or a few (the engine's times share
// the start's), found by a short search; past 8, through locIdx.
func (l *eventLog) locIndex(loc *time.Location) uint16 {
	if l.locIdx != nil {
		if i, ok := l.locIdx[loc]; ok {
			return i
		}
	} else {
		for i, x := range l.locs {
			if x == loc {
				return uint16(i)
			}
		}
	}
	if len(l.locs) == moreLocs {
		return moreLocs
	}
	i := uint16(len(l.locs))
	l.locs = append(l.locs, loc)
	switch {
	case l.locIdx != nil:
		l.locIdx[loc] = i
	case len(l.locs) > 8:
		l.locIdx = make(map[*time.Location]uint16, len(l.locs))
		for j, x := range l.locs {
			l.locIdx[x] = uint16(j)
		}
	}
	return i
}

func (l *eventLog) push(r logRecord) {
	if l.n%logChunk == 0 {
		l.chunks = append(l.chunks, make([]logRecord, 0, logChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, r)
	l.n++
	for _, w := range l.writers {
		w.logged(l, l.n-1)
	}
	if l.window > 0 && l.n-l.dropped-logChunk >= l.window {
		l.chunks[l.dropped/logChunk] = nil // its records and what only they refer to can go
		l.dropped += logChunk
	}
}

// event returns a new Event holding the i'th record.
func (l *eventLog) event(i int) *Event {
	r := &l.chunks[i/logChunk][i%logChunk]
	var loc *time.Location
	if r.loc == moreLocs {
		loc = l.more[i]
	} else {
		loc = l.locs[r.loc]
	}
	ev := &Event{Seq: r.seq, At: time.Unix(0, r.at).In(loc), Kind: r.kind, Source: l.sources[r.source], Rev: r.rev}
	switch p := r.payload.(type) {
	case cluster.Change:
		ev.Change = p
	case *cluster.Note:
		ev.Note = p
	case *Event:
		ev.Key = p.Key
	}
	if r.refused {
		ev.Rev, ev.Err = 0, l.errs[r.rev]
	}
	return ev
}

func (l *eventLog) from(i int) iter.Seq[*Event] {
	return func(yield func(*Event) bool) {
		for i = max(i, l.dropped); i < l.n; i++ {
			if !yield(l.event(i)) {
				return
			}
		}
	}
}

func (l *eventLog) slice(from int) []Event {
	out := make([]Event, 0, max(l.n-max(from, l.dropped), 0))
	for ev := range l.from(from) {
		out = append(out, *ev)
	}
	return out
}
