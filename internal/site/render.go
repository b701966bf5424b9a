package site

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
	"github.com/pyrobuild/pyrobuild/internal/site/diagram"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/pack"
	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// render renders every page's markdown, in parallel, reusing the previous
// build's result for pages whose source did not change. lean builds keep
// each page's HTML packed until its layout (see run.render); pc is the
// page cache of the output a lean build replaces, if any.
func (b *Builder) render(ctx context.Context, pages []*Page, s *Site, pk *pack.Packer, lean bool, pc *pagecache.Cache) error {
	md := sync.OnceValue(b.md) // not needed when every page is cached
	if !lean || b.track {
		pc = nil
	}
	if pc != nil {
		pc.Wait()
	}
	errs := make([]error, len(pages))
	if err := parallel.Run(ctx, len(pages), b.cfg.Workers, func(i int) {
		errs[i] = b.renderPage(pages[i], md, pk, lean, pc)
	}); err != nil {
		return err
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		p := pages[i]
		p.Doc = nil
		d := diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeFrontMatter, Pos: diag.Pos{File: p.File, Line: 1}, Message: err.Error()}
		var me *markdown.Error
		if errors.As(err, &me) {
			d.Pos.Line, d.Pos.Col, d.Message = me.Line, me.Col, me.Msg
			if me.Diagram {
				d.Code = sitediag.CodeDiagram
				d.Hint = diagram.Supported
			}
		}
		s.Diagnostics = append(s.Diagnostics, d)
	}
	return nil
}

// renderPage renders one page, or takes its rendering from the page cache
// or the builder's; the error is the page's (bad front matter).
func (b *Builder) renderPage(p *Page, md func() *markdown.Engine, pk *pack.Packer, lean bool, pc *pagecache.Cache) error {
	if p.src == nil && !p.Generated {
		return nil
	}
	if pc != nil {
		p.renderKey, p.keyed = b.renderKey(pc, p), true
		if doc, raw, search, ok := pc.Render(p.renderKey); ok {
			// doc is the page's own: its layout may add its HTML.
			p.Doc, p.raw, p.cached = &doc, raw, true
			p.search = &searchFrag{json: search, sum: sha256.Sum256(search)}
			return nil
		}
	}
	c, ok := b.docs.get(p.Key)
	if ok && sameBytes(c.src, p.src) {
		// The very source it was rendered from (the builder reuses
		// unchanged files): no need to hash it again.
		p.Doc, p.raw = c.doc, c.raw
		return c.err
	}
	sum := sha256.Sum256(p.src)
	if ok && c.hash == sum {
		p.Doc, p.raw = c.doc, c.raw
		if b.track {
			c.src = p.src
			b.docs.put(p.Key, c)
		}
		return c.err
	}
	doc, err := md().Render(p.Key, p.src)
	b.renders.Add(1)
	var raw []markdown.Link
	if err == nil {
		raw = b.rawHTMLLinks(p.Key, p.src, doc.HTML)
	}
	if lean && err == nil {
		b.keepLean(p, doc, raw, &sum, pk, pc)
	}
	if b.track || !lean {
		c := cachedDoc{hash: sum, doc: doc, err: err, raw: raw}
		if b.track {
			c.src = p.src
		}
		b.docs.put(p.Key, c)
	}
	p.Doc, p.raw = doc, raw
	return err
}

// keepLean keeps what a lean build needs of a page just rendered: its
// search entries made now, its HTML packed, its source only when more
// than excerpts read it again.
func (b *Builder) keepLean(p *Page, doc *markdown.Document, raw []markdown.Link, sum *[32]byte, pk *pack.Packer, pc *pagecache.Cache) {
	frag := b.searchEntries(&Page{Key: p.Key, File: p.File, Doc: doc, URL: pageURLOnly(p.Key)})
	if pc != nil {
		pc.PutRender(p.renderKey, doc, raw, frag.json)
	}
	// The HTML waits for the layout packed, a fifth of its size.
	p.html = pk.HTML(doc.HTML)
	doc.HTML, doc.Sections = nil, nil
	if !b.track && !p.Generated && len(doc.Examples) == 0 {
		// Nothing reads the source again but an excerpt of a
		// problem, which reads the file again (see quotable).
		p.src, p.srcSum = nil, sum
	}
	if b.track {
		b.search.put(doc, frag)
	} else {
		p.search = &frag
	}
}

// sameBytes reports whether a and b are the same slice of the same memory
// (not merely equal), and not empty.
func sameBytes(a, b []byte) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// md returns a markdown engine for this builder.
func (b *Builder) md() *markdown.Engine {
	b.loadCache()
	return markdown.New(markdown.Options{ResolveLink: b.resolveLink, Highlighter: b.hl})
}

func pageURLOnly(key string) string {
	u, _ := pageURL(key)
	return u
}
