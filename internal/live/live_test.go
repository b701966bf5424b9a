package live

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// replay is a Pyroscope over a real socket that answers the Connect calls
// of check --live from the recorded answers of a real v1.21.1 in
// testdata/v1.21.1, checking the requests as the real server does: POST,
// JSON, a time range within max_query_length (1d, the default), and
// credentials when auth is set.
type replay struct {
	*httptest.Server
	auth     string // the Authorization the server wants; "" for none
	dir      string // the recorded answers
	requests atomic.Int32
	delay    time.Duration
}

var matcherRe = regexp.MustCompile(`^\{service_name="([^"]*)"\}$`)

func newReplay(t *testing.T, auth string) *replay {
	t.Helper()
	dir, err := filepath.Abs("testdata/v1.21.1")
	if err != nil {
		t.Fatal(err)
	}
	r := &replay{auth: auth, dir: dir}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (rp *replay) serve(w http.ResponseWriter, r *http.Request) {
	rp.requests.Add(1)
	time.Sleep(rp.delay)
	fail := func(status int, msg string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"code": "invalid_argument", "message": msg})
	}
	if rp.auth != "" && r.Header.Get("Authorization") != rp.auth {
		fail(http.StatusUnauthorized, "authentication required")
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		fail(http.StatusUnsupportedMediaType, "bad request")
		return
	}
	var body struct {
		Name     string   `json:"name"`
		Matchers []string `json:"matchers"`
		Start    int64    `json:"start"`
		End      int64    `json:"end"`
	}
	b, _ := io.ReadAll(r.Body)
	if json.Unmarshal(b, &body) != nil || body.Start == 0 || body.End == 0 {
		fail(http.StatusBadRequest, "missing time range in the query")
		return
	}
	if d := time.Duration(body.End-body.Start) * time.Millisecond; d > 24*time.Hour {
		fail(http.StatusBadRequest, "the query time range exceeds the limit (max_query_length, actual: "+d.String()+", limit: 1d)")
		return
	}
	service := ""
	if len(body.Matchers) == 1 {
		m := matcherRe.FindStringSubmatch(body.Matchers[0])
		if m == nil {
			fail(http.StatusBadRequest, "unexpected matcher "+body.Matchers[0])
			return
		}
		service = m[1]
	}
	var file string
	switch {
	case r.URL.Path == "/querier.v1.QuerierService/LabelValues" && body.Name == "service_name" && service == "":
		file = "LabelValues-service_name.json"
	case r.URL.Path == "/querier.v1.QuerierService/LabelValues" && body.Name == "__profile_type__":
		file = "LabelValues-profile_type-" + service + ".json"
	case r.URL.Path == "/querier.v1.QuerierService/LabelValues":
		file = "synthetic-LabelValues-" + body.Name + "-" + service + ".json"
	case r.URL.Path == "/querier.v1.QuerierService/LabelNames":
		file = "synthetic-LabelNames-" + service + ".json"
	default:
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join(rp.dir, file))
	if err != nil {
		data = []byte(`{"names":[]}`) // Pyroscope answers an empty list
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// compileSources compiles src (a YAML stream) and fails on errors.
func compileSources(t *testing.T, files map[string]string) []*model.Resource {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("sources have errors: %v", res.Diagnostics)
	}
	return res.Resources
}

const datasourceYAML = `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "URL"}}
`

// dashboardYAML is a dashboard with one panel per query spec.
func dashboardYAML(variables string, queries ...string) string {
	var b strings.Builder
	b.WriteString("kind: Dashboard\nmetadata: {name: d, project: p}\nspec:\n")
	if variables != "" {
		b.WriteString("  variables:\n" + variables)
	}
	b.WriteString("  panels:\n")
	for i, q := range queries {
		b.WriteString("    p" + string(rune('a'+i)) + ":\n      kind: Panel\n      spec:\n        plugin: {kind: FlameChart, spec: {}}\n")
		b.WriteString("        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: " + q + "}}}]\n")
	}
	b.WriteString("  layouts:\n    - kind: Grid\n      spec:\n        items:\n")
	for i := range queries {
		b.WriteString("          - {x: 0, y: " + strconv.Itoa(i) + ", width: 24, height: 1, content: {$ref: \"#/spec/panels/p" + string(rune('a'+i)) + "\"}}\n")
	}
	return b.String()
}

