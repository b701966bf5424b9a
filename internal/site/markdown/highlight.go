package markdown

import (
	"bytes"
	"crypto/sha256"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown/hlstyle"
)

// Highlighter highlights code with the site's lexers and chroma's
// formatter, writing CSS classes rather than
// inline styles so that one HTML serves both the light and the dark theme.
// It caches results by language and content, so a rebuild that shares it
// only highlights the code blocks that changed. It is safe for concurrent
// use.
type Highlighter struct {
	light, dark *chroma.Style
	format      *chromahtml.Formatter

	mu sync.Mutex
	// The cache is two generations: when cur is full it becomes old and a
	// new cur starts; a hit in old moves up to cur. Blocks a rebuild still
	// uses survive, edited-away ones fall out, and memory stays bounded
	// without the bookkeeping of an LRU list.
	cur, old map[highlightKey][]byte

	hits, misses atomic.Int64
}

// highlightCacheSize is the number of entries of one cache generation; a
// site has far fewer distinct code blocks.
const highlightCacheSize = 4096

type highlightKey struct {
	lang string // the lexer's name, so aliases share entries, and a native lexer's version
	sum  [sha256.Size]byte
}

// NewHighlighter returns a Highlighter with the named chroma styles for the
// light and the dark theme, among hlstyle.Names. An empty or unknown name
// means "github" for light and "github-dark" for dark.
func NewHighlighter(light, dark string) *Highlighter {
	return &Highlighter{
		light: styleOr(light, "github"),
		dark:  styleOr(dark, "github-dark"),
		// All classes: the dark style may colour token types the light one
		// leaves plain, so the HTML must name every type.
		format: chromahtml.New(
			chromahtml.WithClasses(true),
			chromahtml.WithAllClasses(true),
			chromahtml.PreventSurroundingPre(true),
		),
		cur: map[highlightKey][]byte{},
	}
}

func styleOr(name, def string) *chroma.Style {
	if s := hlstyle.Get(strings.ToLower(name)); s != nil {
		return s
	}
	return hlstyle.Get(def)
}

// Stats returns how many highlights the cache answered and how many it had
// to compute, since the Highlighter was made.
func (h *Highlighter) Stats() (hits, misses int64) {
	return h.hits.Load(), h.misses.Load()
}

// highlight returns the highlighted HTML of code, the inside of a
// <code> element, and false when the block names no language. Every
// language is highlighted: by its own lexer (see lex_native.go), or by the
// generic one.
func (h *Highlighter) highlight(lang string, code []byte) ([]byte, bool) {
	if lang == "" {
		return nil, false
	}
	lexer := lexerFor(lang)
	name := lexer.cacheKey
	key := highlightKey{lang: name, sum: sha256.Sum256(code)}
	h.mu.Lock()
	out, ok := h.cur[key]
	if !ok {
		if out, ok = h.old[key]; ok {
			h.put(key, out)
		}
	}
	h.mu.Unlock()
	if ok {
		h.hits.Add(1)
		return out, true
	}
	h.misses.Add(1)
	// Highlight outside the lock: two goroutines may both compute the same
	// block, which is cheaper than making every other block wait.
	it := chroma.Literator(lexer.tokenise(string(code))...)
	var b bytes.Buffer
	if err := h.format.Format(&b, h.light, it); err != nil {
		return nil, false
	}
	out = bytes.Clone(b.Bytes()) // cached: without the buffer's spare capacity
	h.mu.Lock()
	h.put(key, out)
	h.mu.Unlock()
	return out, true
}

// put stores an entry; h.mu must be held.
func (h *Highlighter) put(key highlightKey, v []byte) {
	if len(h.cur) >= highlightCacheSize {
		h.old, h.cur = h.cur, make(map[highlightKey][]byte, highlightCacheSize)
	}
	h.cur[key] = v
}

