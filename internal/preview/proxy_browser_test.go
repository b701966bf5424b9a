package preview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pyrobuild/pyrobuild/internal/browsertest"
)

// TestBrowserOtherSiteCannotUseProxy: a page of another web site, open in
// the same real browser, tries every way it has to make the preview's
// proxy call Pyroscope (fetch in no-cors and cors mode, with a guessed
// token, an image, a form posted to a hidden frame); nothing reaches the
// upstream. The preview's own page then draws its flame graph.
func TestBrowserOtherSiteCannotUseProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	ctx := browsertest.New(t)
	var hits atomic.Int32
	pyroscope := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"version":1,"flamebearer":{"names":["total"],"levels":[[0,0,0,0]],"numTicks":0,"maxSelf":0},"metadata":{"format":"single","units":"samples","name":"cpu"}}`))
	}))
	defer pyroscope.Close()
	f := newServeFixtureWith(t, pyroscope.URL, nil)

	// The other site: localhost, another port; the preview is 127.0.0.1.
	proxy := f.url + "/_pyrobuild/proxy/demo/pyro"
	render := proxy + "/pyroscope/render?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22api%22%7D&from=now-1h&until=now"
	page := `<!DOCTYPE html><html><body><iframe name="sink"></iframe>
<form id="f" method="POST" action="` + proxy + `/querier.v1.QuerierService/ProfileTypes" target="sink" enctype="text/plain"><input name="{}" value=""></form>
<script>
const url = ` + "`" + render + "`" + `;
Promise.allSettled([
  fetch(url, {mode: "no-cors"}),
  fetch(url, {mode: "no-cors", credentials: "include"}),
  fetch(url, {headers: {"X-Pyrobuild-Token": "guess"}}),
  new Promise(r => { const i = new Image(); i.onload = i.onerror = r; i.src = url; }),
  new Promise(r => { document.querySelector("iframe").onload = r; document.getElementById("f").submit(); setTimeout(r, 3000); }),
]).then(() => { document.title = "done"; });
</script></body></html>`
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := chromedp.Do(c, chromedp.Navigate(otherURL))
	cancel()
	if err != nil {
		t.Fatalf("the other site's page: %v", err)
	}
	// Its attempts settled (refused, or answered opaquely).
	liveTab{t, ctx, otherURL}.waitFor("the other site's requests", `document.title === "done"`, 15*time.Second)
	time.Sleep(200 * time.Millisecond)
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests from another site reached Pyroscope through the preview's proxy", n)
	}

	tab := liveTab{t, ctx, f.url}
	tab.navigate("/dashboards/demo/cpu/")
	tab.waitFor("the preview's own query", `(() => { const p = document.querySelector('.pb-panel[data-panel="api"]'); return !!p && !!p.dataset.state })()`, 10*time.Second)
	if hits.Load() == 0 {
		t.Error("the preview's own page did not reach Pyroscope")
	}
}
