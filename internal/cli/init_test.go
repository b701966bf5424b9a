package cli

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/initkit"
)

// TestInitRoundTrip scaffolds a project in each language, then compiles
// it, checks it as its CI workflow does, builds its site and serves it,
// all from the project's folder with its pyrobuild.yaml. The Go scaffold
// builds against this checkout (a replace directive), so the test runs
// offline.
func TestInitRoundTrip(t *testing.T) {
	for _, lang := range initkit.Langs {
		t.Run(lang, func(t *testing.T) {
			args := []string{"init", "--lang", lang}
			if lang == "go" {
				if _, err := exec.LookPath("go"); err != nil {
					t.Skip("no go toolchain")
				}
				// The SDK of this checkout, and no network: init's
				// go mod tidy must work offline with --sdk.
				args = append(args, "--sdk", "../..")
				t.Setenv("GOPROXY", "off")
				t.Setenv("GOFLAGS", "-mod=mod")
				t.Setenv("PYROBUILD_CACHE", t.TempDir())
			}
			dir := filepath.Join(t.TempDir(), "shop")
			code, stdout, stderr := run(t, append(args, dir)...)
			if code != 0 || (lang == "go") != strings.Contains(stdout, "ran          go mod tidy") || strings.Contains(stdout, "  go mod tidy  ") || stderr != "" {
				t.Fatalf("init: exit %d: %s%s", code, stdout, stderr)
			}
			if lang == "go" {
				mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
				repo, _ := filepath.Abs("../..")
				rel, _ := filepath.Rel(dir, repo)
				if !strings.Contains(string(mod), "replace github.com/pyrobuild/pyrobuild => "+filepath.ToSlash(rel)+"\n") {
					t.Errorf("go.mod does not use the checkout:\n%s", mod)
				}
			}
			for _, f := range []string{"pyrobuild.yaml", ".gitignore", ".github/workflows/pyrobuild.yml", "content/index.md"} {
				if !strings.Contains(stdout, "created      "+f) || !exists(filepath.Join(dir, f)) {
					t.Errorf("%s not created:\n%s", f, stdout)
				}
			}
			t.Chdir(dir)

			code, stdout, stderr = run(t, "compile")
			if code != 0 || !strings.Contains(stdout, "compiled 3 resources") || stderr != "" {
				t.Fatalf("compile: exit %d: %s%s", code, stdout, stderr)
			}
			for _, f := range []string{"build/bundle.yaml", "build/projects/shop/bundle.yaml"} {
				if !exists(f) {
					t.Errorf("%s not written", f)
				}
			}
			if b, _ := os.ReadFile("build/projects/shop/bundle.yaml"); !bytes.Contains(b, []byte("kind: Project")) || !bytes.Contains(b, []byte("kind: Datasource")) || !bytes.Contains(b, []byte("kind: Dashboard")) {
				t.Errorf("the project's bundle misses a resource:\n%s", b)
			}
			// The CI workflow's command: no annotation at all.
			if code, stdout, stderr := run(t, "check", "--diagnostics", "github"); code != 0 || stdout != "" {
				t.Errorf("check: exit %d: %s%s", code, stdout, stderr)
			}
			if code, stdout, _ := run(t, "diff", "--exit-code"); code != 0 || !strings.Contains(stdout, "no changes (3 resources unchanged)") {
				t.Errorf("diff after compile: exit %d: %s", code, stdout)
			}

			// Notes (such as advice on the site's URL) are fine.
			code, stdout, stderr = run(t, "build", "--cache-dir", "off")
			if code != 0 || strings.Contains(stderr, "warning") || strings.Contains(stderr, "error") || !strings.Contains(stdout, "(no problems)") {
				t.Fatalf("build: exit %d: %s%s", code, stdout, stderr)
			}
			page, err := os.ReadFile("public/dashboards/shop/cpu/index.html")
			if err != nil {
				t.Fatalf("the catalog has no page for the dashboard: %v", err)
			}
			if !strings.Contains(string(page), "CPU and memory") {
				t.Error("the dashboard's page lacks its title")
			}

			sout, serr, stop := background(t, "serve", "--port", "0", "--cache-dir", "off")
			var url string
			re := regexp.MustCompile(`on (http://\S+/) `)
			waitFor(t, "the server", func() bool {
				m := re.FindStringSubmatch(sout.String())
				if m != nil {
					url = m[1]
				}
				return m != nil
			}, sout, serr)
			for path, want := range map[string]string{"": "shop", "dashboards/shop/cpu/": "CPU and memory"} {
				resp, err := http.Get(url + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
					t.Errorf("GET /%s: %d, want 200 with %q", path, resp.StatusCode, want)
				}
			}
			if err := stop(); err != nil {
				t.Errorf("serve: %v", err)
			}
			if strings.Contains(serr.String(), "error") {
				t.Errorf("serve printed problems:\n%s", serr)
			}
		})
	}
}

