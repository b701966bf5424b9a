package site

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/site/catalog"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/reference"
)

// addGenerated adds the pages generated from the schemas, the command tree
// and the compiled dashboards. A content page at the same path wins, so a
// site can replace any generated page.
func (b *Builder) addGenerated(pages []*Page, s *Site) []*Page {
	have := map[string]bool{}
	for _, p := range pages {
		have[p.Key] = true
	}
	add := func(p *Page) {
		if !have[p.Key] {
			pages = append(pages, p)
			have[p.Key] = true
		}
	}
	// Pages that depend only on pyrobuild itself are made once per builder.
	fixed := []struct {
		key  string
		make func() []byte
	}{
		{"reference/index.md", func() []byte { return reference.Index(b.cfg.CLIReference != nil) }},
		{"reference/plugins.md", func() []byte { return reference.Plugins(b.cfg.compileOptions()) }},
		{"reference/diagnostics.md", reference.Diagnostics},
	}
	if b.cfg.CLIReference != nil {
		fixed = append(fixed, struct {
			key  string
			make func() []byte
		}{"reference/cli.md", b.cfg.CLIReference})
	}
	for _, f := range fixed {
		if have[f.key] {
			continue
		}
		src, ok := b.generated.get(f.key)
		if !ok {
			src = f.make()
			b.generated.put(f.key, src)
		}
		add(&Page{Key: f.key, File: f.key + " (generated)", Generated: true, src: src})
	}
	if s.Dashboards != nil {
		for _, p := range b.catalogOf(s.Dashboards) {
			c := *p // pages are filled in per build
			add(&c)
		}
	}
	return pages
}

// catalogOf is the catalog's pages for a compilation, made again only
// when it changes.
func (b *Builder) catalogOf(res *compiler.Result) []*Page {
	b.catalogMu.Lock()
	cat, catFor := b.catalog, b.catalogFor
	b.catalogMu.Unlock()
	if catFor != res {
		cat = nil
		for _, p := range catalog.Pages(res, catalog.Options{ServerDatasources: b.cfg.ServerDatasources, Root: b.cfg.Root, SourceURL: b.cfg.SourceURL, Preview: b.cfg.Preview}) {
			cat = append(cat, &Page{Key: p.Key, File: p.File, Generated: true, src: p.Source, Deps: p.Deps})
		}
		b.catalogMu.Lock()
		b.catalog, b.catalogFor = cat, res
		b.catalogMu.Unlock()
	}
	return cat
}

// prune drops cached results of pages that no longer exist, so a long
// preview session does not grow.
func (b *Builder) prune(pages []*Page) {
	keys := make(map[string]bool, len(pages))
	docs := make(map[*markdown.Document]bool, len(pages))
	for _, p := range pages {
		keys[p.Key] = true
		docs[p.Doc] = true
	}
	b.layouts.keep(func(k string) bool { return keys[k] })
	b.docs.keep(func(k string) bool { return keys[k] })
	b.search.keep(func(d *markdown.Document) bool { return docs[d] })
}
