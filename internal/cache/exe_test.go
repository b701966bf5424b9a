package cache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrustedBuildID(t *testing.T) {
	const h = "sCOEy5v7C1-oM3Q2xT8R"
	for id, want := range map[string]bool{
		h + "/WOACHpLlwG9JZcSVgAtX": true,
		h + "/WOACHpLlwG9JZcSVgAtX/KlOU4yU1uU8nYZcBqMQK/cFHOrp9FfAYbDxnJQebb": true,
		"redacted":                  false,
		"":                          false,
		"redacted/redacted":         false,
		h:                           false,
		h + "/" + h + "/" + h:       false,
		h + "/":                     false,
		h + "/sCOEy5v7C1-oM3Q2xT8+": false,
		"1.2.3/" + h:                false,
	} {
		if got := trustedBuildID(id); got != want {
			t.Errorf("trustedBuildID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestExecutableBuildID: an executable the go command built (the test
// binary) is known by its build ID.
func TestExecutableBuildID(t *testing.T) {
	id := executableID(t.TempDir())
	if !strings.HasPrefix(id, "go ") || !trustedBuildID(id[len("go "):]) {
		t.Errorf("identity %q, want the go build ID", id)
	}
}

// TestExecutableHashed: a program without a go command build ID is
// known by its SHA-256, computed once and remembered in the cache folder.
func TestExecutableHashed(t *testing.T) {
	old := goBuildID
	goBuildID = func(string) string { return "" } // as if linked with -buildid=redacted
	t.Cleanup(func() { goBuildID = old })
	dir := t.TempDir()
	id := executableID(dir)
	if !strings.HasPrefix(id, "sha256 ") || len(id) != len("sha256 ")+64 {
		t.Fatalf("identity %q", id)
	}
	memos, _ := filepath.Glob(filepath.Join(dir, "[0-9a-f]*"))
	if len(memos) != 1 {
		t.Fatalf("remembered in %v, want one file", memos)
	}
	// Read back from the file (another run of the same executable).
	data, _ := os.ReadFile(memos[0])
	fake := strings.Repeat("ab", 32)
	os.WriteFile(memos[0], []byte(strings.Replace(string(data), id[len("sha256 "):], fake, 1)), 0o644)
	if got := executableID(dir); got != "sha256 "+fake {
		t.Errorf("with a remembered sum, identity %q, want the remembered one", got)
	}
	// A file about another executable (or a changed one) is not used.
	os.WriteFile(memos[0], []byte("/elsewhere\n1:2\n3\n4\n"+fake+"\n"), 0o644)
	if got := executableID(dir); got != id {
		t.Errorf("with a stale memo, identity %q, want %q", got, id)
	}
	// Nowhere to remember: hashed all the same.
	if got := executableID(""); got != id {
		t.Errorf("without a memo folder, identity %q, want %q", got, id)
	}
}

// BenchmarkExecutableID measures what identifying the executable costs a
// run: reading its build ID, or hashing it (no memo) or reading the memo.
func BenchmarkExecutableID(b *testing.B) {
	b.Run("build ID", func(b *testing.B) {
		for b.Loop() {
			executableID("")
		}
	})
	old := goBuildID
	goBuildID = func(string) string { return "" }
	b.Cleanup(func() { goBuildID = old })
	b.Run("hashed", func(b *testing.B) {
		for b.Loop() {
			executableID("")
		}
	})
	dir := b.TempDir()
	executableID(dir)
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			executableID(dir)
		}
	})
}
