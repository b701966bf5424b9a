package model

import (
	"strings"
	"testing"
)

// TestFastLeafAgreesWithCUE: every value the Go predicates accept, CUE
// accepts too, for every scalar constraint of the schema; and the
// predicates do cover the constraints that matter for speed (names,
// durations, URLs, grid numbers).
func TestFastLeafAgreesWithCUE(t *testing.T) {
	s, err := LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *Node { return &Node{Kind: StringKind, Value: v, off: -1} }
	num := func(v string) *Node { return &Node{Kind: NumberKind, Value: v, off: -1} }
	values := []*Node{
		{Kind: BoolKind, Value: "true"}, {Kind: BoolKind, Value: "false"}, {Kind: NullKind},
		num("0"), num("1"), num("-1"), num("23"), num("24"), num("25"), num("2"), num("3"), num("1.5"), num("1e3"),
		num("1.0"), num("007"), num("99999999999999999999"),
	}
	for _, v := range []string{"", "a", " a", "a ", "a b", "a..b", ".a", "a.", "svc-00042", "team_a", "Team A",
		strings.Repeat("x", 50), strings.Repeat("x", 51), strings.Repeat("x", 75), strings.Repeat("x", 76),
		"$ds", "$", "ds", "1h", "1h30m", "90s", "500ms", "1d", "1y2w", "h", "1H", "10", "http://pyroscope:4040",
		"https://example.com/a?b=c", "ftp://x", "http://", "http:// x", "/render", "#/spec/panels/a", "#/", "__x",
		"x9", "9", "é", "日本", "a\nb", "0001-01-01T00:00:00Z", "cpu", "Panel", "Dashboard"} {
		values = append(values, str(v))
	}
	seen := map[*Type]bool{}
	covered := 0
	var walk func(*Type)
	walk = func(ty *Type) {
		if ty == nil || seen[ty] {
			return
		}
		seen[ty] = true
		if ty.Kind == LeafType && ty.fast != nil {
			covered++
			for _, v := range values {
				if ty.fast(v) {
					if msg := s.cueLeaf(ty, v); msg != "" {
						t.Errorf("%v: the Go check accepts %s %q, CUE says %s", ty.leaf, v.Kind, v.Value, msg)
					}
				}
			}
		}
		for _, f := range ty.Fields {
			walk(f.Type)
		}
		walk(ty.Pattern)
		walk(ty.KeyType)
		walk(ty.Elem)
		for _, a := range ty.Alts {
			walk(a)
		}
	}
	for _, d := range s.Defs {
		walk(d)
	}
	for _, r := range s.Resources {
		walk(r.Type)
	}
	if covered < 10 {
		t.Errorf("only %d scalar constraints have a Go check", covered)
	}
	name := s.ProjectMeta
	for _, f := range name.Fields {
		if f.Name == "name" && f.Type.fast == nil {
			t.Errorf("metadata.name (%v) has no Go check", f.Type.leaf)
		}
	}
}
