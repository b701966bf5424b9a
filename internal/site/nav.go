package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// navNode is one entry of the navigation: a page, or a folder whose
// index.md (if any) gives its title and link.
type navNode struct {
	Key      string // page key, or folder key ending in "/"
	Title    string
	URL      string // "" for a folder without index.md
	Weight   int
	Children []*navNode
	// First is the URL of the first page inside a folder, the link of a
	// folder without index.md.
	First string
	// Per page: the page itself, a folder above it.
	Current, Expanded bool
	page              *Page
	// section is a section of a nav list (Config.Nav): its Key is not a
	// folder, so the pages under it can be anywhere.
	section bool
}

// buildNav arranges pages by folder. Within a folder, pages with a weight
// come first by weight, then the rest by title, so a new page never
// reorders existing ones by accident.
func buildNav(pages []*Page) []*navNode {
	root := &navNode{Key: ""}
	folders := map[string]*navNode{"": root}
	var folder func(dir string) *navNode
	folder = func(dir string) *navNode {
		if n, ok := folders[dir]; ok {
			return n
		}
		parent := folder(parentDir(dir))
		n := &navNode{Key: dir, Title: titleCase(path.Base(strings.TrimSuffix(dir, "/")))}
		folders[dir] = n
		parent.Children = append(parent.Children, n)
		return n
	}
	for _, p := range pages {
		dir := path.Dir(p.Key)
		if dir == "." {
			dir = ""
		} else {
			dir += "/"
		}
		weight := p.Doc.Meta.Weight
		if path.Base(p.Key) == "index.md" && dir != "" {
			f := folder(dir)
			f.Title, f.URL, f.Weight, f.page = p.Title(), "", weight, p
			continue
		}
		title := p.Title()
		if p.Key == "index.md" {
			title = "Home"
			if p.Doc.Meta.NavTitle != "" {
				title = p.Doc.Meta.NavTitle
			}
			weight = -1 << 30 // the home page leads
		}
		parent := folder(dir)
		parent.Children = append(parent.Children, &navNode{Key: p.Key, Title: title, Weight: weight, page: p})
	}
	var finish func(n *navNode)
	finish = func(n *navNode) {
		sort.SliceStable(n.Children, func(i, j int) bool {
			a, b := n.Children[i], n.Children[j]
			if (a.Weight != 0) != (b.Weight != 0) {
				return a.Weight != 0
			}
			if a.Weight != b.Weight {
				return a.Weight < b.Weight
			}
			if a.Title != b.Title {
				return a.Title < b.Title
			}
			return a.Key < b.Key
		})
		for _, c := range n.Children {
			finish(c)
		}
	}
	finish(root)
	return root.Children
}

func parentDir(dir string) string {
	d := path.Dir(strings.TrimSuffix(dir, "/"))
	if d == "." || d == "/" {
		return ""
	}
	return d + "/"
}

// setURLs fills link targets once pages have URLs.
func (b *Builder) setURLs(nodes []*navNode) {
	for _, n := range nodes {
		if n.page != nil {
			n.URL = b.link(n.page.URL)
		}
		b.setURLs(n.Children)
		if len(n.Children) > 0 {
			n.First = n.Children[0].URL
			if n.First == "" {
				n.First = n.Children[0].First
			}
		}
	}
}

// navOrder lists the nodes with a page in reading order, for previous and
// next links.
func navOrder(nodes []*navNode) []*navNode {
	var out []*navNode
	var walk func([]*navNode)
	walk = func(ns []*navNode) {
		for _, n := range ns {
			if n.page != nil {
				out = append(out, &navNode{Key: n.page.Key, Title: n.Title, URL: n.URL})
			}
			walk(n.Children)
		}
	}
	walk(nodes)
	return out
}

// pageNav is the navigation as one page shows it: every top-level entry,
// and the contents of the folders and sections above the page. Large sites
// stay light: a page lists its own section, not all thousand pages.
func pageNav(nodes []*navNode, key string) []*navNode {
	open, _ := openFor(findPage(nodes, key))
	return navView(nodes, open, key)
}

// navView is the navigation with the folders and sections in open shown,
// and key's entry current.
func navView(nodes []*navNode, open map[*navNode]bool, key string) []*navNode {
	out := make([]*navNode, len(nodes))
	for i, n := range nodes {
		c := *n
		c.Current = n.page != nil && n.page.Key == key
		c.Children = nil
		if len(n.Children) > 0 {
			c.Expanded = open[n]
			if c.Expanded {
				c.Children = navView(n.Children, open, key)
			} else {
				c.Children = n.Children[:1] // marks it a folder; not rendered
			}
		}
		out[i] = &c
	}
	return out
}

