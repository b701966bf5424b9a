package check

import (
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

func TestEveryRuleDescribed(t *testing.T) {
	for name := range rules {
		if Describe(model.Check{Rule: name, Args: []string{"a", "b"}}) == "" {
			t.Errorf("rule %s has no description in rules", name)
		}
	}
}

// TestUnknownRuleRefused: a @check naming a rule that has no
// implementation fails LoadSchema's verification, wherever it hides, and
// the embedded schema passes it.
func TestUnknownRuleRefused(t *testing.T) {
	if _, err := LoadSchema(); err != nil {
		t.Fatalf("embedded schema: %v", err)
	}
	unknown := []model.Check{{Rule: "noSuchRule"}}
	leaf := func() *model.Type { return &model.Type{Kind: model.LeafType, Checks: unknown} }
	for _, c := range []struct {
		name, where string
		def         *model.Type
	}{
		{"on the struct", "#T", &model.Type{Kind: model.StructType, Checks: unknown}},
		{"on a field", "#T.a", &model.Type{Kind: model.StructType, Fields: []*model.Field{{Name: "a", Type: &model.Type{}, Checks: unknown}}}},
		{"in a list", "#T", &model.Type{Kind: model.ListType, Elem: leaf()}},
		{"in a union", "#T", &model.Type{Kind: model.UnionType, Alts: []*model.Type{{}, leaf()}}},
		{"in a pattern", "#T", &model.Type{Kind: model.StructType, Pattern: leaf()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &model.Schema{Defs: map[string]*model.Type{"#T": c.def, "#U": {Kind: model.StructType, Checks: []model.Check{{Rule: "regexp"}}}}}
			err := knownRules(s)
			want := "embedded schema: " + c.where + " names unknown rule @check(noSuchRule)"
			if err == nil || err.Error() != want {
				t.Errorf("got %v, want %s", err, want)
			}
		})
	}
	known := &model.Schema{Defs: map[string]*model.Type{"#U": {Kind: model.StructType, Checks: []model.Check{{Rule: "regexp"}}}}}
	if err := knownRules(known); err != nil {
		t.Errorf("known rules refused: %v", err)
	}
}
