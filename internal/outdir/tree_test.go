package outdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// TestTreeWriteFileReplacesLink: a file of the tree that is a hard link to
// another tree's is replaced, not written into; a folder is not replaced.
func TestTreeWriteFileReplacesLink(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, []byte("old page\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := NewTree(filepath.Join(dir, "new"))
	if err := os.Mkdir(tr.Root(), 0o755); err != nil {
		t.Fatal(err)
	}
	p, err := tr.Link(old, "a/page.html")
	if err != nil {
		t.Skip("no hard links:", err)
	}
	if p != filepath.Join(tr.Root(), "a", "page.html") {
		t.Errorf("linked at %s", p)
	}
	if err := tr.WriteFile("a/page.html", []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(old); string(data) != "old page\n" {
		t.Errorf("the linked file became %q", data)
	}
	if data, _ := os.ReadFile(p); string(data) != "new\n" {
		t.Errorf("the new file is %q", data)
	}
	if err := tr.WriteFile("a", []byte("x")); err == nil {
		t.Error("a folder was replaced by a file")
	}
}

func TestTreeFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		early   []string // Dirs
		write   []string // WriteFile
		unused  []string // RemoveEmpty
		want    []string // what the tree holds: folders end in /
		wantErr bool
	}{
		{
			name:  "folders made as files are written",
			write: []string{"a/b/c.txt", "a/d.txt", "e.txt"},
			want:  []string{"a/", "a/b/", "a/b/c.txt", "a/d.txt", "e.txt"},
		},
		{
			name:  "folders made ahead",
			early: []string{"x/y/index.html", "x/index.html", "z/index.html"},
			write: []string{"x/y/index.html", "x/index.html", "z/index.html"},
			want:  []string{"x/", "x/index.html", "x/y/", "x/y/index.html", "z/", "z/index.html"},
		},
		{
			name:   "folders of unused files go when empty",
			early:  []string{"p/q/index.html", "p/index.html", "r/s/index.html"},
			write:  []string{"p/index.html"},
			unused: []string{"p/q/index.html", "r/s/index.html"},
			want:   []string{"p/", "p/index.html"},
		},
		{
			name:    "a file where a folder must be",
			write:   []string{"f", "f/g"},
			wantErr: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTree(t.TempDir())
			if err := tr.Dirs(tc.early); err != nil {
				t.Fatal(err)
			}
			var err error
			for _, n := range tc.write {
				if err = tr.WriteFile(n, []byte(n)); err != nil {
					break
				}
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			tr.RemoveEmpty(tc.unused)
			var got []string
			filepath.WalkDir(tr.Root(), func(p string, d os.DirEntry, err error) error {
				rel, _ := filepath.Rel(tr.Root(), p)
				if rel == "." {
					return nil
				}
				rel = filepath.ToSlash(rel)
				if d.IsDir() {
					got = append(got, rel+"/")
					return nil
				}
				if data, _ := os.ReadFile(p); string(data) != rel {
					t.Errorf("%s holds %q", rel, data)
				}
				got = append(got, rel)
				return nil
			})
			sort.Strings(got)
			if len(got) != len(tc.want) {
				t.Fatalf("tree %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("tree %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestTreeFilePerm: the permissions FilePerm reports are those of the
// files the tree writes, and probing leaves nothing behind.
func TestTreeFilePerm(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, tc := range []struct {
		mode fs.FileMode // 0: the default
		want fs.FileMode // under any umask that leaves the owner's bits
	}{
		{0, 0o600},
		{0o600, 0o600},
		{0o400, 0o400},
	} {
		tr := NewTree(t.TempDir())
		if tc.mode != 0 {
			tr.SetFileMode(tc.mode)
		}
		perm, ok := tr.FilePerm()
		if !ok {
			t.Fatal("no permissions found")
		}
		ents, _ := os.ReadDir(tr.Root())
		if len(ents) != 0 {
			t.Errorf("probing left %v", ents)
		}
		if err := tr.WriteFile("a.txt", nil); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(tr.Root(), "a.txt"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != perm || perm&0o700 != tc.want {
			t.Errorf("mode %v: FilePerm %v, a written file has %v", tc.mode, perm, fi.Mode().Perm())
		}
	}
}
