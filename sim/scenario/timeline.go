package scenario

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/cockroachdb/datadriven"
	yaml3 "sigs.k8s.io/yaml/goyaml.v3"
)

// TimelineAPIVersion and TimelineKind identify a timeline document.
const (
	TimelineAPIVersion = "daemonsim.io/v1alpha1"
	TimelineKind       = "Scenario"
)

// Timeline is a parsed `kind: Scenario` document: a cluster to start from
// and steps at simulated offsets, each one command of the scenario-file
// vocabulary.
type Timeline struct {
	// Name is metadata.name.
	Name string
	// File is the name the timeline was parsed from.
	File string
	// Cluster is the cluster command built from spec.cluster (seed,
	// latencies), nil when spec.cluster sets none of them.
	Cluster *Command
	// Nodes are the add-nodes commands of spec.cluster.nodes, in order.
	Nodes []Command
	// Steps are spec.steps in order (their offsets never decrease).
	Steps []Step
}

// Step is one step of a timeline: a command to run at offset At from the
// start of the simulation.
type Step struct {
	// At is the offset from the start of the simulation.
	At time.Duration
	// Command is the step's command; its Pos is the line of the command's
	// key, its Dir the timeline's directory.
	Command Command
}

// TimelineError is a timeline that does not parse: every problem found,
// each with its file and line.
type TimelineError struct {
	Problems []string // "scenario.yaml:12: spec.steps[2]: ..."
}

// Error returns the problems, one a line.
func (e *TimelineError) Error() string { return strings.Join(e.Problems, "\n") }

// Is makes a TimelineError match ErrCommand.
func (e *TimelineError) Is(target error) bool { return target == ErrCommand }

type timelineParser struct {
	name  string
	lines []string
	errs  []string
}

func (p *timelineParser) errorf(n *yaml3.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	p.errs = append(p.errs, fmt.Sprintf("%s:%d: %s", p.name, line, msg))
}

// ParseTimeline parses a timeline from data; name is the file name used in
// messages and the directory that relative paths (apply's file) resolve
// against. The document:
//
//	apiVersion: daemonsim.io/v1alpha1
//	kind: Scenario
//	metadata: {name: my-scenario}
//	spec:
//	  cluster:                   # optional
//	    seed: 42
//	    startLatency: 2s         # or [1s, 3s]: uniform
//	    readyDelay: 5s
//	    failureProbability: 0.01
//	    nodes:                   # add-nodes arguments, or a list of them
//	      count: 5
//	      labels: {zone: a}
//	      taints: ["dedicated=infra:NoSchedule"]
//	      cpu: "4"
//	  steps:
//	  - at: 0s
//	    apply: {file: agent.yaml}
//	  - at: 5m
//	    taint: {node: node-1, taint: "dedicated=infra:NoExecute"}
//	  - at: 6m
//	    get: pods -o wide         # a string: the arguments as in a scenario file
//	  - at: 10m
//	    stabilize: {}
//
// Each step has an optional at (a duration from the start; omitted, the
// previous step's; offsets must not decrease) and exactly one other key, the
// command's name (camelCase names are accepted for kebab-case ones:
// addNodes, setImage, rolloutUndo, ...). Its value is the arguments: a
// string (read as the rest of a scenario-file command line), a list of such
// strings, null, or a mapping whose keys are argument names (camelCase or
// kebab-case) and whose values are a scalar, a list (several values), or a
// mapping of key to value (labels: {zone: a, old: null} gives zone=a and
// old-). apply and create take file: (a path or a list) and manifest: (an
// object, or a list of objects, inline); patch takes the object and patch:
// (the merge patch, inline: patch: {object: ds/kube-system/agent, patch:
// {spec: {template: {spec: {nodeSelector: null}}}}}). Unknown fields are errors. All
// problems are returned at once in a *TimelineError (one per line, with
// file:line), which matches ErrCommand; arguments are checked when a step
// runs, with the same messages as in scenario files.
func ParseTimeline(name string, data []byte) (*Timeline, error) {
	p := &timelineParser{name: name, lines: strings.Split(string(data), "\n")}
	var doc yaml3.Node
	if err := yaml3.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "yaml: ")
		if l, rest, ok := strings.Cut(strings.TrimPrefix(msg, "line "), ": "); ok && strings.HasPrefix(msg, "line ") {
			return nil, &TimelineError{[]string{fmt.Sprintf("%s:%s: %s", name, l, rest)}}
		}
		return nil, &TimelineError{[]string{fmt.Sprintf("%s: %s", name, msg)}}
	}
	if doc.Kind != yaml3.DocumentNode || len(doc.Content) == 0 {
		return nil, &TimelineError{[]string{name + ":1: empty document"}}
	}
	t := &Timeline{File: name}
	p.timeline(doc.Content[0], t)
	if len(p.errs) > 0 {
		return nil, &TimelineError{p.errs}
	}
	return t, nil
}

