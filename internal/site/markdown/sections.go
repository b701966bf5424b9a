package markdown

import (
	"regexp"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// sections splits the page's plain text at every heading for the search
// index. Code counts as text, so that searching for a field name finds the
// section whose example uses it.
type sections struct{}

func (sections) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(sections{}, 310), // after anchors, which sets the ids
	))
}

var tagRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })

func (sections) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	src := reader.Source()
	cur := Section{}
	var b strings.Builder
	flush := func() {
		cur.Text = strings.Join(strings.Fields(b.String()), " ")
		if cur.ID != "" || cur.Text != "" {
			p.doc.Sections = append(p.doc.Sections, cur)
		}
		b.Reset()
	}
	writeLines := func(n ast.Node) {
		lines := n.Lines()
		for i := range lines.Len() {
			s := lines.At(i)
			b.Write(s.Value(src))
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ') // blocks never run into each other
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			flush()
			id, _ := attrString(n, "id")
			cur = Section{ID: id, Heading: plainText(n, src), Level: n.Level}
			return ast.WalkSkipChildren, nil
		case *ast.Text, *ast.String, *ast.AutoLink, *ast.RawHTML:
			writeInline(&b, n, src)
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if t, ok := attrString(n, "title"); ok {
				b.WriteString(t + " ")
			}
			writeLines(n)
			b.WriteByte(' ')
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock:
			var h strings.Builder
			lines := n.Lines()
			for i := range lines.Len() {
				s := lines.At(i)
				h.Write(s.Value(src))
			}
			b.WriteString(unescapeHTML(tagRe().ReplaceAllString(h.String(), " ")))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	flush()
}
