package preview

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// twoPanels adds to the fixture's dashboard a second FlameChart panel, db,
// under api, querying service db.
func twoPanels(t *testing.T) func(root string) {
	return func(root string) {
		p := filepath.Join(root, "dashboards", "all.yaml")
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		panel := "    db:\n      kind: Panel\n      spec:\n        display:\n          name: DB\n        plugin:\n          kind: FlameChart\n          spec: {}\n" +
			"        queries:\n          - kind: ProfileQuery\n            spec:\n              plugin:\n                kind: PyroscopeProfileQuery\n                spec:\n" +
			"                  profileType: cpu\n                  query: '{service_name=\"db\"}'\n"
		item := "          - x: 0\n            y: 14\n            width: 24\n            height: 14\n            content:\n              $ref: '#/spec/panels/db'\n"
		text := strings.Replace(string(src), "  layouts:\n", panel+"  layouts:\n", 1)
		text += item
		write(t, p, text)
	}
}

// renderCounter is a recorded Pyroscope that counts the render requests
// of each service.
type renderCounter struct {
	mu  sync.Mutex
	per map[string]int
}

var serviceName = regexp.MustCompile(`service_name="([^"]*)"`)

func newRenderCounter(t *testing.T) (*renderCounter, *httptest.Server) {
	profile, err := os.ReadFile("flame/testdata/render_cpu_full.json")
	if err != nil {
		t.Fatal(err)
	}
	c := &renderCounter{per: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pyroscope/render" {
			svc := ""
			if m := serviceName.FindStringSubmatch(r.URL.Query().Get("query")); m != nil {
				svc = m[1]
			}
			c.mu.Lock()
			c.per[svc]++
			c.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(profile)
	}))
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *renderCounter) count(svc string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.per[svc]
}

