package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// Run runs the scenario file at path, or every file whose name ends in
// ".txt" under the directory path (one subtest per file, named by its path
// below path without the extension, in name order, recursing into
// directories; other files, such as the manifests the scenarios apply, are
// left alone), each on a fresh World with the zero Config (a
// first cluster command configures it). Each command's output is compared
// with the expected output below its "----"; `go test -rewrite` writes the
// actual output in its place. A command that cannot run as written (an
// unknown command or argument, a bad value) or an engine failure fails the
// test with the file and line of the command.
func Run(t *testing.T, path string) {
	t.Helper()
	RunConfig(t, path, Config{})
}

// RunConfig is Run with each file's World starting from cfg.
func RunConfig(t *testing.T, path string, cfg Config) {
	t.Helper()
	walk(t, path, true, func(t *testing.T, path string) {
		w, err := NewWorld(cfg)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		dir := filepath.Dir(path)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			out, err := w.Exec(FromTestData(d, dir))
			if err != nil {
				d.Fatalf(t, "%v", err)
			}
			return out
		})
	})
}

// walk calls f for path if it is a file, else in a subtest for each ".txt"
// file below it.
func walk(t *testing.T, path string, top bool, f func(t *testing.T, path string)) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() {
		if top || strings.HasSuffix(path, ".txt") {
			f(t, path)
		}
		return
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || (!e.IsDir() && !strings.HasSuffix(name, ".txt")) {
			continue
		}
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			walk(t, filepath.Join(path, name), false, f)
		})
	}
}

// FromTestData returns the Command of one datadriven directive, with dir as
// the directory its relative paths resolve against.
func FromTestData(d *datadriven.TestData, dir string) Command {
	c := Command{Pos: d.Pos, Name: d.Cmd, Input: d.Input, Dir: dir}
	for _, a := range d.CmdArgs {
		c.Args = append(c.Args, Arg{Key: a.Key, Vals: a.Vals})
	}
	return c
}
