package jsonschema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/jsonschema/jsonschematest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The sources the schema is tried on: the compiler's corpus of broken
// sources, and the compiled examples (bundle's golden output).
const (
	brokenDir = "../compiler/testdata/broken"
	goldenDir = "../bundle/testdata/golden"
)

// ecmaEngine runs patterns as JavaScript does (the engine of VS Code and
// yaml-language-server): ECMAScript semantics in Unicode mode. Validating
// with it, not Go's regexp, is what shows the patterns were converted.
func ecmaEngine(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript|regexp2.Unicode)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return err == nil && ok
}

func (r ecmaRegexp) String() string { return r.re.String() }

// jsonSchemaDrafts are the drafts the schema is read with: 2020-12, and
// draft-07, which editors' YAML support implements. It must mean the same
// in both.
var jsonSchemaDrafts = []struct {
	name  string
	draft *jsonschema.Draft
}{{"2020-12", jsonschema.Draft2020}, {"draft-07", jsonschema.Draft7}}

// compiledJSONSchema compiles pyrobuild's JSON Schema of a form with a real
// validator of a draft (which also checks it against the meta-schema).
func compiledJSONSchema(t *testing.T, form Form, draft *jsonschema.Draft) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Generate(compiler.MustSchema(), form)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(draft)
	c.UseRegexpEngine(ecmaEngine)
	url := "https://pyrobuild.invalid/" + string(form) + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s schema does not compile: %v", form, err)
	}
	return sch
}

