package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/internal/golden"
	"github.com/daemonsim/daemonsim/sim/scenario"
)

// runArgs runs the program on args with stdin and returns its exit
// status, standard output and standard error.
func runArgs(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status := run(args, strings.NewReader(stdin), &out, &errOut)
	return status, out.String(), errOut.String()
}

// The seed page's fluentd DaemonSet, verbatim, on the default cluster.
func TestGoldenFluentd(t *testing.T) {
	status, out, errOut := runArgs(t, "", "-f", "testdata/fluentd.yaml")
	require.Equal(t, 0, status, errOut)
	assert.Empty(t, errOut, "no progress off a terminal")
	golden.Check(t, "testdata/fluentd.golden", []byte(out))
}

// A node exporter that wants Linux nodes, on 200 generated nodes (3 of them
// control-plane) and 6 from a file (Windows, GPU-tainted, retiring, too
// small), rolled to a new image: every "why not" group, a pending pod, and
// a rollout that pending pod keeps from finishing.
func TestGoldenNodeExporter(t *testing.T) {
	status, out, errOut := runArgs(t, "", "-f", "testdata/node-exporter.yaml", "--filename=testdata/nodes.yaml",
		"--nodes", "200", "--control-plane", "3",
		"--update-image", "node-exporter=quay.io/prometheus/node-exporter:v1.8.2")
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/node-exporter.golden", []byte(out))
	for _, want := range []string{
		"3  node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }: node-000, node-001, node-002",
		"2  node(s) didn't match Pod's node affinity/selector (nodeSelector kubernetes.io/os=linux): win-0, win-1",
		"2  node(s) had untolerated taint {nvidia.com/gpu: present}: gpu-0, gpu-1",
		"1  node(s) had untolerated taint {example.com/retiring: }: retiring-0",
		"1  Insufficient memory: tiny-0",
		"nodes that should run a pod: 198 of 206",
		"the rollout cannot finish: 1 of 198 desired pods are not available",
	} {
		assert.Contains(t, out, want)
	}
}

// A kind: Scenario timeline among the inputs runs its steps.
func TestGoldenTimeline(t *testing.T) {
	status, out, errOut := runArgs(t, "", "-f", "testdata/node-exporter.yaml", "-f", "testdata/maintenance.yaml", "--nodes", "10")
	require.Equal(t, 0, status, errOut)
	golden.Check(t, "testdata/maintenance.golden", []byte(out))
	assert.Contains(t, out, `daemon set "node-exporter" successfully rolled out`)
	assert.Contains(t, out, "1  node(s) had untolerated taint {maintenance: true}: node-001")
}

// The same inputs and seed give the same output and log; another seed
// another run.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	args := func(seed, log string) []string {
		return []string{"-f", "testdata/fluentd.yaml", "--nodes", "30", "--update-image", "fluentd-elasticsearch=fluentd:v3",
			"--seed", seed, "--log", filepath.Join(dir, log)}
	}
	s1, a, _ := runArgs(t, "", args("5", "a.jsonl")...)
	s2, b, _ := runArgs(t, "", args("5", "b.jsonl")...)
	s3, c, _ := runArgs(t, "", args("6", "c.jsonl")...)
	require.Equal(t, []int{0, 0, 0}, []int{s1, s2, s3})
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	la, err := os.ReadFile(filepath.Join(dir, "a.jsonl"))
	require.NoError(t, err)
	lb, err := os.ReadFile(filepath.Join(dir, "b.jsonl"))
	require.NoError(t, err)
	assert.Equal(t, la, lb)
	assert.Greater(t, bytes.Count(la, []byte("\n")), 100, "one line per event")
}

// -o yaml writes the final state to stdout (the summary goes to stderr);
// it loads back as the same state, and simulated forward as a snapshot
// nothing happens: it had settled.
func TestOutputLoadsBackAsASnapshot(t *testing.T) {
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			status, out, errOut := runArgs(t, "", "-f", "testdata/fluentd.yaml", "--nodes", "5", "-o", format)
			require.Equal(t, 0, status, errOut)
			assert.Contains(t, errOut, "daemonset kube-system/fluentd-elasticsearch", "the summary")
			set, err := manifest.Load("final."+format, []byte(out))
			require.NoError(t, err)
			kinds := map[cluster.Kind]int{}
			for _, o := range set.Objects {
				kinds[o.Object.ObjectKind()]++
			}
			assert.Equal(t, 5, kinds[cluster.KindNode])
			assert.Equal(t, 5, kinds[cluster.KindPod])
			assert.Equal(t, 1, kinds[cluster.KindDaemonSet])

			path := filepath.Join(t.TempDir(), "final."+format)
			require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
			status, again, errOut := runArgs(t, "", "--snapshot", path)
			require.Equal(t, 0, status, errOut)
			assert.Contains(t, again, "cluster: 5 nodes (from "+path+")")
			assert.Contains(t, again, "simulated: settled at +0s")
			assert.Contains(t, again, "all 5 pods ready from the start, as loaded")
		})
	}
}

