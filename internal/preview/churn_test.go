package preview

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/preview/live"
	"github.com/pyrobuild/pyrobuild/internal/site"
)

// TestServeUnderChurn: 2,000 rapid edits while a browser is connected (in
// place, rename saves, folders of pages created and moved, a dashboard
// source now and then). Afterwards the last edit is what is served, the
// goroutines and open files are back to what they were, the heap is
// bounded, and cancelling Run shuts the server down cleanly. About 3 s.
func TestServeUnderChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 edits")
	}
	goroutines0, fds0 := runtime.NumGoroutine(), openFDs(t)

	root := t.TempDir()
	const pages = 20
	page := func(i int) string {
		return filepath.Join(root, "content", fmt.Sprintf("s%d", i%4), fmt.Sprintf("p%02d.md", i))
	}
	text := func(title, body string) string {
		return "---\ntitle: " + title + "\n---\n\n# " + title + "\n\n" + body + "\n"
	}
	write(t, filepath.Join(root, "content", "index.md"), text("Home", "Welcome."))
	for i := range pages {
		write(t, page(i), text(fmt.Sprintf("Page %d", i), "First version."))
	}
	dash := filepath.Join(root, "dashboards", "all.yaml")
	write(t, dash, strings.ReplaceAll(fixtureDashboards, "PYROSCOPE_URL", "http://127.0.0.1:1"))
	// A CUE source too: its evaluation runs on goroutines of its own.
	write(t, filepath.Join(root, "dashboards", "extra.cue"), "package extra\n\nimport pb \"github.com/pyrobuild/pyrobuild/schema\"\n\nextra: pb.#Project & {metadata: name: \"extra\"}\n")

	b, err := site.NewBuilder(site.Config{Root: root, Dashboards: []string{filepath.Join(root, "dashboards")}, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	var rebuilds atomic.Int64
	srv, err := NewServer(context.Background(), b, ServeOptions{Log: io.Discard, OnRebuild: func(RebuildInfo, *site.Site) { rebuilds.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := client.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}

	// The browser: connected all along, reading every message.
	evCtx, evCancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(evCtx, "GET", url+live.EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var messages atomic.Int64
	var reloadsMu sync.Mutex
	var reloads []string // reload messages, as sent
	evDone := make(chan struct{})
	go func() {
		defer close(evDone)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			if m, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				messages.Add(1)
				if strings.Contains(m, `"type":"reload"`) {
					reloadsMu.Lock()
					reloads = append(reloads, m)
					reloadsMu.Unlock()
				}
			}
		}
	}()
	churnWait(t, 10*time.Second, "the first event", func() bool { return messages.Load() > 0 })
	get("/s0/p00/")

	// Steady state with the server running and a browser connected.
	goroutines1, fds1 := runtime.NumGoroutine(), openFDs(t)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap1 := ms.HeapInuse

	// The churn.
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Now()
	const edits = 2000
	folders := 0
	for i := range edits {
		p := page(rng.IntN(pages))
		body := fmt.Sprintf("Edit %d.", i)
		switch k := i % 50; {
		case k == 49: // a folder of pages appears, then moves twice
			folders++
			tmp := filepath.Join(root, "content", fmt.Sprintf(".new-%d", folders))
			for j := range 3 {
				write(t, filepath.Join(tmp, fmt.Sprintf("m%d.md", j)), text(fmt.Sprintf("Moved %d.%d", folders, j), body))
			}
			a := filepath.Join(root, "content", fmt.Sprintf("folder-%d", folders))
			noErr(t, os.Rename(tmp, a))
			dst := filepath.Join(root, "content", "s1", fmt.Sprintf("moved-%d", folders))
			noErr(t, os.Rename(a, dst))
			if folders > 2 { // keep the site's size steady
				noErr(t, os.RemoveAll(filepath.Join(root, "content", "s1", fmt.Sprintf("moved-%d", folders-2))))
			}
		case k == 48: // the dashboard source
			orig := strings.ReplaceAll(fixtureDashboards, "PYROSCOPE_URL", "http://127.0.0.1:1")
			write(t, dash, strings.Replace(orig, "name: CPU", fmt.Sprintf("name: CPU %d", i), 1))
		case k%5 == 3: // an editor's rename save
			tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".swp")
			write(t, tmp, text("Renamed", body))
			noErr(t, os.Rename(tmp, p))
		default: // in place
			write(t, p, text("In place", body))
		}
		if i%40 == 39 {
			// A pause longer than the watcher's debounce: rebuilds happen
			// mid-churn, not only once at the end.
			time.Sleep(30 * time.Millisecond)
		}
	}
	// The last edit of all, in place and by rename.
	reloadsMu.Lock()
	before := len(reloads)
	reloadsMu.Unlock()
	final := page(3)
	write(t, final, text("Final", "FINAL-TEXT-IN-PLACE"))
	renamed := page(4)
	tmp := renamed + ".tmp"
	write(t, tmp, text("Final", "FINAL-TEXT-RENAMED"))
	noErr(t, os.Rename(tmp, renamed))
	churn := time.Since(start)

	churnWait(t, 30*time.Second, "the final edits served", func() bool {
		_, a := get("/s3/p03/")
		_, b := get("/s0/p04/")
		_, c := get(fmt.Sprintf("/s1/moved-%d/m2/", folders))
		return strings.Contains(a, "FINAL-TEXT-IN-PLACE") && strings.Contains(b, "FINAL-TEXT-RENAMED") && strings.Contains(c, fmt.Sprintf("Moved %d.2", folders))
	})
	// The browser was told: reloads after the final edits name both
	// pages (or reload everything).
	churnWait(t, 10*time.Second, "a reload of the final pages", func() bool {
		reloadsMu.Lock()
		defer reloadsMu.Unlock()
		after := strings.Join(reloads[before:], "\n")
		return strings.Contains(after, `"all":true`) || (strings.Contains(after, "/s3/p03/") && strings.Contains(after, "/s0/p04/"))
	})
	if code, _ := get(fmt.Sprintf("/folder-%d/m0/", folders)); code != http.StatusNotFound {
		t.Errorf("a folder's old place is still served: %d", code)
	}
	if code, _ := get(fmt.Sprintf("/s1/moved-%d/m0/", folders-2)); code != http.StatusNotFound {
		t.Errorf("a removed folder is still served: %d", code)
	}
	if code, body := get("/dashboards/demo/cpu/"); code != 200 || !strings.Contains(body, "CPU 1998") {
		t.Errorf("the last dashboard edit is not served: %d", code)
	}
	if s := srv.Site(); s.HasErrors() || s.Dashboards == nil || len(s.Dashboards.Resources) != 4 {
		t.Errorf("the final site has errors or lacks resources: %v", s.Diagnostics)
	}
	t.Logf("%d edits in %s: %d rebuilds, %d messages to the browser", edits, churn.Round(time.Millisecond), rebuilds.Load(), messages.Load())

	// No growth: goroutines and files come back to the steady state (the
	// watcher may have added a few folders), the heap stays bounded.
	churnWait(t, 10*time.Second, "goroutines and open files back to their baseline", func() bool {
		return runtime.NumGoroutine() <= goroutines1+5 && openFDs(t) <= fds1+10
	})
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > heap1+128<<20 {
		t.Errorf("heap in use grew from %d MiB to %d MiB", heap1>>20, ms.HeapInuse>>20)
	}
	t.Logf("goroutines %d → %d, open files %d → %d, heap %d → %d MiB", goroutines1, runtime.NumGoroutine(), fds1, openFDs(t), heap1>>20, ms.HeapInuse>>20)

	// Clean shutdown: Run returns when its context ends, the browser's
	// stream ends, and what the server held is released.
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of its context ending")
	}
	select {
	case <-evDone:
	case <-time.After(5 * time.Second):
		t.Error("the event stream is still open after shutdown")
	}
	evCancel()
	client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	churnWait(t, 10*time.Second, "goroutines and open files released after shutdown", func() bool {
		return runtime.NumGoroutine() <= goroutines0+3 && openFDs(t) <= fds0+3
	})
}

// openFDs counts the process's open file descriptors, or -1 where
// /proc/self/fd does not exist (then the counts are not compared).
func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// churnWait polls cond until it holds or the time is up.
func churnWait(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s (goroutines %d, open files %d)", what, limit, runtime.NumGoroutine(), openFDs(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
