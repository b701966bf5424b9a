package compiler

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// FuzzCUE: no CUE package makes loading, evaluating (within the time
// limit), checking or emitting panic.
func FuzzCUE(f *testing.F) {
	addSeeds(f, "../../examples/*/*.cue")
	addSeeds(f, "testdata/broken/*.cue")
	f.Add([]byte("package p\nimport \"list\"\nx: [for a in list.Range(0, 9, 1) {a}]\n"))
	f.Add([]byte("package p\n#T: {a: #T | null}\nx: #T\n"))
	f.Add([]byte("kind: \"Dashboard\"\nmetadata: name: \"d\"\n"))
	dir := f.TempDir()
	s := MustSchema()
	env := &load.CUEEnv{}
	runner := load.NewCUERunner()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "f.cue")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		units, _ := load.Discover([]string{file}, nil)
		if len(units) != 1 {
			t.Fatalf("%d units found for one CUE file", len(units))
		}
		u := units[0]
		var sources load.Sources
		e := env
		raws, diags, abandoned, _ := runner.Load(context.Background(), u, time.Second, func() ([]load.Raw, diag.Diagnostics) {
			raws, diags, _ := load.Load(u, &sources, e)
			return raws, diags
		})
		if abandoned {
			runner, env = load.NewCUERunner(), &load.CUEEnv{}
			return
		}
		var rs []*model.Resource
		for _, raw := range raws {
			if r := check.Validate(s, raw.Node, &diags); r != nil {
				rs = append(rs, r)
			}
		}
		w := &check.World{Resources: rs}
		w.Check(&diags)
		for _, r := range w.Resources {
			Encode(r.Node, YAML)
			Encode(r.Node, JSON)
		}
		for _, d := range diags {
			_ = d.String()
		}
	})
}
