package diagram

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		dir       string
		nodes     []string // id=label, round boxes marked ()
		edges     []string // from>to:label/style
		title     string
	}{
		{name: "chain", src: "flowchart LR\n    sources --> pyrobuild --> percli\n",
			dir: "LR", nodes: []string{"sources=sources", "pyrobuild=pyrobuild", "percli=percli"},
			edges: []string{"sources>pyrobuild:/arrow", "pyrobuild>percli:/arrow"}},
		{name: "labels and breaks", src: "graph TD\n  src[\"sources<br/>.cue  .yaml\"] -->|selected by| q(query);\n  q --- p[Panel <br> FlameChart]\n",
			dir: "TD", nodes: []string{"src=sources\n.cue .yaml", "q=(query)", "p=Panel\nFlameChart"},
			edges: []string{"src>q:selected by/arrow", "q>p:/line"}},
		{name: "groups and styles", src: "%% comment first\nflowchart RL\n  a & b -.-> c ==> d\n  c -- \"text label\" --> a\n  d -.- a\n  e\n",
			dir: "RL", nodes: []string{"a=a", "b=b", "c=c", "d=d", "e=e"},
			edges: []string{"a>c:/dotted", "b>c:/dotted", "c>d:/thick", "c>a:text label/arrow", "d>a:/dotted-line"}},
		{name: "default direction and accessibility", src: "graph\n  accTitle: The build\n  accDescr : From sources to Perses\n  a ---> b\n",
			dir: "TD", nodes: []string{"a=a", "b=b"}, edges: []string{"a>b:/arrow"}, title: "The build"},
		{name: "TB is TD, a label redefined", src: "flowchart TB\n  a[one] --> b\n  a[two]\n",
			dir: "TD", nodes: []string{"a=two", "b=b"}, edges: []string{"a>b:/arrow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if g.Dir != tc.dir || g.Title != tc.title {
				t.Errorf("dir %q title %q, want %q %q", g.Dir, g.Title, tc.dir, tc.title)
			}
			var nodes, edges []string
			for _, n := range g.Nodes {
				label := n.Label
				if n.Round {
					label = "(" + label + ")"
				}
				nodes = append(nodes, n.ID+"="+label)
			}
			for _, e := range g.Edges {
				edges = append(edges, g.Nodes[e.From].ID+">"+g.Nodes[e.To].ID+":"+e.Label+"/"+e.Style)
			}
			if fmt.Sprint(nodes) != fmt.Sprint(tc.nodes) {
				t.Errorf("nodes\n got %q\nwant %q", nodes, tc.nodes)
			}
			if fmt.Sprint(edges) != fmt.Sprint(tc.edges) {
				t.Errorf("edges\n got %q\nwant %q", edges, tc.edges)
			}
		})
	}
}

// TestParseErrors: whatever the drawing does not do is an error at the
// line and column where it is written.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		src, want string
	}{
		{"", "1:1: empty diagram"},
		{"sequenceDiagram\n  A->>B: hi\n", `1:1: only flowcharts are drawn, not "sequenceDiagram"`},
		{"flowchart XY\n", `1:11: unknown direction "XY"`},
		{"flowchart LR a-->b\n", `1:14: unexpected "a-->b" after the direction`},
		{"flowchart LR\n  a --> b\n  subgraph one\n", "3:3: subgraphs are not supported"},
		{"flowchart LR\n  style a fill:#f9f\n", "2:3: styles are not supported"},
		{"flowchart LR\n  a{decide} --> b\n", "2:4: this shape of box is not supported"},
		{"flowchart LR\n  a((circle))\n", "2:4: this shape of box is not supported"},
		{"flowchart LR\n  a[open --> b\n", `2:4: "[" is not closed`},
		{"flowchart LR\n  a[\"open] --> b\n", "2:5: the quoted text is not closed"},
		{"flowchart LR\n  a -> b\n", `2:5: expected an arrow (-->, ---, -.->, ==>) here, found "->"`},
		{"flowchart LR\n  a -->\n", "2:8: a box is missing at the end of the line"},
		{"flowchart LR\n  a --> [x]\n", `2:9: expected a box's id (letters, digits, _), found "[x]"`},
		{"flowchart LR\n  a[<b>bold</b>] --> b\n", "2:6: only <br/> is supported in a box's text"},
		{"flowchart LR\n  a -->|open b\n", "2:8: the arrow's |label| is not closed"},
		{"flowchart LR\n  %% only a comment\n", "1:1: the diagram has no boxes"},
	} {
		_, err := Parse(tc.src)
		var de *Error
		if !errors.As(err, &de) {
			t.Errorf("%q: got %v, want an *Error", tc.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, err, tc.want)
		}
	}
}

// svgRect is a box of the drawing.
type svgRect struct{ x, y, w, h float64 }

var rectRe = regexp.MustCompile(`<rect class="node" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"`)

func boxes(t *testing.T, svg []byte) []svgRect {
	t.Helper()
	var rs []svgRect
	for _, m := range rectRe.FindAllSubmatch(svg, -1) {
		var v [4]float64
		for i := range v {
			f, err := strconv.ParseFloat(string(m[i+1]), 64)
			if err != nil {
				t.Fatal(err)
			}
			v[i] = f
		}
		rs = append(rs, svgRect{v[0], v[1], v[2], v[3]})
	}
	return rs
}

