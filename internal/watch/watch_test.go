package watch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// TestSaves covers the ways editors and tools save a file: each must be
// delivered as a change of the file itself, with no scratch file listed,
// and the file must hold the new content when the batch arrives.
func TestSaves(t *testing.T) {
	for _, tc := range []struct {
		name string
		save func(t *testing.T, dir, file string, data string)
		// oneBatch: the save must fall in one batch for the check to
		// hold, so the quiet period is made long.
		oneBatch bool
	}{
		{"in place", func(t *testing.T, dir, file, data string) {
			write(t, file, data)
		}, false},
		{"temp then rename", func(t *testing.T, dir, file, data string) {
			write(t, file+".tmp", data)
			rename(t, file+".tmp", file)
		}, false},
		{"hidden swap then rename", func(t *testing.T, dir, file, data string) {
			tmp := filepath.Join(dir, "."+filepath.Base(file)+".swp")
			write(t, tmp, data)
			rename(t, tmp, file)
		}, false},
		{"gedit output stream", func(t *testing.T, dir, file, data string) {
			tmp := filepath.Join(dir, ".goutputstream-Q1W2E3")
			write(t, tmp, data)
			rename(t, tmp, file)
		}, false},
		{"vim backup rename", func(t *testing.T, dir, file, data string) {
			probe := filepath.Join(dir, "4913")
			write(t, probe, "")
			remove(t, probe)
			rename(t, file, file+"~")
			write(t, file, data)
			remove(t, file+"~")
		}, false},
		{"jetbrains safe write", func(t *testing.T, dir, file, data string) {
			write(t, file+"___jb_tmp___", data)
			rename(t, file, file+"___jb_old___")
			rename(t, file+"___jb_tmp___", file)
			remove(t, file+"___jb_old___")
		}, false},
		{"delete and recreate", func(t *testing.T, dir, file, data string) {
			remove(t, file)
			write(t, file, data)
		}, false},
		{"sed -i style visible temp", func(t *testing.T, dir, file, data string) {
			// The temp name passes the scratch rules; it must still not be
			// reported because it appeared and vanished within the batch.
			tmp := filepath.Join(dir, "sedAb12Cd")
			write(t, tmp, data)
			rename(t, tmp, file)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tempDir(t)
			file := filepath.Join(dir, "page.md")
			write(t, file, "old")
			opts := Options{}
			if tc.oneBatch {
				// Only the batch boundary keeps a visible temp out; split
				// over two batches it would rightly be reported as
				// created, then removed.
				opts = Options{Debounce: 300 * time.Millisecond, MaxDelay: 2 * time.Second}
			}
			w := start(t, []string{dir}, opts)
			tc.save(t, dir, file, "new")
			// Read the file on every batch naming it, as the server does,
			// until the new content shows (a stalled save may span two
			// batches: "gone", then "new").
			var got []received
			for {
				got = append(got, collect(t, w, file)...)
				if b, err := os.ReadFile(file); err == nil && string(b) == "new" {
					break
				}
			}
			onlyPaths(t, got, file)
		})
	}
}

// TestScratchFilesAlone: activity on scratch files only yields no batch.
// A real file written afterwards must come alone in the first batch.
func TestScratchFilesAlone(t *testing.T) {
	dir := tempDir(t)
	existing := filepath.Join(dir, "existing.md")
	write(t, existing, "x")
	w := start(t, []string{dir}, Options{})
	for _, name := range []string{".page.md.swp", ".page.md.swx", "page.md~", "4913", ".#page.md", "#page.md#",
		"page.md___jb_tmp___", "page.md___jb_old___", ".goutputstream-XYZ", "page.tmp", ".DS_Store", ".hidden"} {
		p := filepath.Join(dir, name)
		write(t, p, "x")
		write(t, p, "y")
		remove(t, p)
	}
	write(t, filepath.Join(dir, ".git", "HEAD"), "ref")
	write(t, filepath.Join(dir, "node_modules", "m", "index.js"), "x")
	// Attribute-only changes are not edits either.
	if err := os.Chmod(existing, 0o600); err != nil {
		t.Fatal(err)
	}
	sentinel := filepath.Join(dir, "real.md")
	write(t, sentinel, "x")
	b := next(t, w)
	if !slices.Equal(b.Paths, []string{sentinel}) {
		t.Errorf("first batch = %v, want only %s", b.Paths, sentinel)
	}
}

