// Package chart draws a run's time series (report.Series, recorded by a
// report.Recorder) as one SVG chart (Run), and a sweep's results (package
// sim/sweep) as a scatter of one figure against another per value of the
// swept parameter with each value's mean and 95% interval (Sweep), with
// gonum.org/v1/plot. It is the
// only package of the module that imports gonum; the core packages and
// sim/report do not, so a program that does not chart does not link it.
//
// The chart is a stack of panels sharing one x axis, simulated hours
// since the series' start, each with its legend in a column on its right
// (never over the data) and the scenario's title on top:
//
//   - Ready nodes;
//   - nodes not Ready (False, Unknown or no condition) and cordoned nodes;
//   - per DaemonSet, desired (desiredNumberScheduled, dashed) and ready
//     (numberReady) daemon pods;
//   - unavailable daemon pods (desired − available) per DaemonSet, which
//     rise during rollouts and node failures;
//   - pending workload pods.
//
// Each series is drawn as a line through its samples (the values held at
// the sampling instants) over a light band from the least to the greatest
// value held between samples, so that a change shorter than the sampling
// interval still shows. Panels of counts that are normally 0 start their
// y axis at 0 (drawn a little above the x axis); the panels of Ready nodes
// and of a DaemonSet's pods are scaled to their data, so that a dip of a
// few nodes out of thousands shows.
//
// # Output
//
// The same Series and title give the same bytes: gonum's SVG canvas
// writes what it is told in order, with numbers at 5 significant digits,
// and nothing variable (no date, no random identifier). Fonts are not
// embedded: the text names Liberation Sans, with Arial, Helvetica and
// sans-serif after it (Liberation Sans has Arial's metrics, so the layout
// gonum measured holds with either).
//
// # What is partial
//
//   - The layout is fixed: 10 inches wide, 1.6 inches per panel, plus
//     the title; many DaemonSets make a tall chart, one panel each. A title
//     wider than the chart is not wrapped.
//   - Series of equal values overlap: the one drawn last (the last
//     DaemonSet in the unavailable panel) hides the others.
//   - A band is as wide as the Series' Interval: a short change shows as
//     high or low as it went, not for how long.
//   - The bytes are checked equal on one architecture; gonum computes
//     coordinates in float64 and prints 5 significant digits, so another
//     architecture (fused multiply-add on arm64) could, rarely, print a
//     coordinate a digit apart. Not tested.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/daemonsim/daemonsim/sim/report"
)

// Layout, in points.
const (
	width        = 10 * vg.Inch
	panelHeight  = 1.6 * vg.Inch
	titleHeight  = 0.7 * vg.Inch
	legendWidth  = 2.3 * vg.Inch
	bottomMargin = 0.1 * vg.Inch
	lineWidth    = 1.2
)

// palette is a colour-blind-safe set (Okabe and Ito's), in the order
// series take it within a panel.
var palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xd5, 0x5e, 0x00, 0xff}, // vermilion
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
}

var grey = color.RGBA{0x55, 0x55, 0x55, 0xff}

// line is one series of a panel.
type line struct {
	label   string
	samples report.Samples
	color   color.RGBA
	dashed  bool
}

// panel is one plot of the stack.
type panel struct {
	title string
	lines []line
	zero  bool // the y axis starts at 0
}

// Run writes s as one SVG chart to w, titled title (the scenario's name;
// it may be empty). Errors: s nil, or with no sample, or with Samples
// whose lengths differ from len(s.Times) (a Series a Recorder did not
// make); a write error of w. Nothing is written on a Series error. Cost:
// O(series × samples).
func Run(w io.Writer, title string, s *report.Series) error {
	if err := check(s); err != nil {
		return err
	}
	panels := panelsOf(s)
	height := titleHeight + bottomMargin + vg.Length(len(panels))*panelHeight
	canvas := vgsvg.New(width, height)
	dc := draw.New(canvas)

	titleStyle := text.Style{Color: color.Black, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YTop}
	sub := titleStyle
	sans(&titleStyle, 14, true)
	sans(&sub, 9, false)
	dc.FillText(titleStyle, vg.Point{X: width / 2, Y: height - 0.1*vg.Inch}, title)
	dc.FillText(sub, vg.Point{X: width / 2, Y: height - 0.34*vg.Inch}, fmt.Sprintf(
		"%s of simulated time, sampled every %s; lines: values at the samples, bands: lowest to highest between samples",
		duration(s.End.Sub(s.Start)), duration(s.Interval)))

	hours := s.End.Sub(s.Start).Hours()
	plots := make([][]*plot.Plot, len(panels))
	legends := make([]plot.Legend, len(panels))
	for i, pn := range panels {
		p, l, err := plotOf(s, pn, hours, i == len(panels)-1)
		if err != nil {
			return err
		}
		plots[i], legends[i] = []*plot.Plot{p}, l
	}
	body := draw.Crop(dc, 0, -legendWidth, bottomMargin, -titleHeight)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: 0, PadY: 0.12 * vg.Inch, PadLeft: 0.1 * vg.Inch, PadRight: 0.15 * vg.Inch}
	cells := plot.Align(plots, tiles, body)
	for i := range panels {
		plots[i][0].Draw(cells[i][0])
		strip := cells[i][0]
		strip.Min.X, strip.Max.X = width-legendWidth, width
		strip.Max.Y -= plots[i][0].Title.TextStyle.Rectangle(plots[i][0].Title.Text).Size().Y
		legends[i].Draw(strip)
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return err
	}
	out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	_, err := w.Write(out)
	return err
}

