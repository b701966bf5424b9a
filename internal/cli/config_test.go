package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigPrecedence: the file sets sources, output, format, strict and
// server datasources; each flag given on the command line wins over it,
// and PATH arguments over its sources.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pyrobuild.yaml": "sources: [src]\noutput: out\nformat: json\nstrict: true\nserver_datasources: [default]\n",
		"src/d.yaml":     noDatasourceDashboard,
		"other/d.yaml":   strings.Replace(noDatasourceDashboard, "name: d,", "name: other,", 1),
	})
	t.Chdir(dir)

	// strict from the file turns the warning into an error.
	if code, _, stderr := run(t, "compile"); code != 1 || !strings.Contains(stderr, "error:") {
		t.Fatalf("strict from the file: exit %d: %s", code, stderr)
	}
	// --strict=false wins; sources, output, format and the server
	// datasource come from the file.
	code, stdout, stderr := run(t, "compile", "--strict=false")
	if code != 0 || !strings.Contains(stdout, "into out"+string(filepath.Separator)) {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if !exists("out/bundle.json") || !exists("out/projects/p/dashboards/d.json") {
		t.Error("output not in out/ as JSON")
	}
	if code, _, stderr := run(t, "compile", "--strict=false", "--format", "yaml", "-o", "out2"); code != 0 || !exists("out2/bundle.yaml") {
		t.Errorf("--format and -o over the file: exit %d: %s", code, stderr)
	}
	// A --server-datasource replaces the file's list.
	if code, _, stderr := run(t, "check", "--strict=false", "--server-datasource", "elsewhere"); code != 1 || !strings.Contains(stderr, "no default PyroscopeDatasource") {
		t.Errorf("--server-datasource over the file: exit %d: %s", code, stderr)
	}
	// PATH arguments replace the file's sources.
	if code, _, stderr := run(t, "compile", "--strict=false", "other"); code != 0 || !exists("out/projects/p/dashboards/other.json") || exists("out/projects/p/dashboards/d.json") {
		t.Errorf("PATH over the file's sources: exit %d: %s", code, stderr)
	}
}

// TestConfigElsewhere: --config names a file in another folder, whose
// paths are relative to it, not to the current folder.
func TestConfigElsewhere(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"proj/settings.yaml": "sources: [src]\noutput: out\nserver_datasources: [default]\n",
		"proj/src/d.yaml":    noDatasourceDashboard,
	})
	t.Chdir(dir)
	if code, _, stderr := run(t, "--config", "proj/settings.yaml", "compile"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !exists("proj/out/bundle.yaml") {
		t.Error("output not written beside the config file")
	}
	// No pyrobuild.yaml here: the defaults apply (sources ., output build).
	if code, _, stderr := run(t, "check", "proj/src"); code != 1 || !strings.Contains(stderr, "no default PyroscopeDatasource") {
		t.Errorf("without a config: exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "--config", "missing.yaml", "check"); code != 2 || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing --config: exit %d: %s", code, stderr)
	}
}

// TestConfigErrors: every problem of the file is reported at its
// file:line:col, with a did-you-mean for misspelt keys, and is a usage
// error.
func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": `sorces: [src]
format: toml
strict: "yes"
site:
  title: Docs
  baseurl: /docs/
  dashboards: [1]
`})
	t.Chdir(dir)
	code, _, stderr := run(t, "check")
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr)
	}
	for _, want := range []string{
		"pyrobuild.yaml:1:1: error: unknown key \"sorces\"",
		"hint: did you mean \"sources\"?",
		"pyrobuild.yaml:2:9: error: format must be json or yaml, not \"toml\"",
		"pyrobuild.yaml:3:9: error: strict must be true or false",
		"pyrobuild.yaml:6:3: error: unknown key \"site.baseurl\"",
		"hint: did you mean \"base_url\"?",
		"pyrobuild.yaml:7:16: error: an item of site.dashboards must be a string",
		" 1 | sorces: [src]", // the excerpt
		"pyrobuild: pyrobuild.yaml: 5 errors",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// The same file breaks every command that reads it.
	for _, cmd := range []string{"compile", "build", "serve", "diff"} {
		if code, _, _ := run(t, cmd); code != 2 {
			t.Errorf("%s: exit %d, want 2", cmd, code)
		}
	}
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": "sources: [src\n"})
	if code, _, stderr := run(t, "check"); code != 2 || !strings.Contains(stderr, "pyrobuild.yaml:1: error: invalid YAML") {
		t.Errorf("bad YAML: exit %d: %s", code, stderr)
	}
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": "- sources\n"})
	if code, _, stderr := run(t, "check"); code != 2 || !strings.Contains(stderr, "the file must be a map of settings") {
		t.Errorf("a list: exit %d: %s", code, stderr)
	}
	// An empty file, or one of comments, sets nothing.
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": "# nothing yet\n", "d.yaml": noDatasourceDashboard})
	if code, _, stderr := run(t, "check", "--server-datasource", "default"); code != 0 {
		t.Errorf("empty config: exit %d: %s", code, stderr)
	}
}

// TestConfigSite: the site section sets build's flags, relative to the
// file's folder; flags still win.
func TestConfigSite(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"proj/pyrobuild.yaml": "site:\n  title: Shop docs\n  content: pages\n  output: site\n",
		"proj/pages/index.md": "---\ntitle: Home\n---\n\n# Home\n\nHello.\n",
	})
	t.Chdir(dir)
	if code, _, stderr := run(t, "--config", "proj/pyrobuild.yaml", "build", "-q", "--cache-dir", "off"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile("proj/site/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "Shop docs") || !strings.Contains(string(page), "Hello.") {
		t.Errorf("the file's title and content folder were not used:\n%.500s", page)
	}
	if code, _, stderr := run(t, "--config", "proj/pyrobuild.yaml", "build", "-q", "--cache-dir", "off", "--title", "Flag title", "-o", "other"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, _ = os.ReadFile("other/index.html")
	if !strings.Contains(string(page), "Flag title") {
		t.Error("--title did not win over the file")
	}
}

// TestConfigREADME: the README's example of pyrobuild.yaml sets every key
// there is, and reads without a problem.
func TestConfigREADME(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "## Settings: `pyrobuild.yaml`")
	if !ok {
		t.Fatal("no settings section in the README")
	}
	_, rest, _ = strings.Cut(rest, "```yaml\n")
	example, _, _ := strings.Cut(rest, "```")
	c, diags := parseConfig("README.md", []byte(example))
	if len(diags) > 0 {
		t.Fatalf("the README's example: %v", diags)
	}
	var missing []string
	var walk func(keys []configKey, prefix string)
	walk = func(keys []configKey, prefix string) {
		for _, k := range keys {
			switch {
			case k.kind == "section":
				walk(k.keys, prefix+k.name+".")
			case k.str != nil && *k.str(c) == nil, k.bool != nil && *k.bool(c) == nil, k.list != nil && *k.list(c) == nil:
				missing = append(missing, prefix+k.name)
			}
		}
	}
	walk(configKeys, "")
	if len(missing) > 0 {
		t.Errorf("the README's example lacks %v", missing)
	}
}
