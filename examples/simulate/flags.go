package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/internal/cli"
	"github.com/daemonsim/daemonsim/sim"
)

// options are the parsed command line.
type options struct {
	files        []string // -f, --filename
	then         []string // --then
	snapshot     string
	nodes        int
	nodesSet     bool // --nodes given explicitly
	controlPlane int
	zones        int
	nodeLabels   string
	nodeTaints   string
	nodeCPU      string
	nodeMemory   string
	nodePods     string
	template     string
	updateImage  []string // container=image
	until        time.Duration
	seed         uint64
	start        sim.Distribution
	ready        sim.Distribution
	output       string
	log          string
	progress     string
}

// stringsFlag is a repeatable string flag; each use may also hold a
// comma-separated list.
type stringsFlag struct{ vals *[]string }

func (f stringsFlag) String() string {
	if f.vals == nil {
		return ""
	}
	return strings.Join(*f.vals, ",")
}

func (f stringsFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*f.vals = append(*f.vals, s)
	return nil
}

// distributionFlag parses a sim.Distribution: "2s" (fixed), "fixed(2s)",
// "1s..3s" or "uniform(1s,3s)", "lognormal(2s,0.3)".
type distributionFlag struct{ d *sim.Distribution }

func (f distributionFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f distributionFlag) Set(s string) error {
	d, err := parseDistribution(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}

func parseDistribution(s string) (sim.Distribution, error) {
	bad := errors.New("not a duration distribution: want 2s, 1s..3s, uniform(1s,3s) or lognormal(2s,0.3)")
	call := func(name string) (args []string, ok bool) {
		if !strings.HasPrefix(s, name+"(") || !strings.HasSuffix(s, ")") {
			return nil, false
		}
		args = strings.Split(s[len(name)+1:len(s)-1], ",")
		for i := range args {
			args[i] = strings.TrimSpace(args[i])
		}
		return args, true
	}
	dur := func(a string) (time.Duration, bool) {
		d, err := time.ParseDuration(a)
		return d, err == nil && d >= 0
	}
	var d sim.Distribution
	switch {
	case strings.Contains(s, ".."):
		lo, hi, _ := strings.Cut(s, "..")
		l, ok1 := dur(lo)
		h, ok2 := dur(hi)
		if !ok1 || !ok2 {
			return d, bad
		}
		d = sim.Uniform(l, h)
	default:
		if args, ok := call("fixed"); ok {
			v, ok := dur(strings.Join(args, ","))
			if !ok {
				return d, bad
			}
			d = sim.Fixed(v)
		} else if args, ok := call("uniform"); ok {
			if len(args) != 2 {
				return d, bad
			}
			l, ok1 := dur(args[0])
			h, ok2 := dur(args[1])
			if !ok1 || !ok2 {
				return d, bad
			}
			d = sim.Uniform(l, h)
		} else if args, ok := call("lognormal"); ok {
			if len(args) != 2 {
				return d, bad
			}
			m, ok1 := dur(args[0])
			sigma, err := strconv.ParseFloat(args[1], 64)
			if !ok1 || err != nil || sigma < 0 || math.IsNaN(sigma) || math.IsInf(sigma, 0) {
				return d, bad
			}
			d = sim.LogNormal(m, sigma)
		} else if v, ok := dur(s); ok {
			d = sim.Fixed(v)
		} else {
			return d, bad
		}
	}
	if err := d.Validate(); err != nil {
		return d, err
	}
	return d, nil
}

const usageText = `simulate runs your DaemonSet manifests on a simulated Kubernetes cluster
(upstream v1.37 semantics: the DaemonSet controller, the scheduler with
preemption, rolling updates, a node agent, on a virtual clock) and tells
you what a real cluster would do with them: how many nodes get a pod and
why the others do not, what stays pending and why, how long until every
pod is Ready, and for an update the rollout's duration and peak
unavailability. Nothing talks to a real cluster.

Usage:
  go run ./examples/simulate -f FILE [-f FILE ...] [flags]

Examples:
  # the DaemonSet against 100 generated nodes in 3 zones
  go run ./examples/simulate -f fluentd.yaml

  # 5000 nodes of 4 CPUs, the first 3 control-plane nodes (tainted NoSchedule)
  go run ./examples/simulate -f ds.yaml --nodes 5000 --node-cpu 4 --control-plane 3

  # every manifest of a directory, and one more from standard input
  cat extra.yaml | go run ./examples/simulate -f manifests/ -f -

  # your own cluster: the state kubectl prints, simulated forward
  kubectl get nodes,pods,daemonsets,controllerrevisions -A -o yaml > state.yaml
  go run ./examples/simulate --snapshot state.yaml -f ds.yaml

  # roll out a new image once the pods are Ready
  go run ./examples/simulate -f ds.yaml --update-image fluentd=fluentd:v2.6 --nodes 1000

  # or apply a second version of the manifest
  go run ./examples/simulate -f ds-v1.yaml --then ds-v2.yaml

  # a timeline of steps (kind: Scenario) beside the manifests
  go run ./examples/simulate -f ds.yaml -f scenario.yaml

  # the final state as YAML (loadable with --snapshot), and the event log
  go run ./examples/simulate -f ds.yaml -o yaml --log run.jsonl > final.yaml

Inputs:
  -f, --filename PATH     manifests to apply: a file, a directory (its *.yaml,
                          *.yml and *.json files, in name order, not recursive)
                          or - for standard input; repeatable. Node, Pod,
                          DaemonSet, ReplicaSet, PriorityClass,
                          PodDisruptionBudget, ControllerRevision and List
                          documents are simulated; other kinds (ServiceAccount,
                          ConfigMap, RBAC, ...) are listed as skipped, fields
                          daemonsim does not model (images' contents, volumes,
                          probes, ...) as ignored. Nodes join the cluster beside
                          the generated ones. A document of kind: Scenario is a
                          timeline of steps, run once the manifests are applied.
      --then PATH         manifests applied (kubectl apply) once the first ones
                          have settled: a DaemonSet already there is updated,
                          which rolls it out; repeatable, same forms as -f
      --update-image NAME=IMAGE
                          once the first manifests have settled, set the image
                          of container NAME in every DaemonSet that has one
                          (kubectl set image); repeatable or comma-separated
      --snapshot PATH     start from this state (kubectl get -A -o yaml, or
                          simulate -o yaml) instead of an empty cluster; no
                          nodes are generated unless --nodes is given

Generated nodes:
      --nodes N           nodes to generate (default 100; 0 with --snapshot)
                          named node-000, node-001, ..., labelled
                          kubernetes.io/hostname, kubernetes.io/os=linux,
                          kubernetes.io/arch=amd64 and the zone
      --zones N           spread the nodes over N zones
                          (topology.kubernetes.io/zone=zone-a, zone-b, ...);
                          0 for no zone label (default 3)
      --control-plane N   the first N nodes are control-plane nodes: labelled
                          and tainted node-role.kubernetes.io/control-plane
                          (NoSchedule) as kubeadm does (default 0)
      --node-labels K=V,...      labels every generated node gets
      --node-taints K=V:EFFECT,...
                          taints every generated node gets (K:EFFECT without a
                          value); EFFECT is NoSchedule, PreferNoSchedule or
                          NoExecute
      --node-cpu Q        allocatable CPU per node (default 8)
      --node-memory Q     allocatable memory per node (default 32Gi)
      --node-pods N       pods per node (default 110)
      --node-template PATH
                          a Node manifest whose labels, taints, capacity,
                          allocatable and conditions every generated node
                          copies; the flags above add to it or override it

The run:
      --until D           simulate at most D of virtual time (default 24h);
                          the run stops earlier when nothing is left to happen
      --seed N            random seed; the same seed gives the same run
                          (default 1)
      --start-latency DIST
                          node agent: time from binding to Running (default
                          lognormal(2s,0.3)); DIST is 2s, 1s..3s,
                          uniform(1s,3s) or lognormal(2s,0.3)
      --ready-delay DIST  node agent: time from Running to Ready (default
                          uniform(5s,15s))
      --progress WHEN     progress (simulated time, events per second) on
                          standard error: auto (when it is a terminal and the
                          run takes over a second), always or never
                          (default auto)

Output:
  The summary goes to standard output.
  -o, --output FORMAT     yaml or json: write the final state (every object,
                          kubectl get -o yaml shape) to standard output, and
                          the summary to standard error
      --log PATH          write the event log as JSON Lines (docs/log.md),
                          gzipped when PATH ends in .gz
  -h, --help              this text

Bad input (an unknown field, a wrong type, a file that does not exist) is
reported as "error: file:line: field.path: message" with exit status 1.
`

// newFlagSet defines every flag on a set that writes into o.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	files := stringsFlag{&o.files}
	fs.Var(files, "f", "")
	fs.Var(files, "filename", "")
	fs.Var(stringsFlag{&o.then}, "then", "")
	fs.Var(stringsFlag{&o.updateImage}, "update-image", "")
	fs.StringVar(&o.snapshot, "snapshot", "", "")
	fs.IntVar(&o.nodes, "nodes", o.nodes, "")
	fs.IntVar(&o.zones, "zones", o.zones, "")
	fs.IntVar(&o.controlPlane, "control-plane", 0, "")
	fs.StringVar(&o.nodeLabels, "node-labels", "", "")
	fs.StringVar(&o.nodeTaints, "node-taints", "", "")
	fs.StringVar(&o.nodeCPU, "node-cpu", o.nodeCPU, "")
	fs.StringVar(&o.nodeMemory, "node-memory", o.nodeMemory, "")
	fs.StringVar(&o.nodePods, "node-pods", o.nodePods, "")
	fs.StringVar(&o.template, "node-template", "", "")
	fs.DurationVar(&o.until, "until", o.until, "")
	fs.Uint64Var(&o.seed, "seed", o.seed, "")
	fs.Var(distributionFlag{&o.start}, "start-latency", "")
	fs.Var(distributionFlag{&o.ready}, "ready-delay", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.log, "log", "", "")
	fs.StringVar(&o.progress, "progress", o.progress, "")
	return fs
}

