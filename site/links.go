package site

import (
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/compiler"
)

// checkLinks verifies every internal link and #anchor of every page: the
// target page or file exists and defines the anchor. External links are
// not fetched (a build must not depend on the network).
func (b *Builder) checkLinks(pages []*Page, byURL map[string]*Page, files map[string]bool) compiler.Diagnostics {
	var diags compiler.Diagnostics
	for _, p := range pages {
		for _, l := range p.Doc.Links {
			if d, bad := b.checkLink(p, l.Dest, l.URL, byURL, files); bad {
				d.Pos = compiler.Pos{File: p.File, Line: l.Line, Col: l.Col}
				if p.Generated && !strings.HasPrefix(p.Key, "reference/") {
					d.Pos = compiler.Pos{File: p.File}
				}
				diags = append(diags, d)
			}
		}
	}
	return diags
}

func (b *Builder) checkLink(p *Page, dest, u string, byURL map[string]*Page, files map[string]bool) (compiler.Diagnostic, bool) {
	if u == "" {
		u = dest
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return compiler.Diagnostic{Severity: compiler.Error, Code: CodeBrokenLink, Message: fmt.Sprintf("malformed link %q: %v", dest, err)}, true
	}
	if parsed.Scheme != "" || parsed.Host != "" || strings.HasPrefix(u, "//") {
		return compiler.Diagnostic{}, false // external
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
			return compiler.Diagnostic{}, false
		} else {
			return brokenLink(dest, "no page or file is published there", b.suggestPage(rel, byURL)), true
		}
	default:
		// A relative link the resolver left alone: outside the site.
		if strings.HasSuffix(target, ".md") || strings.HasPrefix(target, "../") {
			return brokenLink(dest, "it leads outside the content folder", ""), true
		}
		return compiler.Diagnostic{}, false
	}
	if frag == "" || page.Doc == nil {
		return compiler.Diagnostic{}, false
	}
	if page.Doc.IDs[frag] {
		return compiler.Diagnostic{}, false
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
	return compiler.Diagnostic{Severity: compiler.Error, Code: CodeBrokenAnchor,
		Message: fmt.Sprintf("broken link %q: %s has no heading or element with id %q", dest, where, frag), Hint: hint}, true
}

func brokenLink(dest, why, hint string) compiler.Diagnostic {
	return compiler.Diagnostic{Severity: compiler.Error, Code: CodeBrokenLink, Message: fmt.Sprintf("broken link %q: %s", dest, why), Hint: hint}
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
