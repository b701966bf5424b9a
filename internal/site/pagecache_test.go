package site

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
)

// cacheSite is a small site with what a page's output depends on: links
// between pages and folders, code, raw HTML, front matter params.
var cacheSite = map[string]string{
	"content/index.md":           "---\ntitle: Home\n---\n# Home\n\nSee the [guide](guide/index.md) and [A](guide/a.md#usage).\n",
	"content/guide/index.md":     "---\ntitle: Guide\nweight: 1\n---\n# Guide\n\nStart with [A](a.md).\n",
	"content/guide/a.md":         "---\ntitle: A\nweight: 1\n---\n# A\n\n## Usage\n\n```yaml\nkind: Dashboard\nspec: {}\n```\n\nThen <a href=\"b.md\">B</a>.\n",
	"content/guide/b.md":         "---\ntitle: B\nweight: 2\nstyles: [extra.css]\n---\n# B\n\n```go\npackage main\n\nfunc main() {}\n```\n",
	"content/other/c.md":         "---\ntitle: C\n---\n# C\n\nBack [home](../index.md).\n",
	"content/files/notes.txt":    "static\n",
	"templates/assets/extra.css": "body { color: red }\n",
	"templates/assets/other.css": "body { color: blue }\n",
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree maps each file below dir (but the output marker) to its
// content, and each folder (name/) to "(folder)".
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if ents, _ := os.ReadDir(p); len(ents) == 0 {
				t.Errorf("%s: an empty folder in the output", rel)
			}
			out[filepath.ToSlash(rel)+"/"] = "(folder)"
			return nil
		}
		if rel == outdir.MarkerFile {
			return nil
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTrees reports the files in which two outputs differ.
func sameTrees(t *testing.T, got, want map[string]string) {
	t.Helper()
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		g, gok := got[n]
		w, wok := want[n]
		switch {
		case !gok:
			t.Errorf("%s: missing from the cached build's output", n)
		case !wok:
			t.Errorf("%s: in the cached build's output only (stale)", n)
		case g != w:
			t.Errorf("%s: the cached build's output differs from a build without cache", n)
		}
	}
}

type cacheRun struct {
	renders, laidOut int64
}

// writeSite builds cfg into out, as `pyrobuild build` does, saving the
// caches.
func writeSite(t *testing.T, cfg Config, out string) cacheRun {
	t.Helper()
	b, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Write(context.Background(), out)
	if err != nil || s.HasErrors() {
		t.Fatalf("build: %v\n%s", err, diagText(s.Diagnostics))
	}
	if err := b.SaveCache(); err != nil {
		t.Fatal(err)
	}
	return cacheRun{renders: b.renders.Load(), laidOut: b.laidOut.Load()}
}

// uncached is what a build without any cache writes for cfg.
func uncached(t *testing.T, cfg Config) map[string]string {
	t.Helper()
	cfg.CacheDir = ""
	out := filepath.Join(t.TempDir(), "public")
	writeSite(t, cfg, out)
	return readTree(t, out)
}

func inodes(t *testing.T, dir string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "index.html" {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)], _ = os.Lstat(p)
		}
		return nil
	})
	return out
}

// relinked lists the pages whose file is the one the previous build
// left (hard-linked, not written).
func relinked(t *testing.T, before map[string]os.FileInfo, dir string) []string {
	t.Helper()
	var same []string
	for name, fi := range inodes(t, dir) {
		if old, ok := before[name]; ok && os.SameFile(old, fi) {
			same = append(same, name)
		}
	}
	sort.Strings(same)
	return same
}

func TestPageCacheWarmBuildMatchesCold(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, cacheSite)
	cfg := Config{Root: root, CacheDir: t.TempDir(), Workers: 2, BaseURL: "https://docs.example.com/"}
	out := filepath.Join(t.TempDir(), "public")
	cold := writeSite(t, cfg, out)
	want := uncached(t, cfg)
	sameTrees(t, readTree(t, out), want)
	if cold.renders == 0 || cold.laidOut == 0 {
		t.Fatalf("cold build rendered %d, laid out %d pages", cold.renders, cold.laidOut)
	}
	before := inodes(t, out)
	for _, workers := range []int{1, 4} {
		c := cfg
		c.Workers = workers
		warm := writeSite(t, c, out)
		sameTrees(t, readTree(t, out), want)
		if warm.renders != 0 || warm.laidOut != 0 {
			t.Errorf("warm build (%d workers) rendered %d and laid out %d pages, want none", workers, warm.renders, warm.laidOut)
		}
		if got := relinked(t, before, out); len(got) != len(before) {
			t.Errorf("warm build kept %d of %d pages' files: %v", len(got), len(before), got)
		}
	}
}

