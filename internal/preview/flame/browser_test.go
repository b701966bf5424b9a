package flame

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// assets is where the renderer lives: the test loads the real files.
const assets = "../../../templates/assets"

// harness serves testdata/harness.html, the fixtures, and the real
// flamegraph.js and flamegraph.css.
func harness(t *testing.T) *httptest.Server {
	t.Helper()
	for _, f := range []string{"js/flamegraph.js", "css/flamegraph.css"} {
		if _, err := os.Stat(filepath.Join(assets, f)); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/assets/", http.StripPrefix("/assets/", http.FileServer(http.Dir(assets))))
	mux.Handle("/testdata/", http.StripPrefix("/testdata/", http.FileServer(http.Dir("testdata"))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, "testdata/harness.html")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// open loads the harness with a fixture and waits for the renderer.
func open(t *testing.T, ctx context.Context, srv *httptest.Server, query string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(srv.URL+"/?"+query)); err != nil {
		t.Fatal(err)
	}
	state, err := chromedp.Run(tctx, chromedp.Poll[string](`document.body.dataset.ready`))
	if err != nil || state != "1" {
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.error || ""`))
		t.Fatalf("harness did not render %s: %v %s", query, err, msg)
	}
}

// eval runs a JavaScript expression and decodes its value.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// wait polls a JavaScript predicate.
func wait(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](js)); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

type rect struct{ X, Y, W, H float64 }

// frameRect is where the first drawn frame named name is on the page.
func frameRect(t *testing.T, ctx context.Context, name string) rect {
	t.Helper()
	return eval[rect](t, ctx, fmt.Sprintf(`(() => {
		const e = [...document.querySelectorAll(".pf-frame")].find(e => e.dataset.name === %q);
		if (!e) return {X: -1, Y: -1, W: -1, H: -1};
		const r = e.getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height};
	})()`, name))
}

func graphWidth(t *testing.T, ctx context.Context) float64 {
	return eval[float64](t, ctx, `document.querySelector(".pf-graph").clientWidth`)
}

// TestBrowserFlameGraph draws the recorded CPU profile in Chromium and uses
// it as a person would: reads the frames, hovers, clicks, searches, sorts
// the table and drives it from the keyboard.
func TestBrowserFlameGraph(t *testing.T) {
	ctx := browsertest.New(t)
	srv := harness(t)
	p := decodeFile(t, "render_cpu_full.json")
	open(t, ctx, srv, "fixture=render_cpu_full.json")
	browsertest.Screenshot(t, ctx, "cpu_full")

	// The renderer and the Go decoder agree on the frames.
	if n := eval[int](t, ctx, `PyroFlame.parse(window.data).frames.length`); n != p.NumFrames() {
		t.Errorf("the renderer parsed %d frames, the decoder %d", n, p.NumFrames())
	}
	drawn := eval[[]string](t, ctx, `[...document.querySelectorAll(".pf-frame")].map(e => e.dataset.name)`)
	for _, name := range []string{"total", "runtime.main", "main.hotLoop", "crypto/sha256.Sum256", "runtime.gcBgMarkWorker"} {
		if !containsString(drawn, name) {
			t.Errorf("no frame named %q among %d drawn", name, len(drawn))
		}
	}
	if label := eval[string](t, ctx, `[...document.querySelectorAll(".pf-frame")].find(e => e.dataset.name === "runtime.main").textContent`); label != "runtime.main" {
		t.Errorf("runtime.main's label is %q", label)
	}
	// Labels that do not fit are cut from the left, keeping the function's
	// end, and fit their frames: no label is cut by the frame's ellipsis.
	labels := eval[struct{ Cut, Whole, Wrong, Overflow []string }](t, ctx, `(() => {
		const r = {Cut: [], Whole: [], Wrong: [], Overflow: []};
		for (const e of document.querySelectorAll(".pf-frame")) {
			const l = e.querySelector(".pf-label");
			if (!l) continue;
			const name = e.dataset.name, text = l.textContent;
			if (text === name) r.Whole.push(name);
			else if (text.startsWith("…") && name.endsWith(text.slice(1))) r.Cut.push(text);
			else r.Wrong.push(name + " -> " + text);
			if (e.scrollWidth > e.clientWidth + 1) r.Overflow.push(name + " -> " + text);
		}
		return r;
	})()`)
	t.Logf("%d labels whole, %d cut from the left, e.g. %q", len(labels.Whole), len(labels.Cut), labels.Cut)
	if len(labels.Cut) == 0 || len(labels.Wrong) > 0 || len(labels.Overflow) > 0 {
		t.Errorf("labels: %d cut from the left, not the name's end: %q, overflowing: %q", len(labels.Cut), labels.Wrong, labels.Overflow)
	}
	width := graphWidth(t, ctx)
	if r := frameRect(t, ctx, "total"); math.Abs(r.W-width) > 2 {
		t.Errorf("root is %.1fpx wide in a %.1fpx graph", r.W, width)
	}
	// main.hotLoop is 19.68 s of 33.91 s.
	hot := frameRect(t, ctx, "main.hotLoop")
	if want := width * 19680 / 33910; math.Abs(hot.W-want) > 2 {
		t.Errorf("main.hotLoop is %.1fpx wide, want about %.1fpx", hot.W, want)
	}

	t.Run("hover shows self and total", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, hot.X+hot.W/2, hot.Y+hot.H/2)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the tooltip", `!document.querySelector(".pf-tooltip").hidden`)
		tip := eval[string](t, ctx, `document.querySelector(".pf-tooltip").innerText`)
		for _, want := range []string{"main.hotLoop", "Total", "19.68 s (58.04%)", "Self", "450 ms (1.33%)"} {
			if !strings.Contains(tip, want) {
				t.Errorf("tooltip %q does not say %q", tip, want)
			}
		}
		browsertest.Screenshot(t, ctx, "cpu_hover")
	})

	t.Run("click zooms, Escape resets", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.MouseClickXY(hot.X+hot.W/2, hot.Y+hot.H/2)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the zoom", `!document.querySelector(".pf-reset").disabled`)
		if r := frameRect(t, ctx, "main.hotLoop"); math.Abs(r.W-width) > 2 {
			t.Errorf("zoomed main.hotLoop is %.1fpx wide, want the graph's %.1fpx", r.W, width)
		}
		// Its callee crypto/sha256.Sum256 (9.58 s) now spans its share of
		// main.hotLoop (19.68 s), and frames outside the subtree are gone.
		if r, want := frameRect(t, ctx, "crypto/sha256.Sum256"), width*9580/19680; math.Abs(r.W-want) > 2 {
			t.Errorf("crypto/sha256.Sum256 is %.1fpx wide when zoomed, want about %.1fpx", r.W, want)
		}
		if r := frameRect(t, ctx, "runtime.gcBgMarkWorker"); r.W >= 0 {
			t.Error("a frame outside the zoomed subtree is still drawn")
		}
		if a := eval[bool](t, ctx, `[...document.querySelectorAll(".pf-frame.pf-ancestor")].some(e => e.dataset.name === "runtime.main")`); !a {
			t.Error("runtime.main is not shown as an ancestor")
		}
		browsertest.Screenshot(t, ctx, "cpu_zoomed")
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the reset", `document.querySelector(".pf-reset").disabled`)
		if r := frameRect(t, ctx, "main.hotLoop"); math.Abs(r.W-hot.W) > 1 {
			t.Errorf("after Escape main.hotLoop is %.1fpx wide, want %.1fpx", r.W, hot.W)
		}
	})

	t.Run("search highlights", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(".pf-search"), "sha256")); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the highlight", `document.querySelectorAll(".pf-frame.pf-hit").length > 0`)
		hits := eval[[]string](t, ctx, `[...document.querySelectorAll(".pf-frame.pf-hit")].map(e => e.dataset.name)`)
		for _, h := range hits {
			if !strings.Contains(strings.ToLower(h), "sha256") {
				t.Errorf("%q is highlighted for sha256", h)
			}
		}
		if dim := eval[int](t, ctx, `document.querySelectorAll(".pf-frame.pf-dim").length`); dim == 0 {
			t.Error("no frame is dimmed")
		}
		want := 0
		for f := range p.Frames() {
			if strings.Contains(strings.ToLower(f.Name), "sha256") {
				want++
			}
		}
		info := eval[string](t, ctx, `document.querySelector(".pf-match").textContent`)
		if !strings.HasPrefix(info, fmt.Sprintf("%d frames · ", want)) || !strings.HasSuffix(info, "% of total") {
			t.Errorf("match info %q, want %d frames and a percentage", info, want)
		}
		rows := eval[int](t, ctx, `[...document.querySelectorAll(".pf-table tbody tr")].filter(r => !r.hidden).length`)
		if rows == 0 || rows > want {
			t.Errorf("%d table rows left by the search", rows)
		}
		browsertest.Screenshot(t, ctx, "cpu_search")
		eval[any](t, ctx, `window.fg.search("")`)
		if n := eval[int](t, ctx, `document.querySelectorAll(".pf-frame.pf-dim, .pf-frame.pf-hit").length`); n != 0 {
			t.Errorf("%d frames still marked after clearing the search", n)
		}
	})

	t.Run("table sorts by self", func(t *testing.T) {
		self := map[string]int64{}
		for f := range p.Frames() {
			if f.Level > 0 {
				self[f.Name] += f.Self
			}
		}
		top := ""
		for name, v := range self {
			if top == "" || v > self[top] || v == self[top] && name < top {
				top = name
			}
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.pf-table th[data-key="self"] button`))); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the sort", `document.querySelector('.pf-table th[data-key="self"]').getAttribute("aria-sort") === "descending"`)
		if first := eval[string](t, ctx, `document.querySelector(".pf-table tbody tr").dataset.name`); first != top {
			t.Errorf("first row by self is %q, want %q", first, top)
		}
		if rows := eval[int](t, ctx, `document.querySelectorAll(".pf-table tbody tr").length`); rows != len(self) {
			t.Errorf("%d table rows, want one per function (%d)", rows, len(self))
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		eval[any](t, ctx, `document.querySelector('.pf-frame[tabindex="0"]').focus()`)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		if got := eval[string](t, ctx, `document.activeElement.dataset.name || ""`); got != "runtime.main" {
			t.Errorf("ArrowDown from the root focused %q, want its widest callee runtime.main", got)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		if r := frameRect(t, ctx, "runtime.main"); math.Abs(r.W-width) > 2 {
			t.Errorf("Enter did not zoom runtime.main (%.1fpx)", r.W)
		}
		if got := eval[string](t, ctx, `document.activeElement.dataset.name || ""`); got != "runtime.main" {
			t.Errorf("focus moved to %q after zooming", got)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the reset", `document.querySelector(".pf-reset").disabled`)
	})
}

