package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"path"
	"sort"
	"strings"
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
// and the contents of the folders above the page. Large sites stay light:
// a page lists its own section, not all thousand pages.
func pageNav(nodes []*navNode, key string) []*navNode {
	out := make([]*navNode, len(nodes))
	for i, n := range nodes {
		c := *n
		c.Current = n.page != nil && n.page.Key == key
		c.Children = nil
		if len(n.Children) > 0 {
			c.Expanded = strings.HasPrefix(key, n.Key)
			if c.Expanded {
				c.Children = pageNav(n.Children, key)
			} else {
				c.Children = n.Children[:1] // marks it a folder; not rendered
			}
		}
		out[i] = &c
	}
	return out
}

// navFor is the navigation HTML of one page. Pages of one folder show the
// same navigation but for the current entry, so it is rendered once per
// folder and the entry marked by its data-page attribute; a template that
// does without the attribute is executed for every page.
func (b *Builder) navFor(th *theme, nav []*navNode, key string) (template.HTML, error) {
	folder := parentOfKey(key)
	cacheKey := fmt.Sprintf("%p\x00%p\x00%s", th, nav, folder)
	b.mu.Lock()
	shared, ok := b.navs[cacheKey]
	b.mu.Unlock()
	if !ok {
		var err error
		if shared, err = renderNav(th, pageNav(nav, folder)); err != nil {
			return "", err
		}
		b.mu.Lock()
		b.navs[cacheKey] = shared
		b.mu.Unlock()
	}
	attr := ` data-page="` + template.HTMLEscapeString(key) + `"`
	if i := strings.Index(string(shared), attr); i >= 0 && key != "" {
		j := i + len(attr)
		return template.HTML(string(shared[:j]) + ` aria-current="page"` + string(shared[j:])), nil
	}
	return renderNav(th, pageNav(nav, key))
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

func parentOfKey(key string) string {
	if path.Base(key) == "index.md" {
		// A folder's own page opens the folder itself.
		d := path.Dir(key)
		if d == "." {
			return ""
		}
		return d + "/"
	}
	d := path.Dir(key)
	if d == "." {
		return ""
	}
	return d + "/"
}

// breadcrumbs are Home, then each folder above the page, then the page.
func (b *Builder) breadcrumbs(p *Page, nav []*navNode) []crumb {
	if p.URL == "" {
		return nil
	}
	out := []crumb{{Title: "Home", URL: b.link("")}}
	var dirs []string
	for dir := parentOfKey(p.Key); dir != ""; dir = parentDir(dir) {
		dirs = append([]string{dir}, dirs...)
	}
	if path.Base(p.Key) == "index.md" && len(dirs) > 0 {
		dirs = dirs[:len(dirs)-1]
	}
	for _, dir := range dirs {
		if n := findFolder(nav, dir); n != nil {
			out = append(out, crumb{Title: n.Title, URL: n.URL})
		}
	}
	return append(out, crumb{Title: p.Title()})
}

func findFolder(nodes []*navNode, key string) *navNode {
	for _, n := range nodes {
		if n.Key == key {
			return n
		}
		if strings.HasPrefix(key, n.Key) && strings.HasSuffix(n.Key, "/") {
			if f := findFolder(n.Children, key); f != nil {
				return f
			}
		}
	}
	return nil
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
