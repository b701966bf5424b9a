package site

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/compiler"
	"github.com/pyrobuild/pyrobuild/docs"
	"github.com/pyrobuild/pyrobuild/site/markdown"
)

// Build builds the whole site in memory. The error is for failures of the
// machine (out of memory, a broken embedded theme); problems in the site's
// sources are in Site.Diagnostics.
func (b *Builder) Build() (*Site, error) {
	s := &Site{Files: map[string][]byte{}, Sources: map[string]*compiler.Source{}}
	th, diags := b.loadTheme()
	s.Diagnostics = append(s.Diagnostics, diags...)
	if th == nil {
		return s, errors.New("the embedded theme is broken")
	}
	if s.Diagnostics.HasErrors() {
		// Laying pages out with a broken template would only repeat the
		// template's error once per page.
		s.Diagnostics.Sort()
		return s, nil
	}
	s.Inputs = append(s.Inputs, th.files...)

	pages, statics, diags := b.loadContent()
	s.Diagnostics = append(s.Diagnostics, diags...)
	for _, p := range pages {
		data, err := readFile(p.File)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Code: CodeContentRead, Pos: compiler.Pos{File: p.File}, Message: err.Error()})
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
			if res, err = compiler.Compile(compiler.Options{Paths: b.cfg.Dashboards, ServerDatasources: b.cfg.ServerDatasources, Workers: b.cfg.Workers}); err != nil {
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
	b.render(pages, s)
	byURL := map[string]*Page{}
	var kept []*Page
	for _, p := range pages {
		if p.Doc == nil {
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

	staticURLs := map[string]bool{}
	for _, f := range statics {
		staticURLs[f.rel] = true
	}
	for name := range th.assets {
		staticURLs["assets/"+name] = true
	}
	for _, extra := range []string{"search-index.json", "sitemap.xml", "robots.txt", "404.html"} {
		staticURLs[extra] = true
	}
	s.Diagnostics = append(s.Diagnostics, b.checkLinks(pages, byURL, staticURLs)...)
	if !b.cfg.SkipExamples {
		s.Diagnostics = append(s.Diagnostics, b.checkExamples(pages)...)
	}
	for _, p := range pages {
		if !p.Generated || strings.HasPrefix(p.File, "reference/") {
			s.Sources[p.File] = compiler.NewSource(p.File, p.src)
		}
	}

	nav := buildNav(pages)
	navHTML, err := b.renderNav(th, nav)
	if err != nil {
		s.Diagnostics = append(s.Diagnostics, templateDiag(err, "layouts/nav.html", "nav.html"))
	}
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
	outs := make([][]byte, len(pages))
	errs := make([]error, len(pages))
	parallel(len(jobs), b.cfg.Workers, func(i int) {
		j := jobs[i]
		outs[i], errs[i] = b.layout(th, j.p, pageNav(navHTML, j.p.Key), nav, j.prev, j.next)
	})
	for i, p := range pages {
		if errs[i] != nil {
			s.Diagnostics = append(s.Diagnostics, templateDiag(errs[i], "layouts/page.html", "page.html"))
			continue
		}
		s.Files[p.Out] = outs[i]
	}
	if nf, err := b.notFound(th, navHTML); err == nil {
		s.Files["404.html"] = nf
	} else {
		s.Diagnostics = append(s.Diagnostics, templateDiag(err, "layouts/page.html", "page.html"))
	}
	for _, f := range statics {
		data, err := readFile(f.file)
		if err != nil {
			s.Diagnostics = append(s.Diagnostics, compiler.Diagnostic{Severity: compiler.Error, Code: CodeContentRead, Pos: compiler.Pos{File: f.file}, Message: err.Error()})
			continue
		}
		s.Files[f.rel] = data
		s.Inputs = append(s.Inputs, f.file)
	}
	for k, v := range th.assetOutputs(mermaid) {
		s.Files[k] = v
	}
	s.Files["search-index.json"] = b.searchIndex(pages)
	if sm := b.sitemap(pages); sm != nil {
		s.Files["sitemap.xml"] = sm
	}
	s.Files["robots.txt"] = b.robots()
	s.Diagnostics.Sort()
	return s, nil
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
	add(&Page{Key: "reference/index.md", File: "reference/index.md (generated)", Generated: true, src: []byte(referenceIndex(b.cfg.CLIReference != nil))})
	add(&Page{Key: "reference/plugins.md", File: "reference/plugins.md (generated)", Generated: true, src: b.pluginReference()})
	add(&Page{Key: "reference/diagnostics.md", File: "reference/diagnostics.md (generated)", Generated: true, src: diagnosticsPage()})
	if b.cfg.CLIReference != nil {
		add(&Page{Key: "reference/cli.md", File: "reference/cli.md (generated)", Generated: true, src: b.cfg.CLIReference()})
	}
	if s.Dashboards != nil {
		for _, p := range b.catalogPages(s.Dashboards) {
			add(p)
		}
	}
	return pages
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
func (b *Builder) render(pages []*Page, s *Site) {
	md := markdown.New(markdown.Options{ResolveLink: b.resolveLink, Highlighter: b.hl})
	errs := make([]error, len(pages))
	parallel(len(pages), b.cfg.Workers, func(i int) {
		p := pages[i]
		if p.src == nil && !p.Generated {
			return
		}
		sum := sha256.Sum256(p.src)
		b.mu.Lock()
		c, ok := b.docs[p.Key]
		b.mu.Unlock()
		if ok && c.hash == sum {
			p.Doc, errs[i] = c.doc, c.err
			return
		}
		doc, err := md.Render(p.Key, p.src)
		b.renders.Add(1)
		b.mu.Lock()
		b.docs[p.Key] = cachedDoc{hash: sum, doc: doc, err: err}
		b.mu.Unlock()
		p.Doc, errs[i] = doc, err
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

// layout executes the page template for one page.
func (b *Builder) layout(th *theme, p *Page, navHTML template.HTML, nav []*navNode, prev, next *navNode) ([]byte, error) {
	d := p.Doc
	pd := pageData{
		Title:       p.Title(),
		Description: d.Meta.Description,
		Canonical:   b.absolute(p.URL),
		Home:        p.URL == "",
		Mermaid:     d.Mermaid,
		Generated:   p.Generated,
		Content:     template.HTML(b.rebase(d.HTML)),
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
	var out bytes.Buffer
	err := th.tmpl.ExecuteTemplate(&out, "page.html", layoutData{Site: b.siteData(), Page: pd, Nav: navHTML})
	return out.Bytes(), err
}

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
func (b *Builder) notFound(th *theme, navHTML template.HTML) ([]byte, error) {
	body := fmt.Sprintf(`<h1 id="page-not-found">Page not found</h1>
<p>There is no page at this address. It may have moved: try the search above, or start from the <a href="%s">home page</a>.</p>`, template.HTMLEscapeString(b.link("")))
	var out bytes.Buffer
	err := th.tmpl.ExecuteTemplate(&out, "page.html", layoutData{Site: b.siteData(), Nav: navHTML,
		Page: pageData{Title: "Page not found", Content: template.HTML(body)}})
	return out.Bytes(), err
}

// Write is a convenience for building and writing in one call.
func (b *Builder) Write(dir string) (*Site, error) {
	s, err := b.Build()
	if err != nil {
		return s, err
	}
	if s.HasErrors() {
		return s, nil
	}
	return s, s.Write(dir)
}
