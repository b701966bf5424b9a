package compiler

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

func compileOK(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Compile(context.Background(), opts)
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

// TestLoweredToWireForm checks what a real Perses with the plugin schemas
// needs: no query field, full profile type IDs, closed specs.
func TestLoweredToWireForm(t *testing.T) {
	res := compileOK(t, Options{Paths: []string{"../../examples"}})
	idRe := regexp.MustCompile(`^[a-z_]+(:[a-z_]*){4,5}$`)
	wire := map[string]bool{"datasource": true, "profileType": true, "service": true, "filters": true, "maxNodes": true}
	queries := 0
	var visit func(n *model.Node)
	visit = func(n *model.Node) {
		if n == nil {
			return
		}
		if k, _ := n.Str("kind"); k == "PyroscopeProfileQuery" {
			queries++
			spec := n.Get("spec")
			for _, key := range spec.Keys {
				if !wire[key] {
					t.Errorf("query spec has non-wire field %q", key)
				}
			}
			if pt, _ := spec.Str("profileType"); !idRe.MatchString(pt) {
				t.Errorf("profileType %q is not a full ID", pt)
			}
			if _, ok := spec.Str("service"); !ok {
				t.Errorf("query has no service")
			}
		}
		for _, v := range n.Vals {
			visit(v)
		}
		for _, v := range n.Items {
			visit(v)
		}
	}
	for _, r := range res.Resources {
		visit(r.Node)
	}
	if queries != 10 {
		t.Errorf("saw %d profile queries, want 10 (5 in examples/profiling, 5 in examples/go)", queries)
	}
}

// TestSeedPageForm compiles the plugin documentation page's own examples:
// the simple datasource and the authoring-form query, lowered.
func TestSeedPageForm(t *testing.T) {
	dir := t.TempDir()
	src := `kind: Datasource
metadata:
  name: PyroscopeMain
  project: profiling
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: "http://pyroscope.example.com:4040"
---
kind: Dashboard
metadata:
  name: seed
  project: profiling
spec:
  panels:
    flame:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: "ProfileQuery"
            spec:
              plugin:
                kind: "PyroscopeProfileQuery"
                spec:
                  profileType: "cpu"
                  query: '{service_name="api", environment="production"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 24, height: 10, content: {$ref: "#/spec/panels/flame"}}
`
	os.WriteFile(filepath.Join(dir, "seed.yaml"), []byte(src), 0o644)
	res := compileOK(t, Options{Paths: []string{dir}})
	out := string(Encode(res.Resources[1].Node, YAML))
	for _, want := range []string{
		"profileType: process_cpu:cpu:nanoseconds:cpu:nanoseconds\n",
		"service: api\n",
		"- labelName: environment\n",
		"operator: \"=\"\n",
		"labelValue: production\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lowered dashboard lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "query:") {
		t.Errorf("query survived lowering:\n%s", out)
	}
}

// TestAllProblemsReported: one run reports every problem, not the first.
func TestAllProblemsReported(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(`kind: Datasource
metadata: {name: "bad name", project: p}
spec:
  defualt: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "nope"}}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"kind": "Dashbord", "metadata": {"name": "x", "project": "p"}, "spec": {}}`), 0o644)
	res, err := Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		got = append(got, d.Pos.String()+" "+string(d.Code))
	}
	want := []string{
		filepath.Join(dir, "a.yaml") + ":2:18 PB1005",
		filepath.Join(dir, "a.yaml") + ":4:3 PB1002",
		filepath.Join(dir, "a.yaml") + ":5:57 PB1005",
		filepath.Join(dir, "b.json") + ":1:10 PB1001",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCompileCancelled: a compilation whose context is already done
// returns at once, with an error that says why, and compiles nothing.
func TestCompileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, paths := range [][]string{{"../../examples"}, {"testdata/go/slow"}} {
		start := time.Now()
		res, err := Compile(ctx, Options{Paths: paths})
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("%v: got %v, %v; want an error wrapping context.Canceled", paths, res, err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("%v: took %s", paths, took)
		}
	}
}

// TestTagsAsASet: tags are written sorted and each once, as Perses stores
// them (a set), so that diff --url and pull see no change after apply.
func TestTagsAsASet(t *testing.T) {
	dir := t.TempDir()
	src := `kind: Project
metadata: {name: shop}
---
kind: Dashboard
metadata:
  name: cpu
  project: shop
  tags: [profiling, generated, api, profiling]
spec:
  panels: {}
  layouts: []
`
	if err := os.WriteFile(filepath.Join(dir, "d.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := compileOK(t, Options{Paths: []string{dir}})
	for _, r := range res.Resources {
		if r.Kind != "Dashboard" {
			continue
		}
		var got []string
		for _, it := range r.Node.Get("metadata").Get("tags").Items {
			got = append(got, it.Value)
		}
		if strings.Join(got, ",") != "api,generated,profiling" {
			t.Errorf("tags %q, want api, generated, profiling", got)
		}
		return
	}
	t.Fatal("no dashboard compiled")
}
