package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/selector"
)

// problems returns the problem lines of a failed load, failing the test if
// it did not fail or failed with something else than an *Error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	var e *manifest.Error
	require.True(t, errors.As(err, &e), "%T %v", err, err)
	var out []string
	for _, p := range e.Problems {
		out = append(out, p.String())
	}
	assert.Equal(t, strings.Join(out, "\n"), err.Error())
	return out
}

func load(t *testing.T, name, text string) *manifest.Set {
	t.Helper()
	s, err := manifest.Load(name, []byte(text))
	require.NoError(t, err)
	require.NotNil(t, s)
	return s
}

const nodeYAML = `apiVersion: v1
kind: Node
metadata:
  name: n1
  labels:
    kubernetes.io/os: linux
spec:
  taints:
  - key: node-role.kubernetes.io/control-plane
    effect: NoSchedule
status:
  allocatable: {cpu: "4", memory: 16Gi, pods: "110"}
  capacity: {cpu: "4", memory: 16Gi, pods: "110"}
  conditions:
  - type: Ready
    status: "True"
    lastTransitionTime: "2024-05-01T10:00:00Z"
`

const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: default
spec:
  priorityClassName: high
  containers:
  - name: web
    image: nginx
    resources:
      requests: {cpu: 100m, memory: 64Mi}
`

const dsYAML = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 10%}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: agent:1
`

const rsYAML = `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
`

const pcYAML = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
preemptionPolicy: Never
description: important
`

const pdbYAML = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: agent, namespace: kube-system}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: agent}}
`

const crYAML = `apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: agent-1, namespace: kube-system}
revision: 1
data:
  spec:
    template:
      $patch: replace
      spec: {containers: [{name: agent, image: agent:1}]}
`

// TestLoadKinds loads one manifest of every kind, in YAML and in JSON.
func TestLoadKinds(t *testing.T) {
	tests := []struct {
		text string
		key  string
		kind cluster.Kind
	}{
		{nodeYAML, "node/n1", cluster.KindNode},
		{podYAML, "pod/default/web-0", cluster.KindPod},
		{dsYAML, "daemonset/kube-system/agent", cluster.KindDaemonSet},
		{rsYAML, "replicaset/default/web", cluster.KindReplicaSet},
		{pcYAML, "priorityclass/high", cluster.KindPriorityClass},
		{pdbYAML, "poddisruptionbudget/kube-system/agent", cluster.KindPodDisruptionBudget},
		{crYAML, "controllerrevision/kube-system/agent-1", cluster.KindControllerRevision},
	}
	for _, tc := range tests {
		t.Run(tc.kind.String(), func(t *testing.T) {
			s := load(t, "k.yaml", tc.text)
			require.Len(t, s.Objects, 1)
			o := s.Objects[0]
			assert.Equal(t, tc.kind, o.ObjectKind())
			assert.Equal(t, tc.key, cluster.KeyOf(o).String())
			assert.Equal(t, "k.yaml", o.File)
			assert.Equal(t, 1, o.Line)
			assert.Empty(t, s.Skipped)
			assert.Empty(t, s.Ignored)

			// the same object as kubectl's JSON
			var b strings.Builder
			require.NoError(t, manifest.WriteJSON(&b, o.Object))
			j := load(t, "k.json", b.String())
			require.Len(t, j.Objects, 1)
			assert.Equal(t, jsonOf(t, o.Object), jsonOf(t, j.Objects[0].Object))
		})
	}
	// fields are decoded, not only accepted
	s := load(t, "all.yaml", nodeYAML+"---\n"+pcYAML+"---\n"+rsYAML+"---\n"+crYAML+"---\n"+pdbYAML)
	n := s.Objects[0].Object.(*cluster.Node)
	assert.Equal(t, "linux", n.Labels["kubernetes.io/os"])
	assert.Equal(t, "node-role.kubernetes.io/control-plane:NoSchedule", n.Spec.Taints[0].String())
	assert.True(t, n.IsReady())
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), n.Status.Conditions[0].LastTransitionTime)
	assert.Equal(t, "cpu=4,memory=16Gi,pods=110", n.Status.Allocatable.String())
	pc := s.Objects[1].Object.(*cluster.PriorityClass)
	assert.Equal(t, int32(1000), pc.Value)
	assert.Equal(t, cluster.PreemptNever, *pc.PreemptionPolicy)
	assert.Equal(t, int32(3), s.Objects[2].Object.(*cluster.ReplicaSet).ReplicasValue())
	assert.JSONEq(t, `{"spec":{"template":{"$patch":"replace","spec":{"containers":[{"image":"agent:1","name":"agent"}]}}}}`,
		string(s.Objects[3].Object.(*cluster.ControllerRevision).Data))
	assert.Equal(t, "1", s.Objects[4].Object.(*cluster.PodDisruptionBudget).Spec.MaxUnavailable.String())
	assert.Equal(t, []int{1, 19, 26, 37, 47}, lines(s))
}

