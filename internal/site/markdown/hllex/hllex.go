// Package hllex holds the site's hand-written lexers for the languages
// whose lexers are not in package markdown: shell scripts, shell sessions,
// plain text, and a generic lexer for every other language. They emit
// chroma's token types, so chroma's formatter and styles (and so the CSS
// classes) stay as they are, without linking chroma's lexers package,
// whose registry costs every command's start-up.
//
// Every lexer takes any input, and the values of its tokens spell the
// input exactly.
package hllex

import (
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// coalesceLimit is the length from which chroma.Coalesce stops merging a
// token with the next one of the same type.
const coalesceLimit = 8192

// buf collects the tokens of src in order, each a slice of src starting
// where the one before ended; a token of the type of the one before
// extends it, as chroma.Coalesce would.
type buf struct {
	src  string
	toks []chroma.Token
	pos  int
	// strEnds is stringEnds(src), made when a Go template first needs it.
	strEnds []int
}

func (b *buf) emit(t chroma.TokenType, end int) {
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

// Plain returns src as one Text token, as chroma's plaintext lexer does.
func Plain(src string) []chroma.Token {
	if src == "" {
		return nil
	}
	return []chroma.Token{{Type: chroma.Text, Value: src}}
}

// isWord reports whether r is a \w character of chroma's regexps.
func isWord(r rune) bool {
	return r == '_' || unicode.In(r, unicode.L, unicode.Nd, unicode.Mn, unicode.Pc)
}

func wordAt(s string, i int) bool {
	if i >= len(s) || i < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return isWord(r)
}

func wordBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isWord(r)
}

// wordEnd returns the end of the run of word characters at s[i:].
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWord(r) {
			break
		}
		i += n
	}
	return i
}

// runeEnd returns the end of the rune at s[i].
func runeEnd(s string, i int) int {
	_, n := utf8.DecodeRuneInString(s[i:])
	return i + n
}

// lineEnd returns the index of the newline that ends s[i]'s line, or
// len(s).
func lineEnd(s string, i int) int {
	for j := i; j < len(s); j++ {
		if s[j] == '\n' {
			return j
		}
	}
	return len(s)
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
