package check

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/selector"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// rule is a check written in Go, named in the schema by @check(name, args…),
// together with what it requires in words. Each rule is small and named
// after what it checks.
type rule struct {
	check func(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos)
	// describe says what the rule requires, for the reference pages and
	// the JSON Schema generated from the schema.
	describe func(c model.Check) string
}

// rules are every rule the schema's @check attributes may name, by name.
var rules map[string]rule

func init() {
	// Set in init: the rules run the validator, which looks rules up.
	rules = map[string]rule{
		"regexp": {checkRegexp, func(model.Check) string {
			return "must compile as a Go (RE2) regular expression"
		}},
		"exactlyOne": {checkExactlyOne, func(c model.Check) string {
			return "exactly one of " + argList(c)
		}},
		"atMostOne": {checkAtMostOne, func(c model.Check) string {
			return "at most one of " + argList(c)
		}},
		"maxItems": {checkMaxItems, func(c model.Check) string {
			return fmt.Sprintf("at most %s items", strings.Trim(arg(c, 0), "`"))
		}},
		"profileType": {checkProfileType, func(model.Check) string {
			return "a Pyroscope profile type ID (`name:sample_type:sample_unit:period_type:period_unit`, optionally `:delta`) or a short name from the profile type table"
		}},
		"selector": {checkSelector, func(model.Check) string {
			return "a label selector such as `{service_name=\"api\"}` in the grammar Pyroscope parses; lowered to `service` and `filters`"
		}},
		"labelFilter": {checkLabelFilter, func(model.Check) string {
			return "a label name the Perses editor can show, and a valid RE2 value for `=~` and `!~`"
		}},
		"pyroscopeEndpoints": {checkPyroscopeEndpoints, func(model.Check) string {
			return "compared with the endpoints the Pyroscope plugin calls: legacy routes are flagged, missing ones named"
		}},
		"requiresTrue": {checkRequiresTrue, func(c model.Check) string {
			return fmt.Sprintf("%s only when %s is true", arg(c, 0), arg(c, 1))
		}},
		"listRequiresTrue": {checkListRequiresTrue, func(c model.Check) string {
			return fmt.Sprintf("%s may list several values only when %s is true", arg(c, 0), arg(c, 1))
		}},
		"nonEmptyWhenTrue": {checkNonEmptyWhenTrue, func(c model.Check) string {
			return fmt.Sprintf("%s must not be empty when %s is true", arg(c, 0), arg(c, 1))
		}},
	}
}

// arg is a rule's i-th argument as the descriptions quote it.
func arg(c model.Check, i int) string {
	if i < len(c.Args) {
		return "`" + c.Args[i] + "`"
	}
	return "?"
}

// argList is every argument of a rule, quoted, separated by commas.
func argList(c model.Check) string {
	var q []string
	for _, a := range c.Args {
		q = append(q, "`"+a+"`")
	}
	return strings.Join(q, ", ")
}

// Describe says in words what the rule c names requires, for the
// reference pages generated from the schema; "" for an unknown rule.
func Describe(c model.Check) string {
	if r, ok := rules[c.Rule]; ok {
		return r.describe(c)
	}
	return ""
}

func (v *validator) runCheck(c model.Check, n *model.Node, path []string, at diag.Pos) {
	r, ok := rules[c.Rule]
	if !ok {
		// LoadSchema refuses such a schema: validating with another is a
		// defect of the caller.
		panic(fmt.Sprintf("schema names unknown rule @check(%s)", c.Rule))
	}
	r.check(v, c, n, path, at)
}

// LoadSchema is model.LoadSchema for validation: it also fails, once and
// for all, when a @check attribute of the schema names a rule that is not
// in rules, so that no compilation starts with a rule it cannot run.
func LoadSchema() (*model.Schema, error) { return checkedSchema() }

var checkedSchema = sync.OnceValues(func() (*model.Schema, error) {
	s, err := model.LoadSchema()
	if err != nil {
		return nil, err
	}
	if err := knownRules(s); err != nil {
		return nil, err
	}
	return s, nil
})

