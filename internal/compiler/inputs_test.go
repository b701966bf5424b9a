package compiler_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// TestGoInputs: Result.Inputs names what a Go program's build depends on
// beyond its own sources (the packages it imports from its module, go.mod,
// go.sum), so that a watcher can recompile when one changes; packages it
// does not import are not named.
func TestGoInputs(t *testing.T) {
	needGo(t)
	dir := writeModule(t, map[string]string{
		"dash/main.go":      cacheMain,
		"shared/project.go": "package shared\n\n// Project is the project of every dashboard.\nconst Project = \"team\"\n",
		"shared/doc.txt":    "not Go, but in the package's folder (an embed could read it)\n",
		"other/other.go":    "package other\n",
	})
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{filepath.Join(dir, "dash")}, GoCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected: %s", formatDiag(d))
	}
	for _, want := range []string{"shared/project.go", "shared/doc.txt", "go.mod", "go.sum", "dash/main.go"} {
		if !slices.Contains(res.Inputs, filepath.Join(dir, want)) {
			t.Errorf("Inputs lack %s: %v", want, res.Inputs)
		}
	}
	if slices.Contains(res.Inputs, filepath.Join(dir, "other", "other.go")) {
		t.Errorf("Inputs name a package the program does not import: %v", res.Inputs)
	}
	if !slices.IsSorted(res.Inputs) {
		t.Errorf("Inputs not sorted: %v", res.Inputs)
	}
}

// TestCUEPackagesOfAFolder: the .cue files of one package in one folder
// evaluate together (one may use another's fields), other packages and
// files without a package clause of the same folder stand alone, and a
// folder's single file is a unit whatever its package clause says.
func TestCUEPackagesOfAFolder(t *testing.T) {
	dir := t.TempDir()
	project := func(name string) string {
		return `{kind: "Project", metadata: name: ` + name + `, spec: {}}`
	}
	for path, text := range map[string]string{
		"mixed/a.cue":  "package x\n\nfirst: " + project(`"pa"`) + "\n",
		"mixed/b.cue":  "package x\n\nsecond: " + project(`first.metadata.name + "2"`) + "\n",
		"mixed/c.cue":  "package y\n\nthird: " + project(`"pc"`) + "\n",
		"mixed/d.cue":  "fourth: " + project(`"pd"`) + "\n",
		"alone/e.cue":  "package z\n\nfifth: " + project(`"pe"`) + "\n",
		"single/f.cue": "sixth: " + project(`"pf"`) + "\n",
	} {
		writeFile(t, filepath.Join(dir, path), text)
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("unexpected diagnostic: %s", d)
	}
	if res.Units != 5 {
		t.Errorf("%d units, want 5: {a, b}, c, d, e, f", res.Units)
	}
	var names []string
	for _, r := range res.Resources {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if want := []string{"pa", "pa2", "pc", "pd", "pe", "pf"}; !slices.Equal(names, want) {
		t.Errorf("projects %v, want %v", names, want)
	}
}
