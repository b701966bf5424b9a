package site

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// TestBrowserDocsSite opens the built site in a real headless Chromium, as
// a reader would: the home page with its diagram, the reference page and
// its table of contents, the search, the content tabs and the colour
// theme. Screenshots are saved as test artifacts.
func TestBrowserDocsSite(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	dir := filepath.Join(t.TempDir(), "public")
	b, err := NewBuilder(Config{Root: "testdata/basic", Dashboards: []string{"testdata/basic/dashboards"}})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := b.Write(context.Background(), dir); err != nil || s.HasErrors() {
		t.Fatalf("build: %v %v", err, s.Diagnostics)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(step, js string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	wait := func(step, js string) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, err := chromedp.Run(c, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: waiting for %s: %v", step, js, err)
		}
	}

	// Home page: the diagram, drawn when the site was built, is an image
	// with a name.
	run("open home", chromedp.Navigate(srv.URL+"/"))
	if got := eval("title", "document.title"); got != "pyrobuild" {
		t.Errorf("home title %q", got)
	}
	if got := eval("diagram", `(() => { const s = document.querySelector("figure.diagram svg[role=img]");
	  return s ? s.getAttribute("aria-label") + (s.getBoundingClientRect().width > 100 ? " drawn" : " not drawn") : "none"; })()`); got != "Diagram: a → b drawn" {
		t.Errorf("home diagram: %s", got)
	}
	browsertest.Screenshot(t, ctx, "home")

	// Reference page: the TOC lists the plugins and its links work.
	run("open reference", chromedp.Navigate(srv.URL+"/reference/plugins/"))
	toc := eval("toc", `Array.from(document.querySelectorAll(".toc a")).map(a => a.getAttribute("href")).join(" ")`)
	for _, want := range []string{"#pyroscopedatasource", "#httpproxy", "#pyroscopeprofilequery", "#flamechart", "#datasource-selector"} {
		if !strings.Contains(toc, want) {
			t.Errorf("TOC lacks %s: %s", want, toc)
		}
	}
	eval("click toc", `document.querySelector('.toc a[href="#flamechart"]').click(); ""`)
	wait("toc jump", `location.hash === "#flamechart" && Math.abs(document.getElementById("flamechart").getBoundingClientRect().top) < 200`)
	browsertest.Screenshot(t, ctx, "reference-light")

	// Search: type a field name, get the section that documents it.
	run("type search", chromedp.Navigate(srv.URL+"/reference/plugins/"))
	eval("focus", `document.getElementById("search-input").focus(); ""`)
	run("keys", chromedp.KeyEvent("maxNodes"))
	wait("results", `(() => { const r = document.getElementById("search-results"); return !r.hidden && r.querySelectorAll("li[role=option]").length > 0 })()`)
	first := eval("first result", `document.querySelector("#search-results li[role=option] a").getAttribute("href")`)
	if !strings.Contains(first, "/reference/plugins/#") {
		t.Errorf("first result for maxNodes is %s, want a section of the plugin reference", first)
	}
	if got := eval("aria", `document.getElementById("search-input").getAttribute("aria-expanded")`); got != "true" {
		t.Errorf("search combobox aria-expanded=%s", got)
	}
	browsertest.Screenshot(t, ctx, "search")
	run("enter", chromedp.KeyEvent("\r"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The page navigates: evaluate until the new document answers.
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		loc, err := chromedp.Run(c, chromedp.Evaluate[string](`location.pathname + location.hash`))
		cancel()
		if err == nil && strings.HasPrefix(loc, "/reference/plugins/#") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Enter in the search did not open the result: at %q (%v)", loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Theme: the toggle goes automatic → light → dark, and dark sticks.
	eval("toggle", `document.querySelector(".theme-toggle").click(); document.querySelector(".theme-toggle").click(); ""`)
	if got := eval("theme", `document.documentElement.dataset.theme`); got != "dark" {
		t.Fatalf("theme after two clicks: %s", got)
	}
	if bg := eval("bg", `getComputedStyle(document.body).backgroundColor`); bg != "rgb(20, 22, 26)" {
		t.Errorf("dark background is %s", bg)
	}
	run("reload", chromedp.Reload())
	if got := eval("theme after reload", `document.documentElement.dataset.theme`); got != "dark" {
		t.Errorf("theme not remembered across pages: %s", got)
	}
	browsertest.Screenshot(t, ctx, "reference-dark")

	// Content tabs: choosing YAML shows its panel and hides CUE's.
	run("open install", chromedp.Navigate(srv.URL+"/guide/install/"))
	eval("tab", `Array.from(document.querySelectorAll('[role="tab"]')).find(b => b.textContent.trim() === "YAML").click(); ""`)
	state := eval("tab state", `Array.from(document.querySelectorAll('[role="tabpanel"]')).map(p => p.hidden ? "hidden" : "shown").join(",")`)
	if state != "hidden,shown" {
		t.Errorf("after choosing YAML, panels are %s", state)
	}
	if got := eval("copy buttons", `String(document.querySelectorAll(".highlight .copy").length)`); got == "0" {
		t.Error("no copy buttons on code blocks")
	}
	if got := eval("current nav", `document.querySelector('.site-nav [aria-current="page"]').textContent`); got != "Install" {
		t.Errorf("current page in the navigation: %q", got)
	}
}
