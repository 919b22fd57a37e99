package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/sim/report"
)

// samples makes a series of n samples: base, with a dip of d at the
// middle sample (a rise if d < 0), and a shorter one of d/2 between
// samples at the sample after it (in Low or High only).
func samples(n, base, d int) report.Samples {
	s := report.Samples{Values: make([]int, n), Low: make([]int, n), High: make([]int, n)}
	for i := range n {
		s.Values[i], s.Low[i], s.High[i] = base, base, base
	}
	s.Values[n/2] -= d
	switch {
	case d > 0 && n > 2:
		s.Low[n/2] -= d
		s.Low[n/2+1] -= d / 2
	case d < 0 && n > 2:
		s.High[n/2] -= d
		s.High[n/2+1] -= d / 2
	}
	return s
}

// testSeries is two hours sampled every minute, with two DaemonSets.
func testSeries() *report.Series {
	n := 121
	s := &report.Series{Start: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Interval: time.Minute}
	s.End = s.Start.Add(2 * time.Hour)
	for i := range n {
		s.Times = append(s.Times, time.Duration(i)*time.Minute)
	}
	s.NodesReady, s.NodesNotReady, s.NodesCordoned = samples(n, 100, 3), samples(n, 0, -3), samples(n, 2, 0)
	s.WorkloadPending = samples(n, 0, -7)
	s.DaemonSets = []report.DaemonSetSeries{
		{Namespace: "kube-system", Name: "cilium", Desired: samples(n, 100, 0), Ready: samples(n, 100, 3), Unavailable: samples(n, 0, -3)},
		{Namespace: "monitoring", Name: "node-exporter", Desired: samples(n, 100, 0), Ready: samples(n, 100, 10), Unavailable: samples(n, 0, -10)},
	}
	return s
}

func render(t *testing.T, title string, s *report.Series) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, Run(&buf, title, s))
	return buf.String()
}

// svgDoc is what the tests read of the SVG: its texts and paths' styles.
type svgDoc struct {
	texts  []string
	styles []string // of <path> elements
}

// parse decodes the whole document as XML (failing on any error) and
// collects its texts and path styles.
func parse(t *testing.T, svg string) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(strings.NewReader(svg))
	depth, inText, root := 0, false, ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = tok.Name.Local
			}
			depth++
			inText = tok.Name.Local == "text"
			if tok.Name.Local == "path" {
				for _, a := range tok.Attr {
					if a.Name.Local == "style" {
						doc.styles = append(doc.styles, a.Value)
					}
				}
			}
		case xml.EndElement:
			depth--
			inText = false
		case xml.CharData:
			if inText {
				doc.texts = append(doc.texts, string(tok))
			}
		}
	}
	require.Equal(t, 0, depth, "every element closed")
	require.Equal(t, "svg", root)
	return doc
}

func count(styles []string, part string) int {
	n := 0
	for _, s := range styles {
		if strings.Contains(s, part) {
			n++
		}
	}
	return n
}

// The chart is well-formed XML with the title (escaped), the panels'
// titles, every legend label, the x axis label, and for each of its 11
// series a line, a band and a legend thumbnail.
func TestRun(t *testing.T) {
	title := "a day <of> churn & a rollout"
	doc := parse(t, render(t, title, testSeries()))
	for _, want := range []string{title, "Nodes Ready", "Nodes not Ready and cordoned",
		"DaemonSet kube-system/cilium: daemon pods", "DaemonSet monitoring/node-exporter: daemon pods",
		"Unavailable daemon pods (desired − available)", "Pending workload pods",
		"Ready", "not Ready (False, Unknown)", "cordoned (unschedulable)", "desired", "ready",
		"kube-system/cilium", "monitoring/node-exporter", "pending (not bound)",
		"simulated time since the start (hours)", "0", "1", "2", "0:30",
		"2h of simulated time, sampled every 1m; lines: values at the samples, bands: lowest to highest between samples",
	} {
		assert.Contains(t, doc.texts, want)
	}
	series := 3 + 2*2 + 2 + 1 // nodes, 2 × (desired, ready), 2 unavailable, pending
	assert.Equal(t, 2*series, count(doc.styles, "stroke-width:1.2"), "a line and a legend thumbnail per series")
	assert.Equal(t, series, count(doc.styles, "fill-opacity:0.25"), "a band per series")
	assert.Equal(t, 4, count(doc.styles, "stroke-dasharray"), "desired is dashed: 2 lines, 2 thumbnails")
}

