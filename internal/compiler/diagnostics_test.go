package compiler_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/bundle/crd"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// brokenDir holds one small broken source per case (a folder for cases that
// need several files).
const brokenDir = "testdata/broken"

// pluginsDir holds Perses plugin modules of our own writing, laid out as
// Perses lays them out: two extracted folders (Metrics has a vendored CUE
// dependency) and two archives (a .tar.gz and a .zip; their sources are in
// testdata/plugin-archives-src).
const pluginsDir = "testdata/plugins"

// wantDiag is one diagnostic a broken source must produce. Positions are
// 1-based, columns count bytes, and were worked out by reading the source
// file, not by copying what pyrobuild prints.
type wantDiag struct {
	sev  diag.Severity
	code diag.Code // "" matches any code (only used by known-issue cases)
	file string    // relative to brokenDir; "" means the case's own file
	line int
	col  int
	msg  string // substring of Message
	hint string // substring of Hint, when set
	// unplaced: the diagnostic is about the whole run, not a place in a
	// source (no sources found), so it has no file, line or column.
	unplaced bool
}

func errAt(code diag.Code, line, col int, msg string) wantDiag {
	return wantDiag{sev: diag.Error, code: code, line: line, col: col, msg: msg}
}

func warnAt(code diag.Code, line, col int, msg string) wantDiag {
	return wantDiag{sev: diag.Warning, code: code, line: line, col: col, msg: msg}
}

func noteAt(code diag.Code, line, col int, msg string) wantDiag {
	return wantDiag{sev: diag.Info, code: code, line: line, col: col, msg: msg}
}

// errUnplaced is an error about the whole run, at no position.
func errUnplaced(code diag.Code, msg string) wantDiag {
	return wantDiag{sev: diag.Error, code: code, msg: msg, unplaced: true}
}

func (w wantDiag) withHint(h string) wantDiag { w.hint = h; return w }
func (w wantDiag) inFile(f string) wantDiag   { w.file = f; return w }

func (w wantDiag) String() string {
	code := string(w.code)
	if code == "" {
		code = "any code"
	}
	s := fmt.Sprintf("%s:%d:%d: %s: …%s… [%s]", w.file, w.line, w.col, w.sev, w.msg, code)
	if w.unplaced {
		s = fmt.Sprintf("%s: …%s… [%s]", w.sev, w.msg, code)
	}
	if w.hint != "" {
		s += fmt.Sprintf(" (hint …%s…)", w.hint)
	}
	return s
}

// brokenCase is one broken source and everything it must be reported for.
type brokenCase struct {
	file string // relative to brokenDir: a file, or a folder
	want []wantDiag
	// knownIssue, when set, says how pyrobuild's output differs from what a
	// user would reasonably expect; want holds the expected output. The
	// case is skipped while the output still differs, and fails once it
	// matches, so a fix is noticed and the mark removed.
	knownIssue string
	// check runs further assertions on the result.
	check func(t *testing.T, r *compiler.Result)
	// noServerDefault compiles without declaring a default datasource on
	// the server. Other cases declare one (--server-datasource default), so
	// a query without a datasource selector pins only its own rule.
	noServerDefault bool
	// crd also converts the resources to the Perses operator's custom
	// resources, as compile --crd does.
	crd bool
	// plugins loads the plugin schemas of testdata/plugins (folders and
	// archives of our own writing), as --plugins does.
	plugins bool
}

// fixedFile is where a case keeps its source corrected, beside it:
// <case>.fixed<ext> (a folder case: <case>.fixed/). The diagnostics
// reference shows it as the fix; TestDiagnosticsFixedSources compiles it.
func (c brokenCase) fixedFile() string {
	ext := path.Ext(c.file)
	return strings.TrimSuffix(c.file, ext) + ".fixed" + ext
}

// isFixedFile reports whether name, an entry of brokenDir, is the fixed
// version of a case, and of which.
func isFixedFile(name string) (string, bool) {
	i := strings.Index(name, ".fixed")
	if i < 0 || (name[i+len(".fixed"):] != "" && !strings.HasPrefix(name[i+len(".fixed"):], ".")) {
		return "", false
	}
	return name[:i] + name[i+len(".fixed"):], true
}

