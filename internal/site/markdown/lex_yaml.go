package markdown

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// lexYAML tokenises YAML by the rules of chroma's YAML lexer, tried in the
// same order at every token with their patterns written out by hand. The
// rules are a line-oriented approximation of YAML (a flow mapping's
// "a, b: c" reads as one key, a plain value runs to the end of its line),
// but their tokens are what the site has always shown. It takes any input.
func lexYAML(src string) ([]chroma.Token, bool) {
	b := tokenBuf{src: src, toks: make([]chroma.Token, 0, len(src)/4)}
	for b.pos < len(src) {
		yamlToken(&b)
	}
	return b.toks, true
}

// yamlToken adds the token at b.pos.
func yamlToken(b *tokenBuf) {
	s, p := b.src, b.pos
	c := s[p]
	le := lineEnd(s, p)
	lineStart := p == 0 || s[p-1] == '\n'
	switch {
	case isSpaceAt(s, p):
		b.emit(chroma.TextWhitespace, skipSpace(s, p))
		return
	case lineStart && (strings.HasPrefix(s[p:], "---") || strings.HasPrefix(s[p:], "...")):
		b.emit(chroma.NameNamespace, p+3)
		return
	}
	// [\n?]?\s*- : a list item's dash.
	q := p
	if c == '?' {
		q++
	}
	if q = skipSpace(s, q); strings.HasPrefix(s[q:], "- ") {
		b.emit(chroma.Text, q+2)
		return
	}
	switch {
	case c == '#' || strings.HasPrefix(s[p:], "//"):
		b.emit(chroma.Comment, le)
	case strings.HasPrefix(s[p:], "!!") && p+2 < len(s) && !isSpaceAt(s, p+2):
		b.emit(chroma.CommentPreproc, nonSpaceEnd(s, p+2)) // a tag
	case (c == '&' || c == '*') && p+1 < len(s) && !isSpaceAt(s, p+1):
		b.emit(chroma.CommentPreproc, nonSpaceEnd(s, p+1)) // an anchor or alias
	case lineStart && yamlInclude(b):
	case yamlKey(b, le):
	case yamlValue(b, le):
	case strings.IndexByte("?:,[]", c) >= 0:
		b.emit(chroma.Punctuation, p+1)
	default:
		_, n := utf8.DecodeRuneInString(s[p:])
		b.emit(chroma.Text, p+n)
	}
}

// yamlInclude adds ^%include\s+[^\n\r]+ if it is at b.pos.
func yamlInclude(b *tokenBuf) bool {
	s, p := b.src, b.pos
	if !strings.HasPrefix(s[p:], "%include") {
		return false
	}
	j := p + len("%include")
	k := skipSpace(s, j)
	if k == len(s) { // \s+ gives back what [^\n\r]+ needs
		for k--; k > j && (s[k] == '\n' || s[k] == '\r'); k-- {
		}
	}
	if k <= j {
		return false
	}
	end := len(s)
	if i := strings.IndexAny(s[k:], "\n\r"); i >= 0 {
		end = k + i
	}
	b.emit(chroma.CommentPreproc, end)
	return true
}

// yamlKey adds a key, its colon and the white space after it, if b.pos
// starts one by chroma's patterns: "[^"\n#].*": , or
// ((?:(?!//)[^"\n{#])*?)(:)( |\n), the shortest prefix of the line, free
// of those characters, before ": ", else before a ":" ending the line.
func yamlKey(b *tokenBuf, le int) bool {
	s, p := b.src, b.pos
	if s[p] == '"' && p+1 < le && s[p+1] != '"' && s[p+1] != '#' {
		if k := strings.LastIndex(s[p+2:le], `": `); k >= 0 {
			b.emit(chroma.NameTag, p+2+k+3)
			return true
		}
	}
	k := p
	for ; k < len(s); k++ {
		if s[k] == ':' && k+1 < len(s) && s[k+1] == ' ' {
			break
		}
		if strings.IndexByte("\"\n{#", s[k]) >= 0 || strings.HasPrefix(s[k:], "//") {
			if s[k] != '\n' || k == p || s[k-1] != ':' {
				return false
			}
			k-- // key:\n
			break
		}
	}
	if k == len(s) {
		return false
	}
	b.emit(chroma.NameTag, k)
	b.emit(chroma.Punctuation, k+1)
	b.emit(chroma.TextWhitespace, k+2)
	return true
}

