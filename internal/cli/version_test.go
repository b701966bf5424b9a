package cli

import (
	"runtime"
	"strings"
	"testing"
)

// TestVersion: --version and the version command print the same build
// information: version, commit and Go toolchain.
func TestVersion(t *testing.T) {
	code, flag, _ := run(t, "--version")
	if code != 0 {
		t.Fatalf("--version: exit %d", code)
	}
	code, cmd, _ := run(t, "version")
	if code != 0 {
		t.Fatalf("version: exit %d", code)
	}
	if flag != cmd {
		t.Errorf("--version and version differ:\n%s\n%s", flag, cmd)
	}
	lines := strings.Split(strings.TrimSuffix(cmd, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "pyrobuild ") || !strings.HasPrefix(lines[1], "commit ") ||
		lines[2] != "go "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("version:\n%s", cmd)
	}
}

// TestCompletion: cobra's completion scripts are there, and complete
// pyrobuild's own commands and flags.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if code, stdout, stderr := run(t, "completion", shell); code != 0 || !strings.Contains(stdout, "pyrobuild") {
			t.Errorf("%s: exit %d: %s", shell, code, stderr)
		}
	}
	_, stdout, _ := run(t, "__complete", "")
	for _, c := range []string{"compile", "diff", "init", "serve"} {
		if !strings.Contains(stdout, c+"\t") {
			t.Errorf("commands lack %s:\n%s", c, stdout)
		}
	}
	_, stdout, _ = run(t, "__complete", "compile", "--wa")
	if !strings.Contains(stdout, "--watch") {
		t.Errorf("flags:\n%s", stdout)
	}
	_, stdout, _ = run(t, "__complete", "init", "--lang", "")
	if !strings.HasPrefix(stdout, "cue\ngo\nyaml\n") {
		t.Errorf("init --lang:\n%s", stdout)
	}
}
