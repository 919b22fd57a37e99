// Package pagefault helps the benchmarks tell cold runs from warm ones.
// Minor counts the process's first-touch page faults, so a benchmark can
// report how many pages its timed phase had the kernel supply, and
// BenchmarkFirstTouch measures what one such fault costs on the machine at
// hand (BenchmarkFirstTouchPopulated, what it would cost taken in bulk). A first run of a simulation in a fresh process pays that cost for
// every page the Go heap grows by; a later run reuses memory already
// mapped. It is not part of the library.
package pagefault
