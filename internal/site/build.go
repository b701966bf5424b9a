package site

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
	"github.com/pyrobuild/pyrobuild/internal/site/pack"
	"github.com/pyrobuild/pyrobuild/internal/site/pagecache"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// Build builds the whole site in memory. The error is for failures of the
// machine (out of memory, a broken embedded theme) and for ctx ending the
// build; problems in the site's sources are in Site.Diagnostics.
//
// A Builder that tracks changes (the preview server's) reuses everything
// its last build made from inputs that did not change: file contents, the
// theme, rendered markdown, laid-out pages, search entries.
func (b *Builder) Build(ctx context.Context) (*Site, error) {
	return b.build(ctx, &memorySink{s: newSite()}, nil)
}

// BuildPacked builds the site in memory as the preview server holds it:
// each page compressed, and the search index as the pages' fragments.
// Site.File and Site.Packed read them.
func (b *Builder) BuildPacked(ctx context.Context) (*Site, error) {
	s := newSite()
	s.packed = map[string]*pack.Page{}
	return b.build(ctx, &packedSink{memorySink{s: s}}, nil)
}

// Write builds the site straight into dir: pages are written as they are
// laid out, into a fresh folder that replaces dir only when the build has
// no errors and ctx has not ended (the old site stays otherwise). The
// returned Site holds the diagnostics; its Files are not kept.
func (b *Builder) Write(ctx context.Context, dir string) (*Site, error) {
	var s *Site
	pc := b.openPageCache(dir)
	b.pc = pc
	err := outdir.Replace(dir, func(t *outdir.Tree) error {
		d := newDiskSink(ctx, b, t, pc)
		var err error
		s, err = b.build(ctx, d, pc)
		d.wait() // never left running into a folder being removed
		if err != nil {
			return err
		}
		if s.HasErrors() {
			return errBuildFailed
		}
		return ctx.Err()
	})
	if pc != nil {
		pc.Close()
	}
	if err != nil {
		b.pc = nil // the output was not replaced: its cache stays as it was
	}
	if errors.Is(err, errBuildFailed) {
		return s, nil
	}
	return s, err
}

var errBuildFailed = errors.New("the site has errors")

func newSite() *Site {
	return &Site{Files: map[string][]byte{}, Sources: map[string]*model.Source{}}
}

// run is one build, in phases: load (the theme, the pages' sources, the
// dashboards), render (the pages' markdown), assemble (links, examples,
// navigation, search index), layout (the templates, into the sink).
// Each phase fills in the fields the next ones read.
type run struct {
	b   *Builder
	ctx context.Context
	out sink
	s   *Site
	pc  *pagecache.Cache // the disk sink's, when it keeps one
	// lean: render in two passes and drop each page's HTML once laid out
	// (see render), for a written site or a tracking builder.
	lean bool

	// load
	th      *theme
	all     []*Page // every page, drafts included
	statics []staticFile
	// render
	pk    *pack.Packer
	pages []*Page // the published ones
	byURL map[string]*Page
	// assemble
	nav    []*navNode
	search []searchFrag
	// layout: the navigation's HTML, per folder (see navFor); keyed by
	// this build's tree, so it lives as long as the build.
	navs memo[string, template.HTML]
}

// errDone ends a build early: its diagnostics are all it has.
var errDone = errors.New("build ended early")

// build runs the phases of one build into out. pc is the page cache of
// the output being replaced (Write only).
func (b *Builder) build(ctx context.Context, out sink, pc *pagecache.Cache) (*Site, error) {
	r := &run{b: b, ctx: ctx, out: out, s: out.site(), pc: pc, lean: out.writes() || b.track}
	for _, phase := range []func() error{r.load, r.render, r.assemble, r.layout, r.finish} {
		if err := ctx.Err(); err != nil {
			return r.s, err
		}
		if err := phase(); err == errDone {
			return r.s, nil
		} else if err != nil {
			return r.s, err
		}
	}
	return r.s, nil
}

