// Package reference generates the docs site's reference pages from
// pyrobuild itself: the plugin models from the compiler's schema, the
// diagnostics from docs/diagnostics.md, and their index.
package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/docs"
	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// The plugin model reference is generated from the compiler's schema, the
// same one every source is validated against, so the page cannot drift
// from what pyrobuild accepts. Its examples are compiled like any other.

// referenceSection is one documented definition of the reference page.
type referenceSection struct {
	title string // heading; its slug is the anchor other pages link to
	def   string // the definition documented
	intro string // what it is, before the schema's own doc comment
	// example is a complete source compiled during the build; when lowered
	// is set, the wire form pyrobuild compiles it to (also made during the
	// build) is shown beside it.
	example string
	lowered string // kind of the resource whose wire form to show
}

// aliasTableTitle is the heading of the profile type short names table,
// which the schema's doc comments call #profileTypeAliases.
const aliasTableTitle = "Profile type short names"

// shopProject is the project and datasource the dashboard examples need
// to compile on their own.
const shopProject = `---
# The project and the datasource the dashboard uses.
kind: Project
metadata:
  name: shop
---
kind: Datasource
metadata:
  name: pyroscope
  project: shop
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: http://pyroscope.example.com:4040
`

var pluginSections = []referenceSection{
	{title: "PyroscopeDatasource", def: "#PyroscopeDatasourceSpec",
		intro: "The datasource plugin: a Pyroscope server reached directly from the browser (`directUrl`) or through the Perses server's proxy (`proxy`). Used as `spec.plugin` of a Datasource, GlobalDatasource or a dashboard's `spec.datasources` entry, with `kind: PyroscopeDatasource`.",
		example: `kind: GlobalDatasource
metadata:
  name: pyroscope
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: http://pyroscope.example.com:4040
`},
	{title: "HTTPProxy", def: "#HTTPProxy",
		intro: "The Perses server-side proxy, shared by HTTP datasources. The browser calls Perses, which forwards only the allowed endpoints to `url`, adding `headers` and the credentials of `secret`.",
		example: `kind: GlobalSecret
metadata:
  name: pyroscope-auth
spec:
  basicAuth:
    username: perses
    passwordFile: /etc/perses/pyroscope-password
---
kind: GlobalDatasource
metadata:
  name: pyroscope
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: http://pyroscope.monitoring.svc:4040
          secret: pyroscope-auth
          allowedEndpoints:
            - endpointPattern: ^/pyroscope/render$
              method: GET
            - endpointPattern: ^/querier\.v1\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$
              method: POST
`},
	{title: "HTTPAllowedEndpoint", def: "#HTTPAllowedEndpoint"},
	{title: "PyroscopeProfileQuery", def: "#PyroscopeProfileQuerySpec",
		intro: "The query plugin: which profile of which service a panel shows. Used as `spec.plugin` of a panel query of kind `ProfileQuery`. pyrobuild accepts the short authoring form (a `query` label selector, short profile type names) and emits the wire form the Perses plugin accepts (`service` and `filters`, full profile type IDs).",
		example: `kind: Dashboard
metadata:
  name: checkout
  project: shop
spec:
  display:
    name: Checkout
  duration: 1h
  panels:
    cpu:
      kind: Panel
      spec:
        display:
          name: CPU
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: cpu
                  query: '{service_name="checkout", environment=~"prod|staging"}'
                  maxNodes: 1024
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 12
            content:
              $ref: '#/spec/panels/cpu'
` + shopProject, lowered: "Dashboard"},
	{title: "LabelFilter", def: "#LabelFilter"},
	{title: "FlameChart", def: "#FlameChartSpec",
		intro: "The flame graph panel plugin, `spec.plugin` of a panel with `kind: FlameChart`. Every option but `traceHeight` has a default, so `spec: {}` is a complete FlameChart; pyrobuild writes the defaults out because the plugin's schema requires them.",
		example: `kind: Dashboard
metadata:
  name: memory
  project: shop
spec:
  panels:
    heap:
      kind: Panel
      spec:
        display:
          name: Heap in use
        plugin:
          kind: FlameChart
          spec:
            showSeries: true
            traceHeight: 160
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: memory
                  query: '{service_name="checkout"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 12
            content:
              $ref: '#/spec/panels/heap'
` + shopProject, lowered: "Dashboard"},
	{title: "Datasource selector", def: "#PyroscopeDatasourceSelector",
		intro: "How a profile query picks its datasource (`spec.datasource` of PyroscopeProfileQuery)."},
}

