package sim

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
)

// labeler labels every node it sees with seen=true (once), and notes it.
type labeler struct {
	dirty []string
}

func (l *labeler) Name() string { return "labeler" }
func (l *labeler) Observe(d cluster.Delta) {
	if d.Key.Kind == cluster.KindNode && d.New != nil {
		l.dirty = append(l.dirty, d.Key.Name)
	}
}
func (l *labeler) Wake(cluster.Key) {}
func (l *labeler) Reconcile(now time.Time, v cluster.View) (cluster.Plan, error) {
	var p cluster.Plan
	for _, name := range l.dirty {
		n, ok := v.Node(name)
		if !ok || n.Labels["seen"] == "true" {
			continue
		}
		n = n.DeepCopy()
		n.Labels = n.Labels.Clone()
		if n.Labels == nil {
			n.Labels = selector.Set{}
		}
		n.Labels["seen"] = "true"
		p.Changes = append(p.Changes, cluster.Update{Object: n, ExpectedRV: n.ResourceVersion})
		p.Notes = append(p.Notes, cluster.Note{Object: cluster.KeyOf(n), Type: cluster.NoteNormal, Reason: "Seen", Message: "labelled"})
	}
	l.dirty = nil
	return p, nil
}

// ticker wakes itself every period forever (a livelock for Stabilize).
type ticker struct {
	period time.Duration
	wakes  int
}

func (t *ticker) Name() string          { return "ticker" }
func (t *ticker) Observe(cluster.Delta) {}
func (t *ticker) Wake(cluster.Key)      { t.wakes++ }
func (t *ticker) Reconcile(time.Time, cluster.View) (cluster.Plan, error) {
	return cluster.Plan{Requeue: []cluster.Requeue{{Key: cluster.Key{Kind: cluster.KindNode, Name: "tick"}, After: t.period}}}, nil
}

func TestEngineOrderAndTimeline(t *testing.T) {
	e, err := New(Config{Seed: 1}, &labeler{})
	require.NoError(t, err)
	e.Submit(Epoch.Add(2*time.Second), "scenario", cluster.Create{Object: ct.Node("late")})
	e.Submit(Epoch, "scenario", cluster.Create{Object: ct.Node("n1")})
	e.Submit(Epoch, "scenario", cluster.Create{Object: ct.Node("n1")}) // refused: exists
	require.NoError(t, e.Stabilize())
	assert.Equal(t, Epoch.Add(2*time.Second), e.Now())
	want := `t=+0s #2 scenario: create node/n1 -> rev 1
t=+0s #3 scenario: create node/n1 -> error: create node/n1: node "n1" already exists
t=+0s #4 labeler: note Normal Seen node/n1: labelled
t=+0s #5 labeler: update node/n1 -> rev 2
t=+2s #1 scenario: create node/late -> rev 3
t=+2s #6 labeler: note Normal Seen node/late: labelled
t=+2s #7 labeler: update node/late -> rev 4
`
	assert.Equal(t, want, e.Timeline(0))
	n, ok := e.View().Node("late")
	require.True(t, ok)
	assert.Equal(t, "true", n.Labels["seen"])
}

func TestEngineRunUntilAndRequeue(t *testing.T) {
	tk := &ticker{period: 10 * time.Second}
	e, err := New(Config{}, tk)
	require.NoError(t, err)
	e.WakeAt(Epoch, "ticker", cluster.Key{})
	require.NoError(t, e.RunUntil(Epoch.Add(35*time.Second)))
	assert.Equal(t, 4, tk.wakes, "wakes at 0, 10, 20 and 30s")
	assert.Equal(t, Epoch.Add(35*time.Second), e.Now(), "the clock moves to the target")
	assert.Equal(t, 1, e.Pending())
}