func lines(s *manifest.Set) []int {
	var out []int
	for _, o := range s.Objects {
		out = append(out, o.Line)
	}
	return out
}

// TestLoadDefaultsNothing: Load validates a defaulted copy but returns the
// object as written; the store defaults it on create.
func TestLoadDefaultsNothing(t *testing.T) {
	s := load(t, "pod.yaml", strings.Replace(podYAML, "  namespace: default\n", "", 1))
	p := s.Objects[0].Object.(*cluster.Pod)
	assert.Equal(t, "", p.Namespace)
	assert.Equal(t, "", p.Spec.SchedulerName)
	assert.Nil(t, p.Spec.TerminationGracePeriodSeconds)
}

// TestLoadMultiDocument: other kinds are skipped and listed; empty and
// comment-only documents are fine; lines are the file's.
func TestLoadMultiDocument(t *testing.T) {
	text := `# an installation
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: agent
  namespace: kube-system
---
# only a comment
---
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: agent}
rules: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
--- # the DaemonSet
` + dsYAML + `---
apiVersion: v1
kind: ConfigMap
metadata: {name: agent-config, namespace: kube-system}
data: {a.conf: "x"}
`
	s := load(t, "install.yaml", text)
	require.Len(t, s.Objects, 1)
	assert.Equal(t, 17, s.Objects[0].Line)
	assert.Equal(t, []manifest.Skipped{
		{File: "install.yaml", Line: 3, APIVersion: "v1", Kind: "ServiceAccount", Namespace: "kube-system", Name: "agent"},
		{File: "install.yaml", Line: 12, APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "agent"},
		{File: "install.yaml", Line: 36, APIVersion: "v1", Kind: "ConfigMap", Namespace: "kube-system", Name: "agent-config"},
	}, s.Skipped)

	for _, empty := range []string{"", "\n\n", "# nothing\n", "---\n", "---\n---\n# c\n---\n", "null\n", "~\n"} {
		s := load(t, "empty.yaml", empty)
		assert.Empty(t, s.Objects, "%q", empty)
		assert.Empty(t, s.Skipped, "%q", empty)
	}
}

