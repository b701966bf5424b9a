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
	"strings"
	"testing"
	"time"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// fakePyroscope answers the two Connect calls with recorded responses and
// checks the requests look like the Perses plugin's.
func fakePyroscope(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	types, _ := os.ReadFile("testdata/pyroscope/ProfileTypes.json")
	services, _ := os.ReadFile("testdata/pyroscope/LabelValues_service_name.json")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"code":"invalid_argument","message":"bad request"}`, http.StatusUnsupportedMediaType)
			return
		}
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil || body["start"] == nil || body["end"] == nil {
			http.Error(w, `{"code":"invalid_argument","message":"missing time range in the query"}`, http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/querier.v1.QuerierService/ProfileTypes":
			w.Write(types)
		case "/querier.v1.QuerierService/LabelValues":
			if body["name"] != "service_name" {
				w.Write([]byte(`{"names":[]}`))
				return
			}
			w.Write(services)
		default:
			http.NotFound(w, r)
		}
	}))
}

func liveSources(t *testing.T, url string) []*model.Resource {
	t.Helper()
	dir := t.TempDir()
	src := `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "` + url + `"}}
---
kind: Dashboard
metadata: {name: d, project: p}
spec:
  panels:
    ok:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, query: '{service_name="burner"}'}}}}]
    missing:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: "wall:wall:nanoseconds:wall:nanoseconds", query: '{service_name="burnr"}'}}}}]
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/ok"}}
          - {x: 12, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/missing"}}
`
	os.WriteFile(filepath.Join(dir, "d.yaml"), []byte(src), 0o644)
	return compileOK(t, compiler.Options{Paths: []string{dir}}).Resources
}

func TestCheckLive(t *testing.T) {
	srv := fakePyroscope(t, 0)
	defer srv.Close()
	ds := Check(context.Background(), liveSources(t, srv.URL), Options{})
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String()[strings.LastIndex(d.Pos.String(), "/")+1:]+" "+string(d.Code)+" "+d.Message+" | "+d.Hint)
	}
	want := []string{
		`d.yaml:20:105 PB1302 profile type "wall:wall:nanoseconds:wall:nanoseconds" has no data in datasource pyro over the last 24h0m0s | profile types with data: block:contentions:count:contentions:count, block:delay:nanoseconds:contentions:count, goroutines:goroutine:count:goroutine:count, memory:alloc_objects:count:space:bytes, memory:alloc_space:bytes:space:bytes, memory:inuse_objects:count:space:bytes, memory:inuse_space:bytes:space:bytes, mutex:contentions:count:contentions:count, mutex:delay:nanoseconds:contentions:count, process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds`,
		`d.yaml:20:169 PB1302 service "burnr" has no profiles in datasource pyro over the last 24h0m0s | did you mean "burner"?`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckLiveUnreachable(t *testing.T) {
	// A port nothing listens on: refused at once.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + l.Addr().String()
	l.Close()
	ds := Check(context.Background(), liveSources(t, url), Options{})
	if len(ds) != 1 || ds[0].Code != model.CodeLiveUnreachable || ds[0].Severity != diag.Warning {
		t.Fatalf("diagnostics: %v", ds)
	}
	// At the datasource's default field, which made the query use it.
	if p := ds[0].Pos; filepath.Base(p.File) != "d.yaml" || p.Line != 4 || p.Col != 12 {
		t.Errorf("reported at %s, want d.yaml:4:12", p)
	}

	// A server slower than the time-out: a warning, not a hang.
	slow := fakePyroscope(t, 600*time.Millisecond)
	defer slow.Close()
	start := time.Now()
	ds = Check(context.Background(), liveSources(t, slow.URL), Options{Timeout: 100 * time.Millisecond})
	if len(ds) != 1 || ds[0].Code != model.CodeLiveUnreachable || !strings.Contains(ds[0].Message, "deadline") {
		t.Fatalf("diagnostics: %v", ds)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("time-out took %s", d)
	}
}

func compileOK(t *testing.T, opts compiler.Options) *compiler.Result {
	t.Helper()
	res, err := compiler.Compile(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		if d.Severity >= diag.Warning {
			t.Errorf("unexpected diagnostic: %s: %s", d, d.Hint)
		}
	}
	return res
}
