package markdown

import (
	"strings"

	"cuelang.org/go/cue/scanner"
	"cuelang.org/go/cue/token"
	"github.com/alecthomas/chroma/v2"
)

// lexCUE tokenises CUE with CUE's own scanner and types the tokens as
// chroma's CUE lexer does. It declines input the scanner reports errors
// for and names chroma would not read as one name.
func lexCUE(src string) ([]chroma.Token, bool) {
	b := tokenBuf{src: src, toks: make([]chroma.Token, 0, len(src)/4)}
	if !cueTokens(&b, 0, len(src)) {
		return nil, false
	}
	return b.toks, true
}

// cueTokens adds the tokens of b.src[from:to].
func cueTokens(b *tokenBuf, from, to int) bool {
	src := b.src[from:to]
	file := token.NewFile("", -1, len(src))
	var s scanner.Scanner
	failed := false
	s.Init(file, []byte(src), func(token.Pos, string, []any) { failed = true }, scanner.ScanComments|scanner.DontInsertCommas)
	// The interpolations being scanned. The scanner returns the "(" that
	// opens one as a token of its own, and the ")" that closes one must
	// resume its string.
	type interpolation struct {
		parens int // open parentheses inside, -1 before the opening one
		bytes  bool
	}
	var interp []interpolation
	for {
		pos, tok, _ := s.Scan()
		if failed {
			return false
		}
		if tok == token.EOF {
			break
		}
		start, end := from+file.Offset(pos), from+s.Offset()
		if !b.space(chroma.Text, start) {
			return false
		}
		text := b.src[start:end]
		switch tok {
		case token.STRING, token.INTERPOLATION:
			bytes := strings.HasPrefix(strings.TrimLeft(text, "#"), "'")
			open := tok == token.INTERPOLATION
			cueString(b, end, open, bytes)
			if open {
				interp = append(interp, interpolation{parens: -1, bytes: bytes})
			}
		case token.LPAREN:
			n := len(interp) - 1
			if n >= 0 && interp[n].parens < 0 {
				b.emit(chroma.LiteralStringInterpol, end)
			} else {
				b.emit(chroma.Punctuation, end)
			}
			if n >= 0 {
				interp[n].parens++
			}
		case token.RPAREN:
			n := len(interp) - 1
			if n < 0 || interp[n].parens > 0 {
				if n >= 0 {
					interp[n].parens--
				}
				b.emit(chroma.Punctuation, end)
				break
			}
			more := strings.HasSuffix(s.ResumeInterpolation(), "(")
			if failed {
				return false
			}
			b.emit(chroma.LiteralStringInterpol, end)
			cueString(b, from+s.Offset(), more, interp[n].bytes)
			if more {
				interp[n].parens = -1
			} else {
				interp = interp[:n]
			}
		case token.INT, token.FLOAT:
			b.emit(chroma.LiteralNumber, end)
		case token.COMMENT:
			if text == "//" {
				b.emit(chroma.Operator, end) // chroma wants text after the slashes
			} else {
				b.emit(chroma.CommentSingle, end)
			}
		case token.ATTRIBUTE:
			// chroma reads @name(args) as a name and tokens.
			i := 1
			for i < len(text) && (isIdentStart(text[i]) || '0' <= text[i] && text[i] <= '9') {
				i++
			}
			if !cueName(text[:i]) {
				return false
			}
			b.emit(chroma.Name, start+i)
			if !cueTokens(b, start+i, end) {
				return false
			}
		case token.OPTION:
			// chroma's types take one "?" right after them: int?.
			if n := len(b.toks) - 1; n >= 0 && b.pos == start && b.toks[n].Type == chroma.KeywordType && !strings.HasSuffix(b.toks[n].Value, "?") {
				b.emit(chroma.KeywordType, end)
			} else {
				b.emit(chroma.Operator, end)
			}
		case token.MAT: // chroma has "=" then "~"
			b.emit(chroma.Operator, start+1)
			b.emit(chroma.Punctuation, end)
		case token.TILDE, token.PERIOD, token.SEMICOLON, token.LBRACE, token.RBRACE:
			b.emit(chroma.Punctuation, end)
		default:
			switch {
			case tok == token.IDENT || tok == token.BOTTOM || tok.IsKeyword():
				if !cueWord(b, text, end) {
					return false
				}
			case tok.IsOperator():
				b.emit(chroma.Operator, end)
			default:
				return false
			}
		}
	}
	return b.space(chroma.Text, to)
}

