package cluster

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
	"github.com/daemonsim/daemonsim/taints"
)

// DefaultNamespace is the namespace a namespaced object gets when it names none.
const DefaultNamespace = "default"

// Default fills the defaults the API server would apply to o, in place:
// the namespace of namespaced kinds, and per kind the upstream defaults
// (SetDefaults_*). It never fails and is idempotent.
func Default(o Object) {
	m := o.Meta()
	if o.ObjectKind().Namespaced() && m.Namespace == "" {
		m.Namespace = DefaultNamespace
	}
	switch o := o.(type) {
	case *Pod:
		defaultPodSpec(&o.Spec)
	case *DaemonSet:
		defaultDaemonSet(o)
	case *PriorityClass:
		if o.PreemptionPolicy == nil {
			p := PreemptLowerPriority
			o.PreemptionPolicy = &p
		}
	}
}

func defaultPodSpec(s *PodSpec) {
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
			// requests default to limits for resources that only have a limit
			for _, l := range c.Resources.Limits {
				if _, ok := c.Resources.Requests.Get(l.Name); !ok {
					c.Resources.Requests = c.Resources.Requests.With(l.Name, l.Quantity)
				}
			}
			for j := range c.Ports {
				if c.Ports[j].Protocol == "" {
					c.Ports[j].Protocol = ProtocolTCP
				}
				// a host-network pod's ports are host ports (SetDefaults_Pod)
				if s.HostNetwork && c.Ports[j].HostPort == 0 {
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
	defaultPodSpec(&d.Spec.Template.Spec)
}

// Validate returns every problem with o (already defaulted), with upstream
// field paths and messages, in a fixed order: metadata first, then spec
// fields in declaration order. The list is empty when o is valid.
func Validate(o Object) field.ErrorList {
	errs := withPaths("metadata", func(p *field.Path) field.ErrorList {
		return validateMeta(o.Meta(), o.ObjectKind().Namespaced(), p)
	})
	switch o := o.(type) {
	case *Node:
		errs = append(errs, taints.ValidateTaints(o.Spec.Taints, field.NewPath("spec", "taints"))...)
		errs = append(errs, validateResourceList(o.Status.Capacity, field.NewPath("status", "capacity"))...)
		errs = append(errs, validateResourceList(o.Status.Allocatable, field.NewPath("status", "allocatable"))...)
	case *Pod:
		errs = append(errs, withPaths("spec", func(p *field.Path) field.ErrorList { return validatePodSpec(&o.Spec, p) })...)
	case *DaemonSet:
		errs = append(errs, validateDaemonSetSpec(&o.Spec, field.NewPath("spec"))...)
	case *ControllerRevision:
		if len(o.Data) == 0 {
			errs = append(errs, field.Required(field.NewPath("data"), "data is mandatory"))
		} else if !json.Valid(o.Data) {
			errs = append(errs, field.Invalid(field.NewPath("data"), "<bytes>", "data must be valid JSON"))
		}
		if o.Revision < 0 {
			errs = append(errs, field.Invalid(field.NewPath("revision"), o.Revision, "must be greater than or equal to 0"))
		}
	case *PriorityClass:
		errs = append(errs, validatePriorityClass(o)...)
	case *PodDisruptionBudget:
		p := field.NewPath("spec")
		if o.Spec.MinAvailable != nil && o.Spec.MaxUnavailable != nil {
			errs = append(errs, field.Invalid(p, o.Spec.MinAvailable.String(), "minAvailable and maxUnavailable cannot be both set"))
		}
		if o.Spec.MinAvailable != nil {
			errs = append(errs, validateIntOrPercent(*o.Spec.MinAvailable, p.Child("minAvailable"))...)
		}
		if o.Spec.MaxUnavailable != nil {
			errs = append(errs, validateIntOrPercent(*o.Spec.MaxUnavailable, p.Child("maxUnavailable"))...)
		}
		errs = append(errs, selector.ValidateLabelSelector(o.Spec.Selector, p.Child("selector"))...)
	}
	return errs
}

// withPaths runs validate with field.Discard and, only when it finds
// errors, again from the path root, so that a valid object builds no
// field paths.
func withPaths(root string, validate func(*field.Path) field.ErrorList) field.ErrorList {
	if len(validate(field.Discard)) == 0 {
		return nil
	}
	return validate(field.NewPath(root))
}

func validateMeta(m *ObjectMeta, namespaced bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "name or generateName is required"))
	} else {
		for _, msg := range selector.IsDNS1123Subdomain(m.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), m.Name, msg))
		}
	}
	if namespaced {
		for _, msg := range selector.IsDNS1123Label(m.Namespace) {
			errs = append(errs, field.Invalid(p.Child("namespace"), m.Namespace, msg))
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(p.Child("namespace"), "not allowed on this type"))
	}
	errs = append(errs, selector.ValidateLabels(m.Labels, p.Child("labels"))...)
	for _, k := range sortedKeys(m.Annotations) {
		errs = append(errs, selector.ValidateLabelName(k, p.Child("annotations"))...)
	}
	for i, r := range m.OwnerReferences {
		rp := p.Child("ownerReferences").Index(i)
		if r.Kind == "" {
			errs = append(errs, field.Invalid(rp.Child("kind"), r.Kind, "kind must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, field.Invalid(rp.Child("name"), r.Name, "name must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, field.Invalid(rp.Child("uid"), r.UID, "uid must not be empty"))
		}
	}
	controllers := 0
	for _, r := range m.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			controllers++
		}
	}
	if controllers > 1 {
		errs = append(errs, field.Invalid(p.Child("ownerReferences"), controllers, "Only one reference can have Controller set to true"))
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

func validateResourceList(l ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, e := range l {
		rp := p.Key(string(e.Name))
		if i > 0 && l[i-1].Name >= e.Name {
			errs = append(errs, field.Invalid(rp, e.Name, "resource names must be sorted and unique (build lists with Resources or ParseResourceList)"))
		}
		for _, msg := range selector.IsQualifiedName(string(e.Name)) {
			errs = append(errs, field.Invalid(rp, string(e.Name), msg))
		}
		if e.Quantity.milli < 0 {
			errs = append(errs, field.Invalid(rp, e.Quantity.String(), "must be greater than or equal to 0"))
		}
	}
	return errs
}

var supportedRestartPolicies = []RestartPolicy{RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever}

func validatePodSpec(s *PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := map[string]bool{}
	errs = append(errs, validateContainers(s.InitContainers, p.Child("initContainers"), names)...)
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), ""))
	}
	errs = append(errs, validateContainers(s.Containers, p.Child("containers"), names)...)
	switch s.RestartPolicy {
	case RestartPolicyAlways, RestartPolicyOnFailure, RestartPolicyNever:
	case "":
		errs = append(errs, field.Required(p.Child("restartPolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("restartPolicy"), string(s.RestartPolicy), supportedRestartPolicies))
	}
	if g := s.TerminationGracePeriodSeconds; g != nil && *g < 0 {
		errs = append(errs, field.Invalid(p.Child("terminationGracePeriodSeconds"), *g, "must be greater than or equal to 0"))
	}
	if a := s.ActiveDeadlineSeconds; a != nil && *a <= 0 {
		errs = append(errs, field.Invalid(p.Child("activeDeadlineSeconds"), *a, "must be between 1 and 2147483647, inclusive"))
	}
	errs = append(errs, selector.ValidateLabels(s.NodeSelector, p.Child("nodeSelector"))...)
	if s.NodeName != "" {
		for _, msg := range selector.IsDNS1123Subdomain(s.NodeName) {
			errs = append(errs, field.Invalid(p.Child("nodeName"), s.NodeName, msg))
		}
	}
	if s.SchedulerName == "" {
		errs = append(errs, field.Required(p.Child("schedulerName"), ""))
	}
	if a := s.Affinity; a != nil && a.NodeAffinity != nil {
		ap := p.Child("affinity", "nodeAffinity")
		if r := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
			errs = append(errs, r.ValidateAt(ap.Child("requiredDuringSchedulingIgnoredDuringExecution"))...)
		}
		for i, t := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			tp := ap.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
			if t.Weight <= 0 || t.Weight > 100 {
				errs = append(errs, field.Invalid(tp.Child("weight"), t.Weight, "must be in the range 1-100"))
			}
			errs = append(errs, selector.ValidateNodeSelectorTerm(t.Preference, tp.Child("preference"))...)
		}
	}
	errs = append(errs, taints.ValidateTolerations(s.Tolerations, p.Child("tolerations"))...)
	if s.PriorityClassName != "" {
		for _, msg := range selector.IsDNS1123Subdomain(s.PriorityClassName) {
			errs = append(errs, field.Invalid(p.Child("priorityClassName"), s.PriorityClassName, msg))
		}
	}
	if pp := s.PreemptionPolicy; pp != nil && *pp != PreemptLowerPriority && *pp != PreemptNever {
		errs = append(errs, field.NotSupported(p.Child("preemptionPolicy"), string(*pp), []PreemptionPolicy{PreemptLowerPriority, PreemptNever}))
	}
	errs = append(errs, validateResourceList(s.Overhead, p.Child("overhead"))...)
	return errs
}

