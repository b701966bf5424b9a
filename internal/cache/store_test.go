package cache

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// written opens the store in dir, writes the entries and closes it.
func written(dir string, entries map[string]string) {
	s := Open(dir, "f")
	for k, v := range entries {
		s.Write([]byte(k), []byte(v))
	}
	s.Close()
}

// reads opens the store in dir and reads each key ("" for a miss).
func reads(dir string, keys ...string) []string {
	s := Open(dir, "f")
	defer s.Close()
	var out []string
	for _, k := range keys {
		data, _ := s.Read([]byte(k))
		out = append(out, string(data))
	}
	return out
}

// packs lists dir's packs.
func packs(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*"+packExt))
	return m
}

// TestStore: an entry written under a key is read back under that key
// only, in that format only, by the run that wrote it and by the next.
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
	if got, ok := s.Read([]byte("k")); !ok || string(got) != "data" {
		t.Errorf("the run that wrote k reads %q, %v", got, ok)
	}
	s.Close()
	other.Close()
	for _, tc := range []struct {
		name  string
		store *Store
		key   string
		want  string // "" for a miss
	}{
		{"same key", Open(dir, "f1"), "k", "data"},
		{"another key", Open(dir, "f1"), "k2", ""},
		{"another format", Open(dir, "f2"), "k", ""},
	} {
		got, ok := tc.store.Read([]byte(tc.key))
		tc.store.Close()
		if ok != (tc.want != "") || string(got) != tc.want {
			t.Errorf("%s: read %q, %v; want %q", tc.name, got, ok, tc.want)
		}
	}
	// One pack and one index for the run that wrote, whatever the count
	// of entries; a run that only reads creates nothing.
	if p := packs(t, dir); len(p) != 1 {
		t.Errorf("packs %q, want one", p)
	}
	if _, err := os.Stat(filepath.Join(dir, indexName)); err != nil {
		t.Error(err)
	}
}

