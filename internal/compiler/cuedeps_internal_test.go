package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// TestCUEDepsKey: which CUE packages get a key covering their
// dependencies, which need none, and which cannot be kept.
func TestCUEDepsKey(t *testing.T) {
	const module = "module: \"example.com/dash\"\nlanguage: version: \"v0.16.0\"\n"
	lib := map[string]string{"cue.mod/pkg/sdk.example/lib/lib.cue": "package lib\n\nx: 1\n"}
	cases := []struct {
		name        string
		files       map[string]string // besides the unit's p/p.cue
		unit        string
		extra, keep bool
	}{
		{"the schema and the standard library only", nil,
			"package p\n\nimport (\n\t\"strings\"\n\tpb \"github.com/pyrobuild/pyrobuild/schema\"\n)\n\na: pb.#Project & {metadata: name: strings.ToLower(\"A\")}\n", false, true},
		{"a package of cue.mod/pkg", lib, "package p\n\nimport \"sdk.example/lib\"\n\na: lib.x\n", true, true},
		{"a package of the module", map[string]string{"q/q.cue": "package q\n\ny: 2\n"}, "package p\n\nimport \"example.com/dash/q\"\n\na: q.y\n", true, true},
		{"a package found nowhere", nil, "package p\n\nimport \"sdk.example/none\"\n\na: 1\n", true, false},
		{"a dependency from the registry", map[string]string{"cue.mod/module.cue": module + "deps: \"sdk.example/lib@v0\": v: \"v0.1.0\"\n", "cue.mod/pkg/sdk.example/lib/lib.cue": "package lib\n\nx: 1\n"},
			"package p\n\nimport \"sdk.example/lib\"\n\na: lib.x\n", true, false},
		{"a major version in the path", lib, "package p\n\nimport \"sdk.example/lib@v0\"\n\na: lib.x\n", true, false},
		{"a file embedding others", lib, "@extern(embed)\n\npackage p\n\nimport \"sdk.example/lib\"\n\na: lib.x\n", true, false},
		{"a dependency embedding files", map[string]string{"cue.mod/pkg/sdk.example/lib/lib.cue": "@extern(embed)\n\npackage lib\n\nx: _ @embed(file=x.json)\n"},
			"package p\n\nimport \"sdk.example/lib\"\n\na: lib.x\n", true, false},
		{"an import cycle", map[string]string{
			"cue.mod/pkg/sdk.example/a/a.cue": "package a\n\nimport \"sdk.example/b\"\n\nx: b.x\n",
			"cue.mod/pkg/sdk.example/b/b.cue": "package b\n\nimport \"sdk.example/a\"\n\nx: a.x\n",
		}, "package p\n\nimport \"sdk.example/a\"\n\na: a.x\n", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"cue.mod/module.cue": module, "p/p.cue": c.unit}
			for p, text := range c.files {
				files[p] = text
			}
			for p, text := range files {
				p = filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			src := model.NewSource(filepath.Join(dir, "p", "p.cue"), []byte(c.unit))
			_, extra, keep := newCUEDeps().key([]*model.Source{src})
			if extra != c.extra || keep != c.keep {
				t.Errorf("extra %v, keep %v; want %v, %v", extra, keep, c.extra, c.keep)
			}
		})
	}

	// Outside a CUE module, an import of a module cannot be resolved here.
	dir := t.TempDir()
	src := model.NewSource(filepath.Join(dir, "p.cue"), []byte("package p\n\nimport \"sdk.example/lib\"\n\na: lib.x\n"))
	if _, extra, keep := newCUEDeps().key([]*model.Source{src}); !extra || keep {
		t.Errorf("no cue.mod: extra %v, keep %v", extra, keep)
	}
}
