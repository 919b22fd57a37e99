package scheduler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	ct "github.com/daemonsim/daemonsim/cluster/clustertest"
)

// After any mix of nodes added and deleted, ranks() leaves every live
// node's rank equal to its index in name order (the order preemption's
// candidates are taken in), renumbering only from the first position
// that changed.
func TestCacheRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	c := newCache()
	live := map[string]bool{}
	for step := range 2000 {
		name := fmt.Sprintf("n%03d", r.IntN(300))
		if live[name] && r.IntN(2) == 0 {
			c.deleteNode(name)
			delete(live, name)
		} else {
			c.setNode(ct.Node(name))
			live[name] = true
		}
		if step%7 != 0 {
			continue
		}
		c.ranks()
		require.True(t, slices.IsSortedFunc(c.nodes, func(a, b *nodeInfo) int {
			if a.name < b.name {
				return -1
			}
			return 1
		}))
		require.Len(t, c.nodes, len(live))
		for i, ni := range c.nodes {
			require.Equal(t, i, ni.rank, "step %d: %s", step, ni.name)
		}
		require.Equal(t, len(c.nodes), c.ranksFrom, "nothing stale after ranks")
	}
}
