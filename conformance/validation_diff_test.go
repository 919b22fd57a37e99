package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	upfield "k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/apps"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/policy"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	policyvalidation "k8s.io/kubernetes/pkg/apis/policy/validation"
	"k8s.io/kubernetes/pkg/apis/scheduling"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	schedulingvalidation "k8s.io/kubernetes/pkg/apis/scheduling/validation"
	"k8s.io/kubernetes/pkg/features"
	"k8s.io/utils/ptr"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
)

// TestValidationDifferential generates objects of every kind daemonsim
// stores (Nodes, Pods, DaemonSets, ReplicaSets, ControllerRevisions,
// PriorityClasses, PodDisruptionBudgets) (mostly almost valid: a valid object with a few modelled fields
// broken), as upstream v1 objects built only from the fields daemonsim
// models, and compares the API server's create validation of their JSON
// (decoding, v1 defaulting, conversion to the internal type, the
// strategy's PrepareForCreate resets, the kind's Validate*, the generic
// metadata checks, declarative validation) with what a daemonsim Store's
// Create refuses the same JSON for (cluster.Default, cluster.Validate and
// the store's own checks). Errors compare as sets of their full text
// (field path, type, value and message). The one deliberate difference is
// the DaemonSet annotation deprecated.daemonset.template.generation that
// is not an integer: upstream fails to convert the request, with no field
// path; daemonsim refuses it as an Invalid annotation. CONFORMANCE_N sets
// the number of objects (default 3000), CONFORMANCE_SEED the seed,
// CONFORMANCE_VERBOSE lists the distinct errors seen; a mismatch prints
// its case number and JSON, which reproduce it alone.
func TestValidationDifferential(t *testing.T) {
	n := 3000
	if os.Getenv("CONFORMANCE_N") != "" {
		n = count()
	}
	// declarative validation logs every difference it sees from the
	// handwritten one it shadows
	klog.SetLogger(logr.Discard())
	r := newRand(t, 19)
	var mismatches, refusedUp, refusedSim, compared int
	kinds := map[string]bool{} // the distinct upstream errors seen, indexes and keys elided
	missed, extra := map[string]int{}, map[string]int{}
	for i := range n {
		g := &vgen{r: r}
		obj := g.object()
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("case %d: marshal: %v", i, err)
		}
		up, convErr := upstreamValidate(obj, raw)
		sim, decErr := simValidate(obj, raw)
		if decErr != nil {
			t.Fatalf("case %d: daemonsim cannot decode %s: %v", i, raw, decErr)
		}
		compared++
		if convErr != nil {
			// the request fails before validation (a bad
			// deprecated.daemonset.template.generation annotation)
			up = map[string]bool{"conversion error: " + convErr.Error(): true}
		}
		if len(up) > 0 {
			refusedUp++
		}
		for k := range up { //detlint:allow a set
			kinds[errKind(k)] = true
		}
		if len(sim) > 0 {
			refusedSim++
		}
		if convErr != nil {
			for k := range sim { //detlint:allow looks for one key
				if strings.Contains(k, "deprecated.daemonset.template.generation") {
					sim = up
					break
				}
			}
		}
		onlyUp, onlySim := diffSets(up, sim)
		if len(onlyUp)+len(onlySim) == 0 {
			continue
		}
		mismatches++
		for _, k := range onlyUp {
			missed[errKind(k)]++
		}
		for _, k := range onlySim {
			extra[errKind(k)]++
		}
		if mismatches <= 20 {
			t.Errorf("case %d (%T): %s\n  upstream only:  %s\n  daemonsim only: %s", i, obj, raw,
				strings.Join(onlyUp, "\n                  "), strings.Join(onlySim, "\n                  "))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(missed)) {
		t.Logf("upstream only, %d times: %s", missed[k], k)
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		t.Logf("daemonsim only, %d times: %s", extra[k], k)
	}
	if os.Getenv("CONFORMANCE_VERBOSE") != "" {
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			t.Log(k)
		}
	}
	t.Logf("validation: mismatches=%d objects=%d refused upstream=%d refused daemonsim=%d distinct errors=%d", mismatches, compared, refusedUp, refusedSim, len(kinds))
}

var indexOrKey = regexp.MustCompile(`\[[^\]]*\]`)

// errKind is an error with the indexes and keys of its path elided, its
// value left out and its message cut short: the kind of rule it reports.
func errKind(k string) string {
	path, body, _ := strings.Cut(k, ": ")
	typ, rest, _ := strings.Cut(body, ": ")
	detail := rest
	if typ != "Required value" && typ != "Forbidden" && typ != "Too long" {
		// Invalid value: <value>: detail; the value may hold ": "
		if i := strings.LastIndex(rest, ": "); i >= 0 {
			detail = rest[i+2:]
		}
	}
	if len(detail) > 100 {
		detail = detail[:100]
	}
	return indexOrKey.ReplaceAllString(path, "[*]") + ": " + typ + ": " + detail
}