var brokenCases = []brokenCase{
	// ---- PyroscopeProfileQuery: profileType ----
	{file: "missing-profile-type.yaml", want: []wantDiag{
		// Reported at the "spec:" key of the plugin, the map that lacks it.
		errAt(model.CodeMissingField, 18, 17, `missing required field "profileType"`),
	}},
	{file: "empty-profile-type.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 19, 32, "profileType must not be empty"),
	}},
	{file: "unknown-profile-type.yaml", want: []wantDiag{
		errAt(model.CodeUnknownProfile, 19, 32, `unknown profile type "cpuu"`).withHint(`did you mean "cpu"?`),
	}},
	{file: "profile-type-three-parts.yaml", want: []wantDiag{
		errAt(model.CodeProfileTypeForm, 19, 32, `"process_cpu:cpu:nanoseconds" has 3 parts`),
	}},
	{file: "profile-type-bad-characters.yaml", want: []wantDiag{
		errAt(model.CodeProfileTypeForm, 19, 32, "has characters Pyroscope cannot read"),
	}},
	{file: "misspelt-field.yaml", want: []wantDiag{
		errAt(model.CodeUnknownField, 21, 19, `unknown field "maxNode"`).withHint(`did you mean "maxNodes"?`),
	}},
	{file: "maxnodes-negative.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 21, 29, "invalid maxNodes -1"),
	}},

	// ---- PyroscopeProfileQuery: the query label selector ----
	// Columns point inside the string: line 20 is
	// `                  query: '…'` with the opening quote at column 26.
	{file: "query-unquoted-value.yaml", want: []wantDiag{
		errAt(model.CodeSelectorSyntax, 20, 41, `unexpected identifier "api"`).withHint(`write service_name="api"`),
	}},
	{file: "query-unclosed-brace.yaml", want: []wantDiag{
		// At the "{" left open.
		errAt(model.CodeSelectorSyntax, 20, 27, `unclosed "{"`).withHint(`add the missing "}"`),
	}},
	{file: "query-bad-regex.yaml", want: []wantDiag{
		// At the quoted value "(prod".
		errAt(model.CodeSelectorSyntax, 20, 53, `invalid regular expression "(prod"`),
	}},
	{file: "query-empty.yaml", want: []wantDiag{
		errAt(model.CodeSelectorSyntax, 20, 27, "empty selector"),
	}},
	{file: "query-double-quoted-escapes.yaml", want: []wantDiag{
		// The \" escapes take two bytes each in the source.
		errAt(model.CodeSelectorSyntax, 20, 54, `unexpected identifier "prod"`),
	}},
	{file: "query-multibyte-column.yaml", want: []wantDiag{
		// "é" is two bytes; columns count bytes.
		errAt(model.CodeSelectorSyntax, 20, 54, `unexpected identifier "prod"`),
	}},
	{file: "query-block-scalar.yaml", want: []wantDiag{
		errAt(model.CodeSelectorSyntax, 22, 26, `unexpected identifier "prod"`),
	}},
	{file: "query-yaml-flow-map.yaml", want: []wantDiag{
		errAt(model.CodeWrongType, 20, 26, "query must be a string").withHint("quote"),
	}},
	{file: "query-no-service-name.yaml", want: []wantDiag{
		warnAt(model.CodeNoService, 20, 26, `no service_name="…" matcher`),
	}},
	{file: "query-service-regex.yaml", want: []wantDiag{
		warnAt(model.CodeServiceMatcher, 20, 28, `service_name=~"api.*" becomes a filter`),
	}},
	{file: "query-two-services.yaml", want: []wantDiag{
		errAt(model.CodeServiceMatcher, 20, 48, "more than one service_name"),
	}},
	{file: "query-value-with-quote.yaml", want: []wantDiag{
		errAt(model.CodeUICannotCarry, 20, 52, `label value "a\"b" contains a quote`),
	}},
	{file: "query-service-conflict.yaml", want: []wantDiag{
		errAt(model.CodeQueryConflict, 21, 28, "service disagrees with the service_name in query"),
	}},
	{file: "query-filters-disagree.yaml", want: []wantDiag{
		errAt(model.CodeQueryConflict, 22, 21, "filters disagree with the matchers in query"),
	}},
	{file: "query-profile-prefix-conflict.yaml", want: []wantDiag{
		errAt(model.CodeQueryConflict, 20, 27, `query selects profile type "memory:inuse_space:bytes:space:bytes"`),
	}},

	// ---- PyroscopeProfileQuery: wire-form filters and datasource ----
	{file: "filter-bad-regex.yaml", want: []wantDiag{
		errAt(model.CodeRegexp, 24, 35, `invalid regular expression "(prod"`),
	}},
	{file: "filter-empty-value.yaml", want: []wantDiag{
		warnAt(model.CodeEmptyFilter, 24, 35, "empty label name or value"),
	}},
	{file: "datasource-selector-plain-name.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 19, 31, "kind"),
	}},
	{file: "datasource-selector-unresolved.yaml", want: []wantDiag{
		errAt(model.CodeUnresolvedDatasource, 21, 27, `no PyroscopeDatasource named "nowhere"`),
	}},
	{file: "no-default-datasource.yaml", noServerDefault: true, want: []wantDiag{
		errAt(model.CodeUnresolvedDatasource, 18, 17, "no default PyroscopeDatasource for this query"),
	}},

	// ---- PyroscopeDatasource and HTTPProxy ----
	{file: "datasource-neither-url-nor-proxy.yaml", want: []wantDiag{
		errAt(model.CodeExclusive, 8, 11, "needs one of directUrl or proxy"),
	}},
	{file: "datasource-url-and-proxy.yaml", want: []wantDiag{
		errAt(model.CodeExclusive, 10, 7, "has both directUrl and proxy"),
	}},
	{file: "url-without-scheme.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 9, 18, "a URL starts with http:// or https://"),
	}},
	{file: "proxy-kind-misspelt.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 10, 15, `invalid kind "HttpProxy": must be "HTTPProxy"`),
	}},
	{file: "proxy-missing-url.yaml", want: []wantDiag{
		errAt(model.CodeMissingField, 11, 9, `missing required field "url"`),
	}},
	{file: "proxy-bad-endpoint-regex.yaml", want: []wantDiag{
		errAt(model.CodeRegexp, 16, 32, "missing closing )"),
	}},
	{file: "proxy-bad-method.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 19, 23, `invalid method "FETCH"`),
	}},
	{file: "proxy-stale-render-endpoint.yaml", want: []wantDiag{
		warnAt(model.CodeStaleEndpoint, 18, 32, `endpoint "/render" is a route of the old Pyroscope server`),
	}},
	{file: "proxy-page-example-endpoints.yaml", want: []wantDiag{
		warnAt(model.CodeStaleEndpoint, 14, 32, `endpoint "/render" is a route of the old Pyroscope server`),
		// At the allowedEndpoints list.
		warnAt(model.CodeStaleEndpoint, 14, 13, "does not allow POST /querier.v1.QuerierService/ProfileTypes"),
	}},
	{file: "proxy-unanchored-endpoint.yaml", want: []wantDiag{
		warnAt(model.CodeUnanchoredEndpoint, 14, 32, `endpointPattern "/pyroscope/render" is not anchored: Perses matches it anywhere in the path, so it also allows longer paths such as /api/admin/pyroscope/render…`),
	}},
	{file: "datasource-url-with-credentials.yaml", want: []wantDiag{
		warnAt(model.CodeURLCredential, 9, 18, `the URL http://admin:<redacted>@pyroscope.example.com:4040/?api_key=<redacted> holds a credential (a password in the user information, the query parameter api_key)`),
	}},
	{file: "proxy-secret-not-defined.yaml", want: []wantDiag{
		warnAt(model.CodeMissingSecret, 13, 19, `Secret "pyroscope-credentials" is not among the compiled sources`),
	}},
	{file: "plugin-kind-unmodelled.yaml", want: []wantDiag{
		warnAt(model.CodeUncheckedPlugin, 14, 17, `plugin "FlameCharts" is not one pyrobuild models`).withHint(`did you mean "FlameChart"? Otherwise, load the schemas`),
	}},
	{file: "unknown-plugin-kind.yaml", want: []wantDiag{
		warnAt(model.CodeUncheckedPlugin, 7, 11, `plugin "PrometheusDatasource" is not one pyrobuild models`).withHint("--plugins PATH"),
	}},
	{file: "plugin-kind-wrong-case.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 17, 23, `unknown plugin kind "pyroscopeProfileQuery"`).withHint(`did you mean "PyroscopeProfileQuery"?`),
	}},
	{file: "two-default-datasources.yaml", want: []wantDiag{
		// At the second default: true.
		errAt(model.CodeDefaultDatasource, 17, 12, "pyroscope-a and pyroscope-b are both the default PyroscopeDatasource of project profiling"),
	}},

	// ---- Secrets ----
	{file: "secret-password-and-file.yaml", want: []wantDiag{
		errAt(model.CodeExclusive, 9, 5, "spec.basicAuth has both password and passwordFile"),
	}},

	// ---- Resource envelope: kind, scope, names, tags ----
	{file: "unknown-kind.yaml", want: []wantDiag{
		errAt(model.CodeUnknownKind, 1, 7, `unknown resource kind "Dashbord"`).withHint(`did you mean "Dashboard"?`),
	}},
	{file: "panel-as-resource.yaml", want: []wantDiag{
		// Unknown in any spelling, unlike "project" below: an error, with
		// where a panel goes.
		errAt(model.CodeUnknownKind, 1, 7, `unknown resource kind "panel"`).withHint("spec.panels"),
	}},
	{file: "lowercase-kind.yaml", want: []wantDiag{
		warnAt(model.CodeKindSpelling, 1, 7, `kind "project" is written "Project"`),
	}, check: func(t *testing.T, r *compiler.Result) {
		if len(r.Resources) != 1 || r.Resources[0].Kind != "Project" {
			t.Fatalf("want one resource of kind Project, got %v", resourceIDs(r))
		}
		if k, _ := r.Resources[0].Node.Str("kind"); k != "Project" {
			t.Errorf("emitted kind = %q, want the canonical %q", k, "Project")
		}
	}},
	{file: "not-a-resource.yaml", want: []wantDiag{
		errAt(model.CodeNotResource, 5, 3, `got string "just a string"`),
	}},
	{file: "resource-misspelt-metadata.yaml", want: []wantDiag{
		errAt(model.CodeMissingField, 1, 1, `missing required field "metadata"`),
		errAt(model.CodeUnknownField, 2, 1, `unknown field "metdata"`).withHint(`did you mean "metadata"?`),
	}},
	{file: "metadata-unknown-field.yaml", want: []wantDiag{
		errAt(model.CodeUnknownField, 4, 3, `unknown field "labels" in metadata`).withHint("allowed fields"),
	}},
	{file: "dashboard-missing-project.yaml", want: []wantDiag{
		errAt(model.CodeMissingField, 2, 1, `missing required field "project" in metadata`),
	}},
	{file: "global-datasource-with-project.yaml", want: []wantDiag{
		errAt(model.CodeScope, 4, 3, "GlobalDatasource is a global kind: it has no project"),
	}},
	{file: "name-with-space.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 3, 9, `invalid name "my project"`),
	}},
	{file: "name-with-double-dot.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 3, 9, `invalid name "team..profiling"`),
	}},
	{file: "name-too-long.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 3, 9, "1 to 75"),
	}},
	{file: "tag-upper-case.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 4, 18, `"Prod": a tag is 1 to 50 lower-case letters`),
	}},
	{file: "too-many-tags.yaml", want: []wantDiag{
		// At the 21st tag.
		errAt(model.CodeTooMany, 25, 7, "tags has 21 items; at most 20 are allowed"),
	}},
	{file: "nesting-too-deep.yml", want: []wantDiag{
		// At the 199th "[" of line 7: the document's mapping is level 0,
		// spec 1, display 2, the first "[" 3 (column 11). The file is .yml
		// so that the JSON Schema test (which wants a schema-level verdict
		// on every .yaml and .json case) leaves it alone.
		errAt(model.CodeInputLimit, 7, 209, "nesting deeper than 200 levels"),
	}},
	{file: "no-sources", want: []wantDiag{
		errUnplaced(model.CodeNoSources, "no .cue, .yaml, .yml, .json or Go sources found in "+filepath.Join(brokenDir, "no-sources")).withHint("pass the folder holding your dashboards"),
	}},
	{file: "duplicate-resource", want: []wantDiag{
		errAt(model.CodeDuplicate, 2, 1, `Project "profiling" is defined twice (first at `+filepath.Join(brokenDir, "duplicate-resource", "a.yaml")+":1:1)").inFile("duplicate-resource/b.yaml"),
	}},

	// ---- Kubernetes output (compile --crd) ----
	{file: "crd-secret-not-written.yaml", crd: true, want: []wantDiag{
		// At the Secret's name.
		noteAt(model.CodeCRDSkipped, 7, 9, "Secret/profiling/pyroscope-auth is not written: the Perses operator has no custom resource for Secrets"),
	}},
	{file: "crd-name-with-underscore.yaml", crd: true, want: []wantDiag{
		errAt(model.CodeCRDName, 7, 9, `Dashboard name "memory_v2" cannot be a Kubernetes name`).withHint(`"memory-v2"`),
	}},

	// ---- Dashboards: panels, layouts, durations ----
	{file: "dashboard-missing-panels.yaml", want: []wantDiag{
		errAt(model.CodeMissingField, 5, 1, `missing required field "panels" in spec`),
	}},
	{file: "invalid-duration.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 6, 13, "a duration is whole numbers with units"),
	}},
	{file: "invalid-refresh-interval.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 6, 20, "a duration is whole numbers with units"),
	}},
	{file: "panel-key-with-dot.yaml", want: []wantDiag{
		errAt(model.CodeMapKey, 7, 5, `invalid key "cpu.main" in spec.panels`),
		// The $ref to it cannot be written either.
		errAt(model.CodeInvalidValue, 22, 21, `invalid $ref "#/spec/panels/cpu.main"`),
	}},
	{file: "bad-ref-syntax.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 22, 21, `invalid $ref "#spec/panels/cpu"`),
	}},
	{file: "ref-to-missing-panel.yaml", want: []wantDiag{
		errAt(model.CodeRefUnresolved, 28, 21, `$ref "#/spec/panels/memory" points at no panel`),
	}},
	{file: "orphan-panel.yaml", want: []wantDiag{
		warnAt(model.CodeOrphanPanel, 13, 5, `panel "memory" is in no layout`),
	}},
	{file: "layout-kind-flex.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 14, 13, `invalid kind "Flex": must be "Grid"`),
	}},
	{file: "grid-width-25.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 19, 20, "invalid width 25"),
	}},
	{file: "grid-x-as-string.yaml", want: []wantDiag{
		errAt(model.CodeWrongType, 17, 16, `x must be an integer, got string "0"`),
	}},
	{file: "grid-item-overflows.yaml", want: []wantDiag{
		errAt(model.CodeGridOverflow, 19, 20, "x + width = 12 + 24 is more than 24"),
	}},
	{file: "grid-overlap.yaml", want: []wantDiag{
		// At the second item.
		warnAt(model.CodeGridOverlap, 29, 13, "grid item #/spec/panels/memory overlaps #/spec/panels/cpu"),
	}},

	// ---- Dashboards: variables ----
	{file: "variable-bad-capturing-regexp.yaml", want: []wantDiag{
		errAt(model.CodeRegexp, 10, 26, `invalid regular expression "env-(.*"`),
	}},
	{file: "variable-resource-plugin.yaml", want: []wantDiag{
		errAt(model.CodeUnknownField, 18, 9, `unknown field "valuez"`).withHint(`did you mean "values"?`),
		warnAt(model.CodeUncheckedPlugin, 28, 13, `plugin "MyListVariable" is not one pyrobuild models`),
		errAt(model.CodeUnknownField, 38, 5, `unknown field "name"`),
	}},
	{file: "variable-name-starts-with-underscores.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 9, 15, `invalid name "__env"`),
	}},
	{file: "duplicate-variable-name.yaml", want: []wantDiag{
		errAt(model.CodeDuplicateVariable, 13, 15, `variable "env" is defined twice (first at line 9)`),
	}},
	{file: "custom-all-value-without-allow-all.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 10, 9, "customAllValue needs allowAllValue: true"),
	}},
	{file: "variable-cycle.yaml", want: []wantDiag{
		errAt(model.CodeVariableCycle, 9, 15, "region → zone → region"),
	}},
	{file: "proxy-authorization-header.yaml", want: []wantDiag{
		warnAt(model.CodeLiteralCredential, 15, 13, `header "Authorization" carries a credential`),
	}},
	{file: "list-default-without-allow-multiple.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 10, 23, "defaultValue lists 2 values but allowMultiple is not true"),
	}},
	{file: "constant-text-variable-without-value.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 10, 16, "a constant variable needs a non-empty value"),
	}},
	{file: "undefined-variable.yaml", want: []wantDiag{
		// At the "$" inside the query string.
		errAt(model.CodeUndefinedVariable, 20, 42, "refers to $service, which is not defined"),
	}},

	// ---- FlameChart panel ----
	{file: "flamechart-palette-rainbow.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 13, 22, `invalid palette "rainbow": must be one of "package-name", "value"`),
	}},
	{file: "flamechart-show-table-yes.yaml", want: []wantDiag{
		errAt(model.CodeWrongType, 13, 24, `showTable must be a boolean, got string "yes"`),
	}},
	{file: "flamechart-misspelt-field.yaml", want: []wantDiag{
		errAt(model.CodeUnknownField, 13, 13, `unknown field "showFlamegraph"`).withHint(`did you mean "showFlameGraph"?`),
	}},
	{file: "flamechart-trace-height-float.yaml", want: []wantDiag{
		errAt(model.CodeWrongType, 13, 26, "traceHeight must be an integer, got number 2.5"),
	}},

	// ---- Plugins in the wrong place ----
	{file: "flamechart-as-query.yaml", want: []wantDiag{
		errAt(model.CodePluginRole, 17, 23, "FlameChart is a panel plugin, but it is used as a ProfileQuery plugin"),
	}},
	{file: "profile-query-in-time-series-query.yaml", want: []wantDiag{
		// The panel is a TimeSeriesChart, so that only the query is wrong.
		warnAt(model.CodeUncheckedPlugin, 11, 17, `plugin "TimeSeriesChart" is not one pyrobuild models`),
		errAt(model.CodePluginRole, 17, 23, "PyroscopeProfileQuery is a ProfileQuery plugin, but it is used as a TimeSeriesQuery plugin"),
	}},
	{file: "query-kind-misspelt.yaml", want: []wantDiag{
		errAt(model.CodeInvalidValue, 14, 19, `invalid kind "ProfileQueries"`),
	}},
	{file: "flamechart-with-prometheus-query.yaml", want: []wantDiag{
		errAt(model.CodeQueryType, 14, 19, `panel "cpu" is a FlameChart, which shows ProfileQuery queries, not TimeSeriesQuery`),
		warnAt(model.CodeUncheckedPlugin, 17, 23, "PrometheusTimeSeriesQuery"),
	}},

	// ---- Plugins checked against loaded schemas (--plugins) ----
	{file: "plugin-no-schema.yaml", plugins: true, want: []wantDiag{
		errAt(model.CodeNoPluginSchema, 8, 11, `no schema for plugin "AcmeMetricDatasource" among the loaded plugins`).withHint(`did you mean "AcmeMetricsDatasource"?`),
	}},
	{file: "plugin-spec-against-schema.yaml", plugins: true, want: []wantDiag{
		// At the misspelt key, with the field the closed struct declares.
		errAt(model.CodeUnknownField, 24, 13, `unknown field "lineWidht": the schema of AcmeLineChart (plugin module Charts) does not allow it`).withHint(`did you mean "lineWidth"?`),
		errAt(model.CodeWrongType, 25, 19, "unit must be a string, got number 5"),
		// At the "spec:" key of the map that lacks it.
		errAt(model.CodeMissingField, 31, 17, `missing required field "expr"`).withHint("AcmeMetricsQuery (plugin module Metrics)"),
		errAt(model.CodePluginRole, 36, 23, "AcmeNote is a panel plugin, but it is used as a TimeSeriesQuery plugin").withHint("belongs in a panel's spec.plugin"),
		// pyrobuild's own checks pass; the lowered query (service and
		// filters, no query) is then checked against the loaded Pyroscope
		// schema, which allows at most 1000 nodes.
		errAt(model.CodeInvalidValue, 55, 29, "invalid maxNodes 5000").withHint("PyroscopeProfileQuery (plugin module Pyro-1.0.0)"),
		errAt(model.CodeNoPluginSchema, 62, 17, `no schema for plugin "Markdown"`).withHint("AcmeLineChart"),
	}},
	{file: "plugin-global-variable.yaml", plugins: true, want: []wantDiag{
		// A GlobalVariable is modelled: its plugin is checked once, though
		// both pyrobuild's model and the loaded schema reject it.
		errAt(model.CodeUnknownField, 14, 9, `unknown field "valuez"`).withHint(`did you mean "values"?`),
	}},
	{file: "plugin-spec-in-cue.cue", plugins: true, want: []wantDiag{
		errAt(model.CodeUnknownField, 19, 15, `unknown field "postion"`).withHint(`did you mean "position"?`),
	}},

	// ---- Reading sources: empty files, the same warning for every kind ----
	{file: "empty-files", want: []wantDiag{
		warnAt(model.CodeEmptySource, 1, 1, "empty file: it defines no resource").withHint("delete it").inFile("empty-files/dashboards.json"),
		warnAt(model.CodeEmptySource, 1, 1, "empty file: it defines no resource").inFile("empty-files/datasources.yaml"),
		warnAt(model.CodeEmptySource, 1, 1, "empty file: it defines no resource").inFile("empty-files/variables.cue"),
	}},

	// ---- Reading sources: YAML ----
	{file: "duplicate-yaml-key.yaml", want: []wantDiag{
		errAt(model.CodeDuplicateKey, 4, 3, `duplicate key "name" (first defined at line 3)`),
	}},
	{file: "yaml-tab-indentation.yaml", want: []wantDiag{
		errAt(model.CodeYAMLSyntax, 3, 1, "found character that cannot start any token"),
	}},
	{file: "yaml-syntax-error.yaml", want: []wantDiag{
		errAt(model.CodeYAMLSyntax, 4, 9, "did not find expected ',' or ']'"),
	}},
	{file: "yaml-mapping-value-in-plain-scalar.yaml", want: []wantDiag{
		errAt(model.CodeYAMLSyntax, 3, 18, "mapping values are not allowed in this context"),
	}},
	{file: "yaml-indentation.yaml", want: []wantDiag{
		// " layouts:" indented by one space; yaml.v3 says "line 3", the
		// 0-based line of the mapping the key should belong to.
		errAt(model.CodeYAMLSyntax, 22, 2, "did not find expected key").withHint("indentation"),
	}},
	{file: "yaml-control-character.yaml", want: []wantDiag{
		// An ESC at the end of line 3; yaml.v3 gives no line at all.
		errAt(model.CodeYAMLSyntax, 3, 18, "control character U+001B is not allowed").withHint("remove it"),
	}},
	{file: "yaml-unclosed-flow-mapping.yaml", want: []wantDiag{
		// The '{' at 2:11 is never closed: yaml.v3 says "line 1".
		errAt(model.CodeYAMLSyntax, 2, 11, "did not find expected ',' or '}'").withHint("not closed"),
	}},

	// ---- Reading sources: JSON ----
	{file: "json-trailing-comma.json", want: []wantDiag{
		errAt(model.CodeJSONSyntax, 4, 24, "trailing comma"),
	}},
	{file: "json-duplicate-key.json", want: []wantDiag{
		errAt(model.CodeDuplicateKey, 3, 37, `duplicate key "name" (first defined at line 3)`),
	}},
	{file: "json-wrong-type.json", want: []wantDiag{
		errAt(model.CodeWrongType, 5, 16, `default must be a boolean, got string "true"`),
	}},
	{file: "json-query-unquoted-value.json", want: []wantDiag{
		// \u0070 is "p": the column is where the escape starts.
		errAt(model.CodeSelectorSyntax, 5, 66, `unexpected identifier "prod"`),
	}},

	// ---- Reading sources: CUE ----
	{file: "cue-conflicting-values.cue", want: []wantDiag{
		errAt(model.CodeCUE, 5, 18, "conflicting values"),
	}},
	{file: "cue-non-concrete.cue", want: []wantDiag{
		errAt(model.CodeCUE, 5, 18, "incomplete value string").withHint("concrete value"),
	}},
	{file: "cue-schema-misspelt-field.cue", want: []wantDiag{
		errAt(model.CodeCUE, 8, 3, "projet: field not allowed").withHint(`did you mean "project"?`),
	}},
	{file: "cue-query-unquoted-value.cue", want: []wantDiag{
		errAt(model.CodeSelectorSyntax, 8, 44, `unexpected identifier "prod"`),
	}},
	{file: "cue-name-with-space.cue", want: []wantDiag{
		errAt(model.CodeInvalidValue, 5, 18, `invalid name "my project"`),
	}},
	// A CUE struct unified with a schema definition has no position of its
	// own; it is reported at the earliest field the user wrote in it.
	{file: "cue-orphan-panel.cue", want: []wantDiag{
		warnAt(model.CodeOrphanPanel, 13, 19, `panel "memory" is in no layout`),
	}},
	{file: "cue-no-default-datasource.cue", noServerDefault: true, want: []wantDiag{
		errAt(model.CodeUnresolvedDatasource, 20, 8, "no default PyroscopeDatasource for this query"),
	}},
	{file: "cue-url-without-scheme.cue", want: []wantDiag{
		errAt(model.CodeInvalidValue, 11, 20, "a URL starts with http:// or https://"),
	}},
	// Three independent mistakes in three files of one package, each file
	// importing the same packages: all three in one run, each once.
	{file: "cue-three-mistakes", want: []wantDiag{
		errAt(model.CodeCUE, 9, 18, `shop.metadata.name: conflicting values "shop" and "profiling"`).inFile("cue-three-mistakes/a.cue"),
		errAt(model.CodeCUE, 11, 3, "cpu.metadata.projet: field not allowed").withHint(`did you mean "project"?`).inFile("cue-three-mistakes/b.cue"),
		// CUE places it in pyrobuild's schema only: at the value the user
		// wrote for the path.
		errAt(model.CodeCUE, 16, 21, "pyroscope.spec.plugin.spec.directUrl: incomplete value").inFile("cue-three-mistakes/c.cue"),
	}, check: func(t *testing.T, r *compiler.Result) {
		if n := len(r.Diagnostics); n != 3 {
			t.Errorf("%d diagnostics, want 3 (no duplicates)", n)
		}
		for _, d := range r.Diagnostics {
			if d.Pos.Line == 16 && (len(d.Notes) != 1 || !strings.HasPrefix(d.Notes[0].Pos.File, "github.com/pyrobuild/pyrobuild/schema/")) {
				t.Errorf("notes %v, want one in pyrobuild's schema", d.Notes)
			}
		}
	}},
	// Two mistakes in one resource: CUE stops validating a value an error
	// made bottom, so its fields are validated one by one.
	{file: "cue-one-resource-mistakes.cue", want: []wantDiag{
		errAt(model.CodeCUE, 7, 12, `pyroscope.metadata.name: conflicting values "pyroscope-eu" and "pyroscope"`),
		errAt(model.CodeCUE, 13, 21, "pyroscope.spec.plugin.spec.directUrl: incomplete value"),
	}},
	// Every file of a package is parsed: a syntax error in each shows in
	// one run (the first of each file; the parser's next mostly follow).
	{file: "cue-syntax-two-files", want: []wantDiag{
		errAt(model.CodeCUE, 4, 7, `expected label or ':', found 'STRING' "Project"`).inFile("cue-syntax-two-files/a.cue"),
		errAt(model.CodeCUE, 5, 26, "expected operand, found ','").inFile("cue-syntax-two-files/b.cue"),
	}},
	// A message CUE writes on two lines stays on one, so the code ends the
	// first line; the position on the second becomes a note.
	{file: "cue-import-twice.cue", want: []wantDiag{
		errAt(model.CodeCUE, 4, 8, "strings redeclared as imported package name"),
	}, check: func(t *testing.T, r *compiler.Result) {
		d := r.Diagnostics[0]
		if strings.Contains(d.Message, "\n") {
			t.Errorf("message on several lines: %q", d.Message)
		}
		want := diag.Note{Pos: diag.Pos{File: filepath.Join(brokenDir, "cue-import-twice.cue"), Line: 3, Col: 8}, Message: "previous declaration"}
		if len(d.Notes) != 1 || d.Notes[0].Pos != want.Pos || d.Notes[0].Message != want.Message {
			t.Errorf("notes %+v, want %+v", d.Notes, want)
		}
	}},
	{file: "cue-missing-import", want: []wantDiag{
		errAt(model.CodeCUE, 3, 8, `cannot find package "example.com/sdk/panels": looked in pyrobuild's schema`).
			withHint("run `cue mod tidy`").inFile("cue-missing-import/dashboards.cue"),
	}, check: func(t *testing.T, r *compiler.Result) {
		for _, want := range []string{filepath.Join(brokenDir, "cue-missing-import", "cue.mod", "pkg", "example.com", "sdk", "panels"), "the CUE module cache"} {
			if !strings.Contains(r.Diagnostics[0].Message, want) {
				t.Errorf("message %q does not name %s", r.Diagnostics[0].Message, want)
			}
		}
		if h := r.Diagnostics[0].Hint; !strings.Contains(h, "percli dac setup") {
			t.Errorf("hint %q does not name percli dac setup", h)
		}
	}},
	// A project shaped like a Perses SDK one: a CUE module whose
	// dependency in cue.mod/pkg wraps the user's panels. Problems are at
	// the user's lines that led there, the dependency's place as a note.
	{file: "cue-sdk-project", noServerDefault: true, want: []wantDiag{
		errAt(model.CodeUnresolvedDatasource, 8, 16, "no default PyroscopeDatasource for this query").inFile("cue-sdk-project/dashboards.cue"),
		errAt(model.CodeCUE, 17, 19, "cart.spec.panels.memory.spec.queries.0.spec.plugin.spec.service: incomplete value string").inFile("cue-sdk-project/dashboards.cue"),
	}, check: func(t *testing.T, r *compiler.Result) {
		dep := filepath.Join(brokenDir, "cue-sdk-project", "cue.mod", "pkg", "example.com", "sdk", "panels", "panels.cue")
		want := map[diag.Code]diag.Pos{
			model.CodeUnresolvedDatasource: {File: dep, Line: 33, Col: 21}, // #panels: [string]: #Flame
			model.CodeCUE:                  {File: dep, Line: 8, Col: 12},  // #service: string
		}
		for _, d := range r.Diagnostics {
			if len(d.Notes) != 1 || d.Notes[0].Pos != want[d.Code] {
				t.Errorf("%s: notes %+v, want one at %s", formatDiag(d), d.Notes, want[d.Code])
			}
		}
	}},
}

