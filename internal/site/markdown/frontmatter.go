package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.yaml.in/yaml/v3"
)

// frontMatterExt reads the YAML front matter as a block of the markdown
// itself rather than cutting it off first: the parser then sees the original
// file, and every position in the page stays a position in that file.
type frontMatterExt struct{}

func (frontMatterExt) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithBlockParsers(
		// Before the thematic break and setext heading parsers, which would
		// otherwise take the "---" lines.
		util.Prioritized(frontMatterParser{}, 0),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(frontMatterRenderer{}, 100),
	))
}

var kindFrontMatter = ast.NewNodeKind("FrontMatter")

type frontMatterNode struct {
	ast.BaseBlock
	closed bool
}

func (n *frontMatterNode) Kind() ast.NodeKind { return kindFrontMatter }
func (n *frontMatterNode) IsRaw() bool        { return true }
func (n *frontMatterNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

type frontMatterParser struct{}

func (frontMatterParser) Trigger() []byte { return []byte{'-'} }

// isDelim reports whether line is a front matter delimiter "---", allowing
// trailing spaces and a CRLF ending.
func isDelim(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r\n")) == "---"
}

func (frontMatterParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	if seg.Start != 0 || parent.Kind() != ast.KindDocument || !isDelim(line) {
		return nil, parser.NoChildren
	}
	// A file that opens with "---" and never closes it is far more likely a
	// broken front matter than a page that starts with a thematic break.
	rest := reader.Source()[seg.Stop:]
	closed := false
	for len(rest) > 0 {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		if isDelim(l) {
			closed = true
			break
		}
	}
	if !closed {
		pageOf(pc).fail(0, `front matter: no closing "---" line`)
		return nil, parser.NoChildren
	}
	reader.AdvanceToEOL()
	return &frontMatterNode{}, parser.NoChildren
}

func (frontMatterParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*frontMatterNode)
	if n.closed {
		return parser.Close
	}
	line, seg := reader.PeekLine()
	reader.AdvanceToEOL()
	if isDelim(line) {
		n.closed = true
		return parser.Close
	}
	n.Lines().Append(seg)
	return parser.Continue | parser.NoChildren
}

func (frontMatterParser) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	// The YAML starts on line 2 of the file: yaml line n is file line n+1.
	lines := node.Lines()
	if lines.Len() == 0 {
		return
	}
	base := lines.At(0).Start
	meta, err := decodeFrontMatter(lines.Value(reader.Source()), func(off int) int { return p.line(base + off) })
	if err != nil {
		p.fail(base+err.off, "front matter: "+err.msg)
		return
	}
	p.doc.Meta = meta
}

func (frontMatterParser) CanInterruptParagraph() bool { return false }
func (frontMatterParser) CanAcceptIndentedLine() bool { return false }

type frontMatterRenderer struct{}

func (frontMatterRenderer) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindFrontMatter, func(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
		return ast.WalkSkipChildren, nil
	})
}

// yamlError is an error at a byte offset of the YAML text. Offsets, not
// yaml.v3's lines, because yaml.v3 also breaks lines at a lone "\r" and at
// U+0085, U+2028 and U+2029, where the page has none.
type yamlError struct {
	off int
	msg string
}

var yamlLineRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// decodeFrontMatter decodes the YAML text y; fileLine gives the page's line
// of an offset in y, for messages that name another line.
func decodeFrontMatter(y []byte, fileLine func(off int) int) (FrontMatter, *yamlError) {
	var meta FrontMatter
	var root yaml.Node
	if err := yaml.Unmarshal(y, &root); err != nil {
		e := &yamlError{msg: strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := yamlLineRe().FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			e.off, e.msg = yamlOffset(y, line, 1), m[2]
		}
		return meta, e
	}
	if len(root.Content) == 0 {
		return meta, nil // empty front matter
	}
	doc := root.Content[0]
	if deep := deeperThan(doc, maxFrontMatterDepth); deep != nil {
		return meta, nodeError(y, deep, fmt.Sprintf("nested deeper than %d levels", maxFrontMatterDepth))
	}
	if doc.Kind != yaml.MappingNode {
		return meta, nodeError(y, doc, "must be a mapping of keys to values")
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return meta, nodeError(y, k, "keys must be plain strings")
		}
		if first, dup := seen[k.Value]; dup {
			return meta, nodeError(y, k, fmt.Sprintf("duplicate key %q (first at line %d)", k.Value, fileLine(yamlOffset(y, first.Line, first.Column))))
		}
		seen[k.Value] = k
		var target any
		var want string
		switch k.Value {
		case "title":
			target, want = &meta.Title, "a string"
		case "description":
			target, want = &meta.Description, "a string"
		case "nav_title":
			target, want = &meta.NavTitle, "a string"
		case "weight":
			target, want = &meta.Weight, "an integer"
		case "draft":
			target, want = &meta.Draft, "true or false"
		default:
			var val any
			if err := v.Decode(&val); err != nil {
				return meta, nodeError(y, v, fmt.Sprintf("%s: %v", k.Value, err))
			}
			if meta.Params == nil {
				meta.Params = map[string]any{}
			}
			meta.Params[k.Value] = val
			continue
		}
		if v.Kind != yaml.ScalarNode || v.Decode(target) != nil {
			return meta, nodeError(y, v, fmt.Sprintf("%s must be %s", k.Value, want))
		}
	}
	return meta, nil
}

// maxFrontMatterDepth bounds nesting in front matter: parameters for
// templates are shallow, and a hostile page must not make every template
// walk ten thousand levels.
const maxFrontMatterDepth = 100

// deeperThan returns a node nested deeper than max levels below n, or nil.
func deeperThan(n *yaml.Node, max int) *yaml.Node {
	if max < 0 {
		return n
	}
	for _, c := range n.Content {
		if d := deeperThan(c, max-1); d != nil {
			return d
		}
	}
	return nil
}

// nodeError is an error at node n.
func nodeError(y []byte, n *yaml.Node, msg string) *yamlError {
	return &yamlError{off: yamlOffset(y, n.Line, n.Column), msg: msg}
}

// yamlOffset converts yaml.v3's 1-based line and character column to a
// byte offset in y, counting line breaks as yaml.v3 does. A position past
// the end (yaml.v3 reports the end of the stream on the line after the
// last) is the end of y.
func yamlOffset(y []byte, line, col int) int {
	off := 0
	for l := 1; l < line && off < len(y); {
		r, size := utf8.DecodeRune(y[off:])
		off += size
		switch {
		case r == '\r' && off < len(y) && y[off] == '\n':
			off++
			l++
		case r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			l++
		}
	}
	for c := 1; c < col && off < len(y) && y[off] != '\n' && y[off] != '\r'; c++ {
		_, size := utf8.DecodeRune(y[off:])
		off += size
	}
	return off
}
