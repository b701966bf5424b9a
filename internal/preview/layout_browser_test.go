package preview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestBrowserPreviewFullWidth: on a 1920 px window the dashboard's grid
// spans the window (less its margins), not the article column, and a
// half-width panel is half of it, as Perses lays it out; a row is 30 px.
// The same in serve's live preview and on the pages build writes.
func TestBrowserPreviewFullWidth(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	f := newServeFixtureWith(t, "http://127.0.0.1:1", func(root string) {
		p := filepath.Join(root, "dashboards", "all.yaml")
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p, strings.Replace(string(src), "width: 24\n            height: 14", "width: 12\n            height: 10", 1))
	})
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.EmulateViewport(1920, 1080)); err != nil {
		t.Fatal(err)
	}
	tab := liveTab{t, ctx, f.url}
	tab.navigate("/dashboards/demo/cpu/")
	num := func(js string) float64 {
		t.Helper()
		v, err := strconv.ParseFloat(tab.eval(`String(`+js+`)`), 64)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	viewport := num(`document.documentElement.clientWidth`)
	grid := num(`document.querySelector(".pb-preview-grid").getBoundingClientRect().width`)
	panel := num(`document.querySelector('.pb-panel[data-panel="api"]').getBoundingClientRect().width`)
	height := num(`document.querySelector('.pb-panel[data-panel="api"]').getBoundingClientRect().height`)
	t.Logf("viewport %.0f px, grid %.0f px, half-width panel %.0f × %.0f px", viewport, grid, panel, height)
	if grid < viewport-80 || grid > viewport {
		t.Errorf("grid is %.0f px wide in a %.0f px window, want the window less its margins", grid, viewport)
	}
	// 12 of 24 columns with 8 px gaps: half the grid less half a gap.
	if want := (grid - 8) / 2; panel < want-1 || panel > want+1 {
		t.Errorf("half-width panel is %.0f px wide, want %.0f", panel, want)
	}
	// 10 rows of 30 px and the 9 gaps between them.
	if want := 10*30 + 9*8.0; height < want-1 || height > want+1 {
		t.Errorf("a 10-row panel is %.0f px high, want %.0f", height, want)
	}
	// The sidebar folded into the ☰ button opens and closes with it.
	const navShown = `String(document.getElementById("site-nav").getBoundingClientRect().width > 0)`
	if tab.eval(navShown) != "false" || tab.eval(`getComputedStyle(document.querySelector(".nav-toggle")).display`) == "none" {
		t.Error("the sidebar is not folded into the ☰ button on a dashboard page")
	}
	tab.eval(`document.querySelector(".nav-toggle").click(); ""`)
	if tab.eval(navShown) != "true" {
		t.Error("the ☰ button does not show the sidebar")
	}
	tab.eval(`document.querySelector(".nav-toggle").click(); ""`)
	browsertest.Screenshot(t, ctx, "preview-1920")

	// The pages of pyrobuild build lay the grid out the same way.
	out := t.TempDir()
	b, err := site.NewBuilder(site.Config{Root: f.root, Dashboards: []string{filepath.Join(f.root, "dashboards")}, CompilerCache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	built := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer built.Close()
	nc, ncancel := context.WithTimeout(ctx, 10*time.Second)
	defer ncancel()
	if err := chromedp.Do(nc, chromedp.Navigate(built.URL+"/dashboards/demo/cpu/")); err != nil {
		t.Fatal(err)
	}
	grid = num(`document.querySelector(".grid-preview").getBoundingClientRect().width`)
	item := num(`document.querySelector(".grid-preview .grid-item").getBoundingClientRect().width`)
	height = num(`document.querySelector(".grid-preview .grid-item").getBoundingClientRect().height`)
	t.Logf("built page: grid %.0f px, half-width panel %.0f × %.0f px", grid, item, height)
	if grid < viewport-80 || grid > viewport {
		t.Errorf("built page: grid is %.0f px wide in a %.0f px window", grid, viewport)
	}
	if want := (grid - 8) / 2; item < want-1 || item > want+1 {
		t.Errorf("built page: half-width panel is %.0f px wide, want %.0f", item, want)
	}
	if want := 10*30 + 9*8.0; height < want-1 || height > want+1 {
		t.Errorf("built page: a 10-row panel is %.0f px high, want %.0f", height, want)
	}
}
