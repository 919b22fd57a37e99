package scenario

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
	"github.com/daemonsim/daemonsim/sim/drain"
	"github.com/daemonsim/daemonsim/sim/trace"
)

// The node churn commands: the kubelet (stop-kubelet, start-kubelet), node
// conditions (set-condition), kubectl drain as a process (drain), and
// replays of generated churn (churn) or of a trace file (replay).

// DefaultDrainBound is how long a blocking drain without a timeout runs the
// clock before the command gives up waiting (the drain goes on). A drain
// with a timeout runs the clock at most its timeout plus
// drain.DefaultRetryInterval: kubectl notices its deadline at the first
// retry or poll after it.
const DefaultDrainBound = time.Hour

// MaxChurnHorizon bounds churn's for=, so that a typo cannot generate
// events for centuries.
const MaxChurnHorizon = 366 * 24 * time.Hour

// maxListedEvents is how many generated events churn prints.
const maxListedEvents = 20

// runUntil runs the cluster to t, through the active replayers: each
// replayer's events are submitted at their instants (the replayer that
// started first first, at a tie). Replayers whose source is used up are
// dropped.
func (w *World) runUntil(t time.Time) error {
	for {
		best := -1
		var bestAt time.Time
		for i, rp := range w.replayers {
			at, ok := rp.NextAt()
			if !ok || at.After(t) {
				continue
			}
			if best < 0 || at.Before(bestAt) {
				best, bestAt = i, at
			}
		}
		if best < 0 {
			break
		}
		if err := w.replayers[best].RunUntil(bestAt); err != nil {
			return err
		}
	}
	if err := w.dropDone(); err != nil {
		return err
	}
	return w.c.RunUntil(t)
}

// dropDone forgets the replayers whose source is used up, returning the
// first one's source error (not io.EOF).
func (w *World) dropDone() error {
	kept := w.replayers[:0]
	var first error
	for _, rp := range w.replayers {
		if !rp.Done() {
			kept = append(kept, rp)
			continue
		}
		if err := rp.RunUntil(w.c.Now()); err != nil && first == nil {
			first = err
		}
	}
	w.replayers = kept
	return first
}

// stabilize runs every active replayer to its end, then the cluster until
// nothing is queued.
func (w *World) stabilize() error {
	for len(w.replayers) > 0 {
		last := w.c.Now()
		for _, rp := range w.replayers {
			if at, ok := rp.NextAt(); ok && at.After(last) {
				last = at
			}
		}
		if err := w.runUntil(last); err != nil {
			return err
		}
	}
	return w.c.Stabilize()
}

// node reads the node a command acts on.
func (a *args) node() (string, error) {
	k, err := a.target(cluster.KindNode)
	if err != nil {
		return "", err
	}
	if k.Kind != cluster.KindNode {
		return "", badf("%s: want a node, not %s", a.cmd, k.Kind)
	}
	return k.Name, nil
}

// stepUntil steps the engine until n events that match have been
// processed: the changes a Cluster method submitted at the current
// instant, so that they apply at once as the World's own do.
func (w *World) stepUntil(n int, match func(ev *sim.Event) bool) error {
	e := w.c.Engine
	for n > 0 {
		from := e.LogLen()
		_, ok, err := e.Step()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrEngine, err)
		}
		if !ok {
			return fmt.Errorf("%w: %d submitted changes were never processed", ErrEngine, n)
		}
		for ev := range e.Events(from) {
			if match(ev) {
				n--
			}
		}
	}
	return nil
}

// changeTo matches a change event from source that wrote node's object
// (through kind: "update" or "update-status").
func changeTo(source, node string) func(ev *sim.Event) bool {
	key := cluster.Key{Kind: cluster.KindNode, Name: node}
	return func(ev *sim.Event) bool {
		if ev.Kind != sim.EventChange || ev.Source != source {
			return false
		}
		var o cluster.Object
		switch ch := ev.Change.(type) {
		case cluster.Update:
			o = ch.Object
		case cluster.UpdateStatus:
			o = ch.Object
		default:
			return false
		}
		return o != nil && cluster.KeyOf(o) == key
	}
}

