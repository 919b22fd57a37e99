package cluster

import "iter"

// slotChunkBits sets how many slots a SlotTable chunk holds (256).
const slotChunkBits = 8

const slotChunkSize = 1 << slotChunkBits

type slotChunk[T comparable] struct {
	vals [slotChunkSize]T
	live int // values that are not the zero value
}

// SlotTable maps pod slots (Delta.Slot) to values of T: what an observer
// that follows every pod can keep instead of a map keyed by Key. Slots
// grow with creation and are never reused, so a lookup is two array
// reads, and pods made one after another sit next to each other, which
// keeps lookups of them in cache where a hash map's land anywhere. The
// zero value of T means "none"; the zero SlotTable is empty and ready to
// use.
//
// Memory: a chunk of 256 values for every run of 256 slots (store
// revisions) in which at least one pod with a value was created (a chunk
// whose values are all gone is released: its pods left), plus one pointer
// per 256 slots up to the highest slot set. Cost: O(1) for every method,
// amortised. Not safe for concurrent use.
type SlotTable[T comparable] struct {
	chunks []*slotChunk[T] // chunks[i] holds slots i<<slotChunkBits ... (nil: none)
	n      int
}

// Get returns the value at slot, or the zero value.
func (t *SlotTable[T]) Get(slot uint64) T {
	var zero T
	i := slot >> slotChunkBits
	if i >= uint64(len(t.chunks)) || t.chunks[i] == nil {
		return zero
	}
	return t.chunks[i].vals[slot&(slotChunkSize-1)]
}

// Set sets the value at slot; setting the zero value deletes it.
func (t *SlotTable[T]) Set(slot uint64, v T) {
	var zero T
	i := slot >> slotChunkBits
	if i >= uint64(len(t.chunks)) {
		if v == zero {
			return
		}
		if i < uint64(cap(t.chunks)) {
			t.chunks = t.chunks[:i+1]
		} else {
			t.chunks = append(t.chunks, make([]*slotChunk[T], i+1-uint64(len(t.chunks)))...)
		}
	}
	c := t.chunks[i]
	if c == nil {
		if v == zero {
			return
		}
		c = new(slotChunk[T])
		t.chunks[i] = c
	}
	j := slot & (slotChunkSize - 1)
	switch old := c.vals[j]; {
	case old == zero && v != zero:
		c.live++
		t.n++
	case old != zero && v == zero:
		c.live--
		t.n--
	}
	c.vals[j] = v
	if c.live == 0 {
		t.chunks[i] = nil
	}
}

// Delete removes the value at slot, if any.
func (t *SlotTable[T]) Delete(slot uint64) {
	var zero T
	t.Set(slot, zero)
}

// Len returns the number of values set.
func (t *SlotTable[T]) Len() int { return t.n }

// All yields every slot that has a value, with the value, in increasing
// slot order (the order the pods were created in). The table must not be
// modified during the iteration. Cost: O(values + chunks kept + highest
// slot / 256).
func (t *SlotTable[T]) All() iter.Seq2[uint64, T] {
	return func(yield func(uint64, T) bool) {
		var zero T
		for i, c := range t.chunks {
			if c == nil {
				continue
			}
			for j, v := range c.vals {
				if v != zero && !yield(uint64(i)<<slotChunkBits|uint64(j), v) {
					return
				}
			}
		}
	}
}
