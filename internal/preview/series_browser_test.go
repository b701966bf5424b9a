package preview

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// renderLog is a recorded-answer Pyroscope that keeps the from and until
// of every /pyroscope/render request.
type renderLog struct {
	mu   sync.Mutex
	reqs [][2]string
}

func (l *renderLog) last() [2]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == 0 {
		return [2]string{}
	}
	return l.reqs[len(l.reqs)-1]
}

func (l *renderLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.reqs)
}

// seriesBox is a rectangle of the page, in CSS pixels of the viewport.
type seriesBox struct{ X, Y, W, H float64 }

// TestBrowserSeriesBrushAndRanges drives the time series of a panel with
// showSeries over a real Pyroscope v1.21.1 answer (one hour, 240 points):
// its axes have ticks and labels that do not overlap; the pointer reads a
// point out; dragging across it sets an absolute range that the address
// carries and every panel asks for; a double-click goes back; the keyboard
// selects too; the from/to picker sets a range, refuses a reversed one, and
// the range survives a reload and a rebuild. The "Open in Pyroscope" link
// carries the query and the range to the server's own UI.
func TestBrowserSeriesBrushAndRanges(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	profile, err := os.ReadFile("testdata/render_pyroscope_cpu_1h.json")
	if err != nil {
		t.Fatal(err)
	}
	log := &renderLog{}
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pyroscope/render" {
			log.mu.Lock()
			log.reqs = append(log.reqs, [2]string{r.URL.Query().Get("from"), r.URL.Query().Get("until")})
			log.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(profile)
	}))
	defer pyroscope.Close()
	f := newServeFixtureWith(t, pyroscope.URL, func(root string) {
		p := filepath.Join(root, "dashboards", "all.yaml")
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p, strings.Replace(string(src), "kind: FlameChart\n          spec: {}", "kind: FlameChart\n          spec: {showSeries: true}", 1))
	})
	tab := liveTab{t, ctx, f.url}
	const (
		panel  = `document.querySelector('.pb-panel[data-panel="api"]')`
		loaded = `(() => { const p = ` + panel + `; return !!p && p.dataset.state === "loaded" && !!p.querySelector(".pb-series-chart .pb-axis-x") })()`
		chart  = panel + `.querySelector(".pb-series-chart")`
	)
	tab.navigate("/dashboards/demo/cpu/")
	tab.waitFor("the time series", loaded, 10*time.Second)

	// The axes: time labels at round local minutes, value labels in the
	// profile's unit (CPU time), none overlapping another.
	var axes struct {
		X, Y   []string
		XBoxes []seriesBox
		YBoxes []seriesBox
		Label  string
	}
	evalJSON(t, tab, `(() => {
		const c = `+chart+`, box = e => { const r = e.getBoundingClientRect(); return {X: r.x, Y: r.y, W: r.width, H: r.height} };
		const xs = [...c.querySelectorAll(".pb-axis-x text")], ys = [...c.querySelectorAll(".pb-axis-y text")];
		return JSON.stringify({X: xs.map(e => e.textContent), Y: ys.map(e => e.textContent), XBoxes: xs.map(box), YBoxes: ys.map(box), Label: c.getAttribute("aria-label")});
	})()`, &axes)
	if len(axes.X) < 4 || len(axes.Y) < 2 {
		t.Fatalf("axis labels: time %q, value %q; want at least 4 and 2", axes.X, axes.Y)
	}
	for _, l := range axes.X {
		if !timeLabel(l) {
			t.Errorf("time label %q is not HH:MM", l)
		}
	}
	if !strings.HasSuffix(axes.Y[len(axes.Y)-1], " s") && !strings.HasSuffix(axes.Y[len(axes.Y)-1], " ms") && !strings.HasSuffix(axes.Y[len(axes.Y)-1], " min") {
		t.Errorf("the top value label %q is not a duration", axes.Y[len(axes.Y)-1])
	}
	for i := 1; i < len(axes.XBoxes); i++ {
		a, b := axes.XBoxes[i-1], axes.XBoxes[i]
		if a.X+a.W+2 > b.X {
			t.Errorf("time labels %q and %q overlap: %+v %+v", axes.X[i-1], axes.X[i], a, b)
		}
	}
	for i := 1; i < len(axes.YBoxes); i++ {
		a, b := axes.YBoxes[i-1], axes.YBoxes[i] // bottom to top
		if b.Y+b.H > a.Y {
			t.Errorf("value labels %q and %q overlap: %+v %+v", axes.Y[i-1], axes.Y[i], a, b)
		}
	}
	for _, want := range []string{"Time series: 240 points every 15 s", "peak "} {
		if !strings.Contains(axes.Label, want) {
			t.Errorf("the chart's aria-label %q lacks %q", axes.Label, want)
		}
	}

	// The link to Pyroscope's own UI: the query and the relative range.
	link := tab.eval(`(() => { const a = ` + panel + `.querySelector(".pb-panel-title .pb-open"); return a ? a.href : "" })()`)
	checkOpenLink(t, link, pyroscope.URL, "now-1h", "now")

	// The pointer reads a point out.
	var hit seriesBox
	evalJSON(t, tab, `(() => { `+chart+`.scrollIntoView({block: "center"}); const r = `+chart+`.querySelector(".pb-series-hit").getBoundingClientRect(); return JSON.stringify({X: r.x, Y: r.y, W: r.width, H: r.height}) })()`, &hit)
	mouse(t, tab, chromedp.MouseMoved, hit.X+hit.W/2, hit.Y+hit.H/2, false)
	if got := tab.eval(panel + `.querySelector(".pb-series-readout").textContent`); !regexpReadout(got) {
		t.Errorf("readout %q, want a time and a duration", got)
	}

	// Brushing from a quarter to three quarters of the chart.
	before := log.count()
	mouse(t, tab, chromedp.MouseMoved, hit.X+hit.W/4, hit.Y+hit.H/2, false)
	mouse(t, tab, chromedp.MousePressed, hit.X+hit.W/4, hit.Y+hit.H/2, false)
	mouse(t, tab, chromedp.MouseMoved, hit.X+hit.W/2, hit.Y+hit.H/2, true)
	mouse(t, tab, chromedp.MouseMoved, hit.X+3*hit.W/4, hit.Y+hit.H/2, true)
	mouse(t, tab, chromedp.MouseReleased, hit.X+3*hit.W/4, hit.Y+hit.H/2, false)
	tab.waitFor("the query over the brushed range", `new URLSearchParams(location.search).has("from")`, 2*time.Second)
	tab.waitFor("the panel over the brushed range", loaded, 10*time.Second)
	from, until := addressRange(t, tab)
	// The chart spans the recorded hour (startTime 1796597385, 239 steps of 15 s).
	const t0, span = 1796597385000, 239 * 15000
	if d := from - (t0 + span/4); d < -30000 || d > 30000 {
		t.Errorf("brushed from %d, want about %d", from, t0+span/4)
	}
	if d := until - (t0 + 3*span/4); d < -30000 || d > 30000 {
		t.Errorf("brushed until %d, want about %d", until, t0+3*span/4)
	}
	if log.count() <= before {
		t.Fatal("the brush asked Pyroscope for nothing")
	}
	if got, want := log.last(), [2]string{strconv.FormatInt(from, 10), strconv.FormatInt(until, 10)}; got != want {
		t.Errorf("after the brush the preview asked from/until %q, want %q", got, want)
	}
	if got := tab.eval(`document.querySelector(".pb-range").selectedOptions[0].textContent`); got != "custom range" {
		t.Errorf("the range list shows %q, want custom range", got)
	}
	if tab.eval(`String(document.querySelector(".pb-back").disabled)`) != "false" {
		t.Error("Back is disabled after a brush")
	}
	link = tab.eval(`(() => { const a = ` + panel + `.querySelector(".pb-panel-title .pb-open"); return a ? a.href : "" })()`)
	checkOpenLink(t, link, pyroscope.URL, strconv.FormatInt(from, 10), strconv.FormatInt(until, 10))

	// A double-click goes back to the last hour.
	evalJSON(t, tab, `(() => { `+chart+`.scrollIntoView({block: "center"}); const r = `+chart+`.querySelector(".pb-series-hit").getBoundingClientRect(); return JSON.stringify({X: r.x, Y: r.y, W: r.width, H: r.height}) })()`, &hit)
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(hit.X+hit.W/2, hit.Y+hit.H/2, chromedp.ClickCount(2))); err != nil {
		t.Fatal(err)
	}
	tab.waitFor("back to the last hour", `!new URLSearchParams(location.search).has("from")`, 2*time.Second)
	tab.waitFor("the panel over the last hour", loaded, 10*time.Second)
	if got := log.last(); got != [2]string{"now-1h", "now"} {
		t.Errorf("after going back the preview asked %q, want now-1h and now", got)
	}

	// The keyboard: focus the chart, select the last ten points with
	// Shift+ArrowLeft, apply with Enter.
	tab.eval(chart + `.focus(); ""`)
	for range 10 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft, chromedp.KeyModifiers(kb.ModifierShift))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	tab.waitFor("the range selected with the keyboard", `new URLSearchParams(location.search).has("from")`, 2*time.Second)
	from, until = addressRange(t, tab)
	if want := int64(t0 + span); until != want || from != want-10*15000 {
		t.Errorf("keyboard selection %d..%d, want %d..%d", from, until, want-10*15000, want)
	}
	tab.waitFor("the panel over the keyboard's range", loaded, 10*time.Second)
	tab.eval(`document.querySelector(".pb-back").click(); ""`)
	tab.waitFor("Back", `!new URLSearchParams(location.search).has("from")`, 2*time.Second)
	tab.waitFor("the panel after Back", loaded, 10*time.Second)

	// The picker: a reversed range is refused, a good one applied.
	before = log.count()
	tab.eval(`(() => { const f = document.querySelector(".pb-from"), u = document.querySelector(".pb-until");
		f.value = "2026-12-01T10:30:00"; u.value = "2026-12-01T10:00:00"; document.querySelector(".pb-apply").click(); return "" })()`)
	if got := tab.eval(`document.querySelector(".pb-range-error").textContent`); !strings.Contains(got, "before") {
		t.Errorf("a reversed range says %q", got)
	}
	if tab.eval(`location.search`) != "" || log.count() != before {
		t.Errorf("a reversed range was applied: address %q", tab.eval(`location.search`))
	}
	tab.eval(`(() => { const f = document.querySelector(".pb-from"), u = document.querySelector(".pb-until");
		f.value = "2026-12-01T10:00:00"; u.value = "2026-12-01T10:30:00"; document.querySelector(".pb-apply").click(); return "" })()`)
	tab.waitFor("the picked range", `new URLSearchParams(location.search).has("from")`, 2*time.Second)
	tab.waitFor("the panel over the picked range", loaded, 10*time.Second)
	wantFrom := tab.eval(`String(new Date("2026-12-01T10:00:00").getTime())`)
	wantUntil := tab.eval(`String(new Date("2026-12-01T10:30:00").getTime())`)
	checkPicked := func(when string) {
		t.Helper()
		from, until := addressRange(t, tab)
		if strconv.FormatInt(from, 10) != wantFrom || strconv.FormatInt(until, 10) != wantUntil {
			t.Errorf("%s: address range %d..%d, want %s..%s", when, from, until, wantFrom, wantUntil)
		}
		if got := log.last(); got != [2]string{wantFrom, wantUntil} {
			t.Errorf("%s: the preview asked %q, want %s..%s", when, got, wantFrom, wantUntil)
		}
		// The browser may write 10:00 for 10:00:00: the times are compared.
		if got := tab.eval(`[".pb-from", ".pb-until"].map(s => new Date(document.querySelector(s).value).getTime()).join(" ")`); got != wantFrom+" "+wantUntil {
			t.Errorf("%s: the picker shows %q, want %s %s", when, got, wantFrom, wantUntil)
		}
	}
	checkPicked("applied")
	browsertest.Screenshot(t, ctx, "preview-series-absolute")

	// A reload, then a rebuild, keep it.
	addr := tab.eval(`location.search`)
	tab.navigate("/")
	tab.navigate("/dashboards/demo/cpu/" + addr)
	tab.waitFor("the panel from the address", loaded, 10*time.Second)
	checkPicked("reloaded")
	tab.eval(`window.__beforeRebuild = true; ""`)
	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	src, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dash, strings.Replace(string(src), "name: API", "name: API edited", 1))
	// The page is updated in place, not reloaded (see swap_browser_test.go).
	tab.waitFor("the rebuilt page", `window.__beforeRebuild && `+panel+` && `+panel+`.querySelector(".pb-panel-title").textContent.startsWith("API edited")`, 5*time.Second)
	tab.waitFor("the panel after the rebuild", loaded, 10*time.Second)
	checkPicked("rebuilt")
}

