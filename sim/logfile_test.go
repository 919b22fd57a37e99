package sim_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/drain"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/log_golden.jsonl")

// busyRun is a default cluster through a bit of everything the log holds:
// three nodes joining, a DaemonSet and its pods, a ReplicaSet guarded by a
// budget, a rollout of the DaemonSet (an update of its template), a drain
// of n1 whose second eviction is refused (429) and retried, a stale status
// write refused on its expected resourceVersion, a node deleted, with
// start and ready latencies drawn from the seeded streams. start is the
// engine's start (zero: Epoch); lw, when not nil, is attached with
// StreamLog before anything happens.
func busyRun(t testing.TB, seed uint64, start time.Time, lw *sim.LogWriter) *sim.Cluster {
	t.Helper()
	c, err := sim.NewDefault(sim.DefaultConfig{
		Engine:    sim.Config{Seed: seed, Start: start},
		NodeAgent: sim.NodeAgentConfig{StartLatency: sim.Uniform(time.Second, 5*time.Second), ReadyDelay: sim.Fixed(2 * time.Second)},
	})
	require.NoError(t, err)
	if lw != nil {
		require.NoError(t, c.StreamLog(lw))
	}
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}
	one := cluster.FromInt(1)
	rs := ct.ReplicaSet("web", 2, ct.PodLabels("app", "web"))
	objs := []cluster.Object{ct.Node("n1"), ct.Node("n2"), ct.Node("n3", ct.CPU("2")), ds, rs,
		&cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "web"}}}}}
	for _, o := range objs {
		c.Submit(c.Now(), "scenario", cluster.Create{Object: o})
	}
	require.NoError(t, c.RunFor(time.Minute))

	// the rollout: a new image
	cur, ok := c.View().Get(cluster.Key{Kind: cluster.KindDaemonSet, Namespace: "kube-system", Name: "agent"})
	require.True(t, ok)
	next := cur.DeepCopyObject().(*cluster.DaemonSet)
	next.Spec.Template.Spec.Containers[0].Image = "agent:2"
	c.Submit(c.Now(), "scenario", cluster.Update{Object: next, ExpectedRV: next.ResourceVersion})
	stale := next.DeepCopy()
	c.Submit(c.Now(), "scenario", cluster.UpdateStatus{Object: stale, ExpectedRV: 1}) // refused: conflict
	require.NoError(t, c.RunFor(time.Minute))

	// put both web pods on n1, then drain it
	for p := range c.View().Pods() {
		if p.Labels["app"] == "web" && p.Spec.NodeName != "n1" {
			zero := int64(0)
			c.Submit(c.Now(), "scenario", cluster.Delete{Key: cluster.KeyOf(p), GracePeriodSeconds: &zero, Propagation: cluster.DeletePropagationBackground})
		}
	}
	ten := int64(10)
	require.NoError(t, c.Drain("n1", drain.Options{GracePeriodSeconds: &ten, IgnoreDaemonSets: true}))
	require.NoError(t, c.RunFor(2*time.Minute))
	c.Submit(c.Now(), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "n3"}})
	c.Submit(c.Now(), "scenario", cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "nope"}, Node: "n2"}) // refused
	require.NoError(t, c.RunFor(2*time.Minute))
	return c
}

// countVerbs counts the log's changes by verb, with "refused" for the
// refused ones, and its wakes and notes.
func countVerbs(log []sim.Event) map[string]int {
	n := map[string]int{}
	for _, ev := range log {
		switch {
		case ev.Kind != sim.EventChange:
			n[ev.Kind.String()]++
		case ev.Err != "":
			n["refused"]++
		default:
			n[ev.Change.Verb()]++
		}
	}
	return n
}

