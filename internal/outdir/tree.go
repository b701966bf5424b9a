package outdir

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"sync"
)

// A Tree writes the files of a new output folder, the one Replace fills.
// Files are named by slash-separated paths relative to the folder. Every
// folder is made once (a Stat or MkdirAll per file is much of the cost of
// writing thousands of small files), every file is created anew with the
// tree's file mode (0644 unless set, less the umask), and folders get
// 0755. A Tree may be used by several goroutines at once.
type Tree struct {
	root string
	mode fs.FileMode
	made sync.Map // folders known to exist

	permOnce sync.Once
	perm     fs.FileMode
	permOK   bool
}

// NewTree returns the Tree writing into the existing folder root.
func NewTree(root string) *Tree {
	t := &Tree{root: root, mode: 0o644}
	t.made.Store(root, true)
	return t
}

// SetFileMode sets the mode files are created with, less the umask; it
// must be called before any file is written. (Bundles are 0666, as
// os.Create makes files; the site's pages 0644.)
func (t *Tree) SetFileMode(mode fs.FileMode) { t.mode = mode }

// Root is the folder the tree is written into.
func (t *Tree) Root() string { return t.root }

// path is the file name in the tree.
func (t *Tree) path(name string) string { return filepath.Join(t.root, filepath.FromSlash(name)) }

// parent makes the folder of the file name, and returns the file's path.
func (t *Tree) parent(name string) (string, error) {
	p := t.path(name)
	dir := filepath.Dir(p)
	if _, ok := t.made.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		t.made.Store(dir, true)
	}
	return p, nil
}

// Dirs makes the folders of the files names, ahead of writing them. A
// folder is made after its parent, so each takes one call instead of
// MkdirAll's three.
func (t *Tree) Dirs(names []string) error {
	dirs := foldersOf(names)
	sort.Strings(dirs)
	for _, dir := range dirs {
		p := t.path(dir)
		if _, ok := t.made.Load(p); ok {
			continue
		}
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		t.made.Store(p, true)
	}
	return nil
}

// RemoveEmpty removes the folders of the files names (made by Dirs for
// files that were not written after all) that hold nothing.
func (t *Tree) RemoveEmpty(names []string) {
	dirs := foldersOf(names)
	// Deepest first, so that a folder emptied of its folders goes too.
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, dir := range dirs {
		p := t.path(dir)
		if os.Remove(p) == nil {
			t.made.Delete(p)
		}
	}
}

// Create creates the file name, and its folder if need be. It never opens
// a file already there, which may be a hard link to another tree's file
// (see Link): that one is replaced. A folder is not.
func (t *Tree) Create(name string) (*os.File, error) {
	p, err := t.parent(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, t.mode)
	if errors.Is(err, fs.ErrExist) {
		if fi, lerr := os.Lstat(p); lerr == nil && !fi.IsDir() && os.Remove(p) == nil {
			f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, t.mode)
		}
	}
	return f, err
}

// WriteFile writes the file name (see Create).
func (t *Tree) WriteFile(name string, data []byte) error {
	f, err := t.Create(name)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Link makes the file name a hard link to old, making its folder if need
// be; it returns the path of the link.
func (t *Tree) Link(old, name string) (string, error) {
	p, err := t.parent(name)
	if err != nil {
		return "", err
	}
	return p, os.Link(old, p)
}

// FilePerm is the permissions a file the tree creates gets (its mode less
// the umask), found by creating one; ok is false when none can be created. A
// file linked into the tree must have them to be what a fresh write makes.
func (t *Tree) FilePerm() (perm fs.FileMode, ok bool) {
	t.permOnce.Do(func() { t.perm, t.permOK = t.probePerm() })
	return t.perm, t.permOK
}

func (t *Tree) probePerm() (fs.FileMode, bool) {
	f, err := os.CreateTemp(t.root, ".perm-*")
	if err != nil {
		return 0, false
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	// CreateTemp makes 0600 files: the mode is what a new file gets.
	os.Remove(name)
	g, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, t.mode)
	if err != nil {
		return 0, false
	}
	defer g.Close()
	fi, err := g.Stat()
	if err != nil {
		return 0, false
	}
	return fi.Mode().Perm(), true
}

// foldersOf lists, once each, the folders that hold the slash-separated
// paths names, and their parents.
func foldersOf(names []string) []string {
	var dirs []string
	seen := map[string]bool{".": true}
	for _, n := range names {
		for dir := path.Dir(n); !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	return dirs
}
