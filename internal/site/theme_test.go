package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// Both kinds of template error, a syntax error (found when the layouts are
// parsed) and an execution error (found when a page is laid out), name the
// template's file in the same form, relative to the site root as the
// command line shows it, and quote it.
func TestTemplateErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name, layout, where, message string
	}{
		{"syntax", "<main>\n  {{ if }}\n</main>\n", "templates/layouts/page.html:2", "missing value for if"},
		{"execution", "<main>\n  <p>{{ .Nope.Bad }}</p>\n</main>\n", "templates/layouts/page.html:2:13", "can't evaluate field Nope"},
		{"partial", "<main>{{ template \"bits.html\" . }}</main>\n", "templates/layouts/bits.html:1:11", "can't evaluate field Nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "content", "index.md"), "# Hello\n")
			write(t, filepath.Join(dir, "templates", "layouts", "page.html"), tc.layout)
			write(t, filepath.Join(dir, "templates", "layouts", "bits.html"), "<b>{{ .Nope.Bad }}</b>\n")
			t.Chdir(dir)
			s := buildSite(t, Config{})
			if len(s.Diagnostics) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", diagText(s.Diagnostics))
			}
			d := s.Diagnostics[0]
			if !strings.HasPrefix(d.Pos.String(), tc.where) || d.Code != sitediag.CodeTemplate || !strings.Contains(d.Message, tc.message) {
				t.Errorf("got %s: %s [%s], want %s: …%s", d.Pos, d.Message, d.Code, tc.where, tc.message)
			}
			src := s.Sources[d.Pos.File]
			if src == nil {
				t.Fatalf("no source kept for %s: no excerpt", d.Pos.File)
			}
			if want, _ := os.ReadFile(d.Pos.File); string(src.Data) != string(want) {
				t.Errorf("source of %s: %q", d.Pos.File, src.Data)
			}
		})
	}
}

// A symbolic link in templates/ is followed only to a file inside it, as
// in content/: a link to a file elsewhere is neither served nor published.
func TestTemplateSymlinksStayInside(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "passwd")
	write(t, secret, "root:x:0:0:TOP-SECRET\n")
	write(t, filepath.Join(dir, "content", "index.md"), "# Hello\n")
	write(t, filepath.Join(dir, "templates", "assets", "css", "mine.css"), "p { color: red }\n")
	for name, target := range map[string]string{
		"pw.css":     secret,
		"up.css":     filepath.Join(dir, "content", "index.md"), // in the site, not in templates/
		"gone.css":   filepath.Join(dir, "nothing"),
		"same.css":   filepath.Join(dir, "templates", "assets", "css", "mine.css"),
		"layouts.js": filepath.Join(dir, "templates"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, "templates", "assets", name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(secret, filepath.Join(dir, "templates", "layouts.html")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "templates", "layouts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "templates", "layouts", "nav.html")); err != nil {
		t.Fatal(err)
	}
	s := buildSite(t, Config{Root: dir})
	for name, data := range s.Files {
		if strings.Contains(string(data), "TOP-SECRET") || strings.Contains(string(data), "# Hello\n") {
			t.Errorf("%s holds a file from outside templates/", name)
		}
	}
	if string(s.Files["assets/same.css"]) != "p { color: red }\n" {
		t.Errorf("a link to a file inside templates/ is not published: %q", s.Files["assets/same.css"])
	}
	warned := map[string]string{}
	for _, d := range s.Diagnostics {
		if d.Code == sitediag.CodeContentRead && d.Severity.String() == "warning" {
			warned[filepath.Base(d.Pos.File)] = d.Message
		}
	}
	for name, want := range map[string]string{"pw.css": "outside the templates folder", "up.css": "outside the templates folder",
		"nav.html": "outside the templates folder", "gone.css": "broken symbolic link", "layouts.js": "folder or special file"} {
		if !strings.Contains(warned[name], want) {
			t.Errorf("%s: warning %q, want %q\n%s", name, warned[name], want, diagText(s.Diagnostics))
		}
	}
	if s.HasErrors() {
		t.Errorf("skipped links are warnings, not errors:\n%s", diagText(s.Diagnostics))
	}
}
