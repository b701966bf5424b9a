//go:build unix

package load

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel makes cmd the leader of a new process group and has
// its cancellation kill the whole group.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The group's id is the leader's process id; the leader is not
		// yet waited for, so the id is still its own.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
