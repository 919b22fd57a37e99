package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/daemonsim/daemonsim/sim/sweep"
)

// Scale is how an axis of a sweep chart maps values.
type Scale int

const (
	// ScaleAuto is ScaleLog when every value of the axis is positive and
	// the greatest is at least 20 times the least, else ScaleLinear.
	ScaleAuto Scale = iota
	// ScaleLinear spaces values evenly.
	ScaleLinear
	// ScaleLog spaces powers evenly; every value must be positive.
	ScaleLog
)

// SweepAxis is one axis of a sweep chart: the figure it shows and how.
type SweepAxis struct {
	// Figure is the figure's name in the results ("rolloutSeconds").
	Figure string
	// Label is the axis text, with the unit ("peak unavailability (pods)");
	// on a log axis ", log scale" is added in the parentheses (or
	// " (log scale)" after a label without). Empty: Figure. A label wider
	// than the panel narrows the panel (gonum fits it in).
	Label string
	// Seconds says the figure is in seconds: the ticks are labelled as
	// durations ("30 s", "5 min", "2 h"), which carry the unit.
	Seconds bool
	// Scale is the axis' scale; the zero value is ScaleAuto.
	Scale Scale
}

// SweepSpec is what a sweep chart shows.
type SweepSpec struct {
	// Title is the chart's title (it may be empty).
	Title string
	// Group is the parameter whose values the series are: one colour and
	// marker per value, in the order of the runs. If other parameters vary
	// too, each combination is a series of its own, coloured by its Group
	// value, marked by the combination of the others.
	Group string
	// X and Y are the axes of the scatter: one point per run, and per
	// series the mean with its 95% confidence interval on both axes.
	X, Y SweepAxis
	// Finished, if set, is a figure that is 0 for a run whose X and Y are
	// lower bounds (a rollout cut off by the end of its run): such runs
	// are drawn hollow, and the subtitle says so.
	Finished string
	// ByGroup adds a second panel on the right: Y per series (the swept
	// parameter against the figure), each run a point, with the mean and
	// its 95% confidence interval.
	ByGroup bool
}

// Layout of a sweep chart, in points.
const (
	sweepHeight      = 7 * vg.Inch
	sweepTitle       = 0.85 * vg.Inch
	sweepLegendWidth = 2.0 * vg.Inch
	sweepGroupWidth  = 2.7 * vg.Inch
	runRadius        = 3
	meanRadius       = 6
)

// series is the runs of one parameter value combination.
type series struct {
	label    string
	color    color.RGBA
	shape    int
	xs, ys   []float64 // per run, in index order
	lower    []bool    // the run's values are lower bounds
	x, y     sweep.Stats
	category string // the tick label in the by-group panel
}

