// Command replay replays a node-event trace on a cluster running three
// DaemonSets and ReplicaSet workloads, rolls out a new node-exporter image
// halfway through the trace, and prints the run's figures (package
// sim/report): per DaemonSet the coverage of its eligible nodes over time,
// evictions, preemptions, pending times, the nodes by Ready condition and
// the rollout's figures.
//
//	go run ./examples/replay                           # testdata/churn.csv
//	go run ./examples/replay -f my-trace.csv.gz
//	go run ./examples/replay --google2011              # the 29-day 2011 trace, 12,583 machines
//	go run ./examples/replay -f data/google-2011-machine_events.csv.gz --format google2011
//
// A trace is daemonsim's CSV format or the Google cluster-data 2011
// machine_events table (package sim/trace; the 2011 table is shipped as
// data/google-2011-machine_events.csv.gz: Google cluster-data 2011 trace
// (clusterdata-2011-2), Google LLC, CC-BY 4.0). Its events at time 0 make
// the starting nodes; the workloads (package examples/churnday/fleet) are
// sized to them and get one simulated minute to start, then a
// churn.Replayer drives the cluster through the rest, to TAIL past the
// last event. The figures count from the end of that minute.
//
// Same trace and seed, same output, byte for byte. Bad flags or a bad
// trace are one message on standard error (file:line:column for the
// trace) and exit status 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/daemonsim/daemonsim/examples/churnday/fleet"
	"github.com/daemonsim/daemonsim/internal/cli"
	"github.com/daemonsim/daemonsim/internal/progress"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/report"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// GoogleTrace is where --google2011 reads the 2011 table, from the
// module's root.
const GoogleTrace = "data/google-2011-machine_events.csv.gz"

const defaultTrace = "examples/replay/testdata/churn.csv"

const usageText = `replay replays a node-event trace (joins, leaves, failures, kubelet
stops, drains) on a simulated Kubernetes cluster running three DaemonSets
(fluent-bit, node-exporter, cilium) and ReplicaSet workloads, rolls out a
new node-exporter image halfway through, and prints per DaemonSet the
coverage of its eligible nodes over time, the evictions and preemptions,
pending times, the nodes by Ready condition and the rollout's figures.

Usage:
  go run ./examples/replay [-f FILE] [flags]

Examples:
  # the small trace shipped with the example
  go run ./examples/replay

  # the Google cluster-data 2011 machine_events table: 29 days, 12,583 machines
  go run ./examples/replay --google2011

  # the same, naming the file and its format
  go run ./examples/replay -f data/google-2011-machine_events.csv.gz --format google2011

  # the summary as JSON, and the event log as JSON Lines
  go run ./examples/replay --json --log run.jsonl > run.json

Flags:
  -f, --filename FILE  the trace, gzipped or not (default ` + defaultTrace + `)
      --format F       csv (daemonsim's format) or google2011 (default csv)
      --google2011     replay ` + GoogleTrace + `
                       (-f that file --format google2011)
      --tail D         simulated time to run after the last event (default 10m)
      --seed N         random seed (default 1)
      --json           print the summary as JSON instead of tables
      --log FILE       write the event log to FILE as JSON Lines (docs/log.md);
                       gzipped when FILE ends in .gz
  -h, --help           print this help
`

// setup is the simulated time the DaemonSets get before the figures count.
const setup = time.Minute

type options struct {
	file, format string
	tail         time.Duration
	seed         uint64
	json         bool
	logFile      string
}

var errHelp = cli.ErrHelp

func parseFlags(args []string) (*options, error) {
	o := &options{format: "csv", tail: 10 * time.Minute, seed: 1}
	var google bool
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.file, "f", "", "")
	fs.StringVar(&o.file, "filename", "", "")
	fs.StringVar(&o.format, "format", o.format, "")
	fs.BoolVar(&google, "google2011", false, "")
	fs.DurationVar(&o.tail, "tail", o.tail, "")
	fs.Uint64Var(&o.seed, "seed", o.seed, "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.StringVar(&o.logFile, "log", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, cli.FlagError(err)
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q (a trace is given with -f)", fs.Arg(0))
	case o.format != "csv" && o.format != "google2011":
		return nil, fmt.Errorf("--format: %q is not csv or google2011", o.format)
	case o.tail < 0:
		return nil, fmt.Errorf("--tail: %s is negative", o.tail)
	case google && explicit["format"] && o.format != "google2011":
		return nil, fmt.Errorf("--google2011 and --format %s contradict each other", o.format)
	}
	if google {
		o.format = "google2011"
		if o.file == "" {
			o.file = GoogleTrace
		}
	}
	if o.file == "" {
		o.file = defaultTrace
	}
	return o, nil
}

