package preview

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var panelHashAttr = regexp.MustCompile(`<section class="pb-panel"[^>]* data-hash="([0-9a-f]{16})"[^>]* data-panel="([^"]+)"`)

// TestServePanelHash: each panel of a dashboard page carries the hash of
// what it draws, which live.js compares across rebuilds to replace only
// the panels that changed. A new title or place keeps it (live.js updates
// them in place), a new query changes it.
func TestServePanelHash(t *testing.T) {
	f := newServeFixtureWith(t, "http://127.0.0.1:1", twoPanels(t))
	ch := f.events()
	next(t, ch, "ok")
	hashes := func() map[string]string {
		t.Helper()
		code, body := f.get("/dashboards/demo/cpu/")
		if code != 200 {
			t.Fatalf("GET the dashboard page: %d", code)
		}
		out := map[string]string{}
		for _, m := range panelHashAttr.FindAllStringSubmatch(body, -1) {
			out[m[2]] = m[1]
		}
		if len(out) != 2 {
			t.Fatalf("panel hashes %v, want api and db", out)
		}
		return out
	}
	first := hashes()
	if first["api"] == first["db"] {
		t.Fatalf("two panels with different queries have the same hash %s", first["api"])
	}
	dash := filepath.Join(f.root, "dashboards", "all.yaml")
	src, err := os.ReadFile(dash)
	if err != nil {
		t.Fatal(err)
	}
	edits := []struct {
		name, from, to string
		apiSame        bool
	}{
		{"title", "name: API", "name: API renamed", true},
		{"place", "width: 24\n            height: 14\n            content:\n              $ref: '#/spec/panels/api'", "width: 12\n            height: 10\n            content:\n              $ref: '#/spec/panels/api'", true},
		{"query", `service_name="burner"`, `service_name="burner2"`, false},
		{"options", "          kind: FlameChart\n          spec: {}\n        queries:\n          - kind: ProfileQuery\n            spec:\n              plugin:\n                kind: PyroscopeProfileQuery\n                spec:\n                  profileType: cpu\n                  query: '{service_name=\"burner\"}'",
			"          kind: FlameChart\n          spec:\n            palette: mono\n        queries:\n          - kind: ProfileQuery\n            spec:\n              plugin:\n                kind: PyroscopeProfileQuery\n                spec:\n                  profileType: cpu\n                  query: '{service_name=\"burner\"}'", false},
	}
	for _, e := range edits {
		text := strings.Replace(string(src), e.from, e.to, 1)
		if text == string(src) {
			t.Fatalf("%s: the fixture lacks %q", e.name, e.from)
		}
		write(t, dash, text)
		next(t, ch, "reload")
		next(t, ch, "ok", "errors")
		got := hashes()
		if (got["api"] == first["api"]) != e.apiSame {
			t.Errorf("%s: api's hash %s, before %s; want same: %v", e.name, got["api"], first["api"], e.apiSame)
		}
		if got["db"] != first["db"] {
			t.Errorf("%s: db's hash changed although db did not", e.name)
		}
		write(t, dash, string(src))
		next(t, ch, "reload")
		next(t, ch, "ok")
	}
}
