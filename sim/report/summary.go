package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/daemonsim/daemonsim/daemonset"
)

// Summary is a run's figures from Start to End. In JSON every field has
// the lowerCamel name given by its tag; durations are seconds (fields
// ending in "Seconds"), times RFC 3339, shares in [0, 1].
type Summary struct {
	// Start and End bound the run (virtual times); DurationSeconds is
	// End − Start.
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	DurationSeconds float64   `json:"durationSeconds"`
	// DaemonSets are every DaemonSet seen, by namespace then name.
	DaemonSets []DaemonSetSummary `json:"daemonSets"`
	// Workload counts the pods no DaemonSet controls (ReplicaSet pods and
	// bare pods).
	Workload PodCounts `json:"workload"`
	// DaemonPending and WorkloadPending are the times from a pod's
	// creation to its binding, over the pods bound during the run.
	DaemonPending   Percentiles `json:"daemonPending"`
	WorkloadPending Percentiles `json:"workloadPending"`
	// Nodes are the nodes by their Ready condition over time.
	Nodes NodeSummary `json:"nodes"`
}

// DaemonSetSummary is one DaemonSet's figures.
type DaemonSetSummary struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Coverage is the share of eligible nodes covered by an available
	// daemon pod: status.numberAvailable / status.desiredNumberScheduled
	// (capped at 1), as the DaemonSet controller last wrote it.
	Coverage Coverage  `json:"coverage"`
	Pods     PodCounts `json:"pods"`
	// Rollouts are the rollouts the rollout reporter recorded, oldest
	// first (empty without a RolloutsFunc).
	Rollouts []Rollout `json:"rollouts"`
}

// Coverage is a DaemonSet's coverage over time. Only time during which the
// DaemonSet existed with desiredNumberScheduled > 0 counts (CountedSeconds):
// a DaemonSet with no eligible node is neither covered nor not.
type Coverage struct {
	// Mean is the time-weighted mean share; Min the lowest share held for
	// a positive time (a value written and replaced at one instant does
	// not count). Both are 1 when nothing was counted.
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	// BelowFullSeconds is the time the share was below 1.
	BelowFullSeconds float64 `json:"belowFullSeconds"`
	CountedSeconds   float64 `json:"countedSeconds"`
	// Final is the share at End (1 when the DaemonSet has no eligible node
	// or is gone).
	Final float64 `json:"final"`
	// The per-node figures, from the observer's own account of each node
	// rather than the status: a node is uncovered while it is eligible
	// (daemonset.NodeShouldRunDaemonPod's shouldRun) and no pod the
	// DaemonSet controls is available on it (Ready, not terminal, for
	// minReadySeconds). NodesUncovered is how many nodes were uncovered
	// for a positive time; WorstNode is the one uncovered longest
	// (the first by name among equals), WorstNodeUncoveredSeconds its total
	// uncovered time over the run. WorstNode is "" and the seconds 0 when
	// no node was uncovered.
	NodesUncovered            int     `json:"nodesUncovered"`
	WorstNode                 string  `json:"worstNode"`
	WorstNodeUncoveredSeconds float64 `json:"worstNodeUncoveredSeconds"`
}

// PodCounts counts pods created and pods disrupted, each pod once, by the
// reason of the first DisruptionTarget condition it carried (set by
// whoever deleted it: a pod being deleted by preemption, taint eviction,
// the eviction API or pod GC), and pods that went Failed without one.
type PodCounts struct {
	Created int `json:"created"`
	// Preempted: reason PreemptionByScheduler.
	Preempted int `json:"preempted"`
	// TaintEvicted: DeletionByTaintManager (the taint eviction controller).
	TaintEvicted int `json:"taintEvicted"`
	// APIEvicted: EvictionByEvictionAPI (kubectl drain's evictions).
	APIEvicted int `json:"apiEvicted"`
	// PodGCDeleted: DeletionByPodGC (pods of a deleted node).
	PodGCDeleted int `json:"podGCDeleted"`
	// OtherDisrupted: any other reason.
	OtherDisrupted int `json:"otherDisrupted"`
	// Failed: pods that turned Failed with no DisruptionTarget condition
	// (a failed container, Cluster.Fail).
	Failed int `json:"failed"`
}

// Percentiles summarises durations: nearest-rank percentiles (the
// smallest value with at least p% of the values at or below it) and the
// maximum, in seconds; all zero when Count is 0.
type Percentiles struct {
	Count      int     `json:"count"`
	P50Seconds float64 `json:"p50Seconds"`
	P90Seconds float64 `json:"p90Seconds"`
	P99Seconds float64 `json:"p99Seconds"`
	MaxSeconds float64 `json:"maxSeconds"`
}

// NodeSummary is the nodes by Ready condition status over time: True,
// False, Unknown, and nodes with no Ready condition.
type NodeSummary struct {
	Ready       NodeCount `json:"ready"`
	NotReady    NodeCount `json:"notReady"`
	Unknown     NodeCount `json:"unknown"`
	NoCondition NodeCount `json:"noCondition"`
}

