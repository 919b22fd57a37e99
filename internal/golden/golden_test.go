package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder stands in for the testing.TB that check reports to, so a
// failing check can be looked at instead of failing this test. Methods it
// does not override go to the real test.
type recorder struct {
	testing.TB
	errors, fatals, logs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// Fatalf stops the calling goroutine, as testing.T's does.
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// record runs f against a recorder on its own goroutine, so a Fatalf ends
// f and not the test.
func record(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestCheck(t *testing.T) {
	const absent = "\x00absent" // the golden file does not exist
	for _, tc := range []struct {
		name     string
		file     string // the golden file's content before the check, or absent
		got      string
		update   bool
		after    string   // the file's content after the check, or absent
		errors   []string // substrings of the one t.Errorf message, if any
		fatal    []string // substrings of the one t.Fatalf message, if any
		rewrites bool     // whether check logs that it rewrote the file
	}{
		{name: "equal passes", file: "a\nb\n", got: "a\nb\n", after: "a\nb\n"},
		{name: "empty equals empty", file: "", got: "", after: ""},
		{
			name: "mismatch fails with a diff", file: "a\nb\nc\n", got: "a\nB\nc\n", after: "a\nb\nc\n",
			errors: []string{"seed1.golden", "-update", "Diff:", "-b\n", "+B\n"},
		},
		{
			name: "compared byte for byte: a missing final newline", file: "a\n", got: "a", after: "a\n",
			errors: []string{"Diff:"},
		},
		{
			name: "compared byte for byte: trailing space", file: "a\n", got: "a \n", after: "a\n",
			errors: []string{"Diff:"},
		},
		{
			name: "missing file fails and says to update", file: absent, got: "a\n", after: absent,
			fatal: []string{"seed1.golden", "does not exist", "run the test with -update"},
		},
		{name: "update rewrites a different file", file: "old\n", got: "new\n", update: true, after: "new\n", rewrites: true},
		{name: "update creates a missing file", file: absent, got: "new\n", update: true, after: "new\n", rewrites: true},
		{name: "update leaves an equal file alone", file: "same\n", got: "same\n", update: true, after: "same\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "testdata", "seed1.golden")
			if tc.file != absent {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(tc.file), 0o644))
			}

			r := record(t, func(tb testing.TB) { check(tb, path, []byte(tc.got), tc.update) })

			assertMessage(t, "Errorf", r.errors, tc.errors)
			assertMessage(t, "Fatalf", r.fatals, tc.fatal)
			if tc.rewrites {
				assert.Equal(t, []string{"golden: rewrote " + path}, r.logs)
			} else {
				assert.Empty(t, r.logs)
			}
			after, err := os.ReadFile(path)
			if tc.after == absent {
				assert.ErrorIs(t, err, os.ErrNotExist)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.after, string(after))
			}
		})
	}
}

// assertMessage checks that msgs is one message holding every one of
// want, or no message when want is empty.
func assertMessage(t *testing.T, kind string, msgs, want []string) {
	t.Helper()
	if len(want) == 0 {
		assert.Empty(t, msgs, kind)
		return
	}
	if assert.Len(t, msgs, 1, kind) {
		for _, w := range want {
			assert.Contains(t, msgs[0], w, kind)
		}
	}
}

// TestCheckReadsUpdateFlag shows Check follows the -update flag that this
// package registers.
func TestCheckReadsUpdateFlag(t *testing.T) {
	f := flag.Lookup("update")
	require.NotNil(t, f, "the package registers -update")
	was := f.Value.String()
	t.Cleanup(func() { require.NoError(t, f.Value.Set(was)) })

	path := filepath.Join(t.TempDir(), "out.golden")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
	for _, tc := range []struct {
		update string
		after  string
		failed bool
	}{
		{update: "false", after: "old\n", failed: true},
		{update: "true", after: "new\n"},
	} {
		t.Run("update="+tc.update, func(t *testing.T) {
			require.NoError(t, f.Value.Set(tc.update))
			r := record(t, func(tb testing.TB) { Check(tb, path, []byte("new\n")) })
			assert.Equal(t, tc.failed, len(r.errors) > 0, strings.Join(r.errors, "\n"))
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tc.after, string(after))
		})
	}
}