// Plugins is the markdown of the plugin model reference page. Its
// examples are compiled with opts (the cache folder and limits), each with
// Paths of its own.
func Plugins(opts compiler.Options) []byte {
	s := compiler.MustSchema()
	var w bytes.Buffer
	w.WriteString("---\ntitle: Plugin model reference\ndescription: Every field of the PyroscopeDatasource, HTTPProxy, PyroscopeProfileQuery and FlameChart plugin models, generated from pyrobuild's schema.\nweight: 10\n---\n\n")
	w.WriteString("# Plugin model reference\n\n")
	w.WriteString("This page is generated from the CUE schema embedded in pyrobuild, the one every source is checked against. ")
	w.WriteString("*Required* fields must be given; *optional* ones may be left out; fields with a default are filled in when absent, ")
	w.WriteString("because the Perses plugin's own schema requires them. Fields marked *authoring* are accepted in sources and lowered away: ")
	w.WriteString("the output never contains them. Every example on this page is compiled when the site is built.\n\n")
	linked := map[string]string{} // definition → title of its section
	for _, sec := range pluginSections {
		linked[sec.def] = sec.title
	}
	linked["#profileTypeAliases"] = aliasTableTitle
	shared := map[string]*model.Type{}
	for _, sec := range pluginSections {
		t := s.Defs[sec.def]
		if t == nil {
			continue
		}
		level := "##"
		if sec.intro == "" {
			level = "###"
		}
		fmt.Fprintf(&w, "%s %s\n\n", level, sec.title)
		if sec.intro != "" {
			w.WriteString(sec.intro + "\n\n")
		}
		if doc := strings.TrimSpace(t.Doc); doc != "" {
			w.WriteString(docLinks(doc, sec.def, sec.title, linked, shared) + "\n\n")
		}
		writeTypeBody(&w, t, linked, shared)
		if sec.example != "" {
			writeExample(&w, sec, opts)
		}
		if sec.title == "PyroscopeProfileQuery" {
			writeAliasTable(&w, s)
		}
	}
	if len(shared) > 0 {
		w.WriteString("## Shared definitions\n\nConstraints used by the fields above.\n\n")
		names := make([]string, 0, len(shared))
		for n := range shared {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			t := shared[n]
			fmt.Fprintf(&w, "### %s\n\n", strings.TrimPrefix(n, "#"))
			if doc := strings.TrimSpace(t.Doc); doc != "" {
				w.WriteString(docLinks(doc, n, strings.TrimPrefix(n, "#"), linked, shared) + "\n\n")
			}
			if t.Msg != "" {
				w.WriteString(upper(t.Msg) + ".\n\n")
			}
			if c := t.Constraint(); c != "" {
				fmt.Fprintf(&w, "```cue\n%s\n```\n\n", c)
			}
		}
	}
	return w.Bytes()
}

