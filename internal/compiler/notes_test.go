package compiler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// wrongKindDatasource selects a datasource by a name that a datasource of
// another plugin kind has: the diagnostic at the selector has a note at
// that datasource.
const wrongKindDatasource = `kind: Dashboard
metadata:
  name: cpu
  project: profiling
spec:
  datasources:
    metrics:
      default: false
      plugin:
        kind: PrometheusDatasource
        spec: {}
  panels:
    cpu:
      kind: Panel
      spec:
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  datasource:
                    kind: PyroscopeDatasource
                    name: metrics
                  profileType: cpu
                  query: '{service_name="api"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 10
            content:
              $ref: "#/spec/panels/cpu"
`

// TestNotesInJSON: a diagnostic about two places says where the other
// one is as a note, which --diagnostics json carries with its file, line
// and column (not only as words in the message).
func TestNotesInJSON(t *testing.T) {
	type note struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Col     int    `json:"col"`
		Message string `json:"message"`
	}
	inline := t.TempDir()
	if err := os.WriteFile(filepath.Join(inline, "wrong-kind.yaml"), []byte(wrongKindDatasource), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string // a case of the corpus, or a file of inline
		code diag.Code
		want note // File relative to the corpus (or inline)
	}{
		{"duplicate-resource", model.CodeDuplicate, note{"duplicate-resource/a.yaml", 1, 1, `Project "profiling" is first defined here`}},
		{"duplicate-yaml-key.yaml", model.CodeDuplicateKey, note{"duplicate-yaml-key.yaml", 3, 3, `key "name" is first defined here`}},
		{"json-duplicate-key.json", model.CodeDuplicateKey, note{"json-duplicate-key.json", 3, 16, `key "name" is first defined here`}},
		{"duplicate-variable-name.yaml", model.CodeDuplicateVariable, note{"duplicate-variable-name.yaml", 9, 15, `variable "env" is first defined here`}},
		{"two-default-datasources.yaml", model.CodeDefaultDatasource, note{"two-default-datasources.yaml", 6, 12, "pyroscope-a is the default PyroscopeDatasource here"}},
		{"grid-overlap.yaml", model.CodeGridOverlap, note{"grid-overlap.yaml", 23, 13, "overlapped by grid item #/spec/panels/memory"}},
		{filepath.Join(inline, "wrong-kind.yaml"), model.CodeUnresolvedDatasource, note{filepath.Join(inline, "wrong-kind.yaml"), 8, 7, `the dashboard datasource "metrics" is defined here`}},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.path), func(t *testing.T) {
			path, prefix := c.path, ""
			if !filepath.IsAbs(path) {
				path, prefix = filepath.Join(brokenDir, c.path), filepath.ToSlash(brokenDir)+"/"
			}
			res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{path}, ServerDatasources: []string{"default"}})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := diag.RenderJSON(&b, res.Diagnostics); err != nil {
				t.Fatal(err)
			}
			var got []struct {
				Code  diag.Code `json:"code"`
				Notes []note    `json:"notes"`
			}
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			for _, d := range got {
				if d.Code != c.code {
					continue
				}
				if len(d.Notes) != 1 {
					t.Fatalf("%s has %d notes, want 1:\n%s", c.code, len(d.Notes), b.String())
				}
				n := d.Notes[0]
				n.File = strings.TrimPrefix(filepath.ToSlash(n.File), prefix)
				if want := c.want; filepath.IsAbs(c.path) {
					want.File = filepath.ToSlash(want.File)
					if n != want {
						t.Errorf("note = %+v, want %+v", n, want)
					}
				} else if n != c.want {
					t.Errorf("note = %+v, want %+v", n, c.want)
				}
				return
			}
			t.Fatalf("no %s diagnostic:\n%s", c.code, b.String())
		})
	}
}
