package cluster

import (
	"encoding/json"
	"fmt"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// DefaultNamespace is the namespace a namespaced object gets when it names none.
const DefaultNamespace = "default"

// Default fills the defaults the API server would apply to o, in place:
// the namespace of namespaced kinds, and per kind the upstream defaults
// (SetDefaults_*, the kind table's defaults). It never fails and is
// idempotent. A nil object (or a typed nil pointer) is left alone.
func Default(o Object) {
	ki, isNil := kindOf(o)
	if isNil {
		return
	}
	if ki == nil {
		// a type the store does not hold: the namespace alone
		if m := o.Meta(); o.ObjectKind().Namespaced() && m.Namespace == "" {
			m.Namespace = DefaultNamespace
		}
		return
	}
	defaultObject(ki, o)
}

// defaultObject is Default for an object of kind ki, not nil.
func defaultObject(ki *kindInfo, o Object) {
	if m := o.Meta(); ki.namespaced && m.Namespace == "" {
		m.Namespace = DefaultNamespace
	}
	if ki.defaults != nil {
		ki.defaults(o)
	}
}

// defaultPod is SetDefaults_Pod: a negative grace period becomes 1 (pods
// only, not pod templates), and the pod spec's defaults.
func defaultPod(p *Pod) {
	if g := p.Spec.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		one := int64(1)
		p.Spec.TerminationGracePeriodSeconds = &one
	}
	defaultPodSpec(&p.Spec, true)
}

// defaultPriorityClassFields is the PriorityClass default: preemption
// policy PreemptLowerPriority.
func defaultPriorityClassFields(c *PriorityClass) {
	if c.PreemptionPolicy == nil {
		p := PreemptLowerPriority
		c.PreemptionPolicy = &p
	}
}

// defaultPodSpec is SetDefaults_PodSpec and SetDefaults_ContainerPort,
// and for a pod (not a pod template) the parts of SetDefaults_Pod: limits
// as requests where a container has no request, and a host-network pod's
// ports as host ports.
func defaultPodSpec(s *PodSpec, isPod bool) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = RestartPolicyAlways
	}
	if s.SchedulerName == "" {
		s.SchedulerName = DefaultSchedulerName
	}
	if s.TerminationGracePeriodSeconds == nil {
		g := DefaultTerminationGracePeriodSeconds
		s.TerminationGracePeriodSeconds = &g
	}
	for _, cs := range [][]Container{s.InitContainers, s.Containers} {
		for i := range cs {
			c := &cs[i]
			if isPod {
				for _, l := range c.Resources.Limits {
					if _, ok := c.Resources.Requests.Get(l.Name); !ok {
						c.Resources.Requests = c.Resources.Requests.With(l.Name, l.Quantity)
					}
				}
			}
			for j := range c.Ports {
				if c.Ports[j].Protocol == "" {
					c.Ports[j].Protocol = ProtocolTCP
				}
				if isPod && s.HostNetwork && c.Ports[j].HostPort == 0 {
					c.Ports[j].HostPort = c.Ports[j].ContainerPort
				}
			}
		}
	}
}

func defaultDaemonSet(d *DaemonSet) {
	us := &d.Spec.UpdateStrategy
	if us.Type == "" {
		us.Type = RollingUpdateDaemonSetStrategyType
	}
	if us.Type == RollingUpdateDaemonSetStrategyType {
		if us.RollingUpdate == nil {
			us.RollingUpdate = &RollingUpdateDaemonSet{}
		}
		if us.RollingUpdate.MaxUnavailable == nil {
			v := FromInt(1)
			us.RollingUpdate.MaxUnavailable = &v
		}
		if us.RollingUpdate.MaxSurge == nil {
			v := FromInt(0)
			us.RollingUpdate.MaxSurge = &v
		}
	}
	if d.Spec.RevisionHistoryLimit == nil {
		l := int32(10)
		d.Spec.RevisionHistoryLimit = &l
	}
	defaultPodSpec(&d.Spec.Template.Spec, false)
}

// Validate returns every problem with o (already defaulted) that the API
// server's create validation would report, with upstream's field paths,
// error types and messages (ValidatePodCreate, ValidateNode,
// ValidateDaemonSet, ValidateReplicaSet, ValidatePriorityClass,
// ValidatePodDisruptionBudget, ValidateControllerRevisionCreate, and the
// generic metadata checks: the kind table's validate), in a fixed order:
// metadata first, then the fields in upstream's order. Where upstream
// iterates a map (labels, annotations, resource lists) the errors come in
// key order. The list is empty when o is valid (or of a type the store
// does not hold); a nil object (or typed nil pointer) gives one Required
// error. A valid object costs no field-path allocations: the checks run
// first without paths, and again with them only when something is wrong.
func Validate(o Object) field.ErrorList {
	ki, isNil := kindOf(o)
	switch {
	case isNil:
		return field.ErrorList{field.Required(nil, "object must not be nil")}
	case ki == nil:
		return nil
	}
	return validateObject(ki, o)
}

// validateObject is Validate for an object of kind ki, not nil.
func validateObject(ki *kindInfo, o Object) field.ErrorList {
	if len(ki.validate(o, true)) == 0 {
		return nil
	}
	return ki.validate(o, false)
}

// root returns field.Discard when discard is set, else the path name.
func root(discard bool, name string, more ...string) *field.Path {
	if discard {
		return field.Discard
	}
	return field.NewPath(name, more...)
}

// validateNode is ValidateNode.
func validateNode(o *Node, discard bool) field.ErrorList {
	meta := root(discard, "metadata")
	errs := validateMeta(&o.ObjectMeta, false, selector.NameIsDNSSubdomain, true, meta)
	errs = append(errs, validateNodeAnnotations(o.Annotations, meta.Child("annotations"))...)
	// upstream validates node taints under metadata, not spec
	// (ValidateNode: fldPath.Child("taints") with fldPath "metadata")
	errs = append(errs, taints.ValidateTaints(o.Spec.Taints, meta.Child("taints"))...)
	errs = append(errs, validateNodeResources(&o.Status, root(discard, "status"))...)
	return errs
}

// validatePod is ValidatePodCreate.
func validatePod(o *Pod, discard bool) field.ErrorList {
	meta := root(discard, "metadata")
	errs := validateMeta(&o.ObjectMeta, true, selector.NameIsDNSSubdomain, true, meta)
	errs = append(errs, validatePodAnnotations(o.Annotations, &o.Spec, meta.Child("annotations"))...)
	sp := root(discard, "spec")
	errs = append(errs, validatePodSpec(&o.Spec, true, sp)...)
	if g := o.Spec.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		errs = append(errs, field.Invalid(sp.Child("terminationGracePeriodSeconds"), *g, msgNegative))
	}
	errs = append(errs, validateImageWhitespace(o.Spec.Containers, sp.Child("containers"))...)
	errs = append(errs, validateImageWhitespace(o.Spec.InitContainers, sp.Child("initContainers"))...)
	return errs
}

// validateDaemonSet is ValidateDaemonSet.
func validateDaemonSet(o *DaemonSet, discard bool) field.ErrorList {
	errs := validateMeta(&o.ObjectMeta, true, selector.NameIsDNSSubdomain, true, root(discard, "metadata"))
	return append(errs, validateDaemonSetSpec(&o.Spec, root(discard, "spec"))...)
}

