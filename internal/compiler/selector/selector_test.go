package selector

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// mt builds an expected matcher.
func mt(name string, op Op, value string, nameOff, nameEnd, valueOff, valueEnd int) Matcher {
	return Matcher{Name: name, Op: op, Value: value, NameOff: nameOff, NameEnd: nameEnd, ValueOff: valueOff, ValueEnd: valueEnd}
}

type acceptCase struct {
	in        string
	metric    string
	metricOff int
	want      []Matcher
}

var acceptCases = []acceptCase{
	{in: `{}`},
	{in: `{x=""}`, want: []Matcher{mt("x", OpEqual, "", 1, 2, 3, 5)}},
	{in: `{service_name="api"}`, want: []Matcher{mt("service_name", OpEqual, "api", 1, 13, 14, 19)}},
	{
		in:     `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}`,
		metric: "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
		want:   []Matcher{mt("service_name", OpEqual, "x", 44, 56, 57, 60)},
	},
	{
		in:     `memory:alloc_in_new_tlab_bytes:bytes::{service_name="x"}`,
		metric: "memory:alloc_in_new_tlab_bytes:bytes::",
		want:   []Matcher{mt("service_name", OpEqual, "x", 39, 51, 52, 55)},
	},
	{in: `foo`, metric: "foo"},
	{in: "  foo  ", metric: "foo", metricOff: 2},
	{in: `foo{}`, metric: "foo"},
	{in: `{a!="x", b=~".*", c!~"x"}`, want: []Matcher{
		mt("a", OpNotEqual, "x", 1, 2, 4, 7),
		mt("b", OpRegexMatch, ".*", 9, 10, 12, 16),
		mt("c", OpRegexNoMatch, "x", 18, 19, 21, 24),
	}},
	{in: `{a="b",}`, want: []Matcher{mt("a", OpEqual, "b", 1, 2, 3, 6)}},
	{in: `{ a = "b" , }`, want: []Matcher{mt("a", OpEqual, "b", 2, 3, 6, 9)}},
	{in: `{a="1", a="2"}`, want: []Matcher{mt("a", OpEqual, "1", 1, 2, 3, 6), mt("a", OpEqual, "2", 8, 9, 10, 13)}},
	{in: `{"service.name"="x"}`, want: []Matcher{mt("service.name", OpEqual, "x", 1, 15, 16, 19)}},
	{in: `{"metric.name"}`, want: []Matcher{mt("__name__", OpEqual, "metric.name", 1, 14, 1, 14)}},
	{in: `foo{"bar"}`, metric: "foo", want: []Matcher{mt("__name__", OpEqual, "bar", 4, 9, 4, 9)}},
	{in: `{a="\"\\\n\x41\u00e9"}`, want: []Matcher{mt("a", OpEqual, "\"\\\nAé", 1, 2, 3, 21)}},
	{in: `{a='say "hi"'}`, want: []Matcher{mt("a", OpEqual, `say "hi"`, 1, 2, 3, 13)}},
	{in: `{a='\''}`, want: []Matcher{mt("a", OpEqual, `'`, 1, 2, 3, 7)}},
	{in: "{a=`C:\\path\\q`}", want: []Matcher{mt("a", OpEqual, `C:\path\q`, 1, 2, 3, 14)}},
	{in: "{a=`two\nlines`}", want: []Matcher{mt("a", OpEqual, "two\nlines", 1, 2, 3, 14)}},
	{in: `{a="b"} # trailing comment`, want: []Matcher{mt("a", OpEqual, "b", 1, 2, 3, 6)}},
	{in: "{a=\"b\", # note\n c=\"d\"}", want: []Matcher{mt("a", OpEqual, "b", 1, 2, 3, 6), mt("c", OpEqual, "d", 16, 17, 18, 21)}},
	{in: "# header\nfoo", metric: "foo", metricOff: 9},
	{in: `sum{a="b"}`, metric: "sum", want: []Matcher{mt("a", OpEqual, "b", 4, 5, 6, 9)}},
	{in: `or`, metric: "or"},
	{in: `fill`, metric: "fill"},
	{in: `:{}`, metric: ":"},
	{in: `{a=~"\xff"}`, want: []Matcher{mt("a", OpRegexMatch, "\xff", 1, 2, 4, 10)}},
	{in: `{""="x"}`, want: []Matcher{mt("", OpEqual, "x", 1, 3, 4, 7)}},
	{in: "\t{a=\"b\"\r}\n", want: []Matcher{mt("a", OpEqual, "b", 2, 3, 4, 7)}},
	{in: `{a=~""}`, want: []Matcher{mt("a", OpRegexMatch, "", 1, 2, 4, 6)}},
	{in: `{a=~"a||b"}`, want: []Matcher{mt("a", OpRegexMatch, "a||b", 1, 2, 4, 10)}},
	{in: `{a="\000"}`, want: []Matcher{mt("a", OpEqual, "\x00", 1, 2, 3, 9)}},
	{in: `{a="\U0010FFFF"}`, want: []Matcher{mt("a", OpEqual, "\U0010FFFF", 1, 2, 3, 15)}},
	{in: `{a=~"(?i)k"}`, want: []Matcher{mt("a", OpRegexMatch, "(?i)k", 1, 2, 4, 11)}},
	{in: `{__name__="foo"}`, want: []Matcher{mt("__name__", OpEqual, "foo", 1, 9, 10, 15)}},
	{in: `{a=#c` + "\n" + `"b"}`, want: []Matcher{mt("a", OpEqual, "b", 1, 2, 6, 9)}},
	{in: `{a="é"}`, want: []Matcher{mt("a", OpEqual, "é", 1, 2, 3, 7)}},
	{in: `{a="\uFFFD"}`, want: []Matcher{mt("a", OpEqual, "\uFFFD", 1, 2, 3, 11)}},
	// Unicode class names follow the regexp fork that Prometheus uses: exact
	// table names such as Old_Italic are accepted (the standard library of
	// Go 1.26 rejects them).
	{in: `{a=~"\\p{Old_Italic}"}`, want: []Matcher{mt("a", OpRegexMatch, `\p{Old_Italic}`, 1, 2, 4, 21)}},
	{in: `{a=~"\\p{Greek}+"}`, want: []Matcher{mt("a", OpRegexMatch, `\p{Greek}+`, 1, 2, 4, 17)}},
}

