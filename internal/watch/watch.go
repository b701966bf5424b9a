// Package watch reports file changes under a set of files and folders as
// debounced batches, for `pyrobuild serve`'s live reload.
//
// It watches folders rather than files (a rename save replaces the file and
// would silently drop a watch on it), recurses into new folders and reports
// the files they already hold, ignores editors' scratch files, and falls back
// to polling when the system's watch limits are hit. Between batches it keeps
// the size, mtime and inode of every file it reported, so that whatever route
// a change takes (events, a lost event queue, a switch to polling) the batch
// after a burst of edits names every file whose final state differs.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options tunes a Watcher. The zero value is ready to use.
type Options struct {
	// Debounce is the quiet period after the last event before a batch is
	// delivered (trailing debounce, not a fixed tick). Default 25ms.
	Debounce time.Duration
	// MaxDelay caps how long a continuous stream of events can postpone a
	// batch, counted from the batch's first event. Default 250ms; never less
	// than Debounce.
	MaxDelay time.Duration
	// Poll forces polling instead of fsnotify. Polling compares size,
	// mtime and inode, plus a content hash for files modified in the last
	// few seconds, because mtimes can be coarser than the time between two
	// saves (1 s on some file systems).
	Poll bool
	// PollInterval is the polling period. It is also how often a root that
	// disappeared is looked for again. Default 250ms.
	PollInterval time.Duration
	// Ignore, when set, is consulted in addition to the built-in editor
	// temp-file rules, for files and folders under folder roots, with the
	// path in the form it would be reported in. A folder it ignores is not
	// watched. It is called from the watcher's goroutine (or from Add) with
	// the watcher's lock held, so it must not call the Watcher.
	Ignore func(path string) bool
	// Logf receives one-line notices (fallback to polling and why, inotify
	// limit hit, lost events). It may be called from the watcher's
	// goroutines. Default: discard.
	Logf func(format string, args ...any)

	// newBackend replaces fsnotify in tests.
	newBackend func() (backend, error)
}

// Batch is one debounced set of changes.
type Batch struct {
	// Paths are the files created, written, replaced or removed since the
	// previous batch: cleaned, sorted, unique, in the form of the root they
	// were found under (a root given as "content" yields "content/a/b.md",
	// an absolute root yields absolute paths). A file under two roots given
	// in different forms is listed in both forms. A removed or moved-away
	// folder is reported as the files it held. Files that appeared and
	// vanished again within one batch (temp files of tools such as sed -i)
	// are left out.
	Paths []string
	// First is when the first event of the batch was seen; the server
	// measures edit→reload latency from it.
	First time.Time
}

// Watcher watches roots and delivers Batches. Its methods are safe for
// concurrent use.
type Watcher struct {
	opts      Options
	out       chan Batch
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	polling   atomic.Bool
	overflow  atomic.Bool   // set by pumpErrors, handled by run
	wake      chan struct{} // tells run that overflow was set

	mu     sync.Mutex
	closed bool
	be     backend // nil while polling
	roots  []root
	// dirs are the folders watched (when polling: seen by the last walk).
	dirs map[string]struct{}
	// files holds, for every file under the roots, its stamp as of the last
	// delivered batch (or the initial scan). It is the baseline that makes
	// polling, overflow rescans and the "appeared and vanished" rule exact.
	files map[string]stamp
	// pending holds the absolute paths touched since the last batch.
	pending map[string]pend
	deb     debouncer
	// added holds every path given to New or Add, cleaned, so repeated
	// Adds need no system calls.
	added map[string]struct{}
	// warned holds folders whose watch failed and was logged.
	warned map[string]struct{}
	// missing is set when a root's folder (or a file root's parent) is gone
	// and fsnotify therefore cannot tell when it comes back.
	missing bool
}

// root is one watched file or folder as the caller gave it.
type root struct {
	given string // filepath.Clean of the caller's path: the reporting form
	abs   string // absolute, symlinks resolved: what is watched
	dir   bool
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("watch: watcher closed")

// eventsPerLock bounds how many queued fsnotify events are handled per lock
// acquisition: enough to keep up with bursts, small enough that Add is not
// held off for long.
const eventsPerLock = 64

// New watches roots, which may be files or folders; folders are watched
// recursively, without following symlinks inside them. A root that is a
// symlink is resolved and its target watched. A root that does not exist is
// an error, except a file whose folder exists (it is reported when it
// appears).
func New(roots []string, opts Options) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = 25 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 250 * time.Millisecond
	}
	if opts.MaxDelay < opts.Debounce {
		opts.MaxDelay = opts.Debounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.newBackend == nil {
		opts.newBackend = newFSNotify
	}
	w := &Watcher{
		opts:    opts,
		out:     make(chan Batch),
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		dirs:    map[string]struct{}{},
		files:   map[string]stamp{},
		warned:  map[string]struct{}{},
		added:   map[string]struct{}{},
		pending: map[string]pend{},
		deb:     debouncer{quiet: opts.Debounce, max: opts.MaxDelay},
	}
	if opts.Poll {
		w.polling.Store(true)
	} else if be, err := opts.newBackend(); err != nil {
		w.fallBack(err, "start the file watcher")
	} else {
		w.be = be
		w.wg.Add(1)
		go w.pumpErrors(be.Errors())
	}
	for _, p := range roots {
		r, err := makeRoot(p)
		if err != nil {
			close(w.done) // stops pumpErrors
			if w.be != nil {
				_ = w.be.Close()
			}
			w.wg.Wait()
			return nil, err
		}
		w.addRoot(r)
	}
	w.missing = w.computeMissing()
	w.wg.Add(1)
	go w.run()
	return w, nil
}

