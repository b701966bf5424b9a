// Package site builds the plugin documentation site: markdown pages from
// content/, reference pages generated from the compiler's schemas, and a
// catalog of the compiled dashboards, laid out with HTML templates into a
// static site. Every internal link and every example is checked during the
// build. The preview server (package preview) reuses a Builder so that
// rebuilds hit its caches.
//
// A build runs in phases (see run): load, render, assemble, layout, and
// hands its outputs to a sink: memory (Build), compressed for the preview
// (BuildPacked) or a new output folder (Write).
package site

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/catalog"
	"github.com/pyrobuild/pyrobuild/internal/site/examples"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/pack"
	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
)

// Config describes one site.
type Config struct {
	// Root is the site's folder; Content and Templates are relative to it
	// unless absolute. Default ".".
	Root string
	// Content holds the markdown pages (default "content").
	Content string
	// Templates overrides the embedded layouts and assets, file by file
	// (default "templates"; ignored when absent).
	Templates string
	// Dashboards are the dashboard sources shown in the catalog (files or
	// folders, as for compile). None: no catalog.
	Dashboards []string
	// ServerDatasources are passed to the compiler (see compiler.Options).
	ServerDatasources []string
	// Plugins are passed to the compiler (see compiler.Options).
	Plugins []string
	// BaseURL is where the site is published: a path ("/docs/") or a full
	// URL ("https://example.com/docs/"). Links carry its path; sitemap.xml
	// and canonical links need the full form. Default "/".
	BaseURL string
	// Title is the site's name (default "pyrobuild").
	Title string
	// RepoURL links the header to the source repository.
	RepoURL string
	// EditURL, when set, gives every content page an "Edit this page"
	// link: EditURL + the page's path relative to Root.
	EditURL string
	// SourceURL, when set, links catalog pages to their dashboard's source:
	// SourceURL + the file's path relative to Root.
	SourceURL string
	// Nav, when set, is the navigation, in its order, instead of the
	// folder layout (see NavItem). NavPos is where it is written (the
	// site.nav key of pyrobuild.yaml), for warnings about the list as a
	// whole; diagnostics in that file quote it.
	Nav    []NavItem
	NavPos diag.Pos
	// Footer is the text at the bottom of every page.
	Footer string
	// CLIReference, when set, returns the markdown of the CLI reference
	// page (the command tree lives outside this package).
	CLIReference func() []byte
	// Workers bounds parallelism (default GOMAXPROCS); output does not
	// depend on it.
	Workers int
	// SkipExamples leaves examples uncompiled (the benchmark's cold and
	// warm builds measure rendering alone only when asked).
	SkipExamples bool
	// Drafts publishes pages whose front matter says draft: true; they are
	// left out otherwise (and links to them are broken links).
	Drafts bool
	// CacheDir keeps caches between runs (highlighted code), so a rebuild
	// highlights only what changed. Empty: no cache on disk.
	CacheDir string
	// CompilerCache is pyrobuild's cache folder ($PYROBUILD_CACHE for the
	// command), for the compilations the builder makes (dashboards,
	// examples): Go programs are built and kept in
	// compiler.GoCacheDir(CompilerCache), Go examples' modules beside it.
	// Empty: nothing is kept.
	CompilerCache string
	// CUETimeout bounds the evaluation of each CUE package the builder
	// compiles (see compiler.Options).
	CUETimeout time.Duration
	// Preview adds live flame graphs to the catalog's dashboard pages,
	// fetched through the preview server's datasource proxy (serve only:
	// a static site has no proxy).
	Preview bool
}

func (c *Config) withDefaults() Config {
	out := *c
	if out.Root == "" {
		out.Root = "."
	}
	if out.Content == "" {
		out.Content = "content"
	}
	if out.Templates == "" {
		out.Templates = "templates"
	}
	if out.BaseURL == "" {
		out.BaseURL = "/"
	}
	if out.Title == "" {
		out.Title = "pyrobuild"
	}
	if out.Footer == "" {
		out.Footer = "Built with pyrobuild"
	}
	if out.Workers <= 0 {
		out.Workers = runtime.GOMAXPROCS(0)
	}
	return out
}

// compileOptions are the options every compilation of the builder starts
// from: the cache folder and the limits.
func (c *Config) compileOptions() compiler.Options {
	o := compiler.Options{CUETimeout: c.CUETimeout}
	if c.CompilerCache != "" {
		o.GoCache = compiler.GoCacheDir(c.CompilerCache)
	}
	return o
}

func (c *Config) rootPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Root, p)
}

