package preview

import (
	"reflect"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/preview/live"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestStateMessage: the overlay shows each problem from its data: where,
// severity, code, message, hint, the source line with its caret, and each
// note with its own line. Notes of the build (severity note) are left out.
func TestStateMessage(t *testing.T) {
	page := "# Title\n\nSee [x](missing.md) and\n\tpassword: hunter2\n"
	sources := map[string]*model.Source{"a.md": model.NewSource("a.md", []byte(page))}
	at := func(line, col int) diag.Pos { return diag.Pos{File: "a.md", Line: line, Col: col} }
	for _, tc := range []struct {
		name string
		d    diag.Diagnostic
		want live.Problem
	}{{
		name: "excerpt and hint",
		d:    diag.Diagnostic{Severity: diag.Error, Code: "PB9001", Pos: at(3, 5), Message: "broken link", Hint: "did you mean b.md?"},
		want: live.Problem{Severity: "error", Code: "PB9001", Where: "a.md:3:5", Message: "broken link", Hint: "did you mean b.md?",
			Excerpt: " 3 | See [x](missing.md) and\n   |     ^"},
	}, {
		name: "excerpt without hint",
		d:    diag.Diagnostic{Severity: diag.Error, Pos: at(3, 9), End: at(3, 19), Message: "broken link"},
		want: live.Problem{Severity: "error", Where: "a.md:3:9", Message: "broken link", Excerpt: " 3 | See [x](missing.md) and\n   |         ^^^^^^^^^^"},
	}, {
		name: "a line without a column",
		d:    diag.Diagnostic{Severity: diag.Warning, Pos: at(1, 0), Message: "no description"},
		want: live.Problem{Severity: "warning", Where: "a.md:1", Message: "no description", Excerpt: " 1 | # Title"},
	}, {
		name: "a credential's line is masked",
		d:    diag.Diagnostic{Severity: diag.Error, Pos: at(4, 2), Message: "secret in a page", Path: "spec.password"},
		want: live.Problem{Severity: "error", Where: "a.md:4:2", Message: "secret in a page", Excerpt: " 4 |     password: <redacted>\n   |     ^^^^^^^^"},
	}, {
		name: "a file without its text",
		d:    diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: "b.md", Line: 2, Col: 1}, Message: "unreadable", Hint: "check its mode"},
		want: live.Problem{Severity: "error", Where: "b.md:2:1", Message: "unreadable", Hint: "check its mode"},
	}, {
		name: "a line past the end",
		d:    diag.Diagnostic{Severity: diag.Error, Pos: at(40, 1), Message: "stale position", Hint: "rebuild"},
		want: live.Problem{Severity: "error", Where: "a.md:40:1", Message: "stale position", Hint: "rebuild", Excerpt: " 40 | \n    | ^"},
	}, {
		name: "no position",
		d:    diag.Diagnostic{Severity: diag.Error, Message: "templates: cannot parse"},
		want: live.Problem{Severity: "error", Message: "templates: cannot parse"},
	}, {
		name: "notes",
		d: diag.Diagnostic{Severity: diag.Error, Pos: at(3, 5), Message: "defined twice", Hint: "rename one",
			Notes: []diag.Note{{Pos: at(1, 3), Message: "first defined here"}, {Pos: diag.Pos{File: "c.md"}, Message: "and in c.md"}}},
		want: live.Problem{Severity: "error", Where: "a.md:3:5", Message: "defined twice", Hint: "rename one",
			Excerpt: " 3 | See [x](missing.md) and\n   |     ^",
			Notes: []live.Note{
				{Where: "a.md:1:3", Message: "first defined here", Excerpt: " 1 | # Title\n   |   ^^^^^"},
				{Where: "c.md", Message: "and in c.md"},
			}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &site.Site{Sources: sources, Diagnostics: diag.Diagnostics{tc.d, {Severity: diag.Info, Message: "built 3 pages"}}}
			if tc.d.Severity != diag.Error {
				s.Diagnostics = append(s.Diagnostics, diag.Diagnostic{Severity: diag.Error, Message: "another"})
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
	if m := stateMessage(&site.Site{Diagnostics: diag.Diagnostics{{Severity: diag.Warning, Message: "w"}}}, "b2"); m.Type != "ok" || len(m.Problems) != 0 {
		t.Errorf("a build without errors: %+v", m)
	}
}
