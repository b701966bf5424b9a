package site

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

var update = flag.Bool("update", false, "rewrite golden files")

func buildSite(t *testing.T, cfg Config) *Site {
	t.Helper()
	b, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func basicConfig() Config {
	return Config{
		Root:       "testdata/basic",
		Dashboards: []string{"testdata/basic/dashboards"},
		BaseURL:    "https://docs.example.com/pb/",
		Title:      "Demo",
		EditURL:    "https://git.example.com/demo/edit/main/",
		Workers:    2,
	}
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Pos.String() + ": " + d.Severity.String() + ": " + d.Message + " [" + string(d.Code) + "]\n")
	}
	return b.String()
}

func TestBuildBasic(t *testing.T) {
	s := buildSite(t, basicConfig())
	if s.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", diagText(s.Diagnostics))
	}
	for _, want := range []string{
		"index.html", "guide/index.html", "guide/install/index.html", "guide/usage/index.html",
		"reference/index.html", "reference/plugins/index.html", "reference/diagnostics/index.html",
		"dashboards/index.html", "dashboards/demo/cpu/index.html",
		"img/logo.svg", "404.html", "robots.txt", "sitemap.xml", "search-index.json",
		"assets/css/site.css", "assets/css/chroma.css", "assets/js/site.js",
	} {
		if _, ok := s.Files[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	install := string(s.Files["guide/install/index.html"])
	for _, want := range []string{
		`<a href="/pb/guide/install/" data-page="guide/install.md" aria-current="page">`, // current page in the nav
		`<details data-nav="guide/" open>`,                                               // its folder open
		`<a href="/pb/">Home</a>`,                                                        // breadcrumbs
		`<a href="/pb/guide/">Guides</a>`,
		`src="/pb/img/logo.svg"`, // relative image rewritten
		`href="/pb/"`,            // ../index.md rewritten
		`Edit this page`, `https://git.example.com/demo/edit/main/content/guide/install.md`,
		`rel="next" href="/pb/guide/usage/"`, `rel="prev" href="/pb/guide/"`,
		`<link rel="canonical" href="https://docs.example.com/pb/guide/install/">`,
		`class="admonition note"`, `role="tablist"`, `class="highlight example"`,
		`href="#from-source"`, // the table of contents
	} {
		if !strings.Contains(install, want) {
			t.Errorf("guide/install/index.html lacks %s", want)
		}
	}
	// The home page's diagram is drawn when the site is built: no script.
	home := string(s.Files["index.html"])
	if !strings.Contains(home, `<figure class="diagram"><svg class="diagram" xmlns="http://www.w3.org/2000/svg" role="img"`) ||
		!strings.Contains(home, `<title>Diagram: a → b</title>`) {
		t.Error("the home page's diagram is not drawn as an image named by its arrows")
	}
	for name := range s.Files {
		if strings.Contains(name, "mermaid") {
			t.Errorf("the site publishes %s", name)
		}
	}
	usage := string(s.Files["guide/usage/index.html"])
	if !strings.Contains(usage, `href="/pb/reference/diagnostics/#pb1203"`) {
		t.Error("site-absolute link not rebased under the base path")
	}
	if !strings.Contains(string(s.Files["sitemap.xml"]), "<loc>https://docs.example.com/pb/guide/install/</loc>") {
		t.Errorf("sitemap lacks the install page:\n%s", s.Files["sitemap.xml"])
	}
	if !strings.Contains(string(s.Files["robots.txt"]), "Sitemap: https://docs.example.com/pb/sitemap.xml") {
		t.Errorf("robots.txt: %s", s.Files["robots.txt"])
	}

	var index []searchEntry
	if err := json.Unmarshal(s.Files["search-index.json"], &index); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range index {
		if e.U == "/pb/guide/install/#from-source" && e.H == "From source" && strings.Contains(e.X, "make") {
			found = true
		}
	}
	if !found {
		t.Errorf("search index has no entry for the From source section: %+v", index)
	}

	cat := string(s.Files["dashboards/demo/cpu/index.html"])
	for _, want := range []string{"CPU profiles", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "(cpu)", "<code>api</code>", `env=&quot;prod&quot;`, "pyro", "direct http://pyroscope:4040", "grid-preview"} {
		if !strings.Contains(cat, want) {
			t.Errorf("catalog page lacks %q", want)
		}
	}
	ref := string(s.Files["reference/plugins/index.html"])
	for _, want := range []string{`id="pyroscopedatasource"`, `id="httpproxy"`, `id="pyroscopeprofilequery"`, `id="flamechart"`, `id="datasource-selector"`, "directUrl", "maxNodes", "process_cpu:cpu:nanoseconds:cpu:nanoseconds", "Wire form"} {
		if !strings.Contains(ref, want) {
			t.Errorf("plugin reference lacks %q", want)
		}
	}
	if !strings.Contains(string(s.Files["reference/diagnostics/index.html"]), `id="pb1203"`) {
		t.Error("diagnostics reference has no #pb1203")
	}
}

// TestBuildGolden pins the full HTML of one page, so layout changes are
// reviewed (go test ./internal/site -run Golden -update).
func TestBuildGolden(t *testing.T) {
	s := buildSite(t, basicConfig())
	for _, name := range []string{"guide/install/index.html", "404.html"} {
		got := s.Files[name]
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(name, "/", "_"))
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test ./internal/site -run Golden -update and review the diff)", name, golden)
		}
	}
}

