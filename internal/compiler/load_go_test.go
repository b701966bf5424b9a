package compiler_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// goBrokenCases are broken Go programs, one folder each under
// testdata/go/broken (paths relative to brokenDir, so the corpus helpers
// apply). Positions were worked out by reading the .go files; columns
// count bytes, a tab is one.
var goBrokenCases = []brokenCase{
	{file: "../go/broken/type-error", want: []wantDiag{
		errAt(model.CodeGoBuild, 9, 47, "cannot use 30 (untyped int constant) as string value").inFile("../go/broken/type-error/main.go"),
	}},
	{file: "../go/broken/unknown-profile-type", want: []wantDiag{
		// Passed through a helper: reported where the literal is written.
		errAt(model.CodeUnknownProfile, 18, 19, `unknown profile type "cpuu"`).withHint(`did you mean "cpu"?`).inFile("../go/broken/unknown-profile-type/main.go"),
		// Written in the ProfileType call itself.
		errAt(model.CodeUnknownProfile, 21, 63, `unknown profile type "memroy"`).withHint(`did you mean "memory"?`).inFile("../go/broken/unknown-profile-type/main.go"),
	}},
	{file: "../go/broken/panic", want: []wantDiag{
		// In the user's helper, not in the runtime.
		errAt(model.CodeGoRun, 9, 2, "program panicked: runtime error: index out of range [2] with length 2").inFile("../go/broken/panic/main.go"),
	}},
	{file: "../go/broken/sdk-misuse", want: []wantDiag{
		errAt(model.CodeGoRun, 10, 8, "Row: perRow is 0; a row holds 1 to 24 panels").inFile("../go/broken/sdk-misuse/main.go"),
	}},
	{file: "../go/broken/no-output", want: []wantDiag{
		errAt(model.CodeGoOutput, 6, 1, "program printed nothing").withHint("dac.Emit").inFile("../go/broken/no-output/main.go"),
	}},
	{file: "../go/broken/grid-overflow", want: []wantDiag{
		errAt(model.CodeGridOverflow, 11, 9, "x + width = 12 + 24 is more than 24").inFile("../go/broken/grid-overflow/main.go"),
	}},
	{file: "../go/broken/query-syntax", want: []wantDiag{
		// Inside the raw string literal: the p of prod.
		errAt(model.CodeSelectorSyntax, 12, 42, `unexpected identifier "prod"`).withHint(`write env="prod"`).inFile("../go/broken/query-syntax/main.go"),
	}},
	{file: "../go/broken/unresolved-datasource", want: []wantDiag{
		errAt(model.CodeUnresolvedDatasource, 13, 24, `no PyroscopeDatasource named "nowhere"`).inFile("../go/broken/unresolved-datasource/main.go"),
	}},
	{file: "../go/broken/protocol-too-new", want: []wantDiag{
		errAt(model.CodeGoOutput, 10, 1, "program writes protocol version 3; this pyrobuild reads version 2").withHint("upgrade pyrobuild").inFile("../go/broken/protocol-too-new/main.go"),
	}},
	{file: "../go/broken/credential-header", want: []wantDiag{
		warnAt(model.CodeLiteralCredential, 9, 67, `header "Authorization" carries a credential`).inFile("../go/broken/credential-header/main.go"),
	}, check: func(t *testing.T, r *compiler.Result) {
		var out bytes.Buffer
		tr := &compiler.TextRenderer{Sources: r.Sources}
		for _, d := range r.Diagnostics {
			tr.Render(&out, d)
		}
		if strings.Contains(out.String(), "s3cr3t") {
			t.Errorf("the credential is quoted:\n%s", out.String())
		}
		// Masked to the same width, so that carets stay under their values.
		if !strings.Contains(out.String(), `dac.Header("Authorization", "*******************")`) {
			t.Errorf("no masked literal in:\n%s", out.String())
		}
	}},
	{file: "../go/broken/plain-not-resource", want: []wantDiag{
		errAt(model.CodeGoOutput, 10, 1, "output is neither JSON nor YAML").inFile("../go/broken/plain-not-resource/main.go"),
	}},
	{file: "../go/broken/debug-output", want: []wantDiag{
		// The stray line is quoted, and the hint says where debug output goes.
		errAt(model.CodeGoOutput, 11, 1, `program printed other output before its resources (line 1 of the output: "building the dashboards")`).
			withHint("fmt.Fprintln(os.Stderr").inFile("../go/broken/debug-output/main.go"),
	}},
	{file: "../go/broken/same-line-literal", want: []wantDiag{
		// The second "memroy" of the line, ProfileType's; the first is Display's.
		errAt(model.CodeUnknownProfile, 8, 87, `unknown profile type "memroy"`).withHint(`did you mean "memory"?`).inFile("../go/broken/same-line-literal/main.go"),
	}},
	{file: "../go/broken/helper-error", want: []wantDiag{
		// In a package main imports: shown with its line, as main's errors are.
		errAt(model.CodeGoBuild, 5, 22, "cannot use 42 (untyped int constant) as string value").inFile("../go/broken/helper-error/lib/lib.go"),
	}, check: func(t *testing.T, r *compiler.Result) {
		var out bytes.Buffer
		tr := &compiler.TextRenderer{Sources: r.Sources}
		for _, d := range r.Diagnostics {
			tr.Render(&out, d)
		}
		if !strings.Contains(out.String(), "var Project string = 42") {
			t.Errorf("no excerpt of the helper's line in:\n%s", out.String())
		}
	}},
	{file: "../go/broken/plugin-schema", plugins: true, want: []wantDiag{
		// The lowered query checked against a loaded schema, reported at
		// the SDK call that set the value.
		errAt(model.CodeInvalidValue, 12, 92, "invalid maxNodes 5000").withHint("PyroscopeProfileQuery (plugin module Pyro-1.0.0)").inFile("../go/broken/plugin-schema/main.go"),
	}},
	{file: "../go/broken/duplicate-key", want: []wantDiag{
		// At the second FlameChart call of the line; the first is named with
		// its folder, as diagnostics name files.
		errAt(model.CodeGoRun, 8, 81, `two panels have the key "x" (the other is at `+filepath.Join("testdata", "go", "broken", "duplicate-key", "main.go")+":8:60)").inFile("../go/broken/duplicate-key/main.go"),
	}},
}