func diffSets(a, b map[string]bool) (onlyA, onlyB []string) {
	for k := range a { //detlint:allow sorted below
		if !b[k] {
			onlyA = append(onlyA, k)
		}
	}
	for k := range b { //detlint:allow sorted below
		if !a[k] {
			onlyB = append(onlyB, k)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

func upstreamKeys(errs upfield.ErrorList) map[string]bool {
	m := map[string]bool{}
	for _, e := range errs {
		m[e.Error()] = true
	}
	return m
}

func simValidate(obj runtime.Object, raw []byte) (map[string]bool, error) {
	var o cluster.Object
	switch obj.(type) {
	case *v1.Pod:
		o = &cluster.Pod{}
	case *v1.Node:
		o = &cluster.Node{}
	case *appsv1.DaemonSet:
		o = &cluster.DaemonSet{}
	case *appsv1.ControllerRevision:
		o = &cluster.ControllerRevision{}
	case *schedulingv1.PriorityClass:
		o = &cluster.PriorityClass{}
	case *policyv1.PodDisruptionBudget:
		o = &cluster.PodDisruptionBudget{}
	case *appsv1.ReplicaSet:
		o = &cluster.ReplicaSet{}
	default:
		return nil, fmt.Errorf("unknown kind %T", obj)
	}
	if err := json.Unmarshal(raw, o); err != nil {
		return nil, err
	}
	m := map[string]bool{}
	_, err := cluster.NewStore().Apply(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), cluster.Create{Object: o})
	for _, e := range fieldErrors(err) {
		m[e.Error()] = true
	}
	return m, nil
}

// fieldErrors returns the validation errors in err's tree (Apply wraps
// them; admission's refusals, which carry none, are left out: upstream's
// side runs no admission either).
func fieldErrors(err error) []*field.Error {
	switch e := err.(type) {
	case nil:
		return nil
	case *field.Error:
		return []*field.Error{e}
	case interface{ Unwrap() []error }:
		var out []*field.Error
		for _, c := range e.Unwrap() {
			out = append(out, fieldErrors(c)...)
		}
		return out
	case interface{ Unwrap() error }:
		return fieldErrors(e.Unwrap())
	}
	return nil
}

func requestContext(group, resource string) context.Context {
	return genericapirequest.WithRequestInfo(context.Background(),
		&genericapirequest.RequestInfo{APIGroup: group, APIVersion: "v1", Resource: resource, Verb: "create"})
}

// upstreamValidate runs the API server's create validation on raw, the
// JSON of an object of obj's type, decoded as the API server would; the
// error is a decoding or conversion failure (the request is refused before
// validation).
func upstreamValidate(obj runtime.Object, raw []byte) (map[string]bool, error) {
	obj = reflect.New(reflect.TypeOf(obj).Elem()).Interface().(runtime.Object)
	if err := json.Unmarshal(raw, obj); err != nil {
		return nil, err
	}
	legacyscheme.Scheme.Default(obj)
	var (
		internal   runtime.Object
		errs       upfield.ErrorList
		ctx        context.Context
		namespaced = true
		cfg        rest.DeclarativeValidationConfig
	)
	switch o := obj.(type) {
	case *v1.Pod:
		in := &api.Pod{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		in.Generation = 1 // the pod strategy's PrepareForCreate
		opts := podutil.GetValidationOptionsFromPodSpecAndMeta(&in.Spec, nil, &in.ObjectMeta, nil)
		opts.ResourceIsPod = true
		errs = corevalidation.ValidatePodCreate(in, opts)
		internal, ctx = in, requestContext("", "pods")
	case *v1.Node:
		in := &api.Node{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		errs = corevalidation.ValidateNode(in)
		internal, ctx, namespaced = in, requestContext("", "nodes"), false
		cfg.Options = map[string]bool{
			string(features.InPlacePodVerticalScalingSchedulerPreemption): utilfeature.DefaultFeatureGate.Enabled(features.InPlacePodVerticalScalingSchedulerPreemption),
		}
	case *appsv1.DaemonSet:
		in := &apps.DaemonSet{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		in.Generation = 1 // the DaemonSet strategy's PrepareForCreate
		if in.Spec.TemplateGeneration < 1 {
			in.Spec.TemplateGeneration = 1
		}
		errs = appsvalidation.ValidateDaemonSet(in, podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil))
		internal, ctx = in, requestContext("apps", "daemonsets")
	case *appsv1.ControllerRevision:
		in := &apps.ControllerRevision{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		errs = appsvalidation.ValidateControllerRevisionCreate(in)
		internal, ctx = in, requestContext("apps", "controllerrevisions")
	case *schedulingv1.PriorityClass:
		in := &scheduling.PriorityClass{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		in.Generation = 1
		errs = schedulingvalidation.ValidatePriorityClass(in)
		internal, ctx, namespaced = in, requestContext("scheduling.k8s.io", "priorityclasses"), false
	case *policyv1.PodDisruptionBudget:
		in := &policy.PodDisruptionBudget{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		in.Generation = 1
		errs = policyvalidation.ValidatePodDisruptionBudget(in, policyvalidation.PodDisruptionBudgetValidationOptions{})
		internal, ctx = in, requestContext("policy", "poddisruptionbudgets")
	case *appsv1.ReplicaSet:
		in := &apps.ReplicaSet{}
		if err := legacyscheme.Scheme.Convert(o, in, nil); err != nil {
			return nil, err
		}
		// the ReplicaSet strategy's PrepareForCreate
		in.Generation = 1
		in.Status = apps.ReplicaSetStatus{}
		errs = appsvalidation.ValidateReplicaSet(in, podutil.GetValidationOptionsFromPodTemplate(&in.Spec.Template, nil))
		internal, ctx = in, requestContext("apps", "replicasets")
	default:
		return nil, fmt.Errorf("unknown kind %T", obj)
	}
	// rest.ValidateCreate: the generic metadata checks when the strategy
	// found nothing, then declarative validation
	if len(errs) == 0 {
		m, err := metaAccessor(internal)
		if err != nil {
			return nil, err
		}
		errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(m, namespaced, pathSegmentName, upfield.NewPath("metadata"))...)
	}
	errs = rest.ValidateDeclarativelyWithMigrationChecks(ctx, legacyscheme.Scheme, internal, nil, errs, operation.Create, cfg)
	return upstreamKeys(errs), nil
}

func metaAccessor(o runtime.Object) (metav1.Object, error) {
	if m, ok := o.(metav1.Object); ok {
		return m, nil
	}
	return nil, fmt.Errorf("%T has no metadata", o)
}

// pathSegmentName is the apiserver's validatePathSegment (unexported there).
func pathSegmentName(name string, prefix bool) []string {
	if !prefix && (name == "." || name == "..") {
		return []string{fmt.Sprintf(`may not be '%s'`, name)}
	}
	var msgs []string
	for _, c := range []string{"/", "%"} {
		if strings.Contains(name, c) {
			msgs = append(msgs, fmt.Sprintf(`may not contain '%s'`, c))
		}
	}
	return msgs
}

// ---------------------------------------------------------------- generator

// vgen generates one object: a valid one of a random kind, then a few
// random edits, each of which breaks (or keeps valid) one modelled field.
type vgen struct{ r *rand.Rand }

func (g *vgen) n(k int) int            { return g.r.IntN(k) }
func (g *vgen) chance(k int) bool      { return g.r.IntN(k) == 0 }
func (g *vgen) s(pool []string) string { return pick(g.r, pool) }

var (
	vNames      = []string{"a", "web-1", "x.y", "", "A", "-a", "a_b", "a..b", "a.b.c", strings.Repeat("a", 64), strings.Repeat("a.", 127) + "a", ".", "..", "a/b", "a%b", "UPPER"}
	vShortNames = []string{"c", "main", "side-car", "", "C", "a.b", "-x", strings.Repeat("x", 64), "a_b", "init"}
	vNamespaces = []string{"default", "kube-system", "a.b", "Bad", strings.Repeat("n", 64), "-x"}
	vAnnKeys    = []string{"a", "Example.com/Key", "example.com/k", "-bad", "a/b/c", "/x", "kubernetes.io/config.mirror",
		"controller.kubernetes.io/pod-deletion-cost", "seccomp.security.alpha.kubernetes.io/pod",
		"container.seccomp.security.alpha.kubernetes.io/c", "container.apparmor.security.beta.kubernetes.io/c",
		"container.apparmor.security.beta.kubernetes.io/nope", "scheduler.alpha.kubernetes.io/tolerations",
		"scheduler.alpha.kubernetes.io/taints"}
	vAnnValues = []string{"", "x", "1", "+1", "01", "-5", "2147483648", "abc", "runtime/default", "docker/default",
		"unconfined", "localhost/prof", "localhost//abs", "localhost/../x", "localhost/a/../b", "bad",
		`[{"key":"k","operator":"Exists"}]`, `[{"key":"-bad","value":"v"}]`, `[{"operator":"Lt"}]`, `{"a":1}`, `[`,
		`[{"key":"k","effect":"NoSchedule"}]`, `[{"key":"k","effect":"Bad"},{"key":"k","effect":"Bad"}]`}
	vFinalizers  = []string{"kubernetes", "orphan", "foregroundDeletion", "example.com/f", "custom", "Bad Name", "a/b/c", "-x/y"}
	vAPIVersions = []string{"v1", "apps/v1", "", "a/b/c", "apps/", "/v1"}
	vOwnerKinds  = []string{"DaemonSet", "", "Event", "Node"}
	vContainerRP = []string{"Always", "Never", "OnFailure", "Sometimes", ""}
	vPodRP       = []string{"Always", "Never", "OnFailure", "Sometimes"}
	vProtocols   = []string{"", "TCP", "UDP", "SCTP", "HTTP", "tcp"}
	vPortNames   = []string{"", "http", "HTTP", "a--b", "-a", "a-", "1234", "abcdefghijklmnop", "metrics", "x_y"}
	vPortNums    = []int32{0, -1, 1, 80, 81, 8080, 65535, 65536, 70000}
	vResNames    = []string{"cpu", "memory", "ephemeral-storage", "pods", "storage", "foo", "example.com/gpu", "kubernetes.io/x",
		"hugepages-2Mi", "hugepages-1Gi", "hugepages-abc", "hugepages-0", "requests.example.com/x", "bad name", "a/b/c", "Example.com/GPU",
		"services", "requests.hugepages-2Mi", "x.kubernetes.io/y"}
	vQuantities = []string{"0", "1", "2", "100m", "1.5", "-1", "2Mi", "3Mi", "4Mi", "1Gi", "0.0001", "4M", "500m", "-100m", "1e3"}
	vNodeOps    = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Foo", ""}
	vFieldKeys  = []string{"metadata.name", "spec.x", ""}
	vNodeValues = []string{"n1", "Bad_Node", "a.b", "", strings.Repeat("n", 254)}
	vTolOps     = []string{"", "Equal", "Exists", "Lt", "Gt", "Foo"}
	vEffects    = []string{"", "NoSchedule", "PreferNoSchedule", "NoExecute", "Bad"}
	vLSOps      = []string{"In", "NotIn", "Exists", "DoesNotExist", "Foo", ""}
	vIntOrStr   = []string{"int:-1", "int:0", "int:1", "int:5", "0%", "50%", "100%", "+50%", "150%", "5", "abc", "", "%", "99999999999999999999%", "-5%", "5.5%", " 5%"}
)

func (g *vgen) object() runtime.Object {
	switch k := g.n(23); {
	case k < 8:
		return g.pod()
	case k < 13:
		return g.daemonSet()
	case k < 16:
		return g.node()
	case k < 17:
		return g.pdb()
	case k < 18:
		return g.priorityClass()
	case k < 20:
		return g.revision()
	default:
		return g.replicaSet()
	}
}

// edits returns how many fields to break: 0 (a valid object) a fifth of
// the time, mostly one or two.
func (g *vgen) edits() int {
	switch k := g.n(10); {
	case k < 2:
		return 0
	case k < 6:
		return 1
	case k < 9:
		return 2
	}
	return 3 + g.n(3)
}

func (g *vgen) meta(m *metav1.ObjectMeta, namespaced bool) {
	switch g.n(9) {
	case 0:
		m.Name = g.s(vNames)
	case 1:
		if namespaced {
			m.Namespace = g.s(vNamespaces)
		} else {
			m.Namespace = g.s([]string{"", "default"})
		}
	case 2:
		m.Labels = labelSet(g.r)
	case 3, 4:
		if m.Annotations == nil {
			m.Annotations = map[string]string{}
		}
		for range 1 + g.n(2) {
			m.Annotations[g.s(vAnnKeys)] = g.s(vAnnValues)
		}
		if g.chance(20) {
			m.Annotations["big"] = strings.Repeat("x", 256*1024)
		}
	case 5, 6:
		for range 1 + g.n(2) {
			ref := metav1.OwnerReference{APIVersion: g.s(vAPIVersions), Kind: g.s(vOwnerKinds), Name: g.s([]string{"o", ""}), UID: "u-1"}
			if g.chance(4) {
				ref.UID = ""
			}
			switch g.n(3) {
			case 0:
				ref.Controller = ptr.To(true)
			case 1:
				ref.Controller = ptr.To(false)
			}
			m.OwnerReferences = append(m.OwnerReferences, ref)
		}
	default:
		for range 1 + g.n(2) {
			m.Finalizers = append(m.Finalizers, g.s(vFinalizers))
		}
	}
}

func (g *vgen) quantity() resource.Quantity { return resource.MustParse(g.s(vQuantities)) }

func (g *vgen) resourceList(k int) v1.ResourceList {
	l := v1.ResourceList{}
	for range k {
		l[v1.ResourceName(g.s(vResNames))] = g.quantity()
	}
	return l
}

func (g *vgen) resources(c *v1.Container) {
	switch g.n(4) {
	case 0:
		c.Resources.Requests = g.resourceList(1 + g.n(3))
	case 1:
		c.Resources.Limits = g.resourceList(1 + g.n(3))
	case 2:
		// an extended resource or hugepages with a matching or differing limit
		name := v1.ResourceName(g.s([]string{"example.com/gpu", "hugepages-2Mi", "cpu", "memory"}))
		q := g.quantity()
		c.Resources.Requests = v1.ResourceList{name: q}
		if !g.chance(3) {
			l := q.DeepCopy()
			if g.chance(2) {
				l = g.quantity()
			}
			c.Resources.Limits = v1.ResourceList{name: l}
		}
		if g.chance(2) {
			c.Resources.Requests[v1.ResourceCPU] = resource.MustParse("100m")
		}
	default:
		c.Resources.Requests = g.resourceList(1 + g.n(2))
		c.Resources.Limits = g.resourceList(1 + g.n(2))
	}
}

func (g *vgen) port() v1.ContainerPort {
	p := v1.ContainerPort{ContainerPort: pick(g.r, vPortNums[1:])}
	switch g.n(6) {
	case 0:
		p.ContainerPort = pick(g.r, vPortNums)
	case 1:
		p.HostPort = pick(g.r, vPortNums)
	case 2:
		p.HostPort = p.ContainerPort
	case 3:
		p.Protocol = v1.Protocol(g.s(vProtocols))
	case 4:
		p.Name = g.s(vPortNames)
	}
	if g.chance(4) {
		p.HostIP = g.s([]string{"127.0.0.1", "0.0.0.0"})
	}
	return p
}

func (g *vgen) container(name string) v1.Container {
	c := v1.Container{Name: name, Image: "img:1"}
	switch g.n(8) {
	case 0:
		c.Name = g.s(vShortNames)
	case 1:
		c.Image = g.s([]string{"", " img", "img ", "img"})
	case 2, 3:
		for range 1 + g.n(3) {
			c.Ports = append(c.Ports, g.port())
		}
	case 4, 5:
		g.resources(&c)
	case 6:
		c.RestartPolicy = ptr.To(v1.ContainerRestartPolicy(g.s(vContainerRP)))
	}
	return c
}

func (g *vgen) nodeSelectorRequirement(fields bool) v1.NodeSelectorRequirement {
	r := v1.NodeSelectorRequirement{Key: pick(g.r, keys), Operator: v1.NodeSelectorOperator(g.s(vNodeOps))}
	if fields {
		r.Key = g.s(vFieldKeys)
		r.Operator = v1.NodeSelectorOperator(g.s([]string{"In", "NotIn", "Exists", "Gt"}))
	}
	for range g.n(3) {
		if fields {
			r.Values = append(r.Values, g.s(vNodeValues))
		} else {
			r.Values = append(r.Values, pick(g.r, values))
		}
	}
	return r
}

func (g *vgen) nodeSelectorTerm() v1.NodeSelectorTerm {
	var t v1.NodeSelectorTerm
	for range g.n(3) {
		t.MatchExpressions = append(t.MatchExpressions, g.nodeSelectorRequirement(false))
	}
	for range g.n(2) {
		t.MatchFields = append(t.MatchFields, g.nodeSelectorRequirement(true))
	}
	return t
}

func (g *vgen) toleration() v1.Toleration {
	t := v1.Toleration{Key: pick(g.r, keys), Operator: v1.TolerationOperator(g.s(vTolOps)), Value: pick(g.r, values), Effect: v1.TaintEffect(g.s(vEffects))}
	if g.chance(3) {
		t.TolerationSeconds = ptr.To(int64(g.n(20) - 5))
	}
	if g.chance(2) {
		t.Value = ""
	}
	return t
}

func (g *vgen) podSpec(s *v1.PodSpec, edits int) {
	for range edits {
		switch g.n(22) {
		case 0:
			s.Containers = nil
		case 1, 2, 3:
			s.Containers = append(s.Containers, g.container(g.s([]string{"c", "d", "e"})))
		case 4, 5:
			s.InitContainers = append(s.InitContainers, g.container(g.s([]string{"c", "init", "i2", ""})))
		case 6:
			s.HostNetwork = !s.HostNetwork
			if len(s.Containers) > 0 {
				s.Containers[0].Ports = append(s.Containers[0].Ports, g.port())
			}
		case 7:
			s.RestartPolicy = v1.RestartPolicy(g.s(vPodRP))
		case 8:
			s.TerminationGracePeriodSeconds = ptr.To(int64(g.n(40) - 10))
		case 9:
			s.ActiveDeadlineSeconds = ptr.To(pick(g.r, []int64{-1, 0, 1, 30, 2147483647, 2147483648}))
		case 10:
			s.NodeSelector = labelSet(g.r)
		case 11:
			s.NodeName = g.s(vNodeValues)
		case 12, 13:
			na := &v1.NodeAffinity{}
			if g.chance(2) {
				ns := &v1.NodeSelector{}
				for range g.n(3) {
					ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, g.nodeSelectorTerm())
				}
				na.RequiredDuringSchedulingIgnoredDuringExecution = ns
			} else {
				for range 1 + g.n(2) {
					na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution,
						v1.PreferredSchedulingTerm{Weight: pick(g.r, []int32{-1, 0, 1, 50, 100, 101}), Preference: g.nodeSelectorTerm()})
				}
			}
			s.Affinity = &v1.Affinity{NodeAffinity: na}
		case 14, 15:
			for range 1 + g.n(3) {
				s.Tolerations = append(s.Tolerations, g.toleration())
			}
		case 16:
			s.PriorityClassName = g.s([]string{"high", "Bad_Name", "system-node-critical"})
		case 17:
			s.PreemptionPolicy = ptr.To(v1.PreemptionPolicy(g.s([]string{"PreemptLowerPriority", "Never", "Sometimes", ""})))
		case 18:
			s.Overhead = g.resourceList(1 + g.n(2))
		case 19:
			s.SchedulerName = g.s([]string{"my-scheduler", "Bad Name"})
		case 20:
			s.Priority = ptr.To(int32(g.n(100) - 50))
		default:
			if len(s.Containers) > 0 {
				c := &s.Containers[g.n(len(s.Containers))]
				*c = g.container(c.Name)
			}
		}
		if len(s.Containers) == 0 && !g.chance(3) {
			s.Containers = []v1.Container{{Name: "c", Image: "img"}}
		}
	}
}

func (g *vgen) pod() runtime.Object {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p-1", Namespace: "default", Labels: map[string]string{"app": "x"}},
		Spec: v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "img:1"}}}}
	e := g.edits()
	for range e {
		if g.chance(3) {
			g.meta(&p.ObjectMeta, true)
		} else {
			g.podSpec(&p.Spec, 1)
		}
	}
	return p
}

