package markdown

import "testing"

func TestMermaid(t *testing.T) {
	doc := render(t, "Text.\n\n```mermaid\ngraph TD\n  A-->B & C\n```\n")
	checkHTML(t, doc.HTML, "<p>Text.</p>\n<pre class=\"mermaid\">graph TD\n  A--&gt;B &amp; C\n</pre>\n")
	if !doc.Mermaid {
		t.Error("Mermaid = false")
	}
	if doc.Code {
		t.Error("Code = true for a page whose only block is a diagram")
	}

	doc = render(t, "```go\nx\n```\n")
	if doc.Mermaid {
		t.Error("Mermaid = true without a diagram")
	}
}