// findPage returns the entries from the top of the navigation down to the
// page's own entry, or nil when the page has none (a page a nav list
// leaves out). Folders are entered only above the page, sections always.
func findPage(nodes []*navNode, key string) []*navNode {
	for _, n := range nodes {
		if n.page != nil && n.page.Key == key {
			return []*navNode{n}
		}
		if len(n.Children) > 0 && (n.section || strings.HasSuffix(n.Key, "/") && strings.HasPrefix(key, n.Key)) {
			if below := findPage(n.Children, key); below != nil {
				return append([]*navNode{n}, below...)
			}
		}
	}
	return nil
}

// openFor is what a page opens: the folders and sections above it, and
// the folder whose own page (index.md) it is. The last of them is the
// page's home, which every page beside it shares.
func openFor(chain []*navNode) (map[*navNode]bool, *navNode) {
	open := map[*navNode]bool{}
	var home *navNode
	for i, n := range chain {
		if i < len(chain)-1 || len(n.Children) > 0 {
			open[n], home = true, n
		}
	}
	return open, home
}

// navFor is the navigation HTML of one page. Pages of one folder (or nav
// list section) show the same navigation but for the current entry, so it
// is rendered once per folder and the entry marked by its data-page
// attribute; a template that does without the attribute is executed for
// every page.
func (r *run) navFor(key string) (template.HTML, error) {
	th, nav := r.th, r.nav
	chain := findPage(nav, key)
	open, home := openFor(chain)
	cacheKey := fmt.Sprintf("%p\x00%v", home, chain == nil)
	shared, ok := r.navs.get(cacheKey)
	if !ok {
		var err error
		if shared, err = renderNav(th, navView(nav, open, "")); err != nil {
			return "", err
		}
		r.navs.put(cacheKey, shared)
	}
	if chain == nil {
		return shared, nil // not in the navigation: nothing to mark
	}
	attr := ` data-page="` + template.HTMLEscapeString(key) + `"`
	if i := strings.Index(string(shared), attr); i >= 0 && key != "" {
		j := i + len(attr)
		return template.HTML(string(shared[:j]) + ` aria-current="page"` + string(shared[j:])), nil
	}
	return renderNav(th, navView(nav, open, key))
}

// renderNav executes the nav template for one page.
func renderNav(th *theme, nav []*navNode) (template.HTML, error) {
	if th.tmpl.Lookup("nav") == nil {
		return "", nil
	}
	var out bytes.Buffer
	err := th.tmpl.ExecuteTemplate(&out, "nav", nav)
	return template.HTML(out.String()), err
}

// breadcrumbs are Home, then each folder or section above the page in the
// navigation, then the page. One without a page of its own links to its
// first page, as in the sidebar.
func (b *Builder) breadcrumbs(p *Page, nav []*navNode) []crumb {
	if p.URL == "" {
		return nil
	}
	out := []crumb{{Title: "Home", URL: b.link("")}}
	chain := findPage(nav, p.Key)
	for i := 0; i+1 < len(chain); i++ {
		n := chain[i]
		u := n.URL
		if u == "" {
			u = n.First
		}
		out = append(out, crumb{Title: n.Title, URL: u})
	}
	title := p.Title()
	if len(chain) > 0 {
		title = chain[len(chain)-1].Title // a nav list may rename it
	}
	return append(out, crumb{Title: title})
}

