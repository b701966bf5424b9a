package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckLiveSaysWhenSkipped: with errors (or warnings under --strict)
// the live part does not run, and check says so and why, in text and JSON.
func TestCheckLiveSaysWhenSkipped(t *testing.T) {
	dir := t.TempDir()
	ds := `kind: GlobalDatasource
metadata: {name: pyro}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "URL"}}
`
	write := func(url, extra string) {
		if err := os.WriteFile(filepath.Join(dir, "ds.yaml"), []byte(strings.Replace(ds, "URL", url, 1)+extra), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An error: a project without a name.
	write("http://127.0.0.1:1", "---\nkind: Project\nmetadata: {}\n")
	code, _, stderr := run(t, "check", dir, "--live")
	if code != 1 || !strings.Contains(stderr, "note: the live check was skipped: the sources have 1 error [PB1304]") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}

	// Under --strict, a warning (a password in the URL) skips it too; the
	// JSON output carries the note, and no form prints the password.
	write("http://u:pa55word@127.0.0.1:1", "")
	code, stdout, stderr := run(t, "check", dir, "--live", "--strict", "--diagnostics", "json")
	if code != 1 || !strings.Contains(stdout, `"code": "PB1304"`) || !strings.Contains(stdout, "under strict, warnings count as errors") {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
	if strings.Contains(stdout+stderr, "pa55word") {
		t.Errorf("the URL's password is printed:\n%s%s", stdout, stderr)
	}
}
