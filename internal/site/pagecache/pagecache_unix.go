//go:build unix

package pagecache

import (
	"os"
	"syscall"
)

// openOldFlags opens a file of the previous output without following a
// link and without waiting on a named pipe or a device.
const openOldFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// fileOwner is the user that owns a file.
func fileOwner(fi os.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
