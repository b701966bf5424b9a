//go:build !unix

package load

import "os/exec"

// killGroupOnCancel leaves cmd as it is: without process groups, its
// cancellation kills the process alone.
func killGroupOnCancel(*exec.Cmd) {}
