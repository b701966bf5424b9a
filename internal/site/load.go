package site

import (
	"crypto/sha256"
	"fmt"
	"path"
	"sort"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// outputConflicts reports the files of content/ and the theme's assets
// that a page's output would collide with: one at the page's own path
// (content/foo/index.html beside foo.md), one where a page's folder goes,
// or one below a page's file. Either would make the site depend on which
// is written last.
func outputConflicts(pages []*Page, statics []staticFile, th *theme) diag.Diagnostics {
	files := make(map[string]*Page, len(pages))
	folders := map[string]*Page{}
	for _, p := range pages {
		files[p.Out] = p
		for d := path.Dir(p.Out); d != "." && folders[d] == nil; d = path.Dir(d) {
			folders[d] = p
		}
	}
	var diags diag.Diagnostics
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
			diags = append(diags, diag.Diagnostic{Severity: diag.Error, Code: sitediag.CodeDuplicatePage, Pos: diag.Pos{File: p.File, Line: 1},
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

// cachedTheme loads the theme, or reuses the last one while no template
// changed (tracking builders only).
func (b *Builder) cachedTheme() (*theme, diag.Diagnostics) {
	b.themeMu.Lock()
	th, diags := b.theme, b.themeDiags
	b.themeMu.Unlock()
	if th != nil && b.track {
		return th, diags
	}
	th, diags = b.loadTheme()
	b.themeMu.Lock()
	b.theme, b.themeDiags = th, diags
	b.themeMu.Unlock()
	return th, diags
}

// readSource reads an input file, or reuses its content while it has not
// changed (tracking builders only). Files over limit bytes (0: no limit)
// are refused before they are read.
func (b *Builder) readSource(p string, limit int64) ([]byte, error) {
	if b.track {
		if data, ok := b.srcs.get(p); ok {
			return data, nil
		}
	}
	data, err := readFile(p, limit)
	if err == nil && b.track {
		b.srcs.put(p, data)
	}
	return data, err
}
