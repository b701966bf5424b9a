package compiler

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// TestSameResultEveryWay compiles the same sources with dashboards kept as
// trees, packed (Options.Pack, what pyrobuild compile uses), and read back
// from a unit store that the packed run filled, as trees and packed (the
// bytes of the store's entries): the diagnostics, with their positions and
// hints, and every output byte must be the same.
func TestSameResultEveryWay(t *testing.T) {
	defer func(n int) { packUnits = n }(packUnits)
	packUnits = 0 // pack the few dashboards of the test sources too
	for _, dir := range []string{"../../examples", "testdata/broken"} {
		t.Run(dir, func(t *testing.T) {
			store := t.TempDir()
			compile := func(opts Options) *Result {
				t.Helper()
				opts.Paths = []string{dir}
				res, err := Compile(context.Background(), opts)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			trees := compile(Options{})
			packed := compile(Options{Pack: true, UnitStore: store})
			stored := compile(Options{UnitStore: store})
			storedPacked := compile(Options{Pack: true, UnitStore: store})
			if stored.Stored == 0 || storedPacked.Stored == 0 {
				t.Fatal("no package came from the store")
			}
			for _, res := range []*Result{packed, storedPacked} {
				var dashboards, wasPacked int
				for _, r := range res.Resources {
					if r.Kind == "Dashboard" {
						dashboards++
						if r.Node == nil && r.Tree() != nil {
							wasPacked++
						}
					}
				}
				if dashboards == 0 || wasPacked != dashboards {
					t.Fatalf("%d of %d dashboards packed", wasPacked, dashboards)
				}
			}
			show := func(ds diag.Diagnostics) string {
				var b bytes.Buffer
				for _, d := range ds {
					fmt.Fprintf(&b, "%s %s-%s hint=%q path=%q\n", d, d.Pos, d.End, d.Hint, d.Path)
				}
				return b.String()
			}
			for _, other := range []struct {
				name string
				res  *Result
			}{{"packed", packed}, {"stored", stored}, {"stored and packed", storedPacked}} {
				if a, b := show(trees.Diagnostics), show(other.res.Diagnostics); a != b {
					t.Errorf("diagnostics differ:\ntrees:\n%s\n%s:\n%s", a, other.name, b)
				}
				for _, f := range []Format{YAML, JSON} {
					a, b := Layout(trees.Resources, f), Layout(other.res.Resources, f)
					if len(a) != len(b) {
						t.Fatalf("%s: %d files from trees, %d %s", f, len(a), len(b), other.name)
					}
					for i := range a {
						if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
							t.Errorf("%s, %s: %s differs", other.name, f, a[i].Path)
						}
					}
				}
			}
		})
	}
}

// TestPackKeepsPositions round-trips the examples' dashboards through
// pack: every node keeps its kind, value, positions and the offsets into
// its source that positions inside query strings rely on.
func TestPackKeepsPositions(t *testing.T) {
	res := compileOK(t, Options{Paths: []string{"../../examples"}})
	withSource := 0
	for _, r := range res.Resources {
		p := pack(r.Node)
		withSource += len(p.srcs)
		sameTree(t, r.ID(), r.Node, p.Unpack())
	}
	if withSource == 0 {
		t.Fatal("no node pointed into its source: the offsets went untested")
	}
}

// sameTree reports where b, a copy of a, differs from it: kinds, values,
// positions, the sources and offsets nodes point into, shape.
func sameTree(t *testing.T, path string, a, b *model.Node) {
	t.Helper()
	as, ao := a.Origin()
	bs, bo := b.Origin()
	if a.Kind != b.Kind || a.Value != b.Value || a.Pos != b.Pos || a.KeyPos != b.KeyPos || as != bs || ao != bo {
		t.Errorf("%s: %+v became %+v", path, *a, *b)
		return
	}
	if len(a.Keys) != len(b.Keys) || len(a.Items) != len(b.Items) || (a.Items == nil) != (b.Items == nil) {
		t.Errorf("%s: shape changed", path)
		return
	}
	for i, k := range a.Keys {
		if b.Keys[i] != k {
			t.Errorf("%s: key %q became %q", path, k, b.Keys[i])
		}
		sameTree(t, path+"."+k, a.Vals[i], b.Vals[i])
	}
	for i := range a.Items {
		sameTree(t, fmt.Sprintf("%s[%d]", path, i), a.Items[i], b.Items[i])
	}
}

// pack encodes n with a packer of its own.
func pack(n *model.Node) *packed { return new(packer).pack(n) }
