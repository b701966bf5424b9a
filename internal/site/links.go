package site

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/markdown"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// checkLinks verifies every internal link and #anchor of every page, in
// markdown and in the HTML written in it: the target page or file exists
// and defines the anchor. External links are not fetched (a build must not
// depend on the network).
func (b *Builder) checkLinks(pages []*Page, byURL map[string]*Page, files map[string]bool) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, p := range pages {
		for _, l := range append(p.Doc.Links[:len(p.Doc.Links):len(p.Doc.Links)], p.raw...) {
			if d, bad := b.checkLink(p, l.Dest, l.URL, byURL, files); bad {
				d.Pos = diag.Pos{File: p.File, Line: l.Line, Col: l.Col}
				if p.Generated && !strings.HasPrefix(p.Key, "reference/") {
					d.Pos = diag.Pos{File: p.File}
				}
				diags = append(diags, d)
			}
		}
	}
	return diags
}

func (b *Builder) checkLink(p *Page, dest, u string, byURL map[string]*Page, files map[string]bool) (diag.Diagnostic, bool) {
	if u == "" {
		u = dest
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeBrokenLink, Message: fmt.Sprintf("malformed link %q: %v", dest, err)}, true
	}
	if parsed.Scheme != "" || parsed.Host != "" || strings.HasPrefix(u, "//") {
		return diag.Diagnostic{}, false // external
	}
	frag := parsed.Fragment
	target := parsed.Path
	var page *Page
	switch {
	case target == "":
		page = p // #anchor on this page
	case strings.HasPrefix(target, "/"):
		// Links in markdown are site-absolute without the base path (it is
		// added at layout time).
		rel := strings.TrimPrefix(target, "/")
		rel = strings.TrimSuffix(rel, "index.html")
		if pg, ok := byURL[rel]; ok {
			page = pg
		} else if pg, ok := byURL[rel+"/"]; ok && !strings.Contains(path.Base(rel), ".") {
			page = pg
		} else if files[rel] {
			if frag != "" {
				return brokenLink(dest, "it points into a file, not a page", ""), true
			}
			return diag.Diagnostic{}, false
		} else {
			return brokenLink(dest, "no page or file is published there", b.suggestPage(rel, byURL)), true
		}
	default:
		// A relative link the resolver left alone: outside the site.
		if strings.HasSuffix(target, ".md") || strings.HasPrefix(target, "../") {
			return brokenLink(dest, "it leads outside the content folder", ""), true
		}
		return diag.Diagnostic{}, false
	}
	if frag == "" || page.Doc == nil {
		return diag.Diagnostic{}, false
	}
	if page.Doc.IDs[frag] {
		return diag.Diagnostic{}, false
	}
	var ids []string
	for id := range page.Doc.IDs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	hint := ""
	if s := compiler.Closest(frag, ids); s != "" {
		hint = fmt.Sprintf("did you mean #%s?", s)
	} else if len(page.Doc.TOC) > 0 {
		var some []string
		for i, h := range page.Doc.TOC {
			if i == 5 {
				some = append(some, "…")
				break
			}
			some = append(some, "#"+h.ID)
		}
		hint = "its headings are " + strings.Join(some, ", ")
	}
	where := "this page"
	if page != p {
		where = page.Key
	}
	return diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeBrokenAnchor,
		Message: fmt.Sprintf("broken link %q: %s has no heading or element with id %q", dest, where, frag), Hint: hint}, true
}

func brokenLink(dest, why, hint string) diag.Diagnostic {
	return diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeBrokenLink, Message: fmt.Sprintf("broken link %q: %s", dest, why), Hint: hint}
}