// writeTypeBody documents a struct as a field table, a union as its
// alternatives, a leaf as its constraint.
func writeTypeBody(w *bytes.Buffer, t *model.Type, linked map[string]string, shared map[string]*model.Type) {
	switch t.Kind {
	case model.StructType:
		var rows [][4]string
		collectFields(t, "", linked, shared, &rows)
		if len(rows) > 0 {
			w.WriteString("| field | type | presence | description |\n|---|---|---|---|\n")
			for _, r := range rows {
				fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3])
			}
			w.WriteString("\n")
		}
		writeChecks(w, t.Checks)
	case model.UnionType:
		if t.Msg != "" {
			w.WriteString(upper(t.Msg) + ".\n\n")
		}
		w.WriteString("One of:\n\n")
		for _, a := range t.Alts {
			fmt.Fprintf(w, "- %s\n", typeName(a, linked, shared))
			if a.Kind == model.StructType {
				var rows [][4]string
				collectFields(a, "", linked, shared, &rows)
				for _, r := range rows {
					fmt.Fprintf(w, "    - %s (%s, %s)", r[0], r[1], r[2])
					if r[3] != "" {
						fmt.Fprintf(w, ": %s", r[3])
					}
					w.WriteString("\n")
				}
			}
		}
		w.WriteString("\n")
	default:
		if c := t.Constraint(); c != "" {
			fmt.Fprintf(w, "```cue\n%s\n```\n\n", c)
		}
	}
}

// collectFields lists a struct's fields, expanding anonymous nested
// structs in place with dotted names (spec.url).
func collectFields(t *model.Type, prefix string, linked map[string]string, shared map[string]*model.Type, rows *[][4]string) {
	for _, f := range t.Fields {
		name := prefix + f.Name
		desc := docLinks(f.Doc, "", "", linked, shared)
		var rules []string
		for _, c := range append(append([]model.Check(nil), f.Checks...), f.Type.Checks...) {
			if d := check.Describe(c); d != "" {
				rules = append(rules, d)
			}
		}
		if len(rules) > 0 {
			// Rules are phrases of their own ("must compile as …", "a
			// label selector …"), as the struct rules below a table are.
			desc = strings.TrimSpace(desc + " Rule: " + strings.Join(rules, "; ") + ".")
		}
		if f.Type.Msg != "" && f.Type.Name == "" {
			desc = strings.TrimSpace(desc + " " + sentence(f.Type.Msg, f.Name) + ".")
		}
		anon := f.Type.Kind == model.StructType && f.Type.Name == "" && len(f.Type.Fields) > 0
		typ := typeName(f.Type, linked, shared)
		if anon {
			typ = "object"
		}
		*rows = append(*rows, [4]string{"`" + name + "`", typ, presence(f), cell(desc)})
		if anon {
			collectFields(f.Type, name+".", linked, shared, rows)
		}
	}
}

// presence says whether a field must be given, may be left out, or is
// filled in with a default when absent.
func presence(f *model.Field) string {
	var p string
	switch {
	case f.Required:
		p = "**required**"
	case f.Optional:
		// Absent stays absent: a default of the field's type is not filled
		// in (CUE gives every list type [...T] the default []).
		p = "optional"
	case f.Type.Default != nil:
		p = "default `" + defaultText(f.Type.Default) + "`"
	case f.Type.Literal != nil:
		p = "always `" + f.Type.Literal.Literal() + "`"
	default:
		p = "**required**"
	}
	if f.Authoring {
		p += ", authoring"
	}
	return p
}

// defaultText is a default value as a source would write it.
func defaultText(n *model.Node) string {
	switch n.Kind {
	case model.ListKind, model.MapKind:
		var b bytes.Buffer
		if json.Compact(&b, bundle.Encode(n, bundle.JSON)) == nil {
			return b.String()
		}
	}
	return n.Literal()
}

// sentence makes a message a sentence, leaving a field name it starts with
// as the field is spelt ("`profileType` must not be empty", not
// "ProfileType must not be empty").
func sentence(msg, field string) string {
	if field != "" && strings.HasPrefix(msg, field+" ") {
		return "`" + field + "`" + strings.TrimPrefix(msg, field)
	}
	return upper(msg)
}

