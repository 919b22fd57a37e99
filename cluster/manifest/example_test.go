package manifest_test

import (
	"fmt"
	"time"

	"github.com/daemonsim/daemonsim/cluster/manifest"
)

// Example loads a file with a DaemonSet and a ServiceAccount, lists what
// was skipped and ignored, creates the objects into a store and writes the
// DaemonSet back; then shows a refused file.
func Example() {
	set, err := manifest.Load("agent.yaml", []byte(`apiVersion: v1
kind: ServiceAccount
metadata: {name: agent, namespace: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccountName: agent
      containers:
      - name: agent
        image: agent:1
        resources: {requests: {cpu: 50m}}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range set.Skipped {
		fmt.Printf("skipped %s:%d %s %s/%s\n", s.File, s.Line, s.Kind, s.Namespace, s.Name)
	}
	for _, ig := range set.Ignored {
		fmt.Printf("ignored %s:%d %s %s\n", ig.File, ig.Line, ig.Kind, ig.Path)
	}
	st, err := set.Store(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, _ := st.DaemonSet("kube-system", "agent")
	b, _ := manifest.Marshal(set.Objects[0].Object)
	fmt.Printf("stored uid %s\n%s", ds.UID, b)

	_, err = manifest.Load("ds.yaml", []byte("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      tolerashuns: []\n"))
	fmt.Println(err)
	// Output:
	// skipped agent.yaml:1 ServiceAccount kube-system/agent
	// ignored agent.yaml:13 DaemonSet spec.template.spec.serviceAccountName
	// stored uid 00000000-0000-4000-8000-000000000001
	// apiVersion: apps/v1
	// kind: DaemonSet
	// metadata:
	//   name: agent
	//   namespace: kube-system
	// spec:
	//   selector:
	//     matchLabels:
	//       app: agent
	//   template:
	//     metadata:
	//       labels:
	//         app: agent
	//     spec:
	//       containers:
	//       - image: agent:1
	//         name: agent
	//         resources:
	//           requests:
	//             cpu: 50m
	// ds.yaml:7: spec.template.spec.tolerashuns: unknown field
}