// yamlConstants are chroma's YAML constants, in the order it tries them.
var yamlConstants = strings.Fields("false False FALSE true True TRUE null Off off yes Yes YES OFF On ON no No on NO n N Y y")

// yamlValue adds a value if b.pos starts one by chroma's value rules: a
// block scalar, constant, quoted string, date, number or plain value, up
// to le, the end of the line.
func yamlValue(b *tokenBuf, le int) bool {
	s, p := b.src, b.pos
	c := s[p]
	if end := yamlBlock(s, p); end > 0 {
		q := p + 1
		if s[q] != '\n' {
			q++
		}
		b.emit(chroma.Punctuation, q)
		b.emit(chroma.LiteralStringDoc, end)
		return true
	}
	for _, w := range yamlConstants {
		if strings.HasPrefix(s[p:], w) && wordBoundary(s, p+len(w)) {
			b.emit(chroma.KeywordConstant, p+len(w))
			return true
		}
	}
	if c == '"' || c == '\'' {
		if end := quoted(s, p, c, yamlEscape); end > 0 {
			if c == '"' {
				b.emit(chroma.LiteralStringDouble, end)
			} else {
				b.emit(chroma.LiteralStringSingle, end)
			}
			return true
		}
	}
	if end := yamlDate(s, p); end > 0 {
		b.emit(chroma.LiteralDate, end)
		return true
	}
	if end := yamlNumber(s, p); end > 0 {
		b.emit(chroma.LiteralNumber, end)
		return true
	}
	if strings.IndexByte("{}[]?,:!-*&@", c) >= 0 {
		return false
	}
	// A plain value, and a comment after it: the greedy .* in chroma's
	// pattern makes that the last " #" of the line, then the last " //".
	for _, mark := range []string{" #", " //"} {
		if k := strings.LastIndex(s[p+1:le], mark); k >= 0 {
			b.emit(chroma.Literal, p+1+k)
			b.emit(chroma.TextWhitespace, p+2+k)
			b.emit(chroma.Comment, le)
			return true
		}
	}
	b.emit(chroma.Literal, le)
	return true
}

// yamlBlock returns the end of the block scalar at s[p], or -1: chroma's
// ([>|](?:[+-])?)(\n(^ {1,})(?:(?:.*\n*(?:^\3 *).*)+|.*)), the lines
// after the indicator as long as they are blank or indented at least as
// much as the first.
func yamlBlock(s string, p int) int {
	if s[p] != '|' && s[p] != '>' {
		return -1
	}
	q := p + 1
	if q < len(s) && (s[q] == '+' || s[q] == '-') {
		q++
	}
	if q >= len(s) || s[q] != '\n' {
		return -1
	}
	indent := strings.Repeat(" ", len(s[q+1:])-len(strings.TrimLeft(s[q+1:], " ")))
	if indent == "" {
		return -1
	}
	end := lineEnd(s, q+1)
	for {
		j := end
		for j < len(s) && s[j] == '\n' {
			j++
		}
		if j == end || !strings.HasPrefix(s[j:], indent) {
			return end
		}
		end = lineEnd(s, j)
	}
}

// yamlEscape is the escape of chroma's YAML strings: \\. (any character
// but a newline).
func yamlEscape(s string, i int) int {
	if s[i] != '\\' || i+1 >= len(s) || s[i+1] == '\n' {
		return 0
	}
	_, n := utf8.DecodeRuneInString(s[i+1:])
	return 1 + n
}

