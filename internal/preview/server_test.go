package preview

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/preview/live"
	"github.com/pyrobuild/pyrobuild/internal/preview/proxy"
	"github.com/pyrobuild/pyrobuild/internal/site"
	"github.com/pyrobuild/pyrobuild/internal/site/sitediag"
)

// serveFixture is a small site in a temporary folder, served by a real
// Server on a real socket.
type serveFixture struct {
	t    *testing.T
	root string
	url  string
	srv  *Server
}

const fixtureDashboards = `kind: Project
metadata:
  name: demo
---
kind: Datasource
metadata:
  name: pyro
  project: demo
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: PYROSCOPE_URL
---
kind: Dashboard
metadata:
  name: cpu
  project: demo
spec:
  display:
    name: CPU
  duration: 1h
  panels:
    api:
      kind: Panel
      spec:
        display:
          name: API
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: cpu
                  query: '{service_name="burner"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - x: 0
            y: 0
            width: 24
            height: 14
            content:
              $ref: '#/spec/panels/api'
`

func newServeFixture(t *testing.T, pyroscopeURL string) *serveFixture {
	t.Helper()
	return newServeFixtureWith(t, pyroscopeURL, nil)
}

// newServeFixtureWith is newServeFixture with a chance to change the site's
// files before the first build.
func newServeFixtureWith(t *testing.T, pyroscopeURL string, setup func(root string)) *serveFixture {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "content", "index.md"), "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n")
	write(t, filepath.Join(root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nFirst version of A.\n")
	write(t, filepath.Join(root, "content", "guide", "b.md"), "---\ntitle: Page B\n---\n\n# Page B\n\nSee [A](a.md).\n")
	write(t, filepath.Join(root, "dashboards", "all.yaml"), strings.ReplaceAll(fixtureDashboards, "PYROSCOPE_URL", pyroscopeURL))
	write(t, filepath.Join(root, "templates", "assets", "css", "extra.css"), "body { margin: 0 }\n")
	if setup != nil {
		setup(root)
	}
	b, err := site.NewBuilder(site.Config{Root: root, Dashboards: []string{filepath.Join(root, "dashboards")}, Preview: true,
		CompilerCache: t.TempDir()}) // as the command does for $PYROBUILD_CACHE
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(context.Background(), b, ServeOptions{Debounce: 10 * time.Millisecond, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	return &serveFixture{t: t, root: root, url: runServer(t, srv, "127.0.0.1:0"), srv: srv}
}

// runServer runs srv on addr until the test ends and returns its URL.
func runServer(t *testing.T, srv *Server, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// write writes text to p. A file that does not exist yet appears whole (written beside it, then
// renamed): os.WriteFile creates it empty first, and a rebuild that reads
// it in that moment sees an empty page, which changes the navigation of
// every page. Under load that made the tests that add a page see every
// page reload. An existing file is written in place, as editors that save
// in place do.
func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err == nil {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".new")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func (f *serveFixture) get(path string) (int, string) {
	f.t.Helper()
	resp, err := http.Get(f.url + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// events connects to the event stream and returns the messages as they
// come.
func (f *serveFixture) events() <-chan live.Message {
	f.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", f.url+live.EventsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make(chan live.Message, 64)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var m live.Message
			if json.Unmarshal([]byte(line), &m) == nil {
				out <- m
			}
		}
		close(out)
	}()
	return out
}

// next waits for the first message of one of the types.
func next(t *testing.T, ch <-chan live.Message, types ...string) live.Message {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatal("event stream closed")
			}
			if slices.Contains(types, m.Type) {
				return m
			}
		case <-timeout:
			t.Fatalf("no %v message within 5 s", types)
		}
	}
}

func TestServeInjectsReloadScriptOnlyWhenServing(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	code, body := f.get("/guide/a/")
	if code != 200 || !strings.Contains(body, live.ScriptPath) || !strings.Contains(body, "First version of A") {
		t.Fatalf("GET /guide/a/: %d, script injected: %v", code, strings.Contains(body, live.ScriptPath))
	}
	out := filepath.Join(t.TempDir(), "public")
	if s, err := f.srv.b.Write(context.Background(), out); err != nil || s.HasErrors() {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "guide", "a", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), live.ScriptPath) || strings.Contains(string(data), "_pyrobuild") {
		t.Error("a built page carries the preview's script")
	}
	if code, _ := f.get("/guide/a"); code != 200 {
		t.Errorf("GET /guide/a (no slash): %d", code)
	}
	if code, body := f.get("/nope/"); code != 404 || !strings.Contains(body, "Page not found") {
		t.Errorf("missing page: %d", code)
	}
}

