package markdown

import (
	"regexp"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// admonitions renders call-out boxes written either way the docs' authors
// know them, so pages read the same on GitHub and on the site:
//
//   - mkdocs: `!!! note "Optional title"` and a body indented 4 spaces;
//     `??? note` collapsed into <details>, `???+ note` open. More words after
//     the type are extra classes, as in mkdocs (`!!! note inline end`), and
//     an empty title `""` drops the title line.
//   - GitHub: a blockquote whose first line is `[!NOTE]`, `[!TIP]`,
//     `[!IMPORTANT]`, `[!WARNING]` or `[!CAUTION]`.
//
// Any type word is accepted; it becomes the CSS class and, title-cased, the
// default title.
type admonitions struct{}

func (admonitions) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(admonitionParser{}, 150)),
		parser.WithASTTransformers(util.Prioritized(admonitions{}, 100)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(admonitions{}, 100),
	))
}

var (
	kindAdmonition      = ast.NewNodeKind("Admonition")
	kindAdmonitionTitle = ast.NewNodeKind("AdmonitionTitle")
)

type admonitionNode struct {
	ast.BaseBlock
	// class is the type word, lowercased: "note", "warning", ...
	class string
	// extra are further classes written after the type (mkdocs only).
	extra       []string
	collapsible bool
	open        bool
}

func (n *admonitionNode) Kind() ast.NodeKind { return kindAdmonition }
func (n *admonitionNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Class": n.class}, nil)
}

// admonitionTitle is the first child of an admonitionNode that has a
// title. A written title is its line segment, so goldmark parses it as
// inline markdown like any paragraph (titles such as "Use `pb.#Panel`" get
// their code span). A default title is filled in by the transformer: the
// block parse walks every node as a block, so inline children cannot exist
// before then.
type admonitionTitle struct {
	ast.BaseBlock
	fallback string
}

func (n *admonitionTitle) Kind() ast.NodeKind { return kindAdmonitionTitle }
func (n *admonitionTitle) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

// defaultTitle title-cases the type word, as mkdocs does.
func defaultTitle(class string) string {
	if class == "" {
		return ""
	}
	return strings.ToUpper(class[:1]) + class[1:]
}

var admonitionRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(!!!|\?\?\?\+?)[ \t]+([A-Za-z][\w-]*)((?:[ \t]+[A-Za-z][\w-]*)*)(?:[ \t]+"(.*)")?[ \t]*$`)
})

type admonitionParser struct{}

func (admonitionParser) Trigger() []byte { return []byte{'!', '?'} }

func (admonitionParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	l := line[pos:]
	m := admonitionRe().FindSubmatchIndex(util.TrimRightSpace(l))
	if m == nil {
		return nil, parser.NoChildren
	}
	marker := string(l[m[2]:m[3]])
	n := &admonitionNode{
		class:       strings.ToLower(string(l[m[4]:m[5]])),
		extra:       strings.Fields(strings.ToLower(string(l[m[6]:m[7]]))),
		collapsible: marker != "!!!",
		open:        marker == "???+",
	}
	switch {
	case m[8] >= 0 && m[9] > m[8]:
		t := &admonitionTitle{}
		// line starts with the segment's padding, which is not in the
		// source.
		start := seg.Start - seg.Padding + pos + m[8]
		t.Lines().Append(text.NewSegment(start, start+m[9]-m[8]))
		n.AppendChild(n, t)
	case m[8] >= 0 && !n.collapsible:
		// mkdocs: an explicit empty title means no title line. A
		// <summary> cannot be empty, so collapsible ones keep theirs.
	default:
		n.AppendChild(n, &admonitionTitle{fallback: defaultTitle(n.class)})
	}
	reader.AdvanceToEOL()
	return n, parser.HasChildren
}

func (admonitionParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	return continueIndented(reader)
}

func (admonitionParser) Close(ast.Node, text.Reader, parser.Context) {}

// CanInterruptParagraph is true as in Python-Markdown, which splits a
// paragraph at the marker line; it also ends the previous admonition's last
// paragraph when no blank line separates two admonitions.
func (admonitionParser) CanInterruptParagraph() bool { return true }
func (admonitionParser) CanAcceptIndentedLine() bool { return false }

var alertRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*\[!([A-Za-z]+)\]\s*$`) })

