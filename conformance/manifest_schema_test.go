package conformance

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var updateManifestSchema = flag.Bool("update", false, "TestManifestSchema: rewrite ../cluster/manifest/schema_gen.go")

// manifestSchemaFile is the generated table the manifest package checks
// documents against.
const manifestSchemaFile = "../cluster/manifest/schema_gen.go"

// manifestRoots are the kinds the manifest package loads, as upstream's
// Go types.
var manifestRoots = []struct {
	apiVersion, kind string
	obj              any
}{
	{"v1", "Node", v1.Node{}},
	{"v1", "Pod", v1.Pod{}},
	{"apps/v1", "DaemonSet", appsv1.DaemonSet{}},
	{"apps/v1", "ReplicaSet", appsv1.ReplicaSet{}},
	{"apps/v1", "ControllerRevision", appsv1.ControllerRevision{}},
	{"scheduling.k8s.io/v1", "PriorityClass", schedulingv1.PriorityClass{}},
	{"policy/v1", "PodDisruptionBudget", policyv1.PodDisruptionBudget{}},
}

// TestManifestSchema generates Kubernetes' schema of the kinds the manifest
// package loads from the k8s.io/api v0.37.1 Go types by reflection (JSON
// names from the json tags, inline members flattened, pointers followed)
// and fails when cluster/manifest/schema_gen.go differs from it. With -update it
// writes the file:
//
//	cd conformance && go test -run TestManifestSchema -update
func TestManifestSchema(t *testing.T) {
	src := generateManifestSchema(t)
	if *updateManifestSchema {
		if err := os.WriteFile(manifestSchemaFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", manifestSchemaFile, len(src))
		return
	}
	got, err := os.ReadFile(manifestSchemaFile)
	if err != nil {
		t.Fatalf("%v (run: go test -run TestManifestSchema -update)", err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("%s is stale: run go test -run TestManifestSchema -update", manifestSchemaFile)
	}
}

// schemaGen assigns each distinct schema type an index, breadth first from
// the roots in order, so the output is stable.
type schemaGen struct {
	t       *testing.T
	types   []string // the Go literal of each entry
	byKey   map[string]int
	byType  map[reflect.Type]int
	pending []func()
}

var (
	timeType     = reflect.TypeFor[metav1.Time]()
	microType    = reflect.TypeFor[metav1.MicroTime]()
	durationType = reflect.TypeFor[metav1.Duration]()
	quantityType = reflect.TypeFor[resource.Quantity]()
	intstrType   = reflect.TypeFor[intstr.IntOrString]()
	rawType      = reflect.TypeFor[runtime.RawExtension]()
	fieldsV1Type = reflect.TypeFor[metav1.FieldsV1]()
	unmarshaler  = reflect.TypeFor[json.Unmarshaler]()
)

// leaf returns the index of an unnamed entry with the given literal.
func (g *schemaGen) leaf(lit string) int {
	if i, ok := g.byKey[lit]; ok {
		return i
	}
	g.types = append(g.types, lit)
	g.byKey[lit] = len(g.types) - 1
	return len(g.types) - 1
}

func (g *schemaGen) typeOf(rt reflect.Type) int {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	switch rt {
	case timeType, microType:
		return g.leaf("{kind: kTime}")
	case durationType:
		return g.leaf("{kind: kString}")
	case quantityType:
		return g.leaf("{kind: kQuantity}")
	case intstrType:
		return g.leaf("{kind: kIntOrString}")
	case rawType, fieldsV1Type:
		return g.leaf("{kind: kAny}")
	}
	if reflect.PointerTo(rt).Implements(unmarshaler) {
		g.t.Fatalf("%s has its own JSON decoding: tell the generator what it reads", rt)
	}
	switch rt.Kind() {
	case reflect.String:
		return g.leaf("{kind: kString}")
	case reflect.Bool:
		return g.leaf("{kind: kBoolean}")
	case reflect.Int32:
		return g.leaf("{kind: kInteger, bits: 32}")
	case reflect.Int64, reflect.Int:
		return g.leaf("{kind: kInteger, bits: 64}")
	case reflect.Float32, reflect.Float64:
		return g.leaf("{kind: kNumber}")
	case reflect.Interface:
		return g.leaf("{kind: kAny}")
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 {
			return g.leaf("{kind: kString}") // base64
		}
		return g.leaf(fmt.Sprintf("{kind: kArray, elem: %d}", g.typeOf(rt.Elem())))
	case reflect.Map:
		if rt.Key().Kind() != reflect.String {
			g.t.Fatalf("%s: map key %s", rt, rt.Key())
		}
		return g.leaf(fmt.Sprintf("{kind: kMap, elem: %d}", g.typeOf(rt.Elem())))
	case reflect.Struct:
		if i, ok := g.byType[rt]; ok {
			return i
		}
		g.types = append(g.types, "")
		i := len(g.types) - 1
		g.byType[rt] = i
		g.pending = append(g.pending, func() { g.types[i] = g.object(rt) })
		return i
	}
	g.t.Fatalf("%s: unsupported kind %s", rt, rt.Kind())
	return 0
}

// object renders a struct's entry: its fields by JSON name, sorted.
func (g *schemaGen) object(rt reflect.Type) string {
	type fld struct {
		name string
		typ  int
	}
	var fields []fld
	var walk func(rt reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && (name == "" || strings.Contains(","+opts+",", ",inline,")) {
				ft := f.Type
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				walk(ft)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fields = append(fields, fld{name, g.typeOf(f.Type)})
		}
	}
	walk(rt)
	slices.SortFunc(fields, func(a, b fld) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	pkg := strings.TrimPrefix(rt.PkgPath(), "k8s.io/api/")
	pkg = strings.TrimPrefix(pkg, "k8s.io/apimachinery/pkg/apis/")
	fmt.Fprintf(&b, "{kind: kObject, name: %q, fields: []k8sField{", pkg+"."+rt.Name())
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "{%q, %d}", f.name, f.typ)
	}
	b.WriteString("}}")
	return b.String()
}

func generateManifestSchema(t *testing.T) []byte {
	g := &schemaGen{t: t, byKey: map[string]int{}, byType: map[reflect.Type]int{}}
	roots := make([]int, len(manifestRoots))
	for i, r := range manifestRoots {
		roots[i] = g.typeOf(reflect.TypeOf(r.obj))
		for len(g.pending) > 0 {
			f := g.pending[0]
			g.pending = g.pending[1:]
			f()
		}
	}
	var b bytes.Buffer
	b.WriteString(`// Code generated by conformance/manifest_schema_test.go from k8s.io/api v0.37.1; DO NOT EDIT.
// Regenerate with: cd conformance && go test -run TestManifestSchema -update

package manifest

// k8sRoots are the kinds Load decodes, with the entry of k8sTypes that
// describes each.
var k8sRoots = []k8sRoot{
`)
	for i, r := range manifestRoots {
		fmt.Fprintf(&b, "{%q, %q, %d},\n", r.apiVersion, r.kind, roots[i])
	}
	b.WriteString(`}

// k8sTypes is Kubernetes' schema of those kinds: one entry per type,
// objects with their fields sorted by JSON name.
var k8sTypes = []k8sType{
`)
	for i, lit := range g.types {
		fmt.Fprintf(&b, "/* %d */ %s,\n", i, lit)
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return src
}
