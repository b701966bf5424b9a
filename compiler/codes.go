package compiler

// Code is a stable diagnostic identifier such as PB1002. Codes never change
// meaning once published; retired codes are not reused.
type Code string

// CodeInfo documents one diagnostic code.
type CodeInfo struct {
	Code    Code
	Title   string
	Summary string
}

// Diagnostic codes. PB0xxx: reading sources; PB10xx: the resource model;
// PB11xx: checks across resources; PB12xx: Pyroscope specifics; PB13xx:
// live checks against a Pyroscope server; PB14xx: Kubernetes output;
// PB20xx: the docs site.
const (
	CodeRead                 Code = "PB0001"
	CodeYAMLSyntax           Code = "PB0002"
	CodeJSONSyntax           Code = "PB0003"
	CodeCUE                  Code = "PB0004"
	CodeNotResource          Code = "PB0005"
	CodeDuplicateKey         Code = "PB0006"
	CodeInputLimit           Code = "PB0007"
	CodeNoSources            Code = "PB0008"
	CodeGoBuild              Code = "PB0009"
	CodeGoRun                Code = "PB0010"
	CodeGoTimeout            Code = "PB0011"
	CodeGoToolchain          Code = "PB0012"
	CodeGoOutput             Code = "PB0013"
	CodeUnknownKind          Code = "PB1001"
	CodeUnknownField         Code = "PB1002"
	CodeMissingField         Code = "PB1003"
	CodeWrongType            Code = "PB1004"
	CodeInvalidValue         Code = "PB1005"
	CodeKindSpelling         Code = "PB1006"
	CodeScope                Code = "PB1007"
	CodeUncheckedPlugin      Code = "PB1008"
	CodePluginRole           Code = "PB1009"
	CodeExclusive            Code = "PB1010"
	CodeTooMany              Code = "PB1011"
	CodeDuplicate            Code = "PB1012"
	CodeRegexp               Code = "PB1013"
	CodeMapKey               Code = "PB1014"
	CodeUnresolvedDatasource Code = "PB1101"
	CodeDefaultDatasource    Code = "PB1102"
	CodeMissingSecret        Code = "PB1103"
	CodeRefUnresolved        Code = "PB1104"
	CodeOrphanPanel          Code = "PB1105"
	CodeGridOverflow         Code = "PB1106"
	CodeGridOverlap          Code = "PB1107"
	CodeDuplicateVariable    Code = "PB1108"
	CodeUndefinedVariable    Code = "PB1109"
	CodeVariableCycle        Code = "PB1110"
	CodeQueryType            Code = "PB1111"
	CodeUnknownProfile       Code = "PB1201"
	CodeProfileTypeForm      Code = "PB1202"
	CodeSelectorSyntax       Code = "PB1203"
	CodeNoService            Code = "PB1204"
	CodeUICannotCarry        Code = "PB1205"
	CodeQueryConflict        Code = "PB1206"
	CodeStaleEndpoint        Code = "PB1207"
	CodeServiceMatcher       Code = "PB1208"
	CodeLiteralCredential    Code = "PB1209"
	CodeEmptyFilter          Code = "PB1210"
	CodeLiveUnreachable      Code = "PB1301"
	CodeLiveNoData           Code = "PB1302"
	// PB14xx: Kubernetes output (compile --crd).
	CodeCRDSkipped Code = "PB1401"
	CodeCRDName    Code = "PB1402"
	// PB20xx: the docs site (pyrobuild build and serve).
	CodeContentRead   Code = "PB2001"
	CodeFrontMatter   Code = "PB2002"
	CodeBrokenLink    Code = "PB2003"
	CodeBrokenAnchor  Code = "PB2004"
	CodeExample       Code = "PB2005"
	CodeTemplate      Code = "PB2006"
	CodeDuplicatePage Code = "PB2007"
)

