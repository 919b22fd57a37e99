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

// Every seed gives the same history twice, and the seed page's behaviours
// hold whatever the delays: the control-plane nodes and the new workers
// get fluentd, the deleted and NoExecute-tainted workers lose it, and the
// relabelled worker gets ssd-monitor.
func TestRunBehaviour(t *testing.T) {
	for _, seed := range []uint64{1, 2, 99} {
		var a, b bytes.Buffer
		require.NoError(t, run(&a, seed))
		require.NoError(t, run(&b, seed))
		assert.Equal(t, a.String(), b.String())
		out := a.String()
		assert.Contains(t, out, "kube-system/fluentd-elasticsearch: desired 6, current 6, ready 6, available 6, up-to-date 6, misscheduled 0")
		assert.Contains(t, out, "kube-system/ssd-monitor: desired 1, current 1, ready 1, available 1, up-to-date 1, misscheduled 0")
		pods := out[strings.Index(out, "daemon pods:"):]
		for _, n := range []string{"control-plane-1", "control-plane-2", "worker-1", "worker-4", "worker-5", "worker-6"} {
			assert.Contains(t, pods, n)
		}
		assert.NotContains(t, pods, "worker-2")
		assert.NotContains(t, pods, "worker-3")
		assert.NotContains(t, out, "error")
	}
}