// validateFile reports the documents of path the schema rejects.
func validateFile(t *testing.T, sch *jsonschema.Schema, path string) error {
	t.Helper()
	docs, err := jsonschematest.Instances(t, path)
	if err != nil {
		return fmt.Errorf("unreadable: %w", err)
	}
	var errs []error
	for i, d := range docs {
		if err := sch.Validate(d); err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// errorLocations are the instance locations of the innermost problems a
// validation error holds, as slash-separated paths with '.' read as '/'
// (so they compare with pyrobuild's paths whatever the keys hold).
func errorLocations(err error) []string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		loc := e.InstanceLocation
		if pn, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			// A key is validated as an instance of its own, and the
			// validator does not say where its object is: match the key.
			out = append(out, "…/"+strings.ReplaceAll(pn.Property, ".", "/"))
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, strings.ReplaceAll(strings.Join(loc, "/"), ".", "/"))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	var ve *jsonschema.ValidationError
	for _, e := range unjoin(err) {
		if errors.As(e, &ve) {
			walk(ve)
		}
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// diagLocation turns pyrobuild's path (spec.queries[0].kind) into the
// form of errorLocations (spec/queries/0/kind).
func diagLocation(path string) string {
	path = strings.ReplaceAll(path, "[", ".")
	path = strings.ReplaceAll(path, "]", "")
	return strings.ReplaceAll(path, ".", "/")
}

func parentLocation(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// sameSpot reports whether a schema error at loc is about the problem
// pyrobuild reports at path: the value itself, inside it, the object
// holding it (required, unknown fields), or a field beside it (a rule
// between two fields).
func sameSpot(loc, path string) bool {
	if key, ok := strings.CutPrefix(loc, "…/"); ok {
		return path == key || strings.HasSuffix(path, "/"+key)
	}
	return loc == path || strings.HasPrefix(loc, path+"/") || loc == parentLocation(path) || parentLocation(loc) == parentLocation(path)
}

// TestJSONSchemaGolden keeps testdata/jsonschema in step with the model
// (go test ./internal/jsonschema -run JSONSchemaGolden -update rewrites it).
func TestJSONSchemaGolden(t *testing.T) {
	for _, form := range []Form{AuthoringForm, WireForm} {
		got := Generate(compiler.MustSchema(), form)
		if !bytes.Equal(got, Generate(compiler.MustSchema(), form)) {
			t.Errorf("%s: two runs give different bytes", form)
		}
		path := filepath.Join("testdata", "jsonschema", string(form)+".schema.json")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generated schema (run with -update after an intended change)", path)
		}
	}
}

// TestJSONSchemaExamples: the examples validate in the authoring form, and
// every compiled output (the golden files) in both forms.
func TestJSONSchemaExamples(t *testing.T) {
	for _, d := range jsonSchemaDrafts {
		t.Run(d.name, func(t *testing.T) { testJSONSchemaExamples(t, d.draft) })
	}
}

func testJSONSchemaExamples(t *testing.T, draft *jsonschema.Draft) {
	authoring, wire := compiledJSONSchema(t, AuthoringForm, draft), compiledJSONSchema(t, WireForm, draft)
	examples, _ := filepath.Glob("../../examples/*/*.yaml")
	if len(examples) == 0 {
		t.Fatal("no YAML examples found")
	}
	for _, p := range examples {
		if err := validateFile(t, authoring, p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	// The authoring form is not the wire form.
	if err := validateFile(t, wire, "../../examples/profiling/memory.yaml"); err == nil {
		t.Error("wire schema accepts query and short profile type names")
	} else if !strings.Contains(err.Error(), "query") {
		t.Errorf("wire schema rejects memory.yaml, but not for its query field: %v", err)
	}
	n := 0
	filepath.WalkDir(goldenDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		for _, sch := range []*jsonschema.Schema{authoring, wire} {
			if err := validateFile(t, sch, p); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		return nil
	})
	if n < 20 {
		t.Errorf("validated %d golden files; expected the whole tree", n)
	}
}

// schemaLevelCodes are the codes of problems a JSON Schema can see in one
// document: its shape, types, values, required and unknown fields.
var schemaLevelCodes = []diag.Code{model.CodeUnknownKind, model.CodeUnknownField, model.CodeMissingField, model.CodeWrongType, model.CodeInvalidValue,
	model.CodeScope, model.CodePluginRole, model.CodeExclusive, model.CodeTooMany, model.CodeMapKey, model.CodeUnknownProfile, model.CodeProfileTypeForm, model.CodeUICannotCarry}

// schemaBlindSpots are broken sources whose schema-level error the JSON
// Schema cannot state, with the reason.
var schemaBlindSpots = map[string]string{
	"plugin-kind-wrong-case.yaml": "an unknown plugin kind passes with a free-form spec; only pyrobuild knows Flamechart is a misspelling",
	"query-value-with-quote.yaml": "the quote is inside the query label selector, whose grammar is Pyroscope's parser",
}

// schemaStricter are sources pyrobuild accepts (with a warning) that the
// schema rejects, with the reason.
var schemaStricter = map[string]string{
	"lowercase-kind.yaml": "kinds are offered in Perses's spelling; pyrobuild accepts others with a warning and rewrites them",
}

// TestJSONSchemaBrokenSources compares the schema with pyrobuild on the
// corpus of broken sources: a source with a problem of the kind a schema
// states is rejected, and a source whose only errors are beyond a schema
// (across resources, Go rules) is accepted, so the editor never flags what
// pyrobuild takes.
func TestJSONSchemaBrokenSources(t *testing.T) {
	for _, d := range jsonSchemaDrafts {
		t.Run(d.name, func(t *testing.T) { testJSONSchemaBrokenSources(t, d.draft) })
	}
}

func testJSONSchemaBrokenSources(t *testing.T, draft *jsonschema.Draft) {
	sch := compiledJSONSchema(t, AuthoringForm, draft)
	files, _ := filepath.Glob(filepath.Join(brokenDir, "*"))
	rejected := 0
	for _, p := range files {
		name := filepath.Base(p)
		if !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".json") {
			continue // CUE sources and folders
		}
		if _, err := jsonschematest.Instances(t, p); err != nil {
			continue // not YAML or JSON at all: the parser's business
		}
		res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{p}, ServerDatasources: []string{"default"}})
		if err != nil {
			t.Fatal(err)
		}
		var codes []diag.Code
		for _, d := range res.Diagnostics {
			if d.Severity == diag.Error {
				codes = append(codes, d.Code)
			}
		}
		if slices.Contains(codes, model.CodeDuplicateKey) || slices.Contains(codes, model.CodeNotResource) {
			continue
		}
		schemaLevel := slices.ContainsFunc(codes, func(c diag.Code) bool { return slices.Contains(schemaLevelCodes, c) })
		verr := validateFile(t, sch, p)
		if schemaLevel && verr != nil {
			// Rejected for the reason pyrobuild gives, not another.
			locs := errorLocations(verr)
			for _, d := range res.Diagnostics {
				if d.Severity != diag.Error || !slices.Contains(schemaLevelCodes, d.Code) {
					continue
				}
				if !slices.ContainsFunc(locs, func(l string) bool { return sameSpot(l, diagLocation(d.Path)) }) {
					t.Errorf("%s: pyrobuild reports %s at %s; the schema rejects it elsewhere: %q", name, d.Code, d.Path, locs)
				}
			}
		}
		switch {
		case schemaLevel && verr == nil && schemaBlindSpots[name] == "":
			t.Errorf("%s: pyrobuild reports %v, but the schema accepts it", name, codes)
		case schemaLevel && verr != nil && schemaBlindSpots[name] != "":
			t.Errorf("%s: listed as a blind spot, but the schema rejects it: %v", name, verr)
		case !schemaLevel && verr != nil && schemaStricter[name] == "":
			t.Errorf("%s: pyrobuild reports no schema-level error (%v), but the schema rejects it: %v", name, codes, verr)
		}
		if verr != nil {
			rejected++
		}
	}
	for name := range schemaBlindSpots {
		if !slices.Contains(files, filepath.Join(brokenDir, name)) {
			t.Errorf("schemaBlindSpots names %s, which is not in the corpus", name)
		}
	}
	for name := range schemaStricter {
		if !slices.Contains(files, filepath.Join(brokenDir, name)) {
			t.Errorf("schemaStricter names %s, which is not in the corpus", name)
		}
	}
	if rejected < 40 {
		t.Errorf("the schema rejects %d broken sources; the corpus has far more schema-level errors", rejected)
	}
}

// TestJSONSchemaPatternsAgree runs every pattern the schema holds with
// JavaScript's semantics and its Go original with Go's, on strings chosen
// to tell them apart (line breaks, Unicode spaces, non-ASCII, the
// characters the patterns name), and wants the same answer.
func TestJSONSchemaPatternsAgree(t *testing.T) {
	patterns := map[string]string{}
	for _, form := range []Form{AuthoringForm, WireForm} {
		s := compiler.MustSchema()
		g := &jsonSchemaGen{s: s, form: form, defs: map[string]*jsObj{}}
		s.Exclusive(func() { g.document() })
		for p, re := range g.patterns {
			patterns[p] = re
		}
		if len(g.skipped) > 0 {
			t.Errorf("%s: constraints left out of the schema: %q", form, g.skipped)
		}
	}
	if len(patterns) < 10 {
		t.Fatalf("only %d patterns recorded", len(patterns))
	}
	for _, c := range ecmaPatternCases {
		if c.want != "" {
			patterns[c.want] = c.re
		}
	}
	seeds := []string{"", "a", "A", "_", "1h", "1d12h", "30m5s", "h1", "http://x", "https://pyroscope.example.com:4040/a", "http:// x", "http://x y",
		"#/spec/panels/cpu", "/spec/panels", "#/spec/panels/", "a..b", ".a", "a.", "ok tag", " x", "x ", "__x", "x__", "123", "$ds", "$", "a\"b", `a\b`,
		"process_cpu:cpu:nanoseconds:cpu:nanoseconds", "a:b:c:d:e:delta", "a:b:c",
		"\n", "a\n", "\na", "\r", "a\rb", "a\u2028b", "\u00a0", "a\u00a0b", "\v", "\t", "é", "日本", "😀", "a😀b", "{", "}", "[", "]", "ab{2}"}
	alphabet := []rune("aZ09_.-:/#$ {}[]\"\\\n\r\t\u00a0\u2028éy😀")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		r := make([]rune, rng.IntN(8))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		seeds = append(seeds, string(r))
	}
	for p, re := range patterns {
		goRe := regexp.MustCompile(re)
		js, err := regexp2.Compile(p, regexp2.ECMAScript|regexp2.Unicode)
		if err != nil {
			t.Errorf("pattern %q (from %q) is not valid ECMAScript: %v", p, re, err)
			continue
		}
		for _, s := range seeds {
			want := goRe.MatchString(s)
			got, err := js.MatchString(s)
			if err != nil || got != want {
				t.Errorf("pattern %q (from Go %q) on %q: JavaScript says %v, Go says %v (%v)", p, re, s, got, want, err)
			}
		}
	}
}