// lastRefusal returns the error of the last change event in the log from
// index from that was refused, or "".
func (w *World) lastRefusal(from int) string {
	msg := ""
	for ev := range w.c.Events(from) {
		if ev.Kind == sim.EventChange && ev.Err != "" {
			msg = ev.Err
		}
	}
	return msg
}

// stop-kubelet n1
func cmdStopKubelet(w *World, _ Command, a *args, out *strings.Builder) error {
	node, err := a.node()
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.c.StopKubelet(node); err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	from := w.c.LogLen()
	if err := w.stepUntil(1, changeTo(sim.NodeAgentName, node)); err != nil {
		return err
	}
	if msg := w.lastRefusal(from); msg != "" {
		fmt.Fprintln(out, "error: "+msg)
		return nil
	}
	fmt.Fprintf(out, "node/%s kubelet stopped\n", node)
	return nil
}

// start-kubelet n1 [not-ready]
func cmdStartKubelet(w *World, _ Command, a *args, out *strings.Builder) error {
	node, err := a.node()
	if err != nil {
		return err
	}
	ready := !a.flag("not-ready")
	if err := a.done(); err != nil {
		return err
	}
	// StartKubelet posts Ready=True only when that changes the status:
	// count the writes it submits the same way
	writes := 1
	if n, ok := w.c.View().Node(node); ok && ready {
		cp := *n
		if cluster.SetNodeCondition(&cp.Status, cluster.NodeCondition{Type: cluster.NodeReady, Status: cluster.ConditionTrue,
			Reason: "KubeletReady", Message: "kubelet is posting ready status"}, w.c.Now()) {
			writes = 2
		}
	}
	if err := w.c.StartKubelet(node, ready); err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	from := w.c.LogLen()
	if err := w.stepUntil(writes, changeTo(sim.NodeAgentName, node)); err != nil {
		return err
	}
	if msg := w.lastRefusal(from); msg != "" {
		fmt.Fprintln(out, "error: "+msg)
		return nil
	}
	if ready {
		fmt.Fprintf(out, "node/%s kubelet started, Ready=True (KubeletReady)\n", node)
	} else {
		fmt.Fprintf(out, "node/%s kubelet started\n", node)
	}
	return nil
}

