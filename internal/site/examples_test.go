package site

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// goExamplePage is a page with a Go example, whose line 6 is the program's
// first line; bad replaces the project's name expression (line 12 of the
// page, at column 22).
func goExamplePage(project string) string {
	return "# Go\n" + // 1
		"\n" + // 2
		"A program:\n" + // 3
		"\n" + // 4
		"```go example\n" + // 5
		"package main\n" + // 6
		"\n" + // 7
		"import \"github.com/pyrobuild/pyrobuild/dac\"\n" + // 8
		"\n" + // 9
		"func main() {\n" + // 10
		"\tdac.Emit(\n" + // 11
		"\t\tdac.Project(" + project + "),\n" + // 12
		"\t\tdac.Dashboard(\"p\", \"d\", dac.Row(1, 8, dac.FlameChart(\"cpu\", dac.ProfileQuery(dac.ProfileType(\"cpu\"), dac.Service(\"api\"))))),\n" + // 13
		"\t\tdac.Datasource(\"p\", \"pyro\", dac.Default(), dac.DirectURL(\"http://pyroscope:4040\")),\n" + // 14
		"\t)\n" + // 15
		"}\n" + // 16
		"```\n"
}

// goSite builds a site of one page, with cache as pyrobuild's cache folder
// (as the command does for $PYROBUILD_CACHE).
func goSite(t *testing.T, cache, page string) *Site {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "content", "index.md"), page)
	return buildSite(t, Config{Root: dir, Workers: 1, CompilerCache: cache})
}

// TestGoExamples: a ```go example block is compiled as a program, through
// the Go loader, with the SDK of this checkout; its problems are reported
// at its markdown lines.
func TestGoExamples(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not installed")
	}
	cache := t.TempDir()
	if s := goSite(t, cache, goExamplePage(`"p"`)); len(s.Diagnostics) > 0 {
		t.Errorf("a good Go example reports:\n%s", diagText(s.Diagnostics))
	}

	// Does not build: at the line and column the Go compiler names.
	got := diagText(goSite(t, cache, goExamplePage(`30`)).Diagnostics)
	if want := "content/index.md:12:15: error: example: cannot use 30 (untyped int constant) as string value"; !strings.Contains(got, want) {
		t.Errorf("missing\n  %s\nin\n%s", want, got)
	}

	// Builds, but what it emits is wrong: at the Go literal.
	got = diagText(goSite(t, cache, strings.Replace(goExamplePage(`"p"`), `ProfileType("cpu")`, `ProfileType("cpuu")`, 1)).Diagnostics)
	if want := `content/index.md:13:96: error: example: unknown profile type "cpuu" [PB1201]`; !strings.Contains(got, want) {
		t.Errorf("missing\n  %s\nin\n%s", want, got)
	}
}

// TestGoExampleNotCompiled: when a Go example cannot be compiled here (no
// go command), the build says so in a warning: it neither passes it
// silently nor fails it.
func TestGoExampleNotCompiled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cache := t.TempDir()
	s := goSite(t, cache, goExamplePage(`"p"`))
	if len(s.Diagnostics) != 1 {
		t.Fatalf("want one warning, got:\n%s", diagText(s.Diagnostics))
	}
	d := s.Diagnostics[0]
	if d.Severity != diag.Warning || d.Code != sitediag.CodeExample || d.Pos.Line != 5 || !strings.Contains(d.Message, "go example not compiled: ") {
		t.Errorf("got %s", diagText(s.Diagnostics))
	}
}

// TestExampleGroup: examples of one page with the same group are compiled
// together, as files of one folder; each is reported at its own lines.
func TestExampleGroup(t *testing.T) {
	datasource := "kind: Datasource\nmetadata:\n  name: pyro\n  project: p\nspec:\n  default: true\n  plugin:\n    kind: PyroscopeDatasource\n    spec:\n      directUrl: http://pyroscope:4040\n"
	dashboard := func(profileType string) string {
		return "kind: Dashboard\n" + // 1
			"metadata:\n" + // 2
			"  name: d\n" + // 3
			"  project: p\n" + // 4
			"spec:\n" + // 5
			"  panels:\n" + // 6
			"    cpu:\n" + // 7
			"      kind: Panel\n" + // 8
			"      spec:\n" + // 9
			"        plugin: {kind: FlameChart, spec: {}}\n" + // 10
			"        queries:\n" + // 11
			"          - kind: ProfileQuery\n" + // 12
			"            spec:\n" + // 13
			"              plugin:\n" + // 14
			"                kind: PyroscopeProfileQuery\n" + // 15
			"                spec: {profileType: " + profileType + ", service: api}\n" + // 16
			"  layouts:\n" +
			"    - kind: Grid\n" +
			"      spec:\n" +
			"        items:\n" +
			"          - {x: 0, y: 0, width: 24, height: 8, content: {$ref: \"#/spec/panels/cpu\"}}\n"
	}
	page := func(fence, profileType string) string {
		// The datasource's code starts at line 4, the dashboard's at line
		// 4 + 10 + 3 = 17.
		return "# Two files\n\n" + fence + "\n" + datasource + "```\n\n" + fence + "\n" + dashboard(profileType) + "```\n"
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "content", "index.md"), page("```yaml example group=quick", "cpu"))
	if s := buildSite(t, Config{Root: dir, Workers: 1}); len(s.Diagnostics) > 0 {
		t.Errorf("a good group reports:\n%s", diagText(s.Diagnostics))
	}
	// Alone, the dashboard has no default datasource.
	write(t, filepath.Join(dir, "content", "index.md"), page("```yaml example", "cpu"))
	if got := diagText(buildSite(t, Config{Root: dir, Workers: 1}).Diagnostics); !strings.Contains(got, "[PB1101]") {
		t.Errorf("without the group, want PB1101, got:\n%s", got)
	}
	write(t, filepath.Join(dir, "content", "index.md"), page("```yaml example group=quick", "cpuu"))
	got := diagText(buildSite(t, Config{Root: dir, Workers: 1}).Diagnostics)
	if want := `content/index.md:32:37: error: example: unknown profile type "cpuu" [PB1201]`; !strings.Contains(got, want) || strings.Count(got, "\n") != 1 {
		t.Errorf("want only\n  %s\ngot\n%s", want, got)
	}
}

// TestRepositoryGoExamplesMarked: the docs' Go program and the quick
// start's dashboard are compiled with the site.
func TestRepositoryGoExamplesMarked(t *testing.T) {
	for file, fence := range map[string]string{
		"../../content/authoring/go.md":                "```go example",
		"../../content/getting-started/quick-start.md": "```yaml example group=",
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), fence) {
			t.Errorf("%s has no %s block", file, fence)
		}
	}
}
