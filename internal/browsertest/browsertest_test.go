package browsertest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNew starts the browser, loads a page, reads it back and saves a
// screenshot, which must be a PNG.
func TestNew(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>t</title><p id="p">hello</p><script>document.getElementById("p").textContent += " from js"</script>`)
	}))
	defer srv.Close()
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("p").textContent`))
	if err != nil || text != "hello from js" {
		t.Fatalf("text %q, %v", text, err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`))
	if err != nil || width != Width {
		t.Errorf("window width %d, %v; want %d", width, err, Width)
	}
	Screenshot(t, ctx, "hello page")
	b, err := os.ReadFile(filepath.Join(t.ArtifactDir(), "hello_page.png"))
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v, %d bytes", err, len(b))
	}
}

// TestMissingBrowser: without a browser the test skips, or fails under
// PYROBUILD_BROWSER_TESTS=1.
func TestMissingBrowser(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	t.Setenv(RequireEnv, "")
	ok := t.Run("skips", func(t *testing.T) {
		New(t)
		t.Error("New returned without a browser")
	})
	if !ok {
		t.Error("the subtest failed instead of skipping")
	}
}

// stopTB records how New gave up; Fatalf and Skipf stop New by panicking,
// as the real ones stop the test goroutine.
type stopTB struct {
	testing.TB
	how string
}

type stopped struct{}

func (s *stopTB) Fatalf(string, ...any) { s.how = "fatal"; panic(stopped{}) }
func (s *stopTB) Skipf(string, ...any)  { s.how = "skip"; panic(stopped{}) }
func (s *stopTB) Helper()               {}

func TestMissingBrowserRequired(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	for env, want := range map[string]string{"1": "fatal", "": "skip", "0": "skip"} {
		t.Setenv(RequireEnv, env)
		tb := &stopTB{TB: t}
		func() {
			defer func() {
				if r := recover(); r != nil && r != (stopped{}) {
					panic(r)
				}
			}()
			New(tb)
		}()
		if tb.how != want {
			t.Errorf("%s=%q: New did %q, want %q", RequireEnv, env, tb.how, want)
		}
	}
}
