package selector

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// The reference is the Prometheus metric-selector parser that profile servers
// use; this package must accept and reject exactly the same inputs and produce
// the same matchers.
var reference = parser.NewParser(parser.Options{})

var opOfMatchType = map[labels.MatchType]Op{
	labels.MatchEqual:     OpEqual,
	labels.MatchNotEqual:  OpNotEqual,
	labels.MatchRegexp:    OpRegexMatch,
	labels.MatchNotRegexp: OpRegexNoMatch,
}

type triple struct {
	Name  string
	Op    Op
	Value string
}

func (t triple) String() string { return fmt.Sprintf("%q%s%q", t.Name, t.Op, t.Value) }

// referenceParse runs the reference parser. It returns the matchers and
// whether the input was accepted.
func referenceParse(input string) ([]triple, error) {
	ms, err := reference.ParseMetricSelector(input)
	if err != nil {
		return nil, err
	}
	out := make([]triple, 0, len(ms))
	for _, m := range ms {
		out = append(out, triple{m.Name, opOfMatchType[m.Type], m.Value})
	}
	return out, nil
}

// ourTriples lists the matchers of sel as the reference parser reports them:
// the matchers in source order, then __name__ for a metric-name prefix.
func ourTriples(sel *Selector) []triple {
	out := make([]triple, 0, len(sel.Matchers)+1)
	for _, m := range sel.Matchers {
		out = append(out, triple{m.Name, m.Op, m.Value})
	}
	if sel.Metric != "" {
		out = append(out, triple{MetricNameLabel, OpEqual, sel.Metric})
	}
	return out
}

// checkAgainstReference fails t if Parse and the reference parser disagree on
// input, and checks the invariants of Parse's result.
func checkAgainstReference(t *testing.T, input string) {
	t.Helper()
	sel, err := Parse(input)
	want, refErr := referenceParse(input)
	if referencePanicked(refErr) {
		t.Fatalf("reference parser panicked on %q", input)
	}
	switch {
	case err != nil && refErr == nil:
		t.Fatalf("Parse(%q) rejects what the reference accepts (%v): %v", input, want, err)
	case err == nil && refErr != nil:
		t.Fatalf("Parse(%q) = %v accepts what the reference rejects: %v", input, sel, refErr)
	case err != nil:
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse(%q): error %T is not *Error", input, err)
		}
		if e.Off < 0 || e.Off > e.End || e.End > len(input) {
			t.Fatalf("Parse(%q): error span [%d,%d) outside the input of length %d", input, e.Off, e.End, len(input))
		}
		if e.Msg == "" || !utf8.ValidString(e.Error()) || !utf8.ValidString(e.Hint) {
			t.Fatalf("Parse(%q): bad message %q (hint %q)", input, e.Error(), e.Hint)
		}
		return
	}
	got := ourTriples(sel)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Parse(%q) matchers differ:\n got %v\nwant %v", input, got, want)
	}
	checkSpans(t, input, sel)
	// The canonical form parses back to the same matchers, in both parsers.
	canon := sel.String()
	again, err := Parse(canon)
	if err != nil {
		t.Fatalf("Parse(%q).String() = %q does not parse: %v", input, canon, err)
	}
	if fmt.Sprint(ourTriples(again)) != fmt.Sprint(got) {
		t.Fatalf("Parse(%q).String() = %q parses to %v, want %v", input, canon, ourTriples(again), got)
	}
	if ref, err := referenceParse(canon); err != nil || fmt.Sprint(ref) != fmt.Sprint(got) {
		t.Fatalf("reference on String() %q = %v, %v; want %v", canon, ref, err, got)
	}
}

// checkSpans checks that the offsets of sel point at the tokens they describe.
func checkSpans(t *testing.T, input string, sel *Selector) {
	t.Helper()
	if sel.Metric != "" && input[sel.MetricOff:sel.MetricOff+len(sel.Metric)] != sel.Metric {
		t.Fatalf("Parse(%q): MetricOff %d does not point at %q", input, sel.MetricOff, sel.Metric)
	}
	for _, m := range sel.Matchers {
		if m.NameOff < 0 || m.NameOff >= m.NameEnd || m.NameEnd > len(input) ||
			m.ValueOff < 0 || m.ValueOff+2 > m.ValueEnd || m.ValueEnd > len(input) {
			t.Fatalf("Parse(%q): bad spans in %+v", input, m)
		}
		q := input[m.ValueOff]
		if (q != '"' && q != '\'' && q != '`') || input[m.ValueEnd-1] != q {
			t.Fatalf("Parse(%q): value span of %+v is not a quoted string", input, m)
		}
		if name := input[m.NameOff:m.NameEnd]; m.NameOff != m.ValueOff && name != m.Name && name[0] != '"' && name[0] != '\'' && name[0] != '`' {
			t.Fatalf("Parse(%q): name span %q of %+v", input, name, m)
		}
	}
}

// referencePanicked reports whether err is the error the reference parser
// returns after recovering from a runtime panic (its value is unexported).
func referencePanicked(err error) bool {
	return err != nil && err.Error() == "unexpected error"
}