var supportedProtocols = []Protocol{ProtocolTCP, ProtocolUDP, ProtocolSCTP}

func validateContainers(cs []Container, p *field.Path, names map[string]bool) field.ErrorList {
	var errs field.ErrorList
	for i, c := range cs {
		cp := p.Index(i)
		if c.Name == "" {
			errs = append(errs, field.Required(cp.Child("name"), ""))
		} else {
			for _, msg := range selector.IsDNS1123Label(c.Name) {
				errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
			}
			if names[c.Name] {
				errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
			}
			names[c.Name] = true
		}
		rp := cp.Child("resources")
		errs = append(errs, validateResourceList(c.Resources.Limits, rp.Child("limits"))...)
		errs = append(errs, validateResourceList(c.Resources.Requests, rp.Child("requests"))...)
		for _, r := range c.Resources.Requests {
			if l, ok := c.Resources.Limits.Get(r.Name); ok && r.Quantity.Cmp(l) > 0 {
				errs = append(errs, field.Invalid(rp.Child("requests").Key(string(r.Name)), r.Quantity.String(),
					fmt.Sprintf("must be less than or equal to %s limit of %s", r.Name, l.String())))
			}
		}
		for j, port := range c.Ports {
			pp := cp.Child("ports").Index(j)
			if port.ContainerPort < 1 || port.ContainerPort > 65535 {
				errs = append(errs, field.Invalid(pp.Child("containerPort"), port.ContainerPort, "must be between 1 and 65535, inclusive"))
			}
			if port.HostPort < 0 || port.HostPort > 65535 {
				errs = append(errs, field.Invalid(pp.Child("hostPort"), port.HostPort, "must be between 1 and 65535, inclusive"))
			}
			switch port.Protocol {
			case ProtocolTCP, ProtocolUDP, ProtocolSCTP:
			default:
				errs = append(errs, field.NotSupported(pp.Child("protocol"), string(port.Protocol), supportedProtocols))
			}
		}
	}
	return errs
}

