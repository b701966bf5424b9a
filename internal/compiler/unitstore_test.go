package compiler

import "testing"

// FuzzUnitStoreDecode: whatever a store entry holds, reading it never
// panics, and what it gives back encodes to the same bytes.
func FuzzUnitStoreDecode(f *testing.F) {
	f.Add([]byte("PBU3\x00\x00"))
	res := []*Resource{{Kind: "Dashboard", Project: "p", Name: "d", Pos: Pos{File: "d.cue", Line: 1, Col: 1},
		Node: &Node{Kind: MapKind, Keys: []string{"kind"}, Vals: []*Node{{Kind: StringKind, Value: "Dashboard", Pos: Pos{File: "d.cue", Line: 1, Col: 7}, off: -1}}, off: -1}}}
	b, err := encodeUnit(res, Diagnostics{{Severity: Error, Code: CodeWrongType, Pos: Pos{File: "d.cue", Line: 1, Col: 1}, Message: "m", Hint: "h"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		srcs := map[string]*Source{"d.cue": newSource("d.cue", []byte("kind: \"Dashboard\"\n"))}
		res, diags, err := decodeUnit(b, srcs)
		if err != nil {
			return
		}
		again, err := encodeUnit(res, diags)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if _, _, err := decodeUnit(again, srcs); err != nil {
			t.Fatalf("re-encoded entry does not decode: %v", err)
		}
	})
}