func (g *vgen) labelSelector() *metav1.LabelSelector {
	switch g.n(5) {
	case 0:
		return nil
	case 1:
		return &metav1.LabelSelector{}
	case 2:
		return &metav1.LabelSelector{MatchLabels: labelSet(g.r)}
	}
	ls := &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}
	for range 1 + g.n(2) {
		req := metav1.LabelSelectorRequirement{Key: pick(g.r, append(keys, "app")), Operator: metav1.LabelSelectorOperator(g.s(vLSOps))}
		for range g.n(3) {
			req.Values = append(req.Values, pick(g.r, append(values, "x")))
		}
		ls.MatchExpressions = append(ls.MatchExpressions, req)
	}
	return ls
}

func (g *vgen) intOrString() *intstr.IntOrString {
	v := g.s(vIntOrStr)
	if n, ok := strings.CutPrefix(v, "int:"); ok {
		i, _ := strconv.Atoi(n)
		return ptr.To(intstr.FromInt32(int32(i)))
	}
	return ptr.To(intstr.FromString(v))
}

func (g *vgen) daemonSet() runtime.Object {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "ds", Namespace: "default"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
			Template: v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
				Spec: v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "img:1"}}}}}}
	for range g.edits() {
		switch g.n(14) {
		case 0, 1:
			g.meta(&ds.ObjectMeta, true)
		case 2:
			ds.Spec.Selector = g.labelSelector()
		case 3:
			ds.Spec.Template.Labels = labelSet(g.r)
			if g.chance(2) {
				ds.Spec.Template.Labels["app"] = "x"
			}
		case 4:
			m := &ds.Spec.Template.ObjectMeta
			m.Annotations = map[string]string{g.s(vAnnKeys): g.s(vAnnValues)}
		case 5:
			ds.Spec.MinReadySeconds = int32(g.n(4) - 1)
		case 6:
			ds.Spec.RevisionHistoryLimit = ptr.To(int32(g.n(4) - 1))
		case 7:
			ds.Spec.UpdateStrategy.Type = appsv1.DaemonSetUpdateStrategyType(g.s([]string{"RollingUpdate", "OnDelete", "Recreate", ""}))
		case 8, 9:
			ru := &appsv1.RollingUpdateDaemonSet{}
			if !g.chance(3) {
				ru.MaxUnavailable = g.intOrString()
			}
			if !g.chance(3) {
				ru.MaxSurge = g.intOrString()
			}
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: ru}
		case 10:
			if ds.Annotations == nil {
				ds.Annotations = map[string]string{}
			}
			ds.Annotations[appsv1.DeprecatedTemplateGeneration] = g.s([]string{"1", "3", "-5", "abc", ""})
		default:
			g.podSpec(&ds.Spec.Template.Spec, 1)
		}
	}
	return ds
}

