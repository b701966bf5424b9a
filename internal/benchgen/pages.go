package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PagesPerSection is how many generated pages share a content folder.
const PagesPerSection = 100

// PagePath is the content path of generated page i, e.g.
// section-03/page-0342.md.
func PagePath(i int) string {
	return fmt.Sprintf("section-%02d/page-%04d.md", i/PagesPerSection, i)
}

// Page returns the markdown of page i of n: about 3 KB of prose, a table and
// two 20-line code blocks (YAML and Go), with links to its neighbours.
// The same text feeds pyrobuild and Hugo, so both render the same work.
func Page(i, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"Page %d\"\nweight: %d\n---\n\n", i, i%PagesPerSection+1)
	fmt.Fprintf(&b, "# Page %d\n\n", i)
	b.WriteString("This page describes one service's profiling set-up: which profiles it sends to Pyroscope, ")
	b.WriteString("how its flame graphs are laid out on the dashboard, and what to look at first when its CPU time grows. ")
	b.WriteString("Every section below follows the same shape, so readers can skim it.\n\n")
	b.WriteString("## Overview\n\n")
	for j := 0; j < 3; j++ {
		fmt.Fprintf(&b, "Paragraph %d of page %d. The service pushes CPU, memory and goroutine profiles every ten seconds; ", j, i)
		b.WriteString("the dashboard shows them as flame graphs, one panel per profile type, with the production environment selected. ")
		b.WriteString("Use the time range picker to compare a deployment with the one before it.\n\n")
	}
	b.WriteString("## Profile types\n\n| profile | type ID | unit | panel |\n|---|---|---|---|\n")
	rows := [][2]string{{"cpu", "process_cpu:cpu:nanoseconds:cpu:nanoseconds"}, {"memory", "memory:inuse_space:bytes:space:bytes"},
		{"goroutines", "goroutines:goroutine:count:goroutine:count"}, {"mutex", "mutex:delay:nanoseconds:contentions:count"},
		{"block", "block:delay:nanoseconds:contentions:count"}}
	for k, r := range rows {
		fmt.Fprintf(&b, "| %s | `%s` | %s | panel-%d |\n", r[0], r[1], strings.Split(r[1], ":")[2], k)
	}
	b.WriteString("\n## Dashboard source\n\n```yaml\n")
	fmt.Fprintf(&b, "kind: Dashboard\nmetadata:\n  name: svc-%04d\n  project: docs\nspec:\n  display:\n    name: Service %d\n  duration: 1h\n", i, i)
	b.WriteString("  panels:\n    cpu:\n      kind: Panel\n      spec:\n        display:\n          name: CPU\n        plugin:\n          kind: FlameChart\n          spec: {}\n")
	b.WriteString("        queries:\n          - kind: ProfileQuery\n")
	fmt.Fprintf(&b, "            spec: {plugin: {kind: PyroscopeProfileQuery, spec: {profileType: cpu, service: svc-%04d}}}\n", i)
	b.WriteString("```\n\n## Instrumentation\n\n```go\n")
	b.WriteString("package main\n\nimport (\n\t\"log\"\n\n\t\"github.com/grafana/pyroscope-go\"\n)\n\nfunc main() {\n")
	fmt.Fprintf(&b, "\t_, err := pyroscope.Start(pyroscope.Config{\n\t\tApplicationName: \"svc-%04d\",\n", i)
	b.WriteString("\t\tServerAddress:   \"http://pyroscope:4040\",\n\t\tProfileTypes: []pyroscope.ProfileType{\n")
	b.WriteString("\t\t\tpyroscope.ProfileCPU,\n\t\t\tpyroscope.ProfileInuseSpace,\n\t\t},\n\t})\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\tserve()\n}\n```\n\n")
	b.WriteString("## See also\n\n")
	for _, j := range []int{(i + 1) % n, (i + n - 1) % n} {
		fmt.Fprintf(&b, "- [Page %d](%s)\n", j, relLink(PagePath(i), PagePath(j)))
	}
	b.WriteString("\n")
	return b.String()
}

func relLink(from, to string) string {
	r, err := filepath.Rel(filepath.Dir(from), to)
	if err != nil {
		return to
	}
	return filepath.ToSlash(r)
}

// WritePages writes n pages under dir/content, plus an index page, as a
// pyrobuild site.
func WritePages(dir string, n int) error {
	content := filepath.Join(dir, "content")
	if err := writeFile(filepath.Join(content, "index.md"), "---\ntitle: Generated docs\n---\n\n# Generated docs\n\nA generated site for benchmarks.\n"); err != nil {
		return err
	}
	for s := 0; s*PagesPerSection < n; s++ {
		idx := fmt.Sprintf("---\ntitle: Section %d\nweight: %d\n---\n\n# Section %d\n\nPages of section %d.\n", s, s+1, s, s)
		if err := writeFile(filepath.Join(content, fmt.Sprintf("section-%02d", s), "index.md"), idx); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		if err := writeFile(filepath.Join(content, filepath.FromSlash(PagePath(i))), Page(i, n)); err != nil {
			return err
		}
	}
	return nil
}

// WriteHugoSite writes the same n pages as a Hugo site with layouts that
// do the same work as pyrobuild's: the page, its table of contents, the
// navigation (every section, and the pages of the current one),
// highlighting with CSS classes.
func WriteHugoSite(dir string, n int) error {
	if err := WritePages(dir, n); err != nil {
		return err
	}
	// Hugo calls a folder's index page _index.md.
	content := filepath.Join(dir, "content")
	for s := 0; s*PagesPerSection < n; s++ {
		d := filepath.Join(content, fmt.Sprintf("section-%02d", s))
		if err := os.Rename(filepath.Join(d, "index.md"), filepath.Join(d, "_index.md")); err != nil {
			return err
		}
	}
	if err := os.Rename(filepath.Join(content, "index.md"), filepath.Join(content, "_index.md")); err != nil {
		return err
	}
	files := map[string]string{
		"hugo.toml": `baseURL = "https://example.com/"
title = "Generated docs"
disableKinds = ["taxonomy", "term", "RSS"]
[markup.highlight]
  noClasses = false
[markup.goldmark.renderer]
  unsafe = true
`,
		"layouts/_default/baseof.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><nav>{{ $cur := .CurrentSection.RelPermalink }}{{ range .Site.Sections }}{{ if eq .RelPermalink $cur }}<details open><summary><a href="{{ .RelPermalink }}">{{ .Title }}</a></summary><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></details>{{ else }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
`,
		"layouts/_default/single.html": `{{ define "main" }}<aside>{{ .TableOfContents }}</aside><article>{{ .Content }}</article>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
`,
		"layouts/_default/list.html": `{{ define "main" }}<article>{{ .Content }}</article><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
`,
	}
	for name, text := range files {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), text); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(p, text string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(text), 0o644)
}
