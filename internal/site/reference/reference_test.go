package reference

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

func pluginReferencePage(t *testing.T) string {
	t.Helper()
	return string(Plugins(compiler.Options{}))
}

// referenceSections splits the page at its headings: title → body.
func referenceSections(page string) map[string]string {
	out := map[string]string{}
	title := ""
	for _, line := range strings.SplitAfter(page, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			title = strings.TrimSpace(h)
			continue
		}
		if h, ok := strings.CutPrefix(line, "### "); ok {
			title = strings.TrimSpace(h)
			continue
		}
		out[title] += line
	}
	return out
}

// fieldRows are a section's field table rows by field name: type,
// presence, description.
func fieldRows(section string) map[string][3]string {
	rows := map[string][3]string{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		// Cells are separated by " | "; escaped pipes (\|) are not.
		cells := regexp.MustCompile(`[^\\]\|`).Split(strings.TrimSuffix(line[2:], " |"), -1)
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 4 {
			continue
		}
		rows[strings.Trim(cells[0], "`")] = [3]string{cells[1], cells[2], cells[3]}
	}
	return rows
}

// TestPluginReferenceFields pins rendered rows against the CUE schema
// (compiler/schema/*.cue) they come from.
func TestPluginReferenceFields(t *testing.T) {
	page := pluginReferencePage(t)
	secs := referenceSections(page)
	type want struct {
		section, field string
		typ, presence  string
		desc           []string // substrings of the description
	}
	for _, w := range []want{
		// allowedEndpoints?: [...#HTTPAllowedEndpoint]: optional, and left
		// out when absent; CUE's default [] of a list type is not filled in.
		{"HTTPProxy", "spec.allowedEndpoints", "list of [HTTPAllowedEndpoint](#httpallowedendpoint)", "optional",
			[]string{"Rule: compared with the endpoints the Pyroscope plugin calls"}},
		{"HTTPProxy", "kind", "`\"HTTPProxy\"`", "**required**", nil},
		{"HTTPProxy", "spec.url", "[URL](#url)", "**required**", nil},
		{"HTTPProxy", "spec.secret", "[Name](#name)", "optional", nil},
		{"HTTPProxy", "spec.headers", "map of string", "optional", nil},
		// endpointPattern!: string @check(regexp)
		{"HTTPAllowedEndpoint", "endpointPattern", "string", "**required**",
			[]string{"anchor it with ^…$ to match whole paths. Rule: must compile as a Go (RE2) regular expression."}},
		{"HTTPAllowedEndpoint", "method", "`GET` \\| `POST` \\| `PUT` \\| `PATCH` \\| `DELETE`", "**required**", nil},
		// profileType!: strings.MinRunes(1) @check(profileType) @msg(…)
		{"PyroscopeProfileQuery", "profileType", "string", "**required**", []string{
			"see [Profile type short names](#profile-type-short-names))",
			"Rule: a Pyroscope profile type ID",
			"`profileType` must not be empty.",
		}},
		{"PyroscopeProfileQuery", "query", "string", "optional, authoring", []string{"Rule: a label selector"}},
		{"PyroscopeProfileQuery", "filters", "list of [LabelFilter](#labelfilter)", "optional", nil},
		{"PyroscopeProfileQuery", "maxNodes", "integer ≥ 0", "optional", nil},
		{"PyroscopeProfileQuery", "datasource", "[Datasource selector](#datasource-selector)", "optional", nil},
		// palette: *"package-name" | "value"; showSeries: bool | *false
		{"FlameChart", "palette", "`package-name` \\| `value`", "default `\"package-name\"`", nil},
		{"FlameChart", "showSeries", "boolean", "default `false`", nil},
		{"FlameChart", "showFlameGraph", "boolean", "default `true`", nil},
		{"FlameChart", "traceHeight", "integer ≥ 0", "optional", nil},
		{"LabelFilter", "operator", "`=` \\| `!=` \\| `=~` \\| `!~`", "**required**", nil},
	} {
		row, ok := fieldRows(secs[w.section])[w.field]
		if !ok {
			t.Errorf("%s: no row for %s", w.section, w.field)
			continue
		}
		if row[0] != w.typ || row[1] != w.presence {
			t.Errorf("%s %s: type %q, presence %q; want %q, %q", w.section, w.field, row[0], row[1], w.typ, w.presence)
		}
		for _, d := range w.desc {
			if !strings.Contains(row[2], d) {
				t.Errorf("%s %s: description %q lacks %q", w.section, w.field, row[2], d)
			}
		}
	}
	if sel := secs["Datasource selector"]; !strings.Contains(sel, "- string matching `^\\$\\w+$`\n") || strings.Contains(sel, "**required**): \n") {
		t.Errorf("the datasource selector's alternatives are not as the schema says:\n%s", sel)
	}
}

