package cli

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildNotesMissingBaseURL: without a full --base-url the site has no
// sitemap.xml and no canonical links; the build says so once, as a note
// that does not fail it, and says nothing when the URL is given or -q is.
func TestBuildNotesMissingBaseURL(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"content/index.md": "# Home\n\nHello.\n"})
	t.Chdir(dir)
	const note = "pyrobuild: note: no sitemap.xml and no canonical links"
	code, stdout, stderr := run(t, "build", "--cache-dir", "off", "-o", "a")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if n := strings.Count(stderr, note); n != 1 || !strings.Contains(stderr, "--base-url https://") {
		t.Errorf("want the note once, got:\n%s", stderr)
	}
	if strings.Contains(stderr, "error") || !strings.Contains(stdout, "(no problems)") {
		t.Errorf("the note is not a problem:\n%s%s", stdout, stderr)
	}
	// A path is not enough either.
	if _, _, stderr := run(t, "build", "--cache-dir", "off", "-o", "b", "--base-url", "/docs/"); !strings.Contains(stderr, note) {
		t.Errorf("--base-url /docs/: no note:\n%s", stderr)
	}
	if _, _, stderr := run(t, "build", "--cache-dir", "off", "-o", "c", "-q"); stderr != "" {
		t.Errorf("-q: %s", stderr)
	}
	code, _, stderr = run(t, "build", "--cache-dir", "off", "-o", "d", "--base-url", "https://example.com/docs/")
	if code != 0 || strings.Contains(stderr, note) {
		t.Errorf("with a full URL: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat("d/sitemap.xml"); err != nil {
		t.Error(err)
	}
}

// TestBuildPageCache: a second build with the cache folder keeps the
// files of unchanged pages and writes the same bytes as a build without
// cache; a changed flag reaches every page.
func TestBuildPageCache(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"content/index.md":       "# Home\n\nSee [the guide](guide/index.md).\n",
		"content/guide/index.md": "# Guide\n\n```yaml\nkind: Dashboard\n```\n",
	})
	t.Chdir(dir)
	build := func(out, cache string, args ...string) map[string]string {
		t.Helper()
		if code, stdout, stderr := run(t, append([]string{"build", "-q", "-o", out, "--cache-dir", cache}, args...)...); code != 0 {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
		files := map[string]string{}
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(out, p)
				files[filepath.ToSlash(rel)] = string(data)
			}
			return nil
		})
		return files
	}
	cache := filepath.Join(dir, "cache")
	cold := build("public", cache)
	page, err := os.Stat("public/guide/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if warm := build("public", cache); !maps.Equal(warm, cold) {
		t.Error("the second build's output differs from the first's")
	}
	if again, err := os.Stat("public/guide/index.html"); err != nil || !os.SameFile(page, again) {
		t.Errorf("the second build wrote the unchanged page again (%v)", err)
	}
	titled := build("public", cache, "--title", "Handbook")
	if want := build("fresh", "off", "--title", "Handbook"); !maps.Equal(titled, want) {
		t.Error("with --title changed, the cached build differs from one without cache")
	}
	if !strings.Contains(titled["guide/index.html"], "Handbook") {
		t.Error("--title changed, the page did not")
	}
}
