package markdown

import (
	"github.com/yuin/goldmark/parser"

	"github.com/pyrobuild/pyrobuild/internal/site/diagram"
)

// diagrams draws ```mermaid blocks at build time, as inline SVG (package
// site/diagram): pages load no diagram script. A block it cannot draw
// fails the page at the problem's line and column.
func diagrams() diagram.Extension {
	return diagram.Extension{Report: func(pc parser.Context, off int, msg string) {
		p := pageOf(pc)
		if p.err == nil {
			line, col := p.lineCol(off)
			p.err = &Error{Path: p.path, Line: line, Col: col, Msg: msg, Diagram: true}
		}
	}}
}