// TestInitRefusesToOverwrite: existing files are listed and nothing is
// written, unless --force; a .gitignore gets the missing lines, a go.mod
// is kept.
func TestInitRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".gitignore":         "node_modules/\nbuild/\n",
		"go.mod":             "module example.com/mine\n\ngo 1.26.0\n",
		"content/index.md":   "mine\n",
		"dashboards/cpu.cue": "package mine\n",
	})
	code, _, stderr := run(t, "init", dir, "--lang", "cue")
	if code != 2 || !strings.Contains(stderr, "  content/index.md\n") || !strings.Contains(stderr, "  dashboards/cpu.cue\n") || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if exists(filepath.Join(dir, "pyrobuild.yaml")) {
		t.Error("a file was written although init refused")
	}
	code, stdout, stderr := run(t, "init", dir, "--lang", "go", "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"overwritten  content/index.md", "updated      .gitignore", "kept         go.mod", "go get github.com/pyrobuild/pyrobuild/dac"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	ignore, _ := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if string(ignore) != "node_modules/\nbuild/\n# Written by pyrobuild compile and pyrobuild build.\npublic/\n" {
		t.Errorf(".gitignore:\n%s", ignore)
	}
	if mod, _ := os.ReadFile(filepath.Join(dir, "go.mod")); string(mod) != "module example.com/mine\n\ngo 1.26.0\n" {
		t.Errorf("go.mod was replaced:\n%s", mod)
	}
	// Again, with nothing to change.
	if code, stdout, _ := run(t, "init", dir, "--lang", "go"); code != 0 || strings.Contains(stdout, "created") {
		t.Errorf("a second init: exit %d: %s", code, stdout)
	}
}

func TestInitUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", dir, "--lang", "rust"},
		{"init", dir, "--project", "no spaces"},
		{"init", dir, dir},
	} {
		if code, _, stderr := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a failed init wrote %v", ents)
	}
	// The project is named after the folder, made valid.
	weird := filepath.Join(dir, "My Dashboards!")
	if code, stdout, stderr := run(t, "init", weird); code != 0 || !strings.Contains(stdout, `Project "my-dashboards"`) {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
}

