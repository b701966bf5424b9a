package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
		rs, diags, abandoned := fuzzCompileCUE(t, dir, data, runner, env, s)
		if abandoned {
			runner, env = load.NewCUERunner(), &load.CUEEnv{}
			return
		}
		for _, r := range rs {
			Encode(r.Node, YAML)
			Encode(r.Node, JSON)
		}
		for _, d := range diags {
			_ = d.String()
		}
	})
}

// FuzzCUEEvalForm: a CUE package compiles to the same resources, byte for
// byte, and the same diagnostics whether it is evaluated against the
// schema's evaluation form (defaults left to the validator, choices of
// strings as regular expressions, the schema as written again on an
// error) or against the schema as written only.
func FuzzCUEEvalForm(f *testing.F) {
	addSeeds(f, "../../examples/*/*.cue")
	addSeeds(f, "testdata/broken/*.cue")
	f.Add([]byte(evalFormSeed))
	dir := f.TempDir()
	s := MustSchema()
	f.Fuzz(func(t *testing.T, data []byte) {
		var got [2]string
		for i, env := range []*load.CUEEnv{{}, {AsWritten: true}} {
			rs, diags, abandoned := fuzzCompileCUE(t, dir, data, load.NewCUERunner(), env, s)
			if abandoned {
				return // too slow to compare
			}
			var b strings.Builder
			for _, r := range rs {
				b.Write(Encode(r.Node, YAML))
			}
			for _, d := range diags {
				b.WriteString(d.String() + "\n")
			}
			got[i] = b.String()
		}
		if got[0] != got[1] {
			t.Errorf("evaluation form:\n%s\nschema as written:\n%s", got[0], got[1])
		}
	})
}

// evalFormSeed sets, leaves out and reads fields with defaults.
const evalFormSeed = `package p

import pb "github.com/pyrobuild/pyrobuild/schema"

project: pb.#Project & {metadata: name: "shop"}
dashboard: pb.#Dashboard & {
	metadata: {name: "cpu", project: "shop", version: 2}
	spec: {
		display: name: "over \(dashboard.spec.duration)"
		panels: cpu: pb.#Panel & {
			spec: {
				display: name: "CPU"
				plugin: pb.#FlameChart & {spec: {showSeries: *true | bool, palette: "value"}}
				queries: [{kind: "ProfileQuery", spec: plugin: pb.#PyroscopeProfileQuery & {spec: {profileType: "cpu", service: "api"}}}]
			}
		}
		layouts: [{kind: "Grid", spec: items: [{x: 0, y: 0, width: 24, height: 10, content: "$ref": "#/spec/panels/cpu"}]}]
	}
}
`

// fuzzCompileCUE writes data as the one CUE file of dir and compiles it
// with runner and env: loading (within a second), validation and the
// cross-resource checks. abandoned reports that loading took too long.
func fuzzCompileCUE(t *testing.T, dir string, data []byte, runner *load.CUERunner, env *load.CUEEnv, s *model.Schema) (_ []*model.Resource, _ diag.Diagnostics, abandoned bool) {
	t.Helper()
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
	raws, diags, abandoned, _ := runner.Load(context.Background(), u, time.Second, func() ([]load.Raw, diag.Diagnostics) {
		raws, diags, _ := load.Load(u, &sources, env)
		return raws, diags
	})
	if abandoned {
		return nil, nil, true
	}
	var rs []*model.Resource
	for _, raw := range raws {
		if r := check.Validate(s, raw.Node, &diags); r != nil {
			rs = append(rs, r)
		}
	}
	w := &check.World{Resources: rs}
	w.Check(&diags)
	return w.Resources, diags, false
}
