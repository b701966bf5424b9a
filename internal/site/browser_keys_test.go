package site

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// serveLongNav builds a site whose navigation is longer than the window
// (a folder of 60 pages) and serves it; it returns the server's URL.
func serveLongNav(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"content/index.md":       "# Home\n\nWelcome.\n",
		"content/guide/index.md": "---\ntitle: Guide\n---\n\n# Guide\n",
	}
	for i := 1; i <= 60; i++ {
		files[fmt.Sprintf("content/guide/p%02d.md", i)] = fmt.Sprintf("---\nweight: %d\n---\n\n# Page %02d\n\nText about profiling page %d.\n\n## Section\n\nMore text.\n", i, i, i)
	}
	writeTree(t, root, files)
	dir := filepath.Join(t.TempDir(), "public")
	b, err := NewBuilder(Config{Root: root, RepoURL: "https://git.example.com/demo", Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := b.Write(context.Background(), dir); err != nil || s.HasErrors() {
		t.Fatalf("build: %v %v", err, s.Diagnostics)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// browserDo runs actions with a timeout, failing the test on error.
func browserDo(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// browserEval evaluates js in the page.
func browserEval[T any](t *testing.T, ctx context.Context, step, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	return v
}

// focusName names the focused element for the keyboard test.
const focusName = `(() => { const e = document.activeElement;
  if (!e || e === document.body) return "body";
  if (e.closest("#site-nav")) return "nav";
  return e.id || e.className || e.tagName; })()`

// TestBrowserFirstTab: on a page whose navigation entry lies below the
// window, so the navigation scrolls to show it, the first Tab reaches the
// skip link, and the next ones the search box, the theme toggle and the
// Source link, before anything in the navigation.
func TestBrowserFirstTab(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	url := serveLongNav(t)
	ctx := browsertest.New(t)
	browserDo(t, ctx, "open", chromedp.Navigate(url+"/guide/p60/"))
	// The navigation still shows the current page: it scrolled.
	if !browserEval[bool](t, ctx, "nav scrolled", `(() => {
	  const nav = document.getElementById("site-nav"), cur = nav.querySelector('[aria-current="page"]');
	  const a = nav.getBoundingClientRect(), b = cur.getBoundingClientRect();
	  return nav.scrollTop > 0 && b.top >= a.top && b.bottom <= a.bottom; })()`) {
		t.Error("the current page's navigation entry is not scrolled into view")
	}
	var order []string
	for range 6 {
		browserDo(t, ctx, "tab", chromedp.KeyEvent(kb.Tab))
		order = append(order, browserEval[string](t, ctx, "focus", focusName))
	}
	if order[0] != "skip-link" {
		t.Errorf("the first Tab focuses %q, want the skip link (order %v)", order[0], order)
	}
	next := 0
	for _, want := range []string{"search-input", "theme-toggle", "repo-link"} {
		for next < len(order) && order[next] != want && order[next] != "nav" {
			next++
		}
		if next == len(order) || order[next] != want {
			t.Errorf("Tab does not reach %s before the navigation: %v", want, order)
			break
		}
	}
}

// TestBrowserPhoneSearch: at a phone's width (390 px) the search results
// lie within the screen.
func TestBrowserPhoneSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	url := serveLongNav(t)
	ctx := browsertest.New(t)
	browserDo(t, ctx, "viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browserDo(t, ctx, "open", chromedp.Navigate(url+"/guide/p01/"))
	browserEval[string](t, ctx, "focus", `document.getElementById("search-input").focus(); ""`)
	browserDo(t, ctx, "type", chromedp.KeyEvent("profiling"))
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](`(() => { const r = document.getElementById("search-results");
	  return !r.hidden && r.querySelectorAll("li[role=option]").length > 0 })()`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("no search results: %v", err)
	}
	browsertest.Screenshot(t, ctx, "phone-search")
	box := browserEval[string](t, ctx, "box", `(() => { const b = document.getElementById("search-results").getBoundingClientRect();
	  return [Math.round(b.left), Math.round(b.right), document.documentElement.clientWidth].join(" "); })()`)
	var left, right, width int
	if _, err := fmt.Sscan(box, &left, &right, &width); err != nil {
		t.Fatal(err)
	}
	if width != 390 {
		t.Fatalf("the page is %d px wide, want 390", width)
	}
	if left < 0 || right > width || right-left < width/2 {
		t.Errorf("search results span %d..%d px of a %d px screen", left, right, width)
	}
	if strings.Contains(box, "NaN") {
		t.Errorf("box %s", box)
	}
}

// TestBrowserDiagramsFit: in a real browser, with the site's fonts, every
// text of the repository's diagrams lies within its box (the widths are
// estimated when the site is built, without fonts), and each diagram has
// its accessible name.
func TestBrowserDiagramsFit(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	// Served from memory: without the CLI reference (package cli makes
	// it) the site has broken links, and Write would not write it.
	s := buildSite(t, Config{Root: "../..", Dashboards: []string{"../../examples"}, Workers: 2})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		data, ok := s.File(name)
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
		w.Write(data)
	}))
	defer srv.Close()
	ctx := browsertest.New(t)
	for _, page := range []string{"/", "/plugins/"} {
		browserDo(t, ctx, "open "+page, chromedp.Navigate(srv.URL+page))
		got := browserEval[string](t, ctx, "measure", `(() => {
		  const out = [];
		  const svgs = document.querySelectorAll("figure.diagram svg[role=img]");
		  if (!svgs.length) return "no diagram";
		  svgs.forEach(svg => {
		    if (!svg.getAttribute("aria-label") || !svg.querySelector("title")) out.push("a diagram without a name");
		    svg.querySelectorAll("text").forEach(text => {
		      const box = text.previousElementSibling, t = text.getBBox(), r = box.getBBox();
		      if (t.x < r.x || t.y < r.y || t.x + t.width > r.x + r.width || t.y + t.height > r.y + r.height)
		        out.push(JSON.stringify(text.textContent) + " overflows its box by " + Math.round(Math.max(r.x - t.x, t.x + t.width - r.x - r.width)) + " px");
		    });
		  });
		  return out.join("; ") || "ok"; })()`)
		if got != "ok" {
			t.Errorf("%s: %s", page, got)
		}
		browsertest.Screenshot(t, ctx, "diagram"+strings.ReplaceAll(page, "/", "-"))
	}
}
