package markdown

import (
	"bytes"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// links records every link and image destination of the page with its
// position, for the site's link checker, and rewrites the relative ones
// through resolve: authors link to "../guide/install.md" as on GitHub and
// the site turns that into its own URL.
type links struct {
	resolve func(from, dest string) (string, bool)
}

func (l links) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(l, 150),
	))
}

func (l links) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = l.visit(p, src, n, n.Destination, false)
		case *ast.Image:
			n.Destination = l.visit(p, src, n, n.Destination, true)
		case *ast.AutoLink:
			label := n.Label(src)
			url := string(n.URL(src))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(url), "mailto:") {
				url = "mailto:" + url // as the renderer writes it
			}
			line, col := p.lineCol(findFrom(src, n.Pos(), label))
			p.doc.Links = append(p.doc.Links, Link{Dest: string(label), URL: url, Line: line, Col: col})
		}
		return ast.WalkContinue, nil
	})
	// The walk meets a link before the image inside its text, while the
	// image's destination comes first in the source.
	sort.SliceStable(p.doc.Links, func(i, j int) bool {
		a, b := p.doc.Links[i], p.doc.Links[j]
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
}

// visit records a link or image destination and returns the one to render.
func (l links) visit(p *page, src []byte, n ast.Node, raw []byte, image bool) []byte {
	off := destOffset(src, raw, n.Pos())
	line, col := p.lineCol(off)
	dest := string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(raw))))
	lk := Link{Dest: dest, URL: dest, Line: line, Col: col, Image: image}
	out := raw
	if l.resolve != nil && isRelative(dest) {
		if u, ok := l.resolve(p.path, dest); ok {
			lk.URL = u
			out = literalDest(u)
		}
	}
	p.doc.Links = append(p.doc.Links, lk)
	return out
}

// destOffset finds where a destination is written. goldmark slices an
// inline or reference destination straight out of the source, so its
// offset is the difference of the capacities; the bytes there are checked,
// and if they differ (a copy, e.g. on a line with tab padding) the
// destination is searched for from the start of the link.
func destOffset(src, dest []byte, from int) int {
	if len(dest) == 0 {
		return from
	}
	if off := cap(src) - cap(dest); off >= 0 && off+len(dest) <= len(src) && bytes.Equal(src[off:off+len(dest)], dest) {
		return off
	}
	return findFrom(src, from, dest)
}

// findFrom returns the offset of the first b in src at or after from, or
// from if there is none.
func findFrom(src []byte, from int, b []byte) int {
	if from < 0 || from > len(src) {
		return from
	}
	if i := bytes.Index(src[from:], b); i >= 0 {
		return from + i
	}
	return from
}

// isRelative reports whether a destination is relative to the page: not
// empty, not a fragment, not rooted and without a URL scheme.
func isRelative(dest string) bool {
	if dest == "" || dest[0] == '/' || dest[0] == '#' {
		return false
	}
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		switch {
		case c == ':':
			return i == 0
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return true
		}
	}
	return true
}

// literalDest escapes a URL so that goldmark's renderer, which resolves
// backslash escapes and entities in destinations, writes it as it is.
func literalDest(u string) []byte {
	return []byte(strings.NewReplacer(`\`, `\\`, `&`, `&amp;`).Replace(u))
}
