package site

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogNavUsesDisplayNames: the navigation names a project's
// folder of the catalog with the project's display name (its name when it
// has none), never a title made up from the folder's name ("Shop yaml"),
// and a dashboard's page has no table with an empty header row.
func TestCatalogNavUsesDisplayNames(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"content/index.md": "# Home\n",
		"dashboards/shop.yaml": `kind: Project
metadata:
  name: shop-yaml
spec:
  display:
    name: Shop dashboards
    description: What the shop's services spend their time on
---
kind: Dashboard
metadata:
  name: cpu
  project: shop-yaml
spec:
  duration: 1h
  panels: {}
  layouts: []
---
kind: Dashboard
metadata:
  name: memory
  project: profiling-go
spec:
  display:
    name: Memory
  panels: {}
  layouts: []
`,
	})
	s := buildSite(t, Config{Root: dir, Dashboards: []string{filepath.Join(dir, "dashboards")}, Workers: 2})
	if s.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", diagText(s.Diagnostics))
	}
	page := string(s.Files["dashboards/shop-yaml/cpu/index.html"])
	nav := page[strings.Index(page, `class="nav-list"`):]
	nav = nav[:strings.Index(nav, "</nav>")]
	for _, want := range []string{
		`<a href="/dashboards/shop-yaml/" data-page="dashboards/shop-yaml/">Shop dashboards</a>`,
		`>profiling-go</a>`,
	} {
		if !strings.Contains(nav, want) {
			t.Errorf("the nav lacks %s:\n%s", want, nav)
		}
	}
	for _, bad := range []string{"Shop yaml", "Profiling go"} {
		if strings.Contains(nav, bad) {
			t.Errorf("the nav names a project %q", bad)
		}
	}
	project := string(s.Files["dashboards/shop-yaml/index.html"])
	for _, want := range []string{"<h1", "Shop dashboards", "services spend their time on", `href="/dashboards/shop-yaml/cpu/"`} {
		if !strings.Contains(project, want) {
			t.Errorf("the project's page lacks %q", want)
		}
	}
	emptyHeader := regexp.MustCompile(`<th[^>]*>\s*</th>`)
	for name, data := range s.Files {
		if strings.HasPrefix(name, "dashboards/") && emptyHeader.Match(data) {
			t.Errorf("%s has a table header cell with nothing in it", name)
		}
	}
	if !strings.Contains(page, "<dt>project</dt>\n<dd><code>shop-yaml</code></dd>") {
		t.Errorf("the dashboard's page does not name its project")
	}
}
