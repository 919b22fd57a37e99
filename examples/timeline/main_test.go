package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/internal/golden"
)

// TestRunGolden pins the output for seed 1; go test -update rewrites it.
func TestRunGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 1))
	golden.Check(t, "testdata/seed1.golden", out.Bytes())
}

func TestRunDeterminism(t *testing.T) {
	for _, seed := range []uint64{1, 2, 99} {
		var a, b bytes.Buffer
		require.NoError(t, run(&a, seed))
		require.NoError(t, run(&b, seed))
		assert.Equal(t, a.String(), b.String())
		assert.Equal(t, 9, strings.Count(a.String(), "binder: bind"), "every pod gets bound")
		assert.NotContains(t, a.String(), "error")
	}
}
