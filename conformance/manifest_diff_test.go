package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/clustertest"
	"github.com/daemonsim/daemonsim/cluster/manifest"
	"github.com/daemonsim/daemonsim/sim"
)

// upstreamStrict is the API server's strict decoding of YAML and JSON
// (the serializer kubectl apply --validation=strict relies on): YAML to
// JSON with duplicate fields refused, then the typed object with unknown
// fields reported.
func upstreamStrict(t *testing.T) *kjson.Serializer {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{v1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, schedulingv1.AddToScheme} {
		require.NoError(t, add(s))
	}
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, s, s, kjson.SerializerOptions{Yaml: true, Strict: true})
}

// manifestSources returns the documents of daemonsim's kinds to start from:
// the seed manifests, every such document of the real-world manifests, and
// the state of a short simulation (nodes, a class, a DaemonSet with its
// revision and pods, a budget), each as JSON.
func manifestSources(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	kinds := map[string]bool{}
	for _, r := range manifestRoots {
		kinds[r.kind] = true
	}
	var files []string
	for _, g := range []string{"../cluster/manifest/testdata/seeds/*.yaml", "../cluster/manifest/testdata/realworld/*/*.y*ml", "../cluster/manifest/testdata/snapshot/*.yaml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".fragment.yaml") {
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		r := kyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			doc, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			j, err := sigsyaml.YAMLToJSON(doc)
			require.NoError(t, err)
			var tm struct {
				metav1.TypeMeta
				Items []json.RawMessage `json:"items"`
			}
			_ = json.Unmarshal(j, &tm)
			if kinds[tm.Kind] {
				out[fmt.Sprintf("%s#%d", f, i)] = j
			}
			if tm.Kind == "List" {
				for k, it := range tm.Items {
					out[fmt.Sprintf("%s#%d.items[%d]", f, i, k)] = it
				}
			}
		}
	}
	c, err := sim.NewDefault(sim.DefaultConfig{})
	require.NoError(t, err)
	seed, err := manifest.LoadFiles("../cluster/manifest/testdata/seeds/000_c014c3b4d1ba1cfc-1.yaml")
	require.NoError(t, err)
	for _, o := range []cluster.Object{
		clustertest.Node("cp", clustertest.Taint("node-role.kubernetes.io/control-plane=:NoSchedule")),
		clustertest.Node("n1", clustertest.NodeLabels("zone", "a")), clustertest.PriorityClass("high", 10),
		seed.Objects[0].Object,
		&cluster.PodDisruptionBudget{ObjectMeta: cluster.ObjectMeta{Name: "b", Namespace: "kube-system"},
			Spec: cluster.PodDisruptionBudgetSpec{MinAvailable: ptrTo(cluster.FromString("50%")), Selector: seed.Objects[0].Object.(*cluster.DaemonSet).Spec.Selector}},
		clustertest.Pod("default/p", clustertest.PriorityClassName("high"), clustertest.Requests("cpu", "100m")),
	} {
		c.Submit(c.Now(), "test", cluster.Create{Object: o})
	}
	require.NoError(t, c.RunFor(time.Minute))
	for o := range c.View().Objects() {
		var b bytes.Buffer
		require.NoError(t, manifest.WriteJSON(&b, o))
		out["state:"+cluster.KeyOf(o).String()] = b.Bytes()
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

// TestManifestWriteDecodesUpstream: what WriteYAML writes for every source
// object (after a load) decodes with upstream's strict decoder without any
// error, and a written List is a strict metav1.List.
func TestManifestWriteDecodesUpstream(t *testing.T) {
	dec := upstreamStrict(t)
	sources := manifestSources(t)
	var objs []cluster.Object
	for _, name := range sortedNames(sources) {
		s, err := manifest.Load(name, sources[name])
		require.NoError(t, err, name)
		for _, o := range s.Objects {
			y, err := manifest.Marshal(o.Object)
			require.NoError(t, err)
			got, _, err := dec.Decode(y, nil, nil)
			require.NoError(t, err, "%s:\n%s", name, y)
			_, kind := manifest.APIVersionKind(o.ObjectKind())
			assert.Equal(t, kind, reflect.TypeOf(got).Elem().Name())
			objs = append(objs, o.Object)
		}
	}
	var b bytes.Buffer
	require.NoError(t, manifest.WriteYAML(&b, objs...))
	var list metav1.List
	require.NoError(t, sigsyaml.UnmarshalStrict(b.Bytes(), &list))
	assert.Len(t, list.Items, len(objs))
	t.Logf("%d objects from %d sources", len(objs), len(sources))
}

// TestManifestStrictAgreement mutates every source document and compares
// daemonsim's load with upstream's strict decoding:
//
//   - a field name misspelt in a struct anywhere (a daemonsim-modelled
//     field or not): an "unknown field" problem at that path on our side,
//     a strict decoding error naming the same path upstream;
//   - a real field of the struct added where it was absent (with a value of
//     its type): no unknown-field or type problem on our side (validation
//     may still refuse the value), no strict or decoding error upstream;
//   - a scalar field's value replaced by one of another JSON type: a type
//     problem at that path on our side, a decoding error upstream.
func TestManifestStrictAgreement(t *testing.T) {
	dec := upstreamStrict(t)
	sources := manifestSources(t)
	rng := rand.New(rand.NewPCG(21, 0))
	types := map[string]reflect.Type{}
	for _, r := range manifestRoots {
		types[r.kind] = reflect.TypeOf(r.obj)
	}
	counts := map[string]int{}
	for _, name := range sortedNames(sources) {
		var doc map[string]any
		d := json.NewDecoder(bytes.NewReader(sources[name]))
		d.UseNumber()
		require.NoError(t, d.Decode(&doc))
		kind, _ := doc["kind"].(string)
		var locs []location
		collect(doc, types[kind], nil, &locs)
		for _, i := range rng.Perm(len(locs))[:min(len(locs), 40)] {
			l := locs[i]
			m := deepCopy(doc).(map[string]any)
			at := lookup(m, l.path).(map[string]any)
			switch {
			case l.field != "" && l.scalar:
				// a value of another type
				old := at[l.field]
				var nv any = "x"
				if _, isString := old.(string); isString {
					nv = json.Number("7")
				}
				if old == nil {
					continue
				}
				at[l.field] = nv
				ours, theirs := compare(t, dec, m)
				counts["type"]++
				p := pathString(append(slices.Clone(l.path), l.field))
				assert.True(t, hasProblem(ours, p, "expected "), "%s: %s = %v: ours %v", name, p, nv, ours)
				assert.Error(t, theirs, "%s: %s = %v", name, p, nv)
			case l.field != "":
				// a misspelt field
				bad := l.field + "x"
				if _, real := upstreamFields(l.typ)[bad]; real || (len(l.path) == 0 && (l.field == "apiVersion" || l.field == "kind")) {
					continue
				}
				at[bad] = at[l.field]
				delete(at, l.field)
				ours, theirs := compare(t, dec, m)
				counts["misspelt"]++
				p := pathString(append(slices.Clone(l.path), bad))
				assert.True(t, hasProblem(ours, p, "unknown field"), "%s: %s: ours %v", name, p, ours)
				assert.True(t, runtime.IsStrictDecodingError(theirs), "%s: %s: upstream %v", name, p, theirs)
				if theirs != nil {
					assert.Contains(t, theirs.Error(), `unknown field "`+p+`"`, name)
				}
			default:
				// a real field added
				fields := upstreamFields(l.typ)
				names := sortedNames(fields)
				var absent []string
				for _, f := range names {
					if _, has := at[f]; !has && (len(l.path) > 0 || (f != "apiVersion" && f != "kind")) {
						absent = append(absent, f)
					}
				}
				if len(absent) == 0 {
					continue
				}
				f := absent[rng.IntN(len(absent))]
				at[f] = valueOf(fields[f])
				ours, theirs := compare(t, dec, m)
				counts["added"]++
				p := pathString(append(slices.Clone(l.path), f))
				for _, pr := range ours {
					assert.False(t, pr.Message == "unknown field" || strings.HasPrefix(pr.Message, "expected "), "%s: %s added: %s", name, p, pr)
				}
				assert.NoError(t, theirs, "%s: %s added", name, p)
			}
		}
	}
	t.Logf("mutations: %v", counts)
	if !t.Failed() {
		fmt.Printf("manifest: disagreements=0 misspelt=%d added=%d wrong-type=%d\n", counts["misspelt"], counts["added"], counts["type"])
	}
	assert.Greater(t, counts["misspelt"], 200)
	assert.Greater(t, counts["added"], 200)
	assert.Greater(t, counts["type"], 100)
}

// compare loads m (as JSON) on both sides: our problems, upstream's error.
func compare(t *testing.T, dec *kjson.Serializer, m map[string]any) ([]manifest.Problem, error) {
	t.Helper()
	j, err := json.Marshal(m)
	require.NoError(t, err)
	var ours []manifest.Problem
	if _, err := manifest.Load("m.json", j); err != nil {
		var e *manifest.Error
		require.True(t, errors.As(err, &e), "%v", err)
		ours = e.Problems
	}
	_, _, theirs := dec.Decode(j, nil, nil)
	return ours, theirs
}

func hasProblem(ps []manifest.Problem, path, msg string) bool {
	for _, p := range ps {
		if p.Path == path && strings.HasPrefix(p.Message, msg) {
			return true
		}
	}
	return false
}

// location is a place in a document: a struct (field "") to add a field
// to, or a field of a struct (scalar when its value is a plain string,
// boolean or integer).
type location struct {
	path   []any // string keys, int indexes
	typ    reflect.Type
	field  string
	scalar bool
}

// special are the upstream types with their own JSON forms: not structs
// to mutate inside.
var special = map[reflect.Type]bool{timeType: true, microType: true, durationType: true, quantityType: true,
	intstrType: true, rawType: true, fieldsV1Type: true}

func collect(v any, rt reflect.Type, p []any, out *[]location) {
	for rt != nil && rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt == nil || special[rt] {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		switch rt.Kind() {
		case reflect.Struct:
			*out = append(*out, location{path: p, typ: rt})
			fields := upstreamFields(rt)
			for _, k := range sortedNames(x) {
				ft, ok := fields[k]
				if !ok {
					continue
				}
				base := ft
				for base.Kind() == reflect.Pointer {
					base = base.Elem()
				}
				scalar := !special[base] && (base.Kind() == reflect.String || base.Kind() == reflect.Bool ||
					base.Kind() == reflect.Int32 || base.Kind() == reflect.Int64)
				*out = append(*out, location{path: p, typ: rt, field: k, scalar: scalar})
				collect(x[k], ft, append(slices.Clone(p), k), out)
			}
		case reflect.Map:
			for _, k := range sortedNames(x) {
				collect(x[k], rt.Elem(), append(slices.Clone(p), k), out)
			}
		}
	case []any:
		if rt.Kind() == reflect.Slice {
			for i, e := range x {
				collect(e, rt.Elem(), append(slices.Clone(p), i), out)
			}
		}
	}
}

// upstreamFields returns a struct's fields by JSON name, inline members
// flattened.
func upstreamFields(rt reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var walk func(rt reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if f.Anonymous && (name == "" || strings.Contains(","+opts+",", ",inline,")) {
				walk(f.Type)
				continue
			}
			if f.IsExported() {
				if name == "" {
					name = f.Name
				}
				out[name] = f.Type
			}
		}
	}
	walk(rt)
	return out
}

// valueOf returns a JSON value upstream decodes into rt.
func valueOf(rt reflect.Type) any {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	switch rt {
	case timeType, microType:
		return "2024-01-01T00:00:00Z"
	case durationType:
		return "1s"
	case quantityType:
		return "1"
	case intstrType:
		return json.Number("1")
	case rawType, fieldsV1Type:
		return map[string]any{}
	}
	switch rt.Kind() {
	case reflect.String:
		return "x"
	case reflect.Bool:
		return true
	case reflect.Int32, reflect.Int64, reflect.Int:
		return json.Number("1")
	case reflect.Float32, reflect.Float64:
		return json.Number("1.5")
	case reflect.Slice:
		if rt.Elem().Kind() == reflect.Uint8 {
			return "eA=="
		}
		return []any{}
	}
	return map[string]any{}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

func lookup(v any, p []any) any {
	for _, s := range p {
		switch s := s.(type) {
		case string:
			v = v.(map[string]any)[s]
		case int:
			v = v.([]any)[s]
		}
	}
	return v
}

// pathString renders a path as both sides do: spec.containers[0].image.
func pathString(p []any) string {
	var b strings.Builder
	for i, s := range p {
		switch s := s.(type) {
		case string:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		}
	}
	return b.String()
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