// The round trip on a real run: the log streamed to a file as the run
// goes (plain and gzipped) is byte for byte what WriteJSONL writes at the
// end; reading it back gives every event, each change decoded into its
// cluster.Change, and writing those again gives the same bytes; and
// replaying it gives the live run's store digest and revision.
func TestLogRoundTrip(t *testing.T) {
	for _, name := range []string{"run.jsonl", "run.jsonl.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			lw, err := sim.CreateLog(path)
			require.NoError(t, err)
			c := busyRun(t, 7, time.Time{}, lw)
			require.NoError(t, lw.Close())
			require.Equal(t, c.LogLen(), lw.Events())
			log := c.Log()
			verbs := countVerbs(log)
			for _, v := range []string{"create", "update", "update-status", "delete", "bind", "evict", "refused", "wake", "note"} {
				assert.Positive(t, verbs[v], "the run has a %s", v)
			}

			raw, err := os.ReadFile(path)
			require.NoError(t, err)
			if strings.HasSuffix(name, ".gz") {
				require.Equal(t, []byte{0x1f, 0x8b}, raw[:2], "gzipped")
				z, err := gzip.NewReader(bytes.NewReader(raw))
				require.NoError(t, err)
				raw, err = io.ReadAll(z)
				require.NoError(t, err)
			}
			var want bytes.Buffer
			require.NoError(t, c.WriteJSONL(&want))
			require.Equal(t, want.String(), string(raw), "streamed = written at the end")

			lr, err := sim.OpenLog(path)
			require.NoError(t, err)
			defer lr.Close()
			assert.Equal(t, sim.LogHeader{Kind: sim.LogKind, Version: 1, Start: sim.Epoch, Seed: 7}, lr.Header())
			var got []sim.Event
			for ev, err := range lr.All() {
				require.NoError(t, err)
				got = append(got, ev)
			}
			require.Len(t, got, len(log))
			for i := range log {
				assert.Equal(t, sim.Describe(sim.Epoch, log[i]), sim.Describe(sim.Epoch, got[i]))
			}
			var b bytes.Buffer
			again := sim.NewLogWriter(&b)
			require.NoError(t, again.WriteHeader(lr.Header().Start, lr.Header().Seed))
			for i := range got {
				require.NoError(t, again.WriteEvent(&got[i]))
			}
			require.NoError(t, again.Close())
			assert.Equal(t, want.String(), b.String(), "read and written again: the same bytes")

			lr2, err := sim.OpenLog(path)
			require.NoError(t, err)
			defer lr2.Close()
			s, err := sim.ReplayLog(lr2)
			require.NoError(t, err)
			assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(s), "replayed from the file: the same state")
			assert.Equal(t, c.View().Revision(), s.Revision())
			s2, err := sim.Replay(got)
			require.NoError(t, err)
			assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(s2), "Replay of the read events too")
		})
	}
}

// goldenRun is a small run whose whole log is pinned in
// testdata/log_golden.jsonl: a node joins, a DaemonSet gets its pod
// there (revision, create, bind, status writes, notes), a create with an
// invalid name is refused, and the node is deleted (the pod garbage
// collector's wake-up and its deletion of the orphaned pod after 40 s).
func goldenRun(t testing.TB) *sim.Cluster {
	t.Helper()
	c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 42}})
	require.NoError(t, err)
	c.Submit(c.Now(), "scenario", cluster.Create{Object: ct.Node("n1")})
	c.Submit(c.Now(), "scenario", cluster.Create{Object: &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}})
	c.Submit(c.Now(), "scenario", cluster.Create{Object: ct.Node("Bad_Name")})
	require.NoError(t, c.RunFor(time.Minute))
	zero := int64(0)
	c.Submit(c.Now(), "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "n1"}, GracePeriodSeconds: &zero})
	require.NoError(t, c.RunFor(time.Minute))
	return c
}

// The schema, pinned: the log of goldenRun, byte for byte. A change here
// is a change of the format that every reader of version 1 (jq scripts,
// DuckDB queries, older releases) sees: it must be one a version-1 reader
// still reads (a new optional field at most), or the version goes up.
// Rewrite with go test ./sim -run TestLogGolden -update.
func TestLogGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, goldenRun(t).WriteJSONL(&b))
	const path = "testdata/log_golden.jsonl"
	if *updateGolden {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String())

	// the golden reads back and replays
	lr, err := sim.ReadLog(bytes.NewReader(want))
	require.NoError(t, err)
	s, err := sim.ReplayLog(lr)
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(goldenRun(t).View()), cluster.Digest(s))
}

