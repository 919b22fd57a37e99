package cluster

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type slotOp struct {
	slot uint64
	v    int
}

func TestSlotTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		ops  []slotOp
		want map[uint64]int
	}{
		{name: "empty"},
		{name: "set and overwrite", ops: []slotOp{{1, 10}, {300, 30}, {1, 11}}, want: map[uint64]int{1: 11, 300: 30}},
		{name: "zero deletes", ops: []slotOp{{1, 10}, {2, 20}, {1, 0}, {5000, 0}}, want: map[uint64]int{2: 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st SlotTable[int]
			for _, op := range tc.ops {
				st.Set(op.slot, op.v)
			}
			assert.Equal(t, len(tc.want), st.Len())
			for slot := uint64(0); slot < 600; slot++ {
				assert.Equal(t, tc.want[slot], st.Get(slot), "slot %d", slot)
			}
			assert.Zero(t, st.Get(1<<40), "far past the end")
			got := map[uint64]int{}
			var order []uint64
			for slot, v := range st.All() {
				got[slot] = v
				order = append(order, slot)
			}
			if len(tc.want) > 0 {
				assert.Equal(t, tc.want, got)
			} else {
				assert.Empty(t, got)
			}
			assert.True(t, slices.IsSorted(order), "All yields slots in order: %v", order)
		})
	}
}

// Random sets and deletes agree with a map; a chunk whose values are all
// gone is released, and set again when a value comes back.
func TestSlotTableAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var st SlotTable[*int]
	ref := map[uint64]*int{}
	for i := range 20_000 {
		slot := uint64(r.IntN(5_000))
		if r.IntN(3) == 0 {
			st.Delete(slot)
			delete(ref, slot)
		} else {
			v := i
			st.Set(slot, &v)
			ref[slot] = &v
		}
	}
	require.Equal(t, len(ref), st.Len())
	for slot := uint64(0); slot < 5_100; slot++ {
		require.Equal(t, ref[slot], st.Get(slot), "slot %d", slot)
	}
	var prev uint64
	seen := 0
	for slot, v := range st.All() {
		require.Equal(t, ref[slot], v, "slot %d", slot)
		require.True(t, seen == 0 || slot > prev, "slot %d after %d", slot, prev)
		prev = slot
		seen++
		if seen == 100 {
			break // stopping early is allowed
		}
	}
	require.Equal(t, 100, seen)
	seen = 0
	for range st.All() {
		seen++
	}
	require.Equal(t, len(ref), seen)
	for slot := range uint64(5_000) {
		st.Delete(slot)
	}
	assert.Zero(t, st.Len())
	for i, c := range st.chunks {
		assert.Nil(t, c, "chunk %d kept with no values", i)
	}
	v := 7
	st.Set(300, &v)
	assert.Equal(t, &v, st.Get(300))
	assert.Equal(t, 1, st.Len())
}
