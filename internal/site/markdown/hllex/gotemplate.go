package hllex

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
)

var goTemplateKeywords = set("range", "if", "else", "while", "with", "template", "end", "true", "false", "nil", "and", "call", "html", "index", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq", "ne", "lt", "le", "gt", "ge", "block", "break", "continue", "define", "slice")

// GoTemplate tokenises the inside of a Go raw string as chroma's Go lexer
// does, with the rules of its Go template lexer: actions ({{ ... }}) are
// highlighted, the text around them is a string.
func GoTemplate(src string) []chroma.Token {
	b := &buf{src: src, toks: make([]chroma.Token, 0, 8)}
	depth := 0 // 0: text; 1: in an action; more: in parentheses
	for b.pos < len(src) {
		s, i := src, b.pos
		if depth == 0 {
			switch {
			case strings.HasPrefix(s[i:], "{{"):
				if e := tmplComment(s, i); e > 0 {
					b.emit(chroma.CommentMultiline, e)
					continue
				}
				e := i + 2
				if e < len(s) && s[e] == '-' {
					e++
				}
				b.emit(chroma.CommentPreproc, e)
				depth = 1
			default:
				e := strings.IndexByte(s[i+1:], '{')
				if e < 0 {
					e = len(s)
				} else {
					e += i + 1
				}
				b.emit(chroma.LiteralString, e)
			}
			continue
		}
		if depth == 1 {
			if strings.HasPrefix(s[i:], "-}}") || strings.HasPrefix(s[i:], "}}") {
				b.emit(chroma.CommentPreproc, i+strings.Index(s[i:], "}}")+2)
				depth = 0
				continue
			}
		} else if s[i] == ')' {
			b.emit(chroma.Operator, i+1)
			depth--
			continue
		}
		if s[i] == '(' {
			b.emit(chroma.Operator, i+1)
			depth++
			continue
		}
		if !tmplExpression(b) {
			// No rule matches: chroma calls the character an error, and a
			// newline returns it to the text.
			if s[i] == '\n' {
				depth = 0
				continue
			}
			b.emit(chroma.Error, runeEnd(s, i))
		}
	}
	return b.toks
}

// tmplComment matches {{(- )?/\*(.|\n)*?\*/( -)?}} at s[i] and returns
// its end, or 0.
func tmplComment(s string, i int) int {
	j := i + 2
	if strings.HasPrefix(s[j:], "- ") {
		j += 2
	}
	if !strings.HasPrefix(s[j:], "/*") {
		return 0
	}
	for k := j + 2; k < len(s); k++ {
		if !strings.HasPrefix(s[k:], "*/") {
			continue
		}
		e := k + 2
		if strings.HasPrefix(s[e:], " -") {
			e += 2
		}
		if strings.HasPrefix(s[e:], "}}") {
			return e + 2
		}
	}
	return 0
}

// tmplExpression emits the token of the template lexer's expression rules
// that matches at b.pos and reports whether one did.
func tmplExpression(b *buf) bool {
	s, i := b.src, b.pos
	c := s[i]
	switch {
	case isSpace(s, i):
		e := i
		for e < len(s) && isSpace(s, e) {
			e = runeEnd(s, e)
		}
		b.emit(chroma.TextWhitespace, e)
	case wordAt(s, i):
		// chroma's [^\W\d] takes digits too (regexp2 drops the \d), so a
		// word starting with one, 0x1F say, is a name as well.
		e := wordEnd(s, i)
		if goTemplateKeywords[s[i:e]] {
			// The keyword rule has \b: a longer word is a name.
			b.emit(chroma.Keyword, e)
		} else {
			b.emit(chroma.NameOther, e)
		}
	case c == '|' || c == ',' || c == '=':
		b.emit(chroma.Operator, i+1)
	case strings.HasPrefix(s[i:], ":="):
		b.emit(chroma.Operator, i+2)
	case c == '$' && wordAt(s, i+1):
		b.emit(chroma.NameOther, wordEnd(s, i+1))
	case c == '$' && i+1 < len(s) && s[i+1] == '.', c == '.':
		j := i
		if c == '$' {
			j++
		}
		e := j + 1
		if wordAt(s, e) {
			e = wordEnd(s, e)
		}
		b.emit(chroma.NameAttribute, e)
	case c == '$':
		b.emit(chroma.NameAttribute, i+1)
	case c == '"':
		return tmplString(b)
	case c == '`':
		n := strings.IndexByte(s[i+1:], '`')
		if n < 0 {
			return false
		}
		b.emit(chroma.LiteralString, i+n+2)
	case c == '-' && i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '.' && i+2 < len(s) && isDigit(s[i+2])):
		t, e := tmplNumber(s, i)
		b.emit(t, e)
	default:
		return false
	}
	return true
}

