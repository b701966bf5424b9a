package markdown

import (
	"fmt"
	"strings"
	"testing"
)

// benchPage is a typical ~3 KB docs page: front matter, headings, prose
// with links, a table, an admonition and two 20-line code blocks.
func benchPage() []byte {
	var b strings.Builder
	b.WriteString("---\ntitle: Memory panels\ndescription: Allocation and in-use memory flame graphs.\nweight: 40\n---\n\n# Memory panels\n\n")
	b.WriteString("Memory profiles show where a service allocates and what it keeps. See the [install guide](../install.md)\nand the [query reference](../reference/queries.md#label-selectors) before you start.\n\n")
	b.WriteString("## Profile types\n\n| Profile type | Unit | Meaning |\n|---|---|---|\n")
	for _, r := range []string{"alloc_space|bytes|Memory allocated", "alloc_objects|count|Objects allocated", "inuse_space|bytes|Memory in use", "inuse_objects|count|Objects in use"} {
		c := strings.Split(r, "|")
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c[0], c[1], c[2])
	}
	b.WriteString("\n!!! tip \"Sampling\"\n    Go samples one allocation every 512 KiB by default; small services may need a lower rate.\n\n")
	b.WriteString("## In CUE\n\nA panel per profile type, written once as a definition:\n\n```cue\n")
	for i := range 20 {
		fmt.Fprintf(&b, "panels: mem%d: #flame & {#title: \"memory %d\", #profileType: \"inuse_space\", #query: \"{service_name=\\\"api\\\"}\"}\n", i, i)
	}
	b.WriteString("```\n\n## In YAML\n\nThe same panel in YAML, as Perses stores it:\n\n```yaml\n")
	for i := range 10 {
		fmt.Fprintf(&b, "mem%d:\n  kind: Panel\n", i)
	}
	b.WriteString("```\n\nEvery heading here gets an anchor, and the page a table of contents. Some *emphasis*, `code`, and a\nlink to [variables](variables.md) end the page.\n")
	return []byte(b.String())
}

func BenchmarkRender(b *testing.B) {
	page := benchPage()
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, err := New(Options{Highlighter: NewHighlighter("", "")}).Render("panels/memory.md", page); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
	b.Run("warm", func(b *testing.B) {
		e := New(Options{})
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			if _, err := e.Render("panels/memory.md", page); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	})
}

func TestBenchPageShape(t *testing.T) {
	page := benchPage()
	if len(page) < 2500 || len(page) > 3500 {
		t.Errorf("bench page is %d bytes, want about 3 KB", len(page))
	}
	doc := render(t, string(page))
	if !doc.Code || len(doc.TOC) != 3 {
		t.Errorf("bench page renders oddly: Code %v, TOC %v", doc.Code, doc.TOC)
	}
}
