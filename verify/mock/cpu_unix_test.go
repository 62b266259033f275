//go:build unix

package mock_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used (user and system, all
// threads): on a machine shared with other work, the CPU a benchmark uses
// per operation varies much less than the wall time it takes.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
