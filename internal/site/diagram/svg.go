package diagram

import (
	"bytes"
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sizes of the drawing, in CSS pixels. Text widths are estimated (the
// build has no fonts): generously, so that a label never leaves its box.
const (
	fontSize  = 14
	lineH     = 18
	padX      = 14
	padY      = 9
	minBoxW   = 64
	layerGap  = 44 // between layers, along the arrows
	crossGap  = 22 // between boxes of one layer
	margin    = 4
	headLen   = 8
	headHalf  = 4.5
	labelPadX = 5
)

// textWidth estimates the width of one line of text at fontSize.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && strings.ContainsRune("il.,:;|!'` ", r):
			w += 4.5
		case r < utf8.RuneSelf && ('A' <= r && r <= 'Z' || r == 'm' || r == 'w'):
			w += 10
		case r < utf8.RuneSelf:
			w += 8
		default:
			w += fontSize
		}
	}
	return w
}

func labelWidth(label string) float64 {
	w := 0.0
	for _, l := range strings.Split(label, "\n") {
		w = max(w, textWidth(l))
	}
	return w
}

// box is a node's place: x, y its top left corner, in the drawing laid
// out left to right (LR) or top down (TD), before mirroring for RL, BT.
type box struct {
	x, y, w, h float64
	rank       int
}

// layout places the nodes: ranks along the arrows, order within a rank.
type layout struct {
	g        *Graph
	across   bool // LR or RL: layers are columns
	boxes    []box
	layers   [][]int
	back     []bool // edges drawn against the direction (cycles)
	width    float64
	height   float64
	mirrored bool
}

func newLayout(g *Graph) *layout {
	l := &layout{g: g, across: g.Dir == "LR" || g.Dir == "RL", mirrored: g.Dir == "RL" || g.Dir == "BT"}
	l.rank()
	l.order()
	l.place()
	return l
}

// rank gives each node the length of the longest path reaching it, over
// the edges that do not close a cycle (found by a depth-first search in
// source order).
func (l *layout) rank() {
	n := len(l.g.Nodes)
	out := make([][]int, n) // edge indexes by source
	for i, e := range l.g.Edges {
		out[e.From] = append(out[e.From], i)
	}
	l.back = make([]bool, len(l.g.Edges))
	state := make([]int, n) // 0 new, 1 on the stack, 2 done
	var topo []int
	var visit func(v int)
	visit = func(v int) {
		state[v] = 1
		for _, ei := range out[v] {
			w := l.g.Edges[ei].To
			switch state[w] {
			case 0:
				visit(w)
			case 1:
				l.back[ei] = true
			}
		}
		state[v] = 2
		topo = append(topo, v)
	}
	for v := range n {
		if state[v] == 0 {
			visit(v)
		}
	}
	l.boxes = make([]box, n)
	for i := len(topo) - 1; i >= 0; i-- {
		v := topo[i]
		for _, ei := range out[v] {
			e := l.g.Edges[ei]
			if !l.back[ei] && e.To != v {
				l.boxes[e.To].rank = max(l.boxes[e.To].rank, l.boxes[v].rank+1)
			}
		}
	}
	for v := range n {
		r := l.boxes[v].rank
		for len(l.layers) <= r {
			l.layers = append(l.layers, nil)
		}
		l.layers[r] = append(l.layers[r], v)
	}
}

// order sorts each layer by the mean position of its neighbours in the
// layer before, then after, a few times over: fewer crossings.
func (l *layout) order() {
	pos := make([]float64, len(l.g.Nodes))
	setPos := func() {
		for _, layer := range l.layers {
			for i, v := range layer {
				pos[v] = float64(i)
			}
		}
	}
	setPos()
	sweep := func(layer []int, down bool) {
		bary := map[int]float64{}
		for _, v := range layer {
			sum, k := 0.0, 0
			for ei, e := range l.g.Edges {
				if l.back[ei] {
					continue
				}
				if down && e.To == v && l.boxes[e.From].rank < l.boxes[v].rank {
					sum, k = sum+pos[e.From], k+1
				}
				if !down && e.From == v && l.boxes[e.To].rank > l.boxes[v].rank {
					sum, k = sum+pos[e.To], k+1
				}
			}
			if k > 0 {
				bary[v] = sum / float64(k)
			} else {
				bary[v] = pos[v]
			}
		}
		sort.SliceStable(layer, func(i, j int) bool { return bary[layer[i]] < bary[layer[j]] })
		for i, v := range layer {
			pos[v] = float64(i)
		}
	}
	for range 3 {
		for r := 1; r < len(l.layers); r++ {
			sweep(l.layers[r], true)
		}
		for r := len(l.layers) - 2; r >= 0; r-- {
			sweep(l.layers[r], false)
		}
	}
}

