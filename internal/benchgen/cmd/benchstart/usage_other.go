//go:build !unix

package main

import "os"

// usage is the CPU milliseconds (user + system) of a process that ended;
// page faults are counted on Unix only.
func usage(ps *os.ProcessState) (cpu, faults float64) {
	return float64((ps.UserTime() + ps.SystemTime()).Microseconds()) / 1e3, 0
}
