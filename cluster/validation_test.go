package cluster_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// The valid objects the cases break one field of.

func vPod(edit func(*cluster.Pod)) *cluster.Pod {
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: "p", Namespace: "default"}}
	p.Spec.Containers = []cluster.Container{{Name: "c", Image: "img:1"}}
	edit(p)
	return p
}

func vNode(edit func(*cluster.Node)) *cluster.Node {
	n := &cluster.Node{ObjectMeta: cluster.ObjectMeta{Name: "n1"}}
	n.Status.Capacity = cluster.Resources("cpu", "4", "pods", "110")
	edit(n)
	return n
}

func vDS(edit func(*cluster.DaemonSet)) *cluster.DaemonSet {
	d := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "ds", Namespace: "default"}}
	d.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "x"}}
	d.Spec.Template.Labels = selector.Set{"app": "x"}
	d.Spec.Template.Spec.Containers = []cluster.Container{{Name: "c", Image: "img:1"}}
	edit(d)
	return d
}

func vPDB(edit func(*cluster.PodDisruptionBudget)) *cluster.PodDisruptionBudget {
	one := cluster.FromInt(1)
	b := &cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "pdb", Namespace: "default"}}
	b.Spec.MinAvailable = &one
	b.Spec.Selector = &selector.LabelSelector{MatchLabels: selector.Set{"app": "x"}}
	edit(b)
	return b
}

func vPC(edit func(*cluster.PriorityClass)) *cluster.PriorityClass {
	c := &cluster.PriorityClass{ObjectMeta: cluster.ObjectMeta{Name: "high"}, Value: 1000}
	edit(c)
	return c
}

func vCR(edit func(*cluster.ControllerRevision)) *cluster.ControllerRevision {
	c := &cluster.ControllerRevision{ObjectMeta: cluster.ObjectMeta{Name: "ds-1", Namespace: "default"}, Data: []byte(`{"spec":{}}`), Revision: 1}
	edit(c)
	return c
}

func ptrTo[T any](v T) *T { return &v }

func intOrStr(s string) *cluster.IntOrString {
	v := cluster.FromString(s)
	return &v
}

func intOr(i int32) *cluster.IntOrString {
	v := cluster.FromInt(i)
	return &v
}

func ports(ps ...cluster.ContainerPort) func(*cluster.Pod) {
	return func(p *cluster.Pod) { p.Spec.Containers[0].Ports = ps }
}

func resources(limits, requests cluster.ResourceList) func(*cluster.Pod) {
	return func(p *cluster.Pod) {
		p.Spec.Containers[0].Resources = cluster.ResourceRequirements{Limits: limits, Requests: requests}
	}
}

func tolerations(ts ...taints.Toleration) func(*cluster.Pod) {
	return func(p *cluster.Pod) { p.Spec.Tolerations = ts }
}

func required(terms ...selector.NodeSelectorTerm) func(*cluster.Pod) {
	return func(p *cluster.Pod) {
		p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &selector.NodeSelector{NodeSelectorTerms: terms}}}
	}
}

