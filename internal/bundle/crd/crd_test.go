package crd

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/bundle/bundletest"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/jsonschema/jsonschematest"
)

// crdExamples compiles examples/ and converts it; the conversion's notes
// (secrets left out, names lower-cased) are expected, nothing worse.
func crdExamples(t *testing.T) ([]*model.Resource, diag.Diagnostics) {
	t.Helper()
	res := compileOK(t, compiler.Options{Paths: []string{"../../../examples"}})
	crs, diags := Convert(res.Resources)
	for _, d := range diags {
		if d.Severity > diag.Info {
			t.Errorf("unexpected %s", d)
		}
	}
	return crs, diags
}

// TestCRDExamplesGolden compares the --crd output of examples/ with
// testdata/crd/{yaml,json} (go test ./internal/bundle/crd -run CRD -update rewrites
// them).
func TestCRDExamplesGolden(t *testing.T) {
	crs, diags := crdExamples(t)
	// examples/profiling and its Go twin: per project a Namespace, two
	// datasources and three dashboards; the secrets are left out.
	if len(crs) != 12 {
		t.Errorf("got %d objects, want 12", len(crs))
	}
	var skipped, renamed int
	for _, d := range diags {
		switch d.Code {
		case model.CodeCRDSkipped:
			skipped++
		case model.CodeCRDName:
			renamed++
		}
	}
	if skipped != 4 || renamed != 4 {
		t.Errorf("%d notes of what is left out (want 2 secrets, 2 project displays), %d of names lower-cased (want 4 datasources)", skipped, renamed)
	}
	for _, f := range []bundle.Format{bundle.YAML, bundle.JSON} {
		files := Layout(crs, f)
		bundletest.Golden(t, filepath.Join("testdata", "crd", string(f)), byPath(files), *update)
	}
}

// crdObjectsOf reads a bundle as kubectl does: a YAML stream, or a JSON
// v1 List.
func crdObjectsOf(t *testing.T, data []byte, f bundle.Format) []any {
	t.Helper()
	if f == bundle.JSON {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		list, _ := v.(map[string]any)
		if list["apiVersion"] != "v1" || list["kind"] != "List" {
			t.Fatalf("JSON bundle is not a v1 List: %.80s", data)
		}
		items, _ := list["items"].([]any)
		return items
	}
	p := filepath.Join(t.TempDir(), "bundle.yaml")
	os.WriteFile(p, data, 0o644)
	docs, err := jsonschematest.Instances(t, p)
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// TestCRDOperatorShape checks the objects against the shape the operator's
// CRDs require (testdata/crd/operator-shape.schema.json: apiVersion and
// kind, names Kubernetes accepts, namespaces where the CRD is namespaced
// and none where it is cluster-wide, spec.config and what its schema
// requires, e.g. every panel's display.name) and their order: a namespace
// before what lives in it.
func TestCRDOperatorShape(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(must(os.ReadFile(filepath.Join("testdata", "crd", "operator-shape.schema.json")))))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AddResource("operator-shape.json", doc)
	shape, err := c.Compile("operator-shape.json")
	if err != nil {
		t.Fatal(err)
	}
	// The examples, plus what they lack: a global datasource, tags, a
	// panel without a display.
	res := compileOK(t, compiler.Options{Paths: []string{"../../../examples", filepath.Join("testdata", "crd", "extra.yaml")}})
	crs, _ := Convert(res.Resources)
	for _, f := range []bundle.Format{bundle.YAML, bundle.JSON} {
		var bundle []byte
		for _, of := range Layout(crs, f) {
			if of.Path == "bundle."+string(f) {
				bundle = of.Data
			}
		}
		objs := crdObjectsOf(t, bundle, f)
		if len(objs) != len(crs) {
			t.Fatalf("%s bundle holds %d objects, want %d", f, len(objs), len(crs))
		}
		namespaces := map[string]bool{}
		kinds := map[string]int{}
		for i, o := range objs {
			if err := shape.Validate(o); err != nil {
				t.Errorf("%s object %d: %v", f, i, err)
				continue
			}
			m := o.(map[string]any)
			meta := m["metadata"].(map[string]any)
			kind := m["kind"].(string)
			kinds[kind]++
			switch ns, _ := meta["namespace"].(string); {
			case kind == "Namespace":
				namespaces[meta["name"].(string)] = true
			case ns != "" && !namespaces[ns] && ns != "profiling-extra":
				t.Errorf("%s %s comes before its namespace %s", kind, meta["name"], ns)
			}
		}
		for _, k := range []string{"Namespace", "PersesDashboard", "PersesDatasource", "PersesGlobalDatasource"} {
			if kinds[k] == 0 {
				t.Errorf("%s: no %s to check", f, k)
			}
		}
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// crdOf converts one YAML source and returns the objects by kind/name and
// what the conversion reported.
func crdOf(t *testing.T, src string) (map[string]*model.Node, diag.Diagnostics) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "src.yaml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{p}, ServerDatasources: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("source does not compile: %v", res.Diagnostics)
	}
	crs, diags := Convert(res.Resources)
	out := map[string]*model.Node{}
	for _, r := range crs {
		k, _ := r.Node.Str("kind")
		name, _ := r.Node.Get("metadata").Str("name")
		out[k+"/"+name] = r.Node
	}
	return out, diags
}