// Sweep writes a chart of results as SVG to w: per run a marker at
// (spec.X, spec.Y), small and translucent, hollow for a run spec.Finished
// marks unfinished; per series (value of spec.Group) a large outlined
// marker at the means with bars over the 95% confidence intervals of the mean (sweep's
// Stats.CI95) on both axes; a legend of the series on the right; and, with
// spec.ByGroup, a second panel of Y per series. The results are taken in
// index order (as sweep.Aggregate does), so the same results in any order
// give the same bytes. Errors, before anything is written: no results; a
// result without the parameter spec.Group or one of the figures (named,
// with the run and what it has); a value that is not finite, or not
// positive on a log axis. A write error of w. Cost: O(R log R) for R runs.
//
// The layout is fixed: 10 × 7 inches, the scatter, the by-group panel
// (2.7 inches) and the legend (2 inches) side by side, fonts as Run's.
// The bytes are the same for the same results and spec (see Output in the
// package doc, which holds here too).
//
// What is partial:
//   - The mean is the arithmetic mean (the table's), also on a log axis;
//     an interval end at or below 0 on a log axis is drawn to the axis'
//     edge, and an interval is not drawn for a series of one run (0).
//   - Runs of equal values overlap: the scatter shows them as one marker
//     (the by-group panel sets a series' runs side by side).
//   - The mean and interval of a series with runs spec.Finished marks
//     unfinished include their lower bounds, as the table's do.
//   - Colours repeat after 7 series and shapes after 4; a by-group tick
//     label of several lines (other parameters varying) makes that panel's
//     plot shorter than the scatter's.
func Sweep(w io.Writer, results []sweep.Result, spec SweepSpec) error {
	ss, runs, err := seriesOf(results, spec)
	if err != nil {
		return err
	}
	xlog, err := logScale(spec.X, "x", ss, func(s *series) []float64 { return s.xs })
	if err != nil {
		return err
	}
	ylog, err := logScale(spec.Y, "y", ss, func(s *series) []float64 { return s.ys })
	if err != nil {
		return err
	}
	canvas := vgsvg.New(width, sweepHeight)
	dc := draw.New(canvas)

	titleStyle := text.Style{Color: color.Black, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YTop}
	sub := titleStyle
	sans(&titleStyle, 14, true)
	sans(&sub, 9, false)
	dc.FillText(titleStyle, vg.Point{X: width / 2, Y: sweepHeight - 0.1*vg.Inch}, spec.Title)
	seeds := ""
	if n := len(ss[0].xs); allRuns(ss, n) {
		seeds = fmt.Sprintf(" (%d seeds each)", n)
	}
	dc.FillText(sub, vg.Point{X: width / 2, Y: sweepHeight - 0.34*vg.Inch},
		fmt.Sprintf("%d runs, %d values of %s%s; small markers: one run each", runs, len(ss), spec.Group, seeds)+hollowNote(spec))
	dc.FillText(sub, vg.Point{X: width / 2, Y: sweepHeight - 0.52*vg.Inch},
		"large outlines: the mean; bars: its 95% confidence interval (Student's t over the seeds)")

	xr, yr := span(ss, true, xlog), span(ss, false, ylog)
	scatter := newSweepPlot(spec.X, xlog, xr, spec.Y, ylog, yr)
	scatter.Title.Text = axisName(spec.Y) + " against " + axisName(spec.X)
	scatter.Add(&sweepLayer{series: ss})

	legend := plot.NewLegend()
	sans(&legend.TextStyle, 9, false)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = 0.3 * vg.Inch
	legend.Padding = 3
	for i := range ss {
		legend.Add(ss[i].label, thumb{s: &ss[i]})
	}

	right := width - sweepLegendWidth
	body := draw.Crop(dc, 0.1*vg.Inch, -sweepLegendWidth, 0.1*vg.Inch, -sweepTitle)
	if spec.ByGroup {
		byGroup := newSweepPlot(SweepAxis{Label: spec.Group}, false, [2]float64{-0.5, float64(len(ss)) - 0.5}, spec.Y, ylog, yr)
		byGroup.Title.Text = "per " + spec.Group
		byGroup.ylabel = ""
		var ticks []plot.Tick
		for i := range ss {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: ss[i].category})
		}
		byGroup.X.Tick.Marker = plot.ConstantTicks(ticks)
		byGroup.Add(&sweepLayer{series: ss, byGroup: true})
		body = draw.Crop(dc, 0.1*vg.Inch, -sweepLegendWidth-sweepGroupWidth, 0.1*vg.Inch, -sweepTitle)
		drawPanel(body, scatter)
		second := draw.Crop(dc, right-sweepGroupWidth+0.15*vg.Inch, -sweepLegendWidth, 0.1*vg.Inch, -sweepTitle)
		drawPanel(second, byGroup)
	} else {
		drawPanel(body, scatter)
	}
	strip := body
	strip.Min.X, strip.Max.X = right+0.1*vg.Inch, width
	strip.Max.Y -= scatter.Title.TextStyle.Rectangle(scatter.Title.Text).Size().Y + 4
	legend.Draw(strip)

	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return err
	}
	out := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
	_, err = w.Write(out)
	return err
}

// allRuns reports whether every series has n runs.
func allRuns(ss []series, n int) bool {
	for _, s := range ss {
		if len(s.xs) != n {
			return false
		}
	}
	return true
}

func hollowNote(spec SweepSpec) string {
	if spec.Finished == "" {
		return ""
	}
	return "; hollow: runs whose " + spec.Finished + " is 0 (their values are lower bounds)"
}

// axisName is the axis' label without its unit (the text before " (").
func axisName(a SweepAxis) string {
	l := a.Label
	if l == "" {
		l = a.Figure
	}
	if i := strings.Index(l, " ("); i > 0 {
		l = l[:i]
	}
	return l
}

