//go:build unix

package cache

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive lock on f, waiting for it when wait is set; the
// kernel drops it when f is closed or the process dies, however it dies.
// held is false when the lock is someone else's and wait is not set.
func lock(f *os.File, wait bool) (held bool, err error) {
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// locks reports whether lock works here: where it does, a pack no
// process holds belongs to no live run.
const locks = true