// TestLoadList reads the shape of `kubectl get nodes,pods,daemonsets -A -o
// yaml` and of a typed list as the API serves it (items without kind).
func TestLoadList(t *testing.T) {
	indent := func(s string) string {
		var b strings.Builder
		for i, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			if i == 0 {
				b.WriteString("- " + l + "\n")
			} else {
				b.WriteString("  " + l + "\n")
			}
		}
		return b.String()
	}
	text := "apiVersion: v1\nitems:\n" + indent(nodeYAML) + indent(podYAML) + indent(dsYAML) +
		"kind: List\nmetadata:\n  resourceVersion: \"\"\n"
	s := load(t, "get.yaml", text)
	require.Len(t, s.Objects, 3)
	assert.Equal(t, []int{3, 20, 32}, lines(s))
	assert.Equal(t, "daemonset/kube-system/agent", cluster.KeyOf(s.Objects[2]).String())

	typed := `apiVersion: v1
kind: PodList
metadata: {resourceVersion: "123"}
items:
- metadata: {name: a, namespace: default}
  spec: {containers: [{name: c, image: c}]}
- apiVersion: v1
  kind: Pod
  metadata: {name: b, namespace: default}
  spec: {containers: [{name: c, image: c}]}
`
	s = load(t, "pods.yaml", typed)
	require.Len(t, s.Objects, 2)
	assert.Equal(t, "pod/default/b", cluster.KeyOf(s.Objects[1]).String())

	// a foreign item is skipped; an item's errors carry its path
	s = load(t, "mixed.yaml", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n")
	assert.Equal(t, "Service", s.Skipped[0].Kind)
	assert.Equal(t, 4, s.Skipped[0].Line)
	_, err := manifest.Load("bad.yaml", []byte("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec: {containerz: []}\n"))
	assert.Equal(t, []string{"bad.yaml:7: items[0].spec.containerz: unknown field"}, problems(t, err))
}

