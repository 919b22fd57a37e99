package taints

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
)

// Effect is what a taint does to pods that do not tolerate it.
type Effect string

// The taint effects.
const (
	// NoSchedule: no new pod that does not tolerate the taint is placed on
	// the node; pods already there stay.
	NoSchedule Effect = "NoSchedule"
	// PreferNoSchedule: the scheduler avoids the node when it can (a score).
	PreferNoSchedule Effect = "PreferNoSchedule"
	// NoExecute: pods that do not tolerate the taint are evicted, and no new
	// one is placed.
	NoExecute Effect = "NoExecute"
)

var validEffects = []Effect{NoSchedule, PreferNoSchedule, NoExecute}

// Operator is a toleration's operator.
type Operator string

// The toleration operators. "" means Equal. Gt and Lt compare integer values
// and take effect only through the Comparing methods (upstream's
// TaintTolerationComparisonOperators feature gate, off by default).
const (
	OpEqual  Operator = "Equal"
	OpExists Operator = "Exists"
	OpGt     Operator = "Gt"
	OpLt     Operator = "Lt"
)

// Well-known taint keys set by Kubernetes itself.
const (
	KeyNodeNotReady           = "node.kubernetes.io/not-ready"
	KeyNodeUnreachable        = "node.kubernetes.io/unreachable"
	KeyNodeUnschedulable      = "node.kubernetes.io/unschedulable"
	KeyNodeMemoryPressure     = "node.kubernetes.io/memory-pressure"
	KeyNodeDiskPressure       = "node.kubernetes.io/disk-pressure"
	KeyNodePIDPressure        = "node.kubernetes.io/pid-pressure"
	KeyNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
	KeyControlPlane           = "node-role.kubernetes.io/control-plane"
)

// Taint is a node taint (v1.Taint). Taints on a node are unique by key and
// effect. TimeAdded is data only: nothing here reads it to decide anything.
type Taint struct {
	Key       string     `json:"key"`
	Value     string     `json:"value,omitempty"`
	Effect    Effect     `json:"effect"`
	TimeAdded *time.Time `json:"timeAdded,omitempty"`
}

// MatchTaint reports whether t and o have the same key and effect (the
// identity of a taint on a node).
func (t Taint) MatchTaint(o Taint) bool { return t.Key == o.Key && t.Effect == o.Effect }

// String renders the taint in kubectl's form: "key=value:Effect",
// "key:Effect", "key=value:" (no effect) or "key".
func (t Taint) String() string {
	if t.Effect == "" {
		if t.Value == "" {
			return t.Key
		}
		return t.Key + "=" + t.Value + ":"
	}
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// Toleration is a pod toleration (v1.Toleration). TolerationSeconds, with
// effect NoExecute, bounds how long the pod stays once the taint appears.
type Toleration struct {
	Key               string   `json:"key,omitempty"`
	Operator          Operator `json:"operator,omitempty"`
	Value             string   `json:"value,omitempty"`
	Effect            Effect   `json:"effect,omitempty"`
	TolerationSeconds *int64   `json:"tolerationSeconds,omitempty"`
}

// MatchToleration reports whether t and o are the same toleration for
// deduplication: key, operator, value and effect equal (tolerationSeconds
// ignored), as upstream's MatchToleration.
func (t Toleration) MatchToleration(o Toleration) bool {
	return t.Key == o.Key && t.Effect == o.Effect && t.Operator == o.Operator && t.Value == o.Value
}

// Equal reports whether t and o are identical, including tolerationSeconds.
func (t Toleration) Equal(o Toleration) bool {
	if !t.MatchToleration(o) {
		return false
	}
	if t.TolerationSeconds == nil || o.TolerationSeconds == nil {
		return t.TolerationSeconds == o.TolerationSeconds
	}
	return *t.TolerationSeconds == *o.TolerationSeconds
}

// String renders the toleration compactly for logs:
// "key=value:Effect", "key:Effect" (Exists), ":NoExecute" (empty key),
// with " for 300s" when tolerationSeconds is set.
func (t Toleration) String() string {
	var b strings.Builder
	b.WriteString(t.Key)
	switch t.Operator {
	case OpExists:
	case OpGt:
		b.WriteString(">" + t.Value)
	case OpLt:
		b.WriteString("<" + t.Value)
	default:
		b.WriteString("=" + t.Value)
	}
	b.WriteString(":" + string(t.Effect))
	if t.TolerationSeconds != nil {
		fmt.Fprintf(&b, " for %ds", *t.TolerationSeconds)
	}
	return b.String()
}

// ToleratesTaint reports whether t tolerates taint, with upstream rules and
// the comparison operators disabled (the default): an empty effect matches
// every effect; an empty key (with Exists) matches every key; Equal (or "")
// requires equal values (both may be ""); Exists ignores the value; Gt, Lt
// and any other operator tolerate nothing.
func (t Toleration) ToleratesTaint(taint Taint) bool { return t.tolerates(taint, false) }

// ToleratesTaintComparing is ToleratesTaint with the Gt/Lt operators
// enabled: both values must be canonical decimal int64s and the taint's
// value must be strictly greater (Gt) or less (Lt) than the toleration's.
func (t Toleration) ToleratesTaintComparing(taint Taint) bool { return t.tolerates(taint, true) }

func (t Toleration) tolerates(taint Taint, comparing bool) bool {
	if t.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key != "" && t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case "", OpEqual:
		return t.Value == taint.Value
	case OpExists:
		return true
	case OpGt, OpLt:
		if !comparing {
			return false
		}
		tv, ok1 := decimalInt(t.Value)
		nv, ok2 := decimalInt(taint.Value)
		if !ok1 || !ok2 {
			return false
		}
		if t.Operator == OpGt {
			return nv > tv
		}
		return nv < tv
	}
	return false
}

