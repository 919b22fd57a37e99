package scenario_test

import (
	"fmt"
	"os"

	"github.com/daemonsim/daemonsim/sim/scenario"
)

// A World runs the commands of scenario files from any program.
func ExampleWorld() {
	w, err := scenario.NewWorld(scenario.Config{})
	if err != nil {
		panic(err)
	}
	ds := `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      tolerations: [{key: gpu, operator: Exists}]
      containers: [{name: agent, image: agent:v1}]
`
	for _, c := range []struct{ line, input string }{
		{"add-nodes count=2", ""},
		{"add-nodes gpu-1 taints=gpu=true:NoSchedule", ""},
		{"apply", ds},
		{"run for=30s", ""},
		{"get daemonsets", ""},
		{"delete ds/nothing", ""},
	} {
		cmd, err := scenario.ParseCommand(c.line, c.input)
		if err != nil {
			panic(err)
		}
		out, err := w.Exec(cmd)
		if err != nil {
			panic(err)
		}
		fmt.Printf("> %s\n%s", c.line, out)
	}
	// Output:
	// > add-nodes count=2
	// node/node-1 created
	// node/node-2 created
	// > add-nodes gpu-1 taints=gpu=true:NoSchedule
	// node/gpu-1 created
	// > apply
	// daemonset.apps/agent created
	// > run for=30s
	// t=+30s
	// > get daemonsets
	// NAME    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
	// agent   3         3         3       3            3           <none>          30s
	// > delete ds/nothing
	// Error from server (NotFound): daemonsets.apps "nothing" not found
}

// A timeline is a YAML list of steps at simulated offsets.
func ExampleParseTimeline() {
	doc := `apiVersion: daemonsim.io/v1alpha1
kind: Scenario
metadata: {name: cordon-one}
spec:
  cluster:
    nodes: {count: 2}
  steps:
  - at: 1m
    cordon: node-1
  - at: 2m
    get: nodes
`
	tl, err := scenario.ParseTimeline("cordon.yaml", []byte(doc))
	if err != nil {
		panic(err)
	}
	w, err := scenario.NewWorld(scenario.Config{})
	if err != nil {
		panic(err)
	}
	if err := tl.Run(w, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// t=+0s add-nodes count=2
	// node/node-1 created
	// node/node-2 created
	//
	// t=+1m0s cordon node-1
	// node/node-1 cordoned
	//
	// t=+2m0s get nodes
	// NAME     STATUS                     ROLES    AGE   VERSION
	// node-1   Ready,SchedulingDisabled   <none>   2m
	// node-2   Ready                      <none>   2m
}