// load reads what the site is made from: the theme, the content's pages
// and files, the dashboards' compilation; and adds the generated pages.
func (r *run) load() error {
	b, s := r.b, r.s
	th, diags := b.cachedTheme()
	s.Diagnostics = append(s.Diagnostics, diags...)
	if th == nil {
		return errors.New("the embedded theme is broken")
	}
	if s.Diagnostics.HasErrors() {
		// Laying pages out with a broken template would only repeat the
		// template's error once per page.
		th.quote(s)
		s.Diagnostics.Sort()
		return errDone
	}
	r.th = th
	s.Inputs = append(s.Inputs, th.files...)

	pages, statics, diags := b.loadContent()
	s.Diagnostics = append(s.Diagnostics, diags...)
	r.statics = statics
	outs := make([]string, len(pages))
	for i, p := range pages {
		_, outs[i] = pageURL(p.Key)
	}
	r.out.early(outs)
	for _, p := range pages {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		data, err := b.readSource(p.File, maxPageSize)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: p.File}, Message: err.Error()})
			continue
		}
		if d := pageTextProblem(p.File, data); d != nil {
			s.Diagnostics = append(s.Diagnostics, *d)
			continue
		}
		p.src = data
		s.Inputs = append(s.Inputs, p.File)
	}
	if len(b.cfg.Dashboards) > 0 {
		res, err := b.compiled(r.ctx)
		if err != nil {
			return err
		}
		s.Dashboards = res
		s.Diagnostics = append(s.Diagnostics, res.Diagnostics...)
		for k, v := range res.Sources {
			s.Sources[k] = v
			s.Inputs = append(s.Inputs, k)
		}
	}
	r.all = b.addGenerated(pages, s)
	return nil
}

// compiled is the dashboards' compilation: the last one while no
// dashboard source changed.
func (b *Builder) compiled(ctx context.Context) (*compiler.Result, error) {
	b.dashMu.Lock()
	defer b.dashMu.Unlock()
	if b.dashboards != nil && !b.dashDirty {
		return b.dashboards, nil
	}
	opts := b.cfg.compileOptions()
	opts.Paths, opts.ServerDatasources, opts.Workers, opts.Cache = b.cfg.Dashboards, b.cfg.ServerDatasources, b.cfg.Workers, b.dashCache
	opts.Plugins = b.cfg.Plugins
	res, err := compiler.Compile(ctx, opts)
	if err != nil {
		return nil, err
	}
	b.dashboards, b.dashDirty = res, false
	return res, nil
}

// render renders every page's markdown and publishes the pages that are
// not drafts, one per URL.
//
// Writing or serving a site renders in two passes: the first keeps what
// links, navigation and search need and the HTML packed (a fifth of its
// size; a written page's source is dropped); the second unpacks each
// page's HTML just before it is laid out and written (or packed whole, to
// be served). A large site then never holds all its HTML at once.
func (r *run) render() error {
	r.pk = pack.NewPacker()
	if err := r.b.render(r.ctx, r.all, r.s, r.pk, r.lean, r.pc); err != nil {
		return err
	}
	r.byURL = map[string]*Page{}
	for _, p := range r.all {
		if p.Doc == nil || (p.Doc.Meta.Draft && !r.b.cfg.Drafts) {
			continue
		}
		p.URL, p.Out = pageURL(p.Key)
		if prev := r.byURL[p.URL]; prev != nil {
			r.s.Diagnostics = append(r.s.Diagnostics, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeDuplicatePage, Pos: diag.Pos{File: p.File, Line: 1},
				Message: fmt.Sprintf("%s and %s both publish /%s", prev.Key, p.Key, p.URL), Hint: "rename one of them (foo.md and foo/index.md are the same page)"})
			continue
		}
		r.byURL[p.URL] = p
		r.pages = append(r.pages, p)
	}
	r.s.Pages = r.pages
	r.s.Diagnostics = append(r.s.Diagnostics, outputConflicts(r.pages, r.statics, r.th)...)
	published := make(map[string]bool, len(r.pages))
	for _, p := range r.pages {
		published[p.Out] = true
	}
	return r.out.settle(published)
}

// assemble checks what joins the pages (links, examples) and makes what
// spans them: the navigation and the search index.
func (r *run) assemble() error {
	b, s := r.b, r.s
	s.Diagnostics = append(s.Diagnostics, b.checkLinks(r.pages, r.byURL, r.outputNames())...)
	if !b.cfg.SkipExamples {
		withCode, empty := emptyExamples(r.pages)
		s.Diagnostics = append(s.Diagnostics, empty...)
		diags, err := b.checkExamples(r.ctx, withCode)
		if err != nil {
			return err
		}
		s.Diagnostics = append(s.Diagnostics, diags...)
	}
	// Keep the text of the pages that have problems, for excerpts.
	quoted := map[string]bool{}
	for _, d := range s.Diagnostics {
		quoted[d.Pos.File] = true
	}
	for _, p := range r.all {
		if quoted[p.File] && (!p.Generated || strings.HasPrefix(p.File, "reference/")) {
			if src := b.quotable(p); src != nil || p.srcSum == nil {
				s.Sources[p.File] = model.NewSource(p.File, src)
			}
		}
		if r.out.writes() && !b.track && !p.cached {
			p.src = nil // laid out from its packed HTML
		}
	}
	nav, navDiags := b.navigation(r.pages, r.all)
	s.Diagnostics = append(s.Diagnostics, navDiags...)
	b.quoteNav(s, navDiags)
	b.setURLs(nav)
	r.nav = nav
	r.search = b.searchIndex(r.pages)
	return nil
}