// place sizes the boxes and gives them coordinates: layers one after the
// other along the arrows, each layer's boxes centred across them.
func (l *layout) place() {
	for v, n := range l.g.Nodes {
		lines := strings.Count(n.Label, "\n") + 1
		l.boxes[v].w = max(minBoxW, labelWidth(n.Label)+2*padX)
		l.boxes[v].h = float64(lines*lineH + 2*padY)
	}
	// along is a box's size along the arrows, cross across them.
	along := func(b box) float64 {
		if l.across {
			return b.w
		}
		return b.h
	}
	cross := func(b box) float64 {
		if l.across {
			return b.h
		}
		return b.w
	}
	// The gap after a layer leaves room for the labels of its arrows.
	gaps := make([]float64, len(l.layers))
	for i := range gaps {
		gaps[i] = layerGap
	}
	for _, e := range l.g.Edges {
		if e.Label == "" {
			continue
		}
		r := min(l.boxes[e.From].rank, l.boxes[e.To].rank)
		need := labelWidth(e.Label) + 2*labelPadX + 2*headLen + 8
		if !l.across {
			need = float64((strings.Count(e.Label, "\n")+1)*lineH) + 2*headLen + 8
		}
		gaps[r] = max(gaps[r], need)
	}
	var crossMax float64
	crossSize := make([]float64, len(l.layers))
	for r, layer := range l.layers {
		for i, v := range layer {
			if i > 0 {
				crossSize[r] += crossGap
			}
			crossSize[r] += cross(l.boxes[v])
		}
		crossMax = max(crossMax, crossSize[r])
	}
	at := float64(margin)
	for r, layer := range l.layers {
		thick := 0.0
		for _, v := range layer {
			thick = max(thick, along(l.boxes[v]))
		}
		c := margin + (crossMax-crossSize[r])/2
		for _, v := range layer {
			b := &l.boxes[v]
			a := at + (thick-along(*b))/2
			if l.across {
				b.x, b.y = a, c
			} else {
				b.x, b.y = c, a
			}
			c += cross(*b) + crossGap
		}
		at += thick
		if r < len(l.layers)-1 {
			at += gaps[r]
		}
	}
	alongMax := at + margin
	crossMax += 2 * margin
	// Edges against the direction loop around the far side of the boxes
	// (see edgePath): make room for the loops and their labels.
	for ei, e := range l.g.Edges {
		s, t := l.boxes[e.From], l.boxes[e.To]
		if !l.back[ei] && e.From != e.To && s.rank != t.rank {
			continue
		}
		var far, d float64
		if l.across {
			far = max(s.y+s.h, t.y+t.h)
			d = far - min(s.y+s.h, t.y+t.h) + 24
		} else {
			far = max(s.x+s.w, t.x+t.w)
			d = far - min(s.x+s.w, t.x+t.w) + 24
		}
		ext := far + d*0.75 + margin
		if e.Label != "" {
			if l.across {
				ext += float64((strings.Count(e.Label, "\n")+1)*lineH)/2 + 2
			} else {
				ext += labelWidth(e.Label)/2 + labelPadX
			}
		}
		crossMax = max(crossMax, ext)
	}
	if l.across {
		l.width, l.height = alongMax, crossMax
	} else {
		l.width, l.height = crossMax, alongMax
	}
}

// pt mirrors a point of the LR or TD drawing for RL or BT.
func (l *layout) pt(x, y float64) (float64, float64) {
	if !l.mirrored {
		return x, y
	}
	if l.across {
		return l.width - x, y
	}
	return x, l.height - y
}

