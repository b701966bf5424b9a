package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrobuild/pyrobuild/compiler"
)

// TestCache: a compilation with a Cache loads again only the units whose
// files changed, and gives the same resources, diagnostics and excerpts as
// one without it, however often it runs. The project is written "kind:
// project", which validation corrects in its nodes: a cache that handed out
// its own nodes would lose the warning on the next run.
func TestCache(t *testing.T) {
	dir := t.TempDir()
	const project = "kind: project\nmetadata:\n  name: team\nspec: {}\n"
	const datasource = `{"kind": "Datasource", "metadata": {"name": "pyro", "project": "team"}, "spec": {"default": true, "plugin": {"kind": "PyroscopeDatasource", "spec": {"directUrl": "http://pyroscope:4040"}}}}`
	dashboard := func(profile string) string {
		return `package dash

import "github.com/pyrobuild/pyrobuild/schema"

dashboard: schema.#Dashboard & {
	kind: "Dashboard"
	metadata: {name: "cpu", project: "team"}
	spec: {
		panels: flame: {kind: "Panel", spec: {
			display: name: "CPU"
			plugin: {kind: "FlameChart", spec: {}}
			queries: [{kind: "ProfileQuery", spec: plugin: {kind: "PyroscopeProfileQuery", spec: {profileType: "` + profile + `", service: "api"}}}]
		}}
		layouts: [{kind: "Grid", spec: items: [{x: 0, y: 0, width: 24, height: 8, content: $ref: "#/spec/panels/flame"}]}]
	}
}
`
	}
	writeFile(t, filepath.Join(dir, "project.yaml"), project)
	writeFile(t, filepath.Join(dir, "datasource.json"), datasource)
	writeFile(t, filepath.Join(dir, "dash", "dash.cue"), dashboard("cpu"))

	compile := func(cache *compiler.Cache) (*compiler.Result, string) {
		t.Helper()
		res, err := compiler.Compile(compiler.Options{Paths: []string{dir}, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for _, r := range res.Resources {
			b.Write(compiler.Encode(r.Node, compiler.YAML))
		}
		r := &compiler.TextRenderer{Sources: res.Sources}
		for _, d := range res.Diagnostics {
			r.Render(&b, d)
		}
		return res, b.String()
	}
	cache := compiler.NewCache()
	step := func(what string, wantReused int) string {
		t.Helper()
		res, got := compile(cache)
		_, want := compile(nil)
		if got != want {
			t.Errorf("%s: with the cache:\n%s\nwithout:\n%s", what, got, want)
		}
		if res.Reused != wantReused {
			t.Errorf("%s: %d units reused, want %d", what, res.Reused, wantReused)
		}
		return got
	}
	step("cold", 0)
	step("warm", 3)
	step("warm again (nothing changed by validating a copy)", 3)
	writeFile(t, filepath.Join(dir, "dash", "dash.cue"), dashboard("cpuu"))
	if out := step("CUE package edited", 2); !bytes.Contains([]byte(out), []byte(`unknown profile type "cpuu"`)) {
		t.Errorf("the edit is not seen:\n%s", out)
	}
	step("after the edit", 3)
	if err := os.Remove(filepath.Join(dir, "datasource.json")); err != nil {
		t.Fatal(err)
	}
	step("file removed", 2)
	writeFile(t, filepath.Join(dir, "datasource.json"), datasource)
	step("file back", 2)
}