// TestSVG: the drawing is well-formed XML, an image with an accessible
// name, holds every label, keeps its boxes apart and inside its view box,
// and lays them out along the direction of the arrows.
func TestSVG(t *testing.T) {
	for _, tc := range []struct {
		name, src, label string
		// order is the axis and sign boxes follow along a chain.
		axis string
		sign float64
	}{
		{"LR", "flowchart LR\n  a[\"sources<br/>.cue .yaml .json .go\"] --> load\n  load --> check[\"check<br/>(model, selectors)\"]\n  check -->|lowers| emit & lint\n", "Diagram: sources .cue .yaml .json .go → load → check (model, selectors) → (lowers) emit; check (model, selectors) → (lowers) lint", "x", 1},
		{"RL", "flowchart RL\n  a --> b --> c\n", "Diagram: a → b → c", "x", -1},
		{"TD", "graph TD\n  a --> b --> c\n  c --> a\n", "Diagram: a → b → c → a", "y", 1},
		{"BT", "graph BT\n  accTitle: Up & away\n  a --> b\n  b --- c\n", "Up & away", "y", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			svg := g.SVG()
			if !bytes.Equal(svg, g.SVG()) {
				t.Error("two drawings of one graph differ")
			}
			var doc struct {
				XMLName xml.Name
				Role    string `xml:"role,attr"`
				Label   string `xml:"aria-label,attr"`
				ViewBox string `xml:"viewBox,attr"`
				Title   string `xml:"title"`
				Texts   []struct {
					Lines []string `xml:"tspan"`
				} `xml:"text"`
			}
			if err := xml.Unmarshal(svg, &doc); err != nil {
				t.Fatalf("not XML: %v\n%s", err, svg)
			}
			if doc.XMLName.Local != "svg" || doc.Role != "img" || doc.Label != tc.label || doc.Title != tc.label {
				t.Errorf("svg role=%q aria-label=%q title=%q, want img and %q", doc.Role, doc.Label, doc.Title, tc.label)
			}
			var text []string
			for _, tx := range doc.Texts {
				text = append(text, strings.Join(tx.Lines, "\n"))
			}
			for _, n := range g.Nodes {
				if !strings.Contains(strings.Join(text, "|"), n.Label) {
					t.Errorf("no text %q in %q", n.Label, text)
				}
			}
			var vw, vh float64
			fmt.Sscanf(doc.ViewBox, "0 0 %g %g", &vw, &vh)
			rs := boxes(t, svg)
			if len(rs) != len(g.Nodes) {
				t.Fatalf("%d boxes for %d nodes", len(rs), len(g.Nodes))
			}
			for i, a := range rs {
				if a.x < 0 || a.y < 0 || a.x+a.w > vw || a.y+a.h > vh {
					t.Errorf("box %d %+v outside the view box %gx%g", i, a, vw, vh)
				}
				if a.w < textWidth(strings.Split(g.Nodes[i].Label, "\n")[0]) {
					t.Errorf("box %d narrower than its text", i)
				}
				for j, b := range rs[i+1:] {
					if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
						t.Errorf("boxes %d and %d overlap: %+v %+v", i, i+1+j, a, b)
					}
				}
			}
			for _, e := range g.Edges[:1] {
				a, b := rs[e.From], rs[e.To]
				d := b.x - a.x
				if tc.axis == "y" {
					d = b.y - a.y
				}
				if d*tc.sign <= 0 {
					t.Errorf("the first arrow goes against %s: %+v → %+v", tc.name, a, b)
				}
			}
		})
	}
}

// TestSVGEscapes: labels are text, never markup.
func TestSVGEscapes(t *testing.T) {
	g, err := Parse("flowchart LR\n  a[\"x &amp; y\"] -->|\"a&b\"| b[\"q'\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	svg := string(g.SVG())
	for _, want := range []string{`>x &amp;amp; y</tspan>`, `>a&amp;b</tspan>`, `>q&#39;</tspan>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %s:\n%s", want, svg)
		}
	}
}

var curveRe = regexp.MustCompile(`<path class="edge[^"]*" d="M([-\d.]+),([-\d.]+) C([-\d.]+),([-\d.]+) ([-\d.]+),([-\d.]+) ([-\d.]+),([-\d.]+)"`)

// TestSVGCurvesInside: every arrow, loops against the direction and onto
// the box itself included, stays inside the view box.
func TestSVGCurvesInside(t *testing.T) {
	for _, src := range []string{
		"flowchart LR\n  a --> b --> c\n  c -->|back to the start| a\n  b --> b\n",
		"graph TD\n  a[a wide box on top] --> b\n  b -->|again, and a long label| a\n  c --- c\n",
		"flowchart RL\n  a --> b\n  b --> a\n",
		"flowchart BT\n  a --> b & c\n  c --> a\n",
	} {
		g, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		svg := g.SVG()
		var vw, vh float64
		fmt.Sscanf(regexp.MustCompile(`viewBox="([^"]*)"`).FindStringSubmatch(string(svg))[1], "0 0 %g %g", &vw, &vh)
		ms := curveRe.FindAllStringSubmatch(string(svg), -1)
		if len(ms) != len(g.Edges) {
			t.Fatalf("%d curves for %d edges:\n%s", len(ms), len(g.Edges), svg)
		}
		for _, m := range ms {
			var p [8]float64
			for i := range p {
				p[i], _ = strconv.ParseFloat(m[i+1], 64)
			}
			for k := 0; k <= 20; k++ {
				u := float64(k) / 20
				a, b, c, d := (1-u)*(1-u)*(1-u), 3*u*(1-u)*(1-u), 3*u*u*(1-u), u*u*u
				x := a*p[0] + b*p[2] + c*p[4] + d*p[6]
				y := a*p[1] + b*p[3] + c*p[5] + d*p[7]
				if x < 0 || y < 0 || x > vw || y > vh {
					t.Errorf("%q: a curve passes %.1f,%.1f, outside the view box %gx%g", src, x, y, vw, vh)
					break
				}
			}
		}
	}
}
