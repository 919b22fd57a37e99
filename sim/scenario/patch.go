package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
)

// patch kind/name + a YAML or JSON merge patch: kubectl patch --type merge
// (RFC 7386: objects merge key by key, null removes a key, anything else
// replaces). The patched object is checked as a manifest (unknown fields,
// wrong types, validation) and written as an Update; the status is not
// patched (the status subresource is not written). Prints "kind/name
// patched", "kind/name patched (no change)", or the refusal.
func cmdPatch(w *World, cmd Command, a *args, out *strings.Builder) error {
	k, err := a.target(0)
	if err != nil {
		return err
	}
	if k.Kind.Namespaced() && k.Namespace == "" {
		k.Namespace = cluster.DefaultNamespace
	}
	if err := a.done(); err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Input) == "" {
		return badf("patch: give the merge patch (YAML or JSON) as the command's input")
	}
	pj, err := yaml.YAMLToJSON([]byte(cmd.Input))
	if err != nil {
		fmt.Fprintf(out, "error: unable to parse the patch: %v\n", err)
		return nil
	}
	var patch any
	if err := json.Unmarshal(pj, &patch); err != nil {
		fmt.Fprintf(out, "error: unable to parse the patch: %v\n", err)
		return nil
	}
	pm, ok := patch.(map[string]any)
	if !ok {
		fmt.Fprintln(out, "error: a merge patch must be an object")
		return nil
	}
	noChange := false
	ok, err = w.update(out, k, func(o cluster.Object) (bool, error) {
		n, same, err := mergePatched(o, pm)
		if err != nil {
			return false, err
		}
		if same {
			noChange = true
			return false, nil
		}
		reflect.ValueOf(o).Elem().Set(reflect.ValueOf(n).Elem())
		return true, nil
	})
	if err != nil || !ok {
		return err
	}
	if noChange {
		fmt.Fprintf(out, "%s patched (no change)\n", ref(k))
	} else {
		fmt.Fprintf(out, "%s patched\n", ref(k))
	}
	return nil
}

// mergePatched returns o with patch merged into it, decoded and checked
// as a manifest, and whether the patch changed nothing. o is not modified.
func mergePatched(o cluster.Object, patch map[string]any) (cluster.Object, bool, error) {
	b, err := manifest.Marshal(o)
	if err != nil {
		return nil, false, err
	}
	js, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, false, err
	}
	var before, after map[string]any
	if err := json.Unmarshal(js, &before); err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal(js, &after); err != nil {
		return nil, false, err
	}
	after = mergePatch(after, patch).(map[string]any)
	if reflect.DeepEqual(before, after) {
		return o, true, nil
	}
	if status, ok := before["status"]; ok {
		after["status"] = status
	} else {
		delete(after, "status")
	}
	nb, err := json.Marshal(after)
	if err != nil {
		return nil, false, err
	}
	set, err := manifest.Load("patch", nb)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			msgs := make([]string, len(me.Problems))
			for i, p := range me.Problems {
				msgs[i] = p.Path + ": " + p.Message
				if p.Path == "" {
					msgs[i] = p.Message
				}
			}
			return nil, false, errors.New(strings.Join(msgs, "; "))
		}
		return nil, false, err
	}
	if len(set.Objects) != 1 {
		return nil, false, fmt.Errorf("the patch leaves no %s", o.ObjectKind())
	}
	n := set.Objects[0].Object
	if cluster.KeyOf(n) != cluster.KeyOf(o) {
		return nil, false, fmt.Errorf("the patch may not change the object's kind, namespace or name")
	}
	return n, false, nil
}

// mergePatch applies an RFC 7386 merge patch to target and returns the
// result: an object patch merges key by key (null removes the key); any
// other patch value replaces the target.
func mergePatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm { //detlint:allow each key is written on its own; order cannot change the result
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}
