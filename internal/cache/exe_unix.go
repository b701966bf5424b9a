//go:build unix

package cache

import (
	"fmt"
	"os"
	"syscall"
)

// fileIdentity names a file as the file system knows it: its device and
// inode.
func fileIdentity(fi os.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino))
}
