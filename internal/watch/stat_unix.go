//go:build unix

package watch

import (
	"io/fs"
	"syscall"
)

// inode identifies the file behind a name, so that a rename save that keeps
// size and (coarse) mtime is still seen as a change by the poller.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
