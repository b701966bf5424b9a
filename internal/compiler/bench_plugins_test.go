package compiler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
)

// writePluginRepo writes n YAML dashboards mixing Pyroscope and other
// plugin kinds (those of testdata/plugins), 25 to a project, each project
// with a Pyroscope and an AcmeMetrics datasource.
func writePluginRepo(dir string, n int) error {
	for t := 0; t*25 < n; t++ {
		project := fmt.Sprintf(`kind: Project
metadata: {name: team%[1]d}
---
kind: Datasource
metadata: {name: pyro, project: team%[1]d}
spec:
  default: true
  plugin: {kind: PyroscopeDatasource, spec: {directUrl: "http://pyroscope:4040"}}
---
kind: Datasource
metadata: {name: metrics, project: team%[1]d}
spec:
  default: true
  plugin: {kind: AcmeMetricsDatasource, spec: {directUrl: "http://metrics:9090", scrapeInterval: 30s}}
`, t)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("team%d.yaml", t)), []byte(project), 0o644); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		d := fmt.Sprintf(`kind: Dashboard
metadata: {name: service%[1]d, project: team%[2]d}
spec:
  duration: 1h
  variables:
    - kind: ListVariable
      spec:
        name: env
        plugin: {kind: StaticListVariable, spec: {values: [prod, staging, {value: dev, label: Development}]}}
  panels:
    cpu:
      kind: Panel
      spec:
        display: {name: CPU}
        plugin: {kind: FlameChart, spec: {palette: value}}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec: {profileType: cpu, query: '{service_name="service%[1]d", env="$env"}', maxNodes: 1000}
    latency:
      kind: Panel
      spec:
        display: {name: Latency}
        plugin: {kind: AcmeLineChart, spec: {unit: seconds, lineWidth: 2, legend: {position: bottom}}}
        queries:
          - kind: TimeSeriesQuery
            spec:
              plugin: {kind: AcmeMetricsQuery, spec: {expr: 'histogram_quantile(0.99, rate(latency_bucket{service="service%[1]d"}[5m]))', step: 1m}}
          - kind: TimeSeriesQuery
            spec:
              plugin: {kind: AcmeMetricsQuery, spec: {expr: 'rate(requests_total{service="service%[1]d"}[5m])', legend: rps}}
    top:
      kind: Panel
      spec:
        display: {name: Slowest endpoints}
        plugin: {kind: AcmeTable, spec: {density: compact, columns: [{name: endpoint}, {name: p99, align: right}], pageSize: 20}}
    about:
      kind: Panel
      spec:
        display: {name: About}
        plugin: {kind: AcmeNote, spec: {text: "Owned by team %[2]d."}}
  layouts:
    - kind: Grid
      spec:
        items:
          - {x: 0, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/cpu"}}
          - {x: 12, y: 0, width: 12, height: 8, content: {$ref: "#/spec/panels/latency"}}
          - {x: 0, y: 8, width: 12, height: 8, content: {$ref: "#/spec/panels/top"}}
          - {x: 12, y: 8, width: 12, height: 8, content: {$ref: "#/spec/panels/about"}}
`, i, i/25)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("service%d.yaml", i)), []byte(d), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkCompilePlugins compiles 500 dashboards mixing Pyroscope and
// other plugins, without --plugins (the other plugins are only warned
// about) and with the five plugin modules of testdata/plugins (two
// archives among them) loaded and every plugin object checked against
// them. BENCHMARKS.md records the ratio of the two.
func BenchmarkCompilePlugins(b *testing.B) {
	const n = 500
	dir := b.TempDir()
	if err := writePluginRepo(dir, n); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		plugins []string
	}{{"without", nil}, {"with-5-modules", []string{pluginsDir}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := compiler.Compile(context.Background(), compiler.Options{Paths: []string{dir}, Plugins: c.plugins})
				if err != nil {
					b.Fatal(err)
				}
				if res.Diagnostics.HasErrors() {
					b.Fatalf("compile failed: %v", res.Diagnostics[:1])
				}
				if len(res.Resources) != n+3*n/25 {
					b.Fatalf("compiled %d resources", len(res.Resources))
				}
			}
		})
	}
}