func (g *vgen) taint() v1.Taint {
	t := v1.Taint{Key: pick(g.r, keys), Value: pick(g.r, values), Effect: v1.TaintEffect(g.s(vEffects))}
	if g.chance(2) {
		t = v1.Taint{Key: g.s([]string{"k", "example.com/k"}), Effect: v1.TaintEffect(g.s([]string{"NoSchedule", "NoExecute"}))}
	}
	if g.chance(4) {
		t.TimeAdded = ptr.To(metav1.Date(2000, 1, 1, 0, 0, g.n(60), 0, time.UTC))
	}
	return t
}

func (g *vgen) node() runtime.Object {
	nd := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"},
		Status: v1.NodeStatus{Capacity: v1.ResourceList{"cpu": resource.MustParse("4"), "pods": resource.MustParse("110")}}}
	for range g.edits() {
		switch g.n(8) {
		case 0, 1:
			g.meta(&nd.ObjectMeta, false)
		case 2, 3:
			for range 1 + g.n(3) {
				nd.Spec.Taints = append(nd.Spec.Taints, g.taint())
			}
		case 4:
			nd.Status.Capacity = g.resourceList(1 + g.n(3))
		case 5:
			nd.Status.Allocatable = g.resourceList(1 + g.n(3))
		case 6:
			nd.Spec.Unschedulable = true
		default:
			if nd.Annotations == nil {
				nd.Annotations = map[string]string{}
			}
			nd.Annotations["scheduler.alpha.kubernetes.io/taints"] = g.s(vAnnValues)
		}
	}
	return nd
}

