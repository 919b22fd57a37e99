package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/daemonsim/daemonsim/cluster"
)

// Object is one decoded object and where its document starts (for an item
// of a List, where the item starts).
type Object struct {
	cluster.Object
	File string
	Line int
}

// Skipped is a document of a kind daemonsim does not simulate
// (ServiceAccount, ConfigMap, ...): it is listed, not decoded.
type Skipped struct {
	File                              string
	Line                              int
	APIVersion, Kind, Namespace, Name string
}

// Ignored is a field Kubernetes has but daemonsim does not model, reported
// once per path (indices collapsed: "spec.template.spec.volumes") and kind,
// with where it was first seen and how often it was seen.
type Ignored struct {
	Path, Kind, File string
	Line, Count      int
}

// Set is what a load gives, in file and document order: the objects, the
// skipped documents and the ignored fields (in the order each was first
// seen).
type Set struct {
	Objects []Object
	Skipped []Skipped
	Ignored []Ignored
}

// Problem is one thing wrong with a file: where (File, Line, 0 when not
// known), which field (Path, "" for the document as a whole) and what.
type Problem struct {
	File    string
	Line    int
	Path    string
	Message string
}

// String renders "ds.yaml:14: spec.template.spec.tolerashuns: unknown
// field", leaving out the line when it is 0 and the path when it is "".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error lists every problem of a failed load, in file order and, within a
// document, in the order the checks run (syntax, then fields by line,
// then validation in upstream's order). A load that fails returns no Set.
type Error struct {
	Problems []Problem
}

// Error renders one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// kindInfo is a kind Load decodes: its Kubernetes name and apiVersion and
// its schema entry.
type kindInfo struct {
	kind             cluster.Kind
	apiVersion, name string
	schema           *k8sType
}

// kindOrder lists the kinds Load decodes.
var kindOrder = []cluster.Kind{
	cluster.KindNode, cluster.KindPod, cluster.KindDaemonSet, cluster.KindReplicaSet,
	cluster.KindControllerRevision, cluster.KindPriorityClass, cluster.KindPodDisruptionBudget,
}

// kindsByName indexes kindInfo by Kubernetes kind name ("DaemonSet").
var kindsByName = func() map[string]*kindInfo {
	m := map[string]*kindInfo{}
	for _, k := range kindOrder {
		av, name := APIVersionKind(k)
		ki := &kindInfo{kind: k, apiVersion: av, name: name}
		for _, r := range k8sRoots {
			if r.kind == name && r.apiVersion == av {
				ki.schema = &k8sTypes[r.typ]
			}
		}
		if ki.schema == nil {
			panic("manifest: no schema for " + name) // schema_gen.go is stale
		}
		m[name] = ki
	}
	return m
}()

// APIVersionKind returns the apiVersion and kind Kubernetes serves objects
// of k under ("apps/v1", "DaemonSet"), or "", "" for a kind it does not
// know.
func APIVersionKind(k cluster.Kind) (apiVersion, kind string) {
	switch k {
	case cluster.KindNode:
		return "v1", "Node"
	case cluster.KindPod:
		return "v1", "Pod"
	case cluster.KindDaemonSet:
		return "apps/v1", "DaemonSet"
	case cluster.KindReplicaSet:
		return "apps/v1", "ReplicaSet"
	case cluster.KindControllerRevision:
		return "apps/v1", "ControllerRevision"
	case cluster.KindPriorityClass:
		return "scheduling.k8s.io/v1", "PriorityClass"
	case cluster.KindPodDisruptionBudget:
		return "policy/v1", "PodDisruptionBudget"
	}
	return "", ""
}

// Load decodes the manifests in data, read from the file called name (used
// in positions only). See the package doc for what is accepted. It returns
// an *Error listing every problem, and no Set, when anything in data is
// wrong. Cost: linear in the size of data, plus validation of each object.
// The Set and its objects are the caller's.
func Load(name string, data []byte) (*Set, error) {
	l := newLoader(name)
	l.load(data)
	if len(l.problems) > 0 {
		return nil, &Error{Problems: l.problems}
	}
	return l.set, nil
}

// LoadReader is Load of everything r gives.
func LoadReader(name string, r io.Reader) (*Set, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{Problems: []Problem{{File: name, Message: err.Error()}}}
	}
	return Load(name, data)
}

// Stdin is the name LoadFiles gives standard input, read for the path "-".
const Stdin = "<stdin>"

// LoadFiles loads each path in order and merges the sets: a file; a
// directory, whose *.yaml, *.yml and *.json files are loaded in name order
// (not recursively); or "-", standard input. Every problem of every file
// is in the returned *Error; then no Set is returned.
func LoadFiles(paths ...string) (*Set, error) {
	set := &Set{}
	var problems []Problem
	load := func(name string, data []byte) {
		s, err := Load(name, data)
		var e *Error
		if errors.As(err, &e) {
			problems = append(problems, e.Problems...)
			return
		}
		set.Merge(s)
	}
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(os.Stdin)
			if err != nil {
				problems = append(problems, Problem{File: Stdin, Message: err.Error()})
				continue
			}
			load(Stdin, data)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			problems = append(problems, Problem{File: p, Message: osMessage(err)})
			continue
		}
		files := []string{p}
		if fi.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				problems = append(problems, Problem{File: p, Message: osMessage(err)})
				continue
			}
			files = files[:0]
			for _, e := range entries { // ReadDir sorts by name
				switch strings.ToLower(filepath.Ext(e.Name())) {
				case ".yaml", ".yml", ".json":
					if !e.IsDir() {
						files = append(files, filepath.Join(p, e.Name()))
					}
				}
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				problems = append(problems, Problem{File: f, Message: osMessage(err)})
				continue
			}
			load(f, data)
		}
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	return set, nil
}

