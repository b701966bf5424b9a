package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// gone marks a path that must end up reported as removed.
const gone = "<gone>"

// churnResult is what the editing goroutine hands over when it is done.
type churnResult struct {
	final map[string]string // path → final content, or gone
	ended time.Time
	err   error
}

// churnEdits makes rapid edits across 20 files (pausing for pace every 20
// edits), mixing in-place writes and both kinds of rename save, and every
// 400 edits moves a folder tree in from outside and later renames it
// within the root.
func churnEdits(root, outside string, files []string, edits int, pace time.Duration) churnResult {
	final := map[string]string{}
	for _, f := range files {
		final[f] = "init"
	}
	put := func(p, data string) error {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, []byte(data), 0o644)
	}
	for i := range edits {
		if pace > 0 && i%20 == 19 {
			time.Sleep(pace)
		}
		f := files[i%len(files)]
		data := fmt.Sprintf("edit %d of %s", i, filepath.Base(f))
		var err error
		switch i % 5 {
		case 3: // vim-style hidden swap, renamed over the file
			tmp := filepath.Join(filepath.Dir(f), "."+filepath.Base(f)+".swp")
			if err = put(tmp, data); err == nil {
				err = os.Rename(tmp, f)
			}
		case 4: // visible temp, renamed over the file
			if err = put(f+".tmp", data); err == nil {
				err = os.Rename(f+".tmp", f)
			}
		default:
			err = put(f, data)
		}
		if err != nil {
			return churnResult{err: err}
		}
		final[f] = data

		switch i % 400 {
		case 199: // a folder tree written elsewhere, moved in whole
			k := i / 400
			src := filepath.Join(outside, fmt.Sprintf("tree%d", k))
			dst := filepath.Join(root, fmt.Sprintf("moved%d", k))
			rel := []string{"a.md", filepath.Join("s", "b.md"), filepath.Join("s", "t", "c.md")}
			for _, r := range rel {
				if err := put(filepath.Join(src, r), "moved "+r); err != nil {
					return churnResult{err: err}
				}
			}
			if err := os.Rename(src, dst); err != nil {
				return churnResult{err: err}
			}
			for _, r := range rel {
				final[filepath.Join(dst, r)] = "moved " + r
			}
		case 399: // ... and renamed inside the root later
			k := i / 400
			from := filepath.Join(root, fmt.Sprintf("moved%d", k))
			to := from + "r"
			if err := os.Rename(from, to); err != nil {
				return churnResult{err: err}
			}
			for p, data := range final {
				if rel, ok := relWithin(from, p); ok && data != gone {
					final[p] = gone
					final[filepath.Join(to, rel)] = data
				}
			}
		}
	}
	return churnResult{final: final, ended: time.Now()}
}

// TestChurn is the "serve under churn" check: a consumer that rereads every
// file a batch names, as the server does, must end up with every file's
// final content (or its removal) within a second of the last edit, and the
// watcher must hold no more state, goroutines or descriptors than the tree
// needs. How long the edits themselves take is the machine's business:
// every wait is counted from the last edit.
func TestChurn(t *testing.T) {
	t.Run("fsnotify", func(t *testing.T) { churn(t, 2000, 0, Options{}) })
	// Polling is the fallback; a shorter run keeps the suite quick while
	// still crossing a folder move and a rename within the root.
	// Pausing now and then spreads the edits over several polls.
	t.Run("poll", func(t *testing.T) {
		churn(t, 400, time.Millisecond, Options{Poll: true, PollInterval: 20 * time.Millisecond})
	})
}

func churn(t *testing.T, edits int, pace time.Duration, opts Options) {
	goroutines, fds := baseline(t)
	root, outside := tempDir(t), tempDir(t)
	var files []string
	for i := range 20 {
		dir := root
		if i >= 10 {
			dir = filepath.Join(root, "sub")
		}
		f := filepath.Join(dir, fmt.Sprintf("f%02d.md", i))
		write(t, f, "init")
		files = append(files, f)
	}
	var log logBuf
	opts.Logf = log.logf
	w, err := New([]string{root}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer closeWithin(t, w)

	view := map[string]string{}
	for _, f := range files {
		view[f] = "init"
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return gone
		}
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		return string(b)
	}

	done := make(chan churnResult, 1)
	stopped := make(chan struct{})
	began := time.Now()
	go func() {
		defer close(stopped)
		done <- churnEdits(root, outside, files, edits, pace)
	}()
	// However the test ends, the editor stops writing before the
	// temporary folders are removed.
	defer func() { <-stopped }()

	var (
		result    *churnResult
		lastBatch time.Time
		batches   int
		// settled fires waitTimeout after the last edit. The time the
		// edits take is the machine's (several seconds on a loaded one),
		// not the watcher's: the watcher's time starts when they end.
		settled <-chan time.Time
	)
	for result == nil || !converged(view, result.final) {
		select {
		case b := <-w.Batches():
			lastBatch = time.Now()
			batches++
			for _, p := range b.Paths {
				view[p] = read(p)
			}
		case r := <-done:
			if r.err != nil {
				t.Fatal(r.err)
			}
			result = &r
			settled = time.After(waitTimeout)
		case <-settled:
			for p, want := range result.final {
				if got, ok := view[p]; got != want && (want != gone || ok) {
					t.Errorf("%s: consumer saw %q, final is %q", p, view[p], want)
				}
			}
			t.Fatalf("final state not reached %v after the last edit (%d edits in %v); log: %s",
				waitTimeout, edits, result.ended.Sub(began).Round(time.Millisecond), log.String())
		}
	}
	for p := range view {
		if _, ok := result.final[p]; !ok {
			t.Errorf("reported %s, which is no file of the tree (a scratch file?)", p)
		}
	}
	lag := max(lastBatch.Sub(result.ended), 0)
	t.Logf("%d edits in %v, %d batches, final state delivered %v after the last edit",
		edits, result.ended.Sub(began).Round(time.Millisecond), batches, lag.Round(time.Millisecond))
	if lag > time.Second {
		t.Errorf("final batch came %v after the last edit, want within 1s", lag)
	}
	if s := log.String(); s != "" {
		t.Logf("notices: %s", s)
	}

	// Bookkeeping holds exactly the live tree: bounded by it, not by the
	// number of edits.
	live := 0
	for _, v := range result.final {
		if v != gone {
			live++
		}
	}
	eventually(t, "bookkeeping matches the tree", func() (bool, string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		// root, sub, and per moved tree: movedNr, s, s/t.
		wantDirs := 2 + 3*(edits/400)
		return len(w.files) == live && len(w.pending) == 0 && len(w.dirs) == wantDirs,
			fmt.Sprintf("files=%d (want %d) pending=%d dirs=%d (want %d)", len(w.files), live, len(w.pending), len(w.dirs), wantDirs)
	})
	closeWithin(t, w)
	settleResources(t, goroutines, fds)
}

// converged reports whether the consumer's view shows the final state. A
// path that ended removed may be absent: a file that came and went between
// two batches (a moved-in folder renamed again before delivery) is never
// reported, which is right, since the consumer never saw it exist.
func converged(view, final map[string]string) bool {
	for p, want := range final {
		if got, ok := view[p]; got != want && (want != gone || ok) {
			return false
		}
	}
	return true
}
