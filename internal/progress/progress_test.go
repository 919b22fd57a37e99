package progress_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/daemonsim/daemonsim/internal/progress"
)

func TestRemaining(t *testing.T) {
	assert.Equal(t, 30*time.Second, progress.Remaining(10*time.Second, 1, 4))
	assert.Equal(t, time.Duration(0), progress.Remaining(10*time.Second, 0, 4), "nothing done: no estimate")
	assert.Equal(t, time.Duration(0), progress.Remaining(10*time.Second, 4, 4), "all done")
}

// A Line that is not shown writes nothing; a shown one writes nothing in
// its first second (short runs print nothing).
func TestLineQuiet(t *testing.T) {
	var b bytes.Buffer
	off := progress.New(&b, false)
	off.Update("+1m", 10)
	off.Done()
	on := progress.New(&b, true)
	on.Status("sweeping: 1/2 runs", 5)
	on.Done()
	assert.Empty(t, b.String())
}
