package selector

import (
	"slices"
	"strconv"
	"strings"

	"github.com/daemonsim/daemonsim/field"
)

// Operator is a requirement's operator, with the string values of upstream's
// k8s.io/apimachinery/pkg/selection package.
type Operator string

// The operators. Equals and DoubleEquals behave like In with one value;
// NotEquals like NotIn with one value.
const (
	DoesNotExist Operator = "!"
	Equals       Operator = "="
	DoubleEquals Operator = "=="
	In           Operator = "in"
	NotEquals    Operator = "!="
	NotIn        Operator = "notin"
	Exists       Operator = "exists"
	GreaterThan  Operator = "gt"
	LessThan     Operator = "lt"
)

// Gt and Lt are the short names of GreaterThan and LessThan.
const (
	Gt = GreaterThan
	Lt = LessThan
)

var validRequirementOperators = []Operator{In, NotIn, Equals, DoubleEquals, NotEquals, Exists, DoesNotExist, GreaterThan, LessThan}

// Requirement is one condition on one label key. It is an immutable value;
// the zero Requirement is not valid and matches nothing useful.
type Requirement struct {
	key    string
	op     Operator
	values []string // sorted; duplicates kept (as upstream prints them)
}

// NewRequirement validates and returns a requirement. The rules, all checked
// and reported together (joined, in this order):
//
//  1. key is a valid label key (IsQualifiedName);
//  2. In and NotIn need at least one value;
//  3. Equals, DoubleEquals and NotEquals need exactly one value;
//  4. Exists and DoesNotExist take no values;
//  5. GreaterThan and LessThan need exactly one value, an int64;
//  6. any other operator is unsupported;
//  7. every value is a valid label value.
//
// Values are stored sorted (duplicates kept, as upstream prints them); the
// order does not change what the requirement matches. Errors are *field.Error values (errors.Is ErrInvalid).
func NewRequirement(key string, op Operator, values ...string) (Requirement, error) {
	return newRequirement(key, op, values, nil)
}

func newRequirement(key string, op Operator, vals []string, path *field.Path) (Requirement, error) {
	var errs field.ErrorList
	if msgs := IsQualifiedName(key); len(msgs) != 0 {
		errs = append(errs, field.Invalid(path.Child("key"), key, strings.Join(msgs, "; ")))
	}
	valuePath := path.Child("values")
	switch op {
	case In, NotIn:
		if len(vals) == 0 {
			errs = append(errs, field.Invalid(valuePath, vals, "for 'in', 'notin' operators, values set can't be empty"))
		}
	case Equals, DoubleEquals, NotEquals:
		if len(vals) != 1 {
			errs = append(errs, field.Invalid(valuePath, vals, "exact-match compatibility requires one single value"))
		}
	case Exists, DoesNotExist:
		if len(vals) != 0 {
			errs = append(errs, field.Invalid(valuePath, vals, "values set must be empty for exists and does not exist"))
		}
	case GreaterThan, LessThan:
		if len(vals) != 1 {
			errs = append(errs, field.Invalid(valuePath, vals, "for 'Gt', 'Lt' operators, exactly one value is required"))
		}
		for i, v := range vals {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				errs = append(errs, field.Invalid(valuePath.Index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
			}
		}
	default:
		errs = append(errs, field.NotSupported(path.Child("operator"), string(op), validRequirementOperators))
	}
	for i, v := range vals {
		if msgs := IsValidLabelValue(v); len(msgs) != 0 {
			errs = append(errs, field.Invalid(valuePath.Index(i).Key(key), v, strings.Join(msgs, "; ")))
		}
	}
	if err := errs.ToAggregate(); err != nil {
		return Requirement{}, err
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	return Requirement{key: key, op: op, values: sorted}, nil
}

// Key returns the label key.
func (r Requirement) Key() string { return r.key }

// Operator returns the operator.
func (r Requirement) Operator() Operator { return r.op }

// Values returns a copy of the values in ascending order.
func (r Requirement) Values() []string { return slices.Clone(r.values) }

func (r Requirement) hasValue(v string) bool {
	for _, x := range r.values {
		if x == v {
			return true
		}
	}
	return false
}

// Matches reports whether the labels satisfy the requirement:
//
//   - In, Equals, DoubleEquals: the key is present and its value is listed;
//   - NotIn, NotEquals: the key is absent, or its value is not listed;
//   - Exists: the key is present (any value, including "");
//   - DoesNotExist: the key is absent;
//   - GreaterThan, LessThan: the key is present and its value parses as an
//     int64 strictly greater (less) than the requirement's; otherwise false.
//
// Cost: O(number of values).
func (r Requirement) Matches(ls Labels) bool {
	switch r.op {
	case In, Equals, DoubleEquals:
		v, ok := ls.Lookup(r.key)
		return ok && r.hasValue(v)
	case NotIn, NotEquals:
		v, ok := ls.Lookup(r.key)
		return !ok || !r.hasValue(v)
	case Exists:
		return ls.Has(r.key)
	case DoesNotExist:
		return !ls.Has(r.key)
	case GreaterThan, LessThan:
		v, ok := ls.Lookup(r.key)
		if !ok || len(r.values) != 1 {
			return false
		}
		lv, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return false
		}
		rv, err := strconv.ParseInt(r.values[0], 10, 64)
		if err != nil {
			return false
		}
		if r.op == GreaterThan {
			return lv > rv
		}
		return lv < rv
	}
	return false
}

// String renders the requirement in the syntax Parse reads: "!k", "k",
// "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a,b)", "k>v", "k<v".
func (r Requirement) String() string {
	var b strings.Builder
	if r.op == DoesNotExist {
		b.WriteByte('!')
	}
	b.WriteString(r.key)
	switch r.op {
	case Equals:
		b.WriteString("=")
	case DoubleEquals:
		b.WriteString("==")
	case NotEquals:
		b.WriteString("!=")
	case In:
		b.WriteString(" in ")
	case NotIn:
		b.WriteString(" notin ")
	case GreaterThan:
		b.WriteString(">")
	case LessThan:
		b.WriteString("<")
	default:
		return b.String()
	}
	set := r.op == In || r.op == NotIn
	if set {
		b.WriteByte('(')
	}
	b.WriteString(strings.Join(r.values, ","))
	if set {
		b.WriteByte(')')
	}
	return b.String()
}

// Equal reports whether r and o have the same key, operator and set of
// values (duplicates do not count).
func (r Requirement) Equal(o Requirement) bool {
	return r.key == o.key && r.op == o.op && slices.Equal(slices.Compact(slices.Clone(r.values)), slices.Compact(slices.Clone(o.values)))
}
