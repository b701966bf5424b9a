package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// pyroscope is a Pyroscope over a real socket answering /pyroscope/render
// with the answers of a real v1.21.1 in testdata/v1.21.1, checking the
// requests as the real server does: GET, a numeric range within
// max_query_length (1d), and credentials when auth is set. Service "down"
// gets a 500.
type pyroscope struct {
	*httptest.Server
	auth string
	mu   sync.Mutex
	asks []*http.Request
}

func newPyroscope(t *testing.T, auth string) *pyroscope {
	t.Helper()
	p := &pyroscope{auth: auth}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *pyroscope) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.asks = append(p.asks, r)
	p.mu.Unlock()
	fail := func(status int, msg string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"code": "invalid_argument", "message": msg})
	}
	if p.auth != "" && r.Header.Get("Authorization") != p.auth {
		fail(http.StatusUnauthorized, "authentication required")
		return
	}
	if r.Method != http.MethodGet || r.URL.Path != "/pyroscope/render" {
		fail(http.StatusNotFound, "not found")
		return
	}
	q := r.URL.Query()
	from, ferr := strconv.ParseInt(q.Get("from"), 10, 64)
	until, uerr := strconv.ParseInt(q.Get("until"), 10, 64)
	if ferr != nil || uerr != nil || until <= from {
		fail(http.StatusBadRequest, "bad range")
		return
	}
	if d := time.Duration(until-from) * time.Second; d > 24*time.Hour {
		fail(http.StatusBadRequest, "the query time range exceeds the limit (max_query_length, actual: "+d.String()+", limit: 1d)")
		return
	}
	var file string
	switch query := q.Get("query"); {
	case strings.Contains(query, `service_name="pyroscope"`):
		file = "render-pyroscope-cpu.json"
	case strings.Contains(query, `service_name="down"`):
		fail(http.StatusInternalServerError, "canceled: stream error")
		return
	default:
		file = "render-nope.json"
	}
	b, err := os.ReadFile(filepath.Join("testdata/v1.21.1", file))
	if err != nil {
		fail(http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// sources writes a project's sources into a new folder and compiles them.
func sources(t *testing.T, files map[string]string) (string, []*model.Resource) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
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
	return dir, res.Resources
}

const datasourceYAML = `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://pyroscope.example.com:4040"}}
`

const dashboardYAML = `kind: Dashboard
metadata: {name: d, project: p}
spec:
  duration: 30m
  panels:
    self:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: pyroscope, maxNodes: 64}}}
          - kind: ProfileQuery
            spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: nope}}}
  layouts:
    - kind: Grid
      spec: {items: [{x: 0, y: 0, width: 24, height: 10, content: {$ref: "#/spec/panels/self"}}]}
`

var now = func() time.Time { return time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC) }

