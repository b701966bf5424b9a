//go:build unix

package site

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// warmOutput builds cacheSite into a fresh output folder with a page
// cache, and returns the config, the folder and what a build without
// cache writes.
func warmOutput(t *testing.T) (Config, string, map[string]string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, cacheSite)
	cfg := Config{Root: root, CacheDir: t.TempDir(), Workers: 2}
	out := filepath.Join(t.TempDir(), "public")
	writeSite(t, cfg, out)
	return cfg, out, uncached(t, cfg)
}

// writeSiteWithin is writeSite, failing the test rather than hanging
// when the build does not end in time.
func writeSiteWithin(t *testing.T, cfg Config, out string, d time.Duration) cacheRun {
	t.Helper()
	done := make(chan cacheRun, 1)
	go func() {
		b, err := NewBuilder(cfg)
		if err != nil {
			t.Error(err)
			done <- cacheRun{}
			return
		}
		s, err := b.Write(context.Background(), out)
		if err != nil || s.HasErrors() {
			t.Errorf("build: %v\n%s", err, diagText(s.Diagnostics))
		}
		done <- cacheRun{renders: b.renders.Load(), laidOut: b.laidOut.Load()}
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(d):
		t.Fatalf("the build did not end in %v", d)
		return cacheRun{}
	}
}

// TestPageCacheFIFOInOutput: a named pipe where the previous output had
// a page is not opened (the build would wait on it for ever).
func TestPageCacheFIFOInOutput(t *testing.T) {
	cfg, out, want := warmOutput(t)
	page := filepath.Join(out, "guide", "a", "index.html")
	os.Remove(page)
	if err := syscall.Mkfifo(page, 0o644); err != nil {
		t.Skip("no named pipes:", err)
	}
	run := writeSiteWithin(t, cfg, out, 20*time.Second)
	sameTrees(t, readTree(t, out), want)
	if run.laidOut != 1 {
		t.Errorf("laid out %d pages, want the one whose file was a pipe", run.laidOut)
	}
}

// TestPageCacheLinkedFolderInOutput: a folder of the previous output
// replaced by a link to a folder outside it is not followed, though the
// files there hold exactly the pages' bytes.
func TestPageCacheLinkedFolderInOutput(t *testing.T) {
	cfg, out, want := warmOutput(t)
	outside := filepath.Join(t.TempDir(), "guide")
	if err := os.Rename(filepath.Join(out, "guide"), outside); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "guide")); err != nil {
		t.Fatal(err)
	}
	outsideFiles := inodes(t, outside)
	if len(outsideFiles) != 3 {
		t.Fatalf("%d pages in guide/, want 3", len(outsideFiles))
	}
	run := writeSiteWithin(t, cfg, out, 20*time.Second)
	sameTrees(t, readTree(t, out), want)
	if run.laidOut != 3 {
		t.Errorf("laid out %d pages, want the 3 of guide/", run.laidOut)
	}
	for name, fi := range inodes(t, filepath.Join(out, "guide")) {
		if old, ok := outsideFiles[name]; ok && os.SameFile(old, fi) {
			t.Errorf("guide/%s is a link to the file outside the output", name)
		}
	}
}

// TestPageCacheModeInOutput: a page of the previous output whose
// permissions are not those of a fresh file is written again, with them.
func TestPageCacheModeInOutput(t *testing.T) {
	cfg, out, want := warmOutput(t)
	fresh, err := os.Stat(filepath.Join(out, "guide", "b", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(out, "guide", "a", "index.html")
	if err := os.Chmod(page, 0o600); err != nil {
		t.Fatal(err)
	}
	run := writeSite(t, cfg, out)
	sameTrees(t, readTree(t, out), want)
	if run.laidOut != 1 {
		t.Errorf("laid out %d pages, want the one whose mode changed", run.laidOut)
	}
	fi, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != fresh.Mode().Perm() {
		t.Errorf("the page's mode is %v, a fresh file's %v", fi.Mode().Perm(), fresh.Mode().Perm())
	}
	if os.Getuid() != 0 {
		return // only root can give a file to another user
	}
	if err := os.Chown(page, 12345, 12345); err != nil {
		t.Fatal(err)
	}
	run = writeSite(t, cfg, out)
	if run.laidOut != 1 {
		t.Errorf("laid out %d pages, want the one owned by another user", run.laidOut)
	}
	if fi, err := os.Stat(page); err != nil || fi.Sys().(*syscall.Stat_t).Uid != uint32(os.Getuid()) {
		t.Errorf("the page is not the user's: %v", err)
	}
}
