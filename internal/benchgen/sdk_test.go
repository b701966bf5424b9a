package benchgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// TestCUESDKSyntax parses every file the SDK form writes: each must be valid
// CUE, in its package, importing the SDK and plugin packages it uses.
func TestCUESDKSyntax(t *testing.T) {
	dir := t.TempDir()
	const n = TeamSize + 3 // two teams
	if err := WriteCUESDK(dir, n); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, dir)
	if got, want := len(files), n+Teams(n); got != want {
		t.Fatalf("wrote %d files, want %d", got, want)
	}
	tests := []struct {
		path    string
		pkg     string
		imports []string
	}{
		{"team-00/svc-00000/dashboard.cue", "dashboards", []string{
			"github.com/perses/perses/cue/model/api/v1",
			"github.com/perses/perses/cue/dac-utils/dashboard",
			"github.com/perses/perses/cue/dac-utils/panelgroups",
			"github.com/perses/plugins/flamechart/schemas:model",
			"github.com/perses/plugins/pyroscope/schemas/pyroscope-profile-query:model",
		}},
		{"team-01/svc-00052/dashboard.cue", "dashboards", nil},
		{"team-00/datasource.cue", "team", []string{
			"github.com/perses/perses/cue/model/api/v1",
			"github.com/perses/plugins/pyroscope/schemas/datasource:model",
		}},
		{"team-01/datasource.cue", "team", nil},
	}
	for _, tt := range tests {
		if _, ok := files[tt.path]; !ok {
			t.Errorf("%s not written", tt.path)
		}
	}
	for path, src := range files {
		f, err := parser.ParseFile(path, src)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, tt := range tests {
			if tt.path != path {
				continue
			}
			if got := f.PackageName(); got != tt.pkg {
				t.Errorf("%s: package %q, want %q", path, got, tt.pkg)
			}
			if tt.imports == nil {
				continue
			}
			var got []string
			for spec := range f.ImportSpecs() {
				got = append(got, importPath(spec))
			}
			if strings.Join(got, "\n") != strings.Join(tt.imports, "\n") {
				t.Errorf("%s: imports\n%s\nwant\n%s", path, strings.Join(got, "\n"), strings.Join(tt.imports, "\n"))
			}
		}
	}
	dash := string(files["team-01/svc-00052/dashboard.cue"])
	for _, want := range []string{`#name:    "svc-00052"`, `#project: "team-01"`, `service:     "svc-00052"`, `#profileType: "memory"`} {
		if !strings.Contains(dash, want) {
			t.Errorf("dashboard svc-00052 lacks %s", want)
		}
	}
}

// TestCUESDKDeterministic writes the same repository twice: the bytes must
// be the same, so two benchmark runs compile the same sources.
func TestCUESDKDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := WriteCUESDK(dir, 7); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb := readTree(t, a), readTree(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("%d files, then %d", len(fa), len(fb))
	}
	for path, src := range fa {
		if !bytes.Equal(src, fb[path]) {
			t.Errorf("%s differs between two runs", path)
		}
	}
}

func importPath(spec *ast.ImportSpec) string {
	return strings.Trim(spec.Path.Value, `"`)
}

// readTree returns the files under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
