package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Arg is one argument of a command: a bare word (Key only: "ds/agent",
// "ignore-daemonsets", "k2-") or a key with values ("count=3" is
// {count, [3]}; "labels=(a=b, c=d)" is {labels, [a=b, c=d]}). In a scenario
// file they are datadriven's CmdArgs; in a timeline, a step's scalar value is
// one bare word and each key of its mapping one Arg.
type Arg struct {
	Key  string
	Vals []string
}

// String renders the argument as written in a scenario file.
func (a Arg) String() string {
	switch len(a.Vals) {
	case 0:
		return a.Key
	case 1:
		return a.Key + "=" + a.Vals[0]
	}
	return a.Key + "=(" + strings.Join(a.Vals, ", ") + ")"
}

// ErrCommand is wrapped by every error Exec returns for a command it cannot
// run as written: an unknown command or argument, a missing argument, or a
// value of the wrong form.
var ErrCommand = errors.New("bad command")

func badf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCommand, fmt.Sprintf(format, args...))
}

// args reads a command's arguments, remembering which were used, so that
// done can report the ones nobody asked for (a misspelt argument fails the
// test instead of being ignored). The first error sticks.
type args struct {
	cmd  string
	list []Arg
	used []bool
	err  error
}

func newArgs(c Command) *args {
	return &args{cmd: c.Name, list: c.Args, used: make([]bool, len(c.Args))}
}

func (a *args) fail(format string, v ...any) {
	if a.err == nil {
		a.err = badf(format, v...)
	}
}

// find returns the index of the first unused argument named key (with
// values), or -1.
func (a *args) find(key string) int {
	for i, x := range a.list {
		if !a.used[i] && x.Key == key && len(x.Vals) > 0 {
			return i
		}
	}
	return -1
}

// str returns the single value of key, or def when it is absent.
func (a *args) str(key, def string) string {
	i := a.find(key)
	if i < 0 {
		return def
	}
	a.used[i] = true
	if len(a.list[i].Vals) != 1 {
		a.fail("%s: %s takes one value, got %d", a.cmd, key, len(a.list[i].Vals))
		return def
	}
	return a.list[i].Vals[0]
}

// has reports whether key is given (as a bare word or with values).
func (a *args) has(key string) bool {
	for i, x := range a.list {
		if !a.used[i] && x.Key == key {
			return true
		}
	}
	return false
}

// list returns every value of key, split at commas, or nil when absent.
func (a *args) values(key string) []string {
	i := a.find(key)
	if i < 0 {
		return nil
	}
	a.used[i] = true
	var out []string
	for _, v := range a.list[i].Vals {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// flag reports a boolean option: the bare word key, or key=true|false.
func (a *args) flag(key string) bool {
	for i, x := range a.list {
		if a.used[i] || x.Key != key {
			continue
		}
		a.used[i] = true
		if len(x.Vals) == 0 {
			return true
		}
		b, err := strconv.ParseBool(x.Vals[0])
		if err != nil || len(x.Vals) != 1 {
			a.fail("%s: %s: want true or false, got %q", a.cmd, key, strings.Join(x.Vals, ","))
		}
		return b
	}
	return false
}

// int returns the integer value of key, or def.
func (a *args) int(key string, def int) int {
	s := a.str(key, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		a.fail("%s: %s: want an integer, got %q", a.cmd, key, s)
		return def
	}
	return n
}

// duration returns the duration value of key ("90s", "1m30s", "2h"), or def.
func (a *args) duration(key string, def time.Duration) time.Duration {
	s := a.str(key, "")
	if s == "" {
		return def
	}
	d, err := parseDuration(s)
	if err != nil {
		a.fail("%s: %s: %v", a.cmd, key, err)
		return def
	}
	return d
}

// parseDuration reads a Go duration; a bare number is seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("want a duration such as 30s or 5m, got %q", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("want a duration that is not negative, got %q", s)
	}
	return d, nil
}

// words returns the unused bare words (arguments without values), marking
// them used, in order.
func (a *args) words() []string {
	var out []string
	for i, x := range a.list {
		if !a.used[i] && len(x.Vals) == 0 {
			a.used[i] = true
			out = append(out, x.Key)
		}
	}
	return out
}

// word returns the next unused bare word, marking it used, or "".
func (a *args) word() string {
	for i, x := range a.list {
		if !a.used[i] && len(x.Vals) == 0 {
			a.used[i] = true
			return x.Key
		}
	}
	return ""
}

// rest returns every unused argument, marking them used, in order.
func (a *args) rest() []Arg {
	var out []Arg
	for i, x := range a.list {
		if !a.used[i] {
			a.used[i] = true
			out = append(out, x)
		}
	}
	return out
}

// done returns the first error, or an error naming the arguments nobody
// read.
func (a *args) done() error {
	if a.err != nil {
		return a.err
	}
	var left []string
	for i, x := range a.list {
		if !a.used[i] {
			left = append(left, x.String())
		}
	}
	if len(left) > 0 {
		return badf("%s: unknown argument %s", a.cmd, strings.Join(left, ", "))
	}
	return nil
}