// TestBrowserStates: the no-data answer, a Pyroscope error, the value
// palette in the dark theme, and the table alone.
func TestBrowserStates(t *testing.T) {
	ctx := browsertest.New(t)
	srv := harness(t)

	open(t, ctx, srv, "fixture=render_cpu_nodata.json")
	if got := eval[string](t, ctx, `document.querySelector(".pf-state.pf-empty").textContent`); got != "No profile data for this query and time range" {
		t.Errorf("no-data state says %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".pf-frame").length`); n != 0 {
		t.Errorf("%d frames drawn for no data", n)
	}
	browsertest.Screenshot(t, ctx, "nodata")

	msg := eval[string](t, ctx, `(() => {
		const d = document.createElement("div"); document.body.appendChild(d);
		PyroFlame.render(d, {code: "invalid_argument", message: "failed to parse \"query\""}, {});
		return d.querySelector(".pf-state.pf-error[role=alert]").textContent;
	})()`)
	if msg != `Pyroscope: failed to parse "query"` {
		t.Errorf("error state says %q", msg)
	}
	bad := eval[string](t, ctx, `(() => {
		const d = document.createElement("div"); document.body.appendChild(d);
		PyroFlame.render(d, {flamebearer: {names: ["total"], levels: [[0, 1, 0, 5]], numTicks: 1}}, {});
		return d.textContent;
	})()`)
	if !strings.HasPrefix(bad, "Cannot draw this profile:") {
		t.Errorf("broken profile says %q", bad)
	}

	open(t, ctx, srv, "fixture=render_memory_alloc_space_full.json&palette=value&theme=dark")
	if got := eval[string](t, ctx, `document.querySelector(".pf-summary").textContent`); got != "alloc_space · total 25.07 GiB" {
		t.Errorf("summary %q", got)
	}
	browsertest.Screenshot(t, ctx, "alloc_space_value_dark")

	open(t, ctx, srv, "fixture=render_goroutines_goroutine_full.json&showFlameGraph=false")
	if n := eval[int](t, ctx, `document.querySelectorAll(".pf-graph").length`); n != 0 {
		t.Error("the flame graph is drawn with showFlameGraph false")
	}
	if got := eval[string](t, ctx, `document.querySelector(".pf-summary").textContent`); got != "goroutine · total 74" {
		t.Errorf("summary %q", got)
	}
	browsertest.Screenshot(t, ctx, "goroutines_table_only")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestFlamegraphJSUnit runs the renderer's pure functions under Node. Like
// the browser tests, it may skip on a developer's machine without Node, but
// not where the browser tests are required (CI installs Node for it).
func TestFlamegraphJSUnit(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("PYROBUILD_BROWSER_TESTS") != "" {
			t.Fatal("node is not installed: with PYROBUILD_BROWSER_TESTS set it is required (.ci/run installs it)")
		}
		t.Skip("node is not installed")
	}
	out, err := exec.Command(node, "testdata/flamegraph_unit.js", filepath.Join(assets, "js/flamegraph.js")).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