// typeName is a type as the reader needs it: named definitions link to
// their section, enumerations list their values.
func typeName(t *model.Type, linked map[string]string, shared map[string]*model.Type) string {
	ref := func(name string) string {
		title := strings.TrimPrefix(name, "#")
		if l := linked[name]; l != "" {
			title = l
		}
		return fmt.Sprintf("[%s](#%s)", title, slug(title))
	}
	if t.Name != "" {
		if linked[t.Name] != "" {
			return ref(t.Name)
		}
		if t.Kind == model.LeafType {
			shared[t.Name] = t
			return ref(t.Name)
		}
	}
	switch t.Kind {
	case model.AnyType:
		return "any"
	case model.ListType:
		return "list of " + typeName(t.Elem, linked, shared)
	case model.UnionType:
		var alts []string
		for _, a := range t.Alts {
			alts = append(alts, typeName(a, linked, shared))
		}
		return strings.Join(alts, " or ")
	case model.StructType:
		if t.Pattern != nil && len(t.Fields) == 0 {
			return "map of " + typeName(t.Pattern, linked, shared)
		}
		return "object"
	}
	if t.Literal != nil {
		return "`" + t.Literal.Literal() + "`"
	}
	if len(t.Enum) > 0 {
		var vs []string
		for _, e := range t.Enum {
			vs = append(vs, "`"+e+"`")
		}
		return strings.Join(vs, " \\| ")
	}
	c := t.Constraint()
	c = strings.TrimPrefix(strings.TrimPrefix(c, "*true | "), "*false | ")
	if re, ok := strings.CutPrefix(c, "=~"); ok {
		// A lone pattern: the regular expression as the source writes it,
		// not as a quoted CUE string with doubled backslashes.
		if re, err := strconv.Unquote(re); err == nil {
			return "string matching `" + cell(re) + "`"
		}
	}
	switch {
	case strings.HasPrefix(c, "int"):
		return "integer" + strings.TrimPrefix(strings.ReplaceAll(c, "int & >=0", " ≥ 0"), "int")
	case c == "bool":
		return "boolean"
	case strings.Contains(c, "strings.") || c == "string":
		return "string"
	}
	return "`" + cell(c) + "`"
}

func writeChecks(w *bytes.Buffer, checks []model.Check) {
	for _, c := range checks {
		if d := check.Describe(c); d != "" {
			fmt.Fprintf(w, "Rule: %s.\n\n", d)
		}
	}
}

// sideBySide lays out the authoring and wire forms of an example as two
// columns, one under the other on a narrow screen. The markdown between
// the tags is rendered as markdown (each tag is an HTML block of its own).
const (
	sideBySideOpen = `<div class="side-by-side" style="display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 24rem), 1fr)); gap: 0 1.5rem">`
	columnOpen     = `<div style="min-width: 0">`
)

// writeExample shows a section's example, compiled during the build, and
// beside it the wire form pyrobuild compiles it to.
func writeExample(w *bytes.Buffer, sec referenceSection, opts compiler.Options) {
	if sec.lowered == "" {
		fmt.Fprintf(w, "```yaml example title=\"%s\"\n%s```\n\n", sec.title+" example", sec.example)
		return
	}
	wire := lowerExample(sec.example, sec.lowered, opts)
	w.WriteString(sideBySideOpen + "\n" + columnOpen + "\n\n")
	w.WriteString("**Authoring form** (what you write)\n\n")
	fmt.Fprintf(w, "```yaml example\n%s```\n\n</div>\n", sec.example)
	if wire != "" {
		w.WriteString(columnOpen + "\n\n")
		fmt.Fprintf(w, "**Wire form** (what pyrobuild writes for the %s)\n\n", sec.lowered)
		fmt.Fprintf(w, "```yaml\n%s```\n\n</div>\n", wire)
	}
	w.WriteString("</div>\n\n")
}