// seriesOf groups results by parameter value combination, in index order,
// and checks the figures; it returns the series and the number of runs.
func seriesOf(results []sweep.Result, spec SweepSpec) ([]series, int, error) {
	if len(results) == 0 {
		return nil, 0, errors.New("results: none")
	}
	rs := append([]sweep.Result(nil), results...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index < rs[j].Index })
	// the parameters other than Group that take more than one value
	varies := map[string]bool{}
	first := map[string]string{}
	for _, r := range rs {
		if _, ok := r.Params.Get(spec.Group); !ok {
			names := make([]string, 0, len(r.Params))
			for _, v := range r.Params {
				names = append(names, v.Name)
			}
			return nil, 0, fmt.Errorf("run %d: no parameter %q (parameters: %s)", r.Index, spec.Group, strings.Join(names, ", "))
		}
		for _, v := range r.Params {
			if f, ok := first[v.Name]; !ok {
				first[v.Name] = v.Value
			} else if f != v.Value && v.Name != spec.Group {
				varies[v.Name] = true
			}
		}
	}
	figures := []struct {
		axis, name string
	}{{"x", spec.X.Figure}, {"y", spec.Y.Figure}}
	if spec.Finished != "" {
		figures = append(figures, struct{ axis, name string }{"finished", spec.Finished})
	}
	var ss []series
	index := map[string]int{}
	groupIndex, restIndex := map[string]int{}, map[string]int{}
	for _, r := range rs {
		vals := make([]float64, len(figures))
		for i, f := range figures {
			v, ok := r.Figures[f.name]
			if !ok {
				names := make([]string, 0, len(r.Figures))
				for n := range r.Figures { //detlint:allow sorted below
					names = append(names, n)
				}
				sort.Strings(names)
				return nil, 0, fmt.Errorf("run %d: no figure %q for the %s axis (figures: %s)", r.Index, f.name, f.axis, strings.Join(names, ", "))
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("run %d: figure %q is %v", r.Index, f.name, v)
			}
			vals[i] = v
		}
		key := r.Params.String()
		k, ok := index[key]
		if !ok {
			g, _ := r.Params.Get(spec.Group)
			var rest []string
			for _, v := range r.Params {
				if varies[v.Name] {
					rest = append(rest, v.Name+"="+v.Value)
				}
			}
			gi, ok := groupIndex[g]
			if !ok {
				gi = len(groupIndex)
				groupIndex[g] = gi
			}
			restKey := strings.Join(rest, ", ")
			ri, ok := restIndex[restKey]
			if !ok {
				ri = len(restIndex)
				restIndex[restKey] = ri
			}
			s := series{label: spec.Group + "=" + g, color: palette[gi%len(palette)], shape: gi % len(shapes), category: g}
			if len(rest) > 0 {
				s.label += ", " + restKey
				s.category += "\n" + strings.Join(rest, "\n")
				s.shape = ri % len(shapes)
			}
			k = len(ss)
			index[key] = k
			ss = append(ss, s)
		}
		s := &ss[k]
		s.xs, s.ys = append(s.xs, vals[0]), append(s.ys, vals[1])
		s.lower = append(s.lower, spec.Finished != "" && vals[2] == 0)
	}
	for i := range ss {
		ss[i].x, ss[i].y = sweep.Describe(ss[i].xs), sweep.Describe(ss[i].ys)
	}
	return ss, len(rs), nil
}

