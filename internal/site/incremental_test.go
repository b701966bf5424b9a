package site

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestIncrementalRebuild checks what a change costs the preview server:
// the dependency of each output on its inputs is carried by the builder's
// caches (a page's rendering depends on its source; its layout on that
// rendering, the navigation and its neighbours; the theme on templates/).
func TestIncrementalRebuild(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"content/index.md":           "# Home\n",
		"content/guide/index.md":     "---\ntitle: Guide\n---\n# Guide\n",
		"content/guide/a.md":         "---\ntitle: A\n---\n# A\n\nText of A.\n",
		"content/guide/b.md":         "---\ntitle: B\n---\n# B\n\nSee [A](a.md).\n",
		"content/other/c.md":         "---\ntitle: C\n---\n# C\n",
		"templates/assets/css/x.css": "a { color: red }\n",
	} {
		write(t, filepath.Join(root, filepath.FromSlash(name)), text)
	}
	b, err := NewBuilder(Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	b.TrackChanges()
	build := func() (renders, layouts int64) {
		t.Helper()
		r0, l0 := b.renders.Load(), b.laidOut.Load()
		s, err := b.Build(context.Background())
		if err != nil || s.HasErrors() {
			t.Fatalf("build: %v %v", err, s.Diagnostics)
		}
		return b.renders.Load() - r0, b.laidOut.Load() - l0
	}
	edit := func(name, text string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		b.Invalidate([]string{p})
	}
	build()

	if r, l := build(); r != 0 || l != 0 {
		t.Errorf("nothing changed: %d rendered, %d laid out", r, l)
	}
	edit("content/guide/a.md", "---\ntitle: A\n---\n# A\n\nNew text of A.\n")
	if r, l := build(); r != 1 || l != 1 {
		t.Errorf("text of A changed: %d rendered, %d laid out; want 1, 1", r, l)
	}
	// A new title changes the navigation, previous/next links and
	// breadcrumbs of other pages: they are laid out again, not rendered.
	edit("content/guide/a.md", "---\ntitle: A renamed\n---\n# A\n\nNew text of A.\n")
	r, l := build()
	if r != 1 || l < 3 {
		t.Errorf("title of A changed: %d rendered, %d laid out; want 1 and several", r, l)
	}
	// A change of the theme lays every page out again, renders none.
	edit("templates/assets/css/x.css", "a { color: blue }\n")
	pages := int64(len(must(b.Build(context.Background())).Pages))
	edit("templates/assets/css/x.css", "a { color: green }\n")
	if r, l := build(); r != 0 || l != pages {
		t.Errorf("theme changed: %d rendered, %d laid out; want 0, %d", r, l, pages)
	}
}

func must(s *Site, err error) *Site {
	if err != nil {
		panic(err)
	}
	return s
}