// CSS returns the stylesheet for highlighted code. The theme is chosen by
// the data-theme attribute of the root element:
//
//   - no attribute, "auto" or anything else: follows the system
//     (prefers-color-scheme), light when it says nothing;
//   - "light": always light;
//   - "dark": always dark.
//
// The light rules are unscoped (`.chroma .k`); the dark ones are scoped by
// `[data-theme="dark"]` and, inside `@media (prefers-color-scheme: dark)`,
// by `:root:not([data-theme="light"])`. Both scopes are more specific than
// the light rules, and every dark rule resets what the light rule of the
// same class sets and the dark style does not, so no light colour leaks
// into the dark theme.
func (h *Highlighter) CSS() []byte {
	light := styleRules(h.light)
	dark := styleRules(h.dark)
	var b bytes.Buffer
	b.WriteString("/* Code highlighting: light by default; dark for [data-theme=\"dark\"], or when the system prefers dark and data-theme is not \"light\". */\n")
	for _, r := range light {
		writeRule(&b, "", r.sel, r.decls)
	}
	darkRules := mergeDark(light, dark)
	for _, r := range darkRules {
		writeRule(&b, `[data-theme="dark"] `, r.sel, r.decls)
	}
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	for _, r := range darkRules {
		b.WriteString("  ")
		writeRule(&b, `:root:not([data-theme="light"]) `, r.sel, r.decls)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

type cssRule struct {
	sel   string
	decls [][2]string
}

// styleRules lists a style's rules: the wrapper first, then one per token
// class, each with what the style resolves for it minus the background
// (chroma's own inheritance, so a class the style does not name gets its
// parent's look).
func styleRules(s *chroma.Style) []cssRule {
	bg := s.Get(chroma.Background)
	rules := []cssRule{{sel: ".chroma", decls: entryDecls(bg)}}
	var types []int
	for tt := range chroma.StandardTypes {
		// The negative types are layout (line numbers, highlighted lines,
		// which we do not use), except Error, a real token.
		if tt >= 0 || tt == chroma.Error {
			types = append(types, int(tt))
		}
	}
	sort.Ints(types)
	for _, t := range types {
		tt := chroma.TokenType(t)
		class := chroma.StandardTypes[tt]
		if class == "" {
			continue
		}
		d := entryDecls(s.Get(tt).Sub(bg))
		if len(d) == 0 {
			continue
		}
		rules = append(rules, cssRule{sel: ".chroma ." + class, decls: d})
	}
	return rules
}

func entryDecls(e chroma.StyleEntry) [][2]string {
	var d [][2]string
	if e.Colour.IsSet() {
		d = append(d, [2]string{"color", e.Colour.String()})
	}
	if e.Background.IsSet() {
		d = append(d, [2]string{"background-color", e.Background.String()})
	}
	if e.Bold == chroma.Yes {
		d = append(d, [2]string{"font-weight", "bold"})
	}
	if e.Italic == chroma.Yes {
		d = append(d, [2]string{"font-style", "italic"})
	}
	if e.Underline == chroma.Yes {
		d = append(d, [2]string{"text-decoration", "underline"})
	}
	return d
}

// cssReset undoes a light declaration the dark style has no value for.
var cssReset = map[string]string{
	"color":            "inherit",
	"background-color": "transparent",
	"font-weight":      "normal",
	"font-style":       "normal",
	"text-decoration":  "none",
}

// mergeDark returns the dark rules completed with resets of whatever the
// light rule of the same selector sets and the dark one does not, including
// whole selectors only the light style has.
func mergeDark(light, dark []cssRule) []cssRule {
	byDark := map[string]int{}
	out := append([]cssRule(nil), dark...)
	for i, r := range out {
		byDark[r.sel] = i
		out[i].decls = append([][2]string(nil), r.decls...)
	}
	for _, l := range light {
		i, ok := byDark[l.sel]
		if !ok {
			out = append(out, cssRule{sel: l.sel})
			i = len(out) - 1
			byDark[l.sel] = i
		}
	next:
		for _, ld := range l.decls {
			for _, dd := range out[i].decls {
				if dd[0] == ld[0] {
					continue next
				}
			}
			out[i].decls = append(out[i].decls, [2]string{ld[0], cssReset[ld[0]]})
		}
	}
	return out
}

func writeRule(b *bytes.Buffer, scope, sel string, decls [][2]string) {
	b.WriteString(scope + sel + " {")
	for i, d := range decls {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(" " + d[0] + ": " + d[1])
	}
	b.WriteString(" }\n")
}

// highlight renders code blocks, fenced and indented, into the site's code
// box: a copy button and the highlighted code. Other extensions steer it
// with two attributes on the block: "class", added to the box's classes,
// and "title", shown above the code.
type highlight struct {
	h *Highlighter
}

func (x highlight) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		// After the diagrams, which take their blocks away from us.
		util.Prioritized(x, 320),
	))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(x, 100),
	))
}

// Transform notes whether the page has code blocks, so the site loads the
// copy button's script only then.
func (highlight) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	p := pageOf(pc)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindFencedCodeBlock, ast.KindCodeBlock:
			p.doc.Code = true
			return ast.WalkStop, nil
		}
		if n.Type() == ast.TypeInline {
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

func (x highlight) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindFencedCodeBlock, x.render)
	r.Register(ast.KindCodeBlock, x.render)
}

func (x highlight) render(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	var lang string
	if f, ok := node.(*ast.FencedCodeBlock); ok {
		lang = strings.ToLower(string(f.Language(src)))
	}
	code := node.Lines().Value(src)
	out, ok := x.h.highlight(lang, code)
	if !ok {
		lang = ""
		out = util.EscapeHTML(code)
	}
	_, _ = w.WriteString(`<div class="highlight`)
	if class, ok := attrString(node, "class"); ok && class != "" {
		_ = w.WriteByte(' ')
		_, _ = w.Write(util.EscapeHTML([]byte(class)))
	}
	_, _ = w.WriteString(`" data-lang="`)
	_, _ = w.Write(util.EscapeHTML([]byte(lang)))
	_, _ = w.WriteString(`"><button class="copy" type="button" aria-label="Copy code">Copy</button>`)
	if title, ok := attrString(node, "title"); ok && title != "" {
		_, _ = w.WriteString(`<div class="code-title">`)
		_, _ = w.Write(util.EscapeHTML([]byte(title)))
		_, _ = w.WriteString(`</div>`)
	}
	_, _ = w.WriteString(`<pre class="chroma"><code>`)
	_, _ = w.Write(out)
	_, _ = w.WriteString("</code></pre></div>\n")
	return ast.WalkSkipChildren, nil
}
