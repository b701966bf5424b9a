package compiler

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

const worldProject = `kind: Project
metadata: {name: p}
---
kind: Datasource
metadata: {name: PyroMain, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://pyro:4040"}}
---
kind: Datasource
metadata: {name: Prom, project: p}
spec:
  plugin: {kind: PrometheusDatasource, spec: {directUrl: "http://prom:9090"}}
`

// dash returns a dashboard with one FlameChart panel "a" whose query spec
// and extra dashboard spec lines are given.
func dash(query string, extra string) string {
	return fmt.Sprintf(`kind: Dashboard
metadata: {name: d, project: p}
spec:
%s
  panels:
    a:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec: %s
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/a"}}
`, extra, query)
}

func TestWorldChecks(t *testing.T) {
	q := `{profileType: cpu, service: api}`
	cases := []struct {
		name    string
		files   map[string]string
		server  []string
		want    []string // "file:line CODE message-substring"
		noWorld bool     // omit the shared project file
	}{
		{name: "default resolves", files: map[string]string{"d.yaml": dash(q, "")}},
		{name: "named resolves case-insensitively", files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: api, datasource: {kind: PyroscopeDatasource, name: pyromain}}`, "")}},
		{name: "unknown name", files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: api, datasource: {kind: PyroscopeDatasource, name: PyroMian}}`, "")},
			want: []string{`d.yaml:15 PB1101 no PyroscopeDatasource named "PyroMian"`}},
		{name: "server-only name", files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: api, datasource: {kind: PyroscopeDatasource, name: Elsewhere}}`, "")}, server: []string{"Elsewhere"}},
		{name: "wrong kind", files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: api, datasource: {kind: PyroscopeDatasource, name: Prom}}`, "")},
			want: []string{`d.yaml:15 PB1101 datasource "Prom" is a PrometheusDatasource, not a PyroscopeDatasource`}},
		{name: "no default", noWorld: true, files: map[string]string{"d.yaml": dash(q, "")},
			want: []string{`d.yaml:15 PB1101 no default PyroscopeDatasource`}},
		{name: "no default, but on the server", noWorld: true, server: []string{"default"}, files: map[string]string{"d.yaml": dash(q, "")}},
		{name: "dashboard datasource wins, keys are case-sensitive", noWorld: true, files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: api, datasource: {kind: PyroscopeDatasource, name: local}}`,
			"  datasources:\n    Local: {plugin: {kind: PyroscopeDatasource, spec: {directUrl: \"http://x:1\"}}}")},
			want: []string{`d.yaml:16 PB1101 no PyroscopeDatasource named "local"`}},
		{name: "two defaults in a project", files: map[string]string{"ds.yaml": `kind: Datasource
