package preview

import (
	"reflect"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/preview/live"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestStateMessage: the overlay shows each problem from its data: where,
// severity, code, message, hint, the source line with its caret, and each
// note with its own line. Notes of the build (severity note) are left out.
func TestStateMessage(t *testing.T) {
	page := "# Title\n\nSee [x](missing.md) and\n\tpassword: hunter2\n"
	sources := map[string]*compiler.Source{"a.md": compiler.NewSource("a.md", []byte(page))}
	at := func(line, col int) compiler.Pos { return compiler.Pos{File: "a.md", Line: line, Col: col} }
	for _, tc := range []struct {
		name string
		d    compiler.Diagnostic
		want live.Problem
	}{{
		name: "excerpt and hint",
		d:    compiler.Diagnostic{Severity: compiler.Error, Code: "PB9001", Pos: at(3, 5), Message: "broken link", Hint: "did you mean b.md?"},
		want: live.Problem{Severity: "error", Code: "PB9001", Where: "a.md:3:5", Message: "broken link", Hint: "did you mean b.md?",
			Excerpt: " 3 | See [x](missing.md) and\n   |     ^"},
	}, {
		name: "excerpt without hint",
		d:    compiler.Diagnostic{Severity: compiler.Error, Pos: at(3, 9), End: at(3, 19), Message: "broken link"},
		want: live.Problem{Severity: "error", Where: "a.md:3:9", Message: "broken link", Excerpt: " 3 | See [x](missing.md) and\n   |         ^^^^^^^^^^"},
	}, {
		name: "a line without a column",
		d:    compiler.Diagnostic{Severity: compiler.Warning, Pos: at(1, 0), Message: "no description"},
		want: live.Problem{Severity: "warning", Where: "a.md:1", Message: "no description", Excerpt: " 1 | # Title"},
	}, {
		name: "a credential's line is masked",
		d:    compiler.Diagnostic{Severity: compiler.Error, Pos: at(4, 2), Message: "secret in a page", Path: "spec.password"},
		want: live.Problem{Severity: "error", Where: "a.md:4:2", Message: "secret in a page", Excerpt: " 4 |     password: <redacted>\n   |     ^^^^^^^^"},
	}, {
		name: "a file without its text",
		d:    compiler.Diagnostic{Severity: compiler.Error, Pos: compiler.Pos{File: "b.md", Line: 2, Col: 1}, Message: "unreadable", Hint: "check its mode"},
		want: live.Problem{Severity: "error", Where: "b.md:2:1", Message: "unreadable", Hint: "check its mode"},
	}, {
		name: "a line past the end",
		d:    compiler.Diagnostic{Severity: compiler.Error, Pos: at(40, 1), Message: "stale position", Hint: "rebuild"},
		want: live.Problem{Severity: "error", Where: "a.md:40:1", Message: "stale position", Hint: "rebuild", Excerpt: " 40 | \n    | ^"},
	}, {
		name: "no position",
		d:    compiler.Diagnostic{Severity: compiler.Error, Message: "templates: cannot parse"},
		want: live.Problem{Severity: "error", Message: "templates: cannot parse"},
	}, {
		name: "notes",
		d: compiler.Diagnostic{Severity: compiler.Error, Pos: at(3, 5), Message: "defined twice", Hint: "rename one",
			Notes: []diag.Note{{Pos: at(1, 3), Message: "first defined here"}, {Pos: compiler.Pos{File: "c.md"}, Message: "and in c.md"}}},
		want: live.Problem{Severity: "error", Where: "a.md:3:5", Message: "defined twice", Hint: "rename one",
			Excerpt: " 3 | See [x](missing.md) and\n   |     ^",
			Notes: []live.Note{
				{Where: "a.md:1:3", Message: "first defined here", Excerpt: " 1 | # Title\n   |   ^^^^^"},
				{Where: "c.md", Message: "and in c.md"},
			}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &site.Site{Sources: sources, Diagnostics: compiler.Diagnostics{tc.d, {Severity: compiler.Note, Message: "built 3 pages"}}}
			if tc.d.Severity != compiler.Error {
				s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Message: "another"})
			}
			m := stateMessage(s, "b1")
			if m.Type != "errors" || m.Build != "b1" || len(m.Problems) == 0 {
				t.Fatalf("message %+v", m)
			}
			if got := m.Problems[0]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
			for _, p := range m.Problems {
				if p.Message == "built 3 pages" {
					t.Error("the build's note is shown")
				}
			}
		})
	}
	if m := stateMessage(&site.Site{Diagnostics: compiler.Diagnostics{{Severity: compiler.Warning, Message: "w"}}}, "b2"); m.Type != "ok" || len(m.Problems) != 0 {
		t.Errorf("a build without errors: %+v", m)
	}
}