// conditionDefaults are the reasons and messages the kubelet (and, for
// NetworkUnavailable, the route controller) writes, by type and status.
var conditionDefaults = map[cluster.NodeConditionType]map[cluster.ConditionStatus][2]string{
	cluster.NodeReady: {
		cluster.ConditionTrue:  {"KubeletReady", "kubelet is posting ready status"},
		cluster.ConditionFalse: {"KubeletNotReady", "container runtime network not ready"},
	},
	"MemoryPressure": {
		cluster.ConditionTrue:  {"KubeletHasInsufficientMemory", "kubelet has insufficient memory available"},
		cluster.ConditionFalse: {"KubeletHasSufficientMemory", "kubelet has sufficient memory available"},
	},
	"DiskPressure": {
		cluster.ConditionTrue:  {"KubeletHasDiskPressure", "kubelet has disk pressure"},
		cluster.ConditionFalse: {"KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
	},
	"PIDPressure": {
		cluster.ConditionTrue:  {"KubeletHasInsufficientPID", "kubelet has insufficient PID available"},
		cluster.ConditionFalse: {"KubeletHasSufficientPID", "kubelet has sufficient PID available"},
	},
	"NetworkUnavailable": {
		cluster.ConditionTrue:  {"NoRouteCreated", "RouteController failed to create a route"},
		cluster.ConditionFalse: {"RouteCreated", "RouteController created a route"},
	},
}

// conditionTypes are the node condition types set-condition sets, in
// the order they are listed in messages.
var conditionTypes = []cluster.NodeConditionType{cluster.NodeReady, "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"}

// conditionType reads a condition type as written in a scenario file
// (DiskPressure) or a timeline's kebab-case key (disk-pressure).
func conditionType(s string) (cluster.NodeConditionType, bool) {
	norm := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	for _, t := range conditionTypes {
		if strings.ToLower(string(t)) == norm {
			return t, true
		}
	}
	return "", false
}

// set-condition n1 TYPE=STATUS [reason=R] [message=M]
func cmdSetCondition(w *World, _ Command, a *args, out *strings.Builder) error {
	node, err := a.node()
	if err != nil {
		return err
	}
	var typ cluster.NodeConditionType
	var status string
	for i, x := range a.list {
		t, ok := conditionType(x.Key)
		if a.used[i] || !ok || len(x.Vals) == 0 {
			continue
		}
		if typ != "" {
			return badf("set-condition: one condition per command, got %s and %s", typ, t)
		}
		a.used[i] = true
		if len(x.Vals) != 1 {
			return badf("set-condition: %s: want True or False, got %q", t, strings.Join(x.Vals, ","))
		}
		typ, status = t, x.Vals[0]
	}
	if typ == "" {
		names := make([]string, len(conditionTypes))
		for i, t := range conditionTypes {
			names[i] = string(t)
		}
		return badf("set-condition: missing the condition TYPE=STATUS (types: %s)", strings.Join(names, ", "))
	}
	var st cluster.ConditionStatus
	switch status {
	case "True":
		st = cluster.ConditionTrue
	case "False":
		st = cluster.ConditionFalse
	case "Unknown":
		return badf("set-condition: %s: Unknown is set only by the node lifecycle controller when the kubelet stops posting status; use stop-kubelet", typ)
	default:
		return badf("set-condition: %s: want True or False, got %q", typ, status)
	}
	def := conditionDefaults[typ][st]
	c := cluster.NodeCondition{Type: typ, Status: st, Reason: a.str("reason", def[0]), Message: a.str("message", def[1])}
	if err := a.done(); err != nil {
		return err
	}
	return w.setCondition(out, node, c)
}

// setCondition writes c into node's status (status subresource) and
// prints "node/n1 Type=Status (Reason)".
func (w *World) setCondition(out *strings.Builder, node string, c cluster.NodeCondition) error {
	k := cluster.Key{Kind: cluster.KindNode, Name: node}
	now := w.c.Now()
	ok, err := w.updateStatus(out, k, func(o cluster.Object) {
		cluster.SetNodeCondition(&o.(*cluster.Node).Status, c, now)
	})
	if err != nil || !ok {
		return err
	}
	fmt.Fprintf(out, "%s %s=%s (%s)\n", ref(k), c.Type, c.Status, c.Reason)
	return nil
}

// drain n1 [ignore-daemonsets] [force] [delete-emptydir-data] [grace-period=N] [timeout=D]
// [disable-eviction] [pod-selector=S] [no-wait]
func cmdDrain(w *World, _ Command, a *args, out *strings.Builder) error {
	node, err := a.node()
	if err != nil {
		return err
	}
	o := drain.Options{IgnoreDaemonSets: a.flag("ignore-daemonsets"), Force: a.flag("force"),
		DeleteEmptyDirData: a.flag("delete-emptydir-data"), DisableEviction: a.flag("disable-eviction"),
		Timeout: a.duration("timeout", 0), PodSelector: a.str("pod-selector", "")}
	if s := a.str("grace-period", ""); s != "" {
		g, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return badf("drain: grace-period: want an integer number of seconds (-1: each pod's own), got %q", s)
		}
		o.GracePeriodSeconds = &g
	}
	noWait := a.flag("no-wait")
	if err := a.done(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		// Validate names the Options field (podSelector): name the
		// argument instead
		return badf("drain: %s", strings.ReplaceAll(err.Error(), "podSelector:", "pod-selector:"))
	}
	if err := w.c.Drain(node, o); err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	if noWait {
		fmt.Fprintf(out, "node/%s drain started\n", node)
		return nil
	}
	start := w.c.Now()
	bound := DefaultDrainBound
	if o.Timeout > 0 {
		// kubectl notices its deadline at the first retry or poll after
		// it: at most a retry interval later
		bound = o.Timeout + drain.DefaultRetryInterval
	}
	deadline := start.Add(bound)
	res, err := w.waitDrain(node, deadline)
	if err != nil {
		return err
	}
	for _, l := range res.Lines {
		fmt.Fprintf(out, "+%s %s\n", l.At.Sub(res.Started), l.Text)
	}
	if res.Phase == drain.Draining {
		why := "no timeout"
		if o.Timeout > 0 {
			why = "its timeout"
		}
		fmt.Fprintf(out, "drain of node/%s still running after %s (%s); it goes on\n", node, bound, why)
	}
	fmt.Fprintln(out, w.Offset())
	return nil
}