// cueWord adds an identifier or keyword w ending at end, typed by the
// first of chroma's rules that matches it.
func cueWord(b *tokenBuf, w string, end int) bool {
	switch {
	case w == "_|_":
		b.emit(chroma.Operator, end)
	case cueKeywords[w]:
		b.emit(chroma.Keyword, end)
	case cueTypes[w]:
		b.emit(chroma.KeywordType, end)
	case w == "true" || w == "false" || w == "null" || w == "_":
		b.emit(chroma.KeywordConstant, end)
	case strings.HasPrefix(w, "_#") && cueName(w[1:]):
		// _ and a word boundary: chroma's constant, then a name.
		b.emit(chroma.KeywordConstant, end-len(w)+1)
		b.emit(chroma.Name, end)
	case cueName(w):
		b.emit(chroma.Name, end)
	default:
		return false
	}
	return true
}

// cueName reports whether chroma reads w as one name: [@#]?[_a-zA-Z$]\w*
// (with "$" allowed further on, since it only starts another name).
func cueName(w string) bool {
	if w != "" && (w[0] == '@' || w[0] == '#') {
		w = w[1:]
	}
	if w == "" || '0' <= w[0] && w[0] <= '9' {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !isIdentStart(c) && !('0' <= c && c <= '9') && c != '$' {
			return false
		}
	}
	return true
}

// cueString adds a string, or a piece of an interpolated one, up to end
// as chroma's string state types it: escapes apart (bytes have none in
// chroma), and the "\\(" that opens an interpolation when open is set. A
// piece after an interpolation starts after the ")" that closed it.
func cueString(b *tokenBuf, end int, open, bytes bool) {
	s := b.src[:end]
	if open {
		s = s[:strings.LastIndexByte(s, '\\')]
	}
	for i := b.pos; i < len(s) && !bytes; i++ {
		if s[i] != '\\' {
			continue
		}
		if n := cueEscape(s[i:]); n > 0 {
			b.emit(chroma.LiteralString, i)
			b.emit(chroma.LiteralStringEscape, i+n)
			i += n - 1
		}
	}
	b.emit(chroma.LiteralString, len(s))
	b.emit(chroma.LiteralStringInterpol, end)
}

// cueEscape returns the length of the escape chroma's CUE lexer sees at
// the start of s, or 0: \\['"\\nrt]|\\x[0-9a-fA-F]{2}|\\[0-7]{1,3}|
// \\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}.
func cueEscape(s string) int {
	if len(s) < 2 {
		return 0
	}
	hex := func(n int) int {
		if len(s) < 2+n {
			return 0
		}
		for _, c := range []byte(s[2 : 2+n]) {
			if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
				return 0
			}
		}
		return 2 + n
	}
	switch c := s[1]; {
	case strings.IndexByte(`'"\nrt`, c) >= 0:
		return 2
	case c == 'x':
		return hex(2)
	case c == 'u':
		return hex(4)
	case c == 'U':
		return hex(8)
	case '0' <= c && c <= '7':
		n := 2
		for n < 4 && n < len(s) && '0' <= s[n] && s[n] <= '7' {
			n++
		}
		return n
	}
	return 0
}

var (
	cueKeywords = wordSet("import", "for", "if", "in", "let", "package")
	cueTypes    = wordSet("bool", "float", "int", "string", "uint", "ulong", "ushort")
)
