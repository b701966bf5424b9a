package markdown

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// tabs renders content tabs in pymdownx.tabbed syntax, which the docs'
// authors know from mkdocs: each `=== "Label"` line starts a tab whose body
// is indented 4 spaces, and consecutive tabs form one group. `===!` starts a
// new group even right after another tab, and `===+` selects a tab first
// instead of the group's first tab. Labels are inline markdown.
//
// The HTML follows the WAI-ARIA tabs pattern so that the page works with
// assistive technology once the site's script wires up the buttons; without
// the script the first panel still shows.
type tabs struct{}

func (tabs) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(tabParser{}, 150)),
		parser.WithASTTransformers(util.Prioritized(tabs{}, 110)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(tabs{}, 100),
	))
}

var (
	kindTabGroup = ast.NewNodeKind("TabGroup")
	kindTabList  = ast.NewNodeKind("TabList")
	kindTabLabel = ast.NewNodeKind("TabLabel")
	kindTab      = ast.NewNodeKind("Tab")
)

// The parser makes a tabNode per tab, its label as first child. The
// transformer then builds each group:
//
//	tabGroupNode
//	  tabListNode
//	    tabLabelNode (moved out of each tab)
//	  tabNode
//	  tabNode
type (
	tabGroupNode struct{ ast.BaseBlock }
	tabListNode  struct{ ast.BaseBlock }
	// tabLabelNode's line segment is the label, parsed as inline markdown.
	tabLabelNode struct {
		ast.BaseBlock
		tab *tabNode
	}
	// tabNode is one tab's panel.
	tabNode struct {
		ast.BaseBlock
		newGroup bool // written "===!"
		want     bool // written "===+"
		selected bool
		// id is "N-i": group N of the page, tab i of the group.
		id string
	}
)

func (n *tabGroupNode) Kind() ast.NodeKind         { return kindTabGroup }
func (n *tabGroupNode) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }
func (n *tabListNode) Kind() ast.NodeKind          { return kindTabList }
func (n *tabListNode) Dump(src []byte, level int)  { ast.DumpHelper(n, src, level, nil, nil) }
func (n *tabLabelNode) Kind() ast.NodeKind         { return kindTabLabel }
func (n *tabLabelNode) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }
func (n *tabNode) Kind() ast.NodeKind              { return kindTab }
func (n *tabNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"ID": n.id}, nil)
}

var tabRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^===([!+]{0,2})[ \t]+"(.*)"[ \t]*$`) })

type tabParser struct{}

func (tabParser) Trigger() []byte { return []byte{'='} }

func (tabParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	l := line[pos:]
	m := tabRe().FindSubmatchIndex(util.TrimRightSpace(l))
	if m == nil {
		return nil, parser.NoChildren
	}
	flags := string(l[m[2]:m[3]])
	n := &tabNode{
		newGroup: strings.Contains(flags, "!"),
		want:     strings.Contains(flags, "+"),
	}
	label := &tabLabelNode{tab: n}
	// line starts with the segment's padding, which is not in the source.
	start := seg.Start - seg.Padding + pos + m[4]
	label.Lines().Append(text.NewSegment(start, start+m[5]-m[4]))
	n.AppendChild(n, label)
	reader.AdvanceToEOL()
	return n, parser.HasChildren
}

func (tabParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	return continueIndented(reader)
}

func (tabParser) Close(ast.Node, text.Reader, parser.Context) {}

// CanInterruptParagraph is true so that tabs written without blank lines
// between them still start new tabs rather than continue the previous
// tab's paragraph lazily. A setext underline has no label, so it never
// matches.
func (tabParser) CanInterruptParagraph() bool { return true }
func (tabParser) CanAcceptIndentedLine() bool { return false }

// Transform groups consecutive tabs and numbers them. It runs before
// anchors so that heading ids steer clear of the tab ids.
func (tabs) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	var all []*tabNode
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		if t, ok := n.(*tabNode); ok {
			all = append(all, t)
		}
		return ast.WalkContinue, nil
	})
	var groups []*tabGroupNode
	var numbers []int
	for _, t := range all {
		g, ok := t.PreviousSibling().(*tabGroupNode)
		if !ok || t.newGroup {
			g = &tabGroupNode{}
			g.SetPos(t.Pos())
			g.SetBlankPreviousLines(t.HasBlankPreviousLines())
			t.Parent().InsertBefore(t.Parent(), t, g)
			g.AppendChild(g, &tabListNode{})
			groups = append(groups, g)
			numbers = append(numbers, p.tabGroups)
			p.tabGroups++
		}
		list := g.FirstChild()
		list.AppendChild(list, t.FirstChild())
		g.AppendChild(g, t)
	}
	for gi, g := range groups {
		var first, sel *tabNode
		for c, i := g.FirstChild().NextSibling(), 0; c != nil; c, i = c.NextSibling(), i+1 {
			t := c.(*tabNode)
			t.id = strconv.Itoa(numbers[gi]) + "-" + strconv.Itoa(i)
			p.ids["tab-"+t.id] = true
			p.ids["panel-"+t.id] = true
			if first == nil {
				first = t
			}
			if sel == nil && t.want {
				sel = t
			}
		}
		if sel == nil {
			sel = first
		}
		sel.selected = true
	}
	if len(groups) > 0 {
		p.doc.Tabs = true
	}
}

func (tabs) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindTabGroup, renderTabGroup)
	r.Register(kindTabList, renderTabList)
	r.Register(kindTabLabel, renderTabLabel)
	r.Register(kindTab, renderTab)
}

func renderTabGroup(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<div class="tabs" data-tabs>`)
	} else {
		_, _ = w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}

func renderTabList(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString(`<div class="tab-list" role="tablist">`)
	} else {
		_, _ = w.WriteString("</div>\n")
	}
	return ast.WalkContinue, nil
}

func renderTabLabel(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</button>")
		return ast.WalkContinue, nil
	}
	t := node.(*tabLabelNode).tab
	_, _ = w.WriteString(`<button type="button" role="tab" id="tab-` + t.id + `" aria-controls="panel-` + t.id + `"`)
	if t.selected {
		_, _ = w.WriteString(` aria-selected="true">`)
	} else {
		// Only the selected tab is in the tab order; arrow keys move
		// between tabs (WAI-ARIA tabs pattern).
		_, _ = w.WriteString(` aria-selected="false" tabindex="-1">`)
	}
	return ast.WalkContinue, nil
}

func renderTab(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	t := node.(*tabNode)
	if !entering {
		_, _ = w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<div class="tab-panel" role="tabpanel" id="panel-` + t.id + `" aria-labelledby="tab-` + t.id + `"`)
	if !t.selected {
		_, _ = w.WriteString(" hidden")
	}
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}
