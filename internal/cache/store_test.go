package cache

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStore: an entry written under a key is read back under that key
// only, in that format only, and an entry read is marked used.
func TestStore(t *testing.T) {
	if Open("", "f") != nil {
		t.Error("a store without a folder")
	}
	dir := t.TempDir()
	s, other := Open(dir, "f1"), Open(dir, "f2")
	if _, ok := s.Read([]byte("k")); ok {
		t.Error("an empty store has an entry")
	}
	s.Write([]byte("k"), []byte("data"))
	for _, tc := range []struct {
		name  string
		store *Store
		key   string
		want  string // "" for a miss
	}{
		{"same key", s, "k", "data"},
		{"another key", s, "k2", ""},
		{"another format", other, "k", ""},
		{"the same store opened again", Open(dir, "f1"), "k", "data"},
	} {
		got, ok := tc.store.Read([]byte(tc.key))
		if ok != (tc.want != "") || string(got) != tc.want {
			t.Errorf("%s: read %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}

	// The entry is in a sub-folder named by its first two hex digits.
	var entries []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			entries = append(entries, p)
		}
		return nil
	})
	if len(entries) != 1 || filepath.Base(filepath.Dir(entries[0])) != filepath.Base(entries[0])[:2] {
		t.Fatalf("entries %q, want one in its sub-folder", entries)
	}
	old := time.Now().Add(-2 * TTL)
	os.Chtimes(entries[0], old, old)
	s.Read([]byte("k"))
	if fi, err := os.Stat(entries[0]); err != nil || time.Since(fi.ModTime()) > time.Hour {
		t.Error("an entry read was not marked used")
	}
}

// TestStoreTrim: entries unused for TTL go, used ones stay.
func TestStoreTrim(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, "f")
	s.Write([]byte("old"), []byte("x"))
	s.Write([]byte("new"), []byte("x"))
	old := time.Now().Add(-2 * TTL)
	os.Chtimes(s.path([]byte("old")), old, old)
	s.Trim()
	if _, ok := s.Read([]byte("old")); ok {
		t.Error("an entry unused for twice TTL was kept")
	}
	if _, ok := s.Read([]byte("new")); !ok {
		t.Error("a fresh entry was removed")
	}
}
