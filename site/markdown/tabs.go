package markdown

import (
	"regexp"
	"strconv"
	"strings"

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
// instead of the group's first tab.
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
	kindTab      = ast.NewNodeKind("Tab")
	kindTabGroup = ast.NewNodeKind("TabGroup")
)

// tabNode is one tab and its panel.
type tabNode struct {
	ast.BaseBlock
	label    string
	newGroup bool // written "===!"
	want     bool // written "===+"
	selected bool
	// id is "N-i": group N of the page, tab i of the group.
	id string
}

func (n *tabNode) Kind() ast.NodeKind { return kindTab }
func (n *tabNode) title() string      { return n.label }
func (n *tabNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Label": n.label, "ID": n.id}, nil)
}

// tabGroupNode holds consecutive tabNodes.
type tabGroupNode struct {
	ast.BaseBlock
}

func (n *tabGroupNode) Kind() ast.NodeKind { return kindTabGroup }
func (n *tabGroupNode) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, nil, nil)
}

var tabRe = regexp.MustCompile(`^===([!+]{0,2})[ \t]+"(.*)"[ \t]*$`)

type tabParser struct{}

func (tabParser) Trigger() []byte { return []byte{'='} }

func (tabParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, _ := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || pos >= len(line) {
		return nil, parser.NoChildren
	}
	m := tabRe.FindSubmatch(util.TrimRightSpace(line[pos:]))
	if m == nil {
		return nil, parser.NoChildren
	}
	n := &tabNode{
		label:    string(m[2]),
		newGroup: strings.Contains(string(m[1]), "!"),
		want:     strings.Contains(string(m[1]), "+"),
	}
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
			groups = append(groups, g)
			numbers = append(numbers, p.tabGroups)
			p.tabGroups++
		}
		g.AppendChild(g, t)
	}
	for gi, g := range groups {
		var sel *tabNode
		i := 0
		for c := g.FirstChild(); c != nil; c = c.NextSibling() {
			t := c.(*tabNode)
			t.id = strconv.Itoa(numbers[gi]) + "-" + strconv.Itoa(i)
			p.ids["tab-"+t.id] = true
			p.ids["panel-"+t.id] = true
			if sel == nil && t.want {
				sel = t
			}
			i++
		}
		if sel == nil {
			sel = g.FirstChild().(*tabNode)
		}
		sel.selected = true
	}
	if len(groups) > 0 {
		p.doc.Tabs = true
	}
}

func (tabs) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(kindTabGroup, renderTabGroup)
	r.Register(kindTab, renderTab)
}

func renderTabGroup(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</div>\n")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<div class="tabs" data-tabs><div class="tab-list" role="tablist">`)
	for c := node.FirstChild(); c != nil; c = c.NextSibling() {
		t := c.(*tabNode)
		_, _ = w.WriteString(`<button type="button" role="tab" id="tab-` + t.id + `" aria-controls="panel-` + t.id + `"`)
		if t.selected {
			_, _ = w.WriteString(` aria-selected="true">`)
		} else {
			// Only the selected tab is in the tab order; arrow keys move
			// between tabs (WAI-ARIA tabs pattern).
			_, _ = w.WriteString(` aria-selected="false" tabindex="-1">`)
		}
		_, _ = w.Write(util.EscapeHTML([]byte(t.label)))
		_, _ = w.WriteString("</button>")
	}
	_, _ = w.WriteString("</div>\n")
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
