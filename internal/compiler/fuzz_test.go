package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// checkSource runs the whole per-resource pipeline on one in-memory file.
func checkSource(path string, data []byte) {
	s := MustSchema()
	src := model.NewSource(path, data)
	var docs []*model.Node
	var d *diag.Diagnostic
	if filepath.Ext(path) == ".json" {
		var n *model.Node
		if n, d = load.ParseJSON(src); n != nil {
			docs = []*model.Node{n}
		}
	} else {
		docs, d = load.ParseYAML(src)
	}
	if d != nil {
		return
	}
	var diags diag.Diagnostics
	var rs []*model.Resource
	for _, n := range docs {
		for _, raw := range load.Collect(n, path, &diags) {
			if r := check.Validate(s, raw.Node, &diags); r != nil {
				rs = append(rs, r)
			}
		}
	}
	w := &check.World{Resources: rs}
	w.Check(&diags)
	for _, r := range w.Resources {
		Encode(r.Node, YAML)
		Encode(r.Node, JSON)
	}
	for _, dg := range diags {
		_ = dg.String()
		if dg.Pos.File != "" && dg.Pos.File != path {
			panic("diagnostic points at another file: " + dg.Pos.String())
		}
	}
}

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
}

// FuzzYAML: no YAML input makes loading, checking or emitting panic.
func FuzzYAML(f *testing.F) {
	addSeeds(f, "../../examples/*/*.yaml")
	addSeeds(f, "../bundle/testdata/golden/yaml/projects/*/*/*.yaml")
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("<<: {kind: Dashboard}"))
	f.Fuzz(func(t *testing.T, data []byte) { checkSource("f.yaml", data) })
}

// FuzzJSON: no JSON input makes loading, checking or emitting panic.
func FuzzJSON(f *testing.F) {
	addSeeds(f, "../bundle/testdata/golden/json/projects/*/*/*.json")
	f.Add([]byte(`[{"kind":"Dashboard"},1,"x",null]`))
	f.Fuzz(func(t *testing.T, data []byte) { checkSource("f.json", data) })
}
