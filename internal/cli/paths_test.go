package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileFollowsNamedLink: a link to a folder of sources named on the
// command line is compiled, its files named through the link; a link met
// while walking a folder is still not followed.
func TestCompileFollowsNamedLink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, filepath.Join(dir, "real"), map[string]string{"d.yaml": noDatasourceDashboard})
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	writeFiles(t, filepath.Join(dir, "walked"), map[string]string{"README.md": "x"})
	if err := os.Symlink("../real", filepath.Join(dir, "walked", "inner")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, stdout, stderr := run(t, "compile", "link", "-o", "out", "--server-datasource", "default")
	if code != 0 || !strings.Contains(stdout, "from 1 source") {
		t.Fatalf("link named: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "check", "link", "--server-datasource", "default", "--strict")
	if code != 1 || !strings.Contains(stderr, filepath.Join("link", "d.yaml")+":") {
		t.Errorf("a diagnostic names the file through the link: exit %d: %s", code, stderr)
	}
	code, _, stderr = run(t, "check", "walked")
	if code != 1 || !strings.Contains(stderr, "no .cue, .yaml, .yml, .json or Go sources found in walked") {
		t.Errorf("a link met in the walk is followed: exit %d: %s", code, stderr)
	}
}

// TestOutputThatWouldDeleteSources: an output folder that is, or holds,
// a source folder is a usage error before anything is compiled.
func TestOutputThatWouldDeleteSources(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"dashboards/d.yaml": noDatasourceDashboard})
	t.Chdir(dir)
	if err := os.Symlink("dashboards", "link"); err != nil {
		t.Skip("no symbolic links:", err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compile", "-o", "dashboards", "dashboards"}, "output folder dashboards is the source folder dashboards"},
		{[]string{"compile", "-o", "dashboards/", "./dashboards"}, "output folder dashboards is the source folder dashboards"},
		{[]string{"compile", "-o", "link", "dashboards"}, "output folder link is the source folder dashboards"},
		{[]string{"compile", "-o", ".", "dashboards"}, "output folder . holds the sources in dashboards"},
		{[]string{"compile", "-o", "."}, "output folder . is the source folder ."},
	} {
		code, _, stderr := run(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "no .cue") {
			t.Errorf("%s: exit %d, want 2 and %q: %s", strings.Join(c.args, " "), code, c.want, stderr)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dashboards", "d.yaml")); err != nil || string(b) != noDatasourceDashboard {
		t.Error("a source was touched")
	}
	// An output folder inside the sources is the usual layout.
	if code, _, stderr := run(t, "compile", "-o", "dashboards/build", "dashboards", "--server-datasource", "default"); code != 0 {
		t.Errorf("-o inside the sources: exit %d: %s", code, stderr)
	}
}

// TestArgumentErrorsExit2: every command exits 2 (usage) for a path that
// does not exist and for an output folder it refuses to replace.
func TestArgumentErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"foreign/mine.txt": "mine", "src/d.yaml": noDatasourceDashboard})
	t.Chdir(dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compile", "no/such"}, "no/such: no such file or folder"},
		{[]string{"compile", "--watch", "no/such"}, "no/such: no such file or folder"},
		{[]string{"check", "src", "no/such", "gone"}, "no/such, gone: no such files or folders"},
		{[]string{"diff", "no/such"}, "no/such: no such file or folder"},
		{[]string{"build", "--dashboards", "no/such"}, "no/such: no such file or folder"},
		{[]string{"serve", "--dashboards", "no/such"}, "no/such: no such file or folder"},
		{[]string{"compile", "src", "--server-datasource", "default", "-o", "foreign"}, "refusing to replace it"},
		{[]string{"compile", "src", "--server-datasource", "default", "-o", "foreign/mine.txt"}, "exists and is not a folder"},
		{[]string{"compile", "src", "--server-datasource", "default", "--crd", "-o", "foreign"}, "refusing to replace it"},
		{[]string{"build", "--content", "src", "-o", "foreign"}, "refusing to replace it"},
		{[]string{"build", "--root", "no/such", "-o", "site"}, "--root no/such: no such folder"},
		{[]string{"build", "--content", "no/such", "-o", "site"}, "--content no/such: no such folder"},
		{[]string{"serve", "--templates", "no/such"}, "--templates no/such: no such folder"},
		{[]string{"init", "foreign/mine.txt"}, "foreign/mine.txt is a file: init writes a project into a folder"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q: %s", strings.Join(c.args, " "), code, c.want, stderr)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "foreign", "mine.txt")); string(b) != "mine" {
		t.Error("a folder pyrobuild did not write was touched")
	}
}

// TestUnknownFlagSuggestion: a mistyped flag of any command gets the
// nearest one, persistent flags included.
func TestUnknownFlagSuggestion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"compile", "--fromat", "json"}, "unknown flag: --fromat; did you mean --format?"},
		{[]string{"check", "--strcit"}, "unknown flag: --strcit; did you mean --strict?"},
		{[]string{"build", "--confg=x"}, "unknown flag: --confg; did you mean --config?"},
		{[]string{"serve", "--prot", "9"}, "unknown flag: --prot; did you mean --port?"},
		{[]string{"init", "--lnag", "go"}, "unknown flag: --lnag; did you mean --lang?"},
		{[]string{"schema", "--fomr", "wire"}, "unknown flag: --fomr; did you mean --form?"},
		{[]string{"--verison"}, "unknown flag: --verison; did you mean --version?"},
		{[]string{"compile", "--zzzzzzzz"}, "unknown flag: --zzzzzzzz\n"},
	} {
		code, _, stderr := run(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q: %s", strings.Join(c.args, " "), code, c.want, stderr)
		}
	}
}

// TestSchemaMakesFolders: the README's own command works in a fresh
// project, and the file appears whole.
func TestSchemaMakesFolders(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, stderr := run(t, "schema", "-o", ".vscode/pyrobuild.schema.json"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fi, err := os.Stat(filepath.Join(dir, ".vscode", "pyrobuild.schema.json"))
	if err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o644 {
		t.Fatalf("schema file: %v, %v", fi, err)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, ".vscode"))
	if len(ents) != 1 {
		t.Errorf(".vscode holds %d files, want the schema only", len(ents))
	}
}