// TestPageCacheInvalidation changes each kind of input a page depends on
// and checks that a build with the cache writes exactly what a build
// without it does, and lays out again only the pages the change reaches.
func TestPageCacheInvalidation(t *testing.T) {
	const all = -1
	cases := []struct {
		name string
		// change edits the site's files or settings.
		change func(t *testing.T, root string, cfg *Config)
		// laidOut is how many pages must be laid out again (all: every
		// page); the others keep their files.
		laidOut int
	}{
		{"page body", func(t *testing.T, root string, cfg *Config) {
			appendFile(t, filepath.Join(root, "content/other/c.md"), "\nMore text.\n")
		}, 1},
		{"page code block", func(t *testing.T, root string, cfg *Config) {
			replaceIn(t, filepath.Join(root, "content/guide/a.md"), "spec: {}", "spec: {panels: {}}")
		}, 1},
		{"page params", func(t *testing.T, root string, cfg *Config) {
			replaceIn(t, filepath.Join(root, "content/guide/b.md"), "styles: [extra.css]", "styles: [other.css]")
		}, 1},
		{"page title (navigation)", func(t *testing.T, root string, cfg *Config) {
			replaceIn(t, filepath.Join(root, "content/other/c.md"), "title: C", "title: See")
		}, all},
		{"page weight (navigation order)", func(t *testing.T, root string, cfg *Config) {
			replaceIn(t, filepath.Join(root, "content/guide/b.md"), "weight: 2", "weight: 0")
		}, all},
		{"new page", func(t *testing.T, root string, cfg *Config) {
			writeTree(t, root, map[string]string{"content/guide/d.md": "# D\n"})
		}, all},
		{"page removed", func(t *testing.T, root string, cfg *Config) {
			os.Remove(filepath.Join(root, "content/other/c.md"))
		}, all},
		{"layout override", func(t *testing.T, root string, cfg *Config) {
			writeTree(t, root, map[string]string{"templates/layouts/page.html": `<!doctype html><title>{{.Page.Title}}</title>{{.Page.Content}}<footer>{{.Site.Footer}}</footer>`})
		}, all},
		{"asset override", func(t *testing.T, root string, cfg *Config) {
			writeTree(t, root, map[string]string{"templates/assets/css/site.css": "body { margin: 0 }\n"})
		}, all},
		{"--title", func(t *testing.T, root string, cfg *Config) { cfg.Title = "Other" }, all},
		{"--base-url", func(t *testing.T, root string, cfg *Config) { cfg.BaseURL = "https://docs.example.com/v2/" }, all},
		{"--edit-url", func(t *testing.T, root string, cfg *Config) { cfg.EditURL = "https://git.example.com/edit/" }, all},
		{"--repo-url", func(t *testing.T, root string, cfg *Config) { cfg.RepoURL = "https://git.example.com/" }, all},
		{"footer", func(t *testing.T, root string, cfg *Config) { cfg.Footer = "Published by the docs team." }, all},
		{"site.nav", func(t *testing.T, root string, cfg *Config) {
			cfg.Nav = []NavItem{{Page: "index.md"}, {Page: "other/c.md"}, {Title: "Docs", Children: []NavItem{{Page: "guide/"}}}}
		}, all},
		{"--drafts", func(t *testing.T, root string, cfg *Config) {
			writeTree(t, root, map[string]string{"content/guide/draft.md": "---\ntitle: Draft\ndraft: true\n---\n# Draft\n"})
			cfg.Drafts = true
		}, all},
		{"a draft left out", func(t *testing.T, root string, cfg *Config) {
			writeTree(t, root, map[string]string{"content/guide/draft.md": "---\ntitle: Draft\ndraft: true\n---\n# Draft\n"})
		}, 0},
		{"the program", func(t *testing.T, root string, cfg *Config) {
			old := binaryIdentity
			binaryIdentity = func(root string) string { return old(root) + " changed" }
			t.Cleanup(func() { binaryIdentity = old })
		}, all},
		{"output edited by hand", func(t *testing.T, root string, cfg *Config) {
			p := filepath.Join(cfg.Root, "out", "public", "guide", "a", "index.html")
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			// In place, same size: only its bytes tell.
			i := bytes.Index(data, []byte("Usage"))
			copy(data[i:], "USAGE")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"output removed", func(t *testing.T, root string, cfg *Config) {
			os.RemoveAll(filepath.Join(cfg.Root, "out", "public"))
		}, all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, cacheSite)
			cfg := Config{Root: root, CacheDir: t.TempDir(), Workers: 2, BaseURL: "https://docs.example.com/"}
			out := filepath.Join(root, "out", "public")
			writeSite(t, cfg, out)
			before := inodes(t, out)
			tc.change(t, root, &cfg)
			want := uncached(t, cfg)
			run := writeSite(t, cfg, out)
			got := readTree(t, out)
			sameTrees(t, got, want)
			n := len(inodes(t, out))
			wantLaid := tc.laidOut
			if wantLaid == all {
				wantLaid = n
			}
			if run.laidOut != int64(wantLaid) {
				t.Errorf("laid out %d pages again, want %d", run.laidOut, wantLaid)
			}
			if kept := relinked(t, before, out); len(kept) != n-wantLaid {
				t.Errorf("kept %d pages' files (%v), want %d", len(kept), kept, n-wantLaid)
			}
			// Pages rendered again: those laid out again, but a draft,
			// rendered and left out, and a page whose output was edited,
			// laid out from its source without a new rendering.
			wantRenders, ok := map[string]int{"a draft left out": 1, "output edited by hand": 0}[tc.name]
			if !ok {
				wantRenders = tc.laidOut
			}
			if tc.laidOut != all && run.renders != int64(wantRenders) {
				t.Errorf("rendered %d pages, want %d", run.renders, wantRenders)
			}
			// And again, unchanged: nothing laid out, the same output.
			again := writeSite(t, cfg, out)
			sameTrees(t, readTree(t, out), want)
			if again.laidOut != 0 || again.renders != 0 {
				t.Errorf("the next build laid out %d and rendered %d pages, want none", again.laidOut, again.renders)
			}
		})
	}
}