// TestBrowserSwapDashboard: zoom and search in panel api, zoom in panel
// db, scroll the page and api's body, then edit db's query. The page is
// not reloaded: api is the same DOM node with its zoom, search and scroll
// and is not asked again; db is replaced, asks Pyroscope its new query
// and gets its zoom back from the address.
func TestBrowserSwapDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	renders, pyroscope := newRenderCounter(t)
	f := newServeFixtureWith(t, pyroscope.URL, twoPanels(t))
	tab := liveTab{t, ctx, f.url}
	const (
		api = `document.querySelector('.pb-panel[data-panel="api"]')`
		db  = `document.querySelector('.pb-panel[data-panel="db"]')`
	)
	loaded := func(panel string) string {
		return `(() => { const p = ` + panel + `; return !!p && p.dataset.state === "loaded" })()`
	}
	zoomed := func(panel string) string {
		return `(() => { const g = ` + panel + `.querySelector(".pf-graph"), e = [...g.querySelectorAll(".pf-frame")].find(e => e.dataset.name === "main.hotLoop");
			return !!e && Math.abs(e.getBoundingClientRect().width - g.clientWidth) < 2 && !` + panel + `.querySelector(".pf-reset").disabled })()`
	}
	zoom := func(panel string) {
		tab.eval(`(() => { [...` + panel + `.querySelectorAll(".pf-frame")].find(e => e.dataset.name === "main.hotLoop").click(); return "" })()`)
		tab.waitFor("the zoom", zoomed(panel), 2*time.Second)
	}

	tab.navigate("/dashboards/demo/cpu/")
	tab.waitFor("panel api", loaded(api), 10*time.Second)
	tab.waitFor("panel db", loaded(db), 10*time.Second)
	zoom(api)
	zoom(db)
	tab.eval(`(() => { const i = ` + api + `.querySelector(".pf-search"); i.value = "sha256"; i.dispatchEvent(new Event("input")); return "" })()`)
	tab.eval(`window.scrollTo(0, 400); ""`)
	if got := tab.eval(`(() => { const b = ` + api + `.querySelector(".pb-panel-body"); b.scrollTop = 120; return String(b.scrollTop) })()`); got != "120" {
		t.Fatalf("panel api does not scroll (scrollTop %s)", got)
	}
	tab.eval(`window.__marker = "before"; window.__api = ` + api + `; window.__db = ` + db + `; ""`)
	apiBefore, dbBefore := renders.count("burner"), renders.count("db")
	if apiBefore == 0 || dbBefore == 0 {
		t.Fatalf("renders before the edit: api %d, db %d", apiBefore, dbBefore)
	}

	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	src, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), `query: '{service_name="db"}'`, `query: '{service_name="db2"}'`, 1)
	if edited == string(src) {
		t.Fatal("the fixture lacks db's query")
	}
	start := time.Now()
	write(t, dash, edited)
	tab.waitFor("db replaced", `(() => { const p = `+db+`; return !!p && p !== window.__db && p.dataset.queries.includes("db2") })()`, 5*time.Second)
	shown := time.Since(start)
	tab.waitFor("db loaded again", loaded(db), 10*time.Second)
	t.Logf("edit shown %s after the save, db drawn again %s after it; live.js: %s", shown.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond), tab.eval(`String(JSON.stringify(window.__pyrobuildLive.lastSwap))`))

	if got := tab.eval(`String(window.__marker)`); got != "before" {
		t.Fatalf("the page was reloaded (marker %q)", got)
	}
	if tab.eval(`String(`+api+` === window.__api)`) != "true" {
		t.Error("panel api is a new DOM node: it was replaced although it did not change")
	}
	if got := tab.eval(api + `.querySelector(".pf-search").value`); got != "sha256" {
		t.Errorf("api's search is %q, want sha256", got)
	}
	tab.waitFor("api's zoom kept", zoomed(api), time.Second)
	tab.waitFor("db's zoom back from the address", zoomed(db), 2*time.Second)
	if got := tab.eval(`String(` + api + `.querySelector(".pb-panel-body").scrollTop)`); got != "120" {
		t.Errorf("api's scroll is %s, want 120", got)
	}
	if got := tab.eval(`String(Math.round(window.scrollY))`); got != "400" {
		t.Errorf("the page's scroll is %s, want 400", got)
	}
	if got := renders.count("burner"); got != apiBefore {
		t.Errorf("api asked Pyroscope again: %d renders, %d before the edit", got, apiBefore)
	}
	if got := renders.count("db2"); got != 1 {
		t.Errorf("db asked for its new query %d times, want 1", got)
	}
	if got := tab.eval(`window.__pyrobuildLive.lastSwap.remounted.join(",")`); got != "db" {
		t.Errorf("panels mounted afresh: %q, want db", got)
	}
	browsertest.Screenshot(t, ctx, "preview-swapped-panel")

	// A title and a place are changed in place: nothing is asked again.
	const place = "width: 24\n            height: 14\n            content:\n              $ref: '#/spec/panels/api'"
	if !strings.Contains(edited, place) {
		t.Fatal("the fixture lacks api's place")
	}
	link := `String(!!` + api + `.querySelector(".pb-panel-title .pb-open"))`
	hadLink := tab.eval(link)
	moved := strings.Replace(strings.Replace(edited, "name: API", "name: API renamed", 1), place, strings.Replace(place, "width: 24", "width: 12", 1), 1)
	write(t, dash, moved)
	tab.waitFor("api's new title", api+`.querySelector(".pb-panel-title").firstChild.textContent === "API renamed"`, 5*time.Second)
	if got := tab.eval(api + `.style.gridColumn`); got != "1 / span 12" {
		t.Errorf("api's grid column is %q, want 1 / span 12", got)
	}
	if tab.eval(`String(`+api+` === window.__api && window.__marker === "before")`) != "true" {
		t.Error("a new title and place replaced the panel or reloaded the page")
	}
	t.Logf("api's title has a link to Pyroscope: %s", hadLink)
	if got := tab.eval(link); got != hadLink {
		t.Errorf("a link to Pyroscope in api's title: %s before the new title, %s after", hadLink, got)
	}
	if got := renders.count("burner"); got != apiBefore {
		t.Errorf("a new title and place made api ask again: %d renders, %d before", got, apiBefore)
	}
	write(t, dash, strings.Replace(moved, "width: 12", "width: 24", 1))
	tab.waitFor("api's place back", api+`.style.gridColumn === "1 / span 24"`, 5*time.Second)

	// A broken query of db shows the overlay over the page, and fixing it
	// clears the overlay; the page and the unchanged panel api stay.
	renamed := strings.Replace(edited, "name: API", "name: API renamed", 1)
	broken := strings.Replace(renamed, "profileType: cpu\n                  query: '{service_name=\"db2\"}'", "profileType: cpuu\n                  query: '{service_name=\"db2\"}'", 1)
	if broken == renamed {
		t.Fatal("the fixture lacks db's profile type")
	}
	write(t, dash, broken)
	tab.waitFor("the error overlay", `!!document.getElementById("pyrobuild-overlay")`, 5*time.Second)
	if got := tab.eval(`document.getElementById("pyrobuild-overlay").textContent`); !strings.Contains(got, "cpuu") {
		t.Errorf("the overlay does not name the bad value: %s", got)
	}
	write(t, dash, renamed)
	tab.waitFor("the overlay to clear", `!document.getElementById("pyrobuild-overlay")`, 5*time.Second)
	tab.waitFor("api's title after the fix", api+`.querySelector(".pb-panel-title").firstChild.textContent === "API renamed"`, 5*time.Second)
	if tab.eval(`String(`+api+` === window.__api && window.__marker === "before")`) != "true" {
		t.Error("an error and its fix replaced api or reloaded the page")
	}

	// A panel removed goes; the other stays.
	text := renamed
	text = text[:strings.LastIndex(text, "          - x: 0\n            y: 14")]
	text = text[:strings.Index(text, "    db:\n")] + text[strings.Index(text, "  layouts:\n"):]
	write(t, dash, text)
	tab.waitFor("db gone", `!`+db, 5*time.Second)
	if tab.eval(`String(`+api+` === window.__api && window.__marker === "before")`) != "true" {
		t.Error("removing db replaced api or reloaded the page")
	}
}

