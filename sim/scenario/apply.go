package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
)

// load reads the manifests of apply and create: the files named by file=
// (several: file=(a.yaml, b.yaml); directories too), relative to cmd.Dir,
// then the command's input. A load that fails prints every problem and
// returns nil: nothing of it is applied.
func load(cmd Command, a *args, out *strings.Builder) (*manifest.Set, error) {
	var files []string
	for _, key := range []string{"file", "f", "-f", "filename"} {
		for _, f := range a.values(key) {
			if !filepath.IsAbs(f) && f != "-" && cmd.Dir != "" {
				f = filepath.Join(cmd.Dir, f)
			}
			files = append(files, f)
		}
	}
	if len(files) == 0 && strings.TrimSpace(cmd.Input) == "" {
		return nil, badf("%s: give file=path or the objects as YAML input", cmd.Name)
	}
	set := &manifest.Set{}
	if len(files) > 0 {
		s, err := manifest.LoadFiles(files...)
		if err != nil {
			printLoadError(out, err, "", 0, false)
			return nil, nil
		}
		set.Merge(s)
	}
	if strings.TrimSpace(cmd.Input) != "" {
		name, line := splitPos(cmd.Pos)
		if name == "" {
			name = "input"
		}
		s, err := manifest.Load(name, []byte(cmd.Input))
		if err != nil {
			printLoadError(out, err, name, line, cmd.inlineList)
			return nil, nil
		}
		fixLines(s, name, line)
		set.Merge(s)
	}
	return set, nil
}

// splitPos splits "file:line" (0 when there is no line).
func splitPos(pos string) (string, int) {
	i := strings.LastIndexByte(pos, ':')
	if i < 0 {
		return pos, 0
	}
	n, err := strconv.Atoi(pos[i+1:])
	if err != nil {
		return pos, 0
	}
	return pos[:i], n
}

// fixLines moves the lines of an inline input (which start after the
// command's line) to lines of the scenario file.
func fixLines(s *manifest.Set, name string, offset int) {
	for i := range s.Objects {
		if s.Objects[i].File == name {
			s.Objects[i].Line += offset
		}
	}
	for i := range s.Skipped {
		if s.Skipped[i].File == name {
			s.Skipped[i].Line += offset
		}
	}
	for i := range s.Ignored {
		if s.Ignored[i].File == name {
			s.Ignored[i].Line += offset
		}
	}
}

// printLoadError prints a failed load, one problem a line, as kubectl's
// "error: ..." (lines of an inline input moved by offset).
func printLoadError(out *strings.Builder, err error, inline string, offset int, list bool) {
	var me *manifest.Error
	if !errors.As(err, &me) {
		fmt.Fprintln(out, "error: "+err.Error())
		return
	}
	for _, p := range me.Problems {
		if p.File == inline && p.Line > 0 {
			p.Line += offset
		}
		where := p.File
		if p.Line > 0 {
			where += ":" + strconv.Itoa(p.Line)
		}
		msg := p.Message
		if list && p.File == inline && strings.HasPrefix(p.Path, "items[") {
			p.Path = "manifest[" + strings.TrimPrefix(p.Path, "items[")
		}
		if p.Path != "" {
			msg = p.Path + ": " + msg
		}
		fmt.Fprintf(out, "error: %s: %s\n", where, msg)
	}
}

// printLoadNotes prints what a load skipped and ignored, once each.
func printLoadNotes(out *strings.Builder, s *manifest.Set) {
	for _, sk := range s.Skipped {
		name := sk.Name
		if sk.Namespace != "" {
			name = sk.Namespace + "/" + name
		}
		fmt.Fprintf(out, "%s/%s skipped: daemonsim does not simulate %s (%s:%d)\n", strings.ToLower(sk.Kind), name, sk.Kind, sk.File, sk.Line)
	}
	for _, ig := range s.Ignored {
		times := ""
		if ig.Count > 1 {
			times = fmt.Sprintf(", %d times", ig.Count)
		}
		fmt.Fprintf(out, "ignored: %s %s (not simulated; first at %s:%d%s)\n", ig.Kind, ig.Path, ig.File, ig.Line, times)
	}
}

// apply [file=path] + YAML input: create or update each object, as kubectl
// apply does. An object whose manifest is the one last applied is
// "unchanged" and not written (kubectl's last-applied-configuration, kept
// by the World rather than in an annotation); one that differs is an Update
// of the manifest merged over the stored object (manifest.ApplyChange):
// fields the manifest leaves out keep their stored value. Unlike
// kubectl's three-way merge, a field removed from the manifest since the
// last apply keeps its value too.
func cmdApply(w *World, cmd Command, a *args, out *strings.Builder) error {
	return applyObjects(w, cmd, a, out, true)
}

