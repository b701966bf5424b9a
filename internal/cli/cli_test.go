package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCompileExamples(t *testing.T) {
	out := filepath.Join(t.TempDir(), "build")
	code, stdout, stderr := run(t, "compile", "../../examples", "-o", out, "--resource-files")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "compiled 14 resources") {
		t.Errorf("stdout: %q", stdout)
	}
	for _, f := range []string{"bundle.yaml", "projects/profiling/bundle.yaml", "projects/profiling/dashboards/cpu.yaml", "projects/profiling/datasources/PyroscopeMain.yaml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// A second run replaces the folder; JSON removes the YAML files.
	if code, _, stderr := run(t, "compile", "../../examples", "-o", out, "--format", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "bundle.yaml")); !os.IsNotExist(err) {
		t.Errorf("old output survived a successful rebuild: %v", err)
	}
	// Without --resource-files, the bundles only.
	if _, err := os.Stat(filepath.Join(out, "projects/profiling/bundle.json")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(out, "projects/profiling/dashboards")); !os.IsNotExist(err) {
		t.Errorf("resource files without --resource-files: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "bundle.json")); err != nil {
		t.Error(err)
	}
}

func TestFailedCompileKeepsOutput(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "build")
	if code, _, stderr := run(t, "compile", "../../examples", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(out, "bundle.yaml"))
	src := filepath.Join(tmp, "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "bad.yaml"), []byte("kind: Datasource\nmetadata: {name: x, project: p}\nspec:\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"pyroscope:4040\"}}\n"), 0o644)
	code, _, stderr := run(t, "compile", src, "-o", out)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "bad.yaml:4:57: error: invalid directUrl") || !strings.Contains(stderr, "left unchanged") {
		t.Errorf("stderr: %s", stderr)
	}
	after, _ := os.ReadFile(filepath.Join(out, "bundle.yaml"))
	if !bytes.Equal(before, after) || len(after) == 0 {
		t.Error("a failed compile changed the previous output")
	}
	ents, _ := os.ReadDir(tmp)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp litter left: %s", e.Name())
		}
	}
}

func TestRefusesForeignOutputFolder(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "precious.txt"), []byte("mine"), 0o644)
	code, _, stderr := run(t, "compile", "../../examples", "-o", out)
	if code == 0 || !strings.Contains(stderr, "refusing to replace") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "precious.txt")); string(b) != "mine" {
		t.Error("a folder pyrobuild did not write was touched")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"compile", "--no-such-flag"},
		{"compile", "--format", "toml", "../../examples"},
		{"compile", "--go-timeout", "0s", "../../examples"},
		{"check", "--go-timeout", "soon", "../../examples"},
		{"no-such-command"},
		{"version", "extra"},
	} {
		if code, _, stderr := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}

