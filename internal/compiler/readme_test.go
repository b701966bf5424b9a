package compiler

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEAliasTable keeps the README's profile type table equal to the
// schema's, row for row, so the docs cannot drift from the model.
// aliasRow is a row of the README's alias table: a short name, then a
// profile type ID (which has colons).
var aliasRow = regexp.MustCompile("^\\| `[a-z_]+` \\| `[^`]*:[^`]*` \\|$")

func TestREADMEAliasTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(b), "\n") {
		if aliasRow.MatchString(line) {
			rows = append(rows, line)
		}
	}
	s := MustSchema()
	var want []string
	for _, k := range s.AliasOrder {
		want = append(want, "| `"+k+"` | `"+s.Aliases[k]+"` |")
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("README alias table:\n%s\nschema:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}