// alertTypes are GitHub's alert types; other words in brackets stay a
// plain blockquote, as on GitHub.
var alertTypes = map[string]bool{"note": true, "tip": true, "important": true, "warning": true, "caution": true}

// Transform fills in default titles and turns GitHub alerts into
// admonitions. It runs on the finished tree because the marker line is only
// known to be alone once the blockquote's paragraph is complete.
func (admonitions) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		switch n := n.(type) {
		case *ast.Blockquote:
			quotes = append(quotes, n)
		case *admonitionTitle:
			if n.Lines().Len() == 0 {
				n.AppendChild(n, ast.NewString([]byte(n.fallback)))
			}
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		para, ok := q.FirstChild().(*ast.Paragraph)
		if !ok || para.Lines().Len() == 0 {
			continue
		}
		first := para.Lines().At(0)
		m := alertRe().FindSubmatch(first.Value(src))
		if m == nil || !alertTypes[strings.ToLower(string(m[1]))] {
			continue
		}
		class := strings.ToLower(string(m[1]))
		adm := &admonitionNode{class: class}
		title := &admonitionTitle{}
		title.AppendChild(title, ast.NewString([]byte(defaultTitle(class))))
		adm.AppendChild(adm, title)
		// Drop the marker line: its inline nodes and its line segment.
		for c := para.FirstChild(); c != nil && c.Pos() >= 0 && c.Pos() < first.Stop; {
			next := c.NextSibling()
			para.RemoveChild(para, c)
			c = next
		}
		para.Lines().SetSliced(1, para.Lines().Len())
		if para.ChildCount() == 0 {
			q.RemoveChild(q, para)
		}
		for c := q.FirstChild(); c != nil; {
			next := c.NextSibling()
			adm.AppendChild(adm, c)
			c = next
		}
		adm.SetPos(q.Pos())
		adm.SetBlankPreviousLines(q.HasBlankPreviousLines())
		q.Parent().ReplaceChild(q.Parent(), q, adm)
	}
}

func (admonitions) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindAdmonition, renderAdmonition)
	r.Register(kindAdmonitionTitle, renderAdmonitionTitle)
}

func renderAdmonition(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*admonitionNode)
	if !entering {
		if n.collapsible {
			_, _ = w.WriteString("</details>\n")
		} else {
			_, _ = w.WriteString("</aside>\n")
		}
		return ast.WalkContinue, nil
	}
	// A box is an <aside> named after its kind, so a screen reader says
	// "Warning" or "Tip" even when the title says something else. Not
	// role="note" for all kinds (a warning is not a note), and not
	// role="alert", which is for live, time-sensitive messages. A
	// collapsible box is a <details>, named by its <summary>.
	tag := "aside"
	if n.collapsible {
		tag = "details"
	}
	_, _ = w.WriteString("<" + tag + ` class="admonition `)
	_, _ = w.Write(util.EscapeHTML([]byte(n.class)))
	for _, c := range n.extra {
		_ = w.WriteByte(' ')
		_, _ = w.Write(util.EscapeHTML([]byte(c)))
	}
	_ = w.WriteByte('"')
	if n.collapsible {
		if n.open {
			_, _ = w.WriteString(" open")
		}
	} else {
		_, _ = w.WriteString(` aria-label="`)
		_, _ = w.Write(util.EscapeHTML([]byte(defaultTitle(n.class))))
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	if _, ok := n.FirstChild().(*admonitionTitle); !ok {
		_ = w.WriteByte('\n')
	}
	return ast.WalkContinue, nil
}

func renderAdmonitionTitle(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	start, end := `<p class="admonition-title">`, "</p>\n"
	if a, ok := node.Parent().(*admonitionNode); ok && a.collapsible {
		start, end = "<summary>", "</summary>\n"
	}
	if entering {
		_, _ = w.WriteString(start)
	} else {
		_, _ = w.WriteString(end)
	}
	return ast.WalkContinue, nil
}