// TestInitProjectNameForKubernetes: the name init derives from a folder is
// one Kubernetes takes as a namespace, so the project compiles with --crd
// as it is; a --project is kept as given.
func TestInitProjectNameForKubernetes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My Dash_boards")
	if code, stdout, stderr := run(t, "init", dir); code != 0 || !strings.Contains(stdout, `Project "my-dash-boards"`) {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	t.Chdir(dir)
	code, stdout, stderr := run(t, "compile", "--crd", "-o", "deploy", "--resource-files")
	if code != 0 || strings.Contains(stderr, "warning") || !exists("deploy/projects/my-dash-boards/dashboards/cpu.yaml") {
		t.Errorf("compile --crd: exit %d: %s%s", code, stdout, stderr)
	}

	other := filepath.Join(t.TempDir(), "x")
	if code, stdout, stderr := run(t, "init", other, "--project", "My_Shop"); code != 0 || !strings.Contains(stdout, `Project "My_Shop"`) {
		t.Errorf("--project: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestInitGoSDK: the SDK is pinned to the running pyrobuild's version
// (latest for a development build), init runs go mod tidy, and when that
// cannot work (offline, no go command) the files stay, with a warning
// naming the command, and init succeeds.
func TestInitGoSDK(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	t.Setenv("GOPROXY", "off") // the SDK cannot be downloaded
	t.Setenv("GOFLAGS", "-mod=mod")
	defer func(v func() string) { initVersion = v }(initVersion)
	for _, c := range []struct{ version, require, install string }{
		{"v0.3.1", "require github.com/pyrobuild/pyrobuild v0.3.1\n", "pyrobuild@v0.3.1"},
		{"devel", "require github.com/pyrobuild/pyrobuild latest\n", "pyrobuild@latest"},
		{"v0.3.2-0.20260101120000-0a0e934c1d2e+dirty", "require github.com/pyrobuild/pyrobuild latest\n", "pyrobuild@latest"},
	} {
		initVersion = func() string { return c.version }
		dir := filepath.Join(t.TempDir(), "shop")
		code, stdout, stderr := run(t, "init", "--lang", "go", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.version, code, stderr)
		}
		mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
		if !strings.Contains(string(mod), c.require) || strings.Contains(string(mod), "replace") {
			t.Errorf("%s: go.mod:\n%s", c.version, mod)
		}
		if ci, _ := os.ReadFile(filepath.Join(dir, ".github/workflows/pyrobuild.yml")); !strings.Contains(string(ci), c.install) {
			t.Errorf("%s: the workflow does not install %s:\n%s", c.version, c.install, ci)
		}
		want := "pyrobuild: warning: go mod tidy failed"
		// The go command's own words, not a guess at the cause.
		if !strings.Contains(stderr, want) || !strings.Contains(stderr, "\n  cd "+dir+" && go mod tidy\n") || !strings.Contains(stderr, "The go command said:\n  | ") ||
			!strings.Contains(stderr, "GOPROXY=off") || strings.Contains(stderr, "network") {
			t.Errorf("%s: stderr lacks the warning and the command:\n%s", c.version, stderr)
		}
		if !strings.Contains(stdout, "  go mod tidy          # resolves") || !exists(filepath.Join(dir, "dashboards/main.go")) {
			t.Errorf("%s: stdout:\n%s", c.version, stdout)
		}
	}

	// No go command at all.
	t.Setenv("PATH", t.TempDir())
	dir := filepath.Join(t.TempDir(), "shop")
	code, _, stderr := run(t, "init", "--lang", "go", dir)
	if code != 0 || !strings.Contains(stderr, "no go command on PATH") || !strings.Contains(stderr, "\n  cd "+dir+" && go mod tidy\n") || !exists(filepath.Join(dir, "go.mod")) {
		t.Errorf("without go: exit %d: %s", code, stderr)
	}
}

// TestInitSDKFlag: --sdk writes a replace directive relative to the
// project's folder, and refuses what is not a checkout of pyrobuild or a
// language other than go.
func TestInitSDKFlag(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // go mod tidy is TestInitRoundTrip's
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"my pyrobuild/go.mod": "module github.com/pyrobuild/pyrobuild\n\ngo 1.26.0\n",
		"other/go.mod":        "module example.com/other\n",
	})
	t.Chdir(root)
	if code, _, stderr := run(t, "init", "--lang", "go", "--sdk", "my pyrobuild", "work/shop"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	mod, _ := os.ReadFile("work/shop/go.mod")
	if !strings.Contains(string(mod), "\nreplace github.com/pyrobuild/pyrobuild => \"../../my pyrobuild\"\n") {
		t.Errorf("go.mod:\n%s", mod)
	}
	for _, args := range [][]string{
		{"init", "--lang", "go", "--sdk", "other", "a"},
		{"init", "--lang", "go", "--sdk", "missing", "b"},
		{"init", "--lang", "yaml", "--sdk", "my pyrobuild", "c"},
	} {
		if code, _, stderr := run(t, args...); code != 2 || !strings.Contains(stderr, "--sdk") {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
		}
		if exists(args[len(args)-1]) {
			t.Errorf("%v wrote the project", args)
		}
	}
}

// TestInitOtherLanguage: init in a folder an init of another language
// made refuses (exit 2) rather than leave every resource defined twice;
// --force writes anyway, deletes nothing, and warns.
func TestInitOtherLanguage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if code, _, stderr := run(t, "init", dir, "--lang", "yaml"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "init", dir, "--lang", "cue")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "  dashboards/cpu.yaml\n") || !strings.Contains(stderr, "an earlier init in another language") || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if exists(filepath.Join(dir, "dashboards", "cpu.cue")) {
		t.Error("a file was written although init refused")
	}
	// The same language again changes nothing and is fine.
	if code, stdout, stderr := run(t, "init", dir, "--lang", "yaml"); code != 0 || strings.Contains(stdout, "created") {
		t.Errorf("the same language: exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "init", dir, "--lang", "cue", "--force")
	if code != 0 || !strings.Contains(stdout, "left         dashboards/cpu.yaml") || !strings.Contains(stderr, "warning: --force left dashboards/cpu.yaml") {
		t.Errorf("--force: exit %d: %s%s", code, stdout, stderr)
	}
	if !exists(filepath.Join(dir, "dashboards", "cpu.cue")) || !exists(filepath.Join(dir, "dashboards", "cpu.yaml")) {
		t.Error("--force did not write the new files, or deleted the old ones")
	}
}

// TestInitPrintsShellCommands: the commands init prints can be pasted
// into a shell as they are, whatever the folder's name.
func TestInitPrintsShellCommands(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	for dir, want := range map[string]string{
		"My Dash_boards": "  cd 'My Dash_boards'\n",
		"it's":           `  cd 'it'\''s'` + "\n",
		"plain-name":     "  cd plain-name\n",
		"a/b.c":          "  cd a/b.c\n",
	} {
		code, stdout, stderr := run(t, "init", dir)
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("init %q: exit %d, want %q:\n%s%s", dir, code, want, stdout, stderr)
		}
	}
	out, err := exec.Command("sh", "-c", "cd 'it'\\''s' && pwd").Output()
	if err == nil && filepath.Base(strings.TrimSpace(string(out))) != "it's" {
		t.Errorf("the quoted folder is not the folder: %s", out)
	}
}

// TestInitWorkflowCacheFolder: the commands of the workflow init writes,
// run as it runs them, keep every cache in $PYROBUILD_CACHE, the folder
// the workflow saves between runs.
func TestInitWorkflowCacheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if code, _, stderr := run(t, "init", "--lang", "cue", dir); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	cache := filepath.Join(t.TempDir(), "pyrobuild-cache")
	t.Setenv("PYROBUILD_CACHE", cache)
	t.Chdir(dir)
	for _, args := range [][]string{{"check", "--diagnostics", "github"}, {"compile"}, {"build", "--cache-dir", cache}} {
		if code, _, stderr := run(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	ents, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	for _, want := range []string{"units", "outputs", "pages"} {
		if !slices.Contains(names, want) {
			t.Errorf("the cache folder holds %v, not %s", names, want)
		}
	}
}
