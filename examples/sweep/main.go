// Command sweep runs the churnday scenario (package examples/churnday/fleet:
// three DaemonSets and workload under a day's kinds of node churn) over
// several values of the node-exporter DaemonSet's maxUnavailable and
// several seeds, rolls node-exporter out an hour into each run, and
// prints per maxUnavailable the rollout's duration, its peak
// unavailability, the nodes it left without a ready exporter and the
// DaemonSet's coverage: mean ± 95% confidence interval and percentiles
// over the seeds (package sim/sweep).
//
//	go run ./examples/sweep                                  # 4 values × 8 seeds, 500 nodes, 6 h
//	go run ./examples/sweep --seeds 20 --workers 8
//	go run ./examples/sweep --max-unavailable 1,10% --nodes 200,1000 --churn 1,4
//	go run ./examples/sweep --shard 0/3 --out shard-0.jsonl   # one shard's results
//	go run ./examples/sweep merge shard-*.jsonl               # the table from the shards
//	go run ./examples/sweep --chart sweep.svg                  # and the chart (package sim/chart)
//
// Each run is a simulation of its own (sim.NewDefault with the run's
// seed), single-threaded; runs go on --workers goroutines at once. The
// table is the same, byte for byte, whatever --workers, and the merge of
// shards prints the same table as one process running every run.
// --chart FILE (of a whole sweep or of merge) also writes an SVG chart:
// per run, the rollout's duration against its peak unavailability, with
// each maxUnavailable's mean and 95% confidence intervals, and the
// duration per maxUnavailable (chart.Sweep; docs/sweep.svg is the default
// sweep's).
// examples/sweep/job.yaml runs the shards as a Kubernetes Indexed Job
// (docs/sweeps.md).
//
// What is partial: a rollout that has not finished by the end of its run
// is counted as lasting to the end (a lower bound; the table says how
// many); the figures are node-exporter's only; the churn factor scales the
// steady, crash and kubelet-stop rates, not the correlated failures or the
// maintenance round; the Dockerfile and job.yaml are checked by tests
// (the Job's arguments parse to the right shards) but were not run on a
// cluster here.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/examples/churnday/fleet"
	"github.com/daemonsim/daemonsim/internal/cli"
	"github.com/daemonsim/daemonsim/internal/progress"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/chart"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/report"
	"github.com/daemonsim/daemonsim/sim/sweep"
	"github.com/daemonsim/daemonsim/sim/trace"
)

const usageText = `sweep runs a churn scenario (three DaemonSets and workload on a cluster
whose nodes come, go, crash and are drained) over values of the
node-exporter DaemonSet's maxUnavailable and over seeds, rolls out a new
node-exporter image an hour into each run, and prints per value the
rollout's duration, its peak unavailability and the DaemonSet's coverage:
mean ± 95% confidence interval and percentiles over the seeds.

Usage:
  go run ./examples/sweep [flags]
  go run ./examples/sweep merge [--json] [--chart FILE] FILE...

Examples:
  # maxUnavailable 1, 5%, 10%, 25% × 8 seeds on 500 nodes for 6 h
  go run ./examples/sweep

  # the table, and a chart of duration against peak unavailability
  go run ./examples/sweep --chart sweep.svg

  # more seeds, other sizes and churn rates (lists are comma-separated)
  go run ./examples/sweep --seeds 20 --nodes 200,1000 --churn 1,4

  # three shards, as three processes or the pods of an Indexed Job,
  # then the table from their files
  go run ./examples/sweep --shard 0/3 --out shard-0.jsonl
  go run ./examples/sweep --shard 1/3 --out shard-1.jsonl
  go run ./examples/sweep --shard 2/3 --out shard-2.jsonl
  go run ./examples/sweep merge shard-0.jsonl shard-1.jsonl shard-2.jsonl

Flags:
      --max-unavailable LIST  node-exporter's maxUnavailable values (default 1,5%,10%,25%)
      --nodes LIST            cluster sizes, nodes at the start (default 500)
      --churn LIST            churn rate factors: the steady, crash and kubelet stop
                              rates times the factor (default 1)
      --hours H               simulated hours of churn per run (default 6)
      --rollout-at H          when node-exporter is rolled out, hours into the churn
                              (default 1)
      --seeds N               seeds per value combination (default 8)
      --first-seed N          the first seed; the seeds are N, N+1, ... (default 1)
      --workers N             simulations at once (default GOMAXPROCS)
      --shard I/N             run shard I of N only (default: the whole sweep; in a pod
                              of an Indexed Job, JOB_COMPLETION_INDEX of JOB_COMPLETIONS
                              or --shards)
      --shards N              the shard count, with JOB_COMPLETION_INDEX
      --shard-mode MODE       modulo (run I, I+N, ...) or blocks (contiguous) (default modulo)
      --out FILE              write the runs' results to FILE as JSON Lines
      --json                  print the aggregate as JSON instead of tables
      --chart FILE            also write an SVG chart of the runs to FILE: rollout
                              duration against peak unavailability per maxUnavailable
                              (not with a shard: chart the merge)
  -h, --help                  print this help

A shard prints no table (its runs are part of the sweep): it writes its
results to --out, or to standard output as JSON Lines. merge reads shard
files, checks that every run is there once, and prints the table (and,
with --chart, writes the chart).
`

