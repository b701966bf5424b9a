package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/docs"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
)

// Build builds the whole site in memory. The error is for failures of the
// machine (out of memory, a broken embedded theme); problems in the site's
// sources are in Site.Diagnostics.
//
// A Builder that tracks changes (the preview server's) reuses everything
// its last build made from inputs that did not change: file contents, the
// theme, rendered markdown, laid-out pages, search entries.
func (b *Builder) Build() (*Site, error) { return b.build(nil) }

// A sink receives output files as soon as they are made; it is called
// from several goroutines.
type sink struct {
	write func(name string, data []byte) error
	// link puts the previous output's file name in place, unchanged, when
	// it holds what e stands for; false when it does not or cannot.
	link func(name string, e outputEntry) bool
	// dirs makes the folders of these files, before any is written;
	// undo removes those of them that stayed empty.
	dirs func(names []string) error
	undo func(names []string)
}

// build builds the site. With a sink, pages go to it as they are laid out
// and are not kept, so writing a large site needs little memory; it is
// called only when the sources have no errors.
func (b *Builder) build(out *sink) (*Site, error) {
	s := &Site{Files: map[string][]byte{}, Sources: map[string]*compiler.Source{}}
	// Pages are packed only to be kept (the preview server's); written
	// ones go out as they are.
	pack := b.pack && out == nil
	if pack {
		s.packed = map[string]*packedPage{}
	}
	th, diags := b.cachedTheme()
	s.Diagnostics = append(s.Diagnostics, diags...)
	if th == nil {
		return s, errors.New("the embedded theme is broken")
	}
	if s.Diagnostics.HasErrors() {
		// Laying pages out with a broken template would only repeat the
		// template's error once per page.
		th.quote(s)
		s.Diagnostics.Sort()
		return s, nil
	}
	s.Inputs = append(s.Inputs, th.files...)

	pages, statics, diags := b.loadContent()
	s.Diagnostics = append(s.Diagnostics, diags...)
	// Making a folder per page is much of the cost of writing a site
	// whose pages are cached: it runs while the pages are read and
	// rendered (folders of pages left out are removed again).
	var early []string
	waitDirs := func() error { return nil }
	if out != nil {
		early = make([]string, len(pages))
		for i, p := range pages {
			_, early[i] = pageURL(p.Key)
		}
		done := make(chan error, 1)
		go func() { done <- out.dirs(early) }()
		waitDirs = sync.OnceValue(func() error { return <-done })
		defer waitDirs() // never left running into a folder being removed
	}
	for _, p := range pages {
		data, err := b.readSource(p.File, maxPageSize)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Code: CodeContentRead, Pos: compiler.Pos{File: p.File}, Message: err.Error()})
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
		b.mu.Lock()
		res := b.dashboards
		if res == nil || b.dashDirty {
			var err error
			// context.TODO: the site builder has no context yet (issue 13).
			if res, err = compiler.Compile(context.TODO(), compiler.Options{Paths: b.cfg.Dashboards, ServerDatasources: b.cfg.ServerDatasources, Workers: b.cfg.Workers, Cache: b.dashCache}); err != nil {
				b.mu.Unlock()
				return s, err
			}
			b.dashboards, b.dashDirty = res, false
		}
		b.mu.Unlock()
		s.Dashboards = res
		s.Diagnostics = append(s.Diagnostics, res.Diagnostics...)
		for k, v := range res.Sources {
			s.Sources[k] = v
			s.Inputs = append(s.Inputs, k)
		}
	}
	pages = b.addGenerated(pages, s)
	// Writing or serving a site renders in two passes: the first keeps
	// what links, navigation and search need and the HTML packed (a fifth
	// of its size; a written page's source is dropped); the second unpacks
	// each page's HTML just before it is laid out and written (or packed
	// whole, to be served). A large site then never holds all its HTML at
	// once.
	pk := newPacker()
	b.render(pages, s, pk, out != nil || b.track)
	all := pages
	byURL := map[string]*Page{}
	var kept []*Page
	for _, p := range pages {
		if p.Doc == nil || (p.Doc.Meta.Draft && !b.cfg.Drafts) {
			continue
		}
		p.URL, p.Out = pageURL(p.Key)
		if prev := byURL[p.URL]; prev != nil {
			s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Code: CodeDuplicatePage, Pos: compiler.Pos{File: p.File, Line: 1},
				Message: fmt.Sprintf("%s and %s both publish /%s", prev.Key, p.Key, p.URL), Hint: "rename one of them (foo.md and foo/index.md are the same page)"})
			continue
		}
		byURL[p.URL] = p
		kept = append(kept, p)
	}
	pages = kept
	s.Pages = pages
	s.Diagnostics = append(s.Diagnostics, outputConflicts(pages, statics, th)...)
	if out != nil {
		if err := waitDirs(); err != nil {
			return s, err
		}
		published := make(map[string]bool, len(pages))
		for _, p := range pages {
			published[p.Out] = true
		}
		var unused []string
		for _, n := range early {
			if !published[n] {
				unused = append(unused, n)
			}
		}
		out.undo(unused)
	}

	staticURLs := map[string]bool{}
	for _, f := range statics {
		staticURLs[f.rel] = true
	}
	for name := range th.hashes {
		staticURLs["assets/"+name] = true
	}
	for _, extra := range []string{"search-index.json", "sitemap.xml", "robots.txt", "404.html"} {
		staticURLs[extra] = true
	}
	s.Diagnostics = append(s.Diagnostics, b.checkLinks(pages, byURL, staticURLs)...)
	if !b.cfg.SkipExamples {
		withCode, empty := emptyExamples(pages)
		s.Diagnostics = append(s.Diagnostics, empty...)
		s.Diagnostics = append(s.Diagnostics, b.checkExamples(withCode)...)
	}
	// Keep the text of the pages that have problems, for excerpts.
	quoted := map[string]bool{}
	for _, d := range s.Diagnostics {
		quoted[d.Pos.File] = true
	}
	for _, p := range all {
		if quoted[p.File] && (!p.Generated || strings.HasPrefix(p.File, "reference/")) {
			if src := b.quotable(p); src != nil || p.srcSum == nil {
				s.Sources[p.File] = compiler.NewSource(p.File, src)
			}
		}
		if out != nil && !b.track && !p.cached {
			p.src = nil // laid out from its packed HTML
		}
	}

	nav, navDiags := b.navigation(pages, all)
	s.Diagnostics = append(s.Diagnostics, navDiags...)
	b.quoteNav(s, navDiags)
	b.setURLs(nav)
	navVersion := navDigest(nav)
	order := navOrder(nav)
	mermaid := false
	type job struct {
		p    *Page
		prev *navNode
		next *navNode
	}
	jobs := make([]job, len(pages))
	pos := map[string]int{}
	for i, n := range order {
		pos[n.Key] = i
	}
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
		if p.Doc.Mermaid {
			mermaid = true
		}
	}
	var filesMu sync.Mutex
	var sinkErr error
	emit := func(name string, data []byte) {
		filesMu.Lock()
		defer filesMu.Unlock()
		if out == nil || s.Diagnostics.HasErrors() {
			s.Files[name] = data
			return
		}
		s.Files[name] = nil // written, not kept
		if err := out.write(name, data); err != nil && sinkErr == nil {
			sinkErr = err
		}
	}
	// With a page cache, a page whose layout would read what the last
	// build's did keeps the file that build wrote.
	pc := b.pc
	if out == nil || s.Diagnostics.HasErrors() {
		pc = nil
	}
	var siteKey [32]byte
	if pc != nil {
		pc.wait()
		siteKey = b.siteKey(th, nav)
	}
	if out != nil && !s.Diagnostics.HasErrors() {
		names := make([]string, len(pages))
		for i, p := range pages {
			names[i] = p.Out
		}
		if err := out.dirs(names); err != nil {
			return s, err
		}
	}
	errs := make([]error, len(pages))
	parallel(len(jobs), b.cfg.Workers, func(i int) {
		j := jobs[i]
		var lk [32]byte
		if pc != nil && j.p.keyed {
			lk = layoutKey(siteKey, j.p.renderKey, j.p, j.prev, j.next)
			if e, ok := pc.reusable(j.p.Out, lk); ok && out.link(j.p.Out, e) {
				pc.putOutput(j.p.Out, e)
				filesMu.Lock()
				s.Files[j.p.Out] = nil // in place, not kept
				filesMu.Unlock()
				j.p.src, j.p.Doc.HTML, j.p.html = nil, nil, nil
				return
			}
		}
		laid, err := b.cachedLayout(th, pk, pack, j.p, nav, navVersion, j.prev, j.next)
		if err != nil {
			errs[i] = err
			return
		}
		if pc != nil && j.p.keyed && laid.out != nil {
			pc.putOutput(j.p.Out, outputEntry{key: lk, sum: sha256.Sum256(laid.out), size: int64(len(laid.out))})
		}
		if j.p.cached {
			j.p.src = nil
		}
		if laid.packed != nil {
			filesMu.Lock()
			s.packed[j.p.Out] = laid.packed
			filesMu.Unlock()
		} else {
			emit(j.p.Out, laid.out)
		}
		if b.track || out != nil {
			// Laid out (and kept, or written): the page's HTML, its biggest
			// part, is rendered again if its layout is ever needed anew.
			j.p.Doc.HTML, j.p.html = nil, nil
		}
	})
	for i := range pages {
		if errs[i] != nil {
			s.Diagnostics = append(s.Diagnostics, th.diag(errs[i], "page.html"))
		}
	}
	if nf, err := b.notFound(th, nav); err == nil {
		emit("404.html", nf)
	} else {
		s.Diagnostics = append(s.Diagnostics, th.diag(err, "page.html"))
	}
	for _, f := range statics {
		data, err := b.readSource(f.file, 0)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Code: CodeContentRead, Pos: compiler.Pos{File: f.file}, Message: err.Error()})
			continue
		}
		emit(f.rel, data)
		s.Inputs = append(s.Inputs, f.file)
	}
	assets, err := th.assetOutputs(mermaid)
	if err != nil {
		return s, err
	}
	for k, v := range assets {
		emit(k, v)
	}
	if frags := b.searchIndex(pages); pack {
		s.search, s.searchSum = frags, searchDigest(frags)
	} else {
		emit(searchIndexFile, joinSearch(frags))
	}
	if sm := b.sitemap(pages); sm != nil {
		emit("sitemap.xml", sm)
	}
	emit("robots.txt", b.robots())
	if sinkErr != nil {
		return s, sinkErr
	}
	th.quote(s)
	s.Diagnostics.Sort()
	b.prune(pages)
	b.mu.Lock()
	clear(b.navs) // keyed by this build's tree
	b.mu.Unlock()
	return s, nil
}

