package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// tableWrap wraps every table in <div class="table-wrap">, which the site
// styles to scroll sideways: a wide table then scrolls on a phone instead
// of widening the whole page.
type tableWrap struct{}

func (tableWrap) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(tableWrap{}, 140),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(tableWrap{}, 100),
	))
}

var kindTableWrap = ast.NewNodeKind("TableWrap")

type tableWrapNode struct {
	ast.BaseBlock
}

func (n *tableWrapNode) Kind() ast.NodeKind { return kindTableWrap }
func (n *tableWrapNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

func (tableWrap) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var found []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Kind() == extast.KindTable {
			found = append(found, n)
			return ast.WalkSkipChildren, nil
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, t := range found {
		w := &tableWrapNode{}
		w.SetPos(t.Pos())
		w.SetBlankPreviousLines(t.HasBlankPreviousLines())
		t.Parent().ReplaceChild(t.Parent(), t, w)
		w.AppendChild(w, t)
	}
}

func (tableWrap) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindTableWrap, func(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<div class="table-wrap">`)
		} else {
			_, _ = w.WriteString("</div>\n")
		}
		return ast.WalkContinue, nil
	})
}
