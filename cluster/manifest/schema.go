package manifest

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// k8sKind is what a schema entry holds.
type k8sKind uint8

// The kinds of schema entries: what Kubernetes' JSON decoding of the
// type accepts.
const (
	kObject      k8sKind = iota + 1 // fields by JSON name
	kArray                          // elem
	kMap                            // string keys, elem values
	kString                         // a JSON string
	kInteger                        // a JSON integer of bits bits
	kNumber                         // any JSON number
	kBoolean                        // true or false
	kIntOrString                    // intstr.IntOrString: an int32 or a string
	kQuantity                       // resource.Quantity: a string or a number
	kTime                           // metav1.Time: an RFC 3339 string
	kAny                            // runtime.RawExtension and the like: anything
)

// k8sType is one entry of the generated table k8sTypes.
type k8sType struct {
	kind   k8sKind
	bits   uint8
	elem   uint16
	name   string
	fields []k8sField
}

// k8sField is one field of an object entry.
type k8sField struct {
	name string
	typ  uint16
}

// k8sRoot is a kind Load decodes and the entry of its schema.
type k8sRoot struct {
	apiVersion, kind string
	typ              uint16
}

// field returns the entry of the field called name (exactly: Kubernetes'
// strict decoding is case sensitive) of the object entry t. O(log fields).
func (t *k8sType) field(name string) (*k8sType, bool) {
	i := sort.Search(len(t.fields), func(i int) bool { return t.fields[i].name >= name })
	if i < len(t.fields) && t.fields[i].name == name {
		return &k8sTypes[t.fields[i].typ], true
	}
	return nil, false
}

// model is what daemonsim keeps of a Kubernetes type: the Go type of the
// cluster package that a document's JSON is decoded into, read by
// reflection over its json tags. A nil *model is a part daemonsim does not
// model. A leaf (a type with its own JSON decoding, a scalar, a map or
// a slice of leaves) is modelled whole.
type model struct {
	typ    reflect.Type
	leaf   bool
	elem   *model            // slices and maps of structs
	fields map[string]*model // structs, by JSON name
	// decimal marks a uint64 field written as a string
	// (metadata.resourceVersion): daemonsim needs it to be a number.
	decimal bool
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
)

// models are the models of the kinds, indexed by Kind.
var models = func() map[cluster.Kind]*model {
	seen := map[reflect.Type]*model{}
	m := map[cluster.Kind]*model{}
	for _, k := range kindOrder {
		o, _ := cluster.NewObject(k)
		m[k] = modelOf(reflect.TypeOf(o), seen)
	}
	return m
}()

func modelOf(rt reflect.Type, seen map[reflect.Type]*model) *model {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if m, ok := seen[rt]; ok {
		return m
	}
	m := &model{typ: rt}
	seen[rt] = m
	if rt == timeType || rt == rawMessageType || reflect.PointerTo(rt).Implements(jsonUnmarshaler) {
		m.leaf = true
		return m
	}
	switch rt.Kind() {
	case reflect.Struct:
		m.fields = map[string]*model{}
		addFields(m, rt, seen)
	case reflect.Slice, reflect.Map:
		e := modelOf(rt.Elem(), seen)
		if e.leaf {
			m.leaf = true
		} else {
			m.elem = e
		}
	default:
		m.leaf = true
	}
	return m
}

func addFields(m *model, rt reflect.Type, seen map[reflect.Type]*model) {
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			addFields(m, ft, seen)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fm := modelOf(f.Type, seen)
		if f.Type.Kind() == reflect.Uint64 && strings.Contains(","+opts+",", ",string,") {
			fm = &model{typ: f.Type, leaf: true, decimal: true}
		}
		m.fields[name] = fm
	}
}

// child returns the model of a field of m, nil when daemonsim does not
// model it; under a leaf everything is modelled.
func (m *model) child(name string) *model {
	switch {
	case m == nil:
		return nil
	case m.leaf:
		return m
	}
	return m.fields[name]
}

// item returns the model of an element of the slice or map m.
func (m *model) item() *model {
	switch {
	case m == nil:
		return nil
	case m.leaf:
		return m
	}
	return m.elem
}