// validateControllerRevision is ValidateControllerRevisionCreate.
func validateControllerRevision(o *ControllerRevision, discard bool) field.ErrorList {
	errs := validateMeta(&o.ObjectMeta, true, selector.NameIsDNSSubdomain, true, root(discard, "metadata"))
	if o.Revision < 0 {
		errs = append(errs, field.Invalid(root(discard, "revision"), o.Revision, msgNegative))
	}
	return append(errs, validateRevisionData(o.Data, root(discard, "data"))...)
}

// validatePriorityClass is ValidatePriorityClass.
func validatePriorityClass(o *PriorityClass, discard bool) field.ErrorList {
	errs := validateMeta(&o.ObjectMeta, false, selector.NameIsDNSSubdomain, true, root(discard, "metadata"))
	return append(errs, validatePriorityClassFields(o, discard)...)
}

// validatePDB is ValidatePodDisruptionBudget: it checks the spec only;
// the generic metadata checks (names as path segments) run only when the
// spec passed (rest.ValidateCreate).
func validatePDB(o *PodDisruptionBudget, discard bool) field.ErrorList {
	errs := validatePDBSpec(&o.Spec, root(discard, "spec"))
	if len(errs) > 0 {
		return errs
	}
	return validateMeta(&o.ObjectMeta, true, namePathSegment, false, root(discard, "metadata"))
}

// The upstream messages used in several places.
const (
	msgNegative  = "must be greater than or equal to 0"
	msgNotInt    = "must be an integer"
	msgImmutable = "field is immutable"
)

// ---------------------------------------------------------------- names

// The name validators of k8s.io/apimachinery/pkg/util/validation, which
// say "characters" where the content validators behind label keys say
// "bytes", and tell a DNS label that contains dots so. The DNS-subdomain
// one is selector.NameIsDNSSubdomain (node selectors need it too).

// nameDNSLabel is NameIsDNSLabel.
func nameDNSLabel(s string) []string {
	msgs := selector.IsDNS1123Label(s)
	if len(msgs) == 0 {
		return nil
	}
	long := len(s) > selector.DNS1123LabelMaxLength
	if long {
		msgs[0] = maxLenChars(selector.DNS1123LabelMaxLength)
	}
	if (long && len(msgs) == 2) || (!long && len(msgs) == 1) {
		if sub := selector.IsDNS1123Subdomain(s); len(sub) == 0 || (len(sub) == 1 && len(s) > selector.DNS1123SubdomainMaxLength) {
			msgs[len(msgs)-1] = "must not contain dots"
		}
	}
	return msgs
}

func maxLenChars(n int) string { return "must be no more than " + strconv.Itoa(n) + " characters" }

// namePathSegment is the generic name rule (rest.ValidateCreate's
// validatePathSegment): not "." or "..", no "/" or "%".
func namePathSegment(s string) []string {
	if s == "." || s == ".." {
		return []string{"may not be '" + s + "'"}
	}
	var msgs []string
	for _, c := range []string{"/", "%"} {
		if strings.Contains(s, c) {
			msgs = append(msgs, "may not contain '"+c+"'")
		}
	}
	return msgs
}

// jsonValue makes an error's bad value print as JSON, as upstream prints
// every value that is not a plain string, number or bool (a map, a
// struct, an IntOrString).
type jsonValue struct{ v any }

func (j jsonValue) MarshalJSON() ([]byte, error) { return json.Marshal(j.v) }

func invalidEach(p *field.Path, value string, msgs []string) field.ErrorList {
	var errs field.ErrorList
	for _, m := range msgs {
		errs = append(errs, field.Invalid(p, value, m))
	}
	return errs
}

// ---------------------------------------------------------------- metadata

const totalAnnotationSizeLimit = 256 * (1 << 10)

var standardFinalizers = []string{"kubernetes", FinalizerOrphanDependents, FinalizerDeleteDependents}

// validateMeta is ValidateObjectMeta: the name (by nameFn), the namespace,
// generation, labels, annotations, owner references and finalizers;
// kubeFinalizers adds core's rule that a finalizer without a "/" be a
// standard one.
func validateMeta(m *ObjectMeta, namespaced bool, nameFn func(string) []string, kubeFinalizers bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "name or generateName is required"))
	} else {
		errs = append(errs, invalidEach(p.Child("name"), m.Name, nameFn(m.Name))...)
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, field.Required(p.Child("namespace"), ""))
		} else {
			errs = append(errs, invalidEach(p.Child("namespace"), m.Namespace, nameDNSLabel(m.Namespace))...)
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(p.Child("namespace"), "not allowed on this type"))
	}
	if m.Generation < 0 {
		errs = append(errs, field.Invalid(p.Child("generation"), m.Generation, msgNegative))
	}
	errs = append(errs, selector.ValidateLabels(m.Labels, p.Child("labels"))...)
	errs = append(errs, validateAnnotations(m.Annotations, p.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, p.Child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(m.Finalizers, p.Child("finalizers"))...)
	if kubeFinalizers {
		for i, f := range m.Finalizers {
			if !strings.Contains(f, "/") && !slices.Contains(standardFinalizers, f) {
				errs = append(errs, field.Invalid(p.Child("finalizers").Index(i), f, "name is neither a standard finalizer name nor is it fully qualified"))
			}
		}
	}
	return errs
}

// validateAnnotations is ValidateAnnotations: keys are qualified names
// compared in lower case, and keys and values together hold at most 256 KiB.
func validateAnnotations(a map[string]string, p *field.Path) field.ErrorList {
	if len(a) == 0 {
		return nil
	}
	var errs field.ErrorList
	size := 0
	for _, k := range sortedKeys(a) {
		errs = append(errs, invalidEach(p, k, selector.IsQualifiedName(strings.ToLower(k)))...)
		size += len(k) + len(a[k])
	}
	if size > totalAnnotationSizeLimit {
		errs = append(errs, field.TooLong(p, totalAnnotationSizeLimit))
	}
	return errs
}