// check reports what makes s unchartable.
func check(s *report.Series) error {
	if s == nil {
		return errors.New("series: nil")
	}
	if len(s.Times) == 0 {
		return errors.New("series.Times: no sample")
	}
	n := len(s.Times)
	bad := func(path string, v report.Samples) error {
		if len(v.Values) != n || len(v.Low) != n || len(v.High) != n {
			return fmt.Errorf("%s: %d, %d and %d values (Values, Low, High) for %d times", path, len(v.Values), len(v.Low), len(v.High), n)
		}
		return nil
	}
	errs := []error{bad("series.NodesReady", s.NodesReady), bad("series.NodesNotReady", s.NodesNotReady),
		bad("series.NodesCordoned", s.NodesCordoned), bad("series.WorkloadPending", s.WorkloadPending)}
	for i, d := range s.DaemonSets {
		errs = append(errs, bad(fmt.Sprintf("series.DaemonSets[%d].Desired", i), d.Desired),
			bad(fmt.Sprintf("series.DaemonSets[%d].Ready", i), d.Ready),
			bad(fmt.Sprintf("series.DaemonSets[%d].Unavailable", i), d.Unavailable))
	}
	return errors.Join(errs...)
}

// panelsOf lays s out in panels, top to bottom.
func panelsOf(s *report.Series) []panel {
	out := []panel{
		{title: "Nodes Ready", lines: []line{{label: "Ready", samples: s.NodesReady, color: palette[0]}}},
		{title: "Nodes not Ready and cordoned", zero: true, lines: []line{
			{label: "not Ready (False, Unknown)", samples: s.NodesNotReady, color: palette[1]},
			{label: "cordoned (unschedulable)", samples: s.NodesCordoned, color: palette[0]}}},
	}
	unavailable := panel{title: "Unavailable daemon pods (desired − available)", zero: true}
	for i, d := range s.DaemonSets {
		name := d.Namespace + "/" + d.Name
		c := palette[i%len(palette)]
		out = append(out, panel{title: "DaemonSet " + name + ": daemon pods", lines: []line{
			{label: "desired", samples: d.Desired, color: grey, dashed: true},
			{label: "ready", samples: d.Ready, color: c}}})
		unavailable.lines = append(unavailable.lines, line{label: name, samples: d.Unavailable, color: c})
	}
	if len(s.DaemonSets) > 0 {
		out = append(out, unavailable)
	}
	return append(out, panel{title: "Pending workload pods", zero: true,
		lines: []line{{label: "pending (not bound)", samples: s.WorkloadPending, color: palette[4]}}})
}

// plotOf makes pn's plot over [0, hours], and its legend.
func plotOf(s *report.Series, pn panel, hours float64, bottom bool) (*plot.Plot, plot.Legend, error) {
	p := plot.New()
	p.Title.Text = pn.title
	sans(&p.Title.TextStyle, 10, true)
	p.Title.Padding = 3
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		sans(&ax.Tick.Label, 8, false)
		sans(&ax.Label.TextStyle, 9, false)
		ax.Padding = 0
	}
	p.X.Min, p.X.Max = 0, math.Max(hours, 1e-9)
	p.X.Tick.Marker = hourTicks{}
	if bottom {
		p.X.Label.Text = "simulated time since the start (hours)"
	}
	p.Y.Tick.Marker = countTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)

	legend := plot.NewLegend()
	sans(&legend.TextStyle, 9, false)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = 0.35 * vg.Inch
	legend.Padding = 2

	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range pn.lines {
		values, band := lineAndBand(s.Times, l.samples)
		for i := range s.Times {
			lo, hi = math.Min(lo, float64(l.samples.Low[i])), math.Max(hi, float64(l.samples.High[i]))
		}
		fill := l.color
		fill.A = 0x40
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, plot.Legend{}, err
		}
		poly.Color = translucent(fill)
		poly.LineStyle.Width = 0
		ln, err := plotter.NewLine(values)
		if err != nil {
			return nil, plot.Legend{}, err
		}
		ln.LineStyle = draw.LineStyle{Color: l.color, Width: lineWidth}
		if l.dashed {
			ln.LineStyle.Dashes = []vg.Length{4, 2}
		}
		p.Add(poly, ln)
		legend.Add(l.label, ln)
	}
	if pn.zero {
		lo = 0
	}
	pad := math.Max((hi-lo)*0.08, 0.5)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	if pn.zero { // 0 a little above the x axis, so that a line at 0 shows
		p.Y.Max = math.Max(hi+pad, 1)
		p.Y.Min = -0.03 * p.Y.Max
	}
	return p, legend, nil
}

