package preview

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// TestBrowserPreviewKeepsState: change the range, zoom, search and scroll
// (the page's and a panel's), then edit the dashboard's source: after the
// rebuild the page shows the new source, without a reload, with the same
// range, zoom, search and scroll. The address carries them, so opening it
// afresh shows the same view.
func TestBrowserPreviewKeepsState(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	profile, err := os.ReadFile("flame/testdata/render_cpu_full.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var froms []string
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		froms = append(froms, r.URL.Query().Get("from"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(profile)
	}))
	defer pyroscope.Close()
	lastFrom := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(froms) == 0 {
			return ""
		}
		return froms[len(froms)-1]
	}
	f := newServeFixture(t, pyroscope.URL)
	tab := liveTab{t, ctx, f.url}
	const (
		panel  = `document.querySelector('.pb-panel[data-panel="api"]')`
		loaded = `(() => { const p = ` + panel + `; return !!p && p.dataset.state === "loaded" })()`
		// main.hotLoop fills the graph's width when it is the zoomed frame.
		zoomed = `(() => { const g = ` + panel + `.querySelector(".pf-graph"), e = [...g.querySelectorAll(".pf-frame")].find(e => e.dataset.name === "main.hotLoop");
			return !!e && Math.abs(e.getBoundingClientRect().width - g.clientWidth) < 2 && !` + panel + `.querySelector(".pf-reset").disabled })()`
	)
	tab.navigate("/dashboards/demo/cpu/")
	tab.waitFor("the flame graph", loaded, 10*time.Second)

	tab.eval(`(() => { const s = document.querySelector(".pb-range"); s.value = "15m"; s.dispatchEvent(new Event("change")); return "" })()`)
	tab.waitFor("the graph of the last 15m", loaded, 10*time.Second)
	tab.eval(`(() => { [...` + panel + `.querySelectorAll(".pf-frame")].find(e => e.dataset.name === "main.hotLoop").click(); return "" })()`)
	tab.waitFor("the zoom", zoomed, 2*time.Second)
	tab.eval(`(() => { const i = ` + panel + `.querySelector(".pf-search"); i.value = "sha256"; i.dispatchEvent(new Event("input")); return "" })()`)
	tab.eval(`window.scrollTo(0, 400); ""`)
	const body = panel + `.querySelector(".pb-panel-body")`
	if got := tab.eval(`(() => { const b = ` + body + `; b.scrollTop = 120; return String(b.scrollTop) })()`); got != "120" {
		t.Fatalf("the panel does not scroll (scrollTop %s): the test needs a panel shorter than its content", got)
	}
	addr := tab.eval(`location.search`)
	for _, want := range []string{"range=15m", "zoom.api.0=", "main.hotLoop", "search.api.0=sha256"} {
		if !strings.Contains(addr, want) {
			t.Errorf("the address %q lacks %q", addr, want)
		}
	}

	tab.eval(`window.__beforeRebuild = true; ""`)
	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	src, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dash, strings.Replace(string(src), "name: API", "name: API edited", 1))
	// The page is updated in place, not reloaded (see swap_browser_test.go);
	// the title's first node is its text (a link to Pyroscope may follow).
	tab.waitFor("the rebuilt page", `window.__beforeRebuild && `+panel+` && `+panel+`.querySelector(".pb-panel-title").firstChild.textContent === "API edited"`, 5*time.Second)
	tab.waitFor("the flame graph after the rebuild", loaded, 10*time.Second)
	check := func(when string) {
		t.Helper()
		if got := tab.eval(`document.querySelector(".pb-range").value`); got != "15m" {
			t.Errorf("%s: range %q, want 15m", when, got)
		}
		if got := lastFrom(); got != "now-15m" {
			t.Errorf("%s: the preview asked from=%q, want now-15m", when, got)
		}
		if got := tab.eval(panel + `.querySelector(".pf-search").value`); got != "sha256" {
			t.Errorf("%s: search %q, want sha256", when, got)
		}
		if got := tab.eval(panel + `.querySelector(".pf-match").textContent`); !strings.Contains(got, "frames") {
			t.Errorf("%s: search result %q", when, got)
		}
		tab.waitFor(when+": the zoom on main.hotLoop", zoomed, 2*time.Second)
	}
	check("after the rebuild")
	tab.waitFor("the scroll position after the rebuild", `Math.abs(window.scrollY - 400) < 2`, 2*time.Second)
	if got := tab.eval(`String(` + body + `.scrollTop)`); got != "120" {
		t.Errorf("the panel's own scroll after the rebuild is %s, want 120", got)
	}
	browsertest.Screenshot(t, ctx, "preview-state-kept")

	tab.navigate("/")
	tab.navigate("/dashboards/demo/cpu/" + addr)
	tab.waitFor("the flame graph from the address", loaded, 10*time.Second)
	check("opened from the address")
}
