package markdown

import (
	"errors"
	"strings"
	"testing"
)

func TestDiagrams(t *testing.T) {
	doc := render(t, "Text.\n\n```mermaid\ngraph TD\n  A-->B & C\n```\n")
	html := string(doc.HTML)
	if !strings.HasPrefix(html, "<p>Text.</p>\n<figure class=\"diagram\"><svg class=\"diagram\"") ||
		!strings.Contains(html, `aria-label="Diagram: A → B; A → C"`) || !strings.HasSuffix(html, "</svg></figure>\n") {
		t.Errorf("not drawn:\n%s", html)
	}
	if doc.Code {
		t.Error("Code = true for a page whose only block is a diagram")
	}
}

// TestDiagramErrors: a diagram that cannot be drawn fails the page at the
// problem's line and column in the page's file, front matter and
// indentation counted.
func TestDiagramErrors(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{"---\ntitle: T\n---\n\n```mermaid\nflowchart LR\n  a --> b\n  style a fill:#f00\n```\n",
			"page.md:8:3: diagram: styles are not supported"},
		{"- item\n\n    ```mermaid\n    graph TD\n      a{b}\n    ```\n",
			"page.md:5:8: diagram: this shape of box is not supported"},
	} {
		_, err := New(Options{}).Render("page.md", []byte(tc.src))
		var me *Error
		if !errors.As(err, &me) || !me.Diagram || err.Error() != tc.want {
			t.Errorf("got %v (%+v), want %s", err, me, tc.want)
		}
	}
}
