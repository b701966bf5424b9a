package compiler

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// FuzzUnitStoreDecode: whatever a store entry holds, reading it never
// panics, and what it gives back encodes to the same bytes.
func FuzzUnitStoreDecode(f *testing.F) {
	f.Add([]byte("PBU5\x00\x00\x00"))
	src := model.NewSource("d.cue", []byte("kind: \"Dashboard\"\n"))
	res := []*model.Resource{{Kind: "Dashboard", Project: "p", Name: "d", Pos: diag.Pos{File: "d.cue", Line: 1, Col: 1},
		Node: &model.Node{Kind: model.MapKind, Keys: []string{"kind"}, Vals: []*model.Node{model.New(model.StringKind, diag.Pos{File: "d.cue", Line: 1, Col: 7})}}}}
	res[0].Node.Vals[0].Value = "Dashboard"
	res[0].Node.Vals[0].SetOrigin(src, 6)
	res[0].Node.SetOrigin(nil, -1)
	f.Add(encodeUnit(res, packAll(res), storedDiags, storedVia))
	f.Fuzz(func(t *testing.T, b []byte) {
		srcs := map[string]*model.Source{"d.cue": src}
		res, packs, diags, via, err := decodeUnit(b, srcs)
		if err != nil {
			return
		}
		for i, r := range res {
			sameTree(t, r.ID(), r.Node, packs[i].Unpack())
		}
		again := encodeUnit(res, packAll(res), diags, via)
		if _, _, _, _, err := decodeUnit(again, srcs); err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
	})
}

// packAll packs every resource's tree, as a unit is stored.
func packAll(res []*model.Resource) []*packed {
	packs := make([]*packed, len(res))
	for i, r := range res {
		packs[i] = pack(r.Node)
	}
	return packs
}

// TestUnitStoreEntry round-trips the examples through a unit store entry:
// every tree comes back with its positions and the offsets into its files,
// and so does its packed form, the bytes of the entry; an entry whose
// trees point into a file the unit does not have is unreadable.
func TestUnitStoreEntry(t *testing.T) {
	compiled := compileOK(t, Options{Paths: []string{"../../examples"}})
	b := encodeUnit(compiled.Resources, packAll(compiled.Resources), compiled.Diagnostics, storedVia)
	res, packs, diags, via, err := decodeUnit(b, compiled.Sources)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(compiled.Resources) || len(packs) != len(res) {
		t.Fatalf("%d resources, %d packed, from %d", len(res), len(packs), len(compiled.Resources))
	}
	withSource := 0
	for i, r := range compiled.Resources {
		if got := res[i]; got.Kind != r.Kind || got.Project != r.Project || got.Name != r.Name || got.Global != r.Global || got.Pos != r.Pos {
			t.Errorf("%s became %s at %s", r.ID(), got.ID(), got.Pos)
		}
		withSource += len(packs[i].srcs)
		sameTree(t, r.ID(), r.Node, res[i].Node)
		sameTree(t, r.ID()+" (packed)", r.Node, packs[i].Unpack())
	}
	if withSource == 0 {
		t.Fatal("no node pointed into its source: the offsets went untested")
	}
	if !reflect.DeepEqual(diags, compiled.Diagnostics) || !reflect.DeepEqual(via, storedVia) {
		t.Error("diagnostics or dependencies' places changed")
	}
	for _, p := range packs {
		for _, src := range p.srcs {
			fewer := maps.Clone(compiled.Sources)
			delete(fewer, src.Path)
			if _, _, _, _, err := decodeUnit(b, fewer); err == nil {
				t.Errorf("entry read without %s, which a tree points into", src.Path)
			}
		}
	}
}

// storedDiags are diagnostics as a unit keeps them, a note included.
var storedDiags = diag.Diagnostics{
	{Severity: diag.Error, Code: model.CodeWrongType, Pos: diag.Pos{File: "d.cue", Line: 1, Col: 1}, Message: "m", Hint: "h"},
	{Severity: diag.Error, Code: model.CodeDuplicateKey, Pos: diag.Pos{File: "d.cue", Line: 1, Col: 3}, End: diag.Pos{File: "d.cue", Line: 1, Col: 5}, Message: "dup", Path: "spec",
		Notes: []diag.Note{{Pos: diag.Pos{File: "d.cue", Line: 1, Col: 1}, Message: "first"}, {Pos: diag.Pos{File: "e.cue", Line: 2, Col: 2}, End: diag.Pos{File: "e.cue", Line: 2, Col: 4}, Message: "second"}}},
}

// storedVia is where a CUE dependency made two values.
var storedVia = map[diag.Pos]diag.Pos{
	{File: "d.cue", Line: 3, Col: 1}: {File: "cue.mod/pkg/x.com/lib/lib.cue", Line: 7, Col: 2},
	{File: "d.cue", Line: 1, Col: 9}: {File: "cue.mod/pkg/x.com/lib/lib.cue", Line: 2, Col: 4},
}

// TestUnitStoreKeepsNotes: a unit read back from the store has the
// diagnostics it was stored with, notes and all, and where its
// dependencies made values.
func TestUnitStoreKeepsNotes(t *testing.T) {
	b := encodeUnit(nil, nil, storedDiags, storedVia)
	_, _, got, via, err := decodeUnit(b, map[string]*model.Source{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, storedDiags) {
		t.Errorf("got %+v\nwant %+v", got, storedDiags)
	}
	if !reflect.DeepEqual(via, storedVia) {
		t.Errorf("via %v, want %v", via, storedVia)
	}
}

// BenchmarkEncodeUnit encodes the compiled examples as a unit store entry:
// the encoder runs once per evaluated CUE package of a cold compile.
func BenchmarkEncodeUnit(b *testing.B) {
	res, err := Compile(context.Background(), Options{Paths: []string{"../../examples/profiling"}})
	if err != nil || len(res.Resources) == 0 {
		b.Fatalf("compile examples: %v (%d resources)", err, len(res.Resources))
	}
	b.ReportAllocs()
	for b.Loop() {
		encodeUnit(res.Resources, packAll(res.Resources), res.Diagnostics, nil)
	}
}

// BenchmarkPack packs the compiled examples' trees one after another, as
// a worker does when it stores a unit or keeps its dashboards packed.
func BenchmarkPack(b *testing.B) {
	res, err := Compile(context.Background(), Options{Paths: []string{"../../examples/profiling"}})
	if err != nil || len(res.Resources) == 0 {
		b.Fatalf("compile examples: %v (%d resources)", err, len(res.Resources))
	}
	var pk packer
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range res.Resources {
			pk.pack(r.Node)
		}
	}
}
