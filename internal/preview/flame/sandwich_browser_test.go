package flame

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// The recorded profile of a real Pyroscope v1.21.1 profiling itself, where
// net/http.HandlerFunc.ServeHTTP calls itself through middlewares: 90 ms of
// 290 ms from two places (40 ms under runHandler, 50 ms under
// serverHandler.ServeHTTP).
const (
	serverCPU = "render_pyroscope_cpu_v1.21.1.json"
	handler   = "net/http.HandlerFunc.ServeHTTP"
)

// inRect is where the first drawn frame named name inside the element
// matched by scope is on the page; W is -1 when there is none.
func inRect(t *testing.T, ctx context.Context, scope, name string) rect {
	t.Helper()
	return eval[rect](t, ctx, fmt.Sprintf(`(() => {
		const e = [...document.querySelectorAll(%q + " .pf-frame")].find(e => e.dataset.name === %q);
		if (!e) return {X: -1, Y: -1, W: -1, H: -1};
		const r = e.getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height};
	})()`, scope, name))
}

// grantClipboard lets the page read the clipboard back, so the test sees
// what "Copy function name" put there.
func grantClipboard(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	c := chromedp.FromContext(ctx)
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := cdp.Call(ctx, c.Browser, browser.SetPermission, browser.SetPermissionParams{
				Permission:       &browser.PermissionDescriptor{Name: name},
				Setting:          browser.PermissionSettingGranted,
				Origin:           origin,
				BrowserContextID: c.BrowserContextID,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
}

func key(t *testing.T, ctx context.Context, keys string, opts ...chromedp.KeyOption) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(keys, opts...)); err != nil {
		t.Fatal(err)
	}
}

func rightClick(t *testing.T, ctx context.Context, r rect) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(r.X+r.W/2, r.Y+r.H/2, chromedp.ButtonRight)); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "the menu", `!document.querySelector(".pf-menu").hidden`)
}

// viewShot saves what the window shows. browsertest.Screenshot takes the
// whole page by resizing the window, which closes an open menu, as it
// should.
func viewShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		path := filepath.Join(t.ArtifactDir(), name+".png")
		if err = os.WriteFile(path, png, 0o644); err == nil {
			t.Logf("screenshot: %s", path)
			return
		}
	}
	t.Errorf("screenshot %s: %v", name, err)
}

// nextFrame waits for the page to draw a frame: the menu closes on
// scrolling from the frame after it opened.
func nextFrame(t *testing.T, ctx context.Context) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
}

