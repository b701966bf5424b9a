package site

import (
	"fmt"
	"sort"

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
)

// binaryIdentity stands for the running program in the page cache's keys
// (a variable, for tests): cache.Executable, which all of pyrobuild's
// caches share, remembered in pyrobuild's cache folder root.
var binaryIdentity = func(root string) string { return string(cache.Executable(root)) }

// openPageCache loads the page cache of the output folder dir, when the
// builder keeps caches and the program can be identified.
func (b *Builder) openPageCache(dir string) *pagecache.Cache {
	if b.cfg.CacheDir == "" || b.track {
		return nil
	}
	id := binaryIdentity(b.cfg.CompilerCache)
	if id == "" {
		return nil
	}
	return pagecache.Open(b.cfg.CacheDir, dir, id)
}

// renderKey stands for everything rendering a page reads: its source and
// key, the file diagnostics name, and the base path its search entries
// link to.
func (b *Builder) renderKey(pc *pagecache.Cache, p *Page) [32]byte {
	k := pagecache.NewKey(pc.ID(), "render")
	k.Strs(p.Key, p.File, b.basePath)
	k.Bool(p.Generated)
	k.Bytes(p.src)
	return k.Sum()
}

// siteKey stands for the settings every page's layout reads.
func (b *Builder) siteKey(pc *pagecache.Cache, th *theme, nav []*navNode) [32]byte {
	c := b.cfg
	k := pagecache.NewKey(pc.ID(), "site")
	k.Strs(c.Root, c.Content, c.Templates, c.BaseURL, b.basePath, c.Title, c.RepoURL, c.EditURL, c.SourceURL, c.Footer)
	k.Strs(c.Dashboards...)
	k.Strs(c.ServerDatasources...)
	k.Strs(c.Plugins...)
	k.Bool(c.Drafts)
	k.Bool(c.Preview)
	k.Bool(c.CLIReference != nil)
	// The theme: every layout as written and every asset's version (pages
	// show assets only by their versioned links).
	names := make([]string, 0, len(th.layoutSrc))
	for n := range th.layoutSrc {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.Str(n)
		k.Bytes(th.layoutSrc[n])
	}
	names = names[:0]
	for n := range th.hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k.Strs(n, th.hashes[n])
	}
	// The navigation, whole: every page shows it.
	var walk func([]*navNode)
	walk = func(ns []*navNode) {
		k.Str(fmt.Sprint(len(ns)))
		for _, n := range ns {
			k.Strs(n.Key, n.Title, n.URL, n.First, fmt.Sprint(n.Weight))
			k.Bool(n.section)
			walk(n.Children)
		}
	}
	walk(nav)
	return k.Sum()
}

// layoutKey stands for everything laying a page out reads: the site's
// settings, theme and navigation (site), the page's rendering (its render
// key: its source), where it is published, and its neighbours.
func layoutKey(site, render [32]byte, p *Page, prev, next *navNode) [32]byte {
	k := pagecache.NewKey("", "layout") // site and render hold the binary's identity
	k.Bytes(site[:])
	k.Bytes(render[:])
	k.Strs(p.Key, p.File, p.URL, p.Out)
	k.Bool(p.Generated)
	for _, n := range []*navNode{prev, next} {
		if n == nil {
			k.Str("none")
			continue
		}
		k.Strs(n.Title, n.URL)
	}
	return k.Sum()
}
