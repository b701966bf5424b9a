package preview

import (
	"encoding/json"
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

// TestBrowserPreviewEmptySaysWhy: a panel whose answer is empty names what
// it asked for (service, profile type, range), then asks the datasource
// why: the service is not there, it has no such profile type (the
// goroutine/goroutines split of real Pyroscope), or it has both.
func TestBrowserPreviewEmptySaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	empty, err := os.ReadFile("flame/testdata/render_cpu_nodata.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	services, types := []string{"api", "checkout"}, []string{"goroutine:goroutine:count:goroutine:count"}
	var asked []string // the LabelValues asked: label, matchers, range in ms
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/pyroscope/render" {
			w.Write(empty)
			return
		}
		var req struct {
			Name       string   `json:"name"`
			Matchers   []string `json:"matchers"`
			Start, End int64
		}
		if r.Method != http.MethodPost || r.URL.Path != "/querier.v1.QuerierService/LabelValues" || json.NewDecoder(r.Body).Decode(&req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, req.Name+" "+strings.Join(req.Matchers, ",")+" "+(time.Duration(req.End-req.Start)*time.Millisecond).String())
		names := services
		if req.Name == "__profile_type__" {
			names = types
		}
		json.NewEncoder(w).Encode(map[string]any{"names": names})
	}))
	defer pyroscope.Close()
	const filtered = `query: '{service_name="burner", environment="prod"}'`
	f := newServeFixtureWith(t, pyroscope.URL, func(root string) {
		p := filepath.Join(root, "dashboards", "all.yaml")
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		write(t, p, strings.Replace(string(src), `query: '{service_name="burner"}'`, filtered, 1))
	})
	tab := liveTab{t, ctx, f.url}
	const panel = `document.querySelector('.pb-panel[data-panel="api"]')`
	reason := func(what, want string) string {
		t.Helper()
		tab.waitFor(what, `(() => { const p = `+panel+`; const r = p && p.querySelector(".pb-reason"); return p.dataset.state === "empty" && !!r })()`, 10*time.Second)
		got := tab.eval(panel + `.querySelector(".pb-panel-body").textContent`)
		if !strings.Contains(got, want) {
			t.Errorf("%s: the panel says %q, want %q", what, got, want)
		}
		return got
	}
	refresh := func() {
		tab.eval(`document.querySelector(".pb-refresh").click(); ""`)
	}

	tab.navigate("/dashboards/demo/cpu/")
	got := reason("no such service", "Pyroscope has no service “burner” over the last 1h; it has api, checkout.")
	if !strings.Contains(got, `No profile data for service “burner”, profile type process_cpu:cpu:nanoseconds:cpu:nanoseconds, filters environment="prod", over the last 1h.`) {
		t.Errorf("the panel does not say what it asked: %q", got)
	}

	mu.Lock()
	services = append(services, "burner")
	mu.Unlock()
	refresh()
	reason("no such profile type", "Service “burner” has no profile type process_cpu:cpu:nanoseconds:cpu:nanoseconds over the last 1h; it has goroutine:goroutine:count:goroutine:count.")

	mu.Lock()
	types = append(types, "process_cpu:cpu:nanoseconds:cpu:nanoseconds")
	mu.Unlock()
	refresh()
	reason("both there, with a filter", `Service “burner” has process_cpu:cpu:nanoseconds:cpu:nanoseconds over the last 1h, but no series matches the filters environment="prod".`)
	browsertest.Screenshot(t, ctx, "preview-empty-why")

	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	src, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	tab.eval(`window.__panelBefore = ` + panel + `; ""`)
	write(t, dash, strings.Replace(string(src), filtered, `query: '{service_name="burner"}'`, 1))
	// The changed panel is replaced in place (see swap_browser_test.go).
	tab.waitFor("the panel without the filter", `(() => { const p = `+panel+`; return !!p && p !== window.__panelBefore && !p.dataset.queries.includes("environment") })()`, 5*time.Second)
	reason("both there, no filter", "Service “burner” has process_cpu:cpu:nanoseconds:cpu:nanoseconds over the last 1h, but Pyroscope answered no samples.")

	mu.Lock()
	defer mu.Unlock()
	want := []string{"service_name  1h0m0s", `__profile_type__ {service_name="burner"} 1h0m0s`}
	for _, w := range want {
		found := false
		for _, a := range asked {
			found = found || a == w
		}
		if !found {
			t.Errorf("Pyroscope was not asked %q; asked %q", w, asked)
		}
	}
}