// TestBrowserSwapDocPage: an edit of an open page replaces what changed in
// its article and its table of contents, with no reload; what did not
// change stays the same DOM node and the scroll position stays.
func TestBrowserSwapDocPage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	page := func(extra string) string {
		var b strings.Builder
		b.WriteString("---\ntitle: Page A\n---\n\n# Page A\n\nFirst version of A.\n\n## One\n\n")
		for i := 0; i < 40; i++ {
			b.WriteString("A paragraph long enough to make the page scroll well past the window's height.\n\n")
		}
		b.WriteString("## Two\n\nThe end" + extra + ".\n")
		return b.String()
	}
	f := newServeFixtureWith(t, "http://127.0.0.1:1", func(root string) {
		write(t, filepath.Join(root, "content", "guide", "a.md"), page(""))
	})
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/guide/a/")
	tab.eval(`window.scrollTo(0, 500); window.__marker = "before"; window.__h1 = document.querySelector("article h1");
		window.__toc = document.querySelector(".toc a"); ""`)

	start := time.Now()
	// The new section is followed by enough text to be scrolled to the top.
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), page(", edited\n\n## Three\n\nA new section.\n\n"+
		strings.Repeat("More text under the new section, to scroll past.\n\n", 40)+"The last line"))
	tab.waitFor("the edit", `document.querySelector("article").textContent.includes("The end, edited")`, 5*time.Second)
	t.Logf("doc edit shown %s after the save; live.js: %s", time.Since(start).Round(time.Millisecond),
		tab.eval(`String(JSON.stringify(window.__pyrobuildLive.lastSwap))`))
	if got := tab.eval(`String(window.__marker)`); got != "before" {
		t.Fatalf("the page was reloaded (marker %q)", got)
	}
	if tab.eval(`String(document.querySelector("article h1") === window.__h1)`) != "true" {
		t.Error("the unchanged heading was replaced")
	}
	if got := tab.eval(`String(Math.round(window.scrollY))`); got != "500" {
		t.Errorf("scroll is %s, want 500", got)
	}
	if got := tab.eval(`Array.from(document.querySelectorAll(".toc a")).map(a => a.textContent).join(",")`); got != "One,Two,Three" {
		t.Errorf("table of contents %q, want One,Two,Three", got)
	}
	if tab.eval(`String(document.querySelector(".toc a") === window.__toc)`) != "true" {
		t.Error("the unchanged entry of the table of contents was replaced")
	}
	// The section added by the edit is marked when it is read.
	tab.eval(`document.getElementById("three").scrollIntoView(); ""`)
	tab.waitFor("the new section marked in the table of contents",
		`(document.querySelector(".toc a.active") || {}).textContent === "Three"`, 5*time.Second)
	tab.eval(`window.scrollTo(0, 500); ""`)

	// Edit → updated DOM, a few times over (a measurement, not a limit).
	var took []time.Duration
	for i := range 5 {
		start := time.Now()
		want := fmt.Sprintf("Edit number %d", i)
		write(t, filepath.Join(f.root, "content", "guide", "a.md"), page(", edited\n\n"+want))
		tab.waitFor("edit "+want, `document.querySelector("article").textContent.includes("`+want+`")`, 5*time.Second)
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	t.Logf("edit → updated page, 5 edits: min %s, median %s, max %s (swaps %s, reloads none: marker %s)", took[0].Round(time.Millisecond),
		took[2].Round(time.Millisecond), took[4].Round(time.Millisecond), tab.eval(`String(window.__pyrobuildLive.swaps)`), tab.eval(`String(window.__marker)`))
}

// TestBrowserSwapUnknownLayout: a page laid out by a template of the
// site's own, without pyrobuild's regions, is reloaded, not swapped.
func TestBrowserSwapUnknownLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	f := newServeFixtureWith(t, "http://127.0.0.1:1", func(root string) {
		write(t, filepath.Join(root, "templates", "layouts", "page.html"), "<!doctype html><html><body><main><article>{{ .Page.Content }}</article></main></body></html>\n")
	})
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/guide/a/")
	tab.eval(`window.__marker = "before"; ""`)
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nSecond version of A.\n")
	tab.waitFor("the edit, reloaded", `window.__marker === undefined && document.querySelector("article").textContent.includes("Second version of A")`, 5*time.Second)
}

// TestBrowserSwapScriptReloads: a changed script cannot be swapped in: the
// page reloads, at the same scroll position.
func TestBrowserSwapScriptReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	script, err := os.ReadFile("../../templates/assets/js/site.js")
	if err != nil {
		t.Fatal(err)
	}
	f := newServeFixture(t, "http://127.0.0.1:1")
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/guide/a/")
	tab.eval(`window.__marker = "before"; ""`)
	write(t, filepath.Join(f.root, "templates", "assets", "js", "site.js"), string(script)+"\n// edited\n")
	tab.waitFor("the reload", `window.__marker === undefined && document.documentElement.dataset.pbLive === "connected"`, 5*time.Second)
	if !strings.Contains(tab.eval(`document.querySelector("article").textContent`), "First version of A") {
		t.Error("page A not shown after the reload")
	}
}
