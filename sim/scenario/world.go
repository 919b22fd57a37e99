package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/churn"
)

// Source is the name the World submits its changes under in the event log.
const Source = "scenario"

// Command is one command to run: its name, its arguments in order, its
// input (the YAML of apply and create) and where it was written.
type Command struct {
	// Pos is "file:line", for messages; "" when it was not read from a file.
	Pos string
	// Name is the command: "apply", "add-nodes", "set", "get", ...
	Name string
	// Args are the arguments in the order written.
	Args []Arg
	// Input is the text between the command line and "----" (scenario
	// files) or the step's inline manifest (timelines).
	Input string
	// Dir is the directory relative file paths resolve against: the
	// scenario file's. "" means the working directory.
	Dir string
	// inlineList: Input is a timeline's list of objects wrapped in a v1
	// List, whose items[i] the user wrote as manifest[i].
	inlineList bool
}

// String renders the command line as written in a scenario file.
func (c Command) String() string {
	parts := []string{c.Name}
	for _, a := range c.Args {
		parts = append(parts, a.String())
	}
	return strings.Join(parts, " ")
}

// Config configures a World's cluster; a cluster command (which must come
// before any other) changes the settings it names and keeps the rest. The zero value is usable: seed 0, pods that start and
// become ready at once, upstream settings.
type Config struct {
	// Sim is the configuration of the simulated cluster (sim.NewDefault).
	// Sim.Engine.MaxSteps 0 means DefaultMaxSteps, so that a stabilize
	// that never settles fails a test in seconds.
	Sim sim.DefaultConfig
}

// DefaultMaxSteps bounds stabilize when Config.Sim.Engine.MaxSteps is 0.
const DefaultMaxSteps = 1_000_000

// World is one simulated cluster driven by commands: what a scenario file or
// a timeline acts on. Commands that change the cluster submit their changes
// at the current simulated instant and apply them at once, in order, so that
// their results (created, refused, ...) print with them; the controllers
// react when time runs (run, stabilize), except that what they plan at the
// instant of a change is already queued. A World is not safe for concurrent
// use.
type World struct {
	cfg   Config
	c     *sim.Cluster
	used  bool // a command other than cluster has run
	start time.Time
	// lastNote is the log length at the last events command.
	lastNote int
	// lastApplied holds the JSON of the manifest each apply wrote last.
	lastApplied map[cluster.Key]string
	// replayers are the active replays (churn, replay), in the order
	// they started; run and stabilize go through them
	replayers []*churn.Replayer
}

// NewWorld returns a World on a fresh cluster built from cfg. Errors: an
// invalid configuration (from sim.NewDefault).
func NewWorld(cfg Config) (*World, error) {
	w := &World{}
	if err := w.configure(cfg); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *World) configure(cfg Config) error {
	if cfg.Sim.Engine.MaxSteps == 0 {
		cfg.Sim.Engine.MaxSteps = DefaultMaxSteps
	}
	c, err := sim.NewDefault(cfg.Sim)
	if err != nil {
		return err
	}
	w.cfg, w.c, w.start, w.replayers = cfg, c, c.Now(), nil
	return nil
}

// Cluster returns the simulated cluster the World drives, for reading (its
// View, Log, Rollouts) or for changes a command cannot express. It is the
// World's; changes submitted to it directly take effect when time runs.
// A cluster command replaces it with a new one: call Cluster again after.
func (w *World) Cluster() *sim.Cluster { return w.c }

// Offset renders the current simulated time as an offset from the start:
// "t=+1m30s".
func (w *World) Offset() string { return "t=" + w.c.Offset(w.c.Now()) }

