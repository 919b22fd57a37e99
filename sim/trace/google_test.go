package trace

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// realTrace is the shipped 2011 machine_events table.
const realTrace = "../../data/google-2011-machine_events.csv.gz"

// TestGoogle2011Sample reads the seven sample lines. The expected values
// were worked out by hand: platform values are the first 6 bytes of the
// base64 IDs in hex, racks FNV-1a of (seed 0, ID) mod 320 (computed apart
// from this code), memory = normalised × 262144Mi rounded (0.2493 →
// 65352.4992 → 65352Mi, 0.2498 → 65483.5712 → 65484Mi, 0.4995 →
// 130940.928 → 130941Mi).
func TestGoogle2011Sample(t *testing.T) {
	r, err := OpenGoogle2011("testdata/machine_events-sample.csv", Google2011Options{})
	require.NoError(t, err)
	defer r.Close()
	evs, err := ReadAll(r)
	require.NoError(t, err)
	const (
		p1 = "daemonsim.io/platform=1e87cb1b3935;"
		f  = " @testdata/machine_events-sample.csv:"
	)
	assert.Equal(t, []string{
		"0s add node/machine-5 labels=" + p1 + "daemonsim.io/rack=rack-192;topology.kubernetes.io/zone=zone-0 cap=cpu=32,memory=65352Mi" + f + "1",
		"0s add node/machine-6 labels=" + p1 + "daemonsim.io/rack=rack-163;topology.kubernetes.io/zone=zone-1 cap=cpu=32,memory=65352Mi" + f + "2",
		"0s add node/machine-1390736743 labels=daemonsim.io/platform=ef464ebf2b18;daemonsim.io/rack=rack-047;topology.kubernetes.io/zone=zone-2 cap=cpu=16,memory=65484Mi" + f + "3",
		"0s add node/machine-4802039830 labels=daemonsim.io/platform=1ad5da923a5d;daemonsim.io/rack=rack-313;topology.kubernetes.io/zone=zone-1 cap=cpu=64,memory=256Gi" + f + "4",
		"12m59.231019s remove node/machine-5782512" + f + "5",
		"16m14.363601s update node/machine-1438195245 labels=" + p1 + "daemonsim.io/rack=rack-204;topology.kubernetes.io/zone=zone-0 cap=cpu=32,memory=130941Mi" + f + "6",
		"31h23m39.603442s add node/machine-6264344062 labels=daemonsim.io/platform=250d6d55004c;daemonsim.io/rack=rack-100;topology.kubernetes.io/zone=zone-1" + f + "7",
	}, describeAll(evs))
}

func TestGoogle2011Options(t *testing.T) {
	in := "0,7,0,HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU=,0.5,0.25\n"
	evs, err := ReadAll(NewGoogle2011Reader("g", strings.NewReader(in), Google2011Options{
		CPU:        cluster.MustParseQuantity("10"),
		Memory:     cluster.MustParseQuantity("1Gi"),
		NamePrefix: "m",
		Labels:     LabelScheme{PlatformKey: "-", RackKey: "example.com/rack", Zones: 2, Racks: 4, Seed: 9},
	}))
	require.NoError(t, err)
	rack, zone := LabelScheme{Zones: 2, Racks: 4, Seed: 9}.Rack(7)
	assert.Equal(t, zone, rack%2)
	assert.Equal(t, []string{
		"0s add node/m7 labels=example.com/rack=rack-" + string(rune('0'+rack)) + ";topology.kubernetes.io/zone=zone-" + string(rune('0'+zone)) + " cap=cpu=5,memory=256Mi @g:1",
	}, describeAll(evs))

	for _, tc := range []struct {
		opts Google2011Options
		want string
	}{
		{Google2011Options{CPU: cluster.MustParseQuantity("-1")}, "g: trace: Google2011Options.CPU -1 is negative"},
		{Google2011Options{Memory: cluster.MustParseQuantity("-1Gi")}, "g: trace: Google2011Options.Memory -1Gi is negative"},
		{Google2011Options{NamePrefix: "Machine_"}, `g: trace: Google2011Options.NamePrefix "Machine_": `},
	} {
		_, err := ReadAll(NewGoogle2011Reader("g", strings.NewReader(in), tc.opts))
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want it to start %q", err, tc.want)
	}
}

