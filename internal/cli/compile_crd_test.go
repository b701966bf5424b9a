package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompileCRD(t *testing.T) {
	out := filepath.Join(t.TempDir(), "deploy")
	code, stdout, stderr := run(t, "compile", "../../examples", "-o", out, "--crd", "--resource-files")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "compiled 14 resources") || !strings.Contains(stderr, "[PB1401]") {
		t.Errorf("stdout %q\nstderr %s", stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "projects", "profiling", "dashboards", "cpu.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "apiVersion: perses.dev/v1alpha2\nkind: PersesDashboard\n") {
		t.Errorf("cpu.yaml:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "projects", "profiling", "secrets")); !os.IsNotExist(err) {
		t.Errorf("secrets written: %v", err)
	}
	bundle, _ := os.ReadFile(filepath.Join(out, "bundle.yaml"))
	if n := strings.Count(string(bundle), "\n---\n"); n != 11 {
		t.Errorf("bundle.yaml holds %d documents, want 12", n+1)
	}

	// -q hides the notes; JSON bundles are v1 Lists.
	code, _, stderr = run(t, "compile", "../../examples", "-o", out, "--crd", "-q", "--format", "json", "--resource-files")
	if code != 0 || strings.Contains(stderr, "PB1401") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var list struct {
		APIVersion, Kind string
		Items            []map[string]any
	}
	b, _ = os.ReadFile(filepath.Join(out, "bundle.json"))
	if err := json.Unmarshal(b, &list); err != nil || list.Kind != "List" || len(list.Items) != 12 {
		t.Errorf("bundle.json: %v, kind %q, %d items", err, list.Kind, len(list.Items))
	}

	// A name Kubernetes cannot take fails the build, at the name.
	src := filepath.Join(t.TempDir(), "src")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "ds.yaml"), []byte("kind: Datasource\nmetadata: {name: pyro_main, project: p}\nspec:\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:4040\"}}\n"), 0o644)
	code, _, stderr = run(t, "compile", src, "-o", filepath.Join(t.TempDir(), "o"), "--crd")
	if code != 1 || !strings.Contains(stderr, "ds.yaml:2:18: error: Datasource name \"pyro_main\" cannot be a Kubernetes name") || !strings.Contains(stderr, `"pyro-main"`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
	// A datasource name lower-cased is a note (selectors ignore case); a
	// dashboard's is a warning (its address changes), an error with --strict.
	os.WriteFile(filepath.Join(src, "ds.yaml"), []byte("kind: Datasource\nmetadata: {name: Pyro, project: p}\nspec:\n  default: true\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:4040\"}}\n"), 0o644)
	if code, _, stderr := run(t, "compile", src, "-o", filepath.Join(t.TempDir(), "o"), "--crd", "--strict"); code != 0 {
		t.Errorf("a lower-cased datasource name is a note, even with --strict: exit %d: %s", code, stderr)
	}
	os.WriteFile(filepath.Join(src, "cpu.yaml"), []byte(`kind: Dashboard
metadata: {name: CPU, project: p}
spec:
  panels: {p: {kind: Panel, spec: {plugin: {kind: FlameChart}, queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}}]}}}
  layouts: [{kind: Grid, spec: {items: [{x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/p"}}]}}]
`), 0o644)
	if code, _, stderr := run(t, "compile", src, "-o", filepath.Join(t.TempDir(), "o"), "--crd"); code != 0 || !strings.Contains(stderr, `warning: Dashboard name "CPU" is written "cpu"`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "compile", src, "-o", filepath.Join(t.TempDir(), "o"), "--crd", "--strict"); code != 1 || !strings.Contains(stderr, `error: Dashboard name "CPU"`) {
		t.Errorf("--strict: exit %d: %s", code, stderr)
	}
}

// TestCheckCRD: check --crd reports what compile --crd would (a name
// Kubernetes refuses, a project that cannot be a namespace), as GitHub
// annotations too, and writes nothing; without --crd check does not.
func TestCheckCRD(t *testing.T) {
	src := t.TempDir()
	writeFiles(t, src, map[string]string{
		"ds.yaml":   "kind: Datasource\nmetadata: {name: pyro_main, project: shop}\nspec:\n  default: true\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:4040\"}}\n",
		"shop.yaml": "kind: Datasource\nmetadata: {name: pyro, project: My_Shop}\nspec:\n  default: true\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:4040\"}}\n",
	})
	t.Chdir(src)
	if code, stdout, stderr := run(t, "check", "."); code != 0 || !strings.Contains(stdout, "checked 2 resources") {
		t.Fatalf("check without --crd: exit %d: %s%s", code, stdout, stderr)
	}
	code, _, stderr := run(t, "check", ".", "--crd")
	if code != 1 || !strings.Contains(stderr, `ds.yaml:2:18: error: Datasource name "pyro_main" cannot be a Kubernetes name`) ||
		!strings.Contains(stderr, `project "My_Shop" cannot be`) || !strings.Contains(stderr, "[PB1402]") || !strings.Contains(stderr, "check failed: 2 errors") {
		t.Errorf("check --crd: exit %d: %s", code, stderr)
	}
	code, stdout, _ := run(t, "check", ".", "--crd", "--diagnostics", "github")
	if code != 1 || !strings.Contains(stdout, "::error file=ds.yaml,line=2,col=18,title=pyrobuild PB1402::Datasource name") {
		t.Errorf("check --crd --diagnostics github: exit %d:\n%s", code, stdout)
	}
	if ents, _ := os.ReadDir(src); len(ents) != 2 {
		t.Errorf("check --crd wrote files: %v", ents)
	}
}

// TestCompileCRDInstanceSelector: --instance-selector, or crd.instance_selector
// in pyrobuild.yaml, is written as spec.instanceSelector of every custom
// resource; a selector that does not parse is a usage error.
func TestCompileCRDInstanceSelector(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ds.yaml":        "kind: Datasource\nmetadata: {name: pyro, project: p}\nspec:\n  default: true\n  plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:4040\"}}\n",
		"pyrobuild.yaml": "crd:\n  instance_selector: app=perses\n",
	})
	t.Chdir(dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "  instanceSelector:\n    matchLabels:\n      app: perses\n"},
		{[]string{"--instance-selector", "env in (prod),!canary"}, "  instanceSelector:\n    matchExpressions:\n      - key: env\n        operator: In\n        values:\n          - prod\n      - key: canary\n        operator: DoesNotExist\n"},
	} {
		code, _, stderr := run(t, append([]string{"compile", "--crd", "-o", "out", "-q", "--resource-files"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, stderr)
		}
		b, _ := os.ReadFile(filepath.Join("out", "projects", "p", "datasources", "pyro.yaml"))
		if !strings.HasSuffix(string(b), tc.want) {
			t.Errorf("%v: pyro.yaml:\n%s\nwant it to end with\n%s", tc.args, b, tc.want)
		}
	}
	code, _, stderr := run(t, "compile", "--crd", "-o", "out", "--instance-selector", "a b=c")
	if code != 2 || !strings.Contains(stderr, `--instance-selector: instance selector "a b=c": "a b" is not a label key`) {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