const crdDashboard = `kind: Dashboard
metadata: {name: %s, project: %s%s}
spec:
  panels:
    p: {kind: Panel, spec: {plugin: {kind: FlameChart}, queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}}]}}
  layouts: [{kind: Grid, spec: {items: [{x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/p"}}]}}]
`

func dashboardSrc(name, project, metadata string) string {
	return fmt.Sprintf(crdDashboard, name, project, metadata)
}

func TestCRDDashboard(t *testing.T) {
	objs, diags := crdOf(t, dashboardSrc("cpu", "team-a", ", tags: [prod, on call]"))
	if len(diags) != 0 {
		t.Errorf("diagnostics: %v", diags)
	}
	d := objs["PersesDashboard/cpu"]
	if d == nil {
		t.Fatalf("no PersesDashboard: %v", objs)
	}
	if v, _ := d.Str("apiVersion"); v != APIVersion {
		t.Errorf("apiVersion %q", v)
	}
	meta := d.Get("metadata")
	if ns, _ := meta.Str("namespace"); ns != "team-a" {
		t.Errorf("namespace %q, want the project", ns)
	}
	if tags, _ := meta.Get("annotations").Str(TagsAnnotation); tags != "on call,prod" { // sorted, as Perses keeps them
		t.Errorf("tags annotation %q", tags)
	}
	config := d.Get("spec").Get("config")
	if config.Get("panels") == nil || config.Get("duration") == nil || config.Get("metadata") != nil {
		t.Errorf("spec.config is not the dashboard spec: %q", config.Keys)
	}
	// The operator's schema requires a panel's display.name.
	ps := config.Get("panels").Get("p").Get("spec")
	if ps.Keys[0] != "display" {
		t.Errorf("panel spec keys %q", ps.Keys)
	}
	if name := ps.Get("display").Get("name"); name == nil || name.Value != "" {
		t.Errorf("panel display %v", ps.Get("display"))
	}
	if len(objs) != 1 {
		t.Errorf("no Project in the sources, yet %d objects: a Namespace is written only for a Project", len(objs))
	}
}

func TestCRDNames(t *testing.T) {
	cases := []struct {
		src  string
		sev  diag.Severity // of the PB1402 diagnostic; -1 for none
		msg  string
		want string // object written, "" for none
	}{
		{dashboardSrc("CPU", "p", ""), diag.Warning, `is written "cpu"`, "PersesDashboard/cpu"},
		{dashboardSrc("cpu_v2", "p", ""), diag.Error, `e.g. "cpu-v2"`, ""},
		{dashboardSrc("cpu.v2", "p", ""), -1, "", "PersesDashboard/cpu.v2"},
		{dashboardSrc("cpu", "Team", ""), diag.Warning, `project "Team" is written "team"`, "PersesDashboard/cpu"},
		{dashboardSrc("cpu", "team.a", ""), diag.Error, "cannot be a namespace", ""},
		{"kind: Datasource\nmetadata: {name: Pyro, project: p}\nspec: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: 'http://x:4040'}}}\n", diag.Info, "selectors still find it", "PersesDatasource/pyro"},
		{dashboardSrc("cpu", "p", "") + "---\n" + dashboardSrc("CPU", "p", ""), diag.Error, `two resources would be written as PersesDashboard "cpu"`, "PersesDashboard/cpu"},
	}
	for _, c := range cases {
		objs, diags := crdOf(t, c.src)
		var got []diag.Diagnostic
		for _, d := range diags {
			if d.Code == model.CodeCRDName {
				got = append(got, d)
			}
		}
		match := slices.IndexFunc(got, func(d diag.Diagnostic) bool {
			return d.Severity == c.sev && strings.Contains(d.Message+" "+d.Hint, c.msg)
		})
		switch {
		case c.sev < 0 && len(got) > 0:
			t.Errorf("%.60q: unexpected %v", c.src, got)
		case c.sev >= 0 && match < 0:
			t.Errorf("%.60q: got %v, want a %s with %q", c.src, got, c.sev, c.msg)
		case c.sev >= 0 && !got[match].Pos.IsValid():
			t.Errorf("%.60q: %s has no position", c.src, got[match])
		}
		if strings.Contains(c.msg, "two resources") && match >= 0 {
			// The other of the two is a note, on its own line.
			if n := got[match].Notes; len(n) != 1 || !n[0].Pos.IsValid() || n[0].Pos.Line == got[match].Pos.Line {
				t.Errorf("%.60q: want one note at the other resource, got %+v at %s", c.src, n, got[match].Pos)
			}
		}
		if c.want != "" && objs[c.want] == nil {
			t.Errorf("%.60q: %s not written (have %v)", c.src, c.want, slices.Collect(mapKeys(objs)))
		}
		if c.want == "" && len(objs) > 0 {
			t.Errorf("%.60q: objects written despite the error", c.src)
		}
	}
}

