package markdown

import (
	"bytes"
	"testing"
)

func TestHighlightCacheSaveLoad(t *testing.T) {
	src := []byte("```go\npackage main\n```\n\n```yaml\na: 1\n```\n")
	h := NewHighlighter("", "")
	e := New(Options{Highlighter: h})
	first, err := e.Render("a.md", src)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := h.Save(&buf); err != nil {
		t.Fatal(err)
	}
	h2 := NewHighlighter("", "")
	if err := h2.Load(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	second, err := New(Options{Highlighter: h2}).Render("a.md", src)
	if err != nil {
		t.Fatal(err)
	}
	if hits, misses := h2.Stats(); hits != 2 || misses != 0 {
		t.Errorf("after loading the cache: %d hits, %d misses; want 2, 0", hits, misses)
	}
	if !bytes.Equal(first.HTML, second.HTML) {
		t.Error("a loaded cache renders differently")
	}
	if err := h2.Load(bytes.NewReader([]byte("garbage"))); err == nil {
		t.Error("a damaged cache loaded without error")
	}
}
