package compiler

import (
	"strconv"

	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/scanner"
	"cuelang.org/go/cue/token"
)

// fileHeader returns a CUE file's package name and import paths; ok is
// false when they do not parse.
//
// Every store key reads the header of every CUE source, warm or cold, and
// CUE's parser sets up a file's experiments by reflection before its first
// declaration: three times the cost of reading the header. The plain
// header every project writes (package, then imports, with or without an
// alias or parentheses) is read from the scanner's tokens; anything else
// (an attribute, an unusual path or name, a scanning error) goes to the
// parser, which decides.
func fileHeader(name string, data []byte) (pkg string, imports []string, ok bool) {
	if pkg, imports, sure := plainHeader(name, data); sure {
		return pkg, imports, true
	}
	return parsedHeader(name, data)
}

// parsedHeader is fileHeader by CUE's parser.
func parsedHeader(name string, data []byte) (pkg string, imports []string, ok bool) {
	f, err := parser.ParseFile(name, data, parser.ImportsOnly)
	if err != nil {
		return "", nil, false
	}
	for spec := range f.ImportSpecs() {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return "", nil, false
		}
		imports = append(imports, p)
	}
	return f.PackageName(), imports, true
}

// plainHeader reads a plain header from the scanner's tokens as the parser
// would; sure is false when the header is not plain, and the parser must
// read it.
func plainHeader(name string, data []byte) (pkg string, imports []string, sure bool) {
	var s scanner.Scanner
	failed := false
	s.Init(token.NewFile(name, -1, len(data)), data, func(token.Pos, string, []any) { failed = true }, 0)
	tok, lit := scan(&s)
	if tok == token.IDENT && lit == "package" {
		if tok, lit = scan(&s); tok != token.IDENT || !plainName(lit) {
			return "", nil, false
		}
		pkg = lit
		if tok, lit, sure = endDecl(&s, false); !sure {
			return "", nil, false
		}
	}
	for tok == token.IDENT && lit == "import" {
		tok, lit = scan(&s)
		grouped := tok == token.LPAREN
		if grouped {
			tok, lit = scan(&s)
		}
		for {
			if grouped && tok == token.RPAREN {
				if tok, lit, sure = endDecl(&s, false); !sure {
					return "", nil, false
				}
				break
			}
			if tok == token.IDENT { // an alias
				if !plainName(lit) {
					return "", nil, false
				}
				tok, lit = scan(&s)
			}
			if tok != token.STRING || !plainPath(lit) {
				return "", nil, false
			}
			imports = append(imports, lit[1:len(lit)-1])
			if tok, lit, sure = endDecl(&s, grouped); !sure {
				return "", nil, false
			}
			if !grouped {
				break
			}
		}
	}
	// The parser stops at the first other token, which it has scanned too.
	if tok == token.ATTRIBUTE || failed {
		return "", nil, false
	}
	return pkg, imports, true
}

func scan(s *scanner.Scanner) (token.Token, string) {
	_, tok, lit := s.Scan()
	return tok, lit
}

// endDecl takes the comma (written or at a line's end) that ends a
// declaration or an import spec, as the parser's expectComma, and returns
// the token after it. Without one the header is not plain, unless the
// file or (in parentheses) the group ends there.
func endDecl(s *scanner.Scanner, grouped bool) (token.Token, string, bool) {
	tok, lit := scan(s)
	switch {
	case tok == token.COMMA:
		tok, lit = scan(s)
		return tok, lit, true
	case tok == token.EOF, grouped && tok == token.RPAREN:
		return tok, lit, true
	}
	return tok, lit, false
}

// plainName reports whether an identifier is a plain name: a letter, then
// letters, digits and '_' (no definition, hidden or blank name).
func plainName(s string) bool {
	for i, r := range []byte(s) {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && ('0' <= r && r <= '9' || r == '_')) {
			return false
		}
	}
	return s != ""
}

// plainPath reports whether a string literal is a double-quoted import
// path with no escape and only characters any path may hold, so that its
// text between the quotes is its value and the parser finds it valid.
func plainPath(lit string) bool {
	if len(lit) < 3 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return false
	}
	for _, r := range []byte(lit[1 : len(lit)-1]) {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '/' || r == '_' || r == '-' || r == '@' || r == '~' || r == '+') {
			return false
		}
	}
	return true
}
