package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// toc lists the page's headings, and the h2 and h3 among them as the table
// of contents. The list is flat: the site's sidebar indents by Level, which
// copes with pages that skip a level where a tree would not.
type toc struct{}

func (toc) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(toc{}, 300), // after anchors, which sets the ids
	))
}

func (toc) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		h, ok := n.(*ast.Heading)
		if !ok {
			if n.Type() == ast.TypeInline {
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		}
		id, _ := attrString(h, "id")
		hd := Heading{
			Level: h.Level,
			ID:    id,
			Text:  plainText(h, reader.Source()),
			Line:  p.line(blockStart(h)),
		}
		p.doc.Headings = append(p.doc.Headings, hd)
		if h.Level == 2 || h.Level == 3 {
			p.doc.TOC = append(p.doc.TOC, hd)
		}
		return ast.WalkSkipChildren, nil
	})
}
