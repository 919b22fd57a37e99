package e2e_test

import (
	"testing"

	"github.com/daemonsim/daemonsim/sim/scenario"
)

// TestScenarios runs every scenario file under testdata, one subtest per
// file; `go test ./e2e -rewrite` rewrites their expected outputs.
func TestScenarios(t *testing.T) { scenario.Run(t, "testdata") }
