package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	sigsyaml "sigs.k8s.io/yaml"
	yaml "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/field"
)

// loader is one Load: the file's name, what it found so far, and a scratch
// store that validates each object as a create would.
type loader struct {
	file     string
	set      *Set
	problems []Problem
	scratch  *cluster.Store
	seen     map[cluster.Key]int // the line each object was first defined at
}

func newLoader(file string) *loader {
	return &loader{file: file, set: &Set{}, scratch: cluster.NewStore(), seen: map[cluster.Key]int{}}
}

// document is one YAML document of a file (as kubectl splits them: at
// lines starting with "---") or one JSON value of a JSON stream, and the
// line of the file its first line is.
type document struct {
	line int
	data []byte
	json bool
	root *yaml.Node // the document's node, for lines; nil if none
}

// fileLine turns a line of the document (1-based) into a line of the file.
func (d *document) fileLine(line int) int {
	if line <= 0 {
		return d.line
	}
	return d.line + line - 1
}

func (l *loader) problem(line int, path, msg string) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Path: path, Message: msg})
}

var utf8BOM = []byte("\xef\xbb\xbf")

func (l *loader) load(data []byte) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		l.jsonStream(data)
		return
	}
	l.yamlStream(data, 1)
}

// yamlStream splits data into documents as kubectl's YAMLReader does:
// at lines that start with "---", which may be followed by spaces and
// a comment only.
func (l *loader) yamlStream(data []byte, firstLine int) {
	var docs []document
	start, lineNo := firstLine, firstLine-1
	var buf []byte
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if bytes.HasPrefix(line, []byte("---")) {
			rest := strings.TrimSpace(string(line[3:]))
			if rest != "" && rest[0] != '#' {
				l.problem(lineNo, "", "invalid document separator: "+strconv.Quote(string(bytes.TrimRight(line, "\r\n"))))
				return
			}
			if len(buf) > 0 {
				docs = append(docs, document{line: start, data: buf})
			}
			buf, start = nil, lineNo+1
			continue
		}
		buf = append(buf, line...)
	}
	if len(buf) > 0 {
		docs = append(docs, document{line: start, data: buf})
	}
	for i := range docs {
		l.document(&docs[i])
	}
}

// jsonStream reads one JSON value after another, as kubectl does for input
// that starts with "{"; as kubectl, when the first or second value is not
// JSON, it reads the rest as YAML (a flow mapping, say), and reports the
// JSON error if that does not load without a problem either.
func (l *loader) jsonStream(data []byte) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for count := 0; ; count++ {
		var raw json.RawMessage
		off := int(dec.InputOffset())
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return
		}
		for off < len(data) && strings.IndexByte(" \t\r\n", data[off]) >= 0 {
			off++
		}
		if err != nil {
			at := off
			var se *json.SyntaxError
			if errors.As(err, &se) {
				at = int(se.Offset)
			}
			if count < 2 {
				n := len(l.problems)
				l.yamlStream(data[off:], lineAtOffset(data, off))
				if len(l.problems) == n {
					return
				}
				l.problems = l.problems[:n]
			}
			l.problem(lineAtOffset(data, at), "", "invalid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
			return
		}
		l.document(&document{line: lineAtOffset(data, off), data: raw, json: true})
	}
}

// lineAtOffset is the 1-based line of data at byte offset off.
func lineAtOffset(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// yamlLine finds "line N" in a go-yaml error.
var (
	yamlLine     = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)
	yamlLineOnly = regexp.MustCompile(`^line (\d+): `)
)

// yamlProblem records a YAML error of d at its line.
func (l *loader) yamlProblem(d *document, err error) {
	msg := err.Error()
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := yamlLineOnly.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	l.problem(d.fileLine(line), "", "invalid YAML: "+msg)
}

// parseNode parses d with go-yaml v3 for its lines; it never panics.
func parseNode(data []byte) (n *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0], nil
	}
	return nil, nil
}

