//go:build unix

package main

import (
	"os"
	"syscall"
)

// usage is the CPU milliseconds (user + system) and minor page faults of
// a process that ended.
func usage(ps *os.ProcessState) (cpu, faults float64) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return float64((ps.UserTime() + ps.SystemTime()).Microseconds()) / 1e3, 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6, float64(ru.Minflt)
}