var ecmaPatternCases = []struct{ re, want string }{
	{`^[a-z]+$`, `^[a-z]+$`},
	{`a.b`, `a[^\n]b`},
	{`^\s*$`, `^[\t\n\f\r ]*$`},
	{`[^\s/]`, `[^\t\n\f\r /]`},
	{`\S+`, `[^\t\n\f\r ]+`},
	{`x{2,3}y{4}z{1,}`, `x{2,3}y{4}z{1,}`},
	{`a{`, `a\{`},
	{`{x}`, `\{x\}`},
	{`[]a]`, `[\]a]`},
	{`[a[]`, `[a\[]`},
	{`\.\$\/\-`, `\.\$\/-`},
	{`[\-\.]`, `[\-.]`},
	{`\x41`, `\x41`},
	{`(?:ab)+?`, `(?:ab)+?`},
	{`\bword\b`, `\bword\b`},
	{`(?i)abc`, ""},
	{`(?P<n>a)`, ""},
	{`\pL`, ""},
	{`\p{Greek}`, ""},
	{`[[:alpha:]]`, ""},
	{`\Aabc\z`, ""},
	{`\Qa.b\E`, ""},
	{`\x{41}`, ""},
	{`é`, ""},
	{`[\S]`, ""},
	{`a(`, ""},
}

