package compiler

import (
	"context"
	"reflect"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// FuzzUnitStoreDecode: whatever a store entry holds, reading it never
// panics, and what it gives back encodes to the same bytes.
func FuzzUnitStoreDecode(f *testing.F) {
	f.Add([]byte("PBU4\x00\x00\x00"))
	res := []*model.Resource{{Kind: "Dashboard", Project: "p", Name: "d", Pos: diag.Pos{File: "d.cue", Line: 1, Col: 1},
		Node: &model.Node{Kind: model.MapKind, Keys: []string{"kind"}, Vals: []*model.Node{model.New(model.StringKind, diag.Pos{File: "d.cue", Line: 1, Col: 7})}}}}
	res[0].Node.Vals[0].Value = "Dashboard"
	res[0].Node.SetOrigin(nil, -1)
	b, err := encodeUnit(res, storedDiags, storedVia)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		srcs := map[string]*model.Source{"d.cue": model.NewSource("d.cue", []byte("kind: \"Dashboard\"\n"))}
		res, diags, via, err := decodeUnit(b, srcs)
		if err != nil {
			return
		}
		again, err := encodeUnit(res, diags, via)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if _, _, _, err := decodeUnit(again, srcs); err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
	})
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
	b, err := encodeUnit(nil, storedDiags, storedVia)
	if err != nil {
		t.Fatal(err)
	}
	_, got, via, err := decodeUnit(b, map[string]*model.Source{})
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
		if _, err := encodeUnit(res.Resources, res.Diagnostics, nil); err != nil {
			b.Fatal(err)
		}
	}
}
