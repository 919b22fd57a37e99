package cluster

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUID checks the store's uids against their definition, on both
// sides of the 12-digit boundary.
func TestUID(t *testing.T) {
	s := NewStore()
	for _, rev := range []uint64{0, 1, 0xa, 0xabcdef, 1<<48 - 1, 1 << 48, 1<<64 - 1} {
		assert.Equal(t, fmt.Sprintf("00000000-0000-4000-8000-%012x", rev), s.uid(rev), "rev %#x", rev)
	}
	assert.Equal(t, "00000000-0000-4000-8000-00000000001f", s.uid(31))
}
