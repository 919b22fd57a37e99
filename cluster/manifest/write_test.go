package manifest_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/sim"
	"github.com/daemonsim/daemonsim/sim/simtest"
	"github.com/daemonsim/daemonsim/taints"
)

// TestMarshalShape pins the kubectl get -o yaml shape: keys sorted, no
// null or empty fields, a set pointer to an empty struct kept.
func TestMarshalShape(t *testing.T) {
	ds := load(t, "ds.yaml", dsYAML).Objects[0].Object
	b, err := manifest.Marshal(ds)
	require.NoError(t, err)
	assert.Equal(t, `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - image: agent:1
        name: agent
  updateStrategy:
    rollingUpdate:
      maxUnavailable: 10%
    type: RollingUpdate
`, string(b))

	pdb := &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "all", Namespace: "default"}}
	pdb.Spec.Selector = &selectorAll
	one := cluster.FromInt(1)
	pdb.Spec.MaxUnavailable = &one
	b, err = manifest.Marshal(pdb)
	require.NoError(t, err)
	assert.Equal(t, `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: all
  namespace: default
spec:
  maxUnavailable: 1
  selector: {}
`, string(b))
	_, err = manifest.Marshal(nil)
	assert.Error(t, err)
}

// TestWriteList: several objects are a v1 List as kubectl prints them, in
// YAML and in JSON (four spaces, sorted keys); none is an empty List.
func TestWriteList(t *testing.T) {
	n := clustertest.Node("n1")
	pc := clustertest.PriorityClass("high", 10)
	var y bytes.Buffer
	require.NoError(t, manifest.WriteYAML(&y, pc, n))
	assert.Equal(t, `apiVersion: v1
items:
- apiVersion: scheduling.k8s.io/v1
  kind: PriorityClass
  metadata:
    name: high
  value: 10
- apiVersion: v1
  kind: Node
  metadata:
    name: n1
  status:
    allocatable:
      cpu: "4"
      memory: 16Gi
      pods: "110"
    capacity:
      cpu: "4"
      memory: 16Gi
      pods: "110"
    conditions:
    - status: "True"
      type: Ready
kind: List
metadata:
  resourceVersion: ""
`, y.String())
	var j bytes.Buffer
	require.NoError(t, manifest.WriteJSON(&j, pc))
	assert.Equal(t, `{
    "apiVersion": "scheduling.k8s.io/v1",
    "kind": "PriorityClass",
    "metadata": {
        "name": "high"
    },
    "value": 10
}
`, j.String())
	j.Reset()
	require.NoError(t, manifest.WriteJSON(&j))
	assert.Equal(t, "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n", j.String())

	s := load(t, "list.yaml", y.String())
	require.Len(t, s.Objects, 2)
	assert.Equal(t, jsonOf(t, n), jsonOf(t, s.Objects[1].Object))
	assert.Error(t, manifest.WriteState(&j, cluster.NewStore(), "xml"))
}

// digestOf creates objs, in order, into a new store and returns its digest:
// the store a loaded Set makes, for comparison.
func digestOf(t *testing.T, objs []cluster.Object) string {
	t.Helper()
	st := cluster.NewStore()
	for _, o := range objs {
		_, err := st.Apply(time.Time{}, cluster.Create{Object: o})
		require.NoError(t, err, "%s", cluster.KeyOf(o))
	}
	return cluster.Digest(st)
}

