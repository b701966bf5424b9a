package markdown

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown/hllex"
)

// The site highlights code with hand-written lexers that produce chroma's
// token types, so chroma's formatter, styles and CSS classes stay as they
// are. Chroma's own lexers are regular expressions tried one after the
// other at every position, which took most of the CPU time of a cold
// build, and their registry parses some 250 lexer definitions when the
// program starts, which every command paid; the binary does not link them.
// The differential test in lex_diff_test.go holds the native lexers to
// chroma's output.

// nativeLexerVersion is part of the highlight cache key. Bump it whenever
// the lexers' output changes, so that a saved cache of an earlier version
// is not reused.
const nativeLexerVersion = 2

// nativeLexer is one of the site's lexers.
type nativeLexer struct {
	name string // chroma's name of the language, or Plain or Generic
	// lex tokenises src, or reports false when it declines: the block is
	// then plain text.
	lex      func(src string) ([]chroma.Token, bool)
	cacheKey string // the highlight cache's name for the lexer
}

// The names of the lexers that are not chroma's: plain text, and the
// generic lexer of every language the site has no lexer for.
const (
	plainLexer   = "Plain"
	genericLexer = "Generic"
)

// nativeLexers maps a lexer's name to the lexer.
var nativeLexers = sync.OnceValue(func() map[string]*nativeLexer {
	m := map[string]*nativeLexer{}
	always := func(f func(string) []chroma.Token) func(string) ([]chroma.Token, bool) {
		return func(src string) ([]chroma.Token, bool) { return f(src), true }
	}
	for name, lex := range map[string]func(string) ([]chroma.Token, bool){
		"Go":           lexGo,
		"CUE":          lexCUE,
		"JSON":         lexJSON,
		"YAML":         lexYAML,
		"Bash":         always(hllex.Shell),
		"Bash Session": always(hllex.Console),
		"Diff":         always(hllex.Diff),
		plainLexer:     always(hllex.Plain),
		genericLexer:   always(hllex.Generic),
	} {
		m[name] = &nativeLexer{name: name, lex: lex, cacheKey: fmt.Sprintf("%s native-%d", name, nativeLexerVersion)}
	}
	return m
})

// lexerNames maps a fence's language, lower-cased, to its lexer's name:
// the names, aliases and file extensions chroma knows the languages by.
// Markdown is shown as plain text.
var lexerNames = map[string]string{
	"go": "Go", "golang": "Go",
	"cue":  "CUE",
	"json": "JSON",
	"yaml": "YAML", "yml": "YAML",
	"bash": "Bash", "sh": "Bash", "shell": "Bash", "zsh": "Bash", "ksh": "Bash",
	"console": "Bash Session", "bash-session": "Bash Session", "shell-session": "Bash Session", "sh-session": "Bash Session",
	"diff": "Diff", "udiff": "Diff", "patch": "Diff",
	"text": plainLexer, "plaintext": plainLexer, "plain": plainLexer, "txt": plainLexer, "no-highlight": plainLexer,
	"markdown": plainLexer, "md": plainLexer, "mkd": plainLexer,
}

// lexerFor returns the lexer for a fence's language: its own, or the
// generic one.
func lexerFor(lang string) *nativeLexer {
	if name, ok := lexerNames[strings.ToLower(lang)]; ok {
		return nativeLexers()[name]
	}
	return nativeLexers()[genericLexer]
}

// tokenise returns the tokens of src, plain text when the lexer declines.
func (l *nativeLexer) tokenise(src string) []chroma.Token {
	src = ensureLF(src)
	if toks, ok := l.lex(src); ok {
		return toks
	}
	return hllex.Plain(src)
}

// ensureLF turns CRLF and lone CR into LF, as chroma's lexers do before
// tokenising.
func ensureLF(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// coalesceLimit is the length from which chroma.Coalesce stops merging a
// token with the next one of the same type; tokenBuf does the same, so its
// output coalesces to what chroma's would.
const coalesceLimit = 8192

// tokenBuf collects the tokens of src in order. Every token is a slice of
// src that starts where the one before ended, so no text is lost or
// repeated, and a token of the type of the one before extends it, as
// chroma.Coalesce would, without copying.
type tokenBuf struct {
	src  string
	toks []chroma.Token
	pos  int // where the next token starts
}

// emit adds the text up to end as a token of type t.
func (b *tokenBuf) emit(t chroma.TokenType, end int) {
	if end <= b.pos {
		return
	}
	if n := len(b.toks) - 1; n >= 0 && b.toks[n].Type == t && len(b.toks[n].Value) < coalesceLimit {
		b.toks[n].Value = b.src[b.pos-len(b.toks[n].Value) : end]
	} else {
		b.toks = append(b.toks, chroma.Token{Type: t, Value: b.src[b.pos:end]})
	}
	b.pos = end
}

// space adds the text up to end as a token of type t and reports whether
// it is all white space: a scanner's tokens leave only that between them,
// anything else means the tokens are not what we think.
func (b *tokenBuf) space(t chroma.TokenType, end int) bool {
	if end < b.pos || strings.TrimFunc(b.src[b.pos:end], unicode.IsSpace) != "" {
		return false
	}
	b.emit(t, end)
	return true
}

// isWord reports whether r is a \w character of chroma's regexps (regexp2
// with .NET semantics): a letter, digit, mark or connector.
func isWord(r rune) bool {
	return r == '_' || unicode.In(r, unicode.L, unicode.Nd, unicode.Mn, unicode.Pc)
}

// wordBoundary reports whether a regexp \b holds at s[i].
func wordBoundary(s string, i int) bool {
	before, after := false, false
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		before = isWord(r)
	}
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		after = isWord(r)
	}
	return before != after
}

// quoted matches chroma's string pattern q(esc|[^q])*q at s[i], where
// s[i] == q and esc(s, j) is the length of an escape at s[j] or 0, and
// returns where the match ends, or -1. Normally that is the first
// unescaped quote; without one the regexp backtracks and may end at an
// escaped quote instead, which the slow path reproduces.
func quoted(s string, i int, q byte, esc func(string, int) int) int {
	for j := i + 1; j < len(s); {
		if s[j] == q {
			return j + 1
		}
		if n := esc(s, j); n > 0 {
			j += n
		} else {
			j++
		}
	}
	// end[j] is where the match ends when the loop is at j, by the
	// regexp's order: another escape, another character, then the quote.
	end := make([]int, len(s)+1)
	end[len(s)] = -1
	for j := len(s) - 1; j > i; j-- {
		end[j] = -1
		if n := esc(s, j); n > 0 && j+n <= len(s) {
			end[j] = end[j+n]
		}
		if end[j] < 0 && s[j] != q {
			end[j] = end[j+1]
		}
		if end[j] < 0 && s[j] == q {
			end[j] = j + 1
		}
	}
	if i+1 > len(s)-1 {
		return -1
	}
	return end[i+1]
}
