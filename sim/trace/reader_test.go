package trace

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// describe renders every field of an event that has a meaning, in a fixed
// order, for comparisons: "90s update node/n1 labels=disk=ssd;tier-
// taints=a:NoSchedule cap=cpu=32 @f:8".
func describe(ev NodeEvent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s node/%s", ev.At, ev.Type, ev.Node)
	var ls []string
	for _, k := range slices.Sorted(maps.Keys(ev.Labels)) {
		ls = append(ls, k+"="+ev.Labels[k])
	}
	for _, k := range ev.RemoveLabels {
		ls = append(ls, k+"-")
	}
	if len(ls) > 0 {
		b.WriteString(" labels=" + strings.Join(ls, ";"))
	}
	var ts []string
	for _, t := range ev.Taints {
		ts = append(ts, t.String())
	}
	for _, t := range ev.RemoveTaints {
		ts = append(ts, removalString(t))
	}
	if len(ts) > 0 {
		b.WriteString(" taints=" + strings.Join(ts, ";"))
	}
	var cs []string
	for _, r := range ev.Capacity {
		cs = append(cs, string(r.Name)+"="+r.Quantity.String())
	}
	if len(cs) > 0 {
		b.WriteString(" cap=" + strings.Join(cs, ","))
	}
	if ev.File != "" {
		fmt.Fprintf(&b, " @%s:%d", ev.File, ev.Line)
	}
	return b.String()
}

func describeAll(evs []NodeEvent) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = describe(ev)
	}
	return out
}

// goodEvents is testdata/good.csv as read, written out by hand from the file.
var goodEvents = []string{
	"0s add node/n1 labels=tier=web;topology.kubernetes.io/zone=a cap=cpu=16,memory=64Gi,pods=110 @F:4",
	"0s add node/n2 taints=dedicated=gpu:NoSchedule cap=cpu=8,memory=32Gi @F:5",
	"1m30s add node/n3 labels=topology.kubernetes.io/zone=b @F:6",
	"1m30s update node/n1 labels=disk=ssd;tier- taints=dedicated=gpu:NoSchedule;maintenance:NoExecute cap=cpu=32 @F:8",
	"2m30.5s update node/n2 taints=dedicated- cap=memory=48Gi @F:9",
	"1h2m0s fail node/n1 @F:10",
	"1h7m0s recover node/n1 @F:11",
	"2h0m0s cordon node/n2 @F:12",
	"2h0m0s drain node/n2 @F:13",
	"2h10m0s uncordon node/n2 @F:14",
	"3h0m0s stop-kubelet node/n3 @F:15",
	"3h5m0s start-kubelet node/n3 @F:16",
	"4h0m0s update node/n1 taints=maintenance:NoExecute- @F:17",
	"5h0m0s remove node/n3 @F:18",
}

func wantGood(file string) []string {
	out := make([]string, len(goodEvents))
	for i, s := range goodEvents {
		out[i] = strings.Replace(s, "@F:", "@"+file+":", 1)
	}
	return out
}

func TestCSVReaderGood(t *testing.T) {
	for _, path := range []string{"testdata/good.csv", "testdata/good.csv.gz"} {
		t.Run(path, func(t *testing.T) {
			r, err := Open(path)
			require.NoError(t, err)
			defer r.Close()
			evs, err := ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, wantGood(path), describeAll(evs))
			assert.Equal(t, "cpu,memory,pods", joinNames(r.Resources()))
			_, err = r.Next()
			assert.Equal(t, io.EOF, err, "EOF is sticky")
		})
	}
}

func joinNames[T ~string](ns []T) string {
	ss := make([]string, len(ns))
	for i, n := range ns {
		ss[i] = string(n)
	}
	return strings.Join(ss, ",")
}

