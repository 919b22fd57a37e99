// Package pagefault holds one benchmark, BenchmarkFirstTouch, that
// measures what a 4 KiB page of fresh anonymous memory costs the first time
// it is written on the machine at hand. It explains the gap between the
// first run of a simulation in a fresh process and a later one: the first
// pays this cost for every page the Go heap grows by. It is not part of
// the library.
package pagefault
