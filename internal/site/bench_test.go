package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

// benchPages is the size of the generated site: small by default so `make
// test` runs each benchmark once quickly; scripts/bench-site.sh sets
// PYROBUILD_BENCH_PAGES=1000.
func benchPages() int {
	if n, err := strconv.Atoi(os.Getenv("PYROBUILD_BENCH_PAGES")); err == nil && n > 0 {
		return n
	}
	return 50
}

// BenchmarkBuild builds a generated site of benchPages() pages (3 KB each,
// a table and two 20-line code blocks) and writes it to disk. Cold: a new
// builder each time, as `pyrobuild build` runs. Warm: one builder rebuilt,
// as the preview server does after an edit, with its caches.
func BenchmarkBuild(b *testing.B) {
	n := benchPages()
	dir := b.TempDir()
	if err := benchgen.WritePages(dir, n); err != nil {
		b.Fatal(err)
	}
	cfg := Config{Root: dir, SkipExamples: true}
	out := filepath.Join(b.TempDir(), "public")
	build := func(bl *Builder) {
		s, err := bl.Write(context.Background(), out)
		if err != nil || s.HasErrors() {
			b.Fatalf("build: %v %v", err, s.Diagnostics)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			bl, err := NewBuilder(cfg)
			if err != nil {
				b.Fatal(err)
			}
			build(bl)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	// Warm: `pyrobuild build` again, unchanged, with the page and highlight
	// caches the previous run saved, a new builder each time.
	cached := cfg
	cached.CacheDir = b.TempDir()
	first, err := NewBuilder(cached)
	if err != nil {
		b.Fatal(err)
	}
	build(first)
	if err := first.SaveCache(); err != nil {
		b.Fatal(err)
	}
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			bl, err := NewBuilder(cached)
			if err != nil {
				b.Fatal(err)
			}
			build(bl)
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	// Edit: the preview server's rebuild after one page changed, in memory.
	b.Run("edit", func(b *testing.B) {
		bl, err := NewBuilder(cfg)
		if err != nil {
			b.Fatal(err)
		}
		bl.TrackChanges()
		if _, err := bl.Build(context.Background()); err != nil {
			b.Fatal(err)
		}
		page := filepath.Join(dir, "content", filepath.FromSlash(benchgen.PagePath(n/2)))
		orig, err := os.ReadFile(page)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			i++
			os.WriteFile(page, append(orig, fmt.Sprintf("\nEdit %d.\n", i)...), 0o644)
			bl.Invalidate([]string{page})
			s, err := bl.Build(context.Background())
			if err != nil || s.HasErrors() {
				b.Fatalf("build: %v", err)
			}
		}
		os.WriteFile(page, orig, 0o644)
	})
}