func resourceIDs(r *compiler.Result) []string {
	var ids []string
	for _, res := range r.Resources {
		ids = append(ids, res.ID())
	}
	return ids
}

func formatDiag(d diag.Diagnostic) string {
	s := fmt.Sprintf("%s [%s]", d, d.Code)
	if d.Hint != "" {
		s += " (hint: " + d.Hint + ")"
	}
	return s
}

func (w wantDiag) matches(d diag.Diagnostic, file string) bool {
	if w.unplaced {
		return d.Severity == w.sev && d.Code == w.code && d.Pos == (diag.Pos{}) &&
			strings.Contains(d.Message, w.msg) && strings.Contains(d.Hint, w.hint)
	}
	return d.Severity == w.sev &&
		(w.code == "" || d.Code == w.code) &&
		d.Pos.File == file && d.Pos.Line == w.line && d.Pos.Col == w.col &&
		strings.Contains(d.Message, w.msg) &&
		strings.Contains(d.Hint, w.hint)
}

// compileCase compiles one case on its own, turning a panic into an error.
func compileCase(c brokenCase) (res *compiler.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return compileSource(c, c.file)
}

// compileSource compiles file (relative to brokenDir) with the options of
// case c.
func compileSource(c brokenCase, file string) (*compiler.Result, error) {
	opts := compiler.Options{Paths: []string{filepath.Join(brokenDir, file)}}
	if !c.noServerDefault {
		opts.ServerDatasources = []string{"default"}
	}
	if c.plugins {
		opts.Plugins = []string{pluginsDir}
	}
	res, err := compiler.Compile(context.Background(), opts)
	if err == nil && c.crd && !res.Diagnostics.HasErrors() {
		// As compile --crd: only sources without errors are converted.
		_, diags := crd.Convert(res.Resources)
		res.Diagnostics = append(res.Diagnostics, diags...)
		res.Diagnostics.Sort()
	}
	return res, err
}