// NodeCount is how many nodes were in one state: the time-weighted mean,
// the least and most held for a positive time, the count at End, and the
// node-hours spent in it.
type NodeCount struct {
	Mean      float64 `json:"mean"`
	Min       int     `json:"min"`
	Max       int     `json:"max"`
	Final     int     `json:"final"`
	NodeHours float64 `json:"nodeHours"`
}

// Rollout is one daemonset.RolloutReport.
type Rollout struct {
	Revision int64  `json:"revision"`
	Hash     string `json:"hash"`
	// StartSeconds is from the run's Start; DurationSeconds is 0 and
	// Finished false while it runs.
	StartSeconds    float64 `json:"startSeconds"`
	DurationSeconds float64 `json:"durationSeconds"`
	Finished        bool    `json:"finished"`
	Superseded      bool    `json:"superseded"`
	MaxUnavailable  int     `json:"maxUnavailable"`
	MaxSurge        int     `json:"maxSurge"`
	PeakUnavailable int     `json:"peakUnavailable"`
	Replaced        int     `json:"replaced"`
	// NodesDown is how many nodes spent time without a ready daemon pod
	// during the rollout; the downtime figures are over them.
	NodesDown           int     `json:"nodesDown"`
	DowntimeSeconds     float64 `json:"downtimeSeconds"`
	MeanDowntimeSeconds float64 `json:"meanDowntimeSeconds"`
	MaxDowntimeSeconds  float64 `json:"maxDowntimeSeconds"`
}

// Summary returns the figures from the observer's start to end (normally
// the engine's Now after the run), with each DaemonSet's rollouts from
// rollouts (nil: none). It does not change the observer: a run can go on
// and be summarised again. end before a settled change is treated as
// that change's instant. Cost: O(DaemonSets × nodes seen + P log P) for P
// bound pods (the worst node is a scan; the percentiles sort copies). The Summary is the caller's.
func (o *Observer) Summary(end time.Time, rollouts RolloutsFunc) Summary {
	s := Summary{Start: o.start, End: end, DurationSeconds: end.Sub(o.start).Seconds(), Workload: o.workload,
		DaemonSets: []DaemonSetSummary{}}
	order := make([]*dsStats, len(o.ds))
	copy(order, o.ds)
	slices.SortFunc(order, func(a, b *dsStats) int {
		return cmp.Or(cmp.Compare(a.namespace, b.namespace), cmp.Compare(a.name, b.name))
	})
	for _, d := range order {
		var worst time.Duration
		integ := d.integ
		if d.started {
			integ.add(d.settled, end.Sub(d.since))
		}
		cov := Coverage{Mean: 1, Min: 1, Final: 1, CountedSeconds: integ.counted.Seconds(), BelowFullSeconds: integ.below.Seconds()}
		if integ.counted > 0 {
			cov.Mean = 1 - integ.deficit/integ.counted.Seconds()
		}
		if integ.seen {
			cov.Min = integ.min
		}
		if d.started && d.settled.desired > 0 {
			cov.Final = ratio(d.settled)
		}
		cov.WorstNode, worst, cov.NodesUncovered = o.worstNode(d, end)
		cov.WorstNodeUncoveredSeconds = worst.Seconds()
		ds := DaemonSetSummary{Namespace: d.namespace, Name: d.name, Coverage: cov, Pods: d.counts, Rollouts: []Rollout{}}
		if rollouts != nil {
			for _, r := range rollouts(d.namespace, d.name) {
				ds.Rollouts = append(ds.Rollouts, rolloutOf(o.start, &r))
			}
		}
		s.DaemonSets = append(s.DaemonSets, ds)
	}
	s.DaemonPending = percentiles(o.daemonWaits)
	s.WorkloadPending = percentiles(o.workloadWaits)
	integ, lo, hi, seen := o.nodes.integ, o.nodes.lo, o.nodes.hi, o.nodes.seen
	o.nodes.integrate(end, &integ, &lo, &hi, &seen)
	span := end.Sub(o.start).Seconds()
	count := func(i int) NodeCount {
		c := NodeCount{Min: lo[i], Max: hi[i], Final: o.nodes.settled[i], NodeHours: integ[i] / 3600}
		if span > 0 {
			c.Mean = integ[i] / span
		}
		return c
	}
	s.Nodes = NodeSummary{Ready: count(nodeReady), NotReady: count(nodeNotReady), Unknown: count(nodeUnknown),
		NoCondition: count(nodeNoCondition)}
	return s
}

func rolloutOf(start time.Time, r *daemonset.RolloutReport) Rollout {
	total, mean, maxd := r.DowntimeStats()
	out := Rollout{Revision: r.Revision, Hash: r.Hash, StartSeconds: r.Start.Sub(start).Seconds(),
		Finished: !r.End.IsZero(), Superseded: r.Superseded, MaxUnavailable: r.MaxUnavailable, MaxSurge: r.MaxSurge,
		PeakUnavailable: r.PeakUnavailable, Replaced: r.Replaced, NodesDown: len(r.Downtime),
		DowntimeSeconds: total.Seconds(), MeanDowntimeSeconds: mean.Seconds(), MaxDowntimeSeconds: maxd.Seconds()}
	if out.Finished {
		out.DurationSeconds = r.Duration().Seconds()
	}
	return out
}