// translucent returns c's components as a non-premultiplied colour of
// c's alpha (a color.RGBA is premultiplied: its components may not exceed
// its alpha).
func translucent(c color.RGBA) color.Color {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: c.A}
}

// sans sets st's font to Liberation Sans of size, bold or not, keeping
// its alignment.
func sans(st *text.Style, size vg.Length, bold bool) {
	st.Font = font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		st.Font.Weight = 3 // golang.org/x/image/font.WeightBold, without importing it for one constant
	}
}

// hourTicks marks hours: a major tick every 1, 2, 3, 6, 12 or 24 hours (or
// a fraction of an hour for short runs; a multiple of 24 for long ones)
// so that there are at most 9.
type hourTicks struct{}

// Ticks returns the ticks over [lo, hi], in hours.
func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo, hi) {
		return nil
	}
	span := hi - lo
	step := 24.0
	for _, st := range []float64{1.0 / 60, 5.0 / 60, 0.25, 0.5, 1, 2, 3, 6, 12, 24} {
		if span/st <= 8 {
			step = st
			break
		}
	}
	for span/step > 8 {
		step *= 2
	}
	var out []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi+1e-9; k++ {
		v := k * step
		out = append(out, plot.Tick{Value: v, Label: hourLabel(v)})
		if minor := v + step/2; minor < hi {
			out = append(out, plot.Tick{Value: minor})
		}
	}
	return out
}

// finite reports whether [lo, hi] is a finite range.
func finite(lo, hi float64) bool {
	return !math.IsInf(lo, 0) && !math.IsInf(hi, 0) && !math.IsNaN(lo) && !math.IsNaN(hi) && lo <= hi
}

// hourLabel prints hours as "6" or "0:15".
func hourLabel(h float64) string {
	m := int(math.Round(h * 60))
	if m%60 == 0 {
		return strconv.Itoa(m / 60)
	}
	return fmt.Sprintf("%d:%02d", m/60, m%60)
}

// countTicks marks integer counts: major ticks, labelled, every 1, 2 or
// 5 × 10^k, k ≥ 0, the least with at most 6 steps over the range, and
// minor ones
// between at a fifth or a half of that step when it is an integer.
type countTicks struct{}

// Ticks returns the ticks over [lo, hi].
func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo, hi) {
		return nil
	}
	step := 1.0
	for pow := 1.0; ; pow *= 10 {
		if (hi-lo)/pow <= 6 {
			step = pow
			break
		}
		if (hi-lo)/(2*pow) <= 6 {
			step = 2 * pow
			break
		}
		if (hi-lo)/(5*pow) <= 6 {
			step = 5 * pow
			break
		}
	}
	minor := step / 5
	if minor != math.Trunc(minor) {
		minor = step / 2
	}
	if minor != math.Trunc(minor) || minor < 1 {
		minor = step
	}
	var out []plot.Tick
	for k := math.Ceil(lo / minor); k*minor <= hi; k++ {
		v := k * minor
		if v == 0 {
			v = 0 // not -0
		}
		t := plot.Tick{Value: v}
		if math.Mod(v, step) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', 0, 64)
		}
		out = append(out, t)
	}
	return out
}

// duration prints d as "24h", "90m" or "1m30s".
func duration(d time.Duration) string {
	s := d.String()
	for _, suf := range []string{"m0s", "h0m"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			s = s[:len(s)-len(suf)+1]
		}
	}
	return s
}

// lineAndBand returns the line through the samples' values and the band
// of their lows and highs: sample i's low and high hold over
// [times[i-1], times[i]], so the band is a step outline, a rectangle per
// sample interval, which contains the line (both ends of a segment are
// in its interval's range). Points in the middle of a horizontal run are
// left out (they draw nothing), so a series that seldom changes is small.
func lineAndBand(times []time.Duration, v report.Samples) (line, band plotter.XYs) {
	n := len(times)
	x := func(i int) float64 { return times[i].Hours() }
	for i := range n {
		line = append(line, plotter.XY{X: x(i), Y: float64(v.Values[i])})
	}
	band = append(band, plotter.XY{X: x(0), Y: float64(v.High[0])})
	for i := 1; i < n; i++ {
		band = append(band, plotter.XY{X: x(i - 1), Y: float64(v.High[i])}, plotter.XY{X: x(i), Y: float64(v.High[i])})
	}
	for i := n - 1; i >= 1; i-- {
		band = append(band, plotter.XY{X: x(i), Y: float64(v.Low[i])}, plotter.XY{X: x(i - 1), Y: float64(v.Low[i])})
	}
	band = append(band, plotter.XY{X: x(0), Y: float64(v.Low[0])})
	return simplify(line), simplify(band)
}

// simplify drops the points between two of the same y on either side
// with the same y: the middle of a horizontal run.
func simplify(pts plotter.XYs) plotter.XYs {
	if len(pts) < 3 {
		return pts
	}
	out := plotter.XYs{pts[0]}
	for i := 1; i < len(pts)-1; i++ {
		if pts[i].Y == out[len(out)-1].Y && pts[i].Y == pts[i+1].Y {
			continue
		}
		out = append(out, pts[i])
	}
	return append(out, pts[len(pts)-1])
}