// unplaced reports whether c expects d to have no position.
func (c brokenCase) unplaced(d diag.Diagnostic) bool {
	return slices.ContainsFunc(c.want, func(w wantDiag) bool { return w.unplaced && w.code == d.Code })
}

// problems lists how the diagnostics of r differ from c.want: every wanted
// diagnostic must appear, and no other error or warning may.
func (c brokenCase) problems(r *compiler.Result) []string {
	var out []string
	used := make([]bool, len(r.Diagnostics))
	for _, w := range c.want {
		rel := c.file
		if w.file != "" {
			rel = w.file
		}
		file := filepath.Join(brokenDir, filepath.FromSlash(rel))
		w.file = file
		found := false
		for i, d := range r.Diagnostics {
			if !used[i] && w.matches(d, file) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			out = append(out, "missing:    "+w.String())
		}
	}
	for i, d := range r.Diagnostics {
		if !used[i] && d.Severity >= diag.Warning {
			out = append(out, "unexpected: "+formatDiag(d))
		}
	}
	return out
}

func TestBrokenSources(t *testing.T) {
	// Every file in testdata/broken belongs to a case, and every case has
	// its file.
	entries, err := os.ReadDir(brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range brokenCases {
		if _, fixed := isFixedFile(c.file); fixed {
			t.Errorf("case %s is named like the fixed version of another", c.file)
		}
		if covered[c.file] {
			t.Errorf("case %s is listed twice", c.file)
		}
		covered[c.file] = true
		if len(c.want) == 0 {
			t.Errorf("case %s expects no diagnostic", c.file)
		}
	}
	for _, e := range entries {
		name := e.Name()
		if of, fixed := isFixedFile(name); fixed {
			name = of
		}
		if !covered[name] {
			t.Errorf("%s/%s is not used by any case", brokenDir, e.Name())
		}
	}

	for _, c := range brokenCases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(brokenDir, c.file)
			if _, err := os.Stat(path); err != nil {
				t.Fatal(err)
			}
			res, err := compileCase(c)
			if err != nil {
				if c.knownIssue != "" {
					t.Skipf("known issue: %s (and Compile failed: %v)", c.knownIssue, err)
				}
				t.Fatalf("Compile: %v", err)
			}
			probs := c.problems(res)
			if c.knownIssue != "" {
				if len(probs) == 0 {
					t.Fatalf("known issue fixed: the output is now as wanted; remove the knownIssue mark (%s)", c.knownIssue)
				}
				t.Skipf("known issue: %s", c.knownIssue)
			}
			if len(probs) > 0 {
				var got []string
				for _, d := range res.Diagnostics {
					got = append(got, "  "+formatDiag(d))
				}
				t.Errorf("%s:\n  %s\nall diagnostics:\n%s", path, strings.Join(probs, "\n  "), strings.Join(got, "\n"))
			}
			for _, d := range res.Diagnostics {
				if d.Code == "" {
					t.Errorf("diagnostic without a code: %s", formatDiag(d))
				}
				if d.Severity >= diag.Warning && (!d.Pos.IsValid() || d.Pos.Col < 1) && !c.unplaced(d) {
					t.Errorf("diagnostic without a line and column: %s", formatDiag(d))
				}
			}
			wantErr := slices.ContainsFunc(c.want, func(w wantDiag) bool { return w.sev == diag.Error })
			if res.Diagnostics.HasErrors() != wantErr {
				t.Errorf("HasErrors() = %v, want %v", res.Diagnostics.HasErrors(), wantErr)
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
}

// TestDiagnosticsFixedSources compiles the fixed version of every case that
// has one (the corrected source the diagnostics reference shows as the
// fix), with the case's options: it must compile without errors or
// warnings, so the fix is known to work.
func TestDiagnosticsFixedSources(t *testing.T) {
	n := 0
	for _, c := range brokenCases {
		fixed := c.fixedFile()
		if _, err := os.Stat(filepath.Join(brokenDir, fixed)); err != nil {
			continue
		}
		n++
		t.Run(fixed, func(t *testing.T) {
			res, err := compileSource(c, fixed)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			for _, d := range res.Diagnostics {
				if d.Severity >= diag.Warning {
					t.Errorf("the fixed source is not fixed: %s", formatDiag(d))
				}
			}
			if len(res.Resources) == 0 {
				t.Error("the fixed source compiles to no resource")
			}
		})
	}
	if n == 0 {
		t.Fatal("no fixed sources found")
	}
}

var codeValueRe = regexp.MustCompile(`^PB[0-9]{4}$`)

// TestEveryCodeDocumented reads the sources of the compiler and of its
// stages: every Code constant declared (and every one used) must be in
// model.Codes with a title and a summary, and codes must be unique.
func TestEveryCodeDocumented(t *testing.T) {
	fset := token.NewFileSet()
	var goFiles []string
	for _, dir := range []string{".", "model", "load", "load/cueload", "check"} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		goFiles = append(goFiles, names...)
	}
	var files []*ast.File
	for _, name := range goFiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	pkg := struct{ Files []*ast.File }{files}

	consts := map[string]diag.Code{} // constant name -> value
	declared := map[*ast.Ident]bool{}
	for _, f := range pkg.Files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for i, name := range vs.Names {
					declared[name] = true
					if i >= len(vs.Values) {
						t.Errorf("%s: Code constant %s has no explicit value", fset.Position(name.Pos()), name.Name)
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Errorf("%s: Code constant %s is not a string literal", fset.Position(name.Pos()), name.Name)
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					if !codeValueRe.MatchString(v) {
						t.Errorf("%s: Code constant %s = %q does not look like PB0000", fset.Position(name.Pos()), name.Name, v)
					}
					consts[name.Name] = diag.Code(v)
				}
			}
		}
	}
	if len(consts) == 0 {
		t.Fatal("no Code constants found")
	}

	// Constants used anywhere in the package, and code literals written
	// outside a constant declaration.
	used := map[string]bool{}
	for _, f := range pkg.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if _, ok := consts[n.Name]; ok && !declared[n] {
					used[n.Name] = true
				}
			case *ast.ValueSpec:
				// The constants' own declarations hold the only code
				// literals; the Codes table is documentation, not use.
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "Code" {
					return false
				}
				if len(n.Names) == 1 && n.Names[0].Name == "Codes" {
					return false
				}
				// The compiler's names for the codes (CodeRead =
				// model.CodeRead) re-export them: not a use either.
				if len(n.Values) == 1 {
					if sel, ok := n.Values[0].(*ast.SelectorExpr); ok && len(n.Names) == 1 && sel.Sel.Name == n.Names[0].Name {
						return false
					}
				}
			case *ast.BasicLit:
				if n.Kind == token.STRING {
					if v, err := strconv.Unquote(n.Value); err == nil && codeValueRe.MatchString(v) {
						t.Errorf("%s: code %s written as a literal; use its Code constant", fset.Position(n.Pos()), v)
					}
				}
			}
			return true
		})
	}

	documented := map[diag.Code]diag.CodeInfo{}
	for i, info := range model.Codes {
		if _, dup := documented[info.Code]; dup {
			t.Errorf("code %s is documented twice in Codes", info.Code)
		}
		documented[info.Code] = info
		if strings.TrimSpace(info.Title) == "" {
			t.Errorf("code %s has no title", info.Code)
		}
		if strings.TrimSpace(info.Summary) == "" {
			t.Errorf("code %s has no summary", info.Code)
		}
		if strings.TrimSpace(info.Fix) == "" {
			t.Errorf("code %s has no fix: say how to correct it in its Fix (compiler/model/codes.go)", info.Code)
		}
		if reg, ok := diag.Codes.Lookup(info.Code); !ok || reg != info {
			t.Errorf("code %s is not registered in diag.Codes as Codes documents it", info.Code)
		}
		if i > 0 && model.Codes[i-1].Code >= info.Code {
			t.Errorf("Codes is not in code order: %s comes after %s", info.Code, model.Codes[i-1].Code)
		}
	}

	byValue := map[diag.Code]string{}
	names := make([]string, 0, len(consts))
	for name := range consts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := consts[name]
		if other, dup := byValue[v]; dup {
			t.Errorf("constants %s and %s share the code %s", other, name, v)
		}
		byValue[v] = name
		if _, ok := documented[v]; !ok {
			what := "declared"
			if used[name] {
				what = "used"
			}
			t.Errorf("%s (%s) is %s but not in Codes", name, v, what)
		}
		if !used[name] {
			t.Logf("%s (%s) is declared but never used", name, v)
		}
	}
	for code := range documented {
		if _, ok := byValue[code]; !ok {
			t.Errorf("Codes documents %s, which no constant declares", code)
		}
	}
}
