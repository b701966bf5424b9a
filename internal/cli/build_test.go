package cli

import (
	"os"
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
