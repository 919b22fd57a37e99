//go:build unix

package pagefault

import "syscall"

// Minor returns the minor page faults the process has taken so far (the
// pages the kernel supplied on first touch), or 0 if it cannot tell.
func Minor() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Minflt)
}
