package proxy

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOtherSitesRefused: requests a page of another web site can make the
// browser send (with or without the headers browsers add) are refused
// before anything reaches the upstream; the preview's own requests, with
// the token, go through. Over a real socket.
func TestOtherSitesRefused(t *testing.T) {
	const token = "0123456789abcdef"
	f := newFixture(t, Options{Token: token})
	path := "/proxy/profiling/proxied/pyroscope/render?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22burner%22%7D&from=now-1h&until=now"
	host := strings.TrimPrefix(f.srv.URL, "http://")
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		want    int
		why     string
	}{
		{"cross-site fetch", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, 403, "Sec-Fetch-Site is cross-site"},
		{"same-site, other port", "GET", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:1"}, 403, "Sec-Fetch-Site is same-site"},
		{"other origin, no fetch metadata", "POST", map[string]string{"Origin": "http://evil.example", TokenHeader: token}, 403, "Origin http://evil.example is not the preview's"},
		{"null origin", "GET", map[string]string{"Origin": "null"}, 403, "Origin null is not the preview's"},
		{"an image or a form: no token", "GET", map[string]string{"Sec-Fetch-Site": "same-origin"}, 403, "no " + TokenHeader},
		{"wrong token", "GET", map[string]string{TokenHeader: "guess"}, 403, "not this server's"},
		{"preflight", "OPTIONS", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Headers": TokenHeader}, 403, "Origin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, f.srv.URL+path, nil)
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			f.seen = append(f.seen, string(b))
			e := proxyError(t, resp, string(b), c.want)
			if !strings.Contains(e.Error, c.why) {
				t.Errorf("error %q, want it to say %q", e.Error, c.why)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("answer allows another origin: %v", resp.Header)
			}
		})
	}
	if n := len(f.up.requests()); n != 0 {
		t.Fatalf("%d requests reached the upstream from other sites", n)
	}

	// The preview's own page: same origin, token sent.
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://"+host)
	req.Header.Set(TokenHeader, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(f.up.requests()) != 1 {
		t.Errorf("the preview's own request: status %d, %d upstream requests", resp.StatusCode, len(f.up.requests()))
	}
	if r := f.up.last(t); r.Header.Get(TokenHeader) != "" {
		t.Errorf("the token travelled upstream")
	}
}

func TestInjectToken(t *testing.T) {
	got := string(InjectToken([]byte("<html><body><p>x</p></body></html>"), `a"b`))
	if want := `<html><body><p>x</p><meta name="pyrobuild-proxy-token" content="a&#34;b"></body></html>`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if a, b := NewToken(), NewToken(); len(a) != 64 || a == b {
		t.Errorf("tokens %q %q: want 64 random hex digits each", a, b)
	}
}
