package preview

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// TestBrowserPreviewFullWidth: on a 1920 px window the dashboard's grid
// spans the window (less its margins), not the article column, and a
// half-width panel is half of it, as Perses lays it out; a row is 30 px.
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
	browsertest.Screenshot(t, ctx, "preview-1920")
}