// Logs this release does not read are refused at the header, with an
// error that says what was found and what is supported; every other
// malformed line is refused with its line number and field.
func TestReadLogRefuses(t *testing.T) {
	const header = `{"kind":"daemonsim.log","version":1,"start":"2000-01-01T00:00:00Z","seed":1}` + "\n"
	const node = `{"seq":1,"at":"2000-01-01T00:00:00Z","offset":"+0s","kind":"change","source":"scenario","verb":"create","key":"node/n1","object":{"metadata":{"name":"n1"}},"rev":1}` + "\n"
	tests := []struct {
		name    string
		log     string
		version bool // the error wraps ErrLogVersion
		want    string
	}{
		{"empty", "", false, `sim: log: empty: no header line (a log starts with {"kind":"daemonsim.log","version":1,...})`},
		{"blank lines only", "\n \n", false, `sim: log: empty: no header line`},
		{"a log from before version 1", `{"seq":1,"at":"2000-01-01T00:00:00Z","offset":"+0s","kind":"change","source":"scenario","verb":"create","key":"node/n1","node":"x","rev":1}` + "\n", true,
			`sim: log line 1: unsupported log version: the first line has kind "change", not the header {"kind":"daemonsim.log","version":N,...}: not a daemonsim log, or one written before version 1, which this release cannot read (it reads version 1)`},
		{"no kind", `{"version":1}` + "\n", true, `the first line has no kind`},
		{"a later version", `{"kind":"daemonsim.log","version":2,"start":"2000-01-01T00:00:00Z","seed":1}` + "\n" + node, true,
			`sim: log line 1: unsupported log version: the header says version 2; this release reads version 1 only`},
		{"version 0", `{"kind":"daemonsim.log","version":0,"start":"2000-01-01T00:00:00Z","seed":1}`, true, `the header says version 0; this release reads version 1 only`},
		{"no version", `{"kind":"daemonsim.log","start":"2000-01-01T00:00:00Z","seed":1}`, true, `the header has no version (this release reads version 1)`},
		{"version a string", `{"kind":"daemonsim.log","version":"1","start":"2000-01-01T00:00:00Z","seed":1}`, true, `the header's version is "1", not a number`},
		{"header not JSON", "kind: daemonsim.log\n", false, `sim: log line 1: header: invalid character 'k'`},
		{"no start", `{"kind":"daemonsim.log","version":1,"seed":1}`, false, `line 1: header: start: required`},
		{"no seed", `{"kind":"daemonsim.log","version":1,"start":"2000-01-01T00:00:00Z"}`, false, `line 1: header: seed: required`},
		{"event not JSON", header + node + "{\n", false, `sim: log line 3: unexpected end of JSON input`},
		{"line counts blank lines", header + "\n" + node + "\n" + `{"seq":2,"kind":"wake"}`, false, `sim: log line 5: at: required`},
		{"no seq", header + `{"at":"2000-01-01T00:00:00Z","kind":"wake","key":"node/n1"}`, false, `line 2: seq: required`},
		{"seq a string", header + `{"seq":"1"}`, false, `line 2: seq: cannot read JSON string as uint64`},
		{"bad at", header + `{"seq":1,"at":"yesterday","kind":"wake","key":"node/n1"}`, false, `line 2: at: "yesterday" is not an RFC 3339 time`},
		{"at before start", header + `{"seq":1,"at":"1999-01-01T00:00:00Z","kind":"wake","key":"node/n1"}`, false,
			`line 2: at: 1999-01-01T00:00:00Z is before the previous event (or the start), 2000-01-01T00:00:00Z`},
		{"time goes back", header + `{"seq":1,"at":"2000-01-01T00:00:05Z","kind":"wake","key":"node/n1"}` + "\n" + `{"seq":2,"at":"2000-01-01T00:00:04Z","kind":"wake","key":"node/n1"}`, false,
			`line 3: at: 2000-01-01T00:00:04Z is before the previous event`},
		{"no kind on an event", header + `{"at":"2000-01-01T00:00:00Z"}`, false, `line 2: kind: required (change, wake or note)`},
		{"unknown event kind", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"patch"}`, false, `line 2: kind: unknown event kind "patch"`},
		{"a second header", header + header, false, `line 2: kind: a second header`},
		{"neither rev nor error", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"bind","key":"pod/default/p","nodeName":"n1"}`, false,
			`line 2: rev: required on an applied change (a refused one has error)`},
		{"rev and error", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"bind","key":"pod/default/p","rev":3,"error":"no"}`, false, `line 2: rev: not allowed on a refused change`},
		{"unknown verb", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"patch","key":"pod/default/p","rev":1}`, false, `line 2: verb: unknown verb "patch"`},
		{"a key but no verb", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","key":"pod/default/p","error":"x"}`, false, `line 2: verb: required`},
		{"unknown kind in a key", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"delete","key":"widget/x","rev":1}`, false, `line 2: key: key "widget/x": unknown kind "widget"`},
		{"a namespaced key without namespace", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"delete","key":"pod/x","rev":1}`, false, `line 2: key: key "pod/x": a pod key is kind/namespace/name`},
		{"object of another name", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"node/n1","object":{"metadata":{"name":"n2"}},"rev":1}`, false,
			`line 2: key: "node/n1", but the object is node/n2`},
		{"object field of the wrong type", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"pod/default/p","object":{"metadata":{"name":"p","namespace":"default"},"spec":{"priority":"high"}},"rev":1}`, false,
			`line 2: object: spec.priority: cannot read JSON string as int32`},
		{"object not an object", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"node/n1","object":[1],"rev":1}`, false, `line 2: object: not a JSON object`},
		{"applied create without object", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"node/n1","rev":1}`, false, `line 2: object: required on an applied create`},
		{"nodeName on a create", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"node/n1","object":{"metadata":{"name":"n1"}},"nodeName":"n1","rev":1}`, false,
			`line 2: nodeName: not allowed on a create`},
		{"object on a delete", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"delete","key":"node/n1","object":{},"rev":1}`, false, `line 2: object: not allowed on a delete`},
		{"expected version on an evict", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"evict","key":"pod/default/p","expectedResourceVersion":"3","rev":1}`, false,
			`line 2: expectedResourceVersion: not allowed on a evict`},
		{"expected version a number", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"delete","key":"pod/default/p","expectedResourceVersion":3,"rev":1}`, false,
			`line 2: json: invalid use of ,string struct tag, trying to unmarshal unquoted value into uint64`},
		{"wake without key", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"wake","source":"kubelet"}`, false, `line 2: key: required on a wake`},
		{"wake with a verb", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"wake","key":"node/n1","verb":"create"}`, false, `line 2: verb: not allowed on a wake`},
		{"note without note", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"note","source":"x"}`, false, `line 2: note: required on a note`},
		{"note on a change", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"bind","key":"pod/default/p","rev":1,"note":{}}`, false, `line 2: note: not allowed on a change`},
		{"note about an unknown kind", header + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"note","note":{"type":"Normal","object":{"kind":"Pod","name":"p"}}}`, false,
			`line 2: note.object.kind: unknown kind "Pod"`},
		{"gzip magic, then garbage", "\x1f\x8bnot gzip at all", false, `sim: log: gzip: gzip: invalid header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() {
				lr, rerr := sim.ReadLog(strings.NewReader(tt.log))
				if rerr != nil {
					err = rerr
					return
				}
				for {
					if _, err = lr.Next(); err != nil {
						break
					}
				}
			})
			require.Error(t, err)
			require.NotErrorIs(t, err, io.EOF, "the log should be refused")
			assert.Contains(t, err.Error(), tt.want)
			var le *sim.LogError
			assert.ErrorAs(t, err, &le)
			assert.Equal(t, tt.version, errors.Is(err, sim.ErrLogVersion))
		})
	}
}