func mapKeys(m map[string]*model.Node) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestCRDLeftOut(t *testing.T) {
	src := `kind: Project
metadata: {name: p}
spec: {display: {name: The P}}
---
kind: Secret
metadata: {name: creds, project: p}
spec: {basicAuth: {username: u, passwordFile: /f}}
---
kind: GlobalDatasource
metadata: {name: pyro, tags: [shared]}
spec: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: 'http://x:4040'}}}
---
kind: Folder
metadata: {name: f, project: p}
spec: {}
`
	objs, diags := crdOf(t, src)
	if objs["Namespace/p"] == nil || objs["PersesGlobalDatasource/pyro"] == nil || len(objs) != 2 {
		t.Errorf("objects %v, want the Namespace and the PersesGlobalDatasource", slices.Collect(mapKeys(objs)))
	}
	if g := objs["PersesGlobalDatasource/pyro"]; g != nil {
		if g.Get("metadata").Get("namespace") != nil {
			t.Error("a PersesGlobalDatasource is cluster-wide: no namespace")
		}
		if tags, _ := g.Get("metadata").Get("annotations").Str(TagsAnnotation); tags != "shared" {
			t.Errorf("tags %q", tags)
		}
	}
	var msgs []string
	for _, d := range diags {
		if d.Code != model.CodeCRDSkipped || d.Severity != diag.Info || !d.Pos.IsValid() {
			t.Errorf("unexpected %s", d)
		}
		msgs = append(msgs, d.Message)
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"Secret/p/creds is not written", "Folder/p/f is not written", "the display of project p is not written"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no note %q in:\n%s", want, joined)
		}
	}
}

// TestCRDWriteOutput: the files written are those of CRDLayout, and a
// JSON bundle is one valid List.
func TestCRDWriteOutput(t *testing.T) {
	crs, _ := crdExamples(t)
	for _, f := range []bundle.Format{bundle.YAML, bundle.JSON} {
		dir := filepath.Join(t.TempDir(), "out")
		if err := WriteOutput(dir, crs, f, bundle.ResourceFiles); err != nil {
			t.Fatal(err)
		}
		for _, of := range Layout(crs, f) {
			b, err := os.ReadFile(filepath.Join(dir, of.Path))
			if err != nil || !bytes.Equal(b, of.Data) {
				t.Errorf("%s: written file differs from the layout (%v)", of.Path, err)
			}
			if f == bundle.JSON && !json.Valid(b) {
				t.Errorf("%s is not valid JSON", of.Path)
			}
		}
	}
	empty := Layout(nil, bundle.JSON)
	if len(empty) != 1 || !json.Valid(empty[0].Data) {
		t.Errorf("no objects: %q", empty)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

func compileOK(t *testing.T, opts compiler.Options) *compiler.Result {
	t.Helper()
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= diag.Warning {
			t.Errorf("unexpected diagnostic: %s: %s", d, d.Hint)
		}
	}
	return res
}

// byPath is the contents of output files by their paths.
func byPath(files []bundle.OutputFile) map[string][]byte {
	m := make(map[string][]byte, len(files))
	for _, of := range files {
		m[of.Path] = of.Data
	}
	return m
}