func needGo(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not installed")
	}
}

func TestGoBrokenSources(t *testing.T) {
	needGo(t)
	entries, err := os.ReadDir(filepath.Join("testdata", "go", "broken"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.ContainsFunc(goBrokenCases, func(c brokenCase) bool { return c.file == "../go/broken/"+e.Name() }) {
			t.Errorf("testdata/go/broken/%s is not used by any case", e.Name())
		}
	}
	for _, c := range goBrokenCases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			res, err := compileCase(c)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if probs := c.problems(res); len(probs) > 0 {
				var got []string
				for _, d := range res.Diagnostics {
					got = append(got, "  "+formatDiag(d))
				}
				t.Errorf("%s:\n  %s\nall diagnostics:\n%s", c.file, strings.Join(probs, "\n  "), strings.Join(got, "\n"))
			}
			for _, d := range res.Diagnostics {
				if d.Severity >= diag.Warning && (!d.Pos.IsValid() || d.Pos.Col < 1) {
					t.Errorf("diagnostic without a line and column: %s", formatDiag(d))
				}
				if res.Sources[d.Pos.File] == nil {
					t.Errorf("diagnostic in %s, whose text is not kept for excerpts", d.Pos.File)
				}
			}
			if c.check != nil {
				c.check(t, res)
			}
		})
	}
}

