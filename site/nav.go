package site

import (
	"bytes"
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
	page     *Page
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

// renderNav renders the navigation once per build; each page then only
// marks its own entry (pageNav), which keeps large sites fast.
func (b *Builder) renderNav(th *theme, nav []*navNode) (template.HTML, error) {
	b.setURLs(nav)
	if th.tmpl.Lookup("nav") == nil {
		return "", nil
	}
	var out bytes.Buffer
	err := th.tmpl.ExecuteTemplate(&out, "nav", nav)
	return template.HTML(out.String()), err
}

// pageNav marks the page's own entry as current and opens the folders
// above it.
func pageNav(nav template.HTML, key string) template.HTML {
	s := string(nav)
	attr := ` data-page="` + template.HTMLEscapeString(key) + `"`
	s = strings.Replace(s, attr, attr+` aria-current="page"`, 1)
	for dir := parentOfKey(key); dir != ""; dir = parentDir(dir) {
		d := `<details data-nav="` + template.HTMLEscapeString(dir) + `"`
		s = strings.Replace(s, d, d+" open", 1)
	}
	return template.HTML(s)
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