// checkOpenLink checks a panel's "Open in Pyroscope" link: the server's
// UI, the panel's query, the range.
func checkOpenLink(t *testing.T, link, server, from, until string) {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Errorf("open link %q: %v", link, err)
		return
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != server+"/" {
		t.Errorf("open link %q goes to %q, want %s/", link, got, server)
	}
	q := u.Query()
	if got := q.Get("query"); got != `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="burner"}` {
		t.Errorf("open link's query %q", got)
	}
	if q.Get("from") != from || q.Get("until") != until {
		t.Errorf("open link's range %q..%q, want %s..%s", q.Get("from"), q.Get("until"), from, until)
	}
}

// addressRange reads the absolute range of the page's address.
func addressRange(t *testing.T, tab liveTab) (from, until int64) {
	t.Helper()
	q, err := url.ParseQuery(strings.TrimPrefix(tab.eval(`location.search`), "?"))
	if err != nil {
		t.Fatal(err)
	}
	from, err1 := strconv.ParseInt(q.Get("from"), 10, 64)
	until, err2 := strconv.ParseInt(q.Get("until"), 10, 64)
	if err1 != nil || err2 != nil || from >= until {
		t.Fatalf("the address %q holds no absolute range", q.Encode())
	}
	return from, until
}

func evalJSON(t *testing.T, tab liveTab, js string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(tab.eval(js)), v); err != nil {
		t.Fatal(err)
	}
}

