package manifest_test

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// TestSnapshotForward loads `kubectl get nodes,pods,daemonsets -A -o yaml`
// of a two-node cluster (testdata/snapshot: a kindnet DaemonSet whose pod
// runs on the worker only, as if it had not yet reached the control plane)
// and simulates from it: the running pod is kept as it was (uid, start
// time, readiness), and the controller adds the pod the control plane
// lacks.
func TestSnapshotForward(t *testing.T) {
	s, err := manifest.LoadFiles("testdata/snapshot/kubectl-get.yaml")
	require.NoError(t, err)
	require.Len(t, s.Objects, 4)
	var ignored []string
	for _, ig := range s.Ignored {
		ignored = append(ignored, ig.Kind+" "+ig.Path)
	}
	assert.Contains(t, ignored, "Node status.nodeInfo")
	assert.Contains(t, ignored, "Pod status.containerStatuses")
	assert.NotContains(t, ignored, "Pod status.conditions.lastProbeTime", "null carries nothing")

	start := time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)
	st, err := s.Store(start)
	require.NoError(t, err)
	w := simtest.NewDefault(t, sim.DefaultConfig{Engine: sim.Config{Start: start, Initial: st}})
	w.Run(time.Minute)
	w.NoErrors()

	kept := w.Pod("kube-system/kindnet-abcde")
	assert.Equal(t, "6e2f7a1c-0000-4000-8000-000000000101", kept.UID)
	assert.True(t, kept.IsReady())
	assert.Equal(t, time.Date(2024, 5, 1, 10, 1, 0, 0, time.UTC), *kept.Status.StartTime)
	var nodes []string
	for p := range w.View().PodsControlledBy("6e2f7a1c-0000-4000-8000-0000000000d5") {
		assert.True(t, p.IsReady(), p.Name)
		nodes = append(nodes, p.Spec.NodeName)
	}
	sort.Strings(nodes)
	assert.Equal(t, []string{"kind-control-plane", "kind-worker"}, nodes)
	ds, _ := w.View().DaemonSet("kube-system", "kindnet")
	assert.Equal(t, int32(2), ds.Status.NumberReady)
}