// TestGoogle2011Rack: placement is a fixed function of (seed, ID), spreads
// machines over every rack, and a zone is a set of whole racks.
func TestGoogle2011Rack(t *testing.T) {
	s := LabelScheme{}
	count := make([]int, DefaultRacks)
	for id := uint64(0); id < 32000; id++ {
		rack, zone := s.Rack(id)
		require.Equal(t, rack%DefaultZones, zone)
		count[rack]++
	}
	for r, n := range count {
		assert.InDelta(t, 100, n, 45, "rack %d", r) // binomial(32000, 1/320): sd ≈ 10
	}
	a, _ := s.Rack(5)
	b, _ := LabelScheme{Seed: 1}.Rack(5)
	c, _ := s.Rack(5)
	assert.Equal(t, a, c)
	assert.Equal(t, 192, a)
	assert.NotEqual(t, a, b, "another seed, another placement (for this ID)")

	assert.Equal(t, "abc", PlatformLabelValue("abc"))
	assert.Equal(t, "1e87cb1b3935", PlatformLabelValue("HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU="))
	assert.Len(t, PlatformLabelValue("not base64 / at all"), 12)
}

func TestGoogle2011Errors(t *testing.T) {
	const p = "HofLGzk1Or/8Ildj2+Lqv0UGGvY82NLoni8+J/Yy0RU="
	for _, tc := range []struct {
		name, in, want, field string
		prefix                bool
	}{
		{name: "five fields", in: "0,5,0," + p + ",0.5\n", want: "g:1:1: want 6 fields (timestamp, machine ID, event type, platform ID, CPU, memory), got 5"},
		{name: "bad timestamp", in: "x,5,0," + p + ",0.5,0.5\n", field: "timestamp", want: `g:1:1: timestamp: invalid "x" (want a non-negative integer)`},
		{name: "negative timestamp", in: "-1,5,0," + p + ",0.5,0.5\n", field: "timestamp", want: `g:1:1: timestamp: invalid "-1" (want a non-negative integer)`},
		{name: "empty timestamp", in: ",5,0," + p + ",0.5,0.5\n", field: "timestamp", want: `g:1:1: timestamp: required`},
		{name: "huge timestamp", in: "99999999999999999999,5,0," + p + ",0.5,0.5\n", field: "timestamp", want: `g:1:1: timestamp: "99999999999999999999" is out of range`},
		{name: "timestamp past Duration", in: "9223372036854776,5,0," + p + ",0.5,0.5\n", field: "timestamp", want: `g:1:1: timestamp: 9223372036854776 µs is beyond the largest time (about 292 years)`},
		{name: "bad machine", in: "0,5a,0," + p + ",0.5,0.5\n", field: "machine ID", want: `g:1:3: machine ID: invalid "5a" (want a non-negative integer)`},
		{name: "bad type", in: "0,5,3," + p + ",0.5,0.5\n", field: "event type", want: `g:1:5: event type: unknown "3" (want 0 ADD, 1 REMOVE or 2 UPDATE)`},
		{name: "platform with space", in: "0,5,0,a b,0.5,0.5\n", field: "platform ID", want: `g:1:7: platform ID: "a b" has spaces`},
		{name: "cpu above 1", in: "0,5,0," + p + ",1.5,0.5\n", field: "CPU", want: `g:1:52: CPU: "1.5" is above 1 (capacities are normalised to the largest machine, 1.0)`},
		{name: "cpu not a number", in: "0,5,0," + p + ",half,0.5\n", field: "CPU", want: `g:1:52: CPU: invalid "half" (want a decimal from 0 to 1, such as 0.5)`},
		{name: "memory dot", in: "0,5,0," + p + ",0.5,.\n", field: "memory", want: `g:1:56: memory: invalid "." (want a decimal from 0 to 1, such as 0.5)`},
		{name: "memory too precise", in: "0,5,0," + p + ",0.5,0.1234567890123456789\n", field: "memory", want: `g:1:56: memory: "0.1234567890123456789" has more than 18 digits after the point`},
		{name: "out of order", in: "10,5,0," + p + ",0.5,0.5\n9,6,0," + p + ",0.5,0.5\n", field: "time",
			want: "g:2:1: time: 9µs is before 10µs, the time of the event on line 1: events must be in time order"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadAll(NewGoogle2011Reader("g", strings.NewReader(tc.in), Google2011Options{}))
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var te *Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.field, te.Field)
		})
	}
}