func TestServeNeverReadsOutsideTheSite(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	secret := filepath.Join(filepath.Dir(f.root), "secret.txt")
	write(t, secret, "TOP-SECRET")
	// A symbolic link in content/ to a file outside it is not published.
	if err := os.Symlink(secret, filepath.Join(f.root, "content", "leak.txt")); err != nil {
		t.Fatal(err)
	}
	// Nor is one in templates/ (it would be an asset, at /assets/leak.css).
	if err := os.Symlink(secret, filepath.Join(f.root, "templates", "assets", "leak.css")); err != nil {
		t.Fatal(err)
	}
	changed := []string{filepath.Join(f.root, "content", "leak.txt"), filepath.Join(f.root, "templates", "assets", "leak.css")}
	f.srv.b.Invalidate(changed)
	f.srv.rebuild(context.Background(), changed, time.Now())
	for _, p := range []string{"/../secret.txt", "/assets/leak.css", "/%2e%2e/secret.txt", "/guide/..%2f..%2fsecret.txt", "/..%5csecret.txt",
		"/leak.txt", "//etc/passwd", "/assets/../../../etc/passwd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd"} {
		req, _ := http.NewRequest("GET", f.url+"/", nil)
		req.URL.RawPath, req.URL.Path = "", ""
		req.URL.Opaque = p
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "TOP-SECRET") || strings.Contains(string(body), "root:") {
			t.Errorf("%s leaked a file outside the site", p)
		}
	}
}

func TestServeReloadsOnlyChangedPages(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	ev := f.events()
	next(t, ev, "ok")

	// In-place save of page A: only A reloads (B links to A but shows no
	// text of it).
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nSecond version of A.\n")
	m := next(t, ev, "reload")
	if !slices.Equal(m.Pages, []string{"/guide/a/"}) || m.All {
		t.Errorf("after editing A: pages %v (all=%v), want only /guide/a/", m.Pages, m.All)
	}
	if _, body := f.get("/guide/a/"); !strings.Contains(body, "Second version of A") {
		t.Error("the server still serves the old page")
	}

	// An editor's save: write a temporary file, rename it over the page.
	tmp := filepath.Join(f.root, "content", "guide", ".b.md.swp")
	write(t, tmp, "---\ntitle: Page B\n---\n\n# Page B\n\nRenamed into place.\n")
	if err := os.Rename(tmp, filepath.Join(f.root, "content", "guide", "b.md")); err != nil {
		t.Fatal(err)
	}
	m = next(t, ev, "reload")
	if !slices.Contains(m.Pages, "/guide/b/") {
		t.Errorf("after a rename save of B: pages %v", m.Pages)
	}

	// A new page changes the navigation of its section: the pages there
	// reload; the home page shows the section folded and does not.
	write(t, filepath.Join(f.root, "content", "guide", "c.md"), "# Page C\n")
	m = next(t, ev, "reload")
	if !slices.Contains(m.Pages, "/guide/a/") || !slices.Contains(m.Pages, "/guide/c/") || slices.Contains(m.Pages, "/") {
		t.Errorf("after adding C: pages %v", m.Pages)
	}

	// A broken link shows as an error in the browser, then clears.
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "# Page A\n\n[gone](nowhere.md)\n")
	m = next(t, ev, "errors")
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Where, "a.md:3:") || m.Problems[0].Code != string(sitediag.CodeBrokenLink) || m.Problems[0].Excerpt == "" {
		t.Errorf("errors message: %+v", m.Problems)
	}
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "# Page A\n\nFixed.\n")
	next(t, ev, "ok")

	// A broken dashboard too, reported at its line.
	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	orig, _ := os.ReadFile(dash)
	write(t, dash, strings.Replace(string(orig), "profileType: cpu", "profileType: cpuu", 1))
	m = next(t, ev, "errors")
	if len(m.Problems) == 0 || !strings.Contains(m.Problems[0].Where, "all.yaml:") || !strings.Contains(m.Problems[0].Message, "cpuu") {
		t.Errorf("dashboard error: %+v", m.Problems)
	}
	write(t, dash, string(orig))
	next(t, ev, "ok")
}

