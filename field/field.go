// Package field describes validation errors the way the Kubernetes API server
// reports them: a field path, an error type, the bad value and a detail.
//
// It mirrors k8s.io/apimachinery/pkg/util/validation/field closely enough that
// messages read the same ("spec.selector: Invalid value: ...: detail"). It is a
// leaf package (standard library only) shared by selector, taints and cluster.
//
// # Usage
//
//	var errs field.ErrorList
//	p := field.NewPath("spec").Child("selector")
//	errs = append(errs, field.Required(p, ""))
//	return errs.ToAggregate() // nil when empty
//
// # Determinism
//
// Nothing here reads a clock or iterates a map; an ErrorList keeps the order
// in which errors were appended, and ToAggregate preserves it.
package field

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Path is a field path such as spec.template.spec.containers[0].image.
// The zero value and nil are the empty path. Paths are immutable: Child, Index
// and Key return new paths and never change the receiver.
type Path struct {
	parent *Path
	name   string // a field name, or "" for an index or key element
	index  string // "[3]" or "[key]" when name is ""
}

// Discard is a path that records nothing: its children are Discard itself,
// so validating with it builds no paths. Validators are run with Discard
// first and, only when that finds errors, again with the real path: valid
// objects, the common case, then cost no path allocations. Errors made with
// Discard render it as "<discarded>" and are meant to be thrown away.
var Discard = &Path{name: "<discarded>"}

// NewPath returns the path made of name followed by more.
func NewPath(name string, more ...string) *Path {
	p := &Path{name: name}
	for _, m := range more {
		p = p.Child(m)
	}
	return p
}

// Child returns the path p.name (p may be nil, giving a root path).
func (p *Path) Child(name string, more ...string) *Path {
	if p == Discard {
		return Discard
	}
	c := &Path{parent: p, name: name}
	for _, m := range more {
		c = c.Child(m)
	}
	return c
}

// Index returns the path p[i].
func (p *Path) Index(i int) *Path {
	if p == Discard {
		return Discard
	}
	return &Path{parent: p, index: "[" + strconv.Itoa(i) + "]"}
}

// Key returns the path p[key].
func (p *Path) Key(key string) *Path {
	if p == Discard {
		return Discard
	}
	return &Path{parent: p, index: "[" + key + "]"}
}

