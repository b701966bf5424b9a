package markdown

import (
	"go/scanner"
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown/hllex"
)

// lexGo tokenises Go with go/scanner and types the tokens as chroma's Go
// lexer does. It declines input the scanner reports errors for, and the
// few number forms chroma splits into several tokens.
func lexGo(src string) ([]chroma.Token, bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	failed := false
	s.Init(file, []byte(src), func(token.Position, string) { failed = true }, scanner.ScanComments)
	b := tokenBuf{src: src, toks: make([]chroma.Token, 0, len(src)/4)}
	for {
		pos, tok, lit := s.Scan()
		if failed {
			return nil, false
		}
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted, not in the source
		}
		start := file.Offset(pos)
		text := lit
		if text == "" {
			text = tok.String()
		}
		end := start + len(text)
		// Comments and raw strings lose their carriage returns in lit.
		if end > len(src) || src[start:end] != text || !b.space(chroma.TextWhitespace, start) {
			return nil, false
		}
		switch {
		case tok == token.IDENT || tok.IsKeyword():
			b.emit(goWord(src, text, end), end)
		case (tok == token.INT || tok == token.IMAG) && len(text) > 2 && text[0] == '0' && strings.IndexByte("oOB", text[1]) >= 0:
			// chroma knows no 0o755 or 0B101: a zero, then a name.
			b.emit(chroma.LiteralNumberInteger, start+1)
			b.emit(goWord(src, text[1:], end), end)
		case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
			t, ok := goNumber(text)
			if !ok {
				return nil, false
			}
			b.emit(t, end)
		case tok == token.CHAR:
			b.emit(chroma.LiteralStringChar, end)
		case tok == token.STRING && strings.HasPrefix(text, "`") && strings.Contains(text, "{{"):
			goTemplate(&b, end)
		case tok == token.STRING:
			b.emit(chroma.LiteralString, end)
		case tok == token.COMMENT:
			b.emit(goComment(text), end)
		case goOperators[text]:
			b.emit(chroma.Operator, end)
		default:
			b.emit(chroma.Punctuation, end)
		}
	}
	if !b.space(chroma.TextWhitespace, len(src)) {
		return nil, false
	}
	return b.toks, true
}

// goWord types an identifier or keyword w that ends at src[end] by the
// first of chroma's rules that matches: keywords, constants, builtins
// called, builtin types, then any name followed by "(" is a function.
func goWord(src, w string, end int) chroma.TokenType {
	switch {
	case w == "import" || w == "package":
		return chroma.KeywordNamespace
	case goDeclarations[w]:
		return chroma.KeywordDeclaration
	case token.IsKeyword(w):
		return chroma.Keyword
	case w == "true" || w == "false" || w == "iota" || w == "nil":
		return chroma.KeywordConstant
	case goBuiltins[w] && strings.HasPrefix(src[end:], "("):
		return chroma.NameBuiltin
	case goTypes[w]:
		return chroma.KeywordType
	case isIdentStart(w[0]) && strings.HasPrefix(strings.TrimLeft(src[end:], " \t\n\v\f\r"), "("):
		// chroma's pattern is [a-zA-Z_]\w*\s*\(, so calls count too.
		return chroma.NameFunction
	}
	return chroma.NameOther
}

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// goNumber types a number literal as chroma's patterns do, or reports
// false for the rare forms they split (imaginary numbers but 12i,
// hexadecimal floats, 1.e3, underscores in floats and octals).
func goNumber(t string) (chroma.TokenType, bool) {
	switch {
	case t[len(t)-1] == 'i' && digits(t, 0) == len(t)-1:
		return chroma.LiteralNumber, true
	case strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X"):
		return chroma.LiteralNumberHex, !strings.ContainsAny(t, ".pPi")
	case strings.HasPrefix(t, "0b"):
		return chroma.LiteralNumberBin, !strings.Contains(t, "i")
	case strings.ContainsAny(t, "oOBi"):
		return 0, false
	case strings.ContainsAny(t, ".eE"):
		return chroma.LiteralNumberFloat, !strings.ContainsAny(t, "_") && !strings.Contains(t, ".e") && !strings.Contains(t, ".E")
	case len(t) > 1 && t[0] == '0':
		return chroma.LiteralNumberOct, !strings.Contains(t, "_")
	}
	return chroma.LiteralNumberInteger, true
}

// goComment types a comment: chroma calls a line comment whose text
// starts right after the slashes a preprocessor comment (as in //go:embed).
func goComment(c string) chroma.TokenType {
	if strings.HasPrefix(c, "/*") {
		return chroma.CommentMultiline
	}
	if r, _ := utf8.DecodeRuneInString(c[2:]); len(c) > 2 && !unicode.IsSpace(r) {
		return chroma.CommentPreproc
	}
	return chroma.CommentSingle
}

// goTemplate adds a raw string that ends at end and holds a template:
// chroma highlights its inside with its Go template lexer, and so does
// hllex.GoTemplate.
func goTemplate(b *tokenBuf, end int) {
	b.emit(chroma.LiteralString, b.pos+1)
	for _, t := range hllex.GoTemplate(b.src[b.pos : end-1]) {
		b.emit(t.Type, b.pos+len(t.Value))
	}
	b.emit(chroma.LiteralString, end)
}

var (
	goDeclarations = wordSet("var", "func", "struct", "map", "chan", "type", "interface", "const")
	goBuiltins     = wordSet("uint", "uint8", "uint16", "uint32", "uint64", "int", "int8", "int16", "int32", "int64", "float", "float32", "float64", "complex64", "complex128", "byte", "rune", "string", "bool", "error", "uintptr", "print", "println", "panic", "recover", "close", "complex", "real", "imag", "len", "cap", "append", "copy", "delete", "new", "make", "clear", "min", "max")
	goTypes        = wordSet("uint", "uint8", "uint16", "uint32", "uint64", "int", "int8", "int16", "int32", "int64", "float", "float32", "float64", "complex64", "complex128", "byte", "rune", "string", "bool", "error", "uintptr", "any")
	// goOperators are the operators chroma calls Operator; the other
	// operators and delimiters are Punctuation.
	goOperators = wordSet("<<=", ">>=", "<<", ">>", "<=", ">=", "&^=", "&^", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "&&", "||", "<-", "++", "--", "==", "!=", ":=", "...", "+", "-", "*", "/", "%", "&")
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