// rackSize is the number of nodes per rack label; zones the zone labels.
const (
	rackSize = 40
	zones    = 3
)

// setup is the simulated time the DaemonSets get before the churn starts.
const setup = time.Minute

// sweepName names the sweep in its results.
const sweepName = "examples/sweep: node-exporter rollout under churn"

// The parameters, outermost first.
const (
	paramNodes          = "nodes"
	paramHours          = "hours"
	paramRolloutAt      = "rolloutAtHours"
	paramChurn          = "churn"
	paramMaxUnavailable = "maxUnavailable"
)

// The figures of a run.
const (
	figRolloutSeconds  = "rolloutSeconds"
	figFinished        = "rolloutFinished"
	figMaxUnavailable  = "maxUnavailable"
	figPeakUnavailable = "peakUnavailable"
	figNodesDown       = "nodesDown"
	figMeanDowntime    = "meanDowntimeSeconds"
	figMaxDowntime     = "maxDowntimeSeconds"
	figCoverageMean    = "coverageMean"
	figCoverageMin     = "coverageMin"
	figBelowFull       = "belowFullSeconds"
)

type options struct {
	maxUnavailable []string
	nodes          []string
	churn          []string
	hours          float64
	rolloutAt      float64
	seeds          int
	firstSeed      uint64
	workers        int
	shard          sweep.Shard
	sharded        bool
	out            string
	json           bool
	chart          string   // the chart's file, "" for none
	merge          []string // files, for the merge subcommand
}

var errHelp = cli.ErrHelp