func TestBuildDeterministic(t *testing.T) {
	a := basicConfig()
	a.Workers = 1
	b := basicConfig()
	b.Workers = 8
	sa, sb := buildSite(t, a), buildSite(t, b)
	if len(sa.Files) != len(sb.Files) {
		t.Fatalf("%d files with 1 worker, %d with 8", len(sa.Files), len(sb.Files))
	}
	for name, data := range sa.Files {
		if !bytes.Equal(data, sb.Files[name]) {
			t.Errorf("%s differs between 1 and 8 workers", name)
		}
	}
}

func TestBrokenSite(t *testing.T) {
	s := buildSite(t, Config{Root: "testdata/broken", Workers: 2})
	got := diagText(s.Diagnostics)
	for _, want := range []string{
		`testdata/broken/content/index.md:7:13: error: broken link "missing.md": no page or file is published there [PB2003]`,
		`testdata/broken/content/index.md:8:16: error: broken link "guide.md#nope": guide.md has no heading or element with id "nope" [PB2004]`,
		`testdata/broken/content/index.md:9:15: error: broken link "#setup": this page has no heading or element with id "setup" [PB2004]`,
		`testdata/broken/content/index.md:10:10: error: broken link "/reference/plugins/#flamechat"`,
		`testdata/broken/content/index.md:11:13: error: broken link "../README.md": it leads outside the content folder [PB2003]`,
		`testdata/broken/content/guide.md:17:18: error: example: invalid directUrl "pyroscope:4040": a URL starts with http:// or https:// followed by a host`,
		`testdata/broken/content/guide.md:20:1: error: example should fail with PB1203 but compiles cleanly [PB2005]`,
		`testdata/broken/content/front.md:3:9: error: front matter: weight must be an integer [PB2002]`,
		`testdata/broken/content/dup/index.md:1: error: dup.md and dup/index.md both publish /dup/ [PB2007]`,
		`testdata/broken/content/diagram.md:10:5: error: diagram: subgraphs are not supported [PB2009]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing diagnostic\n  %s\nin\n%s", want, got)
		}
	}
	for _, d := range s.Diagnostics {
		if d.Code == sitediag.CodeBrokenAnchor && strings.Contains(d.Message, "flamechat") && !strings.Contains(d.Hint, "#flamechart") {
			t.Errorf("no did-you-mean for #flamechat: %q", d.Hint)
		}
	}
}

func TestWriteKeepsOldSiteOnFailure(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	b, err := NewBuilder(basicConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Write(context.Background(), out)
	if err != nil || s.HasErrors() {
		t.Fatalf("first build: %v\n%s", err, diagText(s.Diagnostics))
	}
	before := snapshot(t, out)
	bad, _ := NewBuilder(Config{Root: "testdata/broken"})
	s, err = bad.Write(context.Background(), out)
	if err != nil || !s.HasErrors() {
		t.Fatalf("broken build should report errors, got err=%v", err)
	}
	if after := snapshot(t, out); after != before {
		t.Error("a failed build changed the output folder")
	}
}

func snapshot(t *testing.T, dir string) string {
	var lines []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			lines = append(lines, p+" "+string(rune(len(data))))
		}
		return nil
	})
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "content"), 0o755)
	os.MkdirAll(filepath.Join(dir, "templates", "layouts"), 0o755)
	os.WriteFile(filepath.Join(dir, "content", "index.md"), []byte("# Hello\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "templates", "layouts", "page.html"), []byte("<main>{{.Page.Content}}</main>\n"), 0o644)
	s := buildSite(t, Config{Root: dir})
	if s.HasErrors() {
		t.Fatal(diagText(s.Diagnostics))
	}
	if got := string(s.Files["index.html"]); !strings.HasPrefix(got, "<main><h1") {
		t.Errorf("override not used: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "templates", "layouts", "page.html"), []byte("<main>\n{{.Page.Content\n</main>\n"), 0o644)
	s = buildSite(t, Config{Root: dir})
	got := diagText(s.Diagnostics)
	if !regexp.MustCompile(`templates/layouts/page.html:\d+(:\d+)?: error: template page.html: .*\[PB2006\]`).MatchString(got) {
		t.Errorf("template error not reported at its line:\n%s", got)
	}
}

func TestTemplateErrorIsReportedOnce(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates", "layouts"), 0o755)
	os.WriteFile(filepath.Join(dir, "templates", "layouts", "page.html"), []byte("{{if}}\n"), 0o644)
	s := buildSite(t, Config{Root: dir})
	if n := len(s.Diagnostics); n != 1 {
		t.Errorf("want one diagnostic for a broken template, got:\n%s", diagText(s.Diagnostics))
	}
}

func TestDraftsAreLeftOut(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "content", "index.md"), "# Home\n")
	write(t, filepath.Join(dir, "content", "wip.md"), "---\ntitle: Work in progress\ndraft: true\n---\n# WIP\n")
	s := buildSite(t, Config{Root: dir})
	if _, ok := s.Files["wip/index.html"]; ok {
		t.Error("a draft was published")
	}
	s = buildSite(t, Config{Root: dir, Drafts: true})
	if _, ok := s.Files["wip/index.html"]; !ok {
		t.Error("--drafts did not publish the draft")
	}
}

// TestRawHTMLLinks: links written in HTML, in a block or inline, are
// checked as markdown links are, at their markdown line:col; a tag shown
// as code or in a comment is not a link; and relative ones are rewritten
// as markdown links are, so they work on the site as on GitHub.
func TestRawHTMLLinks(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "content", "index.md"), "# Home\n"+
		"\n"+
		`<a href="nope-html/">block</a>`+"\n"+
		"\n"+
		`Text <a href="nope-inline.md">inline</a>, <a href="guide.md#setup">ok</a>, <img src="img/x.png" alt=""> and <a href='#nope-anchor'>x</a>.`+"\n"+
		"\n"+
		"<div>\n"+
		`<a class="x" href="guide.md#missing">anchor</a>`+"\n"+
		"</div>\n"+
		"\n"+
		"`<a href=\"in-code.md\">` is code.\n"+
		"\n"+
		"```html\n"+
		`<a href="in-fence.md">`+"\n"+
		"```\n"+
		"\n"+
		`<!-- <a href="commented.md"> -->`+"\n"+
		"\n"+
		"!!! note\n"+
		`    <a href="in-admonition.md">x</a>`+"\n"+
		"\n"+
		`<a href="https://example.com/nope">external</a> <a href="/guide/#setup">rooted</a>`+"\n")
	write(t, filepath.Join(dir, "content", "guide.md"), "# Guide\n\n## Setup\n")
	write(t, filepath.Join(dir, "content", "img", "x.png"), "png")
	write(t, filepath.Join(dir, "content", "sub", "page.md"), "# Sub\n\n<p><a href=\"../guide.md#setup\">up</a> <img src=\"../img/x.png\"></p>\n")
	s := buildSite(t, Config{Root: dir, BaseURL: "/docs/"})
	got := diagText(s.Diagnostics)
	idx := filepath.Join(dir, "content", "index.md")
	want := []string{
		idx + `:3:10: error: broken link "nope-html/": no page or file is published there [PB2003]`,
		idx + `:5:15: error: broken link "nope-inline.md": no page or file is published there [PB2003]`,
		idx + `:5:118: error: broken link "#nope-anchor": this page has no heading or element with id "nope-anchor" [PB2004]`,
		idx + `:8:20: error: broken link "guide.md#missing": guide.md has no heading or element with id "missing" [PB2004]`,
		idx + `:20:14: error: broken link "in-admonition.md": no page or file is published there [PB2003]`,
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing diagnostic\n  %s\nin\n%s", w, got)
		}
	}
	if n := strings.Count(got, "\n"); n != len(want) {
		t.Errorf("want %d diagnostics, got %d:\n%s", len(want), n, got)
	}

	// The same pages without the broken links: relative links in HTML lead
	// where markdown links would.
	write(t, filepath.Join(dir, "content", "index.md"), "# Home\n\n<a href=\"guide.md#setup\">ok</a> <img src=\"img/x.png\">\n")
	s = buildSite(t, Config{Root: dir, BaseURL: "/docs/"})
	if s.HasErrors() {
		t.Fatal(diagText(s.Diagnostics))
	}
	for name, wants := range map[string][]string{
		"index.html":          {`<a href="/docs/guide/#setup">ok</a>`, `<img src="/docs/img/x.png">`},
		"sub/page/index.html": {`<a href="/docs/guide/#setup">up</a>`, `<img src="/docs/img/x.png">`},
	} {
		for _, w := range wants {
			if !strings.Contains(string(s.Files[name]), w) {
				t.Errorf("%s lacks %s", name, w)
			}
		}
	}
}

