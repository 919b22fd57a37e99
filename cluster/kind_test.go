package cluster

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/field"
	"github.com/daemonsim/daemonsim/selector"
)

// This file defines a throwaway kind, Gadget, the way a kind's file does
// (see replicaset.go): its type, DeepCopy, defaulting, validation and its
// kind table entry, with no change to the store. TestThrowawayKind then
// stores, validates, updates, digests, forks and round-trips gadgets.

// kindGadget is far above the real kinds so that a kind added later does
// not collide with it (registerKind panics on a taken Kind).
const kindGadget Kind = 40

type gadget struct {
	ObjectMeta `json:"metadata"`
	Spec       gadgetSpec   `json:"spec"`
	Status     gadgetStatus `json:"status,omitzero"`
}

type gadgetSpec struct {
	Size  *int32 `json:"size,omitempty"`
	Color string `json:"color,omitempty"`
}

type gadgetStatus struct {
	Turns int32 `json:"turns,omitempty"`
}

func (*gadget) ObjectKind() Kind         { return kindGadget }
func (g *gadget) DeepCopyObject() Object { return g.DeepCopy() }

func (g *gadget) DeepCopy() *gadget {
	if g == nil {
		return nil
	}
	out := *g
	out.ObjectMeta = g.ObjectMeta.DeepCopy()
	out.Spec.Size = clonePtr(g.Spec.Size)
	return &out
}

func init() {
	registerKind(kindDef[gadget, *gadget]{
		kind: kindGadget, name: "gadget", namespaced: true,
		defaults: func(g *gadget) {
			if g.Spec.Size == nil {
				three := int32(3)
				g.Spec.Size = &three
			}
		},
		validate: func(g *gadget, discard bool) field.ErrorList {
			errs := validateMeta(&g.ObjectMeta, true, selector.NameIsDNSSubdomain, true, root(discard, "metadata"))
			if g.Spec.Size != nil && *g.Spec.Size < 0 {
				errs = append(errs, field.Invalid(root(discard, "spec", "size"), *g.Spec.Size, msgNegative))
			}
			return errs
		},
		validateUpdate: func(old, new *gadget) field.ErrorList {
			if old.Spec.Color != new.Spec.Color {
				return field.ErrorList{field.Invalid(field.NewPath("spec", "color"), new.Spec.Color, msgImmutable)}
			}
			return nil
		},
		spec:       func(g *gadget) any { return g.Spec },
		keepStatus: func(dst, src *gadget) { dst.Status = src.Status },
		writeStatus: func(old, in *gadget, handoff bool) (*gadget, field.ErrorList) {
			if !handoff {
				in = &gadget{Status: in.Status}
			}
			in.ObjectMeta, in.Spec = old.ObjectMeta, old.Spec
			if in.Status.Turns < 0 {
				return in, field.ErrorList{field.Invalid(field.NewPath("status", "turns"), in.Status.Turns, msgNegative)}
			}
			return in, nil
		},
	})
}

