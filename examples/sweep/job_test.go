package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/daemonsim/daemonsim/sim/sweep"
)

// job.yaml is an Indexed Job whose completions and JOB_COMPLETIONS agree,
// and whose pods' arguments, with the index the Job controller sets, are
// flags of this program that select that shard and write it to the volume.
func TestJobManifest(t *testing.T) {
	b, err := os.ReadFile("job.yaml")
	require.NoError(t, err)
	var job map[string]any
	kinds := map[string]int{}
	for _, doc := range strings.Split(string(b), "\n---\n") {
		var m map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(doc), &m))
		kind, _ := m["kind"].(string)
		kinds[kind]++
		if kind == "Job" {
			job = m
		}
	}
	assert.Equal(t, map[string]int{"PersistentVolumeClaim": 1, "Job": 1, "Pod": 1}, kinds)
	require.NotNil(t, job)
	assert.Equal(t, "batch/v1", job["apiVersion"])
	spec := job["spec"].(map[string]any)
	assert.Equal(t, "Indexed", spec["completionMode"])
	completions := int(spec["completions"].(float64))
	assert.Positive(t, completions)
	assert.Positive(t, spec["parallelism"])
	pod := spec["template"].(map[string]any)["spec"].(map[string]any)
	assert.Equal(t, "Never", pod["restartPolicy"])
	containers := pod["containers"].([]any)
	require.Len(t, containers, 1)
	c := containers[0].(map[string]any)
	env := map[string]string{}
	for _, e := range c["env"].([]any) {
		e := e.(map[string]any)
		env[e["name"].(string)] = e["value"].(string)
	}
	assert.Equal(t, fmt.Sprint(completions), env[sweep.EnvCompletions], "JOB_COMPLETIONS is spec.completions")
	var mount string
	for _, v := range c["volumeMounts"].([]any) {
		mount = v.(map[string]any)["mountPath"].(string)
	}
	seen := map[string]bool{}
	for i := range completions {
		// what the kubelet runs: $(JOB_COMPLETION_INDEX) expanded
		var args []string
		for _, a := range c["args"].([]any) {
			args = append(args, strings.ReplaceAll(a.(string), "$(JOB_COMPLETION_INDEX)", fmt.Sprint(i)))
		}
		getenv := func(k string) string {
			if k == sweep.EnvCompletionIndex {
				return fmt.Sprint(i)
			}
			return env[k]
		}
		o, err := parseFlags(args, getenv)
		require.NoError(t, err)
		assert.Equal(t, sweep.Shard{Index: i, Count: completions}, o.shard)
		assert.True(t, o.sharded)
		assert.True(t, strings.HasPrefix(o.out, mount+"/"), "writes to the volume: %s", o.out)
		assert.False(t, seen[o.out], "one file per shard")
		seen[o.out] = true
	}
}
