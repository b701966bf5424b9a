package catalog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

const recordedSources = `kind: Datasource
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

// dashboardPageOf compiles the sources in dir and returns the dashboard
// page's markdown.
func dashboardPageOf(t *testing.T, dir string, preview bool) string {
	t.Helper()
	res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}})
	if err != nil || res.Diagnostics.HasErrors() {
		t.Fatalf("compile: %v %v", err, res.Diagnostics)
	}
	for _, p := range Pages(res, Options{Root: dir, Preview: preview}) {
		if p.Key == "dashboards/p/d.md" {
			return string(p.Source)
		}
	}
	t.Fatal("no dashboard page")
	return ""
}

func writeRecording(t *testing.T, dir, query string, version int) {
	t.Helper()
	f := &recording.File{Dashboard: "p/d", Version: version, Recorded: "2026-12-06T20:00:00Z",
		Range: recording.Range{Relative: "1h", From: "2026-12-06T19:00:00Z", Until: "2026-12-06T20:00:00Z"},
		Panels: map[string]*recording.Panel{"cpu": {Queries: []*recording.Query{{
			Query: query, Datasource: "pyro", Server: "http://user:hunter2@127.0.0.1:4040",
			Answer: []byte(`{"flamebearer":{"names":["total"],"levels":[[0,5,5,0]],"numTicks":5,"maxSelf":5},"heatmap":{},"metadata":{"units":"samples"},"timeline":{"samples":[5]}}`),
		}}}}}
	b, err := recording.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := recording.WriteFile(recording.Path(filepath.Join(dir, "d.yaml"), "p", "d"), b); err != nil {
		t.Fatal(err)
	}
}

// TestRecordedPage: a dashboard with a recording shows it, labelled, in
// place of the layout's boxes, on the built site and in the preview; one
// without keeps the boxes; a recording of other queries shows nothing of
// them; one that cannot be read says so.
func TestRecordedPage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "d.yaml"), []byte(recordedSources), 0o644); err != nil {
		t.Fatal(err)
	}
	page := dashboardPageOf(t, dir, false)
	if !strings.Contains(page, `class="grid-preview`) || strings.Contains(page, "Recorded") || strings.Contains(page, "recording.js") {
		t.Errorf("without a recording the page changed:\n%s", page)
	}

	const query = `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api"}`
	writeRecording(t, dir, query, recording.Version)
	const label = "Recorded 2026-12-06 20:00 UTC from http://user:&lt;redacted&gt;@127.0.0.1:4040 for the last 1h (2026-12-06 19:00 – 20:00 UTC)"
	page = dashboardPageOf(t, dir, false)
	for _, want := range []string{"scripts: [js/flamegraph.js, js/recording.js]", "## Recorded profiles", `<p class="pb-recorded-label" style="font-size:.9rem;opacity:.8">` + label + ".</p>",
		`data-recording="[{&#34;answer&#34;:{&#34;flamebearer&#34;:`} {
		if !strings.Contains(page, want) {
			t.Errorf("built page lacks %s:\n%s", want, page)
		}
	}
	if strings.Contains(page, `class="grid-preview`) || strings.Contains(page, "hunter2") || strings.Contains(page, "heatmap") {
		t.Errorf("built page: boxes, a password or what is not drawn:\n%s", page)
	}
	page = dashboardPageOf(t, dir, true)
	for _, want := range []string{"scripts: [js/flamegraph.js, js/recording.js, js/preview.js]", `data-recorded="` + label + `"`, "data-recording="} {
		if !strings.Contains(page, want) {
			t.Errorf("preview page lacks %s:\n%s", want, page)
		}
	}

	writeRecording(t, dir, `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="other"}`, recording.Version)
	if page = dashboardPageOf(t, dir, false); strings.Contains(page, "data-recording=") {
		t.Errorf("a recording of another query is drawn:\n%s", page)
	}
	writeRecording(t, dir, query, 99)
	if page = dashboardPageOf(t, dir, false); !strings.Contains(page, "is not shown: recording version 99, this pyrobuild reads version 1.") || !strings.Contains(page, `class="grid-preview`) {
		t.Errorf("an unreadable recording:\n%s", page)
	}
}
