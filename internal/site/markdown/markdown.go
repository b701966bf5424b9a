// Package markdown turns the documentation site's markdown pages into HTML
// plus everything the site generator needs to know about a page: its front
// matter, headings and table of contents, plain text for the search index,
// links to check, examples to compile, and which page scripts it needs.
//
// The engine is goldmark with GFM, footnotes, definition lists and the
// typographer, plus small extensions of our own, one per file: front matter,
// heading anchors, table of contents, search sections, admonitions, content
// tabs, code highlighting, diagrams (drawn by site/diagram), examples, link rewriting and
// table wrapping. Every position the engine reports is a 1-based line (and
// byte column) in the original file, front matter included, so a diagnostic
// can point at content/foo.md:42.
package markdown

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// Options configure an Engine.
type Options struct {
	// ResolveLink rewrites a link destination written in the page at path
	// from (a slash path relative to the content root, e.g.
	// "guide/install.md"). It is called for every link and image destination
	// that is not absolute: not empty, no URL scheme, not starting with "/"
	// or "#". dest has markdown backslash escapes and entity references
	// resolved. It returns the URL to write and ok=true, or ok=false to keep
	// dest unchanged. It is called from many goroutines at once when pages
	// render concurrently.
	ResolveLink func(from, dest string) (url string, ok bool)

	// Highlighter is shared between engines and builds so that warm
	// rebuilds hit its cache; nil means a new one with the default styles.
	Highlighter *Highlighter
}

// Engine renders markdown pages. It is safe for concurrent use by many
// goroutines: all per-page state lives in the parse, and the only shared
// state, the Highlighter's cache, is locked.
type Engine struct {
	md goldmark.Markdown
	hl *Highlighter
}

// New returns an Engine configured by opts.
func New(opts Options) *Engine {
	hl := opts.Highlighter
	if hl == nil {
		hl = NewHighlighter("", "")
	}
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.DefinitionList,
			extension.Typographer,
			frontMatterExt{},
			admonitions{},
			tabs{},
			diagrams(),
			examples{},
			highlight{h: hl},
			tableWrap{},
			links{resolve: opts.ResolveLink},
			anchors{},
			toc{},
			sections{},
		),
		goldmark.WithParserOptions(parser.WithAttribute()),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	return &Engine{md: md, hl: hl}
}

// Highlighter returns the engine's highlighter, so the site can write its
// CSS and report its cache statistics.
func (e *Engine) Highlighter() *Highlighter { return e.hl }

// Render renders the page at path (a slash path relative to the content
// root, used for ResolveLink and in errors). It parses the optional front
// matter, YAML between a first line "---" and a closing "---" line, then the
// markdown. A bad front matter is reported as an *Error.
func (e *Engine) Render(path string, src []byte) (*Document, error) {
	// Editors do not count a byte order mark as a column, and it would hide
	// the front matter's "---".
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	p := newPage(path, src)
	pc := parser.NewContext()
	pc.Set(pageKey, p)
	root := e.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	if p.err != nil {
		return nil, p.err
	}
	var buf bytes.Buffer
	if err := e.md.Renderer().Render(&buf, src, root); err != nil {
		return nil, err
	}
	doc := p.doc
	doc.HTML = buf.Bytes()
	doc.IDs = htmlIDs(doc.HTML)
	doc.Title = doc.Meta.Title
	if doc.Title == "" {
		for _, h := range doc.Headings {
			if h.Level == 1 {
				doc.Title = h.Text
				break
			}
		}
	}
	return doc, nil
}

// FrontMatter is the YAML front matter of a page.
type FrontMatter struct {
	// Title is the page's title; without it the first h1 is.
	Title string `yaml:"title"`
	// Description is the page's summary, for meta tags and search results.
	Description string `yaml:"description"`
	// Weight orders the page in navigation.
	Weight int `yaml:"weight"`
	// Draft marks a page that is not published.
	Draft bool `yaml:"draft"`
	// NavTitle is a shorter title for the sidebar.
	NavTitle string `yaml:"nav_title"`
	// Params holds every other key, decoded as yaml.v3 decodes into any.
	Params map[string]any `yaml:"-"`
}

// Document is a rendered page.
type Document struct {
	// Meta is the front matter; zero when there is none.
	Meta FrontMatter
	// Title is Meta.Title, else the text of the first h1, else "".
	Title string
	// HTML is the body HTML.
	HTML []byte
	// TOC lists the h2 and h3 headings in order; it is flat and Level tells
	// the nesting.
	TOC []Heading
	// Headings lists every heading in order, h1 and those inside
	// admonitions and tabs included.
	Headings []Heading
	// Sections split the page's plain text for the search index: one per
	// heading, plus one with ID "" for any text before the first heading.
	Sections []Section
	// Links lists every link and image destination, in source order.
	Links []Link
	// IDs holds every id attribute the HTML defines: headings, footnotes,
	// tabs and ids written in raw HTML.
	IDs map[string]bool
	// Examples lists the fenced code blocks marked as examples.
	Examples []Example
	// Tabs tells that the page has content tabs.
	Tabs bool
	// Code tells that the page has code blocks, which carry copy buttons.
	Code bool
}

