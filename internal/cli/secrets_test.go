package cli

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The distinctive secret values of the sources below. None may appear in
// anything pyrobuild prints, builds or serves, with one exception stated
// in testSecretsNeverLeak.
var secretValues = []string{
	"S3CRET-PW-YAML", "S3CRET-TOKEN-YAML", "S3CRET-HDR-YAML", "S3CRET-PW-CUE", "S3CRET-TOKEN-JSON",
	"S3CRET-PW-TYPO", "S3CRET-PW-BOTH", "S3CRET-PW-LIST", "S3CRET-TOKEN-BOTH", "S3CRET-HDR-LIST",
	"S3CRET-PW-CONFLICT", "S3CRET-TOKEN-MATCH", "S3CRET-PW-SYNTAX", "S3CRET-PW-JSONDUP", "S3CRET-PW-LATER",
	// What an HTTP client makes of the basic credentials.
	base64.StdEncoding.EncodeToString([]byte("alice:S3CRET-PW-YAML")),
}

// goodSecretSources compile, with warnings (a literal credential in a
// proxy header); upstream is where the proxied datasources point.
func goodSecretSources(upstream string) map[string]string {
	return map[string]string{
		"project.yaml": "kind: Project\nmetadata:\n  name: demo\n",
		"secrets.yaml": `kind: Secret
metadata:
  name: basic
  project: demo
spec:
  basicAuth:
    username: alice
    password: S3CRET-PW-YAML
---
kind: Secret
metadata:
  name: bearer
  project: demo
spec:
  authorization:
    type: Bearer
    credentials: S3CRET-TOKEN-YAML
`,
		"secret.cue": `package secrets
import pb "github.com/pyrobuild/pyrobuild/schema"
cue: pb.#Secret & {
	metadata: {name: "cue", project: "demo"}
	spec: basicAuth: {username: "bob", password: "S3CRET-PW-CUE"}
}
`,
		"secret.json": `{"kind": "Secret", "metadata": {"name": "json", "project": "demo"},
 "spec": {"authorization": {"type": "Bearer", "credentials": "S3CRET-TOKEN-JSON"}}}
`,
		"datasources.yaml": fmt.Sprintf(`kind: Datasource
metadata:
  name: pyro
  project: demo
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: %[1]s
          secret: basic
          headers:
            X-Scope-OrgID: tenant
            Authorization: Bearer S3CRET-HDR-YAML
---
kind: Datasource
metadata:
  name: bearer
  project: demo
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: %[1]s
          secret: bearer
---
kind: Datasource
metadata:
  name: down
  project: demo
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: http://127.0.0.1:1
          secret: json
`, upstream),
		"dashboard.yaml": `kind: Dashboard
metadata:
  name: cpu
  project: demo
spec:
  display:
    name: CPU
  panels:
    a:
      kind: Panel
      spec:
        display: {name: A}
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  datasource: {kind: PyroscopeDatasource, name: pyro}
                  profileType: cpu
                  query: '{service_name="api"}'
    b:
      kind: Panel
      spec:
        display: {name: B}
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  datasource: {kind: PyroscopeDatasource, name: bearer}
                  profileType: cpu
                  query: '{service_name="api"}'
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 12, height: 10, content: {$ref: '#/spec/panels/a'}}
          - {x: 12, y: 0, width: 12, height: 10, content: {$ref: '#/spec/panels/b'}}
`,
	}
}

// badSecretSources have errors on or beside secret values, each in a file
// of its own (a syntax error stops a file).
var badSecretSources = map[string]string{
	"typo.yaml": "kind: Secret\nmetadata: {name: typo, project: demo}\nspec:\n  basicAuth:\n    username: alice\n    pasword: S3CRET-PW-TYPO\n",
	"both.yaml": "kind: Secret\nmetadata: {name: both, project: demo}\nspec:\n  basicAuth:\n    username: alice\n    password: S3CRET-PW-BOTH\n    passwordFile: /etc/pw\n" +
		"  authorization:\n    credentials: S3CRET-TOKEN-BOTH\n    credentialsFile: /etc/token\n",
	"list.yaml": "kind: Secret\nmetadata: {name: list, project: demo}\nspec:\n  basicAuth:\n    username: alice\n    password: [S3CRET-PW-LIST]\n",
	"header.yaml": "kind: Datasource\nmetadata: {name: hdr, project: demo}\nspec:\n  plugin:\n    kind: PyroscopeDatasource\n    spec:\n      proxy:\n        kind: HTTPProxy\n        spec:\n" +
		"          url: http://pyroscope:4040\n          headers:\n            Authorization: [Bearer S3CRET-HDR-LIST]\n",
	"syntax.yaml": "kind: Secret\nmetadata: {name: syntax, project: demo}\nspec:\n  basicAuth:\n    password: S3CRET-PW-SYNTAX: x\n",
	"dup.json":    `{"kind": "Secret", "metadata": {"name": "dup", "project": "demo"}, "spec": {"basicAuth": {"password": "S3CRET-PW-JSONDUP", "password": "x"}}}`,
	"conflict.cue": `package bad
import pb "github.com/pyrobuild/pyrobuild/schema"
conflict: pb.#Secret & {
	metadata: {name: "conflict", project: "demo"}
	spec: basicAuth: {username: "bob", password: "S3CRET-PW-CONFLICT"}
	spec: basicAuth: password: "other"
}
match: pb.#Secret & {
	metadata: {name: "match", project: "demo"}
	spec: authorization: credentials: "S3CRET-TOKEN-MATCH" & =~"^Bearer "
}
`,
}

