package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// TestCUETimeout: a package that evaluates too long is reported at its
// file with a hint, without holding up the other sources.
func TestCUETimeout(t *testing.T) {
	dir := t.TempDir()
	slow := filepath.Join(dir, "slow", "slow.cue")
	// About a second of CUE work: long enough to be stopped at 50 ms, short
	// enough not to burn a core for the rest of the tests.
	if err := os.MkdirAll(filepath.Dir(slow), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(slow, []byte("package slow\nimport \"list\"\nitems: [for a in list.Range(0, 200, 1) for b in list.Range(0, 200, 1) {a*b}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "project.yaml"), []byte("kind: Project\nmetadata:\n  name: fast\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := Compile(context.Background(), Options{Paths: []string{dir}, CUETimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("compile took %s", took)
	}
	if len(res.Diagnostics) != 1 {
		t.Fatalf("diagnostics: %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Code != model.CodeInputLimit || d.Pos.File != slow || !strings.Contains(d.Message, "longer than 50ms") || !strings.Contains(d.Hint, "PYROBUILD_CUE_TIMEOUT") {
		t.Errorf("diagnostic: %+v", d)
	}
	if len(res.Resources) != 1 || res.Resources[0].Name != "fast" {
		t.Errorf("the other sources were not compiled: %v", res.Resources)
	}
}

func TestCUETimeoutDefault(t *testing.T) {
	if d := cueTimeout(Options{}); d != DefaultCUETimeout {
		t.Errorf("timeout without the option: %s", d)
	}
	if d := cueTimeout(Options{CUETimeout: time.Second}); d != time.Second {
		t.Errorf("the option does not win: %s", d)
	}
}
