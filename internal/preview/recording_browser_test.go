package preview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/site"
	"github.com/pyrobuild/pyrobuild/internal/snapshot"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// recordFixture records the fixture's dashboards from a Pyroscope that
// answers a real v1.21.1's flame graph, then stops that Pyroscope: the
// recording is all there is afterwards.
func recordFixture(t *testing.T, root string) {
	t.Helper()
	answer, err := os.ReadFile("../snapshot/testdata/v1.21.1/render-pyroscope-cpu.json")
	if err != nil {
		t.Fatal(err)
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	defer up.Close()
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{filepath.Join(root, "dashboards")}})
	if err != nil || res.Diagnostics.HasErrors() {
		t.Fatalf("compile: %v %v", err, res.Diagnostics)
	}
	rec := snapshot.Record(context.Background(), res.Resources, snapshot.Options{URL: up.URL})
	if len(rec.Recordings) != 1 || rec.Diagnostics.HasErrors() {
		t.Fatalf("snapshot: %v %v", rec.Recordings, rec.Diagnostics)
	}
	if err := recording.WriteFile(rec.Recordings[0].Path, rec.Recordings[0].Data); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserRecordingWhenServerDown: with a recording beside the sources,
// serve shows it, labelled with why live failed and when, where from and
// over which range it was recorded, when the datasource does not answer;
// the built site, which reaches no Pyroscope, shows it on the dashboard's
// page.
func TestBrowserRecordingWhenServerDown(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close() // nothing listens there any more
	var root string
	f := newServeFixtureWith(t, downURL, func(r string) {
		root = r
		recordFixture(t, r)
	})
	tab := liveTab{t, ctx, f.url}
	const panel = `document.querySelector('.pb-panel[data-panel="api"]')`
	tab.navigate("/dashboards/demo/cpu/")
	tab.waitFor("the recording drawn", panel+`.dataset.state === "recorded" && !!`+panel+`.querySelector(".pf-graph")`, 15*time.Second)
	text := tab.eval(panel + `.querySelector(".pb-recorded-note").textContent`)
	for _, want := range []string{"Live data unavailable (", "Showing the recording: Recorded 20", " from http://127.0.0.1:", " for the last 1h ("} {
		if !strings.Contains(text, want) {
			t.Errorf("serve: the label %q lacks %q", text, want)
		}
	}
	if got := tab.eval(panel + `.querySelector(".pf-summary").textContent`); !strings.Contains(got, "total") {
		t.Errorf("serve: flame graph summary %q", got)
	}
	browsertest.Screenshot(t, ctx, "serve-recording")

	// The built site.
	dir := filepath.Join(t.TempDir(), "public")
	b, err := site.NewBuilder(site.Config{Root: root, Dashboards: []string{filepath.Join(root, "dashboards")}})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := b.Write(context.Background(), dir); err != nil || s.HasErrors() {
		t.Fatalf("build: %v %v", err, s.Diagnostics)
	}
	pub := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer pub.Close()
	built := liveTab{t, ctx, pub.URL}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(c, chromedp.Navigate(pub.URL+"/dashboards/demo/cpu/")); err != nil {
		t.Fatal(err)
	}
	built.waitFor("the recording drawn on the built page", panel+`.dataset.state === "recorded" && !!`+panel+`.querySelector(".pf-graph")`, 15*time.Second)
	if got := built.eval(`document.querySelector(".pb-recorded-label").textContent`); !strings.HasPrefix(got, "Recorded 20") || !strings.Contains(got, "for the last 1h") {
		t.Errorf("build: label %q", got)
	}
	if got := built.eval(panel + `.querySelector(".pf-summary").textContent`); !strings.Contains(got, "total") {
		t.Errorf("build: flame graph summary %q", got)
	}
	browsertest.Screenshot(t, ctx, "build-recording")
}