func TestStabilizeReportsLivelock(t *testing.T) {
	e, err := New(Config{MaxSteps: 50}, &ticker{period: time.Second})
	require.NoError(t, err)
	e.WakeAt(Epoch, "ticker", cluster.Key{Kind: cluster.KindNode, Name: "tick"})
	err = e.Stabilize()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrNoFixedPoint))
	assert.Equal(t, "sim: no fixed point after 50 steps at +49s; still churning in the last 50 events: ticker node/tick (50 events)", err.Error())
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(Config{}, &ticker{}, &ticker{})
	assert.EqualError(t, err, `sim: two controllers are named "ticker"`)
	_, err = New(Config{MaxSteps: -1})
	assert.Error(t, err)
	_, err = New(Config{}, nil)
	assert.Error(t, err)
}

func TestRandStreamsAreIndependent(t *testing.T) {
	a, _ := New(Config{Seed: 7})
	b, _ := New(Config{Seed: 7})
	// draws on another stream do not shift this one
	for range 10 {
		b.Rand("noise").Uint64()
	}
	for range 5 {
		assert.Equal(t, a.Rand("churn").Uint64(), b.Rand("churn").Uint64())
	}
	c, _ := New(Config{Seed: 8})
	assert.NotEqual(t, a.Rand("x").Uint64(), c.Rand("x").Uint64())
}

// churnScenario adds and removes nodes at random times drawn from the
// engine's "churn" stream, with the labeler running.
func churnScenario(t *testing.T, seed uint64) *Engine {
	t.Helper()
	e, err := New(Config{Seed: seed}, &labeler{})
	require.NoError(t, err)
	r := e.Rand("churn")
	for i := range 50 {
		at := Epoch.Add(time.Duration(r.IntN(600)) * time.Second)
		name := "node-" + string(rune('a'+i%26)) + string(rune('a'+r.IntN(3)))
		if r.IntN(4) == 0 {
			e.Submit(at, "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: name}})
		} else {
			e.Submit(at, "scenario", cluster.Create{Object: ct.Node(name)})
		}
	}
	require.NoError(t, e.Stabilize())
	return e
}

func TestDeterminismSameSeedSameLog(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		a, b := churnScenario(t, seed), churnScenario(t, seed)
		var ja, jb bytes.Buffer
		require.NoError(t, a.WriteJSONL(&ja))
		require.NoError(t, b.WriteJSONL(&jb))
		require.Greater(t, ja.Len(), 1000)
		assert.Equal(t, ja.String(), jb.String(), "seed %d", seed)
		assert.Equal(t, cluster.Digest(a.View()), cluster.Digest(b.View()))
	}
	a, c := churnScenario(t, 1), churnScenario(t, 2)
	assert.NotEqual(t, a.Timeline(0), c.Timeline(0), "different seeds, different histories")
}

func TestDeterminismReplayGivesSameDigest(t *testing.T) {
	e := churnScenario(t, 4)
	s, err := Replay(e.Log())
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(e.View()), cluster.Digest(s))
	assert.Equal(t, e.View().Revision(), s.Revision())

	// a tampered log is caught
	log := append([]Event(nil), e.Log()...)
	for i := range log {
		if log[i].Kind == EventChange && log[i].Err != "" {
			log[i].Err = ""
			_, err = Replay(log)
			assert.Error(t, err)
			break
		}
	}
}

func TestWriteJSONL(t *testing.T) {
	e, _ := New(Config{})
	e.Submit(Epoch, "scenario", cluster.Create{Object: ct.Node("n1")})
	zero := int64(0)
	e.Submit(Epoch.Add(time.Second), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "n1"}, GracePeriodSeconds: &zero})
	require.NoError(t, e.Stabilize())
	var b bytes.Buffer
	require.NoError(t, e.WriteJSONL(&b))
	lines := bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n"))
	require.Len(t, lines, 3)
	assert.Equal(t, `{"kind":"daemonsim.log","version":1,"start":"2000-01-01T00:00:00Z","seed":0}`, string(lines[0]), "the header")
	lines = lines[1:]
	assert.Contains(t, string(lines[0]), `"seq":1,"at":"2000-01-01T00:00:00Z","offset":"+0s","kind":"change","source":"scenario","verb":"create","key":"node/n1","object":{"metadata":{"name":"n1","uid":"00000000-0000-4000-8000-000000000001","resourceVersion":"1","generation":1,"creationTimestamp":"2000-01-01T00:00:00Z"}`,
		"an applied create is logged as stored")
	assert.Equal(t, `{"seq":2,"at":"2000-01-01T00:00:01Z","offset":"+1s","kind":"change","source":"scenario","verb":"delete","key":"node/n1","gracePeriodSeconds":0,"rev":2}`, string(lines[1]))
}

