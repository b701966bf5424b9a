package plugin

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// corpus holds plugin modules of our own writing, laid out as Perses lays
// them out (see internal/compiler/diagnostics_test.go).
const corpus = "../testdata/plugins"

func TestLoadLayouts(t *testing.T) {
	cases := []struct {
		name, path string
		kinds      []string
	}{
		{"folder of plugin folders and archives", corpus, []string{"AcmeLineChart", "AcmeMetricsDatasource", "AcmeMetricsQuery", "AcmeNote", "AcmeTable", "FlameChart", "PyroscopeDatasource", "PyroscopeProfileQuery", "StaticListVariable"}},
		{"one plugin folder with a vendored dependency", corpus + "/Metrics", []string{"AcmeMetricsDatasource", "AcmeMetricsQuery"}},
		{"one .tar.gz archive", corpus + "/Pyro-1.0.0.tar.gz", []string{"FlameChart", "PyroscopeDatasource", "PyroscopeProfileQuery"}},
		{"one .zip archive, schema at the root of schemas/", corpus + "/StaticList-0.8.0.zip", []string{"StaticListVariable"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load([]string{c.path})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Kinds(); !slices.Equal(got, c.kinds) {
				t.Errorf("kinds %v, want %v", got, c.kinds)
			}
		})
	}
	s, err := Load([]string{corpus})
	if err != nil {
		t.Fatal(err)
	}
	for kind, typ := range map[string]string{"AcmeMetricsQuery": "TimeSeriesQuery", "AcmeNote": "Panel", "StaticListVariable": "Variable", "PyroscopeProfileQuery": "ProfileQuery"} {
		if got := s.Lookup(kind).Type; got != typ {
			t.Errorf("%s: type %q, want %q", kind, got, typ)
		}
	}
}

// writeTarGz writes a .tar.gz archive of files (name → content).
func writeTarGz(t *testing.T, file string, files map[string]string) {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for _, name := range sortedKeys(files) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[name]))
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeZip(t *testing.T, file string, files map[string]string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(file), 0o755)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range sortedKeys(files) {
		w, _ := zw.Create(name)
		w.Write([]byte(files[name]))
	}
	zw.Close()
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// noteModule is a minimal valid plugin module.
var noteModule = map[string]string{
	"package.json":          `{"perses": {"plugins": [{"kind": "Panel", "spec": {"name": "Note"}}]}}`,
	"mf-manifest.json":      `{"id": "Note", "name": "Note", "metaData": {"buildInfo": {"buildVersion": "1.0.0"}}}`,
	"cue.mod/module.cue":    "module: \"example.com/note@v0\"\nlanguage: version: \"v0.15.1\"\n",
	"schemas/note/note.cue": "package model\n\nkind: \"Note\"\nspec: close({text: string})\n",
}

func with(m map[string]string, name, content string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	out[name] = content
	return out
}

// TestHostileArchives: an archive is read in memory, never extracted, and
// one that tries to leave its folder or to exhaust memory is refused.
func TestHostileArchives(t *testing.T) {
	cases := []struct {
		name, file string
		files      map[string]string
		err        string
	}{
		{"parent folder in a tar entry", "a.tar.gz", with(noteModule, "../../evil.cue", "package model"), "leaves the archive's folder"},
		{"parent folder in a zip entry", "a.zip", with(noteModule, "schemas/../../evil.cue", "package model"), "leaves the archive's folder"},
		{"absolute tar entry", "a.tar.gz", with(noteModule, "/etc/evil.cue", "package model"), "absolute path"},
		{"entry too large", "a.tar.gz", with(noteModule, "schemas/big.cue", strings.Repeat(" ", maxEntry+1)), "larger than 8 MiB"},
		{"not an archive", "a.zip", nil, "zip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, c.file)
			switch {
			case c.files == nil:
				os.WriteFile(file, []byte("not a zip"), 0o644)
			case strings.HasSuffix(c.file, ".zip"):
				writeZip(t, file, c.files)
			default:
				writeTarGz(t, file, c.files)
			}
			_, err := Load([]string{dir})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("got %v, want an error with %q", err, c.err)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("the folder holds %d entries: an archive must never be extracted", len(entries))
			}
		})
	}
}