// Builder builds a site and keeps what can be reused by the next build of
// the same site: highlighted code, rendered pages whose source did not
// change, compiled example results.
type Builder struct {
	cfg      Config
	base     *url.URL // parsed BaseURL
	basePath string   // always starts and ends with "/"
	hl       *markdown.Highlighter
	hlOnce   sync.Once        // loads hl's saved cache
	pc       *pagecache.Cache // of the last Write, saved by SaveCache

	renders atomic.Int64 // pages rendered afresh, for the preview's log
	laidOut atomic.Int64 // pages laid out afresh

	// Caches kept between builds, each with its own lock.
	docs     memo[string, cachedDoc] // by source key, checked against a content hash
	examples examples.Cache
	// generated pages that depend only on pyrobuild itself
	generated memo[string, []byte]
	// Only a tracking builder keeps these (see TrackChanges).
	srcs    memo[string, []byte]
	layouts memo[string, layoutEntry]
	search  memo[*markdown.Document, searchFrag]

	themeMu    sync.Mutex
	theme      *theme
	themeDiags diag.Diagnostics

	// The dashboards' compilation is kept until a dashboard source
	// changes (Invalidate), so editing a page does not recompile them.
	// dashMu is held across a compilation: builds compile one at a time.
	dashMu     sync.Mutex
	dashboards *compiler.Result
	dashDirty  bool
	dashCache  *compiler.Cache // with TrackChanges: recompiles load only changed sources

	catalogMu  sync.Mutex
	catalog    []*Page
	catalogFor *compiler.Result

	// track is set by the preview server, which reports every change
	// (Invalidate): only then may file contents and the theme be reused.
	track bool
}

type cachedDoc struct {
	hash [32]byte
	src  []byte // what it was rendered from, while the builder keeps it (tracking builders)
	doc  *markdown.Document
	err  error
	raw  []markdown.Link // links in the page's HTML, see rawHTMLLinks
}

// NewBuilder checks cfg and returns a Builder for it.
func NewBuilder(cfg Config) (*Builder, error) {
	c := cfg.withDefaults()
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("--base-url %q: %v", c.BaseURL, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--base-url %q: use a path such as /docs/ or an http(s) URL", c.BaseURL)
	}
	bp := u.Path
	if !strings.HasPrefix(bp, "/") {
		bp = "/" + bp
	}
	if !strings.HasSuffix(bp, "/") {
		bp += "/"
	}
	b := &Builder{
		cfg:      c,
		base:     u,
		basePath: bp,
		hl:       markdown.NewHighlighter("", ""),
	}
	b.examples.Root, b.examples.CUETimeout = c.CompilerCache, c.CUETimeout
	return b, nil
}

const highlightCacheFile = "highlight.gob"

// loadCache reads the highlight cache a previous run saved, once, when
// the first page is rendered (a build whose pages all come from the page
// cache highlights nothing). A missing, stale or damaged cache only means
// a slower build.
func (b *Builder) loadCache() {
	b.hlOnce.Do(b.readHighlightCache)
}

func (b *Builder) readHighlightCache() {
	if b.cfg.CacheDir == "" {
		return
	}
	f, err := os.Open(filepath.Join(b.cfg.CacheDir, highlightCacheFile))
	if err != nil {
		return
	}
	defer f.Close()
	b.hl.Load(f)
}

// SaveCache writes the caches for the next run, atomically: the
// highlight cache when this run highlighted anything new, and the page
// cache of the folder the last Write replaced.
func (b *Builder) SaveCache() error {
	if b.cfg.CacheDir == "" {
		return nil
	}
	var err error
	if pc := b.pc; pc != nil {
		err = pc.Save()
		// Saved: garbage before the highlights are encoded, which needs
		// memory of its own.
		b.pc = nil
	}
	return errors.Join(err, b.saveHighlights())
}

func (b *Builder) saveHighlights() error {
	if _, misses := b.hl.Stats(); misses == 0 {
		return nil
	}
	return cache.Write(filepath.Join(b.cfg.CacheDir, highlightCacheFile), b.hl.Save)
}

// AbsoluteBaseURL reports whether the base URL names the site's host
// (https://example.com/docs/), which sitemap.xml and canonical links need;
// with only a path (/docs/) they are left out.
func (b *Builder) AbsoluteBaseURL() bool { return b.base.Host != "" }

// Config returns the builder's configuration with defaults filled in.
func (b *Builder) Config() Config { return b.cfg }

// Highlighter returns the builder's code highlighter (for its cache
// statistics).
func (b *Builder) Highlighter() *markdown.Highlighter {
	b.loadCache()
	return b.hl
}

// ProxyPrefix is where the preview server mounts the datasource proxy,
// which the catalog's live previews fetch through.
const ProxyPrefix = catalog.ProxyPrefix

// Rendered is the number of pages the builder has rendered afresh so far
// (the rest came from its caches).
func (b *Builder) Rendered() int64 { return b.renders.Load() }