func validateOwnerReferences(refs []OwnerReference, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	first := -1 // the first controller reference
	for i, r := range refs {
		rp := p.Index(i)
		group, version, gvErr := parseGroupVersion(r.APIVersion)
		switch {
		case r.APIVersion == "":
			errs = append(errs, field.Required(rp.Child("apiVersion"), "must not be empty"))
		case gvErr || version == "":
			errs = append(errs, field.Invalid(rp.Child("apiVersion"), r.APIVersion, "must be <group>/<version> or <version>"))
		}
		if r.Kind == "" {
			errs = append(errs, field.Required(rp.Child("kind"), "must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, field.Required(rp.Child("name"), "must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, field.Required(rp.Child("uid"), "must not be empty"))
		}
		if group == "" && version == "v1" && r.Kind == "Event" {
			errs = append(errs, field.Invalid(rp, r, "/v1, Kind=Event is disallowed from being an owner"))
		}
		if r.Controller != nil && *r.Controller {
			if first >= 0 {
				errs = append(errs, field.Invalid(p, refs,
					fmt.Sprintf("Only one reference can have Controller set to true. Found \"true\" in references for %v/%v and %v/%v",
						refs[first].Kind, refs[first].Name, r.Kind, r.Name)))
			} else {
				first = i
			}
		}
	}
	return errs
}

// parseGroupVersion is schema.ParseGroupVersion: "" and "/" are the empty
// group version, "v" is version v, "g/v" group g version v, more slashes
// an error.
func parseGroupVersion(gv string) (group, version string, bad bool) {
	if gv == "" || gv == "/" {
		return "", "", false
	}
	switch strings.Count(gv, "/") {
	case 0:
		return "", gv, false
	case 1:
		g, v, _ := strings.Cut(gv, "/")
		return g, v, false
	}
	return "", "", true
}

// validateFinalizers is apimachinery's ValidateFinalizers: qualified names
// (reported at the list, not the index), and not both orphan and
// foregroundDeletion.
func validateFinalizers(fs []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	orphan, foreground := false, false
	for _, f := range fs {
		errs = append(errs, invalidEach(p, f, selector.IsQualifiedName(f))...)
		orphan = orphan || f == FinalizerOrphanDependents
		foreground = foreground || f == FinalizerDeleteDependents
	}
	if orphan && foreground {
		errs = append(errs, field.Invalid(p, fs, "finalizer orphan and foregroundDeletion cannot be both set"))
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m { //detlint:allow keys are sorted before use
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ---------------------------------------------------------------- annotations

// Annotation keys whose values upstream parses and validates.
const (
	annotationMirrorPod            = "kubernetes.io/config.mirror"
	annotationTolerations          = "scheduler.alpha.kubernetes.io/tolerations"
	annotationPodDeletionCost      = "controller.kubernetes.io/pod-deletion-cost"
	annotationSeccompPod           = "seccomp.security.alpha.kubernetes.io/pod"
	annotationSeccompContainer     = "container.seccomp.security.alpha.kubernetes.io/"
	annotationAppArmorContainer    = "container.apparmor.security.beta.kubernetes.io/"
	annotationTaints               = "scheduler.alpha.kubernetes.io/taints"
	annotationPreferAvoidPods      = "scheduler.alpha.kubernetes.io/preferAvoidPods"
	seccompLocalhostPrefix         = "localhost/"
	appArmorLocalhostProfilePrefix = "localhost/"
)

// validatePodAnnotations is ValidatePodSpecificAnnotations.
func validatePodAnnotations(a map[string]string, spec *PodSpec, p *field.Path) field.ErrorList {
	if len(a) == 0 {
		return nil
	}
	var errs field.ErrorList
	if v, ok := a[annotationMirrorPod]; ok && spec.NodeName == "" {
		errs = append(errs, field.Invalid(p.Key(annotationMirrorPod), v, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if v := a[annotationTolerations]; v != "" {
		var tols []taints.Toleration
		if err := json.Unmarshal([]byte(v), &tols); err != nil {
			errs = append(errs, field.Invalid(p, annotationTolerations, upstreamJSONError(err)))
		} else {
			errs = append(errs, taints.ValidateTolerations(tols, p.Child(annotationTolerations))...)
		}
	}
	if v, ok := a[annotationPodDeletionCost]; ok && !validDeletionCost(v) {
		errs = append(errs, field.Invalid(p.Key(annotationPodDeletionCost), v, "must be a 32bit integer"))
	}
	if v, ok := a[annotationSeccompPod]; ok {
		errs = append(errs, validateSeccompProfile(v, p.Child(annotationSeccompPod))...)
	}
	if !hasPrefixedKey(a, annotationSeccompContainer, annotationAppArmorContainer) {
		return errs
	}
	keys := sortedKeys(a)
	for _, k := range keys {
		if strings.HasPrefix(k, annotationSeccompContainer) {
			errs = append(errs, validateSeccompProfile(a[k], p.Child(k))...)
		}
	}
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, annotationAppArmorContainer)
		if !ok {
			continue
		}
		if !hasContainer(spec, name) {
			errs = append(errs, field.Invalid(p.Key(k), name, "container not found"))
		}
		if v := a[k]; v != "" && v != "runtime/default" && v != "unconfined" && !strings.HasPrefix(v, appArmorLocalhostProfilePrefix) {
			errs = append(errs, field.Invalid(p.Key(k), v, fmt.Sprintf("invalid AppArmor profile name: %q", v)))
		}
	}
	return errs
}

// hasPrefixedKey reports whether a has a key with one of the prefixes.
func hasPrefixedKey(a map[string]string, prefixes ...string) bool {
	for k := range a { //detlint:allow only whether one exists
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
	}
	return false
}

// validDeletionCost is GetDeletionCostFromPodAnnotations's rule: a 32-bit
// decimal integer without "+" or leading zeros.
func validDeletionCost(v string) bool {
	if v == "" || !(v[0] == '-' || v == "0" || v[0] >= '1' && v[0] <= '9') {
		return false
	}
	_, err := strconv.ParseInt(v, 10, 32)
	return err == nil
}

func validateSeccompProfile(v string, p *field.Path) field.ErrorList {
	switch v {
	case "runtime/default", "docker/default", "unconfined":
		return nil
	}
	if rel, ok := strings.CutPrefix(v, seccompLocalhostPrefix); ok {
		var errs field.ErrorList
		if path.IsAbs(rel) {
			errs = append(errs, field.Invalid(p, rel, "must be a relative path"))
		}
		for part := range strings.SplitSeq(rel, "/") {
			if part == ".." {
				errs = append(errs, field.Invalid(p, rel, "must not contain '..'"))
				break
			}
		}
		return errs
	}
	return field.ErrorList{field.Invalid(p, v, "must be a valid seccomp profile")}
}

func hasContainer(spec *PodSpec, name string) bool {
	for _, cs := range [][]Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			if cs[i].Name == name {
				return true
			}
		}
	}
	return false
}

// validateNodeAnnotations is ValidateNodeSpecificAnnotations: the legacy
// taints and preferAvoidPods annotations must parse and be valid.
func validateNodeAnnotations(a map[string]string, p *field.Path) field.ErrorList {
	if len(a) == 0 {
		return nil
	}
	var errs field.ErrorList
	if v := a[annotationTaints]; v != "" {
		var ts []taints.Taint
		if err := json.Unmarshal([]byte(v), &ts); err != nil {
			errs = append(errs, field.Invalid(p, annotationTaints, upstreamJSONError(err)))
		} else {
			errs = append(errs, taints.ValidateTaints(ts, p.Child(annotationTaints))...)
		}
	}
	if v := a[annotationPreferAvoidPods]; v != "" {
		var avoid struct {
			PreferAvoidPods []struct {
				PodSignature struct {
					PodController *OwnerReference `json:"podController"`
				} `json:"podSignature"`
			} `json:"preferAvoidPods"`
		}
		if err := json.Unmarshal([]byte(v), &avoid); err != nil {
			errs = append(errs, field.Invalid(p.Child("AvoidPods"), annotationPreferAvoidPods, err.Error()))
		} else {
			for i, e := range avoid.PreferAvoidPods {
				ep := p.Child(annotationPreferAvoidPods).Index(i)
				switch c := e.PodSignature.PodController; {
				case c == nil:
					errs = append(errs, field.Required(ep.Child("PodSignature"), ""))
				case c.Controller == nil || !*c.Controller: // upstream dereferences a nil controller and panics
					errs = append(errs, field.Invalid(ep.Child("PodSignature", "PodController", "Controller"), false, "must point to a controller"))
				}
			}
		}
	}
	return errs
}

// ---------------------------------------------------------------- nodes

// validateNodeResources is ValidateNodeResources: quantities not negative,
// integer resources whole. Allocatable defaults to capacity when absent
// (SetDefaults_NodeStatus), so it is then checked as capacity is. Paths
// name the resource as a field (status.capacity.cpu), as upstream does.
func validateNodeResources(st *NodeStatus, p *field.Path) field.ErrorList {
	errs := validateNodeResourceList(st.Capacity, p.Child("capacity"))
	alloc := st.Allocatable
	if alloc == nil {
		alloc = st.Capacity
	}
	return append(errs, validateNodeResourceList(alloc, p.Child("allocatable"))...)
}

// validateResourceList validates one node resource list (capacity or
// allocatable) at p; the store uses it for node status writes.
func validateResourceList(l ResourceList, p *field.Path) field.ErrorList {
	return validateNodeResourceList(l, p)
}

func validateNodeResourceList(l ResourceList, p *field.Path) field.ErrorList {
	errs := validateSortedList(l, p)
	for _, e := range l {
		errs = append(errs, validateQuantity(e.Name, e.Quantity, p.Child(string(e.Name)))...)
	}
	return errs
}

// validateSortedList checks daemonsim's own invariant of a ResourceList
// (sorted by name, names unique), which upstream's map cannot break.
func validateSortedList(l ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := 1; i < len(l); i++ {
		if l[i-1].Name >= l[i].Name {
			errs = append(errs, field.Invalid(p.Key(string(l[i].Name)), string(l[i].Name), "resource names must be sorted and unique (build lists with Resources or ParseResourceList)"))
		}
	}
	return errs
}

// validateQuantity is ValidateResourceQuantityValue.
func validateQuantity(name ResourceName, q Quantity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if q.milli < 0 {
		errs = append(errs, field.Invalid(p, q.String(), msgNegative))
	}
	if isIntegerResource(name) && q.milli%1000 != 0 {
		errs = append(errs, field.Invalid(p, q.String(), msgNotInt))
	}
	return errs
}

// upstreamJSONError renders a decoding error of an annotation's JSON with
// the type names of upstream's internal types.
func upstreamJSONError(err error) string {
	return strings.NewReplacer("[]taints.Taint", "[]core.Taint", "[]taints.Toleration", "[]core.Toleration",
		"taints.Operator", "core.TolerationOperator", "taints.Effect", "core.TaintEffect").Replace(err.Error())
}

// ---------------------------------------------------------------- pods

var (
	supportedRestartPolicies          = []RestartPolicy{RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever}
	supportedContainerRestartPolicies = []ContainerRestartPolicy{"Always", "Never", "OnFailure"} // sets.List order
	supportedProtocols                = []Protocol{ProtocolSCTP, ProtocolTCP, ProtocolUDP}       // sets.List order
	supportedPreemptionPolicies       = []PreemptionPolicy{PreemptLowerPriority, PreemptNever}
)

// validatePodSpec is ValidatePodSpec for the fields daemonsim models;
// isPod is PodValidationOptions.ResourceIsPod (false in a template).
func validatePodSpec(s *PodSpec, isPod bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.TerminationGracePeriodSeconds == nil {
		errs = append(errs, field.Required(p.Child("terminationGracePeriodSeconds"), ""))
	}
	errs = append(errs, validateContainers(s.Containers, p.Child("containers"))...)
	errs = append(errs, validateInitContainers(s.InitContainers, s.Containers, p.Child("initContainers"))...)
	if s.HostNetwork {
		cp := p.Child("containers")
		for i, c := range s.Containers {
			for j, port := range c.Ports {
				if (isPod || port.HostPort != 0) && port.HostPort != port.ContainerPort {
					errs = append(errs, field.Invalid(cp.Index(i).Child("ports").Index(j).Child("hostPort"), port.HostPort,
						"must match `containerPort` when `hostNetwork` is true"))
				}
			}
		}
	}
	switch s.RestartPolicy {
	case RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever:
	case "":
		errs = append(errs, field.Required(p.Child("restartPolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("restartPolicy"), string(s.RestartPolicy), supportedRestartPolicies))
	}
	errs = append(errs, selector.ValidateLabels(s.NodeSelector, p.Child("nodeSelector"))...)
	if a := s.Affinity; a != nil && a.NodeAffinity != nil {
		errs = append(errs, validateNodeAffinity(a.NodeAffinity, p.Child("affinity", "nodeAffinity"))...)
	}
	if s.NodeName != "" {
		errs = append(errs, invalidEach(p.Child("nodeName"), s.NodeName, selector.NameIsDNSSubdomain(s.NodeName))...)
	}
	if a := s.ActiveDeadlineSeconds; a != nil && (*a < 1 || *a > math.MaxInt32) {
		errs = append(errs, field.Invalid(p.Child("activeDeadlineSeconds"), *a, "must be between 1 and 2147483647, inclusive"))
	}
	errs = append(errs, taints.ValidateTolerations(s.Tolerations, p.Child("tolerations"))...)
	if s.PriorityClassName != "" {
		errs = append(errs, invalidEach(p.Child("priorityClassName"), s.PriorityClassName, selector.NameIsDNSSubdomain(s.PriorityClassName))...)
	}
	if pp := s.PreemptionPolicy; pp != nil {
		errs = append(errs, validatePreemptionPolicy(*pp, p.Child("preemptionPolicy"))...)
	}
	if s.Overhead != nil {
		errs = append(errs, validateResources(ResourceRequirements{Limits: s.Overhead}, p.Child("overhead"))...)
	}
	return errs
}

func validatePreemptionPolicy(pp PreemptionPolicy, p *field.Path) field.ErrorList {
	switch pp {
	case PreemptLowerPriority, PreemptNever:
		return nil
	case "":
		return field.ErrorList{field.Required(p, "")}
	}
	return field.ErrorList{field.NotSupported(p, string(pp), supportedPreemptionPolicies)}
}

// validateContainers is validateContainers: none is Required (and ends
// the check); names unique among the regular containers; host ports
// unique across them.
func validateContainers(cs []Container, p *field.Path) field.ErrorList {
	if len(cs) == 0 {
		return field.ErrorList{field.Required(p, "")}
	}
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		cp := p.Index(i)
		errs = append(errs, validateContainer(c, cp)...)
		for j := range i {
			if cs[j].Name == c.Name {
				errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
				break
			}
		}
		errs = append(errs, validateContainerRestartPolicy(c.RestartPolicy, cp.Child("restartPolicy"))...)
	}
	return append(errs, hostPortConflicts(cs, p)...)
}

// validateInitContainers is validateInitContainers: a name may not repeat
// a regular container's or an earlier init container's; host ports are
// checked one init container at a time (they run one by one), and, as
// upstream, reported at initContainers[0] whichever container it is.
func validateInitContainers(cs, regular []Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		cp := p.Index(i)
		errs = append(errs, validateContainer(c, cp)...)
		errs = append(errs, validateContainerRestartPolicy(c.RestartPolicy, cp.Child("restartPolicy"))...)
		if initNameTaken(c.Name, cs[:i], regular) {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
		}
		errs = append(errs, hostPortConflicts(cs[i:i+1], p)...)
	}
	return errs
}

// initNameTaken reports whether an init container's name is in upstream's
// set: every regular container's name, and each earlier init container's
// non-empty name that was not itself a duplicate.
func initNameTaken(name string, earlier, regular []Container) bool {
	for i := range regular {
		if regular[i].Name == name {
			return true
		}
	}
	if name == "" {
		return false
	}
	for i := range earlier {
		if earlier[i].Name == name {
			return true
		}
	}
	return false
}

// validateContainerRestartPolicy: with the ContainerRestartRules and
// RestartAllContainersOnContainerExits gates on (their v1.37 defaults),
// regular and init containers alike may set Always, Never or OnFailure.
func validateContainerRestartPolicy(rp *ContainerRestartPolicy, p *field.Path) field.ErrorList {
	if rp == nil || slices.Contains(supportedContainerRestartPolicies, *rp) {
		return nil
	}
	return field.ErrorList{field.NotSupported(p, string(*rp), supportedContainerRestartPolicies)}
}

// validateContainer is validateContainerCommon: name, image, ports,
// resources.
func validateContainer(c *Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	} else {
		errs = append(errs, invalidEach(p.Child("name"), c.Name, nameDNSLabel(c.Name))...)
	}
	if c.Image == "" {
		errs = append(errs, field.Required(p.Child("image"), ""))
	}
	errs = append(errs, validatePorts(c.Ports, p.Child("ports"))...)
	return append(errs, validateResources(c.Resources, p.Child("resources"))...)
}

// validateImageWhitespace is validateContainersOnlyForPod.
func validateImageWhitespace(cs []Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		if img := cs[i].Image; len(img) != len(strings.TrimSpace(img)) {
			errs = append(errs, field.Invalid(p.Index(i).Child("image"), img, "must not have leading or trailing whitespace"))
		}
	}
	return errs
}

// validatePorts is validateContainerPorts.
func validatePorts(ports []ContainerPort, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		ip := p.Index(i)
		if port.Name != "" {
			if msgs := portNameMsgs(port.Name); len(msgs) != 0 {
				errs = append(errs, invalidEach(ip.Child("name"), port.Name, msgs)...)
			} else if portNameTaken(port.Name, ports[:i]) {
				errs = append(errs, field.Duplicate(ip.Child("name"), port.Name))
			}
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(ip.Child("containerPort"), ""))
		} else if port.ContainerPort < 1 || port.ContainerPort > 65535 {
			errs = append(errs, field.Invalid(ip.Child("containerPort"), port.ContainerPort, "must be between 1 and 65535, inclusive"))
		}
		if port.HostPort != 0 && (port.HostPort < 1 || port.HostPort > 65535) {
			errs = append(errs, field.Invalid(ip.Child("hostPort"), port.HostPort, "must be between 1 and 65535, inclusive"))
		}
		switch port.Protocol {
		case ProtocolTCP, ProtocolUDP, ProtocolSCTP:
		case "":
			errs = append(errs, field.Required(ip.Child("protocol"), ""))
		default:
			errs = append(errs, field.NotSupported(ip.Child("protocol"), string(port.Protocol), supportedProtocols))
		}
	}
	return errs
}

