package site

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
	profile, err := os.ReadFile("flame/testdata/render_cpu_full.json")
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