// errHelp is returned by parseFlags for -h and --help.
var errHelp = errors.New("help requested")

// parseFlags parses args (without the program name). Flags take one or
// two dashes and "--flag value" or "--flag=value", as kubectl's do.
func parseFlags(args []string) (*options, error) {
	o := &options{
		nodes: 100, zones: 3, nodeCPU: "8", nodeMemory: "32Gi", nodePods: "110",
		until: 24 * time.Hour, seed: 1, output: "", progress: "auto",
		start: sim.LogNormal(2*time.Second, 0.3), ready: sim.Uniform(5*time.Second, 15*time.Second),
	}
	fs := newFlagSet(o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, cli.FlagError(err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (manifests are given with -f)", fs.Arg(0))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	o.nodesSet = explicit["nodes"]
	if o.snapshot != "" && !o.nodesSet {
		o.nodes = 0
	}
	switch {
	case len(o.files) == 0 && o.snapshot == "":
		return nil, errors.New("no manifests given: use -f FILE (or --snapshot FILE)")
	case o.nodes < 0:
		return nil, fmt.Errorf("--nodes: %d is negative", o.nodes)
	case o.nodes > 1_000_000:
		return nil, fmt.Errorf("--nodes: %d is more than the 1,000,000 nodes simulate generates", o.nodes)
	case o.zones < 0 || o.zones > 26*26:
		return nil, fmt.Errorf("--zones: %d is not between 0 and 676", o.zones)
	case o.controlPlane < 0 || o.controlPlane > o.nodes:
		return nil, fmt.Errorf("--control-plane: %d is not between 0 and --nodes (%d)", o.controlPlane, o.nodes)
	case o.until <= 0:
		return nil, fmt.Errorf("--until: %s is not a positive duration", o.until)
	case o.output != "" && o.output != "yaml" && o.output != "json":
		return nil, fmt.Errorf("--output: %q is not a supported format: yaml or json", o.output)
	case o.progress != "auto" && o.progress != "always" && o.progress != "never":
		return nil, fmt.Errorf("--progress: %q is not auto, always or never", o.progress)
	}
	for _, u := range o.updateImage {
		for _, pair := range strings.Split(u, ",") {
			name, image, ok := strings.Cut(pair, "=")
			if !ok || name == "" || image == "" {
				return nil, fmt.Errorf("--update-image: %q is not CONTAINER=IMAGE", pair)
			}
		}
	}
	return o, nil
}

// imageUpdates returns the --update-image pairs in the order given.
func (o *options) imageUpdates() [][2]string {
	var out [][2]string
	for _, u := range o.updateImage {
		for _, pair := range strings.Split(u, ",") {
			name, image, _ := strings.Cut(pair, "=")
			out = append(out, [2]string{name, image})
		}
	}
	return out
}
