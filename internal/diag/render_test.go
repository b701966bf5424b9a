package diag

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

var renderFiles = map[string]string{
	"a.yaml":    "kind: Project\nmetadata:\n  name: profiling\n",
	"b.yaml":    "# second\nkind: Project\nmetadata:\n  name: profiling\n",
	"s.yaml":    "kind: Secret\nspec:\n  basicAuth:\n    password: S3CRET\n    pasword: S3CRET\n",
	"crlf.yaml": "a: 1\r\nb: 2\r\n",
}

func testFiles(f string) ([]byte, bool) {
	s, ok := renderFiles[f]
	return []byte(s), ok
}

// duplicate is a diagnostic with a note at another file, as the compiler
// reports a resource defined twice.
var duplicate = Diagnostic{Severity: Error, Code: "PB1012", Pos: Pos{File: "b.yaml", Line: 2, Col: 1},
	Message: `Project "profiling" is defined twice (first at a.yaml:1:1)`, Hint: "rename or remove one",
	Notes: []Note{{Pos: Pos{File: "a.yaml", Line: 1, Col: 1}, Message: `Project "profiling" is first defined here`}}}

// TestTextRender: the text form, notes included, each with its excerpt
// right after the diagnostic's excerpt and hint.
func TestTextRender(t *testing.T) {
	cases := []struct {
		name string
		d    Diagnostic
		want string
	}{
		{"note with excerpt", duplicate, `b.yaml:2:1: error: Project "profiling" is defined twice (first at a.yaml:1:1) [PB1012]
 2 | kind: Project
   | ^^^^
  hint: rename or remove one
a.yaml:1:1: note: Project "profiling" is first defined here
 1 | kind: Project
   | ^^^^
`},
		{"two notes, one in an unknown file", Diagnostic{Severity: Warning, Pos: Pos{File: "a.yaml", Line: 3, Col: 9}, Message: "m",
			Notes: []Note{{Pos: Pos{File: "gone.yaml", Line: 1, Col: 1}, Message: "n1"}, {Pos: Pos{File: "b.yaml", Line: 4, Col: 3}, End: Pos{File: "b.yaml", Line: 4, Col: 7}, Message: "n2"}}},
			`a.yaml:3:9: warning: m
 3 |   name: profiling
   |         ^^^^^^^^^
gone.yaml:1:1: note: n1
b.yaml:4:3: note: n2
 4 |   name: profiling
   |   ^^^^
`},
		{"a credential's note is masked too", Diagnostic{Severity: Error, Pos: Pos{File: "s.yaml", Line: 5, Col: 5}, Message: "unknown field", Path: "spec.basicAuth.pasword",
			Notes: []Note{{Pos: Pos{File: "s.yaml", Line: 5, Col: 14}, Message: "value"}}},
			`s.yaml:5:5: error: unknown field
 5 |     pasword: <redacted>
   |     ^^^^^^^
s.yaml:5:14: note: value
 5 |     pasword: <redacted>
   |              ^^^^^^
`},
		{"CR before LF is not shown", Diagnostic{Severity: Info, Pos: Pos{File: "crlf.yaml", Line: 2, Col: 4}, Message: "m"},
			"crlf.yaml:2:4: note: m\n 2 | b: 2\n   |    ^\n"},
		{"line past the end", Diagnostic{Severity: Error, Pos: Pos{File: "a.yaml", Line: 9, Col: 1}, Message: "m"},
			"a.yaml:9:1: error: m\n 9 | \n   | ^\n"},
		{"no position", Diagnostic{Severity: Error, Code: "PB0008", Message: "no sources", Hint: "pass a folder"},
			"error: no sources [PB0008]\n  hint: pass a folder\n"},
	}
	// One renderer for all the cases too: it indexes each file once, and
	// must quote the same lines as a fresh one.
	shared := &TextRenderer{Files: testFiles}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []*TextRenderer{{Files: testFiles}, shared} {
				var b bytes.Buffer
				r.Render(&b, c.d)
				if b.String() != c.want {
					t.Errorf("got:\n%s\nwant:\n%s", b.String(), c.want)
				}
			}
		})
	}
}