// yamlToJSON is sigs.k8s.io/yaml's conversion; it never panics.
func yamlToJSON(data []byte) (j []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			j, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	return sigsyaml.YAMLToJSON(data)
}

func (l *loader) document(d *document) {
	root, err := parseNode(d.data)
	switch {
	case err != nil && !d.json:
		l.yamlProblem(d, err)
		return
	case err == nil:
		d.root = root
	}
	n := l.problemCount()
	l.duplicates(d, d.root, nil)
	if l.problemCount() > n {
		return
	}
	j := d.data
	if !d.json {
		if j, err = yamlToJSON(d.data); err != nil {
			l.yamlProblem(d, err)
			return
		}
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		l.problem(d.line, "", "invalid JSON: "+strings.TrimPrefix(err.Error(), "json: "))
		return
	}
	if v == nil {
		return // an empty document, or only comments
	}
	obj, ok := v.(map[string]any)
	if !ok {
		l.problem(d.fileLine(lineOf(d.root, nil)), "", "expected an object with apiVersion and kind, found "+jsonType(v))
		return
	}
	l.object(d, obj, nil, nil)
}

func (l *loader) problemCount() int { return len(l.problems) }

// duplicates reports every key given twice in a mapping of n, as
// Kubernetes' strict decoding does.
func (l *loader) duplicates(d *document, n *yaml.Node, p path) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if k == "<<" && n.Content[i].Tag == "!!merge" {
				continue
			}
			if seen[k] {
				l.problem(d.fileLine(n.Content[i].Line), p.child(k).String(), "duplicate field")
			}
			seen[k] = true
			l.duplicates(d, n.Content[i+1], p.child(k))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			l.duplicates(d, c, p.index(i))
		}
	}
}

// object handles one object of d at path at (nil for the document itself,
// items[i] in a List). list, when set, is the kind of a typed list
// (PodList) the object is an item of: its apiVersion and kind default to
// that kind's.
func (l *loader) object(d *document, v map[string]any, at path, list *kindInfo) {
	line := d.fileLine(lineOf(d.root, at))
	apiVersion, okA := l.typeMetaField(d, v, at, "apiVersion", list)
	kind, okK := l.typeMetaField(d, v, at, "kind", list)
	if !okA || !okK {
		return
	}
	if kind == "List" {
		if apiVersion != "v1" {
			l.problem(d.fileLine(lineOf(d.root, at.child("apiVersion"))), at.child("apiVersion").String(),
				field.NotSupported(nil, apiVersion, []string{"v1"}).ErrorBody())
			return
		}
		l.list(d, v, at, nil)
		return
	}
	if item, ok := strings.CutSuffix(kind, "List"); ok && list == nil {
		if ki := kindsByName[item]; ki != nil && apiVersion == ki.apiVersion {
			l.list(d, v, at, ki)
			return
		}
	}
	ki := kindsByName[kind]
	if ki == nil {
		s := Skipped{File: l.file, Line: line, APIVersion: apiVersion, Kind: kind}
		if m, ok := v["metadata"].(map[string]any); ok {
			s.Namespace, _ = m["namespace"].(string)
			s.Name, _ = m["name"].(string)
		}
		l.set.Skipped = append(l.set.Skipped, s)
		return
	}
	if apiVersion != ki.apiVersion {
		p := at.child("apiVersion")
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(), field.NotSupported(nil, apiVersion, []string{ki.apiVersion}).ErrorBody())
		return
	}
	c := checker{l: l, d: d, kind: kind, base: len(at)}
	n := l.problemCount()
	c.check(ki.schema, models[ki.kind], v, at)
	if l.problemCount() > n {
		return
	}
	for _, ig := range c.ignored {
		l.set.addIgnored(ig)
	}
	o, _ := cluster.NewObject(ki.kind)
	// what kubectl would not print is dropped (an empty list, an empty
	// object of a struct), so that a loaded object is as its written form
	// loads: the round trip is exact
	prune(v, reflect.TypeOf(o))
	b, err := json.Marshal(v)
	if err != nil {
		l.problem(line, at.String(), "cannot encode: "+err.Error())
		return
	}
	if err := json.Unmarshal(b, o); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		p := at
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			p = at.join(parsePath(te.Field))
			msg = "expected " + te.Type.String() + ", found " + te.Value
		}
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(), msg)
		return
	}
	l.validate(d, o, at, line)
}