// logScale decides whether the axis is a log one, and checks its values.
func logScale(a SweepAxis, name string, ss []series, values func(*series) []float64) (bool, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range ss {
		for _, v := range values(&ss[i]) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	switch a.Scale {
	case ScaleLinear:
		return false, nil
	case ScaleLog:
		if lo <= 0 {
			return false, fmt.Errorf("%s axis (figure %q): log scale, but a value is %v", name, a.Figure, lo)
		}
		return true, nil
	case ScaleAuto:
		return lo > 0 && hi >= 20*lo, nil
	}
	return false, fmt.Errorf("%s axis (figure %q): scale %d is not a Scale", name, a.Figure, a.Scale)
}

// span is the range of an axis: every run and every interval, padded.
// On a log axis, interval ends at or below 0 are left out (the bar runs
// to the axis' edge).
func span(ss []series, x bool, log bool) [2]float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range ss {
		vs, st := ss[i].ys, ss[i].y
		if x {
			vs, st = ss[i].xs, ss[i].x
		}
		for _, v := range append([]float64{st.Mean - st.CI95, st.Mean + st.CI95}, vs...) {
			if log && v <= 0 {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if log {
		if hi <= lo {
			return [2]float64{lo / 2, hi * 2}
		}
		f := math.Pow(hi/lo, 0.06)
		return [2]float64{lo / f, hi * f}
	}
	if hi <= lo {
		d := math.Max(math.Abs(lo)*0.1, 1)
		return [2]float64{lo - d, hi + d}
	}
	d := (hi - lo) * 0.06
	return [2]float64{lo - d, hi + d}
}

// sweepPlot is a panel: its plot and its axes' labels, which drawPanel
// draws itself (gonum places a label's box at the linear middle of a log
// axis, which shrinks the panel).
type sweepPlot struct {
	*plot.Plot
	xlabel, ylabel string
}

// newSweepPlot is a plot with the axes' ranges, scales, ticks and labels.
func newSweepPlot(xa SweepAxis, xlog bool, xr [2]float64, ya SweepAxis, ylog bool, yr [2]float64) sweepPlot {
	p := plot.New()
	sans(&p.Title.TextStyle, 10, true)
	p.Title.Padding = 4
	for _, ax := range []struct {
		axis *plot.Axis
		spec SweepAxis
		log  bool
		r    [2]float64
	}{{&p.X, xa, xlog, xr}, {&p.Y, ya, ylog, yr}} {
		sans(&ax.axis.Tick.Label, 8, false)
		sans(&ax.axis.Label.TextStyle, 9, false)
		ax.axis.Padding = 0
		ax.axis.Min, ax.axis.Max = ax.r[0], ax.r[1]
		ax.axis.Tick.Marker = sweepTicks{seconds: ax.spec.Seconds, log: ax.log}
		if ax.log {
			ax.axis.Scale = plot.LogScale{}
		}
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xe0}
	grid.Horizontal.Color = color.Gray{Y: 0xe0}
	p.Add(grid)
	return sweepPlot{Plot: p, xlabel: axisLabel(xa, xlog), ylabel: axisLabel(ya, ylog)}
}

// axisLabel is the text of an axis: its Label (or Figure), with the log
// scale said.
func axisLabel(a SweepAxis, log bool) string {
	l := a.Label
	if l == "" {
		l = a.Figure
	}
	if !log {
		return l
	}
	if in, ok := strings.CutSuffix(l, ")"); ok && strings.Contains(in, " (") {
		return in + ", log scale)"
	}
	return l + " (log scale)"
}

// labelSize is the room an axis label takes.
const labelSize = 0.22 * vg.Inch

// drawPanel draws p in c, its x label under it and its y label (turned a
// quarter) on its left, each centred on the data area.
func drawPanel(c draw.Canvas, p sweepPlot) {
	inner := draw.Crop(c, labelSize, 0, labelSize, 0)
	if p.ylabel == "" {
		inner.Min.X = c.Min.X
	}
	p.Draw(inner)
	data := p.DataCanvas(inner)
	st := text.Style{Color: color.Black, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter, YAlign: draw.YBottom}
	sans(&st, 9, false)
	c.FillText(st, vg.Point{X: (data.Min.X + data.Max.X) / 2, Y: c.Min.Y + 2}, p.xlabel)
	if p.ylabel != "" {
		st.YAlign = draw.YTop
		st.Rotation = math.Pi / 2
		c.FillText(st, vg.Point{X: c.Min.X, Y: (data.Min.Y + data.Max.Y) / 2}, p.ylabel)
	}
}

// sweepLayer draws the series: the intervals, the runs, then the means,
// outlines over the runs.
type sweepLayer struct {
	series  []series
	byGroup bool // x is the series' position, not a figure
}

// Plot draws the layer (plot.Plotter).
func (l *sweepLayer) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	clampX := func(v float64) vg.Length { return tx(math.Min(math.Max(v, p.X.Min), p.X.Max)) }
	clampY := func(v float64) vg.Length { return ty(math.Min(math.Max(v, p.Y.Min), p.Y.Max)) }
	for i := range l.series {
		s := &l.series[i]
		mx := clampX(s.x.Mean)
		if l.byGroup {
			mx = tx(float64(i))
		}
		my := ty(s.y.Mean)
		bar := draw.LineStyle{Color: s.color, Width: 1.6}
		capw := vg.Length(4)
		lo, hi := clampY(s.y.Mean-s.y.CI95), clampY(s.y.Mean+s.y.CI95)
		c.StrokeLines(bar, []vg.Point{{X: mx, Y: lo}, {X: mx, Y: hi}},
			[]vg.Point{{X: mx - capw, Y: lo}, {X: mx + capw, Y: lo}}, []vg.Point{{X: mx - capw, Y: hi}, {X: mx + capw, Y: hi}})
		if !l.byGroup {
			lo, hi := clampX(s.x.Mean-s.x.CI95), clampX(s.x.Mean+s.x.CI95)
			c.StrokeLines(bar, []vg.Point{{X: lo, Y: my}, {X: hi, Y: my}},
				[]vg.Point{{X: lo, Y: my - capw}, {X: lo, Y: my + capw}}, []vg.Point{{X: hi, Y: my - capw}, {X: hi, Y: my + capw}})
		}
	}
	for i := range l.series {
		s := &l.series[i]
		fill := s.color
		fill.A = 0x99
		for k := range s.xs {
			x := clampX(s.xs[k])
			if l.byGroup {
				x = tx(float64(i) + spread(k, len(s.xs)))
			}
			m := marker{shape: s.shape, hollow: s.lower[k]}
			st := draw.GlyphStyle{Color: translucent(fill), Radius: runRadius, Shape: m}
			if m.hollow {
				st.Color = s.color
			}
			c.DrawGlyph(st, vg.Point{X: x, Y: ty(s.ys[k])})
		}
	}
	for i := range l.series {
		s := &l.series[i]
		mx := clampX(s.x.Mean)
		if l.byGroup {
			mx = tx(float64(i))
		}
		drawMean(&c, s, vg.Point{X: mx, Y: ty(s.y.Mean)})
	}
}

// drawMean draws a series' mean marker: a thick outline of its shape
// over a white one, so that it shows over the runs and they through it.
func drawMean(c *draw.Canvas, s *series, pt vg.Point) {
	c.DrawGlyph(draw.GlyphStyle{Color: color.White, Radius: meanRadius, Shape: marker{shape: s.shape, hollow: true, width: 3.6}}, pt)
	c.DrawGlyph(draw.GlyphStyle{Color: s.color, Radius: meanRadius, Shape: marker{shape: s.shape, hollow: true, width: 2}}, pt)
}

// spread is run k of n's offset from its series' position in the
// by-group panel: the runs side by side over 0.6 of the slot, in index
// order.
func spread(k, n int) float64 {
	if n < 2 {
		return 0
	}
	return 0.6 * (float64(k)/float64(n-1) - 0.5)
}

// thumb is a series' legend entry: its mean marker over a bar.
type thumb struct{ s *series }

// Thumbnail draws the entry (plot.Thumbnailer).
func (t thumb) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(draw.LineStyle{Color: t.s.color, Width: 1.6}, c.Min.X, y, c.Max.X, y)
	drawMean(c, t.s, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: y})
}

