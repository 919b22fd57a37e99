package churn

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/drain"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// ReplaySource is the name replayed changes are submitted under in the
// log.
const ReplaySource = "replay"

// ReplayOptions configures a Replayer. The zero value replays from the
// cluster's current instant with trace.DefaultNodeTemplate and drains
// that ignore DaemonSet pods, force unmanaged pods and give up after 10
// minutes.
type ReplayOptions struct {
	// Start is the instant an event's At counts from; zero means the
	// cluster's Now when the Replayer is made.
	Start time.Time
	// Template is what an added node is made from (trace.NewNode); nil
	// means trace.DefaultNodeTemplate().
	Template *cluster.Node
	// Drain is how a drain event drains its node; the zero value means
	// DefaultReplayDrain.
	Drain *drain.Options
}

// DefaultReplayDrain is how a replayed drain event drains its node unless
// ReplayOptions.Drain says otherwise: as an operator's `kubectl drain
// --ignore-daemonsets --force --timeout 10m` would.
var DefaultReplayDrain = drain.Options{IgnoreDaemonSets: true, Force: true, Timeout: 10 * time.Minute}

// ReplayStats counts what a Replayer did.
type ReplayStats struct {
	// Events is the number of events taken from the source.
	Events int
	// Submitted is the number of changes submitted for them (an event may
	// give none, one or two).
	Submitted int
	// Skipped counts events that did not apply to the cluster as it was
	// at their instant: a node added twice, an event for a node that is
	// not there, a kubelet stopped twice, a drain of a node being drained.
	// Each is also recorded as a Warning note ReasonReplaySkipped.
	Skipped int
}

// ReasonReplaySkipped is the reason of the note recorded for an event
// that did not apply.
const ReasonReplaySkipped = "ReplaySkipped"

// Replayer drives a simulated cluster through a stream of node events (a
// trace, or generated churn): RunUntil runs the cluster and, at each
// event's instant, submits what the event means. Store events (add,
// remove, update, fail, recover, cordon, uncordon) become the changes
// trace.NodeEvent.Changes gives; stop-kubelet and start-kubelet go to the
// node lifecycle helpers (Cluster.StopKubelet, StartKubelet, which posts
// Ready=True), and drain to the drain controller (Cluster.Drain).
//
// The source is read one event ahead and never held whole, so a trace of
// any length streams. Events are applied in source order; an event at an
// instant is submitted after everything the cluster had queued for that
// instant ran, so the same source and seed give the same log. A Replayer
// is not safe for concurrent use.
type Replayer struct {
	c     *sim.Cluster
	src   Source
	opts  ReplayOptions
	next  *trace.NodeEvent // the event read ahead; nil when none
	err   error            // the source's error, io.EOF at its end
	stats ReplayStats
}

// NewReplayer returns a Replayer of src on c with opts. It reads the
// first event; an error doing so is returned at the first RunUntil.
func NewReplayer(c *sim.Cluster, src Source, opts ReplayOptions) *Replayer {
	if opts.Start.IsZero() {
		opts.Start = c.Now()
	}
	if opts.Template == nil {
		opts.Template = trace.DefaultNodeTemplate()
	}
	if opts.Drain == nil {
		d := DefaultReplayDrain
		opts.Drain = &d
	}
	r := &Replayer{c: c, src: src, opts: opts}
	r.read()
	return r
}

func (r *Replayer) read() {
	ev, err := r.src.Next()
	if err != nil {
		r.next, r.err = nil, err
		return
	}
	r.next = &ev
}

// Stats returns what the Replayer did so far.
func (r *Replayer) Stats() ReplayStats { return r.stats }

// Done reports whether the source is used up (or failed).
func (r *Replayer) Done() bool { return r.next == nil }

// NextAt returns the instant of the next event, false when there is none.
func (r *Replayer) NextAt() (time.Time, bool) {
	if r.next == nil {
		return time.Time{}, false
	}
	return r.opts.Start.Add(r.next.At), true
}

// RunUntil runs the cluster to t, submitting each event due by then at
// its instant. It returns the source's error (not io.EOF) or the engine's.
// An event before the cluster's current instant is applied at once.
func (r *Replayer) RunUntil(t time.Time) error {
	for r.next != nil {
		at := r.opts.Start.Add(r.next.At)
		if at.After(t) {
			break
		}
		if at.After(r.c.Now()) {
			if err := r.c.RunUntil(at); err != nil {
				return err
			}
		}
		for r.next != nil && !r.opts.Start.Add(r.next.At).After(r.c.Now()) {
			r.apply(*r.next)
			r.read()
		}
	}
	if r.err != nil && !errors.Is(r.err, io.EOF) {
		return r.err
	}
	return r.c.RunUntil(t)
}

// apply submits what ev means at the cluster's current instant.
func (r *Replayer) apply(ev trace.NodeEvent) {
	r.stats.Events++
	c, now := r.c, r.c.Now()
	var err error
	switch ev.Type {
	case trace.StopKubelet:
		err = c.StopKubelet(ev.Node)
	case trace.StartKubelet:
		err = c.StartKubelet(ev.Node, true)
	case trace.Drain:
		err = c.Drain(ev.Node, *r.opts.Drain)
	default:
		var changes []cluster.Change
		changes, err = ev.Changes(c.View(), r.opts.Template, now)
		for _, ch := range changes {
			c.Submit(now, ReplaySource, ch)
			r.stats.Submitted++
		}
	}
	if err == nil {
		if ev.Type == trace.StopKubelet || ev.Type == trace.StartKubelet || ev.Type == trace.Drain {
			r.stats.Submitted++
		}
		return
	}
	r.stats.Skipped++
	msg := fmt.Sprintf("%s: %v", ev, err)
	if ev.File != "" {
		msg = fmt.Sprintf("%s:%d: %s", ev.File, ev.Line, msg)
	}
	c.Record(ReplaySource, cluster.Note{Object: cluster.Key{Kind: cluster.KindNode, Name: ev.Node}, Type: cluster.NoteWarning,
		Reason: ReasonReplaySkipped, Message: msg})
}
