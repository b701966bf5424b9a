package outdir

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A killed run leaves its temp folder behind, unlocked: the next run
// removes it at once, while the folder of a run still going (locked) is
// left alone.
func TestReplaceRemovesLitterOfDeadRunsOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no folder locks: litter is recognised by age")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "build")
	dead := filepath.Join(parent, ".build.tmp-dead")
	live := filepath.Join(parent, ".build.tmp-live")
	for _, d := range []string{dead, live} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lock, err := lockDir(live)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	err = Replace(out, func(t *Tree) error {
		return t.WriteFile("a.txt", []byte("a"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the litter of a dead run survived: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the folder of a live run was removed: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "a.txt")); err != nil || string(b) != "a" {
		t.Errorf("output: %q, %v", b, err)
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 2 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("parent holds %v, want build and the live run's folder", names)
	}
}

// While fill runs, the temp folder is locked, so a concurrent run does not
// take it for litter.
func TestTempFolderIsLockedWhileFilling(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no folder locks")
	}
	out := filepath.Join(t.TempDir(), "build")
	err := Replace(out, func(tr *Tree) error {
		tmp := tr.Root()
		if l, err := lockDir(tmp); err == nil {
			l.Close()
			t.Error("the temp folder is not locked during fill")
		}
		cleanStale(filepath.Dir(out), "build")
		_, err := os.Stat(tmp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