// TestEmptyExample: an example with no code compiles cleanly, so it would
// check nothing: it is an error at its opening fence, once, whatever its
// expect= says; comments alone count as no code.
func TestEmptyExample(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "content", "index.md"), "# Home\n\n"+
		"```yaml example\n```\n\n"+ // line 3
		"```cue example\n// to do\n\n```\n\n"+ // line 6
		"```yaml example expect=PB1002\n# nothing\n---\n```\n\n"+ // line 11
		"```json example\n  \n```\n") // line 16
	s := buildSite(t, Config{Root: dir})
	got := diagText(s.Diagnostics)
	idx := filepath.Join(dir, "content", "index.md")
	want := []string{
		idx + ":3:1: error: yaml example is empty: there is nothing to compile [PB2005]",
		idx + ":6:1: error: cue example is empty: there is nothing to compile [PB2005]",
		idx + ":11:1: error: yaml example is empty: there is nothing to compile [PB2005]",
		idx + ":16:1: error: json example is empty: there is nothing to compile [PB2005]",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing\n  %s\nin\n%s", w, got)
		}
	}
	if n := strings.Count(got, "\n"); n != len(want) {
		t.Errorf("want %d diagnostics, got:\n%s", len(want), got)
	}
	// An example with code is still compiled.
	write(t, filepath.Join(dir, "content", "index.md"), "# Home\n\n```yaml example\n# a comment\nkind: Nope\n```\n")
	if s := buildSite(t, Config{Root: dir}); !s.HasErrors() {
		t.Error("a broken example with a comment passed")
	}
}