// TestArchiveBesideFolder: the server extracts archives into folders of
// the same name; when both are there, the folder is read, once.
func TestArchiveBesideFolder(t *testing.T) {
	dir := t.TempDir()
	writeTarGz(t, filepath.Join(dir, "Note-1.0.0.tar.gz"), with(noteModule, "schemas/note/note.cue", "package model\nkind: \"Note\"\nspec: close({broken: string})\n"))
	for name, content := range noteModule {
		p := filepath.Join(dir, "Note-1.0.0", filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	s, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Modules, []string{"Note-1.0.0"}) {
		t.Errorf("modules %v", s.Modules)
	}
	obj := &model.Node{Kind: model.MapKind, Keys: []string{"kind", "spec"}, Vals: []*model.Node{
		{Kind: model.StringKind, Value: "Note"},
		{Kind: model.MapKind, Keys: []string{"text"}, Vals: []*model.Node{{Kind: model.StringKind, Value: "hi"}}},
	}}
	if p := s.Validate(s.Lookup("Note"), obj); len(p) != 0 {
		t.Errorf("the folder's schema accepts text, got %v", p)
	}
}

// TestOffline: a dependency that is not vendored is an error naming
// cue.mod/pkg; nothing is fetched.
func TestOffline(t *testing.T) {
	dir := t.TempDir()
	writeTarGz(t, filepath.Join(dir, "Note.tar.gz"), with(noteModule, "schemas/note/note.cue",
		"package model\n\nimport \"example.com/shared/common\"\n\nkind: \"Note\"\nspec: close({text: common.#text})\n"))
	_, err := Load([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "example.com/shared/common") {
		t.Errorf("got %v, want an error naming the missing import", err)
	}
}

// TestLoadKeepsCompiledSchemas: a second Load of unchanged modules uses
// the schemas compiled by the first; a changed file is compiled again.
func TestLoadKeepsCompiledSchemas(t *testing.T) {
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "Note.zip"), noteModule)
	a, err := Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load([]string{dir})
	if a != b {
		t.Error("unchanged modules were compiled again")
	}
	writeZip(t, filepath.Join(dir, "Note.zip"), with(noteModule, "schemas/note/note.cue", "package model\nkind: \"Note\"\nspec: close({body: string})\n"))
	c, _ := Load([]string{dir})
	if c == a || c.Lookup("Note") == nil {
		t.Error("a changed module was not compiled again")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	noManifest := with(noteModule, "mf-manifest.json", "")
	delete(noManifest, "mf-manifest.json")
	writeZip(t, filepath.Join(dir, "a", "Note.zip"), noManifest)
	writeZip(t, filepath.Join(dir, "b", "Note.zip"), with(noteModule, "mf-manifest.json", `{"id": "Note"}`))
	for _, c := range []struct{ path, err string }{
		{filepath.Join(dir, "missing"), "no such file"},
		{dir, "no plugin found"},
		{filepath.Join(dir, "notes.txt"), "not a plugin folder"},
		{filepath.Join(dir, "a"), "no mf-manifest.json: the Perses server skips a plugin without one"},
		{filepath.Join(dir, "b"), "id, name and metaData.buildInfo.buildVersion are required"},
	} {
		if _, err := Load([]string{c.path}); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want %q", c.path, err, c.err)
		}
	}
}

// BenchmarkLoad reads and compiles the five modules of the corpus (two of
// them archives), as the first compilation of a process does; later ones
// of the same process (serve, compile --watch) only read them.
func BenchmarkLoad(b *testing.B) {
	for _, reuse := range []bool{false, true} {
		name := "compile"
		if reuse {
			name = "unchanged"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if !reuse {
					memo.Lock()
					clear(memo.sets)
					memo.Unlock()
				}
				if _, err := Load([]string{corpus}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// node builds a plugin object from YAML-like Go values.
func node(v any) *model.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &model.Node{Kind: model.MapKind}
		for _, k := range sortedKeys2(v) {
			n.Keys = append(n.Keys, k)
			n.Vals = append(n.Vals, node(v[k]))
		}
		return n
	case []any:
		n := &model.Node{Kind: model.ListKind}
		for _, e := range v {
			n.Items = append(n.Items, node(e))
		}
		return n
	case string:
		return &model.Node{Kind: model.StringKind, Value: v}
	case int:
		return &model.Node{Kind: model.NumberKind, Value: strconv.Itoa(v)}
	}
	return &model.Node{Kind: model.NullKind}
}

func sortedKeys2(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestValidateProblems: every problem of a spec in one call, each at its
// path, with what it is.
func TestValidateProblems(t *testing.T) {
	s, err := Load([]string{corpus})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind ProblemKind
		path string
		msg  string
	}
	cases := []struct {
		name string
		kind string
		spec map[string]any
		want []want
	}{
		{"good", "StaticListVariable", map[string]any{"values": []any{"a", map[string]any{"value": "b", "label": "B"}}}, nil},
		{"each value's problem", "StaticListVariable", map[string]any{"values": []any{"", 3, map[string]any{"label": "x"}}}, []want{
			{Invalid, "spec.values.0", noBranch},
			{Invalid, "spec.values.1", noBranch},
			{Missing, "spec.values.2.value", "incomplete value string"},
		}},
		{"a misspelt field beside a wrong type", "AcmeLineChart", map[string]any{"lineWidht": 2, "unit": 5}, []want{
			{NotAllowed, "spec.lineWidht", "field not allowed"},
			{WrongType, "spec.unit", "mismatched types"},
		}},
		{"missing required field", "AcmeMetricsQuery", map[string]any{"legend": "x"}, []want{
			{Missing, "spec.expr", ""},
		}},
		{"vendored dependency's constraint", "AcmeMetricsQuery", map[string]any{"expr": "up", "step": "5 minutes"}, []want{
			{Invalid, "spec.step", `out of bound =~"^[0-9]+(ms|s|m|h|d)$"`},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj := node(map[string]any{"kind": c.kind, "spec": c.spec})
			got := s.Validate(s.Lookup(c.kind), obj)
			if len(got) != len(c.want) {
				t.Fatalf("got %d problems %+v, want %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Kind != w.kind || strings.Join(g.Path, ".") != w.path || !strings.Contains(g.Message, w.msg) {
					t.Errorf("problem %d: got %v %s %q, want %v %s …%s…", i, g.Kind, strings.Join(g.Path, "."), g.Message, w.kind, w.path, w.msg)
				}
			}
		})
	}
	misspelt := s.Validate(s.Lookup("AcmeLineChart"), node(map[string]any{"kind": "AcmeLineChart", "spec": map[string]any{"lineWidht": 2}}))
	if len(misspelt) != 1 || !slices.Contains(misspelt[0].Fields, "lineWidth") {
		t.Errorf("the fields offered for a misspelt one: %+v", misspelt)
	}
}
