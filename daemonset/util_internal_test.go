package daemonset

import (
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daemonsim/daemonsim/cluster"
)

func TestNameDigitsAreTheSafeAlphabetSorted(t *testing.T) {
	require.Len(t, nameDigits, len(safeAlphabet))
	for i := range len(nameDigits) {
		assert.Contains(t, safeAlphabet, nameDigits[i:i+1])
		if i > 0 {
			assert.Less(t, nameDigits[i-1], nameDigits[i], "nameDigits is not in byte order at %d", i)
		}
	}
}

func TestPodName(t *testing.T) {
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "fluentd", UID: "uid-1"}}
	const n = 100_000
	seen := make(map[string]uint64, n)
	wraps := 0
	prev := ""
	for seq := uint64(1); seq <= n; seq++ {
		name := podName(ds, seq)
		require.True(t, strings.HasPrefix(name, "fluentd-"), name)
		suffix := strings.TrimPrefix(name, "fluentd-")
		require.Len(t, suffix, 5)
		for _, c := range suffix {
			require.Contains(t, safeAlphabet, string(c), name)
		}
		if other, dup := seen[name]; dup {
			t.Fatalf("seq %d and %d both give %s", other, seq, name)
		}
		seen[name] = seq
		if prev != "" && name < prev {
			wraps++
		}
		prev = name
	}
	assert.LessOrEqual(t, wraps, 1, "names sort in the order they were made except where the counter wraps")
	assert.Equal(t, podName(ds, 7), podName(ds, 7+nameSpace), "the counter runs over 27^5 suffixes")

	other := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "fluentd", UID: "uid-2"}}
	assert.NotEqual(t, podName(ds, 1), podName(other, 1), "a recreated DaemonSet starts elsewhere")

	long := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: strings.Repeat("a", 63), UID: "u"}}
	name := podName(long, 1)
	assert.Len(t, name, 63)
	assert.Equal(t, strings.Repeat("a", 58), name[:58], "the prefix is cut to 58 characters, dash included")
}

// Over a full cycle the names are the sorted suffixes rotated: before
// the wrap every name sorts at or after the first one, after it every
// name sorts before it; the wrap goes from the largest suffix to the
// smallest.
func TestPodNameWraps(t *testing.T) {
	ds := &cluster.DaemonSet{ObjectMeta: cluster.ObjectMeta{Name: "x", UID: "u"}}
	first := podName(ds, 1)
	at := uint64(sort.Search(nameSpace, func(i int) bool { return podName(ds, uint64(i)+1) < first }))
	require.Less(t, at, uint64(nameSpace), "no wrap in a full cycle")
	assert.Equal(t, "x-zzzzz", podName(ds, at))
	assert.Equal(t, "x-22222", podName(ds, at+1))
	assert.GreaterOrEqual(t, podName(ds, at/2), first)
	assert.Less(t, podName(ds, at+1+(nameSpace-at)/2), first)
}