// TestGzipDetection: the gzipped file reads as the plain one, whatever its
// name; a gzip stream of several members reads as their concatenation; a
// file that starts with 1f but not 1f 8b is plain text.
func TestGzipDetection(t *testing.T) {
	plain, err := os.ReadFile("testdata/good.csv")
	require.NoError(t, err)
	gz, err := os.ReadFile("testdata/good.csv.gz")
	require.NoError(t, err)

	read := func(data []byte) ([]string, error) {
		evs, err := ReadAll(NewCSVReader("F", bytes.NewReader(data)))
		return describeAll(evs), err
	}
	got, err := read(gz)
	require.NoError(t, err)
	assert.Equal(t, wantGood("F"), got, "gzip detected by magic bytes, not by name")

	// Two members: the header and first lines, then the rest.
	cut := bytes.Index(plain, []byte("\n90,n3"))
	require.Positive(t, cut)
	var multi bytes.Buffer
	for _, part := range [][]byte{plain[:cut+1], plain[cut+1:]} {
		zw := gzip.NewWriter(&multi)
		_, err := zw.Write(part)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
	}
	got, err = read(multi.Bytes())
	require.NoError(t, err)
	assert.Equal(t, wantGood("F"), got, "multi-member gzip")

	// A lone 0x1f byte is not the magic: the CSV reader sees it as text.
	_, err = read([]byte("\x1ftime,node,event\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `F:1:1: header: column 1 must be "time"`)

	// Corrupt gzip: a truncated stream and a bad checksum are *Errors.
	_, err = read(gz[:len(gz)-12])
	var te *Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "F: gzip: unexpected EOF", err.Error())
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	bad := slices.Clone(gz)
	bad[len(bad)-5] ^= 0xff // the CRC-32 in the trailer
	_, err = read(bad)
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "F: gzip: gzip: invalid checksum", err.Error())
	assert.ErrorIs(t, err, gzip.ErrChecksum)

	_, err = read([]byte{0x1f, 0x8b, 0x00})
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "F: gzip: ")
}

const hdr = "time,node,event,labels,taints,cpu,memory,pods\n"