// mouse sends one real mouse event: pressed and released with the left
// button, moved with it held when drag is set.
func mouse(t *testing.T, tab liveTab, typ input.DispatchMouseEventType, x, y float64, drag bool) {
	t.Helper()
	opts := []chromedp.MouseOption{}
	if typ != chromedp.MouseMoved {
		opts = append(opts, chromedp.ButtonLeft, chromedp.ClickCount(1))
	} else if drag {
		opts = append(opts, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 })
	}
	if err := chromedp.Do(tab.ctx, chromedp.MouseEvent(typ, x, y, opts...)); err != nil {
		t.Fatal(err)
	}
}

// timeLabel reports whether s reads HH:MM, or a day such as Dec 7.
func timeLabel(s string) bool {
	if len(s) == 5 && s[2] == ':' {
		_, e1 := strconv.Atoi(s[:2])
		_, e2 := strconv.Atoi(s[3:])
		return e1 == nil && e2 == nil
	}
	return len(s) >= 5 && strings.Contains(s, " ")
}

// regexpReadout reports whether a readout holds a time and a duration.
func regexpReadout(s string) bool {
	i := strings.LastIndex(s, ": ")
	return i > 0 && strings.Contains(s[:i], ":") && (strings.HasSuffix(s, " s") || strings.HasSuffix(s, " ms") || strings.HasSuffix(s, " min") || strings.HasSuffix(s, "0 s") || s[i+2:] == "0 s")
}