// create [file=path] + YAML input: create each object.
func cmdCreate(w *World, cmd Command, a *args, out *strings.Builder) error {
	return applyObjects(w, cmd, a, out, false)
}

func applyObjects(w *World, cmd Command, a *args, out *strings.Builder, apply bool) error {
	set, err := load(cmd, a, out)
	if err != nil || set == nil {
		if err == nil {
			err = a.done()
		}
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	printLoadNotes(out, set)
	view := w.c.View()
	type item struct {
		key  cluster.Key
		verb string
	}
	var changes []cluster.Change
	var items []item
	for _, o := range set.Objects {
		obj := o.Object
		if obj.ObjectKind().Namespaced() && obj.Meta().Namespace == "" {
			obj.Meta().Namespace = cluster.DefaultNamespace
		}
		k := cluster.KeyOf(obj)
		stored, exists := view.Get(k)
		if !apply || !exists {
			changes = append(changes, cluster.Create{Object: obj})
			items = append(items, item{k, "created"})
			continue
		}
		js, _ := json.Marshal(obj)
		last, applied := w.lastApplied[k]
		if applied && last == string(js) {
			items = append(items, item{k, "unchanged"})
			continue
		}
		if same(stored, obj) {
			items = append(items, item{k, "unchanged"})
			continue
		}
		changes = append(changes, manifest.ApplyChange(view, obj))
		items = append(items, item{k, "configured"})
	}
	errs, err := w.applyNow(changes...)
	if err != nil {
		return err
	}
	if apply {
		if w.lastApplied == nil {
			w.lastApplied = map[cluster.Key]string{}
		}
		i := 0
		for j, it := range items {
			if it.verb == "unchanged" {
				continue
			}
			if errs[i] == nil {
				js, _ := json.Marshal(set.Objects[j].Object)
				w.lastApplied[it.key] = string(js)
			}
			i++
		}
	}
	i := 0
	for _, it := range items {
		if it.verb == "unchanged" {
			fmt.Fprintf(out, "%s unchanged\n", ref(it.key))
			continue
		}
		if errs[i] != nil {
			fmt.Fprintln(out, describeErr(it.key, errs[i]))
		} else {
			fmt.Fprintf(out, "%s %s\n", ref(it.key), it.verb)
		}
		i++
	}
	return nil
}

// same reports whether ch, the manifest applied over stored, would change
// nothing: every field the manifest sets has the stored value (a two-way
// patch from stored to the manifest would be empty), leaving aside the
// metadata the server owns.
func same(stored, manifest cluster.Object) bool {
	var a, b any
	ja, err1 := json.Marshal(manifest)
	jb, err2 := json.Marshal(stored)
	if err1 != nil || err2 != nil || json.Unmarshal(ja, &a) != nil || json.Unmarshal(jb, &b) != nil {
		return false
	}
	if m, ok := a.(map[string]any)["metadata"].(map[string]any); ok {
		for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp"} {
			delete(m, f)
		}
	}
	return subset(a, b)
}

// subset reports whether every leaf of a is in b with the same value;
// lists must have the same length.
func subset(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range x {
			if !subset(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !subset(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// writeObjects writes objects as kubectl get -o yaml|json does.
func writeObjects(out *strings.Builder, format string, objs []cluster.Object) error {
	var err error
	if format == "json" {
		err = manifest.WriteJSON(out, objs...)
	} else {
		err = manifest.WriteYAML(out, objs...)
	}
	if err != nil {
		return fmt.Errorf("%w: writing objects: %v", ErrEngine, err)
	}
	return nil
}

// yaml kind/name: the object as kubectl get -o yaml prints it.
func cmdYAML(w *World, _ Command, a *args, out *strings.Builder) error {
	k, err := a.target(0)
	if err != nil {
		return err
	}
	if err := a.done(); err != nil {
		return err
	}
	o, ok := w.get(k)
	if !ok {
		fmt.Fprintln(out, notFound(k))
		return nil
	}
	b, err := manifest.Marshal(o)
	if err != nil {
		return fmt.Errorf("%w: writing %s: %v", ErrEngine, ref(k), err)
	}
	out.Write(b)
	return nil
}

func jsonToYAML(b []byte) ([]byte, error) { return yaml.JSONToYAML(b) }