// TestThrowawayKind checks that a kind defined in one file, outside the
// store's code, is stored, defaulted, validated on create, update and
// status write, counted by generation, deleted, ordered after the other
// kinds, digested, forked, and round-trips through its key and JSON (what
// the event log holds).
func TestThrowawayKind(t *testing.T) {
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewStore()
	apply := func(c Change) Delta {
		t.Helper()
		d, err := s.Apply(t0, c)
		require.NoError(t, err)
		return d
	}
	key := Key{Kind: kindGadget, Namespace: "default", Name: "g"}
	assert.Equal(t, "gadget", kindGadget.String())
	k, ok := ParseKind("gadget")
	assert.True(t, ok)
	assert.Equal(t, kindGadget, k)
	assert.True(t, kindGadget.Namespaced())

	// create: defaulted (namespace and size), validated, given metadata
	apply(Create{Object: &Node{ObjectMeta: ObjectMeta{Name: "n1"}}})
	d := apply(Create{Object: &gadget{ObjectMeta: ObjectMeta{Name: "g"}, Spec: gadgetSpec{Color: "red"}}})
	assert.Equal(t, key, d.Key)
	g := d.New.(*gadget)
	assert.Equal(t, int32(3), *g.Spec.Size)
	assert.Equal(t, "00000000-0000-4000-8000-000000000002", g.UID)
	assert.Equal(t, int64(1), g.Generation)
	got, ok := s.Get(key)
	require.True(t, ok)
	assert.Same(t, g, got)

	bad := int32(-1)
	_, err := s.Apply(t0, Create{Object: &gadget{ObjectMeta: ObjectMeta{Name: "Bad_Name"}, Spec: gadgetSpec{Size: &bad}}})
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "spec.size: Invalid value: -1: must be greater than or equal to 0")
	assert.Contains(t, err.Error(), `metadata.name: Invalid value: "Bad_Name"`)
	assert.Len(t, Validate(&gadget{ObjectMeta: ObjectMeta{Name: "x", Namespace: "default"}, Spec: gadgetSpec{Size: &bad}}), 1)
	_, err = s.Apply(t0, Create{Object: &gadget{ObjectMeta: ObjectMeta{Name: "g"}}})
	assert.ErrorIs(t, err, ErrAlreadyExists)
	_, err = s.Apply(t0, Create{Object: (*gadget)(nil)})
	assert.ErrorIs(t, err, ErrInvalid)
	assert.True(t, IsNilObject((*gadget)(nil)))

	// update: the status is kept, a spec change bumps the generation, the
	// kind's update rule holds
	up := g.DeepCopy()
	five := int32(5)
	up.Spec.Size = &five
	up.Status.Turns = 99 // ignored: Update keeps the status
	d = apply(Update{Object: up})
	g = d.New.(*gadget)
	assert.Equal(t, int64(2), g.Generation)
	assert.Zero(t, g.Status.Turns)
	recolor := g.DeepCopy()
	recolor.Spec.Color = "blue"
	_, err = s.Apply(t0, Update{Object: recolor})
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), `spec.color: Invalid value: "blue": field is immutable`)

	// the status subresource
	st := g.DeepCopy()
	st.Status.Turns = 7
	st.Spec.Color = "ignored"
	d = apply(UpdateStatus{Object: st})
	g = d.New.(*gadget)
	assert.Equal(t, int32(7), g.Status.Turns)
	assert.Equal(t, "red", g.Spec.Color)
	assert.Equal(t, int64(2), g.Generation, "a status write is no spec change")
	st = g.DeepCopy()
	st.Status.Turns = -1
	_, err = s.Apply(t0, UpdateStatus{Object: st})
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "status.turns: Invalid value: -1")

	// objects come in Kind order: gadgets after every real kind
	apply(Create{Object: &Pod{ObjectMeta: ObjectMeta{Name: "p"}, Spec: PodSpec{Containers: []Container{{Name: "c", Image: "i"}}}}})
	var keys []string
	for o := range s.Objects() {
		keys = append(keys, KeyOf(o).String())
	}
	assert.Equal(t, []string{"node/n1", "pod/default/p", "gadget/default/g"}, keys)

	// forks and snapshots see their own gadgets
	snap := s.Snapshot()
	fork := s.Fork()
	st = g.DeepCopy()
	st.Status.Turns = 8
	_, err = fork.Apply(t0, UpdateStatus{Object: st})
	require.NoError(t, err)
	inSnap, _ := snap.Get(key)
	inFork, _ := fork.Get(key)
	assert.Equal(t, int32(7), inSnap.(*gadget).Status.Turns)
	assert.Equal(t, int32(8), inFork.(*gadget).Status.Turns)

	// the digest covers gadgets: equal for an equal history, different
	// for another, and the state a replay of the changes gives is equal
	replay := func(changes ...Change) *Store {
		r := NewStore()
		for _, c := range changes {
			_, err := r.Apply(t0, c)
			require.NoError(t, err)
		}
		return r
	}
	mk := func(color string) *gadget {
		return &gadget{ObjectMeta: ObjectMeta{Name: "g"}, Spec: gadgetSpec{Color: color}}
	}
	assert.Equal(t, Digest(replay(Create{Object: mk("red")})), Digest(replay(Create{Object: mk("red")})))
	assert.NotEqual(t, Digest(replay(Create{Object: mk("red")})), Digest(replay(Create{Object: mk("green")})))

	// the log form: key and JSON, decoded with no knowledge of the kind
	// but its name
	parsed, err := ParseKey(key.String())
	require.NoError(t, err)
	assert.Equal(t, key, parsed)
	b, err := json.Marshal(g)
	require.NoError(t, err)
	back, err := DecodeObject(parsed.Kind, b)
	require.NoError(t, err)
	assert.Equal(t, g, back)
	// a store rebuilt from decoded objects digests as the original
	r1, r2 := NewStore(), NewStore()
	for o := range s.Objects() {
		_, err := r1.Apply(t0, Create{Object: o})
		require.NoError(t, err)
		b, err := json.Marshal(o)
		require.NoError(t, err)
		dec, err := DecodeObject(o.ObjectKind(), b)
		require.NoError(t, err)
		_, err = r2.Apply(t0, Create{Object: dec})
		require.NoError(t, err)
	}
	assert.Equal(t, Digest(r1), Digest(r2))

	// delete
	d = apply(Delete{Key: key})
	assert.Nil(t, d.New)
	_, ok = s.Get(key)
	assert.False(t, ok)
	_, ok = snap.Get(key)
	assert.True(t, ok, "the snapshot keeps it")
}

