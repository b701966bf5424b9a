//go:build !unix

package outdir

import (
	"errors"
	"os"
)

// lockDir is not available here: stale folders are recognised by age only.
func lockDir(string) (*os.File, error) { return nil, errors.ErrUnsupported }