// The same input gives the same bytes; another input others.
func TestDeterministic(t *testing.T) {
	a, b := render(t, "t", testSeries()), render(t, "t", testSeries())
	assert.Equal(t, a, b)
	s := testSeries()
	s.NodesReady.Values[3] = 90
	assert.NotEqual(t, a, render(t, "t", s))
	assert.NotEqual(t, a, render(t, "u", testSeries()))
}

// A series without DaemonSets has no DaemonSet panels; a one-sample series
// (a run of no time) still draws.
func TestFewSeries(t *testing.T) {
	s := testSeries()
	s.DaemonSets = nil
	doc := parse(t, render(t, "", s))
	assert.NotContains(t, doc.texts, "Unavailable daemon pods (desired − available)")
	assert.Equal(t, 2*4, count(doc.styles, "stroke-width:1.2"))

	one := &report.Series{Start: s.Start, End: s.Start, Interval: time.Minute, Times: []time.Duration{0},
		NodesReady: samples(1, 5, 0), NodesNotReady: samples(1, 0, 0), NodesCordoned: samples(1, 0, 0), WorkloadPending: samples(1, 0, 0)}
	parse(t, render(t, "one", one))
}

func TestRunErrors(t *testing.T) {
	bad := testSeries()
	bad.DaemonSets[1].Ready.Low = bad.DaemonSets[1].Ready.Low[1:]
	for _, tc := range []struct {
		s    *report.Series
		want string
	}{
		{nil, "series: nil"},
		{&report.Series{}, "series.Times: no sample"},
		{bad, "series.DaemonSets[1].Ready: 121, 120 and 121 values (Values, Low, High) for 121 times"},
	} {
		var buf bytes.Buffer
		assert.EqualError(t, Run(&buf, "x", tc.s), tc.want)
		assert.Zero(t, buf.Len(), "nothing written")
	}
}

// hourTicks: a major tick every 1, 2, 3, 6, 12 or 24 hours or a
// fraction of an hour, or a multiple of 24, at most 9.
func TestHourTicks(t *testing.T) {
	for _, tc := range []struct {
		hi    float64
		major []string
	}{
		{24, []string{"0", "3", "6", "9", "12", "15", "18", "21", "24"}},
		{6, []string{"0", "1", "2", "3", "4", "5", "6"}},
		{1, []string{"0", "0:15", "0:30", "0:45", "1"}},
		{0.1, []string{"0", "0:01", "0:02", "0:03", "0:04", "0:05", "0:06"}},
		{100, []string{"0", "24", "48", "72", "96"}},
		{744, []string{"0", "96", "192", "288", "384", "480", "576", "672"}},
	} {
		var major []string
		for _, tk := range (hourTicks{}).Ticks(0, tc.hi) {
			if !tk.IsMinor() {
				major = append(major, tk.Label)
			}
		}
		assert.Equal(t, tc.major, major, "%v h", tc.hi)
	}
}

// countTicks: integer labels every 1, 2 or 5 × 10^k, at most 6 steps.
func TestCountTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		major  []string
		minors int
	}{
		{0, 1.05, []string{"0", "1"}, 0},
		{4996.5, 5000.5, []string{"4997", "4998", "4999", "5000"}, 0},
		{0, 22, []string{"0", "5", "10", "15", "20"}, 18},
		{4440, 5040, []string{"4500", "4600", "4700", "4800", "4900", "5000"}, 25},
		{-0.5, 540, []string{"0", "100", "200", "300", "400", "500"}, 22},
	} {
		var major []string
		minors := 0
		for _, tk := range (countTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.IsMinor() {
				minors++
			} else {
				major = append(major, tk.Label)
			}
		}
		assert.Equal(t, tc.major, major, "[%v, %v]", tc.lo, tc.hi)
		assert.Equal(t, tc.minors, minors, "[%v, %v]", tc.lo, tc.hi)
	}
}

// Ranges that are not finite give no ticks (and do not loop).
func TestTicksNotFinite(t *testing.T) {
	for _, r := range [][2]float64{{0, math.Inf(1)}, {math.NaN(), 1}, {2, 1}} {
		assert.Empty(t, (countTicks{}).Ticks(r[0], r[1]), "%v", r)
		assert.Empty(t, (hourTicks{}).Ticks(r[0], r[1]), "%v", r)
	}
}
