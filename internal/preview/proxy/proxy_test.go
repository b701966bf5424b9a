package proxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/proxyroute"
)

// Secret values of the test sources: none may appear in any answer or log.
const (
	basicPassword   = "s3cr3t-basic-pw"
	fileToken       = "tok-from-file-123"
	rotatedToken    = "tok-rotated-456"
	globalCred      = "g-cred-789"
	browserToken    = "browser-token-000"
	browserCookie   = "session=browser-cookie-000"
	upstreamCookie  = "upstream=cookie-value"
	fakeTenant      = "tenant-a"
	redirectElsewhr = "http://elsewhere.example/login"
)

func secrets() []string {
	return []string{basicPassword, base64.StdEncoding.EncodeToString([]byte("perses:" + basicPassword)),
		fileToken, rotatedToken, globalCred, browserToken, "browser-cookie-000"}
}

// upstream is a fake Pyroscope answering with recorded responses. It
// records what reached it.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func (u *upstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.reqs...)
}

func (u *upstream) last(t *testing.T) *http.Request {
	t.Helper()
	rs := u.requests()
	if len(rs) == 0 {
		t.Fatal("the upstream received no request")
	}
	return rs[len(rs)-1]
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	render, nodata, types := fixture("render_cpu_max16.json"), fixture("render_cpu_nodata.json"), fixture("ProfileTypes.json")
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.reqs = append(u.reqs, r.Clone(r.Context()))
		u.mu.Unlock()
		w.Header().Set("Set-Cookie", upstreamCookie)
		p := strings.TrimPrefix(r.URL.Path, "/prefix")
		q := r.URL.Query().Get("query")
		switch {
		case p == "/pyroscope/render" && r.Method == http.MethodGet:
			switch {
			case q == "":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"code":"invalid_argument","message":"\"query\" is required"}`)
			case strings.Contains(q, "slow"):
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			case strings.Contains(q, "chunked"):
				w.Header().Set("Content-Type", "application/json")
				w.(http.Flusher).Flush() // no Content-Length: the size is learnt by reading
				w.Write(render)
			case strings.Contains(q, "redirect"):
				http.Redirect(w, r, redirectElsewhr, http.StatusFound)
			case strings.Contains(q, "notflame"):
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><body>Grafana login</body></html>")
			case strings.Contains(q, "badframes"):
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"version":1,"flamebearer":{"names":["total"],"levels":[[0,10,0,0],[0,20,20,3]],"numTicks":10,"maxSelf":20},"metadata":{"format":"single"}}`)
			case strings.Contains(q, "nonexistent"):
				w.Header().Set("Content-Type", "application/json")
				w.Write(nodata)
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Write(render)
			}
		case strings.HasPrefix(p, "/querier.v1.QuerierService/") && r.Method == http.MethodPost:
			if r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(http.StatusUnsupportedMediaType)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(types)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// compile compiles YAML sources the way pyrobuild does and returns the
// resources; any error diagnostic fails the test.
func compile(t *testing.T, files map[string]string) []*model.Resource {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity == diag.Error {
			t.Fatalf("compiling the test sources: %s (%s)", d, d.Hint)
		}
	}
	return res.Resources
}

// deadURL is an address nothing listens on.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

