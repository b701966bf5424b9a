package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			if !strings.HasPrefix(d.Pos.String(), tc.where) || d.Code != CodeTemplate || !strings.Contains(d.Message, tc.message) {
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