// testSecretsNeverLeak compiles, checks, builds and serves sources holding
// secret values, good and broken, in every diagnostics mode, and scans
// everything produced.
//
// The rule: a secret value may appear in compile's output folder only,
// because the Secret resources (and the datasource whose header carries a
// literal token) must be there for percli apply; it is the sources'
// content, not pyrobuild's output. Everything else is scanned: stdout and
// stderr of every command, every file of the built site, every page and
// JSON file serve sends, its event stream, and the proxy's answers.
func testSecretsNeverLeak(t *testing.T, bin string) {
	// The Pyroscope behind the proxy answers every request with an error
	// that names nothing secret; the proxy adds the credentials to what it
	// sends there, which is where they belong.
	var sawAuth lockedBuffer
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(&sawAuth, "%s|", r.Header.Get("Authorization"))
		http.Error(w, `{"code":"unauthenticated","message":"invalid credentials"}`, http.StatusUnauthorized)
	}))
	defer upstream.Close()

	dir := t.TempDir()
	for name, text := range goodSecretSources(upstream.URL) {
		putFile(t, filepath.Join(dir, "good", name), []byte(text))
	}
	for name, text := range badSecretSources {
		putFile(t, filepath.Join(dir, "bad", name), []byte(text))
	}
	// Only the good project: the bad files stand alone.
	putFile(t, filepath.Join(dir, "bad", "project.yaml"), []byte("kind: Project\nmetadata:\n  name: demo\n"))
	putFile(t, filepath.Join(dir, "site", "content", "index.md"), []byte("# Home\n\nThe dashboards.\n"))

	var scanned int
	scan := func(what, text string) {
		t.Helper()
		scanned++
		for _, s := range secretValues {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("%s shows secret %s: …%s…", what, s, text[max(0, i-120):min(len(text), i+len(s)+40)])
			}
		}
	}
	scanRun := func(args ...string) binResult {
		t.Helper()
		r := runBin(t, bin, dir, nil, 2*time.Minute, args...)
		what := "pyrobuild " + strings.Join(args, " ")
		if strings.Contains(r.stderr, "panic") {
			t.Errorf("%s panicked:\n%s", what, lastLines(r.stderr))
		}
		scan(what+" (stdout)", r.stdout)
		scan(what+" (stderr)", r.stderr)
		return r
	}

	for _, mode := range []string{"text", "json", "github"} {
		if r := scanRun("compile", "good", "-o", "build", "--diagnostics", mode); r.code != 0 {
			t.Fatalf("compile good: exit %d\n%s", r.code, lastLines(r.stderr))
		}
		if r := scanRun("compile", "bad", "-o", "build-bad", "--diagnostics", mode); r.code != 1 {
			t.Errorf("compile bad: exit %d", r.code)
		}
		scanRun("check", "good", "--strict", "--diagnostics", mode)
		scanRun("check", "good", "--live", "--live-timeout", "5s", "--diagnostics", mode)
		scanRun("check", "bad", "--diagnostics", mode)
		if r := scanRun("build", "--root", "site", "--dashboards", "good", "--cache-dir", "off", "-o", "public", "--diagnostics", mode); r.code != 0 {
			t.Fatalf("build: exit %d\n%s", r.code, lastLines(r.stderr))
		}
		scanRun("build", "--root", "site", "--dashboards", "bad", "--cache-dir", "off", "-o", "public-bad", "--diagnostics", mode)
	}
	// The compile output does hold the secrets (see above): make sure the
	// scan would have seen them, had they been anywhere else.
	if b, err := os.ReadFile(filepath.Join(dir, "build", "bundle.yaml")); err != nil || !strings.Contains(string(b), "S3CRET-PW-YAML") {
		t.Fatalf("the compiled bundle lacks the Secret (%v): the test does not test", err)
	}

	site := snapshotFiles(t, filepath.Join(dir, "public"))
	if len(site) < 5 {
		t.Fatalf("the built site has %d files", len(site))
	}
	for name, data := range site {
		scan("built "+name, data)
	}

	testServeSecrets(t, bin, dir, site, scan)
	if !strings.Contains(sawAuth.String(), "Basic "+base64.StdEncoding.EncodeToString([]byte("alice:S3CRET-PW-YAML"))) ||
		!strings.Contains(sawAuth.String(), "Bearer S3CRET-TOKEN-YAML") {
		t.Errorf("the proxy did not send the credentials upstream (%q): the proxy part does not test", sawAuth.String())
	}
	t.Logf("%d outputs scanned", scanned)
}

