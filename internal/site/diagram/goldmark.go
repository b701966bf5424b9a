package diagram

import (
	"bytes"
	"errors"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Extension draws the fenced code blocks whose language is "mermaid" at
// build time: each becomes a <figure class="diagram"> holding the SVG.
// The blocks never reach the code highlighter.
type Extension struct {
	// Report is told of a block that cannot be drawn: the offset of the
	// problem in the page's source and what it is. The block is then shown
	// as its source, in a <pre>. It is called from concurrent parses.
	Report func(pc parser.Context, offset int, msg string)
}

// Extend adds the transformer (before the highlighter's, which runs at
// priority 320) and the renderer.
func (x Extension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(util.Prioritized(x, 120)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(x, 100)))
}

// KindDiagram is the kind of the nodes that replace diagram blocks.
var KindDiagram = ast.NewNodeKind("Diagram")

// Block is a drawn diagram: it keeps the lines of the code block it
// replaces (its source, for positions) and the drawing.
type Block struct {
	ast.BaseBlock
	// SVG is the drawing; nil when the source could not be drawn.
	SVG []byte
}

// Kind implements ast.Node.
func (n *Block) Kind() ast.NodeKind { return KindDiagram }

// IsRaw implements ast.Node: the lines are source, not markdown.
func (n *Block) IsRaw() bool { return true }

// Dump implements ast.Node.
func (n *Block) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// Transform replaces each mermaid block by a Block.
func (x Extension) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var found []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if f, ok := n.(*ast.FencedCodeBlock); ok && string(f.Language(src)) == "mermaid" {
			found = append(found, f)
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, f := range found {
		lines := f.Lines()
		code := lines.Value(src)
		b := &Block{}
		b.SetLines(lines)
		b.SetPos(f.Pos())
		b.SetBlankPreviousLines(f.HasBlankPreviousLines())
		g, err := Parse(string(code))
		var de *Error
		switch {
		case err == nil:
			b.SVG = g.SVG()
		case errors.As(err, &de) && x.Report != nil:
			off := f.Pos()
			if de.Line-1 < lines.Len() {
				off = lines.At(de.Line-1).Start + de.Col - 1
			}
			x.Report(pc, off, "diagram: "+de.Msg)
		}
		f.Parent().ReplaceChild(f.Parent(), f, b)
	}
}

// RegisterFuncs implements renderer.NodeRenderer.
func (x Extension) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(KindDiagram, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		if svg := n.(*Block).SVG; svg != nil {
			_, _ = w.WriteString(`<figure class="diagram">`)
			_, _ = w.Write(svg)
			_, _ = w.WriteString("</figure>\n")
			return ast.WalkSkipChildren, nil
		}
		_, _ = w.WriteString(`<pre class="diagram-source">`)
		_, _ = w.Write(util.EscapeHTML(bytes.TrimRight(n.Lines().Value(src), "\n")))
		_, _ = w.WriteString("</pre>\n")
		return ast.WalkSkipChildren, nil
	})
}
