package preview

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/snapshot/recording"
)

// TestServePicksUpRecordings: `pyrobuild snapshot` run beside a running
// serve, for the first time (the recordings folder is new) and again, is
// shown without a restart and without a source edit: the dashboard's page
// is rebuilt, and its panel's hash changes so that the page replaces it.
func TestServePicksUpRecordings(t *testing.T) {
	f := newServeFixture(t, "http://127.0.0.1:1")
	ev := f.events()
	next(t, ev, "ok")
	const page = "/dashboards/demo/cpu/"
	_, before := f.get(page)
	if strings.Contains(before, "data-recording") {
		t.Fatal("the page has a recording before any snapshot")
	}
	hash := regexp.MustCompile(`data-hash="([0-9a-f]+)"`)
	h0 := hash.FindStringSubmatch(before)
	if h0 == nil {
		t.Fatalf("no panel hash on the page:\n%s", before)
	}

	// The first snapshot creates .pyrobuild/recordings/demo/cpu.json.
	recordFixture(t, f.root)
	m := next(t, ev, "reload")
	if !slices.Contains(m.Pages, page) {
		t.Errorf("after the first snapshot: pages %v, want %s among them", m.Pages, page)
	}
	_, first := f.get(page)
	if !strings.Contains(first, "data-recording") {
		t.Fatal("the page does not carry the new recording")
	}
	h1 := hash.FindStringSubmatch(first)
	if h1 == nil || h1[1] == h0[1] {
		t.Errorf("panel hash %v after the snapshot, %v before: the page would keep the old panel", h1, h0)
	}

	// A second snapshot replaces the file (written beside it, renamed).
	path := recording.Path(filepath.Join(f.root, "dashboards", "all.yaml"), "demo", "cpu")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`"recorded":"[^"]+"`)
	if !stamp.Match(data) {
		t.Fatalf("no recorded time in %s", data)
	}
	again := stamp.ReplaceAll(data, []byte(`"recorded":"2026-01-02T03:04:05Z"`))
	if err := recording.WriteFile(path, again); err != nil {
		t.Fatal(err)
	}
	m = next(t, ev, "reload")
	if !slices.Contains(m.Pages, page) {
		t.Errorf("after the second snapshot: pages %v, want %s among them", m.Pages, page)
	}
	if _, second := f.get(page); !strings.Contains(second, "2026-01-02") {
		t.Error("the page still shows the first recording")
	}
}