// Codes lists every diagnostic code with its documentation, in code order.
var Codes = []CodeInfo{
	{CodeRead, "unreadable source", "A source file or folder could not be read."},
	{CodeYAMLSyntax, "YAML syntax error", "The file is not valid YAML."},
	{CodeJSONSyntax, "JSON syntax error", "The file is not valid JSON."},
	{CodeCUE, "CUE evaluation error", "CUE could not load or evaluate the package (syntax, conflicting values, incomplete values, bad imports)."},
	{CodeNotResource, "not a resource", "A value was expected to be a Perses resource ({kind, metadata, spec})."},
	{CodeDuplicateKey, "duplicate key", "A mapping defines the same key twice; only one can win, so this is an error."},
	{CodeInputLimit, "input too large", "A source exceeds a safety limit (size, nesting depth, alias expansion, or the time or memory a CUE package may take to evaluate)."},
	{CodeNoSources, "no sources", "No CUE, YAML, JSON or Go source was found under the given paths."},
	{CodeGoBuild, "Go build error", "A Go source did not build; the error is shown at the .go line the Go compiler names."},
	{CodeGoRun, "Go program failed", "A Go program panicked (reported at the line of the user's code that panicked), misused the SDK, or exited with an error."},
	{CodeGoTimeout, "Go program timed out", "A Go program ran longer than the time-out (--go-timeout, 30s by default)."},
	{CodeGoToolchain, "Go toolchain missing", "Go sources were found but the go command is not installed; pyrobuild needs it to build them."},
	{CodeGoOutput, "unreadable Go program output", "A Go program printed something that is neither the SDK's document (dac.Emit) nor Perses resources as JSON or YAML."},
	{CodeUnknownKind, "unknown kind", "The resource kind is not a Perses kind pyrobuild knows."},
	{CodeUnknownField, "unknown field", "The field is not part of the model; Perses schemas are closed, so the server would reject it."},
	{CodeMissingField, "missing required field", "A required field is absent."},
	{CodeWrongType, "wrong type", "The value has the wrong type (for example a number where a string is expected)."},
	{CodeInvalidValue, "invalid value", "The value does not satisfy the model's constraint (pattern, range or allowed values)."},
	{CodeKindSpelling, "kind spelling", "Perses reads kinds case-insensitively; pyrobuild writes the canonical spelling."},
	{CodeScope, "project scope", "Project-scoped resources need metadata.project; global ones must not have it."},
	{CodeUncheckedPlugin, "plugin not validated", "The plugin kind is not one pyrobuild has a schema for; its spec is passed through unchecked."},
	{CodePluginRole, "plugin in the wrong place", "A plugin is used where a plugin of another role is expected (for example a panel plugin as a query)."},
	{CodeExclusive, "conflicting or missing alternatives", "Exactly one (or at most one) of a set of fields must be given."},
	{CodeTooMany, "too many items", "A list holds more items than the model allows."},
	{CodeDuplicate, "duplicate resource", "Two sources define the same resource (kind, project, name)."},
	{CodeRegexp, "invalid regular expression", "A pattern does not compile as a Go (RE2) regular expression."},
	{CodeMapKey, "invalid key", "A map key (panel key, datasource key) does not satisfy the naming rule."},
	{CodeUnresolvedDatasource, "unresolved datasource", "A query's datasource selector matches no datasource of that kind in the dashboard, its project or the global scope."},
	{CodeDefaultDatasource, "several default datasources", "More than one datasource of the same plugin kind is marked default: true in one scope."},
	{CodeMissingSecret, "secret not found", "A proxy names a Secret (GlobalSecret for global datasources) that is not among the compiled sources; it must exist on the server."},
	{CodeRefUnresolved, "unresolved $ref", "A layout item points at a panel key that does not exist."},
	{CodeOrphanPanel, "panel not in any layout", "A panel is defined but no layout places it, so the dashboard never shows it."},
	{CodeGridOverflow, "grid item too wide", "A grid item ends beyond the 24th column (x + width > 24)."},
	{CodeGridOverlap, "overlapping grid items", "Two items of one grid overlap; the Perses UI pushes one of them down."},
	{CodeDuplicateVariable, "duplicate variable", "Two variables of a dashboard have the same name."},
	{CodeUndefinedVariable, "undefined variable", "A $name or ${name} reference names no variable of the dashboard (or a project/global variable in the sources)."},
	{CodeVariableCycle, "variable cycle", "Variables refer to each other in a circle, so none can be resolved."},
	{CodeQueryType, "query type not supported by the panel", "The panel plugin cannot show queries of this kind (a FlameChart shows ProfileQuery queries only)."},
	{CodeUnknownProfile, "unknown profile type", "A short profile type name is not in pyrobuild's alias table."},
	{CodeProfileTypeForm, "profile type form", "A profile type is neither a known alias nor a 5- or 6-part Pyroscope profile type ID."},
	{CodeSelectorSyntax, "label selector syntax", "The query label selector does not parse with the grammar Pyroscope uses."},
	{CodeNoService, "no service_name", "The query has no service_name=\"…\" matcher; the Perses UI does not run such a query."},
	{CodeUICannotCarry, "value the Perses UI cannot carry", "The Perses UI rebuilds the query without escaping, so quotes and backslashes in values break it."},
	{CodeQueryConflict, "query and service/filters disagree", "The authoring query and the wire fields service/filters say different things."},
	{CodeStaleEndpoint, "stale proxy endpoint", "The proxy allows a Pyroscope route that no longer exists; the plugin calls four other endpoints."},
	{CodeServiceMatcher, "unusable service_name matcher", "service_name must appear once, with the = operator, to become the query's service."},
	{CodeLiteralCredential, "credential in plain text", "A proxy header carries a credential (Authorization, API key, cookie) in the source; use a Secret."},
	{CodeEmptyFilter, "empty filter", "A filter with an empty label name or value is dropped by the Perses UI."},
	{CodeLiveUnreachable, "datasource not reachable (--live)", "check --live could not ask the Pyroscope server (unreachable, time-out, error answer)."},
	{CodeLiveNoData, "no data (--live)", "check --live found no profiles of that type or service in the datasource over the range checked: the flame graph would be empty."},
	{CodeCRDSkipped, "not written as a custom resource (--crd)", "The Perses operator has no custom resource for the kind (Secret, GlobalSecret, Folder, …) or does not carry the field (a project's display): compile --crd leaves it out."},
	{CodeCRDName, "not a Kubernetes name (--crd)", "Kubernetes names are lower-case letters, digits, '-' (and '.', except for namespaces), and the operator names the Perses resource after its custom resource: a name that differs from one only in case is lower-cased, another must be renamed."},
	{CodeContentRead, "unreadable page", "A file of the site's content/ folder could not be read (a page must also be UTF-8 and at most 32 MiB), or is a link to a file outside it, to a folder or to nothing."},
	{CodeFrontMatter, "front matter", "A page's YAML front matter is malformed or has a field of the wrong type."},
	{CodeBrokenLink, "broken link", "A link points to a page or file the site does not publish."},
	{CodeBrokenAnchor, "broken anchor", "A link's #anchor names no heading or element of the target page."},
	{CodeExample, "example does not compile as expected", "A fenced example failed to compile, or an expect= example did not fail with the code it names. The example's own problems are reported with their codes at its lines."},
	{CodeTemplate, "template error", "A layout template does not parse or fails on a page."},
	{CodeDuplicatePage, "two pages at one address", "Two content files publish the same URL (foo.md and foo/index.md)."},
}