func validateIntOrPercent(v IntOrString, p *field.Path) field.ErrorList {
	if !v.IsString {
		if v.IntVal < 0 {
			return field.ErrorList{field.Invalid(p, v.IntVal, "must be greater than or equal to 0")}
		}
		return nil
	}
	n, err := v.ScaledValue(100, false) // the percentage itself
	if err != nil {
		return field.ErrorList{field.Invalid(p, v.StrVal, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")}
	}
	if n < 0 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must be greater than or equal to 0")}
	}
	if n > 100 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must not be greater than 100%")}
	}
	return nil
}

func isZeroIntOrPercent(v *IntOrString) bool {
	if v == nil {
		return true
	}
	n, err := v.ScaledValue(100, false)
	return err == nil && n == 0
}

var supportedDSStrategies = []DaemonSetUpdateStrategyType{RollingUpdateDaemonSetStrategyType, OnDeleteDaemonSetStrategyType}

func validateDaemonSetSpec(s *DaemonSetSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, selector.ValidateLabelSelector(s.Selector, p.Child("selector"))...)
	sel, err := selector.LabelSelectorAsSelector(s.Selector)
	if err == nil && !sel.Matches(s.Template.Labels) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), s.Template.Labels.String(), "`selector` does not match template `labels`"))
	}
	if s.Selector.IsEmpty() {
		errs = append(errs, field.Invalid(p.Child("selector"), "{}", "empty selector is invalid for daemonset"))
	}
	tp := p.Child("template")
	errs = append(errs, selector.ValidateLabels(s.Template.Labels, tp.Child("metadata", "labels"))...)
	errs = append(errs, validatePodSpec(&s.Template.Spec, tp.Child("spec"))...)
	if rp := s.Template.Spec.RestartPolicy; rp != RestartPolicyAlways && rp != "" {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), string(rp), []RestartPolicy{RestartPolicyAlways}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(tp.Child("spec", "activeDeadlineSeconds"), *s.Template.Spec.ActiveDeadlineSeconds, "activeDeadlineSeconds in DaemonSet is not Supported"))
	}
	if s.MinReadySeconds < 0 {
		errs = append(errs, field.Invalid(p.Child("minReadySeconds"), s.MinReadySeconds, "must be greater than or equal to 0"))
	}
	if l := s.RevisionHistoryLimit; l != nil && *l < 0 {
		errs = append(errs, field.Invalid(p.Child("revisionHistoryLimit"), *l, "must be greater than or equal to 0"))
	}
	up := p.Child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case OnDeleteDaemonSetStrategyType:
	case RollingUpdateDaemonSetStrategyType:
		ru := s.UpdateStrategy.RollingUpdate
		if ru == nil {
			errs = append(errs, field.Required(up.Child("rollingUpdate"), "this should be defaulted and never be nil"))
			break
		}
		rp := up.Child("rollingUpdate")
		if ru.MaxUnavailable != nil {
			errs = append(errs, validateIntOrPercent(*ru.MaxUnavailable, rp.Child("maxUnavailable"))...)
		}
		if ru.MaxSurge != nil {
			errs = append(errs, validateIntOrPercent(*ru.MaxSurge, rp.Child("maxSurge"))...)
		}
		zeroU, zeroS := isZeroIntOrPercent(ru.MaxUnavailable), isZeroIntOrPercent(ru.MaxSurge)
		switch {
		case zeroU && zeroS:
			errs = append(errs, field.Required(rp.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
		case !zeroU && !zeroS:
			errs = append(errs, field.Invalid(rp.Child("maxSurge"), ru.MaxSurge.String(), "may not be set when maxUnavailable is non-zero"))
		}
	case "":
		errs = append(errs, field.Required(up.Child("type"), ""))
	default:
		errs = append(errs, field.NotSupported(up.Child("type"), string(s.UpdateStrategy.Type), supportedDSStrategies))
	}
	return errs
}