// TestLoadIgnored: fields Kubernetes has and daemonsim does not model are
// accepted and reported once per path and kind, with a count.
func TestLoadIgnored(t *testing.T) {
	text := `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  generateName: agent-
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccountName: agent
      containers:
      - name: a
        image: a
        volumeMounts: [{name: v, mountPath: /v}]
        livenessProbe: {httpGet: {path: /, port: 80}}
      - name: b
        image: b
        volumeMounts: [{name: v, mountPath: /v}]
      volumes: [{name: v, hostPath: {path: /v}}]
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: c, volumeMounts: [{name: v, mountPath: /v}]}]
  volumes: [{name: v, emptyDir: {}}]
status:
  podIP: 10.0.0.1
`
	s := load(t, "ds.yaml", text)
	var got []string
	for _, ig := range s.Ignored {
		got = append(got, ig.Kind+" "+ig.Path+" line "+itoa(ig.Line)+" x"+itoa(ig.Count))
	}
	assert.Equal(t, []string{
		"DaemonSet metadata.generateName line 5 x1",
		"DaemonSet spec.template.spec.serviceAccountName line 11 x1",
		"DaemonSet spec.template.spec.containers.volumeMounts line 15 x2",
		"DaemonSet spec.template.spec.containers.livenessProbe line 16 x1",
		"DaemonSet spec.template.spec.volumes line 20 x1",
		"Pod spec.containers.volumeMounts line 26 x1",
		"Pod spec.volumes line 27 x1",
		"Pod status.podIP line 29 x1",
	}, got)

	// an unknown field inside an ignored one is still an error
	_, err := manifest.Load("ds.yaml", []byte(strings.Replace(text, "hostPath: {path: /v}", "hostPath: {pth: /v}", 1)))
	assert.Equal(t, []string{"ds.yaml:20: spec.template.spec.volumes[0].hostPath.pth: unknown field"}, problems(t, err))
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestLoadErrors: every problem of a file, with file, line and path; a
// file with any problem gives no Set.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown field", strings.Replace(dsYAML, "      containers:", "      tolerashuns: []\n      containers:", 1),
			[]string{"ds.yaml:16: spec.template.spec.tolerashuns: unknown field"}},
		{"field names are case sensitive", strings.Replace(dsYAML, "  name: agent", "  Name: agent", 1),
			[]string{"ds.yaml:4: metadata.Name: unknown field"}},
		{"int or string", strings.Replace(dsYAML, "10%", "true", 1),
			[]string{"ds.yaml:11: spec.updateStrategy.rollingUpdate.maxUnavailable: expected int or string"}},
		{"integer", strings.Replace(rsYAML, "replicas: 3", "replicas: three", 1),
			[]string{"ds.yaml:5: spec.replicas: expected integer"}},
		{"fraction", strings.Replace(rsYAML, "replicas: 3", "replicas: 1.5", 1),
			[]string{"ds.yaml:5: spec.replicas: expected integer"}},
		{"int32", strings.Replace(rsYAML, "replicas: 3", "replicas: 3000000000", 1),
			[]string{"ds.yaml:5: spec.replicas: expected integer of 32 bits, found 3000000000"}},
		{"string", strings.Replace(dsYAML, "image: agent:1", "image: 1", 1),
			[]string{"ds.yaml:18: spec.template.spec.containers[0].image: expected string"}},
		{"label value", strings.Replace(dsYAML, "labels: {app: agent}", "labels: {app: 1.0}", 1),
			[]string{"ds.yaml:14: spec.template.metadata.labels[app]: expected string"}},
		{"boolean", strings.Replace(dsYAML, "      containers:", "      hostNetwork: \"yes\"\n      containers:", 1),
			[]string{"ds.yaml:16: spec.template.spec.hostNetwork: expected boolean"}},
		{"object", strings.Replace(dsYAML, "    matchLabels: {app: agent}", "    matchLabels: [app]", 1),
			[]string{"ds.yaml:8: spec.selector.matchLabels: expected object"}},
		{"array", strings.Replace(dsYAML, "      containers:\n      - name: agent\n        image: agent:1", "      containers: {name: agent}", 1),
			[]string{"ds.yaml:16: spec.template.spec.containers: expected array"}},
		{"quantity", strings.Replace(podYAML, "cpu: 100m", "cpu: lots", 1),
			[]string{"ds.yaml:12: spec.containers[0].resources.requests[cpu]: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"}},
		{"time", strings.Replace(nodeYAML, `"2024-05-01T10:00:00Z"`, "yesterday", 1),
			[]string{`ds.yaml:17: status.conditions[0].lastTransitionTime: Invalid value: "yesterday": expected an RFC 3339 time`}},
		{"wrong apiVersion", strings.Replace(dsYAML, "apps/v1", "extensions/v1beta1", 1),
			[]string{`ds.yaml:1: apiVersion: Unsupported value: "extensions/v1beta1": supported values: "apps/v1"`}},
		{"node in apps", strings.Replace(nodeYAML, "apiVersion: v1", "apiVersion: apps/v1", 1),
			[]string{`ds.yaml:1: apiVersion: Unsupported value: "apps/v1": supported values: "v1"`}},
		{"no kind", strings.Replace(dsYAML, "kind: DaemonSet\n", "", 1),
			[]string{"ds.yaml:1: kind: Required value"}},
		{"no apiVersion", "kind: Pod\nmetadata: {name: p}\n",
			[]string{"ds.yaml:1: apiVersion: Required value"}},
		{"kind not a string", "apiVersion: v1\nkind: [Pod]\n",
			[]string{"ds.yaml:2: kind: expected string"}},
		{"not an object", "- a\n- b\n",
			[]string{"ds.yaml:1: expected an object with apiVersion and kind, found array"}},
		{"bad YAML", dsYAML + "  foo: bar: baz\n",
			[]string{"ds.yaml:19: invalid YAML: mapping values are not allowed in this context"}},
		{"bad YAML in the second document", dsYAML + "---\napiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n",
			[]string{"ds.yaml:23: invalid YAML: found character that cannot start any token"}},
		{"separator", dsYAML + "--- {}\n",
			[]string{`ds.yaml:19: invalid document separator: "--- {}"`}},
		{"duplicate field", strings.Replace(dsYAML, "  namespace: kube-system", "  namespace: kube-system\n  name: again", 1),
			[]string{"ds.yaml:6: metadata.name: duplicate field"}},
		{"validation", strings.Replace(dsYAML, "labels: {app: agent}", "labels: {app: other}", 1),
			[]string{"ds.yaml:14: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`"}},
		{"every validation problem", strings.Replace(strings.Replace(podYAML, "name: web\n", "name: Web_\n", 1), "  name: web-0\n", "", 1),
			[]string{
				"ds.yaml:3: metadata.name: Required value: name or generateName is required",
				`ds.yaml:8: spec.containers[0].name: Invalid value: "Web_": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
			}},
		{"one bad document rejects the file", nodeYAML + "---\n" + strings.Replace(podYAML, "image: nginx", "image: [nginx]", 1),
			[]string{"ds.yaml:28: spec.containers[0].image: expected string"}},
		{"duplicate object", pcYAML + "---\n" + pcYAML,
			[]string{"ds.yaml:10: metadata.name: Duplicate value: priorityclass/high is defined twice in this file (first at line 1)"}},
		{"every problem of the file", strings.Replace(dsYAML, "agent:1", "[agent]", 1) + "---\n" + strings.Replace(nodeYAML, "status:", "statuz:", 1),
			[]string{"ds.yaml:18: spec.template.spec.containers[0].image: expected string", "ds.yaml:30: statuz: unknown field"}},
		{"JSON", `{"apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "p"},
  "spec": {"containers": [{"name": "c", "imag": "x"}]}}`,
			[]string{"ds.yaml:3: spec.containers[0].imag: unknown field"}},
		{"JSON stream", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "c"}]}}
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}, "spec": {"containers": [{"name": "c", "image": 3}]}}`,
			[]string{"ds.yaml:2: spec.containers[0].image: expected string"}},
		{"bad JSON", "{\"apiVersion\": \"v1\",\n \"kind\": }",
			[]string{"ds.yaml:2: invalid JSON: invalid character '}' looking for beginning of value"}},
		{"JSON has no YAML conversions", `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostNetwork": "true", "containers": [{"name": "c"}]}}`,
			[]string{"ds.yaml:1: spec.hostNetwork: expected boolean"}},
		{"resourceVersion", strings.Replace(pcYAML, "name: high", "name: high, resourceVersion: abc", 1),
			[]string{`ds.yaml:3: metadata.resourceVersion: Invalid value: "abc": daemonsim needs a decimal number`}},
		{"list field", "apiVersion: v1\nkind: List\nitemz: []\n",
			[]string{"ds.yaml:3: itemz: unknown field"}},
		{"list version", "apiVersion: v2\nkind: List\nitems: []\n",
			[]string{`ds.yaml:1: apiVersion: Unsupported value: "v2": supported values: "v1"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := manifest.Load("ds.yaml", []byte(tc.text))
			assert.Nil(t, s)
			assert.Equal(t, tc.want, problems(t, err))
		})
	}
}

// TestLoadYAML11: YAML is read as sigs.k8s.io/yaml reads it (YAML 1.1:
// yes is true) and as the API server does, without turning numbers into
// strings.
func TestLoadYAML11(t *testing.T) {
	s := load(t, "ds.yaml", strings.Replace(dsYAML, "      containers:", "      hostNetwork: yes\n      containers:", 1))
	assert.True(t, s.Objects[0].Object.(*cluster.DaemonSet).Spec.Template.Spec.HostNetwork)
	// anchors and aliases
	s = load(t, "ds.yaml", strings.Replace(strings.Replace(dsYAML, "matchLabels: {app: agent}", "matchLabels: &l {app: agent}", 1), "labels: {app: agent}", "labels: *l", 1))
	assert.Equal(t, "agent", s.Objects[0].Object.(*cluster.DaemonSet).Spec.Template.Labels["app"])
}

// TestLoadSnapshot: what a real cluster's objects carry is kept through
// Load and Set.Store.
func TestLoadSnapshot(t *testing.T) {
	text := nodeYAML + `---
apiVersion: v1
kind: Pod
metadata:
  name: agent-x1
  namespace: kube-system
  uid: 6f1c2a3e-0000-4000-8000-000000000001
  resourceVersion: "4242"
  creationTimestamp: "2024-05-01T10:00:05Z"
  labels: {app: agent}
  ownerReferences:
  - apiVersion: apps/v1
    kind: DaemonSet
    name: agent
    uid: 6f1c2a3e-0000-4000-8000-000000000002
    controller: true
    blockOwnerDeletion: true
spec:
  nodeName: n1
  containers: [{name: agent, image: agent:1}]
status:
  phase: Running
  podIP: 10.0.0.5
  startTime: "2024-05-01T10:00:06Z"
  conditions:
  - {type: PodScheduled, status: "True", lastTransitionTime: "2024-05-01T10:00:05Z"}
  - {type: Ready, status: "True", lastTransitionTime: "2024-05-01T10:00:09Z"}
`
	s := load(t, "snap.yaml", text)
	st, err := s.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	p, ok := st.Pod("kube-system", "agent-x1")
	require.True(t, ok)
	assert.Equal(t, "6f1c2a3e-0000-4000-8000-000000000001", p.UID)
	assert.Equal(t, uint64(4242), p.ResourceVersion)
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 5, 0, time.UTC), p.CreationTimestamp)
	require.NotNil(t, p.ControllerRef())
	assert.Equal(t, "6f1c2a3e-0000-4000-8000-000000000002", p.ControllerRef().UID)
	assert.Equal(t, cluster.PodRunning, p.Status.Phase)
	assert.True(t, p.IsReady())
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 6, 0, time.UTC), *p.Status.StartTime)
	n, _ := st.Node("n1")
	assert.True(t, n.IsReady())
	assert.Equal(t, time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), n.Status.Conditions[0].LastTransitionTime)
	require.Len(t, s.Ignored, 1)
	assert.Equal(t, manifest.Ignored{Path: "status.podIP", Kind: "Pod", File: "snap.yaml", Line: 40, Count: 1}, s.Ignored[0])
}

// TestStoreAllOrNothing: classes are created before the pods that name
// them whatever the file order; a refused create gives no store and names
// the object's file and line.
func TestStoreAllOrNothing(t *testing.T) {
	s := load(t, "a.yaml", podYAML+"---\n"+nodeYAML+"---\n"+pcYAML)
	st, err := s.Store(time.Time{})
	require.NoError(t, err)
	p, _ := st.Pod("default", "web-0")
	assert.Equal(t, int32(1000), p.PriorityValue())
	assert.Equal(t, 3, countObjects(st))

	s = load(t, "b.yaml", nodeYAML+"---\n"+podYAML)
	st, err = s.Store(time.Time{})
	assert.Nil(t, st)
	require.Error(t, err)
	assert.True(t, errors.Is(err, cluster.ErrForbidden))
	assert.Contains(t, err.Error(), "b.yaml:19: create pod/default/web-0: ")

	s.Merge(load(t, "c.yaml", pcYAML+"---\n"+nodeYAML))
	_, err = s.Store(time.Time{})
	assert.ErrorIs(t, err, cluster.ErrAlreadyExists) // n1 twice
	assert.Contains(t, err.Error(), "c.yaml:8: create node/n1")
}

func countObjects(v cluster.View) int {
	n := 0
	for range v.Objects() {
		n++
	}
	return n
}

// TestApplyChange: a Create when absent, else an Update with the stored
// uid, resourceVersion and creationTimestamp.
func TestApplyChange(t *testing.T) {
	st := cluster.NewStore()
	ds := load(t, "ds.yaml", dsYAML).Objects[0].Object
	c := manifest.ApplyChange(st, ds)
	require.IsType(t, cluster.Create{}, c)
	_, err := st.Apply(time.Time{}, c)
	require.NoError(t, err)
	stored, _ := st.DaemonSet("kube-system", "agent")

	again := load(t, "ds.yaml", strings.Replace(dsYAML, "agent:1", "agent:2", 1)).Objects[0].Object
	c = manifest.ApplyChange(st, again)
	u, ok := c.(cluster.Update)
	require.True(t, ok, "%T", c)
	assert.Equal(t, stored.UID, u.Object.Meta().UID)
	assert.Equal(t, stored.ResourceVersion, u.Object.Meta().ResourceVersion)
	assert.Empty(t, again.Meta().UID, "the given object is not modified")
	_, err = st.Apply(time.Time{}, c)
	require.NoError(t, err)
	now, _ := st.DaemonSet("kube-system", "agent")
	assert.Equal(t, "agent:2", now.Spec.Template.Spec.Containers[0].Image)
	assert.Equal(t, int64(2), now.Generation)

	// a pod without a namespace is found in default
	pod := load(t, "p.yaml", strings.Replace(podYAML, "  namespace: default\n", "", 1)).Objects[0].Object
	st2 := cluster.NewStore()
	_, err = st2.Apply(time.Time{}, cluster.Create{Object: load(t, "pc.yaml", pcYAML).Objects[0].Object})
	require.NoError(t, err)
	_, err = st2.Apply(time.Time{}, manifest.ApplyChange(st2, pod))
	require.NoError(t, err)
	assert.IsType(t, cluster.Update{}, manifest.ApplyChange(st2, pod))
}

// TestLoadFiles: files, directories (sorted, *.yaml, *.yml, *.json only)
// and every problem of every file.
func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	write("b.yml", podYAML)
	write("a.yaml", pcYAML)
	write("c.json", `{"apiVersion":"v1","kind":"Node","metadata":{"name":"n2"}}`)
	write("notes.txt", "not a manifest")
	one := write("one.yaml.bak", nodeYAML)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755))
	s, err := manifest.LoadFiles(dir, one)
	require.NoError(t, err)
	var keys []string
	for _, o := range s.Objects {
		keys = append(keys, filepath.Base(o.File)+" "+cluster.KeyOf(o).String())
	}
	assert.Equal(t, []string{"a.yaml priorityclass/high", "b.yml pod/default/web-0", "c.json node/n2", "one.yaml.bak node/n1"}, keys)

	bad := write("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containerz: []}\n")
	_, err = manifest.LoadFiles(bad, filepath.Join(dir, "missing.yaml"), one)
	assert.Equal(t, []string{
		bad + ":4: spec.containerz: unknown field",
		filepath.Join(dir, "missing.yaml") + ": no such file or directory",
	}, problems(t, err))
}

// TestSeeds: every DaemonSet manifest of the seed page loads unchanged;
// the fragment (a part of a spec) is refused with a clear message.
func TestSeeds(t *testing.T) {
	files, err := filepath.Glob("testdata/seeds/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := manifest.LoadFiles(f)
			if strings.HasSuffix(f, ".fragment.yaml") {
				assert.Equal(t, []string{f + ":1: apiVersion: Required value", f + ":1: kind: Required value"}, problems(t, err))
				return
			}
			require.NoError(t, err)
			require.Len(t, s.Objects, 1)
			assert.Equal(t, cluster.KindDaemonSet, s.Objects[0].ObjectKind())
			_, err = s.Store(time.Time{})
			require.NoError(t, err)
		})
	}
}

// TestLoadFilesStdin: "-" is standard input, named <stdin> in positions.
func TestLoadFilesStdin(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	go func() {
		_, _ = w.WriteString(pcYAML + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containerz: []}\n")
		w.Close()
	}()
	_, err = manifest.LoadFiles("-")
	assert.Equal(t, []string{"<stdin>:11: spec.containerz: unknown field"}, problems(t, err))
}

// TestLoadFlowYAML: input that starts with "{" but is not JSON is read as
// YAML, as kubectl does.
func TestLoadFlowYAML(t *testing.T) {
	s := load(t, "flow.yaml", "{apiVersion: v1, kind: Node, metadata: {name: n1}}\n---\n"+pcYAML)
	assert.Equal(t, []int{1, 3}, lines(s))
	_, err := manifest.Load("flow.yaml", []byte("{apiVersion: v1,\n kind: Node, metadata: {name: n1}\n"))
	assert.Equal(t, []string{"flow.yaml:1: invalid JSON: invalid character 'a' looking for beginning of object key string"}, problems(t, err))
}

// TestApplyChangeMerges: what the manifest sets replaces the stored value
// (lists whole, maps and objects key by key); what it leaves out keeps the
// stored value, so server-filled fields (a bound pod's nodeName, defaulted
// fields, labels added by another writer) survive. The deliberate
// difference from kubectl apply: a field removed from the manifest keeps
// its stored value here (kubectl removes it through its last-applied
// annotation).
func TestApplyChangeMerges(t *testing.T) {
	st := cluster.NewStore()
	_, err := st.Apply(time.Time{}, manifest.ApplyChange(st, load(t, "ds.yaml", dsYAML).Objects[0].Object))
	require.NoError(t, err)

	// another writer labels the DaemonSet and its template
	stored, _ := st.DaemonSet("kube-system", "agent")
	other := stored.DeepCopyObject().(*cluster.DaemonSet)
	other.Labels = map[string]string{"team": "infra"}
	other.Spec.Template.Labels["tier"] = "node"
	_, err = st.Apply(time.Time{}, cluster.Update{Object: other})
	require.NoError(t, err)

	// the manifest, applied again, changes the image, adds a second
	// container and a nodeSelector, and no longer sets maxUnavailable
	changed := strings.Replace(dsYAML, "    rollingUpdate: {maxUnavailable: 10%}\n", "", 1)
	changed = strings.Replace(changed, "      containers:\n", "      nodeSelector: {disk: ssd}\n      containers:\n", 1)
	changed = strings.Replace(changed, "        image: agent:1\n", "        image: agent:2\n      - name: sidecar\n        image: sidecar:1\n", 1)
	_, err = st.Apply(time.Time{}, manifest.ApplyChange(st, load(t, "ds.yaml", changed).Objects[0].Object))
	require.NoError(t, err)

	now, _ := st.DaemonSet("kube-system", "agent")
	var images []string
	for _, c := range now.Spec.Template.Spec.Containers {
		images = append(images, c.Image)
	}
	assert.Equal(t, []string{"agent:2", "sidecar:1"}, images, "a list is replaced whole")
	assert.Equal(t, selector.Set{"disk": "ssd"}, now.Spec.Template.Spec.NodeSelector)
	assert.Equal(t, selector.Set{"team": "infra"}, now.Labels, "a field the manifest leaves out keeps its value")
	assert.Equal(t, selector.Set{"app": "agent", "tier": "node"}, now.Spec.Template.Labels, "maps merge key by key")
	require.NotNil(t, now.Spec.UpdateStrategy.RollingUpdate)
	require.NotNil(t, now.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable)
	assert.Equal(t, "10%", now.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.String(),
		"deliberate difference: a field removed from the manifest keeps its stored value")

	// a bound pod applied again from its unbound manifest stays bound
	st2 := cluster.NewStore()
	_, err = st2.Apply(time.Time{}, cluster.Create{Object: load(t, "pc.yaml", pcYAML).Objects[0].Object})
	require.NoError(t, err)
	_, err = st2.Apply(time.Time{}, cluster.Create{Object: load(t, "n.yaml", nodeYAML).Objects[0].Object})
	require.NoError(t, err)
	_, err = st2.Apply(time.Time{}, manifest.ApplyChange(st2, load(t, "p.yaml", podYAML).Objects[0].Object))
	require.NoError(t, err)
	_, err = st2.Apply(time.Time{}, cluster.Bind{Pod: cluster.Key{Kind: cluster.KindPod, Namespace: "default", Name: "web-0"}, Node: "n1"})
	require.NoError(t, err)
	_, err = st2.Apply(time.Time{}, manifest.ApplyChange(st2, load(t, "p.yaml", podYAML).Objects[0].Object))
	require.NoError(t, err)
	p, _ := st2.Pod("default", "web-0")
	assert.Equal(t, "n1", p.Spec.NodeName)
}