func (g *vgen) pdb() runtime.Object {
	b := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "pdb", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}}}
	for range g.edits() {
		switch g.n(5) {
		case 0, 1:
			g.meta(&b.ObjectMeta, true)
			if g.chance(2) {
				b.Name = g.s(vNames)
			}
		case 2:
			b.Spec.MinAvailable = g.intOrString()
		case 3:
			b.Spec.MaxUnavailable = g.intOrString()
			if g.chance(2) {
				b.Spec.MinAvailable = nil
			}
		default:
			b.Spec.Selector = g.labelSelector()
		}
	}
	return b
}

func (g *vgen) priorityClass() runtime.Object {
	c := &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "high"}, Value: 1000}
	for range g.edits() {
		switch g.n(5) {
		case 0:
			g.meta(&c.ObjectMeta, false)
		case 1:
			c.Name = g.s([]string{"system-node-critical", "system-cluster-critical", "system-foo", "high"})
		case 2:
			c.Value = pick(g.r, []int32{-5, 0, 1000, 1000000000, 1000000001, 2000000000, 2000001000})
		case 3:
			c.GlobalDefault = !c.GlobalDefault
		default:
			c.PreemptionPolicy = ptr.To(v1.PreemptionPolicy(g.s([]string{"PreemptLowerPriority", "Never", "Sometimes", ""})))
		}
	}
	return c
}