func TestParseAccept(t *testing.T) {
	for _, tc := range acceptCases {
		sel, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): unexpected error %v", tc.in, err)
			continue
		}
		if sel.Metric != tc.metric || sel.MetricOff != tc.metricOff {
			t.Errorf("Parse(%q): metric %q at %d, want %q at %d", tc.in, sel.Metric, sel.MetricOff, tc.metric, tc.metricOff)
		}
		if len(sel.Matchers) != len(tc.want) || (len(tc.want) > 0 && !reflect.DeepEqual(sel.Matchers, tc.want)) {
			t.Errorf("Parse(%q):\n got %+v\nwant %+v", tc.in, sel.Matchers, tc.want)
		}
	}
}

type rejectCase struct {
	in       string
	off, end int
	msg      string // substring of Error.Msg
	hint     string // substring of Error.Hint
}

var rejectCases = []rejectCase{
	{in: ``, off: 0, end: 0, msg: `empty selector: expected a metric name or "{"`},
	{in: `   `, off: 3, end: 3, msg: `empty selector`},
	{in: `# just a comment`, off: 16, end: 16, msg: `empty selector`},
	{in: `service_name="x"`, off: 12, end: 13, msg: `unexpected "=" after "service_name": label matchers must be inside braces`, hint: `write {service_name="x"}`},
	{in: `service_name = "x", env!="dev"`, off: 13, end: 14, msg: `label matchers must be inside braces`, hint: `write {service_name = "x", env!="dev"}`},
	{in: `{service_name="x"`, off: 0, end: 17, msg: `unclosed "{": expected "," or "}"`, hint: `add the missing "}"`},
	{in: `{service_name=api}`, off: 14, end: 17, msg: `unexpected identifier "api" after "=": a label value must be quoted`, hint: `write service_name="api"`},
	{in: `{a="\q"}`, off: 4, end: 6, msg: `unknown escape sequence \q in label value`, hint: `write \\ for a literal backslash`},
	{in: `{a=~"\d+"}`, off: 5, end: 7, msg: `unknown escape sequence \d in label value`, hint: `write \\d to pass \d to the regular expression`},
	{in: `{a=~"("}`, off: 4, end: 7, msg: `invalid regular expression "(": missing closing )`},
	{in: `{a!~"x**"}`, off: 4, end: 9, msg: `invalid regular expression "x**": invalid nested repetition operator "**"`},
	{in: `{a=~"\\"}`, off: 4, end: 8, msg: `invalid regular expression "\\": trailing backslash at end of expression`},
	{in: `{a=~"\xff("}`, off: 4, end: 11, msg: `invalid regular expression "\xff(": invalid UTF-8`},
	{in: `{a=~"a{1001}"}`, off: 4, end: 13, msg: `invalid repeat count "{1001}"`},
	{in: `my-app:cpu{}`, off: 2, end: 3, msg: `unexpected "-" in metric name "my-app:cpu"`, hint: `{__name__="my-app:cpu"}`},
	{in: `{service.name="x"}`, off: 8, end: 9, msg: `unexpected "." in label name "service.name"`, hint: `quote the label name: "service.name"`},
	{in: `{a:b="x"}`, off: 2, end: 3, msg: `unexpected ":" in label name "a:b"`},
	{in: `{1a="x"}`, off: 1, end: 3, msg: `unexpected "1a": an unquoted label name must start with a letter or "_"`, hint: `"1a"`},
	{in: `{a="b"} or {c="d"}`, off: 8, end: 10, msg: `unexpected "or" after "}": set operators are not supported`},
	{in: `rate(x[5m])`, off: 4, end: 5, msg: `unexpected "(" after metric name "rate": function calls are not supported`},
	{in: `x[5m]`, off: 1, end: 5, msg: `range selectors are not supported`, hint: `remove the range "[5m]"`},
	{in: `{a="b"}[5m]`, off: 7, end: 11, msg: `range selectors are not supported`},
	{in: `{a="b"} x`, off: 8, end: 9, msg: `unexpected identifier "x" after "}": expected end of input`},
	{in: `{a="b"} offset 5m`, off: 8, end: 14, msg: `unexpected identifier "offset" after "}"`},
	{in: `{a="b"}}`, off: 7, end: 8, msg: `unexpected "}" after "}"`},
	{in: `{a="x"}{b="y"}`, off: 7, end: 8, msg: `a selector has only one pair of braces`},
	{in: `{a="b",,}`, off: 7, end: 8, msg: `unexpected ",": expected a label matcher`, hint: `remove the extra ","`},
	{in: `{,}`, off: 1, end: 2, msg: `unexpected ","`},
	{in: `{{}`, off: 1, end: 2, msg: `unexpected "{" inside braces`},
	{in: `{a}`, off: 2, end: 3, msg: `unexpected "}" after label name a: expected "=", "!=", "=~" or "!~"`, hint: `write a="value"`},
	{in: `{a~"b"}`, off: 2, end: 3, msg: `unexpected "~" after label name a`, hint: `a=~"regex"`},
	{in: `{a!"b"}`, off: 2, end: 6, msg: `unexpected string "b" after "!": expected "!=" or "!~"`},
	{in: `{a == "x"}`, off: 4, end: 5, msg: `unexpected "=" after "=": expected a quoted label value`, hint: `not "=="`},
	{in: `{a=~~"b"}`, off: 4, end: 5, msg: `unexpected "~" after "=~": expected a quoted label value`},
	{in: `{a=}`, off: 3, end: 4, msg: `unexpected "}" after "=": expected a quoted label value`},
	{in: `{a=1}`, off: 3, end: 4, msg: `unexpected number "1" after "=": a label value must be quoted`, hint: `write a="1"`},
	{in: `{a=my-app}`, off: 3, end: 9, msg: `unexpected "my-app" after "=": a label value must be quoted`, hint: `write a="my-app"`},
	{in: `{a="x" b="y"}`, off: 7, end: 8, msg: `unexpected identifier "b" after label matcher: expected "," or "}"`, hint: `separate label matchers with ","`},
	{in: `{"a" "b"}`, off: 5, end: 8, msg: `unexpected string "b" after label matcher`},
	{in: "{a=\"b\"\f}", off: 6, end: 7, msg: `unexpected "\f" after label matcher`},
	{in: `{`, off: 0, end: 1, msg: `unclosed "{": expected a label matcher or "}"`},
	{in: `{a=`, off: 0, end: 3, msg: `unclosed "{": expected a quoted label value after "="`},
	{in: `{a`, off: 0, end: 2, msg: `unclosed "{": expected "=", "!=", "=~" or "!~" after label name a`},
	{in: `{a="b",`, off: 0, end: 7, msg: `unclosed "{": expected a label matcher or "}"`},
	{in: `{a="b"#c}`, off: 0, end: 9, msg: `unclosed "{"`, hint: `the "#" at col 7 starts a comment`},
	{in: `on`, off: 0, end: 2, msg: `"on" is a reserved word`, hint: `write {__name__="on"}`},
	{in: `inf{}`, off: 0, end: 3, msg: `"inf" is a reserved word`},
	{in: `Bool`, off: 0, end: 4, msg: `"Bool" is a reserved word`},
	{in: `1{}`, off: 0, end: 1, msg: `unexpected number "1": a metric name must start with a letter`},
	{in: `"foo"{}`, off: 0, end: 5, msg: `unexpected string "foo": a quoted metric name must be inside braces`, hint: `write {"foo"}`},
	{in: `foo bar`, off: 4, end: 7, msg: `unexpected identifier "bar" after metric name "foo": expected "{" or end of input`},
	{in: "{a=\"x\ny\"}", off: 3, end: 5, msg: `unterminated string in label value: a "-quoted string cannot span lines`},
	{in: `{a="abc`, off: 3, end: 7, msg: `unterminated string in label value: missing closing "`},
	{in: "{a=`abc", off: 3, end: 7, msg: "unterminated raw string in label value"},
	{in: `{a="\`, off: 4, end: 5, msg: `unterminated escape sequence`},
	{in: `{a="\x4"}`, off: 4, end: 7, msg: `incomplete escape sequence \x4 in label value: expected 2 hexadecimal digits, found "\""`, hint: `\x41`},
	{in: `{a="\0"}`, off: 4, end: 6, msg: `incomplete escape sequence \0 in label value: expected 3 octal digits`},
	{in: `{a="\uD800"}`, off: 4, end: 10, msg: `escape sequence \uD800 in label value is a UTF-16 surrogate`},
	{in: `{a="\U00110000"}`, off: 4, end: 14, msg: `beyond the largest code point`},
	{in: `{a="\400"}`, off: 4, end: 8, msg: `octal escape \400 in label value is out of range`},
	{in: `{a="\'"}`, off: 4, end: 6, msg: `unknown escape sequence \' in label value`, hint: `write ' without a backslash`},
	{in: `{a='\"'}`, off: 4, end: 6, msg: `unknown escape sequence \" in label value`},
	{in: `{"a\q"="b"}`, off: 3, end: 5, msg: `unknown escape sequence \q in label name`},
	{in: "{a=\"\xff\"}", off: 4, end: 5, msg: `invalid UTF-8 byte 0xff in label value`},
	{in: "{a=`\xff`}", off: 4, end: 5, msg: `invalid UTF-8 byte 0xff in label value`},
	{in: "{a=\"\uFFFD\"}", off: 4, end: 7, msg: `U+FFFD is not allowed`, hint: `\uFFFD`},
	{in: "{a=\"b\", a.b=\"c\"}", off: 9, end: 10, msg: `unexpected "." in label name "a.b"`},
	{in: `({a="b"})`, off: 0, end: 1, msg: `unexpected "(": expected a metric name or "{"`},
	// Found by FuzzParse: the message must stay valid UTF-8.
	{in: "\"\xc8", off: 0, end: 2, msg: `unexpected string "\xc8: a quoted metric name must be inside braces`},
	// Unicode class names the standard library of Go 1.26 accepts (aliases,
	// case-insensitive names) but the regexp fork used by Prometheus rejects.
	{in: `{a=~"\\pl"}`, off: 4, end: 10, msg: `invalid regular expression "\\pl": invalid character class range`},
	{in: `{a=~"\\p{Letter}"}`, off: 4, end: 17, msg: `invalid character class range`},
	{in: `{a!~"[\\p{ascii}]"}`, off: 4, end: 18, msg: `invalid character class range "\\p{ascii}"`},
}

func TestParseReject(t *testing.T) {
	for _, tc := range rejectCases {
		sel, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tc.in, sel)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q): error %T is not *Error", tc.in, err)
			continue
		}
		if e.Off != tc.off || e.End != tc.end {
			t.Errorf("Parse(%q): error at [%d,%d), want [%d,%d): %s", tc.in, e.Off, e.End, tc.off, tc.end, e.Msg)
		}
		if !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("Parse(%q): message %q does not contain %q", tc.in, e.Msg, tc.msg)
		}
		if !strings.Contains(e.Hint, tc.hint) {
			t.Errorf("Parse(%q): hint %q does not contain %q", tc.in, e.Hint, tc.hint)
		}
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{service_name=api}`, `col 15: unexpected identifier "api" after "=": a label value must be quoted`},
		{`{é="x"}`, `col 2: unexpected "é": expected a label name`},
		{`{a="é", b=c}`, `col 11: unexpected identifier "c" after "=": a label value must be quoted`},
		{"{a=\"b\",\n  c=d}", `line 2, col 5: unexpected identifier "d" after "=": a label value must be quoted`},
		{``, `col 1: empty selector: expected a metric name or "{"`},
	} {
		_, err := Parse(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q) error = %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{}`, `{}`},
		{`foo`, `foo{}`},
		{
			`process_cpu:cpu:nanoseconds:cpu:nanoseconds{ service_name = 'api' , env=~"a|b", }`,
			`process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api", env=~"a|b"}`,
		},
		{`{"service.name"="x", "metric.name"}`, `{"service.name"="x", __name__="metric.name"}`},
		{"{a=`\\d+`, b!~'x'}", `{a="\\d+", b!~"x"}`},
		{`{a="\uFFFD\xff"}`, `{a="\uFFFD\xff"}`},
		{`{""="x"}`, `{""="x"}`},
	} {
		sel, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := sel.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %s, want %s", tc.in, got, tc.want)
		}
		again, err := Parse(sel.String())
		if err != nil {
			t.Errorf("Parse(%q) of String(): %v", sel.String(), err)
			continue
		}
		if again.String() != sel.String() {
			t.Errorf("String() is not stable: %s then %s", sel.String(), again.String())
		}
	}
}
