package hllex

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
)

// Shell tokenises a shell script (bash, sh, zsh) as chroma's Bash lexer
// does, following its rules in their order: keywords, builtins, comments,
// escapes, assignments, operators and here-documents; strings, single and
// double, with $variables, ${...}, $(...), $((...)) and `...` inside.
func Shell(src string) []chroma.Token {
	b := &buf{src: src, toks: make([]chroma.Token, 0, len(src)/4+1)}
	shell(b, len(src))
	return b.toks
}

// shell tokenises b.src[b.pos:end] as a script of its own.
func shell(b *buf, end int) {
	l := shLexer{b: b, s: b.src[:end], start: b.pos, stack: []shState{shRoot}}
	for b.pos < end {
		if !l.step(l.stack[len(l.stack)-1]) {
			// No rule matches: chroma starts over from the root state at
			// a newline, and otherwise calls the character an error.
			if l.s[b.pos] == '\n' && len(l.stack) > 1 {
				l.stack = l.stack[:1]
				continue
			}
			b.emit(chroma.Error, runeEnd(l.s, b.pos))
		}
	}
}

type shState int

const (
	shRoot shState = iota
	shString
	shParen
	shMath
	shBackticks
	shCurly
)

type shLexer struct {
	b     *buf
	s     string // the script, ending where it does
	start int    // where it starts, chroma's \A
	stack []shState
}

var (
	shKeywords = set("if", "fi", "else", "while", "do", "done", "for", "then", "return", "function", "case", "select", "continue", "until", "esac", "elif")
	shBuiltins = set("alias", "bg", "bind", "break", "builtin", "caller", "cd", "command", "compgen", "complete", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit", "export", "false", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout", "popd", "printf", "pushd", "pwd", "read", "readonly", "set", "shift", "shopt", "source", "suspend", "test", "time", "times", "trap", "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait")
)

func (l *shLexer) push(st shState) { l.stack = append(l.stack, st) }

func (l *shLexer) pop() {
	if len(l.stack) > 1 {
		l.stack = l.stack[:len(l.stack)-1]
	}
}

// step emits the token of the first rule of state st that matches at the
// current position, and reports whether one did.
func (l *shLexer) step(st shState) bool {
	s, i := l.s, l.b.pos
	switch st {
	case shString:
		switch {
		case s[i] == '"':
			l.b.emit(chroma.LiteralStringDouble, i+1)
			l.pop()
			return true
		case s[i] != '$':
			if e := l.dqRun(i); e > i {
				l.b.emit(chroma.LiteralStringDouble, e)
				return true
			}
			return false
		}
		return l.interp()
	case shParen:
		if s[i] == ')' {
			l.b.emit(chroma.Keyword, i+1)
			l.pop()
			return true
		}
	case shMath:
		switch {
		case strings.HasPrefix(s[i:], "))"):
			l.b.emit(chroma.Keyword, i+2)
			l.pop()
			return true
		case strings.IndexByte("-+*/%^|&", s[i]) >= 0:
			l.b.emit(chroma.Operator, i+1)
			return true
		case isDigit(s[i]):
			e := digits(s, i)
			if e < len(s) && s[e] == '#' {
				if d := digits(s, e+1); d > e+1 {
					e = d
				} else if e+1 >= len(s) || s[e+1] != ' ' {
					e++
				}
			}
			l.b.emit(chroma.LiteralNumber, e)
			return true
		}
	case shBackticks:
		if s[i] == '`' {
			l.b.emit(chroma.LiteralStringBacktick, i+1)
			l.pop()
			return true
		}
	case shCurly:
		if l.curly() {
			return true
		}
	}
	return l.root()
}

func (l *shLexer) curly() bool {
	s, i := l.s, l.b.pos
	switch {
	case s[i] == '}':
		l.b.emit(chroma.LiteralStringInterpol, i+1)
		l.pop()
	case strings.HasPrefix(s[i:], ":-"):
		l.b.emit(chroma.Keyword, i+2)
	case wordAt(s, i):
		l.b.emit(chroma.NameVariable, wordEnd(s, i))
	case s[i] == ':':
		l.b.emit(chroma.Punctuation, i+1)
	default:
		e := i
		for e < len(s) && strings.IndexByte("}:\"'`$\\", s[e]) < 0 {
			e = runeEnd(s, e)
		}
		if e == i {
			return false
		}
		l.b.emit(chroma.Punctuation, e)
	}
	return true
}

// root is chroma's root state: basic, a backtick, data, interp.
func (l *shLexer) root() bool {
	if l.basic() {
		return true
	}
	if l.s[l.b.pos] == '`' {
		l.b.emit(chroma.LiteralStringBacktick, l.b.pos+1)
		l.push(shBackticks)
		return true
	}
	return l.data() || l.interp()
}

