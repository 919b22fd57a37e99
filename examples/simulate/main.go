// Command simulate runs a user's own manifests (DaemonSets, and any
// Nodes, Pods, PriorityClasses, PodDisruptionBudgets, ReplicaSets beside
// them, as YAML or JSON) on a simulated cluster, generated or loaded from
// `kubectl get -A -o yaml`, and prints what a user asks first: how many
// nodes get a pod and why the others do not, grouped by reason in the
// scheduler's words; what is pending and why; how long until every pod is
// Ready; and for an update (--update-image, or a second manifest with
// --then) the rollout's duration and peak unavailability.
//
//	go run ./examples/simulate -f examples/simulate/testdata/fluentd.yaml
//	go run ./examples/simulate -f ds.yaml --nodes 5000 --control-plane 3 --node-cpu 4
//	go run ./examples/simulate -f ds.yaml --update-image fluentd=fluentd:v2.6
//	go run ./examples/simulate -f ds-v1.yaml --then ds-v2.yaml -o yaml > final.yaml
//	go run ./examples/simulate --snapshot state.yaml -f ds.yaml --log run.jsonl
//	go run ./examples/simulate --help
//
// The cluster is sim.NewDefault's: the DaemonSet controller, the scheduler,
// the node agent (pods Running after --start-latency, Ready after
// --ready-delay more), pod GC, the garbage collector, the disruption
// controller and the rollout reporter, on a virtual clock from a seed:
// the same inputs and seed give the same output, byte for byte.
//
// The run has up to two phases. First the -f manifests are applied
// (kubectl apply: created, or updated when a snapshot already holds them)
// beside the generated nodes, any kind: Scenario timeline among the inputs
// runs, and the cluster runs until nothing is left to happen. Then, with
// --update-image or --then, the update is applied and the cluster runs
// again. Neither phase runs past --until of simulated time.
//
// Bad input is one message per problem on standard error, "error:
// ds.yaml:14: spec.template.spec.tolerashuns: unknown field", and exit
// status 1; the program's logic is run (the test calls it) and returns
// the exit status instead of exiting.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/internal/progress"
	"github.com/daemonsim/daemonsim/sim"
)

// source is the name the runner's changes carry in the event log.
const source = "simulate"

// maxSteps bounds each phase: a cluster that keeps changing at one instant
// (a livelock) is reported instead of running forever.
const maxSteps = 20_000_000

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a run talks to: its arguments, standard streams and whether
// standard error is a terminal (for progress).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// terminal is set when stderr is an interactive terminal.
	terminal bool
}

// run is the program: it parses args, runs the simulation and prints the
// summary, and returns the exit status (0, or 1 for any error, reported
// on stderr).
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, terminal: progress.IsTerminal(stderr)}
	defer func() {
		// a bug must not greet the user with a stack trace either
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "error: internal error, please report it with the command line and inputs: %v\n", v)
			status = 1
		}
	}()
	return e.run(args)
}

func (e env) run(args []string) int {
	o, err := parseFlags(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(e.stdout, usageText)
		return 0
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "error: %v\nSee 'simulate --help' for usage.\n", err)
		return 1
	}
	if err := e.simulate(o); err != nil {
		var me *manifest.Error
		var pe problemsError
		switch {
		case errors.As(err, &me):
			for _, p := range me.Problems {
				fmt.Fprintf(e.stderr, "error: %s\n", p)
			}
		case errors.As(err, &pe):
			for _, p := range pe {
				fmt.Fprintf(e.stderr, "error: %s\n", p)
			}
		default:
			fmt.Fprintf(e.stderr, "error: %v\n", err)
		}
		return 1
	}
	return 0
}

// usesStdin reports whether any path is "-".
func (o *options) usesStdin() bool {
	return slices.Contains(o.files, "-") || slices.Contains(o.then, "-") || o.snapshot == "-" || o.template == "-"
}