// A file's errors name it, as path:line; a reader that failed keeps
// failing; ReplayLog of a tampered log says which event and line.
func TestOpenLogErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	var b bytes.Buffer
	require.NoError(t, goldenRun(t).WriteJSONL(&b))
	lines := strings.SplitAfter(b.String(), "\n")
	require.Greater(t, len(lines), 5)
	bad := strings.Join(lines[:4], "") + `{"seq":99,"at":"2000-01-01T00:00:00Z","kind":"wake"}` + "\n" + strings.Join(lines[4:], "")
	require.NoError(t, os.WriteFile(path, []byte(bad), 0o644))
	lr, err := sim.OpenLog(path)
	require.NoError(t, err)
	defer lr.Close()
	n := 0
	for _, err = range lr.All() {
		if err != nil {
			break
		}
		n++
	}
	assert.Equal(t, 3, n)
	assert.EqualError(t, err, "sim: log "+path+":5: key: required on a wake")
	_, again := lr.Next()
	assert.Equal(t, err, again)

	// a bind whose outcome was rev 7, changed to a refusal
	tampered := strings.Replace(b.String(), `"nodeName":"n1","rev":7}`, `"nodeName":"n1","error":"conflict"}`, 1)
	require.NotEqual(t, b.String(), tampered)
	lr2, err := sim.ReadLog(strings.NewReader(tampered))
	require.NoError(t, err)
	_, err = sim.ReplayLog(lr2)
	require.Error(t, err)
	assert.Regexp(t, `^sim: log line \d+: sim: replay of event #\d+ \(bind pod/default/agent-\w+ -> n1\): logged as refused \(conflict\), now applied$`, err.Error())
}