// WatchRoots are the folders whose changes can change the site: content,
// templates, the dashboard sources.
func (b *Builder) WatchRoots() []string {
	cfg := b.cfg
	var roots []string
	for _, p := range []string{cfg.rootPath(cfg.Content), cfg.rootPath(cfg.Templates)} {
		if isDir(p) {
			roots = append(roots, p)
		}
	}
	for _, d := range cfg.Dashboards {
		roots = append(roots, filepath.Clean(d))
	}
	return roots
}

// Site is one built site, held in memory: the preview server serves it as
// it is, Write puts it on disk.
type Site struct {
	Pages []*Page
	// Files maps output paths (slash-separated, relative to the site root,
	// e.g. "guide/install/index.html") to their content. The preview
	// server's builds keep their pages compressed, outside Files: File
	// reads any output file.
	Files map[string][]byte
	// Diagnostics are the problems found (broken links, failing examples,
	// bad front matter, dashboard errors). Errors mean the site must not be
	// published.
	Diagnostics diag.Diagnostics
	// Sources hold the text of every file a diagnostic may quote.
	Sources map[string]*model.Source
	// Dashboards is the compilation behind the catalog (nil without one).
	Dashboards *compiler.Result
	// Inputs are the files the site was built from (for the watcher).
	Inputs []string

	// The preview server's builds keep their pages compressed, and the
	// search index as the pages' fragments (which the builder keeps
	// anyway), joined when it is asked for.
	packed    map[string]*pack.Page
	search    []searchFrag
	searchSum [32]byte
}

// searchIndexFile is the search index's output path.
const searchIndexFile = "search-index.json"

// File returns the content of an output file, from Files or made from
// what the site keeps instead.
func (s *Site) File(name string) ([]byte, bool) {
	if p, ok := s.packed[name]; ok {
		return p.Bytes(p.Tail()), true
	}
	if name == searchIndexFile && s.search != nil {
		return joinSearch(s.search), true
	}
	data, ok := s.Files[name]
	return data, ok
}

// Has reports whether the site has an output file.
func (s *Site) Has(name string) bool {
	if _, ok := s.packed[name]; ok {
		return true
	}
	if name == searchIndexFile && s.search != nil {
		return true
	}
	_, ok := s.Files[name]
	return ok
}

// Packed returns an output page kept compressed (BuildPacked), or nil.
func (s *Site) Packed(name string) *pack.Page { return s.packed[name] }

// Outputs lists every output file, in Files or kept otherwise, sorted.
func (s *Site) Outputs() []string {
	kept := s.kept()
	names := make([]string, 0, len(s.Files)+len(kept))
	for n := range s.Files {
		names = append(names, n)
	}
	names = append(names, kept...)
	sort.Strings(names)
	return names
}

// Sum returns the SHA-256 that stands for an output file when the site
// knows it without reading the file: for a packed page, and the search
// index of a packed site.
func (s *Site) Sum(name string) ([32]byte, bool) {
	if p, ok := s.packed[name]; ok {
		return p.Sum(), true
	}
	if name == searchIndexFile && s.search != nil {
		return s.searchSum, true
	}
	return [32]byte{}, false
}

// Adopt takes page p and its output from an earlier build old, for a
// page that failed in this one (the preview server keeps serving its last
// good version). It reports whether old had it.
func (s *Site) Adopt(old *Site, p *Page) bool {
	if pk, ok := old.packed[p.Out]; ok && s.packed != nil {
		s.packed[p.Out] = pk
	} else if data, ok := old.Files[p.Out]; ok {
		s.Files[p.Out] = data
	} else {
		return false
	}
	s.Pages = append(s.Pages[:len(s.Pages):len(s.Pages)], p)
	return true
}

// kept lists the output files that are not in Files.
func (s *Site) kept() []string {
	names := make([]string, 0, len(s.packed)+1)
	for n := range s.packed {
		names = append(names, n)
	}
	if s.search != nil {
		names = append(names, searchIndexFile)
	}
	return names
}

// Page is one page of the site.
type Page struct {
	// Key is the page's path in the content tree ("guide/install.md");
	// generated pages have keys in the same space ("reference/cli.md").
	Key string
	// File is the source file as diagnostics name it, relative to the
	// working directory; generated pages name what they come from.
	File string
	// URL is the page's path below the base ("guide/install/", "" for the
	// home page).
	URL string
	// Out is its output file ("guide/install/index.html").
	Out       string
	Generated bool
	Doc       *markdown.Document
	// Deps are the input files whose change changes the page (beyond its
	// own source and the templates, which every page depends on).
	Deps []string

	src    []byte
	srcSum *[32]byte   // the source's SHA-256, when a lean build dropped it
	search *searchFrag // its search index entries, when made early (lean builds)
	html   *pack.HTML  // its HTML, from a lean build's first pass to its layout
	// raw are the links of the HTML written in the page, found when it is
	// rendered (its HTML is not kept).
	raw []markdown.Link
	// renderKey stands for what its rendering read (see pageCache), set
	// when a build keeps a page cache; cached tells that its Doc comes
	// from the cache, without HTML (its src is kept to render it).
	renderKey     [32]byte
	keyed, cached bool
}

