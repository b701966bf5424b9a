package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestConfigPrecedence: the file sets sources, output, format, strict and
// server datasources; each flag given on the command line wins over it,
// and PATH arguments over its sources.
func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pyrobuild.yaml": "sources: [src]\noutput: out\nformat: json\nstrict: true\nresource_files: true\nserver_datasources: [default]\n",
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
		t.Error("output not in out/ as JSON, with resource files")
	}
	if code, _, stderr := run(t, "compile", "--strict=false", "--format", "yaml", "-o", "out2", "--resource-files=false"); code != 0 || !exists("out2/bundle.yaml") || !exists("out2/projects/p/bundle.yaml") || exists("out2/projects/p/dashboards/d.yaml") {
		t.Errorf("--format, -o and --resource-files over the file: exit %d: %s", code, stderr)
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
			case k.str != nil && *k.str(c) == nil, k.bool != nil && *k.bool(c) == nil, k.list != nil && *k.list(c) == nil,
				k.nav != nil && *k.nav(c) == nil:
				missing = append(missing, prefix+k.name)
			}
		}
	}
	walk(configKeys, "")
	if len(missing) > 0 {
		t.Errorf("the README's example lacks %v", missing)
	}
}

// TestConfigNav: site.nav orders the site's navigation; its entries are
// checked when the file is read (form) and when the site is built (that
// the pages exist), each at its pyrobuild.yaml:line:col.
func TestConfigNav(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pyrobuild.yaml": `site:
  nav:
    - index.md
    - Setup:
        - Install it: guides/install.md
        - guides/instal.md
    - ./guides/
`,
		"content/index.md":          "# Home\n",
		"content/guides/install.md": "# Install\n",
		"content/guides/usage.md":   "# Usage\n",
		"content/faq.md":            "# FAQ\n",
	})
	t.Chdir(dir)
	c, diags := parseConfig("pyrobuild.yaml", []byte(`site:
  nav:
    - index.md
    - Setup:
        - Install it: guides/install.md
    - ./guides/
`))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	want := []site.NavItem{
		{Page: "index.md", Pos: diag.Pos{File: "pyrobuild.yaml", Line: 3, Col: 7}},
		{Title: "Setup", Pos: diag.Pos{File: "pyrobuild.yaml", Line: 4, Col: 7}, Children: []site.NavItem{
			{Title: "Install it", Page: "guides/install.md", Pos: diag.Pos{File: "pyrobuild.yaml", Line: 5, Col: 23}},
		}},
		{Page: "guides/", Pos: diag.Pos{File: "pyrobuild.yaml", Line: 6, Col: 7}},
	}
	if !reflect.DeepEqual(c.siteNav, want) {
		t.Errorf("site.nav read as\n%+v\nwant\n%+v", c.siteNav, want)
	}

	// The build: a missing page is an error at its entry, a page left out
	// a warning.
	code, stdout, stderr := run(t, "build", "--cache-dir", "off")
	if code != 1 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, w := range []string{
		"pyrobuild.yaml:6:11: error: site.nav names guides/instal.md, but there is no such page [PB2003]",
		" 6 |         - guides/instal.md",
		"hint: did you mean guides/install.md?",
		"pyrobuild.yaml:2:3: warning: site.nav leaves out faq.md",
		"pyrobuild.yaml:2:3: warning: site.nav leaves out reference/ (reference/cli.md, reference/diagnostics.md, reference/index.md, …)",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": "site:\n  nav:\n    - index.md\n    - Setup: [guides/install.md]\n    - guides/\n    - faq.md\n    - reference/\n"})
	if code, stdout, stderr := run(t, "build", "--cache-dir", "off", "--base-url", "https://example.com/"); code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	page, _ := os.ReadFile("public/guides/install/index.html")
	if !strings.Contains(string(page), `rel="next" href="/guides/usage/"`) || !strings.Contains(string(page), `rel="prev" href="/"`) {
		t.Errorf("previous/next do not follow site.nav:\n%s", page)
	}

	// Entries of the wrong form, each at its line:col.
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": `site:
  nav:
    - /guides/install.md
    - guides/install
    - ../README.md
    - 42
    - Setup: 7
    - A: a.md
      B: b.md
    - Empty: []
`})
	code, _, stderr = run(t, "build")
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr)
	}
	for _, w := range []string{
		`pyrobuild.yaml:3:7: error: "/guides/install.md" in site.nav must be relative to the content folder`,
		`pyrobuild.yaml:4:7: error: "guides/install" in site.nav is neither a page (.md) nor a folder (ending in /)`,
		"hint: did you mean guides/install.md, or guides/install/ for a folder?",
		`pyrobuild.yaml:5:7: error: "../README.md" in site.nav leads outside the content folder`,
		`pyrobuild.yaml:6:7: error: an entry of site.nav must be a page, a folder or a section`,
		`pyrobuild.yaml:7:14: error: "Setup" in site.nav must be a page, a folder or a list of entries`,
		`pyrobuild.yaml:8:7: error: an entry of site.nav is a map of one title, not 2`,
		`pyrobuild.yaml:10:14: error: section "Empty" is empty`,
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	writeFiles(t, dir, map[string]string{"pyrobuild.yaml": "site:\n  nav: guides/\n"})
	if code, _, stderr := run(t, "build"); code != 2 || !strings.Contains(stderr, "pyrobuild.yaml:2:8: error: site.nav must be a list of pages, folders and sections") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestReadEnv: $PYROBUILD_CACHE, $PYROBUILD_CUE_TIMEOUT and $CUE_CACHE_DIR
// are read once, here; without the first, the caches are in pyrobuild's
// folder of the user's cache; a time-out that is not a positive duration
// is the default's; CUE's module cache is cue in the user's cache unless
// $CUE_CACHE_DIR says otherwise.
func TestReadEnv(t *testing.T) {
	t.Setenv("HOME", "/home/alice")
	t.Setenv("XDG_CACHE_HOME", "")
	d, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache folder:", err)
	}
	user, cue := filepath.Join(d, "pyrobuild"), filepath.Join(d, "cue")
	for _, tc := range []struct {
		env  map[string]string
		want environment
	}{
		{nil, environment{cacheRoot: user, cueModules: cue}},
		{map[string]string{"PYROBUILD_CACHE": "/c", "PYROBUILD_CUE_TIMEOUT": "2m"}, environment{cacheRoot: "/c", cueTimeout: 2 * time.Minute, cueModules: cue}},
		{map[string]string{"PYROBUILD_CUE_TIMEOUT": "soon"}, environment{cacheRoot: user, cueModules: cue}},
		{map[string]string{"PYROBUILD_CUE_TIMEOUT": "-1s"}, environment{cacheRoot: user, cueModules: cue}},
		{map[string]string{"PYROBUILD_CUE_TIMEOUT": "0s"}, environment{cacheRoot: user, cueModules: cue}},
		// CUE's module cache, as CUE finds it, for messages about imports.
		{map[string]string{"CUE_CACHE_DIR": "/cue-cache"}, environment{cacheRoot: user, cueModules: "/cue-cache"}},
	} {
		if got := readEnv(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: got %+v, want %+v", tc.env, got, tc.want)
		}
	}
}

// TestEnvReachesCompilations: the environment reaches every compilation
// as options: compile's, check's and diff's, and, through site.Config, the
// site builder's (build and serve; TestReliability/cache-folder runs them).
func TestEnvReachesCompilations(t *testing.T) {
	dir := t.TempDir()
	e := readEnv(func(k string) string {
		return map[string]string{"PYROBUILD_CACHE": dir, "PYROBUILD_CUE_TIMEOUT": "3m"}[k]
	})
	o := e.compileOptions()
	if want := filepath.Join(dir, "go"); o.GoCache != want {
		t.Errorf("Go cache in %s, want %s", o.GoCache, want)
	}
	if want := filepath.Join(dir, "units"); o.UnitStore != want {
		t.Errorf("unit store in %s, want %s", o.UnitStore, want)
	}
	if o.CUETimeout != 3*time.Minute {
		t.Errorf("CUE time-out %s, want 3m", o.CUETimeout)
	}
	so := &siteOptions{env: e}
	cfg, err := so.config(&cobra.Command{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CompilerCache != dir || cfg.CUETimeout != 3*time.Minute {
		t.Errorf("site.Config has cache %q and CUE time-out %s, want %q and 3m", cfg.CompilerCache, cfg.CUETimeout, dir)
	}
}

// TestConfigLookupUpward: from a subfolder of a project, commands use the
// project's pyrobuild.yaml, with its paths, and their defaults (sources,
// output folders), relative to the file's folder; the lookup stops at the
// repository's root.
func TestConfigLookupUpward(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"pyrobuild.yaml":       "# the repository's parent: never read\nbogus: 1\n",
		"repo/.git/HEAD":       "ref: refs/heads/main\n",
		"repo/pyrobuild.yaml":  "sources: [src]\noutput: out\nserver_datasources: [default]\n",
		"repo/src/d.yaml":      noDatasourceDashboard,
		"repo/src/sub/x.md":    "not a source\n",
		"repo/docs/index.md":   "# Home\n",
		"plain/pyrobuild.yaml": "server_datasources: [default]\nsite: {content: docs}\n",
		"plain/dash/d.yaml":    noDatasourceDashboard,
		"plain/docs/index.md":  "---\ntitle: Home\n---\n\n# Home\n",
		"plain/deep/er/x.md":   "x\n",
	})
	t.Chdir(filepath.Join(dir, "repo", "src", "sub"))
	code, stdout, stderr := run(t, "compile")
	if code != 0 || !strings.Contains(stdout, "from 1 source into "+filepath.Join("..", "..", "out")) {
		t.Fatalf("compile in a subfolder: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !exists(filepath.Join(dir, "repo", "out", "bundle.yaml")) {
		t.Error("the output is not the file's output folder")
	}
	if code, stdout, stderr := run(t, "diff"); code != 0 || !strings.Contains(stdout, "no changes") {
		t.Errorf("diff against the file's output: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	// A file without sources or output: the file's folder and build/ in
	// it, wherever the command runs.
	t.Chdir(filepath.Join(dir, "plain", "deep", "er"))
	if code, stdout, stderr := run(t, "compile", "-q"); code != 0 {
		t.Fatalf("compile: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !exists(filepath.Join(dir, "plain", "build", "bundle.yaml")) || exists("build") {
		t.Error("the output is not build/ in the file's folder")
	}
	if code, _, stderr := run(t, "build", "-q", "--cache-dir", "off"); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	if !exists(filepath.Join(dir, "plain", "public", "index.html")) || exists("public") {
		t.Error("the site is not public/ in the file's folder")
	}

	// The repository's root ends the lookup: the file above it is not read.
	if err := os.Remove(filepath.Join(dir, "repo", "pyrobuild.yaml")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(dir, "repo", "src"))
	if code, _, stderr := run(t, "check", "--server-datasource", "default"); code != 0 {
		t.Errorf("a file above the repository was read: exit %d: %s", code, stderr)
	}
	// A problem in a file found above names it as seen from here.
	t.Chdir(filepath.Join(dir, "plain", "dash"))
	writeFiles(t, filepath.Join(dir, "plain"), map[string]string{"pyrobuild.yaml": "sourcse: [dash]\n"})
	if code, _, stderr := run(t, "check"); code != 2 || !strings.Contains(stderr, filepath.Join("..", "pyrobuild.yaml")+":1:1: error: unknown key \"sourcse\"") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