// fields checks that n is a mapping with only the known keys and returns
// the value of each key present.
func (p *timelineParser) fields(n *yaml3.Node, path string, known ...string) map[string]*yaml3.Node {
	out := map[string]*yaml3.Node{}
	if n.Kind != yaml3.MappingNode {
		p.errorf(n, path, "expected a mapping")
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		found := false
		for _, f := range known {
			if k.Value == f {
				found = true
			}
		}
		switch {
		case !found:
			p.errorf(k, join(path, k.Value), "unknown field (known: %s)", strings.Join(known, ", "))
		case out[k.Value] != nil:
			p.errorf(k, join(path, k.Value), "duplicate field")
		default:
			out[k.Value] = v
		}
	}
	return out
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func (p *timelineParser) scalar(n *yaml3.Node, path string) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Kind != yaml3.ScalarNode {
		p.errorf(n, path, "expected a string")
		return "", false
	}
	return n.Value, true
}

func (p *timelineParser) timeline(root *yaml3.Node, t *Timeline) {
	f := p.fields(root, "", "apiVersion", "kind", "metadata", "spec")
	if v, ok := p.scalar(f["apiVersion"], "apiVersion"); !ok || v != TimelineAPIVersion {
		p.errorf(orNode(f["apiVersion"], root), "apiVersion", "must be %s", TimelineAPIVersion)
	}
	if v, ok := p.scalar(f["kind"], "kind"); !ok || v != TimelineKind {
		p.errorf(orNode(f["kind"], root), "kind", "must be %s", TimelineKind)
	}
	if m := f["metadata"]; m != nil {
		mf := p.fields(m, "metadata", "name", "labels", "annotations")
		t.Name, _ = p.scalar(mf["name"], "metadata.name")
	}
	spec := f["spec"]
	if spec == nil {
		p.errorf(root, "spec", "Required value")
		return
	}
	sf := p.fields(spec, "spec", "cluster", "steps")
	dir := filepath.Dir(p.name)
	if c := sf["cluster"]; c != nil {
		p.cluster(c, t, dir)
	}
	steps := sf["steps"]
	if steps == nil {
		p.errorf(spec, "spec.steps", "Required value")
		return
	}
	if steps.Kind != yaml3.SequenceNode {
		p.errorf(steps, "spec.steps", "expected a list")
		return
	}
	var at time.Duration
	for i, s := range steps.Content {
		path := fmt.Sprintf("spec.steps[%d]", i)
		step, ok := p.step(s, path, dir, at)
		if ok {
			at = step.At
			t.Steps = append(t.Steps, step)
		}
	}
}

func orNode(n, def *yaml3.Node) *yaml3.Node {
	if n != nil {
		return n
	}
	return def
}

func (p *timelineParser) cluster(n *yaml3.Node, t *Timeline, dir string) {
	f := p.fields(n, "spec.cluster", "seed", "startLatency", "readyDelay", "failureProbability", "maxSteps", "nodes")
	c := Command{Pos: p.pos(n), Name: "cluster", Dir: dir}
	for _, key := range []string{"seed", "startLatency", "readyDelay", "failureProbability", "maxSteps"} {
		if v := f[key]; v != nil {
			c.Args = append(c.Args, p.arg(key, v, "spec.cluster."+key))
		}
	}
	if len(c.Args) > 0 {
		t.Cluster = &c
	}
	nodes := f["nodes"]
	if nodes == nil {
		return
	}
	list := []*yaml3.Node{nodes}
	if nodes.Kind == yaml3.SequenceNode {
		list = nodes.Content
	}
	for i, nn := range list {
		path := "spec.cluster.nodes"
		if nodes.Kind == yaml3.SequenceNode {
			path = fmt.Sprintf("%s[%d]", path, i)
		}
		cmd := Command{Pos: p.pos(nn), Name: "add-nodes", Dir: dir}
		if args, ok := p.args(nn, path, ""); ok {
			cmd.Args = args
			t.Nodes = append(t.Nodes, cmd)
		}
	}
}