// Title is the page's title for navigation.
func (p *Page) Title() string {
	if p.Doc != nil {
		if p.Doc.Meta.NavTitle != "" {
			return p.Doc.Meta.NavTitle
		}
		if p.Doc.Title != "" {
			return p.Doc.Title
		}
	}
	name := strings.TrimSuffix(path.Base(p.Key), ".md")
	if name == "index" {
		name = path.Base(path.Dir(p.Key))
	}
	return titleCase(name)
}

func titleCase(s string) string {
	s = strings.NewReplacer("-", " ", "_", " ").Replace(s)
	if s == "" || s == "." {
		return "Home"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// link returns the URL of a path below the base ("guide/" → "/docs/guide/").
func (b *Builder) link(rel string) string {
	return b.basePath + strings.TrimPrefix(rel, "/")
}

// absolute returns the full URL of a path below the base, or "" when the
// base URL has no host.
func (b *Builder) absolute(rel string) string {
	if b.base.Host == "" {
		return ""
	}
	u := *b.base
	u.Path = b.link(rel)
	return u.String()
}

// pageURL maps a content key to its URL below the base: pretty URLs, one
// folder per page, so links never need .html.
func pageURL(key string) (urlPath, out string) {
	p := strings.TrimSuffix(key, ".md")
	switch {
	case p == "index":
		return "", "index.html"
	case strings.HasSuffix(p, "/index"):
		p = strings.TrimSuffix(p, "index")
		return p, p + "index.html"
	}
	return p + "/", p + "/index.html"
}

// Write replaces dir with the site, atomically: a failed write leaves the
// previous site as it was.
func (s *Site) Write(dir string) error {
	files := s.Files
	if kept := s.kept(); len(kept) > 0 {
		files = make(map[string][]byte, len(s.Files)+len(kept))
		for n, data := range s.Files {
			files[n] = data
		}
		for _, n := range kept {
			files[n], _ = s.File(n)
		}
	}
	return writeFiles(dir, files)
}

// HasErrors reports whether the site must not be published.
func (s *Site) HasErrors() bool { return s.Diagnostics.HasErrors() }

// readFile reads a file without its byte order mark, refusing files over
// limit bytes (0: no limit) before reading them.
func readFile(p string, limit int64) ([]byte, error) {
	if limit > 0 {
		if fi, err := os.Stat(p); err == nil && fi.Size() > limit {
			return nil, fmt.Errorf("file is %d MiB; pages are limited to %d MiB", fi.Size()>>20, limit>>20)
		}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}

// Invalidate tells the builder which input files changed since its last
// build, so it recompiles the dashboards only when one of theirs did.
func (b *Builder) Invalidate(paths []string) {
	b.dashMu.Lock()
	defer b.dashMu.Unlock()
	templates := filepath.Clean(b.cfg.rootPath(b.cfg.Templates))
	for _, p := range paths {
		p = filepath.Clean(p)
		b.srcs.delete(p)
		if under(templates, p) {
			b.themeMu.Lock()
			b.theme = nil
			b.themeMu.Unlock()
		}
		for _, d := range b.cfg.Dashboards {
			if under(filepath.Clean(d), p) {
				b.dashDirty = true
			}
		}
		if compiledFrom(b.dashboards, p) {
			b.dashDirty = true // a package a Go dashboard imports, its go.mod…
		}
	}
}

// TrackChanges makes the builder reuse file contents and the theme between
// builds; the caller must then report every changed file to Invalidate.
func (b *Builder) TrackChanges() {
	b.track = true
	b.dashCache = compiler.NewCache()
}

// under reports whether p is dir or inside it, by name (the file may be
// gone).
func under(dir, p string) bool {
	if dir == p {
		return true
	}
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// compiledFrom reports whether the compilation res read the file p: one
// of its sources, or a file its Go programs depend on (a local package
// they import, go.mod, go.sum), wherever it is.
func compiledFrom(res *compiler.Result, p string) bool {
	if res == nil {
		return false
	}
	abs := func(f string) string {
		if a, err := filepath.Abs(f); err == nil {
			return a
		}
		return filepath.Clean(f)
	}
	p = abs(p)
	for f := range res.Sources {
		if abs(f) == p {
			return true
		}
	}
	for _, f := range res.Inputs {
		if abs(f) == p {
			return true
		}
	}
	return false
}