func TestRecord(t *testing.T) {
	srv := newPyroscope(t, "")
	dir, rs := sources(t, map[string]string{"ds.yaml": datasourceYAML, "d.yaml": dashboardYAML})
	res := Record(context.Background(), rs, Options{URL: srv.URL + "/", Now: now})
	if len(res.Failed) > 0 || len(res.Recordings) != 1 {
		t.Fatalf("failed %v, recordings %d, diagnostics %v", res.Failed, len(res.Recordings), res.Diagnostics)
	}
	r := res.Recordings[0]
	if want := filepath.Join(dir, ".pyrobuild", "recordings", "p", "d.json"); r.Path != want {
		t.Errorf("path %s, want %s", r.Path, want)
	}
	// The empty answer is recorded, with a warning at its query.
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Code != model.CodeSnapshotEmpty || res.Diagnostics[0].Severity != diag.Warning ||
		!strings.Contains(res.Diagnostics[0].Message, `service_name="nope"`) || res.Diagnostics[0].Pos.Line != 14 {
		t.Errorf("diagnostics: %v", res.Diagnostics)
	}
	f, err := recording.Decode(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Dashboard != "p/d" || f.Recorded != "2026-12-06T20:00:00Z" || f.Range != (recording.Range{From: "2026-12-06T19:30:00Z", Relative: "30m", Until: "2026-12-06T20:00:00Z"}) {
		t.Errorf("header: %+v", f)
	}
	qs := f.Panels["self"].Queries
	if len(qs) != 2 || qs[0].Query != `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="pyroscope"}` || qs[0].MaxNodes != 64 ||
		qs[0].Server != srv.URL || qs[0].Datasource != "pyro" || qs[1].MaxNodes != 0 {
		t.Fatalf("queries: %+v", qs)
	}
	var ans struct {
		Flamebearer struct {
			NumTicks int64    `json:"numTicks"`
			Names    []string `json:"names"`
		} `json:"flamebearer"`
		Timeline struct {
			Samples []int64 `json:"samples"`
		} `json:"timeline"`
	}
	if err := json.Unmarshal(qs[0].Answer, &ans); err != nil || ans.Flamebearer.NumTicks != 290000000 || len(ans.Flamebearer.Names) != 238 || len(ans.Timeline.Samples) == 0 {
		t.Errorf("answer: %v %+v", err, ans)
	}
	// The requests are the preview's: the render query, the range in unix
	// seconds, maxNodes only where the query sets it.
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, req := range srv.asks {
		q := req.URL.Query()
		if q.Get("from") != strconv.FormatInt(now().Add(-30*time.Minute).Unix(), 10) || q.Get("until") != strconv.FormatInt(now().Unix(), 10) {
			t.Errorf("range asked: %s", req.URL.RawQuery)
		}
		if strings.Contains(q.Get("query"), "pyroscope") != (q.Get("maxNodes") == "64") {
			t.Errorf("maxNodes asked: %s", req.URL.RawQuery)
		}
	}
}

// TestRecordDeterministic: the same answers at the same time give the
// same bytes, keys sorted.
func TestRecordDeterministic(t *testing.T) {
	srv := newPyroscope(t, "")
	_, rs := sources(t, map[string]string{"ds.yaml": datasourceYAML, "d.yaml": dashboardYAML})
	a := Record(context.Background(), rs, Options{URL: srv.URL, Now: now, Parallel: 1})
	b := Record(context.Background(), rs, Options{URL: srv.URL, Now: now, Parallel: 8})
	if len(a.Recordings) != 1 || len(b.Recordings) != 1 || !bytes.Equal(a.Recordings[0].Data, b.Recordings[0].Data) {
		t.Fatal("two snapshots of the same answers differ")
	}
	data := a.Recordings[0].Data
	if !bytes.HasPrefix(data, []byte(`{"dashboard":"p/d","panels":{"self":{"queries":[{"answer":{"flamebearer":{"levels":`)) || !bytes.HasSuffix(data, []byte("\"version\":1}\n")) {
		t.Errorf("keys not sorted: %.120s … %s", data, data[len(data)-40:])
	}
}

// TestRecordFailures: a query the server cannot answer is an error at the
// query and leaves its dashboard unrecorded; the other dashboards are
// recorded; nothing in the messages carries credentials.
func TestRecordFailures(t *testing.T) {
	srv := newPyroscope(t, "")
	down := strings.Replace(dashboardYAML, "service: nope", "service: down", 1)
	down = strings.Replace(down, "name: d,", "name: broken,", 1)
	_, rs := sources(t, map[string]string{"ds.yaml": datasourceYAML, "d.yaml": dashboardYAML, "down.yaml": down})
	u := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1)
	res := Record(context.Background(), rs, Options{URLs: map[string]string{"pyro": u}, Now: now})
	if len(res.Recordings) != 1 || res.Recordings[0].Dashboard != "p/d" || len(res.Failed) != 1 || res.Failed[0] != "p/broken" {
		t.Fatalf("recordings %v, failed %v", res.Recordings, res.Failed)
	}
	var errs []diag.Diagnostic
	for _, d := range res.Diagnostics {
		if d.Severity == diag.Error {
			errs = append(errs, d)
		}
	}
	if len(errs) != 1 || errs[0].Code != model.CodeSnapshotFailed || !strings.HasSuffix(errs[0].Pos.File, "down.yaml") || errs[0].Pos.Line != 14 ||
		!strings.Contains(errs[0].Message, "500") || !strings.Contains(errs[0].Message, "canceled: stream error") {
		t.Errorf("errors: %v", errs)
	}
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message+d.Hint, "hunter2") {
			t.Errorf("a password is printed: %s %s", d.Message, d.Hint)
		}
	}
	if strings.Contains(string(res.Recordings[0].Data), "hunter2") {
		t.Error("the recording holds the password of the URL")
	}

	// A server that is not there: an error, without the URL's password.
	srv.Close()
	res = Record(context.Background(), rs, Options{URL: u, Now: now, Timeout: 5 * time.Second})
	if len(res.Recordings) != 0 || len(res.Failed) != 2 || !res.Diagnostics.HasErrors() {
		t.Fatalf("with the server down: %v %v", res.Recordings, res.Diagnostics)
	}
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message+d.Hint, "hunter2") || (d.Severity == diag.Error && !strings.Contains(d.Message, "did not answer")) {
			t.Errorf("server down: %s (hint: %s)", d.Message, d.Hint)
		}
	}
}