// TestGoExamples compiles examples/go, the Go version of
// examples/profiling, and checks that its dashboards and datasources come
// out exactly as the CUE and YAML ones do, project aside; then that a
// second compilation builds nothing and gives the same bytes.
func TestGoExamples(t *testing.T) {
	needGo(t)
	cache := t.TempDir()
	opts := compiler.Options{Paths: []string{filepath.Join("..", "..", "examples")}, GoCache: cache}
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected: %s", formatDiag(d))
	}
	if res.GoBuilds != 1 {
		t.Errorf("GoBuilds = %d on a cold cache, want 1", res.GoBuilds)
	}
	byID := map[string]*model.Resource{}
	for _, r := range res.Resources {
		byID[r.ID()] = r
	}
	compared := 0
	for _, r := range res.Resources {
		if r.Project != "profiling-go" || r.Kind == "Project" {
			continue
		}
		twin := byID[r.Kind+"/profiling/"+r.Name]
		if twin == nil {
			t.Errorf("%s has no twin in examples/profiling", r.ID())
			continue
		}
		got := encode(t, r)
		want := strings.ReplaceAll(encode(t, twin), "project: profiling\n", "project: profiling-go\n")
		if got != want {
			t.Errorf("%s differs from its CUE/YAML twin:\n--- go\n%s\n--- twin\n%s", r.ID(), got, want)
		}
		compared++
	}
	if compared != 6 {
		t.Errorf("compared %d resources, want 6 (2 datasources, a secret, 3 dashboards)", compared)
	}
	// Positions point at the Go sources.
	for _, r := range res.Resources {
		if r.Project == "profiling-go" && filepath.Ext(r.Pos.File) != ".go" {
			t.Errorf("%s is at %s, want a .go file", r.ID(), r.Pos)
		}
	}

	warm, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if warm.GoBuilds != 0 {
		t.Errorf("GoBuilds = %d on a warm cache, want 0", warm.GoBuilds)
	}
	if len(warm.Resources) != len(res.Resources) {
		t.Fatalf("warm compilation gave %d resources, cold %d", len(warm.Resources), len(res.Resources))
	}
	for i := range res.Resources {
		if encode(t, warm.Resources[i]) != encode(t, res.Resources[i]) {
			t.Errorf("%s: a warm compilation gave other bytes than the cold one", res.Resources[i].ID())
		}
	}
}

func encode(t *testing.T, r *model.Resource) string {
	t.Helper()
	return string(bundle.Encode(r.Node, bundle.YAML))
}

// writeModule writes a Go module outside this repository that requires
// pyrobuild from this checkout (a replace directive, so it builds
// offline), with the given files.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files["go.mod"] = "module example.com/dashboards\n\ngo 1.26.0\n\nrequire github.com/pyrobuild/pyrobuild v0.0.0\n\nreplace github.com/pyrobuild/pyrobuild => " + filepath.ToSlash(root) + "\n"
	for name, text := range files {
		writeFile(t, filepath.Join(dir, name), text)
	}
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const cacheMain = `package main

import (
	"example.com/dashboards/shared"
	"github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	dac.Emit(dac.Project(shared.Project), dac.Datasource(shared.Project, "pyro", dac.Default(), dac.DirectURL("http://pyroscope:4040")))
}
`

// TestGoCache checks what rebuilds a Go source: its files, the files of
// the packages it imports from its module, go.mod; and what does not:
// compiling again, files outside what it depends on.
func TestGoCache(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"dash/main.go":      cacheMain,
		"shared/project.go": "package shared\n\n// Project is the project of every dashboard.\nconst Project = \"team\"\n",
		"other/other.go":    "package other\n",
	})
	opts := compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()}
	step := func(what string, wantBuilds int, wantProject string) {
		t.Helper()
		res, err := compiler.Compile(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Diagnostics {
			t.Errorf("%s: unexpected: %s", what, formatDiag(d))
		}
		if res.GoBuilds != wantBuilds {
			t.Errorf("%s: GoBuilds = %d, want %d", what, res.GoBuilds, wantBuilds)
		}
		if len(res.Resources) == 0 || res.Resources[0].Name != wantProject {
			t.Errorf("%s: resources %v, want project %s first", what, resourceIDs(res), wantProject)
		}
	}
	step("cold", 1, "team")
	step("warm", 0, "team")
	writeFile(t, filepath.Join(dir, "other", "other.go"), "package other\n\n// Unrelated changes do not rebuild.\n")
	writeFile(t, filepath.Join(dir, "README.md"), "not Go\n")
	step("unrelated change", 0, "team")
	writeFile(t, filepath.Join(dir, "shared", "project.go"), "package shared\n\n// Project is the project of every dashboard.\nconst Project = \"platform\"\n")
	step("imported package changed", 1, "platform")
	writeFile(t, filepath.Join(dir, "dash", "main.go"), strings.Replace(cacheMain, "http://pyroscope:4040", "http://pyroscope:4041", 1))
	step("main package changed", 1, "platform")
	step("warm again", 0, "platform")
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.mod"), string(b)+"\n// a comment changes go.mod\n")
	step("go.mod changed", 1, "platform")
	writeFile(t, filepath.Join(dir, "dash", "main_test.go"), "package main\n")
	step("test file added", 0, "platform")
}