// percentiles sorts a copy of ws.
func percentiles(ws []time.Duration) Percentiles {
	if len(ws) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(ws)
	slices.Sort(s)
	rank := func(p int) float64 {
		i := (p*len(s)+99)/100 - 1 // ceil(p/100 × n) − 1
		return s[max(i, 0)].Seconds()
	}
	return Percentiles{Count: len(s), P50Seconds: rank(50), P90Seconds: rank(90), P99Seconds: rank(99),
		MaxSeconds: s[len(s)-1].Seconds()}
}

// WriteJSON writes s as one indented JSON object and a newline.
func (s *Summary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// secs renders seconds as a duration rounded to the millisecond.
func secs(v float64) string {
	return time.Duration(v * float64(time.Second)).Round(time.Millisecond).String()
}

func pct(v float64) string { return fmt.Sprintf("%.3f%%", 100*v) }

// WriteText writes s as tables, kubectl-style upper-case columns: the
// DaemonSets' coverage and pod counts, the workload's pod counts, the
// pending times, the nodes by Ready status and the rollouts.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	fmt.Fprintf(tw, "run: %s of simulated time\n\n", secs(s.DurationSeconds))
	line("DAEMONSET", "MEAN-COVERAGE", "MIN-COVERAGE", "BELOW-100%", "FINAL", "NODES-UNCOVERED", "WORST-NODE", "WORST-UNCOVERED")
	for _, d := range s.DaemonSets {
		c := &d.Coverage
		worst := c.WorstNode
		if worst == "" {
			worst = "<none>"
		}
		line(d.Namespace+"/"+d.Name, pct(c.Mean), pct(c.Min), secs(c.BelowFullSeconds), pct(c.Final),
			fmt.Sprint(c.NodesUncovered), worst, secs(c.WorstNodeUncoveredSeconds))
	}
	line()
	line("PODS", "CREATED", "PREEMPTED", "TAINT-EVICTED", "API-EVICTED", "POD-GC", "OTHER", "FAILED")
	counts := func(name string, c PodCounts) {
		line(name, fmt.Sprint(c.Created), fmt.Sprint(c.Preempted), fmt.Sprint(c.TaintEvicted), fmt.Sprint(c.APIEvicted),
			fmt.Sprint(c.PodGCDeleted), fmt.Sprint(c.OtherDisrupted), fmt.Sprint(c.Failed))
	}
	for _, d := range s.DaemonSets {
		counts(d.Namespace+"/"+d.Name, d.Pods)
	}
	counts("workload", s.Workload)
	line()
	line("PENDING", "BOUND", "P50", "P90", "P99", "MAX")
	for _, p := range []struct {
		name string
		p    Percentiles
	}{{"daemon pods", s.DaemonPending}, {"workload pods", s.WorkloadPending}} {
		line(p.name, fmt.Sprint(p.p.Count), secs(p.p.P50Seconds), secs(p.p.P90Seconds), secs(p.p.P99Seconds), secs(p.p.MaxSeconds))
	}
	line()
	line("NODES", "MEAN", "MIN", "MAX", "FINAL", "NODE-HOURS")
	for _, n := range []struct {
		name string
		c    NodeCount
	}{{"Ready", s.Nodes.Ready}, {"NotReady", s.Nodes.NotReady}, {"Unknown", s.Nodes.Unknown}, {"no condition", s.Nodes.NoCondition}} {
		line(n.name, fmt.Sprintf("%.1f", n.c.Mean), fmt.Sprint(n.c.Min), fmt.Sprint(n.c.Max), fmt.Sprint(n.c.Final),
			fmt.Sprintf("%.1f", n.c.NodeHours))
	}
	shown := false
	for _, d := range s.DaemonSets {
		for _, r := range d.Rollouts {
			if !shown {
				line()
				line("ROLLOUT", "REVISION", "START", "DURATION", "MAX-UNAVAILABLE", "PEAK-UNAVAILABLE", "REPLACED", "NODES-DOWN", "MEAN-DOWN", "MAX-DOWN")
				shown = true
			}
			dur := secs(r.DurationSeconds)
			switch {
			case r.Superseded:
				dur = "superseded"
			case !r.Finished:
				dur = "running"
			}
			line(d.Namespace+"/"+d.Name, fmt.Sprint(r.Revision), secs(r.StartSeconds), dur, fmt.Sprint(r.MaxUnavailable),
				fmt.Sprint(r.PeakUnavailable), fmt.Sprint(r.Replaced), fmt.Sprint(r.NodesDown), secs(r.MeanDowntimeSeconds),
				secs(r.MaxDowntimeSeconds))
		}
	}
	return tw.Flush()
}