// TestRoundTripState writes the state of a simulation at several instants
// (nodes with taints and conditions, classes, a DaemonSet with its
// revisions and pods, a budget, pending and terminating pods) and loads it
// back: every object is equal, and so is the digest of a store made from
// them.
func TestRoundTripState(t *testing.T) {
	w := simtest.NewDefault(t, sim.DefaultConfig{Engine: sim.Config{Seed: 3}, NodeAgent: sim.NodeAgentConfig{
		StartLatency: sim.Uniform(time.Second, 3*time.Second),
		ReadyDelay:   sim.Uniform(time.Second, 5*time.Second),
	}})
	w.Create(
		clustertest.Node("cp", clustertest.Taint("node-role.kubernetes.io/control-plane=:NoSchedule"), clustertest.NodeLabels("kubernetes.io/os", "linux")),
		clustertest.Node("n1", clustertest.NodeLabels("zone", "a")),
		clustertest.Node("n2", clustertest.NotReady()),
		clustertest.PriorityClass("high", 1000),
		clustertest.Pod("default/big", clustertest.Requests("cpu", "8"), clustertest.PriorityClassName("high")),
	)
	seed := load(t, "fluentd.yaml", readFile(t, "testdata/seeds/000_c014c3b4d1ba1cfc-1.yaml"))
	w.Create(seed.Objects[0].Object)
	pdb := load(t, "pdb.yaml", strings.ReplaceAll(pdbYAML, "app: agent", "name: fluentd-elasticsearch")).Objects[0].Object
	w.Create(pdb)
	for _, step := range []time.Duration{0, 2 * time.Second, time.Minute} {
		w.Run(step)
		check := func(format string) {
			var buf bytes.Buffer
			require.NoError(t, manifest.WriteState(&buf, w.View(), format))
			s, err := manifest.Load("state."+format, buf.Bytes())
			require.NoError(t, err, buf.String())
			var want []cluster.Object
			for o := range w.View().Objects() {
				want = append(want, o)
			}
			require.Len(t, s.Objects, len(want))
			for i, o := range s.Objects {
				assert.Equal(t, jsonOf(t, want[i]), jsonOf(t, o.Object))
			}
			st, err := s.Store(time.Time{})
			require.NoError(t, err)
			assert.Equal(t, digestOf(t, want), cluster.Digest(st), "%s at %s", format, step)
		}
		check("yaml")
		check("json")
	}
	// the state has what the test means it to have
	var pods, ready, revisions int
	for p := range w.View().Pods() {
		pods++
		if p.IsReady() {
			ready++
		}
	}
	for range w.View().ControllerRevisions("kube-system") {
		revisions++
	}
	// fluentd on cp, n1 and n2 (created before the node lifecycle
	// controller's not-ready NoSchedule taint, then marked not ready as a
	// pod bound to a node that is not Ready), and big (pending)
	assert.Equal(t, 4, pods)
	assert.Equal(t, 2, ready)
	assert.Equal(t, 1, revisions)
}

var selectorAll = selector.LabelSelector{}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// TestSeedFluentdRuns: the seed page's fluentd DaemonSet, loaded unchanged,
// runs a pod on every node, the control plane's included (it tolerates its
// taint), and every pod gets Ready.
func TestSeedFluentdRuns(t *testing.T) {
	files, _ := filepath.Glob("testdata/seeds/00[02]_*-1.yaml")
	require.Len(t, files, 2)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := manifest.LoadFiles(f)
			require.NoError(t, err)
			w := simtest.NewDefault(t, sim.DefaultConfig{})
			w.Create(
				clustertest.Node("control-plane", clustertest.Taint("node-role.kubernetes.io/control-plane=:NoSchedule")),
				clustertest.Node("worker-1"), clustertest.Node("worker-2"),
			)
			w.Create(s.Objects[0].Object)
			w.Run(time.Minute)
			w.NoErrors()
			var got []string
			for p := range w.View().Pods() {
				got = append(got, fmt.Sprintf("%s ready=%t", p.Spec.NodeName, p.IsReady()))
			}
			sort.Strings(got)
			assert.Equal(t, []string{"control-plane ready=true", "worker-1 ready=true", "worker-2 ready=true"}, got)
			ds, _ := w.View().DaemonSet("kube-system", "fluentd-elasticsearch")
			assert.Equal(t, int32(3), ds.Status.NumberReady)
		})
	}
}

// TestWriteSubsecondTime pins a deliberate difference: times keep their
// sub-second part (metav1.Time would print whole seconds), so a simulated
// state with sub-second latencies loads back equal.
func TestWriteSubsecondTime(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 0, 0, 250_000_000, time.UTC)
	p := clustertest.Pod("default/p", clustertest.StartTime(at))
	b, err := manifest.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), "startTime: \"2024-05-01T10:00:00.25Z\"\n")
	back := load(t, "p.yaml", string(b)).Objects[0].Object.(*cluster.Pod)
	assert.True(t, at.Equal(*back.Status.StartTime))
}

// TestMarshalNoEmptyFields: empty lists, maps and struct objects are left
// out, as kubectl prints nothing for them; an empty selector pointer is
// kept (TestMarshalShape).
func TestMarshalNoEmptyFields(t *testing.T) {
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: "p", Namespace: "default", Labels: map[string]string{}, Finalizers: []string{}}}
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "i", Resources: cluster.ResourceRequirements{Requests: cluster.ResourceList{}}, Ports: []cluster.ContainerPort{}}}
	p.Spec.Tolerations = []taints.Toleration{}
	p.Status.Conditions = []cluster.PodCondition{}
	b, err := manifest.Marshal(p)
	require.NoError(t, err)
	assert.Equal(t, `apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: default
spec:
  containers:
  - image: i
    name: c
`, string(b))
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "d"}}
	ds.Spec.Template.Spec.Containers = []cluster.Container{{Name: "c"}}
	b, err = manifest.Marshal(ds)
	require.NoError(t, err)
	assert.Equal(t, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n", string(b))
}
