package outdir

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// swapDirs puts the folder tmp in place of dir. On Linux an existing dir is
// exchanged in one atomic rename, so readers never see a missing folder.
func swapDirs(tmp, dir string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	if err == nil {
		return os.RemoveAll(tmp) // tmp now holds the old tree
	}
	if errors.Is(err, unix.ENOENT) {
		return os.Rename(tmp, dir) // no old tree
	}
	return swapByRename(tmp, dir, filepath.Dir(dir))
}