// outputConflicts reports the files of content/ and the theme's assets
// that a page's output would collide with: one at the page's own path
// (content/foo/index.html beside foo.md), one where a page's folder goes,
// or one below a page's file. Either would make the site depend on which
// is written last.
func outputConflicts(pages []*Page, statics []staticFile, th *theme) compiler.Diagnostics {
	files := make(map[string]*Page, len(pages))
	folders := map[string]*Page{}
	for _, p := range pages {
		files[p.Out] = p
		for d := path.Dir(p.Out); d != "." && folders[d] == nil; d = path.Dir(d) {
			folders[d] = p
		}
	}
	var diags compiler.Diagnostics
	check := func(name, what string) {
		var p *Page
		var msg string
		if p = files[name]; p != nil {
			msg = fmt.Sprintf("%s and %s both publish /%s", p.Key, what, name)
		} else if p = folders[name]; p != nil {
			msg = fmt.Sprintf("%s takes the place of the folder /%s/ that %s is published in", what, name, p.Key)
		} else {
			for d := path.Dir(name); d != "."; d = path.Dir(d) {
				if p = files[d]; p != nil {
					msg = fmt.Sprintf("%s needs a folder at /%s, where %s is published", what, d, p.Key)
					break
				}
			}
		}
		if p != nil {
			diags = append(diags, compiler.Diagnostic{Severity: compiler.Error, Code: CodeDuplicatePage, Pos: compiler.Pos{File: p.File, Line: 1},
				Message: msg, Hint: "rename or move one of them (a page foo.md is published as foo/index.html)"})
		}
	}
	for _, f := range statics {
		check(f.rel, "the file "+f.rel)
	}
	names := make([]string, 0, len(th.hashes))
	for n := range th.hashes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		check("assets/"+n, "the theme's asset "+n)
	}
	return diags
}

