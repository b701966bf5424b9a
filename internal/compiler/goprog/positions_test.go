package goprog

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// source is a test file's lines.
type source struct {
	t     *testing.T
	name  string
	lines []string
}

func readSource(t *testing.T, name string) source {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return source{t, name, strings.Split(string(b), "\n")}
}

// line returns the number of the first line holding marker.
func (s source) line(marker string) int {
	for i, l := range s.lines {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	s.t.Fatalf("%s has no line with %q", s.name, marker)
	return 0
}

// at returns the position of the n-th (from 1) sub on the line holding
// marker; n 0 for the line alone.
func (s source) at(marker, sub string, n int) string {
	l := s.line(marker)
	pos := s.name + ":" + strconv.Itoa(l)
	if n == 0 {
		return pos
	}
	col := -1
	for range n {
		i := strings.Index(s.lines[l-1][col+1:], sub)
		if i < 0 {
			s.t.Fatalf("line %d of %s has fewer than %d %q", l, s.name, n, sub)
		}
		col += 1 + i
	}
	return pos + ":" + strconv.Itoa(col+1)
}

// frame returns a frame of the line holding marker.
func (s source) frame(marker, fn string, rank, calls int) dacproto.Frame {
	return dacproto.Frame{File: s.name, Line: s.line(marker), Func: fn, Rank: rank, Calls: calls}
}

func str(s string) *string { return &s }

func TestPosition(t *testing.T) {
	c := readSource(t, "calls.go")
	b := readSource(t, "broken.txt")
	const (
		rows    = "dac.Row(1, 12, a)"
		helpers = "a, b := flame"
		helper  = "return dac.FlameChart"
		memroy  = `dac.Display("memroy")`
		queries = `dac.Query(`
	)
	cases := []struct {
		name  string
		stack []dacproto.Frame
		lit   *string
		want  string
	}{
		// Rank: the calls of one function on one line, in evaluation order.
		{"second of two calls", []dacproto.Frame{c.frame(rows, "Row", 1, 2)}, nil, c.at(rows, "Row(", 2)},
		{"first of two calls", []dacproto.Frame{c.frame(rows, "Row", 0, 2)}, nil, c.at(rows, "Row(", 1)},
		{"rank among fewer calls than the line has", []dacproto.Frame{c.frame(rows, "Row", 1, 3)}, nil, c.at(rows, "Row(", 1)},
		// Literal: a string at its literal among its call's arguments,
		// not another call's equal literal of the line.
		{"literal of the call", []dacproto.Frame{c.frame(memroy, "ProfileType", 0, 0)}, str("memroy"), c.at(memroy, `"memroy"`, 2)},
		{"literal of another call", []dacproto.Frame{c.frame(memroy, "Display", 0, 0)}, str("memroy"), c.at(memroy, `"memroy"`, 1)},
		{"not a string: the call", []dacproto.Frame{c.frame(memroy, "FlameChart", 0, 0)}, nil, c.at(memroy, "FlameChart(", 1)},
		{"no such literal: the call", []dacproto.Frame{c.frame(memroy, "ProfileType", 0, 0)}, str("cpu"), c.at(memroy, "ProfileType(", 1)},
		{"unranked: the call passing the literal", []dacproto.Frame{c.frame(queries, "Query", 0, 0)}, str(`{c="d"}`), c.at(queries, "`{c=", 1)},
		{"unranked: the first call", []dacproto.Frame{c.frame(queries, "Query", 0, 0)}, nil, c.at(queries, "Query(`", 1)},
		// Helpers: the first frame whose call has the literal wins.
		{"literal passed through a helper", []dacproto.Frame{c.frame(helper, "ProfileType", 0, 0), c.frame(helpers, "flame", 1, 2)}, str("cpu"), c.at(helpers, `"cpu"`, 2)},
		{"literal passed through a helper, first call", []dacproto.Frame{c.frame(helper, "ProfileType", 0, 0), c.frame(helpers, "flame", 0, 2)}, str("cpu"), c.at(helpers, `"cpu"`, 1)},
		{"value the helper makes", []dacproto.Frame{c.frame(helper, "FlameChart", 0, 0), c.frame(helpers, "flame", 1, 2)}, nil, c.at(helper, "FlameChart(", 1)},
		{"literal nowhere: the first frame's call", []dacproto.Frame{c.frame(helper, "ProfileType", 0, 0), c.frame(helpers, "flame", 1, 2)}, str("mem"), c.at(helper, "ProfileType(", 1)},
		// No column to find.
		{"function not on the line", []dacproto.Frame{c.frame(rows, "Missing", 0, 0)}, nil, c.at(rows, "", 0)},
		{"function unknown", []dacproto.Frame{c.frame(rows, "", 0, 0)}, nil, c.at(rows, "", 0)},
		{"file unreadable", []dacproto.Frame{{File: "missing.go", Line: 3, Func: "Row"}}, str("x"), "missing.go:3"},
		{"no frames", nil, nil, ""},
		// A file that does not parse: the line's text.
		{"no parse: the first equal literal of the line", []dacproto.Frame{b.frame(memroy, "ProfileType", 0, 0)}, str("memroy"), b.at(memroy, `"memroy"`, 1)},
		{"no parse: a raw literal", []dacproto.Frame{b.frame(memroy, "Query", 0, 0)}, str(`{a="b"}`), b.at(memroy, "`{a=", 1)},
		{"no parse: the function's name", []dacproto.Frame{b.frame(memroy, "ProfileQuery", 0, 0)}, nil, b.at(memroy, "ProfileQuery(", 1)},
		{"no parse: a whole name", []dacproto.Frame{b.frame("XProject", "Project", 0, 0)}, nil, b.at("XProject", "Project(", 2)},
		{"no parse: not on the line", []dacproto.Frame{b.frame(memroy, "Missing", 0, 0)}, str("nope"), b.at(memroy, "", 0)},
	}
	r := NewResolver("testdata")
	for _, tc := range cases {
		if got := r.Position(tc.stack, tc.lit); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestParsedOnce: a resolver reads a file once, however many positions
// it is asked for, and names files as the document does.
func TestParsedOnce(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\nfunc main() { f(1); g(\"x\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "m.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := NewResolver(dir)
	f := []dacproto.Frame{{File: "m.go", Line: 3, Func: "g"}}
	if got := r.Position(f, str("x")); got != "m.go:3:23" {
		t.Fatalf("%q", got)
	}
	abs := []dacproto.Frame{{File: filepath.ToSlash(filepath.Join(dir, "m.go")), Line: 3, Func: "f"}}
	if got, want := NewResolver("elsewhere").Position(abs, nil), abs[0].File+":3:15"; got != want {
		t.Errorf("absolute name: %q, want %q", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "m.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := r.Position(f, nil); got != "m.go:3:21" {
		t.Errorf("after the file changed: %q, want the column of the text first read", got)
	}
}