func (l *shLexer) basic() bool {
	s, i := l.s, l.b.pos
	if wordAt(s, i) && !wordBefore(s, i) {
		e := wordEnd(s, i)
		w := s[i:e]
		switch {
		case shKeywords[w]:
			l.b.emit(chroma.Keyword, e)
			return true
		case shBuiltins[w] && e < len(s) && (isSpace(s, e) || s[e] == ')' || s[e] == '`'):
			l.b.emit(chroma.NameBuiltin, e)
			return true
		}
	}
	switch {
	case i == l.start && strings.HasPrefix(s[i:], "#!"):
		if e := lineEnd(s, i); e < len(s) && e > i+2 {
			l.b.emit(chroma.CommentPreproc, e+1)
			return true
		}
	}
	switch {
	case s[i] == '#':
		l.b.emit(chroma.CommentSingle, lineEnd(s, i))
		return true
	case s[i] == '\\' && i+1 < len(s):
		l.b.emit(chroma.LiteralStringEscape, runeEnd(s, i+1))
		return true
	}
	if wordAt(s, i) && !wordBefore(s, i) {
		e := wordEnd(s, i)
		j := e
		for j < len(s) && isSpace(s, j) {
			j = runeEnd(s, j)
		}
		op := 0
		if strings.HasPrefix(s[j:], "+=") {
			op = 2
		} else if strings.HasPrefix(s[j:], "=") {
			op = 1
		}
		if op > 0 {
			l.b.emit(chroma.NameVariable, e)
			l.b.emit(chroma.Text, j)
			l.b.emit(chroma.Operator, j+op)
			return true
		}
	}
	switch {
	case strings.IndexByte("[]{}()=", s[i]) >= 0:
		l.b.emit(chroma.Operator, i+1)
	case strings.HasPrefix(s[i:], "<<<"):
		l.b.emit(chroma.Operator, i+3)
	case strings.HasPrefix(s[i:], "<<") && l.heredoc():
	case strings.HasPrefix(s[i:], "&&"), strings.HasPrefix(s[i:], "||"):
		l.b.emit(chroma.Operator, i+2)
	default:
		return false
	}
	return true
}

// heredoc matches <<-?\s*('?)\\?(\w+)[\w\W]+?\2: the document runs to the
// next occurrence of its word, trying shorter words as the regexp
// backtracks.
func (l *shLexer) heredoc() bool {
	s := l.s
	j := l.b.pos + 2
	if j < len(s) && s[j] == '-' {
		j++
	}
	for j < len(s) && isSpace(s, j) {
		j = runeEnd(s, j)
	}
	if j < len(s) && s[j] == '\'' {
		j++
	}
	if j < len(s) && s[j] == '\\' {
		j++
	}
	for k := wordEnd(s, j); k > j; {
		if k < len(s) {
			if n := strings.Index(s[runeEnd(s, k):], s[j:k]); n >= 0 {
				l.b.emit(chroma.LiteralString, runeEnd(s, k)+n+k-j)
				return true
			}
		}
		_, n := utf8.DecodeLastRuneInString(s[j:k])
		k -= n
	}
	return false
}

func (l *shLexer) data() bool {
	s, i := l.s, l.b.pos
	c := s[i]
	switch {
	case c == '"' || c == '$' && i+1 < len(s) && s[i+1] == '"':
		q := i
		if c == '$' {
			q++
		}
		if e := l.dqRun(q + 1); e < len(s) && s[e] == '"' {
			l.b.emit(chroma.LiteralStringDouble, e+1)
			return true
		}
		if c == '"' {
			l.b.emit(chroma.LiteralStringDouble, i+1)
			l.push(shString)
			return true
		}
		return false
	case c == '$' && i+1 < len(s) && s[i+1] == '\'':
		for j := i + 2; j < len(s); j++ {
			switch s[j] {
			case '\\':
				if j+1 < len(s) {
					j = runeEnd(s, j+1) - 1
				}
			case '\'':
				l.b.emit(chroma.LiteralStringSingle, j+1)
				return true
			}
		}
		return false
	case c == '\'':
		if n := strings.IndexByte(s[i+1:], '\''); n >= 0 {
			l.b.emit(chroma.LiteralStringSingle, i+n+2)
			return true
		}
		return false
	case c == ';' || c == '&' || c == '|':
		l.b.emit(chroma.Punctuation, i+1)
		return true
	case isSpace(s, i):
		e := i
		for e < len(s) && isSpace(s, e) {
			e = runeEnd(s, e)
		}
		l.b.emit(chroma.Text, e)
		return true
	case isDigit(c):
		if e := digits(s, i); e == len(s) || s[e] == ' ' || s[e] == '\n' {
			l.b.emit(chroma.LiteralNumber, e)
			return true
		}
	case c == '<':
		l.b.emit(chroma.Text, i+1)
		return true
	}
	e := i
	for e < len(s) && strings.IndexByte("=[]{}()$\"'`\\<&|;", s[e]) < 0 && !isSpace(s, e) {
		e = runeEnd(s, e)
	}
	if e == i {
		return false
	}
	l.b.emit(chroma.Text, e)
	return true
}