// knownRules returns an error naming the first @check of s, in the order
// of definition names, whose rule is not in rules.
func knownRules(s *model.Schema) error {
	names := make([]string, 0, len(s.Defs))
	for name := range s.Defs {
		names = append(names, name)
	}
	slices.Sort(names)
	seen := map[*model.Type]bool{}
	var walk func(t *model.Type, where string) error
	unknown := func(cs []model.Check, where string) error {
		for _, c := range cs {
			if _, ok := rules[c.Rule]; !ok {
				return fmt.Errorf("embedded schema: %s names unknown rule @check(%s)", where, c.Rule)
			}
		}
		return nil
	}
	walk = func(t *model.Type, where string) error {
		if t == nil || seen[t] {
			return nil
		}
		seen[t] = true
		if err := unknown(t.Checks, where); err != nil {
			return err
		}
		for _, f := range t.Fields {
			if err := unknown(f.Checks, where+"."+f.Name); err != nil {
				return err
			}
			if err := walk(f.Type, where+"."+f.Name); err != nil {
				return err
			}
		}
		for _, u := range append([]*model.Type{t.Pattern, t.KeyType, t.Elem}, t.Alts...) {
			if err := walk(u, where); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range names {
		if err := walk(s.Defs[name], name); err != nil {
			return err
		}
	}
	return nil
}

// checkRegexp: the value compiles as a Go (RE2) regular expression.
func checkRegexp(v *validator, _ model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.StringKind {
		return
	}
	if _, err := regexp.Compile(n.Value); err != nil {
		v.rep.Errorf(model.CodeRegexp, model.Where(n, at), "invalid regular expression %q: %s", n.Value, regexpReason(err)).
			Path(PathString(path)).
			Hint("patterns use Go (RE2) syntax; escape literal characters such as ( [ . with a backslash")
	}
}

func regexpReason(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "error parsing regexp: ")
}

func presentFields(n *model.Node, names []string) []string {
	var got []string
	for _, f := range names {
		if n.Get(f) != nil {
			got = append(got, f)
		}
	}
	return got
}

// checkExactlyOne: exactly one of the named fields is given.
func checkExactlyOne(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.MapKind {
		return
	}
	got := presentFields(n, c.Args)
	switch len(got) {
	case 0:
		v.rep.Errorf(model.CodeExclusive, at, "%s needs one of %s", describePath(path), strings.Join(c.Args, " or ")).
			Path(PathString(path)).
			Hint(exclusiveHint(c.Args))
	case 1:
	default:
		second := n.Get(got[1])
		v.rep.Errorf(model.CodeExclusive, model.Where(&model.Node{Pos: second.KeyPos}, model.Where(second, at)), "%s has both %s: give only one", describePath(path), strings.Join(got, " and ")).
			Path(PathString(append(path, got[1]))).
			Hint(exclusiveHint(c.Args))
	}
}

func exclusiveHint(fields []string) string {
	if len(fields) == 2 && fields[0] == "directUrl" && fields[1] == "proxy" {
		return "directUrl makes the browser call Pyroscope itself; proxy makes the Perses server forward the calls (needed for credentials or private networks)"
	}
	return ""
}

// checkAtMostOne: at most one of the named fields is given.
func checkAtMostOne(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.MapKind {
		return
	}
	if got := presentFields(n, c.Args); len(got) > 1 {
		second := n.Get(got[1])
		v.rep.Errorf(model.CodeExclusive, model.Where(&model.Node{Pos: second.KeyPos}, model.Where(second, at)), "%s has both %s: give only one", describePath(path), strings.Join(got, " and ")).
			Path(PathString(append(path, got[1])))
	}
}

// checkMaxItems: a list holds at most N items.
func checkMaxItems(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	max, _ := strconv.Atoi(c.Args[0])
	if n.Kind == model.ListKind && len(n.Items) > max {
		v.rep.Errorf(model.CodeTooMany, model.Where(n.Items[max], at), "%s has %d items; at most %d are allowed", LastName(path), len(n.Items), max).
			Path(PathString(path))
	}
}

// profileTypeIDRe is the shape Pyroscope needs: 5 or 6 colon-separated parts
// that also form a valid selector prefix (the Perses UI writes it unquoted).
var profileTypeIDRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*(:[a-zA-Z0-9_]*){4,5}$`) })

// checkProfileType: a known short name or a full Pyroscope profile type ID.
func checkProfileType(v *validator, _ model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.StringKind || n.Value == "" {
		return
	}
	p := n.Value
	if _, ok := v.s.Aliases[p]; ok {
		return
	}
	if !strings.Contains(p, ":") {
		hint := didYouMean(p, v.s.AliasOrder)
		if hint == "" {
			hint = "use a short name (" + strings.Join(v.s.AliasOrder[:6], ", ") + ", …) or a full ID such as process_cpu:cpu:nanoseconds:cpu:nanoseconds"
		}
		v.rep.Errorf(model.CodeUnknownProfile, model.Where(n, at), "unknown profile type %q", p).
			Path(PathString(path)).
			Hint(hint)
		return
	}
	if !profileTypeIDRe().MatchString(p) {
		parts := strings.Count(p, ":") + 1
		msg := fmt.Sprintf("profile type %q has %d parts; Pyroscope needs name:sampleType:sampleUnit:periodType:periodUnit (5 parts, or 6 with :delta)", p, parts)
		if parts == 5 || parts == 6 {
			msg = fmt.Sprintf("profile type %q has characters Pyroscope cannot read in a query: use letters, digits and '_' in each part", p)
		}
		v.rep.Report(diag.Error, model.CodeProfileTypeForm, model.Where(n, at), msg).
			Path(PathString(path)).
			Hint("e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds")
	}
}

// checkSelector: the query parses with the grammar Pyroscope uses.
func checkSelector(v *validator, _ model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.StringKind {
		return
	}
	if _, err := selector.Parse(n.Value); err != nil {
		e := err.(*selector.Error)
		v.rep.Report(diag.Error, model.CodeSelectorSyntax, n.PosAt(e.Off), "invalid query: "+e.Msg).
			Path(PathString(path)).
			Hint(e.Hint)
	}
}

// uiIdentRe is what the Perses UI can write unquoted as a label name.
var uiIdentRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`) })