// lowerExample compiles an example and returns the wire form of its
// resource of the given kind, or "" if it does not compile (the example
// check then reports why, at the example's line).
func lowerExample(src, kind string, opts compiler.Options) string {
	dir, err := os.MkdirTemp("", "pyrobuild-ref-")
	if err != nil {
		return ""
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "example.yaml"), []byte(src), 0o644); err != nil {
		return ""
	}
	// context.TODO: the site builder has no context yet (issue 13).
	opts.Paths, opts.Workers = []string{dir}, 1
	res, err := compiler.Compile(context.TODO(), opts)
	if err != nil || res.Diagnostics.HasErrors() {
		return ""
	}
	for _, r := range res.Resources {
		if r.Kind == kind {
			return string(bundle.Encode(r.Node, bundle.YAML))
		}
	}
	return ""
}

func writeAliasTable(w *bytes.Buffer, s *model.Schema) {
	fmt.Fprintf(w, "### %s\n\n", aliasTableTitle)
	w.WriteString("`profileType` accepts these short names and writes the full Pyroscope profile type ID. Pyroscope itself has no short names.\n\n")
	w.WriteString("| short name | profile type ID | meaning |\n|---|---|---|\n")
	for _, a := range s.AliasOrder {
		fmt.Fprintf(w, "| `%s` | `%s` | %s |\n", a, s.Aliases[a], cell(docText(s.AliasDocs[a])))
	}
	w.WriteString("\n")
}

// defRef is a CUE definition named in a doc comment: #HTTPProxy.
var defRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`#[A-Za-z_][A-Za-z0-9_]*`) })

// docLinks turns a CUE doc comment into one paragraph for the page. CUE
// names of definitions become links to their section (or to the shared
// definitions), or plain names where the page has no section for them;
// self, the definition the comment documents, is called by its title.
func docLinks(doc, self, title string, linked map[string]string, shared map[string]*model.Type) string {
	return defRef().ReplaceAllStringFunc(docText(doc), func(name string) string {
		if name == self {
			return title
		}
		if t := linked[name]; t != "" {
			return fmt.Sprintf("[%s](#%s)", t, slug(t))
		}
		if t := compiler.MustSchema().Defs[name]; t != nil && t.Kind == model.LeafType {
			shared[name] = t
			n := strings.TrimPrefix(name, "#")
			return fmt.Sprintf("[%s](#%s)", n, slug(n))
		}
		return "`" + strings.TrimPrefix(name, "#") + "`"
	})
}

// docText turns a CUE doc comment into one paragraph.
func docText(doc string) string {
	return strings.Join(strings.Fields(doc), " ")
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slug is the heading anchor the markdown engine gives a title, for links
// generated before rendering. Kept to the simple case generated titles
// need: ASCII words.
func slug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Index is the markdown of the reference's index page; cli tells whether
// the site has the command line reference.
func Index(cli bool) []byte {
	var w strings.Builder
	w.WriteString("---\ntitle: Reference\ndescription: \"Generated reference pages: plugin models, diagnostics and commands.\"\nweight: 900\n---\n\n# Reference\n\n")
	w.WriteString("These pages are generated from pyrobuild itself, so they always match the version that built this site.\n\n")
	w.WriteString("- [Plugin model reference](plugins.md): every field of PyroscopeDatasource, HTTPProxy, PyroscopeProfileQuery and FlameChart.\n")
	w.WriteString("- [Diagnostics](diagnostics.md): every problem pyrobuild reports, with an example.\n")
	if cli {
		w.WriteString("- [Command line](cli.md): every command and flag.\n")
	}
	return []byte(w.String())
}

var generatedNote = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("(?m)^This file is generated: .*\n\n") })

// Diagnostics is the markdown of the diagnostics page:
// docs/diagnostics.md (generated by the compiler's tests from its
// broken-source corpus) with front matter.
func Diagnostics() []byte {
	body := generatedNote().ReplaceAll(docs.Diagnostics, nil)
	return append([]byte("---\ntitle: Diagnostics\ndescription: Every diagnostic code pyrobuild reports, what it means, and an example.\nweight: 20\n---\n\n"), body...)
}
