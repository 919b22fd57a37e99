package manifest

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// checker checks one object's JSON against Kubernetes' schema of its
// kind, as the API server's strict decoding does, and against what
// daemonsim models: a field Kubernetes does not have and a value of the
// wrong type are problems; a field daemonsim does not model is recorded as
// ignored and removed from the JSON, so that decoding sees only what it
// models.
type checker struct {
	l    *loader
	d    *document
	kind string
	base int // the length of the object's path in the document
	// problems and ignored fields found, ordered by line at the end
	problems []Problem
	ignored  []Ignored
}

func (c *checker) problem(p path, msg string) {
	c.problems = append(c.problems, Problem{File: c.l.file, Line: c.d.fileLine(lineOf(c.d.root, p)), Path: p.String(), Message: msg})
}

// check checks v, at p, against t; m is what daemonsim models of it (nil:
// nothing). Object fields are visited in key order and the findings
// sorted by line, so the result does not depend on map order.
func (c *checker) check(t *k8sType, m *model, v any, p path) {
	c.value(t, m, v, p)
	byLine := func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Path, b.Path)
	}
	slices.SortStableFunc(c.problems, byLine)
	c.l.problems = append(c.l.problems, c.problems...)
	slices.SortStableFunc(c.ignored, func(a, b Ignored) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Path, b.Path)
	})
}

func (c *checker) ignore(p path) {
	name := p[c.base:].collapsed()
	line := c.d.fileLine(lineOf(c.d.root, p))
	for i := range c.ignored {
		if c.ignored[i].Path == name {
			c.ignored[i].Count++
			c.ignored[i].Line = min(c.ignored[i].Line, line)
			return
		}
	}
	c.ignored = append(c.ignored, Ignored{Path: name, Kind: c.kind, File: c.l.file, Line: line, Count: 1})
}

func (c *checker) value(t *k8sType, m *model, v any, p path) {
	if v == nil {
		return // null is every type's zero value
	}
	switch t.kind {
	case kObject:
		obj, ok := v.(map[string]any)
		if !ok {
			c.problem(p, "expected object")
			return
		}
		top := len(p) == c.base
		for _, k := range sortedKeys(obj) {
			q := p.child(k)
			ft, ok := t.field(k)
			if !ok {
				c.problem(q, "unknown field")
				continue
			}
			if top && (k == "apiVersion" || k == "kind") {
				c.value(ft, nil, obj[k], q)
				continue
			}
			fm := m.child(k)
			c.value(ft, fm, obj[k], q)
			if fm != nil && fm.decimal && obj[k] == "" {
				delete(obj, k) // "" is no resourceVersion
			}
			if m != nil && fm == nil {
				if obj[k] != nil { // a null carries nothing to ignore
					c.ignore(q)
				}
				delete(obj, k)
			}
		}
	case kArray:
		arr, ok := v.([]any)
		if !ok {
			c.problem(p, "expected array")
			return
		}
		for i, e := range arr {
			c.value(&k8sTypes[t.elem], m.item(), e, p.index(i))
		}
	case kMap:
		obj, ok := v.(map[string]any)
		if !ok {
			c.problem(p, "expected object")
			return
		}
		for _, k := range sortedKeys(obj) {
			c.value(&k8sTypes[t.elem], m.item(), obj[k], p.key(k))
		}
	case kString:
		s, ok := v.(string)
		if !ok {
			c.problem(p, "expected string")
			return
		}
		if m != nil && m.decimal {
			if _, err := strconv.ParseUint(s, 10, 64); err != nil && s != "" {
				c.problem(p, "Invalid value: "+strconv.Quote(s)+": daemonsim needs a decimal number")
			}
		}
	case kInteger:
		n, ok := v.(json.Number)
		if !ok {
			c.problem(p, "expected integer")
			return
		}
		if _, err := strconv.ParseInt(n.String(), 10, int(t.bits)); err != nil {
			if isInteger(n.String()) {
				c.problem(p, "expected integer of "+strconv.Itoa(int(t.bits))+" bits, found "+n.String())
			} else {
				c.problem(p, "expected integer")
			}
		}
	case kNumber:
		if _, ok := v.(json.Number); !ok {
			c.problem(p, "expected number")
		}
	case kBoolean:
		if _, ok := v.(bool); !ok {
			c.problem(p, "expected boolean")
		}
	case kIntOrString:
		switch x := v.(type) {
		case string:
		case json.Number:
			if _, err := strconv.ParseInt(x.String(), 10, 32); err != nil {
				c.problem(p, "expected int or string")
			}
		default:
			c.problem(p, "expected int or string")
		}
	case kQuantity:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		default:
			c.problem(p, "expected quantity (a string or a number)")
			return
		}
		if _, err := cluster.ParseQuantity(strings.TrimSpace(s)); err != nil {
			// daemonsim's quantities are bounded (about 9.2e15 units);
			// that only matters where it reads them
			if m != nil || !strings.HasPrefix(err.Error(), "quantity too large") {
				c.problem(p, err.Error())
			}
		}
	case kTime:
		s, ok := v.(string)
		if !ok {
			c.problem(p, "expected string (an RFC 3339 time)")
			return
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			c.problem(p, "Invalid value: "+strconv.Quote(s)+": expected an RFC 3339 time")
		}
	case kAny:
	}
}

// isInteger reports whether s is an optional sign and digits.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
