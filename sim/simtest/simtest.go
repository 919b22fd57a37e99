// Package simtest is the test world of daemonsim's tests, and of a user's
// own go tests: an engine (or a default cluster) with helpers that submit
// changes at the current instant, run the clock and read the log, failing
// the test at once when something goes wrong.
//
//	w := simtest.NewDefault(t, sim.DefaultConfig{})
//	w.Create(clustertest.Node("n1"), ds)
//	w.Run(time.Minute)
//	w.NoErrors()
//	assert.Len(t, w.Messages(daemonset.ReasonSuccessfulCreate), 1)
//
// Every helper reads the log from its start, so it costs O(events). The
// package does not import testify; failures go through testing.TB.Fatalf
// (or Errorf for NoErrors, which lists every refused change).
package simtest

import (
	"strings"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
)

// Source is the name World submits its changes under.
const Source = "scenario"

// DefaultMaxSteps is World.MaxSteps when it is 0.
const DefaultMaxSteps = 1_000_000

// World is an engine under test. Cluster holds the engine and, for a
// World from NewDefault, every default component; a World from Wrap has
// only Cluster.Engine set.
type World struct {
	*sim.Cluster
	// TB is the test the helpers fail.
	TB testing.TB
	// AfterInstant, when set, is called by Run each time an instant is
	// complete (the next event is later, or there is none): the place for
	// a test's invariant checks. Run then steps event by event.
	AfterInstant func()
	// MaxSteps bounds the events one Run with AfterInstant steps through:
	// more means the controllers never settle. 0 means DefaultMaxSteps.
	MaxSteps int
}

// NewDefault returns a World around sim.NewDefault(cfg), failing tb if the
// configuration is refused.
func NewDefault(tb testing.TB, cfg sim.DefaultConfig) *World {
	tb.Helper()
	c, err := sim.NewDefault(cfg)
	if err != nil {
		tb.Fatalf("simtest: %v", err)
	}
	return &World{Cluster: c, TB: tb}
}

// Wrap returns a World around an engine built with sim.New, for tests that
// choose their own controllers.
func Wrap(tb testing.TB, e *sim.Engine) *World {
	return &World{Cluster: &sim.Cluster{Engine: e}, TB: tb}
}

// Apply submits the changes at the current instant, in order, from Source.
// They take effect when the engine runs.
func (w *World) Apply(changes ...cluster.Change) {
	for _, c := range changes {
		w.Submit(w.Now(), Source, c)
	}
}

// Create submits a Create of each object at the current instant, in order.
// The objects are the store's once applied: the caller must not change
// them after.
func (w *World) Create(objs ...cluster.Object) {
	for _, o := range objs {
		w.Apply(cluster.Create{Object: o})
	}
}

// Update submits an Update of a copy of the stored object with key k after
// f has changed it. It fails the test when there is no such object.
func (w *World) Update(k cluster.Key, f func(cluster.Object)) {
	w.TB.Helper()
	o, ok := w.View().Get(k)
	if !ok {
		w.TB.Fatalf("simtest: update: %s not found", k)
	}
	cp := o.DeepCopyObject()
	f(cp)
	w.Apply(cluster.Update{Object: cp})
}

// Delete submits a Delete of k with the object's own grace period.
func (w *World) Delete(k cluster.Key) { w.Apply(cluster.Delete{Key: k}) }

// Run runs the engine until d has passed (the clock ends at Now()+d),
// calling AfterInstant after every complete instant when it is set. It
// fails the test on an engine error, or after MaxSteps events with
// AfterInstant set.
func (w *World) Run(d time.Duration) {
	w.TB.Helper()
	end := w.Now().Add(d)
	if w.AfterInstant == nil {
		if err := w.RunUntil(end); err != nil {
			w.TB.Fatalf("simtest: run: %v", err)
		}
		return
	}
	limit := w.MaxSteps
	if limit == 0 {
		limit = DefaultMaxSteps
	}
	for steps := 0; ; steps++ {
		if steps >= limit {
			w.TB.Fatalf("simtest: no fixed point after %d events, at %s", steps, w.Offset(w.Now()))
		}
		next, ok := w.NextAt()
		if !ok || next.After(end) {
			break
		}
		if _, _, err := w.Step(); err != nil {
			w.TB.Fatalf("simtest: step: %v", err)
		}
		if n, ok := w.NextAt(); !ok || n.After(w.Now()) {
			w.AfterInstant()
		}
	}
	if err := w.RunUntil(end); err != nil {
		w.TB.Fatalf("simtest: run: %v", err)
	}
}

// Pod returns the stored pod "namespace/name", or "name" in the default
// namespace, failing the test when there is none. The pod is the store's:
// read it, do not change it.
func (w *World) Pod(name string) *cluster.Pod {
	w.TB.Helper()
	ns, n := cluster.DefaultNamespace, name
	if i := strings.IndexByte(name, '/'); i >= 0 {
		ns, n = name[:i], name[i+1:]
	}
	p, ok := w.View().Pod(ns, n)
	if !ok {
		w.TB.Fatalf("simtest: pod %s not found", name)
	}
	return p
}

// PodKey is the key of pod "namespace/name", or "name" in the default
// namespace.
func PodKey(name string) cluster.Key {
	k := cluster.Key{Kind: cluster.KindPod, Namespace: cluster.DefaultNamespace, Name: name}
	if i := strings.IndexByte(name, '/'); i >= 0 {
		k.Namespace, k.Name = name[:i], name[i+1:]
	}
	return k
}

// Notes returns the notes with reason in log order, each as
// "namespace/name: message" of the object it is about.
func (w *World) Notes(reason string) []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == reason {
			out = append(out, ev.Note.Object.NamespacedName()+": "+ev.Note.Message)
		}
	}
	return out
}

// Messages returns the messages of the notes with reason, in log order.
func (w *World) Messages(reason string) []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventNote && ev.Note.Reason == reason {
			out = append(out, ev.Note.Message)
		}
	}
	return out
}

// Errors returns the errors of the refused changes in log order (each
// names its change, as "create node/n1: ...").
func (w *World) Errors() []string {
	var out []string
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventChange && ev.Err != "" {
			out = append(out, ev.Err)
		}
	}
	return out
}

// NoErrors fails the test (without stopping it) for every refused change
// in the log.
func (w *World) NoErrors() {
	w.TB.Helper()
	for _, e := range w.Errors() {
		w.TB.Errorf("simtest: refused: %s", e)
	}
}

// LastErr returns the error the last change to key ended with ("" when it
// was applied), or "(none)" when no change to key is in the log.
func (w *World) LastErr(key cluster.Key) string {
	out := "(none)"
	for ev := range w.Events(0) {
		if ev.Kind == sim.EventChange && ev.Change != nil && ev.Change.Target() == key {
			out = ev.Err
		}
	}
	return out
}
