package cli

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCacheFolder: $PYROBUILD_CACHE holds every cache of compile (compiled
// Go programs, evaluated CUE packages, output stamps) and of build (the
// catalog's Go programs, Go examples' modules), and nothing goes to the
// user's cache folder, which the child's HOME and XDG_CACHE_HOME point at
// an empty folder. build's --cache-dir (pages, highlighted code) is a
// setting of its own, whose default is the user's cache folder: it is
// given here.
func testCacheFolder(t *testing.T, bin string) {
	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	userCache := filepath.Join(home, ".cache")
	root := filepath.Join(t.TempDir(), "cache")
	env := []string{"HOME=" + home, "XDG_CACHE_HOME=" + userCache, "PYROBUILD_CACHE=" + root}
	// The go command keeps its own caches in the user's folders too: point
	// them where they are, so builds stay warm and the check is about
	// pyrobuild's.
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", v, err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	work := t.TempDir()
	site := filepath.Join(work, "site")
	putFile(t, filepath.Join(site, "content", "index.md"), []byte("# Home\n\n```go example\npackage main\n\nimport \"github.com/pyrobuild/pyrobuild/dac\"\n\nfunc main() {\n\tdac.Emit(dac.Project(\"p\"))\n}\n```\n"))

	for _, args := range [][]string{
		{"compile", filepath.Join(examples, "profiling"), "-o", "out-cue"},
		{"compile", filepath.Join(examples, "go"), "-o", "out-go"},
		{"build", "--root", site, "--dashboards", examples, "--cache-dir", filepath.Join(work, "pages"), "-o", "public"},
	} {
		if r := runBin(t, bin, work, env, 5*time.Minute, args...); r.code != 0 {
			t.Fatalf("pyrobuild %s: exit %d\n%s", strings.Join(args, " "), r.code, lastLines(r.stderr))
		}
	}
	for _, sub := range []string{"go", "units", "outputs", "examples"} {
		ents, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil || len(ents) == 0 {
			t.Errorf("nothing in $PYROBUILD_CACHE/%s (%v)", sub, err)
		}
	}
	filepath.WalkDir(userCache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != userCache {
			t.Errorf("written to the user's cache folder: %s", p)
		}
		return nil
	})
}