// TestNewFolderMovedIn: a folder tree built elsewhere and moved in reports
// the files it holds, and its folders are watched from then on.
func TestNewFolderMovedIn(t *testing.T) {
	dir, outside := tempDir(t), tempDir(t)
	w := start(t, []string{dir}, Options{})

	tree := filepath.Join(outside, "section")
	write(t, filepath.Join(tree, "x.md"), "x")
	write(t, filepath.Join(tree, "b", "y.md"), "y")
	write(t, filepath.Join(tree, "b", "c", "z.md"), "z")
	write(t, filepath.Join(tree, ".git", "HEAD"), "ref")
	write(t, filepath.Join(tree, "node_modules", "m.js"), "m")
	write(t, filepath.Join(tree, "b", ".z.md.swp"), "swap")
	dst := filepath.Join(dir, "section")
	rename(t, tree, dst)

	want := []string{filepath.Join(dst, "x.md"), filepath.Join(dst, "b", "y.md"), filepath.Join(dst, "b", "c", "z.md")}
	onlyPaths(t, collect(t, w, want...), want...)

	// The nested moved-in folders are watched now.
	later := filepath.Join(dst, "b", "c", "later.md")
	write(t, later, "l")
	write(t, want[2], "z2")
	onlyPaths(t, collect(t, w, later, want[2]), later, want[2])
}

// TestNestedNewFolders: mkdir -p and an immediate write must not race past
// the watch registration of the deepest folder.
func TestNestedNewFolders(t *testing.T) {
	dir := tempDir(t)
	w := start(t, []string{dir}, Options{})
	for i := range 5 {
		deep := filepath.Join(dir, fmt.Sprintf("n%d", i), "a", "b", "c")
		if err := os.MkdirAll(deep, 0o755); err != nil {
			t.Fatal(err)
		}
		f1 := filepath.Join(deep, "f.md")
		f2 := filepath.Join(dir, fmt.Sprintf("n%d", i), "a", "g.md")
		write(t, f1, "1")
		write(t, f2, "2")
		collect(t, w, f1, f2)
		write(t, f1, "again")
		collect(t, w, f1)
	}
}

// TestFolderRemovedAndRecreated: removing a folder reports its files and
// drops its watches; recreating it is picked up like any new folder.
func TestFolderRemovedAndRecreated(t *testing.T) {
	dir := tempDir(t)
	sub := filepath.Join(dir, "sub")
	a, b := filepath.Join(sub, "a.md"), filepath.Join(sub, "deep", "b.md")
	write(t, a, "a")
	write(t, b, "b")
	w := start(t, []string{dir}, Options{})

	for round := range 3 {
		remove(t, sub)
		onlyPaths(t, collect(t, w, a, b), a, b)
		eventually(t, "watches of removed folders dropped", func() (bool, string) {
			dirs, list := state(w)
			ok := slices.Equal(dirs, []string{dir}) && slices.Equal(list, []string{dir})
			return ok, fmt.Sprintf("dirs=%v fsnotify=%v", dirs, list)
		})

		c := filepath.Join(sub, "deep", "c.md")
		write(t, c, "c")
		write(t, a, fmt.Sprint(round))
		write(t, b, fmt.Sprint(round))
		onlyPaths(t, collect(t, w, a, b, c), a, b, c)
		remove(t, c)
		collect(t, w, c)
	}
}

