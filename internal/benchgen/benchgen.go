// Package benchgen writes synthetic dashboard repositories for benchmarks:
// N two-panel FlameChart dashboards, each querying Pyroscope in the
// authoring form (a short profile type and a query label selector).
//
// The layout mimics a repository grouped by team: dashboard i lives in
// team-TT/svc-NNNNN/, with TeamSize dashboards per team and one Perses
// project per team, defined with its default Pyroscope datasource in
// team-TT/project.{cue,yaml}. Each CUE file is its own package in its own
// folder, so every file is evaluated on its own, as `cue export FILE` would.
//
// The Go benchmarks of package compiler and scripts/bench-compile.sh (through
// cmd/benchgen) both use this package, so they measure the same sources.
package benchgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TeamSize is how many dashboards share a team folder and a project.
const TeamSize = 50

// Dashboard describes dashboard i of a generated repository.
type Dashboard struct {
	Index   int
	Name    string // metadata.name, e.g. svc-00042
	Project string // metadata.project, e.g. team-00
	Dir     string // folder relative to the repository root
}

// Describe returns where and how dashboard i is generated.
func Describe(i int) Dashboard {
	name := fmt.Sprintf("svc-%05d", i)
	project := fmt.Sprintf("team-%02d", i/TeamSize)
	return Dashboard{Index: i, Name: name, Project: project, Dir: filepath.Join(project, name)}
}

// Teams is how many teams (projects) n dashboards are spread over.
func Teams(n int) int {
	return (n + TeamSize - 1) / TeamSize
}

// Resources is how many resources n generated dashboards compile to: the
// dashboards, plus a Project and a Datasource per team.
func Resources(n int) int {
	return n + 2*Teams(n)
}

// WriteCUE writes n CUE dashboards under dir, with their projects, each file
// importing pyrobuild's schema package. It returns the first error.
func WriteCUE(dir string, n int) error {
	return write(dir, n, ".cue", CUE, CUEProject, "project")
}

// WriteYAML writes n YAML dashboards under dir, with the same content as
// WriteCUE's.
func WriteYAML(dir string, n int) error {
	return write(dir, n, ".yaml", YAML, YAMLProject, "project")
}

// write writes n dashboards rendered by dashboard, and per team one file
// named teamFile+ext rendered by project.
func write(dir string, n int, ext string, dashboard func(Dashboard) string, project func(string) string, teamFile string) error {
	if n < 0 {
		return fmt.Errorf("benchgen: negative dashboard count %d", n)
	}
	for i := 0; i < n; i++ {
		d := Describe(i)
		folder := filepath.Join(dir, d.Dir)
		if err := os.MkdirAll(folder, 0o755); err != nil {
			return err
		}
		if i%TeamSize == 0 {
			p := filepath.Join(dir, d.Project, teamFile+ext)
			if err := os.WriteFile(p, []byte(project(d.Project)), 0o644); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(folder, "dashboard"+ext), []byte(dashboard(d)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// CUEProject renders the project of a team and its default Pyroscope
// datasource as a CUE file.
func CUEProject(project string) string {
	return fmt.Sprintf(`// The project of %[1]s and its Pyroscope datasource.
package team

import pb "github.com/pyrobuild/pyrobuild/schema"

project: pb.#Project & {
	metadata: name: %[2]s
	spec: display: name: "Services of %[1]s"
}

pyroscope: pb.#Datasource & {
	metadata: {
		name:    "pyroscope"
		project: %[2]s
	}
	spec: {
		default: true
		plugin: pb.#PyroscopeDatasource & {
			spec: directUrl: "http://pyroscope.monitoring.svc:4040"
		}
	}
}
`, project, cueString(project))
}

// YAMLProject renders the project of a team and its default Pyroscope
// datasource as a YAML file.
func YAMLProject(project string) string {
	return fmt.Sprintf(`# The project of %[1]s and its Pyroscope datasource.
kind: Project
metadata:
  name: %[1]s
spec:
  display:
    name: Services of %[1]s
---
kind: Datasource
metadata:
  name: pyroscope
  project: %[1]s
spec:
  default: true
  plugin:
    kind: PyroscopeDatasource
    spec:
      directUrl: http://pyroscope.monitoring.svc:4040
`, project)
}

// selector is the Pyroscope label selector of dashboard d's queries.
func selector(d Dashboard) string {
	return fmt.Sprintf(`{service_name="%s", environment="production"}`, d.Name)
}

// cueString quotes s as a CUE (and JSON) string.
func cueString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// CUE renders dashboard d as a CUE file in the style of
// examples/profiling/cpu.cue: a local panel helper unified with the schema.
func CUE(d Dashboard) string {
	q := cueString(selector(d))
	return fmt.Sprintf(`// CPU and memory flame graphs of %[1]s.
package dashboards

import pb "github.com/pyrobuild/pyrobuild/schema"

// #flame is a flame graph panel showing one profile of one service.
#flame: {
	#title:       string
	#profileType: string
	#query:       string
	pb.#Panel & {
		spec: {
			display: name: #title
			plugin: pb.#FlameChart
			queries: [{
				kind: "ProfileQuery"
				spec: plugin: pb.#PyroscopeProfileQuery & {
					spec: {
						profileType: #profileType
						query:       #query
					}
				}
			}]
		}
	}
}

dashboard: pb.#Dashboard & {
	metadata: {
		name:    %[2]s
		project: %[3]s
		tags: ["profiling", "generated"]
	}
	spec: {
		display: {
			name:        "%[1]s profiles"
			description: "CPU and memory of %[1]s in production"
		}
		duration:        "30m"
		refreshInterval: "1m"
		panels: {
			cpu: #flame & {#title: "CPU of %[1]s", #profileType: "cpu", #query: %[4]s}
			memory: #flame & {#title: "Memory of %[1]s", #profileType: "memory", #query: %[4]s}
		}
		layouts: [{
			kind: "Grid"
			spec: {
				display: title: "%[1]s"
				items: [
					{x: 0, y: 0, width: 12, height: 12, content: "$ref": "#/spec/panels/cpu"},
					{x: 12, y: 0, width: 12, height: 12, content: "$ref": "#/spec/panels/memory"},
				]
			}
		}]
	}
}
`, d.Name, cueString(d.Name), cueString(d.Project), q)
}

// YAML renders dashboard d as a YAML file with the same content as CUE(d).
func YAML(d Dashboard) string {
	q := "'" + selector(d) + "'"
	return fmt.Sprintf(`# CPU and memory flame graphs of %[1]s.
kind: Dashboard
metadata:
  name: %[1]s
  project: %[2]s
  tags: [profiling, generated]
spec:
  display:
    name: %[1]s profiles
    description: CPU and memory of %[1]s in production
  duration: 30m
  refreshInterval: 1m
  panels:
    cpu:
      kind: Panel
      spec:
        display:
          name: CPU of %[1]s
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: cpu
                  query: %[3]s
    memory:
      kind: Panel
      spec:
        display:
          name: Memory of %[1]s
        plugin:
          kind: FlameChart
          spec: {}
        queries:
          - kind: ProfileQuery
            spec:
              plugin:
                kind: PyroscopeProfileQuery
                spec:
                  profileType: memory
                  query: %[3]s
  layouts:
    - kind: Grid
      spec:
        display:
          title: %[1]s
        items:
          - x: 0
            y: 0
            width: 12
            height: 12
            content:
              $ref: "#/spec/panels/cpu"
          - x: 12
            y: 0
            width: 12
            height: 12
            content:
              $ref: "#/spec/panels/memory"
`, d.Name, d.Project, q)
}
