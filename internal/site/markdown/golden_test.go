package markdown

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenDoc is a Document as page.json shows it: without the HTML, which
// has its own file, and with example code as text rather than base64.
type goldenDoc struct {
	*Document
	HTML     []byte          `json:",omitempty"`
	Examples []goldenExample `json:",omitempty"`
}

type goldenExample struct {
	Example
	Code string
}

// siteResolver resolves links the way the site does, roughly: pages to
// their folder URL, other files left where they are.
func siteResolver(from, dest string) (string, bool) {
	target, frag, _ := strings.Cut(dest, "#")
	p := filepath.ToSlash(filepath.Join(filepath.Dir(from), target))
	if strings.HasPrefix(p, "../") {
		return "", false
	}
	if s, ok := strings.CutSuffix(p, ".md"); ok {
		p = s + "/"
	}
	if frag != "" {
		p += "#" + frag
	}
	return "/docs/" + p, true
}

func TestGoldenPage(t *testing.T) {
	src, err := os.ReadFile("testdata/page.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := New(Options{ResolveLink: siteResolver}).Render("panels/flame.md", src)
	if err != nil {
		t.Fatal(err)
	}
	g := goldenDoc{Document: doc}
	for _, ex := range doc.Examples {
		g.Examples = append(g.Examples, goldenExample{Example: ex, Code: string(ex.Code)})
	}
	j, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/page.html", doc.HTML)
	golden(t, "testdata/page.json", append(j, '\n'))
}

// golden compares got with the file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s differs from line %d (run with -update to accept):\n got: %s\nwant: %s", path, i+1, g, w)
				return
			}
		}
	}
}