// A second manifest of the same DaemonSet with --then rolls it out.
func TestThenRollsOut(t *testing.T) {
	data, err := os.ReadFile("testdata/fluentd.yaml")
	require.NoError(t, err)
	v2 := strings.Replace(string(data), "fluentd:v2.5.2", "fluentd:v2.6.0", 1)
	status, out, errOut := runArgs(t, v2, "-f", "testdata/fluentd.yaml", "--then", "-", "--nodes", "4",
		"--start-latency", "1s", "--ready-delay", "2s..4s")
	require.Equal(t, 0, status, errOut)
	assert.Contains(t, out, "then: 1 DaemonSet\n")
	assert.Contains(t, out, "rollout of revision 2 from +")
	assert.Contains(t, out, "4 pods replaced")
	assert.Contains(t, out, "node agent: start fixed(1s), ready uniform(2s,4s)")
}

// Standard input is read once for "-".
func TestStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/fluentd.yaml")
	require.NoError(t, err)
	status, out, errOut := runArgs(t, string(data), "-f", "-", "--nodes", "3", "--zones", "0")
	require.Equal(t, 0, status, errOut)
	assert.Contains(t, out, "all 3 pods ready at")
	assert.Contains(t, out, "DaemonSet spec.template.spec.volumes (<stdin>:39)")
}

// Bad input: one message per problem on stderr, exit status 1, nothing on
// stdout.
func TestBadInput(t *testing.T) {
	const usage = "See 'simulate --help' for usage.\n"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown field", []string{"-f", "testdata/bad/tolerashuns.yaml"},
			"error: testdata/bad/tolerashuns.yaml:17: spec.template.spec.tolerashuns: unknown field\n"},
		{"wrong type", []string{"-f", "testdata/bad/wrong-type.yaml"},
			"error: testdata/bad/wrong-type.yaml:11: spec.updateStrategy.rollingUpdate.maxUnavailable: expected int or string\n"},
		{"every problem of every file", []string{"-f", "testdata/bad/tolerashuns.yaml", "--then", "testdata/bad/wrong-type.yaml"},
			"error: testdata/bad/tolerashuns.yaml:17: spec.template.spec.tolerashuns: unknown field\n" +
				"error: testdata/bad/wrong-type.yaml:11: spec.updateStrategy.rollingUpdate.maxUnavailable: expected int or string\n"},
		{"invalid object", []string{"-f", "testdata/bad/invalid.yaml"},
			"error: testdata/bad/invalid.yaml:4: metadata.name: Invalid value: \"Agent_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n" +
				"error: testdata/bad/invalid.yaml:10: spec.template.metadata.labels: Invalid value: {\"app\":\"other\"}: `selector` does not match template `labels`\n"},
		{"missing file", []string{"-f", "testdata/nope.yaml"}, "error: testdata/nope.yaml: no such file or directory\n"},
		{"bad timeline", []string{"-f", "testdata/bad/scenario.yaml"},
			"error: testdata/bad/scenario.yaml:9: spec.steps[1].at: 30s is before the previous step's 1m0s: steps must be in time order\n" +
				"error: testdata/bad/scenario.yaml:12: spec.steps[2].explode: unknown command (known: " + strings.Join(scenario.Commands(), ", ") + ")\n"},
		{"two timelines", []string{"-f", "testdata/maintenance.yaml", "-f", "testdata/bad/scenario.yaml"},
			"error: testdata/maintenance.yaml, testdata/bad/scenario.yaml: more than one kind: Scenario file; give one timeline\n"},
		{"timeline beside manifests in one file", []string{"-f", "testdata/bad/timeline-and-manifest.yaml"},
			"error: testdata/bad/timeline-and-manifest.yaml: a kind: Scenario document must be alone in its file (this one has 2 documents); put the manifests in files of their own\n"},
		{"no manifests", nil, "error: no manifests given: use -f FILE (or --snapshot FILE)\n" + usage},
		{"unknown flag", []string{"--nodez", "3"}, "error: unknown flag: --nodez\n" + usage},
		{"flag without value", []string{"-f"}, "error: flag needs an argument: --f\n" + usage},
		{"not a number", []string{"-f", "x.yaml", "--nodes", "many"}, "error: --nodes: \"many\": not a valid value\n" + usage},
		{"negative nodes", []string{"-f", "x.yaml", "--nodes", "-1"}, "error: --nodes: -1 is negative\n" + usage},
		{"positional argument", []string{"-f", "testdata/fluentd.yaml", "ds.yaml"},
			"error: unexpected argument \"ds.yaml\" (manifests are given with -f)\n" + usage},
		{"bad output format", []string{"-f", "testdata/fluentd.yaml", "-o", "wide"},
			"error: --output: \"wide\" is not a supported format: yaml or json\n" + usage},
		{"bad distribution", []string{"-f", "testdata/fluentd.yaml", "--ready-delay", "3s..1s"},
			"error: --ready-delay: \"3s..1s\": " + mustDistErr("3s..1s") + "\n" + usage},
		{"bad image update", []string{"-f", "testdata/fluentd.yaml", "--update-image", "fluentd"},
			"error: --update-image: \"fluentd\" is not CONTAINER=IMAGE\n" + usage},
		{"image update without the container", []string{"-f", "testdata/fluentd.yaml", "--update-image", "nginx=nginx:2"},
			"error: --update-image: no DaemonSet in the inputs has a container named \"nginx\"\n"},
		{"bad quantity", []string{"-f", "testdata/fluentd.yaml", "--node-memory", "lots"},
			"error: --node-memory: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n"},
		{"bad taint", []string{"-f", "testdata/fluentd.yaml", "--node-taints", "dedicated=x:Sometimes"},
			"error: --node-taints: " + mustTaintErr("dedicated=x:Sometimes") + "\n"},
		{"bad label", []string{"-f", "testdata/fluentd.yaml", "--node-labels", "a b=c"},
			"error: generated node node-000: metadata.labels: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n"},
		{"template that is not one node", []string{"-f", "testdata/fluentd.yaml", "--node-template", "testdata/nodes.yaml"},
			"error: testdata/nodes.yaml: --node-template: want exactly one Node, found 6 object(s), 6 of them Nodes\n"},
		{"too many control-plane nodes", []string{"-f", "testdata/fluentd.yaml", "--nodes", "2", "--control-plane", "3"},
			"error: --control-plane: 3 is not between 0 and --nodes (2)\n" + usage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out, errOut := runArgs(t, "", tc.args...)
			assert.Equal(t, 1, status)
			assert.Empty(t, out)
			assert.Equal(t, tc.want, errOut)
			assert.NotContains(t, errOut, "goroutine", "no stack trace")
		})
	}
}

