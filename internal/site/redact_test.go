package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialsInURLsNotPublished: a password or token written inside a
// datasource's URL appears in no page and not in the search index; the
// dashboard page shows the URL redacted.
func TestCredentialsInURLsNotPublished(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"content/index.md": "# Home\n\nWelcome.\n",
		"dashboards/d.yaml": `kind: GlobalDatasource
metadata: {name: pyro}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://admin:pa55-in-url@pyro.example.com:4040/?token=tok-in-url"}}
---
kind: Dashboard
metadata: {name: cpu, project: demo}
spec:
  datasources:
    own:
      default: false
      plugin:
        kind: PyroscopeDatasource
        spec:
          proxy: {kind: HTTPProxy, spec: {url: "http://pyro.example.com:4040/?api_key=k3yk3y"}}
  panels:
    a:
      kind: Panel
      spec:
        plugin: {kind: FlameChart, spec: {}}
        queries: [{kind: ProfileQuery, spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: api}}}}]
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 24, height: 8, content: {$ref: "#/spec/panels/a"}}
`,
	}
	for name, src := range files {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := buildSite(t, Config{Root: root, Dashboards: []string{filepath.Join(root, "dashboards")}, Workers: 2})
	if _, ok := s.Files["search-index.json"]; !ok {
		t.Fatal("no search index")
	}
	for name, data := range s.Files {
		for _, secret := range []string{"pa55-in-url", "tok-in-url", "k3yk3y"} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s publishes %q", name, secret)
			}
		}
	}
	page := string(s.Files["dashboards/demo/cpu/index.html"])
	if !strings.Contains(page, "direct http://admin:&lt;redacted&gt;@pyro.example.com:4040/?token=&lt;redacted&gt;") {
		t.Errorf("the dashboard page does not show the redacted URL")
	}
}
