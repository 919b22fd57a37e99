package manifest

import (
	"strconv"
	"strings"

	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

// seg is one step of a path: a field, an array index or a map key.
type seg struct {
	name  string
	index int
	kind  segKind
}

type segKind uint8

const (
	segField segKind = iota
	segIndex
	segKey
)

// path is a field path from a document's root; paths are not modified
// once made (child, index and key copy).
type path []seg

func (p path) with(s seg) path {
	q := make(path, len(p), len(p)+1)
	copy(q, p)
	return append(q, s)
}

func (p path) child(name string) path { return p.with(seg{name: name}) }
func (p path) index(i int) path       { return p.with(seg{index: i, kind: segIndex}) }
func (p path) key(k string) path      { return p.with(seg{name: k, kind: segKey}) }

func (p path) join(q path) path {
	r := make(path, 0, len(p)+len(q))
	return append(append(r, p...), q...)
}

// String renders the path as the API server does:
// spec.template.spec.containers[0].resources.requests[cpu].
func (p path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch s.kind {
		case segField:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		case segIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case segKey:
			b.WriteString("[" + s.name + "]")
		}
	}
	return b.String()
}

// collapsed renders the field names only: spec.template.spec.volumes.
func (p path) collapsed() string {
	var names []string
	for _, s := range p {
		if s.kind == segField {
			names = append(names, s.name)
		}
	}
	return strings.Join(names, ".")
}

// parsePath reads a path as String renders it (and as field.Path does).
// Brackets hold an index when they hold digits only, else a key.
func parsePath(s string) path {
	var p path
	for len(s) > 0 {
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return append(p, seg{name: s[1:], kind: segKey})
			}
			in := s[1:end]
			if n, err := strconv.Atoi(in); err == nil && n >= 0 && in == strconv.Itoa(n) {
				p = append(p, seg{index: n, kind: segIndex})
			} else {
				p = append(p, seg{name: in, kind: segKey})
			}
			s = s[end+1:]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			p = append(p, seg{name: s[:end]})
			s = s[end:]
		}
	}
	return p
}

// deref follows aliases (a bounded number of times).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// lineOf returns the line (of the document) of the deepest node of n that
// p leads to: a field's key, an item; where p leaves what the document
// has, the line of the last node found. 0 when n is nil. Cost: O(len(p) x
// the mappings' sizes).
func lineOf(n *yaml.Node, p path) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, s := range p {
		n = deref(n)
		if n == nil {
			return line
		}
		switch {
		case s.kind == segIndex && n.Kind == yaml.SequenceNode && s.index < len(n.Content):
			n = n.Content[s.index]
			line = n.Line
		case s.kind != segIndex && n.Kind == yaml.MappingNode:
			var key, value *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s.name {
					key, value = n.Content[i], n.Content[i+1] // the last one wins
				}
			}
			if key == nil {
				return line
			}
			line, n = key.Line, value
		default:
			return line
		}
	}
	return line
}
