package markdown

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRender checks that Render never panics and that every position it
// reports lies inside the file. Seeds are in testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	f.Add([]byte("---\ntitle: x\n---\n# A\n\n[l](b.md)\n"))
	f.Add([]byte("!!! note\n    === \"A\"\n        > [!TIP]\n        > ```go\n"))
	e := New(Options{ResolveLink: func(from, dest string) (string, bool) { return "/" + dest, true }})
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		doc, err := e.Render("fuzz.md", src)
		if err != nil {
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if me.Line < 1 || me.Line > lines || me.Col < 1 {
				t.Fatalf("error at %d:%d outside the file's %d lines", me.Line, me.Col, lines)
			}
			return
		}
		for _, l := range doc.Links {
			if l.Line < 1 || l.Line > lines || l.Col < 1 {
				t.Fatalf("link %q at %d:%d outside the file's %d lines", l.Dest, l.Line, l.Col, lines)
			}
		}
		for _, h := range doc.Headings {
			if h.Line < 1 || h.Line > lines {
				t.Fatalf("heading %q at line %d outside the file's %d lines", h.Text, h.Line, lines)
			}
		}
		for _, ex := range doc.Examples {
			if ex.Line < 1 || ex.Line > lines+1 {
				t.Fatalf("example at line %d outside the file's %d lines", ex.Line, lines)
			}
		}
	})
}