// waitDrain runs the clock, an instant at a time, until node's drain is no
// longer Draining or deadline passes, and returns its Result.
func (w *World) waitDrain(node string, deadline time.Time) (drain.Result, error) {
	for {
		res, _ := w.c.Drains.Result(node)
		if res.Phase != drain.Draining {
			return res, nil
		}
		next, ok := w.c.NextAt()
		for _, rp := range w.replayers {
			if at, rok := rp.NextAt(); rok && (!ok || at.Before(next)) {
				next, ok = at, true
			}
		}
		if !ok || next.After(deadline) {
			next = deadline
		}
		if next.Before(w.c.Now()) {
			next = w.c.Now()
		}
		if err := w.runUntil(next); err != nil {
			return res, fmt.Errorf("%w: drain: %v", ErrEngine, err)
		}
		if !next.Before(deadline) {
			res, _ = w.c.Drains.Result(node)
			return res, nil
		}
	}
}

// churn KIND [param=value...] for=D
func cmdChurn(w *World, _ Command, a *args, out *strings.Builder) error {
	kind := a.word()
	if kind == "" {
		kind = a.str("kind", "")
	}
	mk, ok := churnKinds[kind]
	if !ok {
		return badf("churn: want a kind (%s), got %q", strings.Join(churnKindNames, ", "), kind)
	}
	if !a.has("for") {
		return badf("churn: missing for=D (the horizon: events are made in [now, now+D))")
	}
	horizon := a.duration("for", 0)
	if a.err == nil && (horizon <= 0 || horizon > MaxChurnHorizon) {
		return badf("churn: for: want a duration in (0, %s], got %s", MaxChurnHorizon, horizon)
	}
	nodes := churn.NodesOf(w.c.View())
	p := &churnParams{a: a}
	gen := mk(p, nodes)
	if err := a.done(); err != nil {
		return err
	}
	if errs := gen.Validate(field.NewPath(kind)); len(errs) > 0 {
		// name each bad value by its parameter: the field path in
		// kebab-case (secondFailureProbability: second-failure-probability)
		msgs := make([]string, len(errs))
		for i, e := range errs {
			param := kebab(strings.TrimPrefix(e.Field, kind+"."))
			msgs[i] = param + ": " + e.ErrorBody()
		}
		return badf("churn %s: %s", kind, strings.Join(msgs, "; "))
	}
	res, err := churn.Generate(w.c.Rand, nodes, horizon, gen)
	if err != nil {
		return badf("churn: %v", err)
	}
	w.startReplay(churn.NewSource(res.Events))
	fmt.Fprintf(out, "churn %s: %s over %s from %s (stream %s)\n", kind, eventCount(len(res.Events)), horizon, w.Offset(), gen.StreamName())
	printEvents(out, res.Events)
	return nil
}

func eventCount(n int) string {
	if n == 1 {
		return "1 event"
	}
	return strconv.Itoa(n) + " events"
}

// printEvents lists the first events, one per line.
func printEvents(out *strings.Builder, evs []trace.NodeEvent) {
	for i, ev := range evs {
		if i == maxListedEvents {
			fmt.Fprintf(out, "... and %d more\n", len(evs)-i)
			break
		}
		fmt.Fprintf(out, "  +%s %s node/%s\n", ev.At, ev.Type, ev.Node)
	}
}

