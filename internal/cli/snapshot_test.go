package cli

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const snapshotSources = `kind: Datasource
metadata: {name: pyro, project: p}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://pyroscope.example.com:4040"}}
---
kind: Dashboard
metadata: {name: d, project: p}
spec:
  panels:
    cpu:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries:
          - kind: ProfileQuery
            spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}
  layouts:
    - kind: Grid
      spec: {items: [{x: 0, y: 0, width: 24, height: 10, content: {$ref: "#/spec/panels/cpu"}}]}
`

// TestSnapshotKeepsOldRecording: a snapshot the server fails leaves the
// recording as it was and exits 1; one it answers replaces it whole.
func TestSnapshotKeepsOldRecording(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.yaml": snapshotSources})
	rec := filepath.Join(dir, ".pyrobuild", "recordings", "p", "d.json")
	writeFiles(t, dir, map[string]string{".pyrobuild/recordings/p/d.json": "old recording\n"})
	var failing atomic.Bool
	failing.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, `{"code":"unavailable","message":"ingester not ready"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"version":1,"flamebearer":{"names":["total","main"],"levels":[[0,5,0,0],[0,5,5,1]],"numTicks":5,"maxSelf":5},"metadata":{"units":"samples","name":"cpu"},"timeline":{"startTime":1,"samples":[5],"durationDelta":10}}`))
	}))
	defer srv.Close()

	code, _, stderr := run(t, "snapshot", dir, "--url", srv.URL)
	if code != 1 || !strings.Contains(stderr, "ingester not ready") || !strings.Contains(stderr, "[PB1305]") || !strings.Contains(stderr, "d.yaml:17:64") ||
		!strings.Contains(stderr, "the recordings of p/d left unchanged") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(rec); string(b) != "old recording\n" {
		t.Fatalf("a failed snapshot changed the recording: %q", b)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(rec), ".tmp-*")); len(tmp) > 0 {
		t.Errorf("left behind: %v", tmp)
	}

	failing.Store(false)
	code, stdout, stderr := run(t, "snapshot", dir, "--url", "pyro="+srv.URL)
	if code != 0 || !strings.Contains(stdout, "recorded p/d (1 query, ") {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(rec)
	if err != nil || !strings.HasPrefix(string(b), `{"dashboard":"p/d",`) || !strings.Contains(string(b), `"server":"`+srv.URL+`"`) {
		t.Errorf("recording: %v %.200s", err, b)
	}
	// The recording is not a source.
	if code, _, stderr := run(t, "check", dir); code != 0 {
		t.Errorf("check with a recording: exit %d\n%s", code, stderr)
	}
}

// TestSnapshotUsage: bad flags are usage errors (exit 2), before any
// request.
func TestSnapshotUsage(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.yaml": snapshotSources})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", "nope=http://127.0.0.1:1"}, "no query uses a datasource nope; they use pyro"},
		{[]string{"--url", "ftp://x"}, "not an http or https URL"},
		{[]string{"--url", "http://a:1", "--url", "http://b:1"}, "--url given twice"},
		{[]string{"--range", "soon"}, `--range "soon"`},
		{[]string{"--max-nodes", "-1"}, "--max-nodes must not be negative"},
	} {
		code, _, stderr := run(t, append([]string{"snapshot", dir}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s", c.args, code, stderr)
		}
	}
	code, stdout, _ := run(t, "snapshot", "--help")
	if code != 0 || !strings.Contains(stdout, ".pyrobuild/recordings/<project>/<dashboard>.json") || !strings.Contains(stdout, "--url") {
		t.Errorf("--help: exit %d\n%s", code, stdout)
	}
}