metadata: {name: Second, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://b:4040"}}
`}, want: []string{`ds.yaml:4 PB1102 PyroMain and Second are both the default PyroscopeDatasource of project p`}},
		{name: "two defaults among global datasources", files: map[string]string{"g.yaml": `kind: GlobalDatasource
metadata: {name: A}
spec: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://a:4040"}}}
---
kind: GlobalDatasource
metadata: {name: B}
spec: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://b:4040"}}}
`}, want: []string{`g.yaml:7 PB1102 A and B are both the default PyroscopeDatasource among global datasources`}},
		{name: "two defaults in a dashboard", noWorld: true, files: map[string]string{"d.yaml": dash(q, `  datasources:
    one: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://a:4040"}}}
    two: {default: true, plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://b:4040"}}}`)},
			want: []string{`d.yaml:6 PB1102 one and two are both the default PyroscopeDatasource of dashboard d`}},
		{name: "missing secret, plain credentials", files: map[string]string{"ds.yaml": `kind: GlobalDatasource
metadata: {name: G}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: http://pyro:4040
          secret: pyro-creds
          headers:
            Authorization: Bearer abc
`}, want: []string{`ds.yaml:11 PB1103 GlobalSecret "pyro-creds" is not among the compiled sources`, `ds.yaml:13 PB1209 header "Authorization" carries a credential`}},
		{name: "secret found", files: map[string]string{"ds.yaml": `kind: Datasource
metadata: {name: D, project: p}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec: {proxy: {kind: HTTPProxy, spec: {url: "http://pyro:4040", secret: s}}}
---
kind: Secret
metadata: {name: s, project: p}
spec: {basicAuth: {username: u, passwordFile: /f}}
`}},
		{name: "grid", files: map[string]string{"d.yaml": strings.Replace(dash(q, ""),
			`          - {x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/a"}}`,
			`          - {x: 0, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/a"}}
          - {x: 6, y: 4, width: 12, height: 8, content: {$ref: "#/spec/panels/a"}}
          - {x: 20, y: 20, width: 8, height: 8, content: {$ref: "#/spec/panels/b"}}`, 1)},
			want: []string{`d.yaml:21 PB1107 overlaps`, `d.yaml:22 PB1104 there is no panel "b"`, `d.yaml:22 PB1106 x + width = 20 + 8`}},
		{name: "orphan panel", files: map[string]string{"d.yaml": strings.Replace(dash(q, ""), `content: {$ref: "#/spec/panels/a"}}`, `content: {$ref: "#/spec/panels/a"}}
    - kind: Grid
      spec: {items: []}`, 1) + ""}},
		{name: "variables", files: map[string]string{"d.yaml": dash(`{profileType: cpu, service: "$svc", filters: [{labelName: env, operator: "=", labelValue: "${envv}"}]}`, `  variables:
    - kind: TextVariable
      spec: {name: svc, value: "$other"}
    - kind: TextVariable
      spec: {name: other, value: "$svc"}
    - kind: TextVariable
      spec: {name: env, value: prod}
    - kind: TextVariable
      spec: {name: env, value: dev}`)},
			want: []string{`d.yaml:6 PB1110 svc → other → svc`, `d.yaml:12 PB1108 variable "env" is defined twice`, `d.yaml:23 PB1109 refers to $envv`}},
		{name: "flame chart shows profile queries only", files: map[string]string{"d.yaml": strings.Replace(dash(`{profileType: cpu, service: api}`, ""), "- kind: ProfileQuery", "- kind: TimeSeriesQuery", 1)},
			want: []string{`d.yaml:14 PB1009 PyroscopeProfileQuery is a ProfileQuery plugin`, `d.yaml:11 PB1111 panel "a" is a FlameChart, which shows ProfileQuery queries, not TimeSeriesQuery`}},
		{name: "duplicate across files", files: map[string]string{"a.yaml": dash(q, ""), "b.yaml": dash(q, "")},
			want: []string{`b.yaml:1 PB1012 Dashboard "d" is defined twice (first at `}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if !c.noWorld {
				os.WriteFile(filepath.Join(dir, "project.yaml"), []byte(worldProject), 0o644)
			}
			for name, src := range c.files {
				os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644)
			}
			res, err := Compile(context.Background(), Options{Paths: []string{dir}, ServerDatasources: c.server})
			if err != nil {
				t.Fatal(err)
			}
			var got []diag.Diagnostic
			for _, d := range res.Diagnostics {
				// The project's PrometheusDatasource is one pyrobuild does
				// not model: every case warns about it (PB1008), by design.
				if d.Code == model.CodeUncheckedPlugin && filepath.Base(d.Pos.File) == "project.yaml" && d.Pos.Line == 13 {
					continue
				}
				if d.Severity >= diag.Warning {
					got = append(got, d)
				}
			}
			matched := make([]bool, len(got))
			for _, w := range c.want {
				found := false
				for i, d := range got {
					key := fmt.Sprintf("%s:%d %s %s", filepath.Base(d.Pos.File), d.Pos.Line, d.Code, d.Message)
					parts := strings.SplitN(w, " ", 3)
					if !matched[i] && strings.HasPrefix(key, parts[0]+" "+parts[1]+" ") && strings.Contains(d.Message, parts[2]) {
						matched[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("missing diagnostic %s", w)
				}
			}
			for i, d := range got {
				if !matched[i] {
					t.Errorf("unexpected diagnostic %s [%s] (hint: %s)", d, d.Code, d.Hint)
				}
			}
		})
	}
}

// TestMixedSourcesOneWorld: a CUE dashboard resolves datasources defined in
// YAML, and a wrong name is reported at the CUE line.
func TestMixedSourcesOneWorld(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "project.yaml"), []byte(worldProject), 0o644)
	os.WriteFile(filepath.Join(dir, "d.cue"), []byte(`package p

import pb "github.com/pyrobuild/pyrobuild/schema"

d: pb.#Dashboard & {
	metadata: {name: "d", project: "p"}
	spec: {
		panels: a: pb.#Panel & {spec: {
			plugin: pb.#FlameChart
			queries: [{kind: "ProfileQuery", spec: plugin: pb.#PyroscopeProfileQuery & {spec: {
				profileType: "cpu"
				service:     "api"
				datasource: {kind: "PyroscopeDatasource", name: "PyroMane"}
			}}}]
		}}
		layouts: [{kind: "Grid", spec: items: [{x: 0, y: 0, width: 24, height: 8, content: "$ref": "#/spec/panels/a"}]}]
	}
}
`), 0o644)
	res, err := Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	// The warning: the project's PrometheusDatasource is not checked (PB1008).
	if res.Diagnostics.Count(diag.Error) != 1 || res.Diagnostics.Count(diag.Warning) != 1 {
		t.Fatalf("diagnostics: %v", res.Diagnostics)
	}
	d := res.Diagnostics[0] // d.cue sorts before project.yaml and its note
	if d.Code != model.CodeUnresolvedDatasource || filepath.Base(d.Pos.File) != "d.cue" || d.Pos.Line != 13 || d.Hint != `did you mean "PyroMain"?` {
		t.Errorf("got %s [%s] hint %q", d, d.Code, d.Hint)
	}
	// With the right name, the CUE dashboard and the YAML datasource agree.
	b, _ := os.ReadFile(filepath.Join(dir, "d.cue"))
	os.WriteFile(filepath.Join(dir, "d.cue"), bytes.Replace(b, []byte("PyroMane"), []byte("PyroMain"), 1), 0o644)
	res, err = Compile(context.Background(), Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	// Only the warning about the project's PrometheusDatasource remains.
	if res.Diagnostics.Count(diag.Error) != 0 || res.Diagnostics.Count(diag.Warning) != 1 {
		t.Errorf("diagnostics: %v", res.Diagnostics)
	}
	if len(res.Resources) != 4 {
		t.Errorf("got %d resources", len(res.Resources))
	}
}
