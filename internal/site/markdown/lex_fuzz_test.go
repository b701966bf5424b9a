package markdown

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown/hllex"
)

// FuzzLexers checks that every native lexer (the shell, console, plain and
// generic ones included) takes any input without panicking and that, when
// it does not decline it, its tokens spell the input exactly. YAML, JSON,
// Bash and Diff follow chroma's rules one for one, so on ASCII input (regexp2's
// Unicode classes aside) their tokens must be chroma's (chroma's Diff adds
// a last newline, so only input ending with one is compared). Seeds are in
// testdata/fuzz/FuzzLexers.
func FuzzLexers(f *testing.F) {
	f.Add("package p\n\nfunc f() { x := `{{.A}}` + \"b\" // c\n}\n")
	f.Add("a: &x [1, 'b', \"c\\\"\"] # d\nb: |\n  e\n\n  f\n- *x\n")
	f.Add("#A: {x!: int & >=0, y: \"\\(x + 1)\"} @go(A)\n")
	f.Add("{\"a\": [1.5e3, -0, true, null], \"b\": {}}\n")
	f.Add("--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n z\n1,2c3\n< a\n---\n> b\ndiff q")
	f.Add("#!/bin/sh\nx=${1:-a} # c\nif [ \"$x\" ]; then echo 'y' $((x+1)) `pwd` <<EOF\nz\nEOF\nfi\n")
	f.Add("$ cat <<'EOF' > a.yaml\nb: 1\nEOF\n\n[me@host]$ ls\na.yaml\n> more\n")
	f.Add("fn main() { let s = \"a\\\"b\"; /* c */ x -= 1.5e3; } // d\n'a \"\"\"e\n\"\"\" -- f\n")
	f.Add("a {{- if .X }}{{ printf \"%d\" (len $y) | html }}{{/* c */}}{{ $z := 0x1F -1.5e3 }}{{end -}} b")
	// A string whose escaped quote is also its closing one, as chroma's
	// regexp reads it by backtracking: "\" is a string, so is "\\"\".
	f.Add("{{0000000\"\\\"")
	f.Add("{{\"\\\\\"\\\"")
	f.Fuzz(func(t *testing.T, src string) {
		fuzzGoTemplate(t, src)
		for name, l := range nativeLexers() {
			toks, ok := l.lex(src)
			if !ok {
				continue
			}
			var b strings.Builder
			for _, tok := range toks {
				if tok.Value == "" {
					t.Fatalf("%s: empty token", name)
				}
				b.WriteString(tok.Value)
			}
			if b.String() != src {
				t.Fatalf("%s: tokens spell %q, not the input", name, b.String())
			}
			if (name == "YAML" || name == "JSON" || name == "Bash" || name == "Diff" && strings.HasSuffix(src, "\n")) && isASCII(src) && !strings.Contains(src, "\r") {
				it, err := chroma.Coalesce(lexers.Get(name)).Tokenise(nil, src)
				if err != nil {
					t.Fatal(err)
				}
				if want := it.Tokens(); !slices.Equal(coalesce(toks), want) {
					t.Fatalf("%s: tokens differ from chroma's:\nnative %v\nchroma %v", name, toks, want)
				}
			}
		}
	})
}

// fuzzGoTemplate checks that hllex.GoTemplate, which the Go lexer uses
// inside raw strings, spells its input and, on ASCII input, gives the
// tokens of chroma's Go template lexer, whose text is a string there.
func fuzzGoTemplate(t *testing.T, src string) {
	if strings.Contains(src, "`") {
		return // not inside a raw string
	}
	toks := hllex.GoTemplate(src)
	var b strings.Builder
	for _, tok := range toks {
		b.WriteString(tok.Value)
	}
	if b.String() != src {
		t.Fatalf("GoTemplate: tokens spell %q, not the input", b.String())
	}
	if !isASCII(src) || strings.Contains(src, "\r") {
		return
	}
	it, err := lexers.Get("go-text-template").Tokenise(&chroma.TokeniseOptions{State: "root", Nested: true}, src)
	if err != nil {
		t.Fatal(err)
	}
	var want []chroma.Token
	for _, tok := range it.Tokens() {
		if tok.Type == chroma.Other {
			tok.Type = chroma.LiteralString
		}
		want = append(want, tok)
	}
	if got := coalesce(toks); !slices.Equal(got, coalesce(want)) {
		t.Fatalf("GoTemplate: tokens differ from chroma's:\nnative %v\nchroma %v", got, coalesce(want))
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
