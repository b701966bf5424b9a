package markdown

import (
	"reflect"
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	resolve := func(from, dest string) (string, bool) {
		if strings.HasSuffix(strings.SplitN(dest, "#", 2)[0], ".md") {
			return "/docs/" + from + "/" + dest, true
		}
		return "", false
	}
	src := "---\ntitle: Links\n---\n" + // 1-3
		"See [install](install.md#step-2 \"Install\") and [site](https://example.com).\n" + // 4
		"\n" + // 5
		"[![badge](img/badge.svg)](../ci.md) [anchor](#top) [root](/abs) [esc](a\\_b.md)\n" + // 6
		"\n" + // 7
		"Visit <https://grafana.com> or www.example.org, mail <me@example.com>.\n" + // 8
		"\n" + // 9
		"Use [the guide] twice: [again][the guide].\n" + // 10
		"\n" + // 11
		"[the guide]: <guide one.md>\n" // 12
	doc, err := New(Options{ResolveLink: resolve}).Render("intro.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{
		{Dest: "install.md#step-2", URL: "/docs/intro.md/install.md#step-2", Line: 4, Col: 15},
		{Dest: "https://example.com", URL: "https://example.com", Line: 4, Col: 55},
		{Dest: "img/badge.svg", URL: "img/badge.svg", Line: 6, Col: 11, Image: true},
		{Dest: "../ci.md", URL: "/docs/intro.md/../ci.md", Line: 6, Col: 27},
		{Dest: "#top", URL: "#top", Line: 6, Col: 46},
		{Dest: "/abs", URL: "/abs", Line: 6, Col: 59},
		{Dest: "a_b.md", URL: "/docs/intro.md/a_b.md", Line: 6, Col: 71},
		{Dest: "https://grafana.com", URL: "https://grafana.com", Line: 8, Col: 8},
		{Dest: "www.example.org", URL: "http://www.example.org", Line: 8, Col: 32},
		{Dest: "me@example.com", URL: "mailto:me@example.com", Line: 8, Col: 55},
		{Dest: "guide one.md", URL: "/docs/intro.md/guide one.md", Line: 12, Col: 15},
		{Dest: "guide one.md", URL: "/docs/intro.md/guide one.md", Line: 12, Col: 15},
	}
	if !reflect.DeepEqual(doc.Links, want) {
		t.Errorf("Links:\n got %+v\nwant %+v", doc.Links, want)
	}
	checkHTML(t, doc.HTML,
		`<a href="/docs/intro.md/install.md#step-2" title="Install">install</a>`,
		`<a href="https://example.com">site</a>`,
		`<a href="/docs/intro.md/../ci.md"><img src="img/badge.svg" alt="badge"></a>`,
		`<a href="#top">anchor</a>`,
		`<a href="/abs">root</a>`,
		`<a href="/docs/intro.md/a_b.md">esc</a>`,
		`<a href="/docs/intro.md/guide%20one.md">the guide</a>`,
	)
}

func TestLinkURLWrittenAsIs(t *testing.T) {
	resolve := func(from, dest string) (string, bool) { return `/x?a=1&amp;b=\_`, true }
	doc, err := New(Options{ResolveLink: resolve}).Render("p.md", []byte("[l](y.md)\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The renderer would otherwise decode the entity and the escape.
	checkHTML(t, doc.HTML, `<a href="/x?a=1&amp;amp;b=%5C_">l</a>`)
}

func TestLinkInContainers(t *testing.T) {
	src := "!!! note\n    A [link](a.md).\n\n=== \"T\"\n\t[tab](b.md)\n\n- item [c](c.md)\n"
	doc := render(t, src)
	want := []Link{
		{Dest: "a.md", URL: "a.md", Line: 2, Col: 14},
		{Dest: "b.md", URL: "b.md", Line: 5, Col: 8},
		{Dest: "c.md", URL: "c.md", Line: 7, Col: 12},
	}
	if !reflect.DeepEqual(doc.Links, want) {
		t.Errorf("Links:\n got %+v\nwant %+v", doc.Links, want)
	}
}

func TestIsRelative(t *testing.T) {
	tests := map[string]bool{
		"guide/install.md": true,
		"./a.md":           true,
		"../a.md#x":        true,
		"2024.md":          true,
		"a.md?x=1:2":       true,
		"":                 false,
		"#frag":            false,
		"/root":            false,
		"//cdn.example":    false,
		"https://x":        false,
		"mailto:a@b":       false,
		"data:image/png":   false,
		"git+ssh://host":   false,
	}
	for in, want := range tests {
		if got := isRelative(in); got != want {
			t.Errorf("isRelative(%q) = %v, want %v", in, got, want)
		}
	}
}