// quotable is the text of a page for excerpts of its problems: its source,
// or, when the build dropped it, the file read again if it has not changed
// since (nil otherwise: the problems are shown without excerpts).
func (b *Builder) quotable(p *Page) []byte {
	if p.src != nil || p.srcSum == nil {
		return p.src
	}
	data, err := readFile(p.File, maxPageSize)
	if err != nil || sha256.Sum256(data) != *p.srcSum {
		return nil
	}
	return data
}

// emptyExamples reports the examples that hold no code (blank lines,
// comments, YAML document markers), which would compile cleanly and so
// check nothing, each at its opening fence. It returns the pages with
// only the other examples, to compile.
func emptyExamples(pages []*Page) ([]*Page, compiler.Diagnostics) {
	var diags compiler.Diagnostics
	out, copied := pages, false
	for i, p := range pages {
		var kept []markdown.Example
		for _, ex := range p.Doc.Examples {
			if !blankExample(ex) {
				kept = append(kept, ex)
				continue
			}
			diags = append(diags, compiler.Diagnostic{Severity: compiler.Error, Code: CodeExample,
				Pos:     compiler.Pos{File: p.File, Line: max(ex.Line-1, 1), Col: 1},
				Message: fmt.Sprintf("%s example is empty: there is nothing to compile", ex.Lang),
				Hint:    "write the example's code, or drop the word example from the fence"})
		}
		if len(kept) == len(p.Doc.Examples) {
			continue
		}
		if !copied {
			out, copied = append([]*Page(nil), pages...), true // pages stays as it is
		}
		c, d := *p, *p.Doc
		d.Examples, c.Doc = kept, &d
		out[i] = &c
	}
	return out, diags
}

