package churn

import (
	"container/heap"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// Node is a node a generator may act on: its name and labels (the labels
// matter to Correlated, which groups nodes into failure domains by one).
// Generators read Labels and never modify them.
type Node struct {
	Name   string
	Labels selector.Set
}

// NodesOf returns v's nodes in name order, sharing their label sets with v
// (which the caller must not modify). Cost: one pass over the nodes, once,
// when a churn is generated; nothing per event.
func NodesOf(v cluster.View) []Node {
	out := make([]Node, 0, v.NodeCount())
	for n := range v.Nodes() {
		out = append(out, Node{Name: n.Name, Labels: n.Labels})
	}
	return out
}

// NodesAdded returns the nodes that events add at time 0 (a trace's
// starting population, such as the 12,477 machines of the 2011 Google
// trace), in event order, with the events' label sets (shared).
func NodesAdded(evs []trace.NodeEvent) []Node {
	var out []Node
	for _, ev := range evs {
		if ev.At != 0 {
			break
		}
		if ev.Type == trace.Add {
			out = append(out, Node{Name: ev.Node, Labels: ev.Labels})
		}
	}
	return out
}

// Generator makes one kind of churn. Steady, Crash, KubeletStop,
// Correlated, Maintenance and Burst are the generators of this package.
type Generator interface {
	// StreamName is the name of the random stream the generator draws
	// from (Engine.Rand's name): its Stream field, or its default
	// ("churn/crash").
	StreamName() string
	// Validate reports every bad field, each named by its path under p
	// (p.Child("downtime")); nil when the config is good.
	Validate(p *field.Path) field.ErrorList
	// Generate returns the generator's events in [0, horizon), in time
	// order (ties in the order the generator made them), for the given
	// starting nodes, drawing only from r. The config must be valid
	// (Validate); the nodes are not modified; the events are new and the
	// caller's.
	Generate(r *rand.Rand, nodes []Node, horizon time.Duration) []trace.NodeEvent
}

// Result is what Generate returns.
type Result struct {
	// Events is the merged churn, sorted by time; at the same time, in the
	// order of the generators given to Generate, then in the order each
	// generator made them. The index in Events is the event's sequence
	// number. Every event is one a replay can apply in order (see Dropped).
	Events []trace.NodeEvent
	// Made is how many events each generator made (in Generate's order),
	// before any was dropped.
	Made []int
	// Dropped are the events left out because another generator's event
	// made them impossible: an event for a node that is not there at that
	// time (removed by Steady, say, or not yet added), or an add of a node
	// that is there. In the merged order.
	Dropped []trace.NodeEvent
}

// Generate runs each generator on its own stream, rand(g.StreamName()),
// over the starting nodes and [0, horizon), and merges their events (see
// Result). Pass Engine.Rand as rand so that each generator's draws come
// from the engine's seed and never shift another's: adding, removing or
// reordering a generator leaves every other generator's events as they
// were (apart from what Dropped takes out).
//
// Errors: a bad config (every field named by its path,
// "generators[1].downtime: Invalid value: ..."), two generators on one
// stream, a negative horizon, or a starting node list with an invalid or
// repeated name. Cost: O(E log E) for E events, plus each generator's
// cost; memory O(E + nodes).
func Generate(rand func(stream string) *rand.Rand, nodes []Node, horizon time.Duration, gens ...Generator) (Result, error) {
	var errs field.ErrorList
	if horizon < 0 {
		errs = append(errs, field.Invalid(field.NewPath("horizon"), horizon.String(), "must not be negative"))
	}
	seen := map[string]bool{}
	for i, n := range nodes {
		p := field.NewPath("nodes").Index(i).Child("name")
		if msgs := selector.NameIsDNSSubdomain(n.Name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p, n.Name, strings.Join(msgs, "; ")))
		} else if seen[n.Name] {
			errs = append(errs, field.Duplicate(p, n.Name))
		}
		seen[n.Name] = true
	}
	streams := map[string]int{}
	for i, g := range gens {
		p := field.NewPath("generators").Index(i)
		errs = append(errs, g.Validate(p)...)
		s := g.StreamName()
		if j, ok := streams[s]; ok {
			errs = append(errs, field.Invalid(p.Child("stream"), s, fmt.Sprintf("generators[%d] draws from this stream already: give each generator its own", j)))
		}
		streams[s] = i
	}
	if err := errs.ToAggregate(); err != nil {
		return Result{}, err
	}
	res := Result{Made: make([]int, len(gens))}
	var all []trace.NodeEvent
	for i, g := range gens {
		evs := g.Generate(rand(g.StreamName()), nodes, horizon)
		res.Made[i] = len(evs)
		all = append(all, evs...)
	}
	all = sortByTime(all)
	present := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		present[n.Name] = true
	}
	res.Events = all[:0:0]
	for _, ev := range all {
		ok := present[ev.Node]
		switch {
		case ev.Type == trace.Add && ok, ev.Type != trace.Add && !ok:
			res.Dropped = append(res.Dropped, ev)
			continue
		case ev.Type == trace.Add:
			present[ev.Node] = true
		case ev.Type == trace.Remove:
			delete(present, ev.Node)
		}
		res.Events = append(res.Events, ev)
	}
	return res, nil
}

