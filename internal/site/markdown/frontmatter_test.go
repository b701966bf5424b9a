package markdown

import (
	"errors"
	"reflect"
	"testing"
)

func TestFrontMatter(t *testing.T) {
	src := "---\ntitle: Install\ndescription: How to install.\nweight: 10\ndraft: true\nnav_title: Setup\ntags: [a, b]\nextra:\n  n: 1\n---\n\n# Body\n"
	doc := render(t, src)
	want := FrontMatter{
		Title:       "Install",
		Description: "How to install.",
		Weight:      10,
		Draft:       true,
		NavTitle:    "Setup",
		Params: map[string]any{
			"tags":  []any{"a", "b"},
			"extra": map[string]any{"n": 1},
		},
	}
	if !reflect.DeepEqual(doc.Meta, want) {
		t.Errorf("Meta:\n got %#v\nwant %#v", doc.Meta, want)
	}
	checkHTML(t, doc.HTML, `<h1 id="body">Body</h1>`)
	if len(doc.HTML) != len("<h1 id=\"body\">Body</h1>\n") {
		t.Errorf("front matter leaked into the HTML:\n%s", doc.HTML)
	}
	if doc.Headings[0].Line != 12 {
		t.Errorf("heading line %d, want 12 (front matter counts)", doc.Headings[0].Line)
	}
}

func TestFrontMatterVariants(t *testing.T) {
	tests := []struct {
		name, src string
		title     string
		html      string
	}{
		{"none", "# A\n", "A", "<h1 id=\"a\">A</h1>\n"},
		{"empty", "---\n---\nText\n", "", "<p>Text</p>\n"},
		{"CRLF and trailing spaces", "--- \r\ntitle: X\r\n---\r\nText\r\n", "X", "<p>Text</p>\n"},
		{"byte order mark", "\ufeff---\ntitle: B\n---\n", "B", ""},
		{"only front matter", "---\ntitle: Y\n---", "Y", ""},
		{"not on line 1 is a thematic break", "\n---\ntitle: Z\n---\n", "", "<hr>\n<h2 id=\"title-z\">title: Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := render(t, tt.src)
			if doc.Title != tt.title {
				t.Errorf("Title = %q, want %q", doc.Title, tt.title)
			}
			if tt.html == "" && len(doc.HTML) != 0 {
				t.Errorf("HTML = %q, want none", doc.HTML)
			}
			checkHTML(t, doc.HTML, tt.html)
		})
	}
}

func TestFrontMatterErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Error
	}{
		// yaml.v3 reports parser errors on the line before the construct
		// they are about (the 0-based line of its context mark), here the
		// "[" opened on line 3; scanner errors (the tab below) are exact.
		{"syntax (yaml.v3 reports a line early)", "---\ntitle: ok\nbad: [unclosed\n---\n", Error{Line: 2, Col: 1}},
		{"weight not a number", "---\ntitle: T\nweight: heavy\n---\n", Error{Line: 3, Col: 9, Msg: "front matter: weight must be an integer"}},
		{"title not a string", "---\ntitle: [a]\n---\n", Error{Line: 2, Col: 8, Msg: "front matter: title must be a string"}},
		{"draft not a bool", "---\n\ndraft: maybe\n---\n", Error{Line: 3, Col: 8, Msg: "front matter: draft must be true or false"}},
		{"not a mapping", "---\n- a\n- b\n---\n", Error{Line: 2, Col: 1, Msg: "front matter: must be a mapping of keys to values"}},
		{"duplicate key", "---\ntitle: a\ntitle: b\n---\n", Error{Line: 3, Col: 1, Msg: `front matter: duplicate key "title" (first at line 2)`}},
		{"unclosed", "---\ntitle: T\n\n# Body\n", Error{Line: 1, Col: 1, Msg: `front matter: no closing "---" line`}},
		{"byte column after multibyte text", "---\nx: é\nweight: [1]\n---\n", Error{Line: 3, Col: 9, Msg: "front matter: weight must be an integer"}},
		{"tab indentation", "---\ntitle: T\n\tweight: 1\n---\n", Error{Line: 3, Col: 1}},
		// yaml.v3 also breaks lines at a lone "\r" and U+2028, the page
		// does not: positions stay on the page's own lines.
		{"lone CR in an unclosed quote", "---\na: '\rb\n---", Error{Line: 3, Col: 1, Msg: "front matter: found unexpected end of stream"}},
		{"duplicate key after a lone CR", "---\nx: 1\rtitle: a\ntitle: b\n---\n", Error{Line: 3, Col: 1, Msg: `front matter: duplicate key "title" (first at line 2)`}},
		{"weight after U+2028", "---\nx: 1\u2028weight: [1]\n---\n", Error{Line: 2, Col: 16, Msg: "front matter: weight must be an integer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{}).Render("guide/p.md", []byte(tt.src))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Path != "guide/p.md" || e.Line != tt.want.Line || e.Col != tt.want.Col {
				t.Errorf("error at %s:%d:%d (%s), want guide/p.md:%d:%d", e.Path, e.Line, e.Col, e.Msg, tt.want.Line, tt.want.Col)
			}
			if tt.want.Msg != "" && e.Msg != tt.want.Msg {
				t.Errorf("Msg = %q, want %q", e.Msg, tt.want.Msg)
			}
		})
	}
}
