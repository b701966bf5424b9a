package markdown

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// Chroma's lexers are regular expressions tried one after the other at
// every position, and they take most of the CPU time of a cold build. The
// languages docs show most get hand-written lexers instead, which produce
// the same token types (the differential test in lex_diff_test.go holds
// them to it), so chroma's formatter, styles and CSS classes stay as they
// are.

// nativeLexerVersion is part of the highlight cache key of the blocks the
// native lexers tokenise. Bump it whenever their output changes, so that a
// saved cache of an earlier version is not reused.
const nativeLexerVersion = 1

// nativeLexers maps the name of a chroma lexer to its native replacement.
// It is made on first use: only build and serve highlight code.
var nativeLexers = sync.OnceValue(func() map[string]*nativeLexer {
	m := map[string]*nativeLexer{}
	for name, lex := range map[string]func(string) ([]chroma.Token, bool){
		"Go":   lexGo,
		"CUE":  lexCUE,
		"JSON": lexJSON,
		"YAML": lexYAML,
	} {
		m[name] = &nativeLexer{
			Lexer:    lexers.Get(name),
			lex:      lex,
			cacheKey: fmt.Sprintf("%s native-%d", name, nativeLexerVersion),
		}
	}
	return m
})

// nativeLexer is a chroma.Lexer whose tokens come from a hand-written
// function. Config, analysis and the registry are those of the chroma
// lexer it replaces, which also tokenises whatever the function declines,
// so no input ever loses text.
type nativeLexer struct {
	chroma.Lexer
	// lex tokenises src, or reports false to leave it to chroma.
	lex      func(src string) ([]chroma.Token, bool)
	cacheKey string // the highlight cache's name for the lexer
}

func (l *nativeLexer) Tokenise(opts *chroma.TokeniseOptions, text string) (chroma.Iterator, error) {
	if opts == nil {
		opts = &chroma.TokeniseOptions{State: "root", EnsureLF: true}
	}
	if opts.State != "" && opts.State != "root" {
		return l.Lexer.Tokenise(opts, text) // only chroma knows its states
	}
	if opts.EnsureLF {
		text = ensureLF(text)
	}
	if toks, ok := l.lex(text); ok {
		return chroma.Literator(toks...), nil
	}
	return l.Lexer.Tokenise(opts, text)
}

func (l *nativeLexer) SetRegistry(r *chroma.LexerRegistry) chroma.Lexer {
	l.Lexer.SetRegistry(r)
	return l
}

func (l *nativeLexer) SetAnalyser(f func(string) float32) chroma.Lexer {
	l.Lexer.SetAnalyser(f)
	return l
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
