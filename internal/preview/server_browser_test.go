package preview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// TestBrowserLiveReload drives `pyrobuild serve` from a real browser: edit a
// page and see the new text without reloading by hand; break a dashboard
// and see the overlay; fix it and see it clear; open the dashboard's
// preview and see the flame graph of a recorded Pyroscope answer.
func TestBrowserLiveReload(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	profile, err := os.ReadFile("../preview/flame/testdata/render_cpu_full.json")
	if err != nil {
		t.Fatal(err)
	}
	var renders atomic.Int32
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pyroscope/render" || !strings.Contains(r.URL.Query().Get("query"), `service_name="burner"`) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":"invalid_argument","message":"unexpected request"}`))
			return
		}
		renders.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(profile)
	}))
	defer pyroscope.Close()
	f := newServeFixture(t, pyroscope.URL)

	eval := func(js string) string {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	// waitFor polls a predicate, across page reloads, for up to d.
	waitFor := func(what, js string, d time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			c, cancel := context.WithTimeout(ctx, time.Second)
			ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
			cancel()
			if err == nil && ok {
				return time.Since(start)
			}
			if time.Since(start) > d {
				t.Fatalf("%s: not within %s (last error: %v)", what, d, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	navigate := func(path string) {
		t.Helper()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(c, chromedp.Navigate(f.url+path)); err != nil {
			t.Fatal(err)
		}
		waitFor("live connection", `document.documentElement.dataset.pbLive === "connected"`, 5*time.Second)
	}

	navigate("/guide/a/")
	if !strings.Contains(eval(`document.querySelector("article").textContent`), "First version of A") {
		t.Fatal("page A not shown")
	}
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nEdited while open.\n")
	took := waitFor("the edit in the open page", `document.querySelector("article") && document.querySelector("article").textContent.includes("Edited while open")`, time.Second)
	t.Logf("edit shown in the browser %s after the save", took.Round(time.Millisecond))

	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	orig, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dash, strings.Replace(string(orig), "profileType: cpu", "profileType: cpuu", 1))
	waitFor("the error overlay", `!!document.getElementById("pyrobuild-overlay")`, 3*time.Second)
	overlay := eval(`document.getElementById("pyrobuild-overlay").textContent`)
	for _, want := range []string{"all.yaml:", "cpuu", "PB1201"} {
		if !strings.Contains(overlay, want) {
			t.Errorf("overlay lacks %q: %s", want, overlay)
		}
	}
	browsertest.Screenshot(t, ctx, "overlay")
	// A problem with a note: the note shows under it, with its own line.
	write(t, dash, strings.Replace(string(orig), "kind: Project\nmetadata:\n  name: demo\n", "kind: Project\nmetadata:\n  name: demo\n  name: demo2\n", 1))
	// The pages reload as the catalog changes: the note is read until it
	// shows whole, or the time is up.
	var note string
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, cancel := context.WithTimeout(ctx, time.Second)
		v, err := chromedp.Run(c, chromedp.Evaluate[string](`(() => { const n = document.querySelector("#pyrobuild-overlay .pyrobuild-note"); return n ? n.textContent : "" })()`))
		cancel()
		if err == nil {
			note = v
		}
		if strings.Contains(note, `key "name" is first defined here`) {
			break
		}
	}
	for _, want := range []string{"all.yaml:3:3", `key "name" is first defined here`, "3 |   name: demo"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q: %q", want, note)
		}
	}
	write(t, dash, string(orig))
	waitFor("the overlay to clear", `!document.getElementById("pyrobuild-overlay")`, 3*time.Second)

	navigate("/dashboards/demo/cpu/")
	waitFor("the flame graph", `(() => { const p = document.querySelector('.pb-panel[data-panel="api"]'); return p && p.dataset.state === "loaded" })()`, 10*time.Second)
	text := eval(`document.querySelector('.pb-panel[data-panel="api"] .pb-panel-body').textContent`)
	for _, fn := range []string{"runtime.main", "time.now"} {
		if !strings.Contains(text, fn) {
			t.Errorf("flame graph lacks %s", fn)
		}
	}
	if renders.Load() == 0 {
		t.Error("the preview never reached Pyroscope")
	}
	browsertest.Screenshot(t, ctx, "dashboard-preview")
}

// liveTab drives one browser tab on a serve fixture.
type liveTab struct {
	t   *testing.T
	ctx context.Context
	url string
}

func (b liveTab) eval(js string) string {
	b.t.Helper()
	c, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a predicate, across page reloads, for up to d.
func (b liveTab) waitFor(what, js string, d time.Duration) {
	b.t.Helper()
	start := time.Now()
	for {
		c, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Since(start) > d {
			b.t.Fatalf("%s: not within %s (last error: %v)", what, d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b liveTab) navigate(path string) {
	b.t.Helper()
	c, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.Navigate(b.url+path)); err != nil {
		b.t.Fatal(err)
	}
	b.waitFor("live connection", `document.documentElement.dataset.pbLive === "connected"`, 5*time.Second)
}

// TestBrowserServeTemplateErrors: break a template and see the overlay
// over the last page built; fix it and see the overlay go. Broken from the
// start, the server's error page shows the overlay, and fixing the
// template brings the page in without a reload by hand.
func TestBrowserServeTemplateErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	const article = `(() => { const a = document.querySelector("article"); return !!a && a.textContent.includes("First version of A") })()`
	const overlay = `!!document.getElementById("pyrobuild-overlay")`
	layout := func(root string) string { return filepath.Join(root, "templates", "layouts", "page.html") }

	f := newServeFixture(t, "http://127.0.0.1:1")
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/guide/a/")
	tab.waitFor("page A", article, 3*time.Second)
	tab.eval(`window.__sameDocument = "yes"; ""`)
	write(t, layout(f.root), "<main>{{ .Nope.Bad }}</main>\n")
	tab.waitFor("the overlay", overlay, 3*time.Second)
	text := tab.eval(`document.getElementById("pyrobuild-overlay").textContent`)
	for _, want := range []string{"page.html:1:", "can't evaluate field Nope", "PB2006", "The page below is the last one built", ".Nope.Bad"} {
		if !strings.Contains(text, want) {
			t.Errorf("overlay lacks %q: %s", want, text)
		}
	}
	browsertest.Screenshot(t, ctx, "template-error")
	if err := os.Remove(layout(f.root)); err != nil {
		t.Fatal(err)
	}
	tab.waitFor("the overlay to clear", "!"+overlay, 3*time.Second)
	tab.waitFor("page A", article, time.Second)
	if tab.eval(`String(window.__sameDocument)`) != "yes" {
		t.Error("the page reloaded although nothing in it changed")
	}

	g := newServeFixtureWith(t, "http://127.0.0.1:1", func(root string) { write(t, layout(root), "<main>{{ if }}</main>\n") })
	tab = liveTab{t, ctx, g.url}
	tab.navigate("/guide/a/")
	tab.waitFor("the overlay on the error page", overlay, 3*time.Second)
	text = tab.eval(`document.getElementById("pyrobuild-overlay").textContent`)
	for _, want := range []string{"page.html:1", "missing value for if", "No page could be built yet"} {
		if !strings.Contains(text, want) {
			t.Errorf("overlay lacks %q: %s", want, text)
		}
	}
	browsertest.Screenshot(t, ctx, "template-error-first-build")
	write(t, layout(g.root), "<main><article>{{ .Page.Content }}</article></main>\n")
	tab.waitFor("page A after the fix, without a reload by hand", article, 3*time.Second)
	tab.waitFor("no overlay", "!"+overlay, time.Second)
}

// TestBrowserServePreviewQueries: a FlameChart panel with two queries
// draws one flame graph per query, each labelled; showSeries draws the
// query's time series above it; an answer that is not a flame graph shows
// as invalid, not as a broken drawing.
func TestBrowserServePreviewQueries(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	profile, err := os.ReadFile("../preview/flame/testdata/render_cpu_full.json")
	if err != nil {
		t.Fatal(err)
	}
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Query().Get("query"), `service_name="burner"`) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(profile)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>a login page</html>"))
	}))
	defer pyroscope.Close()
	f := newServeFixtureWith(t, pyroscope.URL, func(root string) {
		p := filepath.Join(root, "dashboards", "all.yaml")
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		first := "                  query: '{service_name=\"burner\"}'\n"
		second := "          - kind: ProfileQuery\n            spec:\n              plugin:\n                kind: PyroscopeProfileQuery\n                spec:\n                  profileType: cpu\n                  query: '{service_name=\"other\"}'\n"
		text := strings.Replace(string(src), first, first+second, 1)
		text = strings.Replace(text, "          spec: {}\n", "          spec:\n            showSeries: true\n            traceHeight: 60\n", 1)
		write(t, p, text)
	})
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/dashboards/demo/cpu/")
	const panel = `document.querySelector('.pb-panel[data-panel="api"]')`
	tab.waitFor("both queries", `(() => { const p = `+panel+`; return !!p && !!p.dataset.state })()`, 10*time.Second)
	if got := tab.eval(panel + `.dataset.state`); got != "invalid" {
		t.Errorf("panel state %q, want invalid (its second query's answer is not a flame graph)", got)
	}
	labels := tab.eval(`Array.from(` + panel + `.querySelectorAll(".pb-query-label")).map(l => l.textContent).join("\n")`)
	if !strings.Contains(labels, `service_name="burner"`) || !strings.Contains(labels, `service_name="other"`) {
		t.Errorf("query labels:\n%s", labels)
	}
	states := tab.eval(`Array.from(` + panel + `.querySelectorAll(".pb-query")).map(q => q.dataset.state).join(",")`)
	if states != "loaded,invalid" {
		t.Errorf("query states %s, want loaded,invalid", states)
	}
	first := `document.querySelector('.pb-panel[data-panel="api"] .pb-query[data-index="0"]')`
	if !strings.Contains(tab.eval(first+`.textContent`), "runtime.main") {
		t.Error("the first query's flame graph is not drawn")
	}
	if got := tab.eval(first + `.querySelector(".pb-series svg") ? ` + first + `.querySelector(".pb-series svg").getAttribute("aria-label") + " " + ` + first + `.querySelector(".pb-series svg").getBoundingClientRect().height : "none"`); !strings.HasPrefix(got, "Time series: 10 points") || !strings.HasSuffix(got, " 60") {
		t.Errorf("showSeries: series %q, want 10 points, 60 px high", got)
	}
	second := `document.querySelector('.pb-panel[data-panel="api"] .pb-query[data-index="1"]')`
	if got := tab.eval(second + `.textContent`); !strings.Contains(got, "invalid answer from Pyroscope") {
		t.Errorf("second query shows %q", got)
	}
	browsertest.Screenshot(t, ctx, "preview-two-queries")
}