// render is each diagnostic as "line CODE message | hint".
func render(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, strings.Join([]string{strconv.Itoa(d.Pos.Line), string(d.Code), d.Message, "|", d.Hint}, " "))
	}
	return out
}

func TestCheckPerQuery(t *testing.T) {
	srv := newReplay(t, "")
	vars := "    - kind: ListVariable\n      spec: {name: svc, plugin: {kind: StaticListVariable, spec: {values: [api, pyroscope]}}}\n" +
		"    - kind: TextVariable\n      spec: {name: env, value: prod}\n" +
		"    - kind: ListVariable\n      spec: {name: unknown, plugin: {kind: PrometheusLabelValuesVariable, spec: {labelName: service_name}}}\n"
	rs := compileSources(t, map[string]string{
		"ds.yaml": strings.Replace(datasourceYAML, "URL", srv.URL, 1),
		"d.yaml": dashboardYAML(vars,
			`{profileType: goroutines, query: '{service_name="api"}'}`,                                // the short name fits pyroscope-go
			`{profileType: goroutines, query: '{service_name="pyroscope"}'}`,                          // the server's own use the other ID
			`{profileType: mutex, query: '{service_name="checkout"}'}`,                                // a type only pyroscope has
			`{profileType: cpu, query: '{service_name="checkout", environment="prod"}'}`,              // no such value
			`{profileType: cpu, query: '{service_name="checkout", environment=~"prod.*"}'}`,           // the regexp matches
			`{profileType: cpu, query: '{service_name="api", environment!~"prod.*"}'}`,                // excludes every value
			`{profileType: cpu, query: '{service_name="api", region="eu"}'}`,                          // no such label
			`{profileType: cpu, query: '{service_name="api", region!="eu"}'}`,                         // != keeps series without it
			`{profileType: goroutines, query: '{service_name="$svc"}'}`,                               // over the variable's values
			`{profileType: cpu, query: '{service_name="checkout", environment="$env"}'}`,              // a text variable
			`{profileType: cpu, query: '{service_name="$unknown"}'}`,                                  // values not known: not checked
			`{profileType: "wall:wall:nanoseconds:wall:nanoseconds", query: '{service_name="apii"}'}`, // no such service
		),
	})
	got := render(Check(context.Background(), rs, Options{}))
	want := []string{
		`21 PB1303 service "pyroscope" has no profile type goroutine:goroutine:count:goroutine:count; it has goroutines:goroutine:count:goroutine:count | write profileType: goroutines:goroutine:count:goroutine:count (producers name some profiles differently; see the profile types page)`,
		`26 PB1302 service "checkout" has no profiles of type mutex:delay:nanoseconds:contentions:count in datasource pyro over the last 24h | its profile types: goroutine:goroutine:count:goroutine:count, memory:alloc_objects:count:space:bytes, memory:alloc_space:bytes:space:bytes, memory:inuse_objects:count:space:bytes, memory:inuse_space:bytes:space:bytes, process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds`,
		`31 PB1302 no profiles of service "checkout" have environment="prod" | environment values: production, staging`,
		`41 PB1302 environment!~"prod.*" excludes every environment value of service "api": the filter selects nothing | environment values: production`,
		`46 PB1302 service "api" has no label "region": the filter selects nothing | its labels: environment, service_name`,
		`56 PB1303 service "pyroscope" ($svc = pyroscope) has no profile type goroutine:goroutine:count:goroutine:count; it has goroutines:goroutine:count:goroutine:count | write profileType: goroutines:goroutine:count:goroutine:count (producers name some profiles differently; see the profile types page)`,
		`61 PB1302 no profiles of service "checkout" have environment="prod" | environment values: production, staging`,
		`71 PB1302 service "apii" has no profiles in datasource pyro over the last 24h | did you mean "api"?`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNearTypes(t *testing.T) {
	cases := []struct {
		id   string
		have []string
		want string
	}{
		{"goroutines:goroutine:count:goroutine:count", []string{"goroutine:goroutine:count:goroutine:count", "memory:alloc_space:bytes:space:bytes"}, "goroutine:goroutine:count:goroutine:count"},
		{"goroutine:goroutine:count:goroutine:count", []string{"goroutines:goroutine:count:goroutine:count"}, "goroutines:goroutine:count:goroutine:count"},
		// Java's mutex period differs from Go's.
		{"mutex:delay:nanoseconds:contentions:count", []string{"block:delay:nanoseconds:block:count", "mutex:delay:nanoseconds:mutex:count"}, "mutex:delay:nanoseconds:mutex:count"},
		// Another kind with the same sample type is not near.
		{"mutex:delay:nanoseconds:contentions:count", []string{"block:delay:nanoseconds:contentions:count"}, ""},
		{"process_cpu:cpu:nanoseconds:cpu:nanoseconds", []string{"process_cpu:samples:count:cpu:nanoseconds"}, ""},
	}
	for _, c := range cases {
		if got := strings.Join(nearTypes(c.id, c.have), " "); got != c.want {
			t.Errorf("nearTypes(%s, %v) = %q, want %q", c.id, c.have, got, c.want)
		}
	}
}

// TestCheckSecrets: the Secret's credentials are sent (a passwordFile read
// here), never printed; a datasource refusing them says which secret.
func TestCheckSecrets(t *testing.T) {
	const wantAuth = "Basic dXNlcjpzM2NyZXQ=" // user:s3cret
	srv := newReplay(t, wantAuth)
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("s3cret\n"), 0o600)
	ds := `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: "URL", secret: creds}}
---
kind: Secret
metadata: {name: creds, project: p}
spec:
  basicAuth: {username: user, passwordFile: "FILE"}
`
	files := map[string]string{
		"ds.yaml": strings.NewReplacer("URL", srv.URL, "FILE", pwFile).Replace(ds),
		"d.yaml":  dashboardYAML("", `{profileType: goroutines, query: '{service_name="api"}'}`),
	}
	if got := render(Check(context.Background(), compileSources(t, files), Options{})); len(got) != 0 {
		t.Errorf("with the secret's credentials: %v", got)
	}

	// Without the file here: asked without credentials, refused, and
	// said why at the URL.
	files["ds.yaml"] = strings.NewReplacer("URL", srv.URL, "FILE", pwFile+".missing").Replace(ds)
	got := Check(context.Background(), compileSources(t, files), Options{})
	if len(got) != 1 || got[0].Code != model.CodeLiveUnreachable || got[0].Pos.Line != 8 ||
		!strings.Contains(got[0].Message, "401 Unauthorized") || !strings.Contains(got[0].Hint, "passwordFile of secret creds") {
		t.Errorf("without the file: %v", render(got))
	}
	for _, d := range render(got) {
		if strings.Contains(d, "s3cret") || strings.Contains(d, "dXNlcjpzM2NyZXQ") {
			t.Errorf("a credential is printed: %s", d)
		}
	}
}

// TestCheckGroupsByURLHeadersSecret: datasources at one URL with different
// tenants are asked separately; identical ones once.
func TestCheckGroupsByURLHeadersSecret(t *testing.T) {
	srv := newReplay(t, "")
	ds := func(name, tenant string) string {
		return `kind: Datasource
metadata: {name: ` + name + `, project: p}
spec:
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy: {kind: HTTPProxy, spec: {url: "` + srv.URL + `", headers: {X-Scope-OrgID: ` + tenant + `}}}
`
	}
	q := func(ds string) string {
		return `{datasource: {kind: PyroscopeDatasource, name: ` + ds + `}, profileType: cpu, query: '{service_name="api"}'}`
	}
	rs := compileSources(t, map[string]string{"a.yaml": ds("a", "one"), "b.yaml": ds("b", "one"), "c.yaml": ds("c", "two"),
		"d.yaml": dashboardYAML("", q("a"), q("b"), q("c"))})
	if got := Check(context.Background(), rs, Options{}); len(got) != 0 {
		t.Fatalf("diagnostics: %v", render(got))
	}
	// Per server: LabelValues of service_name, then of __profile_type__
	// for api: two servers, four requests.
	if n := srv.requests.Load(); n != 4 {
		t.Errorf("%d requests, want 4 (two servers)", n)
	}
}

// TestCheckClampsRange: a range over the server's max_query_length is
// asked again over the limit, with a note at the URL.
func TestCheckClampsRange(t *testing.T) {
	srv := newReplay(t, "")
	rs := compileSources(t, map[string]string{
		"ds.yaml": strings.Replace(datasourceYAML, "URL", srv.URL, 1),
		"d.yaml":  dashboardYAML("", `{profileType: goroutines, query: '{service_name="pyroscope"}'}`),
	})
	got := render(Check(context.Background(), rs, Options{Range: 7 * 24 * time.Hour}))
	want := []string{
		`5 PB1304 datasource pyro (` + srv.URL + `) allows queries over 24h at most (max_query_length): checked the last 24h, not 168h | the dashboards' own ranges must fit the same limit; --live-range sets how far back the check looks`,
		`9 PB1303 service "pyroscope" has no profile type goroutine:goroutine:count:goroutine:count; it has goroutines:goroutine:count:goroutine:count | write profileType: goroutines:goroutine:count:goroutine:count (producers name some profiles differently; see the profile types page)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckUnreachable(t *testing.T) {
	// A port nothing listens on: refused at once; reported at the URL,
	// its credentials redacted.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://user:hunter2@" + l.Addr().String() + "/?token=abc"
	l.Close()
	files := map[string]string{"ds.yaml": strings.Replace(datasourceYAML, "URL", url, 1),
		"d.yaml": dashboardYAML("", `{profileType: cpu, query: '{service_name="api"}'}`)}
	dir := t.TempDir()
	for n, s := range files {
		os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644)
	}
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	ds := Check(context.Background(), res.Resources, Options{})
	if len(ds) != 1 || ds[0].Code != model.CodeLiveUnreachable || ds[0].Severity != diag.Warning {
		t.Fatalf("diagnostics: %v", render(ds))
	}
	if p := ds[0].Pos; filepath.Base(p.File) != "ds.yaml" || p.Line != 5 {
		t.Errorf("reported at %s, want ds.yaml:5 (the URL)", p)
	}
	if strings.Contains(ds[0].Message, "hunter2") || strings.Contains(ds[0].Message, "abc") || !strings.Contains(ds[0].Message, "user:<redacted>@") {
		t.Errorf("message does not redact the URL: %s", ds[0].Message)
	}

	// A server slower than the deadline: a warning, not a hang; one
	// deadline for the whole check.
	slow := newReplay(t, "")
	slow.delay = 600 * time.Millisecond
	files["ds.yaml"] = strings.Replace(datasourceYAML, "URL", slow.URL, 1)
	start := time.Now()
	ds = Check(context.Background(), compileSources(t, files), Options{Timeout: 100 * time.Millisecond})
	if len(ds) != 1 || ds[0].Code != model.CodeLiveUnreachable || !strings.Contains(ds[0].Message, "deadline") {
		t.Fatalf("diagnostics: %v", render(ds))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("time-out took %s", d)
	}
}

func TestExpand(t *testing.T) {
	vars := map[string][]string{"a": {"x", "y"}, "b": {"1"}}
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"plain", "plain", true},
		{"$a", "x y", true},
		{"${a}-$b", "x-1 y-1", true},
		{"${a:csv}", "x y", true},
		{"$c", "", false},
	}
	for _, c := range cases {
		got, ok := expand(c.in, vars)
		if strings.Join(got, " ") != c.want || ok != c.ok {
			t.Errorf("expand(%q) = %v, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