// sortByTime returns evs sorted by time, keeping the order of events at
// the same time (a stable sort). It sorts indices, not the large events,
// and returns a new slice. O(n log n).
func sortByTime(evs []trace.NodeEvent) []trace.NodeEvent {
	idx := make([]int32, len(evs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := cmpDuration(evs[a].At, evs[b].At); c != 0 {
			return c
		}
		return int(a - b)
	})
	out := make([]trace.NodeEvent, len(evs))
	for i, j := range idx {
		out[i] = evs[j]
	}
	return out
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Source yields node events in time order until io.EOF: *trace.Reader is
// one (a replayed trace) and NewSource makes one of a generated churn, so
// that a replay driver takes either and drives the simulation the same way.
type Source interface {
	Next() (trace.NodeEvent, error)
}

// SliceSource is a Source over a slice of events (NewSource).
type SliceSource struct {
	evs []trace.NodeEvent
	i   int
}

// NewSource returns a Source yielding evs in order, then io.EOF. It keeps
// evs (not a copy); each yielded event is a copy of the slice's element
// whose maps and slices are shared with it.
func NewSource(evs []trace.NodeEvent) *SliceSource { return &SliceSource{evs: evs} }

// Next returns the next event, or io.EOF after the last. O(1).
func (s *SliceSource) Next() (trace.NodeEvent, error) {
	if s.i >= len(s.evs) {
		return trace.NodeEvent{}, io.EOF
	}
	s.i++
	return s.evs[s.i-1], nil
}

// --- helpers shared by the generators ---

const hour = float64(time.Hour)

// expAfter returns the time of the next event of a Poisson process of rate
// perHour events per hour after t, or false if it falls at or beyond
// horizon (or the rate is 0). It draws one number when the rate is
// positive.
func expAfter(r *rand.Rand, t time.Duration, perHour float64, horizon time.Duration) (time.Duration, bool) {
	if perHour <= 0 {
		return 0, false
	}
	d := r.ExpFloat64() / perHour * hour
	if d >= float64(horizon-t) || math.IsInf(d, 0) {
		return 0, false
	}
	next := t + time.Duration(d)
	return next, next < horizon
}

// pool is a set of node names with O(1) add, remove and uniform pick.
type pool struct {
	names []string
	at    map[string]int
}

func newPool(names []string) *pool {
	p := &pool{at: make(map[string]int, len(names))}
	for _, n := range names {
		p.add(n)
	}
	return p
}

func (p *pool) len() int { return len(p.names) }

func (p *pool) add(n string) {
	p.at[n] = len(p.names)
	p.names = append(p.names, n)
}

func (p *pool) remove(n string) {
	i, ok := p.at[n]
	if !ok {
		return
	}
	last := len(p.names) - 1
	p.names[i] = p.names[last]
	p.at[p.names[i]] = i
	p.names = p.names[:last]
	delete(p.at, n)
}

// pick returns a uniformly chosen name, drawing one number.
func (p *pool) pick(r *rand.Rand) string { return p.names[r.IntN(len(p.names))] }

func names(nodes []Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Name
	}
	return out
}