// blankExample reports whether an example's code is only blank lines and
// comments.
func blankExample(ex markdown.Example) bool {
	lang := strings.ToLower(ex.Lang)
	for _, line := range strings.Split(string(ex.Code), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case (lang == "yaml" || lang == "yml") && (strings.HasPrefix(line, "#") || line == "---" || line == "..."):
		case lang == "cue" && strings.HasPrefix(line, "//"):
		default:
			return false
		}
	}
	return true
}

// cachedTheme loads the theme, or reuses the last one while no template
// changed (tracking builders only).
func (b *Builder) cachedTheme() (*theme, compiler.Diagnostics) {
	b.mu.Lock()
	th, diags := b.theme, b.themeDiags
	b.mu.Unlock()
	if th != nil && b.track {
		return th, diags
	}
	th, diags = b.loadTheme()
	b.mu.Lock()
	b.theme, b.themeDiags = th, diags
	b.mu.Unlock()
	return th, diags
}

// readSource reads an input file, or reuses its content while it has not
// changed (tracking builders only). Files over limit bytes (0: no limit)
// are refused before they are read.
func (b *Builder) readSource(p string, limit int64) ([]byte, error) {
	if b.track {
		b.mu.Lock()
		data, ok := b.srcs[p]
		b.mu.Unlock()
		if ok {
			return data, nil
		}
	}
	data, err := readFile(p, limit)
	if err == nil && b.track {
		b.mu.Lock()
		b.srcs[p] = data
		b.mu.Unlock()
	}
	return data, err
}