// TestCSVReaderErrors: every bad line gives an *Error that names the file,
// the line, the column (the byte where the field starts) and the field.
func TestCSVReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // the whole message, or its start when prefix
		prefix   bool
		field    string
		events   int // events returned before the error
	}{
		{name: "empty", in: "", want: "t.csv:1: missing header line (want time,node,event,labels,taints,cpu,memory,pods)"},
		{name: "comments only", in: "# nothing\n\n", want: "t.csv:1: missing header line (want time,node,event,labels,taints,cpu,memory,pods)"},
		{name: "header wrong first columns", in: "time,nodes,event\n", field: "header",
			want: `t.csv:1:6: header: column 2 must be "node", got "nodes" (want a header such as time,node,event,labels,taints,cpu,memory,pods)`},
		{name: "header too short", in: "time,node\n", field: "header",
			want: `t.csv:1:1: header: want at least time,node,event (such as time,node,event,labels,taints,cpu,memory,pods), got "time,node"`},
		{name: "header repeated column", in: "time,node,event,cpu,cpu\n", field: "header",
			want: `t.csv:1:21: header: column "cpu" repeated`},
		{name: "header repeats time", in: "time,node,event,time\n", field: "header",
			want: `t.csv:1:17: header: column "time" repeated`},
		{name: "header bad resource", in: "time,node,event,a b\n", field: "header", prefix: true,
			want: `t.csv:1:17: header: column "a b": not labels, taints or a resource name: `},
		{name: "unknown event", in: hdr + "0s,n1,ad,,,,,\n", field: "event",
			want: `t.csv:2:7: event: unknown "ad" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)`},
		{name: "too few fields", in: hdr + "0s,n1,add,,,,\n",
			want: "t.csv:2:1: want 8 fields as the header has (time,node,event,labels,taints,cpu,memory,pods), got 7"},
		{name: "too many fields", in: "time,node,event\n0s,n1,add,x\n",
			want: "t.csv:2:1: want 3 fields as the header has (time,node,event), got 4"},
		{name: "out of order", in: hdr + "2m,n1,add,,,,,\n# c\n1m,n2,add,,,,,\n", field: "time", events: 1,
			want: "t.csv:4:1: time: 1m0s is before 2m0s, the time of the event on line 2: events must be in time order"},
		{name: "negative time", in: hdr + "-5s,n1,add,,,,,\n", field: "time", want: `t.csv:2:1: time: "-5s" is negative`},
		{name: "bad time", in: hdr + "soon,n1,add,,,,,\n", field: "time",
			want: `t.csv:2:1: time: invalid "soon" (want a duration such as 90s or 1h2m, or a number of seconds)`},
		{name: "plus time", in: hdr + "+5,n1,add,,,,,\n", field: "time",
			want: `t.csv:2:1: time: invalid "+5" (want a duration such as 90s or 1h2m, or a number of seconds)`},
		{name: "empty time", in: hdr + ",n1,add,,,,,\n", field: "time", want: `t.csv:2:1: time: required`},
		{name: "empty node", in: hdr + "0s,,add,,,,,\n", field: "node", want: "t.csv:2:4: node: required"},
		{name: "bad node", in: hdr + "0s,N_1,add,,,,,\n", field: "node", prefix: true, want: `t.csv:2:4: node: invalid name "N_1": `},
		{name: "labels on fail", in: hdr + "1s,n1,fail,a=b,,,,\n", field: "labels",
			want: "t.csv:2:12: labels: not allowed on a fail event (only add and update)"},
		{name: "taints on drain", in: hdr + "1s,n1,drain,,a:NoSchedule,,,\n", field: "taints",
			want: "t.csv:2:14: taints: not allowed on a drain event (only add and update)"},
		{name: "cpu on remove", in: hdr + "1s,n1,remove,,,4,,\n", field: "cpu",
			want: "t.csv:2:16: cpu: not allowed on a remove event (only add and update)"},
		{name: "memory on remove", in: hdr + "1s,n1,remove,,,,4Gi,\n", field: "memory",
			want: "t.csv:2:17: memory: not allowed on a remove event (only add and update)"},
		{name: "bad quantity", in: hdr + "0s,n1,add,,,abc,,\n", field: "cpu", prefix: true,
			want: `t.csv:2:13: cpu: invalid quantity "abc": `},
		{name: "negative quantity", in: hdr + "0s,n1,add,,,,-1Gi,\n", field: "memory",
			want: "t.csv:2:14: memory: -1Gi is negative"},
		{name: "label removal on add", in: hdr + "0s,n1,add,a-,,,,\n", field: "labels",
			want: "t.csv:2:11: labels: a-: removing a label is only for update events"},
		{name: "taint removal on add", in: hdr + "0s,n1,add,,a-,,,\n", field: "taints",
			want: "t.csv:2:12: taints: a-: removing a taint is only for update events"},
		{name: "label without value", in: hdr + "0s,n1,add,zone,,,,\n", field: "labels",
			want: `t.csv:2:11: labels: entry "zone": want key=value (or key- to remove the label)`},
		{name: "label twice", in: hdr + "0s,n1,add,a=b;a=c,,,,\n", field: "labels", want: `t.csv:2:11: labels: key "a" given twice`},
		{name: "label set and removed", in: hdr + "0s,n1,update,a=b;a-,,,,\n", field: "labels", want: `t.csv:2:14: labels: key "a" given twice`},
		{name: "bad label key", in: hdr + "0s,n1,add,-a=b,,,,\n", field: "labels", prefix: true, want: `t.csv:2:11: labels: key "-a": `},
		{name: "bad label value", in: hdr + "0s,n1,add,a=b c,,,,\n", field: "labels", prefix: true, want: `t.csv:2:11: labels: a: value "b c": `},
		{name: "bad taint", in: hdr + "0s,n1,add,,nope,,,\n", field: "taints", prefix: true, want: "t.csv:2:12: taints: invalid taint spec: nope"},
		{name: "taint repeated", in: hdr + "0s,n1,add,,a=1:NoSchedule;a=2:NoSchedule,,,\n", field: "taints",
			want: "t.csv:2:12: taints: a=2:NoSchedule: repeated (taints are unique by key and effect)"},
		{name: "taint set and removed", in: hdr + "0s,n1,update,,a:NoSchedule;a-,,,\n", field: "taints",
			want: "t.csv:2:15: taints: a:NoSchedule: both set and removed"},
		{name: "bad taint removal", in: hdr + "0s,n1,update,,a:Never-,,,\n", field: "taints",
			want: `t.csv:2:15: taints: invalid taint removal "a:Never-": unknown effect "Never" (want NoSchedule, PreferNoSchedule or NoExecute)`},
		{name: "bare quote", in: hdr + "0s,n\"1,add,,,,,\n",
			want: `t.csv:2:5: bare " in non-quoted-field`},
		// An unterminated quote: encoding/csv reports where the input ended.
		{name: "unterminated quote", in: hdr + "0s,n1,\"add,,,,,\n",
			want: `t.csv:2:17: extraneous or missing " in quoted-field`},
		{name: "error after events", in: hdr + "0s,n1,add,,,,,\n1s,n2,add,,,,,\n2s,n3,bad,,,,,\n", field: "event", events: 2, prefix: true,
			want: `t.csv:4:7: event: unknown "bad"`},
		{name: "spaces count in the column", in: hdr + "0s,  n1 ,  add ,a=b c,,,,\n", field: "labels", prefix: true,
			want: `t.csv:2:17: labels: a: value "b c"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewCSVReader("t.csv", strings.NewReader(tc.in))
			n := 0
			var err error
			for {
				if _, err = r.Next(); err != nil {
					break
				}
				n++
			}
			require.NotEqual(t, io.EOF, err)
			if tc.prefix {
				assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want it to start %q", err, tc.want)
			} else {
				assert.Equal(t, tc.want, err.Error())
			}
			var te *Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "t.csv", te.File)
			assert.Equal(t, tc.field, te.Field)
			assert.Equal(t, tc.events, n, "events before the error")
			_, again := r.Next()
			assert.Equal(t, err, again, "the error is sticky")

			evs, err := ReadAll(NewCSVReader("t.csv", strings.NewReader(tc.in)))
			assert.Error(t, err)
			assert.Nil(t, evs, "ReadAll is all or nothing")
		})
	}
}

// TestCSVReaderForms: what the format allows besides good.csv's lines.
func TestCSVReaderForms(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{name: "header only", in: hdr},
		{name: "minimal header", in: "time,node,event\n0,n1,add\n12.5,n1,remove\n",
			want: []string{"0s add node/n1 @t:2", "12.5s remove node/n1 @t:3"}},
		{name: "columns in another order, extended resource", in: "time,node,event,example.com/gpu,taints,memory\n1ms,n1,add,2,,1Gi\n",
			want: []string{"1ms add node/n1 cap=example.com/gpu=2,memory=1Gi @t:2"}},
		{name: "CRLF", in: "time,node,event\r\n0,n1,add\r\n1s,n1,fail\r\n",
			want: []string{"0s add node/n1 @t:2", "1s fail node/n1 @t:3"}},
		{name: "byte order mark", in: "\ufefftime,node,event\n0,n1,add\n",
			want: []string{"0s add node/n1 @t:2"}},
		{name: "no final newline", in: "time,node,event\n0,n1,add",
			want: []string{"0s add node/n1 @t:2"}},
		{name: "same time keeps file order", in: "time,node,event\n5s,b,add\n5s,a,add\n",
			want: []string{"5s add node/b @t:2", "5s add node/a @t:3"}},
		{name: "empty label entries skipped", in: "time,node,event,labels\n0,n1,add,;a=b;;\n",
			want: []string{"0s add node/n1 labels=a=b @t:2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := ReadAll(NewCSVReader("t", strings.NewReader(tc.in)))
			require.NoError(t, err)
			assert.Equal(t, tc.want, nilIfEmpty(describeAll(evs)))
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestWriterRoundTrip: what the writer writes reads back to the same events.
func TestWriterRoundTrip(t *testing.T) {
	r, err := Open("testdata/good.csv")
	require.NoError(t, err)
	evs, err := ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())

	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	for _, ev := range evs {
		require.NoError(t, w.Write(ev))
	}
	require.NoError(t, w.Flush())
	back, err := ReadAll(NewCSVReader("back", &buf))
	require.NoError(t, err)

	assert.Equal(t, describeAll(strip(evs)), describeAll(strip(back)))
	assert.Equal(t, strip(evs), strip(back), "the same events, field by field")

	// The writer's text is fixed: a golden of the first lines.
	var first bytes.Buffer
	w = NewCSVWriter(&first)
	for _, ev := range evs[:4] {
		require.NoError(t, w.Write(ev))
	}
	require.NoError(t, w.Flush())
	assert.Equal(t, hdr+
		"0s,n1,add,tier=web;topology.kubernetes.io/zone=a,,16,64Gi,110\n"+
		"0s,n2,add,,dedicated=gpu:NoSchedule,8,32Gi,\n"+
		"1m30s,n3,add,topology.kubernetes.io/zone=b,,,,\n"+
		"1m30s,n1,update,disk=ssd;tier-,dedicated=gpu:NoSchedule;maintenance:NoExecute,32,,\n",
		first.String())

	// The Google trace round-trips through the CSV format too.
	g, err := OpenGoogle2011("testdata/machine_events-sample.csv", Google2011Options{})
	require.NoError(t, err)
	gevs, err := ReadAll(g)
	require.NoError(t, err)
	buf.Reset()
	w = NewCSVWriter(&buf)
	for _, ev := range gevs {
		require.NoError(t, w.Write(ev))
	}
	require.NoError(t, w.Flush())
	back, err = ReadAll(NewCSVReader("back", &buf))
	require.NoError(t, err)
	assert.Equal(t, strip(gevs), strip(back))
}

func TestWriterErrors(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	require.NoError(t, w.Write(NodeEvent{At: time.Minute, Node: "n1", Type: Add}))
	for _, tc := range []struct {
		ev   NodeEvent
		want string
	}{
		{NodeEvent{At: time.Second, Node: "n1", Type: Fail}, "trace: write 1s fail node/n1: before 1m0s, the time of the event before it"},
		{NodeEvent{At: time.Hour, Node: "n1", Type: "explode"}, `trace: write 1h0m0s explode node/n1: event: unknown "explode" (want add, remove, update, fail, recover, stop-kubelet, start-kubelet, drain, cordon, uncordon)`},
		{NodeEvent{At: time.Hour, Node: "N!", Type: Add}, `trace: write 1h0m0s add node/N!: node: invalid name "N!": `},
		{NodeEvent{At: time.Hour, Node: "n1", Type: Add, Capacity: cluster.Resources("nvidia.com/gpu", "1")}, `trace: write 1h0m0s add node/n1: resource "nvidia.com/gpu" has no column`},
		{NodeEvent{At: time.Hour, Node: "n1", Type: Remove, Labels: map[string]string{"a": "b"}}, "trace: write 1h0m0s remove node/n1: labels: not allowed on a remove event (only add and update)"},
	} {
		err := w.Write(tc.ev)
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want it to start %q", err, tc.want)
	}
	require.NoError(t, w.Flush())
	assert.Equal(t, hdr+"1m0s,n1,add,,,,,\n", buf.String(), "refused events write nothing")

	buf.Reset()
	require.NoError(t, NewCSVWriter(&buf).Flush())
	assert.Equal(t, hdr, buf.String(), "an empty trace is a header alone")
}

func TestErrorRendering(t *testing.T) {
	cause := errors.New("disk on fire")
	for _, tc := range []struct {
		e    *Error
		want string
	}{
		{&Error{File: "f", Line: 3, Column: 9, Field: "event", Msg: "bad"}, "f:3:9: event: bad"},
		{&Error{File: "f", Line: 3, Msg: "bad"}, "f:3: bad"},
		{&Error{File: "f", Err: cause}, "f: disk on fire"},
	} {
		assert.Equal(t, tc.want, tc.e.Error())
	}
	assert.ErrorIs(t, &Error{File: "f", Err: cause}, cause)
}

// errReader fails after its data.
type errReader struct {
	data []byte
	err  error
}

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestReadErrorAndClose(t *testing.T) {
	cause := errors.New("disk on fire")
	r := NewCSVReader("f", &errReader{data: []byte(hdr + "0,n1,add,,,,,\n0,n2,add"), err: cause})
	_, err := r.Next()
	require.NoError(t, err)
	_, err = r.Next()
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "f: disk on fire", err.Error())

	r = NewCSVReader("f", strings.NewReader(hdr))
	require.NoError(t, r.Close())
	_, err = r.Next()
	assert.ErrorIs(t, err, os.ErrClosed)

	_, err = Open("testdata/no-such-file.csv")
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestSummarize(t *testing.T) {
	r, err := Open("testdata/good.csv.gz")
	require.NoError(t, err)
	defer r.Close()
	s, err := Summarize(r)
	require.NoError(t, err)
	assert.Equal(t, 14, s.Events)
	assert.Equal(t, 3, s.Nodes)
	assert.Equal(t, 2, s.AtZero)
	assert.Equal(t, 2, s.NoCapacity, "n3's add and the update at 4h")
	assert.Equal(t, 5*time.Hour, s.Last)
	want := map[EventType]int{Add: 3, Remove: 1, Update: 3, Fail: 1, Recover: 1, StopKubelet: 1, StartKubelet: 1, Drain: 1, Cordon: 1, Uncordon: 1}
	for _, et := range EventTypes() {
		assert.Equal(t, want[et], s.Count(et), et)
	}
	assert.Zero(t, s.Count("explode"))

	s, err = Summarize(NewCSVReader("t", strings.NewReader(hdr+"0,n1,add,,,,,\n1,n1,nope,,,,,\n")))
	assert.Error(t, err)
	assert.Equal(t, 1, s.Events, "counts so far")
}