// Batches delivers the batches; it is closed by Close. A batch waits for
// the receiver without blocking the watcher: changes seen meanwhile are
// merged into it, so a slow consumer gets fewer, larger batches.
func (w *Watcher) Batches() <-chan Batch { return w.out }

// Polling reports whether the watcher polls, because Options.Poll asked
// for it or because the file watcher could not start or ran out of watches.
func (w *Watcher) Polling() bool { return w.polling.Load() }

// Add watches one more file or folder (folders recursively) at run time.
// Files already there are taken as the baseline, not reported. Adding a
// path again, or one already covered by a folder root in the same form,
// costs a map look-up: the server re-adds every input after each rebuild.
func (w *Watcher) Add(path string) error {
	given := filepath.Clean(path)
	w.mu.Lock()
	closed := w.closed
	_, known := w.added[given]
	w.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if known {
		return nil
	}
	r, err := makeRoot(path)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.addRoot(r)
	w.missing = w.computeMissing()
	return nil
}

// Close stops the watcher, waits for its goroutine, releases the file
// watcher and closes the Batches channel. A batch not yet received is
// dropped. Calling it again does nothing.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.done)
	})
	w.wg.Wait()
	return nil
}

func makeRoot(path string) (root, error) {
	given := filepath.Clean(path)
	abs, err := filepath.Abs(given)
	if err != nil {
		return root{}, fmt.Errorf("watch: %w", err)
	}
	fi, err := os.Stat(abs)
	switch {
	case err == nil:
		// Resolve symlinks so that a linked root folder is walked (the
		// walk itself does not follow links, which keeps loops out).
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		return root{given: given, abs: abs, dir: fi.IsDir()}, nil
	case errors.Is(err, fs.ErrNotExist):
		// A file the site will include once it is written.
		parent := filepath.Dir(abs)
		if pfi, perr := os.Stat(parent); perr == nil && pfi.IsDir() {
			if real, err := filepath.EvalSymlinks(parent); err == nil {
				parent = real
			}
			return root{given: given, abs: filepath.Join(parent, filepath.Base(abs))}, nil
		}
	}
	return root{}, fmt.Errorf("watch: %w", err)
}

// run is the watcher's single goroutine: it handles events, polls, and
// delivers batches.
func (w *Watcher) run() {
	defer w.wg.Done()
	defer close(w.out)
	defer func() {
		w.mu.Lock()
		if w.be != nil {
			_ = w.be.Close()
			w.be = nil
		}
		w.mu.Unlock()
	}()

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	ticker := time.NewTicker(w.opts.PollInterval)
	defer ticker.Stop()

	var (
		ready      map[string]struct{} // merged paths waiting for the receiver
		readyFirst time.Time
		batch      Batch
	)
	for {
		w.mu.Lock()
		be := w.be
		tick := be == nil || w.missing
		if w.deb.active && !armed {
			timer.Reset(time.Until(w.deb.due()))
			armed = true
		}
		w.mu.Unlock()

		var (
			evc  <-chan fsnotify.Event
			tc   <-chan time.Time
			outc chan<- Batch
		)
		if be != nil {
			evc = be.Events()
		}
		if tick {
			tc = ticker.C
		}
		if ready != nil {
			outc = w.out
		}

		select {
		case <-w.done:
			return

		case ev, ok := <-evc:
			w.mu.Lock()
			if !ok {
				w.lostBackend(be, errors.New("the event stream ended"))
			} else {
				now := time.Now()
				w.handle(ev, now)
			drain:
				for range eventsPerLock - 1 {
					select {
					case ev, ok = <-evc:
						if !ok {
							w.lostBackend(be, errors.New("the event stream ended"))
							break drain
						}
						w.handle(ev, now)
					default:
						break drain
					}
				}
			}
			w.mu.Unlock()

		case <-w.wake:
			if w.overflow.Swap(false) {
				// Events were dropped by the kernel; the stamps let a walk
				// find exactly what changed.
				w.mu.Lock()
				w.opts.Logf("watch: the event queue overflowed (fs.inotify.max_queued_events); rescanning")
				w.rescan(time.Now())
				w.mu.Unlock()
			}

		case <-tc:
			w.mu.Lock()
			if w.be == nil || w.missing {
				w.rescan(time.Now())
			}
			w.mu.Unlock()

		case <-timer.C:
			armed = false
			w.mu.Lock()
			if w.deb.active {
				if due := w.deb.due(); time.Now().Before(due) {
					timer.Reset(time.Until(due))
					armed = true
				} else if paths, first := w.flush(); len(paths) > 0 {
					if ready == nil {
						ready, readyFirst = map[string]struct{}{}, first
					} else if first.Before(readyFirst) {
						readyFirst = first
					}
					for _, p := range paths {
						ready[p] = struct{}{}
					}
					batch = Batch{Paths: sortedKeys(ready), First: readyFirst}
				}
			}
			w.mu.Unlock()

		case outc <- batch:
			ready, batch = nil, Batch{}
		}
	}
}