// portNameTaken reports whether an earlier port has name and was itself
// valid (upstream records only valid names).
func portNameTaken(name string, earlier []ContainerPort) bool {
	for _, q := range earlier {
		if q.Name == name {
			return true
		}
	}
	return false
}

// portNameMsgs is IsValidPortName (an IANA service name).
func portNameMsgs(s string) []string {
	var msgs []string
	if len(s) > 15 {
		msgs = append(msgs, maxLenChars(15))
	}
	charset, letter := s != "", false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			charset = false
		}
	}
	if !charset {
		msgs = append(msgs, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
	}
	if !letter {
		msgs = append(msgs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(s, "--") {
		msgs = append(msgs, "must not contain consecutive hyphens")
	}
	if s != "" && (s[0] == '-' || s[len(s)-1] == '-') {
		msgs = append(msgs, "must not begin or end with a hyphen")
	}
	return msgs
}

// hostPortConflicts is AccumulateUniqueHostPorts over cs: a host port is
// unique by protocol, host IP and number.
func hostPortConflicts(cs []Container, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for ci := range cs {
		for pi, port := range cs[ci].Ports {
			if port.HostPort == 0 || !hostPortSeen(cs, ci, pi) {
				continue
			}
			errs = append(errs, field.Duplicate(p.Index(ci).Child("ports").Index(pi).Child("hostPort"),
				fmt.Sprintf("%s/%s/%d", port.Protocol, port.HostIP, port.HostPort)))
		}
	}
	return errs
}

// hostPortSeen reports whether a port before cs[ci].Ports[pi] claims the
// same protocol, host IP and host port.
func hostPortSeen(cs []Container, ci, pi int) bool {
	q := cs[ci].Ports[pi]
	for cj := 0; cj <= ci; cj++ {
		ports := cs[cj].Ports
		if cj == ci {
			ports = ports[:pi]
		}
		for _, o := range ports {
			if o.HostPort == q.HostPort && o.Protocol == q.Protocol && o.HostIP == q.HostIP {
				return true
			}
		}
	}
	return false
}

// validateResources is ValidateContainerResourceRequirements (also used
// for spec.overhead as limits): valid names; quantities not negative and
// whole for integer resources; hugepages a multiple of their page size;
// requests not above limits, and equal to them for resources that cannot
// be overcommitted (extended resources, hugepages), which must have a
// limit; hugepages only with cpu or memory. Errors about a request against
// its limit are reported at the requests list, as upstream does.
func validateResources(r ResourceRequirements, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	lp, rp := p.Child("limits"), p.Child("requests")
	cpuOrMemory, hugePages := false, false
	errs = append(errs, validateSortedList(r.Limits, lp)...)
	for _, e := range r.Limits {
		ep := lp.Key(string(e.Name))
		errs = append(errs, validateContainerResourceName(e.Name, ep)...)
		errs = append(errs, validateQuantity(e.Name, e.Quantity, ep)...)
		if isHugePages(e.Name) {
			hugePages = true
			errs = append(errs, validateHugePageValue(e.Name, e.Quantity, ep)...)
		}
		cpuOrMemory = cpuOrMemory || e.Name == ResourceCPU || e.Name == ResourceMemory
	}
	errs = append(errs, validateSortedList(r.Requests, rp)...)
	for _, e := range r.Requests {
		ep := rp.Key(string(e.Name))
		errs = append(errs, validateContainerResourceName(e.Name, ep)...)
		errs = append(errs, validateQuantity(e.Name, e.Quantity, ep)...)
		if l, ok := r.Limits.Get(e.Name); ok {
			if e.Quantity.Cmp(l) != 0 && !overcommitAllowed(e.Name) {
				errs = append(errs, field.Invalid(rp, e.Quantity.String(), fmt.Sprintf("must be equal to %s limit of %s", e.Name, l.String())))
			} else if e.Quantity.Cmp(l) > 0 {
				errs = append(errs, field.Invalid(rp, e.Quantity.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", e.Name, l.String())))
			}
		} else if !overcommitAllowed(e.Name) {
			errs = append(errs, field.Required(lp, "Limit must be set for non overcommitable resources"))
		}
		if isHugePages(e.Name) {
			hugePages = true
			errs = append(errs, validateHugePageValue(e.Name, e.Quantity, ep)...)
		}
		cpuOrMemory = cpuOrMemory || e.Name == ResourceCPU || e.Name == ResourceMemory
	}
	if hugePages && !cpuOrMemory {
		errs = append(errs, field.Forbidden(p, "HugePages require cpu or memory"))
	}
	return errs
}

const (
	hugePagesPrefix         = "hugepages-"
	requestsPrefix          = "requests."
	defaultResourceNSPrefix = "kubernetes.io/"
)

var (
	standardResourceNames = []ResourceName{"cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
		"requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
		"resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
		"persistentvolumeclaims", "storage", "requests.storage", "services.nodeports", "services.loadbalancers"}
	integerResourceNames = []ResourceName{"pods", "resourcequotas", "services", "replicationcontrollers",
		"secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"}
)

func isHugePages(n ResourceName) bool { return strings.HasPrefix(string(n), hugePagesPrefix) }

// isNativeResource: unprefixed, or in the kubernetes.io/ namespace.
func isNativeResource(n ResourceName) bool {
	return !strings.Contains(string(n), "/") || strings.Contains(string(n), defaultResourceNSPrefix)
}

// isExtendedResource is IsExtendedResourceName.
func isExtendedResource(n ResourceName) bool {
	if isNativeResource(n) || strings.HasPrefix(string(n), requestsPrefix) {
		return false
	}
	return len(selector.IsQualifiedName(requestsPrefix+string(n))) == 0
}

func overcommitAllowed(n ResourceName) bool { return isNativeResource(n) && !isHugePages(n) }

func isIntegerResource(n ResourceName) bool {
	switch n {
	case ResourceCPU, ResourceMemory, ResourceEphemeralStorage:
		return false
	}
	return slices.Contains(integerResourceNames, n) || isExtendedResource(n)
}

// validateContainerResourceName is ValidateContainerResourceName.
func validateContainerResourceName(n ResourceName, p *field.Path) field.ErrorList {
	switch n {
	case ResourceCPU, ResourceMemory, ResourceEphemeralStorage:
		return nil
	}
	s := string(n)
	errs := invalidEach(p, s, selector.IsQualifiedName(s))
	prefixed := strings.Contains(s, "/")
	if len(errs) == 0 && !prefixed && !slices.Contains(standardResourceNames, n) &&
		!strings.HasPrefix(s, hugePagesPrefix) && !strings.HasPrefix(s, requestsPrefix+hugePagesPrefix) {
		errs = append(errs, field.Invalid(p, s, "must be a standard resource type or fully qualified"))
	}
	switch {
	case !prefixed:
		if n != ResourceCPU && n != ResourceMemory && n != ResourceEphemeralStorage && !isHugePages(n) {
			errs = append(errs, field.Invalid(p, s, "must be a standard resource for containers"))
		}
	case !isNativeResource(n) && !isExtendedResource(n):
		errs = append(errs, field.Invalid(p, s, "doesn't follow extended resource name standard"))
	}
	return errs
}

// validateHugePageValue: a hugepages-<size> amount is a whole multiple of
// the page size, which must parse as a positive whole quantity.
func validateHugePageValue(n ResourceName, q Quantity, p *field.Path) field.ErrorList {
	size, err := ParseQuantity(strings.TrimPrefix(string(n), hugePagesPrefix))
	v := q.milli / 1000 // whole units, rounded away from zero as upstream's Value
	if q.milli%1000 != 0 {
		v += q.milli / abs64(q.milli)
	}
	if err == nil && size.milli > 0 && size.milli%1000 == 0 && v%(size.milli/1000) == 0 {
		return nil
	}
	return field.ErrorList{field.Invalid(p, q.String(), fmt.Sprintf("%s is not positive integer multiple of %s", q.String(), n))}
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// validateNodeAffinity is validateNodeAffinity: the required selector's
// label values must be valid; the preferred terms' need not be (upstream
// lets them through, since they can still match nothing).
func validateNodeAffinity(na *NodeAffinity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
		errs = append(errs, r.ValidateAt(p.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
	}
	pp := p.Child("preferredDuringSchedulingIgnoredDuringExecution")
	for i, t := range na.PreferredDuringSchedulingIgnoredDuringExecution {
		ip := pp.Index(i)
		if t.Weight <= 0 || t.Weight > 100 {
			errs = append(errs, field.Invalid(ip.Child("weight"), t.Weight, "must be in the range 1-100"))
		}
		errs = append(errs, selector.ValidateNodeSelectorTerm(t.Preference, true, ip.Child("preference"))...)
	}
	return errs
}

// ---------------------------------------------------------------- workloads

var supportedDSStrategies = []DaemonSetUpdateStrategyType{RollingUpdateDaemonSetStrategyType, OnDeleteDaemonSetStrategyType}

// validateDaemonSetSpec is ValidateDaemonSetSpec.
func validateDaemonSetSpec(s *DaemonSetSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, selector.ValidateLabelSelector(s.Selector, p.Child("selector"))...)
	sel, err := selector.LabelSelectorAsSelector(s.Selector)
	if err == nil && !sel.Matches(s.Template.Labels) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), jsonValue{map[string]string(s.Template.Labels)}, "`selector` does not match template `labels`"))
	}
	if s.Selector != nil && len(s.Selector.MatchLabels)+len(s.Selector.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(p.Child("selector"), jsonValue{s.Selector}, "empty selector is invalid for daemonset"))
	}
	tp := p.Child("template")
	errs = append(errs, validatePodTemplate(&s.Template, tp)...)
	if rp := s.Template.Spec.RestartPolicy; rp != RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), string(rp), []RestartPolicy{RestartPolicyAlways}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in DaemonSet is not Supported"))
	}
	if s.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("minReadySeconds"), s.MinReadySeconds, msgNegative))
	}
	errs = append(errs, validateDSUpdateStrategy(&s.UpdateStrategy, p.Child("updateStrategy"))...)
	if l := s.RevisionHistoryLimit; l != nil && *l < 0 {
		errs = append(errs, field.Invalid(p.Child("revisionHistoryLimit"), *l, msgNegative))
	}
	return errs
}

