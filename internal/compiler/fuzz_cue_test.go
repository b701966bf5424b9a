package compiler

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	env := &cueEnv{}
	runner := newCUERunner()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "f.cue")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		u := unit{kind: "cue", dir: dir, files: []string{file}}
		var sources sourceSet
		e := env
		raws, diags, abandoned, _ := runner.load(context.Background(), u, time.Second, func() ([]rawResource, Diagnostics) {
			raws, diags, _ := loadUnit(u, &sources, e)
			return raws, diags
		})
		if abandoned {
			runner, env = newCUERunner(), &cueEnv{}
			return
		}
		var rs []*Resource
		for _, raw := range raws {
			if r := checkResource(s, raw, &diags); r != nil {
				rs = append(rs, r)
			}
		}
		w := &World{Resources: rs}
		w.check(&diags)
		for _, r := range w.Resources {
			Encode(r.Node, YAML)
			Encode(r.Node, JSON)
		}
		for _, d := range diags {
			_ = d.String()
		}
	})
}