// Heading is a heading of a page.
type Heading struct {
	// Level is 1 for h1 to 6 for h6.
	Level int
	// ID is the heading's id attribute, generated or written as {#id}.
	ID string
	// Text is the heading's plain text, without markup.
	Text string
	// Line is where the heading starts in the original file.
	Line int
}

// Section is the plain text of a page from one heading up to the next
// heading of any level.
type Section struct {
	// ID is the heading's id, "" for the text before the first heading.
	ID string
	// Heading is the heading's plain text.
	Heading string
	// Text is the plain text of the blocks under the heading, code included,
	// with whitespace collapsed.
	Text string
	// Level is the heading's level, 0 for the text before the first heading.
	Level int
}

// Link is a link or image destination of a page.
type Link struct {
	// Dest is the destination as written, with backslash escapes and entity
	// references resolved.
	Dest string
	// URL is the destination written in the HTML, after ResolveLink.
	URL string
	// Line and Col (a 1-based byte column) are where the destination is
	// written in the original file; for a reference link that is in its
	// link reference definition.
	Line, Col int
	// Image tells an image's source from a link's target.
	Image bool
}

// Example is a fenced code block marked as an example by the second word of
// its info string, as in "```cue example expect=PB1203 title="Bad query"".
type Example struct {
	// Lang is the first word of the info string: "yaml", "json", "cue", "go".
	Lang string
	// Attrs holds the rest of the info string after "example":
	// key=value pairs (the value optionally double-quoted) and bare words,
	// which map to "".
	Attrs map[string]string
	// Code is the block's content, indentation of enclosing blocks removed.
	Code []byte
	// Line is the line in the original file of the first line of Code.
	Line int
}

// Error is a problem with a page's source, at a 1-based line and byte column
// of the original file.
type Error struct {
	// Path is the page's path as given to Render.
	Path string
	// Line and Col locate the problem; Col is 1 when only the line is known.
	Line, Col int
	// Msg says what is wrong, starting with where ("front matter: ...").
	Msg string
	// Diagram tells a diagram that cannot be drawn from a bad front
	// matter.
	Diagram bool
}

// Error formats the error as "path:line:col: msg", the form editors jump to.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// htmlIDs finds the ids in the rendered HTML rather than in the AST, so that
// ids from every source count alike: generated headings, footnotes, tabs and
// raw HTML written by hand. Text and code never hold a raw "<" followed by a
// letter (the renderers escape it), so every such "<" starts a real tag.
func htmlIDs(b []byte) map[string]bool {
	ids := map[string]bool{}
	for i := 0; i < len(b); i++ {
		if b[i] != '<' || i+1 >= len(b) || !isASCIILetter(b[i+1]) {
			continue
		}
		i, _ = ScanTag(b, i+1, func(name, val []byte, _ int) {
			if len(name) == 2 && (name[0]|0x20) == 'i' && (name[1]|0x20) == 'd' {
				ids[unescapeHTML(string(val))] = true
			}
		})
	}
	return ids
}

// ScanTag reads the HTML tag whose name starts at b[i] (just after its
// "<"), calls attr for each attribute written with a value (its name as
// written, its value without the quotes, and the value's offset in b), and
// returns the offset of the tag's closing ">" (len(b) when there is none;
// quoted values may hold ">"). ok is false when b[i:] is no tag after all
// ("a<b"); end is then i-1, where scanning may go on.
func ScanTag(b []byte, i int, attr func(name, value []byte, off int)) (end int, ok bool) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }
	for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
		if b[i] == '<' {
			return i - 1, false
		}
		i++ // tag name
	}
	for i < len(b) && b[i] != '>' {
		if isSpace(b[i]) || b[i] == '/' {
			i++
			continue
		}
		start := i
		for i < len(b) && !isSpace(b[i]) && b[i] != '=' && b[i] != '>' {
			i++
		}
		name := b[start:i]
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			continue // an attribute without a value
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i < len(b) && (b[i] == '"' || b[i] == '\'') {
			q := b[i]
			end := bytes.IndexByte(b[i+1:], q)
			if end < 0 {
				return len(b), true
			}
			attr(name, b[i+1:i+1+end], i+1)
			i += end + 2
		} else {
			start := i
			for i < len(b) && !isSpace(b[i]) && b[i] != '>' {
				i++
			}
			attr(name, b[start:i], start)
		}
	}
	return i, true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