// cachedLayout lays a page out, or reuses its last layout when nothing it
// shows changed: its rendered markdown, the navigation, its neighbours.
// When pack is set, it returns the page packed.
func (b *Builder) cachedLayout(th *theme, pk *packer, pack bool, p *Page, nav []*navNode, navVersion string, prev, next *navNode) (layoutEntry, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%p|%p|%s|%s|%v", th, p.Doc, navVersion, p.Key, p.Generated)
	for _, n := range []*navNode{prev, next} {
		if n != nil {
			fmt.Fprintf(h, "|%s|%s", n.Title, n.URL)
		}
	}
	var key [32]byte
	h.Sum(key[:0])
	b.mu.Lock()
	c, ok := b.layouts[p.Key]
	b.mu.Unlock()
	if ok && c.key == key {
		switch {
		case pack && c.packed == nil:
			c.out, c.packed = nil, pk.pack(c.out)
			b.mu.Lock()
			b.layouts[p.Key] = c
			b.mu.Unlock()
		case !pack && c.packed != nil:
			c = layoutEntry{key: key, out: c.packed.page(c.packed.tail)} // written, not kept
		}
		return c, nil
	}
	switch {
	case p.Doc.HTML != nil:
	case p.html != nil:
		// Rendered by this build's first pass, kept packed.
		html, err := p.html.unpack()
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
	err := b.layout(buf, th, p, nav, prev, next)
	b.laidOut.Add(1)
	if err != nil {
		return layoutEntry{}, err
	}
	e := layoutEntry{key: key}
	if pack {
		e.packed = pk.pack(buf.Bytes())
	} else {
		// A copy of exactly the page's size: the buffer's spare capacity
		// would otherwise be kept with every page the preview server holds.
		e.out = bytes.Clone(buf.Bytes())
	}
	if b.track {
		b.mu.Lock()
		b.layouts[p.Key] = e
		b.mu.Unlock()
	}
	return e, nil
}

type layoutEntry struct {
	key    [32]byte
	out    []byte
	packed *packedPage // instead of out, when the builder packs pages
}

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
		{"reference/index.md", func() []byte { return []byte(referenceIndex(b.cfg.CLIReference != nil)) }},
		{"reference/plugins.md", b.pluginReference},
		{"reference/diagnostics.md", diagnosticsPage},
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
		b.mu.Lock()
		src, ok := b.generated[f.key]
		b.mu.Unlock()
		if !ok {
			src = f.make()
			b.mu.Lock()
			b.generated[f.key] = src
			b.mu.Unlock()
		}
		add(&Page{Key: f.key, File: f.key + " (generated)", Generated: true, src: src})
	}
	if s.Dashboards != nil {
		b.mu.Lock()
		cat, catFor := b.catalog, b.catalogFor
		b.mu.Unlock()
		if catFor != s.Dashboards {
			cat = b.catalogPages(s.Dashboards)
			b.mu.Lock()
			b.catalog, b.catalogFor = cat, s.Dashboards
			b.mu.Unlock()
		}
		for _, p := range cat {
			c := *p // pages are filled in per build
			add(&c)
		}
	}
	return pages
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
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.layouts {
		if !keys[k] {
			delete(b.layouts, k)
		}
	}
	for k := range b.docs {
		if !keys[k] {
			delete(b.docs, k)
		}
	}
	for d := range b.search {
		if !docs[d] {
			delete(b.search, d)
		}
	}
}

func referenceIndex(cli bool) string {
	var w strings.Builder
	w.WriteString("---\ntitle: Reference\ndescription: \"Generated reference pages: plugin models, diagnostics and commands.\"\nweight: 900\n---\n\n# Reference\n\n")
	w.WriteString("These pages are generated from pyrobuild itself, so they always match the version that built this site.\n\n")
	w.WriteString("- [Plugin model reference](plugins.md): every field of PyroscopeDatasource, HTTPProxy, PyroscopeProfileQuery and FlameChart.\n")
	w.WriteString("- [Diagnostics](diagnostics.md): every problem pyrobuild reports, with an example.\n")
	if cli {
		w.WriteString("- [Command line](cli.md): every command and flag.\n")
	}
	return w.String()
}

