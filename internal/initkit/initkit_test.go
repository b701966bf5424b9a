package initkit

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// dns1123Label is Kubernetes's rule for a namespace, which the Perses
// operator makes of a project's name.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func TestProjectName(t *testing.T) {
	long := strings.Repeat("a", 62) + "_b" + strings.Repeat("c", 20)
	for dir, want := range map[string]string{
		"My Dash_boards":    "my-dash-boards",
		"My Dashboards!":    "my-dashboards",
		"shop-dashboards":   "shop-dashboards",
		"Shop.Dashboards":   "shop-dashboards",
		"__x__":             "x",
		"--a  --  b--":      "a-b",
		"tableaux-été":      "tableaux-ete",
		"Ünïcødé Dash":      "unicode-dash",
		"Smørrebrød Straße": "smorrebrod-strasse",
		"Łódź Œuvre Æsir":   "lodz-oeuvre-aesir",
		"naïve—café":        "naive-cafe",
		"!!!":               "dashboards",
		"日本":                "dashboards",
		long:                strings.Repeat("a", 62),
		"v2":                "v2",
		"a/b/Projet Final":  "projet-final",
	} {
		got := ProjectName(filepath.FromSlash(filepath.Join(t.TempDir(), dir)))
		if got != want {
			t.Errorf("ProjectName(%q) = %q, want %q", dir, got, want)
		}
		if !dns1123Label.MatchString(got) || len(got) > 63 || !ValidName(got) {
			t.Errorf("ProjectName(%q) = %q: not a Kubernetes namespace and a Perses name", dir, got)
		}
	}
}

// TestWorkflowCachesPyrobuild: the CI workflow keeps pyrobuild's cache
// folder between runs: it names the folder in PYROBUILD_CACHE, restores
// and saves it with actions/cache, keyed on the installed pyrobuild's
// version and the sources, before any pyrobuild command runs, and build
// uses the same folder.
func TestWorkflowCachesPyrobuild(t *testing.T) {
	for _, lang := range Langs {
		files, err := Files(Options{Lang: lang, Project: "shop"})
		if err != nil {
			t.Fatal(err)
		}
		var text []byte
		for _, f := range files {
			if f.Path == ".github/workflows/pyrobuild.yml" {
				text = f.Data
			}
		}
		var wf struct {
			Jobs map[string]struct {
				Steps []struct {
					ID   string            `yaml:"id"`
					Uses string            `yaml:"uses"`
					Run  string            `yaml:"run"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(text, &wf); err != nil {
			t.Fatalf("%s: the workflow is not YAML: %v", lang, err)
		}
		steps := wf.Jobs["check"].Steps
		at := func(match func(i int) bool) int {
			for i := range steps {
				if match(i) {
					return i
				}
			}
			return -1
		}
		install := at(func(i int) bool { return steps[i].ID == "pyrobuild" && strings.Contains(steps[i].Run, "go install") })
		env := at(func(i int) bool {
			return strings.Contains(steps[i].Run, `PYROBUILD_CACHE=$RUNNER_TEMP/pyrobuild-cache" >> "$GITHUB_ENV"`)
		})
		cache := at(func(i int) bool { return strings.HasPrefix(steps[i].Uses, "actions/cache@") })
		first := at(func(i int) bool { return strings.HasPrefix(steps[i].Run, "pyrobuild ") })
		build := at(func(i int) bool { return steps[i].Run == `pyrobuild build --cache-dir "$PYROBUILD_CACHE"` })
		if install < 0 || env < 0 || cache < 0 || build < 0 || !(install < cache && env < cache && cache < first) {
			t.Fatalf("%s: steps install %d, env %d, cache %d, first command %d, build %d:\n%s", lang, install, env, cache, first, build, text)
		}
		w := steps[cache].With
		if w["path"] != "${{ env.PYROBUILD_CACHE }}" || !strings.Contains(w["key"], "${{ steps.pyrobuild.outputs.version }}-${{ hashFiles('pyrobuild.yaml', 'dashboards/**'") ||
			!strings.HasPrefix(w["key"], strings.TrimSpace(w["restore-keys"])) {
			t.Errorf("%s: cache step %v", lang, w)
		}
		if !strings.Contains(steps[install].Run, `echo "version=$(pyrobuild version | head -n 1 | cut -d ' ' -f 2)" >> "$GITHUB_OUTPUT"`) {
			t.Errorf("%s: the version is not an output of the install step:\n%s", lang, steps[install].Run)
		}
	}
}
