package compiler

import (
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// TestKindTreatment: a resource kind Perses reads (in any case) compiles,
// with a warning when it is not spelt canonically; a kind that is no
// resource kind in any spelling is an error, whose hint says where a kind
// of a resource's part goes.
func TestKindTreatment(t *testing.T) {
	cases := []struct {
		kind string
		sev  diag.Severity
		code diag.Code
		hint string
	}{
		{"Dashboard", -1, "", ""},
		{"dashboard", diag.Warning, model.CodeKindSpelling, "canonical spelling"},
		{"DASHBOARD", diag.Warning, model.CodeKindSpelling, "canonical spelling"},
		{"Dashbord", diag.Error, model.CodeUnknownKind, `did you mean "Dashboard"?`},
		{"panel", diag.Error, model.CodeUnknownKind, "spec.panels"},
		{"Panel", diag.Error, model.CodeUnknownKind, "spec.panels"},
		{"grid", diag.Error, model.CodeUnknownKind, "spec.layouts"},
		{"ProfileQuery", diag.Error, model.CodeUnknownKind, "spec.queries"},
		{"flamechart", diag.Error, model.CodeUnknownKind, "FlameChart is a plugin, not a resource: FlameChart belongs in a panel's spec.plugin"},
		{"Widget", diag.Error, model.CodeUnknownKind, "pyrobuild compiles Project"},
	}
	s := MustSchema()
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			src := model.NewSource("k.yaml", []byte("kind: "+c.kind+"\nmetadata:\n  name: d\n  project: p\nspec:\n  panels: {}\n  layouts: []\n"))
			docs, d := load.ParseYAML(src)
			if d != nil {
				t.Fatal(d)
			}
			var diags diag.Diagnostics
			check.Validate(s, docs[0], &diags)
			var got *diag.Diagnostic
			for i := range diags {
				if diags[i].Pos.Line == 1 && diags[i].Severity >= diag.Warning {
					got = &diags[i]
				}
			}
			switch {
			case c.sev < 0 && got != nil:
				t.Errorf("want nothing about the kind, got %s", got)
			case c.sev < 0:
			case got == nil:
				t.Errorf("nothing about the kind; all: %v", diags)
			case got.Severity != c.sev || got.Code != c.code || !strings.Contains(got.Hint, c.hint):
				t.Errorf("got %s [%s] (hint %q), want %s [%s] (hint …%s…)", got, got.Code, got.Hint, c.sev, c.code, c.hint)
			}
		})
	}
}
