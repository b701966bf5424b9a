//go:build !linux

package outdir

import "path/filepath"

func swapDirs(tmp, dir string) error { return swapByRename(tmp, dir, filepath.Dir(dir)) }
