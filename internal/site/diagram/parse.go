// Package diagram draws the docs site's flowcharts at build time, as
// inline SVG with an accessible name, so that no page loads a diagram
// library. It reads the part of mermaid's flowchart syntax that
// boxes-and-arrows diagrams use (see Parse), lays the boxes out in layers
// along the flowchart's direction, and writes the SVG (see Graph.SVG).
// Anything outside that part is an *Error at its line and column, never a
// wrong drawing. Extension plugs it into goldmark for ```mermaid blocks.
package diagram

import (
	"fmt"
	"strings"
)

// Graph is a parsed flowchart.
type Graph struct {
	// Dir is the direction of the arrows: "LR", "RL", "TD" or "BT" (TB
	// is read as TD).
	Dir   string
	Nodes []*Node
	Edges []Edge
	// Title and Desc are accTitle and accDescr, the accessible name and
	// description; without Title the name describes the edges.
	Title, Desc string
}

// Node is a box.
type Node struct {
	ID string
	// Label is the box's text, lines separated by "\n"; the ID when the
	// source gives none.
	Label string
	// Round is a box with round ends, written id(label).
	Round bool
}

// Edge is an arrow, or a line without a head, between two nodes (indexes
// into Graph.Nodes).
type Edge struct {
	From, To int
	Label    string
	// Style is "arrow" (-->), "line" (---), "dotted" (-.->),
	// "dotted-line" (-.-) or "thick" (==>).
	Style string
}

// Error is a problem in a diagram's source, at a 1-based line and byte
// column of the diagram (its first line is the header "flowchart LR").
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Supported says what Parse reads: the hint of its errors.
const Supported = "pyrobuild draws flowcharts (`flowchart LR` or `graph TD`) of boxes `id`, `id[text]`, `id(\"text\")` joined by `-->`, `---`, `-.->` or `==>`, with optional `|labels|`, `&` and `accTitle:`/`accDescr:` lines"

// Parse reads a flowchart:
//
//	flowchart LR              (or graph; LR, RL, TD, TB or BT)
//	accTitle: How it works    (optional: the accessible name)
//	accDescr: ...             (optional: a longer description)
//	%% a comment
//	a["sources<br/>.cue .yaml"] --> b(load) -->|then| c & d
//	c --- d
//
// Labels are plain text; <br/> breaks a line. A statement may end with
// ";". Subgraphs, styles, classes, clicks and other shapes are errors.
func Parse(src string) (*Graph, error) {
	p := &reader{g: &Graph{}, ids: map[string]int{}}
	header := false
	for i, line := range strings.Split(src, "\n") {
		p.line, p.src, p.pos = i+1, strings.TrimRight(line, "\r"), 0
		p.skipSpace()
		if p.pos == len(p.src) || strings.HasPrefix(p.src[p.pos:], "%%") {
			continue
		}
		var err error
		if !header {
			err = p.header()
			header = true
		} else {
			err = p.statement()
		}
		if err != nil {
			return nil, err
		}
	}
	if !header {
		return nil, &Error{Line: 1, Col: 1, Msg: "empty diagram"}
	}
	if len(p.g.Nodes) == 0 {
		return nil, &Error{Line: 1, Col: 1, Msg: "the diagram has no boxes"}
	}
	return p.g, nil
}

type reader struct {
	g    *Graph
	ids  map[string]int
	line int
	src  string
	pos  int
}