// checkLabelFilter: a filter the Perses UI can turn into a working query.
func checkLabelFilter(v *validator, _ model.Check, n *model.Node, path []string, at diag.Pos) {
	name, _ := n.Str("labelName")
	val, _ := n.Str("labelValue")
	op, _ := n.Str("operator")
	if name == "" || val == "" {
		if n.Get("labelName") != nil && n.Get("labelValue") != nil {
			empty := n.Get("labelValue")
			if name == "" {
				empty = n.Get("labelName")
			}
			v.rep.Warnf(model.CodeEmptyFilter, model.Where(empty, at), "filter %s%s%q has an empty label name or value: the Perses UI drops it", name, op, val).
				Path(PathString(path)).
				Hint("remove the filter, or use =~\".+\" / !~\".+\" to test whether a label is set")
		}
		return
	}
	if !uiIdentRe().MatchString(name) {
		v.rep.Errorf(model.CodeUICannotCarry, model.Where(n.Get("labelName"), at), "label name %q cannot be used: the Perses UI writes label names unquoted, so only letters, digits and '_' work", name).
			Path(PathString(append(path, "labelName")))
	}
	vn := n.Get("labelValue")
	if strings.ContainsAny(val, "\"\\\n") {
		v.rep.Errorf(model.CodeUICannotCarry, model.Where(vn, at), "label value %q contains a quote, backslash or newline: the Perses UI does not escape values when it builds the query", val).
			Path(PathString(append(path, "labelValue"))).
			Hint("match it with a regular expression instead, e.g. =~ with . in place of the character")
	}
	if op == "=~" || op == "!~" {
		if err := selector.CheckRegexp(val); err != nil {
			v.rep.Errorf(model.CodeRegexp, model.Where(vn, at), "invalid regular expression %q: %s", val, err).
				Path(PathString(append(path, "labelValue"))).
				Hint("label values are matched as fully anchored RE2 expressions")
		}
	}
}

// pyroscopeEndpoint is a call the Perses Pyroscope plugin makes.
type pyroscopeEndpoint struct{ method, path string }

var pyroscopeEndpoints = []pyroscopeEndpoint{
	{"GET", "/pyroscope/render"},
	{"POST", "/querier.v1.QuerierService/ProfileTypes"},
	{"POST", "/querier.v1.QuerierService/LabelNames"},
	{"POST", "/querier.v1.QuerierService/LabelValues"},
}

// staleRoutes are routes of the old Pyroscope server that are gone.
var staleRoutes = map[string]bool{"/render": true, "/labels": true, "/label-values": true, "/pyroscope/labels": true}

