package bundle

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

func compileDiffDir(t *testing.T, dir string) []*model.Resource {
	t.Helper()
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("%s: %s", dir, res.Diagnostics.Summary())
	}
	return res.Resources
}

// checkGolden compares got with testdata/diff/name (rewritten by -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "diff", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after an intended change):\n%s", name, got)
	}
}

// TestDiffGolden compares two versions of a small project: a datasource's
// URL and a secret's password changed, a dashboard changed in several
// fields, one removed, one added.
func TestDiffGolden(t *testing.T) {
	v1 := compileDiffDir(t, filepath.Join("testdata", "diff", "v1"))
	v2 := compileDiffDir(t, filepath.Join("testdata", "diff", "v2"))
	d := Diff(v1, v2)
	var text, js bytes.Buffer
	if err := d.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "v1-v2.txt", text.Bytes())
	checkGolden(t, "v1-v2.json", js.Bytes())
	for _, out := range []string{text.String(), js.String()} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "correct-horse") {
			t.Errorf("a password is printed:\n%s", out)
		}
	}
	if added, removed, changed := d.Count(); added != 1 || removed != 1 || changed != 3 || d.Unchanged != 1 {
		t.Errorf("counts: %d added, %d removed, %d changed, %d unchanged", added, removed, changed, d.Unchanged)
	}
}

// TestDiffAgainstOutput: a build written in either format reads back as
// the same resources, so diffing it against its own sources finds nothing.
func TestDiffAgainstOutput(t *testing.T) {
	rs := compileDiffDir(t, filepath.Join("..", "..", "examples", "profiling"))
	for _, f := range []Format{YAML, JSON} {
		dir := filepath.Join(t.TempDir(), "build")
		if err := WriteOutput(dir, rs, f); err != nil {
			t.Fatal(err)
		}
		old, err := ReadOutput(dir)
		if err != nil {
			t.Fatal(err)
		}
		d := Diff(old, rs)
		if !d.Empty() || d.Unchanged != len(rs) {
			var b bytes.Buffer
			d.WriteText(&b, false)
			t.Errorf("%s: a build differs from its own sources:\n%s", f, b.String())
		}
	}
	crd := t.TempDir()
	os.WriteFile(filepath.Join(crd, "bundle.yaml"), []byte("apiVersion: perses.dev/v1alpha2\nkind: PersesDashboard\nmetadata: {name: cpu, namespace: shop}\n"), 0o644)
	if _, err := ReadOutput(crd); err == nil || !strings.Contains(err.Error(), "--crd") {
		t.Errorf("a --crd build: %v", err)
	}
	if _, err := ReadOutput(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no bundle.yaml") {
		t.Errorf("empty folder: %v", err)
	}
	if _, err := ReadOutput(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("missing folder: %v", err)
	}
}

// TestDiffValues: numbers compare by value, map key order does not count,
// list items compare by index, JSON pointers escape / and ~, credentials
// are masked wherever they are.
func TestDiffValues(t *testing.T) {
	parse := func(s string) *model.Resource {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "r.json"), []byte(s), 0o644)
		out := filepath.Join(dir, "build")
		os.MkdirAll(out, 0o755)
		os.WriteFile(filepath.Join(out, "bundle.json"), []byte("["+s+"]"), 0o644)
		rs, err := ReadOutput(out)
		if err != nil {
			t.Fatal(err)
		}
		return rs[0]
	}
	a := parse(`{"kind": "Datasource", "metadata": {"name": "d", "project": "p"}, "spec": {"n": 1.0, "a/b~": "x", "l": [1, 2, 3],
		"proxy": {"headers": {"Authorization": "Bearer old", "X-Team": "a"}}}}`)
	b := parse(`{"kind": "Datasource", "spec": {"l": [1, 3], "proxy": {"headers": {"X-Team": "a", "Authorization": "Bearer new"}}, "a/b~": "y", "n": 1},
		"metadata": {"project": "p", "name": "d"}}`)
	d := Diff([]*model.Resource{a}, []*model.Resource{b})
	var out bytes.Buffer
	d.WriteText(&out, false)
	want := `~ Datasource/p/d
    /spec/l/1: 2 → 3
    /spec/l/2: removed 3
    /spec/proxy/headers/Authorization: "******** (old)" → "******** (new)"
    /spec/a~1b~0: "x" → "y"
1 resource differs: 0 added, 0 removed, 1 changed, 0 unchanged
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestDiffRedactsURLCredentials: a credential written inside a URL is not
// printed by diff, in text or JSON; the rest of the URL is.
func TestDiffRedactsURLCredentials(t *testing.T) {
	parse := func(s string) *model.Resource {
		out := filepath.Join(t.TempDir(), "build")
		os.MkdirAll(out, 0o755)
		os.WriteFile(filepath.Join(out, "bundle.json"), []byte("["+s+"]"), 0o644)
		rs, err := ReadOutput(out)
		if err != nil {
			t.Fatal(err)
		}
		return rs[0]
	}
	a := parse(`{"kind": "GlobalDatasource", "metadata": {"name": "d"}, "spec": {"directUrl": "http://u:old-pa55@h:4040"}}`)
	b := parse(`{"kind": "GlobalDatasource", "metadata": {"name": "d"}, "spec": {"directUrl": "http://h:4040/?token=new-t0k"}}`)
	d := Diff([]*model.Resource{a}, []*model.Resource{b})
	var text, js bytes.Buffer
	d.WriteText(&text, false)
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), js.String()} {
		if strings.Contains(out, "old-pa55") || strings.Contains(out, "new-t0k") || !strings.Contains(out, "http://h:4040/?token=<redacted>") {
			t.Errorf("diff output:\n%s", out)
		}
	}
}