// TestPageCacheFailedBuildKeepsOutput checks that a build that fails
// after reusing the previous output's files leaves that output as it was,
// and that the build after the fix is right.
func TestPageCacheFailedBuildKeepsOutput(t *testing.T) {
	cfg, out := cachedSite(t)
	root := cfg.Root
	before, beforeNodes := readTree(t, out), inodes(t, out)

	page := filepath.Join(root, "content/other/c.md")
	appendFile(t, page, "\nA [broken](missing.md) link.\n")
	b, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Write(context.Background(), out)
	if err != nil || !s.HasErrors() {
		t.Fatalf("the broken build should fail: %v", err)
	}
	if err := b.SaveCache(); err != nil {
		t.Fatal(err)
	}
	sameTrees(t, readTree(t, out), before)
	if kept := relinked(t, beforeNodes, out); len(kept) != len(beforeNodes) {
		t.Errorf("the failed build replaced files of the output: kept %d of %d", len(kept), len(beforeNodes))
	}
	replaceIn(t, page, "[broken](missing.md)", "[fixed](../index.md)")
	want := uncached(t, cfg)
	writeSite(t, cfg, out)
	sameTrees(t, readTree(t, out), want)
}

func TestPageCacheDamagedCache(t *testing.T) {
	cfg, out := cachedSite(t)
	file := pagecache.File(cfg.CacheDir, out)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, damaged := range [][]byte{data[:len(data)/2], []byte("not a cache"), nil} {
		if err := os.WriteFile(file, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		run := writeSite(t, cfg, out)
		sameTrees(t, readTree(t, out), uncached(t, cfg))
		if run.laidOut != int64(len(inodes(t, out))) {
			t.Errorf("with a damaged cache, laid out %d pages, want all", run.laidOut)
		}
	}
}

// TestPageCacheStaticAtPageOutput publishes a file of content/ at a
// page's output path after a build whose pages the next one hard-links:
// writing it must not reach the previous output's file, and the site is
// in error (in a build without cache too), the previous output intact.
func TestPageCacheStaticAtPageOutput(t *testing.T) {
	cfg, out := cachedSite(t)
	root := cfg.Root
	before := readTree(t, out)

	writeTree(t, root, map[string]string{"content/guide/a/index.html": "STATIC\n"})
	for _, cache := range []string{cfg.CacheDir, ""} {
		c := cfg
		c.CacheDir = cache
		b, err := NewBuilder(c)
		if err != nil {
			t.Fatal(err)
		}
		s, err := b.Write(context.Background(), out)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(root, "content", "guide", "a.md") + ":1: error: guide/a.md and the file guide/a/index.html both publish /guide/a/index.html [PB2007]\n"
		if got := diagText(s.Diagnostics); got != want {
			t.Errorf("cache %q: diagnostics\n%s\nwant\n%s", cache, got, want)
		}
		sameTrees(t, readTree(t, out), before)
	}
}

// TestBuildAssetAtPageOutput: a theme asset at a page's path, or where a
// page needs a folder, is an error too.
func TestBuildAssetAtPageOutput(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, cacheSite)
	writeTree(t, root, map[string]string{
		"content/assets/x.md":              "# X\n",
		"templates/assets/x/index.html":    "asset\n",
		"content/guide/b/index.html/x.txt": "x\n",
		"content/other/c/d":                "static\n",
		"content/other/c/d.md":             "# D\n",
	})
	s, err := mustBuilder(t, Config{Root: root, Workers: 2}).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := func(p string) string { return filepath.Join(root, "content", filepath.FromSlash(p)) }
	want := c("assets/x.md") + ":1: error: assets/x.md and the theme's asset x/index.html both publish /assets/x/index.html [PB2007]\n" +
		c("guide/b.md") + ":1: error: the file guide/b/index.html/x.txt needs a folder at /guide/b/index.html, where guide/b.md is published [PB2007]\n" +
		c("other/c/d.md") + ":1: error: the file other/c/d takes the place of the folder /other/c/d/ that other/c/d.md is published in [PB2007]\n"
	if got := diagText(s.Diagnostics); got != want {
		t.Errorf("diagnostics\n%s\nwant\n%s", got, want)
	}
}

