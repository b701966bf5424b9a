package compiler

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// TestYAMLSyntaxErrorPositions: a YAML syntax error is reported at the
// offending character, whatever line yaml.v3 names (the 0-based line of the
// enclosing construct, or none) and although it names no column. Columns
// count bytes.
func TestYAMLSyntaxErrorPositions(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"mis-indented key deep in a mapping", "a:\n  b: 1\n  c: 2\n  d: 3\n e: 4\n", 5, 2, "did not find expected key"},
		{"mis-indented key, mapping on line 1", "kind: x\nspec:\n  a: 1\n b: 2\n", 4, 2, "did not find expected key"},
		{"key among list items", "a:\n  - x\n  - y\n  b: 2\n", 4, 3, "did not find expected '-' indicator"},
		{"quoted key among list items", "a:\n  - x\n  \"b c\": 2\n", 3, 3, "did not find expected '-' indicator"},
		{"':' in a plain value", "a:\n  b: c: d\n", 2, 7, "mapping values are not allowed"},
		{"tab indentation", "a:\n\tb: 1\n", 2, 1, "cannot start any token"},
		{"unclosed flow sequence", "a: 1\nb: [x, y\nc: 2\n", 2, 4, "did not find expected ',' or ']'"},
		{"unclosed nested flow mapping", "a: {b: [1, 2], c: {d: 1}\n", 1, 4, "did not find expected ',' or '}'"},
		{"bracket in a quoted string", "a: 1\nb: [\"[x\", 'it''s [', y\nc: 2\n", 2, 4, "did not find expected ',' or ']'"},
		{"two unclosed, the inner one is reported", "a: [1, {b: 2\nc: 3\n", 1, 8, "did not find expected ',' or '}'"},
		{"unterminated quoted string", "a: 1\nb: \"abc\n", 2, 4, "found unexpected end of stream"},
		{"unterminated quoted string, line 1", "a: 'x\n", 1, 4, "found unexpected end of stream"},
		{"unterminated quoted string, an earlier one closed", "a: 'x'\nb: 'y\nc: 1\n", 2, 4, "found unexpected end of stream"},
		{"unterminated quoted string, no line break at the end", "a: 1\nb: 'x", 2, 4, "found unexpected end of stream"},
		{"trailing comma, list never closed", "a: [1, 2,\n", 1, 4, "did not find expected node content"},
		{"empty item in a closed list", "a: 1\nb: [1, , 2]\n", 2, 8, "did not find expected node content"},
		{"tab after a mapping", "a:\n  b: 1\n\tc: 2\n", 3, 1, "tab character"},
		{"control character", "a: 1\nb: 2\nc: x\x07y\n", 3, 5, "control character U+0007"},
		{"DEL", "a: \x7f\n", 1, 4, "control character U+007F"},
		{"unknown anchor", "a: 1\nb: *nope\n", 2, 4, "unknown anchor"},
		{"error in the second document", "a: 1\n---\nb:\n  c: 1\n d: 2\n", 5, 2, "did not find expected key"},
		{"characters wider than a byte before it", "é: \"ü\"\nb: ä: x\n", 2, 6, "mapping values are not allowed"},
		{"CRLF line breaks", "a:\r\n  b: 1\r\n c: 2\r\n", 3, 2, "did not find expected key"},
		{"error on the last line, no line break", "a:\n  b: 1\n c", 3, 2, "did not find expected key"},
		{"far below the enclosing mapping", "a:\n" + strings.Repeat("  k: v\n", 5000) + " z: 1\n", 5002, 2, "did not find expected key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, d := load.ParseYAML(model.NewSource("f.yaml", []byte(c.src)))
			if d == nil {
				t.Fatal("no error")
			}
			if d.Pos.Line != c.line || d.Pos.Col != c.col || !strings.Contains(d.Message, c.msg) {
				t.Errorf("got %d:%d %q, want %d:%d …%s…", d.Pos.Line, d.Pos.Col, d.Message, c.line, c.col, c.msg)
			}
		})
	}
}

// BenchmarkYAMLSyntaxErrorPosition: finding the place of a syntax error
// again, in a 50 KB YAML file whose mis-indented key is 1,500 lines below
// the mapping yaml.v3 names. BenchmarkYAMLParse is the same file, fixed,
// parsed once: the search costs a few dozen such parses.
func BenchmarkYAMLSyntaxErrorPosition(b *testing.B) {
	src := []byte(yamlLines(2000) + " z: 1\n")
	for b.Loop() {
		if _, d := load.ParseYAML(model.NewSource("f.yaml", src)); d == nil || d.Pos.Line != 2002 {
			b.Fatalf("got %v", d)
		}
	}
}

func BenchmarkYAMLParse(b *testing.B) {
	src := []byte(yamlLines(2000) + "  z: 1\n")
	for b.Loop() {
		if _, d := load.ParseYAML(model.NewSource("f.yaml", src)); d != nil {
			b.Fatal(d)
		}
	}
}

// yamlLines is a mapping of n keys under "a:", 24 bytes a line.
func yamlLines(n int) string {
	var b strings.Builder
	b.WriteString("a:\n")
	for i := range n {
		fmt.Fprintf(&b, "  key%06d: value of it\n", i)
	}
	return b.String()
}

// TestYAMLSyntaxErrorPositionsInBounds: on sources broken at random (a
// byte deleted, inserted or changed in the corpus's fixed YAML files),
// every syntax error is placed inside the source.
func TestYAMLSyntaxErrorPositionsInBounds(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.fixed.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixed YAML sources", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noise := []byte(" \t\n:-[]{},'\"#&*!|>%@`x")
	errors := 0
	for i := range 600 {
		data, err := os.ReadFile(files[i%len(files)])
		if err != nil {
			t.Fatal(err)
		}
		at := rng.IntN(len(data))
		switch c := noise[rng.IntN(len(noise))]; rng.IntN(3) {
		case 0:
			data = append(data[:at:at], data[at+1:]...)
		case 1:
			data = append(data[:at:at], append([]byte{c}, data[at:]...)...)
		default:
			data[at] = c
		}
		src := model.NewSource("f.yaml", data)
		_, d := load.ParseYAML(src)
		if d == nil || d.Code != model.CodeYAMLSyntax {
			continue
		}
		errors++
		if off := src.Offset(d.Pos.Line, d.Pos.Col); off < 0 || off >= max(1, len(data)) {
			t.Errorf("%q: error placed at %d:%d, outside the source: %s", data, d.Pos.Line, d.Pos.Col, d.Message)
		}
	}
	if errors < 50 {
		t.Errorf("only %d syntax errors in 600 broken sources", errors)
	}
}
