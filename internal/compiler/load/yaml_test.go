package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// mapping is a YAML mapping of n keys k0… with, when dup > 0, key k0
// written again as the dup-th key.
func mapping(n, dup int) string {
	var b strings.Builder
	for i := range n {
		k := i
		if dup > 0 && i == dup {
			k = 0
		}
		fmt.Fprintf(&b, "k%d: %d\n", k, i)
	}
	return b.String()
}

// TestYAMLDuplicateKeys: small mappings find a duplicate key by scanning
// the keys before it, large ones with a map; both report the same, and a
// merge key is no duplicate.
func TestYAMLDuplicateKeys(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // the diagnostic's message, "" for none
		line      int
	}{
		{"small, no duplicate", mapping(smallMap, 0), "", 0},
		{"small, duplicate", mapping(smallMap, smallMap-1), `duplicate key "k0" (first defined at line 1)`, smallMap},
		{"large, no duplicate", mapping(smallMap+5, 0), "", 0},
		{"large, duplicate", mapping(smallMap+5, smallMap+3), `duplicate key "k0" (first defined at line 1)`, smallMap + 4},
		{"merge keys", "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n  x: 3\n", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes, d := ParseYAML(model.NewSource("f.yaml", []byte(tc.src)))
			switch {
			case tc.want == "" && d != nil:
				t.Fatalf("unexpected %s", d.Message)
			case tc.want != "" && d == nil:
				t.Fatalf("no diagnostic, want %q", tc.want)
			case tc.want != "":
				if d.Message != tc.want || d.Pos.Line != tc.line {
					t.Errorf("%s at line %d, want %s at line %d", d.Message, d.Pos.Line, tc.want, tc.line)
				}
				return
			}
			if len(nodes) != 1 {
				t.Fatalf("%d documents", len(nodes))
			}
		})
	}
}
