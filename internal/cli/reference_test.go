package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIReferenceIndependentOfHome: the CLI reference published on the
// docs site (and --help) must not depend on who builds it. --cache-dir's
// default used to be the builder's own cache folder (/root/.cache/pyrobuild).
func TestCLIReferenceIndependentOfHome(t *testing.T) {
	gen := func(home, xdg string) (ref, help []byte) {
		t.Setenv("HOME", home)
		t.Setenv("XDG_CACHE_HOME", xdg)
		ref = cliReference(newRoot(environment{}, io.Discard, io.Discard))
		var out bytes.Buffer
		root := newRoot(environment{}, &out, &out)
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs([]string{"build", "--help"})
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		return ref, out.Bytes()
	}
	a, helpA := gen("/home/alice", "")
	b, helpB := gen("/Users/bob", "/var/cache/bob")
	if !bytes.Equal(a, b) {
		t.Errorf("the CLI reference differs with HOME:\n%s", firstDiff(a, b))
	}
	if !bytes.Equal(helpA, helpB) {
		t.Errorf("build --help differs with HOME:\n%s", firstDiff(helpA, helpB))
	}
	for _, leak := range []string{"alice", "bob"} {
		if bytes.Contains(a, []byte(leak)) || bytes.Contains(b, []byte(leak)) {
			t.Errorf("the CLI reference names the home folder (%s)", leak)
		}
	}
	if want := "| `--cache-dir STRING` | `" + cacheDirDefault + "` |"; !bytes.Contains(a, []byte(want)) {
		t.Errorf("the CLI reference has no row %q", want)
	}
}

// TestCacheDirDefault: the folder used is still pyrobuild's folder in the
// user's cache, worked out when the flag is used.
func TestCacheDirDefault(t *testing.T) {
	t.Setenv("HOME", "/home/alice")
	for _, xdg := range []string{"", "/var/cache/alice"} {
		t.Setenv("XDG_CACHE_HOME", xdg)
		user, err := os.UserCacheDir()
		if err != nil {
			t.Skip(err)
		}
		var f cacheDirFlag
		if got, want := f.path(), filepath.Join(user, "pyrobuild"); got != want {
			t.Errorf("XDG_CACHE_HOME=%q: default cache folder %q, want %q", xdg, got, want)
		}
	}
	for flag, want := range map[string]string{"off": "", "": "", "cache": "cache"} {
		var f cacheDirFlag
		if err := f.Set(flag); err != nil {
			t.Fatal(err)
		}
		if got := f.path(); got != want {
			t.Errorf("--cache-dir %q: folder %q, want %q", flag, got, want)
		}
	}
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "- " + la[i] + "\n+ " + lb[i]
		}
	}
	return "(one is a prefix of the other)"
}