func (g *vgen) revision() runtime.Object {
	c := &appsv1.ControllerRevision{ObjectMeta: metav1.ObjectMeta{Name: "ds-abc", Namespace: "default"},
		Data: runtime.RawExtension{Raw: []byte(`{"spec":{}}`)}, Revision: 1}
	for range g.edits() {
		switch g.n(3) {
		case 0:
			g.meta(&c.ObjectMeta, true)
		case 1:
			c.Revision = int64(g.n(4) - 2)
		default:
			switch g.n(5) {
			case 0:
				c.Data = runtime.RawExtension{}
			case 1:
				c.Data.Raw = []byte(`[1]`)
			case 2:
				c.Data.Raw = []byte(`"x"`)
			case 3:
				c.Data.Raw = []byte(`null`)
			default:
				c.Data.Raw = []byte(`{"a":1}`)
			}
		}
	}
	return c
}

func (g *vgen) replicaSet() runtime.Object {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", Namespace: "default"},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(int32(2)),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
			Template: v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
				Spec: v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "img:1"}}}}}}
	for range g.edits() {
		switch g.n(13) {
		case 0, 1:
			g.meta(&rs.ObjectMeta, true)
		case 2, 3:
			rs.Spec.Selector = g.labelSelector()
		case 4:
			rs.Spec.Template.Labels = labelSet(g.r)
			if g.chance(2) {
				rs.Spec.Template.Labels["app"] = "x"
			}
		case 5:
			rs.Spec.Template.Annotations = map[string]string{g.s(vAnnKeys): g.s(vAnnValues)}
		case 6:
			rs.Spec.MinReadySeconds = int32(g.n(4) - 1)
		case 7:
			rs.Spec.Replicas = pick(g.r, []*int32{nil, ptr.To(int32(-1)), ptr.To(int32(0)), ptr.To(int32(5))})
		case 8:
			// create validation does not look at the status (upstream
			// resets it; daemonsim keeps it, unvalidated)
			g.rsStatus(&rs.Status)
		default:
			g.podSpec(&rs.Spec.Template.Spec, 1)
		}
	}
	return rs
}

