package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

// testDeterminism: compile, check and build give byte-identical outputs
// (files, diagnostics, messages) across runs, with GOMAXPROCS 1 and 2, and
// whatever order the input files were created in.
func testDeterminism(t *testing.T, bin string) {
	// One set of inputs, generated once: dashboards in CUE and YAML, the
	// bundled example project, the broken-source corpus (for diagnostics)
	// and a docs site whose catalog shows the dashboards.
	gen := t.TempDir()
	mustOK(t, benchgen.WriteCUE(filepath.Join(gen, "src", "cue"), 40))
	mustOK(t, benchgen.WriteYAML(filepath.Join(gen, "yaml"), 80)) // the same names: compiled apart
	mustOK(t, copyTree(filepath.Join("..", "..", "examples", "profiling"), filepath.Join(gen, "src", "profiling"), false))
	mustOK(t, copyTree(filepath.Join("..", "compiler", "testdata", "broken"), filepath.Join(gen, "broken"), false))
	mustOK(t, benchgen.WritePages(filepath.Join(gen, "site"), 80))

	// The same files, created in order in one folder and in reverse order
	// in another. On tmpfs (/dev/shm) a folder lists its entries newest
	// first, so there the two folders list them in opposite orders; ext4
	// lists them by hash either way.
	fwd := filepath.Join(t.TempDir(), "w")
	rev := filepath.Join(shmDir(t), "w")
	mustOK(t, copyTree(gen, fwd, false))
	mustOK(t, copyTree(gen, rev, true))
	if a, b := readdirOrder(t, filepath.Join(fwd, "yaml", "team-00")), readdirOrder(t, filepath.Join(rev, "yaml", "team-00")); slices.Equal(a, b) {
		t.Log("both folders list their entries in the same order on this file system")
	}

	type run struct {
		dir   string
		procs string
	}
	runs := []run{{fwd, "1"}, {fwd, "2"}, {rev, "2"}, {rev, "1"}}
	commands := []struct {
		name string
		args []string
		code int
	}{
		{"compile", []string{"compile", "src", "-o", "out"}, 0},
		{"compile yaml json", []string{"compile", "yaml", "--format", "json", "-o", "out"}, 0},
		{"check broken text", []string{"check", "broken"}, 1},
		{"check broken json", []string{"check", "broken", "--diagnostics", "json"}, 1},
		{"check broken github", []string{"check", "broken", "--diagnostics", "github"}, 1},
		// The highlight cache must not change a byte: the first build of
		// each folder is cold, the next ones warm.
		{"build", []string{"build", "--root", "site", "--dashboards", "src", "--cache-dir", "cache", "-o", "out"}, 0},
	}
	for _, c := range commands {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			var first map[string][32]byte
			var firstOut, firstErr string
			for i, r := range runs {
				os.RemoveAll(filepath.Join(r.dir, "out"))
				res := runBin(t, bin, r.dir, []string{"GOMAXPROCS=" + r.procs}, 2*time.Minute, c.args...)
				if res.code != c.code {
					t.Fatalf("run %d: exit %d, want %d\n%s", i, res.code, c.code, lastLines(res.stderr))
				}
				// Messages name the output folder and the paths as given,
				// which are the same relative paths in both folders.
				got := treeHashes(t, filepath.Join(r.dir, "out"))
				if i == 0 {
					first, firstOut, firstErr = got, res.stdout, res.stderr
					if c.code == 0 && len(got) == 0 {
						t.Fatal("no output")
					}
					continue
				}
				what := r.dir + " with GOMAXPROCS=" + r.procs
				if same, diff := sameTree(first, got); !same {
					t.Errorf("%s: output differs from the first run's:\n%s", what, diff)
				}
				if res.stdout != firstOut {
					t.Errorf("%s: stdout differs:\n%s\nfirst run:\n%s", what, lastLines(res.stdout), lastLines(firstOut))
				}
				if res.stderr != firstErr {
					t.Errorf("%s: stderr differs:\n%s\nfirst run:\n%s", what, lastLines(res.stderr), lastLines(firstErr))
				}
			}
		})
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// shmDir is a temporary folder on tmpfs when there is one, else an
// ordinary one.
func shmDir(t *testing.T) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "pyrobuild-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// readdirOrder lists a folder in the order the file system keeps it.
func readdirOrder(t *testing.T, dir string) []string {
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// copyTree copies the files under src to dst, creating files and folders
// in name order, or in reverse name order.
func copyTree(src, dst string, reverse bool) error {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	if reverse {
		slices.Reverse(files)
	}
	for _, p := range files {
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, rel), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
