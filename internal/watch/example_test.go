package watch_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/pyrobuild/pyrobuild/internal/watch"
)

// A server watches its inputs and rebuilds what each batch names.
func Example() {
	dir, err := os.MkdirTemp("", "watch-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "content", "index.md")
	if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
		log.Fatal(err)
	}

	w, err := watch.New([]string{filepath.Join(dir, "content")}, watch.Options{Logf: log.Printf})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	// An editor's atomic save: the swap file is never reported.
	swap := filepath.Join(dir, "content", ".index.md.swp")
	if err := os.WriteFile(swap, []byte("# Hello"), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(swap, page); err != nil {
		log.Fatal(err)
	}

	b := <-w.Batches()
	for _, p := range b.Paths {
		rel, _ := filepath.Rel(dir, p)
		fmt.Println(filepath.ToSlash(rel))
	}
	// Output: content/index.md
}