// TestGoTimeout: a program that runs too long is stopped and reported.
func TestGoTimeout(t *testing.T) {
	needGo(t)
	start := time.Now()
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{filepath.Join("testdata", "go", "slow", "main.go")}, GoTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Code != model.CodeGoTimeout || !strings.Contains(res.Diagnostics[0].Message, "300ms") {
		t.Fatalf("want one time-out naming 300ms, got %v", res.Diagnostics)
	}
	if d := res.Diagnostics[0]; d.Pos.File != filepath.Join("testdata", "go", "slow", "main.go") || d.Pos.Line != 10 {
		t.Errorf("time-out at %s, want the main function (main.go:10)", d.Pos)
	}
	// The build is not counted against the program: only the run is
	// timed, and it stops at once.
	if run := time.Since(start); run > 30*time.Second {
		t.Errorf("compile took %s", run)
	}
}

// TestGoPlainOutput: a program that prints plain Perses JSON, as the
// Perses Go SDK does (or any program, as percli's users write), compiles
// when its file or its folder is named; found by walking a folder above
// it, it is not run, as it does not import a dashboards SDK, and a note
// says so.
func TestGoPlainOutput(t *testing.T) {
	needGo(t)
	main := filepath.Join("testdata", "go", "plain", "main.go")
	for _, named := range []string{main, filepath.Dir(main)} {
		res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{named}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Diagnostics {
			t.Errorf("%s: unexpected: %s", named, formatDiag(d))
		}
		if got := resourceIDs(res); !slices.Equal(got, []string{"Project/plain", "Datasource/plain/pyro", "Dashboard/plain/cpu"}) {
			t.Fatalf("%s: resources %v", named, got)
		}
		for _, r := range res.Resources {
			if r.Pos.File != main || r.Pos.Line != 10 {
				t.Errorf("%s: %s at %s, want %s:10 (func main)", named, r.ID(), r.Pos, main)
			}
		}
	}

	plain, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	dir := writeModule(t, map[string]string{
		"dash/main.go":        program(`"team"`),
		"tools/plain/main.go": string(plain),
	})
	walked, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got := resourceIDs(walked); !slices.Equal(got, []string{"Project/team"}) {
		t.Errorf("walking the module: resources %v, want the dac program's only", got)
	}
	if walked.GoBuilds != 1 {
		t.Errorf("walking the module built %d programs, want 1", walked.GoBuilds)
	}
	skipped := filepath.Join(dir, "tools", "plain", "main.go")
	if len(walked.Diagnostics) != 1 || walked.Diagnostics[0].Severity != diag.Info || walked.Diagnostics[0].Pos.File != skipped ||
		!strings.Contains(walked.Diagnostics[0].Message, "main package skipped") || !strings.Contains(walked.Diagnostics[0].Hint, filepath.Dir(skipped)) {
		t.Errorf("want a note that %s was skipped, naming its folder; got %v", skipped, walked.Diagnostics)
	}

	// Nothing but skipped programs: no sources, an error as ever, which
	// does not claim that no Go source was found.
	alone := writeModule(t, map[string]string{"tools/plain/main.go": string(plain)})
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{alone}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Severity != diag.Error || res.Diagnostics[0].Code != model.CodeNoSources ||
		!strings.Contains(res.Diagnostics[0].Message, "main package skipped") {
		t.Errorf("want one no-sources error saying the main package was skipped, got %v", res.Diagnostics)
	}
}