func mustDistErr(s string) string {
	_, err := parseDistribution(s)
	if err == nil {
		panic(s + " parses")
	}
	return err.Error()
}

func mustTaintErr(s string) string {
	_, err := parseTaints(s)
	if err == nil {
		panic(s + " parses")
	}
	return strings.TrimPrefix(err.Error(), "--node-taints: ")
}

// --help prints the usage, which explains every flag, and exits 0.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		status, out, errOut := runArgs(t, "", arg)
		assert.Equal(t, 0, status)
		assert.Empty(t, errOut)
		assert.Equal(t, usageText, out)
	}
	newFlagSet(&options{}).VisitAll(func(f *flag.Flag) {
		name := "--" + f.Name + " "
		if len(f.Name) == 1 {
			name = "-" + f.Name + ", "
		}
		assert.Contains(t, usageText, name, "--help does not explain %s", f.Name)
	})
}

func TestParseDistribution(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2s", "fixed(2s)"},
		{"fixed(1.5s)", "fixed(1.5s)"},
		{"1s..3s", "uniform(1s,3s)"},
		{"uniform(1s, 3s)", "uniform(1s,3s)"},
		{"lognormal(2s,0.3)", "lognormal(2s,0.3)"},
		{"0s", "fixed(0s)"},
	} {
		d, err := parseDistribution(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, d.String(), tc.in)
		again, err := parseDistribution(d.String())
		require.NoError(t, err)
		assert.Equal(t, d, again, "String parses back")
	}
	for _, bad := range []string{"", "2", "-1s", "3s..1s", "uniform(1s)", "lognormal(2s,-1)", "lognormal(2s,NaN)", "normal(1s,2s)", "1s..", "fixed()"} {
		_, err := parseDistribution(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func FuzzParseDistribution(f *testing.F) {
	for _, s := range []string{"2s", "1s..3s", "uniform(1s,3s)", "lognormal(2s,0.3)", "fixed(0)", "lognormal(1h,1e308)", "..", "uniform(,)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDistribution(s)
		if err != nil {
			return
		}
		again, err := parseDistribution(d.String())
		if err != nil {
			t.Fatalf("%q parses to %s, which does not parse: %v", s, d, err)
		}
		if again.String() != d.String() {
			t.Fatalf("%q: %s parses back as %s", s, d, again)
		}
	})
}

// Any manifest on standard input ends in exit status 0 or 1, never a
// panic (run recovers from one, so the fuzz target calls the inner run).
func FuzzManifest(f *testing.F) {
	data, err := os.ReadFile("testdata/fluentd.yaml")
	require.NoError(f, err)
	f.Add(data)
	f.Add([]byte("kind: DaemonSet\napiVersion: apps/v1\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Node, metadata: {name: n}}]\n"))
	f.Add([]byte("apiVersion: daemonsim.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec: {steps: [{at: 1s, cordon: node-000}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out, errOut bytes.Buffer
		e := env{stdin: bytes.NewReader(data), stdout: &out, stderr: &errOut}
		status := e.run([]string{"-f", "-", "--nodes", "3", "--until", "10m"})
		if status != 0 && status != 1 {
			t.Fatalf("status %d", status)
		}
		if status == 1 && !strings.HasPrefix(errOut.String(), "error: ") {
			t.Fatalf("failure without an error message: %q", errOut.String())
		}
	})
}
