// Package outdir replaces an output folder atomically: the new tree is
// written beside the old one and swapped in only when complete, so a failed
// or killed build leaves the previous output as it was.
package outdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MarkerFile marks a folder as pyrobuild's output, so a mistaken -o never
// replaces a folder of the user's.
const MarkerFile = ".pyrobuild-output"

// Replace replaces dir with what fill writes into a fresh folder beside
// it, then swaps the two; on any failure dir is left as it was. A folder
// pyrobuild did not write (no marker file) is never replaced.
func Replace(dir string, fill func(tmp string) error) error {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("output %s exists and is not a folder", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, MarkerFile)); err != nil {
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				return fmt.Errorf("output folder %s is not empty and was not written by pyrobuild; refusing to replace it (choose another -o, or empty it)", dir)
			}
		}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	cleanStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := fill(tmp); err != nil {
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

// cleanStale removes temp folders left by an earlier run that was killed.
// Recent ones may belong to a run still going (a watcher and a manual
// compile, say), so only folders untouched for staleAfter go.
func cleanStale(parent, base string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "."+base+".tmp-") && !strings.HasPrefix(e.Name(), "."+base+".old-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

const staleAfter = 10 * time.Minute
