package cli

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestServeOpenURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080/",
		"0.0.0.0:8080":   "http://127.0.0.1:8080/ all",
		"[::]:9000":      "http://127.0.0.1:9000/ all",
		"[::1]:9000":     "http://[::1]:9000/",
		"10.1.2.3:80":    "http://10.1.2.3:80/",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		url, all := openURL(a)
		if all {
			url += " all"
		}
		if url != want {
			t.Errorf("%s: %s, want %s", addr, url, want)
		}
	}
}

// `serve --bind 0.0.0.0` prints an address a browser can open, and says it
// listens on all interfaces.
func TestServeBindAllPrintsAnOpenableURL(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "content"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "content", "index.md"), []byte("# Home\n\nWelcome.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sout, serr, stop := background(t, "serve", "--root", dir, "--cache-dir", "off", "--port", "0", "--bind", "0.0.0.0")
	re := regexp.MustCompile(`on (http://\S+/) \(Ctrl-C to stop, listening on all interfaces\)`)
	var url string
	waitFor(t, "the server", func() bool {
		m := re.FindStringSubmatch(sout.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, sout, serr)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("printed %s", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Welcome") {
		t.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}