// TestTextExcerpt: the excerpt alone, for the preview's overlay, which
// shows the message and hint itself; notes are not part of it.
func TestTextExcerpt(t *testing.T) {
	var b bytes.Buffer
	(&TextRenderer{Files: testFiles}).Excerpt(&b, duplicate)
	if want := " 2 | kind: Project\n   | ^^^^\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	(&TextRenderer{}).Excerpt(&b, duplicate)
	if b.Len() != 0 {
		t.Errorf("no sources, yet an excerpt: %q", b.String())
	}
}

// TestRenderJSON: notes are carried as data, and left out when there are
// none.
func TestRenderJSON(t *testing.T) {
	var b bytes.Buffer
	d := duplicate
	d.End = Pos{File: "b.yaml", Line: 2, Col: 5}
	if err := RenderJSON(&b, Diagnostics{d, {Severity: Warning, Message: "plain"}}); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "file": "b.yaml",
    "line": 2,
    "col": 1,
    "endLine": 2,
    "endCol": 5,
    "severity": "error",
    "code": "PB1012",
    "message": "Project \"profiling\" is defined twice (first at a.yaml:1:1)",
    "hint": "rename or remove one",
    "notes": [
      {
        "file": "a.yaml",
        "line": 1,
        "col": 1,
        "message": "Project \"profiling\" is first defined here"
      }
    ]
  },
  {
    "severity": "warning",
    "message": "plain"
  }
]
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestRenderGitHub: one workflow command per diagnostic, then a notice at
// each note, escaped as GitHub wants.
func TestRenderGitHub(t *testing.T) {
	var b bytes.Buffer
	RenderGitHub(&b, Diagnostics{
		duplicate,
		{Severity: Warning, Pos: Pos{File: "x,y:z.yaml", Line: 3}, Message: "50% \n done",
			Notes: []Note{{Pos: Pos{File: "x,y:z.yaml", Line: 1, Col: 2}, Message: "see\nhere"}}},
		{Severity: Info, Message: "bare"},
	})
	want := strings.Join([]string{
		`::error file=b.yaml,line=2,col=1,title=pyrobuild PB1012::Project "profiling" is defined twice (first at a.yaml:1:1)%0Ahint: rename or remove one`,
		`::notice file=a.yaml,line=1,col=1,title=pyrobuild PB1012::Project "profiling" is first defined here`,
		`::warning file=x%2Cy%3Az.yaml,line=3::50%25 %0A done`,
		`::notice file=x%2Cy%3Az.yaml,line=1,col=2::see%0Ahere`,
		`::notice::bare`,
	}, "\n") + "\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestExcerptWindow: a long line is shown as a window around the caret,
// each cut end marked, with the caret under the same text as in the
// source; a short line is shown whole.
func TestExcerptWindow(t *testing.T) {
	long := strings.Repeat(`{"a":1},`, 25_000) + `{"nmae":"x"}` + strings.Repeat(`,{"b":2}`, 25_000)
	col := strings.Index(long, `"nmae"`) + 1
	cases := []struct {
		name, line string
		col, end   int
		want       string // the two excerpt lines, gutter included
	}{
		{"short", `{"nmae": 1}`, 2, 8, " 1 | {\"nmae\": 1}\n   |  ^^^^^^\n"},
		{"caret in the middle", long, col, col + 6, " 1 | …" + long[col-1-39:col-1] + `"nmae"` + long[col+5:col+5+73] + "…\n" +
			"   | " + strings.Repeat(" ", 40) + "^^^^^^\n"},
		{"caret at the start", long, 1, 2, " 1 | " + long[:118] + "…\n   | ^\n"},
		{"caret past the end", long, len(long) + 1, 0, " 1 | …" + long[len(long)-118:] + "\n   | " + strings.Repeat(" ", 119) + "^\n"},
		{"a tab is four columns", "\tx: 1", 2, 3, " 1 |     x: 1\n   |     ^\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := func(string) ([]byte, bool) { return []byte(c.line + "\n"), true }
			d := Diagnostic{Severity: Error, Pos: Pos{File: "f", Line: 1, Col: c.col}, Message: "m"}
			if c.end > 0 {
				d.End = Pos{File: "f", Line: 1, Col: c.end}
			}
			var b bytes.Buffer
			(&TextRenderer{Files: files}).Excerpt(&b, d)
			if b.String() != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), c.want)
			}
			if b.Len() > 1000 {
				t.Errorf("the excerpt of one line is %d bytes", b.Len())
			}
		})
	}
}

