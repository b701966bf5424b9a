package outdir

import (
	"os"
	"path/filepath"
)

// swapByRename moves dir aside, moves tmp in, then deletes the old tree.
// Between the two renames dir is briefly absent; a crash there leaves the
// old tree as .<dir>.old-*, which the next run cleans up.
func swapByRename(tmp, dir, parent string) error {
	old, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".old-")
	if err != nil {
		return err
	}
	os.Remove(old)
	if err := os.Rename(dir, old); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}
