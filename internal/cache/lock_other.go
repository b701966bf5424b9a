//go:build !unix

package cache

import (
	"errors"
	"os"
)

// lock is not available here: packs are told apart by age instead (see
// orphanAge), and two runs merging the index at once may lose one's
// entries (misses, never wrong data).
func lock(*os.File, bool) (bool, error) { return false, errors.ErrUnsupported }

const locks = false
