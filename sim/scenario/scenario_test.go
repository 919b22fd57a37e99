package scenario_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/sim/scenario"
)

func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata/scenarios")
}

// Each file under testdata/fail must fail the test with the message on its
// first line ("# want: file:line: message"). The file runs in a child
// process (this test binary, TestRunFailFile) so that its failure does not
// fail this test.
func TestFailingFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/fail/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			require.True(t, ok, "%s: the first line must be # want: <message>", f)
			cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailFile$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SCENARIO_FAIL_FILE="+f)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the file must fail:\n%s", out)
			assert.Contains(t, string(out), want)
		})
	}
}

func TestRunFailFile(t *testing.T) {
	f := os.Getenv("SCENARIO_FAIL_FILE")
	if f == "" {
		t.Skip("run by TestFailingFiles")
	}
	scenario.Run(t, f)
}