// extraSeeds are inputs beyond the table cases worth checking against the
// reference.
var extraSeeds = []string{
	`sum`, `SUM{a="b"}`, `by`, `without`, `offset`, `start`, `end`, `step`, `range`,
	`anchored`, `smoothed`, `limitk`, `limit_ratio`, `and`, `unless`, `OR`, `group`,
	`ignoring`, `group_left`, `group_right`, `atan2`, `nan`, `NaN`, `Inf`, `fill(`, `fill (`,
	`fill_left`, `fill_right{}`, `::`, `_`, `a:b:c{}`, `{_=""}`, `{a="b"}(`, `{a="b"})`,
	`{a="\x41"}`, `{a="\101"}`, `{a="\u00e9"}`, `{a="\U0001F600"}`, `{a="\a\b\f\n\r\t\v"}`,
	`{a=~"\xff|b"}`, `{a=~"\xff(b)"}`, `{a=~".*foo.*|.*bar.*"}`, `{a=~"\\pN"}`,
	`{a=~"\\Q(\\E"}`, `{a=~"[[:alpha:]]"}`, `{a=~"(?P<n>x)"}`, `{a=~"x{2,1}"}`,
	`{a=~"(?z)"}`, `{a=~"[z-a]"}`, `{a=~"\\8"}`, "{a=`\\`}", `{'a'}`, "{`a`=`b`}",
	`{"a"=~"("}`, `{"\xff"="a"}`, `{""}`, `foo{"bar", baz="q"}`, `{a="b", "c"}`,
	`{a="b"} # c`, "# c\n{a=\"b\"}", "foo # c\n{a=\"b\"}", "{a=\"b\" # c\n}", "{# c\n}",
	"{a=\"b\"\r\n}", "{a=\"b\"\v}", "\x00", "{a=\"\x00\"}", "{\xff}", "{a=\"b\"}\xff",
	`{a=~"a{1000}"}`, `{a=~"(a{1000}){1000}"}`, `{a=~"((((((((((a))))))))))"}`,
	`{a!~"(?i)ß"}`, `{a=~"\\C"}`, `{a=~"\\z"}`, `{a=~"^$"}`, `{a=~"\\b"}`, `{a="\uFFFF"}`,
	`{a="\U0010FFFF"}`, `{a="\377"}`, `{a="\x"}`, `{a="\u12"}`, `{a="\u12G4"}`,
	`{a="\ud7ff"}`, `{a="\ue000"}`, `{a="\udfff"}`, `foo{} # x`, `foo{}#x`, `foo#x`,
	`{a="b"}#`, `{a="b"} @ 5`, `foo @ 5`, `{a="b"} offset 5m`, `{a="b"}[5m:1m]`, `-foo`,
	`+foo`, `foo{a="b"} or bar`, `{a="b", b!="", c=~".+", d!~"^$"}`, `__name__`,
	`{a=~"\\\\"}`, `{a="\\"}`, `{a='\\'}`, "{a='\n'}", "{a=`\n`}",
	`{on="x", bool="y", inf="z", nan="w", by="v", or="u"}`, `{a=~"\\p{Han}|\\PL|[\\p{^Lu}]"}`,
	`{a=~"\\p{Zanabazar_Square}"}`, `{a=~"\\p{Lc}"}`, `{a=~"\\p{LC}"}`, `{a=~"\\p{Any}"}`,
	`{a=~"\\p{Assigned}"}`, `{a=~"\\pL\\pN"}`, `{a=~"(?i)ſ|k"}`, `{a=~"\\Q\\p{x}\\E"}`,
}

func TestDifferential(t *testing.T) {
	var inputs []string
	for _, tc := range acceptCases {
		inputs = append(inputs, tc.in)
	}
	for _, tc := range rejectCases {
		inputs = append(inputs, tc.in)
	}
	inputs = append(inputs, extraSeeds...)
	for _, in := range inputs {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) { checkAgainstReference(t, in) })
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range acceptCases {
		f.Add(tc.in)
	}
	for _, tc := range rejectCases {
		f.Add(tc.in)
	}
	for _, in := range extraSeeds {
		f.Add(in)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		f.Add(generateSelector(rng))
	}
	f.Fuzz(func(t *testing.T, input string) {
		checkAgainstReference(t, input)
	})
}