// TestRecordCredentials: the Secret's credentials are sent, as check
// --live sends them; a range over max_query_length fails at the query.
func TestRecordCredentials(t *testing.T) {
	srv := newPyroscope(t, "Bearer s3cret")
	ds := `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      proxy:
        kind: HTTPProxy
        spec:
          url: http://pyroscope.example.com:4040
          secret: creds
---
kind: Secret
metadata: {name: creds, project: p}
spec:
  authorization: {type: Bearer, credentials: s3cret}
`
	_, rs := sources(t, map[string]string{"ds.yaml": ds, "d.yaml": dashboardYAML})
	res := Record(context.Background(), rs, Options{URL: srv.URL, Now: now})
	if len(res.Recordings) != 1 {
		t.Fatalf("with the secret's credentials: %v", res.Diagnostics)
	}
	res = Record(context.Background(), rs, Options{URL: srv.URL, Now: now, Range: "2d"})
	if len(res.Recordings) != 0 || !res.Diagnostics.HasErrors() || !strings.Contains(res.Diagnostics[0].Message, "max_query_length") {
		t.Fatalf("over max_query_length: %v", res.Diagnostics)
	}
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message+d.Hint, "s3cret") {
			t.Errorf("the secret is printed: %s", d.Message)
		}
	}
}

// TestMaxNodes: --max-nodes caps queries without maxNodes or with a larger
// one, and leaves smaller ones.
func TestMaxNodes(t *testing.T) {
	srv := newPyroscope(t, "")
	_, rs := sources(t, map[string]string{"ds.yaml": datasourceYAML, "d.yaml": dashboardYAML})
	res := Record(context.Background(), rs, Options{URL: srv.URL, Now: now, MaxNodes: 32})
	f, err := recording.Decode(res.Recordings[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if q := f.Panels["self"].Queries; q[0].MaxNodes != 32 || q[1].MaxNodes != 32 {
		t.Errorf("capped at 32: %d, %d", q[0].MaxNodes, q[1].MaxNodes)
	}
	res = Record(context.Background(), rs, Options{URL: srv.URL, Now: now, MaxNodes: 1024})
	f, _ = recording.Decode(res.Recordings[0].Data)
	if q := f.Panels["self"].Queries; q[0].MaxNodes != 64 || q[1].MaxNodes != 1024 {
		t.Errorf("capped at 1024: %d, %d", q[0].MaxNodes, q[1].MaxNodes)
	}
}

// TestCompileIgnoresRecordings: a recording beside the sources is not a
// source; the same file anywhere else would be read as one (and fail).
func TestCompileIgnoresRecordings(t *testing.T) {
	srv := newPyroscope(t, "")
	dir, rs := sources(t, map[string]string{"ds.yaml": datasourceYAML, "d.yaml": dashboardYAML})
	res := Record(context.Background(), rs, Options{URL: srv.URL, Now: now})
	r := res.Recordings[0]
	if err := recording.WriteFile(r.Path, r.Data); err != nil {
		t.Fatal(err)
	}
	compile := func() *compiler.Result {
		out, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	read := func(out *compiler.Result) bool {
		for name := range out.Sources {
			if strings.HasSuffix(name, ".json") {
				return true
			}
		}
		return false
	}
	if out := compile(); out.Diagnostics.HasErrors() || len(out.Resources) != len(rs) || read(out) {
		t.Fatalf("with a recording: %d resources, %v, sources %v", len(out.Resources), out.Diagnostics, out.Sources)
	}
	if err := os.WriteFile(filepath.Join(dir, "d.json"), r.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out := compile(); !read(out) {
		t.Fatal("the recording outside its dot-folder was not read: the test proves nothing")
	}
}
