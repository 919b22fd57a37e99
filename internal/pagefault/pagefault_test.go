//go:build linux

package pagefault

import (
	"syscall"
	"testing"
)

// BenchmarkFirstTouch maps 64 MiB of fresh anonymous memory per iteration,
// writes one byte in each 4 KiB page (the kernel supplies a zeroed page on
// each first write) and reports the time per page as µs/page.
func BenchmarkFirstTouch(b *testing.B) {
	const size, page = 64 << 20, 4096
	var pages int
	for b.Loop() {
		b.StopTimer()
		m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
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
