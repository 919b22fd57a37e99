package cli_test

import (
	"errors"
	"flag"
	"io"
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