// TestFolderMovedWithinRoot: a rename of a watched folder reports the old
// files as gone and the new ones as there, and later edits under the new
// name come out under the new name (fsnotify alone would keep the old one).
func TestFolderMovedWithinRoot(t *testing.T) {
	dir := tempDir(t)
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	write(t, filepath.Join(oldDir, "a.md"), "a")
	write(t, filepath.Join(oldDir, "s", "b.md"), "b")
	w := start(t, []string{dir}, Options{})

	rename(t, oldDir, newDir)
	all := []string{
		filepath.Join(oldDir, "a.md"), filepath.Join(oldDir, "s", "b.md"),
		filepath.Join(newDir, "a.md"), filepath.Join(newDir, "s", "b.md"),
	}
	onlyPaths(t, collect(t, w, all...), all...)

	nb := filepath.Join(newDir, "s", "b.md")
	write(t, nb, "b2")
	onlyPaths(t, collect(t, w, nb), nb)
	eventually(t, "watches follow the rename", func() (bool, string) {
		dirs, list := state(w)
		want := []string{dir, newDir, filepath.Join(newDir, "s")}
		return slices.Equal(dirs, want) && slices.Equal(list, want), fmt.Sprintf("dirs=%v fsnotify=%v", dirs, list)
	})
}

// TestRelativeRoots: paths come back in the form the roots were given.
func TestRelativeRoots(t *testing.T) {
	dir := tempDir(t)
	t.Chdir(dir)
	write(t, filepath.Join("content", "docs", "a.md"), "a")
	write(t, "include.cue", "x")
	w := start(t, []string{"./content/", "include.cue"}, Options{})
	write(t, filepath.Join("content", "docs", "a.md"), "a2")
	write(t, "include.cue", "y")
	write(t, "other.cue", "not watched")
	want := []string{filepath.Join("content", "docs", "a.md"), "include.cue"}
	onlyPaths(t, collect(t, w, want...), want...)
}

// TestFileRoot: a single-file root is watched through its folder, so it
// survives every kind of replacement; its neighbours are not reported, and
// an explicitly named dotfile is.
func TestFileRoot(t *testing.T) {
	dir := tempDir(t)
	file := filepath.Join(dir, "dash.cue")
	dot := filepath.Join(dir, ".pyrobuild.yaml")
	write(t, file, "1")
	write(t, dot, "1")
	w := start(t, []string{file, dot}, Options{})

	write(t, filepath.Join(dir, "neighbour.cue"), "n")
	write(t, file, "2")
	onlyPaths(t, collect(t, w, file), file)

	write(t, file+".tmp", "3")
	rename(t, file+".tmp", file)
	onlyPaths(t, collect(t, w, file), file)

	remove(t, file)
	onlyPaths(t, collect(t, w, file), file)
	write(t, file, "4")
	onlyPaths(t, collect(t, w, file), file)

	write(t, dot, "2")
	onlyPaths(t, collect(t, w, dot), dot)
}

// TestMissingFileRoot: a file root that does not exist yet is reported
// when it is written; a root with no existing folder is an error.
func TestMissingFileRoot(t *testing.T) {
	dir := tempDir(t)
	file := filepath.Join(dir, "later.md")
	w := start(t, []string{file}, Options{})
	write(t, file, "x")
	collect(t, w, file)

	if _, err := New([]string{filepath.Join(dir, "no", "such", "thing")}, Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("New on a missing folder: err = %v, want not-exist", err)
	}
}