// click clicks the middle of the element the selector matches.
func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	r := eval[rect](t, ctx, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) return {X: -1, Y: -1, W: -1, H: -1};
		const r = e.getBoundingClientRect();
		return {X: r.left, Y: r.top, W: r.width, H: r.height};
	})()`, selector))
	if r.W <= 0 {
		t.Fatalf("nothing to click at %s", selector)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.MouseClickXY(r.X+r.W/2, r.Y+r.H/2)); err != nil {
		t.Fatal(err)
	}
}

func clickItem(t *testing.T, ctx context.Context, action string) {
	t.Helper()
	click(t, ctx, `.pf-menu-item[data-action="`+action+`"]`)
}

const (
	menuOpen = `!document.querySelector(".pf-menu").hidden`
	active   = `(document.activeElement.dataset.action || document.activeElement.dataset.name || document.activeElement.className)`
)

// TestBrowserSandwich right-clicks a frame of the recorded server profile,
// copies its name, opens its sandwich view, reads the callers and callees
// and their widths, reloads and finds the sandwich restored from the
// address, then goes back and opens another from the table.
func TestBrowserSandwich(t *testing.T) {
	ctx := browsertest.New(t)
	srv := harness(t)
	grantClipboard(t, ctx, srv.URL)
	open(t, ctx, srv, "fixture="+serverCPU)

	hf := frameRect(t, ctx, handler)
	if hf.W < 40 {
		t.Fatalf("%s is drawn %.1fpx wide: too narrow to right-click", handler, hf.W)
	}
	rightClick(t, ctx, hf)
	menu := eval[struct {
		Role, Label string
		Items       []string
		X, Y        float64
	}](t, ctx, `(() => {
		const m = document.querySelector(".pf-menu"), r = m.getBoundingClientRect();
		return {Role: m.getAttribute("role"), Label: m.getAttribute("aria-label"), X: r.left, Y: r.top,
			Items: [...m.querySelectorAll("[role=menuitem]")].map(b => b.textContent + (b.disabled ? " (disabled)" : ""))};
	})()`)
	if menu.Role != "menu" || menu.Label != "Actions for "+handler {
		t.Errorf("menu role %q, label %q", menu.Role, menu.Label)
	}
	if got, want := strings.Join(menu.Items, ", "), "Focus, Copy function name, Sandwich view, Reset view"; got != want {
		t.Errorf("menu items %q, want %q", got, want)
	}
	if cx, cy := hf.X+hf.W/2, hf.Y+hf.H/2; math.Abs(menu.X-cx) > 2 || math.Abs(menu.Y-cy) > 2 {
		t.Errorf("menu at (%.0f, %.0f), want at the pointer (%.0f, %.0f)", menu.X, menu.Y, cx, cy)
	}
	if got := eval[string](t, ctx, active); got != "focus" {
		t.Errorf("the open menu focuses %q, want its first item", got)
	}
	viewShot(t, ctx, "menu")

	t.Run("copy the name", func(t *testing.T) {
		clickItem(t, ctx, "copy")
		wait(t, ctx, "the copied note", `document.querySelector(".pf-status").textContent === "Copied \u201c`+handler+`\u201d"`)
		if eval[bool](t, ctx, menuOpen) {
			t.Error("the menu stays open after copying")
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if err != nil || got != handler {
			t.Errorf("the clipboard holds %q (%v), want %q", got, err, handler)
		}
		if got := eval[string](t, ctx, active); got != handler {
			t.Errorf("after copying the focus is on %q, want back on the frame", got)
		}
	})

	t.Run("copy without the clipboard API", func(t *testing.T) {
		// Where the page may not use navigator.clipboard (a browser that
		// refuses it, a page served over plain HTTP to another machine),
		// the name is copied through a selected text area.
		const other = "golang.org/x/net/http2.(*serverConn).runHandler"
		eval[any](t, ctx, `navigator.clipboard.writeText = () => Promise.reject(new Error("refused")); navigator.clipboard.writeText.name`)
		rightClick(t, ctx, frameRect(t, ctx, other))
		clickItem(t, ctx, "copy")
		wait(t, ctx, "the copied note", `document.querySelector(".pf-status").textContent === "Copied \u201c`+other+`\u201d"`)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
		if err != nil || got != other {
			t.Errorf("the clipboard holds %q (%v), want %q", got, err, other)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("textarea").length`); n != 0 {
			t.Errorf("%d text areas left in the page", n)
		}
		if got := eval[string](t, ctx, active); got != other {
			t.Errorf("after copying the focus is on %q, want back on the frame", got)
		}
	})

	width := graphWidth(t, ctx)
	t.Run("sandwich from the menu", func(t *testing.T) {
		rightClick(t, ctx, frameRect(t, ctx, handler))
		clickItem(t, ctx, "sandwich")
		wait(t, ctx, "the sandwich", `!document.querySelector(".pf-sandwich").hidden`)
		checkSandwich(t, ctx, width)
		browsertest.Screenshot(t, ctx, "sandwich")
		addr := eval[string](t, ctx, `location.search`)
		if !strings.Contains(addr, "sandwich="+url.QueryEscape(handler)) {
			t.Errorf("the address %q does not keep the sandwich", addr)
		}
	})

	t.Run("reload restores it", func(t *testing.T) {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the reloaded graph", `document.body.dataset.ready === "1"`)
		if eval[bool](t, ctx, `document.querySelector(".pf-sandwich").hidden`) {
			t.Fatal("the sandwich is not restored by a reload")
		}
		checkSandwich(t, ctx, width)
	})

	t.Run("back to the full graph", func(t *testing.T) {
		click(t, ctx, ".pf-sw-back")
		wait(t, ctx, "the full graph", `document.querySelector(".pf-sandwich").hidden && !document.querySelector(".pf-graph").hidden`)
		if r := frameRect(t, ctx, handler); math.Abs(r.W-hf.W) > 1 {
			t.Errorf("back in the full graph %s is %.1fpx wide, want %.1fpx", handler, r.W, hf.W)
		}
		if addr := eval[string](t, ctx, `location.search`); strings.Contains(addr, "sandwich=") {
			t.Errorf("the address %q still has the sandwich", addr)
		}
	})

	t.Run("from the table's row action", func(t *testing.T) {
		const runHandler = "golang.org/x/net/http2.(*serverConn).runHandler"
		eval[any](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(".pf-table tbody tr")].find(r => r.dataset.name === %q).querySelector(".pf-row-sw").click()`, runHandler))
		wait(t, ctx, "the sandwich", `!document.querySelector(".pf-sandwich").hidden`)
		if got := eval[string](t, ctx, `document.querySelector(".pf-sw-name").textContent`); got != runHandler {
			t.Errorf("the row action opened the sandwich of %q", got)
		}
		if got := eval[string](t, ctx, `document.querySelector('.pf-table tr[aria-current="true"]').dataset.name`); got != runHandler {
			t.Errorf("the table marks %q as the sandwich's row", got)
		}
		key(t, ctx, kb.Escape)
		wait(t, ctx, "the full graph", `document.querySelector(".pf-sandwich").hidden`)
	})

	t.Run("the menu closes on outside clicks and scrolling, and stays on screen", func(t *testing.T) {
		rightClick(t, ctx, frameRect(t, ctx, handler))
		if err := chromedp.Do(ctx, chromedp.MouseClickXY(3, 3)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the menu closed by a click outside", `document.querySelector(".pf-menu").hidden`)
		rightClick(t, ctx, frameRect(t, ctx, handler))
		nextFrame(t, ctx)
		eval[any](t, ctx, `document.querySelector(".pf-table-wrap").scrollTop = 60`)
		wait(t, ctx, "the menu closed by scrolling", `document.querySelector(".pf-menu").hidden`)

		// A right click in the window's bottom right corner: the menu opens
		// up and to the left of the pointer, inside the window.
		eval[any](t, ctx, `document.getElementById("graph").style.width = (innerWidth - 20) + "px"`)
		wait(t, ctx, "the wider graph", `document.querySelector(".pf-graph").clientWidth > 1200`)
		eval[any](t, ctx, `window.scrollTo(0, 0)`)
		// The graph moved down so that its root row is the window's last.
		eval[any](t, ctx, `(() => {
			const graph = document.querySelector(".pf-graph"), r = graph.getBoundingClientRect();
			graph.style.marginTop = (innerHeight - r.top - 30) + "px"; })()`)
		nextFrame(t, ctx) // the resize observer's redraw, and any scroll event, are past
		root := frameRect(t, ctx, "total")
		x, y := float64(browsertest.Width-25), root.Y+root.H/2
		if err := chromedp.Do(ctx, chromedp.MouseClickXY(x, y, chromedp.ButtonRight)); err != nil {
			t.Fatal(err)
		}
		wait(t, ctx, "the menu", menuOpen)
		m := eval[rect](t, ctx, `(() => { const r = document.querySelector(".pf-menu").getBoundingClientRect(); return {X: r.left, Y: r.top, W: r.width, H: r.height}; })()`)
		vw, vh := eval[float64](t, ctx, `document.documentElement.clientWidth`), eval[float64](t, ctx, `innerHeight`)
		if m.X < 0 || m.Y < 0 || m.X+m.W > vw || m.Y+m.H > vh {
			t.Errorf("the menu %+v leaves the %.0fx%.0f window", m, vw, vh)
		}
		if m.X >= x || m.Y+m.H > y+1 {
			t.Errorf("the menu %+v does not open above and to the left of the pointer at (%.0f, %.0f)", m, x, y)
		}
		if got := eval[bool](t, ctx, `document.querySelector('.pf-menu-item[data-action="sandwich"]').disabled`); !got {
			t.Error("Sandwich view is offered for the root frame")
		}
		viewShot(t, ctx, "menu_corner")
		key(t, ctx, kb.Escape)
		wait(t, ctx, "the menu closed", `document.querySelector(".pf-menu").hidden`)
	})
}

// checkSandwich reads the sandwich of net/http.HandlerFunc.ServeHTTP.
func checkSandwich(t *testing.T, ctx context.Context, width float64) {
	t.Helper()
	if got := eval[string](t, ctx, `document.querySelector(".pf-sw-name").textContent`); got != handler {
		t.Errorf("the sandwich is of %q", got)
	}
	// 90 ms of 290 ms, no time of its own, from two places.
	if got, want := eval[string](t, ctx, `document.querySelector(".pf-sw-values").textContent`), "total 90 ms (31.03%) · self 0 s (0%) · called from 2 places"; got != want {
		t.Errorf("the sandwich's header says %q, want %q", got, want)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".pf-graph:not(.pf-callers):not(.pf-callees) .pf-frame").length`); n != 0 {
		t.Errorf("the full graph still draws %d frames under the sandwich", n)
	}
	// Callers, upside down: the function at the bottom, full width; its
	// two callers above it, 40 and 50 ms of its 90; their caller above.
	fnUp := inRect(t, ctx, ".pf-callers", handler)
	if math.Abs(fnUp.W-width) > 2 {
		t.Errorf("the function spans %.1fpx of the callers' %.1fpx", fnUp.W, width)
	}
	for _, c := range []struct {
		name  string
		ms    float64
		level int
	}{
		{"golang.org/x/net/http2.(*serverConn).runHandler", 40, 1},
		{"net/http.serverHandler.ServeHTTP", 50, 1},
		{"net/http.(*conn).serve", 50, 2},
	} {
		r := inRect(t, ctx, ".pf-callers", c.name)
		if r.W < 0 {
			t.Errorf("no caller %s", c.name)
			continue
		}
		if want := width * c.ms / 90; math.Abs(r.W-want) > 2 {
			t.Errorf("caller %s is %.1fpx wide, want %.1fpx (%g of 90 ms)", c.name, r.W, want, c.ms)
		}
		if want := fnUp.Y - float64(c.level)*20; math.Abs(r.Y-want) > 1 {
			t.Errorf("caller %s is at y %.0f, want %d rows above the function (%.0f)", c.name, r.Y, c.level, want)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".pf-callers .pf-frame").length`); n != 4 {
		t.Errorf("%d frames among the callers, want 4", n)
	}
	// Callees: the function on top, full width, then what it calls.
	fnDown := inRect(t, ctx, ".pf-callees", handler)
	if math.Abs(fnDown.W-width) > 2 || fnDown.Y <= fnUp.Y {
		t.Errorf("the callees' top frame %+v, want full width below the callers", fnDown)
	}
	for _, c := range []struct {
		name string
		ms   float64
	}{
		{"github.com/grafana/pyroscope/pkg/util.init.func2.1", 50},
		{"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.NewMiddleware.func1.1", 40},
	} {
		r := inRect(t, ctx, ".pf-callees", c.name)
		if want := width * c.ms / 90; math.Abs(r.W-want) > 2 || math.Abs(r.Y-fnDown.Y-20) > 1 {
			t.Errorf("callee %s at %+v, want %.1fpx wide one row below the function", c.name, r, want)
		}
	}
	// The recursion is visible below: the function again, inside itself.
	if n := eval[int](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(".pf-callees .pf-frame")].filter(e => e.dataset.name === %q).length`, handler)); n < 3 {
		t.Errorf("the function appears %d times among its callees, want its recursive calls too", n)
	}
	tip := eval[string](t, ctx, `[...document.querySelectorAll(".pf-callers .pf-frame")].find(e => e.dataset.name === "net/http.serverHandler.ServeHTTP").getAttribute("aria-label")`)
	if !strings.Contains(tip, "50 ms (17.24%)") {
		t.Errorf("a caller reads %q, want its 50 ms into the function", tip)
	}
}