// TestNoControlBytes: whatever a source holds (terminal escapes, a
// carriage return, bytes of a binary file, characters that reorder text),
// and wherever it lands (excerpt, message, hint, note, file name), no
// renderer prints a control byte other than a line feed, and none prints
// more than a few kilobytes for one diagnostic about a huge line.
func TestNoControlBytes(t *testing.T) {
	evil := "\x1b]0;pwned\x07\x1b[2J\r\x00\u009b\u202e\xff\xfe"
	src := "kind: Dashboard\nname: " + evil + strings.Repeat("\x01\x02garbage\x1b[31m", 20_000) + "\n"
	files := func(string) ([]byte, bool) { return []byte(src), true }
	ds := Diagnostics{{Severity: Error, Code: "PB0001", Pos: Pos{File: "x" + evil + ".cue", Line: 2, Col: 7},
		Message: "invalid value " + evil + strings.Repeat("\x1b", 10_000), Hint: "hint " + evil, Path: "name",
		Notes: []Note{{Pos: Pos{File: "x.cue", Line: 2, Col: 9}, Message: "note " + evil}}}}
	var text, gh, js bytes.Buffer
	(&TextRenderer{Files: files}).Render(&text, ds[0])
	RenderGitHub(&gh, ds)
	if err := RenderJSON(&js, ds); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string][]byte{"text": text.Bytes(), "github": gh.Bytes(), "json": js.Bytes()} {
		for i, c := range out {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				t.Errorf("%s: control byte %#x at %d: %q", name, c, i, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
		if !utf8.Valid(out) {
			t.Errorf("%s: not UTF-8", name)
		}
		for _, bad := range []string{"\u009b", "\u202e"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%s: prints %q unescaped", name, bad)
			}
		}
	}
	if text.Len() > 2048 {
		t.Errorf("text is %d bytes:\n%s", text.Len(), text.Bytes())
	}
	for _, want := range []string{`name: \x1b]0;pwned\x07\x1b[2J\x0d\x00\u009b\u202e\xff\xfe\x01`, `hint \x1b]0;pwned`, `x\x1b]0;pwned`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

// TestTokenWidth: how many runes the caret underlines when the end of the
// token is not known.
func TestTokenWidth(t *testing.T) {
	cases := []struct {
		s    string
		want int
	}{
		{"", 1},
		{`"abc" x`, 5},
		{`"a\"b" x`, 6},
		{`"é\\" x`, 5},
		{`"unterminated`, 13},
		{`"ends in \`, 10},
		{`'it' x`, 4},
		{"name: x", 4},
		{"a:b:c d", 5},
		{"ünïcode,", 7},
		{" x", 1},
		{strings.Repeat("x", 100), 60},
	}
	for _, c := range cases {
		if got := tokenWidth(c.s); got != c.want {
			t.Errorf("tokenWidth(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// BenchmarkRenderLongLine: one diagnostic about a 1 MB line costs a
// window's work, not the line's (beyond finding the line, once per file,
// and masking it, once per line).
func BenchmarkRenderLongLine(b *testing.B) {
	line := strings.Repeat(`{"a":1,"b":"\u00e9x"},`, 1<<20/22)
	files := func(string) ([]byte, bool) { return []byte(line), true }
	r := &TextRenderer{Files: files}
	var out bytes.Buffer
	r.Render(&out, Diagnostic{Severity: Error, Pos: Pos{File: "f", Line: 1, Col: 1}, Message: "m"})
	for i := 0; b.Loop(); i++ {
		out.Reset()
		r.Render(&out, Diagnostic{Severity: Error, Pos: Pos{File: "f", Line: 1, Col: 1 + (i*4099)%len(line)}, Message: "m"})
	}
}
