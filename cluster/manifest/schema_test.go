package manifest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestModelInSchema: every field daemonsim's types decode is a field of
// Kubernetes' schema of the kind, of a compatible type, so that nothing
// daemonsim reads is refused as unknown and nothing is read from a field
// of another meaning.
func TestModelInSchema(t *testing.T) {
	var bad []string
	var walk func(path string, m *model, k *k8sType)
	walk = func(path string, m *model, k *k8sType) {
		if m.leaf {
			if !compatible(m.typ, k) {
				bad = append(bad, path+": "+m.typ.String()+" is not Kubernetes' kind "+kindName(k.kind))
			}
			return
		}
		switch k.kind {
		case kObject:
			if m.typ.Kind() != reflect.Struct {
				bad = append(bad, path+": not a struct")
				return
			}
			for _, name := range sortedKeys(m.fields) {
				f, ok := k.field(name)
				if !ok {
					bad = append(bad, path+"."+name+": not in Kubernetes' schema")
					continue
				}
				walk(path+"."+name, m.fields[name], f)
			}
		case kArray, kMap:
			walk(path+"[]", m.elem, &k8sTypes[k.elem])
		default:
			bad = append(bad, path+": a struct where Kubernetes has "+kindName(k.kind))
		}
	}
	for _, kind := range kindOrder {
		av, name := APIVersionKind(kind)
		ki := kindsByName[name]
		assert.Equal(t, av, ki.apiVersion)
		walk(name, models[kind], ki.schema)
	}
	assert.Empty(t, bad)
}

func compatible(rt reflect.Type, k *k8sType) bool {
	switch rt {
	case timeType:
		return k.kind == kTime
	case rawMessageType:
		return k.kind == kAny
	}
	switch rt.Name() {
	case "Quantity":
		return k.kind == kQuantity
	case "IntOrString":
		return k.kind == kIntOrString
	case "ResourceList":
		return k.kind == kMap && k8sTypes[k.elem].kind == kQuantity
	}
	switch rt.Kind() {
	case reflect.String:
		return k.kind == kString
	case reflect.Bool:
		return k.kind == kBoolean
	case reflect.Int32, reflect.Int64:
		return k.kind == kInteger && int(k.bits) == rt.Bits()
	case reflect.Uint64:
		return k.kind == kString // resourceVersion
	case reflect.Slice:
		return k.kind == kArray && compatible(rt.Elem(), &k8sTypes[k.elem])
	case reflect.Map:
		return k.kind == kMap && compatible(rt.Elem(), &k8sTypes[k.elem])
	}
	return false
}

func kindName(k k8sKind) string {
	return [...]string{"", "object", "array", "map", "string", "integer", "number", "boolean", "int-or-string", "quantity", "time", "any"}[k]
}

// TestSchemaTable: the generated table is well formed: fields sorted and
// unique, indexes in range.
func TestSchemaTable(t *testing.T) {
	for i, k := range k8sTypes {
		names := make([]string, len(k.fields))
		for j, f := range k.fields {
			names[j] = f.name
			assert.Less(t, int(f.typ), len(k8sTypes))
		}
		assert.True(t, slices.IsSorted(names), "entry %d", i)
		assert.Equal(t, len(names), len(slices.Compact(slices.Clone(names))), "entry %d", i)
		if k.kind == kArray || k.kind == kMap {
			assert.Less(t, int(k.elem), len(k8sTypes))
		}
	}
}