// osMessage is an os error without the path, which the Problem carries.
func osMessage(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Merge appends o's objects and skipped documents to s, and its ignored
// fields: a path of a kind s already lists adds to that entry's count.
// o is not modified; its objects are shared with s afterwards.
// Cost: O(len(o) + len(s.Ignored) * len(o.Ignored)).
func (s *Set) Merge(o *Set) {
	if o == nil {
		return
	}
	s.Objects = append(s.Objects, o.Objects...)
	s.Skipped = append(s.Skipped, o.Skipped...)
	for _, ig := range o.Ignored {
		s.addIgnored(ig)
	}
}

func (s *Set) addIgnored(ig Ignored) {
	for i := range s.Ignored {
		if s.Ignored[i].Kind == ig.Kind && s.Ignored[i].Path == ig.Path {
			s.Ignored[i].Count += ig.Count
			return
		}
	}
	s.Ignored = append(s.Ignored, ig)
}

// Store creates every object of s into a new store at now: nodes first,
// then priority classes (so that pods resolve them), then the other
// objects in set order. The store defaults each object and keeps the
// metadata and status it carries (see cluster.Create). All or nothing: on
// the first refused create it returns the error, naming the object's file
// and line, and no store. The objects of s are copied; s is not modified.
func (s *Set) Store(now time.Time) (*cluster.Store, error) {
	st := cluster.NewStore()
	order := make([]Object, 0, len(s.Objects))
	for _, k := range []cluster.Kind{cluster.KindNode, cluster.KindPriorityClass} {
		for _, o := range s.Objects {
			if o.Object != nil && o.ObjectKind() == k {
				order = append(order, o)
			}
		}
	}
	for _, o := range s.Objects {
		if o.Object == nil || (o.ObjectKind() != cluster.KindNode && o.ObjectKind() != cluster.KindPriorityClass) {
			order = append(order, o)
		}
	}
	for _, o := range order {
		if cluster.IsNilObject(o.Object) {
			return nil, fmt.Errorf("%s:%d: no object", o.File, o.Line)
		}
		if _, err := st.Apply(now, cluster.Create{Object: o.Object}); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", o.File, o.Line, err)
		}
	}
	return st, nil
}

// ApplyChange is `kubectl apply` of o against view: a Create of o when
// view has no object of o's key (a namespaced object without a namespace
// is looked up in "default"), else an Update (the status is kept; the
// status subresource is not written) of the stored object with o merged
// over it: every field o sets replaces the stored one (lists whole,
// objects and maps field by field), and what o leaves out keeps its stored
// value, so the fields the server filled in (a pod's nodeName, defaulted
// fields, admission's tolerations) survive, as they do under kubectl's
// merge. The stored uid, resourceVersion and creationTimestamp are kept.
// Deliberate difference: kubectl also removes the fields its last applied
// manifest had and o no longer has (through its last-applied annotation);
// here a field removed from a manifest keeps its value
// (TestApplyChangeMerges). o is not modified; the Create holds o itself,
// which the caller must not modify once the change is submitted; a nil o
// gives a Create that Apply refuses. Cost: one lookup and a JSON round
// trip of both objects.
func ApplyChange(view cluster.View, o cluster.Object) cluster.Change {
	if cluster.IsNilObject(o) {
		return cluster.Create{Object: o}
	}
	k := cluster.KeyOf(o)
	if k.Kind.Namespaced() && k.Namespace == "" {
		k.Namespace = cluster.DefaultNamespace
	}
	old, ok := view.Get(k)
	if !ok {
		return cluster.Create{Object: o}
	}
	n, err := mergeOver(old, o)
	if err != nil { // the cluster types always encode: keep the plain replacement
		n = o.DeepCopyObject()
	}
	m, om := n.Meta(), old.Meta()
	m.UID, m.ResourceVersion, m.CreationTimestamp = om.UID, om.ResourceVersion, om.CreationTimestamp
	return cluster.Update{Object: n}
}

// mergeOver returns a new object: old with o's fields merged over it (see
// ApplyChange).
func mergeOver(old, o cluster.Object) (cluster.Object, error) {
	var base, over map[string]any
	for _, x := range []struct {
		obj cluster.Object
		to  *map[string]any
	}{{old, &base}, {o, &over}} {
		b, err := json.Marshal(x.obj)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, x.to); err != nil {
			return nil, err
		}
	}
	mergeJSON(base, over)
	b, err := json.Marshal(base)
	if err != nil {
		return nil, err
	}
	return cluster.DecodeObject(old.ObjectKind(), b)
}

// mergeJSON writes over's fields into base: objects merge key by key,
// anything else (lists, scalars) replaces.
func mergeJSON(base, over map[string]any) {
	for k, v := range over { //detlint:allow each key is written on its own; order cannot change the result
		bm, bok := base[k].(map[string]any)
		om, ook := v.(map[string]any)
		if bok && ook {
			mergeJSON(bm, om)
			continue
		}
		base[k] = v
	}
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
