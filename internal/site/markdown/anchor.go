package markdown

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// anchors gives every heading a GitHub-style id, so that links written for
// GitHub's rendering of the same files keep working, and a permalink to it.
// An id written as "## Title {#custom-id}" is kept.
type anchors struct{}

func (anchors) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		// After the extensions that reserve ids of their own (tabs).
		util.Prioritized(anchors{}, 200),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(anchors{}, 100),
	))
}

func (anchors) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	var todo []*ast.Heading
	// Ids written by hand, as {#id} or in raw HTML, are reserved first, so
	// that a generated id never takes one written further down.
	src := reader.Source()
	reserveHTML := func(segs *text.Segments) {
		for id := range htmlIDs(segs.Value(src)) {
			p.ids[id] = true
		}
	}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			reserveHTML(n.Lines())
		case *ast.RawHTML:
			reserveHTML(n.Segments)
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		if id, ok := attrString(n, "id"); ok {
			p.ids[id] = true
		} else if h, ok := n.(*ast.Heading); ok {
			todo = append(todo, h)
		}
		return ast.WalkContinue, nil
	})
	for _, h := range todo {
		id := uniqueID(p.ids, slug(plainText(h, src)))
		h.SetAttributeString("id", []byte(id))
	}
}

// slug makes an id the way GitHub does: lowercase, each space a "-", only
// letters, marks, digits, "-" and "_" kept, in any script.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r):
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}

// uniqueID returns base, or base-1, base-2, ... for the first one not yet
// used, and marks it used.
func uniqueID(used map[string]bool, base string) string {
	id := base
	for i := 1; used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	used[id] = true
	return id
}

// attrString returns an attribute's value as a string; goldmark stores
// parsed attribute values as []byte and ours as either.
func attrString(n ast.Node, name string) (string, bool) {
	v, ok := n.AttributeString(name)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case []byte:
		return string(v), true
	case string:
		return v, true
	}
	return "", false
}

func (anchors) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindHeading, renderHeading)
}

// renderHeading writes the heading as goldmark does, with a permalink
// before the closing tag. The page title (h1) needs none.
func renderHeading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte(byte('0' + n.Level))
		if n.Attributes() != nil {
			html.RenderAttributes(w, n, html.HeadingAttributeFilter)
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id, ok := attrString(n, "id"); ok && n.Level > 1 {
		_, _ = w.WriteString(`<a class="headerlink" href="#`)
		_, _ = w.Write(util.EscapeHTML([]byte(id)))
		_, _ = w.WriteString(`" aria-label="Permalink to this section">¶</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte(byte('0' + n.Level))
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}