// TestLogKeepsStoredObject checks that applied creates and status writes
// are logged with the object as stored (the status subresource ignores the
// submitted labels), with or without Handoff, a refused one as submitted,
// and that replaying such a log rebuilds the same state.
func TestLogKeepsStoredObject(t *testing.T) {
	e, err := New(Config{})
	require.NoError(t, err)
	sub := ct.Pod("default/p", ct.OnNode("n1"))
	e.Submit(Epoch, "scenario", cluster.Create{Object: sub})
	given := ct.Pod("default/q", ct.OnNode("n1"))
	e.Submit(Epoch, "scenario", cluster.Create{Object: given, Handoff: true})
	require.NoError(t, e.Stabilize())
	stored, _ := e.View().Pod("default", "p")
	in := stored.DeepCopy()
	in.Status.Phase = cluster.PodRunning
	in.Labels = selector.Set{"ignored": "by the status subresource"}
	e.Submit(e.Now(), "kubelet", cluster.UpdateStatus{Object: in})
	stale := in.DeepCopy()
	e.Submit(e.Now(), "kubelet", cluster.UpdateStatus{Object: stale, ExpectedRV: 1})
	q := given.DeepCopy()
	q.Status.Phase = cluster.PodFailed
	e.Submit(e.Now(), "kubelet", cluster.UpdateStatus{Object: q, Handoff: true})
	require.NoError(t, e.Stabilize())

	log := e.Log()
	require.Len(t, log, 5)
	created := log[0].Change.(cluster.Create)
	assert.Same(t, stored, created.Object, "the log shares the created object")
	assert.NotSame(t, sub, created.Object)
	assert.Equal(t, uint64(1), stored.ResourceVersion)
	assert.NotEmpty(t, stored.UID)
	assert.Equal(t, cluster.Create{Object: given, Handoff: true}, log[1].Change, "a handoff is logged as submitted")
	applied := log[2].Change.(cluster.UpdateStatus).Object.(*cluster.Pod)
	now, _ := e.View().Pod("default", "p")
	assert.Same(t, now, applied, "the log shares the stored object")
	assert.Equal(t, cluster.PodRunning, applied.Status.Phase)
	assert.Nil(t, applied.Labels)
	assert.Equal(t, log[2].Rev, applied.ResourceVersion)
	assert.NotEmpty(t, log[3].Err)
	assert.Same(t, stale, log[3].Change.(cluster.UpdateStatus).Object, "a refused write is logged as submitted")
	assert.Equal(t, cluster.UpdateStatus{Object: q, Handoff: true}, log[4].Change)
	nowQ, _ := e.View().Pod("default", "q")
	assert.Same(t, q, nowQ)

	priority, status := given.Spec.Priority, q.Status
	s, err := Replay(log)
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(e.View()), cluster.Digest(s))
	assert.Equal(t, uint64(1), stored.ResourceVersion, "replay leaves the logged objects alone")
	assert.Same(t, priority, given.Spec.Priority, "replay copies a handed-off create")
	assert.Equal(t, status, q.Status)
	replayed, _ := s.Pod("default", "q")
	assert.NotSame(t, q, replayed)
}