// list splits a comma-separated list.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseFlags(args []string, getenv func(string) string) (*options, error) {
	o := &options{hours: 6, rolloutAt: 1, seeds: 8, firstSeed: 1}
	if len(args) > 0 && args[0] == "merge" {
		fs := flag.NewFlagSet("merge", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Usage = func() {}
		fs.BoolVar(&o.json, "json", false, "")
		fs.StringVar(&o.chart, "chart", "", "")
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, cli.FlagError(err)
		}
		if fs.NArg() == 0 {
			return nil, errors.New("merge: no shard files given")
		}
		o.merge = fs.Args()
		return o, nil
	}
	var mu, nodes, churnList, shard, mode string
	var shards int
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&mu, "max-unavailable", "1,5%,10%,25%", "")
	fs.StringVar(&nodes, "nodes", "500", "")
	fs.StringVar(&churnList, "churn", "1", "")
	fs.Float64Var(&o.hours, "hours", o.hours, "")
	fs.Float64Var(&o.rolloutAt, "rollout-at", o.rolloutAt, "")
	fs.IntVar(&o.seeds, "seeds", o.seeds, "")
	fs.Uint64Var(&o.firstSeed, "first-seed", o.firstSeed, "")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "")
	fs.StringVar(&shard, "shard", "", "")
	fs.IntVar(&shards, "shards", 0, "")
	fs.StringVar(&mode, "shard-mode", "modulo", "")
	fs.StringVar(&o.out, "out", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.chart, "chart", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, cli.FlagError(err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.maxUnavailable, o.nodes, o.churn = list(mu), list(nodes), list(churnList)
	switch {
	case len(o.maxUnavailable) == 0:
		return nil, errors.New("--max-unavailable: no values")
	case len(o.nodes) == 0:
		return nil, errors.New("--nodes: no values")
	case len(o.churn) == 0:
		return nil, errors.New("--churn: no values")
	case !(o.hours > 0 && o.hours <= 24*31):
		return nil, fmt.Errorf("--hours: %v is not between 0 (excluded) and 744", o.hours)
	case !(o.rolloutAt >= 0 && o.rolloutAt < o.hours):
		return nil, fmt.Errorf("--rollout-at: %v is not between 0 and --hours (%v, excluded)", o.rolloutAt, o.hours)
	case o.seeds < 1 || o.seeds > 100_000:
		return nil, fmt.Errorf("--seeds: %d is not between 1 and 100000", o.seeds)
	case o.workers < 1:
		return nil, fmt.Errorf("--workers: %d is below 1", o.workers)
	case shards < 0:
		return nil, fmt.Errorf("--shards: %d is below 0", shards)
	}
	for _, v := range o.maxUnavailable {
		if _, err := parseMaxUnavailable(v); err != nil {
			return nil, fmt.Errorf("--max-unavailable: %w", err)
		}
	}
	for _, v := range o.nodes {
		if _, err := parseNodes(v); err != nil {
			return nil, fmt.Errorf("--nodes: %w", err)
		}
	}
	for _, v := range o.churn {
		if _, err := parseChurn(v); err != nil {
			return nil, fmt.Errorf("--churn: %w", err)
		}
	}
	m, err := sweep.ParseShardMode(mode)
	if err != nil {
		return nil, fmt.Errorf("--shard-mode: %w", err)
	}
	switch {
	case shard != "":
		if o.shard, err = sweep.ParseShard(shard); err != nil {
			return nil, fmt.Errorf("--shard: %w", err)
		}
		if shards > 0 && shards != o.shard.Count {
			return nil, fmt.Errorf("--shards: %d, but --shard is %s", shards, shard)
		}
		o.sharded = true
	default:
		sh, ok, err := sweep.ShardFromEnv(getenv, shards)
		if err != nil {
			return nil, err
		}
		if !ok && shards > 0 {
			return nil, fmt.Errorf("--shards: given without --shard or %s", sweep.EnvCompletionIndex)
		}
		o.shard, o.sharded = sh, ok
	}
	o.shard.Mode = m
	if o.sharded && o.chart != "" {
		return nil, errors.New("--chart: a shard has part of the sweep's runs; chart the merged results (merge --chart FILE)")
	}
	return o, nil
}

// parseMaxUnavailable parses a maxUnavailable value as the API takes it:
// a positive integer or a percentage.
func parseMaxUnavailable(v string) (cluster.IntOrString, error) {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100 {
			return cluster.IntOrString{}, fmt.Errorf("%q is not a percentage between 1%% and 100%%", v)
		}
		return cluster.FromString(v), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return cluster.IntOrString{}, fmt.Errorf("%q is not a positive integer or a percentage", v)
	}
	return cluster.FromInt(int32(n)), nil
}

func parseNodes(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100_000 {
		return 0, fmt.Errorf("%q is not between 1 and 100000", v)
	}
	return n, nil
}

func parseChurn(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= 0 && f <= 1000) {
		return 0, fmt.Errorf("%q is not a factor between 0 and 1000", v)
	}
	return f, nil
}

// newSweep is the sweep the options describe.
func newSweep(o *options) *sweep.Sweep {
	return &sweep.Sweep{
		Name: sweepName,
		Params: []sweep.Param{
			{Name: paramNodes, Values: o.nodes},
			{Name: paramHours, Values: []string{strconv.FormatFloat(o.hours, 'g', -1, 64)}},
			{Name: paramRolloutAt, Values: []string{strconv.FormatFloat(o.rolloutAt, 'g', -1, 64)}},
			{Name: paramChurn, Values: o.churn},
			{Name: paramMaxUnavailable, Values: o.maxUnavailable},
		},
		Seeds:    sweep.Seeds(o.firstSeed, o.seeds),
		Simulate: simulate,
	}
}