// String renders the path with dots between names and brackets for
// indexes and keys, as upstream does. The nil path renders as "".
func (p *Path) String() string {
	if p == nil {
		return ""
	}
	var elems []*Path
	for q := p; q != nil; q = q.parent {
		elems = append(elems, q)
	}
	var b strings.Builder
	for i := len(elems) - 1; i >= 0; i-- {
		e := elems[i]
		if e.name == "" && e.index != "" {
			b.WriteString(e.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	return b.String()
}

// ErrorType names the kind of a validation error.
type ErrorType string

// The error types, with the same values as upstream.
const (
	ErrorTypeNotFound     ErrorType = "FieldValueNotFound"
	ErrorTypeRequired     ErrorType = "FieldValueRequired"
	ErrorTypeDuplicate    ErrorType = "FieldValueDuplicate"
	ErrorTypeInvalid      ErrorType = "FieldValueInvalid"
	ErrorTypeNotSupported ErrorType = "FieldValueNotSupported"
	ErrorTypeForbidden    ErrorType = "FieldValueForbidden"
	ErrorTypeTooLong      ErrorType = "FieldValueTooLong"
	ErrorTypeTooMany      ErrorType = "FieldValueTooMany"
	ErrorTypeInternal     ErrorType = "InternalError"
)

// String returns the human-readable name used in messages ("Invalid value").
func (t ErrorType) String() string {
	switch t {
	case ErrorTypeNotFound:
		return "Not found"
	case ErrorTypeRequired:
		return "Required value"
	case ErrorTypeDuplicate:
		return "Duplicate value"
	case ErrorTypeInvalid:
		return "Invalid value"
	case ErrorTypeNotSupported:
		return "Unsupported value"
	case ErrorTypeForbidden:
		return "Forbidden"
	case ErrorTypeTooLong:
		return "Too long"
	case ErrorTypeTooMany:
		return "Too many"
	case ErrorTypeInternal:
		return "Internal error"
	default:
		return fmt.Sprintf("<unknown error %q>", string(t))
	}
}

// Error is one validation failure. It implements error.
type Error struct {
	Type     ErrorType
	Field    string
	BadValue any
	Detail   string
}

// ErrInvalid is matched by every *Error through errors.Is, so callers can
// test "was this a validation failure" without inspecting messages.
var ErrInvalid = errors.New("invalid")

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Error renders "<field>: <type>[: <value>][: <detail>]" like the API server.
func (e *Error) Error() string {
	return e.Field + ": " + e.ErrorBody()
}

// ErrorBody is the message without the field path.
func (e *Error) ErrorBody() string {
	var s string
	switch e.Type {
	case ErrorTypeRequired, ErrorTypeForbidden, ErrorTypeTooLong, ErrorTypeInternal:
		s = e.Type.String()
	default:
		s = e.Type.String() + ": " + formatValue(e.BadValue)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func formatValue(v any) string {
	switch t := v.(type) {
	case int, int64, int32, uint64, float64, bool:
		return fmt.Sprint(t)
	case string:
		return strconv.Quote(t)
	case fmt.Stringer:
		return t.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprintf("%#v", v)
}

// Invalid returns an ErrorTypeInvalid error.
func Invalid(p *Path, value any, detail string) *Error {
	return &Error{ErrorTypeInvalid, p.String(), value, detail}
}

// Required returns an ErrorTypeRequired error.
func Required(p *Path, detail string) *Error {
	return &Error{ErrorTypeRequired, p.String(), "", detail}
}

// Forbidden returns an ErrorTypeForbidden error.
func Forbidden(p *Path, detail string) *Error {
	return &Error{ErrorTypeForbidden, p.String(), "", detail}
}

// Duplicate returns an ErrorTypeDuplicate error.
func Duplicate(p *Path, value any) *Error {
	return &Error{ErrorTypeDuplicate, p.String(), value, ""}
}

// NotFound returns an ErrorTypeNotFound error.
func NotFound(p *Path, value any) *Error {
	return &Error{ErrorTypeNotFound, p.String(), value, ""}
}

// TooLong returns an ErrorTypeTooLong error.
func TooLong(p *Path, maxLen int) *Error {
	return &Error{ErrorTypeTooLong, p.String(), "", fmt.Sprintf("may not be more than %d bytes", maxLen)}
}

// NotSupported returns an ErrorTypeNotSupported error listing the supported
// values in the order given.
func NotSupported[T ~string](p *Path, value any, valid []T) *Error {
	detail := ""
	if len(valid) > 0 {
		q := make([]string, len(valid))
		for i, v := range valid {
			q[i] = strconv.Quote(string(v))
		}
		detail = "supported values: " + strings.Join(q, ", ")
	}
	return &Error{ErrorTypeNotSupported, p.String(), value, detail}
}

// ErrorList is an ordered list of validation errors.
type ErrorList []*Error

// ToAggregate returns nil for an empty list, the single error for one, and
// errors.Join of all of them (in list order) otherwise. Every returned error
// satisfies errors.Is(err, ErrInvalid).
func (l ErrorList) ToAggregate() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// WithPrefix returns a copy of l where every field path is prefixed by p
// (as "p.field", or "p" when the field is empty). Errors are copied, not shared.
func (l ErrorList) WithPrefix(p *Path) ErrorList {
	prefix := p.String()
	out := make(ErrorList, len(l))
	for i, e := range l {
		c := *e
		switch {
		case prefix == "":
		case c.Field == "":
			c.Field = prefix
		case strings.HasPrefix(c.Field, "["):
			c.Field = prefix + c.Field
		default:
			c.Field = prefix + "." + c.Field
		}
		out[i] = &c
	}
	return out
}
