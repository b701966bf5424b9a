//go:build !unix

package cli

import (
	"os/exec"
	"testing"
)

// asNobody: no users to switch to here.
func asNobody(t *testing.T, _, _ string) func(*exec.Cmd) {
	t.Skip("needs a unix user to switch to")
	return nil
}

// holdLock: no folder locks here; stale folders are told by age.
func holdLock(t *testing.T, _ string) {}
