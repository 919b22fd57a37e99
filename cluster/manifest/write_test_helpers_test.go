package manifest_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
)

// jsonOf is o's JSON, as the digest reads it.
func jsonOf(t testing.TB, o cluster.Object) string {
	t.Helper()
	b, err := json.Marshal(o)
	require.NoError(t, err)
	return string(b)
}