// TestAdd: a root added at run time is watched like the initial ones.
func TestAdd(t *testing.T) {
	a, b := tempDir(t), tempDir(t)
	w := start(t, []string{a}, Options{})
	fb := filepath.Join(b, "sub", "x.md")
	write(t, fb, "1")
	if err := w.Add(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(b); err != nil {
		t.Fatalf("second Add: %v", err)
	}
	write(t, fb, "2")
	onlyPaths(t, collect(t, w, fb), fb)
}

// TestRootRemovedAndRecreated: a root folder itself deleted and made again
// (rm -rf content && cp -r ...) is found again.
func TestRootRemovedAndRecreated(t *testing.T) {
	parent := tempDir(t)
	dir := filepath.Join(parent, "content")
	a := filepath.Join(dir, "a.md")
	write(t, a, "a")
	w := start(t, []string{dir}, Options{PollInterval: 20 * time.Millisecond})
	remove(t, dir)
	collect(t, w, a)
	b := filepath.Join(dir, "s", "b.md")
	write(t, a, "a2")
	write(t, b, "b")
	onlyPaths(t, collect(t, w, a, b), a, b)
	write(t, b, "b2")
	onlyPaths(t, collect(t, w, b), b)
	if w.Polling() {
		t.Error("recovering a root must not switch to polling")
	}
}

// TestDebounce: writes closer together than Debounce make one batch, which
// is delivered only after Debounce of quiet.
func TestDebounce(t *testing.T) {
	dir := tempDir(t)
	const debounce = 300 * time.Millisecond
	w := start(t, []string{dir}, Options{Debounce: debounce, MaxDelay: 5 * time.Second})
	var want []string
	began := time.Now()
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("f%d.md", i))
		want = append(want, p)
		for j := range 3 {
			write(t, p, fmt.Sprint(j))
		}
	}
	b := next(t, w)
	if !slices.Equal(b.Paths, want) {
		t.Errorf("batch = %v, want %v", b.Paths, want)
	}
	if d := b.at.Sub(began); d < debounce {
		t.Errorf("batch after %v, before the %v quiet period", d, debounce)
	}
	if b.First.Before(began) || b.First.After(b.at) {
		t.Errorf("First = %v, not between the first write (%v) and delivery (%v)", b.First, began, b.at)
	}
}

// TestMaxDelay: a continuous stream of writes cannot hold batches back
// beyond MaxDelay.
func TestMaxDelay(t *testing.T) {
	dir := tempDir(t)
	const maxDelay = 150 * time.Millisecond
	w := start(t, []string{dir}, Options{Debounce: 100 * time.Millisecond, MaxDelay: maxDelay})
	p := filepath.Join(dir, "stream.log.md")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = os.WriteFile(p, []byte(fmt.Sprint(i)), 0o644)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var during []received
	for len(during) < 3 {
		during = append(during, next(t, w))
	}
	close(stop)
	<-done
	for _, r := range during {
		// The batch is due at First+MaxDelay; allow for a loaded machine.
		if lag := r.at.Sub(r.First); lag > maxDelay+time.Second {
			t.Errorf("batch delivered %v after its first event (MaxDelay %v)", lag, maxDelay)
		}
	}
}

// TestPolling: polling sees writes, new and removed files, new and removed
// folders, and rename saves.
func TestPolling(t *testing.T) {
	dir := tempDir(t)
	a := filepath.Join(dir, "a.md")
	write(t, a, "a")
	w := start(t, []string{dir}, Options{Poll: true, PollInterval: 20 * time.Millisecond})
	if !w.Polling() {
		t.Fatal("Polling() = false with Poll set")
	}
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"write", func() { write(t, a, "a2") }, []string{a}},
		{"create", func() { write(t, filepath.Join(dir, "b.md"), "b") }, []string{filepath.Join(dir, "b.md")}},
		{"remove", func() { remove(t, filepath.Join(dir, "b.md")) }, []string{filepath.Join(dir, "b.md")}},
		{"new folder", func() { write(t, filepath.Join(dir, "s", "t", "c.md"), "c") }, []string{filepath.Join(dir, "s", "t", "c.md")}},
		{"removed folder", func() { remove(t, filepath.Join(dir, "s")) }, []string{filepath.Join(dir, "s", "t", "c.md")}},
		{"rename save", func() {
			write(t, a+".tmp", "a3 longer")
			rename(t, a+".tmp", a)
		}, []string{a}},
		{"scratch only then real", func() {
			write(t, filepath.Join(dir, ".a.md.swp"), "x")
			write(t, filepath.Join(dir, ".git", "HEAD"), "x")
			write(t, filepath.Join(dir, "d.md"), "d")
		}, []string{filepath.Join(dir, "d.md")}},
	}
	for _, s := range steps {
		s.do()
		onlyPaths(t, collect(t, w, s.want...), s.want...)
	}
}