// yamlDate returns the end of the date at s[p], or -1:
// \d\d\d\d-\d\d-\d\d([T ]\d\d:\d\d:\d\d(\.\d+)?(Z|\s+[-+]\d+)?)?
func yamlDate(s string, p int) int {
	if !digitsLike(s, p, "dddd-dd-dd") {
		return -1
	}
	e := p + 10
	if e < len(s) && (s[e] == 'T' || s[e] == ' ') && digitsLike(s, e+1, "dd:dd:dd") {
		e += 9
		if e < len(s) && s[e] == '.' && digits(s, e+1) > e+1 {
			e = digits(s, e+1)
		}
		if e < len(s) && s[e] == 'Z' {
			e++
		} else if j := skipSpace(s, e); j > e && j < len(s) && (s[j] == '-' || s[j] == '+') && digits(s, j+1) > j+1 {
			e = digits(s, j+1)
		}
	}
	return e
}

// digitsLike reports whether s[p:] starts like pattern, where d stands
// for a digit.
func digitsLike(s string, p int, pattern string) bool {
	if len(s)-p < len(pattern) {
		return false
	}
	for i := range len(pattern) {
		c := s[p+i]
		if pattern[i] == 'd' && !('0' <= c && c <= '9') || pattern[i] != 'd' && c != pattern[i] {
			return false
		}
	}
	return true
}

// yamlNumber returns the end of the number at s[p], or -1, trying the
// alternatives of chroma's pattern in its order, with backtracking:
// \b[+\-]?(0x[\da-f]+|0o[0-7]+|(\d+\.?\d*|\.?\d+)(e[\+\-]?\d+)?|\.inf|\.nan)\b
// Shorter digit runs never end at a word boundary, so only the whole runs
// and the places after a dot are candidates: "12.5x" is the number "12.".
func yamlNumber(s string, p int) int {
	if !wordBoundary(s, p) {
		return -1
	}
	q := p
	if q < len(s) && (s[q] == '+' || s[q] == '-') {
		q++
	}
	run := func(i int, ok func(byte) bool) int {
		for i < len(s) && ok(s[i]) {
			i++
		}
		return i
	}
	for _, base := range []struct {
		prefix string
		digit  func(byte) bool
	}{
		{"0x", func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }},
		{"0o", func(c byte) bool { return '0' <= c && c <= '7' }},
	} {
		if strings.HasPrefix(s[q:], base.prefix) {
			if e := run(q+2, base.digit); e > q+2 && wordBoundary(s, e) {
				return e
			}
		}
	}
	// (e[\+\-]?\d+)?\b after the mantissa, which ends at i.
	exp := func(i int) int {
		if i < len(s) && s[i] == 'e' {
			j := i + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if k := digits(s, j); k > j && wordBoundary(s, k) {
				return k
			}
		}
		if wordBoundary(s, i) {
			return i
		}
		return -1
	}
	if e := digits(s, q); e > q {
		if e < len(s) && s[e] == '.' {
			f := digits(s, e+1)
			if r := exp(f); r >= 0 {
				return r
			}
			if r := exp(e + 1); f > e+1 && r >= 0 {
				return r
			}
		}
		if r := exp(e); r >= 0 {
			return r
		}
	} else if q < len(s) && s[q] == '.' {
		if f := digits(s, q+1); f > q+1 {
			if r := exp(f); r >= 0 {
				return r
			}
		}
	}
	if (strings.HasPrefix(s[q:], ".inf") || strings.HasPrefix(s[q:], ".nan")) && wordBoundary(s, q+4) {
		return q + 4
	}
	return -1
}

// lineEnd returns the index of the newline that ends the line of s[p], or
// len(s).
func lineEnd(s string, p int) int {
	if i := strings.IndexByte(s[p:], '\n'); i >= 0 {
		return p + i
	}
	return len(s)
}

// nonSpaceEnd returns where the run of non-space characters at s[p] ends.
func nonSpaceEnd(s string, p int) int {
	for p < len(s) && !isSpaceAt(s, p) {
		_, n := utf8.DecodeRuneInString(s[p:])
		p += n
	}
	return p
}
