package markdown

import (
	"reflect"
	"testing"
)

func TestSections(t *testing.T) {
	src := "---\ntitle: T\n---\n" +
		"Intro  with\n*emphasis*, `code` and AT&amp;T \\*stars\\*.\n\n" +
		"# Page\n\n" +
		"## Query fields\n\nThe query:\n\n```yaml\nspec:\n  profileType: cpu\n```\n\n" +
		"| Field | Meaning |\n|---|---|\n| `labels` | filters |\n\n" +
		"### Deeper\n\n!!! tip \"Pro tip\"\n    Use <b>bold</b> [links](x.md).\n\n" +
		"=== \"CUE\"\n    cue text\n\n" +
		"<div class=\"raw\">raw &amp; html</div>\n\n" +
		"```mermaid\ngraph TD\n  a --> b\n```\n"
	doc := render(t, src)
	want := []Section{
		{ID: "", Heading: "", Text: "Intro with emphasis, code and AT&T *stars*.", Level: 0},
		{ID: "page", Heading: "Page", Text: "", Level: 1},
		{ID: "query-fields", Heading: "Query fields", Text: "The query: spec: profileType: cpu Field Meaning labels filters", Level: 2},
		{ID: "deeper", Heading: "Deeper", Text: "Pro tip Use bold links. CUE cue text raw & html", Level: 3},
	}
	if !reflect.DeepEqual(doc.Sections, want) {
		t.Errorf("Sections:\n got %+v\nwant %+v", doc.Sections, want)
	}
}

func TestSectionsNoIntro(t *testing.T) {
	doc := render(t, "## Only\n\ntext\n")
	want := []Section{{ID: "only", Heading: "Only", Text: "text", Level: 2}}
	if !reflect.DeepEqual(doc.Sections, want) {
		t.Errorf("Sections = %+v, want %+v", doc.Sections, want)
	}
}