// decimalInt parses s as an int64 in canonical decimal form (no sign "+",
// no leading zeros, "-0" refused), as upstream's IsDecimalInteger requires.
func decimalInt(s string) (int64, bool) {
	if s == "" || s == "-" {
		return 0, false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	if s[i] == '0' && !(len(s) == 1) {
		return 0, false
	}
	for j := i; j < len(s); j++ {
		if s[j] < '0' || s[j] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// TolerationsTolerateTaint reports whether any toleration tolerates taint.
// Cost: O(len(tols)).
func TolerationsTolerateTaint(tols []Toleration, taint Taint) bool {
	for i := range tols {
		if tols[i].ToleratesTaint(taint) {
			return true
		}
	}
	return false
}

// FindUntolerated returns the first taint, in the order of ts, that include
// accepts (nil accepts all) and no toleration tolerates; ok is false when
// there is none. It mirrors upstream's FindMatchingUntoleratedTaint with the
// comparison operators disabled. Cost: O(len(ts) × len(tols)).
func FindUntolerated(ts []Taint, tols []Toleration, include func(Taint) bool) (Taint, bool) {
	for _, t := range ts {
		if include != nil && !include(t) {
			continue
		}
		if !TolerationsTolerateTaint(tols, t) {
			return t, true
		}
	}
	return Taint{}, false
}

// DoNotScheduleFilter accepts the taints that block scheduling: NoSchedule
// and NoExecute (the filter of the scheduler and the DaemonSet controller).
func DoNotScheduleFilter(t Taint) bool { return t.Effect == NoSchedule || t.Effect == NoExecute }

// NoExecuteFilter accepts NoExecute taints only.
func NoExecuteFilter(t Taint) bool { return t.Effect == NoExecute }

// Parse reads a taint in kubectl's syntax, "key=value:Effect" or
// "key:Effect". The key must be a valid qualified name, the value a valid
// label value, the effect one of the three. Errors read
// "invalid taint spec: <input>, <reason>".
func Parse(s string) (Taint, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 {
		if len(parts) == 1 {
			return Taint{}, fmt.Errorf("invalid taint spec: %v, an effect is required (key=value:Effect or key:Effect)", s)
		}
		return Taint{}, fmt.Errorf("invalid taint spec: %v", s)
	}
	effect := Effect(parts[1])
	switch effect {
	case NoSchedule, PreferNoSchedule, NoExecute:
	default:
		return Taint{}, fmt.Errorf("invalid taint effect: %v, unsupported taint effect", parts[1])
	}
	kv := strings.Split(parts[0], "=")
	if len(kv) > 2 {
		return Taint{}, fmt.Errorf("invalid taint spec: %v", s)
	}
	key, value := kv[0], ""
	if len(kv) == 2 {
		value = kv[1]
		if errs := selector.IsValidLabelValue(value); len(errs) > 0 {
			return Taint{}, fmt.Errorf("invalid taint spec: %v, %s", s, strings.Join(errs, "; "))
		}
	}
	if errs := selector.IsQualifiedName(key); len(errs) > 0 {
		return Taint{}, fmt.Errorf("invalid taint spec: %v, %s", s, strings.Join(errs, "; "))
	}
	return Taint{Key: key, Value: value, Effect: effect}, nil
}

// MustParse is Parse that panics on error. For tests, examples and constants.
func MustParse(s string) Taint {
	t, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return t
}

func validateEffect(e Effect, allowEmpty bool, p *field.Path) field.ErrorList {
	if e == "" {
		if allowEmpty {
			return nil
		}
		return field.ErrorList{field.Required(p, "")}
	}
	switch e {
	case NoSchedule, PreferNoSchedule, NoExecute:
		return nil
	}
	return field.ErrorList{field.NotSupported(p, string(e), validEffects)}
}

// ValidateTaints returns every problem with a node's taints, with paths
// under p, as upstream's validateNodeTaints (the path is the caller's:
// upstream validates a Node's spec.taints at metadata.taints, and the
// legacy taints annotation at metadata.annotations.<key>). The errors come
// in taint order and, per taint, in this order: its key (a qualified name),
// its value (a label value, one Invalid error with the messages joined by
// ";"), its effect (Required if empty, NotSupported if unknown), then a
// Duplicate at the taint's index if an earlier taint has the same key and
// effect ("taints must be unique by key and effect pair"; the value
// renders as upstream prints its internal core.Taint, in JSON without tags:
// {"Key":"k","Value":"v","Effect":"NoSchedule","TimeAdded":null}).
// Cost: O(len(ts)²) key comparisons; with p field.Discard no path is built.
func ValidateTaints(ts []Taint, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range ts {
		ip := p.Index(i)
		errs = append(errs, selector.ValidateLabelName(t.Key, ip.Child("key"))...)
		if msgs := selector.IsValidLabelValue(t.Value); len(msgs) != 0 {
			errs = append(errs, field.Invalid(ip.Child("value"), t.Value, strings.Join(msgs, ";")))
		}
		errs = append(errs, validateEffect(t.Effect, false, ip.Child("effect"))...)
		for j := range i {
			if ts[j].MatchTaint(t) {
				d := field.Duplicate(ip, internalTaint(t))
				d.Detail = "taints must be unique by key and effect pair"
				errs = append(errs, d)
				break
			}
		}
	}
	return errs
}

// coreTaint is a taint as upstream renders the bad value of a duplicate
// taint: its internal core.Taint, whose fields have no JSON tags, with
// timeAdded a metav1.Time (RFC 3339 in UTC, or null).
type coreTaint struct {
	Key, Value, Effect string
	TimeAdded          *string
}

func internalTaint(t Taint) coreTaint {
	c := coreTaint{Key: t.Key, Value: t.Value, Effect: string(t.Effect)}
	if t.TimeAdded != nil {
		s := t.TimeAdded.UTC().Format(time.RFC3339)
		c.TimeAdded = &s
	}
	return c
}

// The supported values upstream lists when it refuses a toleration
// operator: the long list for Lt and Gt (refused because the
// TaintTolerationComparisonOperators gate is off), the short one for any
// other unknown operator.
var (
	tolerationOperators      = []Operator{OpEqual, OpExists}
	tolerationOperatorsGated = []Operator{OpEqual, OpExists, OpLt, OpGt}
)

// ValidateTolerations returns every problem with a pod's tolerations, with
// paths under p (spec.tolerations, or the legacy tolerations annotation's
// key), as upstream's ValidateTolerations with the
// TaintTolerationComparisonOperators gate off (its v1.37 default). The
// errors come in toleration order and, per toleration, in this order:
//
//   - a non-empty key must be a qualified name (errors at key);
//   - an empty key needs operator Exists (Invalid at operator, "operator
//     must be Exists when `key` is empty, ...");
//   - tolerationSeconds needs effect NoExecute (Invalid at effect);
//   - the operator: Equal or "" needs a valid label value (one Invalid at
//     operator, the messages joined by ";"); Exists needs an empty value
//     (Invalid at operator); Lt and Gt are NotSupported with the supported
//     values "Equal", "Exists", "Lt", "Gt" (upstream's message with the gate
//     off); any other operator is NotSupported with "Equal", "Exists";
//   - a non-empty effect must be known (NotSupported at effect).
//
// Cost: O(total size of tols); with p field.Discard no path is built.
func ValidateTolerations(tols []Toleration, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range tols {
		ip := p.Index(i)
		if t.Key != "" && !wellKnownKey(t.Key) {
			errs = append(errs, selector.ValidateLabelName(t.Key, ip.Child("key"))...)
		}
		if t.Key == "" && t.Operator != OpExists {
			errs = append(errs, field.Invalid(ip.Child("operator"), string(t.Operator),
				"operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != NoExecute {
			errs = append(errs, field.Invalid(ip.Child("effect"), string(t.Effect),
				"effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case OpEqual, "":
			if msgs := selector.IsValidLabelValue(t.Value); len(msgs) != 0 {
				errs = append(errs, field.Invalid(ip.Child("operator"), t.Value, strings.Join(msgs, ";")))
			}
		case OpExists:
			if t.Value != "" {
				errs = append(errs, field.Invalid(ip.Child("operator"), t.Value, "value must be empty when `operator` is 'Exists'"))
			}
		case OpLt, OpGt:
			errs = append(errs, field.NotSupported(ip.Child("operator"), string(t.Operator), tolerationOperatorsGated))
		default:
			errs = append(errs, field.NotSupported(ip.Child("operator"), string(t.Operator), tolerationOperators))
		}
		errs = append(errs, validateEffect(t.Effect, true, ip.Child("effect"))...)
	}
	return errs
}

// wellKnownKey reports whether k is one of the (valid) keys of the taints
// Kubernetes sets itself, which every daemon pod tolerates: a shortcut past
// the qualified-name check on the path every pod create takes.
func wellKnownKey(k string) bool {
	switch k {
	case KeyNodeNotReady, KeyNodeUnreachable, KeyNodeUnschedulable, KeyNodeMemoryPressure,
		KeyNodeDiskPressure, KeyNodePIDPressure, KeyNodeNetworkUnavailable, KeyControlPlane:
		return true
	}
	return false
}

// EvictionDelay says when the NoExecute taints ts evict a pod with the
// tolerations tols, counted from the moment the taints are observed, with the
// rules of upstream's taint-eviction controller:
//
//   - no NoExecute taint in ts: never (evict false);
//   - some NoExecute taint tolerated by no toleration: now (0, true);
//   - otherwise the smallest tolerationSeconds among the tolerations used
//     (0 or negative: now); if none of them sets tolerationSeconds: never.
//     For each NoExecute taint the toleration used is the first in tols
//     that tolerates it (upstream's GetMatchingTolerations): a later one
//     with a shorter tolerationSeconds does not shorten the delay.
//
// Taint TimeAdded is not used: upstream counts from observation, not from it.
func EvictionDelay(ts []Taint, tols []Toleration) (delay time.Duration, evict bool) {
	minSeconds := int64(-1)
	any := false
	for _, t := range ts {
		if t.Effect != NoExecute {
			continue
		}
		any = true
		tolerated := false
		for _, tol := range tols {
			if !tol.ToleratesTaint(t) {
				continue
			}
			tolerated = true
			if tol.TolerationSeconds != nil {
				s := max(*tol.TolerationSeconds, 0)
				if minSeconds < 0 || s < minSeconds {
					minSeconds = s
				}
			}
			break // only the first tolerating toleration is used
		}
		if !tolerated {
			return 0, true
		}
	}
	if !any || minSeconds < 0 {
		return 0, false
	}
	return time.Duration(minSeconds) * time.Second, true
}

// EvictionTime is EvictionDelay as an instant: now plus the delay.
func EvictionTime(ts []Taint, tols []Toleration, now time.Time) (at time.Time, evict bool) {
	d, ok := EvictionDelay(ts, tols)
	if !ok {
		return time.Time{}, false
	}
	return now.Add(d), true
}
