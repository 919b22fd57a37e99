package sim

import (
	"encoding/json"
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

// jsonEvent is the JSON Lines form of an event.
type jsonEvent struct {
	Seq    uint64        `json:"seq"`
	At     string        `json:"at"`
	Offset string        `json:"offset"`
	Kind   string        `json:"kind"`
	Source string        `json:"source"`
	Verb   string        `json:"verb,omitempty"`
	Key    string        `json:"key,omitempty"`
	Object any           `json:"object,omitempty"`
	Node   string        `json:"node,omitempty"`
	Grace  *int64        `json:"gracePeriodSeconds,omitempty"`
	Policy string        `json:"propagationPolicy,omitempty"`
	Note   *cluster.Note `json:"note,omitempty"`
	Rev    uint64        `json:"rev,omitempty"`
	Err    string        `json:"error,omitempty"`
}

// WriteJSONL writes the log as JSON Lines, one object per event in log
// order, with the virtual time both absolute (RFC 3339) and as an offset
// from the start, the change's verb, key and object, and the result
// (rev or error). The output is byte-identical for identical logs.
func (e *Engine) WriteJSONL(w io.Writer) error {
	enc := json.NewEncoder(w)
	for ev := range e.log.from(0) {
		je := jsonEvent{
			Seq: ev.Seq, At: ev.At.UTC().Format(time.RFC3339Nano), Offset: offset(e.cfg.Start, ev.At),
			Kind: ev.Kind.String(), Source: ev.Source, Rev: ev.Rev, Err: ev.Err, Note: ev.Note,
		}
		switch ev.Kind {
		case EventChange:
			if ev.Change == nil {
				break // refused at Apply; logged with its error
			}
			je.Verb = ev.Change.Verb()
			je.Key = ev.Change.Target().String()
			switch c := ev.Change.(type) {
			case cluster.Create:
				je.Object = c.Object
			case cluster.Update:
				je.Object = c.Object
			case cluster.UpdateStatus:
				je.Object = c.Object
			case cluster.Delete:
				je.Grace = c.GracePeriodSeconds
				je.Policy = string(c.Propagation)
			case cluster.Bind:
				je.Node = c.Node
			case cluster.Evict:
				je.Grace = c.GracePeriodSeconds
			}
		case EventWake:
			je.Key = ev.Key.String()
		}
		if err := enc.Encode(je); err != nil {
			return err
		}
	}
	return nil
}

// Replay rebuilds the store from a log by applying its change events in
// order at their times, and checks that each has the same outcome as
// logged (the same revision, or an error again). Wake and note events are
// skipped. Since state is a fold of the log, cluster.Digest of the result
// equals the digest of the store that produced the log.
func Replay(log []Event) (*cluster.Store, error) {
	s := cluster.NewStore()
	for _, ev := range log {
		if ev.Kind != EventChange {
			continue
		}
		ch := ev.Change
		switch c := ch.(type) {
		case cluster.Create:
			if c.Handoff {
				c.Handoff = false // the logged object is the original store's: copy it
				ch = c
			}
		case cluster.UpdateStatus:
			if c.Handoff {
				c.Handoff = false
				ch = c
			}
		}
		d, err := s.Apply(ev.At, ch)
		switch {
		case err != nil && ev.Err == "":
			return nil, fmt.Errorf("sim: replay of event #%d (%s): logged as applied, now refused: %w", ev.Seq, ev.Change, err)
		case err == nil && ev.Err != "":
			return nil, fmt.Errorf("sim: replay of event #%d (%s): logged as refused (%s), now applied", ev.Seq, ev.Change, ev.Err)
		case err == nil && d.Rev != ev.Rev:
			return nil, fmt.Errorf("sim: replay of event #%d (%s): revision %d, logged %d", ev.Seq, ev.Change, d.Rev, ev.Rev)
		}
	}
	return s, nil
}