func main() {
	cli.TuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run is the program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	parse := func(args []string) (*options, error) { return parseFlags(args, getenv) }
	return cli.Run("sweep", usageText, args, stdout, stderr, parse, func(o *options) error {
		if o.merge != nil {
			return merge(o, stdout)
		}
		return sweepRuns(o, stdout, stderr)
	})
}

// sweepRuns runs the sweep (or its shard) and prints the table or writes
// the results.
func sweepRuns(o *options, stdout, stderr io.Writer) error {
	s := newSweep(o)
	p := progress.New(stderr, progress.IsTerminal(stderr))
	began := time.Now() // for the time left on the progress line (standard error) only
	results, err := s.RunShard(o.shard, o.workers, func(done, total int) {
		text := fmt.Sprintf("sweeping: %d/%d runs", done, total)
		if left := progress.Remaining(time.Since(began), done, total); left > 0 {
			text += fmt.Sprintf(", about %s left", left)
		}
		p.Status(text, int(events.Load()))
	})
	p.Done()
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeFile(o.out, results); err != nil {
			return err
		}
	}
	if o.sharded {
		if o.out == "" {
			return sweep.WriteJSONL(stdout, results)
		}
		fmt.Fprintf(stdout, "shard %s (%s): %d runs written to %s\n", o.shard, o.shard.Mode, len(results), o.out)
		return nil
	}
	return output(o, stdout, results)
}

// output prints the aggregate of results and writes the chart if asked.
func output(o *options, stdout io.Writer, results []sweep.Result) error {
	if err := print(stdout, results, o.json); err != nil {
		return err
	}
	if o.chart == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := chart.Sweep(&buf, results, chartSpec(results)); err != nil {
		return fmt.Errorf("--chart: %w", err)
	}
	return writeAtomic(o.chart, buf.Bytes())
}

// chartSpec is the chart of the sweep: per run, the rollout's duration
// against its peak unavailability, grouped by maxUnavailable, and the
// duration per maxUnavailable; a rollout that did not finish is hollow.
// The title names the parameters that are the same in every run.
func chartSpec(results []sweep.Result) chart.SweepSpec {
	title := sweepName
	if len(results) > 0 {
		var same []string
		for _, v := range results[0].Params {
			if v.Name == paramMaxUnavailable {
				continue
			}
			one := true
			for _, r := range results {
				if got, _ := r.Params.Get(v.Name); got != v.Value {
					one = false
					break
				}
			}
			if one {
				same = append(same, v.Name+"="+v.Value)
			}
		}
		if len(same) > 0 {
			title += " (" + strings.Join(same, ", ") + ")"
		}
	}
	return chart.SweepSpec{
		Title:    title,
		Group:    paramMaxUnavailable,
		X:        chart.SweepAxis{Figure: figPeakUnavailable, Label: "peak unavailability (pods not available at once)"},
		Y:        chart.SweepAxis{Figure: figRolloutSeconds, Label: "rollout duration", Seconds: true},
		Finished: figFinished,
		ByGroup:  true,
	}
}

// writeAtomic writes b to path through a temporary file renamed at the end.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// writeFile writes results to path as JSON Lines, through a temporary
// file renamed at the end, so that a shard killed or retried (a Job's pod)
// never leaves half a file under the name merge reads.
func writeFile(path string, results []sweep.Result) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := sweep.WriteJSONL(f, results); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// merge reads shard files and prints the table of the whole sweep.
func merge(o *options, stdout io.Writer) error {
	var shards [][]sweep.Result
	for _, path := range o.merge {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		rs, err := sweep.ReadJSONL(f, path)
		f.Close()
		if err != nil {
			return err
		}
		shards = append(shards, rs)
	}
	results, err := sweep.Merge(shards...)
	if err != nil {
		return err
	}
	return output(o, stdout, results)
}

// nodeName names node i.
func nodeName(i int) string { return fmt.Sprintf("node-%05d", i) }