var generatedNote = regexp.MustCompile("(?m)^This file is generated: .*\n\n")

// diagnosticsPage is docs/diagnostics.md (generated by the compiler's
// tests from its broken-source corpus) with front matter.
func diagnosticsPage() []byte {
	body := generatedNote.ReplaceAll(docs.Diagnostics, nil)
	return append([]byte("---\ntitle: Diagnostics\ndescription: Every diagnostic code pyrobuild reports, what it means, and an example.\nweight: 20\n---\n\n"), body...)
}

// render renders every page's markdown, in parallel, reusing the previous
// build's result for pages whose source did not change.
func (b *Builder) render(pages []*Page, s *Site, pk *packer, lean bool) {
	md := sync.OnceValue(b.md) // not needed when every page is cached
	pc := b.pc
	if !lean || b.track {
		pc = nil
	}
	if pc != nil {
		pc.wait()
	}
	errs := make([]error, len(pages))
	parallel(len(pages), b.cfg.Workers, func(i int) {
		p := pages[i]
		if p.src == nil && !p.Generated {
			return
		}
		if pc != nil {
			p.renderKey, p.keyed = b.renderKey(p), true
			if r := pc.render(p.renderKey); r != nil {
				doc := r.Doc // the page's own: its layout may add its HTML
				p.Doc, p.raw, p.cached = &doc, r.Raw, true
				p.search = &searchFrag{json: r.Search, sum: sha256.Sum256(r.Search)}
				return
			}
		}
		b.mu.Lock()
		c, ok := b.docs[p.Key]
		b.mu.Unlock()
		if ok && sameBytes(c.src, p.src) {
			// The very source it was rendered from (the builder reuses
			// unchanged files): no need to hash it again.
			p.Doc, p.raw, errs[i] = c.doc, c.raw, c.err
			return
		}
		sum := sha256.Sum256(p.src)
		if ok && c.hash == sum {
			p.Doc, p.raw, errs[i] = c.doc, c.raw, c.err
			if b.track {
				b.mu.Lock()
				c.src = p.src
				b.docs[p.Key] = c
				b.mu.Unlock()
			}
			return
		}
		doc, err := md().Render(p.Key, p.src)
		b.renders.Add(1)
		var raw []markdown.Link
		if err == nil {
			raw = b.rawHTMLLinks(p.Key, p.src, doc.HTML)
		}
		if lean && err == nil {
			frag := b.searchEntries(&Page{Key: p.Key, File: p.File, Doc: doc, URL: pageURLOnly(p.Key)})
			if pc != nil {
				pc.putRender(p.renderKey, doc, raw, frag.json)
			}
			// The HTML waits for the layout packed, a fifth of its size.
			p.html = pk.packHTML(doc.HTML)
			doc.HTML, doc.Sections = nil, nil
			if !b.track && !p.Generated && len(doc.Examples) == 0 {
				// Nothing reads the source again but an excerpt of a
				// problem, which reads the file again (see quotable).
				p.src, p.srcSum = nil, &sum
			}
			if b.track {
				b.mu.Lock()
				b.search[doc] = frag
				b.mu.Unlock()
			} else {
				p.search = &frag
			}
		}
		if b.track || !lean {
			c := cachedDoc{hash: sum, doc: doc, err: err, raw: raw}
			if b.track {
				c.src = p.src
			}
			b.mu.Lock()
			b.docs[p.Key] = c
			b.mu.Unlock()
		}
		p.Doc, p.raw, errs[i] = doc, raw, err
	})
	for i, err := range errs {
		if err == nil {
			continue
		}
		p := pages[i]
		p.Doc = nil
		d := compiler.Diagnostic{Severity: compiler.Error, Code: CodeFrontMatter, Pos: compiler.Pos{File: p.File, Line: 1}, Message: err.Error()}
		var me *markdown.Error
		if errors.As(err, &me) {
			d.Pos.Line, d.Pos.Col, d.Message = me.Line, me.Col, me.Msg
		}
		s.Diagnostics = append(s.Diagnostics, d)
	}
}