// TestKindTable checks the table's description of every registered kind:
// names parse back to their kind, keys parse back to themselves, a new
// object is empty and of the kind, and a typed nil is a nil object.
func TestKindTable(t *testing.T) {
	var names []string
	for k := range kinds {
		ki := kinds[k]
		if ki == nil {
			continue
		}
		names = append(names, ki.name)
		t.Run(ki.name, func(t *testing.T) {
			kind := Kind(k)
			assert.Equal(t, kind, ki.kind)
			p, ok := ParseKind(kind.String())
			require.True(t, ok)
			assert.Equal(t, kind, p)
			o, ok := NewObject(kind)
			require.True(t, ok)
			assert.Equal(t, kind, o.ObjectKind())
			assert.False(t, IsNilObject(o))
			key := Key{Kind: kind, Name: "x"}
			if kind.Namespaced() {
				key.Namespace = "ns"
			}
			back, err := ParseKey(key.String())
			require.NoError(t, err)
			assert.Equal(t, key, back)
		})
	}
	assert.Equal(t, []string{"node", "priorityclass", "daemonset", "controllerrevision", "poddisruptionbudget", "pod", "replicaset", "gadget"}, names)
	assert.Equal(t, "kind(99)", Kind(99).String())
	assert.Equal(t, "", Kind(0).String())
	_, ok := NewObject(99)
	assert.False(t, ok)
	for _, bad := range []string{"", "pod", "pod/x", "widget/x", "node"} {
		_, err := ParseKey(bad)
		assert.Error(t, err, bad)
	}
	k, err := ParseKey("node/n1")
	require.NoError(t, err)
	assert.Equal(t, Key{Kind: KindNode, Name: "n1"}, k)
	_, err = DecodeObject(KindPod, []byte(`{`))
	assert.Error(t, err)
	_, err = DecodeObject(99, []byte(`{}`))
	assert.Error(t, err)
	assert.True(t, slices.IsSorted([]Kind{KindNode, KindPriorityClass, KindDaemonSet, KindControllerRevision, KindPodDisruptionBudget, KindPod, KindReplicaSet, kindGadget}))
}

// A registration that would break the table panics.
func TestRegisterKindRefusesBrokenDefinitions(t *testing.T) {
	validate := func(*gadget, bool) field.ErrorList { return nil }
	for _, tc := range []struct {
		name string
		def  kindDef[gadget, *gadget]
	}{
		{"taken kind", kindDef[gadget, *gadget]{kind: KindPod, name: "other", validate: validate}},
		{"zero kind", kindDef[gadget, *gadget]{name: "other", validate: validate}},
		{"no name", kindDef[gadget, *gadget]{kind: 41, validate: validate}},
		{"no validation", kindDef[gadget, *gadget]{kind: 41, name: "other"}},
	} {
		assert.Panics(t, func() { registerKind(tc.def) }, tc.name)
	}
	assert.Nil(t, kinds[41])
	assert.Equal(t, "pod", KindPod.String(), "the taken kind is left as it was")
}