// failingBackend wraps the real fsnotify backend and fails Add with a
// chosen error once told to, like a kernel out of inotify watches.
type failingBackend struct {
	backend
	fail atomic.Bool
	err  error
}

func (f *failingBackend) Add(dir string) error {
	if f.fail.Load() {
		return &os.PathError{Op: "inotify_add_watch", Path: dir, Err: f.err}
	}
	return f.backend.Add(dir)
}

// TestFallbackAtStart: a file watcher that cannot start (inotify instance
// limit) leaves the watcher polling, with a notice naming the limit.
func TestFallbackAtStart(t *testing.T) {
	dir := tempDir(t)
	var log logBuf
	w := start(t, []string{dir}, Options{
		PollInterval: 20 * time.Millisecond,
		Logf:         log.logf,
		newBackend: func() (backend, error) {
			return nil, fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE)
		},
	})
	if !w.Polling() {
		t.Fatal("Polling() = false after the watcher failed to start")
	}
	for _, s := range []string{"max_user_instances", "sysctl", "--poll", "polling every 20ms"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("notice %q lacks %q", log.String(), s)
		}
	}
	p := filepath.Join(dir, "x.md")
	write(t, p, "x")
	collect(t, w, p)
}

// TestFallbackOnWatchLimit: running out of watches while a new folder is
// added switches to polling without losing the folder's files or later
// edits.
func TestFallbackOnWatchLimit(t *testing.T) {
	dir := tempDir(t)
	a := filepath.Join(dir, "a.md")
	write(t, a, "a")
	var log logBuf
	var fb *failingBackend
	w := start(t, []string{dir}, Options{
		PollInterval: 20 * time.Millisecond,
		Logf:         log.logf,
		newBackend: func() (backend, error) {
			be, err := newFSNotify()
			fb = &failingBackend{backend: be, err: syscall.ENOSPC}
			return fb, err
		},
	})
	if w.Polling() {
		t.Fatal("polling before any failure")
	}
	fb.fail.Store(true)
	n := filepath.Join(dir, "new", "n.md")
	write(t, n, "n")
	collect(t, w, n)
	if !w.Polling() {
		t.Fatal("Polling() = false after the watch limit was hit")
	}
	for _, s := range []string{"max_user_watches", "sysctl", "--poll"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("notice %q lacks %q", log.String(), s)
		}
	}
	write(t, a, "a2")
	write(t, n, "n2")
	onlyPaths(t, collect(t, w, a, n), a, n)
}

// TestOverflowRescan: when the kernel drops events, a rescan still reports
// exactly the files that changed.
func TestOverflowRescan(t *testing.T) {
	dir := tempDir(t)
	a, b := filepath.Join(dir, "a.md"), filepath.Join(dir, "b.md")
	write(t, a, "a")
	write(t, b, "b")
	errs := make(chan error, 1)
	var log logBuf
	w := start(t, []string{dir}, Options{
		Logf: log.logf,
		newBackend: func() (backend, error) {
			be, err := newFSNotify()
			return &overflowBackend{backend: be, errs: errs}, err
		},
	})
	// Simulate a change of b whose event the kernel dropped: its baseline
	// no longer matches the disk, and fsnotify reports an overflow.
	w.mu.Lock()
	w.files[b] = stamp{}
	w.mu.Unlock()
	errs <- fsnotify.ErrEventOverflow
	got := next(t, w)
	if !slices.Equal(got.Paths, []string{b}) {
		t.Errorf("after overflow: batch = %v, want [%s]", got.Paths, b)
	}
	if !strings.Contains(log.String(), "overflow") {
		t.Errorf("no overflow notice in %q", log.String())
	}
}

