package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"text/tabwriter"
)

// Stats summarise one figure over a group's runs.
type Stats struct {
	// Count is the runs that gave the figure.
	Count int `json:"count"`
	// Mean and StdDev (the sample standard deviation, 0 for one run).
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stdDev"`
	// CI95 is the half-width of the 95% confidence interval of the mean:
	// t(0.975, Count−1) × StdDev / √Count; 0 when Count is 1.
	CI95 float64 `json:"ci95"`
	// Nearest-rank percentiles, the minimum and the maximum.
	Min float64 `json:"min"`
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// FigureStats is one figure's name and Stats.
type FigureStats struct {
	Name string `json:"name"`
	Stats
}

// Group is the runs of one value combination.
type Group struct {
	Params Values `json:"params"`
	// Runs is the results in the group; Seeds their seeds, in index order.
	Runs  int      `json:"runs"`
	Seeds []uint64 `json:"seeds"`
	// Figures are every figure any run of the group gave, sorted by name.
	Figures []FigureStats `json:"figures"`
}

// Figure returns the group's stats of the figure name, and whether any run
// gave it. O(log figures).
func (g *Group) Figure(name string) (Stats, bool) {
	i := sort.Search(len(g.Figures), func(i int) bool { return g.Figures[i].Name >= name })
	if i < len(g.Figures) && g.Figures[i].Name == name {
		return g.Figures[i].Stats, true
	}
	return Stats{}, false
}

// Summary is a sweep's aggregate.
type Summary struct {
	Sweep string `json:"sweep"`
	// Runs is the results aggregated.
	Runs int `json:"runs"`
	// Groups are the value combinations, in the order of their first run.
	Groups []Group `json:"groups"`
}

// Aggregate groups results by their parameter values and summarises each
// figure per group (see Stats). It sorts a copy of results by index first
// and computes in that order, so the same results, however they were
// split or ordered, give an equal Summary, bit for bit. Errors: a run
// index given twice. The Summary is new and the caller's. O(R log R) for R
// results.
func Aggregate(results []Result) (Summary, error) {
	rs := append([]Result(nil), results...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Index < rs[j].Index })
	for i := 1; i < len(rs); i++ {
		if rs[i].Index == rs[i-1].Index {
			return Summary{}, fmt.Errorf("aggregate: run %d is given twice", rs[i].Index)
		}
	}
	s := Summary{Runs: len(rs)}
	if len(rs) > 0 {
		s.Sweep = rs[0].Sweep
	}
	groupOf := map[string]int{}
	var members [][]Result
	for _, r := range rs {
		key := r.Params.String()
		g, ok := groupOf[key]
		if !ok {
			g = len(s.Groups)
			groupOf[key] = g
			s.Groups = append(s.Groups, Group{Params: r.Params})
			members = append(members, nil)
		}
		members[g] = append(members[g], r)
	}
	for g := range s.Groups {
		grp := &s.Groups[g]
		grp.Runs = len(members[g])
		grp.Seeds = make([]uint64, 0, grp.Runs)
		names := map[string]bool{}
		for _, r := range members[g] {
			grp.Seeds = append(grp.Seeds, r.Seed)
			for name := range r.Figures { //detlint:allow a set; sorted below
				names[name] = true
			}
		}
		sorted := make([]string, 0, len(names))
		for name := range names { //detlint:allow sorted below
			sorted = append(sorted, name)
		}
		sort.Strings(sorted)
		for _, name := range sorted {
			var xs []float64
			for _, r := range members[g] {
				if v, ok := r.Figures[name]; ok {
					xs = append(xs, v)
				}
			}
			grp.Figures = append(grp.Figures, FigureStats{Name: name, Stats: Describe(xs)})
		}
	}
	return s, nil
}

// Describe returns the Stats of xs, summed in the order given (so the
// same xs in the same order give the same bits). Zero Stats for no values.
// xs is not modified. O(n log n).
func Describe(xs []float64) Stats {
	n := len(xs)
	if n == 0 {
		return Stats{}
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(n)
	st := Stats{Count: n, Mean: mean}
	if n > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		st.StdDev = math.Sqrt(ss / float64(n-1))
		st.CI95 = TQuantile(0.975, n-1) * st.StdDev / math.Sqrt(float64(n))
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	st.Min, st.Max = sorted[0], sorted[n-1]
	st.P50, st.P90, st.P99 = nearestRank(sorted, 50), nearestRank(sorted, 90), nearestRank(sorted, 99)
	return st
}

// nearestRank is the smallest value of sorted with at least p% of the
// values at or below it.
func nearestRank(sorted []float64, p int) float64 {
	rank := (p*len(sorted) + 99) / 100 // ⌈p·n/100⌉
	return sorted[max(rank, 1)-1]
}

// WriteJSON writes s as one indented JSON object and a newline. Floats are
// written as the shortest decimal that reads back as the same float64.
func (s *Summary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes s as one table per group, a title line naming the
// group's parameters and runs, then one row per figure: FIGURE, N, MEAN,
// ±95%, P50, P90, P99, MIN, MAX, numbers with fixed decimals.
// figures, if given, are the rows and their order (a figure no run gave
// is left out); else every figure, by name.
func (s *Summary) WriteText(w io.Writer, figures ...string) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for i, g := range s.Groups {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		title := g.Params.String()
		if title == "" {
			title = "all runs"
		}
		fmt.Fprintf(tw, "%s (%d runs)\n", title, g.Runs)
		fmt.Fprintln(tw, "FIGURE\tN\tMEAN\t±95%\tP50\tP90\tP99\tMIN\tMAX")
		names := figures
		if len(names) == 0 {
			for _, f := range g.Figures {
				names = append(names, f.Name)
			}
		}
		for _, name := range names {
			st, ok := g.Figure(name)
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, st.Count, num(st.Mean), num(st.CI95),
				num(st.P50), num(st.P90), num(st.P99), num(st.Min), num(st.Max))
		}
	}
	return tw.Flush()
}

// num formats v with three decimals.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