// A run whose clock is not in UTC: the times keep their offset in the log
// (at and the objects' timestamps), so the replay of the file gives the
// same digest.
func TestLogRoundTripOffsetZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	c := busyRun(t, 3, time.Date(2026, 3, 1, 9, 0, 0, 500, ny), nil)
	// a pod's last version has a time the store set: its deletionTimestamp
	var victim cluster.Key
	for p := range c.View().Pods() {
		victim = cluster.KeyOf(p)
	}
	c.Submit(c.Now(), "scenario", cluster.Delete{Key: victim})
	require.NoError(t, c.RunFor(time.Second))
	p, ok := c.View().Pod(victim.Namespace, victim.Name)
	require.True(t, ok)
	require.NotNil(t, p.DeletionTimestamp)
	assert.Equal(t, ny, p.DeletionTimestamp.Location())
	var b bytes.Buffer
	require.NoError(t, c.WriteJSONL(&b))
	assert.Contains(t, b.String(), `"start":"2026-03-01T09:00:00.0000005-05:00"`)
	lr, err := sim.ReadLog(&b)
	require.NoError(t, err)
	s, err := sim.ReplayLog(lr)
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(s))
}

// Refused changes without objects (nil, typed nil pointers) survive the
// round trip and replay as refused.
func TestLogRoundTripChangesWithoutObjects(t *testing.T) {
	e, err := sim.New(sim.Config{})
	require.NoError(t, err)
	for _, c := range []cluster.Change{nil, cluster.Create{}, cluster.Create{Object: (*cluster.Pod)(nil)},
		cluster.Update{Object: (*cluster.DaemonSet)(nil)}, cluster.UpdateStatus{Object: (*cluster.Node)(nil), ExpectedRV: 4},
		cluster.Delete{}, cluster.Bind{}, cluster.Evict{}} {
		e.Submit(e.Now(), "scenario", c)
	}
	require.NoError(t, e.Stabilize())
	var b bytes.Buffer
	require.NoError(t, e.WriteJSONL(&b))
	lr, err := sim.ReadLog(bytes.NewReader(b.Bytes()))
	require.NoError(t, err)
	log := e.Log()
	i := 0
	for ev, err := range lr.All() {
		require.NoError(t, err)
		assert.Equal(t, log[i], ev, "line %d", lr.Line())
		i++
	}
	assert.Equal(t, len(log), i)
	lr, err = sim.ReadLog(bytes.NewReader(b.Bytes()))
	require.NoError(t, err)
	s, err := sim.ReplayLog(lr)
	require.NoError(t, err)
	assert.Equal(t, uint64(0), s.Revision())
}

