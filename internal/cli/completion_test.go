package cli

import (
	"strings"
	"testing"
)

// TestCompletionFlagValues: the flags that take one of a few values
// complete them, and not file names.
func TestCompletionFlagValues(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"schema", "--form", ""}, []string{"authoring", "wire"}},
		{[]string{"compile", "--format", ""}, []string{"yaml", "json"}},
		{[]string{"compile", "--diagnostics", ""}, []string{"text", "json", "github"}},
		{[]string{"check", "--diagnostics", ""}, []string{"text", "json", "github"}},
		{[]string{"build", "--diagnostics", ""}, []string{"text", "json", "github"}},
		{[]string{"init", "--lang", ""}, []string{"cue", "go", "yaml"}},
		{[]string{"diff", "--output", ""}, []string{"text", "json", "markdown"}},
	} {
		_, stdout, _ := run(t, append([]string{"__complete"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		var got []string
		for _, l := range lines[:len(lines)-1] {
			v, _, _ := strings.Cut(l, "\t")
			got = append(got, v)
		}
		// The last line is the directive: 4 is ShellCompDirectiveNoFileComp.
		if strings.Join(got, " ") != strings.Join(c.want, " ") || lines[len(lines)-1] != ":4" {
			t.Errorf("%v: got %q, want %q and no file names:\n%s", c.args, got, c.want, stdout)
		}
	}
}