func (p *reader) errorf(format string, args ...any) error {
	return &Error{Line: p.line, Col: p.pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *reader) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *reader) word() string {
	start := p.pos
	for p.pos < len(p.src) && isIDByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func isIDByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

func (p *reader) header() error {
	kw := p.word()
	if kw != "flowchart" && kw != "graph" {
		p.pos -= len(kw)
		return p.errorf("only flowcharts are drawn, not %q", firstWord(p.src[p.pos:]))
	}
	p.skipSpace()
	dir := p.word()
	switch dir {
	case "LR", "RL", "TD", "BT":
	case "TB", "":
		dir = "TD"
	default:
		p.pos -= len(dir)
		return p.errorf("unknown direction %q: use LR, RL, TD, TB or BT", firstWord(p.src[p.pos:]))
	}
	p.g.Dir = dir
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ';' {
		p.pos++
		p.skipSpace()
	}
	if p.pos < len(p.src) {
		return p.errorf("unexpected %q after the direction: write each statement on its own line", p.src[p.pos:])
	}
	return nil
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// unsupported names statements of mermaid that the drawing does not do.
var unsupported = map[string]string{
	"subgraph":  "subgraphs",
	"end":       "subgraphs",
	"style":     "styles",
	"classDef":  "classes",
	"class":     "classes",
	"click":     "clicks",
	"linkStyle": "link styles",
	"direction": "subgraph directions",
}

func (p *reader) statement() error {
	rest := p.src[p.pos:]
	for _, acc := range []struct {
		key string
		to  *string
	}{{"accTitle", &p.g.Title}, {"accDescr", &p.g.Desc}} {
		if v, ok := strings.CutPrefix(rest, acc.key); ok && strings.HasPrefix(strings.TrimLeft(v, " \t"), ":") {
			*acc.to = strings.TrimSpace(strings.TrimPrefix(strings.TrimLeft(v, " \t"), ":"))
			return nil
		}
	}
	if what, ok := unsupported[firstWord(rest)]; ok {
		return p.errorf("%s are not supported", what)
	}
	from, err := p.group()
	if err != nil {
		return err
	}
	for {
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ';' {
			p.pos++
			p.skipSpace()
		}
		if p.pos == len(p.src) {
			return nil
		}
		style, label, err := p.link()
		if err != nil {
			return err
		}
		p.skipSpace()
		to, err := p.group()
		if err != nil {
			return err
		}
		for _, f := range from {
			for _, t := range to {
				p.g.Edges = append(p.g.Edges, Edge{From: f, To: t, Label: label, Style: style})
			}
		}
		from = to
	}
}

// group reads "a & b & c" and returns the nodes' indexes.
func (p *reader) group() ([]int, error) {
	var ns []int
	for {
		p.skipSpace()
		n, err := p.node()
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == '&' {
			p.pos++
			continue
		}
		return ns, nil
	}
}

// node reads "id", "id[text]" or "id(text)", text optionally quoted.
func (p *reader) node() (int, error) {
	id := p.word()
	if id == "" {
		if p.pos == len(p.src) {
			return 0, p.errorf("a box is missing at the end of the line")
		}
		return 0, p.errorf("expected a box's id (letters, digits, _), found %q", p.src[p.pos:])
	}
	i, seen := p.ids[id]
	if !seen {
		i = len(p.g.Nodes)
		p.ids[id] = i
		p.g.Nodes = append(p.g.Nodes, &Node{ID: id, Label: id})
	}
	if p.pos == len(p.src) {
		return i, nil
	}
	var closer byte
	switch p.src[p.pos] {
	case '[':
		closer = ']'
	case '(':
		closer = ')'
	case '{', '>':
		return 0, p.errorf("this shape of box is not supported")
	default:
		return i, nil
	}
	if p.pos+1 < len(p.src) && strings.ContainsRune("[({/\\>", rune(p.src[p.pos+1])) {
		return 0, p.errorf("this shape of box is not supported")
	}
	p.pos++
	label, err := p.label(closer)
	if err != nil {
		return 0, err
	}
	p.g.Nodes[i].Label, p.g.Nodes[i].Round = label, closer == ')'
	return i, nil
}

// label reads a box's text up to closer, which it consumes.
func (p *reader) label(closer byte) (string, error) {
	start := p.pos
	var text string
	if p.pos < len(p.src) && p.src[p.pos] == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], '"')
		if end < 0 {
			return "", p.errorf("the quoted text is not closed")
		}
		text = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	} else {
		end := strings.IndexByte(p.src[p.pos:], closer)
		if end < 0 {
			p.pos = start - 1
			return "", p.errorf("%q is not closed", p.src[start-1:start])
		}
		text = p.src[p.pos : p.pos+end]
		p.pos += end
	}
	if p.pos >= len(p.src) || p.src[p.pos] != closer {
		return "", p.errorf("expected %q after the text", string(closer))
	}
	p.pos++
	return p.text(text, start)
}

// text turns a label's source into its text: <br/> breaks lines, other
// markup is refused (it would be shown as written).
func (p *reader) text(s string, at int) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '>')
		tag := ""
		if end > 0 {
			tag = strings.ToLower(strings.ReplaceAll(s[i+1:i+end], " ", ""))
		}
		if tag != "br" && tag != "br/" {
			p.pos = at + i + 1
			return "", p.errorf("only <br/> is supported in a box's text, to break a line")
		}
		b.WriteByte('\n')
		s = s[i+end+1:]
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n"), nil
}

// link reads an arrow: -->, ---, -.->, ==> (longer ones alike), each
// optionally followed by |label|, or "-- label -->".
func (p *reader) link() (style, label string, err error) {
	rest := p.src[p.pos:]
	n := 0
	switch {
	case strings.HasPrefix(rest, "-.-"):
		n = 3
		for n < len(rest) && rest[n] == '-' {
			n++
		}
		style = "dotted-line"
		if n < len(rest) && rest[n] == '>' {
			n++
			style = "dotted"
		}
	case strings.HasPrefix(rest, "=="):
		for n < len(rest) && rest[n] == '=' {
			n++
		}
		if n >= len(rest) || rest[n] != '>' {
			return "", "", p.errorf("expected \"==>\"")
		}
		n++
		style = "thick"
	case strings.HasPrefix(rest, "-- ") || strings.HasPrefix(rest, "--\t"):
		return p.textLink()
	case strings.HasPrefix(rest, "--"):
		for n < len(rest) && rest[n] == '-' {
			n++
		}
		switch {
		case n < len(rest) && rest[n] == '>':
			n++
			style = "arrow"
		case n >= 3:
			style = "line"
		default:
			return "", "", p.errorf("expected an arrow (-->, ---, -.->, ==>)")
		}
	default:
		return "", "", p.errorf("expected an arrow (-->, ---, -.->, ==>) here, found %q", firstWord(rest))
	}
	p.pos += n
	if p.pos < len(p.src) && p.src[p.pos] == '|' {
		end := strings.IndexByte(p.src[p.pos+1:], '|')
		if end < 0 {
			return "", "", p.errorf("the arrow's |label| is not closed")
		}
		at := p.pos + 1
		label, err = p.text(strings.Trim(p.src[at:at+end], `"`), at)
		p.pos = at + end + 1
	}
	return style, label, err
}

// textLink reads "-- label -->" or "-- label ---".
func (p *reader) textLink() (string, string, error) {
	at := p.pos + 2
	rest := p.src[at:]
	i := strings.Index(rest, "--")
	if i < 0 {
		return "", "", p.errorf("the arrow's label is not followed by \"-->\"")
	}
	j := i
	for j < len(rest) && rest[j] == '-' {
		j++
	}
	style := "line"
	if j < len(rest) && rest[j] == '>' {
		j++
		style = "arrow"
	} else if j-i < 3 {
		p.pos = at + i
		return "", "", p.errorf("expected \"-->\" after the arrow's label")
	}
	label, err := p.text(strings.Trim(strings.TrimSpace(rest[:i]), `"`), at)
	p.pos = at + j
	return style, label, err
}