// shapes are the markers' shapes, in the order series take them.
var shapes = []string{"circle", "square", "triangle", "diamond"}

// marker is a glyph of one of shapes, filled or hollow (an outline
// width points wide, 1.2 if 0).
type marker struct {
	shape  int
	hollow bool
	width  vg.Length
}

// DrawGlyph draws the marker at pt (draw.GlyphDrawer).
func (m marker) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	switch shapes[m.shape%len(shapes)] {
	case "circle":
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	case "square":
		h := r * 0.85
		p.Move(vg.Point{X: pt.X - h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y - h})
		p.Line(vg.Point{X: pt.X + h, Y: pt.Y + h})
		p.Line(vg.Point{X: pt.X - h, Y: pt.Y + h})
	case "triangle":
		t := r * 1.2
		p.Move(vg.Point{X: pt.X, Y: pt.Y + t})
		p.Line(vg.Point{X: pt.X - t*0.866, Y: pt.Y - t*0.5})
		p.Line(vg.Point{X: pt.X + t*0.866, Y: pt.Y - t*0.5})
	case "diamond":
		d := r * 1.2
		p.Move(vg.Point{X: pt.X, Y: pt.Y + d})
		p.Line(vg.Point{X: pt.X - d, Y: pt.Y})
		p.Line(vg.Point{X: pt.X, Y: pt.Y - d})
		p.Line(vg.Point{X: pt.X + d, Y: pt.Y})
	}
	p.Close()
	if m.hollow {
		w := m.width
		if w == 0 {
			w = 1.2
		}
		c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: w})
		c.Stroke(p)
		return
	}
	c.SetColor(sty.Color)
	c.Fill(p)
}

