package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait for a batch: generous for a loaded 2-core
// machine under -race, yet a hung watcher still fails fast.
const waitTimeout = 5 * time.Second

// received is a batch and when the test got it.
type received struct {
	Batch
	at time.Time
}

func start(t testing.TB, roots []string, opts Options) *Watcher {
	t.Helper()
	w, err := New(roots, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", roots, err)
	}
	t.Cleanup(func() { closeWithin(t, w) })
	return w
}

// closeWithin closes w, failing with every goroutine's stack if that takes
// longer than waitTimeout: a hung Close means a deadlock in the watcher.
func closeWithin(t testing.TB, w *Watcher) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- w.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(waitTimeout):
		buf := make([]byte, 1<<20)
		t.Fatalf("Close hung for %v:\n%s", waitTimeout, buf[:runtime.Stack(buf, true)])
	}
}

// collect receives batches until every path in want has been seen, and
// returns them all.
func collect(t testing.TB, w *Watcher, want ...string) []received {
	t.Helper()
	missing := map[string]bool{}
	for _, p := range want {
		missing[p] = true
	}
	var got []received
	deadline := time.After(waitTimeout)
	for len(missing) > 0 {
		select {
		case b, ok := <-w.Batches():
			if !ok {
				t.Fatalf("Batches closed; still waiting for %v", keys(missing))
			}
			got = append(got, received{b, time.Now()})
			for _, p := range b.Paths {
				delete(missing, p)
			}
		case <-deadline:
			t.Fatalf("no batch with %v within %v; got %v", keys(missing), waitTimeout, pathsOf(got))
		}
	}
	return got
}

// next receives one batch.
func next(t testing.TB, w *Watcher) received {
	t.Helper()
	select {
	case b, ok := <-w.Batches():
		if !ok {
			t.Fatal("Batches closed")
		}
		return received{b, time.Now()}
	case <-time.After(waitTimeout):
		t.Fatalf("no batch within %v", waitTimeout)
	}
	panic("unreachable")
}

// onlyPaths fails unless every delivered path is in allowed.
func onlyPaths(t testing.TB, got []received, allowed ...string) {
	t.Helper()
	for _, r := range got {
		for _, p := range r.Paths {
			if !slices.Contains(allowed, p) {
				t.Errorf("unexpected path %q in batches %v (allowed %v)", p, pathsOf(got), allowed)
			}
		}
	}
}

func pathsOf(rs []received) [][]string {
	var out [][]string
	for _, r := range rs {
		out = append(out, r.Paths)
	}
	return out
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func rename(t testing.TB, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func remove(t testing.TB, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

// tempDir is t.TempDir with symlinks resolved, so the paths the watcher
// reports compare equal with the ones the test builds.
func tempDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// logBuf collects Logf lines.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// state returns the watcher's watched folders and fsnotify's own list, to
// check that neither keeps folders that are gone.
func state(w *Watcher) (dirs, fsnotifyList []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for d := range w.dirs {
		dirs = append(dirs, d)
	}
	if w.be != nil {
		fsnotifyList = w.be.WatchList()
	}
	slices.Sort(dirs)
	slices.Sort(fsnotifyList)
	return dirs, fsnotifyList
}

// eventually retries cond until it holds or the wait times out.
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %s after %v", what, detail, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countFDs counts this process's open file descriptors; -1 where /proc is
// not available.
func countFDs() int {
	if runtime.GOOS != "linux" {
		return -1
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// settleResources waits until goroutines and fds are back to at most the
// baseline: goroutines of closed watchers can take a moment to be reaped.
func settleResources(t testing.TB, goroutines, fds int) {
	t.Helper()
	eventually(t, "goroutines and fds back to baseline", func() (bool, string) {
		g, f := runtime.NumGoroutine(), countFDs()
		return g <= goroutines && f <= fds, fmt.Sprintf("%d goroutines (baseline %d), %d fds (baseline %d)", g, goroutines, f, fds)
	})
}

// baseline warms up the runtime's lazily created descriptors (the netpoller
// opens its epoll fd with the first watcher) and returns the counts to
// compare against after the test.
func baseline(t testing.TB) (goroutines, fds int) {
	t.Helper()
	w, err := New([]string{t.TempDir()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	closeWithin(t, w)
	runtime.GC()
	return runtime.NumGoroutine(), countFDs()
}
