package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pluginsCorpus holds plugin modules of our own writing (see
// internal/compiler/diagnostics_test.go).
var pluginsCorpus, _ = filepath.Abs("../compiler/testdata/plugins")

// notePanelSource is a datasource-free dashboard with one AcmeNote panel
// (a plugin of testdata/plugins/Charts) whose field is misspelt on line 9.
const notePanelSource = `kind: Dashboard
metadata: {name: notes, project: p}
spec:
  duration: 1h
  panels:
    intro:
      kind: Panel
      spec:
        plugin: {kind: AcmeNote, spec: {txt: hello}}
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 24, height: 4, content: {$ref: "#/spec/panels/intro"}}
`

// TestPluginsFlagAndConfig: --plugins and plugins: load plugin schemas, on
// every command that compiles; without them the plugin is a warning.
func TestPluginsFlagAndConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"src/d.yaml": notePanelSource})
	t.Chdir(dir)

	code, _, stderr := run(t, "check", "src")
	if code != 0 || !strings.Contains(stderr, `warning: plugin "AcmeNote" is not one pyrobuild models`) || !strings.Contains(stderr, "--plugins PATH") {
		t.Errorf("without plugins: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "check", "--strict", "src"); code != 1 {
		t.Errorf("--strict without plugins: exit %d: %s", code, stderr)
	}
	for _, cmd := range [][]string{{"check"}, {"compile", "-o", "out"}} {
		args := append(cmd, "--plugins", pluginsCorpus, "src")
		code, _, stderr := run(t, args...)
		if code != 1 || !strings.Contains(stderr, `d.yaml:9:41: error: unknown field "txt"`) || !strings.Contains(stderr, `did you mean "text"?`) {
			t.Errorf("%s --plugins: exit %d: %s", cmd[0], code, stderr)
		}
	}
	if code, _, stderr := run(t, "check", "--plugins", "no-such-folder", "src"); code != 2 || !strings.Contains(stderr, "--plugins") {
		t.Errorf("--plugins of a missing folder: exit %d: %s", code, stderr)
	}

	// plugins: in the file, relative to the file's folder.
	os.MkdirAll("conf", 0o755)
	rel, _ := filepath.Rel(filepath.Join(dir, "conf"), pluginsCorpus)
	writeFiles(t, dir, map[string]string{"conf/pyrobuild.yaml": "sources: [../src]\nplugins: [" + rel + "]\n"})
	if code, _, stderr := run(t, "check", "--config", "conf/pyrobuild.yaml"); code != 1 || !strings.Contains(stderr, `unknown field "txt"`) {
		t.Errorf("plugins: from the file: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "compile", "-o", "out", "src"); code != 0 {
		t.Fatalf("compile without plugins: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "diff", "--config", "conf/pyrobuild.yaml", "--against", "out"); code != 1 || !strings.Contains(stderr, `unknown field "txt"`) {
		t.Errorf("diff with plugins: from the file: exit %d: %s", code, stderr)
	}
	// A --plugins flag replaces the file's list. Charts has no variable
	// plugin: the Perses server refuses every dashboard then, so does
	// pyrobuild.
	if code, _, stderr := run(t, "check", "--config", "conf/pyrobuild.yaml", "--plugins", filepath.Join(pluginsCorpus, "Charts")); code != 1 || !strings.Contains(stderr, "d.yaml:1:7: error: the loaded plugins define no variable plugin") {
		t.Errorf("--plugins over the file: exit %d: %s", code, stderr)
	}
	// build and serve take the flag too.
	for _, cmd := range []string{"build", "serve"} {
		if _, out, _ := run(t, cmd, "--help"); !strings.Contains(out, "--plugins") {
			t.Errorf("%s has no --plugins", cmd)
		}
	}
}