// nodeLabels are node i's rack and zone.
func nodeLabels(i int) selector.Set {
	rack := i / rackSize
	return selector.Set{trace.LabelRack: fmt.Sprintf("rack-%03d", rack),
		trace.LabelZone: fmt.Sprintf("zone-%c", 'a'+rack%zones)}
}

// scenario runs one run: the churnday scenario with the run's nodes,
// hours, churn factor and node-exporter maxUnavailable, rolled out
// --rollout-at hours into the churn. It returns the cluster at the end and
// the run's summary.
func scenario(r sweep.Run) (*sim.Cluster, report.Summary, error) {
	fail := func(err error) (*sim.Cluster, report.Summary, error) { return nil, report.Summary{}, err }
	nodes, err := parseNodes(r.Param(paramNodes))
	if err != nil {
		return fail(err)
	}
	hours, err := strconv.ParseFloat(r.Param(paramHours), 64)
	if err != nil {
		return fail(err)
	}
	rollAt, err := strconv.ParseFloat(r.Param(paramRolloutAt), 64)
	if err != nil {
		return fail(err)
	}
	factor, err := parseChurn(r.Param(paramChurn))
	if err != nil {
		return fail(err)
	}
	mu, err := parseMaxUnavailable(r.Param(paramMaxUnavailable))
	if err != nil {
		return fail(err)
	}

	c, err := sim.NewDefault(fleet.Config(r.Seed))
	if err != nil {
		return fail(err)
	}
	obs, err := fleet.Observe(c)
	if err != nil {
		return fail(err)
	}
	for i := range nodes {
		n := trace.NewNode(nil, trace.NodeEvent{Node: nodeName(i), Type: trace.Add, Labels: nodeLabels(i)}, c.Now())
		c.Submit(c.Now(), fleet.Source, cluster.Create{Object: n})
	}
	objs, err := fleet.Objects(nodes)
	if err != nil {
		return fail(err)
	}
	for _, obj := range objs {
		if ds, ok := obj.(*cluster.DaemonSet); ok && ds.Namespace == fleet.RolloutNamespace && ds.Name == fleet.RolloutName {
			v := mu
			ds.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: &v}}
		}
		c.Submit(c.Now(), fleet.Source, cluster.Create{Object: obj})
	}
	if err := c.RunFor(setup); err != nil {
		return fail(err)
	}
	horizon := time.Duration(hours * float64(time.Hour))
	racks := (nodes + rackSize - 1) / rackSize
	steady, crash, stop := churn.DefaultSteady(nodes), churn.DefaultCrash(), churn.DefaultKubeletStop()
	steady.ArrivalsPerHour *= factor
	steady.DeparturesPerNodeHour *= factor
	crash.FailuresPerNodeHour *= factor
	stop.StopsPerNodeHour *= factor
	gen, err := churn.Generate(c.Rand, churn.NodesOf(c.View()), horizon,
		steady, crash, stop, churn.DefaultCorrelated(racks), churn.DefaultMaintenance())
	if err != nil {
		return fail(err)
	}
	obs.Reset(c.Now())
	start := c.Now()
	rp := churn.NewReplayer(c, churn.NewSource(gen.Events), churn.ReplayOptions{})
	if err := rp.RunUntil(start.Add(time.Duration(rollAt * float64(time.Hour)))); err != nil {
		return fail(err)
	}
	if err := fleet.Rollout(c); err != nil {
		return fail(err)
	}
	if err := rp.RunUntil(start.Add(horizon)); err != nil {
		return fail(err)
	}
	return c, obs.Summary(c.Now(), c.Rollouts.Rollouts), nil
}

// events counts the events of the runs done, for the progress line only
// (runs add to it from their goroutines; nothing in a result reads it).
var events atomic.Int64