// overflowBackend lets a test inject errors as if fsnotify reported them.
type overflowBackend struct {
	backend
	errs chan error
}

func (o *overflowBackend) Errors() <-chan error { return o.errs }

// TestClose: Close is idempotent, closes Batches, and refuses Add after.
func TestClose(t *testing.T) {
	dir := tempDir(t)
	w, err := New([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case _, ok := <-w.Batches():
		if ok {
			t.Error("Batches delivered after Close")
		}
	case <-time.After(waitTimeout):
		t.Error("Batches not closed by Close")
	}
	if err := w.Add(dir); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}
}

// TestNoLeaks: watchers that ran over a tree, saw edits and were closed
// leave no goroutines and no file descriptors behind, polling or not.
func TestNoLeaks(t *testing.T) {
	goroutines, fds := baseline(t)
	dir := tempDir(t)
	for i := range 30 {
		write(t, filepath.Join(dir, fmt.Sprintf("d%d", i%6), fmt.Sprintf("e%d", i), "f.md"), "x")
	}
	for _, poll := range []bool{false, true} {
		for range 3 {
			w, err := New([]string{dir}, Options{Poll: poll, PollInterval: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, "d0", "e0", "f.md")
			write(t, p, "y")
			collect(t, w, p)
			// Leave a batch undelivered: Close must not wait for a reader.
			write(t, p, "z")
			closeWithin(t, w)
			closeWithin(t, w)
		}
	}
	// A New that fails on a bad root must release what it had started.
	if _, err := New([]string{dir, filepath.Join(dir, "no", "such", "folder")}, Options{}); err == nil {
		t.Fatal("New with a missing folder root succeeded")
	}
	settleResources(t, goroutines, fds)
}

// TestFolderChurnBookkeeping: folders created and removed over and over
// leave neither our folder set nor fsnotify's watch list growing, and no
// descriptors open.
func TestFolderChurnBookkeeping(t *testing.T) {
	goroutines, fds := baseline(t)
	dir := tempDir(t)
	w := start(t, []string{dir}, Options{})
	running := countFDs()
	for i := range 100 {
		sub := filepath.Join(dir, fmt.Sprintf("c%d", i%7))
		write(t, filepath.Join(sub, "d", "f.md"), "x")
		if i%2 == 0 {
			remove(t, sub)
		} else {
			rename(t, sub, filepath.Join(dir, ".trash"))
			remove(t, filepath.Join(dir, ".trash"))
		}
	}
	// Reported created and gone, or dropped as never there: either way
	// the watcher must end with only the root watched.
	eventually(t, "bookkeeping back to the root", func() (bool, string) {
		dirs, list := state(w)
		w.mu.Lock()
		nfiles, npending := len(w.files), len(w.pending)
		w.mu.Unlock()
		ok := slices.Equal(dirs, []string{dir}) && slices.Equal(list, []string{dir}) && nfiles == 0 && npending == 0
		return ok, fmt.Sprintf("dirs=%v fsnotify=%v files=%d pending=%d", dirs, list, nfiles, npending)
	})
	if n := countFDs(); n > running {
		t.Errorf("%d fds open after the churn, %d before", n, running)
	}
	closeWithin(t, w)
	settleResources(t, goroutines, fds)
}

// TestPollingCoarseMtime: two saves of the same size within one mtime tick
// (simulated by putting the mtime back) are both seen by the poller.
func TestPollingCoarseMtime(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "a.md")
	write(t, p, "one")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	mtime := fi.ModTime()
	w := start(t, []string{dir}, Options{Poll: true, PollInterval: 10 * time.Millisecond})
	for _, content := range []string{"two", "six", "ten"} {
		write(t, p, content)
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		collect(t, w, p)
	}
}

