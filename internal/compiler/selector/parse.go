package selector

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	// The Prometheus label matcher validates regular expressions with this
	// fork of the standard library's regexp, whose syntax differs slightly
	// (for example in the accepted names of \p{...} Unicode classes), so it
	// is used here too to accept exactly the same expressions.
	"github.com/grafana/regexp"
	"github.com/grafana/regexp/syntax"
)

// reservedWords are the words (compared case-insensitively) that the
// Prometheus lexer turns into tokens that cannot stand for a metric name.
// Other keywords, such as "sum", "by" or "or", are accepted as metric names.
var reservedWords = map[string]bool{
	"on":          true,
	"ignoring":    true,
	"group_left":  true,
	"group_right": true,
	"bool":        true,
	"atan2":       true,
	"inf":         true,
	"nan":         true,
}

// setOperators are words that users may try to put between two selectors.
var setOperators = map[string]bool{"or": true, "and": true, "unless": true}

// Parse parses a label selector. A non-nil error is always an *Error and
// describes the first problem in the input. For a "{" that is never closed,
// the error spans from the "{" to the end of the input.
func Parse(input string) (*Selector, error) {
	p := scanner{in: input, comment: -1}
	sel, err := p.parseSelector()
	if err != nil {
		err.input = input
		return nil, err
	}
	return sel, nil
}

// scanner holds the state of the recursive-descent parser: the input and
// the offset pos of the next unread byte.
type scanner struct {
	in  string
	pos int
	// comment is the offset of the last "#" comment skipped, or -1.
	comment int
}

func (p *scanner) eof() bool { return p.pos >= len(p.in) }