// fragments are the pieces TestDifferentialGenerated glues together: valid
// tokens, near-misses and junk, so that random sequences reach deep into the
// grammar far more often than byte-level mutation does.
var fragments = []string{
	"{", "}", "{", "}", ",", ",", "=", "!=", "=~", "!~", "==", "!", "~", " ", " ", "\t", "\n", "\r",
	"# c\n", "#", "(", ")", "[5m]", "[", "]", ".", "-", ":", "@", "\f",
	"a", "service_name", "_", "__name__", "on", "bool", "inf", "NaN", "sum", "or", "fill", "fill(",
	"process_cpu:cpu:nanoseconds:cpu:nanoseconds", "memory:alloc::", "1", "1a", "é", "\xff", "\uFFFD",
	`"x"`, `""`, `'x'`, "`x`", `"a.b"`, `'it''`, `"\"`, `"\q"`, `"\x41"`, `"\x4"`, `"\101"`, `"\400"`,
	`"\u00e9"`, `"\uD800"`, `"\U0010FFFF"`, `"\U00110000"`, `"\'"`, `'\"'`, `'\''`, "`\\`", `"\xff"`,
	`".*"`, `"("`, `")"`, `"a|b"`, `"\\pL"`, `"\\pl"`, `"\\p{Greek}"`, `"\\p{greek}"`, `"\\p{Old_Italic}"`,
	`"\\p{Letter}"`, `"[\\p{^Lu}]"`, `"\\P{Any}"`, `"\\Q(\\E"`, `"x{1001}"`, `"(?i)k"`, `"[[:alpha:]]"`,
	`"\xff|a"`, `"\xff("`, `"a**"`, `"\\8"`, `"(?P<n>a)"`, `"[z-a]"`, `"\\C"`, "\"", "'", "`",
}

// Pools for generateSelector.
var (
	genMetrics = []string{"", "", "foo", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "memory:alloc::", "sum", "or", "fill", "on", "Inf", ":", "_x"}
	genNames   = []string{"a", "service_name", "__name__", "_", "on", "bool", `"a.b"`, `""`, "'x'", "`y`", `"\x41"`, `"\q"`, "1a", "a.b", "é"}
	genOps     = []string{"=", "!=", "=~", "!~", "=", "=~", "==", "!", "~", ""}
	genValues  = []string{
		`"x"`, `""`, `'x'`, "`x`", `"a\nb"`, `"\x41"`, `"\xff"`, `"\101"`, `"\400"`, `"\u00e9"`, `"\uD800"`,
		`"\U0010FFFF"`, `"\U00110000"`, `"\'"`, `'\"'`, `'\''`, "`\\`", `"\q"`, `"\"`, `"\x4"`, "\"\xff\"", "\"\uFFFD\"",
		`".*"`, `"("`, `")"`, `"a|b"`, `"a||"`, `"\\pL"`, `"\\pl"`, `"\\p{Greek}"`, `"\\p{greek}"`, `"\\p{Old_Italic}"`,
		`"\\p{Letter}"`, `"[\\p{^Lu}]"`, `"\\P{Any}"`, `"\\p{Assigned}"`, `"\\p{ASCII}"`, `"\\Q(\\E"`, `"x{1001}"`,
		`"x{2}{3}"`, `"(?i)k"`, `"[[:alpha:]]"`, `"[[:foo:]]"`, `"\xff|a"`, `"\xff("`, `"a**"`, `"\\8"`, `"(?P<n>a)"`,
		`"(?<n>a)"`, `"[z-a]"`, `"\\C"`, `".*foo.*|.*bar.*"`, `"\\b\\B\\A\\z"`, `"\\Z"`, `"(?U)a+"`, `"(?s-i:.)"`,
		"api", "1", `"x`, "",
	}
	genSpace = []string{"", "", "", " ", "\t", "\n", "# c\n", "#", "\r\n", "\f"}
)

// generateSelector builds a mostly well-formed selector from the pools
// above and sometimes damages it.
func generateSelector(rng *rand.Rand) string {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	var b strings.Builder
	b.WriteString(pick(genSpace))
	b.WriteString(pick(genMetrics))
	b.WriteString(pick(genSpace))
	if b.Len() == 0 || rng.IntN(5) > 0 {
		b.WriteString("{")
		for k := rng.IntN(4); k > 0; k-- {
			b.WriteString(pick(genSpace))
			b.WriteString(pick(genNames))
			if rng.IntN(6) > 0 {
				b.WriteString(pick(genSpace))
				b.WriteString(pick(genOps))
				b.WriteString(pick(genSpace))
				b.WriteString(pick(genValues))
			}
			b.WriteString(pick(genSpace))
			if k > 1 || rng.IntN(3) == 0 {
				b.WriteString(",")
			}
		}
		b.WriteString(pick(genSpace))
		if rng.IntN(20) > 0 {
			b.WriteString("}")
		}
	}
	b.WriteString(pick(genSpace))
	s := b.String()
	if rng.IntN(4) == 0 {
		// Damage: insert, delete or replace a fragment at a random place.
		i := rng.IntN(len(s) + 1)
		j := min(len(s), i+rng.IntN(3))
		frag := pick(fragments)
		if rng.IntN(3) == 0 {
			frag = ""
		}
		s = s[:i] + frag + s[j:]
	}
	return s
}

func TestDifferentialGenerated(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		var in string
		if i%4 == 0 {
			// Random fragment soup.
			var b strings.Builder
			for k := rng.IntN(8); k >= 0; k-- {
				b.WriteString(fragments[rng.IntN(len(fragments))])
			}
			in = b.String()
		} else {
			in = generateSelector(rng)
		}
		checkAgainstReference(t, in)
	}
}
