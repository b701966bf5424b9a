package markdown

import (
	"reflect"
	"testing"
)

func TestExamples(t *testing.T) {
	src := "---\ntitle: Examples\nweight: 2\n---\n\n# Examples\n\n" + // lines 1-7
		"```yaml example\n" + // 8
		"kind: Dashboard\n" + // 9
		"```\n\n" + // 10-11
		"```cue example expect=PB1203 title=\"Bad query\" fails\n" + // 12
		"x: 1\n" + // 13
		"y: 2\n" + // 14
		"```\n\n" + // 15-16
		"```yaml\nnot: an example\n```\n\n" + // 17-20
		"!!! note\n    ```json example\n    {}\n    ```\n" // 21-24
	doc := render(t, src)
	want := []Example{
		{Lang: "yaml", Attrs: map[string]string{}, Code: []byte("kind: Dashboard\n"), Line: 9},
		{Lang: "cue", Attrs: map[string]string{"expect": "PB1203", "title": "Bad query", "fails": ""}, Code: []byte("x: 1\ny: 2\n"), Line: 13},
		{Lang: "json", Attrs: map[string]string{}, Code: []byte("{}\n"), Line: 23},
	}
	if !reflect.DeepEqual(doc.Examples, want) {
		t.Errorf("Examples:\n got %+v\nwant %+v", doc.Examples, want)
	}
	checkHTML(t, doc.HTML,
		`<div class="highlight example" data-lang="yaml"><button class="copy" type="button" aria-label="Copy code">Copy</button><pre class="chroma"><code>`,
		`<div class="highlight example" data-lang="cue"><button class="copy" type="button" aria-label="Copy code">Copy</button><div class="code-title">Bad query</div><pre class="chroma"><code>`,
		`<div class="highlight" data-lang="yaml">`,
		`<div class="highlight example" data-lang="json">`,
	)
}

func TestExampleEmpty(t *testing.T) {
	doc := render(t, "text\n\n```yaml example\n```\n")
	if len(doc.Examples) != 1 || doc.Examples[0].Line != 4 || len(doc.Examples[0].Code) != 0 {
		t.Errorf("Examples = %+v, want one empty example at line 4", doc.Examples)
	}
}

func TestSplitInfo(t *testing.T) {
	tests := []struct {
		in   string
		want [][2]string
	}{
		{"", nil},
		{"yaml", [][2]string{{"yaml", ""}}},
		{"cue example  expect=PB1203\ttitle=\"Bad  query\"", [][2]string{{"cue", ""}, {"example", ""}, {"expect", "PB1203"}, {"title", "Bad  query"}}},
		{`t="say \"hi\" \\ bye" x=`, [][2]string{{"t", `say "hi" \ bye`}, {"x", ""}}},
		{`t="unclosed`, [][2]string{{"t", "unclosed"}}},
	}
	for _, tt := range tests {
		if got := splitInfo(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitInfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFenceTitle: a fence that is not an example shows its title too.
func TestFenceTitle(t *testing.T) {
	doc := render(t, "```yaml title=\"bundle.yaml\"\nkind: Project\n```\n")
	if len(doc.Examples) != 0 {
		t.Errorf("a titled fence is not an example: %+v", doc.Examples)
	}
	checkHTML(t, doc.HTML, `<div class="highlight" data-lang="yaml"><button class="copy" type="button" aria-label="Copy code">Copy</button><div class="code-title">bundle.yaml</div>`)
}
