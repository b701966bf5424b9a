package recording

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"b": 1, "a": {"d": [3, 2], "c": 18446744073709551615}}`, `{"a":{"c":18446744073709551615,"d":[3,2]},"b":1}`},
		{`{"names": ["<main>", "a&b"]}`, `{"names":["\u003cmain\u003e","a\u0026b"]}`},
	} {
		got, err := Normalize([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("Normalize(%s) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `{`, `{} {}`} {
		if _, err := Normalize([]byte(bad)); err == nil {
			t.Errorf("Normalize(%q): no error", bad)
		}
	}
}

func TestPathAndLookup(t *testing.T) {
	if got, want := Path(filepath.Join("dash", "cpu.cue"), "prod", "cpu"), filepath.Join("dash", ".pyrobuild", "recordings", "prod", "cpu.json"); got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
	f := &File{Panels: map[string]*Panel{"p": {Queries: []*Query{nil, {Query: "q"}}}}}
	if f.Lookup("p", 1, "q") == nil || f.Lookup("p", 1, "other") != nil || f.Lookup("p", 0, "q") != nil || f.Lookup("p", 2, "q") != nil || f.Lookup("x", 0, "q") != nil {
		t.Error("Lookup")
	}
}

// TestWriteFile: a write replaces the file whole; one that cannot happen
// leaves it as it was and no temporary file behind.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b.json")
	if err := WriteFile(p, []byte("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("two\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two\n" {
		t.Errorf("content %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	// A folder where the file goes: the rename fails.
	q := filepath.Join(dir, "a", "dir.json")
	if err := os.MkdirAll(filepath.Join(q, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(q, []byte("x")); err == nil {
		t.Error("writing over a folder succeeded")
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "a", ".tmp-*")); len(tmp) > 0 {
		t.Errorf("left behind: %v", tmp)
	}
	if _, err := Decode([]byte(`{"version":2}`)); err == nil {
		t.Error("a recording of another version was read")
	}
}
