package hllex

import (
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
)

// tokens renders tokens as "class:text" pairs, white space left out.
func tokens(toks []chroma.Token) string {
	var out []string
	for _, t := range toks {
		if strings.TrimSpace(t.Value) == "" {
			continue
		}
		out = append(out, chroma.StandardTypes[t.Type]+":"+strings.TrimSpace(t.Value))
	}
	return strings.Join(out, " ")
}

func TestGeneric(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"const x = 0x1F; // hex\n", "k:const n:x o:= m:0x1F p:; c1:// hex"},
		{"def f(a):\n    return None  # nothing\n", "k:def nf:f p:( n:a p:) o:: k:return kc:None c1:# nothing"},
		{"s := \"a\\\"b\" + 'c' + `d\ne`\n", `n:s o::= s:"a se:\" s:b" o:+ s:'c' o:+ s:` + "`d\ne`"},
		{"/* block\n comment */ x-- -- sql\n", "cm:/* block\n comment */ n:x o:-- c1:-- sql"},
		{"fn f(x: i32) -> bool {}\n", "k:fn nf:f p:( n:x o:: n:i32 p:) o:-> n:bool p:{}"},
		{"it's\n", "n:it p:' n:s"},
		{"x = \"\"\"doc\nstring\"\"\" + 1.5e3\n", "n:x o:= s:\"\"\"doc\nstring\"\"\" o:+ m:1.5e3"},
		{"a /// b\n", "n:a c1:/// b"},
		{"\"unclosed\n", "p:\" n:unclosed"},
	} {
		toks := Generic(c.src)
		if got := tokens(toks); got != c.want {
			t.Errorf("Generic(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
		if spelled(toks) != c.src {
			t.Errorf("Generic(%q) loses text", c.src)
		}
	}
}

func TestConsole(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"$ echo \"$HOME\" # c\n/root\n", `gp:$ nb:echo s2:" nv:$HOME s2:" c1:# c go:/root`},
		{"[me@box]$ ls\n\nout\n", "gp:[me@box]$ n:ls go:out"},
		{"# make\n", "gp:# n:make"},
	} {
		toks := Console(c.src)
		got := tokens(toks)
		// Shell's plain words are chroma's Text; name them for the test.
		got = strings.ReplaceAll(got, " :", " n:")
		if got != c.want {
			t.Errorf("Console(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
		if spelled(toks) != c.src {
			t.Errorf("Console(%q) loses text", c.src)
		}
		for _, tok := range toks {
			if tok.Type == chroma.Error {
				t.Errorf("Console(%q): error token %q", c.src, tok.Value)
			}
		}
	}
}

func spelled(toks []chroma.Token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.Value)
	}
	return b.String()
}
