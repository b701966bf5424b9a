package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// JSON states, named after those of chroma's JSON lexer.
const (
	jsonRoot            = iota // a value
	jsonObjectValue            // in an object, before a key
	jsonObjectAttribute        // after a key, up to "," or "}"
	jsonArrayValue
)

// lexJSON tokenises JSON with the state machine of chroma's JSON lexer,
// its patterns written out by hand: keys are NameTag, string values
// LiteralStringDouble, and a character no rule takes is an Error. It
// takes any input.
func lexJSON(src string) ([]chroma.Token, bool) {
	b := tokenBuf{src: src, toks: make([]chroma.Token, 0, len(src)/4)}
	stack := []int{jsonRoot}
	for b.pos < len(src) {
		state := stack[len(stack)-1]
		p := b.pos
		c := src[p]
		switch {
		case isSpaceAt(src, p):
			b.emit(chroma.Text, skipSpace(src, p))
		case strings.HasPrefix(src[p:], "//") && strings.IndexByte(src[p:], '\n') >= 0:
			b.emit(chroma.CommentSingle, p+strings.IndexByte(src[p:], '\n')+1)
		case state == jsonObjectValue && c == '"' && jsonKey(&b):
			stack = append(stack, jsonObjectAttribute)
		case state == jsonObjectValue && c == '}':
			b.emit(chroma.Punctuation, p+1)
			stack = stack[:len(stack)-1]
		case state != jsonObjectValue && jsonValue(&b):
		case state != jsonObjectValue && c == '{':
			b.emit(chroma.Punctuation, p+1)
			stack = append(stack, jsonObjectValue)
		case state != jsonObjectValue && c == '[':
			b.emit(chroma.Punctuation, p+1)
			stack = append(stack, jsonArrayValue)
		case state == jsonObjectAttribute && c == ':':
			b.emit(chroma.Punctuation, p+1)
		case state == jsonObjectAttribute && c == ',':
			b.emit(chroma.Punctuation, p+1)
			stack = stack[:len(stack)-1]
		case state == jsonObjectAttribute && c == '}':
			b.emit(chroma.Punctuation, p+1)
			stack = stack[:len(stack)-2]
		case state == jsonArrayValue && c == ',':
			b.emit(chroma.Punctuation, p+1)
		case state == jsonArrayValue && c == ']':
			b.emit(chroma.Punctuation, p+1)
			stack = stack[:len(stack)-1]
		default:
			_, n := utf8.DecodeRuneInString(src[p:])
			b.emit(chroma.Error, p+n)
		}
	}
	return b.toks, true
}

// jsonKey adds a key at b.pos if there is one.
func jsonKey(b *tokenBuf) bool {
	if end := quoted(b.src, b.pos, '"', jsonEscape); end > 0 {
		b.emit(chroma.NameTag, end)
		return true
	}
	return false
}

// jsonValue adds a literal at b.pos if there is one: a constant, number
// or string.
func jsonValue(b *tokenBuf) bool {
	s, p := b.src, b.pos
	for _, w := range []string{"true", "false", "null"} {
		if strings.HasPrefix(s[p:], w) && wordBoundary(s, p+len(w)) {
			b.emit(chroma.KeywordConstant, p+len(w))
			return true
		}
	}
	if s[p] == '"' {
		if end := quoted(s, p, '"', jsonEscape); end > 0 {
			b.emit(chroma.LiteralStringDouble, end)
			return true
		}
		return false
	}
	// -?(0|[1-9]\d*) and, for a float, (\.\d+[eE][+-]?\d+|[eE][+-]?\d+|\.\d+)
	i := p
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	exp := func(j int) int { // [eE][+-]?\d+ at j, or -1
		if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
			j++
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if k := digits(s, j); k > j {
				return k
			}
		}
		return -1
	}
	frac := -1
	if i < len(s) && s[i] == '.' {
		if k := digits(s, i+1); k > i+1 {
			frac = k
		}
	}
	switch {
	case frac > 0 && exp(frac) > 0:
		b.emit(chroma.LiteralNumberFloat, exp(frac))
	case exp(i) > 0:
		b.emit(chroma.LiteralNumberFloat, exp(i))
	case frac > 0:
		b.emit(chroma.LiteralNumberFloat, frac)
	default:
		b.emit(chroma.LiteralNumberInteger, i)
	}
	return true
}

// jsonEscape is the escape of chroma's JSON strings: \\ or \".
func jsonEscape(s string, i int) int {
	if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
		return 2
	}
	return 0
}

// digits returns where the run of ASCII digits at s[i] ends.
func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// isSpaceAt reports whether s[i] starts a white space character.
func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// skipSpace returns where the white space at s[i] ends.
func skipSpace(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}