func (p *scanner) fail(off, end int, hint, format string, args ...any) *Error {
	return &Error{Off: off, End: end, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// skipTrivia skips spaces, tabs, newlines, carriage returns and "#"
// comments, which run up to (not including) the next "\n" or "\r".
func (p *scanner) skipTrivia() {
	for !p.eof() {
		switch c := p.in[p.pos]; {
		case isSpace(c):
			p.pos++
		case c == '#':
			p.comment = p.pos
			for !p.eof() && p.in[p.pos] != '\n' && p.in[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *scanner) parseSelector() (*Selector, *Error) {
	sel := &Selector{}
	p.skipTrivia()
	if p.eof() {
		return nil, p.fail(p.pos, p.pos, `write for example {service_name="api"}`,
			`empty selector: expected a metric name or "{"`)
	}
	switch c := p.in[p.pos]; {
	case isAlpha(c) || c == ':':
		if err := p.parseMetric(sel); err != nil {
			return nil, err
		}
		p.skipTrivia()
		if p.eof() {
			return sel, nil
		}
		if p.in[p.pos] != '{' {
			return nil, p.errAfterMetric(sel)
		}
	case c == '{':
	default:
		return nil, p.errAtStart()
	}
	if err := p.parseBraces(sel); err != nil {
		return nil, err
	}
	p.skipTrivia()
	if !p.eof() {
		return nil, p.errTrailing()
	}
	return sel, nil
}

func (p *scanner) parseMetric(sel *Selector) *Error {
	start := p.pos
	for !p.eof() && isMetricChar(p.in[p.pos]) {
		p.pos++
	}
	word := p.in[start:p.pos]
	if reservedWords[strings.ToLower(word)] {
		return p.fail(start, p.pos, fmt.Sprintf(`write {__name__=%q}`, word),
			"%q is a reserved word and cannot be used as a metric name", word)
	}
	sel.Metric = word
	sel.MetricOff = start
	return nil
}

// stopChars end a "word" when the parser collects the text of a malformed
// name or value for a message or a hint.
const stopChars = " \t\n\r{}()[],=!~\"'`#"

// wordAt returns the end of the run of bytes starting at off that contains
// none of stopChars.
func (p *scanner) wordAt(off int) int {
	end := off
	for end < len(p.in) && !strings.ContainsRune(stopChars, rune(p.in[end])) {
		end++
	}
	return end
}

// errAfterMetric reports the unexpected token at p.pos that follows the
// metric name.
func (p *scanner) errAfterMetric(sel *Selector) *Error {
	off := p.pos
	found, end := p.describe(off, false)
	c := p.in[off]
	metricEnd := sel.MetricOff + len(sel.Metric)
	if off == metricEnd {
		// The name runs on with characters that a metric name cannot hold.
		if wend := p.wordAt(sel.MetricOff); wend > metricEnd {
			name := p.in[sel.MetricOff:wend]
			return p.fail(off, end, fmt.Sprintf(`write the name as a quoted matcher: {__name__=%s}`, quote(name)),
				`unexpected %s in metric name %s: a metric name may contain only letters, digits, "_" and ":"`,
				found, quote(name))
		}
	}
	switch c {
	case '(':
		return p.fail(off, end, `write only a selector, such as {service_name="api"}`,
			`unexpected "(" after metric name %q: function calls are not supported in a selector`, sel.Metric)
	case '[':
		return p.fail(off, p.rangeEnd(off), "remove the range "+strconv.Quote(p.in[off:p.rangeEnd(off)]),
			`unexpected "[" after metric name %q: range selectors are not supported`, sel.Metric)
	case '=', '!', '~':
		hint := `put label matchers inside braces, as in {service_name="api"}`
		if rest := strings.TrimRight(p.in[sel.MetricOff:], " \t\r\n"); !strings.Contains(rest, "#") {
			if _, err := Parse("{" + rest + "}"); err == nil {
				hint = "write {" + rest + "}"
			}
		}
		return p.fail(off, end, hint,
			`unexpected %s after %q: label matchers must be inside braces`, found, sel.Metric)
	}
	return p.fail(off, end, "",
		`unexpected %s after metric name %q: expected "{" or end of input`, found, sel.Metric)
}

// rangeEnd returns the end of a "[...]" range starting at off, or the end of
// the input when it is not closed.
func (p *scanner) rangeEnd(off int) int {
	if i := strings.IndexByte(p.in[off:], ']'); i >= 0 {
		return off + i + 1
	}
	return len(p.in)
}

// errAtStart reports a first token that can start no selector.
func (p *scanner) errAtStart() *Error {
	off := p.pos
	found, end := p.describe(off, false)
	switch c := p.in[off]; {
	case c == '"' || c == '\'' || c == '`':
		hint := `write the name inside braces, as in {"metric.name"}`
		if _, err := Parse("{" + p.in[off:end] + "}"); err == nil {
			hint = "write {" + p.in[off:end] + "}"
		}
		return p.fail(off, end, hint,
			`unexpected %s: a quoted metric name must be inside braces`, found)
	case isDigit(c):
		return p.fail(off, end, "",
			`unexpected %s: a metric name must start with a letter, "_" or ":"`, found)
	}
	return p.fail(off, end, `write for example {service_name="api"}`,
		`unexpected %s: expected a metric name or "{"`, found)
}

// errTrailing reports text after the closing brace.
func (p *scanner) errTrailing() *Error {
	off := p.pos
	found, end := p.describe(off, false)
	word := strings.ToLower(p.in[off:end])
	switch {
	case setOperators[word]:
		return p.fail(off, end, "query each selector separately",
			`unexpected %q after "}": set operators are not supported in a selector`, p.in[off:end])
	case p.in[off] == '[':
		return p.fail(off, p.rangeEnd(off), "remove the range "+strconv.Quote(p.in[off:p.rangeEnd(off)]),
			`unexpected "[" after "}": range selectors are not supported`)
	case p.in[off] == '{':
		return p.fail(off, end, "put all label matchers inside one pair of braces",
			`unexpected "{" after "}": a selector has only one pair of braces`)
	}
	return p.fail(off, end, `remove the text after "}"`,
		`unexpected %s after "}": expected end of input`, found)
}

// unclosed reports the end of the input inside the braces opened at open.
func (p *scanner) unclosed(open int, expected, hint string) *Error {
	if p.comment > open {
		line := p.in[p.comment:]
		if i := strings.IndexAny(line, "\r\n"); i >= 0 {
			line = line[:i]
		}
		if strings.Contains(line, "}") {
			_, col := position(p.in, p.comment)
			hint = fmt.Sprintf(`the "#" at col %d starts a comment that runs to the end of the line and hides the "}"`, col)
		}
	}
	return p.fail(open, len(p.in), hint, `unclosed "{": %s`, expected)
}

func (p *scanner) parseBraces(sel *Selector) *Error {
	open := p.pos
	p.pos++ // '{'
	p.skipTrivia()
	if p.eof() {
		return p.unclosed(open, `expected a label matcher or "}"`, `add the missing "}"`)
	}
	if p.in[p.pos] == '}' {
		p.pos++
		return nil
	}
	for {
		m, err := p.parseMatcher(open)
		if err != nil {
			return err
		}
		sel.Matchers = append(sel.Matchers, m)
		p.skipTrivia()
		if p.eof() {
			return p.unclosed(open, `expected "," or "}"`, `add the missing "}"`)
		}
		switch p.in[p.pos] {
		case '}':
			p.pos++
			return nil
		case ',':
			p.pos++
			p.skipTrivia()
			if p.eof() {
				return p.unclosed(open, `expected a label matcher or "}"`, `add the missing "}"`)
			}
			if p.in[p.pos] == '}' {
				p.pos++
				return nil
			}
		default:
			return p.errAfterMatcher()
		}
	}
}

// errAfterMatcher reports a token after a complete matcher that is neither
// "," nor "}".
func (p *scanner) errAfterMatcher() *Error {
	off := p.pos
	found, end := p.describe(off, true)
	hint := ""
	if c := p.in[off]; isAlpha(c) || c == '"' || c == '\'' || c == '`' {
		hint = `separate label matchers with ","`
	}
	return p.fail(off, end, hint, `unexpected %s after label matcher: expected "," or "}"`, found)
}

func (p *scanner) parseMatcher(open int) (Matcher, *Error) {
	var m Matcher
	start := p.pos
	switch c := p.in[start]; {
	case isAlpha(c):
		for !p.eof() && isAlphaNumeric(p.in[p.pos]) {
			p.pos++
		}
		m.Name, m.NameOff, m.NameEnd = p.in[start:p.pos], start, p.pos
		if wend := p.wordAt(start); wend > p.pos {
			name := p.in[start:wend]
			found, end := p.describe(p.pos, true)
			return m, p.fail(p.pos, end, "quote the label name: "+quote(name),
				`unexpected %s in label name %s: an unquoted label name may contain only letters, digits and "_"`,
				found, quote(name))
		}
	case c == '"' || c == '\'' || c == '`':
		name, err := p.parseString("label name", false)
		if err != nil {
			return m, err
		}
		m.Name, m.NameOff, m.NameEnd = name, start, p.pos
		p.skipTrivia()
		if p.eof() || !strings.ContainsRune("=!~", rune(p.in[p.pos])) {
			// A lone string matches the metric name.
			return Matcher{
				Name: MetricNameLabel, Op: OpEqual, Value: name,
				NameOff: start, NameEnd: m.NameEnd, ValueOff: start, ValueEnd: m.NameEnd,
			}, nil
		}
	case isDigit(c):
		end := p.wordAt(start)
		return m, p.fail(start, end, "quote the label name: "+quote(p.in[start:end]),
			`unexpected %q: an unquoted label name must start with a letter or "_"`, p.in[start:end])
	case c == ',':
		return m, p.fail(start, start+1, `remove the extra ","`,
			`unexpected ",": expected a label matcher`)
	case c == '{':
		return m, p.fail(start, start+1, "",
			`unexpected "{" inside braces: expected a label matcher`)
	default:
		found, end := p.describe(start, true)
		return m, p.fail(start, end, "", `unexpected %s: expected a label name`, found)
	}

	nameText := p.in[m.NameOff:m.NameEnd]
	p.skipTrivia()
	if p.eof() {
		return m, p.unclosed(open, fmt.Sprintf(`expected "=", "!=", "=~" or "!~" after label name %s`, nameText),
			fmt.Sprintf(`complete the matcher and close the braces, as in %s="value"}`, nameText))
	}
	opOff := p.pos
	switch c := p.in[opOff]; {
	case c == '=' && strings.HasPrefix(p.in[opOff:], "=~"):
		m.Op = OpRegexMatch
	case c == '=':
		m.Op = OpEqual
	case strings.HasPrefix(p.in[opOff:], "!="):
		m.Op = OpNotEqual
	case strings.HasPrefix(p.in[opOff:], "!~"):
		m.Op = OpRegexNoMatch
	case c == '!':
		found, end := p.describe(opOff+1, true)
		return m, p.fail(opOff, end, fmt.Sprintf(`write %s!="value" or %s!~"regex"`, nameText, nameText),
			`unexpected %s after "!": expected "!=" or "!~"`, found)
	case c == '~':
		return m, p.fail(opOff, opOff+1, fmt.Sprintf(`write %s=~"regex" for a regular-expression match`, nameText),
			`unexpected "~" after label name %s: expected "=", "!=", "=~" or "!~"`, nameText)
	default:
		found, end := p.describe(opOff, true)
		return m, p.fail(opOff, end, fmt.Sprintf(`write %s="value"`, nameText),
			`unexpected %s after label name %s: expected "=", "!=", "=~" or "!~"`, found, nameText)
	}
	p.pos += len(m.Op)

	p.skipTrivia()
	if p.eof() {
		return m, p.unclosed(open, fmt.Sprintf(`expected a quoted label value after %q`, m.Op),
			fmt.Sprintf(`complete the matcher and close the braces, as in %s%s"value"}`, nameText, m.Op))
	}
	valOff := p.pos
	regex := m.Op == OpRegexMatch || m.Op == OpRegexNoMatch
	switch c := p.in[valOff]; {
	case c == '"' || c == '\'' || c == '`':
		val, err := p.parseString("label value", regex)
		if err != nil {
			return m, err
		}
		m.Value, m.ValueOff, m.ValueEnd = val, valOff, p.pos
	case c == '=' && m.Op == OpEqual:
		return m, p.fail(valOff, valOff+1, fmt.Sprintf(`write %s="value": use "=" for equality, not "=="`, nameText),
			`unexpected "=" after "=": expected a quoted label value`)
	default:
		if end := p.wordAt(valOff); end > valOff {
			word := p.in[valOff:end]
			return m, p.fail(valOff, end, fmt.Sprintf("write %s%s%s", nameText, m.Op, quote(word)),
				`unexpected %s after %q: a label value must be quoted`, describeWord(word), m.Op)
		}
		found, end := p.describe(valOff, true)
		return m, p.fail(valOff, end, fmt.Sprintf(`write %s%s"value"`, nameText, m.Op),
			`unexpected %s after %q: expected a quoted label value`, found, m.Op)
	}
	if regex {
		if err := checkRegexp(m.Value); err != nil {
			return m, p.fail(m.ValueOff, m.ValueEnd, "",
				"invalid regular expression %s: %s", quote(m.Value), regexpErrorText(err, m.Value))
		}
	}
	return m, nil
}

// describeWord names a run of unquoted text for a message.
func describeWord(w string) string {
	if isIdentifier(w) {
		return fmt.Sprintf("identifier %q", w)
	}
	if strings.Trim(w, "0123456789.") == "" {
		return fmt.Sprintf("number %q", w)
	}
	return quote(w)
}

// describe names the token starting at off for a message and returns its
// end. inBraces selects the identifier syntax: ":" is part of a name only
// outside braces.
func (p *scanner) describe(off int, inBraces bool) (string, int) {
	if off >= len(p.in) {
		return "end of input", len(p.in)
	}
	c := p.in[off]
	switch {
	case isAlpha(c) || (!inBraces && c == ':'):
		end := off
		for end < len(p.in) && (isAlphaNumeric(p.in[end]) || (!inBraces && p.in[end] == ':')) {
			end++
		}
		return fmt.Sprintf("identifier %q", p.in[off:end]), end
	case isDigit(c):
		end := off
		for end < len(p.in) && (isAlphaNumeric(p.in[end]) || p.in[end] == '.') {
			end++
		}
		return describeWord(p.in[off:end]), end
	case c == '"' || c == '\'' || c == '`':
		end := off + 1
		for end < len(p.in) && p.in[end] != c && p.in[end] != '\n' {
			if p.in[end] == '\\' && c != '`' {
				end++
			}
			end++
		}
		if end < len(p.in) && p.in[end] == c {
			end++
		}
		end = min(end, len(p.in))
		text := p.in[off:end]
		if len(text) > 40 {
			cut := 37
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
			text = text[:cut] + "..."
		}
		return "string " + printable(text), end
	}
	for _, op := range []string{"=~", "!=", "!~", "=="} {
		if strings.HasPrefix(p.in[off:], op) {
			return strconv.Quote(op), off + 2
		}
	}
	r, w := utf8.DecodeRuneInString(p.in[off:])
	if r == utf8.RuneError && w == 1 {
		return fmt.Sprintf("byte 0x%02x (invalid UTF-8)", c), off + 1
	}
	return quote(string(r)), off + w
}

// printable returns s with invalid UTF-8 bytes written as \xNN and control
// characters escaped, for quoting source text in a message.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unicode.IsPrint(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// parseString parses a quoted string at p.pos: "..." or '...' with Go-style
// escapes, or `...` without escapes. what names the string in messages;
// regex tells whether the string is a regular expression (for hints).
func (p *scanner) parseString(what string, regex bool) (string, *Error) {
	start := p.pos
	q := p.in[start]
	p.pos++
	if q == '`' {
		for {
			if p.eof() {
				return "", p.fail(start, p.pos, "add the closing \"`\"",
					"unterminated raw string in %s: missing closing \"`\"", what)
			}
			r, w := utf8.DecodeRuneInString(p.in[p.pos:])
			if r == utf8.RuneError {
				return "", p.invalidRune(w, what, true)
			}
			p.pos += w
			if r == '`' {
				return p.in[start+1 : p.pos-1], nil
			}
		}
	}
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.fail(start, p.pos, fmt.Sprintf("add the closing %c", q),
				"unterminated string in %s: missing closing %c", what, q)
		}
		r, w := utf8.DecodeRuneInString(p.in[p.pos:])
		switch {
		case r == '\\':
			if err := p.parseEscape(&b, q, what, regex); err != nil {
				return "", err
			}
			continue
		case r == utf8.RuneError:
			return "", p.invalidRune(w, what, false)
		case r == '\n':
			return "", p.fail(start, p.pos,
				`close the string on the same line; write \n for a newline, or use a backquoted string`,
				"unterminated string in %s: a %c-quoted string cannot span lines", what, q)
		case r == rune(q):
			p.pos++
			return b.String(), nil
		}
		b.WriteString(p.in[p.pos : p.pos+w])
		p.pos += w
	}
}

// invalidRune reports the byte(s) at p.pos that decode as utf8.RuneError:
// either an invalid UTF-8 byte (w == 1) or a literal U+FFFD, which the
// grammar rejects as well.
func (p *scanner) invalidRune(w int, what string, raw bool) *Error {
	if w == 1 {
		return p.fail(p.pos, p.pos+1, "", "invalid UTF-8 byte 0x%02x in %s", p.in[p.pos], what)
	}
	hint := `write it as the escape \uFFFD`
	if raw {
		hint = `use a "..." string and write it as the escape \uFFFD`
	}
	return p.fail(p.pos, p.pos+w, hint,
		"the replacement character U+FFFD is not allowed literally in %s", what)
}

// parseEscape parses the escape sequence at p.pos (which holds '\') in a
// string quoted with q and appends the byte(s) it stands for to b.
func (p *scanner) parseEscape(b *strings.Builder, q byte, what string, regex bool) *Error {
	esc := p.pos
	p.pos++
	if p.eof() {
		return p.fail(esc, p.pos, fmt.Sprintf("add the closing %c", q),
			"unterminated escape sequence in %s at end of input", what)
	}
	r, w := utf8.DecodeRuneInString(p.in[p.pos:])
	var n int
	var base, maxVal uint32
	switch r {
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '\\':
		b.WriteByte('\\')
	case rune(q):
		b.WriteByte(q)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n, base, maxVal = 3, 8, 255
	case 'x':
		n, base, maxVal = 2, 16, 255
	case 'u':
		n, base, maxVal = 4, 16, unicode.MaxRune
	case 'U':
		n, base, maxVal = 8, 16, unicode.MaxRune
	default:
		return p.unknownEscape(esc, r, w, q, what, regex)
	}
	if n == 0 {
		p.pos += w
		return nil
	}
	if base == 16 {
		p.pos += w // the 'x', 'u' or 'U'
	}
	var x uint32
	for i := 0; i < n; i++ {
		if p.eof() {
			return p.fail(esc, p.pos, fmt.Sprintf("add the closing %c", q),
				"unterminated escape sequence %s in %s at end of input", p.in[esc:p.pos], what)
		}
		d, dw := utf8.DecodeRuneInString(p.in[p.pos:])
		v := digitVal(d)
		if v >= base {
			kind := "hexadecimal"
			if base == 8 {
				kind = "octal"
			}
			found := quote(string(d))
			if d == utf8.RuneError && dw == 1 {
				found = fmt.Sprintf("byte 0x%02x", p.in[p.pos])
			}
			return p.fail(esc, p.pos, escapeHint(n, base),
				"incomplete escape sequence %s in %s: expected %d %s digits, found %s",
				p.in[esc:p.pos], what, n, kind, found)
		}
		x = x*base + v
		p.pos += dw
	}
	seq := p.in[esc:p.pos]
	switch {
	case base == 8 && x > maxVal:
		return p.fail(esc, p.pos, "", `octal escape %s in %s is out of range: the largest is \377`, seq, what)
	case x > maxVal:
		return p.fail(esc, p.pos, "", `escape sequence %s in %s is beyond the largest code point \U0010FFFF`, seq, what)
	case 0xD800 <= x && x < 0xE000:
		return p.fail(esc, p.pos, "", "escape sequence %s in %s is a UTF-16 surrogate, not a valid code point", seq, what)
	}
	if base == 8 || n == 2 {
		// \x and octal escapes stand for one byte, which may be invalid UTF-8.
		b.WriteByte(byte(x))
	} else {
		b.WriteRune(rune(x))
	}
	return nil
}

// escapeHint suggests how to complete a numeric escape.
func escapeHint(n int, base uint32) string {
	switch {
	case base == 8:
		return `an octal escape has exactly 3 digits, as in \101`
	case n == 2:
		return `\x needs exactly 2 hexadecimal digits, as in \x41`
	case n == 4:
		return `\u needs exactly 4 hexadecimal digits, as in \u00e9`
	}
	return `\U needs exactly 8 hexadecimal digits, as in \U0001F600`
}

func (p *scanner) unknownEscape(esc int, r rune, w int, q byte, what string, regex bool) *Error {
	end := p.pos + w
	var seq string
	switch {
	case r == utf8.RuneError && w == 1:
		seq = fmt.Sprintf(`\ followed by byte 0x%02x`, p.in[p.pos])
	case unicode.IsPrint(r) && r != ' ':
		seq = `\` + string(r)
	default:
		seq = fmt.Sprintf(`\ followed by %U`, r)
	}
	var hint string
	switch {
	case (r == '"' || r == '\'') && byte(r) != q:
		hint = fmt.Sprintf("write %c without a backslash inside a %c-quoted string", r, q)
	case regex && unicode.IsPrint(r):
		hint = fmt.Sprintf("write \\\\%c to pass \\%c to the regular expression, or use a backquoted string", r, r)
	case unicode.IsPrint(r):
		hint = `write \\ for a literal backslash`
	}
	return p.fail(esc, end, hint, "unknown escape sequence %s in %s", seq, what)
}

func digitVal(r rune) uint32 {
	switch {
	case '0' <= r && r <= '9':
		return uint32(r - '0')
	case 'a' <= r && r <= 'f':
		return uint32(r - 'a' + 10)
	case 'A' <= r && r <= 'F':
		return uint32(r - 'A' + 10)
	}
	return 16
}

// regexpMeta holds the bytes that regexp.QuoteMeta escapes, except '|'.
const regexpMeta = `\.+*?()[]{}^$`

// checkRegexp validates a regular-expression matcher value the way the
// Prometheus label matcher does: a value made only of literal alternatives
// ("a|b|c", with no other metacharacter) is accepted without being parsed
// (so it may even hold invalid UTF-8); anything else must parse as RE2 with
// Perl flags and "." matching newlines, and compile fully anchored.
func checkRegexp(v string) error {
	if !strings.ContainsAny(v, regexpMeta) {
		return nil
	}
	re, err := syntax.Parse(v, syntax.Perl|syntax.DotNL)
	if err != nil {
		return err
	}
	_, err = regexp.Compile("^(?s:" + re.String() + ")$")
	return err
}

// regexpErrorText turns a regexp error into message text without the
// "error parsing regexp: " prefix.
func regexpErrorText(err error, v string) string {
	if se, ok := err.(*syntax.Error); ok {
		if se.Expr == "" || se.Expr == v {
			return string(se.Code)
		}
		return fmt.Sprintf("%s %s", se.Code, quote(se.Expr))
	}
	return err.Error()
}

// CheckRegexp reports whether v compiles as a label-matcher regular
// expression exactly as Pyroscope compiles it (fully anchored, with the
// regexp engine Prometheus uses). The error text has no "error parsing
// regexp" prefix.
func CheckRegexp(v string) error {
	if err := checkRegexp(v); err != nil {
		return errors.New(regexpErrorText(err, v))
	}
	return nil
}