func expr(key string, op selector.NodeSelectorOperator, values ...string) selector.NodeSelectorTerm {
	return selector.NodeSelectorTerm{MatchExpressions: []selector.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func fieldExpr(key string, op selector.NodeSelectorOperator, values ...string) selector.NodeSelectorTerm {
	return selector.NodeSelectorTerm{MatchFields: []selector.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

func rolling(u, s *cluster.IntOrString) func(*cluster.DaemonSet) {
	return func(d *cluster.DaemonSet) {
		d.Spec.UpdateStrategy = cluster.DaemonSetUpdateStrategy{Type: cluster.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &cluster.RollingUpdateDaemonSet{MaxUnavailable: u, MaxSurge: s}}
	}
}

const (
	subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	labelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	nameMsg      = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	percentMsg   = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
	valueMsg     = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

// TestValidateUpstreamRules pins each rule with upstream's path, type and
// message (conformance/validation_diff_test.go compares the same against
// the API server's own validation on generated objects). Each case is a
// valid object with one thing broken, and the complete error list.
func TestValidateUpstreamRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		obj  cluster.Object
		want []string
	}{
		// the three
		{"host-network pod: hostPort must equal containerPort", vPod(func(p *cluster.Pod) {
			p.Spec.HostNetwork = true
			ports(cluster.ContainerPort{ContainerPort: 80, HostPort: 81})(p)
		}), []string{"spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"}},
		{"fractional extended resource", vPod(resources(cluster.Resources("example.com/gpu", "1.5"), nil)), []string{
			`spec.containers[0].resources.limits[example.com/gpu]: Invalid value: "1500m": must be an integer`,
			`spec.containers[0].resources.requests[example.com/gpu]: Invalid value: "1500m": must be an integer`}},
		{"maxUnavailable +50%", vDS(rolling(intOrStr("+50%"), nil)), []string{
			`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "+50%": ` + percentMsg,
			// upstream counts a string that is not a valid percent as its
			// number, and "+50%" as none
			"spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"}},

		// metadata
		{"valid pod", vPod(func(*cluster.Pod) {}), nil},
		{"name required", vPod(func(p *cluster.Pod) { p.Name = "" }), []string{"metadata.name: Required value: name or generateName is required"}},
		{"name not a subdomain", vPod(func(p *cluster.Pod) { p.Name = "Web_1" }), []string{`metadata.name: Invalid value: "Web_1": ` + subdomainMsg}},
		{"name too long", vNode(func(n *cluster.Node) { n.Name = strings.Repeat("a", 254) }), []string{
			`metadata.name: Invalid value: "` + strings.Repeat("a", 254) + `": must be no more than 253 characters`}},
		{"namespace with dots", vPod(func(p *cluster.Pod) { p.Namespace = "a.b" }), []string{`metadata.namespace: Invalid value: "a.b": must not contain dots`}},
		{"namespace not a label", vPod(func(p *cluster.Pod) { p.Namespace = "Prod" }), []string{`metadata.namespace: Invalid value: "Prod": ` + labelMsg}},
		{"cluster-scoped kind with a namespace", vNode(func(n *cluster.Node) { n.Namespace = "default" }), []string{"metadata.namespace: Forbidden: not allowed on this type"}},
		{"negative generation", vNode(func(n *cluster.Node) { n.Generation = -1 }), []string{"metadata.generation: Invalid value: -1: must be greater than or equal to 0"}},
		{"label key", vPod(func(p *cluster.Pod) { p.Labels = selector.Set{"-a": "x"} }), []string{`metadata.labels: Invalid value: "-a": ` + nameMsg}},
		{"label value", vPod(func(p *cluster.Pod) { p.Labels = selector.Set{"a": "-x"} }), []string{`metadata.labels: Invalid value: "-x": ` + valueMsg}},
		{"annotation keys compare in lower case", vPod(func(p *cluster.Pod) { p.Annotations = map[string]string{"Example.COM/Key": "v"} }), nil},
		{"annotation key", vPod(func(p *cluster.Pod) { p.Annotations = map[string]string{"a b": "v"} }), []string{`metadata.annotations: Invalid value: "a b": ` + nameMsg}},
		{"annotations over 256 KiB", vPod(func(p *cluster.Pod) { p.Annotations = map[string]string{"big": strings.Repeat("x", 256*1024)} }), []string{
			"metadata.annotations: Too long: may not be more than 262144 bytes"}},
		{"owner reference fields", vPod(func(p *cluster.Pod) { p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "apps/"}} }), []string{
			`metadata.ownerReferences[0].apiVersion: Invalid value: "apps/": must be <group>/<version> or <version>`,
			"metadata.ownerReferences[0].kind: Required value: must not be empty",
			"metadata.ownerReferences[0].name: Required value: must not be empty",
			"metadata.ownerReferences[0].uid: Required value: must not be empty"}},
		{"owner reference apiVersion required; an Event owns nothing", vPod(func(p *cluster.Pod) {
			p.OwnerReferences = []cluster.OwnerReference{{APIVersion: "v1", Kind: "Event", Name: "e", UID: "u"}, {Kind: "DaemonSet", Name: "d", UID: "u2"}}
		}), []string{
			`metadata.ownerReferences[0]: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner`,
			"metadata.ownerReferences[1].apiVersion: Required value: must not be empty"}},
		{"two controllers", vPod(func(p *cluster.Pod) {
			p.OwnerReferences = []cluster.OwnerReference{
				{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "a", UID: "u1", Controller: ptrTo(true)},
				{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "b", UID: "u2", Controller: ptrTo(true)}}
		}), []string{`metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"DaemonSet","name":"a","uid":"u1","controller":true},{"apiVersion":"apps/v1","kind":"DaemonSet","name":"b","uid":"u2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for DaemonSet/a and DaemonSet/b`}},
		{"finalizers", vPod(func(p *cluster.Pod) { p.Finalizers = []string{"orphan", "foregroundDeletion", "custom", "a b"} }), []string{
			`metadata.finalizers: Invalid value: "a b": ` + nameMsg,
			`metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","custom","a b"]: finalizer orphan and foregroundDeletion cannot be both set`,
			`metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified`,
			`metadata.finalizers[3]: Invalid value: "a b": name is neither a standard finalizer name nor is it fully qualified`}},

		// pod annotations
		{"mirror pod needs a node", vPod(func(p *cluster.Pod) { p.Annotations = map[string]string{"kubernetes.io/config.mirror": "x"} }), []string{
			`metadata.annotations[kubernetes.io/config.mirror]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set`}},
		{"tolerations annotation", vPod(func(p *cluster.Pod) {
			p.Annotations = map[string]string{"scheduler.alpha.kubernetes.io/tolerations": `[{"operator":"Equal"}]`}
		}), []string{"metadata.annotations.scheduler.alpha.kubernetes.io/tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""}},
		{"tolerations annotation that does not parse", vPod(func(p *cluster.Pod) {
			p.Annotations = map[string]string{"scheduler.alpha.kubernetes.io/tolerations": `{}`}
		}), []string{`metadata.annotations: Invalid value: "scheduler.alpha.kubernetes.io/tolerations": json: cannot unmarshal object into Go value of type []core.Toleration`}},
		{"deletion cost", vPod(func(p *cluster.Pod) {
			p.Annotations = map[string]string{"controller.kubernetes.io/pod-deletion-cost": "+1"}
		}), []string{
			`metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+1": must be a 32bit integer`}},
		{"seccomp profiles", vPod(func(p *cluster.Pod) {
			p.Annotations = map[string]string{"seccomp.security.alpha.kubernetes.io/pod": "localhost/../x", "container.seccomp.security.alpha.kubernetes.io/c": "bad"}
		}), []string{
			`metadata.annotations.seccomp.security.alpha.kubernetes.io/pod: Invalid value: "../x": must not contain '..'`,
			`metadata.annotations.container.seccomp.security.alpha.kubernetes.io/c: Invalid value: "bad": must be a valid seccomp profile`}},
		{"apparmor annotation", vPod(func(p *cluster.Pod) {
			p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/nope": "bad"}
		}), []string{
			`metadata.annotations[container.apparmor.security.beta.kubernetes.io/nope]: Invalid value: "nope": container not found`,
			`metadata.annotations[container.apparmor.security.beta.kubernetes.io/nope]: Invalid value: "bad": invalid AppArmor profile name: "bad"`}},

		// containers
		{"no containers", vPod(func(p *cluster.Pod) { p.Spec.Containers = nil }), []string{"spec.containers: Required value"}},
		{"container name and image", vPod(func(p *cluster.Pod) { p.Spec.Containers[0] = cluster.Container{Name: "a.b"} }), []string{
			`spec.containers[0].name: Invalid value: "a.b": must not contain dots`, "spec.containers[0].image: Required value"}},
		{"image with spaces", vPod(func(p *cluster.Pod) { p.Spec.Containers[0].Image = " img" }), []string{
			`spec.containers[0].image: Invalid value: " img": must not have leading or trailing whitespace`}},
		{"image with spaces in a template is let through", vDS(func(d *cluster.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = " img" }), nil},
		{"duplicate container names", vPod(func(p *cluster.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, cluster.Container{Name: "c", Image: "i"})
			p.Spec.InitContainers = []cluster.Container{{Name: "c", Image: "i"}, {Name: "i", Image: "i"}, {Name: "i", Image: "i"}}
		}), []string{`spec.containers[1].name: Duplicate value: "c"`, `spec.initContainers[0].name: Duplicate value: "c"`, `spec.initContainers[2].name: Duplicate value: "i"`}},
		{"container restart policy", vPod(func(p *cluster.Pod) {
			p.Spec.Containers[0].RestartPolicy = ptrTo(cluster.ContainerRestartPolicy("Sometimes"))
			p.Spec.InitContainers = []cluster.Container{{Name: "i", Image: "i", RestartPolicy: ptrTo(cluster.ContainerRestartPolicy("Never"))}}
		}), []string{`spec.containers[0].restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"`}},

		// ports
		{"port numbers", vPod(ports(cluster.ContainerPort{ContainerPort: 0, HostPort: 70000, Protocol: "HTTP"})), []string{
			"spec.containers[0].ports[0].containerPort: Required value",
			"spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
			`spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`}},
		{"port names", vPod(ports(cluster.ContainerPort{Name: "a--b", ContainerPort: 1}, cluster.ContainerPort{Name: "http", ContainerPort: 2},
			cluster.ContainerPort{Name: "http", ContainerPort: 3})), []string{
			`spec.containers[0].ports[0].name: Invalid value: "a--b": must not contain consecutive hyphens`,
			`spec.containers[0].ports[2].name: Duplicate value: "http"`}},
		{"duplicate host ports", vPod(func(p *cluster.Pod) {
			ports(cluster.ContainerPort{ContainerPort: 80, HostPort: 80}, cluster.ContainerPort{ContainerPort: 81, HostPort: 80, Protocol: "UDP"})(p)
			p.Spec.Containers = append(p.Spec.Containers, cluster.Container{Name: "d", Image: "i", Ports: []cluster.ContainerPort{{ContainerPort: 82, HostPort: 80}}})
			p.Spec.InitContainers = []cluster.Container{{Name: "i", Image: "i"}, {Name: "j", Image: "i",
				Ports: []cluster.ContainerPort{{ContainerPort: 1, HostPort: 9}, {ContainerPort: 2, HostPort: 9}}}}
		}), []string{
			`spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"`,
			// upstream checks init containers one at a time and reports at index 0
			`spec.initContainers[0].ports[1].hostPort: Duplicate value: "TCP//9"`}},
		{"host-network template may leave hostPort unset", vDS(func(d *cluster.DaemonSet) {
			d.Spec.Template.Spec.HostNetwork = true
			d.Spec.Template.Spec.Containers[0].Ports = []cluster.ContainerPort{{ContainerPort: 80}, {ContainerPort: 81, HostPort: 82}}
		}), []string{"spec.template.spec.containers[0].ports[1].hostPort: Invalid value: 82: must match `containerPort` when `hostNetwork` is true"}},

		// resources
		{"requests above limits", vPod(resources(cluster.Resources("cpu", "1"), cluster.Resources("cpu", "2"))), []string{
			`spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`}},
		{"extended resource request without limit", vPod(resources(nil, cluster.Resources("example.com/gpu", "1"))), []string{
			"spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"}},
		{"extended resource request below limit", vPod(resources(cluster.Resources("example.com/gpu", "2"), cluster.Resources("example.com/gpu", "1"))), []string{
			`spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2`}},
		{"negative quantity", vPod(resources(nil, cluster.Resources("memory", "-1"))), []string{
			`spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0`}},
		{"resource names", vPod(resources(nil, cluster.Resources("pods", "1", "foo", "1", "requests.example.com/x", "1"))), []string{
			`spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified`,
			`spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers`,
			`spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a standard resource for containers`,
			`spec.containers[0].resources.requests[requests.example.com/x]: Invalid value: "requests.example.com/x": doesn't follow extended resource name standard`,
			// a prefixed name outside kubernetes.io/ cannot be overcommitted
			"spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"}},
		{"hugepages", vPod(resources(cluster.Resources("hugepages-2Mi", "3Mi"), nil)), []string{
			`spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`,
			`spec.containers[0].resources.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi`,
			"spec.containers[0].resources: Forbidden: HugePages require cpu or memory"}},
		{"hugepages with memory", vPod(resources(cluster.Resources("hugepages-2Mi", "4Mi", "memory", "1Gi"), nil)), nil},
		{"overhead is checked as limits", vPod(func(p *cluster.Pod) { p.Spec.Overhead = cluster.Resources("example.com/x", "0.5") }), []string{
			`spec.overhead.limits[example.com/x]: Invalid value: "500m": must be an integer`}},
		{"unsorted resource list", vPod(resources(nil, cluster.ResourceList{{Name: "memory"}, {Name: "cpu"}})), []string{
			`spec.containers[0].resources.requests[cpu]: Invalid value: "cpu": resource names must be sorted and unique (build lists with Resources or ParseResourceList)`}},

		// the rest of the pod spec
		{"restart policy", vPod(func(p *cluster.Pod) { p.Spec.RestartPolicy = "Sometimes" }), []string{
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`}},
		{"negative grace period becomes 1 on a pod", vPod(func(p *cluster.Pod) { p.Spec.TerminationGracePeriodSeconds = ptrTo(int64(-5)) }), nil},
		{"active deadline", vPod(func(p *cluster.Pod) { p.Spec.ActiveDeadlineSeconds = ptrTo(int64(0)) }), []string{
			"spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"}},
		{"node selector", vPod(func(p *cluster.Pod) { p.Spec.NodeSelector = selector.Set{"zone": "-a"} }), []string{
			`spec.nodeSelector: Invalid value: "-a": ` + valueMsg}},
		{"node name", vPod(func(p *cluster.Pod) { p.Spec.NodeName = "Node_1" }), []string{`spec.nodeName: Invalid value: "Node_1": ` + subdomainMsg}},
		{"priority class name", vPod(func(p *cluster.Pod) { p.Spec.PriorityClassName = "High" }), []string{`spec.priorityClassName: Invalid value: "High": ` + subdomainMsg}},
		{"preemption policy", vPod(func(p *cluster.Pod) { p.Spec.PreemptionPolicy = ptrTo(cluster.PreemptionPolicy("")) }), []string{"spec.preemptionPolicy: Required value"}},
		{"scheduler name is not validated", vPod(func(p *cluster.Pod) { p.Spec.SchedulerName = "My Scheduler" }), nil},

		// tolerations
		{"toleration with empty key needs Exists", vPod(tolerations(taints.Toleration{Operator: taints.OpEqual})), []string{
			"spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""}},
		{"tolerationSeconds needs NoExecute", vPod(tolerations(taints.Toleration{Key: "k", Operator: taints.OpExists, Effect: taints.NoSchedule, TolerationSeconds: ptrTo(int64(5))})), []string{
			`spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when ` + "`tolerationSeconds`" + ` is set`}},
		{"Exists with a value", vPod(tolerations(taints.Toleration{Key: "k", Operator: taints.OpExists, Value: "v"})), []string{
			`spec.tolerations[0].operator: Invalid value: "v": value must be empty when ` + "`operator`" + ` is 'Exists'`}},
		{"Gt is gated off", vPod(tolerations(taints.Toleration{Key: "k", Operator: taints.OpGt, Value: "5"})), []string{
			`spec.tolerations[0].operator: Unsupported value: "Gt": supported values: "Equal", "Exists", "Lt", "Gt"`}},
		{"toleration operator and effect", vPod(tolerations(taints.Toleration{Key: "k", Operator: "In", Effect: "Bad"})), []string{
			`spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"`,
			`spec.tolerations[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`}},
		{"toleration key and value", vPod(tolerations(taints.Toleration{Key: "-k", Value: "-v"})), []string{
			`spec.tolerations[0].key: Invalid value: "-k": ` + nameMsg,
			`spec.tolerations[0].operator: Invalid value: "-v": ` + valueMsg}},

		// node affinity
		{"required affinity without terms", vPod(required()), []string{
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term"}},
		{"affinity operators and values", vPod(required(expr("zone", "Near", "a"), expr("zone", selector.NodeSelectorOpIn), expr("zone", selector.NodeSelectorOpExists, "a"),
			expr("n", selector.NodeSelectorOpGt, "1", "2"), expr("zone", selector.NodeSelectorOpIn, "-a"))), []string{
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator`,
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[2].matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[3].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[4].matchExpressions[0].values[0]: Invalid value: "-a": ` + valueMsg}},
		{"affinity field requirements", vPod(required(fieldExpr("metadata.name", selector.NodeSelectorOpIn, "a", "b"), fieldExpr("spec.x", selector.NodeSelectorOpExists),
			fieldExpr("metadata.name", selector.NodeSelectorOpIn, "N_1"))), []string{
			"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator`,
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchFields[0].key: Invalid value: "spec.x": not a valid field selector key`,
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[2].matchFields[0].values[0]: Invalid value: "N_1": ` + subdomainMsg}},
		{"preferred affinity: weight, and bad values let through", vPod(func(p *cluster.Pod) {
			p.Spec.Affinity = &cluster.Affinity{NodeAffinity: &cluster.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []cluster.PreferredSchedulingTerm{
				{Weight: 0, Preference: expr("zone", selector.NodeSelectorOpIn, "-a")}}}}
		}), []string{"spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"}},

		// nodes
		{"valid node", vNode(func(*cluster.Node) {}), nil},
		{"taints are reported under metadata, as upstream does", vNode(func(n *cluster.Node) {
			n.Spec.Taints = []taints.Taint{{Key: "k", Effect: taints.NoSchedule}, {Key: "k", Value: "v", Effect: taints.NoSchedule}, {Key: "-k", Value: "-v"}, {Key: "k", Effect: "Bad"}}
		}), []string{
			`metadata.taints[1]: Duplicate value: {"Key":"k","Value":"v","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`,
			`metadata.taints[2].key: Invalid value: "-k": ` + nameMsg,
			`metadata.taints[2].value: Invalid value: "-v": ` + valueMsg,
			"metadata.taints[2].effect: Required value",
			`metadata.taints[3].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`}},
		{"node quantities; allocatable defaults to capacity", vNode(func(n *cluster.Node) { n.Status.Capacity = cluster.Resources("pods", "1.5", "cpu", "-1") }), []string{
			`status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0`,
			`status.capacity.pods: Invalid value: "1500m": must be an integer`,
			`status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0`,
			`status.allocatable.pods: Invalid value: "1500m": must be an integer`}},
		{"node resource names are not checked", vNode(func(n *cluster.Node) { n.Status.Allocatable = cluster.Resources("foo", "1") }), nil},
		{"taints annotation", vNode(func(n *cluster.Node) {
			n.Annotations = map[string]string{"scheduler.alpha.kubernetes.io/taints": `[{"key":"k"}]`}
		}), []string{"metadata.annotations.scheduler.alpha.kubernetes.io/taints[0].effect: Required value"}},
		{"preferAvoidPods annotation", vNode(func(n *cluster.Node) {
			n.Annotations = map[string]string{"scheduler.alpha.kubernetes.io/preferAvoidPods": `{"preferAvoidPods":[{"podSignature":{}},{"podSignature":{"podController":{"kind":"x","controller":false}}}]}`}
		}), []string{
			"metadata.annotations.scheduler.alpha.kubernetes.io/preferAvoidPods[0].PodSignature: Required value",
			"metadata.annotations.scheduler.alpha.kubernetes.io/preferAvoidPods[1].PodSignature.PodController.Controller: Invalid value: false: must point to a controller"}},

		// DaemonSets
		{"valid DaemonSet", vDS(func(*cluster.DaemonSet) {}), nil},
		{"DaemonSet without a selector", vDS(func(d *cluster.DaemonSet) { d.Spec.Selector = nil }), []string{
			"spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"}},
		{"empty selector", vDS(func(d *cluster.DaemonSet) { d.Spec.Selector = &selector.LabelSelector{} }), []string{
			"spec.selector: Invalid value: {}: empty selector is invalid for daemonset"}},
		{"selector operator", vDS(func(d *cluster.DaemonSet) {
			d.Spec.Selector.MatchExpressions = []selector.LabelSelectorRequirement{{Key: "app", Operator: "Near", Values: []string{"x"}}}
		}), []string{`spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator`}},
		{"template labels are reported at template.labels, as upstream does", vDS(func(d *cluster.DaemonSet) { d.Spec.Template.Labels["-a"] = "x" }), []string{
			`spec.template.labels: Invalid value: "-a": ` + nameMsg}},
		{"template restart policy and deadline", vDS(func(d *cluster.DaemonSet) {
			d.Spec.Template.Spec.RestartPolicy = cluster.RestartPolicyNever
			d.Spec.Template.Spec.ActiveDeadlineSeconds = ptrTo(int64(5))
		}), []string{
			`spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`,
			"spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"}},
		{"counts", vDS(func(d *cluster.DaemonSet) {
			d.Spec.MinReadySeconds = -1
			d.Spec.RevisionHistoryLimit = ptrTo(int32(-1))
		}), []string{
			"spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
			"spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"}},
		{"strategy type", vDS(func(d *cluster.DaemonSet) { d.Spec.UpdateStrategy.Type = "Recreate" }), []string{
			`spec.updateStrategy: Unsupported value: {"Type":"Recreate","RollingUpdate":null}: supported values: "RollingUpdate", "OnDelete"`}},
		{"both zero", vDS(rolling(intOr(0), intOrStr("0%"))), []string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"}},
		{"both set", vDS(rolling(intOr(1), intOrStr("10%"))), []string{`spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero`}},
		{"over 100%", vDS(rolling(intOrStr("120%"), nil)), []string{`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%`}},
		{"negative int", vDS(rolling(intOr(-1), nil)), []string{"spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"}},
		{"a number as a string counts as that number", vDS(rolling(intOrStr("5"), intOr(1))), []string{
			`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: "5": ` + percentMsg,
			"spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"}},

		// PDBs
		{"valid PDB", vPDB(func(*cluster.PodDisruptionBudget) {}), nil},
		{"PDB both set", vPDB(func(b *cluster.PodDisruptionBudget) { b.Spec.MaxUnavailable = intOrStr("150%") }), []string{
			`spec: Invalid value: {"MinAvailable":1,"Selector":{"matchLabels":{"app":"x"}},"MaxUnavailable":"150%","UnhealthyPodEvictionPolicy":null}: minAvailable and maxUnavailable cannot be both set`,
			`spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%`}},
		{"PDB names need only be path segments", vPDB(func(b *cluster.PodDisruptionBudget) { b.Name = "Web_1" }), nil},
		{"PDB name", vPDB(func(b *cluster.PodDisruptionBudget) { b.Name = "a/b" }), []string{`metadata.name: Invalid value: "a/b": may not contain '/'`}},
		{"PDB metadata is checked only when the spec is valid", vPDB(func(b *cluster.PodDisruptionBudget) { b.Name = "a/b"; b.Spec.MinAvailable = intOrStr("x") }), []string{
			`spec.minAvailable: Invalid value: "x": ` + percentMsg}},

		// PriorityClasses
		{"valid PriorityClass", vPC(func(*cluster.PriorityClass) {}), nil},
		{"system prefix", vPC(func(c *cluster.PriorityClass) { c.Name = "system-mine" }), []string{
			"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"}},
		{"built-in name with another value", vPC(func(c *cluster.PriorityClass) { c.Name = cluster.SystemNodeCritical }), []string{
			"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000"}},
		{"built-in name as global default", vPC(func(c *cluster.PriorityClass) {
			c.Name, c.Value, c.GlobalDefault = cluster.SystemClusterCritical, cluster.SystemCriticalPriority, true
		}), []string{"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: globalDefault of system-cluster-critical PriorityClass must be false"}},
		{"user value too high", vPC(func(c *cluster.PriorityClass) { c.Value = 1000000001 }), []string{"value: Forbidden: maximum allowed value of a user defined priority is 1000000000"}},
		{"PriorityClass preemption policy", vPC(func(c *cluster.PriorityClass) { c.PreemptionPolicy = ptrTo(cluster.PreemptionPolicy("Sometimes")) }), []string{
			`preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"`}},

		// ControllerRevisions
		{"valid ControllerRevision", vCR(func(*cluster.ControllerRevision) {}), nil},
		{"revision data and number", vCR(func(c *cluster.ControllerRevision) { c.Data, c.Revision = []byte(`[1]`), -1 }), []string{
			"revision: Invalid value: -1: must be greater than or equal to 0", "data: Required value: data must be a valid JSON object"}},
		{"revision data null", vCR(func(c *cluster.ControllerRevision) { c.Data = []byte(`null`) }), []string{"data: Required value: data is mandatory"}},
		{"revision data not JSON", vCR(func(c *cluster.ControllerRevision) { c.Data = []byte(`{`) }), []string{
			`data: Invalid value: "<value omitted>": error parsing data: unexpected end of JSON input`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cluster.Default(tc.obj)
			assert.Equal(t, tc.want, errorStrings(cluster.Validate(tc.obj)))
		})
	}
}

func errorStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// TestValidateNil checks that a missing object is an error, not a panic.
func TestValidateNil(t *testing.T) {
	for _, o := range []cluster.Object{nil, (*cluster.Pod)(nil), (*cluster.Node)(nil), (*cluster.DaemonSet)(nil)} {
		cluster.Default(o)
		assert.Equal(t, []string{": Required value: object must not be nil"}, errorStrings(cluster.Validate(o)))
	}
	assert.NotEmpty(t, cluster.ValidateUpdate(nil, vPod(func(*cluster.Pod) {})))
	assert.NotEmpty(t, cluster.ValidateUpdate(vPod(func(*cluster.Pod) {}), vNode(func(*cluster.Node) {})))
}

// TestDefaultTemplateAsUpstream checks that a pod template is defaulted as
// upstream defaults a PodSpec, not as it defaults a Pod: limits do not
// become requests and a host-network template's ports keep hostPort 0.
func TestDefaultTemplateAsUpstream(t *testing.T) {
	d := vDS(func(d *cluster.DaemonSet) {
		d.Spec.Template.Spec.HostNetwork = true
		c := &d.Spec.Template.Spec.Containers[0]
		c.Resources.Limits = cluster.Resources("cpu", "1")
		c.Ports = []cluster.ContainerPort{{ContainerPort: 80}}
	})
	cluster.Default(d)
	c := d.Spec.Template.Spec.Containers[0]
	assert.Empty(t, c.Resources.Requests)
	assert.Equal(t, cluster.ContainerPort{ContainerPort: 80, Protocol: cluster.ProtocolTCP}, c.Ports[0])

	p := vPod(func(p *cluster.Pod) {
		p.Spec.HostNetwork = true
		p.Spec.Containers[0] = c
	})
	cluster.Default(p)
	assert.Equal(t, cluster.Resources("cpu", "1"), p.Spec.Containers[0].Resources.Requests)
	assert.Equal(t, int32(80), p.Spec.Containers[0].Ports[0].HostPort)
}

// TestValidateUpdateUpstreamRules pins the update rules.
func TestValidateUpdateUpstreamRules(t *testing.T) {
	pod := func(edit func(*cluster.Pod)) *cluster.Pod {
		p := vPod(func(p *cluster.Pod) {
			p.Spec.Tolerations = []taints.Toleration{{Key: "k", Operator: taints.OpExists, Effect: taints.NoExecute, TolerationSeconds: ptrTo(int64(30))}}
			p.Spec.ActiveDeadlineSeconds = ptrTo(int64(100))
		})
		cluster.Default(p)
		edit(p)
		return p
	}
	now := t0
	for _, tc := range []struct {
		name     string
		old, new cluster.Object
		want     []string
	}{
		{"image, lower deadline, new toleration, changed tolerationSeconds", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) {
			p.Spec.Containers[0].Image = "img:2"
			p.Spec.ActiveDeadlineSeconds = ptrTo(int64(50))
			p.Spec.Tolerations[0].TolerationSeconds = ptrTo(int64(10))
			p.Spec.Tolerations = append(p.Spec.Tolerations, taints.Toleration{Key: "j", Operator: taints.OpExists})
		}), nil},
		{"container added", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, cluster.Container{Name: "d", Image: "i"})
		}), []string{"spec.containers: Forbidden: pod updates may not add or remove containers"}},
		{"deadline raised", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) { p.Spec.ActiveDeadlineSeconds = ptrTo(int64(200)) }), []string{
			"spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value"}},
		{"deadline removed", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) { p.Spec.ActiveDeadlineSeconds = nil }), []string{
			"spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value"}},
		{"toleration changed", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) { p.Spec.Tolerations[0].Effect = taints.NoSchedule }), []string{
			"spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"}},
		{"node name set by update", pod(func(*cluster.Pod) {}), pod(func(p *cluster.Pod) { p.Spec.NodeName = "n1" }), []string{
			"spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"}},
		{"finalizer added while terminating", pod(func(p *cluster.Pod) { p.DeletionTimestamp = &now }), pod(func(p *cluster.Pod) {
			p.DeletionTimestamp = &now
			p.Finalizers = []string{"example.com/b", "example.com/a"}
		}), []string{`metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a", "example.com/b"}`}},
		{"DaemonSet selector", vDS(func(*cluster.DaemonSet) {}), vDS(func(d *cluster.DaemonSet) { d.Spec.Selector.MatchLabels["x"] = "y" }), []string{
			`spec.selector: Invalid value: {"matchLabels":{"app":"x","x":"y"}}: field is immutable`}},
		{"PriorityClass value and policy", vPC(func(*cluster.PriorityClass) {}), vPC(func(c *cluster.PriorityClass) {
			c.Value = 5
			c.PreemptionPolicy = ptrTo(cluster.PreemptNever)
		}), []string{"value: Forbidden: may not be changed in an update.", `preemptionPolicy: Invalid value: "Never": field is immutable`}},
		{"ControllerRevision data", vCR(func(*cluster.ControllerRevision) {}), vCR(func(c *cluster.ControllerRevision) { c.Data = []byte(`{"a":1}`) }), []string{
			`data: Invalid value: {"a":1}: field is immutable`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cluster.Default(tc.old)
			cluster.Default(tc.new)
			assert.Equal(t, tc.want, errorStrings(cluster.ValidateUpdate(tc.old, tc.new)))
		})
	}
}