// TestBrowserMenuKeyboard drives the menu and the sandwich from the
// keyboard alone.
func TestBrowserMenuKeyboard(t *testing.T) {
	ctx := browsertest.New(t)
	srv := harness(t)
	open(t, ctx, srv, "fixture="+serverCPU)
	focusFrame := fmt.Sprintf(`[...document.querySelectorAll(".pf-graph .pf-frame")].find(e => e.dataset.name === %q).focus()`, handler)
	eval[any](t, ctx, focusFrame)
	key(t, ctx, kb.Enter) // zoomed, to see that Escape in the menu leaves the zoom alone
	wait(t, ctx, "the zoom", `!document.querySelector(".pf-reset").disabled`)

	key(t, ctx, kb.F10, chromedp.KeyModifiers(chromedp.ModifierShift))
	wait(t, ctx, "the menu from Shift+F10", menuOpen)
	for _, step := range []struct {
		key, want string
	}{
		{"", "focus"},
		{kb.ArrowDown, "copy"},
		{kb.ArrowDown, "sandwich"},
		{kb.ArrowUp, "copy"},
		{kb.End, "reset"},
		{kb.ArrowDown, "focus"}, // wraps
		{kb.ArrowUp, "reset"},
		{kb.Home, "focus"},
	} {
		if step.key != "" {
			key(t, ctx, step.key)
		}
		if got := eval[string](t, ctx, active); got != step.want {
			t.Fatalf("after %q the focus is on %q, want %q", step.key, got, step.want)
		}
	}
	key(t, ctx, kb.Escape)
	wait(t, ctx, "Escape closing the menu", `document.querySelector(".pf-menu").hidden`)
	if got := eval[string](t, ctx, active); got != handler {
		t.Errorf("after Escape the focus is on %q, want back on the frame", got)
	}
	if eval[bool](t, ctx, `document.querySelector(".pf-reset").disabled`) {
		t.Error("Escape in the menu also reset the zoom")
	}
	key(t, ctx, kb.Escape) // now on the frame: the zoom goes
	wait(t, ctx, "the reset", `document.querySelector(".pf-reset").disabled`)
	eval[any](t, ctx, focusFrame) // the reset moved the focus to the root

	// The context-menu key, then Enter on "Focus": the frame is zoomed.
	key(t, ctx, kb.ContextMenu)
	wait(t, ctx, "the menu from the context-menu key", menuOpen)
	key(t, ctx, kb.Enter)
	wait(t, ctx, "the zoom", `!document.querySelector(".pf-reset").disabled`)
	if r, w := frameRect(t, ctx, handler), graphWidth(t, ctx); math.Abs(r.W-w) > 2 {
		t.Errorf("Focus left %s %.1fpx wide of %.1fpx", handler, r.W, w)
	}
	if got := eval[string](t, ctx, active); got != handler {
		t.Errorf("after Focus the focus is on %q", got)
	}

	// Down to "Sandwich view" and Enter: the focus lands on the function
	// atop its callees; "s" on one of its callers opens that caller's.
	key(t, ctx, kb.ContextMenu)
	wait(t, ctx, "the menu", menuOpen)
	key(t, ctx, kb.ArrowDown+kb.ArrowDown+kb.Enter)
	wait(t, ctx, "the sandwich", `!document.querySelector(".pf-sandwich").hidden`)
	if got := eval[bool](t, ctx, `!!document.activeElement.closest(".pf-callees") && document.activeElement.dataset.name === `+fmt.Sprintf("%q", handler)); !got {
		t.Errorf("after Sandwich view the focus is on %q", eval[string](t, ctx, active))
	}
	eval[any](t, ctx, `document.querySelector(".pf-callers .pf-frame[tabindex='0']").focus()`)
	key(t, ctx, kb.ArrowUp) // upside down: up is the caller
	if got := eval[string](t, ctx, active); got != "golang.org/x/net/http2.(*serverConn).runHandler" && got != "net/http.serverHandler.ServeHTTP" {
		t.Fatalf("ArrowUp among the callers focused %q, want a caller", got)
	}
	caller := eval[string](t, ctx, active)
	key(t, ctx, "s")
	wait(t, ctx, "the caller's sandwich", fmt.Sprintf(`document.querySelector(".pf-sw-name").textContent === %q`, caller))

	// Escape leaves the sandwich, back on the zoomed full graph.
	key(t, ctx, kb.Escape)
	wait(t, ctx, "the full graph", `document.querySelector(".pf-sandwich").hidden`)
	if r, w := frameRect(t, ctx, handler), graphWidth(t, ctx); math.Abs(r.W-w) > 2 {
		t.Errorf("the full graph lost its zoom on %s (%.1fpx of %.1fpx)", handler, r.W, w)
	}
	if got := eval[string](t, ctx, `document.activeElement.closest(".pf-graph") ? "graph" : document.activeElement.tagName`); got != "graph" {
		t.Errorf("after leaving the sandwich the focus is on %s", got)
	}

	// A table row's action button opens the menu too.
	eval[any](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(".pf-table tbody tr")].find(r => r.dataset.name === %q).querySelector(".pf-row-sw").focus()`, handler))
	key(t, ctx, kb.F10, chromedp.KeyModifiers(chromedp.ModifierShift))
	wait(t, ctx, "the row's menu", menuOpen)
	if got := eval[string](t, ctx, `document.querySelector(".pf-menu").getAttribute("aria-label")`); got != "Actions for "+handler {
		t.Errorf("the row's menu is %q", got)
	}
	key(t, ctx, kb.End+kb.Enter) // Reset view
	wait(t, ctx, "the reset", `document.querySelector(".pf-reset").disabled`)
	if got := eval[string](t, ctx, `document.activeElement.className`); got != "pf-row-sw" {
		t.Errorf("after Reset view from a row the focus is on %q, want back on the row", got)
	}
}
