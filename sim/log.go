package sim

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// Describe renders one event as a timeline line, relative to start:
//
//	t=+0s #3 scenario: create pod/default/web-0 -> rev 3
//	t=+5s #9 scheduler: bind pod/default/web-0 -> n1 -> error: ...
//	t=+5s #10 daemonset: note Warning SelectingAll daemonset/ns/x: ...
func Describe(start time.Time, ev Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t=%s #%d %s: ", offset(start, ev.At), ev.Seq, ev.Source)
	switch ev.Kind {
	case EventChange:
		b.WriteString(fmt.Sprint(ev.Change))
		if ev.Err != "" {
			b.WriteString(" -> error: " + strings.ReplaceAll(ev.Err, "\n", "; "))
		} else {
			fmt.Fprintf(&b, " -> rev %d", ev.Rev)
		}
	case EventWake:
		b.WriteString("wake " + ev.Key.String())
	case EventNote:
		b.WriteString("note " + ev.Note.String())
	}
	return b.String()
}

// Timeline renders the log's events from index from on, one Describe line
// each.
func (e *Engine) Timeline(from int) string {
	var b strings.Builder
	for ev := range e.log.from(from) {
		b.WriteString(Describe(e.cfg.Start, *ev))
		b.WriteByte('\n')
	}
	return b.String()
}

// WriteJSONL writes the log in the versioned JSON Lines format (see
// LogWriter and docs/log.md): the header line (kind, version, the start and
// the seed), then one line per event in log order, with the virtual time
// both absolute (RFC 3339) and as an offset from the start, the change's
// verb, key, object and options, and the result (rev or error). The output
// is byte-identical for identical logs; ReadLog reads it back and
// ReplayLog replays it. To write the log as the run goes instead, see
// StreamLog. Cost: O(log length); it keeps nothing but a buffer.
func (e *Engine) WriteJSONL(w io.Writer) error {
	if e.log.dropped > 0 {
		return ErrLogDropped
	}
	lw := NewLogWriter(w)
	if err := lw.WriteHeader(e.cfg.Start, e.cfg.Seed); err != nil {
		return err
	}
	for ev := range e.log.from(0) {
		if err := lw.WriteEvent(ev); err != nil {
			return err
		}
	}
	return lw.Close() // flushes; w is not closed
}

// Replay rebuilds the store from a log by applying its change events in
// order at their times, and checks that each has the same outcome as
// logged (the same revision, or an error again). Wake and note events are
// skipped. Since state is a fold of the log, cluster.Digest of the result
// equals the digest of the store that produced the log. The logged objects
// are copied, not modified. To replay a log read from a file, see
// ReplayLog.
func Replay(log []Event) (*cluster.Store, error) {
	s := cluster.NewStore()
	for i := range log {
		ev := log[i]
		switch c := ev.Change.(type) {
		case cluster.Create:
			if c.Handoff {
				c.Handoff = false // the logged object is the original store's: copy it
				ev.Change = c
			}
		case cluster.UpdateStatus:
			if c.Handoff {
				c.Handoff = false
				ev.Change = c
			}
		}
		if err := replayEvent(s, &ev); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// replayEvent applies ev to s if it is a change, and checks the outcome
// against the logged one.
func replayEvent(s *cluster.Store, ev *Event) error {
	if ev.Kind != EventChange {
		return nil
	}
	d, err := s.Apply(ev.At, ev.Change)
	switch {
	case err != nil && ev.Err == "":
		return fmt.Errorf("sim: replay of event #%d (%s): logged as applied, now refused: %w", ev.Seq, ev.Change, err)
	case err == nil && ev.Err != "":
		return fmt.Errorf("sim: replay of event #%d (%s): logged as refused (%s), now applied", ev.Seq, ev.Change, ev.Err)
	case err == nil && d.Rev != ev.Rev:
		return fmt.Errorf("sim: replay of event #%d (%s): revision %d, logged %d", ev.Seq, ev.Change, d.Rev, ev.Rev)
	}
	return nil
}