// simulate is one run: load, build, run the phases, report.
func (e env) simulate(o *options) error {
	var stdin []byte
	if o.usesStdin() {
		b, err := io.ReadAll(e.stdin)
		if err != nil {
			return fmt.Errorf("reading standard input: %v", err)
		}
		stdin = b
	}
	in, err := load(o, stdin)
	if err != nil {
		return err
	}
	tl, err := parseTimelines(in)
	if err != nil {
		return err
	}
	explicit := func(name string) bool {
		switch name {
		case "node-cpu":
			return o.nodeCPU != "8"
		case "node-memory":
			return o.nodeMemory != "32Gi"
		case "node-pods":
			return o.nodePods != "110"
		}
		return false
	}
	tmpl, err := nodeTemplate(o, in.template, explicit)
	if err != nil {
		return err
	}
	nodes := generateNodes(o, tmpl)
	for _, i := range []int{0, o.controlPlane} { // one plain node and one control-plane node
		if i < len(nodes) {
			if err := validateNode(nodes[i]); err != nil {
				return err
			}
		}
	}
	if len(o.imageUpdates()) > 0 {
		if err := checkImageUpdates(o, in); err != nil {
			return err
		}
	}

	start := startTime(in.snapshot)
	cfg := sim.DefaultConfig{
		Engine: sim.Config{Seed: o.seed, Start: start, MaxSteps: maxSteps},
		NodeAgent: sim.NodeAgentConfig{
			StartLatency: o.start.Truncate(time.Millisecond),
			ReadyDelay:   o.ready.Truncate(time.Millisecond),
		},
	}
	if in.snapshot != nil {
		st, err := in.snapshot.Store(start)
		if err != nil {
			return fmt.Errorf("--snapshot: %v", err)
		}
		cfg.Engine.Initial = st
	}
	c, world, err := newCluster(cfg, tl)
	if err != nil {
		return err
	}
	readyAtStart := map[cluster.Key]bool{}
	if cfg.Engine.Initial != nil {
		for ds := range cfg.Engine.Initial.DaemonSets() {
			readyAtStart[cluster.KeyOf(ds)] = allReady(ds)
		}
	}
	r := &runner{c: c, cfg: cfg, readyAtStart: readyAtStart, o: o, in: in, timeline: tl, generated: len(nodes), start: start, deadline: start.Add(o.until),
		progress: progress.New(e.stderr, o.progress == "always" || (o.progress == "auto" && e.terminal))}
	defer r.progress.Done()

	// phase 1: the manifests and the generated nodes, then the timelines
	for _, n := range nodes {
		c.Submit(c.Now(), source, cluster.Create{Object: n})
	}
	r.apply(in.first)
	var timelineOut bytes.Buffer
	if tl != nil {
		if err := runTimeline(tl, world, &timelineOut); err != nil {
			return err
		}
	}
	r.first, err = r.runPhase()
	if err != nil {
		return err
	}
	// phase 2: the update
	if len(o.then) > 0 || len(o.imageUpdates()) > 0 {
		r.updateAt, r.updateLog = c.Now(), c.LogLen()
		if r.first.stable {
			r.apply(in.then)
			r.setImages()
			r.second, err = r.runPhase()
			if err != nil {
				return err
			}
			r.updated = true
		}
	}
	r.progress.Done()

	summary := e.stdout
	if o.output != "" {
		summary = e.stderr
	}
	if err := r.report(summary, timelineOut.String()); err != nil {
		return err
	}
	if o.output != "" {
		if err := manifest.WriteState(e.stdout, c.View(), o.output); err != nil {
			return err
		}
	}
	if o.log != "" {
		if err := c.WriteLogFile(o.log); err != nil {
			return fmt.Errorf("--log: %v", err)
		}
	}
	return nil
}

// runner is one simulation under way and what the report needs of it.
type runner struct {
	c         *sim.Cluster
	cfg       sim.DefaultConfig
	o         *options
	in        *inputs
	timeline  *timeline // nil without one
	generated int
	start     time.Time // the first instant
	deadline  time.Time
	progress  *progress.Line

	first, second phase
	updateAt      time.Time            // when the update was applied (or would have been)
	updateLog     int                  // the log's length then
	readyAtStart  map[cluster.Key]bool // the DaemonSets all ready before anything ran
	updated       bool
}

// phase is how a phase ended.
type phase struct {
	end    time.Time
	stable bool // nothing left to happen; else --until was reached
}

// apply submits each object of s as kubectl apply would, at the current
// instant: nodes and priority classes first, then the others in file
// order; of several manifests of one object the last one counts.
func (r *runner) apply(s *manifest.Set) {
	rank := func(o cluster.Object) int {
		switch o.ObjectKind() {
		case cluster.KindNode:
			return 0
		case cluster.KindPriorityClass:
			return 1
		}
		return 2
	}
	last := map[cluster.Key]int{}
	for i, obj := range s.Objects {
		last[keyOf(obj.Object)] = i
	}
	var objs []manifest.Object
	for i, obj := range s.Objects {
		if last[keyOf(obj.Object)] == i {
			objs = append(objs, obj)
		}
	}
	slices.SortStableFunc(objs, func(a, b manifest.Object) int { return rank(a.Object) - rank(b.Object) })
	for _, obj := range objs {
		r.c.Submit(r.c.Now(), source, manifest.ApplyChange(r.c.View(), obj.Object))
	}
}

// keyOf is the object's key, in "default" when a namespaced object names
// no namespace (as kubectl apply puts it).
func keyOf(o cluster.Object) cluster.Key {
	k := cluster.KeyOf(o)
	if k.Namespace == "" && k.Kind.Namespaced() {
		k.Namespace = cluster.DefaultNamespace
	}
	return k
}

// runPhase runs until nothing is left to happen or the deadline.
func (r *runner) runPhase() (phase, error) {
	c := r.c
	for steps := 0; ; steps++ {
		at, ok := c.NextAt()
		if !ok {
			return phase{end: c.Now(), stable: true}, nil
		}
		if at.After(r.deadline) {
			if err := c.RunUntil(r.deadline); err != nil {
				return phase{}, err
			}
			return phase{end: c.Now()}, nil
		}
		if steps >= maxSteps {
			return phase{}, fmt.Errorf("the cluster is still changing after %d events at %s: a livelock (see --log)", steps, c.Offset(c.Now()))
		}
		if _, _, err := c.Step(); err != nil {
			return phase{}, err
		}
		if steps&1023 == 0 {
			r.progress.Update(c.Offset(c.Now()), c.LogLen())
		}
	}
}