// typeMetaField reads apiVersion or kind: a string that must be set.
func (l *loader) typeMetaField(d *document, v map[string]any, at path, name string, list *kindInfo) (string, bool) {
	p := at.child(name)
	raw, ok := v[name]
	if !ok || raw == nil {
		if list != nil {
			if name == "kind" {
				return list.name, true
			}
			return list.apiVersion, true
		}
		l.problem(d.fileLine(lineOf(d.root, at)), p.String(), "Required value")
		return "", false
	}
	s, ok := raw.(string)
	switch {
	case !ok:
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "expected string")
		return "", false
	case s == "":
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "Required value")
		return "", false
	}
	return s, true
}

// list handles the items of a List (item nil: each item names its kind) or
// of a typed list such as PodList.
func (l *loader) list(d *document, v map[string]any, at path, item *kindInfo) {
	bad := false
	for _, k := range sortedKeys(v) {
		switch k {
		case "apiVersion", "kind", "items":
		case "metadata":
			if _, ok := v[k].(map[string]any); !ok && v[k] != nil {
				p := at.child(k)
				l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "expected object")
				bad = true
			}
		default:
			p := at.child(k)
			l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "unknown field")
			bad = true
		}
	}
	items, ok := v["items"].([]any)
	if !ok && v["items"] != nil {
		p := at.child("items")
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "expected array")
		return
	}
	if bad {
		return
	}
	for i, it := range items {
		p := at.child("items").index(i)
		obj, ok := it.(map[string]any)
		if !ok {
			if it != nil {
				l.problem(d.fileLine(lineOf(d.root, p)), p.String(), "expected an object with apiVersion and kind, found "+jsonType(it))
			}
			continue
		}
		l.object(d, obj, p, item)
	}
}

// validationTime is the instant the scratch store creates objects at:
// validation does not read it.
var validationTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// validate creates (a copy of) o into the scratch store, which defaults it
// and validates it as a create into any store would, and records every
// problem it finds with the line of its path; o itself is not changed.
// Admission (priority classes) is left to Set.Store, which creates the
// classes first.
func (l *loader) validate(d *document, o cluster.Object, at path, line int) {
	k := cluster.KeyOf(o)
	if k.Kind.Namespaced() && k.Namespace == "" {
		k.Namespace = cluster.DefaultNamespace
	}
	_, err := l.scratch.Apply(validationTime, cluster.Create{Object: o})
	switch {
	case err == nil, errors.Is(err, cluster.ErrForbidden):
	case errors.Is(err, cluster.ErrAlreadyExists):
		p := at.child("metadata").child("name")
		l.problem(d.fileLine(lineOf(d.root, p)), p.String(),
			fmt.Sprintf("Duplicate value: %s is defined twice in this file (first at line %d)", k, l.seen[k]))
		return
	default:
		errs := fieldErrors(err)
		if len(errs) == 0 {
			l.problem(line, at.String(), err.Error())
			return
		}
		for _, fe := range errs {
			p := at.join(parsePath(fe.Field))
			l.problem(d.fileLine(lineOf(d.root, p)), p.String(), fe.ErrorBody())
		}
		return
	}
	if _, ok := l.seen[k]; !ok {
		l.seen[k] = line
	}
	l.set.Objects = append(l.set.Objects, Object{Object: o, File: l.file, Line: line})
}

// fieldErrors returns the validation errors err holds, in order.
func fieldErrors(err error) []*field.Error {
	var out []*field.Error
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *field.Error:
			out = append(out, x)
		case interface{ Unwrap() []error }:
			for _, y := range x.Unwrap() {
				walk(y)
			}
		default:
			walk(errors.Unwrap(e))
		}
	}
	walk(err)
	return out
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}