func num(v float64) string {
	return strconv.FormatFloat(float64(int64(v*10+0.5*sign(v)))/10, 'f', -1, 64)
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// pathWriter writes an SVG path's data through the mirror.
type pathWriter struct {
	l *layout
	b strings.Builder
}

func (w *pathWriter) cmd(c string, xy ...float64) {
	w.b.WriteString(c)
	for i := 0; i+1 < len(xy); i += 2 {
		x, y := w.l.pt(xy[i], xy[i+1])
		if i > 0 {
			w.b.WriteByte(' ')
		}
		w.b.WriteString(num(x) + "," + num(y))
	}
}

// SVG draws the graph as an inline SVG element: role="img", named by a
// <title> and aria-label (Title, or a description of the arrows), with
// Desc as its <desc>. Colours come from the page's CSS classes (diagram,
// node, edge, edge-label), with currentColor as the fallback, so the
// drawing follows the site's light and dark themes.
func (g *Graph) SVG() []byte {
	l := newLayout(g)
	var b bytes.Buffer
	name := g.Title
	desc := g.Desc
	if name == "" {
		name = "Diagram: " + g.describe()
	} else if desc == "" {
		desc = g.describe()
	}
	w, h := num(l.width), num(l.height)
	b.WriteString(`<svg class="diagram" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ` + w + " " + h + `" width="` + w + `" height="` + h + `" aria-label="` + html.EscapeString(name) + `">` + "\n")
	b.WriteString("<title>" + html.EscapeString(name) + "</title>\n")
	if desc != "" {
		b.WriteString("<desc>" + html.EscapeString(desc) + "</desc>\n")
	}
	var heads pathWriter
	heads.l = l
	var labels bytes.Buffer
	for ei, e := range g.Edges {
		var p pathWriter
		p.l = l
		mx, my := l.edgePath(&p, &heads, ei)
		class := "edge"
		switch e.Style {
		case "dotted", "dotted-line":
			class += " dotted"
		case "thick":
			class += " thick"
		}
		b.WriteString(`<path class="` + class + `" d="` + p.b.String() + `" fill="none" stroke="currentColor"/>` + "\n")
		if e.Label != "" {
			x, y := l.pt(mx, my)
			l.writeText(&labels, "edge-label", e.Label, x, y)
		}
	}
	if heads.b.Len() > 0 {
		b.WriteString(`<path class="head" d="` + heads.b.String() + `" fill="currentColor"/>` + "\n")
	}
	b.Write(labels.Bytes())
	for v, n := range g.Nodes {
		bx := l.boxes[v]
		x, y := l.pt(bx.x, bx.y)
		if l.mirrored && l.across {
			x -= bx.w
		} else if l.mirrored {
			y -= bx.h
		}
		rx := "6"
		if n.Round {
			rx = num(min(bx.h/2, 20))
		}
		b.WriteString(`<rect class="node" x="` + num(x) + `" y="` + num(y) + `" width="` + num(bx.w) + `" height="` + num(bx.h) + `" rx="` + rx + `" fill="none" stroke="currentColor"/>` + "\n")
		writeLines(&b, "node-text", n.Label, x+bx.w/2, y+bx.h/2)
	}
	b.WriteString("</svg>")
	return b.Bytes()
}

// edgePath writes edge ei's curve into p and its head into heads, and
// returns the curve's middle, where its label goes.
func (l *layout) edgePath(p, heads *pathWriter, ei int) (float64, float64) {
	e := l.g.Edges[ei]
	s, t := l.boxes[e.From], l.boxes[e.To]
	head := e.Style == "arrow" || e.Style == "dotted" || e.Style == "thick"
	if l.back[ei] || e.From == e.To || s.rank == t.rank {
		// Around the far side: out of the source's and into the
		// target's side across the arrows.
		var x1, y1, x2, y2, dx, dy float64
		if l.across {
			x1, y1, x2, y2 = s.x+s.w/2, s.y+s.h, t.x+t.w/2, t.y+t.h
			if e.From == e.To {
				x1, x2 = s.x+s.w/3, s.x+2*s.w/3
			}
			dy = max(y1, y2) - min(y1, y2) + 24
			p.cmd("M", x1, y1)
			end := y2 + headLenIf(head)
			p.cmd(" C", x1, y1+dy, x2, y2+dy, x2, end)
			if head {
				heads.cmd("M", x2, y2)
				heads.cmd("L", x2-headHalf, y2+headLen)
				heads.cmd("L", x2+headHalf, y2+headLen)
				heads.b.WriteString("Z")
			}
			return (x1 + x2) / 2, max(y1, y2) + dy*0.75
		}
		x1, y1, x2, y2 = s.x+s.w, s.y+s.h/2, t.x+t.w, t.y+t.h/2
		if e.From == e.To {
			y1, y2 = s.y+s.h/3, s.y+2*s.h/3
		}
		dx = max(x1, x2) - min(x1, x2) + 24
		p.cmd("M", x1, y1)
		p.cmd(" C", x1+dx, y1, x2+dx, y2, x2+headLenIf(head), y2)
		if head {
			heads.cmd("M", x2, y2)
			heads.cmd("L", x2+headLen, y2-headHalf)
			heads.cmd("L", x2+headLen, y2+headHalf)
			heads.b.WriteString("Z")
		}
		return max(x1, x2) + dx*0.75, (y1 + y2) / 2
	}
	if l.across {
		x1, y1, x2, y2 := s.x+s.w, s.y+s.h/2, t.x, t.y+t.h/2
		end := x2 - headLenIf(head)
		d := (end - x1) / 2
		p.cmd("M", x1, y1)
		p.cmd(" C", x1+d, y1, end-d, y2, end, y2)
		if head {
			heads.cmd("M", x2, y2)
			heads.cmd("L", x2-headLen, y2-headHalf)
			heads.cmd("L", x2-headLen, y2+headHalf)
			heads.b.WriteString("Z")
		}
		return (x1 + end) / 2, (y1 + y2) / 2
	}
	x1, y1, x2, y2 := s.x+s.w/2, s.y+s.h, t.x+t.w/2, t.y
	end := y2 - headLenIf(head)
	d := (end - y1) / 2
	p.cmd("M", x1, y1)
	p.cmd(" C", x1, y1+d, x2, end-d, x2, end)
	if head {
		heads.cmd("M", x2, y2)
		heads.cmd("L", x2-headHalf, y2-headLen)
		heads.cmd("L", x2+headHalf, y2-headLen)
		heads.b.WriteString("Z")
	}
	return (x1 + x2) / 2, (y1 + end) / 2
}

func headLenIf(head bool) float64 {
	if head {
		return headLen
	}
	return 0
}

// writeText writes an arrow's label on a background that hides the
// curve behind it.
func (l *layout) writeText(b *bytes.Buffer, class, label string, cx, cy float64) {
	lines := strings.Count(label, "\n") + 1
	w := labelWidth(label) + 2*labelPadX
	h := float64(lines*lineH) + 4
	b.WriteString(`<rect class="` + class + `-bg" x="` + num(cx-w/2) + `" y="` + num(cy-h/2) + `" width="` + num(w) + `" height="` + num(h) + `" rx="3" fill="Canvas"/>` + "\n")
	writeLines(b, class, label, cx, cy)
}

// writeLines writes a label's lines centred on cx, cy.
func writeLines(b *bytes.Buffer, class, label string, cx, cy float64) {
	lines := strings.Split(label, "\n")
	top := cy - float64(len(lines)-1)*lineH/2
	b.WriteString(`<text class="` + class + `" x="` + num(cx) + `" text-anchor="middle" dominant-baseline="central" font-size="` + strconv.Itoa(fontSize) + `" fill="currentColor">`)
	for i, line := range lines {
		b.WriteString(`<tspan x="` + num(cx) + `" y="` + num(top+float64(i)*lineH) + `">` + html.EscapeString(line) + `</tspan>`)
	}
	b.WriteString("</text>\n")
}

// describe says what the arrows join, for the accessible name: "a → b →
// c; d → (label) e", following chains in the order they are written.
func (g *Graph) describe() string {
	name := func(v int) string { return strings.ReplaceAll(g.Nodes[v].Label, "\n", " ") }
	if len(g.Edges) == 0 {
		var names []string
		for v := range g.Nodes {
			names = append(names, name(v))
		}
		return strings.Join(names, "; ")
	}
	var b strings.Builder
	last := -1
	joined := make([]bool, len(g.Nodes))
	for _, e := range g.Edges {
		if e.From != last {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(name(e.From))
		}
		b.WriteString(" " + arrowWord(e.Style) + " ")
		if e.Label != "" {
			b.WriteString("(" + strings.ReplaceAll(e.Label, "\n", " ") + ") ")
		}
		b.WriteString(name(e.To))
		last = e.To
		joined[e.From], joined[e.To] = true, true
	}
	for v := range g.Nodes {
		if !joined[v] {
			b.WriteString("; " + name(v))
		}
	}
	return b.String()
}

func arrowWord(style string) string {
	if style == "line" || style == "dotted-line" {
		return "—"
	}
	return "→"
}