// validatePodTemplate is ValidatePodTemplateSpec: labels (reported at
// template.labels, as upstream does), annotations, the pod-specific
// annotations and the pod spec as a template's.
func validatePodTemplate(t *PodTemplateSpec, p *field.Path) field.ErrorList {
	errs := selector.ValidateLabels(t.Labels, p.Child("labels"))
	errs = append(errs, validateAnnotations(t.Annotations, p.Child("annotations"))...)
	errs = append(errs, validatePodAnnotations(t.Annotations, &t.Spec, p.Child("annotations"))...)
	return append(errs, validatePodSpec(&t.Spec, false, p.Child("spec"))...)
}

func validateDSUpdateStrategy(us *DaemonSetUpdateStrategy, p *field.Path) field.ErrorList {
	switch us.Type {
	case OnDeleteDaemonSetStrategyType:
		return nil
	case RollingUpdateDaemonSetStrategyType:
		ru := us.RollingUpdate
		if ru == nil {
			return field.ErrorList{field.Required(p.Child("rollingUpdate"), "")}
		}
		// the internal type holds both as values; unset is the zero int
		var mu, ms IntOrString
		if ru.MaxUnavailable != nil {
			mu = *ru.MaxUnavailable
		}
		if ru.MaxSurge != nil {
			ms = *ru.MaxSurge
		}
		rp := p.Child("rollingUpdate")
		up, sp := rp.Child("maxUnavailable"), rp.Child("maxSurge")
		errs := validatePositiveIntOrPercent(mu, up)
		errs = append(errs, validatePositiveIntOrPercent(ms, sp)...)
		errs = append(errs, notMoreThan100Percent(mu, up)...)
		errs = append(errs, notMoreThan100Percent(ms, sp)...)
		hasU, hasS := intOrPercentValue(mu) != 0, intOrPercentValue(ms) != 0
		switch {
		case hasU && hasS:
			errs = append(errs, field.Invalid(sp, jsonValue{ms}, "may not be set when maxUnavailable is non-zero"))
		case !hasU && !hasS:
			errs = append(errs, field.Required(up, "cannot be 0 when maxSurge is 0"))
		}
		return errs
	}
	// upstream prints the whole internal strategy as the value
	type rollingUpdate struct{ MaxUnavailable, MaxSurge IntOrString }
	v := struct {
		Type          string
		RollingUpdate *rollingUpdate
	}{Type: string(us.Type)}
	if ru := us.RollingUpdate; ru != nil {
		v.RollingUpdate = &rollingUpdate{}
		if ru.MaxUnavailable != nil {
			v.RollingUpdate.MaxUnavailable = *ru.MaxUnavailable
		}
		if ru.MaxSurge != nil {
			v.RollingUpdate.MaxSurge = *ru.MaxSurge
		}
	}
	return field.ErrorList{field.NotSupported(p, jsonValue{v}, supportedDSStrategies)}
}