// rsStatus sets a random ReplicaSet status: counters negative, zero or
// positive, in or out of order.
func (g *vgen) rsStatus(st *appsv1.ReplicaSetStatus) {
	v := func() int32 { return pick(g.r, []int32{-1, 0, 1, 2, 3}) }
	*st = appsv1.ReplicaSetStatus{Replicas: v(), FullyLabeledReplicas: v(), ReadyReplicas: v(), AvailableReplicas: v(),
		ObservedGeneration: int64(v())}
	if g.chance(2) {
		st.TerminatingReplicas = ptr.To(v())
	}
	if g.chance(4) {
		st.Conditions = []appsv1.ReplicaSetCondition{{Type: appsv1.ReplicaSetReplicaFailure, Status: v1.ConditionTrue, Reason: "FailedCreate"}}
	}
}

// TestReplicaSetUpdateDifferential compares ReplicaSet updates and status
// updates: a valid ReplicaSet is created, then replaced by a copy with a
// few fields changed (spec, labels, annotations, finalizers), or given a
// random status through the status subresource. Upstream's side is the
// API server's update validation on the JSON (defaulting, conversion, the
// strategies' PrepareForUpdate, rest.ValidateUpdate's common metadata
// checks, ValidateReplicaSetUpdate or ValidateReplicaSetStatusUpdate, and
// declarative validation for the main resource); daemonsim's is what
// Store.Apply refuses the same change for. The metadata the store keeps
// from the stored version (uid, creationTimestamp, generation) is the
// same on both sides. CONFORMANCE_N sets the number of cases (default
// 1000), CONFORMANCE_SEED the seed.
func TestReplicaSetUpdateDifferential(t *testing.T) {
	n := 1000
	if os.Getenv("CONFORMANCE_N") != "" {
		n = count()
	}
	klog.SetLogger(logr.Discard())
	r := newRand(t, 23)
	var mismatches, refusedUp, refusedSim, statusCases int
	for i := range n {
		g := &vgen{r: r}
		old := g.validReplicaSet()
		upd := old.DeepCopy()
		status := g.chance(2)
		if status {
			statusCases++
			g.rsStatus(&upd.Status)
		} else {
			g.rsUpdate(upd)
		}
		oldRaw, err := json.Marshal(old)
		if err != nil {
			t.Fatal(err)
		}
		newRaw, err := json.Marshal(upd)
		if err != nil {
			t.Fatal(err)
		}
		up, err := upstreamUpdateReplicaSet(oldRaw, newRaw, status)
		if err != nil {
			t.Fatalf("case %d: upstream: %v", i, err)
		}
		sim, err := simUpdateReplicaSet(oldRaw, newRaw, status)
		if err != nil {
			t.Fatalf("case %d: daemonsim: %v", i, err)
		}
		if len(up) > 0 {
			refusedUp++
		}
		if len(sim) > 0 {
			refusedSim++
		}
		onlyUp, onlySim := diffSets(up, sim)
		if len(onlyUp)+len(onlySim) == 0 {
			continue
		}
		mismatches++
		if mismatches <= 20 {
			t.Errorf("case %d (status=%v):\n  old: %s\n  new: %s\n  upstream only:  %s\n  daemonsim only: %s", i, status, oldRaw, newRaw,
				strings.Join(onlyUp, "\n                  "), strings.Join(onlySim, "\n                  "))
		}
	}
	t.Logf("replicaset updates: mismatches=%d cases=%d (status %d) refused upstream=%d refused daemonsim=%d", mismatches, n, statusCases, refusedUp, refusedSim)
}