func (l *shLexer) interp() bool {
	s, i := l.s, l.b.pos
	if s[i] != '$' {
		return false
	}
	switch {
	case strings.HasPrefix(s[i:], "$(("):
		l.b.emit(chroma.Keyword, i+3)
		l.push(shMath)
	case strings.HasPrefix(s[i:], "$("):
		l.b.emit(chroma.Keyword, i+2)
		l.push(shParen)
	case strings.HasPrefix(s[i:], "${#"):
		l.b.emit(chroma.LiteralStringInterpol, i+3)
		l.push(shCurly)
	case strings.HasPrefix(s[i:], "${"):
		l.b.emit(chroma.LiteralStringInterpol, i+2)
		l.push(shCurly)
	case i+1 < len(s) && (s[i+1] == '_' || s[i+1] < utf8.RuneSelf && unicode.IsLetter(rune(s[i+1]))):
		l.b.emit(chroma.NameVariable, wordEnd(s, i+1))
	case i+1 < len(s) && isDigit(s[i+1]):
		l.b.emit(chroma.NameVariable, digits(s, i+1))
	case i+1 < len(s) && strings.IndexByte("#$?!_*@-", s[i+1]) >= 0:
		l.b.emit(chroma.NameVariable, i+2)
	default:
		l.b.emit(chroma.Text, i+1)
	}
	return true
}

// dqRun returns the end of the run of a double-quoted string's text from
// s[i]: escapes and anything but a quote, a backslash or a dollar.
func (l *shLexer) dqRun(i int) int {
	s := l.s
	for i < len(s) {
		switch s[i] {
		case '"', '$':
			return i
		case '\\':
			if i+1 >= len(s) {
				return i
			}
			i = runeEnd(s, i+1)
		default:
			i++
		}
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// isSpace reports whether s[i] starts a white space rune, a \s of
// chroma's regexps.
func isSpace(s string, i int) bool {
	if s[i] < utf8.RuneSelf {
		return s[i] == ' ' || '\t' <= s[i] && s[i] <= '\r'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// Console tokenises a shell session as chroma's Bash Session (console)
// lexer does: a line starting with a prompt ($, #, % or >, after an
// optional [user@host]) is the prompt, then a command highlighted as
// Shell; any other line is output. Blank lines are plain text (chroma
// calls them errors).
func Console(src string) []chroma.Token {
	b := &buf{src: src, toks: make([]chroma.Token, 0, len(src)/8+1)}
	for b.pos < len(src) {
		i := b.pos
		e := lineEnd(src, i)
		if e < len(src) {
			e++
		}
		p := prompt(src, i)
		if p < 0 {
			t := chroma.GenericOutput
			if src[i] == '\n' {
				t = chroma.Text
			}
			b.emit(t, e)
			continue
		}
		b.emit(chroma.GenericPrompt, p)
		for p < len(src) && isSpace(src, p) {
			p = runeEnd(src, p)
		}
		b.emit(chroma.Text, p)
		if p >= e { // the white space ran over the line's end
			e = lineEnd(src, p)
			if e < len(src) {
				e++
			}
		}
		shell(b, e)
	}
	return b.toks
}

// prompt returns the end of the prompt that starts the line at s[i], or
// -1 when the line has none.
func prompt(s string, i int) int {
	if i < len(s) && s[i] == '[' {
		if at := strings.IndexByte(s[i:], '@'); at > 1 {
			if cl := strings.IndexByte(s[i+at:], ']'); cl > 1 && !strings.Contains(s[i+1:i+at+cl], "]") {
				j := i + at + cl + 1
				if j < len(s) && isSpace(s, j) && j+1 < len(s) && strings.IndexByte("#$%>", s[runeEnd(s, j)]) >= 0 {
					return runeEnd(s, j) + 1
				}
				if j < len(s) && strings.IndexByte("#$%>", s[j]) >= 0 {
					return j + 1
				}
			}
		}
	}
	if i < len(s) && strings.IndexByte("#$%>", s[i]) >= 0 {
		return i + 1
	}
	return -1
}
