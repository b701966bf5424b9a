package site

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// countdownCtx is a context that ends after its Err has been asked a
// given number of times: a build asked to stop at each of the points where
// it looks.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func newCountdown(n int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// tree maps the files below dir to their SHA-256.
func tree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		out[p] = sha256.Sum256(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteCancelled stops Write at every point where it looks at its
// context, in turn: it must return the context's error and leave the
// previous output exactly as it was, with nothing beside it; once it
// looks no more, it writes the site.
func TestWriteCancelled(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "public")
	old := basicConfig()
	old.Title = "Old"
	if s, err := mustBuilder(t, old).Write(context.Background(), out); err != nil || s.HasErrors() {
		t.Fatalf("first write: %v", err)
	}
	before := tree(t, out)
	b := mustBuilder(t, basicConfig())
	for n := int64(0); ; n++ {
		if n > 10000 {
			t.Fatal("the build never completes")
		}
		s, err := b.Write(newCountdown(n), out)
		if err == nil {
			if s.HasErrors() {
				t.Fatalf("stopped after %d looks: %s", n, diagText(s.Diagnostics))
			}
			t.Logf("the build looked at its context %d times", n)
			if n < 5 {
				t.Fatalf("the build looked at its context %d times, want at least once per phase", n)
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped after %d looks: error %v, want context.Canceled", n, err)
		}
		after := tree(t, out)
		if len(after) != len(before) {
			t.Fatalf("stopped after %d looks: the output has %d files, had %d", n, len(after), len(before))
		}
		for p, sum := range before {
			if after[p] != sum {
				t.Fatalf("stopped after %d looks: %s changed", n, p)
			}
		}
		if ents, _ := os.ReadDir(parent); len(ents) != 1 {
			t.Fatalf("stopped after %d looks: %d entries beside the output", n, len(ents)-1)
		}
	}
	if s, err := b.Build(context.Background()); err != nil || s.HasErrors() {
		t.Fatalf("build: %v", err)
	} else if got, _ := os.ReadFile(filepath.Join(out, "index.html")); string(got) != string(s.Files["index.html"]) {
		t.Error("the completed write differs from the built site")
	}
}

// TestBuildCancelled: a build whose context has ended returns its error,
// in memory and packed.
func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, build := range map[string]func(*Builder) (*Site, error){
		"Build":       func(b *Builder) (*Site, error) { return b.Build(ctx) },
		"BuildPacked": func(b *Builder) (*Site, error) { b.TrackChanges(); return b.BuildPacked(ctx) },
	} {
		if _, err := build(mustBuilder(t, basicConfig())); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", name, err)
		}
	}
}
