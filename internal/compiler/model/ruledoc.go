package model

import (
	"fmt"
	"strings"
)

// Describe says in words what the rule requires, for the reference pages
// generated from the schema. It sits beside the rules so a new rule cannot
// be added without its description (TestEveryRuleDescribed).
func (c Check) Describe() string {
	arg := func(i int) string {
		if i < len(c.Args) {
			return "`" + c.Args[i] + "`"
		}
		return "?"
	}
	fields := func() string {
		var q []string
		for _, a := range c.Args {
			q = append(q, "`"+a+"`")
		}
		return strings.Join(q, ", ")
	}
	switch c.Rule {
	case "regexp":
		return "must compile as a Go (RE2) regular expression"
	case "exactlyOne":
		return "exactly one of " + fields()
	case "atMostOne":
		return "at most one of " + fields()
	case "maxItems":
		return fmt.Sprintf("at most %s items", strings.Trim(arg(0), "`"))
	case "profileType":
		return "a Pyroscope profile type ID (`name:sample_type:sample_unit:period_type:period_unit`, optionally `:delta`) or a short name from the profile type table"
	case "selector":
		return "a label selector such as `{service_name=\"api\"}` in the grammar Pyroscope parses; lowered to `service` and `filters`"
	case "labelFilter":
		return "a label name the Perses editor can show, and a valid RE2 value for `=~` and `!~`"
	case "pyroscopeEndpoints":
		return "compared with the endpoints the Pyroscope plugin calls: legacy routes are flagged, missing ones named"
	case "requiresTrue":
		return fmt.Sprintf("%s only when %s is true", arg(0), arg(1))
	case "listRequiresTrue":
		return fmt.Sprintf("%s may list several values only when %s is true", arg(0), arg(1))
	case "nonEmptyWhenTrue":
		return fmt.Sprintf("%s must not be empty when %s is true", arg(0), arg(1))
	}
	return ""
}

// Constraint is a leaf type's CUE constraint as CUE prints it (">=0",
// "strings.MinRunes(1)"), or "" for other types.
func (t *Type) Constraint() string {
	if t.Kind != LeafType || !t.leaf.Exists() {
		return ""
	}
	s := MustSchema()
	s.mu.Lock() // CUE values are not safe for concurrent use
	defer s.mu.Unlock()
	return fmt.Sprint(t.leaf)
}
