package bundle

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// TestWriteOutputKeyed: a folder that holds the output of a key, as it was
// written, is left alone; any change to it, or another key, rewrites it.
func TestWriteOutputKeyed(t *testing.T) {
	res := compileOK(t, compiler.Options{Paths: []string{"../../examples/profiling"}})
	key := OutputKey(res, YAML)
	if key == "" {
		t.Fatal("CUE and YAML sources have no output key")
	}
	dir := filepath.Join(t.TempDir(), "out")
	stamps := t.TempDir()
	bundle := filepath.Join(dir, "bundle.yaml")
	stamp := func() string {
		t.Helper()
		ents, _ := os.ReadDir(stamps)
		ents = slices.DeleteFunc(ents, func(e os.DirEntry) bool { return e.Name() == "trimmed" })
		if len(ents) != 1 {
			t.Fatalf("%d stamps, want 1", len(ents))
		}
		return filepath.Join(stamps, ents[0].Name())
	}
	write := func(what, key string, want bool) {
		t.Helper()
		written, err := WriteOutputKeyed(dir, res.Resources, YAML, ResourceFiles, key, stamps)
		if err != nil {
			t.Fatal(err)
		}
		if written != want {
			t.Errorf("%s: written %v, want %v", what, written, want)
		}
		for _, f := range Layout(res.Resources, YAML) {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
			if err != nil || string(b) != string(f.Data) {
				t.Fatalf("%s: %s is not the compiled output (%v)", what, f.Path, err)
			}
		}
	}
	write("first", key, true)
	// Without resource files the same inputs are another tree: written,
	// and then left alone; back with them, written again.
	if written, err := WriteOutputKeyed(dir, res.Resources, YAML, BundlesOnly, key, stamps); err != nil || !written {
		t.Fatalf("bundles only: written %v, %v", written, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "projects", "profiling", "project.yaml")); !os.IsNotExist(err) {
		t.Errorf("bundles only: a resource file is there (%v)", err)
	}
	if written, _ := WriteOutputKeyed(dir, res.Resources, YAML, BundlesOnly, key, stamps); written {
		t.Error("bundles only, unchanged: written")
	}
	write("with resource files again", key, true)
	before, err := os.Stat(bundle)
	if err != nil {
		t.Fatal(err)
	}
	write("unchanged", key, false)
	if after, _ := os.Stat(bundle); !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the unchanged folder was written")
	}
	for _, f := range Layout(res.Resources, YAML) {
		if strings.HasPrefix(filepath.Base(f.Path), ".") {
			t.Errorf("%s: the output holds a stamp", f.Path)
		}
	}

	edit := func(what string, change func()) {
		t.Helper()
		change()
		write(what, key, true)
		write(what+", then unchanged", key, false)
	}
	edit("a file edited", func() { appendFile(t, bundle, "# mine\n") })
	edit("a file edited, same size", func() {
		b, _ := os.ReadFile(bundle)
		b[0] ^= 1
		fi, _ := os.Stat(bundle)
		os.WriteFile(bundle, b, 0o644)
		os.Chtimes(bundle, fi.ModTime(), fi.ModTime().Add(time.Nanosecond))
	})
	edit("a file added", func() { os.WriteFile(filepath.Join(dir, "projects", "mine.yaml"), []byte("x"), 0o644) })
	edit("a folder added", func() { os.Mkdir(filepath.Join(dir, "mine"), 0o755) })
	edit("a file removed", func() { os.Remove(bundle) })
	edit("a mode changed", func() { os.Chmod(bundle, 0o600) })
	edit("a link added", func() { os.Symlink(bundle, filepath.Join(dir, "link.yaml")) })
	edit("the stamp removed", func() { os.Remove(stamp()) })
	edit("the stamp damaged", func() { os.WriteFile(stamp(), []byte("pyrobuild-stamp-1 "+key+"\n"), 0o644) })
	write("another key", strings.Repeat("0", 64), true)
	write("the key again", key, true)
	write("no key", "", true)
	write("no key again", "", true)
	if _, err := WriteOutputKeyed(dir, res.Resources, YAML, ResourceFiles, key, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("trimmed"); err == nil {
		os.Remove("trimmed")
		t.Error("with no stamps folder, a trim mark was written into the current folder")
	}
	write("no stamps folder, then the key", key, true)
	names, _ := os.ReadDir(dir)
	for _, n := range names {
		if n.Name() != ".pyrobuild-output" && strings.HasPrefix(n.Name(), ".") {
			t.Errorf("the output folder holds %s", n.Name())
		}
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(text)
	f.Close()
}

// TestOutputKey: the key follows every source's bytes and the format, and
// there is none when Go programs, whose output depends on more than their
// sources, are among them.
func TestOutputKey(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"project.yaml", "datasources.yaml", "cpu.cue", "memory.yaml"} {
		b, err := os.ReadFile(filepath.Join("../../examples/profiling", f))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(dir, f), string(b))
	}
	key := func() string {
		t.Helper()
		res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		return OutputKey(res, YAML)
	}
	first := key()
	if first == "" || key() != first {
		t.Fatalf("keys %q, %q: want one, the same twice", first, key())
	}
	appendFile(t, filepath.Join(dir, "memory.yaml"), "# a comment\n")
	if key() == first {
		t.Error("a source's change keeps the key")
	}
	res := compileOK(t, compiler.Options{Paths: []string{"../../examples/profiling"}})
	if OutputKey(res, YAML) == OutputKey(res, JSON) {
		t.Error("YAML and JSON output share a key")
	}
	if k := OutputKey(compileOK(t, compiler.Options{Paths: []string{"../../examples"}}), YAML); k != "" {
		t.Errorf("with Go programs among the sources, key %q, want none", k)
	}
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStampTrim: stamps no run used for the caches' time to live are
// removed; a stamp in use is kept.
func TestStampTrim(t *testing.T) {
	old := time.Now().Add(-31 * 24 * time.Hour)
	aged := func(p string) string {
		t.Helper()
		writeTestFile(t, p, "x")
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	res := compileOK(t, compiler.Options{Paths: []string{"../../examples/profiling"}})
	stamps := t.TempDir()
	other := aged(filepath.Join(stamps, "0123"))
	out := filepath.Join(t.TempDir(), "out")
	if _, err := WriteOutputKeyed(out, res.Resources, YAML, ResourceFiles, OutputKey(res, YAML), stamps); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other); err == nil {
		t.Error("a stamp unused for a month was kept")
	}
	if written, err := WriteOutputKeyed(out, res.Resources, YAML, ResourceFiles, OutputKey(res, YAML), stamps); err != nil || written {
		t.Errorf("the trim took the stamp in use: written %v, %v", written, err)
	}
}
