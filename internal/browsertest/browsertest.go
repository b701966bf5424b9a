// Package browsertest drives a headless Chromium from Go tests, for the
// checks only a real browser can make: that the preview's scripts draw,
// react to the mouse and the keyboard, and show the right states.
//
// Tests skip when no Chromium is installed, so `go test ./...` works on any
// machine; CI sets PYROBUILD_BROWSER_TESTS=1 so that a missing browser
// fails instead of silently skipping the browser tests.
package browsertest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// RequireEnv is the environment variable that turns a missing browser from
// a skip into a failure.
const RequireEnv = "PYROBUILD_BROWSER_TESTS"

// Width and Height are the browser window's size, fixed so screenshots and
// layout assertions do not depend on the machine.
const (
	Width  = 1280
	Height = 900
)

// findChromium returns the browser binary: $CHROMIUM, else the Debian
// package's /usr/bin/chromium, else one on PATH.
func findChromium() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", errors.New("$CHROMIUM is " + p + ", which does not exist")
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (set $CHROMIUM, or apt-get install chromium)")
}

// New starts a headless Chromium with a fresh profile under t.TempDir and
// returns a context with one tab, for chromedp.Run and chromedp.Do. The
// browser stops when the test ends. The page's console errors and uncaught
// exceptions are logged to t, so a broken script explains itself.
//
// Without a browser the test is skipped, unless PYROBUILD_BROWSER_TESTS=1.
func New(t testing.TB) context.Context {
	t.Helper()
	bin, err := findChromium()
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("browser test: %v; %s=1 requires it", err, RequireEnv)
		}
		t.Skipf("browser test skipped: %v", err)
	}
	// The profile lives in the test's temporary folder, which is removed
	// after the cleanups below have stopped the browser (cleanups run last
	// registered, first run).
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(Width, Height),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // containers and CI runners have no user namespaces
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), // no traffic but the test's own
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is tiny in many containers
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Do starts the browser and binds its life to ctx, which has
	// no deadline: tests put timeouts on contexts derived from it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	logConsole(t, ctx)
	return ctx
}

// logConsole logs the page's errors and exceptions until the test ends.
func logConsole(t testing.TB, ctx context.Context) {
	cctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	messages := chromedp.Console(cctx)
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || m.Type == "warning" {
				t.Logf("browser console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
			}
		}
	})
	// Stopped and waited for before the test completes: logging after that
	// would panic.
	t.Cleanup(func() {
		stop()
		wg.Wait()
	})
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a PNG of the whole page as name.png in t.ArtifactDir()
// and logs where. Run `go test -artifacts -outputdir DIR` to keep the
// images; otherwise the folder is temporary, like t.TempDir. A failure to
// take it is reported, not fatal: a screenshot is evidence, not a check.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is PNG
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(t.ArtifactDir(), unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}
