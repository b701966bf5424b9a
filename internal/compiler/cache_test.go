package compiler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// cueDashboard is a one-panel CUE dashboard whose query has spec fields.
func cueDashboard(fields string) string {
	return `package dash

import "github.com/pyrobuild/pyrobuild/schema"

dashboard: schema.#Dashboard & {
	kind: "Dashboard"
	metadata: {name: "cpu", project: "team"}
	spec: {
		panels: flame: {kind: "Panel", spec: {
			display: name: "CPU"
			plugin: {kind: "FlameChart", spec: {}}
			queries: [{kind: "ProfileQuery", spec: plugin: {kind: "PyroscopeProfileQuery", spec: {` + fields + `}}}]
		}}
		layouts: [{kind: "Grid", spec: items: [{x: 0, y: 0, width: 24, height: 8, content: $ref: "#/spec/panels/flame"}]}]
	}
}
`
}

// compileText compiles and returns the result with its resources (YAML)
// and rendered diagnostics as one text, to compare compilations whole.
func compileText(t *testing.T, opts compiler.Options) (*compiler.Result, string) {
	t.Helper()
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, r := range res.Resources {
		b.Write(bundle.Encode(r.Node, bundle.YAML))
	}
	r := &compiler.TextRenderer{Sources: res.Sources}
	for _, d := range res.Diagnostics {
		r.Render(&b, d)
	}
	return res, b.String()
}

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
		return cueDashboard(`profileType: "` + profile + `", service: "api"`)
	}
	writeFile(t, filepath.Join(dir, "project.yaml"), project)
	writeFile(t, filepath.Join(dir, "datasource.json"), datasource)
	writeFile(t, filepath.Join(dir, "dash", "dash.cue"), dashboard("cpu"))

	compile := func(cache *compiler.Cache) (*compiler.Result, string) {
		t.Helper()
		return compileText(t, compiler.Options{Paths: []string{dir}, Cache: cache})
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

// TestUnitStore: CUE packages evaluated once are read back from the store
// by the next compilation, with the same resources and the same
// diagnostics, excerpts and columns inside strings included; an entry that
// cannot be read, or a changed file, means evaluating again.
func TestUnitStore(t *testing.T) {
	dir := t.TempDir()
	store := t.TempDir()
	dashboard := cueDashboard(`profileType: "cpu", query: "{service_name=api}"`)
	writeFile(t, filepath.Join(dir, "dash", "dash.cue"), dashboard)
	writeFile(t, filepath.Join(dir, "team", "team.cue"), "package team\n\nproject: {kind: \"Project\", metadata: name: \"team\", spec: {}}\n")
	compile := func(what string, wantStored int) string {
		t.Helper()
		res, text := compileText(t, compiler.Options{Paths: []string{dir}, UnitStore: store})
		if res.Stored != wantStored {
			t.Errorf("%s: %d packages from the store, want %d", what, res.Stored, wantStored)
		}
		return text
	}
	want := compile("cold", 0)
	if !bytes.Contains([]byte(want), []byte("dash.cue:12:")) {
		t.Fatalf("want the query's diagnostic in dash.cue, got:\n%s", want)
	}
	if got := compile("warm", 2); got != want {
		t.Errorf("from the store:\n%s\nevaluated:\n%s", got, want)
	}
	// Every entry damaged: each is a miss, evaluated and written again.
	// Both are in the one pack this run wrote: the first gets a byte
	// changed, the last is cut short.
	packs, _ := filepath.Glob(filepath.Join(store, "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs %v, want one", packs)
	}
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[60] ^= 0x55 // inside the first entry's data (after its 44-byte header)
	if err := os.WriteFile(packs[0], b[:len(b)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	if got := compile("damaged", 0); got != want {
		t.Errorf("with damaged entries:\n%s\nwant:\n%s", got, want)
	}
	if got := compile("rewritten", 2); got != want {
		t.Errorf("rewritten entries:\n%s\nwant:\n%s", got, want)
	}
	writeFile(t, filepath.Join(dir, "dash", "dash.cue"), strings.Replace(dashboard, `profileType: "cpu"`, `profileType: "memory"`, 1))
	if got := compile("edited", 1); !strings.Contains(got, "memory:inuse_space") {
		t.Errorf("the edit is not seen:\n%s", got)
	}
}

// TestUnitStoreKeepsNoSecrets: a CUE package that defines a secret, or a
// datasource with proxy headers, is evaluated every time rather than
// copied into the store.
func TestUnitStoreKeepsNoSecrets(t *testing.T) {
	dir := t.TempDir()
	store := t.TempDir()
	writeFile(t, filepath.Join(dir, "secret", "s.cue"), "package s\n\nsecret: {kind: \"Secret\", metadata: {name: \"pyro\", project: \"team\"}, spec: basicAuth: {username: \"u\", password: \"hunter2-in-cue\"}}\n")
	writeFile(t, filepath.Join(dir, "ds", "d.cue"), `package d

ds: {kind: "Datasource", metadata: {name: "pyro", project: "team"}, spec: {default: true, plugin: {kind: "PyroscopeDatasource", spec: proxy: {kind: "HTTPProxy", spec: {url: "http://pyroscope:4040", headers: Authorization: "Bearer hunter3"}}}}}
`)
	for range 2 {
		res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, UnitStore: store})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored != 0 {
			t.Errorf("%d packages with credentials came from the store", res.Stored)
		}
	}
	if packs, _ := filepath.Glob(filepath.Join(store, "*.pack")); len(packs) != 0 {
		t.Errorf("the store holds %v", packs)
	}
	filepath.WalkDir(store, func(p string, d os.DirEntry, err error) error {
		if b, _ := os.ReadFile(p); err == nil && !d.IsDir() && bytes.Contains(b, []byte("hunter")) {
			t.Errorf("%s holds a credential", p)
		}
		return nil
	})
}
