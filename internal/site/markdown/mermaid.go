package markdown

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mermaid hands ```mermaid blocks to the mermaid script in the browser:
// the source goes into <pre class="mermaid"> untouched but escaped, which
// the script reads as text and replaces with the diagram. Pages without a
// diagram do not load the script.
type mermaid struct{}

func (mermaid) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(mermaid{}, 120),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(mermaid{}, 100),
	))
}

var kindMermaid = ast.NewNodeKind("Mermaid")

// mermaidNode replaces the fenced code block, so that the highlighter never
// sees diagrams.
type mermaidNode struct {
	ast.BaseBlock
}

func (n *mermaidNode) Kind() ast.NodeKind { return kindMermaid }
func (n *mermaidNode) IsRaw() bool        { return true }
func (n *mermaidNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

func (mermaid) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	var found []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if f, ok := n.(*ast.FencedCodeBlock); ok && string(f.Language(reader.Source())) == "mermaid" {
			found = append(found, f)
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, f := range found {
		m := &mermaidNode{}
		m.SetLines(f.Lines())
		m.SetPos(f.Pos())
		m.SetBlankPreviousLines(f.HasBlankPreviousLines())
		f.Parent().ReplaceChild(f.Parent(), f, m)
		p.doc.Mermaid = true
	}
}

func (mermaid) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindMermaid, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<pre class="mermaid">`)
			_, _ = w.Write(util.EscapeHTML(n.Lines().Value(src)))
			_, _ = w.WriteString("</pre>\n")
		}
		return ast.WalkSkipChildren, nil
	})
}