func TestJSONSchemaECMAPattern(t *testing.T) {
	for _, c := range ecmaPatternCases {
		got, ok := ecmaPattern(c.re)
		switch {
		case c.want == "" && ok:
			t.Errorf("ecmaPattern(%q) = %q, want it refused", c.re, got)
		case c.want != "" && (!ok || got != c.want):
			t.Errorf("ecmaPattern(%q) = %q, %v; want %q", c.re, got, ok, c.want)
		}
	}
}

// TestJSONSchemaEveryRule: each Go rule is stated in the schema or known
// not to be, so a new rule cannot be forgotten.
func TestJSONSchemaEveryRule(t *testing.T) {
	for _, name := range compiler.RuleNames() {
		_, stated := jsonSchemaRules[name]
		_, notStated := rulesNotInJSONSchema[name]
		if stated == notStated {
			t.Errorf("rule %s must be in exactly one of jsonSchemaRules and rulesNotInJSONSchema", name)
		}
	}
}

func TestParseForm(t *testing.T) {
	for in, want := range map[string]Form{"authoring": AuthoringForm, "Wire": WireForm} {
		if got, err := ParseForm(in); err != nil || got != want {
			t.Errorf("ParseForm(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseForm("perses"); err == nil {
		t.Error("unknown form accepted")
	}
}

// TestJSONSchemaDescriptions: every property of both forms has a
// description, its own or that of the definition it refers to, so an
// editor's hover explains every field. A property inside a then or else
// branch restates a property its schema declares (a rule such as
// "customAllValue needs allowAllValue"), whose description shows, and the
// properties of an if or a not are conditions, not fields.
func TestJSONSchemaDescriptions(t *testing.T) {
	for _, form := range []Form{AuthoringForm, WireForm} {
		var doc map[string]any
		if err := json.Unmarshal(Generate(compiler.MustSchema(), form), &doc); err != nil {
			t.Fatal(err)
		}
		defs := doc["$defs"].(map[string]any)
		described := func(s map[string]any) bool {
			if d, _ := s["description"].(string); d != "" {
				return true
			}
			ref, _ := s["$ref"].(string)
			if all, _ := s["allOf"].([]any); ref == "" && len(all) > 0 {
				if first, ok := all[0].(map[string]any); ok {
					ref, _ = first["$ref"].(string)
				}
			}
			if def, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any); ok && ref != "" {
				d, _ := def["description"].(string)
				return d != ""
			}
			return false
		}
		var total int
		var missing []string
		// walk visits schema s at path; declared holds the properties of
		// the schema whose allOf holds s, for then and else branches.
		var walk func(s any, path string, declared map[string]any, branch bool)
		walk = func(s any, path string, declared map[string]any, branch bool) {
			switch s := s.(type) {
			case []any:
				for _, x := range s {
					walk(x, path, declared, branch)
				}
			case map[string]any:
				props, _ := s["properties"].(map[string]any)
				for _, name := range slices.Sorted(maps.Keys(props)) {
					p, _ := props[name].(map[string]any)
					if branch {
						if _, ok := declared[name]; !ok {
							t.Errorf("%s: %s.%s is in a then or else branch but not declared beside it", form, path, name)
						}
						continue // the declared property is checked where it is declared
					}
					total++
					if !described(p) {
						missing = append(missing, path+"."+name)
					}
					walk(p, path+"."+name, nil, false)
				}
				for _, k := range slices.Sorted(maps.Keys(s)) {
					switch k {
					case "properties", "if", "not":
					case "allOf", "anyOf", "oneOf":
						walk(s[k], path, props, branch)
					case "then", "else":
						if declared == nil {
							walk(s[k], path+"/"+k, nil, false) // the document's own if/then/else
						} else {
							walk(s[k], path, declared, true)
						}
					default:
						walk(s[k], path+"/"+k, nil, false)
					}
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(defs)) {
			walk(defs[name], name, nil, false)
		}
		if total < 150 {
			t.Errorf("%s: only %d properties found", form, total)
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d of %d properties have no description (add a doc comment in compiler/schema):\n  %s", form, len(missing), total, strings.Join(missing, "\n  "))
		}
	}
}