// StreamLog writes what was logged before it, then each event as it is
// logged (Flush makes it visible); Close detaches the writer; a failed
// write stops the writer, not the engine, and Close reports it.
func TestStreamLog(t *testing.T) {
	e, err := sim.New(sim.Config{Seed: 5})
	require.NoError(t, err)
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node("n1")})
	require.NoError(t, e.Stabilize())

	var b, b2 bytes.Buffer
	lw, lw2 := sim.NewLogWriter(&b), sim.NewLogWriter(&b2)
	require.NoError(t, e.StreamLog(lw))
	require.NoError(t, e.StreamLog(lw2))
	assert.EqualError(t, e.StreamLog(lw), "sim: log writer: header already written")
	lines := func() int { return strings.Count(b.String(), "\n") }
	require.NoError(t, lw.Flush())
	assert.Equal(t, 2, lines(), "the header and the event so far")
	for i := range 3 {
		e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node(fmt.Sprint("m", i))})
		_, _, err := e.Step()
		require.NoError(t, err)
		require.NoError(t, lw.Flush())
		assert.Equal(t, e.LogLen()+1, lines(), "written as logged")
	}
	require.NoError(t, lw.Close())
	require.NoError(t, lw.Close(), "a second Close does nothing")
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node("after")})
	require.NoError(t, e.Stabilize())
	assert.Equal(t, e.LogLen(), lines(), "closed: detached")
	assert.ErrorContains(t, lw.WriteEvent(&sim.Event{}), "closed")
	require.NoError(t, lw2.Close())
	var all bytes.Buffer
	require.NoError(t, e.WriteJSONL(&all))
	assert.Equal(t, all.String(), b2.String(), "the second writer saw everything")

	// a writer that fails after 300 bytes
	f := &failingWriter{left: 300}
	lw3 := sim.NewLogWriter(f)
	require.NoError(t, e.StreamLog(lw3), "buffered: nothing reached the writer yet")
	for i := range 2000 {
		e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node(fmt.Sprint("x", i))})
	}
	require.NoError(t, e.Stabilize(), "the engine goes on")
	assert.Equal(t, 2005, e.LogLen())
	require.ErrorIs(t, lw3.Err(), errFull)
	assert.ErrorIs(t, lw3.Close(), errFull)

	lw4 := sim.NewLogWriter(io.Discard)
	assert.EqualError(t, lw4.WriteEvent(&sim.Event{}), "sim: log writer: event before the header (call WriteHeader first)")
}

var errFull = errors.New("disk full")

type failingWriter struct{ left int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.left {
		n := f.left
		f.left = 0
		return n, errFull
	}
	f.left -= len(p)
	return len(p), nil
}

// A run streamed to a log and read back.
func ExampleEngine_StreamLog() {
	e, _ := sim.New(sim.Config{Seed: 42})
	var file bytes.Buffer // a file from sim.CreateLog("run.jsonl.gz"), say
	lw := sim.NewLogWriter(&file)
	if err := e.StreamLog(lw); err != nil {
		panic(err)
	}
	e.Submit(e.Now(), "scenario", cluster.Create{Object: ct.Node("node-a")})
	e.SubmitAfter(time.Minute, "scenario", cluster.Delete{Key: cluster.Key{Kind: cluster.KindNode, Name: "node-a"}})
	if err := e.Stabilize(); err != nil {
		panic(err)
	}
	if err := lw.Close(); err != nil {
		panic(err)
	}
	fmt.Print(strings.SplitAfter(file.String(), "\n")[0])

	lr, err := sim.ReadLog(&file)
	if err != nil {
		panic(err)
	}
	for ev, err := range lr.All() {
		if err != nil {
			panic(err)
		}
		fmt.Println(sim.Describe(lr.Header().Start, ev))
	}
	// Output:
	// {"kind":"daemonsim.log","version":1,"start":"2000-01-01T00:00:00Z","seed":42}
	// t=+0s #1 scenario: create node/node-a -> rev 1
	// t=+1m0s #2 scenario: delete node/node-a -> rev 2
}