func (p *timelineParser) pos(n *yaml3.Node) string { return fmt.Sprintf("%s:%d", p.name, n.Line) }

func (p *timelineParser) step(n *yaml3.Node, path, dir string, prev time.Duration) (Step, bool) {
	if n.Kind != yaml3.MappingNode {
		p.errorf(n, path, "expected a mapping with at: and one command")
		return Step{}, false
	}
	s := Step{At: prev}
	var name string
	var value, key *yaml3.Node
	unknown := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "at" {
			d, err := parseDuration(v.Value)
			switch {
			case v.Kind != yaml3.ScalarNode || err != nil:
				p.errorf(v, path+".at", "want a duration such as 30s or 5m, got %q", v.Value)
			case d < prev:
				p.errorf(v, path+".at", "%s is before the previous step's %s: steps must be in time order", d, prev)
			default:
				s.At = d
			}
			continue
		}
		cmd := kebab(k.Value)
		if _, known := handlers[cmd]; !known {
			p.errorf(k, join(path, k.Value), "unknown command (known: %s)", strings.Join(commandNames(), ", "))
			unknown = true
			continue
		}
		if key != nil {
			p.errorf(k, join(path, k.Value), "a step has one command; this one already has %s", key.Value)
			continue
		}
		name, value, key = cmd, v, k
	}
	if key == nil {
		if unknown {
			return Step{}, false
		}
		p.errorf(n, path, "a step needs a command (known: %s)", strings.Join(commandNames(), ", "))
		return Step{}, false
	}
	c := Command{Pos: p.pos(key), Name: name, Dir: dir}
	inputKey := "" // the argument that holds the command's input
	switch name {
	case "apply", "create":
		inputKey = "manifest"
	case "patch":
		inputKey = "patch"
	}
	args, ok := p.args(value, join(path, key.Value), inputKey)
	if !ok {
		return Step{}, false
	}
	for _, a := range args {
		if a.Key == "\x00manifest" {
			c.Input, c.Pos, c.inlineList = a.Vals[0], a.Vals[1], a.Vals[2] == "list"
			continue
		}
		c.Args = append(c.Args, a)
	}
	s.Command = c
	return s, true
}