// TestGoogle2011Scale: capacities are exact, rounded halves up.
func TestGoogle2011Scale(t *testing.T) {
	for _, tc := range []struct {
		norm  string
		total int64
		unit  int64
		want  int64
	}{
		{"0.5", 64000, 1, 32000},
		{"1", 64000, 1, 64000},
		{"0", 64000, 1, 0},
		{"0.0000078125", 64000, 1, 1}, // 0.5 milli-units: half up
		{"0.0000078124", 64000, 1, 0}, // just under half
		{"0.2493", 262144 * mebi * 1000, mebi * 1000, 65352 * mebi * 1000},
		{"0.999999999999999999", 1 << 62, 1, 1<<62 - 5}, // 2^62 - 4.61...: no overflow
	} {
		n, k, err := parseNormalised(tc.norm)
		require.NoError(t, err, tc.norm)
		assert.Equal(t, tc.want, scale(n, k, tc.total, tc.unit), tc.norm)
	}
}

// TestGoogle2011RealTrace checks the figures data/README.md states against
// the shipped file.
func TestGoogle2011RealTrace(t *testing.T) {
	if _, err := os.Stat(realTrace); err != nil {
		t.Skipf("the 2011 trace is not here (%v): see data/README.md", err)
	}
	r, err := OpenGoogle2011(realTrace, Google2011Options{})
	require.NoError(t, err)
	defer r.Close()
	platforms := map[string]bool{}
	cpus := map[string]bool{}
	var s Summary
	nodes := map[string]bool{}
	addedAtZero := 0
	for {
		ev, err := r.Next()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		s.Events++
		s.byType[ev.Type.index()]++
		s.Last = ev.At
		nodes[ev.Node] = true
		if ev.Type == Add && ev.At == 0 {
			addedAtZero++
		}
		if p, ok := ev.Labels[LabelPlatform]; ok {
			platforms[p] = true
		}
		if q, ok := ev.Capacity.Get(cluster.ResourceCPU); ok {
			cpus[q.String()] = true
		}
		if (ev.Type == Add || ev.Type == Update) && len(ev.Capacity) == 0 {
			s.NoCapacity++
		}
	}
	assert.Equal(t, 37780, s.Events)
	assert.Equal(t, 21443, s.Count(Add))
	assert.Equal(t, 8957, s.Count(Remove))
	assert.Equal(t, 7380, s.Count(Update))
	assert.Equal(t, 12583, len(nodes))
	assert.Equal(t, 12477, addedAtZero)
	assert.InDelta(t, 29.006, s.Last.Hours()/24, 0.0005)
	assert.Len(t, platforms, 4)
	assert.Equal(t, map[string]bool{"16": true, "32": true, "64": true}, cpus, "0.25, 0.5 and 1 at 64 cores")
	assert.Equal(t, 32, s.NoCapacity)

	// Summarize agrees.
	r2, err := OpenGoogle2011(realTrace, Google2011Options{})
	require.NoError(t, err)
	defer r2.Close()
	sum, err := Summarize(r2)
	require.NoError(t, err)
	assert.Equal(t, s.Events, sum.Events)
	assert.Equal(t, len(nodes), sum.Nodes)
	assert.Equal(t, 12477, sum.AtZero)
	assert.Equal(t, 32, sum.NoCapacity)
	assert.Equal(t, s.Last, sum.Last)
	assert.Equal(t, time.Duration(0), sum.First)
}

func BenchmarkGoogle2011(b *testing.B) {
	data, err := os.ReadFile(realTrace)
	if err != nil {
		b.Skipf("the 2011 trace is not here: %v", err)
	}
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		evs, err := ReadAll(NewGoogle2011Reader("g", strings.NewReader(string(data)), Google2011Options{}))
		if err != nil {
			b.Fatal(err)
		}
		n += len(evs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
