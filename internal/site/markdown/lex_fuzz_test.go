package markdown

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// FuzzLexers checks that every native lexer takes any input without
// panicking and that, when it does not leave the input to chroma, its
// tokens spell the input exactly. YAML and JSON follow chroma's rules one
// for one, so on ASCII input (regexp2's Unicode classes aside) their
// tokens must be chroma's. Seeds are in testdata/fuzz/FuzzLexers.
func FuzzLexers(f *testing.F) {
	f.Add("package p\n\nfunc f() { x := `{{.A}}` + \"b\" // c\n}\n")
	f.Add("a: &x [1, 'b', \"c\\\"\"] # d\nb: |\n  e\n\n  f\n- *x\n")
	f.Add("#A: {x!: int & >=0, y: \"\\(x + 1)\"} @go(A)\n")
	f.Add("{\"a\": [1.5e3, -0, true, null], \"b\": {}}\n")
	f.Fuzz(func(t *testing.T, src string) {
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
			if (name == "YAML" || name == "JSON") && isASCII(src) && !strings.Contains(src, "\r") {
				it, err := chroma.Coalesce(l.Lexer).Tokenise(nil, src)
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

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