// sweepTicks marks a sweep chart's axis: durations or numbers, on a
// linear or a log scale.
type sweepTicks struct{ seconds, log bool }

// durationSteps are the durations, in seconds, that ticks fall on.
var durationSteps = []float64{1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800,
	3600, 7200, 10800, 21600, 43200, 86400}

// Ticks returns the ticks over [lo, hi] (plot.Ticker).
func (t sweepTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo, hi) {
		return nil
	}
	label := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	if t.seconds {
		label = durationLabel
	}
	if !t.log {
		if !t.seconds {
			return plot.DefaultTicks{}.Ticks(lo, hi)
		}
		step := durationSteps[len(durationSteps)-1]
		for _, s := range durationSteps {
			if (hi-lo)/s <= 8 {
				step = s
				break
			}
		}
		for (hi-lo)/step > 8 {
			step *= 2
		}
		var out []plot.Tick
		for k := math.Ceil(lo / step); k*step <= hi; k++ {
			out = append(out, plot.Tick{Value: k * step, Label: label(k * step)})
		}
		return out
	}
	if lo <= 0 {
		return nil
	}
	// candidates: 1, 2, 5 × 10^k, or the duration steps (then days)
	var fine, medium, coarse []float64
	if t.seconds {
		fine = append(fine, durationSteps...)
		for d := 2 * 86400.0; d <= hi; d *= 2 {
			fine = append(fine, d)
		}
		medium = []float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400}
		for d := 2 * 86400.0; d <= hi; d *= 2 {
			medium = append(medium, d)
		}
		coarse = []float64{1, 10, 60, 600, 3600, 36000, 86400}
		for d := 10 * 86400.0; d <= hi; d *= 10 {
			coarse = append(coarse, d)
		}
		if lo < 1 {
			fine = append(lessThanOne(lo), fine...)
			medium = append(lessThanOne(lo), medium...)
			coarse = append(lessThanOne(lo), coarse...)
		}
	} else {
		for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
			b := math.Pow(10, e)
			fine = append(fine, b, 2*b, 5*b)
			medium = append(medium, b, 3*b)
			coarse = append(coarse, b)
		}
	}
	in := func(vs []float64) []float64 {
		var out []float64
		for _, v := range vs {
			if v >= lo && v <= hi {
				out = append(out, v)
			}
		}
		return out
	}
	major := in(fine)
	var minor []float64
	if len(major) > 9 {
		minor, major = major, in(medium)
		if len(major) > 9 {
			major = in(coarse)
		}
	}
	var out []plot.Tick
	for _, v := range major {
		out = append(out, plot.Tick{Value: v, Label: label(v)})
	}
	for _, v := range minor {
		if !contains(major, v) {
			out = append(out, plot.Tick{Value: v})
		}
	}
	return out
}

// lessThanOne are the powers of ten from lo's up to 0.1.
func lessThanOne(lo float64) []float64 {
	var out []float64
	for e := math.Floor(math.Log10(lo)); e < 0; e++ {
		out = append(out, math.Pow(10, e))
	}
	return out
}

func contains(vs []float64, v float64) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// durationLabel prints seconds as "30 s", "5 min", "1.5 h" or "2 d".
func durationLabel(v float64) string {
	f := func(x float64, unit string) string { return strconv.FormatFloat(x, 'g', 3, 64) + " " + unit }
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a < 60:
		return f(v, "s")
	case a < 3600:
		return f(v/60, "min")
	case a < 2*86400:
		return f(v/3600, "h")
	}
	return f(v/86400, "d")
}