// TestStoreExpires: entries unused for TTL go at the next merge, used ones
// stay, and a use marks an entry used.
func TestStoreExpires(t *testing.T) {
	dir := t.TempDir()
	old := Open(dir, "f")
	old.today -= 2 * int32(TTL/(24*time.Hour)) // written two TTLs ago
	old.Write([]byte("old"), []byte("x"))
	old.Write([]byte("used"), []byte("y"))
	old.Close()
	if got := reads(dir, "used"); got[0] != "y" {
		t.Fatalf("read %q", got)
	}
	written(dir, map[string]string{"new": "z"})
	if got, want := reads(dir, "old", "used", "new"), []string{"", "y", "z"}; !slicesEqual(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// TestStoreIntegrity: a record changed, torn or misplaced on disk is a
// miss, never other data, and the entries around it are still read.
func TestStoreIntegrity(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(pack []byte) []byte
		want   []string
	}{
		{"intact", func(b []byte) []byte { return b }, []string{"aaaa", "bbbb", "cccc"}},
		{"a byte of data changed", func(b []byte) []byte {
			i := bytes.Index(b, []byte("bbbb"))
			b[i+1] = 'x'
			return b
		}, []string{"aaaa", "", "cccc"}},
		{"the last record torn", func(b []byte) []byte { return b[:len(b)-2] }, []string{"aaaa", "bbbb", ""}},
		{"records swapped", func(b []byte) []byte {
			n := recHeader + 4
			out := append([]byte{}, b[n:2*n]...)
			out = append(out, b[:n]...)
			return append(out, b[2*n:]...)
		}, []string{"", "", "cccc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := Open(dir, "f")
			for _, k := range []string{"a", "b", "c"} {
				s.Write([]byte(k), bytes.Repeat([]byte(k), 4))
			}
			s.Close()
			p := packs(t, dir)[0]
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, tc.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := reads(dir, "a", "b", "c"); !slicesEqual(got, tc.want) {
				t.Errorf("read %q, want %q", got, tc.want)
			}
		})
	}
}

// TestStoreRecovers: the entries of a run that ended without Close (a
// crash) are read by the runs after the next merge, up to a torn record;
// an unreadable index loses nothing either.
func TestStoreRecovers(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, "f")
	s.Write([]byte("a"), []byte("aaaa"))
	s.Write([]byte("b"), []byte("bbbb"))
	s.own.Write([]byte(recMagic + "torn")) // a crash mid-append
	s.own.Close()                          // the process is gone, and its lock
	if got := reads(dir, "a"); got[0] != "" {
		t.Errorf("an entry no index names was read before a merge: %q", got)
	}
	written(dir, map[string]string{"c": "cccc"})
	if got, want := reads(dir, "a", "b", "c"), []string{"aaaa", "bbbb", "cccc"}; !slicesEqual(got, want) {
		t.Errorf("after a crash: read %q, want %q", got, want)
	}

	if err := os.WriteFile(filepath.Join(dir, indexName), []byte(idxMagic+"garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := reads(dir, "a"); got[0] != "" {
		t.Errorf("read %q through a broken index", got)
	}
	written(dir, map[string]string{"d": "dddd"})
	if got, want := reads(dir, "a", "b", "c", "d"), []string{"aaaa", "bbbb", "cccc", "dddd"}; !slicesEqual(got, want) {
		t.Errorf("after a broken index: read %q, want %q", got, want)
	}
}

// TestStoreLiveWriter: a merge leaves alone the pack of a run still
// writing (it holds its lock), which merges its own entries when it ends.
func TestStoreLiveWriter(t *testing.T) {
	if !locks {
		t.Skip("no file locks here")
	}
	dir := t.TempDir()
	live := Open(dir, "f")
	live.Write([]byte("a"), []byte("aaaa"))
	for i := range compactPacks + 2 { // merges and a compaction meanwhile
		written(dir, map[string]string{strconv.Itoa(i): "x"})
	}
	live.Write([]byte("b"), []byte("bbbb"))
	live.Close()
	if got, want := reads(dir, "a", "b", "0"), []string{"aaaa", "bbbb", "x"}; !slicesEqual(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
}

// TestStoreCompacts: many runs' packs become one, and entries replaced
// or expired stop taking room, with every live entry still read.
func TestStoreCompacts(t *testing.T) {
	dir := t.TempDir()
	var keys, want []string
	for i := range compactPacks + 1 {
		k := strconv.Itoa(i)
		written(dir, map[string]string{k: "v" + k})
		keys, want = append(keys, k), append(want, "v"+k)
	}
	if p := packs(t, dir); len(p) != 1 {
		t.Errorf("%d packs after %d runs, want 1", len(p), compactPacks+1)
	}
	if got := reads(dir, keys...); !slicesEqual(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}

	// The same key written again by later runs (another format is
	// another key, so: expired entries) leaves dead bytes behind.
	dir = t.TempDir()
	big := strings.Repeat("x", compactMin)
	old := Open(dir, "f")
	old.today -= 2 * int32(TTL/(24*time.Hour))
	old.Write([]byte("big"), []byte(big))
	old.Close()
	written(dir, map[string]string{"small": "s"})
	var size int64
	for _, p := range packs(t, dir) {
		fi, _ := os.Stat(p)
		size += fi.Size()
	}
	if size > compactMin/2 {
		t.Errorf("packs hold %d bytes after the big entry expired", size)
	}
	if got := reads(dir, "small", "big"); !slicesEqual(got, []string{"s", ""}) {
		t.Errorf("read %q", got)
	}
}

// TestStoreProcesses: two processes writing to one folder at once, each
// over many runs (merges, compactions), lose and corrupt nothing.
func TestStoreProcesses(t *testing.T) {
	if dir := os.Getenv("PYROBUILD_STORE_WRITER"); dir != "" {
		id := os.Getenv("PYROBUILD_STORE_ID")
		for run := range 30 {
			s := Open(dir, "f")
			for i := range 20 {
				k := fmt.Sprintf("%s-%d-%d", id, run, i)
				s.Write([]byte(k), []byte(strings.Repeat(k, 50)))
			}
			s.Close()
		}
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for _, id := range []string{"p", "q"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreProcesses$")
		cmd.Env = append(os.Environ(), "PYROBUILD_STORE_WRITER="+dir, "PYROBUILD_STORE_ID="+id)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	s := Open(dir, "f")
	defer s.Close()
	missing := 0
	for _, id := range []string{"p", "q"} {
		for run := range 30 {
			for i := range 20 {
				k := fmt.Sprintf("%s-%d-%d", id, run, i)
				got, ok := s.Read([]byte(k))
				if !ok {
					t.Log("missing", k)
					missing++
					continue
				}
				if string(got) != strings.Repeat(k, 50) {
					t.Fatalf("%s reads %q", k, got)
				}
			}
		}
	}
	if locks && missing > 0 {
		t.Errorf("%d entries of 1200 lost", missing)
	}
}

// FuzzStoreIndex: whatever the index file holds, reading it never panics,
// and what it gives back encodes to an index that reads the same.
func FuzzStoreIndex(f *testing.F) {
	f.Add([]byte(idxMagic))
	f.Add(encodeIndex(map[key]loc{{1}: {pack: "a.pack", off: 3, n: 4, crc: 5, day: 6}, {2}: {pack: "b.pack"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := decodeIndex(b)
		if err != nil {
			return
		}
		again, err := decodeIndex(encodeIndex(idx))
		if err != nil || len(again) != len(idx) {
			t.Fatalf("re-encoded index: %v, %d entries of %d", err, len(again), len(idx))
		}
	})
}

// BenchmarkStore: a cold run's writes (500 entries of 2 KB, the size of a
// generated dashboard's unit) and Close, then a warm run's reads, against
// one file per entry as the store wrote them before packs.
func BenchmarkStore(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 2048)
	const n = 500
	b.Run("pack/write", func(b *testing.B) {
		for b.Loop() {
			s := Open(b.TempDir(), "f")
			for i := range n {
				s.Write([]byte(strconv.Itoa(i)), data)
			}
			s.Close()
		}
	})
	b.Run("file-per-entry/write", func(b *testing.B) {
		for b.Loop() {
			dir := b.TempDir()
			for i := range n {
				name := hexSum(sha(strconv.Itoa(i)))
				_ = WriteFile(filepath.Join(dir, name[:2], name), data)
			}
		}
	})
	dir := b.TempDir()
	written(dir, func() map[string]string {
		m := map[string]string{}
		for i := range n {
			m[strconv.Itoa(i)] = string(data)
		}
		return m
	}())
	b.Run("pack/read", func(b *testing.B) {
		for b.Loop() {
			s := Open(dir, "f")
			for i := range n {
				if _, ok := s.Read([]byte(strconv.Itoa(i))); !ok {
					b.Fatal("miss")
				}
			}
			s.Close()
		}
	})
}

func sha(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func hexSum(b [32]byte) string { return fmt.Sprintf("%x", b[:]) }
