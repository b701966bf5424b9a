package markdown

import (
	"html"
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// page is the state of one Render call. It travels in the parser.Context so
// that the extensions, which goldmark shares between concurrent parses, keep
// nothing per page themselves.
type page struct {
	path string
	// lineStarts holds the offset of the first byte of every line.
	lineStarts []int
	doc        *Document
	// err is the first error found while parsing; Render returns it.
	err error
	// ids are the ids given out so far, so generated ones stay unique.
	ids map[string]bool
	// tabGroups counts tab groups, to number their element ids.
	tabGroups int
}

var pageKey = parser.NewContextKey()

func newPage(path string, src []byte) *page {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return &page{
		path:       path,
		lineStarts: starts,
		doc:        &Document{},
		ids:        map[string]bool{},
	}
}

// pageOf returns the page being parsed. When an extension runs in a plain
// goldmark parse, outside Render, it gets a page of its own whose results
// nobody reads, so extensions need no nil checks.
func pageOf(pc parser.Context) *page {
	return pc.ComputeIfAbsent(pageKey, func() any { return newPage("", nil) }).(*page)
}

// lineCol turns a byte offset into a 1-based line and byte column.
func (p *page) lineCol(off int) (line, col int) {
	if off < 0 {
		return 1, 1
	}
	i := sort.Search(len(p.lineStarts), func(i int) bool { return p.lineStarts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - p.lineStarts[i] + 1
}

func (p *page) line(off int) int {
	l, _ := p.lineCol(off)
	return l
}

// fail records the first error of the page, the one worth reporting.
func (p *page) fail(off int, msg string) {
	line, col := p.lineCol(off)
	p.failAt(line, col, msg)
}

func (p *page) failAt(line, col int, msg string) {
	if p.err == nil {
		p.err = &Error{Path: p.path, Line: line, Col: col, Msg: msg}
	}
}

// blockStart is the offset where a block node starts in the source.
// Content lines are more precise than Pos where there are any: a setext
// heading is opened on its underline.
func blockStart(n ast.Node) int {
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		s := n.Lines().At(0)
		return s.Start
	}
	return n.Pos()
}

// plainText is the text of an inline tree as a reader sees it: no markup,
// the typographer's entities decoded, line breaks as spaces.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	writePlain(&b, n, src)
	return strings.Join(strings.Fields(b.String()), " ")
}

func writePlain(b *strings.Builder, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writeInline(b, c, src)
	}
}

func writeInline(b *strings.Builder, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Text:
		v := n.Segment.Value(src)
		if !n.IsRaw() {
			// As the HTML shows it: `a\_b` reads a_b, `&amp;` reads &.
			v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
		}
		b.Write(v)
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
	case *ast.String:
		if n.IsCode() {
			b.WriteString(html.UnescapeString(string(n.Value)))
		} else {
			b.Write(n.Value)
		}
	case *ast.AutoLink:
		b.Write(n.Label(src))
	case *ast.RawHTML:
		// Inline tags are markup, not text.
	default:
		writePlain(b, n, src)
	}
}

func unescapeHTML(s string) string { return html.UnescapeString(s) }

// continueIndented continues a container whose body is indented 4 columns,
// as admonitions and tabs are: blank lines and indented lines belong to it,
// and the rest of an indented line goes to its children, like a list item's
// body.
func continueIndented(reader text.Reader) parser.State {
	line, _ := reader.PeekLine()
	if util.IsBlank(line) {
		reader.AdvanceToEOL()
		return parser.Continue | parser.HasChildren
	}
	pos, padding := util.IndentPosition(line, reader.LineOffset(), 4)
	if pos < 0 {
		return parser.Close
	}
	reader.AdvanceAndSetPadding(pos, padding)
	return parser.Continue | parser.HasChildren
}