func TestCheckWritesNothing(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	code, stdout, stderr := run(t, "check", filepath.Join(wd, "../../examples"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "checked 14 resources") {
		t.Errorf("stdout: %q", stdout)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("check wrote %v", ents)
	}
}

func TestStrict(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "d.yaml"), []byte(`kind: Dashboard
metadata: {name: d, project: p}
spec:
  panels:
    a:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, query: '{env="prod"}'}}
  layouts:
    - kind: Grid
      spec: {items: [{x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/a"}}]}
`), 0o644)
	if code, _, stderr := run(t, "check", src); code != 1 || !strings.Contains(stderr, "no default PyroscopeDatasource") {
		t.Errorf("without a datasource: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--server-datasource", "default", src); code != 0 || !strings.Contains(stderr, "warning:") {
		t.Errorf("without --strict: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--strict", "--server-datasource", "default", src); code != 1 {
		t.Errorf("with --strict: exit %d: %s", code, stderr)
	}
}

func TestDiagnosticsFormats(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "ds.yaml"), []byte("kind: Datasource\nmetadata: {name: x, project: p}\nspec:\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"pyroscope:4040\"}}\n"), 0o644)
	file := filepath.Join(src, "ds.yaml")

	code, stdout, _ := run(t, "check", "--diagnostics", "json", src)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := `[
  {
    "file": "` + file + `",
    "line": 4,
    "col": 57,
    "endLine": 4,
    "endCol": 73,
    "severity": "error",
    "code": "PB1005",
    "message": "invalid directUrl \"pyroscope:4040\": a URL starts with http:// or https:// followed by a host",
    "path": "spec.plugin.spec.directUrl"
  }
]
`
	if stdout != want {
		t.Errorf("json:\n%s\nwant:\n%s", stdout, want)
	}

	_, stdout, _ = run(t, "check", "--diagnostics", "github", src)
	wantGH := "::error file=" + file + ",line=4,col=57,title=pyrobuild PB1005::invalid directUrl \"pyroscope:4040\": a URL starts with http%3A// or https%3A// followed by a host\n"
	wantGH = strings.Replace(wantGH, "http%3A// or https%3A//", "http:// or https://", 1) // message data escapes only % and newlines
	if stdout != wantGH {
		t.Errorf("github:\n%q\nwant:\n%q", stdout, wantGH)
	}

	if code, _, _ := run(t, "check", "--diagnostics", "xml", src); code != 2 {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	// No problems: an empty JSON array, so scripts can always parse stdout.
	code, stdout, _ = run(t, "check", "--diagnostics", "json", "../../examples")
	if code != 0 || stdout != "[]\n" {
		t.Errorf("clean run: exit %d, stdout %q", code, stdout)
	}
}

func TestUnsupportedFile(t *testing.T) {
	code, _, stderr := run(t, "check", "../../README.md")
	if code != 1 || !strings.Contains(stderr, "README.md: error: cannot compile .md files") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// A path that does not exist is bad usage (exit 2), not a problem
	// of the sources.
	code, _, stderr = run(t, "check", "no/such/folder")
	if code != 2 || !strings.Contains(stderr, "no/such/folder: no such file or folder") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestStaleTempFolders: a temp folder left by a killed run is removed
// (at once where runs lock their folder, else once stale), and one that
// another run holds (still writing) is left alone.
func TestStaleTempFolders(t *testing.T) {
	tmp := t.TempDir()
	stale := filepath.Join(tmp, ".build.tmp-killed")
	fresh := filepath.Join(tmp, ".build.tmp-running")
	os.MkdirAll(stale, 0o755)
	os.MkdirAll(fresh, 0o755)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	holdLock(t, fresh)
	if code, _, stderr := run(t, "compile", "../../examples", "-o", filepath.Join(tmp, "build")); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale temp folder survived")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a recent temp folder, maybe another run's, was removed")
	}
}

// TestCompileLeavesUnchangedOutput: compiling unchanged sources again
// leaves the output folder as it is, and says so; an edit of the output, or
// --crd, writes it again.
func TestCompileLeavesUnchangedOutput(t *testing.T) {
	t.Setenv("PYROBUILD_CACHE", t.TempDir())
	out := filepath.Join(t.TempDir(), "build")
	compile := func(want string, args ...string) {
		t.Helper()
		code, stdout, stderr := run(t, append([]string{"compile", "../../examples/profiling", "-o", out}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout %q, want %q", stdout, want)
		}
	}
	compile("from 4 sources into " + out + "/ (")
	compile("from 4 sources into the unchanged " + out + "/ (")
	bundle := filepath.Join(out, "bundle.yaml")
	if err := os.WriteFile(bundle, []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	compile("into " + out + "/ (")
	if b, _ := os.ReadFile(bundle); string(b) == "edited\n" {
		t.Error("the edited output was not written again")
	}
	compile("into the unchanged")
	compile("into "+out+"/ (", "--crd")
	compile("into " + out + "/ (")
	compile("into the unchanged")
}