// TestGoMissingToolchain: without the go command, one clear error.
func TestGoMissingToolchain(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{filepath.Join("..", "..", "examples", "go"), filepath.Join("testdata", "go", "broken", "panic")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, got %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Code != model.CodeGoToolchain || !strings.Contains(d.Hint, "Go 1.26") || !strings.Contains(d.Hint, "https://go.dev/dl/") {
		t.Errorf("got %s", formatDiag(d))
	}
}

// TestGoSDKNotRequired: a module that does not require the SDK gets go's
// own message, at the import, with the command that fixes it.
func TestGoSDKNotRequired(t *testing.T) {
	needGo(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/nosdk\n\ngo 1.26.0\n")
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"github.com/pyrobuild/pyrobuild/dac\"\n\nfunc main() { dac.Emit() }\n")
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) == 0 {
		t.Fatal("want a diagnostic")
	}
	d := res.Diagnostics[0]
	if d.Code != model.CodeGoBuild || d.Pos.Line != 3 || !strings.Contains(d.Message+d.Hint, "github.com/pyrobuild/pyrobuild/dac") {
		t.Errorf("got %s at %s", formatDiag(d), d.Pos)
	}
}

// program is a dashboards program emitting one project; project is a Go
// expression, on line 6.
func program(project string) string {
	return "package main\n\nimport \"github.com/pyrobuild/pyrobuild/dac\"\n\nfunc main() {\n\tdac.Emit(dac.Project(" + project + "))\n}\n"
}

// TestGoBatchBuild: the programs of one module are built together; one
// that does not compile is reported alone, at its line, and two folders of
// the same name (whose binaries go build would name alike) both build.
func TestGoBatchBuild(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"team-a/dash/main.go": program(`"team-a"`),
		"team-b/dash/main.go": program(`"team-b"`),
		"team-c/main.go":      program(`"team-c"`),
		"broken/main.go":      program(`teamD`),
	})
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.GoBuilds != 4 {
		t.Errorf("GoBuilds = %d, want 4", res.GoBuilds)
	}
	if got := resourceIDs(res); !slices.Equal(got, []string{"Project/team-a", "Project/team-b", "Project/team-c"}) {
		t.Errorf("resources %v", got)
	}
	if len(res.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, got %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Code != model.CodeGoBuild || d.Pos.File != filepath.Join(dir, "broken", "main.go") || d.Pos.Line != 6 || d.Pos.Col != 23 || !strings.Contains(d.Message, "undefined: teamD") {
		t.Errorf("got %s at %s", formatDiag(d), d.Pos)
	}
}

// TestGoCacheReplace: a package from a module replaced by a local folder
// is part of the key, as the SDK is for programs in pyrobuild's module.
func TestGoCacheReplace(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"dash/main.go":           "package main\n\nimport (\n\t\"example.com/lib/names\"\n\t\"github.com/pyrobuild/pyrobuild/dac\"\n)\n\nfunc main() { dac.Emit(dac.Project(names.Project)) }\n",
		"lib/go.mod":             "module example.com/lib\n\ngo 1.26.0\n",
		"lib/names/names.go":     "package names\n\n// Project names the project.\nconst Project = \"one\"\n",
		"lib/unused/unused.go":   "package unused\n",
		"lib/names/names_doc.md": "not part of the build, but in the folder\n",
	})
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.mod"), string(b)+"\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n")
	opts := compiler.Options{Paths: []string{filepath.Join(dir, "dash")}, GoCache: t.TempDir()}
	step := func(what string, wantBuilds int, wantProject string) {
		t.Helper()
		compileOneProject(t, opts, what, wantBuilds, wantProject)
	}
	step("cold", 1, "one")
	writeFile(t, filepath.Join(dir, "lib", "unused", "unused.go"), "package unused\n\n// Not imported.\n")
	step("package not imported changed", 0, "one")
	writeFile(t, filepath.Join(dir, "lib", "names", "names.go"), "package names\n\n// Project names the project.\nconst Project = \"two\"\n")
	step("replaced package changed", 1, "two")
}

