package check

import (
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

func TestEveryRuleDescribed(t *testing.T) {
	for name := range rules {
		if (model.Check{Rule: name, Args: []string{"a", "b"}}).Describe() == "" {
			t.Errorf("rule %s has no description in Check.Describe", name)
		}
	}
}
