package cli

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
			if lang == "go" {
				if _, err := exec.LookPath("go"); err != nil {
					t.Skip("no go toolchain")
				}
				repo, err := filepath.Abs("../..")
				if err != nil {
					t.Fatal(err)
				}
				initSDKReplace = repo
				defer func() { initSDKReplace = "" }()
				t.Setenv("PYROBUILD_CACHE", t.TempDir())
			}
			dir := filepath.Join(t.TempDir(), "shop")
			code, stdout, stderr := run(t, "init", dir, "--lang", lang)
			if code != 0 {
				t.Fatalf("init: exit %d: %s", code, stderr)
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
			for _, f := range []string{"build/bundle.yaml", "build/projects/shop/project.yaml", "build/projects/shop/datasources/pyroscope.yaml", "build/projects/shop/dashboards/cpu.yaml"} {
				if !exists(f) {
					t.Errorf("%s not written", f)
				}
			}
			// The CI workflow's command: no annotation at all.
			if code, stdout, stderr := run(t, "check", "--diagnostics", "github"); code != 0 || stdout != "" {
				t.Errorf("check: exit %d: %s%s", code, stdout, stderr)
			}
			if code, stdout, _ := run(t, "diff", "--exit-code"); code != 0 || !strings.Contains(stdout, "no changes (3 resources unchanged)") {
				t.Errorf("diff after compile: exit %d: %s", code, stdout)
			}

			code, stdout, stderr = run(t, "build", "--cache-dir", "off")
			if code != 0 || stderr != "" || !strings.Contains(stdout, "(no problems)") {
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
	if code != 1 || !strings.Contains(stderr, "  content/index.md\n") || !strings.Contains(stderr, "  dashboards/cpu.cue\n") || !strings.Contains(stderr, "--force") {
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
	if code, stdout, stderr := run(t, "init", weird); code != 0 || !strings.Contains(stdout, `Project "My-Dashboards"`) {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
}