// FuzzReadLog: whatever the bytes, reading and replaying them returns an
// error or events and never panics; a log that reads back whole reads back
// the same after being written again.
func FuzzReadLog(f *testing.F) {
	golden, err := os.ReadFile("testdata/log_golden.jsonl")
	require.NoError(f, err)
	f.Add(golden)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(golden)
	zw.Close()
	f.Add(z.Bytes())
	lines := strings.SplitAfter(string(golden), "\n")
	f.Add([]byte(strings.Join(lines[:8], "")))
	f.Add([]byte(lines[0] + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"create","key":"pod//","object":null,"error":"x"}`))
	f.Add([]byte(lines[0] + `{"seq":1,"at":"2000-01-01T00:00:00Z","kind":"change","verb":"evict","key":"pod/d/p","gracePeriodSeconds":-1,"rev":1}`))
	f.Add([]byte(`{"kind":"daemonsim.log","version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lr, err := sim.ReadLog(bytes.NewReader(data))
		if err != nil {
			var le *sim.LogError
			require.ErrorAs(t, err, &le)
			return
		}
		var evs []sim.Event
		for ev, err := range lr.All() {
			if err != nil {
				var le *sim.LogError
				require.ErrorAs(t, err, &le)
				return
			}
			evs = append(evs, ev)
		}
		var b bytes.Buffer
		lw := sim.NewLogWriter(&b)
		require.NoError(t, lw.WriteHeader(lr.Header().Start, lr.Header().Seed))
		for i := range evs {
			require.NoError(t, lw.WriteEvent(&evs[i]))
		}
		require.NoError(t, lw.Close())
		lr2, err := sim.ReadLog(bytes.NewReader(b.Bytes()))
		require.NoError(t, err, "%s", b.String())
		i := 0
		for ev, err := range lr2.All() {
			require.NoError(t, err, "%s", b.String())
			require.Equal(t, sim.Describe(lr.Header().Start, evs[i]), sim.Describe(lr.Header().Start, ev))
			i++
		}
		require.Equal(t, len(evs), i)
		lr3, err := sim.ReadLog(bytes.NewReader(data))
		require.NoError(t, err)
		_, _ = sim.ReplayLog(lr3) // the store refuses what is invalid; it must not panic
	})
}