// checkPyroscopeEndpoints: the proxy allows what the plugin calls, and no
// route that no longer exists.
func checkPyroscopeEndpoints(v *validator, _ model.Check, n *model.Node, path []string, at diag.Pos) {
	if n.Kind != model.ListKind || len(n.Items) == 0 {
		return // an empty list allows everything
	}
	var res []*regexp.Regexp
	var methods []string
	broken := false
	for i, e := range n.Items {
		p, _ := e.Str("endpointPattern")
		m, _ := e.Str("method")
		if staleRoutes[strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")] {
			pn := e.Get("endpointPattern")
			v.rep.Report(diag.Warning, model.CodeStaleEndpoint, model.Where(pn, at), staleMessage(p)).
				Path(PathString(append(path, fmt.Sprintf("[%d]", i), "endpointPattern"))).
				Hint(endpointsHint())
		}
		if re, err := regexp.Compile(p); err == nil {
			res = append(res, re)
			methods = append(methods, m)
		} else {
			broken = true
		}
	}
	if broken {
		return // the broken pattern is reported; coverage would only echo it
	}
	var missing []string
	for _, want := range pyroscopeEndpoints {
		ok := false
		for i, re := range res {
			if methods[i] == want.method && re.MatchString(want.path) {
				ok = true
				break
			}
		}
		if !ok {
			missing = append(missing, want.method+" "+want.path)
		}
	}
	if len(missing) > 0 {
		v.rep.Warnf(model.CodeStaleEndpoint, at, "allowedEndpoints does not allow %s, which the Pyroscope plugin calls", strings.Join(missing, ", ")).
			Path(PathString(path)).
			Hint(endpointsHint())
	}
}

func staleMessage(p string) string {
	msg := fmt.Sprintf("endpoint %q is a route of the old Pyroscope server; current Pyroscope answers 404 there", p)
	if !strings.HasPrefix(p, "^") {
		// Perses matches patterns anywhere in the path.
		msg += fmt.Sprintf(" (unanchored, the pattern also matches longer paths such as /pyroscope%s, by accident)", strings.TrimSuffix(p, "$"))
	}
	return msg
}

func endpointsHint() string {
	return `allow {endpointPattern: "^/pyroscope/render$", method: GET} and {endpointPattern: "^/querier\\.v1\\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$", method: POST}`
}

func isTrue(n *model.Node) bool { return n != nil && n.Kind == model.BoolKind && n.Value == "true" }

// checkRequiresTrue: field A may be given only when field B is true
// (customAllValue needs allowAllValue).
func checkRequiresTrue(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	a, b := c.Args[0], c.Args[1]
	if an := n.Get(a); an != nil && !isTrue(n.Get(b)) {
		v.rep.Errorf(model.CodeInvalidValue, model.Where(&model.Node{Pos: an.KeyPos}, model.Where(an, at)), "%s needs %s: true", a, b).
			Path(PathString(append(path, a))).
			Hint(fmt.Sprintf("set %s: true, or remove %s", b, a))
	}
}

// checkListRequiresTrue: field A may be a list of several values only when
// field B is true (a list defaultValue needs allowMultiple; Perses turns a
// one-element list into a string).
func checkListRequiresTrue(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	a, b := c.Args[0], c.Args[1]
	if an := n.Get(a); an != nil && an.Kind == model.ListKind && len(an.Items) > 1 && !isTrue(n.Get(b)) {
		v.rep.Errorf(model.CodeInvalidValue, model.Where(an, at), "%s lists %d values but %s is not true", a, len(an.Items), b).
			Path(PathString(append(path, a))).
			Hint(fmt.Sprintf("set %s: true, or give one value", b))
	}
}

// checkNonEmptyWhenTrue: field A is not empty when field B is true (a
// constant text variable needs a value).
func checkNonEmptyWhenTrue(v *validator, c model.Check, n *model.Node, path []string, at diag.Pos) {
	a, b := c.Args[0], c.Args[1]
	if isTrue(n.Get(b)) {
		if an := n.Get(a); an == nil || (an.Kind == model.StringKind && an.Value == "") {
			v.rep.Errorf(model.CodeInvalidValue, model.Where(an, at), "a %s variable needs a non-empty %s", b, a).
				Path(PathString(append(path, a)))
		}
	}
}

// ProfileTypeIDPattern is the regular expression (Go syntax) a full
// Pyroscope profile type ID matches.
func ProfileTypeIDPattern() string { return profileTypeIDRe().String() }

// LabelNamePattern is the regular expression (Go syntax) of a label name
// the Perses UI can write unquoted.
func LabelNamePattern() string { return uiIdentRe().String() }

// RuleNames are the names of the rules written in Go that the schema's
// @check attributes name, sorted.
func RuleNames() []string {
	names := make([]string, 0, len(rules))
	for n := range rules {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
