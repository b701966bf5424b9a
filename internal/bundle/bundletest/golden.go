// Package bundletest compares output trees with golden folders, for the
// tests of the bundle and CRD outputs.
package bundletest

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Golden checks that files (slash paths to contents) are exactly the files
// of the folder golden, byte for byte, none missing and none more. With
// update, it first rewrites golden from files. It takes plain paths and
// bytes, not the bundle's own type, so package bundle's tests can use it.
func Golden(t testing.TB, golden string, files map[string][]byte, update bool) {
	t.Helper()
	got := slices.Sorted(maps.Keys(files))
	if update {
		os.RemoveAll(golden)
		for _, name := range got {
			p := filepath.Join(golden, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []string
	filepath.WalkDir(golden, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(golden, p)
			want = append(want, filepath.ToSlash(rel))
		}
		return nil
	})
	for _, name := range got {
		b, err := os.ReadFile(filepath.Join(golden, name))
		if err != nil {
			t.Errorf("%s: not in the golden output (run with -update): %v", name, err)
			continue
		}
		if !bytes.Equal(b, files[name]) {
			t.Errorf("%s/%s differs from golden:\n--- got\n%s\n--- want\n%s", golden, name, files[name], b)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: files %q, golden has %q", golden, got, want)
	}
}
