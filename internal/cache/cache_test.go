package cache

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTrim: the caches' trims remove what no run used for their time to
// live, at most once a day.
func TestTrim(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-31 * 24 * time.Hour)
	aged := func(p string) string {
		t.Helper()
		writeTestFile(t, p, "x")
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	os.Mkdir(filepath.Join(dir, "ab"), 0o755)
	stale, fresh, top := aged(filepath.Join(dir, "ab", "stale")), filepath.Join(dir, "ab", "fresh"), aged(filepath.Join(dir, "top"))
	writeTestFile(t, fresh, "x")
	Trim(dir, 2, 30*24*time.Hour)
	for p, want := range map[string]bool{stale: false, fresh: true, top: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", p, err == nil, want)
		}
	}

	mark := filepath.Join(dir, "trimmed")
	if !Daily(mark) || Daily(mark) {
		t.Error("a first mark is due, a second the same day is not")
	}
	os.Chtimes(mark, old, old)
	if !Daily(mark) {
		t.Error("a mark a month old is due")
	}
}

// TestTouch: an entry used is marked so, but at most once an hour.
func TestTouch(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		age   time.Duration
		fresh bool // its time is now afterwards
	}{
		{"a day old", 24 * time.Hour, true},
		{"a minute old", time.Minute, false},
	} {
		p := filepath.Join(dir, tc.name)
		writeTestFile(t, p, "x")
		then := time.Now().Add(-tc.age)
		if err := os.Chtimes(p, then, then); err != nil {
			t.Fatal(err)
		}
		Touch(p)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fresh := time.Since(fi.ModTime()) < time.Minute/2; fresh != tc.fresh {
			t.Errorf("%s: touched %v, want %v", tc.name, fresh, tc.fresh)
		}
	}
	Touch(filepath.Join(dir, "missing")) // no entry, nothing to do
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Error("touching a missing entry made it")
	}
}

// TestWriteFile: an entry is written whole, folders made, with nothing
// left beside it; a later write replaces it.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ab", "abcdef")
	for _, data := range []string{"first", "second, longer"} {
		if err := WriteFile(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(p); err != nil || string(b) != data {
			t.Errorf("read %q, %v; want %q", b, err, data)
		}
		if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
			t.Errorf("%d files beside the entry, want none", len(ents)-1)
		}
	}
	if err := WriteFile(filepath.Join(p, "below-a-file"), []byte("x")); err == nil {
		t.Error("writing below a file succeeded")
	}
}

// TestExecutable: the test binary can be identified, the same way twice,
// whatever folder a call names.
func TestExecutable(t *testing.T) {
	id := Executable(t.TempDir())
	if len(id) == 0 || string(Executable("")) != string(id) {
		t.Errorf("Executable = %q", id)
	}
}

// TestWrite: an entry is replaced whole, or not at all when writing it
// fails; no temporary file stays either way.
func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(w io.Writer) error
		want  string
	}{
		{"whole", func(w io.Writer) error {
			io.WriteString(w, "new ")
			_, err := io.WriteString(w, "entry")
			return err
		}, "new entry"},
		{"failed half way", func(w io.Writer) error {
			io.WriteString(w, "half")
			return errors.New("encoding failed")
		}, "old entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "sub", "entry")
			if err := WriteFile(p, []byte("old entry")); err != nil {
				t.Fatal(err)
			}
			err := Write(p, tc.write)
			if (err != nil) != (tc.want == "old entry") {
				t.Errorf("error %v", err)
			}
			if data, _ := os.ReadFile(p); string(data) != tc.want {
				t.Errorf("entry %q, want %q", data, tc.want)
			}
			if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
				t.Errorf("folder holds %d files, want the entry alone", len(ents))
			}
		})
	}
}