// sameBytes reports whether a and b are the same slice of the same memory
// (not merely equal), and not empty.
func sameBytes(a, b []byte) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// parallel runs f(0..n-1) on up to workers goroutines.
func parallel(n, workers int, f func(i int)) {
	if workers > n {
		workers = n
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
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
	Home, Mermaid, Generated               bool
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

// layout executes the page template for one page, into out.
func (b *Builder) layout(out *bytes.Buffer, th *theme, p *Page, nav []*navNode, prev, next *navNode) error {
	navHTML, err := b.navFor(th, nav, p.Key)
	if err != nil {
		return err
	}
	d := p.Doc
	pd := pageData{
		Title:       p.Title(),
		Description: d.Meta.Description,
		Canonical:   b.absolute(p.URL),
		Home:        p.URL == "",
		Mermaid:     d.Mermaid,
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

var rootLinkRe = regexp.MustCompile(`(\s(?:href|src)=")/([^/"])`)

// rebase prefixes site-absolute links written in markdown ("/reference/")
// with the base path, so a site published under /docs/ keeps working.
func (b *Builder) rebase(h []byte) []byte {
	if b.basePath == "/" {
		return h
	}
	return rootLinkRe.ReplaceAll(h, []byte("${1}"+b.basePath+"${2}"))
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

// Write builds the site straight into dir: pages are written as they are
// laid out, into a fresh folder that replaces dir only when the build has
// no errors (the old site stays otherwise). The returned Site holds the
// diagnostics; its Files are not kept.
func (b *Builder) Write(dir string) (*Site, error) {
	var s *Site
	pc := b.openPageCache(dir)
	b.pc = pc
	err := outdir.Replace(dir, func(tmp string) error {
		var made sync.Map
		made.Store(tmp, true)
		var err error
		parent := func(name string) (string, error) {
			p := filepath.Join(tmp, filepath.FromSlash(name))
			d := filepath.Dir(p)
			if _, ok := made.Load(d); !ok {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return "", err
				}
				made.Store(d, true)
			}
			return p, nil
		}
		s, err = b.build(&sink{
			write: func(name string, data []byte) error {
				p, err := parent(name)
				if err != nil {
					return err
				}
				return writeNew(p, data)
			},
			link: func(name string, e outputEntry) bool {
				if _, err := parent(name); err != nil {
					return false
				}
				return pc.link(tmp, name, e)
			},
			dirs: func(names []string) error {
				// A page is a folder: making them in order, each after its
				// parent, takes one call each instead of MkdirAll's three.
				dirs := foldersOf(names)
				sort.Strings(dirs)
				for _, d := range dirs {
					p := filepath.Join(tmp, filepath.FromSlash(d))
					if _, ok := made.Load(p); ok {
						continue
					}
					if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
						return err
					}
					made.Store(p, true)
				}
				return nil
			},
			undo: func(names []string) {
				dirs := foldersOf(names)
				// Deepest first; a folder that holds anything stays.
				sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
				for _, d := range dirs {
					p := filepath.Join(tmp, filepath.FromSlash(d))
					if os.Remove(p) == nil {
						made.Delete(p)
					}
				}
			},
		})
		if err != nil {
			return err
		}
		if s.HasErrors() {
			return errBuildFailed
		}
		return nil
	})
	if pc != nil {
		if r := pc.prev(); r != nil {
			r.Close()
		}
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

// writeNew writes a file of the new output folder. It never writes into
// a file already there, which may be a hard link to the previous output's
// (a page the page cache kept): that one is replaced.
func writeNew(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		if fi, lerr := os.Lstat(p); lerr == nil && !fi.IsDir() && os.Remove(p) == nil {
			f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		}
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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

// foldersOf lists, once each, the folders that hold the slash-separated
// paths names, and their parents.
func foldersOf(names []string) []string {
	var dirs []string
	seen := map[string]bool{".": true}
	for _, n := range names {
		for d := path.Dir(n); !seen[d]; d = path.Dir(d) {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	return dirs
}
