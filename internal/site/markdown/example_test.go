package markdown_test

import (
	"fmt"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
)

func ExampleEngine_Render() {
	e := markdown.New(markdown.Options{
		ResolveLink: func(from, dest string) (string, bool) {
			page, ok := strings.CutSuffix(dest, ".md")
			return "/docs/" + page + "/", ok
		},
	})
	src := "---\ntitle: Install\n---\n## Download\n\nSee the [quick start](quick-start.md).\n"
	doc, err := e.Render("install.md", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Title)
	fmt.Print(string(doc.HTML))
	for _, l := range doc.Links {
		fmt.Printf("%s:%d:%d %s -> %s\n", "install.md", l.Line, l.Col, l.Dest, l.URL)
	}

	_, err = e.Render("broken.md", []byte("---\nweight: heavy\n---\n"))
	fmt.Println(err)
	// Output:
	// Install
	// <h2 id="download">Download<a class="headerlink" href="#download" aria-label="Permalink to this section">¶</a></h2>
	// <p>See the <a href="/docs/quick-start/">quick start</a>.</p>
	// install.md:6:23 quick-start.md -> /docs/quick-start/
	// broken.md:2:9: front matter: weight must be an integer
}