// TestWriteMatchesBuild checks that the ways a site is made agree byte for
// byte: in memory (Build), written as it is laid out (Write: its pages'
// HTML kept packed between the passes, their sources dropped), and as the
// preview server keeps it (pages packed, the search index in fragments).
func TestWriteMatchesBuild(t *testing.T) {
	cfg := basicConfig()
	want := buildSite(t, cfg)
	if want.HasErrors() {
		t.Fatalf("build: %s", diagText(want.Diagnostics))
	}
	out := filepath.Join(t.TempDir(), "public")
	b, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Write(context.Background(), out)
	if err != nil || s.HasErrors() {
		t.Fatalf("write: %v %s", err, diagText(s.Diagnostics))
	}
	written := map[string]bool{}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		name := filepath.ToSlash(rel)
		if name == outdir.MarkerFile {
			return nil
		}
		written[name] = true
		data, _ := os.ReadFile(p)
		if !bytes.Equal(data, want.Files[name]) {
			t.Errorf("written %s differs from the built one", name)
		}
		return nil
	})
	for name := range want.Files {
		if !written[name] {
			t.Errorf("%s built but not written", name)
		}
	}

	sb, err := NewBuilder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// As the preview server builds: tracking changes, pages packed.
	sb.TrackChanges()
	served, err := sb.BuildPacked(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(served.packed) == 0 || served.search == nil {
		t.Fatalf("the server keeps %d pages packed, search index in fragments: %v", len(served.packed), served.search != nil)
	}
	for name, data := range want.Files {
		got, ok := served.File(name)
		if !ok || !bytes.Equal(got, data) {
			t.Errorf("served %s differs from the built one", name)
		}
		if _, inFiles := served.Files[name]; inFiles == (served.packed[name] != nil) && name != searchIndexFile {
			t.Errorf("%s: in Files %v, packed %v", name, inFiles, served.packed[name] != nil)
		}
	}
	// Written from the server's builder, the pages are unpacked again.
	out2 := filepath.Join(t.TempDir(), "public")
	if s, err := sb.Write(context.Background(), out2); err != nil || s.HasErrors() {
		t.Fatalf("write from the server's builder: %v", err)
	}
	for name, data := range want.Files {
		got, err := os.ReadFile(filepath.Join(out2, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s written by the server's builder differs from the built one (%v)", name, err)
		}
	}
	// Site.Write of the served site writes every file too.
	out3 := filepath.Join(t.TempDir(), "public")
	if err := served.Write(out3); err != nil {
		t.Fatal(err)
	}
	for name, data := range want.Files {
		got, err := os.ReadFile(filepath.Join(out3, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s of Site.Write of the served site differs from the built one (%v)", name, err)
		}
	}
}

// TestWriteQuotesProblems checks the excerpts of a written build, which
// drops each page's source once it is rendered and reads it again for a
// problem.
func TestWriteQuotesProblems(t *testing.T) {
	b, err := NewBuilder(Config{Root: "testdata/broken", Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Write(context.Background(), filepath.Join(t.TempDir(), "public"))
	if err != nil || !s.HasErrors() {
		t.Fatalf("broken build: %v", err)
	}
	want := buildSite(t, Config{Root: "testdata/broken", Workers: 2})
	if got, w := diagText(s.Diagnostics), diagText(want.Diagnostics); got != w {
		t.Errorf("Write and Build disagree:\n%s\nand\n%s", got, w)
	}
	for _, f := range []string{"testdata/broken/content/index.md", "testdata/broken/content/guide.md", "testdata/broken/content/front.md"} {
		src, ok := s.Sources[f]
		if !ok {
			t.Errorf("no source of %s to quote", f)
			continue
		}
		data, _ := os.ReadFile(f)
		var text strings.Builder
		(&compiler.TextRenderer{Sources: s.Sources}).Render(&text, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{File: f, Line: 1, Col: 1}, Message: "m"})
		first, _, _ := strings.Cut(string(data), "\n")
		if !strings.Contains(text.String(), first) {
			t.Errorf("%s quoted as\n%s\nwant its first line %q", f, text.String(), first)
		}
		if src == nil {
			t.Errorf("%s: nil source", f)
		}
	}

	// A source that changed since it was rendered is not quoted.
	p := &Page{File: "testdata/broken/content/index.md", srcSum: &[32]byte{1}}
	if got := b.quotable(p); got != nil {
		t.Errorf("a changed source is quoted: %q", got)
	}
}

// write writes a file of a test site, making its folder.
func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