// compileOneProject compiles a program that emits one Project, and checks
// how many Go builds it took and the project's name.
func compileOneProject(t *testing.T, opts compiler.Options, what string, wantBuilds int, wantProject string) {
	t.Helper()
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("%s: unexpected: %s", what, formatDiag(d))
	}
	if res.GoBuilds != wantBuilds || len(res.Resources) != 1 || res.Resources[0].Name != wantProject {
		t.Errorf("%s: %d builds, resources %v; want %d builds, project %s", what, res.GoBuilds, resourceIDs(res), wantBuilds, wantProject)
	}
}

// TestGoCacheEmbed: a file a program embeds from a subfolder is part of the
// cache key, so changing it rebuilds the program.
func TestGoCacheEmbed(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"dash/main.go":              "package main\n\nimport (\n\t_ \"embed\"\n\t\"strings\"\n\n\t\"github.com/pyrobuild/pyrobuild/dac\"\n)\n\n//go:embed data/project.txt\nvar project string\n\nfunc main() { dac.Emit(dac.Project(strings.TrimSpace(project))) }\n",
		"dash/data/project.txt":     "first\n",
		"dash/nested/go.mod":        "module example.com/nested\n\ngo 1.26.0\n",
		"dash/nested/unrelated.txt": "a nested module is not embeddable\n",
	})
	opts := compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()}
	step := func(what string, wantBuilds int, wantProject string) {
		t.Helper()
		compileOneProject(t, opts, what, wantBuilds, wantProject)
	}
	step("cold", 1, "first")
	step("warm", 0, "first")
	writeFile(t, filepath.Join(dir, "dash", "data", "project.txt"), "second\n")
	step("embedded file changed", 1, "second")
	writeFile(t, filepath.Join(dir, "dash", "nested", "unrelated.txt"), "changed\n")
	step("nested module changed", 0, "second")
}

// TestGoOneMainPerFile: a folder of programs, one func main per file, as
// percli's layout has it, builds each file as a program of its own; a
// file named alone builds alone, and a change to one file rebuilds that
// program only.
func TestGoOneMainPerFile(t *testing.T) {
	needGo(t)
	dir := filepath.Join("testdata", "go", "twomain")
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{filepath.Join(dir, "cpu.go")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("cpu.go: unexpected: %s", formatDiag(d))
	}
	if got := resourceIDs(res); !slices.Equal(got, []string{"Project/twomain", "Datasource/twomain/pyro", "Dashboard/twomain/cpu"}) {
		t.Errorf("cpu.go: resources %v", got)
	}
	res, err = compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("folder: unexpected: %s", formatDiag(d))
	}
	if got := resourceIDs(res); !slices.Equal(got, []string{"Project/twomain", "Datasource/twomain/pyro", "Dashboard/twomain/cpu", "Dashboard/twomain/mem"}) {
		t.Errorf("folder: resources %v", got)
	}
	for _, r := range res.Resources {
		if want := filepath.Join(dir, map[bool]string{true: "mem.go", false: "cpu.go"}[r.Name == "mem"]); r.Pos.File != want {
			t.Errorf("%s at %s, want in %s", r.ID(), r.Pos, want)
		}
	}

	mod := writeModule(t, map[string]string{
		"dash/a.go": program(`"a"`),
		"dash/b.go": program(`"b"`),
	})
	opts := compiler.Options{Paths: []string{mod}, GoCache: t.TempDir()}
	step := func(what string, wantBuilds int, want ...string) {
		t.Helper()
		res, err := compiler.Compile(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Diagnostics {
			t.Errorf("%s: unexpected: %s", what, formatDiag(d))
		}
		if got := resourceIDs(res); res.GoBuilds != wantBuilds || !slices.Equal(got, want) {
			t.Errorf("%s: %d builds, resources %v; want %d builds, %v", what, res.GoBuilds, got, wantBuilds, want)
		}
	}
	step("cold", 2, "Project/a", "Project/b")
	step("warm", 0, "Project/a", "Project/b")
	writeFile(t, filepath.Join(mod, "dash", "b.go"), program(`"b2"`))
	step("one file changed", 1, "Project/a", "Project/b2")
}

