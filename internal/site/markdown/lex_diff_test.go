package markdown

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

// codeBlock is one input of the differential test.
type codeBlock struct {
	where, lang, code string // lang: the chroma lexer's name
}

// nativeLang returns the name of chroma's lexer for a fence's language
// when a native lexer replaces it, and "" otherwise.
func nativeLang(fence string) string {
	if l := lexers.Get(fence); l != nil && nativeLexers()[l.Config().Name] != nil {
		return l.Config().Name
	}
	return ""
}

// docsCorpus returns the code blocks the native lexers take from every
// content/**/*.md of the repository and from a sample of the benchmark's
// generated pages (they differ only in numbers and names).
func docsCorpus(t testing.TB) []codeBlock {
	var out []codeBlock
	err := filepath.WalkDir("../../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") || !slices.Contains(strings.Split(filepath.ToSlash(p), "/"), "content") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, fencedBlocks(p, string(src))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 1000; i += 20 {
		out = append(out, fencedBlocks(benchgen.PagePath(i), benchgen.Page(i, 1000))...)
	}
	return out
}

// sourceCorpus returns whole files of the native lexers' languages from the
// repository: larger and more varied than the docs' blocks. It stops at
// 128 KiB a language, to keep chroma's side of the test quick.
func sourceCorpus(t testing.TB) []codeBlock {
	var out []codeBlock
	size := map[string]int{}
	err := filepath.WalkDir("../../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		lang := nativeLang(strings.TrimPrefix(filepath.Ext(p), "."))
		if d.IsDir() || lang == "" || size[lang] > 128<<10 {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		size[lang] += len(src)
		out = append(out, codeBlock{p, lang, string(src)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		d := benchgen.Describe(i)
		out = append(out, codeBlock{"benchgen.CUE", "CUE", benchgen.CUE(d)}, codeBlock{"benchgen.YAML", "YAML", benchgen.YAML(d)})
	}
	return out
}

// fencedBlocks returns the fenced code blocks of markdown src in the
// native lexers' languages, indented ones (in admonitions and tabs) too.
func fencedBlocks(name, src string) []codeBlock {
	var out []codeBlock
	var cur *codeBlock
	var indent, fence string
	for i, line := range strings.SplitAfter(src, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			for _, f := range []string{"```", "~~~"} {
				if strings.HasPrefix(trimmed, f) {
					indent, fence = line[:len(line)-len(trimmed)], f
					lang, _, _ := strings.Cut(strings.TrimLeft(strings.TrimSpace(trimmed), f[:1]), " ")
					cur = &codeBlock{where: fmt.Sprintf("%s:%d", name, i+1), lang: nativeLang(strings.ToLower(lang))}
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) && strings.TrimSpace(strings.TrimLeft(trimmed, fence[:1])) == "" {
			if cur.lang != "" {
				out = append(out, *cur)
			}
			cur = nil
			continue
		}
		cur.code += strings.TrimPrefix(line, indent)
	}
	return out
}

// cssClass is the class chroma's HTML formatter gives a token type.
func cssClass(t chroma.TokenType) string {
	for ; t != 0; t = t.Parent() {
		if c, ok := chroma.StandardTypes[t]; ok {
			return c
		}
	}
	return chroma.StandardTypes[t]
}

// classes returns the CSS class of every byte of the tokens' text.
func classes(toks []chroma.Token) (text string, class []string) {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.Value)
		for range len(t.Value) {
			class = append(class, cssClass(t.Type))
		}
	}
	return b.String(), class
}

type agreement struct {
	blocks, declined, sameTokens int
	chars, differ                int // non-white-space bytes, and those whose class differs
}

func (a agreement) String() string {
	return fmt.Sprintf("%d blocks (%d declined, %d with the same tokens), %d of %d characters differ: %.2f%% agree",
		a.blocks, a.declined, a.sameTokens, a.differ, a.chars, a.percent())
}

func (a agreement) percent() float64 {
	if a.chars == 0 {
		return 100
	}
	return 100 * float64(a.chars-a.differ) / float64(a.chars)
}

// compareLexers tokenises every block with chroma's lexer and the native
// one, requires the native tokens to spell the input, and counts the
// characters whose CSS class differs, by language.
func compareLexers(t *testing.T, blocks []codeBlock) map[string]*agreement {
	by := map[string]*agreement{}
	shown := 0
	for _, blk := range blocks {
		a := by[blk.lang]
		if a == nil {
			a = &agreement{}
			by[blk.lang] = a
		}
		a.blocks++
		native := nativeLexers()[blk.lang]
		toks, ok := native.lex(blk.code)
		if !ok {
			a.declined++
			continue
		}
		it, err := chroma.Coalesce(lexers.Get(blk.lang)).Tokenise(nil, blk.code)
		if err != nil {
			t.Fatal(err)
		}
		want := it.Tokens()
		got, gotClass := classes(toks)
		if got != blk.code {
			t.Errorf("%s: the %s tokens do not spell the input", blk.where, blk.lang)
			continue
		}
		if slices.Equal(want, coalesce(toks)) {
			a.sameTokens++
		}
		wantText, wantClass := classes(want)
		if wantText != blk.code {
			continue // chroma's own tokens lost text (invalid UTF-8)
		}
		for i, r := range blk.code {
			if unicode.IsSpace(r) {
				continue
			}
			a.chars++
			if gotClass[i] != wantClass[i] {
				a.differ++
				if shown < 40 && testing.Verbose() {
					shown++
					line := strings.Count(blk.code[:i], "\n")
					l, _, _ := strings.Cut(blk.code[strings.LastIndexByte(blk.code[:i], '\n')+1:], "\n")
					t.Logf("%s +%d: %q at %d: chroma %q, native %q", blk.where, line+1, l, i, wantClass[i], gotClass[i])
				}
			}
		}
	}
	return by
}

// coalesce merges runs of a type as chroma.Coalesce does.
func coalesce(toks []chroma.Token) []chroma.Token {
	it, _ := chroma.Coalesce(&fixedLexer{toks}).Tokenise(nil, "")
	return it.Tokens()
}

type fixedLexer struct{ toks []chroma.Token }

func (l *fixedLexer) Config() *chroma.Config { return &chroma.Config{} }
func (l *fixedLexer) Tokenise(*chroma.TokeniseOptions, string) (chroma.Iterator, error) {
	return chroma.Literator(l.toks...), nil
}
func (l *fixedLexer) SetRegistry(*chroma.LexerRegistry) chroma.Lexer { return l }
func (l *fixedLexer) SetAnalyser(func(string) float32) chroma.Lexer  { return l }
func (l *fixedLexer) AnalyseText(string) float32                     { return 0 }

// TestLexersAgree holds the native lexers to chroma's on the site's docs
// and on the repository's sources (shell scripts included): the CSS class
// of at least 98% of the non-white-space characters must be the same, and
// at most a tenth of the blocks may be declined (and shown plain).
// Differences left on purpose:
//
//   - CUE: chroma's CUE lexer reads "" as the start of a string that runs
//     to the next quote, lets a lone " end a """ string, ends an
//     interpolation at its first ")" and lexes the lines of a multi-line
//     bytes literal as code; CUE's scanner gets these right.
//   - Go: none, but blocks go/scanner reports errors for, and those with
//     numbers chroma splits oddly (0x1p-2, 1e3i), are declined (shown
//     plain). Templates in raw strings follow chroma's template lexer
//     (FuzzLexers checks hllex.GoTemplate against it).
//   - Bash Session (console): a blank line is plain text, where chroma
//     calls it an error; a [user@host] prompt must sit on one line.
//   - Bash: none; it follows chroma's rules one for one.
//   - YAML, JSON: none; both follow chroma's rules one for one (FuzzLexers
//     checks it), save that regexp2's Unicode classes are approximated
//     with Go's.
func TestLexersAgree(t *testing.T) {
	for _, c := range []struct {
		name   string
		blocks []codeBlock
	}{{"docs", docsCorpus(t)}, {"sources", sourceCorpus(t)}} {
		by := compareLexers(t, c.blocks)
		langs := make([]string, 0, len(by))
		for l := range by {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		for _, l := range langs {
			a := by[l]
			t.Logf("%s %s: %v", c.name, l, a)
			if a.percent() < 98 {
				t.Errorf("%s %s: only %.2f%% of characters agree with chroma, want 98%%", c.name, l, a.percent())
			}
			if a.declined*10 > a.blocks {
				t.Errorf("%s %s: %d of %d blocks declined", c.name, l, a.declined, a.blocks)
			}
		}
	}
}
