package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	"github.com/daemonsim/daemonsim/cluster"
)

// Marshal returns o as YAML in `kubectl get -o yaml` shape: keys in
// alphabetical order (which puts apiVersion, kind, metadata, spec and
// status in that order), apiVersion and kind as Kubernetes serves the
// kind, and no null or empty field (an empty object is kept where it
// means something: a pointer that is set, such as a PodDisruptionBudget's
// selector {} that selects every pod). It fails for a nil object or a kind
// without an apiVersion. Cost: O(size of o).
func Marshal(o cluster.Object) ([]byte, error) {
	m, err := toMap(o)
	if err != nil {
		return nil, err
	}
	return toYAML(m)
}

// WriteYAML writes objs as Marshal does: one object as itself; none or
// several as a v1 List, as kubectl prints several
// (apiVersion: v1, items, kind: List, metadata: {resourceVersion: ""}).
// What it writes loads back (Load) to equal objects.
func WriteYAML(w io.Writer, objs ...cluster.Object) error {
	v, err := output(objs, false)
	if err != nil {
		return err
	}
	b, err := toYAML(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteJSON writes objs as WriteYAML does, as JSON indented by four spaces
// with keys in alphabetical order, as `kubectl get -o json` prints, and a
// final newline.
func WriteJSON(w io.Writer, objs ...cluster.Object) error {
	v, err := output(objs, false)
	if err != nil {
		return err
	}
	return writeJSON(w, v)
}

// WriteState writes every object of v, in v.Objects order (kind, then
// namespace and name), as one v1 List (even for none or one object), in
// format "yaml" or "json". Creating what it writes into an empty store
// (Load, then Set.Store) gives the same cluster.Digest as v's, but for
// the store revision, which a load does not carry.
func WriteState(w io.Writer, v cluster.View, format string) error {
	var objs []cluster.Object
	for o := range v.Objects() {
		objs = append(objs, o)
	}
	doc, err := output(objs, true)
	if err != nil {
		return err
	}
	switch format {
	case "yaml":
		b, err := toYAML(doc)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "json":
		return writeJSON(w, doc)
	}
	return fmt.Errorf("unknown format %q: want yaml or json", format)
}

// output is the value written for objs: the one object, or a List.
func output(objs []cluster.Object, alwaysList bool) (any, error) {
	if len(objs) == 1 && !alwaysList {
		return toMap(objs[0])
	}
	items := make([]any, 0, len(objs))
	for _, o := range objs {
		m, err := toMap(o)
		if err != nil {
			return nil, err
		}
		items = append(items, m)
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "List",
		"items":      items,
		"metadata":   map[string]any{"resourceVersion": ""},
	}, nil
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func toYAML(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sigsyaml.JSONToYAML(b)
}

// toMap returns o's JSON as a map with apiVersion and kind, pruned.
func toMap(o cluster.Object) (map[string]any, error) {
	if cluster.IsNilObject(o) {
		return nil, fmt.Errorf("manifest: nil object")
	}
	apiVersion, kind := APIVersionKind(o.ObjectKind())
	if kind == "" {
		return nil, fmt.Errorf("manifest: %s has no Kubernetes kind", o.ObjectKind())
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", cluster.KeyOf(o), err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %s: %w", cluster.KeyOf(o), err)
	}
	prune(m, reflect.TypeOf(o))
	m["apiVersion"], m["kind"] = apiVersion, kind
	return m, nil
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

// prune removes from v, the JSON of a value of type rt, what kubectl does
// not print: nulls, empty arrays and maps, and empty objects of struct
// fields that are not pointers (a set pointer to an empty struct means
// something and is kept). Array items are never removed. It reports
// whether v is to be kept.
func prune(v any, rt reflect.Type) bool {
	ptr := false
	for rt != nil && rt.Kind() == reflect.Pointer {
		rt, ptr = rt.Elem(), true
	}
	opaque := rt == nil || reflect.PointerTo(rt).Implements(jsonMarshaler) || rt.Implements(jsonMarshaler)
	switch x := v.(type) {
	case nil:
		return false
	case map[string]any:
		if opaque {
			return len(x) > 0 || ptr
		}
		for _, k := range sortedKeys(x) {
			var ft reflect.Type
			switch rt.Kind() {
			case reflect.Struct:
				ft = jsonField(rt, k)
			case reflect.Map:
				ft = rt.Elem()
			}
			if !prune(x[k], ft) {
				delete(x, k)
			}
		}
		return len(x) > 0 || ptr
	case []any:
		var et reflect.Type
		if !opaque && rt.Kind() == reflect.Slice {
			et = rt.Elem()
		}
		for _, e := range x {
			prune(e, et)
		}
		return len(x) > 0
	}
	return true
}

// jsonField returns the type of the field of struct rt whose JSON name is
// name (fields of embedded structs without a name included), or nil.
func jsonField(rt reflect.Type, name string) reflect.Type {
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		n, _, _ := strings.Cut(tag, ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && n == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if t := jsonField(ft, name); t != nil {
				return t
			}
			continue
		}
		if n == "" {
			n = f.Name
		}
		if n == name {
			return f.Type
		}
	}
	return nil
}
