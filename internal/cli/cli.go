// Package cli holds what the example programs share in talking to their
// users the way kubectl does.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// FlagError rewords the flag package's errors the way kubectl words its:
// "unknown flag: --nodez", "flag needs an argument: --f", "--nodes:
// \"many\": not a valid value". Other errors are returned as they are.
func FlagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Errorf("unknown flag: --%s", strings.TrimPrefix(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Errorf("flag needs an argument: --%s", strings.TrimPrefix(name, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		// invalid value "x" for flag -nodes: parse error
		value, rest, _ := strings.Cut(rest, " for flag -")
		name, why, _ := strings.Cut(rest, ": ")
		why = strings.TrimPrefix(why, "parse error")
		if why == "" {
			why = "not a valid value"
		}
		why = strings.TrimPrefix(why, ": ")
		return fmt.Errorf("--%s: %s: %s", strings.TrimPrefix(name, "-"), value, why)
	}
	return err
}

// ErrHelp is what a program's flag parser returns for -h and --help: Run
// prints the usage and exits 0.
var ErrHelp = errors.New("help requested")

// TuneGC sets the collector to collect at 200% growth unless GOGC is set:
// a simulation allocates much that lives to its end (the store's versions,
// the log), and this saves about a tenth of the wall time for a third more
// memory.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// Run is an example program's body, the way kubectl behaves: parse
// parses args (ErrHelp: the usage on stdout, status 0; another error:
// "error: ...", a pointer to --help, status 1), then do runs with the
// options (an error: "error: ...", status 1). A panic is reported as an
// internal error with status 1, never as a stack trace. It returns the
// exit status.
func Run[O any](name, usage string, args []string, stdout, stderr io.Writer,
	parse func([]string) (O, error), do func(O) error) (status int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "error: internal error, please report it with the command line: %v\n", v)
			status = 1
		}
	}()
	o, err := parse(args)
	if errors.Is(err, ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\nSee '%s --help' for usage.\n", err, name)
		return 1
	}
	if err := do(o); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}
