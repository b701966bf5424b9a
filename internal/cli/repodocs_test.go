package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestRepositoryDocs builds this repository's own documentation site as
// `make site` does, with the command-line reference generated from the real
// command tree, and requires it to be free of broken links (anchors into the
// CLI reference included) and failing examples.
func TestRepositoryDocs(t *testing.T) {
	root := newRoot(environment{}, io.Discard, io.Discard)
	b, err := site.NewBuilder(site.Config{
		Root:         "../..",
		Dashboards:   []string{"../../examples"},
		BaseURL:      "https://pyrobuild.example/docs/",
		CLIReference: func() []byte { return cliReference(root) },
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var errs diag.Diagnostics
	for _, d := range s.Diagnostics {
		if d.Severity == diag.Error {
			errs = append(errs, d)
		}
	}
	if len(errs) > 0 {
		var text string
		for _, d := range errs {
			text += d.String() + "\n"
		}
		t.Errorf("the repository's docs have %d errors:\n%s", len(errs), text)
	}
	if len(s.Pages) < 10 {
		t.Errorf("only %d pages built", len(s.Pages))
	}
}

// TestRepositoryRunsWithoutFlags: in this repository, `pyrobuild compile`
// and `pyrobuild build` take every setting from its pyrobuild.yaml (as
// `make run` and `make site` run them) and succeed without a problem.
// Only the output folders are moved out of the work tree.
func TestRepositoryRunsWithoutFlags(t *testing.T) {
	out := t.TempDir()
	t.Chdir("../..")
	for _, args := range [][]string{
		{"compile", "-o", filepath.Join(out, "build")},
		{"build", "-o", filepath.Join(out, "public")},
	} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || !strings.Contains(stdout, "(no problems)") {
			t.Errorf("pyrobuild %s: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "public", "dashboards", "index.html")); err != nil {
		t.Error(err)
	}
}