// The cost of the log on busyRun's events: bytes per event, plain and
// gzipped, and events/s for writing, reading and replaying.
func BenchmarkLog(b *testing.B) {
	c := busyRun(b, 7, time.Time{}, nil)
	var plain bytes.Buffer
	require.NoError(b, c.WriteJSONL(&plain))
	n := c.LogLen()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			if err := c.WriteJSONL(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(plain.Len())/float64(n), "bytes/event")
		b.ReportMetric(float64(gz.Len())/float64(n), "gzbytes/event")
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(plain.Len())*float64(b.N)/b.Elapsed().Seconds()/1e6, "MB/s")
	})
	b.Run("write-gzip", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "run.jsonl.gz")
		for b.Loop() {
			lw, err := sim.CreateLog(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := c.StreamLog(lw); err != nil { // the header and every event so far
				b.Fatal(err)
			}
			if err := lw.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	// the run itself, and the run streamed as it goes: what streaming adds
	b.Run("run", func(b *testing.B) {
		for b.Loop() {
			busyRun(b, 7, time.Time{}, nil)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("run-streamed", func(b *testing.B) {
		for b.Loop() {
			lw := sim.NewLogWriter(io.Discard)
			busyRun(b, 7, time.Time{}, lw)
			if err := lw.Close(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			lr, err := sim.ReadLog(bytes.NewReader(plain.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			for _, err := range lr.All() {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("replay", func(b *testing.B) {
		for b.Loop() {
			lr, err := sim.ReadLog(bytes.NewReader(gz.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := sim.ReplayLog(lr); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// WriteLogFile writes the log so far, gzipped for a .gz path, and it reads
// back to the same events and replays to the run's digest.
func TestWriteLogFile(t *testing.T) {
	c := busyRun(t, 7, time.Time{}, nil)
	path := filepath.Join(t.TempDir(), "run.jsonl.gz")
	require.NoError(t, c.WriteLogFile(path))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, []byte{0x1f, 0x8b}, raw[:2], "gzipped")
	lr, err := sim.OpenLog(path)
	require.NoError(t, err)
	defer lr.Close()
	st, err := sim.ReplayLog(lr)
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(st))
	assert.Equal(t, c.LogLen(), lr.Line()-1, "a header line, then one line per event")
	require.Error(t, c.WriteLogFile(filepath.Join(t.TempDir(), "no", "such", "dir.jsonl")))
}

// With Config.LogWindow the engine keeps only the last events in memory
// (in chunks of 4,096), a StreamLog writer attached before the run still
// writes every event, and that file replays to the run's digest; the
// writers that would need the dropped events refuse with ErrLogDropped.
func TestLogWindow(t *testing.T) {
	const window = 500
	c, err := sim.NewDefault(sim.DefaultConfig{Engine: sim.Config{Seed: 3, LogWindow: window}})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "run.jsonl.gz")
	lw, err := sim.CreateLog(path)
	require.NoError(t, err)
	require.NoError(t, c.StreamLog(lw))
	for i := range 1500 {
		c.Submit(c.Now(), "test", cluster.Create{Object: ct.Node(fmt.Sprintf("n%04d", i))})
	}
	c.Submit(c.Now(), "test", cluster.Create{Object: &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "agent", Namespace: "default"},
		Spec: cluster.DaemonSetSpec{Selector: &selector.LabelSelector{MatchLabels: selector.Set{"app": "agent"}},
			Template: cluster.PodTemplateSpec{ObjectMeta: cluster.ObjectMeta{Labels: selector.Set{"app": "agent"}},
				Spec: cluster.PodSpec{Containers: []cluster.Container{{Name: "agent", Image: "agent:1"}}}}}}})
	require.NoError(t, c.RunFor(time.Minute))
	for i := range 1500 { // a second wave of changes: the nodes are relabelled
		n, _ := c.View().Node(fmt.Sprintf("n%04d", i))
		n = n.DeepCopy()
		n.Labels = selector.Set{"wave": "2"}
		c.Submit(c.Now(), "test", cluster.Update{Object: n})
	}
	require.NoError(t, c.RunFor(time.Minute))
	require.NoError(t, lw.Close())

	total := c.LogLen()
	require.Greater(t, total, 2*(window+4096), "the run is longer than the window")
	kept := len(c.Log())
	assert.GreaterOrEqual(t, kept, window)
	assert.Less(t, kept, window+4096)
	first := 0
	for ev := range c.Events(0) {
		first = int(ev.Seq)
		break
	}
	assert.Equal(t, c.Log()[0].Seq, uint64(first), "Events(0) starts at the first kept event")
	assert.ErrorIs(t, c.WriteJSONL(io.Discard), sim.ErrLogDropped)
	assert.ErrorIs(t, c.StreamLog(sim.NewLogWriter(io.Discard)), sim.ErrLogDropped)

	assert.Equal(t, total, lw.Events(), "the streamed file has every event")
	lr, err := sim.OpenLog(path)
	require.NoError(t, err)
	defer lr.Close()
	st, err := sim.ReplayLog(lr)
	require.NoError(t, err)
	assert.Equal(t, cluster.Digest(c.View()), cluster.Digest(st), "the streamed log replays to the run's state")

	_, err = sim.New(sim.Config{LogWindow: -1})
	assert.Error(t, err)
}
