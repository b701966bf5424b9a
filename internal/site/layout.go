package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/pack"
)

// cachedLayout lays a page out, or reuses its last layout when nothing it
// shows changed: its rendered markdown, the navigation, its neighbours.
// When packed is set, it returns the page packed.
func (r *run) cachedLayout(p *Page, navVersion string, packed bool, prev, next *navNode) (layoutEntry, error) {
	b, th, pk := r.b, r.th, r.pk
	h := sha256.New()
	fmt.Fprintf(h, "%p|%p|%s|%s|%v", th, p.Doc, navVersion, p.Key, p.Generated)
	for _, n := range []*navNode{prev, next} {
		if n != nil {
			fmt.Fprintf(h, "|%s|%s", n.Title, n.URL)
		}
	}
	var key [32]byte
	h.Sum(key[:0])
	c, ok := b.layouts.get(p.Key)
	if ok && c.key == key {
		switch {
		case packed && c.packed == nil:
			c.out, c.packed = nil, pk.Page(c.out)
			b.layouts.put(p.Key, c)
		case !packed && c.packed != nil:
			c = layoutEntry{key: key, out: c.packed.Bytes(c.packed.Tail())} // written, not kept
		}
		return c, nil
	}
	switch {
	case p.Doc.HTML != nil:
	case p.html != nil:
		// Rendered by this build's first pass, kept packed.
		html, err := p.html.Unpack()
		if err != nil {
			return layoutEntry{}, fmt.Errorf("%s: unpacking its HTML: %v", p.File, err)
		}
		p.Doc.HTML = html
	case p.src != nil:
		// Rendered by an earlier build, whose HTML is not kept.
		doc, err := b.md().Render(p.Key, p.src)
		if err != nil {
			return layoutEntry{}, err
		}
		p.Doc.HTML = doc.HTML
		if p.cached {
			p.Doc.Meta.Params = doc.Meta.Params // not kept in the cache
		}
	default:
		return layoutEntry{}, fmt.Errorf("%s: internal error: neither its HTML nor its source is kept", p.File)
	}
	buf := layoutBuffers.Get().(*bytes.Buffer)
	defer layoutBuffers.Put(buf)
	buf.Reset()
	err := r.layoutPage(buf, p, prev, next)
	b.laidOut.Add(1)
	if err != nil {
		return layoutEntry{}, err
	}
	e := layoutEntry{key: key}
	if packed {
		e.packed = pk.Page(buf.Bytes())
	} else {
		// A copy of exactly the page's size: the buffer's spare capacity
		// would otherwise be kept with every page the preview server holds.
		e.out = bytes.Clone(buf.Bytes())
	}
	if b.track {
		b.layouts.put(p.Key, e)
	}
	return e, nil
}

type layoutEntry struct {
	key    [32]byte
	out    []byte
	packed *pack.Page // instead of out, when the builder packs pages
}

// crumb is one step of a page's breadcrumbs.
type crumb struct {
	Title string
	URL   string
}

type pageLink struct {
	Title string
	URL   string
}

type pageData struct {
	Title, Description, Canonical, EditURL string
	Home, Generated                        bool
	Content                                template.HTML
	TOC                                    []markdown.Heading
	Breadcrumbs                            []crumb
	Prev, Next                             *pageLink
	Styles, Scripts                        []string
}

type siteData struct {
	Title, RepoURL, Footer, Language string
}

type layoutData struct {
	Site siteData
	Page pageData
	Nav  template.HTML
}

// layoutPage executes the page template for one page, into out.
func (r *run) layoutPage(out *bytes.Buffer, p *Page, prev, next *navNode) error {
	b, th, nav := r.b, r.th, r.nav
	navHTML, err := r.navFor(p.Key)
	if err != nil {
		return err
	}
	d := p.Doc
	pd := pageData{
		Title:       p.Title(),
		Description: d.Meta.Description,
		Canonical:   b.absolute(p.URL),
		Home:        p.URL == "",
		Generated:   p.Generated,
		Content:     template.HTML(b.rebase(b.resolveRaw(p, d.HTML))),
		TOC:         d.TOC,
		Breadcrumbs: b.breadcrumbs(p, nav),
	}
	if d.Title != "" {
		pd.Title = d.Title
	}
	if !p.Generated && b.cfg.EditURL != "" {
		if rel, err := filepath.Rel(b.cfg.Root, p.File); err == nil {
			pd.EditURL = b.cfg.EditURL + filepath.ToSlash(rel)
		}
	}
	if prev != nil {
		pd.Prev = &pageLink{prev.Title, prev.URL}
	}
	if next != nil {
		pd.Next = &pageLink{next.Title, next.URL}
	}
	if v, ok := d.Meta.Params["styles"]; ok {
		pd.Styles = stringList(v)
	}
	if v, ok := d.Meta.Params["scripts"]; ok {
		pd.Scripts = stringList(v)
	}
	return th.tmpl.ExecuteTemplate(out, "page.html", layoutData{Site: b.siteData(), Page: pd, Nav: navHTML})
}

// layoutBuffers recycles the buffers pages are laid out in.
var layoutBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func stringList(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func (b *Builder) siteData() siteData {
	return siteData{Title: b.cfg.Title, RepoURL: b.cfg.RepoURL, Footer: b.cfg.Footer, Language: "en"}
}

var rootLinkRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\s(?:href|src)=")/([^/"])`) })

// rebase prefixes site-absolute links written in markdown ("/reference/")
// with the base path, so a site published under /docs/ keeps working.
func (b *Builder) rebase(h []byte) []byte {
	if b.basePath == "/" {
		return h
	}
	return rootLinkRe().ReplaceAll(h, []byte("${1}"+b.basePath+"${2}"))
}

// notFound is 404.html. Its links are absolute, as it is served for any
// missing path.
func (b *Builder) notFound(th *theme, nav []*navNode) ([]byte, error) {
	navHTML, err := renderNav(th, pageNav(nav, ""))
	if err != nil {
		return nil, err
	}
	body := fmt.Sprintf(`<h1 id="page-not-found">Page not found</h1>
<p>There is no page at this address. It may have moved: try the search above, or start from the <a href="%s">home page</a>.</p>`, template.HTMLEscapeString(b.link("")))
	var out bytes.Buffer
	err = th.tmpl.ExecuteTemplate(&out, "page.html", layoutData{Site: b.siteData(), Nav: navHTML,
		Page: pageData{Title: "Page not found", Content: template.HTML(body)}})
	return out.Bytes(), err
}