func (w *World) startReplay(src churn.Source) {
	w.replayers = append(w.replayers, churn.NewReplayer(w.c, src, churn.ReplayOptions{Start: w.c.Now()}))
}

// replay file=PATH [format=csv|google2011]
func cmdReplay(w *World, cmd Command, a *args, out *strings.Builder) error {
	path := a.str("file", "")
	if path == "" {
		return badf("replay: missing file=PATH (a trace, relative to the scenario file)")
	}
	format := a.str("format", "csv")
	if err := a.done(); err != nil {
		return err
	}
	if cmd.Dir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(cmd.Dir, path)
	}
	var r *trace.Reader
	var err error
	switch format {
	case "csv":
		r, err = trace.Open(path)
	case "google2011":
		r, err = trace.OpenGoogle2011(path, trace.Google2011Options{})
	default:
		return badf("replay: format: want csv or google2011, got %q", format)
	}
	if err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	evs, err := trace.ReadAll(r)
	r.Close()
	if err != nil {
		fmt.Fprintln(out, "error: "+err.Error())
		return nil
	}
	w.startReplay(churn.NewSource(evs))
	fmt.Fprintf(out, "replay %s: %s from %s\n", filepath.Base(path), eventCount(len(evs)), w.Offset())
	printEvents(out, evs)
	return nil
}

// churnParams reads a generator's parameters, each named in errors.
type churnParams struct{ a *args }

func (p *churnParams) float(key string, def float64) float64 {
	s := p.a.str(key, "")
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.a.fail("churn: %s: want a number, got %q", key, s)
		return def
	}
	return f
}

func (p *churnParams) int(key string, def int) int { return p.a.int(key, def) }

func (p *churnParams) duration(key string, def time.Duration) time.Duration {
	return p.a.duration(key, def)
}

func (p *churnParams) str(key, def string) string { return p.a.str(key, def) }

// dist reads a distribution: D (fixed), (LO, HI) (uniform), or as sim
// prints them: fixed(D), uniform(LO,HI), lognormal(MEDIAN,SIGMA).
func (p *churnParams) dist(key string, def sim.Distribution) sim.Distribution {
	i := p.a.find(key)
	if i < 0 {
		return def
	}
	p.a.used[i] = true
	d, err := parseDist(p.a.list[i].Vals)
	if err != nil {
		p.a.fail("churn: %s: %v", key, err)
		return def
	}
	return d
}

const distForms = "want a duration (5m), two bounds ((1m, 5m)), fixed(D), uniform(LO,HI) or lognormal(MEDIAN,SIGMA)"

