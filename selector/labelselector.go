package selector

import (
	"fmt"
	"slices"
	"strings"

	"github.com/daemonsim/daemonsim/field"
)

// LabelSelectorOperator is the operator of a LabelSelectorRequirement.
type LabelSelectorOperator string

// The operators a LabelSelector accepts. Gt and Lt are not among them.
const (
	LabelSelectorOpIn           LabelSelectorOperator = "In"
	LabelSelectorOpNotIn        LabelSelectorOperator = "NotIn"
	LabelSelectorOpExists       LabelSelectorOperator = "Exists"
	LabelSelectorOpDoesNotExist LabelSelectorOperator = "DoesNotExist"
)

// LabelSelector is the structured selector of the Kubernetes API
// (metav1.LabelSelector): matchLabels and matchExpressions, all ANDed.
type LabelSelector struct {
	MatchLabels      Set                        `json:"matchLabels,omitempty"`
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// LabelSelectorRequirement is one expression of a LabelSelector.
type LabelSelectorRequirement struct {
	Key      string                `json:"key"`
	Operator LabelSelectorOperator `json:"operator"`
	Values   []string              `json:"values,omitempty"`
}

// DeepCopy returns a copy of ls that shares nothing with it; nil stays nil.
func (ls *LabelSelector) DeepCopy() *LabelSelector {
	if ls == nil {
		return nil
	}
	out := &LabelSelector{MatchLabels: ls.MatchLabels.Clone()}
	if ls.MatchExpressions != nil {
		out.MatchExpressions = make([]LabelSelectorRequirement, len(ls.MatchExpressions))
		for i, e := range ls.MatchExpressions {
			e.Values = slices.Clone(e.Values)
			out.MatchExpressions[i] = e
		}
	}
	return out
}

// Equal reports whether two label selectors are semantically the same
// object: same matchLabels and same expressions in the same order.
func (ls *LabelSelector) Equal(o *LabelSelector) bool {
	if ls == nil || o == nil {
		return ls == o
	}
	return ls.MatchLabels.Equal(o.MatchLabels) &&
		slices.EqualFunc(ls.MatchExpressions, o.MatchExpressions, func(a, b LabelSelectorRequirement) bool {
			return a.Key == b.Key && a.Operator == b.Operator && slices.Equal(a.Values, b.Values)
		})
}

// IsEmpty reports whether ls is non-nil with no matchLabels and no
// matchExpressions (the selector that matches everything).
func (ls *LabelSelector) IsEmpty() bool {
	return ls != nil && len(ls.MatchLabels) == 0 && len(ls.MatchExpressions) == 0
}

// String renders the selector as LabelSelectorAsSelector would, or
// "<nil>"/"<error>" when it cannot be converted.
func (ls *LabelSelector) String() string {
	if ls == nil {
		return "<nil>"
	}
	s, err := LabelSelectorAsSelector(ls)
	if err != nil {
		return "<error>"
	}
	return s.String()
}

// LabelSelectorAsSelector converts a LabelSelector with upstream semantics:
// nil gives Nothing, an empty selector gives Everything, matchLabels become
// Equals requirements, and matchExpressions accept In, NotIn, Exists and
// DoesNotExist only (anything else is the error `"Gt" is not a valid label
// selector operator`). The first invalid requirement's error is returned.
// Cost: O(size of ls); the result shares nothing with ls.
func LabelSelectorAsSelector(ls *LabelSelector) (Selector, error) {
	if ls == nil {
		return Nothing(), nil
	}
	if len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		return Everything(), nil
	}
	reqs := make([]Requirement, 0, len(ls.MatchLabels)+len(ls.MatchExpressions))
	for _, k := range ls.MatchLabels.sortedKeys() {
		r, err := NewRequirement(k, Equals, ls.MatchLabels[k])
		if err != nil {
			return Selector{}, err
		}
		reqs = append(reqs, r)
	}
	for _, e := range ls.MatchExpressions {
		var op Operator
		switch e.Operator {
		case LabelSelectorOpIn:
			op = In
		case LabelSelectorOpNotIn:
			op = NotIn
		case LabelSelectorOpExists:
			op = Exists
		case LabelSelectorOpDoesNotExist:
			op = DoesNotExist
		default:
			return Selector{}, fmt.Errorf("%q is not a valid label selector operator", string(e.Operator))
		}
		r, err := NewRequirement(e.Key, op, e.Values...)
		if err != nil {
			return Selector{}, err
		}
		reqs = append(reqs, r)
	}
	return Selector{}.Add(reqs...), nil
}

// ValidateLabelSelector returns every problem with ls, with field paths under
// p, as upstream's metav1 ValidateLabelSelector (with its options off, as on
// create). The errors come in this order: matchLabels (ValidateLabels, in key
// order), then per expression, in order: its operator (In and NotIn need
// values, "Required"; Exists and DoesNotExist take none, "Forbidden"; any
// other operator, Gt and Lt included, is Invalid "not a valid selector
// operator"), its key (a qualified name), its values (label values).
// A nil selector is valid here (callers decide whether it is required).
// Cost: O(size of ls); with p field.Discard no path is built.
func ValidateLabelSelector(ls *LabelSelector, p *field.Path) field.ErrorList {
	if ls == nil {
		return nil
	}
	errs := ValidateLabels(ls.MatchLabels, p.Child("matchLabels"))
	for i, e := range ls.MatchExpressions {
		ep := p.Child("matchExpressions").Index(i)
		switch e.Operator {
		case LabelSelectorOpIn, LabelSelectorOpNotIn:
			if len(e.Values) == 0 {
				errs = append(errs, field.Required(ep.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case LabelSelectorOpExists, LabelSelectorOpDoesNotExist:
			if len(e.Values) > 0 {
				errs = append(errs, field.Forbidden(ep.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		default:
			errs = append(errs, field.Invalid(ep.Child("operator"), string(e.Operator), msgBadSelectorOperator))
		}
		errs = append(errs, ValidateLabelName(e.Key, ep.Child("key"))...)
		for j, v := range e.Values {
			errs = append(errs, ValidateLabelValue(v, ep.Child("values").Index(j))...)
		}
	}
	return errs
}

// msgBadSelectorOperator is upstream's detail for an unknown operator in
// a label selector and in a node selector requirement.
const msgBadSelectorOperator = "not a valid selector operator"

// FormatLabelSelector renders ls for messages the way kubectl does:
// "<none>" for an empty selector, the selector string otherwise.
func FormatLabelSelector(ls *LabelSelector) string {
	s, err := LabelSelectorAsSelector(ls)
	if err != nil {
		return "<error>"
	}
	if str := strings.TrimSpace(s.String()); str != "" {
		return str
	}
	return "<none>"
}