// timer is a pending follow-up (a recovery, a restart, a removal): at At,
// for node (or domain) key, of kind; seq breaks ties in scheduling order.
type timer struct {
	at   time.Duration
	seq  uint64
	key  string
	kind int
}

// timers is a min-heap of timers by (at, seq).
type timers struct {
	h   []timer
	seq uint64
}

func (t *timers) Len() int { return len(t.h) }
func (t *timers) Less(i, j int) bool {
	if t.h[i].at != t.h[j].at {
		return t.h[i].at < t.h[j].at
	}
	return t.h[i].seq < t.h[j].seq
}
func (t *timers) Swap(i, j int) { t.h[i], t.h[j] = t.h[j], t.h[i] }
func (t *timers) Push(x any)    { t.h = append(t.h, x.(timer)) }
func (t *timers) Pop() any {
	x := t.h[len(t.h)-1]
	t.h = t.h[:len(t.h)-1]
	return x
}

// schedule adds a timer unless it falls at or beyond horizon.
func (t *timers) schedule(at, horizon time.Duration, key string, kind int) {
	if at >= horizon || at < 0 {
		return
	}
	t.seq++
	heap.Push(t, timer{at: at, seq: t.seq, key: key, kind: kind})
}

// peek returns the earliest timer, if any.
func (t *timers) peek() (timer, bool) {
	if len(t.h) == 0 {
		return timer{}, false
	}
	return t.h[0], true
}

func (t *timers) pop() timer { return heap.Pop(t).(timer) }

// after returns t+d, saturating instead of overflowing.
func after(t, d time.Duration) time.Duration {
	if d > math.MaxInt64-t {
		return math.MaxInt64
	}
	return t + d
}

// --- validation helpers ---

func checkRate(p *field.Path, v float64) field.ErrorList {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return field.ErrorList{field.Invalid(p, v, "must be a finite number, not negative")}
	}
	return nil
}

func checkProbability(p *field.Path, v float64) field.ErrorList {
	if !(v >= 0 && v <= 1) {
		return field.ErrorList{field.Invalid(p, v, "must be between 0 and 1")}
	}
	return nil
}

func checkDist(p *field.Path, d sim.Distribution) field.ErrorList {
	if err := d.Validate(); err != nil {
		return field.ErrorList{field.Invalid(p, d.String(), err.Error())}
	}
	return nil
}

func checkNonNegative(p *field.Path, d time.Duration) field.ErrorList {
	if d < 0 {
		return field.ErrorList{field.Invalid(p, d.String(), "must not be negative")}
	}
	return nil
}

// checkTemplate validates what an add carries: a name prefix (which with
// digits after it must make a valid node name), labels and capacity.
func checkTemplate(p *field.Path, prefix string, labels selector.Set, capacity cluster.ResourceList) field.ErrorList {
	var errs field.ErrorList
	if prefix != "" {
		if msgs := selector.NameIsDNSSubdomain(prefix + "0"); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p.Child("namePrefix"), prefix, strings.Join(msgs, "; ")))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		lp := p.Child("labels").Key(k)
		if msgs := selector.IsQualifiedName(k); len(msgs) > 0 {
			errs = append(errs, field.Invalid(lp, k, strings.Join(msgs, "; ")))
		}
		if msgs := selector.IsValidLabelValue(labels[k]); len(msgs) > 0 {
			errs = append(errs, field.Invalid(lp, labels[k], strings.Join(msgs, "; ")))
		}
	}
	ev := trace.NodeEvent{Node: "n", Type: trace.Add, Capacity: capacity}
	if err := ev.Check(); err != nil {
		errs = append(errs, field.Invalid(p.Child("capacity"), fmt.Sprint(capacity), err.Error()))
	}
	return errs
}
