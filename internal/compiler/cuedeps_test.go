package compiler_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// TestUnitStoreKeepsSDKProjects: CUE packages that import packages of
// cue.mod/pkg (as every project written with the Perses CUE SDK does) or
// of their own module are kept in the unit store and read back the next
// time, with the same resources and diagnostics; a change to any file
// they read, in cue.mod/pkg (a package imported through another
// included), in the module or in cue.mod/module.cue, means evaluating
// them again, with the new result.
func TestUnitStoreKeepsSDKProjects(t *testing.T) {
	dir := t.TempDir()
	store := t.TempDir()
	files := map[string]string{
		"cue.mod/module.cue": "module: \"example.com/dash\"\nlanguage: version: \"v0.16.0\"\n",
		// An SDK: a builder package importing a package of names.
		"cue.mod/pkg/sdk.example/kit/project/project.cue": "package project\n\nimport \"sdk.example/kit/project/names\"\n\n" +
			"#Builder: {\n\t#name: string\n\tproject: {kind: \"project\", metadata: name: names.prefix + #name, spec: {}}\n}\n",
		"cue.mod/pkg/sdk.example/kit/project/names/names.cue": "package names\n\nprefix: \"team-\"\n",
		"lib/lib.cue": "package lib\n\nsuffix: \"-x\"\n",
		"a/a.cue":     "package a\n\nimport pb \"sdk.example/kit/project\"\n\n_b: pb.#Builder & {#name: \"a\"}\n_b.project\n",
		"b/b.cue":     "package b\n\nimport (\n\tpb \"sdk.example/kit/project\"\n\t\"example.com/dash/lib\"\n)\n\n_x: pb.#Builder & {#name: \"b\" + lib.suffix}\n_x.project\n",
	}
	for p, text := range files {
		writeFile(t, filepath.Join(dir, p), text)
	}
	compile := func(what string, wantStored int, want ...string) string {
		t.Helper()
		res, text := compileText(t, compiler.Options{Paths: []string{dir}, UnitStore: store})
		if res.Stored != wantStored {
			t.Errorf("%s: %d packages from the store, want %d", what, res.Stored, wantStored)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in:\n%s", what, w, text)
			}
		}
		return text
	}
	// The dependency writes "project": a warning at the user's line, with
	// a note where the dependency made the value (kept in the store).
	cold := compile("cold", 0, "name: team-a", "name: team-b-x", "a.cue:1:1: warning", "project.cue:7:12: note: the value is made here, by a dependency")
	if got := compile("warm", 3); got != cold {
		t.Errorf("from the store:\n%s\nevaluated:\n%s", got, cold)
	}
	for _, tc := range []struct {
		file, text string
		cold       int    // packages evaluated again
		want       string // in the new output
	}{
		{"cue.mod/pkg/sdk.example/kit/project/names/names.cue", "package names\n\nprefix: \"crew-\"\n", 2, "name: crew-a"},
		{"cue.mod/pkg/sdk.example/kit/project/extra.cue", "package project\n\n#Builder: project: metadata: labels: {}\n", 2, "crew-b-x"},
		{"lib/lib.cue", "package lib\n\nsuffix: \"-y\"\n", 2, "name: crew-b-y"}, // lib and b
		{"cue.mod/module.cue", "module: \"example.com/dash\"\nlanguage: version: \"v0.16.0\"\n// edited\n", 2, "name: crew-a"},
	} {
		writeFile(t, filepath.Join(dir, tc.file), tc.text)
		text := compile("after editing "+tc.file, 3-tc.cold, tc.want)
		if got := compile("warm after editing "+tc.file, 3); got != text {
			t.Errorf("from the store after editing %s:\n%s\nevaluated:\n%s", tc.file, got, text)
		}
	}
}