// testServeSecrets runs serve on the good sources, fetches every file of
// the built site, the event stream and proxy answers of each kind, breaks
// a source to make the overlay show problems, stops the server with
// SIGINT, and scans all of it.
func testServeSecrets(t *testing.T, bin, dir string, site map[string]string, scan func(what, text string)) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--root", "site", "--dashboards", "good", "--cache-dir", "off", "--port", "0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	rd := bufio.NewReader(stdout)
	line, err := rd.ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v\n%s", err, stderr.String())
	}
	scan("serve (stdout)", line)
	base := regexp.MustCompile(`http://[^ ]+/`).FindString(line)
	if base == "" {
		t.Fatalf("no address in %q", line)
	}
	base = strings.TrimSuffix(base, "/")
	token := "" // the proxy's, read from a page as the preview's script does
	get := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("X-Pyrobuild-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var hdr strings.Builder
		resp.Header.Write(&hdr)
		scan(fmt.Sprintf("serve %s %s (headers)", method, path), hdr.String())
		scan(fmt.Sprintf("serve %s %s", method, path), string(b))
		return resp.StatusCode, string(b)
	}

	pages := 0
	for name := range site {
		p := "/" + strings.TrimSuffix(name, "index.html")
		code, body := get("GET", p, "")
		if code != 200 {
			t.Errorf("GET %s: %d", p, code)
		}
		if m := regexp.MustCompile(`name="pyrobuild-proxy-token" content="([0-9a-f]+)"`).FindStringSubmatch(body); m != nil {
			token = m[1]
		}
		pages++
	}
	get("GET", "/nowhere/", "")

	// The proxy: an allowed call reaching the upstream (which answers 401),
	// one the datasource does not allow, an unknown datasource, an
	// unreachable upstream, a secret-bearing datasource by each route.
	const proxy = "/_pyrobuild/proxy"
	render := "/pyroscope/render?query=process_cpu%3Acpu%3Ananoseconds%3Acpu%3Ananoseconds%7Bservice_name%3D%22api%22%7D&from=now-1h&until=now"
	if token == "" {
		t.Fatal("no page carries the proxy's token")
	}
	// Without the token (another site's request), refused.
	kept := token
	token = ""
	if code, _ := get("GET", proxy+"/demo/pyro"+render, ""); code != 403 {
		t.Errorf("proxy request without the token: %d, want 403", code)
	}
	token = kept
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", proxy + "/demo/pyro" + render, "", 401},
		{"POST", proxy + "/demo/bearer/querier.v1.QuerierService/ProfileTypes", "{}", 401},
		{"GET", proxy + "/demo/pyro/admin/secrets", "", 403},
		{"DELETE", proxy + "/demo/pyro" + render, "", 405},
		{"GET", proxy + "/demo/nope" + render, "", 404},
		{"GET", proxy + "/demo/down" + render, "", 502},
		{"GET", proxy + "/demo/pyro/..%2f..%2fetc/passwd", "", 0},
	} {
		code, _ := get(c.method, c.path, c.body)
		if c.want != 0 && code != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, code, c.want)
		}
	}

	// The overlay: a broken source beside the secrets makes serve print
	// its problems and send them to the browser.
	events, stop := openEvents(t, ctx, base)
	defer stop()
	first := waitEvent(t, events, `"type":"ok"`)
	scan("serve event", first)
	putFile(t, filepath.Join(dir, "good", "late.yaml"), []byte("kind: Secret\nmetadata: {name: late, project: demo}\nspec:\n  basicAuth:\n    username: alice\n    pasword: S3CRET-PW-LATER\n"))
	scan("serve event", waitEvent(t, events, `"type":"errors"`))
	os.Remove(filepath.Join(dir, "good", "late.yaml"))
	scan("serve event", waitEvent(t, events, `"type":"ok"`))

	// SIGINT stops the server cleanly.
	stop()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(rd)
	err = cmd.Wait()
	scan("serve (stdout)", string(rest))
	scan("serve (stderr)", stderr.String())
	if err != nil {
		t.Errorf("serve after SIGINT: %v\n%s", err, lastLines(stderr.String()))
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("serve did not say it stopped:\n%s", lastLines(stderr.String()))
	}
	if !strings.Contains(stderr.String(), "S3CRET") && !strings.Contains(stderr.String(), "pasword") {
		t.Errorf("serve did not print the broken source's problem:\n%s", lastLines(stderr.String()))
	}
	t.Logf("served %d pages", pages)
}

// openEvents connects to serve's event stream; each line of data is sent
// on the channel.
func openEvents(t *testing.T, ctx context.Context, base string) (<-chan string, func()) {
	ctx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/_pyrobuild/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ch := make(chan string, 64)
	go func() {
		defer resp.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				ch <- d
			}
		}
	}()
	return ch, cancel
}

// waitEvent returns the first event holding want.
func waitEvent(t *testing.T, ch <-chan string, want string) string {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("event stream closed before %s", want)
			}
			if strings.Contains(e, want) {
				return e
			}
		case <-timeout:
			t.Fatalf("no event with %s within 30 s", want)
		}
	}
}

// snapshotFiles reads every file under dir, by slash path.
func snapshotFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for name := range treeHashes(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if name != ".pyrobuild-output" {
			m[name] = string(b)
		}
	}
	return m
}
