package hllex

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// Generic tokenises code of a language the site has no lexer for, by what
// C-like and scripting languages share: line comments (//, # and "-- "),
// block comments (/* */), strings in single, double or back quotes with
// backslash escapes (triple-quoted ones over several lines), numbers,
// common keywords and constants, function names before "(", operators and
// punctuation. It is a colouring, not a parser: no fence loses all colour,
// and nothing is lost.
func Generic(src string) []chroma.Token {
	b := &buf{src: src, toks: make([]chroma.Token, 0, len(src)/4+1)}
	for b.pos < len(src) {
		genericStep(b)
	}
	return b.toks
}

var (
	genericKeywords = set(
		"abstract", "and", "as", "async", "await", "break", "case", "catch", "class", "const", "continue",
		"def", "default", "defer", "del", "do", "elif", "else", "enum", "except", "export", "extends",
		"extern", "final", "finally", "fn", "for", "foreach", "from", "func", "function", "go", "if",
		"impl", "implements", "import", "in", "interface", "is", "let", "loop", "match", "mod", "module",
		"mut", "namespace", "new", "not", "or", "package", "param", "private", "protected", "pub", "public",
		"raise", "return", "select", "static", "struct", "switch", "template", "then", "this", "throw",
		"throws", "trait", "try", "type", "typeof", "use", "using", "val", "var", "void", "where", "while",
		"with", "yield",
	)
	genericConstants = set("true", "false", "null", "nil", "None", "True", "False", "undefined", "NaN", "self", "Self")
)

func genericStep(b *buf) {
	s, i := b.src, b.pos
	c := s[i]
	switch {
	case isSpace(s, i):
		e := i
		for e < len(s) && isSpace(s, e) {
			e = runeEnd(s, e)
		}
		b.emit(chroma.Text, e)
	case strings.HasPrefix(s[i:], "//") || c == '#' || sqlComment(s, i):
		b.emit(chroma.CommentSingle, lineEnd(s, i))
	case strings.HasPrefix(s[i:], "/*"):
		e := len(s)
		if n := strings.Index(s[i+2:], "*/"); n >= 0 {
			e = i + 2 + n + 2
		}
		b.emit(chroma.CommentMultiline, e)
	case c == '"' || c == '\'' || c == '`':
		genericString(b)
	case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
		e := i + 1
		for e < len(s) && (wordAt(s, e) || s[e] == '.' && e+1 < len(s) && isDigit(s[e+1])) {
			e = runeEnd(s, e)
		}
		b.emit(chroma.LiteralNumber, e)
	case wordAt(s, i):
		e := wordEnd(s, i)
		w := s[i:e]
		switch {
		case genericKeywords[w]:
			b.emit(chroma.Keyword, e)
		case genericConstants[w]:
			b.emit(chroma.KeywordConstant, e)
		case e < len(s) && s[e] == '(':
			b.emit(chroma.NameFunction, e)
		default:
			b.emit(chroma.Name, e)
		}
	case strings.IndexByte("+-*/%=<>!&|^~?:@", c) >= 0:
		e := i + 1
		for e < len(s) && strings.IndexByte("+-*/%=<>!&|^~?:", s[e]) >= 0 && !strings.HasPrefix(s[e:], "//") && !strings.HasPrefix(s[e:], "/*") {
			e++
		}
		b.emit(chroma.Operator, e)
	case strings.IndexByte("()[]{},;.", c) >= 0:
		b.emit(chroma.Punctuation, i+1)
	default:
		b.emit(chroma.Text, runeEnd(s, i))
	}
}

// sqlComment reports whether s[i:] starts a "-- " comment (SQL, Lua,
// Haskell): after white space, so that x-- stays an operator.
func sqlComment(s string, i int) bool {
	return (strings.HasPrefix(s[i:], "-- ") || strings.HasPrefix(s[i:], "--\n")) && (i == 0 || isSpace(s, i-1))
}

// genericString adds the string that starts at the quote at b.pos: to the
// matching quote, past backslash escapes. A single- or double-quoted one
// ends with its line (a lone apostrophe is then only punctuation); back
// quotes and triple quotes may span lines.
func genericString(b *buf) {
	s, i := b.src, b.pos
	q := s[i]
	if strings.HasPrefix(s[i:], strings.Repeat(string(q), 3)) {
		e := len(s)
		if n := strings.Index(s[i+3:], s[i:i+3]); n >= 0 {
			e = i + 3 + n + 3
		}
		b.emit(chroma.LiteralString, e)
		return
	}
	j := i + 1
	for j < len(s) {
		switch {
		case s[j] == q:
			b.emit(chroma.LiteralString, i+1)
			for k := i + 1; k < j; {
				if s[k] == '\\' && k+1 < j {
					b.emit(chroma.LiteralString, k)
					k = runeEnd(s, k+1)
					b.emit(chroma.LiteralStringEscape, k)
					continue
				}
				k++
			}
			b.emit(chroma.LiteralString, j+1)
			return
		case s[j] == '\\' && j+1 < len(s):
			j = runeEnd(s, j+1)
		case s[j] == '\n' && q != '`':
			j = len(s)
		default:
			j++
		}
	}
	b.emit(chroma.Punctuation, i+1) // unclosed: just the quote
}
