package site

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

func navSite(t *testing.T) string {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"index.md":                   "# Home\n",
		"getting-started/index.md":   "---\nweight: 1\n---\n# Getting started\n",
		"getting-started/install.md": "---\nweight: 1\n---\n# Install\n",
		"getting-started/quick.md":   "---\nweight: 2\n---\n# Quick start\n",
		"guides/index.md":            "# Guides\n",
		"guides/a.md":                "# Guide A\n",
		"guides/b.md":                "# Guide B\n",
		"guides/deep/c.md":           "# Guide C\n",
		"faq.md":                     "# FAQ\n",
		"wip.md":                     "---\ndraft: true\n---\n# WIP\n",
	} {
		write(t, filepath.Join(dir, "content", filepath.FromSlash(name)), text)
	}
	write(t, filepath.Join(dir, "pyrobuild.yaml"), "site:\n  nav:\n    - index.md\n")
	return dir
}

// TestNavList: a nav list orders the sidebar, previous/next and the
// breadcrumbs instead of the folders (front matter weights included);
// titles can be overridden; a folder entry stands for its remaining pages;
// a page left out is a warning naming it, and still published.
func TestNavList(t *testing.T) {
	dir := navSite(t)
	yaml := filepath.Join(dir, "pyrobuild.yaml")
	at := func(line int) diag.Pos { return diag.Pos{File: yaml, Line: line, Col: 7} }
	cfg := Config{Root: dir, NavPos: diag.Pos{File: yaml, Line: 2, Col: 3}, Nav: []NavItem{
		{Page: "index.md", Pos: at(3)},
		{Title: "Start here", Pos: at(4), Children: []NavItem{
			{Page: "getting-started/quick.md", Pos: at(5)}, // weight 2, but first
			{Page: "getting-started/install.md", Title: "Installing", Pos: at(6)},
		}},
		{Page: "guides/b.md", Pos: at(7)},
		{Page: "guides/", Title: "More guides", Pos: at(8)},
		{Page: "reference/", Pos: at(9)},
	}}
	s := buildSite(t, cfg)
	got := diagText(s.Diagnostics)
	for _, want := range []string{
		yaml + ":2:3: warning: site.nav leaves out faq.md: it is published",
		yaml + ":2:3: warning: site.nav leaves out getting-started/index.md",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if s.HasErrors() || strings.Count(got, "\n") != 2 {
		t.Errorf("want two warnings, got:\n%s", got)
	}
	for _, d := range s.Diagnostics {
		if d.Code != sitediag.CodeNav {
			t.Errorf("%s: code %s, want %s", d.Pos, d.Code, sitediag.CodeNav)
		}
	}
	if _, ok := s.Files["faq/index.html"]; !ok {
		t.Error("a page left out of the nav list must still be published")
	}
	if s.Sources[yaml] == nil {
		t.Error("the warnings' file is not quoted")
	}

	quick := string(s.Files["getting-started/quick/index.html"])
	for _, want := range []string{
		`<details data-nav="nav:2/" open><summary><span>Start here</span></summary>`,
		`<a href="/getting-started/quick/" data-page="getting-started/quick.md" aria-current="page">Quick start</a>`,
		`rel="prev" href="/"`, `rel="next" href="/getting-started/install/"><span class="dir">Next</span> <span class="title">Installing</span>`,
		`<li><a href="/">Home</a></li>`, `<li><a href="/getting-started/quick/">Start here</a></li>`, `<li><span aria-current="page">Quick start</span></li>`,
	} {
		if !strings.Contains(quick, want) {
			t.Errorf("quick start page lacks %s", want)
		}
	}
	if i, j := strings.Index(quick, ">Quick start</a>"), strings.Index(quick, ">Installing</a>"); i < 0 || j < 0 || i > j {
		t.Error("the sidebar does not follow the nav list's order")
	}
	install := string(s.Files["getting-started/install/index.html"])
	for _, want := range []string{
		`<li><span aria-current="page">Installing</span></li>`,
		`rel="next" href="/guides/b/"`,
	} {
		if !strings.Contains(install, want) {
			t.Errorf("install page lacks %s", want)
		}
	}
	// The folder entry: the folder's other pages, its index giving its link.
	b := string(s.Files["guides/b/index.html"])
	for _, want := range []string{
		`rel="next" href="/guides/"><span class="dir">Next</span> <span class="title">More guides</span>`,
		`<a class="nav-folder" href="/guides/">More guides</a>`,
		`<a class="nav-folder" href="/reference/">Reference</a>`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("guide B lacks %s", want)
		}
	}
	c := string(s.Files["guides/deep/c/index.html"])
	for _, want := range []string{
		`<details data-nav="guides/" open>`, `<details data-nav="guides/deep/" open>`,
		`<li><a href="/guides/">More guides</a></li>`, `<li><a href="/guides/deep/c/">Deep</a></li>`,
	} {
		if !strings.Contains(c, want) {
			t.Errorf("guide C lacks %s", want)
		}
	}
	if strings.Count(c, `data-page="guides/b.md"`) != 1 {
		t.Error("guides/b.md, listed on its own, is also under the folder entry")
	}
	faq := string(s.Files["faq/index.html"])
	if strings.Contains(faq, `aria-current="page">`) && strings.Contains(faq, `data-page="faq.md"`) {
		t.Error("a page left out is in the sidebar")
	}
	if strings.Contains(faq, `rel="next"`) || strings.Contains(faq, `rel="prev"`) {
		t.Error("a page left out has previous/next links")
	}
}

// TestNavListErrors: an entry naming no page is an error at its
// pyrobuild.yaml:line:col, with a suggestion, and so is a page listed
// twice.
func TestNavListErrors(t *testing.T) {
	dir := navSite(t)
	yaml := filepath.Join(dir, "pyrobuild.yaml")
	at := func(line int) diag.Pos { return diag.Pos{File: yaml, Line: line, Col: 7} }
	s := buildSite(t, Config{Root: dir, NavPos: diag.Pos{File: yaml, Line: 2, Col: 3}, Nav: []NavItem{
		{Page: "index.md", Pos: at(3)},
		{Page: "getting-started/instal.md", Pos: at(4)},
		{Page: "wip.md", Pos: at(5)},
		{Page: "guidez/", Pos: at(6)},
		{Title: "Again", Pos: at(7), Children: []NavItem{{Page: "index.md", Pos: at(8)}}},
	}})
	got := diagText(s.Diagnostics)
	for _, want := range []string{
		yaml + `:4:7: error: site.nav names getting-started/instal.md, but there is no such page [PB2003]`,
		yaml + `:5:7: error: site.nav names wip.md, a draft, which is not published [PB2003]`,
		yaml + `:6:7: error: site.nav names guidez/, but there is no page under it [PB2003]`,
		yaml + `:8:7: error: site.nav lists index.md twice (first at line 3) [PB2008]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	for _, d := range s.Diagnostics {
		if strings.Contains(d.Message, "instal.md") && d.Hint != "did you mean getting-started/install.md?" {
			t.Errorf("hint %q", d.Hint)
		}
		if strings.Contains(d.Message, "guidez/") && d.Hint != "did you mean guides/?" {
			t.Errorf("hint %q", d.Hint)
		}
	}
}