// TestStoreRefusesWhatValidateRefuses checks the rules reach the store: a
// refused create changes nothing.
func TestStoreRefusesWhatValidateRefuses(t *testing.T) {
	s := cluster.NewStore()
	bad := vPod(func(p *cluster.Pod) {
		p.Spec.HostNetwork = true
		p.Spec.Containers[0].Ports = []cluster.ContainerPort{{ContainerPort: 80, HostPort: 81}}
	})
	_, err := s.Apply(t0, cluster.Create{Object: bad})
	require.ErrorIs(t, err, cluster.ErrInvalid)
	assert.Equal(t, "create pod/default/p: spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true", err.Error())
	assert.Equal(t, uint64(0), s.Revision())
	assert.Equal(t, 0, s.PodCount())
}

// benchDaemonPod is a pod as the DaemonSet controller makes them: labels,
// an owner reference, the daemon tolerations, node affinity pinning it to
// its node, one container with requests and a host port.
func benchDaemonPod() *cluster.Pod {
	t := true
	p := &cluster.Pod{ObjectMeta: cluster.ObjectMeta{Name: "agent-x7k2p", Namespace: "kube-system",
		Labels:          selector.Set{"app": "agent", "controller-revision-hash": "5d8f9c7b4", "pod-template-generation": "1"},
		OwnerReferences: []cluster.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: "u-1", Controller: &t, BlockOwnerDeletion: &t}}}}
	p.Spec.Containers = []cluster.Container{{Name: "agent", Image: "agent:v1",
		Resources: cluster.ResourceRequirements{Requests: cluster.Resources("cpu", "100m", "memory", "200Mi")},
		Ports:     []cluster.ContainerPort{{ContainerPort: 9100, HostPort: 9100}}}}
	p.Spec.Affinity = cluster.NewSingleFieldAffinity(selector.ObjectNameField, selector.NodeSelectorOpIn, "node-17")
	for _, k := range []string{taints.KeyNodeNotReady, taints.KeyNodeUnreachable} {
		p.Spec.Tolerations = append(p.Spec.Tolerations, taints.Toleration{Key: k, Operator: taints.OpExists, Effect: taints.NoExecute})
	}
	for _, k := range []string{taints.KeyNodeDiskPressure, taints.KeyNodeMemoryPressure, taints.KeyNodePIDPressure, taints.KeyNodeUnschedulable} {
		p.Spec.Tolerations = append(p.Spec.Tolerations, taints.Toleration{Key: k, Operator: taints.OpExists, Effect: taints.NoSchedule})
	}
	cluster.Default(p)
	return p
}

// BenchmarkValidateDaemonPod measures Validate of a valid daemon pod, the
// check every pod create pays.
func BenchmarkValidateDaemonPod(b *testing.B) {
	p := benchDaemonPod()
	if errs := cluster.Validate(p); len(errs) != 0 {
		b.Fatal(errs.ToAggregate())
	}
	b.ReportAllocs()
	for b.Loop() {
		cluster.Validate(p)
	}
}