// TestLogGivesBackWhatStepReturned checks that the log's compact records
// rebuild every event exactly as Step returned it: changes applied and
// refused, wake-ups, notes, and times in a location other than UTC.
func TestLogGivesBackWhatStepReturned(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	start := time.Date(1999, 12, 31, 19, 0, 0, 5, ny)
	e, err := New(Config{Start: start}, &labeler{})
	require.NoError(t, err)
	e.Submit(start, "scenario", cluster.Create{Object: ct.Node("n1")})
	e.Submit(start.Add(time.Second), "scenario", cluster.Create{Object: ct.Node("n1")}) // refused: exists
	e.WakeAt(start.Add(2*time.Second), "labeler", cluster.Key{Kind: cluster.KindNode, Name: "n1"})
	var stepped []Event
	for {
		ev, ok, err := e.Step()
		require.NoError(t, err)
		if !ok {
			break
		}
		stepped = append(stepped, ev)
	}
	require.Equal(t, e.LogLen(), len(stepped)+1, "the labeler's note is logged, not stepped")
	var logged []Event
	for ev := range e.Events(0) {
		logged = append(logged, *ev)
	}
	assert.Equal(t, e.Log(), logged)
	kinds, refused := map[EventKind]int{}, 0
	j := 0
	for _, ev := range logged {
		kinds[ev.Kind]++
		if ev.Err != "" {
			refused++
		}
		if ev.Kind == EventNote {
			continue
		}
		assert.Equal(t, stepped[j], ev)
		assert.Same(t, ny, ev.At.Location())
		j++
	}
	assert.Equal(t, map[EventKind]int{EventChange: 3, EventWake: 1, EventNote: 1}, kinds)
	assert.Equal(t, 1, refused)
}

// The log rebuilds every event's time in its own location and every
// refused change's own error, past the 65,535 locations its records
// index directly.
func TestLogKeepsEveryLocationAndError(t *testing.T) {
	e, err := New(Config{})
	require.NoError(t, err)
	const n = 66_000
	zones := make([]*time.Location, n)
	for i := range n {
		zones[i] = time.FixedZone(fmt.Sprintf("z%d", i), i%50*60)
		e.Submit(e.Now().In(zones[i]), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: fmt.Sprintf("p%d", i)}})
	}
	require.NoError(t, e.Stabilize())
	require.Equal(t, n, e.LogLen())
	i := 0
	for ev := range e.Events(0) {
		require.Same(t, zones[i], ev.At.Location(), "event %d", i)
		require.True(t, ev.At.Equal(e.Now()), "event %d", i)
		require.Contains(t, ev.Err, fmt.Sprintf("%q", fmt.Sprintf("p%d", i)), "event %d", i)
		require.Zero(t, ev.Rev)
		i++
	}
	require.Equal(t, n, i)
	assert.Equal(t, uintptr(48), unsafe.Sizeof(logRecord{}), "a log record's size, as the eventLog doc says")
}

// refusee creates one invalid pod and records what the engine says of it.
type refusee struct {
	name    string
	tried   bool
	refused []string
}

func (r *refusee) Name() string          { return r.name }
func (r *refusee) Observe(cluster.Delta) {}
func (r *refusee) Wake(cluster.Key)      {}
func (r *refusee) Reconcile(time.Time, cluster.View) (cluster.Plan, error) {
	if r.tried {
		return cluster.Plan{}, nil
	}
	r.tried = true
	return cluster.Plan{Changes: []cluster.Change{cluster.Create{Object: ct.Pod("Bad_Name")}}}, nil
}
func (r *refusee) Refused(c cluster.Change, err error) {
	r.refused = append(r.refused, c.Verb()+" "+c.Target().Name+": "+err.Error())
}

// A refused change is told to the controller that made it, and to no other.
func TestRefusalObserver(t *testing.T) {
	a, b := &refusee{name: "a"}, &refusee{name: "b", tried: true}
	e, err := New(Config{}, a, b)
	require.NoError(t, err)
	e.Submit(e.Now(), "test", cluster.Create{Object: ct.Node("n1")}) // something to reconcile after
	require.NoError(t, e.Stabilize())
	require.Len(t, a.refused, 1)
	assert.Contains(t, a.refused[0], "create Bad_Name: ")
	assert.Empty(t, b.refused)
}