func TestServeSwapsStylesheetsInPlace(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	ev := f.events()
	next(t, ev, "ok")
	// Overriding the theme's stylesheet: browsers swap it, no page reloads
	// (only the stylesheet's version in each page's <link> changed).
	write(t, filepath.Join(f.root, "templates", "assets", "css", "site.css"), "body { color: blue }\n")
	m := next(t, ev, "reload")
	if len(m.CSS) != 1 || !strings.HasPrefix(m.CSS[0], "/assets/css/site.css?v=") || len(m.Pages) > 0 || m.All {
		t.Errorf("stylesheet change: %+v", m)
	}
}

// A broken template keeps the last good build served, under the overlay,
// and the page comes back when the template is fixed; no reload is asked
// for while it is broken (the browser would only load a worse page).
func TestServeKeepsLastGoodBuildWhileTemplatesAreBroken(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	ev := f.events()
	first := next(t, ev, "ok")
	layout := filepath.Join(f.root, "templates", "layouts", "page.html")
	orig, err := os.ReadFile("../../templates/layouts/page.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, text, where, excerpt string }{
		{"syntax error", "{{ if }}\n" + string(orig), "page.html:1", "{{ if }}"},
		{"execution error", "<p>{{ .Nope.Bad }}</p>\n" + string(orig), "page.html:1:", ".Nope.Bad"},
	} {
		write(t, layout, tc.text)
		m := next(t, ev, "errors", "reload")
		if m.Type != "errors" {
			t.Fatalf("%s: a reload was asked for: %+v", tc.name, m)
		}
		if len(m.Problems) != 1 || m.Problems[0].Code != string(sitediag.CodeTemplate) || !strings.HasSuffix(strings.SplitN(m.Problems[0].Where, ":", 2)[0], filepath.Join("templates", "layouts", "page.html")) ||
			!strings.Contains(m.Problems[0].Where, tc.where) || !strings.Contains(m.Problems[0].Excerpt, tc.excerpt) {
			t.Errorf("%s: problems %+v", tc.name, m.Problems)
		}
		if m.Build != first.Build {
			t.Errorf("%s: build %s, want the last good one %s", tc.name, m.Build, first.Build)
		}
		for path, want := range map[string]string{"/guide/a/": "First version of A", "/nope/": "Page not found", "/assets/css/extra.css": "margin: 0"} {
			code, body := f.get(path)
			if code == 500 || !strings.Contains(body, want) {
				t.Errorf("%s: GET %s: %d, want the last good build's (%q)", tc.name, path, code, want)
			}
			if strings.HasSuffix(path, "/") && !strings.Contains(body, live.ScriptPath) {
				t.Errorf("%s: GET %s: no reload script", tc.name, path)
			}
		}
	}
	if err := os.Remove(layout); err != nil {
		t.Fatal(err)
	}
	if m := next(t, ev, "ok"); m.Build != first.Build {
		t.Errorf("fixed: build %s, want %s", m.Build, first.Build)
	}

	// A page with broken front matter keeps its last good version too.
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: [unclosed\n---\n\n# Page A\n\nBroken.\n")
	m := next(t, ev, "errors")
	if len(m.Problems) == 0 || m.Problems[0].Code != string(sitediag.CodeFrontMatter) {
		t.Errorf("front matter: %+v", m.Problems)
	}
	if code, body := f.get("/guide/a/"); code != 200 || !strings.Contains(body, "First version of A") {
		t.Errorf("GET /guide/a/ with broken front matter: %d", code)
	}
	// Still there after another rebuild that leaves it broken.
	write(t, filepath.Join(f.root, "content", "guide", "b.md"), "---\ntitle: Page B\n---\n\n# Page B\n\nB again.\n")
	next(t, ev, "reload")
	if code, body := f.get("/guide/a/"); code != 200 || !strings.Contains(body, "First version of A") {
		t.Errorf("GET /guide/a/ with broken front matter, after another edit: %d", code)
	}
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nFixed A.\n")
	next(t, ev, "ok")
	if _, body := f.get("/guide/a/"); !strings.Contains(body, "Fixed A") {
		t.Error("the fixed page is not served")
	}
}

// With templates broken from the start there is no page to show: the
// server answers with its own error page, which lists the problems and
// carries the reload script, and asks for a reload once the site builds.
func TestServeErrorPageUntilTheFirstGoodBuild(t *testing.T) {
	f := newServeFixtureWith(t, "http://127.0.0.1:1", func(root string) {
		write(t, filepath.Join(root, "templates", "layouts", "page.html"), "<main>{{ .Nope.Bad }}</main>\n")
	})
	ev := f.events()
	m := next(t, ev, "errors")
	if len(m.Problems) != 1 || !strings.Contains(m.Problems[0].Where, "page.html:1:") {
		t.Errorf("problems: %+v", m.Problems)
	}
	for _, path := range []string{"/", "/guide/a/", "/nope/"} {
		code, body := f.get(path)
		if code != 500 || !strings.Contains(body, live.ScriptPath) || !strings.Contains(body, `data-pb-fallback="1"`) ||
			!strings.Contains(body, "page.html:1:") || !strings.Contains(body, "can&#39;t evaluate field Nope") {
			t.Errorf("GET %s: %d\n%s", path, code, body)
		}
	}
	if code, _ := f.get("/assets/css/extra.css"); code != 200 {
		t.Errorf("GET a stylesheet: %d", code)
	}
	if err := os.Remove(filepath.Join(f.root, "templates", "layouts", "page.html")); err != nil {
		t.Fatal(err)
	}
	m = next(t, ev, "reload")
	if !slices.Contains(m.Pages, "/guide/a/") {
		t.Errorf("reload after the fix: %+v", m)
	}
	next(t, ev, "ok")
	if code, body := f.get("/guide/a/"); code != 200 || !strings.Contains(body, "First version of A") {
		t.Errorf("GET /guide/a/ after the fix: %d", code)
	}
}

// getHost sends GET path to url with the Host header set to host.
func getHost(t *testing.T, url, path, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Bound to loopback, the server answers only to loopback names: a page of
// another site whose name is made to resolve to 127.0.0.1 (DNS rebinding)
// must not read the preview, nor the datasources through its proxy.
func TestServeRefusesForeignHostsOnLoopback(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	port := f.url[strings.LastIndex(f.url, ":")+1:]
	for _, host := range []string{"localhost", "localhost:" + port, "LOCALHOST:" + port, "127.0.0.1:" + port, "127.0.0.1",
		"[::1]:" + port, "[::1]", "docs.localhost:" + port, "127.1.2.3:" + port, "localhost.:" + port} {
		if code, body := getHost(t, f.url, "/guide/a/", host); code != 200 || !strings.Contains(body, "First version of A") {
			t.Errorf("Host %s: %d", host, code)
		}
	}
	for _, host := range []string{"evil.example.com", "evil.example.com:" + port, "localhost.evil.example.com:" + port,
		"127.0.0.1.nip.io:" + port, "192.168.1.10:" + port, "[::ffff:8.8.8.8]:" + port, "0.0.0.0:" + port} {
		for _, path := range []string{"/guide/a/", "/_pyrobuild/proxy/demo/pyro/pyroscope/render?query=x", live.EventsPath, live.ScriptPath} {
			code, body := getHost(t, f.url, path, host)
			if code != http.StatusForbidden || !strings.Contains(body, "only to localhost") || strings.Contains(body, "Page A") {
				t.Errorf("Host %s, %s: %d %q", host, path, code, body)
			}
		}
	}
}

// Bound to every interface (--bind 0.0.0.0), the user asked to be reached
// under any name.
func TestServeAcceptsAnyHostWhenBoundToTheNetwork(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "content", "index.md"), "# Home\n\nWelcome.\n")
	b, err := site.NewBuilder(site.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(context.Background(), b, ServeOptions{Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	u := runServer(t, srv, "0.0.0.0:0")
	u = "http://127.0.0.1:" + u[strings.LastIndex(u, ":")+1:]
	if code, body := getHost(t, u, "/", "docs.example.com"); code != 200 || !strings.Contains(body, "Welcome") {
		t.Errorf("Host docs.example.com: %d", code)
	}
}

// A Go dashboard's build depends on more than the --dashboards folder: the
// packages it imports from its module, wherever they are, and go.mod.
// Changing one recompiles the dashboards.
func TestServeRecompilesWhenAnImportedPackageChanges(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not installed")
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "module example.com/site\n\ngo 1.26.0\n\nrequire github.com/pyrobuild/pyrobuild v0.0.0\n\nreplace github.com/pyrobuild/pyrobuild => "+filepath.ToSlash(repo)+"\n")
	write(t, filepath.Join(root, "shared", "names.go"), "package shared\n\nconst Project = \"team\"\n")
	write(t, filepath.Join(root, "dashboards", "main.go"), `package main

import (
	"example.com/site/shared"
	"github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	dac.Emit(dac.Project(shared.Project), dac.Datasource(shared.Project, "pyro", dac.Default(), dac.DirectURL("http://pyroscope:4040")))
}
`)
	write(t, filepath.Join(root, "content", "index.md"), "# Home\n")
	b, err := site.NewBuilder(site.Config{Root: root, Dashboards: []string{filepath.Join(root, "dashboards")}, Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(context.Background(), b, ServeOptions{Debounce: 10 * time.Millisecond, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	projects := func() []string {
		var out []string
		for _, r := range srv.Site().Dashboards.Resources {
			if r.Kind == "Project" {
				out = append(out, r.Name)
			}
		}
		return out
	}
	if got := projects(); !slices.Equal(got, []string{"team"}) {
		t.Fatalf("projects %v, diagnostics:\n%s", got, diagText(srv.Site().Diagnostics))
	}
	f := &serveFixture{t: t, root: root, url: runServer(t, srv, "127.0.0.1:0"), srv: srv}
	ev := f.events()
	next(t, ev, "ok")
	write(t, filepath.Join(root, "shared", "names.go"), "package shared\n\nconst Project = \"platform\"\n")
	deadline := time.Now().Add(2 * time.Minute) // a go build on a busy machine
	for !slices.Equal(projects(), []string{"platform"}) {
		if time.Now().After(deadline) {
			t.Fatalf("the imported package changed; projects still %v", projects())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeCompressedPages checks the pages the server keeps packed: sent
// as gzip to clients that take it, plain to the rest, the same page with
// the reload script either way.
func TestServeCompressedPages(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	cur := f.srv.cur.Load()
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path, accept string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.url+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	for _, name := range []string{"index.html", "guide/a/index.html", "dashboards/demo/cpu/index.html"} {
		if cur.site.Packed(name) == nil {
			t.Fatalf("%s is not packed", name)
		}
		page, _ := cur.site.File(name)
		want := live.Inject(proxy.InjectToken(page, f.srv.token), cur.build)
		path := "/" + strings.TrimSuffix(name, "index.html")

		resp, body := get(path, "gzip, deflate, br")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s with gzip: Content-Encoding %q, Vary %q", path, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
		}
		if resp.ContentLength != int64(len(body)) {
			t.Errorf("%s with gzip: Content-Length %d for %d bytes", path, resp.ContentLength, len(body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s with gzip: %v; page differs from the built one with the script", path, err)
		}

		resp, body = get(path, "")
		if resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
			t.Errorf("%s without gzip: Content-Encoding %q; page differs from the built one with the script", path, resp.Header.Get("Content-Encoding"))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}

		req, _ := http.NewRequest("HEAD", f.url+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		head, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		head.Body.Close()
		if head.StatusCode != 200 || head.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("HEAD %s: %d, Content-Encoding %q", path, head.StatusCode, head.Header.Get("Content-Encoding"))
		}
	}
	// The search index is kept as the pages' fragments, joined when asked.
	resp, body := get("/search-index.json", "gzip")
	var index []map[string]string
	if resp.StatusCode != 200 || json.Unmarshal(body, &index) != nil || len(index) == 0 {
		t.Fatalf("search-index.json: %d, %d bytes", resp.StatusCode, len(body))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("search-index.json: Content-Type %q", ct)
	}
	// A page edited: the server sends the new version, with the new build.
	write(t, filepath.Join(f.root, "content", "guide", "a.md"), "---\ntitle: Page A\n---\n\n# Page A\n\nSecond version of A.\n")
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.cur.Load() == cur && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	next := f.srv.cur.Load()
	if next == cur {
		t.Fatal("no rebuild after an edit")
	}
	_, body = get("/guide/a/", "gzip")
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if !strings.Contains(string(got), "Second version of A") || !strings.Contains(string(got), `data-build="`+next.build+`"`) {
		t.Errorf("edited page, as served:\n%s", got)
	}
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Pos.String() + ": " + d.Severity.String() + ": " + d.Message + " [" + string(d.Code) + "]\n")
	}
	return b.String()
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                        false,
		"gzip":                    true,
		"gzip, deflate, br, zstd": true,
		"deflate, br":             false,
		"br;q=1.0, gzip;q=0.8":    true,
		"gzip;q=0":                false,
		"GZIP; Q=0.5":             true,
		"x-gzip":                  true,
		"*":                       true,
		"*;q=0":                   false,
		"gzip;q=0, *":             false,
		"*;q=0, gzip":             true,
		"identity":                false,
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", header, got, want)
		}
	}
}

// TestNewServerCancelled: the first build stops when its context ends.
func TestNewServerCancelled(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "content", "index.md"), "# Home\n")
	b, err := site.NewBuilder(site.Config{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewServer(ctx, b, ServeOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