// ValidateUpdate returns the problems with replacing old by new beyond
// Validate(new): immutable fields. A DaemonSet's spec.selector is immutable;
// a pod's spec may change only in container images, activeDeadlineSeconds
// and added tolerations (binding goes through Bind).
func ValidateUpdate(old, new Object) field.ErrorList {
	var errs field.ErrorList
	switch o := old.(type) {
	case *DaemonSet:
		n := new.(*DaemonSet)
		if !o.Spec.Selector.Equal(n.Spec.Selector) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), n.Spec.Selector.String(), "field is immutable"))
		}
	case *Pod:
		n := new.(*Pod)
		a, b := o.Spec.DeepCopy(), n.Spec.DeepCopy()
		for _, s := range []*PodSpec{&a, &b} {
			for i := range s.Containers {
				s.Containers[i].Image = ""
			}
			for i := range s.InitContainers {
				s.InitContainers[i].Image = ""
			}
			s.ActiveDeadlineSeconds = nil
		}
		if len(b.Tolerations) >= len(a.Tolerations) {
			b.Tolerations = b.Tolerations[:len(a.Tolerations)]
		}
		if !jsonEqual(a, b) {
			errs = append(errs, field.Forbidden(field.NewPath("spec"), "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)"))
		}
	case *PriorityClass:
		n := new.(*PriorityClass)
		if o.Value != n.Value {
			errs = append(errs, field.Forbidden(field.NewPath("value"), "may not be changed in an update."))
		}
		if (o.PreemptionPolicy == nil) != (n.PreemptionPolicy == nil) || (o.PreemptionPolicy != nil && *o.PreemptionPolicy != *n.PreemptionPolicy) {
			errs = append(errs, field.Forbidden(field.NewPath("preemptionPolicy"), "may not be changed in an update."))
		}
	case *ControllerRevision:
		n := new.(*ControllerRevision)
		if !jsonEqual(o.Data, n.Data) {
			errs = append(errs, field.Invalid(field.NewPath("data"), "<bytes>", "field is immutable"))
		}
	}
	return errs
}

// jsonEqual reports whether a and b serialise to the same JSON.
func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}
