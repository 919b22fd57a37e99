package manifest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
)

// TestRealWorld loads every installation of testdata/realworld (one
// directory each: DaemonSets as projects publish them, with their RBAC,
// ConfigMaps and the like) unchanged, and runs it on three Linux nodes,
// one of them a tainted control plane: every DaemonSet gets a Ready pod on
// each node it selects and tolerates.
func TestRealWorld(t *testing.T) {
	dirs, err := os.ReadDir("testdata/realworld")
	require.NoError(t, err)
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		t.Run(d.Name(), func(t *testing.T) {
			s, err := manifest.LoadFiles(filepath.Join("testdata/realworld", d.Name()))
			require.NoError(t, err)
			w := simtest.NewDefault(t, sim.DefaultConfig{})
			linux := clustertest.NodeLabels("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64")
			w.Create(
				clustertest.Node("cp", linux, clustertest.Taint("node-role.kubernetes.io/control-plane=:NoSchedule"),
					clustertest.NodeLabels("node-role.kubernetes.io/control-plane", "")),
				clustertest.Node("w1", linux), clustertest.Node("w2", linux),
			)
			st, err := s.Store(time.Time{})
			require.NoError(t, err)
			var daemonSets int
			for o := range st.Objects() {
				w.Create(o.DeepCopyObject())
				if o.ObjectKind() == cluster.KindDaemonSet {
					daemonSets++
				}
			}
			require.Positive(t, daemonSets)
			w.Run(2 * time.Minute)
			w.NoErrors()
			for ds := range w.View().DaemonSets() {
				var nodes []string
				for p := range w.View().PodsControlledBy(ds.UID) {
					assert.True(t, p.IsReady(), p.Name)
					nodes = append(nodes, p.Spec.NodeName)
				}
				t.Logf("%s/%s: ready on %v; skipped %d documents, %d ignored paths", ds.Namespace, ds.Name, nodes, len(s.Skipped), len(s.Ignored))
				assert.Equal(t, ds.Status.DesiredNumberScheduled, ds.Status.NumberReady, ds.Name)
				want := []string{"cp", "w1", "w2"}
				if noControlPlane[ds.Name] {
					want = want[1:]
				}
				assert.Equal(t, want, nodes, ds.Name)
			}
		})
	}
	assert.Positive(t, n, "no real-world manifests")
}

// noControlPlane are the DaemonSets that do not tolerate the control
// plane's taint (read in their manifests: no toleration, or only
// nvidia.com/gpu's).
var noControlPlane = map[string]bool{"cadvisor": true, "filebeat": true, "nvidia-device-plugin-daemonset": true}

// BenchmarkLoadRealWorld loads every file of testdata/realworld (33 files,
// DaemonSets with their RBAC and ConfigMaps): the cost per document.
func BenchmarkLoadRealWorld(b *testing.B) {
	files, err := filepath.Glob("testdata/realworld/*/*.y*ml")
	require.NoError(b, err)
	var docs int
	for b.Loop() {
		s, err := manifest.LoadFiles(files...)
		require.NoError(b, err)
		docs = len(s.Objects) + len(s.Skipped)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*docs)/1e3, "µs/doc")
}