// TestIgnore: the caller's Ignore sees paths in reported form; an ignored
// folder is not watched at all.
func TestIgnore(t *testing.T) {
	dir := tempDir(t)
	t.Chdir(dir)
	write(t, filepath.Join("site", "drafts", "d.md"), "d")
	var asked []string
	w := start(t, []string{"site"}, Options{Ignore: func(p string) bool {
		asked = append(asked, p) // called with the watcher's lock held
		return filepath.Base(p) == "drafts" || strings.HasSuffix(p, ".bak")
	}})
	write(t, filepath.Join("site", "drafts", "d.md"), "d2")
	write(t, filepath.Join("site", "drafts", "new", "e.md"), "e")
	write(t, filepath.Join("site", "page.md.bak"), "b")
	write(t, filepath.Join("site", "page.md"), "p")
	want := filepath.Join("site", "page.md")
	b := next(t, w)
	if !slices.Equal(b.Paths, []string{want}) {
		t.Errorf("batch = %v, want [%s]", b.Paths, want)
	}
	dirs, _ := state(w)
	for _, d := range dirs {
		if strings.Contains(d, "drafts") {
			t.Errorf("ignored folder %s is watched", d)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(asked, filepath.Join("site", "drafts")) || !slices.Contains(asked, filepath.Join("site", "page.md.bak")) {
		t.Errorf("Ignore was asked %v; want the reported forms site/drafts and site/page.md.bak", asked)
	}
}

// TestOddTrees: names with spaces and non-ASCII letters, an explicitly
// named hidden root, and a symlink loop (not followed) all work.
func TestOddTrees(t *testing.T) {
	parent := tempDir(t)
	dir := filepath.Join(parent, ".config")
	odd := filepath.Join(dir, "a b", "ünï cödé.md")
	write(t, odd, "x")
	if err := os.Symlink(dir, filepath.Join(dir, "a b", "loop")); err != nil {
		t.Fatal(err)
	}
	w := start(t, []string{dir}, Options{})
	write(t, odd, "y")
	onlyPaths(t, collect(t, w, odd), odd)

	if dirs, _ := state(w); len(dirs) != 2 {
		t.Errorf("watching %v; the symlink must not be followed", dirs)
	}
}

// TestAddCovered: re-adding inputs is cheap and does not grow the root
// list when a folder root already reports them in the same form; paths a
// folder root would not report (dotfiles, ignored folders) still become
// roots of their own.
func TestAddCovered(t *testing.T) {
	dir := tempDir(t)
	t.Chdir(dir)
	write(t, filepath.Join("content", "a.md"), "a")
	write(t, filepath.Join("content", ".hidden.cue"), "h")
	write(t, filepath.Join("content", "drafts", "d.md"), "d")
	w := start(t, []string{"content"}, Options{Ignore: func(p string) bool { return filepath.Base(p) == "drafts" }})
	for range 1000 {
		for _, p := range []string{filepath.Join("content", "a.md"), "content/./sub/../a.md", "content", filepath.Join("content", "new.md")} {
			if err := w.Add(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.mu.Lock()
	n := len(w.roots)
	w.mu.Unlock()
	if n != 1 {
		t.Errorf("%d roots after re-adding covered paths, want 1", n)
	}
	hidden, draft := filepath.Join("content", ".hidden.cue"), filepath.Join("content", "drafts", "d.md")
	for _, p := range []string{hidden, draft} {
		if err := w.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	write(t, hidden, "h2")
	write(t, draft, "d2")
	write(t, filepath.Join("content", "new.md"), "n")
	want := []string{hidden, draft, filepath.Join("content", "new.md")}
	onlyPaths(t, collect(t, w, want...), want...)
}

func BenchmarkAddKnown(b *testing.B) {
	dir := tempDir(b)
	w := start(b, []string{dir}, Options{})
	var paths []string
	for i := range 1000 {
		p := filepath.Join(dir, fmt.Sprintf("p%d.md", i))
		write(b, p, "x")
		paths = append(paths, p)
	}
	for b.Loop() {
		for _, p := range paths {
			if err := w.Add(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