// simulate is one run of the sweep: scenario's figures of the
// node-exporter DaemonSet's rollout and coverage. A rollout that has not
// finished at the end of the run counts as lasting to the end (its
// rolloutFinished is 0).
func simulate(r sweep.Run) (sweep.Figures, error) {
	c, sum, err := scenario(r)
	if err != nil {
		return nil, err
	}
	events.Add(int64(c.LogLen()))
	for _, ds := range sum.DaemonSets {
		if ds.Namespace != fleet.RolloutNamespace || ds.Name != fleet.RolloutName {
			continue
		}
		if len(ds.Rollouts) == 0 {
			return nil, fmt.Errorf("%s/%s: no rollout recorded", ds.Namespace, ds.Name)
		}
		ro := ds.Rollouts[len(ds.Rollouts)-1]
		finished, duration := 1.0, ro.DurationSeconds
		if !ro.Finished {
			// censored: the rollout ran to the end of the run
			finished, duration = 0, sum.DurationSeconds-ro.StartSeconds
		}
		return sweep.Figures{
			figRolloutSeconds:  duration,
			figFinished:        finished,
			figMaxUnavailable:  float64(ro.MaxUnavailable),
			figPeakUnavailable: float64(ro.PeakUnavailable),
			figNodesDown:       float64(ro.NodesDown),
			figMeanDowntime:    ro.MeanDowntimeSeconds,
			figMaxDowntime:     ro.MaxDowntimeSeconds,
			figCoverageMean:    ds.Coverage.Mean,
			figCoverageMin:     ds.Coverage.Min,
			figBelowFull:       ds.Coverage.BelowFullSeconds,
		}, nil
	}
	return nil, fmt.Errorf("%s/%s: not in the run's summary", fleet.RolloutNamespace, fleet.RolloutName)
}

// rows are the table's rows: label, figure, format.
var rows = []struct {
	label, figure string
	format        func(float64) string
}{
	{"rollout duration", figRolloutSeconds, seconds},
	{"peak unavailable", figPeakUnavailable, count},
	{"nodes down", figNodesDown, count},
	{"mean downtime per node", figMeanDowntime, seconds},
	{"max downtime per node", figMaxDowntime, seconds},
	{"coverage, mean", figCoverageMean, percent},
	{"coverage, min", figCoverageMin, percent},
	{"time below 100%", figBelowFull, seconds},
}

func seconds(v float64) string {
	return time.Duration(v * float64(time.Second)).Round(100 * time.Millisecond).String()
}
func count(v float64) string   { return strconv.FormatFloat(v, 'f', 1, 64) }
func percent(v float64) string { return strconv.FormatFloat(100*v, 'f', 3, 64) + "%" }

// print writes the aggregate of results: tables, or JSON.
func print(w io.Writer, results []sweep.Result, asJSON bool) error {
	agg, err := sweep.Aggregate(results)
	if err != nil {
		return err
	}
	if asJSON {
		return agg.WriteJSON(w)
	}
	fmt.Fprintf(w, "%s\n%d runs in %d groups\n", agg.Sweep, agg.Runs, len(agg.Groups))
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, g := range agg.Groups {
		fin, _ := g.Figure(figFinished)
		mu, _ := g.Figure(figMaxUnavailable)
		fmt.Fprintf(tw, "\n%s: %d seeds (%d to %d), resolved maxUnavailable %s, %d of %d rollouts finished\n",
			g.Params, g.Runs, g.Seeds[0], g.Seeds[len(g.Seeds)-1], count(mu.Mean), int(fin.Mean*float64(fin.Count)+0.5), fin.Count)
		fmt.Fprintln(tw, "FIGURE\tMEAN\t±95%\tP50\tP90\tP99\tMIN\tMAX")
		for _, row := range rows {
			st, ok := g.Figure(row.figure)
			if !ok {
				continue
			}
			f := row.format
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.label, f(st.Mean), f(st.CI95),
				f(st.P50), f(st.P90), f(st.P99), f(st.Min), f(st.Max))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if fin := unfinished(agg); fin > 0 {
		fmt.Fprintf(w, "\n%d rollouts did not finish within their run: their duration is counted to the run's end (a lower bound)\n", fin)
	}
	return nil
}

// unfinished counts the runs whose rollout did not finish.
func unfinished(agg sweep.Summary) int {
	n := 0
	for _, g := range agg.Groups {
		if st, ok := g.Figure(figFinished); ok {
			n += st.Count - int(st.Mean*float64(st.Count)+0.5)
		}
	}
	return n
}