// outputNames are the files besides the pages that links may name.
func (r *run) outputNames() map[string]bool {
	names := map[string]bool{}
	for _, f := range r.statics {
		names[f.rel] = true
	}
	for name := range r.th.hashes {
		names["assets/"+name] = true
	}
	for _, extra := range []string{"search-index.json", "sitemap.xml", "robots.txt", "404.html"} {
		names[extra] = true
	}
	return names
}

// layout lays every published page out with the templates, in parallel,
// and sends it to the sink; then the site's other files.
func (r *run) layout() error {
	b, s := r.b, r.s
	out, err := r.out.begin(r.th, r.nav, r.pages, s.HasErrors())
	if err != nil {
		return err
	}
	r.out = out
	jobs := neighbours(r.pages, r.nav)
	navVersion := navDigest(r.nav)
	errs := make([]error, len(jobs))
	err = parallel.Run(r.ctx, len(jobs), b.cfg.Workers, func(i int) {
		j := jobs[i]
		errs[i] = out.page(j.p, j.prev, j.next, func(packed bool) (layoutEntry, error) {
			return r.cachedLayout(j.p, navVersion, packed, j.prev, j.next)
		})
		if errs[i] != nil {
			return
		}
		if j.p.cached {
			j.p.src = nil
		}
		if r.lean {
			// Laid out (and kept, or written): the page's HTML, its biggest
			// part, is rendered again if its layout is ever needed anew.
			j.p.Doc.HTML, j.p.html = nil, nil
		}
	})
	if err != nil {
		return err
	}
	for i := range r.pages {
		if errs[i] != nil {
			s.Diagnostics = append(s.Diagnostics, r.th.diag(errs[i], "page.html"))
		}
	}
	return r.otherFiles()
}

// job is one page to lay out, with its neighbours in the navigation.
type job struct {
	p          *Page
	prev, next *navNode
}

func neighbours(pages []*Page, nav []*navNode) []job {
	order := navOrder(nav)
	pos := map[string]int{}
	for i, n := range order {
		pos[n.Key] = i
	}
	jobs := make([]job, len(pages))
	for i, p := range pages {
		j := job{p: p}
		if k, ok := pos[p.Key]; ok {
			if k > 0 {
				j.prev = order[k-1]
			}
			if k+1 < len(order) {
				j.next = order[k+1]
			}
		}
		jobs[i] = j
	}
	return jobs
}

// otherFiles sends the sink the site's files besides its pages: 404.html,
// the content's static files, the theme's assets, the search index,
// sitemap.xml and robots.txt.
func (r *run) otherFiles() error {
	b, s, out := r.b, r.s, r.out
	if nf, err := b.notFound(r.th, r.nav); err == nil {
		out.file("404.html", nf)
	} else {
		s.Diagnostics = append(s.Diagnostics, r.th.diag(err, "page.html"))
	}
	for _, f := range r.statics {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		data, err := b.readSource(f.file, 0)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeContentRead, Pos: diag.Pos{File: f.file}, Message: err.Error()})
			continue
		}
		out.file(f.rel, data)
		s.Inputs = append(s.Inputs, f.file)
	}
	assets, err := r.th.assetOutputs()
	if err != nil {
		return err
	}
	for k, v := range assets {
		out.file(k, v)
	}
	out.search(r.search)
	if sm := b.sitemap(r.pages); sm != nil {
		out.file("sitemap.xml", sm)
	}
	out.file("robots.txt", b.robots())
	return nil
}

// finish closes the build: the sink's first error, the diagnostics in
// order with their excerpts, and the caches pruned of pages gone.
func (r *run) finish() error {
	if err := r.out.err(); err != nil {
		return err
	}
	r.th.quote(r.s)
	r.s.Diagnostics.Sort()
	r.b.prune(r.pages)
	return nil
}