// navDigest identifies the navigation's content, so a page's cached layout
// is reused only while the navigation it shows is the same.
func navDigest(nodes []*navNode) string {
	h := sha256.New()
	var walk func([]*navNode)
	walk = func(ns []*navNode) {
		for _, n := range ns {
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00(", n.Key, n.Title, n.URL, len(n.Children))
			walk(n.Children)
			h.Write([]byte(")"))
		}
	}
	walk(nodes)
	return string(h.Sum(nil))
}

// NavItem is one entry of a nav list (Config.Nav, the site.nav setting of
// pyrobuild.yaml), as mkdocs' nav: a page, a folder, or a section of
// entries.
type NavItem struct {
	// Page is a path below the content folder: a page ("guide/install.md",
	// generated pages included), or a folder ending in "/"
	// ("reference/"), which stands for its pages that the list does not
	// name elsewhere, arranged as the folder layout arranges them. "" for
	// a section.
	Page string
	// Title replaces the page's or the folder's title; it names a
	// section.
	Title string
	// Children are a section's entries.
	Children []NavItem
	// Pos is where the entry is written, for diagnostics.
	Pos diag.Pos
}

// navigation is the site's navigation: the nav list when there is one,
// else the folder layout.
func (b *Builder) navigation(pages, all []*Page) ([]*navNode, diag.Diagnostics) {
	if len(b.cfg.Nav) == 0 {
		return buildNav(pages), nil
	}
	return buildNavList(b.cfg.Nav, b.cfg.NavPos, pages, all)
}

// buildNavList arranges pages as a nav list says. Every page must stay
// reachable: one the list leaves out is a warning naming it (it is still
// published), and an entry naming no published page is an error at the
// entry.
func buildNavList(items []NavItem, at diag.Pos, pages, all []*Page) ([]*navNode, diag.Diagnostics) {
	l := newNavList(at, pages, all)
	l.collect(items)
	l.fillFolders(pages)
	nav := l.build(items, "nav:")
	l.leftOut()
	return nav, l.diags
}

// navList is the state of arranging the pages as a nav list says.
type navList struct {
	at     diag.Pos // where the list is written
	byKey  map[string]*Page
	keys   []string        // of the published pages, in order
	drafts map[string]bool // pages not published as drafts
	// Pages named by an entry of their own, and folder entries, each of
	// which takes the pages below it that are not named and not in a
	// deeper folder entry (inFolder).
	named, folders map[string]diag.Pos
	inFolder       map[string][]*Page
	placed         map[string]bool // pages the list shows
	diags          diag.Diagnostics
}

func newNavList(at diag.Pos, pages, all []*Page) *navList {
	l := &navList{at: at, byKey: make(map[string]*Page, len(pages)), keys: make([]string, 0, len(pages)), drafts: map[string]bool{},
		named: map[string]diag.Pos{}, folders: map[string]diag.Pos{}, inFolder: map[string][]*Page{}, placed: map[string]bool{}}
	for _, p := range pages {
		l.byKey[p.Key] = p
		l.keys = append(l.keys, p.Key)
	}
	for _, p := range all {
		if p.Doc != nil && p.Doc.Meta.Draft && l.byKey[p.Key] == nil {
			l.drafts[p.Key] = true
		}
	}
	return l
}

// collect finds the pages and folders the entries name; one named twice
// is an error at its second entry.
func (l *navList) collect(items []NavItem) {
	for _, it := range items {
		seen := l.named
		switch {
		case it.Page == "":
			l.collect(it.Children)
			continue
		case strings.HasSuffix(it.Page, "/"):
			seen = l.folders
		}
		if first, ok := seen[it.Page]; ok {
			l.diags = append(l.diags, navDup(it, first))
			continue
		}
		seen[it.Page] = it.Pos
	}
}

// fillFolders gives each page not named on its own to the deepest folder
// entry above it.
func (l *navList) fillFolders(pages []*Page) {
	for _, p := range pages {
		if _, ok := l.named[p.Key]; ok {
			continue
		}
		best := ""
		for f := range l.folders {
			if strings.HasPrefix(p.Key, f) && len(f) > len(best) {
				best = f
			}
		}
		if best != "" {
			l.inFolder[best] = append(l.inFolder[best], p)
		}
	}
}

// build makes the navigation of a list of entries; prefix keys its
// sections.
func (l *navList) build(items []NavItem, prefix string) []*navNode {
	var out []*navNode
	for i, it := range items {
		var n *navNode
		switch {
		case it.Page == "":
			n = &navNode{Key: fmt.Sprintf("%s%d/", prefix, i+1), Title: it.Title, section: true}
			n.Children = l.build(it.Children, n.Key)
			if len(n.Children) == 0 {
				n = nil
			}
		case strings.HasSuffix(it.Page, "/"):
			n = l.folderEntry(it)
		default:
			n = l.pageEntry(it)
		}
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// folderEntry is the navigation of a folder entry: its pages, arranged
// as the folder layout arranges them; nil for a duplicate or a folder
// with no page left for it.
func (l *navList) folderEntry(it NavItem) *navNode {
	if l.folders[it.Page] != it.Pos {
		return nil // a duplicate, reported
	}
	sub := l.inFolder[it.Page]
	if len(sub) == 0 {
		d := diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeBrokenLink, Pos: it.Pos,
			Message: fmt.Sprintf("site.nav names %s, but there is no page under it", it.Page)}
		some := false
		for _, k := range l.keys {
			some = some || strings.HasPrefix(k, it.Page)
		}
		if some {
			d.Message = fmt.Sprintf("site.nav names %s, but every page under it is listed on its own", it.Page)
			d.Hint = "remove the folder entry"
		} else if s := compiler.Closest(it.Page, navFolders(l.keys)); s != "" {
			d.Hint = fmt.Sprintf("did you mean %s?", s)
		}
		l.diags = append(l.diags, d)
		return nil
	}
	n := findNode(buildNav(sub), it.Page)
	if n == nil {
		return nil // cannot happen: every page of sub is below it
	}
	if it.Title != "" {
		n.Title = it.Title
	}
	for _, p := range sub {
		l.placed[p.Key] = true
	}
	return n
}

// pageEntry is the navigation entry of a page; nil for a duplicate or a
// page that is not published.
func (l *navList) pageEntry(it NavItem) *navNode {
	if l.named[it.Page] != it.Pos {
		return nil // a duplicate, reported
	}
	p := l.byKey[it.Page]
	if p == nil {
		d := diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeBrokenLink, Pos: it.Pos,
			Message: fmt.Sprintf("site.nav names %s, but there is no such page", it.Page)}
		if l.drafts[it.Page] {
			d.Message = fmt.Sprintf("site.nav names %s, a draft, which is not published", it.Page)
			d.Hint = "--drafts publishes drafts; or remove draft: true from its front matter"
		} else if s := compiler.Closest(it.Page, l.keys); s != "" {
			d.Hint = fmt.Sprintf("did you mean %s?", s)
		}
		l.diags = append(l.diags, d)
		return nil
	}
	title := it.Title
	if title == "" {
		title = p.Title()
		if p.Key == "index.md" && p.Doc.Meta.NavTitle == "" {
			title = "Home"
		}
	}
	l.placed[p.Key] = true
	return &navNode{Key: p.Key, Title: title, page: p}
}

// leftOut warns of the pages the list leaves out. A folder left out whole
// (the generated reference/, say) is one warning, naming its pages;
// another page left out is one of its own.
func (l *navList) leftOut() {
	total, left := map[string]int{}, map[string]int{}
	for _, k := range l.keys {
		for _, f := range navFolders([]string{k}) {
			total[f]++
			if !l.placed[k] {
				left[f]++
			}
		}
	}
	groups := map[string][]string{}
	var order []string
	for _, k := range l.keys {
		if l.placed[k] {
			continue
		}
		g := k
		for _, f := range navFolders([]string{k}) { // shortest first
			if left[f] == total[f] {
				g = f
				break
			}
		}
		if groups[g] == nil {
			order = append(order, g)
		}
		groups[g] = append(groups[g], k)
	}
	for _, g := range order {
		pos := l.at
		if pos.File == "" {
			pos = diag.Pos{File: l.byKey[groups[g][0]].File}
		}
		l.diags = append(l.diags, leftOutDiag(g, groups[g], pos))
	}
}

// leftOutDiag is the warning for a page, or a folder of pages (names),
// that a nav list leaves out.
func leftOutDiag(g string, names []string, pos diag.Pos) diag.Diagnostic {
	d := diag.Diagnostic{Severity: diag.Warning, Code: sitediag.CodeNav, Pos: pos,
		Message: fmt.Sprintf("site.nav leaves out %s: it is published, but not in the navigation, nor in previous and next links", g)}
	switch dir := path.Dir(g); {
	case strings.HasSuffix(g, "/"):
		sort.Strings(names)
		if len(names) > 3 {
			names = append(names[:3:3], "…")
		}
		d.Message = fmt.Sprintf("site.nav leaves out %s (%s): they are published, but not in the navigation, nor in previous and next links",
			g, strings.Join(names, ", "))
		d.Hint = "add " + g + " to site.nav for all of them"
	case dir != ".":
		d.Hint = "add it to site.nav, or its folder (" + dir + "/) for all the pages there that the list does not name"
	default:
		d.Hint = "add it to site.nav"
	}
	return d
}

func navDup(it NavItem, first diag.Pos) diag.Diagnostic {
	return diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeNav, Pos: it.Pos,
		Message: fmt.Sprintf("site.nav lists %s twice (first at line %d)", it.Page, first.Line),
		Hint:    "a page has one place in the navigation"}
}

// findNode returns the folder entry with key.
func findNode(nodes []*navNode, key string) *navNode {
	for _, n := range nodes {
		if n.Key == key {
			return n
		}
		if strings.HasPrefix(key, n.Key) && strings.HasSuffix(n.Key, "/") {
			if f := findNode(n.Children, key); f != nil {
				return f
			}
		}
	}
	return nil
}

// navFolders lists the folders of the page keys ("guide/", "guide/sub/").
func navFolders(keys []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		for d := path.Dir(k); d != "."; d = path.Dir(d) {
			if !seen[d+"/"] {
				seen[d+"/"] = true
				out = append(out, d+"/")
			}
		}
	}
	sort.Strings(out)
	return out
}

// quoteNav keeps the text of the file the nav list is written in when a
// diagnostic points into it, for excerpts.
func (b *Builder) quoteNav(s *Site, diags diag.Diagnostics) {
	f := b.cfg.NavPos.File
	if f == "" || s.Sources[f] != nil {
		return
	}
	for _, d := range diags {
		if d.Pos.File == f {
			if data, err := os.ReadFile(f); err == nil {
				s.Sources[f] = model.NewSource(f, data)
			}
			return
		}
	}
}