const sources = `
kind: Project
metadata: {name: profiling}
---
kind: Datasource
metadata: {name: direct, project: profiling}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "UPSTREAM"}}
---
kind: Datasource
metadata: {name: proxied, project: profiling}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: UPSTREAM
          allowedEndpoints:
            - {endpointPattern: ^/pyroscope/render$, method: GET}
            - {endpointPattern: '^/querier\.v1\.QuerierService/(ProfileTypes|LabelNames|LabelValues)$', method: POST}
          headers: {X-Scope-OrgID: tenant-a}
          secret: basic
---
kind: Secret
metadata: {name: basic, project: profiling}
spec: {basicAuth: {username: perses, password: s3cr3t-basic-pw}}
---
kind: Datasource
metadata: {name: tokenfile, project: profiling}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: "UPSTREAM/prefix/", secret: token}}
---
kind: Secret
metadata: {name: token, project: profiling}
spec: {authorization: {credentialsFile: TOKENFILE}}
---
kind: Datasource
metadata: {name: withoauth, project: profiling}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: UPSTREAM, secret: oauth}}
---
kind: Secret
metadata: {name: oauth, project: profiling}
spec: {oauth: {clientID: id, clientSecret: s, tokenURL: "http://auth.example/token"}}
---
kind: Datasource
metadata: {name: nosecret, project: profiling}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: UPSTREAM, secret: missing}}
---
kind: Datasource
metadata: {name: dead, project: profiling}
spec:
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "DEAD"}}
---
kind: Datasource
metadata: {name: prom, project: profiling}
spec:
  plugin: {kind: PrometheusDatasource, spec: {directUrl: "UPSTREAM"}}
---
kind: GlobalDatasource
metadata: {name: shared}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: UPSTREAM, secret: gsecret}}
---
kind: GlobalSecret
metadata: {name: gsecret}
spec: {authorization: {type: Token, credentials: g-cred-789}}
---
kind: Dashboard
metadata: {name: cpu, project: profiling}
spec:
  datasources:
    local:
      default: false
      plugin: {kind: PyroscopeDatasource, spec: {directUrl: "UPSTREAM"}}
  panels: {}
  layouts: []
`

// fixture is a running preview proxy, mounted under /proxy/ like serve
// mounts it, in front of the fake Pyroscope.
type fixture struct {
	up        *upstream
	h         *Handler
	srv       *httptest.Server
	tokenFile string
	logs      *syncBuffer
	seen      []string // every answer, headers and body, for the secret scan
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	f := &fixture{up: newUpstream(t), logs: &syncBuffer{}}
	f.tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f.tokenFile, []byte(fileToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer("UPSTREAM", f.up.URL, "DEAD", deadURL(t), "TOKENFILE", f.tokenFile).Replace(sources)
	rs := compile(t, map[string]string{"sources.yaml": src})
	opts.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.h = New(rs, opts)
	f.srv = httptest.NewServer(http.StripPrefix("/proxy", f.h))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { f.scan(t) })
	return f
}

// do sends a request through the proxy, as a browser would, with its own
// credentials and cookies that must not travel on.
func (f *fixture) do(t *testing.T, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+"/proxy"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+browserToken)
	req.Header.Set("Cookie", browserCookie)
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "1")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var hs strings.Builder
	resp.Header.Write(&hs)
	f.seen = append(f.seen, hs.String()+string(b))
	return resp, string(b)
}

// scan checks no secret value reached an answer or a log line.
func (f *fixture) scan(t *testing.T) {
	logs := f.logs.String()
	if !strings.Contains(logs, "preview proxy") {
		t.Errorf("nothing was logged")
	}
	for _, s := range secrets() {
		for _, out := range append(f.seen, logs) {
			if strings.Contains(out, s) {
				t.Errorf("secret value %q leaked in:\n%s", s, out)
			}
		}
	}
}

// proxyError decodes one of the proxy's own errors.
func proxyError(t *testing.T, resp *http.Response, body string, status int) apiError {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	if resp.Header.Get(ErrorHeader) != "proxy" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("headers %v, want the proxy's JSON error", resp.Header)
	}
	var e apiError
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
		t.Fatalf("body %q is not {error, hint}: %v", body, err)
	}
	return e
}

