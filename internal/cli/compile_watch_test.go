package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileWatch: compile --watch writes the output, recompiles after an
// edit, keeps the last good output while a source is broken, ignores its
// own output folder under the sources, and stops cleanly when cancelled.
func TestCompileWatch(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.yaml": noDatasourceDashboard})
	t.Chdir(dir)
	bundle := func() string {
		b, _ := os.ReadFile(filepath.Join("build", "bundle.yaml"))
		return string(b)
	}
	// The output folder, build/, lies under the source folder, ".".
	stdout, stderr, stop := background(t, "compile", "--watch", "--server-datasource", "default")
	waitFor(t, "the first compilation", func() bool {
		return strings.Contains(stdout.String(), "watching . for changes") && strings.Contains(bundle(), "height: 8")
	}, stdout, stderr)

	writeFiles(t, dir, map[string]string{"d.yaml": strings.Replace(noDatasourceDashboard, "height: 8", "height: 10", 1)})
	waitFor(t, "the recompilation", func() bool { return strings.Contains(bundle(), "height: 10") }, stdout, stderr)
	if !strings.Contains(stdout.String(), "d.yaml changed") {
		t.Errorf("the change is not named:\n%s", stdout)
	}

	writeFiles(t, dir, map[string]string{"d.yaml": strings.Replace(noDatasourceDashboard, "profileType: cpu", "profileType: cpuu", 1)})
	waitFor(t, "the failed compilation", func() bool { return strings.Contains(stderr.String(), "compile failed") }, stdout, stderr)
	if !strings.Contains(stderr.String(), `unknown profile type "cpuu"`) || !strings.Contains(bundle(), "height: 10") {
		t.Errorf("a broken source replaced the output, or was not reported:\n%s", stderr)
	}

	// Writing build/ itself did not trigger compilations: one run per edit.
	runs := strings.Count(stdout.String(), "compiled 1 resource") + strings.Count(stderr.String(), "compile failed")
	if runs != 3 {
		t.Errorf("%d compilations for 2 edits:\n%s%s", runs, stdout, stderr)
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if !strings.HasSuffix(stderr.String(), "stopped\n") {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestCompileWatchUsage: bad flags fail before watching starts.
func TestCompileWatchUsage(t *testing.T) {
	if code, _, stderr := run(t, "compile", "--watch", "--format", "toml", t.TempDir()); code != 2 {
		t.Errorf("exit %d: %s", code, stderr)
	}
}
