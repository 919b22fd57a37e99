// Package golden compares a test's output with a golden file, the one way
// every golden test in the repository does it:
//
//	func TestRunGolden(t *testing.T) {
//		var out bytes.Buffer
//		require.NoError(t, run(&out, 1))
//		golden.Check(t, "testdata/seed1.golden", out.Bytes())
//	}
//
// The file and the output are compared byte for byte: no trimming, no
// newline or whitespace normalisation. On a mismatch the test fails with
// the file's name and a line diff of the two (testify's), and goes on.
//
// Run the tests with -update to rewrite the golden files instead:
//
//	go test ./examples/fluentd -update
//
// Check then writes the output to the file (creating its directory if
// needed) when it differs, leaves an identical file untouched, and passes.
// A missing golden file fails the test with a message saying to run with
// -update. The flag is registered once, here, so every test binary that
// imports the package has it; a package must not register its own.
//
// The package is for tests only: it reads and writes files and reads a
// command-line flag, so it sits outside the core packages that the
// determinism lint (internal/detlint) covers. Unlike cluster/clustertest it
// uses testify for the diff: being internal, it is imported only by this
// module's tests, so the library's dependency graph does not change. Check
// is not safe for concurrent use on the same path.
package golden

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

var update = flag.Bool("update", false, "rewrite golden files with the output the tests got")

// Check fails t unless the file at path holds exactly got. With -update it
// writes got to path instead (when the two differ) and passes. A missing
// or unreadable file, or a failed write, stops the test (t.Fatalf); a
// mismatch is reported with t.Errorf and the test goes on. path is
// relative to the package directory, as go test runs there.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	check(t, path, got, *update)
}

// check is Check with the -update flag passed in, so tests of the package
// can take both paths without touching the flag.
func check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err == nil && bytes.Equal(want, got) {
		return
	}
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		t.Logf("golden: rewrote %s", path)
		return
	}
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden: %s does not exist; run the test with -update to create it", path)
	}
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	assert.Equal(t, string(want), string(got), "golden: output (actual) differs from %s (expected); if the change is intended, rerun with -update", path)
}