func main() {
	cli.TuneGC()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Run("replay", usageText, args, stdout, stderr, parseFlags, func(o *options) error {
		p := progress.New(stderr, progress.IsTerminal(stderr))
		r, err := replay(o, p.Update)
		p.Done()
		if err != nil {
			return err
		}
		return r.write(stdout, o)
	})
}

// result is a finished replay.
type result struct {
	c        *sim.Cluster
	summary  report.Summary
	stats    churn.ReplayStats
	nodes    int           // nodes at the start
	last     time.Duration // the last event's offset
	rolledAt time.Duration
}

// readTrace reads the whole trace (a trace of node events is small: the
// 29-day Google table is 37,780 events).
func readTrace(o *options) ([]trace.NodeEvent, error) {
	var r *trace.Reader
	var err error
	if o.format == "google2011" {
		r, err = trace.OpenGoogle2011(o.file, trace.Google2011Options{})
	} else {
		r, err = trace.Open(o.file)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	evs, err := trace.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("%s: no events", o.file)
	}
	return evs, nil
}

// replay runs the trace; progress, if not nil, is told the simulated
// offset and the events so far now and then.
func replay(o *options, progress func(offset string, events int)) (*result, error) {
	evs, err := readTrace(o)
	if err != nil {
		return nil, err
	}
	c, err := sim.NewDefault(fleet.Config(o.seed))
	if err != nil {
		return nil, err
	}
	obs, err := fleet.Observe(c)
	if err != nil {
		return nil, err
	}
	start := c.Now()
	rp := churn.NewReplayer(c, churn.NewSource(evs), churn.ReplayOptions{})
	// the nodes of time 0 join, then the workload, sized to them
	if err := rp.RunUntil(start); err != nil {
		return nil, err
	}
	res := &result{c: c, last: evs[len(evs)-1].At}
	for range c.View().Nodes() {
		res.nodes++
	}
	if err := fleet.Submit(c, res.nodes); err != nil {
		return nil, err
	}
	if err := rp.RunUntil(start.Add(setup)); err != nil {
		return nil, err
	}
	obs.Reset(c.Now())
	from := c.Now()
	end := start.Add(res.last + o.tail)
	if end.Before(from) {
		end = from
	}
	res.rolledAt = end.Sub(from) / 2
	rollAt := from.Add(res.rolledAt)
	rolled := false
	// steps of a simulated hour, for the progress line
	for t := from; !rolled || t.Before(end); {
		next := t.Add(time.Hour)
		if next.After(end) {
			next = end
		}
		if !rolled && !next.Before(rollAt) {
			if err := rp.RunUntil(rollAt); err != nil {
				return nil, err
			}
			if err := fleet.Rollout(c); err != nil {
				return nil, err
			}
			rolled = true
		}
		if err := rp.RunUntil(next); err != nil {
			return nil, err
		}
		t = next
		if progress != nil {
			progress(c.Offset(t), c.LogLen())
		}
	}
	res.summary = obs.Summary(c.Now(), c.Rollouts.Rollouts)
	res.stats = rp.Stats()
	return res, nil
}

// write prints the summary (and the log, with --log).
func (r *result) write(w io.Writer, o *options) error {
	if o.logFile != "" {
		if err := r.c.WriteLogFile(o.logFile); err != nil {
			return err
		}
	}
	if o.json {
		return r.summary.WriteJSON(w)
	}
	fmt.Fprintf(w, "replay: %s (%s), %d node events (%d skipped), %d nodes at the start, last event at %s, seed %d\n",
		o.file, o.format, r.stats.Events, r.stats.Skipped, r.nodes, r.last, o.seed)
	fmt.Fprintf(w, "%s/%s rolled to %s at %s\n\n", fleet.RolloutNamespace, fleet.RolloutName, fleet.RolloutImage,
		r.rolledAt.Round(time.Second))
	return r.summary.WriteText(w)
}