func mustBuilder(t *testing.T, cfg Config) *Builder {
	t.Helper()
	b, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPageCacheChecksum damages the saved cache so that it still
// decodes: it must be no cache, not the source of a wrong search index.
func TestPageCacheChecksum(t *testing.T) {
	cfg, out := cachedSite(t)
	file := pagecache.File(cfg.CacheDir, out)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("Usage"))
	if i < 0 {
		t.Fatal("no heading in the cache")
	}
	data[i+4] ^= 0x02 // "Usagg"
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	run := writeSite(t, cfg, out)
	sameTrees(t, readTree(t, out), uncached(t, cfg))
	if n := int64(len(inodes(t, out))); run.laidOut != n {
		t.Errorf("with a damaged cache, laid out %d pages, want %d", run.laidOut, n)
	}
}

// TestPageCacheTrim: page caches not used for 30 days (and files a
// killed run left) are removed, at most once a day; the one in use stays,
// and so does what else the cache folder holds.
func TestPageCacheTrim(t *testing.T) {
	cfg, out := cachedSite(t)
	inUse := pagecache.File(cfg.CacheDir, out)
	pages := filepath.Dir(inUse)
	old := time.Now().Add(-40 * 24 * time.Hour)
	recent := time.Now().Add(-10 * 24 * time.Hour)
	files := map[string]time.Time{
		"pages/0000000000000000.gob": old,
		"pages/1111111111111111.gob": recent,
		"pages/.tmp-2222222222":      old,
		"something-else":             old,
	}
	put := func() {
		for n, mt := range files {
			p := filepath.Join(cfg.CacheDir, n)
			if _, err := os.Stat(p); err != nil {
				os.WriteFile(p, []byte("x"), 0o644)
			}
			if err := os.Chtimes(p, mt, mt); err != nil {
				t.Fatal(err)
			}
		}
	}
	exists := func(n string) bool {
		_, err := os.Stat(filepath.Join(cfg.CacheDir, n))
		return err == nil
	}
	mark := filepath.Join(pages, "trimmed")
	yesterday := time.Now().Add(-25 * time.Hour)
	os.WriteFile(mark, nil, 0o644)
	if err := os.Chtimes(mark, yesterday, yesterday); err != nil {
		t.Fatal(err)
	}
	put()
	if err := os.Chtimes(inUse, old, old); err != nil {
		t.Fatal(err)
	}
	run := writeSite(t, cfg, out)
	if run.laidOut != 0 {
		t.Errorf("laid out %d pages: the cache in use was lost", run.laidOut)
	}
	for n, want := range map[string]bool{"pages/0000000000000000.gob": false, "pages/1111111111111111.gob": true, "pages/.tmp-2222222222": false, "something-else": true} {
		if exists(n) != want {
			t.Errorf("%s: exists %v after trimming, want %v", n, !want, want)
		}
	}
	if fi, err := os.Stat(inUse); err != nil || time.Since(fi.ModTime()) > time.Hour {
		t.Errorf("the cache in use was not kept fresh: %v", err)
	}
	// Trimmed less than a day ago: not again.
	put()
	writeSite(t, cfg, out)
	if !exists("pages/0000000000000000.gob") {
		t.Error("trimmed twice in a day")
	}
	os.Chtimes(mark, yesterday, yesterday)
	writeSite(t, cfg, out)
	if exists("pages/0000000000000000.gob") {
		t.Error("not trimmed a day later")
	}
}

func appendFile(t *testing.T, p, text string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(data, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, p, old, new string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", p, old)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cachedSite builds cacheSite once, into a new output folder with a new
// cache, for a test to change and build again.
func cachedSite(t *testing.T) (cfg Config, out string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, cacheSite)
	cfg = Config{Root: root, CacheDir: t.TempDir(), Workers: 2}
	out = filepath.Join(t.TempDir(), "public")
	writeSite(t, cfg, out)
	return cfg, out
}