// TestGoOutsideModule: a program outside any module that imports the SDK
// is told to create a go.mod, at its import; one that imports only the
// standard library builds as a file, as go run does.
func TestGoOutsideModule(t *testing.T) {
	needGo(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	writeFile(t, file, program(`"outside"`))
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{file}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, got %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Code != model.CodeGoBuild || d.Pos.File != file || d.Pos.Line != 3 || d.Pos.Col != 8 ||
		!strings.Contains(d.Message, "not in a Go module") ||
		!strings.Contains(d.Hint, "go mod init example.com/dashboards && go get github.com/pyrobuild/pyrobuild/dac") {
		t.Errorf("got %s at %s", formatDiag(d), d.Pos)
	}
	if res.Sources[d.Pos.File] == nil {
		t.Errorf("%s is not kept for excerpts", d.Pos.File)
	}

	plain, err := os.ReadFile(filepath.Join("testdata", "go", "plain", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	std := filepath.Join(t.TempDir(), "plain.go")
	writeFile(t, std, string(plain))
	res, err = compiler.Compile(context.Background(), compiler.Options{Paths: []string{std}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("standard library only: unexpected: %s", formatDiag(d))
	}
	if got := resourceIDs(res); len(got) != 3 {
		t.Errorf("standard library only: resources %v", got)
	}
}

// TestGoStrayOutput: debug output on standard output, before or after the
// resources, is quoted, with a hint to print it on standard error.
func TestGoStrayOutput(t *testing.T) {
	needGo(t)
	const resources = `[{"kind": "Project", "metadata": {"name": "stray"}, "spec": {}}]`
	for _, c := range []struct{ name, print, msg string }{
		{"before", `"debug: start\n` + strings.ReplaceAll(resources, `"`, `\"`) + `"`, `program printed other output before its resources (line 1 of the output: "debug: start")`},
		{"after", `"` + strings.ReplaceAll(resources, `"`, `\"`) + `\ndone"`, `output is not valid JSON (line 2, column 1 of the output: "done")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "main.go")
			writeFile(t, file, "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println("+c.print+")\n}\n")
			res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{file}, GoCache: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Diagnostics) != 1 {
				t.Fatalf("want one diagnostic, got %v", res.Diagnostics)
			}
			d := res.Diagnostics[0]
			if d.Code != model.CodeGoOutput || d.Pos.Line != 5 || !strings.Contains(d.Message, c.msg) || !strings.Contains(d.Hint, "fmt.Fprintln(os.Stderr") {
				t.Errorf("got %s at %s", formatDiag(d), d.Pos)
			}
		})
	}
}

// TestGoPathMode: a program outside any module that imports more than
// the standard library needs a go.mod, unless the go command builds in
// GOPATH mode (GO111MODULE=off, in the environment or in go env's file),
// which it is asked for.
func TestGoPathMode(t *testing.T) {
	needGo(t)
	for _, tc := range []struct {
		name     string
		env      string // GO111MODULE's value in the environment
		envFile  string // GO111MODULE's value in go env's file
		wantHint bool   // the "not in a Go module" error
	}{
		{name: "modules", wantHint: true},
		{name: "off", env: "off"},
		{name: "off in go env's file", envFile: "off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"example.com/missing/lib\"\n\nfunc main() { lib.Run() }\n")
			goenv := filepath.Join(t.TempDir(), "go.env")
			if tc.envFile != "" {
				writeFile(t, goenv, "GO111MODULE="+tc.envFile+"\n")
			}
			t.Setenv("GOENV", goenv)
			t.Setenv("GO111MODULE", tc.env)
			t.Setenv("GOPATH", t.TempDir())
			t.Setenv("GOPROXY", "off")
			res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, GoCache: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Diagnostics) == 0 {
				t.Fatal("want a diagnostic")
			}
			d := res.Diagnostics[0]
			if got := strings.Contains(d.Message, "is not in a Go module"); got != tc.wantHint || d.Code != model.CodeGoBuild {
				t.Errorf("got %s", formatDiag(d))
			}
		})
	}
}