// args turns a step's value into arguments (see ParseTimeline). The
// input under inputKey (an inline manifest, a patch) comes back as the Arg
// "\x00manifest" with its text and the position its lines count from.
func (p *timelineParser) args(v *yaml3.Node, path string, inputKey string) ([]Arg, bool) {
	n := len(p.errs)
	var out []Arg
	switch v.Kind {
	case yaml3.ScalarNode:
		if v.Tag == "!!null" {
			return nil, true
		}
		out = p.line(v, path)
	case yaml3.SequenceNode:
		for i, item := range v.Content {
			if item.Kind != yaml3.ScalarNode {
				p.errorf(item, fmt.Sprintf("%s[%d]", path, i), "expected a string")
				continue
			}
			out = append(out, p.line(item, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case yaml3.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if inputKey != "" && k.Value == inputKey {
				text, start := p.inline(val)
				kind := "object"
				if val.Kind == yaml3.SequenceNode {
					kind = "list"
				}
				out = append(out, Arg{Key: "\x00manifest", Vals: []string{text, fmt.Sprintf("%s:%d", p.name, start), kind}})
				continue
			}
			out = append(out, p.arg(k.Value, val, join(path, k.Value)))
		}
	default:
		p.errorf(v, path, "expected a string, a list or a mapping")
	}
	return out, len(p.errs) == n
}

// line reads a scalar as the arguments of a scenario-file command line.
func (p *timelineParser) line(v *yaml3.Node, path string) []Arg {
	_, cargs, err := datadriven.ParseLine("x " + v.Value)
	if err != nil {
		p.errorf(v, path, "%v", err)
		return nil
	}
	out := make([]Arg, len(cargs))
	for i, a := range cargs {
		out[i] = Arg{Key: a.Key, Vals: a.Vals}
	}
	return out
}

// arg reads one key of a step's mapping.
func (p *timelineParser) arg(key string, v *yaml3.Node, path string) Arg {
	a := Arg{Key: kebab(key)}
	switch v.Kind {
	case yaml3.ScalarNode:
		if v.Tag != "!!null" {
			a.Vals = []string{v.Value}
		}
	case yaml3.SequenceNode:
		for i, item := range v.Content {
			if item.Kind != yaml3.ScalarNode {
				p.errorf(item, fmt.Sprintf("%s[%d]", path, i), "expected a string")
				continue
			}
			a.Vals = append(a.Vals, item.Value)
		}
		if len(a.Vals) == 0 {
			p.errorf(v, path, "empty list")
		}
	case yaml3.MappingNode:
		errs := len(p.errs)
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			switch {
			case val.Kind != yaml3.ScalarNode:
				p.errorf(val, join(path, k.Value), "expected a string or null")
			case val.Tag == "!!null":
				a.Vals = append(a.Vals, k.Value+"-")
			default:
				a.Vals = append(a.Vals, k.Value+"="+val.Value)
			}
		}
		if len(a.Vals) == 0 && len(p.errs) == errs {
			p.errorf(v, path, "empty mapping")
		}
	}
	return a
}

// inline returns the source text of an inline manifest (an object, or a
// list of objects as a v1 List) and the line its first line stands for
// minus one, so that load's line numbers are the timeline's.
func (p *timelineParser) inline(v *yaml3.Node) (string, int) {
	first, last := v.Line, maxLine(v)
	// a block scalar or a multi-line value continues on more indented lines
	for last < len(p.lines) {
		next := p.lines[last] // line last+1
		if strings.TrimSpace(next) != "" && indent(next) < v.Column {
			break
		}
		last++
	}
	var b strings.Builder
	for l := first; l <= last && l <= len(p.lines); l++ {
		text := p.lines[l-1]
		if l == first {
			text = text[min(v.Column-1, len(text)):]
		} else {
			text = text[min(v.Column-1, indent(text)):]
		}
		b.WriteString(text)
		b.WriteByte('\n')
	}
	if v.Kind == yaml3.SequenceNode {
		return "apiVersion: v1\nkind: List\nitems:\n" + b.String(), first - 4
	}
	return b.String(), first - 1
}

func indent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

func maxLine(n *yaml3.Node) int {
	m := n.Line
	for _, c := range n.Content {
		m = max(m, maxLine(c))
	}
	return m
}

// kebab turns a camelCase name into kebab-case ("ignoreDaemonsets" is
// "ignore-daemonsets"); a kebab-case name is unchanged.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Run runs the timeline on w, writing to out each step's start time, command and
// output (a blank line between steps): first the cluster command (only on a
// World that has run nothing else), then the nodes, then each step after
// running the clock to its offset (counted from the World's start). It
// stops at the first command that cannot run or an engine failure,
// returning the error with the step's file and line ("scenario.yaml:14:
// bad command: taint: ..."); errors writing to out are returned as they
// are. What the simulator refuses is printed, as in scenario files.
func (t *Timeline) Run(w *World, out io.Writer) error {
	var cmds []Step
	if t.Cluster != nil {
		cmds = append(cmds, Step{Command: *t.Cluster})
	}
	for _, n := range t.Nodes {
		cmds = append(cmds, Step{Command: n})
	}
	cmds = append(cmds, t.Steps...)
	for i, s := range cmds {
		if target := w.start.Add(s.At); target.After(w.c.Now()) {
			if err := w.runUntil(target); err != nil {
				return fmt.Errorf("%s: %w: running to %s: %v", s.Command.Pos, ErrEngine, s.At, err)
			}
		}
		at := w.Offset()
		res, err := w.Exec(s.Command)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Command.Pos, err)
		}
		sep := "\n"
		if i == 0 {
			sep = ""
		}
		if _, err := fmt.Fprintf(out, "%s%s %s\n%s", sep, at, s.Command, res); err != nil {
			return err
		}
	}
	return nil
}