// tmplString adds the "..." string at b.pos, and reports false when it
// does not end. It ends where chroma's "(\\\\|\\"|[^"])*" does, with the
// backtracking of its regexp engine: an escaped quote may also be read as a
// backslash and the closing quote, so "\" (three characters) is a string.
func tmplString(b *buf) bool {
	if b.strEnds == nil {
		b.strEnds = stringEnds(b.src)
	}
	e := b.strEnds[b.pos+1]
	if e < 0 {
		return false
	}
	b.emit(chroma.LiteralString, e)
	return true
}

// stringEnds gives, for each index j of s, where a string whose body
// continues at j ends (after its closing quote), or -1. The regexp tries one
// more repetition of its body before the closing quote, its alternatives in
// order; ends[j] follows that order, from the end of s back, so each index
// is worked out once whatever the number of quotes.
func stringEnds(s string) []int {
	ends := make([]int, len(s)+2)
	ends[len(s)], ends[len(s)+1] = -1, -1
	for j := len(s) - 1; j >= 0; j-- {
		r := -1
		if s[j] == '\\' && j+1 < len(s) && (s[j+1] == '\\' || s[j+1] == '"') {
			r = ends[j+2]
		}
		if r < 0 && s[j] != '"' {
			r = ends[runeEnd(s, j)]
		}
		if r < 0 && s[j] == '"' {
			r = j + 1
		}
		ends[j] = r
	}
	return ends
}

// tmplExp matches [Ee][-+]?\d+ at s[k], the sign required when signed,
// and returns its end, or k.
func tmplExp(s string, k int, signed bool) int {
	if k < len(s) && (s[k] == 'e' || s[k] == 'E') {
		m := k + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		} else if signed {
			return k
		}
		if e := digits(s, m); e > m {
			return e
		}
	}
	return k
}

// tmplNumber types the number at s[i] by the template lexer's number rules
// (a simplification of their order that agrees on Go's number forms).
func tmplNumber(s string, i int) (chroma.TokenType, int) {
	j := i + 1 // after the minus: the template lexer's numbers are only reached with one
	d := digits(s, j)
	if d == j {
		// -?\.\d+([eE][+\-]?\d+)? (the imaginary form has no sign)
		return chroma.LiteralNumberFloat, tmplExp(s, digits(s, j+1), false)
	}
	switch {
	case d < len(s) && s[d] == 'i':
		return chroma.LiteralNumber, d + 1
	case d < len(s) && s[d] == '.':
		f := digits(s, d+1)
		if e := tmplExp(s, f, true); e < len(s) && s[e] == 'i' {
			return chroma.LiteralNumber, e + 1
		}
		if f > d+1 {
			if e := tmplExp(s, f, false); e > f {
				return chroma.LiteralNumberFloat, e
			}
		}
		return chroma.LiteralNumberFloat, f
	}
	if e := tmplExp(s, d, true); e > d && e < len(s) && s[e] == 'i' {
		return chroma.LiteralNumber, e + 1
	}
	if e := tmplExp(s, d, false); e > d {
		return chroma.LiteralNumberFloat, e
	}
	return tmplInt(s, j, d)
}

// tmplInt types the integer s[j:d] (and a hexadecimal or binary one
// running on from it) and returns its end.
func tmplInt(s string, j, d int) (chroma.TokenType, int) {
	switch {
	case s[j] == '0' && d > j+1 && strings.Trim(s[j+1:d], "01234567") == "":
		return chroma.LiteralNumberOct, d
	case s[j] == '0' && d == j+1 && d+1 < len(s) && (s[d] == 'x' || s[d] == 'X') && isHex(s[d+1]):
		e := d + 1
		for e < len(s) && isHex(s[e]) {
			e++
		}
		return chroma.LiteralNumberHex, e
	case s[j] == '0' && d == j+1 && d+1 < len(s) && s[d] == 'b' && (s[d+1] == '0' || s[d+1] == '1' || s[d+1] == '_'):
		e := d + 1
		for e < len(s) && (s[e] == '0' || s[e] == '1' || s[e] == '_') {
			e++
		}
		return chroma.LiteralNumberBin, e
	case s[j] == '0':
		return chroma.LiteralNumberInteger, j + 1
	}
	return chroma.LiteralNumberInteger, d
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