// validReplicaSet is a valid ReplicaSet with a few valid variations.
func (g *vgen) validReplicaSet() *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", Namespace: "default", Labels: map[string]string{"team": "a"}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(int32(g.n(4))),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
			Template: v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
				Spec: v1.PodSpec{Containers: []v1.Container{{Name: "c", Image: "img:1"}}}}}}
	if g.chance(2) {
		rs.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"a", "b"}}}
		rs.Spec.Template.Labels["tier"] = "a"
	}
	if g.chance(3) {
		rs.Spec.MinReadySeconds = 10
	}
	if g.chance(3) {
		rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, FullyLabeledReplicas: 2, ReadyReplicas: 1, AvailableReplicas: 1, ObservedGeneration: 1}
	}
	return rs
}

// rsUpdate changes one to three fields of a ReplicaSet's spec and
// metadata (not its name or namespace), mostly to values validation
// refuses.
func (g *vgen) rsUpdate(rs *appsv1.ReplicaSet) {
	for range 1 + g.n(3) {
		switch g.n(11) {
		case 0:
			rs.Spec.Replicas = pick(g.r, []*int32{nil, ptr.To(int32(-1)), ptr.To(int32(0)), ptr.To(int32(7))})
		case 1:
			rs.Spec.MinReadySeconds = int32(g.n(4) - 1)
		case 2, 3:
			rs.Spec.Selector = g.labelSelector()
		case 4:
			rs.Spec.Template.Labels = labelSet(g.r)
			if g.chance(2) {
				rs.Spec.Template.Labels["app"] = "x"
			}
		case 5:
			rs.Labels = labelSet(g.r)
		case 6:
			rs.Annotations = map[string]string{g.s(vAnnKeys): g.s(vAnnValues)}
		case 7:
			rs.Finalizers = append(rs.Finalizers, g.s(vFinalizers))
		case 8:
			rs.Status.Replicas = 9 // Update keeps the stored status on both sides
		default:
			g.podSpec(&rs.Spec.Template.Spec, 1)
		}
	}
}

func simUpdateReplicaSet(oldRaw, newRaw []byte, status bool) (map[string]bool, error) {
	var old, upd cluster.ReplicaSet
	if err := json.Unmarshal(oldRaw, &old); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(newRaw, &upd); err != nil {
		return nil, err
	}
	s := cluster.NewStore()
	at := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Apply(at, cluster.Create{Object: &old}); err != nil {
		return nil, fmt.Errorf("the old ReplicaSet is refused: %w", err)
	}
	var c cluster.Change = cluster.Update{Object: &upd}
	if status {
		c = cluster.UpdateStatus{Object: &upd}
	}
	m := map[string]bool{}
	_, err := s.Apply(at, c)
	for _, e := range fieldErrors(err) {
		m[e.Error()] = true
	}
	if err != nil && len(m) == 0 {
		return nil, fmt.Errorf("refused without field errors: %w", err)
	}
	return m, nil
}

func upstreamUpdateReplicaSet(oldRaw, newRaw []byte, status bool) (map[string]bool, error) {
	decode := func(raw []byte) (*apps.ReplicaSet, error) {
		v := &appsv1.ReplicaSet{}
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, err
		}
		legacyscheme.Scheme.Default(v)
		in := &apps.ReplicaSet{}
		if err := legacyscheme.Scheme.Convert(v, in, nil); err != nil {
			return nil, err
		}
		return in, nil
	}
	old, err := decode(oldRaw)
	if err != nil {
		return nil, err
	}
	upd, err := decode(newRaw)
	if err != nil {
		return nil, err
	}
	// as created: what the store and the API server give it
	old.UID, upd.UID = "u-1", "u-1"
	old.Generation, upd.Generation = 1, 1
	old.ResourceVersion, upd.ResourceVersion = "1", "1"
	ctx := genericapirequest.WithRequestInfo(context.Background(),
		&genericapirequest.RequestInfo{APIGroup: "apps", APIVersion: "v1", Resource: "replicasets", Verb: "update"})
	var errs upfield.ErrorList
	if status {
		// the status strategy's PrepareForUpdate keeps the spec; the store
		// keeps the metadata too, and the generator does not change it
		upd.Spec = old.Spec
		errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(upd, true, pathSegmentName, upfield.NewPath("metadata"))...)
		errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessorUpdate(upd, old, upfield.NewPath("metadata"))...)
		errs = append(errs, appsvalidation.ValidateReplicaSetStatusUpdate(upd, old)...)
		return upstreamKeys(errs), nil
	}
	upd.Status = old.Status // the strategy's PrepareForUpdate
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(upd, true, pathSegmentName, upfield.NewPath("metadata"))...)
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessorUpdate(upd, old, upfield.NewPath("metadata"))...)
	errs = append(errs, appsvalidation.ValidateReplicaSetUpdate(upd, old, podutil.GetValidationOptionsFromPodTemplate(&upd.Spec.Template, &old.Spec.Template))...)
	errs = rest.ValidateDeclarativelyWithMigrationChecks(ctx, legacyscheme.Scheme, upd, old, errs, operation.Update, rest.DeclarativeValidationConfig{})
	return upstreamKeys(errs), nil
}
