//go:build linux

package pagefault

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BenchmarkFirstTouch maps 64 MiB of fresh anonymous memory per iteration,
// writes one byte in each 4 KiB page (the kernel supplies a zeroed page on
// each first write) and reports the time per page as µs/page.
func BenchmarkFirstTouch(b *testing.B) { benchmarkTouch(b, false) }

// BenchmarkFirstTouchPopulated is BenchmarkFirstTouch with the pages first
// supplied in one call (madvise MADV_POPULATE_WRITE, Linux 5.14 and
// later), the populate call timed with the writes: what the faults would
// cost if taken in bulk, which the Go runtime does not do. Skipped where
// the kernel lacks the call.
func BenchmarkFirstTouchPopulated(b *testing.B) { benchmarkTouch(b, true) }

func benchmarkTouch(b *testing.B, populate bool) {
	const size, page = 64 << 20, 4096
	const madvPopulateWrite = 23 // MADV_POPULATE_WRITE
	var pages int
	for b.Loop() {
		b.StopTimer()
		m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if populate {
			if err := syscall.Madvise(m, madvPopulateWrite); err != nil {
				b.Skipf("madvise(MADV_POPULATE_WRITE): %v", err)
			}
		}
		for i := 0; i < size; i += page {
			m[i] = 1
		}
		b.StopTimer()
		pages += size / page
		if err := syscall.Munmap(m); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(pages), "µs/page")
}

// TestMinorCountsFirstTouches writes to fresh pages and checks that Minor
// counted at least one fault per 2 MiB (one per page without huge pages).
func TestMinorCountsFirstTouches(t *testing.T) {
	const size = 16 << 20
	m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	defer func() { require.NoError(t, syscall.Munmap(m)) }()
	before := Minor()
	for i := 0; i < size; i += 4096 {
		m[i] = 1
	}
	assert.GreaterOrEqual(t, Minor()-before, int64(size/(2<<20)))
}