// Exec runs one command and returns what it prints, ending in a newline
// ("ok" for a command that prints nothing else). What the simulator refuses
// (a change the store rejects, an eviction a budget forbids, a manifest that
// does not load) is part of the output, in kubectl's words, and err is nil.
// err is non-nil only when the command cannot run as written (it wraps
// ErrCommand: an unknown command or argument, a missing argument, a value of
// the wrong form; the message names the command but not cmd.Pos), or when
// the engine fails (a controller's error, or a stabilize that finds no fixed
// point, wrapping sim.ErrNoFixedPoint). After an engine error the World
// should not be used further.
func (w *World) Exec(cmd Command) (string, error) {
	name, cmd := splitSubcommand(cmd)
	h, ok := handlers[name]
	if !ok {
		return "", badf("unknown command %q (known: %s)", cmd.Name, strings.Join(commandNames(), ", "))
	}
	if name != "cluster" {
		w.used = true
	}
	a := newArgs(cmd)
	a.cmd = name
	var out strings.Builder
	err := h(w, cmd, a, &out)
	if err == nil {
		err = a.done()
	}
	if err != nil {
		return "", err
	}
	s := out.String()
	if s == "" {
		s = "ok\n"
	} else if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s, nil
}

// splitSubcommand turns "set image ..." into "set-image ...", and "rollout
// undo ..." into "rollout-undo ...".
func splitSubcommand(cmd Command) (string, Command) {
	if cmd.Name != "set" && cmd.Name != "rollout" {
		return cmd.Name, cmd
	}
	if len(cmd.Args) == 0 || len(cmd.Args[0].Vals) != 0 {
		return cmd.Name, cmd
	}
	c := cmd
	c.Name = cmd.Name + "-" + cmd.Args[0].Key
	c.Args = cmd.Args[1:]
	return c.Name, c
}

type handler func(w *World, cmd Command, a *args, out *strings.Builder) error

var handlers map[string]handler

// Commands returns the names of the commands a scenario file or timeline
// may use, sorted. The caller owns the slice.
func Commands() []string { return commandNames() }

func commandNames() []string {
	names := make([]string, 0, len(handlers))
	for n := range handlers {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ErrEngine is wrapped by Exec's errors that come from the engine rather
// than from the command.
var ErrEngine = errors.New("engine failed")

// applyNow submits the changes at the current instant, in order, and steps
// the engine until each has been processed (events queued before them at
// this instant are processed first, as they would be). It returns the error
// each change was refused with, nil where it was applied, with its type as
// the store returned it.
func (w *World) applyNow(changes ...cluster.Change) ([]error, error) {
	e := w.c.Engine
	want := make(map[uint64]int, len(changes))
	for i, ch := range changes {
		want[e.Submit(e.Now(), Source, ch)] = i
	}
	errs := make([]error, len(changes))
	for left := len(changes); left > 0; {
		before := e.Snapshot()
		ev, ok, err := e.Step()
		if !ok {
			return errs, fmt.Errorf("%w: %d submitted changes were never processed", ErrEngine, left)
		}
		if i, mine := want[ev.Seq]; mine && ev.Kind == sim.EventChange {
			left--
			if ev.Err != "" {
				// the same change on the state it met gives the typed error
				if _, aerr := before.Fork().Apply(ev.At, changes[i]); aerr != nil {
					errs[i] = aerr
				} else {
					errs[i] = errors.New(ev.Err)
				}
			}
		}
		if err != nil {
			return errs, fmt.Errorf("%w: %v", ErrEngine, err)
		}
	}
	return errs, nil
}

// get returns the stored object with key k.
func (w *World) get(k cluster.Key) (cluster.Object, bool) {
	return w.c.View().Get(k)
}

// ParseCommand reads one command line of a scenario file ("add-nodes
// count=3 labels=zone=a"), with input as its input (the YAML of apply; ""
// for none). Errors wrap ErrCommand: a line that does not parse, or an
// empty one. Whether the command and its arguments exist is checked by Exec.
func ParseCommand(line, input string) (Command, error) {
	name, cargs, err := datadriven.ParseLine(line)
	if err != nil {
		return Command{}, badf("%v", err)
	}
	if name == "" {
		return Command{}, badf("empty command line")
	}
	c := Command{Name: name, Input: input}
	for _, a := range cargs {
		c.Args = append(c.Args, Arg{Key: a.Key, Vals: a.Vals})
	}
	return c, nil
}
