package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/daemonsim/daemonsim/cluster"
	"github.com/daemonsim/daemonsim/cluster/manifest"
)

// FuzzLoad: no input panics; an accepted input round-trips: WriteYAML of
// its objects loads back to equal objects.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{nodeYAML, podYAML, dsYAML, rsYAML, pcYAML, pdbYAML, crYAML,
		nodeYAML + "---\n" + podYAML, "apiVersion: v1\nkind: List\nitems:\n- " + pcYAML[:len(pcYAML)-1],
		`{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}}{"apiVersion":"v1","kind":"Pod"}`,
		"a: &a [*a]\n", "- !!binary aGk=\n", "apiVersion: v1\nkind: Node\nmetadata: {name: n, labels: {a: yes, b: '0x1', c: 1e3}}\n",
		"apiVersion: v1\nkind: Node\nmetadata:\n  name: n\n  <<: {labels: {a: b}}\n", "--- #\n---\n\t\n", ""} {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob("testdata/seeds/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := manifest.Load("f.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatal("a Set with an error")
			}
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		objs := make([]cluster.Object, len(s.Objects))
		for i, o := range s.Objects {
			objs[i] = o.Object
		}
		var buf bytes.Buffer
		if err := manifest.WriteYAML(&buf, objs...); err != nil {
			t.Fatalf("WriteYAML: %v", err)
		}
		back, err := manifest.Load("back.yaml", buf.Bytes())
		if err != nil {
			t.Fatalf("written YAML does not load: %v\n%s", err, buf.String())
		}
		if len(back.Objects) != len(objs) {
			t.Fatalf("%d objects, %d back", len(objs), len(back.Objects))
		}
		for i, o := range back.Objects {
			if want, got := jsonOf(t, objs[i]), jsonOf(t, o.Object); want != got {
				t.Fatalf("object %d:\nwant %s\ngot  %s", i, want, got)
			}
		}
	})
}
