// Package outdir replaces an output folder atomically: the new tree is
// written beside the old one and swapped in only when complete, so a failed
// or killed build leaves the previous output as it was.
package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MarkerFile marks a folder as pyrobuild's output, so a mistaken -o never
// replaces a folder of the user's.
const MarkerFile = ".pyrobuild-output"

// RefusedError is the error of Replace for a dir it will not replace: a
// file, or a folder pyrobuild did not write. The choice of folder is
// wrong, not the build: commands report it as bad usage.
type RefusedError struct{ msg string }

func (e *RefusedError) Error() string { return e.msg }

// Replace replaces dir with the tree fill writes into a fresh folder
// beside it, then swaps the two; on any failure dir is left as it was. A
// folder pyrobuild did not write (no marker file) is never replaced.
func Replace(dir string, fill func(t *Tree) error) error {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return &RefusedError{fmt.Sprintf("output %s exists and is not a folder", dir)}
		}
		if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err != nil {
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				return &RefusedError{fmt.Sprintf("output folder %s is not empty and was not written by pyrobuild; refusing to replace it (choose another -o, or empty it)", dir)}
			}
		}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	cleanStale(parent, base)
	tmp, lock, err := makeTemp(parent, base)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
		if lock != nil {
			lock.Close()
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	t := NewTree(tmp)
	if err := fill(t); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, MarkerFile), []byte("This folder is written by pyrobuild and replaced on every build.\n"), 0o644); err != nil {
		return err
	}
	if err := swapDirs(tmp, dir); err != nil {
		return err
	}
	ok = true
	return nil
}

// makeTemp creates the folder a run writes into, locked for as long as
// the run lives, so that other runs can tell its folder from the litter of
// a run that was killed. Where folders cannot be locked, lock is nil.
func makeTemp(parent, base string) (tmp string, lock *os.File, err error) {
	for range 3 {
		tmp, err = os.MkdirTemp(parent, "."+base+".tmp-")
		if err != nil {
			return "", nil, err
		}
		lock, err = lockDir(tmp)
		if errors.Is(err, errors.ErrUnsupported) {
			return tmp, nil, nil
		}
		if err == nil {
			// Another run's cleanStale may have taken the fresh folder for
			// litter between its creation and the lock: then the lock is on
			// a removed folder, and this run needs a new one.
			fi, ferr := lock.Stat()
			pi, perr := os.Stat(tmp)
			if ferr == nil && perr == nil && os.SameFile(fi, pi) {
				return tmp, lock, nil
			}
			lock.Close()
			err = fmt.Errorf("temporary folder %s was removed while being set up", tmp)
		}
		os.RemoveAll(tmp)
	}
	return "", nil, err
}

var errLocked = errors.New("locked by a live run")

// cleanStale removes temp folders left by earlier runs that were killed.
// A run holds a lock on its temp folder while it lives (see makeTemp), so a
// folder nobody holds is litter and goes at once; without locks, and for
// the old trees a rename swap leaves (which may be the only copy of the
// previous output), only folders untouched for staleAfter go, as recent
// ones may belong to a run still going (a watcher and a manual compile,
// say).
func cleanStale(parent, base string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		isTmp := strings.HasPrefix(e.Name(), "."+base+".tmp-")
		if !isTmp && !strings.HasPrefix(e.Name(), "."+base+".old-") {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if isTmp && e.IsDir() {
			lock, err := lockDir(p)
			if err == nil {
				os.RemoveAll(p)
				lock.Close()
				continue
			}
			if errors.Is(err, errLocked) {
				continue
			}
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			os.RemoveAll(p)
		}
	}
}

const staleAfter = 10 * time.Minute