const msgPercent = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"

// percentValue returns the number of a valid percent string ("[0-9]+%").
func percentValue(v IntOrString) (int, bool) {
	if !v.IsString {
		return 0, false
	}
	digits, ok := strings.CutSuffix(v.StrVal, "%")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return math.MaxInt, true // too many digits for an int: over 100% all the same
	}
	return n, true
}

// intOrPercentValue is getIntOrPercentValue: a valid percent's number,
// else IntValue (a string that is not a number counts as 0).
func intOrPercentValue(v IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	if v.IsString {
		n, _ := strconv.Atoi(v.StrVal)
		return n
	}
	return int(v.IntVal)
}

// validatePositiveIntOrPercent is ValidatePositiveIntOrPercent.
func validatePositiveIntOrPercent(v IntOrString, p *field.Path) field.ErrorList {
	if v.IsString {
		if _, ok := percentValue(v); !ok {
			return field.ErrorList{field.Invalid(p, v.StrVal, msgPercent)}
		}
		return nil
	}
	if v.IntVal < 0 {
		return field.ErrorList{field.Invalid(p, v.IntVal, msgNegative)}
	}
	return nil
}

// notMoreThan100Percent is IsNotMoreThan100Percent.
func notMoreThan100Percent(v IntOrString, p *field.Path) field.ErrorList {
	if n, ok := percentValue(v); ok && n > 100 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must not be greater than 100%")}
	}
	return nil
}

