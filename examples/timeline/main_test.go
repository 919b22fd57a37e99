package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/seed1.golden")

func TestRunGolden(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 1))
	if *update {
		require.NoError(t, os.WriteFile("testdata/seed1.golden", out.Bytes(), 0o644))
	}
	want, err := os.ReadFile("testdata/seed1.golden")
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String())
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