// pumpErrors drains fsnotify's error channel in a goroutine of its own.
// fsnotify can send an error while holding its internal lock (a folder
// moved and deleted before its move event was handled), and the run loop
// takes that lock in Add and Remove; reading errors anywhere but here would
// deadlock the two.
func (w *Watcher) pumpErrors(errs <-chan error) {
	defer w.wg.Done()
	for {
		select {
		case <-w.done:
			return
		case err, ok := <-errs:
			switch {
			case !ok:
				return
			case errors.Is(err, fsnotify.ErrEventOverflow):
				w.overflow.Store(true)
				select {
				case w.wake <- struct{}{}:
				default:
				}
			case errors.Is(err, syscall.EINVAL):
				// fsnotify removing a watch the kernel already dropped
				// (the folder is gone): nothing is lost.
			default:
				w.opts.Logf("watch: %v", err)
			}
		}
	}
}

// lostBackend switches to polling when the file watcher stops on its own.
func (w *Watcher) lostBackend(be backend, err error) {
	if w.be == be && be != nil {
		w.fallBack(err, "keep watching")
	}
}

// fallBack switches to polling. The stamps of the last batch stay the
// baseline, so the first poll reports everything that changed since then,
// including changes whose events were lost in the switch.
func (w *Watcher) fallBack(err error, what string) {
	w.opts.Logf("%s", fallbackNotice(err, what, w.opts.PollInterval))
	if w.be != nil {
		_ = w.be.Close()
		w.be = nil
	}
	w.missing = false
	w.polling.Store(true)
}

// handle applies one fsnotify event. Called with w.mu held.
func (w *Watcher) handle(ev fsnotify.Event, now time.Time) {
	if ev.Op&^fsnotify.Chmod == 0 {
		// Attribute changes (touch -a, chmod, link count on Linux) do not
		// change what the site reads.
		return
	}
	p := filepath.Clean(ev.Name)
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if _, isDir := w.dirs[p]; isDir {
			w.dropTree(p, now)
		} else {
			w.touch(p, now)
		}
	}
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
			// A folder made or moved in: watch it and report what it
			// already holds (cp -r, git checkout, mv dir in).
			if w.dirWanted(p) {
				w.scan(p, nil, func(abs string, _ fs.FileInfo, forms []string) { w.mark(abs, forms, now) })
			}
		} else {
			w.touch(p, now)
		}
	}
	if ev.Has(fsnotify.Write) {
		// Some systems report folder writes when entries change; the
		// entries arrive as their own events.
		if _, isDir := w.dirs[p]; !isDir {
			w.touch(p, now)
		}
	}
}

// touch marks a file changed if it belongs to a root.
func (w *Watcher) touch(p string, now time.Time) {
	if forms := w.match(p); forms != nil {
		w.mark(p, forms, now)
	}
}

func (w *Watcher) mark(abs string, forms []string, now time.Time) {
	w.pending[abs] = pend{forms: forms}
	w.deb.event(now)
}

// pend is a path waiting for the next batch.
type pend struct {
	forms []string // how it is reported
	// seen is the stamp the last rescan found (zero: gone), when polled.
	// A rescan that finds the same again is no new event: re-marking it
	// would push the trailing debounce back on every poll.
	seen   stamp
	polled bool
}

// flush turns the pending paths into a batch's paths and makes their
// current stamps the baseline. A path that neither existed at the last batch
// nor exists now is dropped: to the reader nothing changed.
func (w *Watcher) flush() ([]string, time.Time) {
	first := w.deb.first
	w.deb.reset()
	var paths []string
	for abs, p := range w.pending {
		_, known := w.files[abs]
		if fi, err := os.Lstat(abs); err != nil || fi.IsDir() {
			if !known {
				continue
			}
			delete(w.files, abs)
		} else if w.be == nil {
			_, w.files[abs] = stampFor(abs, fi, p.seen, time.Now())
		} else {
			w.files[abs] = stampOf(fi)
		}
		paths = append(paths, p.forms...)
	}
	clear(w.pending)
	return paths, first
}

func sortedKeys(m map[string]struct{}) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