func parseDist(vals []string) (sim.Distribution, error) {
	if len(vals) == 1 {
		s := vals[0]
		if fn, rest, ok := strings.Cut(s, "("); ok && strings.HasSuffix(rest, ")") {
			parts := strings.Split(strings.TrimSuffix(rest, ")"), ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
			var d sim.Distribution
			switch {
			case fn == "" && len(parts) == 2: // "(1m, 2m)" as one value (a timeline's scalar)
				return parseDist(parts)
			case fn == "fixed" && len(parts) == 1:
				x, err := parseDuration(parts[0])
				if err != nil {
					return d, fmt.Errorf("%s, got %q", distForms, s)
				}
				d = sim.Fixed(x)
			case fn == "uniform" && len(parts) == 2:
				lo, err1 := parseDuration(parts[0])
				hi, err2 := parseDuration(parts[1])
				if err1 != nil || err2 != nil {
					return d, fmt.Errorf("%s, got %q", distForms, s)
				}
				d = sim.Uniform(lo, hi)
			case fn == "lognormal" && len(parts) == 2:
				m, err1 := parseDuration(parts[0])
				sigma, err2 := strconv.ParseFloat(parts[1], 64)
				if err1 != nil || err2 != nil {
					return d, fmt.Errorf("%s, got %q", distForms, s)
				}
				d = sim.LogNormal(m, sigma)
			default:
				return d, fmt.Errorf("%s, got %q", distForms, s)
			}
			return d, d.Validate()
		}
	}
	d, err := parseDistribution(vals)
	if err != nil {
		return d, fmt.Errorf("%s, got %q", distForms, strings.Join(vals, ", "))
	}
	return d, nil
}

// churnKinds make each generator from its defaults and the parameters.
var churnKinds = map[string]func(p *churnParams, nodes []churn.Node) churn.Generator{
	"steady": func(p *churnParams, nodes []churn.Node) churn.Generator {
		g := churn.DefaultSteady(len(nodes))
		g.Stream = p.str("stream", g.Stream)
		g.ArrivalsPerHour = p.float("arrivals-per-hour", g.ArrivalsPerHour)
		g.DeparturesPerNodeHour = p.float("departures-per-node-hour", g.DeparturesPerNodeHour)
		g.NamePrefix = p.str("name-prefix", g.NamePrefix)
		if p.a.has("labels") {
			l, err := parseLabels(p.a.values("labels"))
			if err != nil {
				p.a.fail("churn: labels: %v", err)
			}
			g.Labels = l
		}
		return g
	},
	"crash": func(p *churnParams, _ []churn.Node) churn.Generator {
		g := churn.DefaultCrash()
		g.Stream = p.str("stream", g.Stream)
		g.FailuresPerNodeHour = p.float("failures-per-node-hour", g.FailuresPerNodeHour)
		g.Downtime = p.dist("downtime", g.Downtime)
		return g
	},
	"kubelet-stop": func(p *churnParams, _ []churn.Node) churn.Generator {
		g := churn.DefaultKubeletStop()
		g.Stream = p.str("stream", g.Stream)
		g.StopsPerNodeHour = p.float("stops-per-node-hour", g.StopsPerNodeHour)
		g.ReturnProbability = p.float("return-probability", g.ReturnProbability)
		g.Restart = p.dist("restart", g.Restart)
		return g
	},
	"correlated": func(p *churnParams, nodes []churn.Node) churn.Generator {
		label := p.str("domain-label", trace.LabelRack)
		probe := churn.Correlated{DomainLabel: label}
		values, _ := probe.Domains(nodes)
		g := churn.DefaultCorrelated(max(len(values), 1))
		g.DomainLabel = label
		g.Stream = p.str("stream", g.Stream)
		g.FailuresPerDomainHour = p.float("failures-per-domain-hour", g.FailuresPerDomainHour)
		g.Downtime = p.dist("downtime", g.Downtime)
		g.SecondFailureProbability = p.float("second-failure-probability", g.SecondFailureProbability)
		g.Window = p.duration("window", g.Window)
		return g
	},
	"maintenance": func(p *churnParams, _ []churn.Node) churn.Generator {
		g := churn.DefaultMaintenance()
		g.Stream = p.str("stream", g.Stream)
		g.Start = p.duration("start", g.Start)
		g.Fraction = p.float("fraction", g.Fraction)
		g.DrainTime = p.duration("drain-time", g.DrainTime)
		g.Reboot = p.dist("reboot", g.Reboot)
		g.UncordonDelay = p.duration("uncordon-delay", g.UncordonDelay)
		g.Pause = p.duration("pause", g.Pause)
		g.Period = p.duration("period", g.Period)
		return g
	},
	"burst": func(p *churnParams, nodes []churn.Node) churn.Generator {
		g := churn.DefaultBurst(len(nodes))
		g.Stream = p.str("stream", g.Stream)
		g.BurstsPerHour = p.float("bursts-per-hour", g.BurstsPerHour)
		g.MinSize = p.int("min-size", g.MinSize)
		g.MaxSize = p.int("max-size", g.MaxSize)
		g.Spread = p.duration("spread", g.Spread)
		g.Lifetime = p.dist("lifetime", g.Lifetime)
		g.NamePrefix = p.str("name-prefix", g.NamePrefix)
		if p.a.has("labels") {
			l, err := parseLabels(p.a.values("labels"))
			if err != nil {
				p.a.fail("churn: labels: %v", err)
			}
			g.Labels = l
		}
		return g
	},
}

var churnKindNames = []string{"steady", "crash", "kubelet-stop", "correlated", "maintenance", "burst"}
