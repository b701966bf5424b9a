package markdown

import (
	"strings"
	"sync"
	"testing"
)

// render renders src with a default engine and fails the test on error.
func render(t *testing.T, src string) *Document {
	t.Helper()
	doc, err := New(Options{}).Render("page.md", []byte(src))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return doc
}

// checkHTML fails unless html contains every fragment of want, in order.
func checkHTML(t *testing.T, html []byte, want ...string) {
	t.Helper()
	rest := string(html)
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("HTML lacks (in order)\n%s\ngot:\n%s", w, html)
			return
		}
		rest = rest[i+len(w):]
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Path: "guide/a.md", Line: 3, Col: 7, Msg: "front matter: weight must be an integer"}
	if got, want := e.Error(), "guide/a.md:3:7: front matter: weight must be an integer"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTitle(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"front matter wins", "---\ntitle: From meta\n---\n# From h1\n", "From meta"},
		{"first h1", "## Not this\n\n# First *h1*\n\n# Second\n", "First h1"},
		{"none", "## Only h2\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.src).Title; got != tt.want {
				t.Errorf("Title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	doc := render(t, "# Top\n\n## Sub {#custom}\n\n<div id=\"raw\"></div>\n\nA note[^n].\n\n[^n]: Text.\n\n=== \"A\"\n    a\n")
	for _, id := range []string{"top", "custom", "raw", "fn:1", "fnref:1", "tab-0-0", "panel-0-0"} {
		if !doc.IDs[id] {
			t.Errorf("IDs lacks %q: %v", id, doc.IDs)
		}
	}
	if doc.IDs["sub"] {
		t.Errorf("IDs has %q, which the HTML does not define", "sub")
	}
}

// TestConcurrentRender renders pages on many goroutines with one engine;
// run with -race.
func TestConcurrentRender(t *testing.T) {
	e := New(Options{ResolveLink: func(from, dest string) (string, bool) { return "/" + dest, true }})
	src := []byte("---\ntitle: T\n---\n# T\n\n## A\n\n```go\npackage main\n```\n\n=== \"X\"\n    [l](x.md)\n\n!!! note\n    n\n")
	want, err := e.Render("p.md", src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				doc, err := e.Render("p.md", src)
				if err != nil {
					t.Error(err)
					return
				}
				if string(doc.HTML) != string(want.HTML) {
					t.Error("concurrent render differs")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestHTMLIDs(t *testing.T) {
	html := `<h2 id="a">x</h2><p>id="not" &lt;b id="no"&gt;</p><div title="x > y" ID='b' data-id="no" hidden></div>` +
		`<span id=c>d</span><img src="i.png" alt="e" id = "f&amp;g"/><br><p`
	got := htmlIDs([]byte(html))
	want := map[string]bool{"a": true, "b": true, "c": true, "f&g": true}
	if len(got) != len(want) {
		t.Errorf("htmlIDs = %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("htmlIDs lacks %q: %v", id, got)
		}
	}
}
