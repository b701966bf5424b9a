package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The diff golden files are the bundle's (internal/bundle/testdata/diff): the
// command prints what bundle.Diff renders, nothing else.
const diffData = "../bundle/testdata/diff"

func TestDiffCommand(t *testing.T) {
	build := filepath.Join(t.TempDir(), "build")
	if code, _, stderr := run(t, "compile", filepath.Join(diffData, "v1"), "-o", build); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	golden := func(name string) string {
		b, err := os.ReadFile(filepath.Join(diffData, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	v2 := filepath.Join(diffData, "v2")

	code, stdout, stderr := run(t, "diff", v2, "--against", build)
	if code != 0 || stdout != golden("v1-v2.txt") || stderr != "" {
		t.Errorf("text: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = run(t, "diff", v2, "--against", build, "--output", "json")
	if code != 0 || stdout != golden("v1-v2.json") {
		t.Errorf("json: exit %d\n%s", code, stdout)
	}
	if code, _, _ := run(t, "diff", v2, "--against", build, "--exit-code"); code != exitChanges {
		t.Errorf("--exit-code with changes: exit %d, want %d", code, exitChanges)
	}
	code, stdout, _ = run(t, "diff", filepath.Join(diffData, "v1"), "--against", build, "--exit-code")
	if code != 0 || stdout != "no changes (5 resources unchanged)\n" {
		t.Errorf("--exit-code without changes: exit %d: %s", code, stdout)
	}

	// Errors in the sources: exit 1, the problems on stderr, nothing on
	// stdout.
	bad := t.TempDir()
	writeFiles(t, bad, map[string]string{"ds.yaml": "kind: Datasource\nmetadata: {name: x, project: p}\nspec:\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"pyroscope:4040\"}}\n"})
	code, stdout, stderr = run(t, "diff", bad, "--against", build, "--output", "json")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "ds.yaml:4:57: error: invalid directUrl") {
		t.Errorf("broken sources: exit %d: %s%s", code, stdout, stderr)
	}

	for _, args := range [][]string{
		{"diff", v2, "--against", filepath.Join(t.TempDir(), "missing")},
		{"diff", v2, "--against", t.TempDir()}, // not an output folder
		{"diff", v2, "--against", build, "--output", "xml"},
	} {
		if code, _, stderr := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
		}
	}
}

// TestDiffSkipsOutputs: diffing the current folder does not read the
// folder compared with, nor the project's output folder, as sources.
func TestDiffSkipsOutputs(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"src/d.yaml": noDatasourceDashboard, "pyrobuild.yaml": "output: out\nserver_datasources: [default]\n"})
	t.Chdir(dir)
	if code, _, stderr := run(t, "compile"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "compile", "-o", "base", "src"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := run(t, "diff", "--against", "base", "--exit-code"); code != 0 || !strings.Contains(stdout, "no changes (1 resource unchanged)") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
	// Other output folders under the sources would be read; --against
	// and the file's output are the two diff knows of.
	os.RemoveAll("base")
	// Without --against, the file's output is the previous build.
	writeFiles(t, dir, map[string]string{"src/d.yaml": strings.Replace(noDatasourceDashboard, "height: 8", "height: 9", 1)})
	code, stdout, stderr := run(t, "diff")
	if code != 0 || !strings.Contains(stdout, "/spec/layouts/0/spec/items/0/height: 8 → 9") {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
}
