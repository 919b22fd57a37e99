//go:build !unix

package pagefault

// Minor returns 0: page faults are not counted on this system.
func Minor() int64 { return 0 }
