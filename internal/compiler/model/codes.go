package model

import "github.com/pyrobuild/pyrobuild/internal/diag"

// Diagnostic codes. PB0xxx: reading sources; PB10xx: the resource model;
// PB11xx: checks across resources; PB12xx: Pyroscope specifics; PB13xx:
// live checks against a Pyroscope server; PB14xx: Kubernetes output.
// (PB20xx are the docs site's: package site declares and registers them.)
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
	CodeEmptySource          Code = "PB0014"
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
	CodeNoPluginSchema       Code = "PB1015"
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
	CodeURLCredential        Code = "PB1211"
	CodeUnanchoredEndpoint   Code = "PB1212"
	CodeLiveUnreachable      Code = "PB1301"
	CodeLiveNoData           Code = "PB1302"
	CodeLiveProfileType      Code = "PB1303"
	CodeLiveNote             Code = "PB1304"
	CodeSnapshotFailed       Code = "PB1305"
	CodeSnapshotEmpty        Code = "PB1306"
	// PB14xx: Kubernetes output (compile --crd).
	CodeCRDSkipped Code = "PB1401"
	CodeCRDName    Code = "PB1402"
)

// Codes lists every diagnostic code with its documentation, in code order.
// They are registered in diag.Codes when the package is initialized.
var Codes = []CodeInfo{
	{Code: CodeRead, Title: "unreadable source",
		Summary:   "A source file or folder could not be read.",
		Fix:       "Check the path (relative to the folder pyrobuild runs in) and its permissions, and name only `.cue`, `.yaml`, `.yml`, `.json` and `.go` files, or folders holding them.",
		NoExample: "The cause is outside the sources: a path that does not exist, a file or folder pyrobuild may not read, a named pipe or a device, or a file of a type pyrobuild does not compile (`cannot compile .txt files`). The message names the path and the reason."},
	{Code: CodeYAMLSyntax, Title: "YAML syntax error",
		Summary: "The file is not valid YAML.",
		Fix:     "Correct the YAML at the line shown: indent with spaces, never tabs; quote a value that holds `: ` or ` #`, or starts with `{`, `[`, `*`, `&` or `!`; close every `[`, `{` and quote you open."},
	{Code: CodeJSONSyntax, Title: "JSON syntax error",
		Summary: "The file is not valid JSON.",
		Fix:     "Correct the JSON at the position shown: no comma after the last member of an object or array, no comments, keys and strings in double quotes."},
	{Code: CodeCUE, Title: "CUE evaluation error",
		Summary: "CUE could not load or evaluate the package (syntax, conflicting values, incomplete values, bad imports).",
		Fix:     "Read the CUE error at the position shown: make conflicting values agree (a field has one value, however many places set it), give every field of an output resource a concrete value rather than only a type, correct fields a schema definition does not allow, and import packages that exist (`github.com/pyrobuild/pyrobuild/schema` is provided; others come from your CUE module: vendored under `cue.mod/pkg`, or fetched into CUE's module cache by `cue mod tidy`, after `percli dac setup` for the Perses CUE SDK)."},
	{Code: CodeNotResource, Title: "not a resource",
		Summary: "A value was expected to be a Perses resource ({kind, metadata, spec}).",
		Fix:     "Make every YAML or JSON document, every item of a top-level list and every top-level CUE value a resource with `kind`, `metadata` and `spec`; delete stray values, or move them into a resource."},
	{Code: CodeDuplicateKey, Title: "duplicate key",
		Summary: "A mapping defines the same key twice; only one can win, so this is an error.",
		Fix:     "Keep one of the two keys and delete the other, merging their values if both matter."},
	{Code: CodeInputLimit, Title: "input too large",
		Summary: "A source exceeds a safety limit (size, nesting depth, alias expansion, or the time or memory a CUE package may take to evaluate).",
		Fix:     "Split a source over 32 MiB into several files; flatten values nested deeper than 200 levels; write values out instead of expanding chains of YAML aliases. For a CUE package stopped for its time or memory, look for a comprehension over a large range or a value that doubles at each step; a package that is just large may be given more time with `PYROBUILD_CUE_TIMEOUT` (e.g. `5m`)."},
	{Code: CodeNoSources, Title: "no sources",
		Summary: "No CUE, YAML, JSON or Go source was found under the given paths.",
		Fix:     "Pass the folder or the files that hold your dashboards, e.g. `pyrobuild compile ./dashboards`. Sources end in `.cue`, `.yaml`, `.yml`, `.json` or `.go`; folders named `testdata`, `vendor`, `node_modules` or `cue.mod`, and names starting with `.`, are skipped."},
	{Code: CodeGoBuild, Title: "Go build error",
		Summary: "A Go source did not build; the error is shown at the .go line the Go compiler names.",
		Fix:     "Correct the Go code at the line shown, as the Go compiler's message says; `go build ./...` or `go vet ./...` in the program's folder lists the same errors."},
	{Code: CodeGoRun, Title: "Go program failed",
		Summary: "A Go program panicked (reported at the line of the user's code that panicked), misused the SDK, or exited with an error.",
		Fix:     "For a panic, correct the code at the line shown (your code's frame of the stack); for a misused SDK call, give it the value its message asks for; for a program that exits with an error, read what it printed on standard error. `go run .` in the program's folder reproduces it."},
	{Code: CodeGoTimeout, Title: "Go program timed out",
		Summary:   "A Go program ran longer than the time-out (--go-timeout, 30s by default).",
		Fix:       "A dashboards program should only build resources and call `dac.Emit`: take out network calls, waits and loops that never end (fetch what the program needs beforehand, into a file it embeds). If it must take longer, raise the limit, e.g. `pyrobuild compile --go-timeout 2m dashboards`.",
		NoExample: "It depends on what the program does when it runs, and on the machine: a program that waits for the network or for input, or never ends."},
	{Code: CodeGoToolchain, Title: "Go toolchain missing",
		Summary:   "Go sources were found but the go command is not installed; pyrobuild needs it to build them.",
		Fix:       "Install Go, in the version the hint names, from https://go.dev/dl/, and check that `go version` works in the shell that runs pyrobuild; or leave the Go sources out of the paths you compile.",
		NoExample: "It depends on the machine, not on the source: the go command is not on PATH."},
	{Code: CodeGoOutput, Title: "unreadable Go program output",
		Summary: "A Go program printed something that is neither the SDK's document (dac.Emit) nor Perses resources as JSON or YAML.",
		Fix:     "End `main` with `dac.Emit(resources...)` and print nothing else on standard output (write logs to standard error); a program that prints resources itself must print them as JSON or YAML. A program built with a newer SDK than this pyrobuild reads needs a newer pyrobuild."},
	{Code: CodeEmptySource, Title: "empty source file",
		Summary: "A source file (YAML, JSON or CUE) holds nothing but white space, so it defines no resource. It is a warning, the same for every kind of source: nothing written is lost, but a file cut short (a failed export, a redirection that truncated it) would otherwise drop its resources from the output unnoticed.",
		Fix:     "Write the resources the file should hold, restore it if it was cut short, or delete it. `--strict` turns this warning into a failure, like any other."},
	{Code: CodeUnknownKind, Title: "unknown kind",
		Summary: "The resource kind is not a Perses resource kind pyrobuild knows, in any spelling. (Perses reads resource kinds case-insensitively: a known kind written in another case compiles, with warning PB1006.)",
		Fix:     "Spell the kind as Perses does; the hint names the closest kind pyrobuild knows or, for the kind of a part of a resource (a Panel, a Grid, a query, a plugin), where that part goes."},
	{Code: CodeUnknownField, Title: "unknown field",
		Summary: "The field is not part of the model; Perses schemas are closed, so the server would reject it.",
		Fix:     "Correct the field's name (the hint names the closest field) or delete the field; the plugin model reference lists the fields of each plugin."},
	{Code: CodeMissingField, Title: "missing required field",
		Summary: "A required field is absent.",
		Fix:     "Add the field the message names to the map the caret points at."},
	{Code: CodeWrongType, Title: "wrong type",
		Summary: "The value has the wrong type (for example a number where a string is expected).",
		Fix:     "Write a value of the type the message names: quote a string that YAML would read as a number, a boolean or a map (`\"0\"`, `'{service_name=\"api\"}'`), and write numbers and booleans without quotes."},
	{Code: CodeInvalidValue, Title: "invalid value",
		Summary: "The value does not satisfy the model's constraint (pattern, range or allowed values).",
		Fix:     "Change the value to one the constraint in the message allows: a value that matches its pattern, lies within its range, or is one of the values it lists."},
	{Code: CodeKindSpelling, Title: "kind spelling",
		Summary: "Perses reads resource kinds case-insensitively, so the resource compiles; pyrobuild writes the canonical spelling. (Plugin kinds are case-sensitive: a plugin kind in another case is error PB1005.)",
		Fix:     "Write the kind as the message spells it. Nothing breaks meanwhile: pyrobuild already writes that spelling."},
	{Code: CodeScope, Title: "project scope",
		Summary: "Project-scoped resources need metadata.project; global ones must not have it.",
		Fix:     "Give a project-scoped resource (Datasource, Secret, Dashboard, …) its `metadata.project`; delete `metadata.project` from a global one (Project, GlobalDatasource, GlobalSecret, …), or use the kind of the other scope (Datasource instead of GlobalDatasource)."},
	{Code: CodeUncheckedPlugin, Title: "plugin not validated",
		Summary: "No plugin schemas are loaded and pyrobuild's own schema does not model the plugin kind (it models PyroscopeDatasource, PyroscopeProfileQuery, FlameChart and StaticListVariable), so its spec is not checked: a warning, so that `--strict` fails. Resource kinds pyrobuild passes through (Folder, Role, User…) are noted with this code too.",
		Fix:     "Load the schemas of the plugins your Perses server runs, with `--plugins PATH` or `plugins:` in `pyrobuild.yaml`: PATH is a folder of plugin archives (a copy of the Perses container's `/etc/perses/plugins-archive`, or archives from the perses/plugins releases) or of extracted plugin folders. Every plugin is then checked as the server checks it. If you meant a plugin pyrobuild models, spell its kind exactly so."},
	{Code: CodePluginRole, Title: "plugin in the wrong place",
		Summary: "A plugin is used where a plugin of another role is expected (for example a panel plugin as a query).",
		Fix:     "Use a plugin of the role the message names there (a query plugin such as PyroscopeProfileQuery in a query's `spec.plugin`), and move the other plugin where it belongs (a panel plugin such as FlameChart in the panel's `spec.plugin`)."},
	{Code: CodeExclusive, Title: "conflicting or missing alternatives",
		Summary: "Exactly one (or at most one) of a set of fields must be given.",
		Fix:     "Give exactly one (or at most one) of the fields the message names: add the missing one, or delete the one too many."},
	{Code: CodeTooMany, Title: "too many items",
		Summary: "A list holds more items than the model allows.",
		Fix:     "Delete items until the list holds no more than the number the message names."},
	{Code: CodeDuplicate, Title: "duplicate resource",
		Summary: "Two sources define the same resource (kind, project, name).",
		Fix:     "Keep one definition of each kind, project and name: merge the two into one, delete one, or rename one (`metadata.name`)."},
	{Code: CodeRegexp, Title: "invalid regular expression",
		Summary: "A pattern does not compile as a Go (RE2) regular expression.",
		Fix:     "Correct the pattern so that Go's RE2 compiles it: close every group and character class, and escape a literal `.`, `(`, `[`, `*`, `+` or `?` with `\\`. RE2 has no look-ahead, look-behind or back-references."},
	{Code: CodeMapKey, Title: "invalid key",
		Summary: "A map key (panel key, datasource key) does not satisfy the naming rule.",
		Fix:     "Rename the key as the rule in the message says (a panel key is letters, digits, `_` and `-`), and change every `$ref` to it."},
	{Code: CodeNoPluginSchema, Title: "no schema for the plugin",
		Summary: "Plugin schemas are loaded (`--plugins`, `plugins:`) and none defines this plugin kind, or none is a datasource, panel or variable plugin at all. The Perses server rejects a plugin it has no schema for, and refuses every datasource or dashboard when no plugin of the type it needs is loaded (even a dashboard without variables needs a variable plugin), so pyrobuild does too.",
		Fix:     "Correct the kind's spelling (the hint names the closest loaded kind), or add the plugin modules your Perses server runs to the paths given to `--plugins` (Perses ships StaticListVariable as its variable plugin)."},
	{Code: CodeUnresolvedDatasource, Title: "unresolved datasource",
		Summary: "A query's datasource selector matches no datasource of that kind in the dashboard, its project or the global scope.",
		Fix:     "Name a datasource that exists: a key of the dashboard's `spec.datasources`, a Datasource of the project, or a GlobalDatasource; or leave `datasource` out to use the default one. If it exists only on the Perses server, say so with `--server-datasource NAME`."},
	{Code: CodeDefaultDatasource, Title: "several default datasources",
		Summary: "More than one datasource of the same plugin kind is marked default: true in one scope.",
		Fix:     "Keep `default: true` on one datasource of each plugin kind in each scope (a dashboard, a project, the global datasources), and select the others by name."},
	{Code: CodeMissingSecret, Title: "secret not found",
		Summary: "A proxy names a Secret (GlobalSecret for global datasources) that is not among the compiled sources; it must exist on the server.",
		Fix:     "Define the Secret (a GlobalSecret for a GlobalDatasource) among the sources, or make sure it exists on the Perses server; check the name in `proxy.spec.secret`."},
	{Code: CodeRefUnresolved, Title: "unresolved $ref",
		Summary: "A layout item points at a panel key that does not exist.",
		Fix:     "Point the `$ref` at a panel that exists, `#/spec/panels/<key>` (the hint lists the keys), or add the panel."},
	{Code: CodeOrphanPanel, Title: "panel not in any layout",
		Summary: "A panel is defined but no layout places it, so the dashboard never shows it.",
		Fix:     "Place the panel with a grid item whose `content` is `{\"$ref\": \"#/spec/panels/<key>\"}`, or delete the panel."},
	{Code: CodeGridOverflow, Title: "grid item too wide",
		Summary: "A grid item ends beyond the 24th column (x + width > 24).",
		Fix:     "Keep `x + width` at most 24: make the item narrower or move it left."},
	{Code: CodeGridOverlap, Title: "overlapping grid items",
		Summary: "Two items of one grid overlap; the Perses UI pushes one of them down.",
		Fix:     "Move one item so that the two share no cell: below the other (its `y` at least the other's `y + height`) or beside it."},
	{Code: CodeDuplicateVariable, Title: "duplicate variable",
		Summary: "Two variables of a dashboard have the same name.",
		Fix:     "Rename one of the variables, and the `$name` references meant for it, or delete it."},
	{Code: CodeUndefinedVariable, Title: "undefined variable",
		Summary: "A $name or ${name} reference names no variable of the dashboard (or a project/global variable in the sources).",
		Fix:     "Define the variable in the dashboard's `spec.variables` (or as a project or global variable among the sources), or correct the name after the `$`."},
	{Code: CodeVariableCycle, Title: "variable cycle",
		Summary: "Variables refer to each other in a circle, so none can be resolved.",
		Fix:     "Break the circle: give one of the variables a value that refers to none of the others."},
	{Code: CodeQueryType, Title: "query type not supported by the panel",
		Summary: "The panel plugin cannot show queries of this kind (a FlameChart shows ProfileQuery queries only).",
		Fix:     "Give the panel queries of a kind it shows (a FlameChart takes `kind: ProfileQuery` queries with a PyroscopeProfileQuery plugin), or show the queries in a panel plugin made for them."},
	{Code: CodeUnknownProfile, Title: "unknown profile type",
		Summary: "A short profile type name is not in pyrobuild's alias table.",
		Fix:     "Use a short name of the profile type table (the hint names the closest one), or write the full Pyroscope profile type ID, e.g. `process_cpu:cpu:nanoseconds:cpu:nanoseconds`."},
	{Code: CodeProfileTypeForm, Title: "profile type form",
		Summary: "A profile type is neither a known alias nor a 5- or 6-part Pyroscope profile type ID.",
		Fix:     "Write the five parts Pyroscope lists, `name:sample_type:sample_unit:period_type:period_unit` (a sixth, `delta`, is allowed), or use a short name."},
	{Code: CodeSelectorSyntax, Title: "label selector syntax",
		Summary: "The query label selector does not parse with the grammar Pyroscope uses.",
		Fix:     "Correct the selector at the column shown: matchers inside `{…}`, separated by commas, each a label name, an operator (`=`, `!=`, `=~`, `!~`) and a value in double quotes, e.g. `{service_name=\"api\", env=~\"prod|staging\"}`."},
	{Code: CodeNoService, Title: "no service_name",
		Summary: "The query has no service_name=\"…\" matcher; the Perses UI does not run such a query.",
		Fix:     "Add `service_name=\"<service>\"` to the selector (in the wire form, give `service`)."},
	{Code: CodeUICannotCarry, Title: "value the Perses UI cannot carry",
		Summary: "The Perses UI rebuilds the query without escaping, so quotes and backslashes in values break it.",
		Fix:     "Keep quotes, backslashes and line breaks out of label values: match the value with `=~` and a `.` in place of each such character."},
	{Code: CodeQueryConflict, Title: "query and service/filters disagree",
		Summary: "The authoring query and the wire fields service/filters say different things.",
		Fix:     "Give either the authoring `query` or the wire fields `service` and `filters`, not both; or make them say the same."},
	{Code: CodeStaleEndpoint, Title: "stale proxy endpoint",
		Summary: "The proxy allows a Pyroscope route that no longer exists; the plugin calls four other endpoints.",
		Fix:     "Delete the legacy routes and allow what the plugin calls: `^/pyroscope/render$` with `GET`, and `^/querier\\.v1\\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$` with `POST`."},
	{Code: CodeServiceMatcher, Title: "unusable service_name matcher",
		Summary: "service_name must appear once, with the = operator, to become the query's service.",
		Fix:     "Select one service with a single `service_name=\"…\"` matcher; for several services, write one query each."},
	{Code: CodeLiteralCredential, Title: "credential in plain text",
		Summary: "A proxy header carries a credential (Authorization, API key, cookie) in the source; use a Secret.",
		Fix:     "Delete the header, put the credential in a Secret (`spec.authorization` or `spec.basicAuth`, best with a `…File` field that the Perses server reads) and name the Secret in `proxy.spec.secret`."},
	{Code: CodeEmptyFilter, Title: "empty filter",
		Summary: "A filter with an empty label name or value is dropped by the Perses UI.",
		Fix:     "Delete the filter, or test whether the label is set: operator `=~` and value `.+` (with `!~`: not set)."},
	{Code: CodeURLCredential, Title: "credential in a URL",
		Summary: "A datasource's URL carries a credential: a password in its user information (`http://user:pass@host`) or a query parameter such as `token`, `api_key` or `password`. pyrobuild redacts it in everything it prints and publishes (terminal, JSON diagnostics, the docs site's pages and search index, the preview), but the bundle keeps the URL as written, and the Perses proxy ignores user information.",
		Fix:     "Take the credential out of the URL and put it in a Secret: a password in `basicAuth` (with `passwordFile` to keep it out of Git), a token in `authorization` (`credentialsFile`). Name the Secret in `proxy.spec.secret`."},
	{Code: CodeUnanchoredEndpoint, Title: "unanchored endpointPattern",
		Summary: "Perses matches an `endpointPattern` anywhere in the request's path, so a pattern without `^` and `$` allows more than it says: `/pyroscope/render` also lets `/api/admin/pyroscope/render` through.",
		Fix:     "Anchor the pattern at both ends, as the hint writes it: `^/pyroscope/render$`."},
	{Code: CodeLiveUnreachable, Title: "datasource not reachable (--live)",
		Summary:   "check --live could not ask the Pyroscope server (unreachable, time-out, error answer).",
		Fix:       "Check that the datasource's URL answers from the machine that runs `check --live` (name resolution, firewall, VPN, credentials); a proxy's URL is the one the Perses server reaches, which your machine may not. A slow server may need a longer `--live-timeout`. It is a warning: the check fails on it only with `--strict`.",
		NoExample: "It depends on the network and on the Pyroscope server at the time of the check, not on the source."},
	{Code: CodeLiveNoData, Title: "no data (--live)",
		Summary:   "check --live found no profiles of that type or service in the datasource over the range checked: the flame graph would be empty.",
		Fix:       "Check the service name and the profile type against what the server holds (the hint suggests close names), or look further back with `--live-range` (24h by default). A service that has not sent profiles yet stops being reported once it has.",
		NoExample: "It depends on the profiles the Pyroscope server holds at the time of the check."},
	{Code: CodeLiveProfileType, Title: "profile type under another ID (--live)",
		Summary:   "check --live found that the query's service has no profiles of the query's type, but has the same profile under a neighbouring ID: the other goroutine ID (`goroutine:…` written by pyroscope-go and Grafana Alloy, `goroutines:…` by Pyroscope's own self-profiles), or the same sample type under another period (Java's `mutex:…:mutex:count`). The flame graph would be empty.",
		Fix:       "Write the full ID the hint names in `profileType`. The short names stand for what instrumented Go services write; see the profile types page for who writes which ID.",
		NoExample: "It depends on the profiles the Pyroscope server holds at the time of the check."},
	{Code: CodeLiveNote, Title: "live check note (--live)",
		Summary:   "What limited check --live: the live part was skipped (the sources have errors, or warnings under strict), the range was shortened to the server's `max_query_length`, or a datasource was asked without the credentials of its Secret (a `…File` that is not on this machine, an oauth secret).",
		Fix:       "Nothing is wrong with the dashboards. Correct the errors first for the live part to run; for a Secret whose file lives only on the Perses server, put a copy at the same path to check with its credentials.",
		NoExample: "It depends on the other diagnostics, the server's limits and the files on the machine at the time of the check."},
	{Code: CodeSnapshotFailed, Title: "panel not recorded (snapshot)",
		Summary:   "pyrobuild snapshot could not record what a query shows: its datasource is not in the sources or has no URL, the Pyroscope server did not answer (unreachable, time-out, credentials refused), or it answered an error or something that is not a flame graph. The dashboard's recording is left as it was.",
		Fix:       "Check that the server answers from this machine, or point the datasource at one that does with `--url URL` (every datasource) or `--url NAME=URL` (one datasource); an error answer is quoted in the message (a range over the server's `max_query_length` needs a shorter `--range`).",
		NoExample: "It depends on the network and on the Pyroscope server at the time of the snapshot, not on the source."},
	{Code: CodeSnapshotEmpty, Title: "empty recording (snapshot)",
		Summary:   "pyrobuild snapshot recorded a flame graph with no samples: the server holds no profiles for the query over the range. The recording is written, and the published page shows the empty panel.",
		Fix:       "Run `pyrobuild check --live` to learn why (service, profile type or filters), or record over a longer `--range` once the service has sent profiles.",
		NoExample: "It depends on the profiles the Pyroscope server holds at the time of the snapshot."},
	{Code: CodeCRDSkipped, Title: "not written as a custom resource (--crd)",
		Summary: "The Perses operator has no custom resource for the kind (Secret, GlobalSecret, Folder, …) or does not carry the field (a project's display, a panel's display.hideHeader, which is a warning): compile --crd leaves it out. A Secret whose credentials are files on the Perses server is written as `spec.client` of the datasources using it instead.",
		Fix:     "For a Secret: the operator makes a Perses secret from a datasource custom resource's `spec.client` and names it `<custom resource name>-secret`, so the datasource's `proxy.spec.secret` must name that (pyrobuild writes both when the Secret's basicAuth password and TLS certificates are files); for credentials written in the Secret, put them in a Kubernetes Secret that `spec.client` names, or create the Secret on the Perses server (`percli apply -f` with pyrobuild's output without `--crd`). A project's display is lost (the operator names the project after its namespace), and so is a panel's hideHeader: remove it, or apply the dashboard with percli."},
	{Code: CodeCRDName, Title: "not a Kubernetes name (--crd)",
		Summary: "Kubernetes names are lower-case letters, digits, '-' (and '.', except for namespaces), and the operator names the Perses resource after its custom resource: a name that differs from one only in case is lower-cased, another must be renamed.",
		Fix:     "Rename the resource (or the project) to a Kubernetes name: at most 253 lower-case letters, digits, `-` and `.` (for a project, at most 63 and no `.`), starting and ending with a letter or digit; then change the references to it."},
}

func init() { diag.Codes.Register(Codes...) }
