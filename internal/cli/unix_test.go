//go:build unix

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// asNobody prepares a command to run as the unprivileged user nobody, for
// tests that need permissions to be enforced while they run as root. The
// binary's folder and dir (with their parents up to the temporary folder)
// are opened to everyone; dir becomes writable for the output.
func asNobody(t *testing.T, bin, dir string) func(*exec.Cmd) {
	t.Helper()
	tmp := filepath.Clean(os.TempDir())
	for _, p := range []string{filepath.Dir(bin), dir} {
		for d := p; d != tmp && d != filepath.Dir(d); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Skipf("cannot open %s to nobody: %v", d, err)
			}
		}
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return func(cmd *exec.Cmd) {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Env = append(cmd.Env, "HOME="+dir)
	}
}

// holdLock locks dir as a live run locks its temp folder, until the test
// ends.
func holdLock(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
}