// TestPluginReferenceWording: no phrase the generator glues together
// reads wrong, and no CUE definition name is left as text for the reader.
func TestPluginReferenceWording(t *testing.T) {
	page := pluginReferencePage(t)
	for _, bad := range []string{"Must be must", "Must be compared", "default `a list`", "default `a map`", "ProfileType must", "): \n"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page says %q", bad)
		}
	}
	// A CUE definition (#profileTypeAliases, #HTTPProxy) outside a link
	// target "(#anchor)".
	cueName := regexp.MustCompile(`(?m)(^|[^(#\w])#[A-Za-z]\w*`)
	for _, m := range cueName.FindAllString(page, -1) {
		t.Errorf("the page names the CUE definition %q instead of linking to its section", strings.TrimSpace(m))
	}
	if !strings.Contains(page, "\n### "+aliasTableTitle+"\n") {
		t.Errorf("no section %q for the links to the alias table", aliasTableTitle)
	}
}

// TestPluginReferenceSideBySide: the authoring form of an example and the
// wire form pyrobuild compiles it to are shown side by side, and the wire
// form is compiled from the example, FlameChart's defaults filled in.
func TestPluginReferenceSideBySide(t *testing.T) {
	page := pluginReferencePage(t)
	if strings.Contains(page, "=== \"") {
		t.Error("the forms are tabs, one hidden behind the other")
	}
	secs := referenceSections(page)
	for _, sec := range pluginSections {
		if sec.lowered == "" {
			continue
		}
		body := secs[sec.title]
		start := strings.Index(body, sideBySideOpen)
		if start < 0 {
			t.Errorf("%s: no side-by-side example", sec.title)
			continue
		}
		box := body[start:]
		wire := lowerExample(sec.example, sec.lowered, compiler.Options{})
		if wire == "" {
			t.Errorf("%s: the example does not compile", sec.title)
			continue
		}
		authoring := "```yaml example\n" + sec.example + "```"
		wireBlock := "```yaml\n" + wire + "```"
		a, w := strings.Index(box, authoring), strings.Index(box, wireBlock)
		end := strings.Index(box, "</div>\n</div>\n")
		if a < 0 || w < 0 || end < 0 || !(a < w && w < end) {
			t.Errorf("%s: want the authoring form then the wire form in one side-by-side box:\n%s", sec.title, box)
		}
		if strings.Count(box[:end], columnOpen) != 2 {
			t.Errorf("%s: want two columns", sec.title)
		}
	}
	// FlameChart's defaults are what the wire form adds.
	fc := secs["FlameChart"]
	var ex referenceSection
	for _, s := range pluginSections {
		if s.title == "FlameChart" {
			ex = s
		}
	}
	for _, def := range []string{"palette: package-name", "showSettings: true", "showTable: true", "showFlameGraph: true"} {
		if strings.Contains(ex.example, def) {
			t.Errorf("the FlameChart example already says %q", def)
		}
		if !strings.Contains(fc, "            "+def+"\n") {
			t.Errorf("the FlameChart wire form does not fill in %q:\n%s", def, fc)
		}
	}
}
