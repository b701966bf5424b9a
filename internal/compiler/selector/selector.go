// Package selector parses the label-selector language used for profile
// queries, such as
//
//	process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api", env=~"prod|staging"}
//
// The accepted language is exactly the one accepted by the Prometheus
// metric-selector parser that profile servers use (promql/parser
// ParseMetricSelector): the same inputs are accepted and rejected, and an
// accepted input yields the same matchers. This parser adds exact byte
// positions for every token and error, and error messages that say what was
// found, what was expected and, where obvious, how to fix it.
//
// Summary of the grammar:
//
//	selector = metric | [metric] "{" [matcher {"," matcher} [","]] "}"
//	metric   = [a-zA-Z_:][a-zA-Z0-9_:]*   (except a few reserved words)
//	matcher  = name op string | string    (a lone string matches __name__)
//	name     = [a-zA-Z_][a-zA-Z0-9_]* | string
//	op       = "=" | "!=" | "=~" | "!~"
//	string   = "..." | '...' | `...`
//
// Spaces, tabs, newlines and carriage returns may appear between tokens, and
// "#" starts a comment that runs to the end of the line.
package selector

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Op is a label-matching operator.
type Op string

// The four label-matching operators.
const (
	// OpEqual matches values equal to the given string.
	OpEqual Op = "="
	// OpNotEqual matches values not equal to the given string.
	OpNotEqual Op = "!="
	// OpRegexMatch matches values fully matched by the given regular expression.
	OpRegexMatch Op = "=~"
	// OpRegexNoMatch matches values not fully matched by the given regular expression.
	OpRegexNoMatch Op = "!~"
)

// MetricNameLabel is the label name that a metric (profile-type) name is
// matched against, as in {__name__="process_cpu:cpu:nanoseconds:cpu:nanoseconds"}.
const MetricNameLabel = "__name__"

// Matcher is one label matcher of a selector, such as service_name="api".
//
// For the lone-string form {"metric.name"}, Name is MetricNameLabel, Op is
// OpEqual, and both the name and the value span cover the quoted string.
type Matcher struct {
	// Name is the label name, unquoted if it was written as a string.
	Name string
	// Op is the matching operator.
	Op Op
	// Value is the unquoted value. It may hold bytes that are not valid UTF-8
	// when the source used \x or octal escapes.
	Value string
	// NameOff and NameEnd are the byte offsets into the input of the name
	// token (quotes included for a quoted name); NameEnd is exclusive.
	NameOff, NameEnd int
	// ValueOff and ValueEnd are the byte offsets into the input of the quoted
	// value token, quotes included; ValueEnd is exclusive.
	ValueOff, ValueEnd int
}

// Selector is a parsed label selector.
type Selector struct {
	// Metric is the metric name (profile-type prefix) written before "{",
	// or "" if there is none.
	Metric string
	// MetricOff is the byte offset of Metric in the input; it is 0 when
	// Metric is "".
	MetricOff int
	// Matchers are the matchers inside the braces in source order. They do
	// not include a matcher for Metric: a selector with a metric name also
	// matches __name__ equal to Metric.
	Matchers []Matcher
}

// Error is a parse error. Off and End are byte offsets into the input of the
// offending text (End is exclusive and may equal Off).
type Error struct {
	// Off is the byte offset where the error starts.
	Off int
	// End is the exclusive byte offset where the error ends.
	End int
	// Msg says what was found and what was expected.
	Msg string
	// Hint, when not empty, says how to fix the input.
	Hint string

	// input is kept so that Error can report a column.
	input string
}

// Error returns the message prefixed with the 1-based column of Off,
// counted in runes, as in `col 5: unclosed "{": expected "," or "}"`. For an
// input of several lines the column is counted within the line of Off and
// the line is given too, as in "line 2, col 3: ...".
func (e *Error) Error() string {
	line, col := position(e.input, e.Off)
	if line > 1 {
		return fmt.Sprintf("line %d, col %d: %s", line, col, e.Msg)
	}
	return fmt.Sprintf("col %d: %s", col, e.Msg)
}

// position converts a byte offset into input to a 1-based line and a 1-based
// column counted in runes within that line (an invalid UTF-8 byte counts as
// one rune). Lines are separated by "\n".
func position(input string, off int) (line, col int) {
	if off > len(input) {
		off = len(input)
	}
	if off < 0 {
		off = 0
	}
	before := input[:off]
	line = 1 + strings.Count(before, "\n")
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCountInString(before)
}

// String returns the selector in canonical form, such as
// `metric{name="value", other=~"re"}` or `{name="value"}`, with every value
// re-quoted. Label names that are not plain identifiers are quoted too. The
// result parses back to the same selector (offsets aside).
func (s *Selector) String() string {
	var b strings.Builder
	b.WriteString(s.Metric)
	b.WriteByte('{')
	for i, m := range s.Matchers {
		if i > 0 {
			b.WriteString(", ")
		}
		if isIdentifier(m.Name) {
			b.WriteString(m.Name)
		} else {
			b.WriteString(quote(m.Name))
		}
		b.WriteString(string(m.Op))
		b.WriteString(quote(m.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// quote quotes s like strconv.Quote, except that U+FFFD is escaped: the
// grammar rejects a literal U+FFFD inside a string.
func quote(s string) string {
	return strings.ReplaceAll(strconv.Quote(s), "\uFFFD", `\uFFFD`)
}

// isIdentifier reports whether s is a label name that needs no quotes.
func isIdentifier(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isAlphaNumeric(s[i]) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlphaNumeric(c byte) bool { return isAlpha(c) || isDigit(c) }

func isMetricChar(c byte) bool { return isAlphaNumeric(c) || c == ':' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