func (b *Builder) suggestPage(rel string, byURL map[string]*Page) string {
	var urls []string
	for u := range byURL {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	if s := compiler.Closest(rel, urls); s != "" {
		return fmt.Sprintf("did you mean %s (%s)?", b.link(s), byURL[s].Key)
	}
	return ""
}

// rawHTMLLinks finds the href and src attributes of the HTML written in a
// page's markdown, blocks and inline alike, which the markdown's own links
// do not include. A tag of the source is taken as HTML when the rendered
// page holds it as written: markdown passes HTML through as it is, while
// a tag shown in code (a code span, a fenced block) is escaped, and a tag
// in an HTML comment is skipped. Relative destinations are resolved as
// markdown links are (the layout rewrites them the same way, see
// resolveRaw), so <a href="install.md"> works on GitHub and on the site.
func (b *Builder) rawHTMLLinks(key string, src, rendered []byte) []markdown.Link {
	if bytes.IndexByte(src, '<') < 0 {
		return nil
	}
	var links []markdown.Link
	var collapsed []byte // the rendered page with whitespace collapsed, when needed
	seen := map[string]int{}
	line, lineStart := 1, 0
	pos := func(off int) (int, int) {
		for i := lineStart; i < off; i++ {
			if src[i] == '\n' {
				line, lineStart = line+1, i+1
			}
		}
		return line, off - lineStart + 1
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '<' {
			continue
		}
		if bytes.HasPrefix(src[i:], []byte("<!--")) {
			end := bytes.Index(src[i+4:], []byte("-->"))
			if end < 0 {
				break
			}
			i += 4 + end + 2
			continue
		}
		if i+1 >= len(src) || !isLetter(src[i+1]) {
			continue
		}
		attrs, end := scanAttrs(src, i+1)
		if end >= len(src) {
			break
		}
		var found []rawAttr
		for _, a := range attrs {
			if a.name == "href" || a.name == "src" {
				found = append(found, a)
			}
		}
		tag := src[i : end+1]
		if len(found) == 0 {
			i = end
			continue
		}
		seen[string(tag)]++
		in := bytes.Count(rendered, tag)
		if in == 0 && bytes.IndexByte(tag, '\n') >= 0 {
			// A tag over several lines inside an indented block (an
			// admonition, a tab) is rendered without the indentation.
			if collapsed == nil {
				collapsed = collapseSpace(rendered)
			}
			in = bytes.Count(collapsed, collapseSpace(tag))
		}
		if seen[string(tag)] > in {
			i = end // code, not HTML
			continue
		}
		for _, a := range found {
			dest := html.UnescapeString(a.value)
			l, c := pos(a.off)
			lk := markdown.Link{Dest: dest, URL: dest, Line: l, Col: c, Image: a.name == "src"}
			if relativeDest(dest) {
				if u, ok := b.resolveLink(key, dest); ok {
					lk.URL = u
				}
			}
			links = append(links, lk)
		}
		i = end
	}
	return links
}

// rawAttr is an attribute of a tag: its lowercased name, its value as
// written, and the value's offset.
type rawAttr struct {
	name, value string
	off         int
}

// scanAttrs reads the tag whose name starts at b[i] and returns its
// attributes (names lowercased) and the offset of its closing ">", as
// markdown.ScanTag, which reads the ids of the same pages, finds them.
func scanAttrs(b []byte, i int) ([]rawAttr, int) {
	var attrs []rawAttr
	end, ok := markdown.ScanTag(b, i, func(name, value []byte, off int) {
		attrs = append(attrs, rawAttr{strings.ToLower(string(name)), string(value), off})
	})
	if !ok {
		return nil, end
	}
	return attrs, end
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func collapseSpace(b []byte) []byte {
	return bytes.Join(bytes.Fields(b), []byte(" "))
}

// relativeDest reports whether a destination is relative to the page, as
// the markdown engine decides for links: not empty, not a fragment, not
// rooted, without a URL scheme.
func relativeDest(dest string) bool {
	if dest == "" || dest[0] == '/' || dest[0] == '#' {
		return false
	}
	u, err := url.Parse(dest)
	return err != nil || u.Scheme == "" && u.Host == ""
}

var rawAttrRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\s(?:href|src)=)(?:"([^"]*)"|'([^']*)')`) })

// resolveRaw rewrites the relative links of a page's HTML as the markdown
// engine rewrote its markdown links: HTML written in the page says
// href="install.md" as on GitHub, and the site publishes that page at
// /guide/install/. Only pages with such links are scanned; the links the
// engine wrote are site-absolute by now, or were left alone by the same
// resolver.
func (b *Builder) resolveRaw(p *Page, h []byte) []byte {
	need := false
	for _, l := range p.raw {
		if l.URL != l.Dest {
			need = true
			break
		}
	}
	if !need {
		return h
	}
	return rawAttrRe().ReplaceAllFunc(h, func(m []byte) []byte {
		sub := rawAttrRe().FindSubmatch(m)
		v := sub[2]
		if v == nil {
			v = sub[3]
		}
		dest := html.UnescapeString(string(v))
		if !relativeDest(dest) {
			return m
		}
		u, ok := b.resolveLink(p.Key, dest)
		if !ok {
			return m
		}
		return append(append(append([]byte(nil), sub[1]...), '"'), template.HTMLEscapeString(u)+`"`...)
	})
}