// validatePDBSpec is ValidatePodDisruptionBudgetSpec.
func validatePDBSpec(s *PodDisruptionBudgetSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.MinAvailable != nil && s.MaxUnavailable != nil {
		// upstream prints the whole internal spec as the value
		v := struct {
			MinAvailable               *IntOrString
			Selector                   *selector.LabelSelector
			MaxUnavailable             *IntOrString
			UnhealthyPodEvictionPolicy *string
		}{s.MinAvailable, s.Selector, s.MaxUnavailable, nil}
		errs = append(errs, field.Invalid(p, jsonValue{v}, "minAvailable and maxUnavailable cannot be both set"))
	}
	if v := s.MinAvailable; v != nil {
		errs = append(errs, validatePositiveIntOrPercent(*v, p.Child("minAvailable"))...)
		errs = append(errs, notMoreThan100Percent(*v, p.Child("minAvailable"))...)
	}
	if v := s.MaxUnavailable; v != nil {
		errs = append(errs, validatePositiveIntOrPercent(*v, p.Child("maxUnavailable"))...)
		errs = append(errs, notMoreThan100Percent(*v, p.Child("maxUnavailable"))...)
	}
	return append(errs, selector.ValidateLabelSelector(s.Selector, p.Child("selector"))...)
}

// validateRevisionData is ValidateControllerRevisionCreate's data rule: a
// JSON object.
func validateRevisionData(data json.RawMessage, p *field.Path) field.ErrorList {
	if len(data) == 0 {
		return field.ErrorList{field.Required(p, "data is mandatory")}
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return field.ErrorList{field.Invalid(p, "<value omitted>", "error parsing data: "+err.Error())}
	}
	switch v.(type) {
	case nil:
		return field.ErrorList{field.Required(p, "data is mandatory")}
	case map[string]any:
		return nil
	}
	return field.ErrorList{field.Required(p, "data must be a valid JSON object")}
}

// validatePriorityClassFields is ValidatePriorityClass beyond the metadata: the
// system- prefix is reserved for the built-in classes with their values
// and globalDefault false; a user class may not exceed
// HighestUserDefinablePriority.
func validatePriorityClassFields(c *PriorityClass, discard bool) field.ErrorList {
	var errs field.ErrorList
	if strings.HasPrefix(c.Name, "system-") {
		if reason := systemClassProblem(c); reason != "" {
			errs = append(errs, field.Forbidden(root(discard, "metadata", "name"),
				"priority class names with 'system-' prefix are reserved for system use only. error: "+reason))
		}
	} else if c.Value > HighestUserDefinablePriority {
		errs = append(errs, field.Forbidden(root(discard, "value"), fmt.Sprintf("maximum allowed value of a user defined priority is %v", HighestUserDefinablePriority)))
	}
	if pp := c.PreemptionPolicy; pp != nil {
		errs = append(errs, validatePreemptionPolicy(*pp, root(discard, "preemptionPolicy"))...)
	}
	return errs
}

// systemClassProblem is IsKnownSystemPriorityClass's error, "" if none.
func systemClassProblem(c *PriorityClass) string {
	for i := range builtinPriorityClasses {
		b := &builtinPriorityClasses[i]
		if b.Name != c.Name {
			continue
		}
		if b.Value != c.Value {
			return fmt.Sprintf("value of %v PriorityClass must be %v", b.Name, b.Value)
		}
		if c.GlobalDefault {
			return fmt.Sprintf("globalDefault of %v PriorityClass must be false", b.Name)
		}
		return ""
	}
	return c.Name + " is not a known system priority class"
}

// validateBinding is ValidatePodBinding for a binding to a node: the
// target name is required and must be a valid node name.
func validateBinding(node string) field.ErrorList {
	if node == "" {
		return field.ErrorList{field.Required(field.NewPath("target", "name"), "")}
	}
	if msgs := selector.NameIsDNSSubdomain(node); len(msgs) > 0 {
		return invalidEach(field.NewPath("target", "name"), node, msgs) // paths only on error
	}
	return nil
}