func TestForwardAllowed(t *testing.T) {
	f := newFixture(t, Options{})
	render, _ := os.ReadFile("testdata/render_cpu_max16.json")
	q := "/pyroscope/render?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22burner%22%7D&from=now-1h&until=now"

	t.Run("proxy with basicAuth secret and headers", func(t *testing.T) {
		resp, body := f.do(t, "GET", "/profiling/proxied"+q, "")
		if resp.StatusCode != 200 || body != string(render) {
			t.Fatalf("status %d, body %.80q", resp.StatusCode, body)
		}
		if resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("answer headers %v: want no Set-Cookie, nosniff and a CSP", resp.Header)
		}
		r := f.up.last(t)
		if user, pw, ok := r.BasicAuth(); !ok || user != "perses" || pw != basicPassword {
			t.Errorf("upstream Authorization %q, want the secret's basic auth", r.Header.Get("Authorization"))
		}
		if r.Header.Get("X-Scope-OrgID") != fakeTenant {
			t.Errorf("upstream X-Scope-OrgID %q, want the proxy header", r.Header.Get("X-Scope-OrgID"))
		}
		for _, h := range []string{"Cookie", "X-Hop", "X-Forwarded-For"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("upstream got %s: %q", h, v)
			}
		}
		if got := r.URL.Query().Get("query"); got != `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="burner"}` {
			t.Errorf("upstream query %q", got)
		}
	})
	t.Run("proxy Connect call", func(t *testing.T) {
		resp, _ := f.do(t, "POST", "/profiling/proxied/querier.v1.QuerierService/ProfileTypes", `{"start":1,"end":2}`)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if r := f.up.last(t); r.Method != "POST" || r.URL.Path != "/querier.v1.QuerierService/ProfileTypes" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("upstream got %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
	})
	t.Run("direct URL: no browser credentials", func(t *testing.T) {
		resp, _ := f.do(t, "GET", "/profiling/direct"+q, "")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if a := f.up.last(t).Header.Get("Authorization"); a != "" {
			t.Errorf("upstream got Authorization %q from the browser", a)
		}
		resp, _ = f.do(t, "POST", "/profiling/direct/querier.v1.QuerierService/SelectMergeStacktraces", `{}`)
		if resp.StatusCode != 200 {
			t.Errorf("SelectMergeStacktraces on a direct datasource: status %d", resp.StatusCode)
		}
	})
	t.Run("credentialsFile read at each request, base path kept", func(t *testing.T) {
		f.do(t, "GET", "/profiling/tokenfile"+q, "")
		r := f.up.last(t)
		if a := r.Header.Get("Authorization"); a != "Bearer "+fileToken {
			t.Errorf("upstream Authorization %q, want Bearer and the file's token", a)
		}
		if r.URL.Path != "/prefix/pyroscope/render" {
			t.Errorf("upstream path %q, want the datasource's base path kept", r.URL.Path)
		}
		if err := os.WriteFile(f.tokenFile, []byte(rotatedToken), 0o600); err != nil {
			t.Fatal(err)
		}
		f.do(t, "GET", "/profiling/tokenfile"+q, "")
		if a := f.up.last(t).Header.Get("Authorization"); a != "Bearer "+rotatedToken {
			t.Errorf("after rotation, upstream Authorization %q", a)
		}
		os.Remove(f.tokenFile)
		resp, body := f.do(t, "GET", "/profiling/tokenfile"+q, "")
		e := proxyError(t, resp, body, http.StatusBadGateway)
		if !strings.Contains(e.Error, "does not exist") || !strings.Contains(e.Error, f.tokenFile) {
			t.Errorf("missing credentials file: %+v", e)
		}
	})
	t.Run("global datasource and secret", func(t *testing.T) {
		resp, _ := f.do(t, "GET", proxyroute.Global("shared")+q, "")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if a := f.up.last(t).Header.Get("Authorization"); a != "Token "+globalCred {
			t.Errorf("upstream Authorization %q, want the GlobalSecret's", a)
		}
	})
	t.Run("dashboard datasource", func(t *testing.T) {
		resp, body := f.do(t, "GET", proxyroute.Dashboard("profiling", "cpu", "local")+q, "")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("no data is a 200", func(t *testing.T) {
		resp, body := f.do(t, "GET", "/profiling/direct/pyroscope/render?query=x%7Bservice_name%3D%22nonexistent%22%7D", "")
		if resp.StatusCode != 200 || !strings.Contains(body, `"names":["total"]`) {
			t.Errorf("status %d, body %s", resp.StatusCode, body)
		}
	})
}

func TestDenied(t *testing.T) {
	f := newFixture(t, Options{})
	before := len(f.up.requests())
	tests := []struct {
		method, path string
		status       int
		want         []string // in error or hint
	}{
		{"GET", "/profiling/proxied/pyroscope/labels", 403, []string{"GET /pyroscope/labels is not allowed by datasource profiling/proxied", `GET ^/pyroscope/render$`, "allowedEndpoints"}},
		{"POST", "/profiling/proxied/querier.v1.QuerierService/Series", 403, []string{"POST /querier.v1.QuerierService/Series", "allowedEndpoints"}},
		{"POST", "/profiling/proxied/pyroscope/render", 403, []string{"POST /pyroscope/render"}},
		{"GET", "/profiling/direct/pyroscope/label-values?label=__name__", 403, []string{"directUrl", "read endpoints"}},
		{"POST", "/profiling/direct/ingest", 403, []string{"POST /ingest"}},
		{"GET", "/profiling/direct", 403, []string{"GET / is not allowed"}},
		{"DELETE", "/profiling/direct/pyroscope/render", 405, []string{"DELETE", "GET and POST"}},
		{"PUT", "/profiling/proxied/pyroscope/render", 405, []string{"PUT"}},
		{"GET", "/profiling/proxyed/pyroscope/render", 404, []string{`no Pyroscope datasource "proxyed" in project "profiling"`, `did you mean "proxied"?`}},
		{"GET", "/profiling/shared/pyroscope/render", 404, []string{"GlobalDatasource", "/_global/shared"}},
		{"GET", "/profiling/prom/api/v1/query", 404, []string{"PrometheusDatasource"}},
		{"GET", "/_global/nope/pyroscope/render", 404, []string{"among global datasources"}},
		{"GET", "/other/direct/pyroscope/render", 404, []string{`in project "other"`}},
		{"GET", "/profiling/@cpu/nope/pyroscope/render", 404, []string{"dashboard profiling/cpu"}},
		{"GET", "/profiling", 404, []string{"no datasource in path"}},
		{"GET", "/profiling/withoauth/pyroscope/render", 502, []string{"oauth", "not support"}},
		{"GET", "/profiling/nosecret/pyroscope/render", 502, []string{`Secret "missing"`, "not in the compiled sources"}},
		{"GET", "/profiling/withoauth/pyroscope/labels", 403, []string{"not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := f.do(t, tt.method, tt.path, "")
			e := proxyError(t, resp, body, tt.status)
			for _, w := range tt.want {
				if !strings.Contains(e.Error+" | "+e.Hint, w) {
					t.Errorf("error %q, hint %q: want %q", e.Error, e.Hint, w)
				}
			}
		})
	}
	if n := len(f.up.requests()) - before; n != 0 {
		t.Errorf("%d denied requests reached the upstream", n)
	}
}

// TestTraversal sends hostile paths straight to the handler (a client would
// clean some of them before sending).
func TestTraversal(t *testing.T) {
	f := newFixture(t, Options{})
	h := http.StripPrefix("/proxy", f.h)
	paths := []string{
		"/proxy/profiling/direct/../../etc/passwd",
		"/proxy/profiling/direct/pyroscope/../pyroscope/render",
		"/proxy/profiling/direct/pyroscope/render/..",
		"/proxy/profiling/direct/./pyroscope/render",
		"/proxy/profiling/direct/%2e%2e/pyroscope/render",
		"/proxy/profiling/direct/%2E%2e/%2E%2E/pyroscope/render",
		"/proxy/profiling/direct/pyroscope%2frender",
		"/proxy/profiling/direct/..%2F..%2Fpyroscope/render",
		"/proxy/profiling/direct/pyroscope%5crender",
		"/proxy/profiling/direct//evil.example/pyroscope/render",
		"/proxy/profiling/direct/http://evil.example/pyroscope/render",
		"/proxy/profiling/direct/http:%2F%2Fevil.example/pyroscope/render",
		"/proxy/profiling/direct/https:evil.example/pyroscope/render",
		"/proxy/profiling/direct/pyroscope/render/",
		"/proxy/profiling/direct/pyroscope/render%00",
		"/proxy/profiling/direct/pyroscope/render%0d%0aX-Injected:%201",
		"/proxy/profiling/direct/@evil.example/pyroscope/render",
		"http://evil.example/proxy/profiling/direct/pyroscope/render",
	}
	before := len(f.up.requests())
	for _, p := range paths {
		req := httptest.NewRequest("GET", p+"?query=x", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusForbidden && rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 400, 403 or 404; body %s", p, rec.Code, rec.Body)
		}
		if rec.Header().Get(ErrorHeader) != "proxy" {
			t.Errorf("%s: not the proxy's own error: %v %s", p, rec.Header(), rec.Body)
		}
	}
	if n := len(f.up.requests()) - before; n != 0 {
		t.Errorf("%d hostile requests reached the upstream: %v", n, f.up.requests()[before].URL)
	}
	for _, r := range f.up.requests() {
		if r.Host != strings.TrimPrefix(f.up.URL, "http://") {
			t.Errorf("upstream request for host %q", r.Host)
		}
	}
}

func TestEndpointPath(t *testing.T) {
	good := map[string]string{
		"pyroscope/render":                      "/pyroscope/render",
		"querier.v1.QuerierService/LabelValues": "/querier.v1.QuerierService/LabelValues",
		"a%20b/c":                               "/a b/c",
		"":                                      "/",
	}
	for in, want := range good {
		var segs []string
		if in != "" {
			segs = strings.Split(in, "/")
		}
		if got, err := endpointPath(segs); err != nil || got != want {
			t.Errorf("endpointPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestPassThrough4xx(t *testing.T) {
	f := newFixture(t, Options{})
	resp, body := f.do(t, "GET", "/profiling/proxied/pyroscope/render", "")
	if resp.StatusCode != 400 || body != `{"code":"invalid_argument","message":"\"query\" is required"}` {
		t.Errorf("status %d, body %s: want Pyroscope's 400 unchanged", resp.StatusCode, body)
	}
	if resp.Header.Get(ErrorHeader) != "" {
		t.Error("Pyroscope's own error is marked as the proxy's")
	}
	// Connect wants a JSON content type: its 415 passes through too.
	req, _ := http.NewRequest("POST", f.srv.URL+"/proxy/profiling/proxied/querier.v1.QuerierService/LabelNames", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "text/plain")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("status %d, want the upstream's 415", r2.StatusCode)
	}
}

func TestLimits(t *testing.T) {
	f := newFixture(t, Options{MaxResponseBody: 1000, MaxRequestBody: 100, Timeout: 200 * time.Millisecond})
	for _, q := range []string{"big", "chunked"} {
		resp, body := f.do(t, "GET", "/profiling/direct/pyroscope/render?query="+q, "")
		e := proxyError(t, resp, body, http.StatusBadGateway)
		if !strings.Contains(e.Error, "larger than 1000 bytes") || !strings.Contains(e.Error, "127.0.0.1") {
			t.Errorf("%s: %+v", q, e)
		}
	}
	resp, body := f.do(t, "POST", "/profiling/direct/querier.v1.QuerierService/LabelNames", strings.Repeat("x", 101))
	proxyError(t, resp, body, http.StatusRequestEntityTooLarge)
	before := len(f.up.requests())
	f.do(t, "POST", "/profiling/direct/querier.v1.QuerierService/LabelNames", strings.Repeat(" ", 100))
	if len(f.up.requests()) != before+1 {
		t.Errorf("a body at the limit was not forwarded")
	}

	start := time.Now()
	resp, body = f.do(t, "GET", "/profiling/direct/pyroscope/render?query=slow", "")
	e := proxyError(t, resp, body, http.StatusGatewayTimeout)
	if !strings.Contains(e.Error, "did not answer within 200ms") {
		t.Errorf("timeout: %+v", e)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %s", d)
	}
}

func TestUpstreamFailures(t *testing.T) {
	f := newFixture(t, Options{})
	resp, body := f.do(t, "GET", "/profiling/dead/pyroscope/render?query=x", "")
	e := proxyError(t, resp, body, http.StatusBadGateway)
	if !strings.Contains(e.Error, "cannot reach http://127.0.0.1:") || e.Hint == "" {
		t.Errorf("unreachable: %+v", e)
	}
	resp, body = f.do(t, "GET", "/profiling/proxied/pyroscope/render?query=redirect", "")
	e = proxyError(t, resp, body, http.StatusBadGateway)
	if !strings.Contains(e.Error, "redirect to "+redirectElsewhr) || !strings.Contains(e.Error, "follows no redirects") {
		t.Errorf("redirect: %+v", e)
	}
}

func TestPathFor(t *testing.T) {
	f := newFixture(t, Options{})
	f.do(t, "GET", "/profiling/direct/pyroscope/render?query=x", "") // something to log
	tests := []struct {
		scope, project, dashboard, name, want string
	}{
		{"project", "profiling", "", "proxied", "/profiling/proxied"},
		{"global", "", "", "shared", "/_global/shared"},
		{"dashboard", "profiling", "cpu", "local", "/profiling/@cpu/local"},
		{"project", "profiling", "", "prom", ""},
		{"project", "profiling", "", "shared", ""},
		{"server", "profiling", "", "direct", ""},
	}
	for _, tt := range tests {
		got, ok := f.h.PathFor(tt.scope, tt.project, tt.dashboard, tt.name)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("PathFor(%q, %q, %q, %q) = %q, %v; want %q", tt.scope, tt.project, tt.dashboard, tt.name, got, ok, tt.want)
		}
	}
	if p := proxyroute.Project("my project", "a/b"); p != "/my%20project/a%2Fb" {
		t.Errorf("proxyroute.Project escapes to %q", p)
	}
	// A name with a slash, escaped by proxyroute.Project, still routes to it.
	if _, status, msg, _ := f.h.route(proxyroute.Project("profiling", "a/b") + "/pyroscope/render"); status != 404 || !strings.Contains(msg, `"a/b"`) {
		t.Errorf("escaped name routed to %d %q", status, msg)
	}
}

// A 200 answer of /pyroscope/render that is not a valid flame graph (the
// URL points at another service, or the answer is broken) is not passed on
// to be drawn: the proxy says the answer is invalid, and why.
func TestInvalidRenderAnswer(t *testing.T) {
	f := newFixture(t, Options{})
	for q, want := range map[string]string{
		"notflame":  "not valid JSON",
		"badframes": "levels[1] frame 0",
	} {
		resp, body := f.do(t, "GET", "/profiling/proxied/pyroscope/render?query="+q, "")
		if resp.StatusCode != http.StatusBadGateway || resp.Header.Get(ErrorHeader) != InvalidAnswer {
			t.Fatalf("%s: status %d, %s %q; body %s", q, resp.StatusCode, ErrorHeader, resp.Header.Get(ErrorHeader), body)
		}
		var e apiError
		if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e.Error, "invalid answer from Pyroscope") || !strings.Contains(e.Error, want) || e.Hint == "" {
			t.Errorf("%s: error %+v (%v), want %q", q, e, err, want)
		}
	}
	// A valid answer, and one that matches nothing, pass.
	for _, q := range []string{"burner", "nonexistent"} {
		if resp, body := f.do(t, "GET", "/profiling/proxied/pyroscope/render?query="+q, ""); resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %s", q, resp.StatusCode, body)
		}
	}
}

// TestUIHeader: an answer of the datasource names where its Pyroscope
// serves its own UI, as the user configured the URL but without the user
// information or query parameters that carry credentials; answers the
// proxy makes itself (here, an unreachable server) name nothing.
func TestUIHeader(t *testing.T) {
	up := newUpstream(t)
	host := strings.TrimPrefix(up.URL, "http://")
	src := strings.NewReplacer("HOST", host, "DEAD", deadURL(t)).Replace(`
kind: Project
metadata: {name: p}
---
kind: Datasource
metadata: {name: plain, project: p}
spec:
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://HOST"}}
---
kind: Datasource
metadata: {name: creds, project: p}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: "http://admin:pw-in-url@HOST/prefix/?token=tok-in-url"}}
---
kind: Datasource
metadata: {name: dead, project: p}
spec:
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "DEAD"}}
`)
	srv := httptest.NewServer(New(compile(t, map[string]string{"s.yaml": src}), Options{}))
	defer srv.Close()
	for _, tc := range []struct{ ds, want string }{
		{"plain", "http://" + host + "/"},
		{"creds", "http://" + host + "/prefix/"},
		{"dead", ""},
	} {
		resp, err := srv.Client().Get(srv.URL + proxyroute.Project("p", tc.ds) + "/pyroscope/render?query=" + url.QueryEscape(`process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get(UIHeader); got != tc.want {
			t.Errorf("%s: %s %q, want %q (status %d)", tc.ds, UIHeader, got, tc.want, resp.StatusCode)
		}
		var all strings.Builder
		resp.Header.Write(&all)
		for _, secret := range []string{"pw-in-url", "tok-in-url", "admin"} {
			if strings.Contains(all.String(), secret) {
				t.Errorf("%s: the answer's headers hold %q:\n%s", tc.ds, secret, all.String())
			}
		}
	}
}
