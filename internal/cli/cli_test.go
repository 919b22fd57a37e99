package cli_test

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/internal/cli"
)

func TestFlagError(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nodez", "3"}, "unknown flag: --nodez"},
		{[]string{"-f"}, "flag needs an argument: --f"},
		{[]string{"--nodes", "many"}, `--nodes: "many": not a valid value`},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("nodes", 0, "")
		fs.String("f", "", "")
		err := fs.Parse(tc.args)
		assert.EqualError(t, cli.FlagError(err), tc.want)
	}
	other := errors.New("other")
	assert.Equal(t, other, cli.FlagError(other))
}

func TestRun(t *testing.T) {
	parse := func(args []string) (string, error) {
		switch args[0] {
		case "-h":
			return "", cli.ErrHelp
		case "bad":
			return "", errors.New("--nodes: -1 is negative")
		}
		return args[0], nil
	}
	do := func(o string) error {
		switch o {
		case "fail":
			return errors.New("no such file")
		case "panic":
			panic("broken invariant")
		}
		return nil
	}
	for _, tc := range []struct {
		arg            string
		status         int
		stdout, stderr string
	}{
		{"-h", 0, "usage\n", ""},
		{"bad", 1, "", "error: --nodes: -1 is negative\nSee 'x --help' for usage.\n"},
		{"fail", 1, "", "error: no such file\n"},
		{"panic", 1, "", "error: internal error, please report it with the command line: broken invariant\n"},
		{"ok", 0, "", ""},
	} {
		var out, errOut strings.Builder
		assert.Equal(t, tc.status, cli.Run("x", "usage\n", []string{tc.arg}, &out, &errOut, parse, do), tc.arg)
		assert.Equal(t, tc.stdout, out.String(), tc.arg)
		assert.Equal(t, tc.stderr, errOut.String(), tc.arg)
	}
}
