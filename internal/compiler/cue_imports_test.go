package compiler_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// TestCUEFileImports: each file of a package has its own imports, as in
// `cue export`. Files may import the same packages, under the same names
// or others, both the schema and the standard library, in a folder of
// their own or inside a CUE module; a file may not use a name only
// another file imports.
func TestCUEFileImports(t *testing.T) {
	const (
		schemaAndStrings = "import (\n\t\"strings\"\n\tpb \"github.com/pyrobuild/pyrobuild/schema\"\n)\n\n"
		project          = `pb.#Project & {metadata: name: strings.ToLower(%q)}`
	)
	proj := func(name string) string { return strings.Replace(project, "%q", `"`+name+`"`, 1) }
	cases := []struct {
		name  string
		files map[string]string
		want  []string // project names
		err   string   // a diagnostic's message, when the package is wrong
	}{{
		name: "same imports in two files",
		files: map[string]string{
			"a.cue": "package p\n\n" + schemaAndStrings + "a: " + proj("A") + "\n",
			"b.cue": "package p\n\n" + schemaAndStrings + "b: " + proj("B") + "\n",
		},
		want: []string{"a", "b"},
	}, {
		name: "the schema under two names, one file using the other's field",
		files: map[string]string{
			"a.cue": "package p\n\n" + schemaAndStrings + "a: " + proj("A") + "\n",
			"b.cue": "package p\n\nimport (\n\t\"list\"\n\t\"strings\"\n\tschema \"github.com/pyrobuild/pyrobuild/schema\"\n)\n\n" +
				"b: schema.#Project & {metadata: name: strings.Join(list.Concat([[a.metadata.name], [\"b\"]]), \"-\")}\n",
		},
		want: []string{"a", "a-b"},
	}, {
		name: "in a CUE module",
		files: map[string]string{
			"cue.mod/module.cue": "module: \"example.com/dash\"\nlanguage: version: \"v0.16.0\"\n",
			"lib/lib.cue":        "package lib\n\nimport \"strings\"\n\nname: strings.ToLower(\"LIB\")\n",
			"p/a.cue":            "package p\n\n" + schemaAndStrings + "a: " + proj("A") + "\n",
			"p/b.cue":            "package p\n\nimport (\n\t\"strings\"\n\t\"example.com/dash/lib\"\n)\n\nb: {kind: \"Project\", metadata: name: strings.ToLower(lib.name), spec: {}}\n",
		},
		want: []string{"a", "lib"},
	}, {
		name: "a name only another file imports",
		files: map[string]string{
			"a.cue": "package p\n\n" + schemaAndStrings + "a: " + proj("A") + "\n",
			"b.cue": "package p\n\nb: pb.#Project & {metadata: name: \"b\"}\n",
		},
		err: `b: reference "pb" not found`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for path, text := range c.files {
				writeFile(t, filepath.Join(dir, path), text)
			}
			res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			if c.err != "" {
				if len(res.Diagnostics) != 1 || res.Diagnostics[0].Code != model.CodeCUE || !strings.Contains(res.Diagnostics[0].Message, c.err) ||
					res.Diagnostics[0].Pos != (diag.Pos{File: filepath.Join(dir, "b.cue"), Line: 3, Col: 4}) {
					t.Errorf("diagnostics %v, want one %q at b.cue:3:4", res.Diagnostics, c.err)
				}
				return
			}
			for _, d := range res.Diagnostics {
				t.Errorf("unexpected diagnostic: %s", formatDiag(d))
			}
			var names []string
			for _, r := range res.Resources {
				names = append(names, r.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, c.want) {
				t.Errorf("projects %v, want %v", names, c.want)
			}
		})
	}
}