// validatePodStatusUpdate is ValidatePodStatusUpdate for the modelled
// status fields, for the pods/status subresource: conditions of types
// other than the system ones (PodScheduled, Ready, Initialized) have
// qualified-name types (reported at conditions[i].Type, as upstream
// does); a new nominatedNodeName is a valid node name, and may not be set
// on a bound pod (ClearingNominatedNodeNameAfterBinding, on by default in
// v1.37). Paths are built only for errors.
func validatePodStatusUpdate(old, st *PodStatus, oldNodeName string) field.ErrorList {
	var errs field.ErrorList
	for i, c := range st.Conditions {
		switch c.Type {
		case PodScheduled, PodReady, "Initialized":
			continue
		}
		if msgs := selector.IsQualifiedName(string(c.Type)); len(msgs) > 0 {
			errs = append(errs, invalidEach(field.NewPath("status", "conditions").Index(i).Child("Type"), string(c.Type), msgs)...)
		}
	}
	if n := st.NominatedNodeName; n != old.NominatedNodeName && n != "" {
		if msgs := selector.NameIsDNSSubdomain(n); len(msgs) > 0 {
			errs = append(errs, invalidEach(field.NewPath("status", "nominatedNodeName"), n, msgs)...)
		}
		if oldNodeName != "" {
			errs = append(errs, field.Forbidden(field.NewPath("status", "nominatedNodeName"), "may not be set on pods that are already bound to a node"))
		}
	}
	return errs
}

// validatePDBStatus is ValidatePodDisruptionBudgetStatusUpdate for
// policy/v1: the counters are not negative.
func validatePDBStatus(st *PodDisruptionBudgetStatus) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("status")
	for _, c := range []struct {
		name string
		v    int32
	}{{"disruptionsAllowed", st.DisruptionsAllowed}, {"currentHealthy", st.CurrentHealthy}, {"desiredHealthy", st.DesiredHealthy}, {"expectedPods", st.ExpectedPods}} {
		if c.v < 0 {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, msgNegative))
		}
	}
	return errs
}

// ---------------------------------------------------------------- updates

// ValidateUpdate returns the problems with replacing old by new beyond
// Validate(new), as upstream's Validate*Update: no finalizer may be added
// to an object that is being deleted; and per kind (the kind table's
// validateUpdate) a DaemonSet's and a ReplicaSet's spec.selector is
// immutable; a pod may not add or remove containers, and its spec may
// change only in container images, activeDeadlineSeconds (set, or
// lowered) and added tolerations (whose tolerationSeconds may change),
// binding going through Bind; a PriorityClass's value and preemption
// policy and a ControllerRevision's data are immutable. old and new are
// of one kind; a nil or mismatched pair gives a Required error.
func ValidateUpdate(old, new Object) field.ErrorList {
	if IsNilObject(old) || IsNilObject(new) || old.ObjectKind() != new.ObjectKind() {
		return field.ErrorList{field.Required(nil, "old and new objects must be of one kind and not nil")}
	}
	var errs field.ErrorList
	if om := old.Meta(); om.DeletionTimestamp != nil {
		var added []string
		for _, f := range new.Meta().Finalizers {
			if !slices.Contains(om.Finalizers, f) && !slices.Contains(added, f) {
				added = append(added, f)
			}
		}
		if len(added) > 0 {
			slices.Sort(added)
			errs = append(errs, field.Forbidden(field.NewPath("metadata", "finalizers"),
				fmt.Sprintf("no new finalizers can be added if the object is being deleted, found new finalizers %#v", added)))
		}
	}
	ki, _ := kindOf(old)
	if ki == nil || ki.validateUpdate == nil {
		return errs
	}
	if ofKind, _ := ki.check(new); !ofKind {
		return errs
	}
	return append(errs, ki.validateUpdate(old, new)...)
}

// validateDaemonSetUpdate is ValidateDaemonSetSpecUpdate's rule the store
// does not enforce otherwise: spec.selector is immutable.
func validateDaemonSetUpdate(o, n *DaemonSet) field.ErrorList {
	if !o.Spec.Selector.Equal(n.Spec.Selector) {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "selector"), jsonValue{n.Spec.Selector}, msgImmutable)}
	}
	return nil
}

// validatePriorityClassUpdate is ValidatePriorityClassUpdate: value and
// preemption policy are immutable.
func validatePriorityClassUpdate(o, n *PriorityClass) field.ErrorList {
	var errs field.ErrorList
	if o.Value != n.Value {
		errs = append(errs, field.Forbidden(field.NewPath("value"), "may not be changed in an update."))
	}
	if (o.PreemptionPolicy == nil) != (n.PreemptionPolicy == nil) || (o.PreemptionPolicy != nil && *o.PreemptionPolicy != *n.PreemptionPolicy) {
		var v any
		if n.PreemptionPolicy != nil {
			v = string(*n.PreemptionPolicy)
		}
		errs = append(errs, field.Invalid(field.NewPath("preemptionPolicy"), v, msgImmutable))
	}
	return errs
}

// validateControllerRevisionUpdate is ValidateControllerRevisionUpdate:
// data is immutable.
func validateControllerRevisionUpdate(o, n *ControllerRevision) field.ErrorList {
	if !jsonEqual(o.Data, n.Data) {
		return field.ErrorList{field.Invalid(field.NewPath("data"), jsonValue{n.Data}, msgImmutable)}
	}
	return nil
}

var updatablePodSpecFields = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
	"`spec.tolerations` (only additions to existing tolerations)," +
	"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

// validatePodUpdate is ValidatePodUpdate for the modelled fields (the
// spec difference upstream appends to its Forbidden message is left out).
func validatePodUpdate(o, n *Pod) field.ErrorList {
	var errs field.ErrorList
	sp := field.NewPath("spec")
	if len(n.Spec.Containers) != len(o.Spec.Containers) {
		return field.ErrorList{field.Forbidden(sp.Child("containers"), "pod updates may not add or remove containers")}
	}
	if len(n.Spec.InitContainers) != len(o.Spec.InitContainers) {
		return field.ErrorList{field.Forbidden(sp.Child("initContainers"), "pod updates may not add or remove containers")}
	}
	if a := n.Spec.ActiveDeadlineSeconds; a != nil {
		if *a < 0 || *a > math.MaxInt32 {
			return append(errs, field.Invalid(sp.Child("activeDeadlineSeconds"), *a, "must be between 0 and 2147483647, inclusive"))
		}
		if b := o.Spec.ActiveDeadlineSeconds; b != nil && *b < *a {
			return append(errs, field.Invalid(sp.Child("activeDeadlineSeconds"), *a, "must be less than or equal to previous value"))
		}
	} else if o.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(sp.Child("activeDeadlineSeconds"), nil, "must not update from a positive integer to nil value"))
	}
	for _, ot := range o.Spec.Tolerations {
		if !slices.ContainsFunc(n.Spec.Tolerations, func(nt taints.Toleration) bool { return nt.MatchToleration(ot) }) {
			errs = append(errs, field.Forbidden(sp.Child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"))
			break
		}
	}
	a, b := o.Spec.DeepCopy(), n.Spec.DeepCopy()
	for i := range b.Containers {
		b.Containers[i].Image = a.Containers[i].Image
	}
	for i := range b.InitContainers {
		b.InitContainers[i].Image = a.InitContainers[i].Image
	}
	b.ActiveDeadlineSeconds = a.ActiveDeadlineSeconds
	b.Tolerations = a.Tolerations
	if g, h := a.TerminationGracePeriodSeconds, b.TerminationGracePeriodSeconds; g != nil && *g < 0 && h != nil && *h == 1 {
		b.TerminationGracePeriodSeconds = g
	}
	if !jsonEqual(a, b) {
		errs = append(errs, field.Forbidden(sp, "pod updates may not change fields other than "+updatablePodSpecFields))
	}
	return errs
}

// jsonEqual reports whether a and b serialise to the same JSON.
func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
