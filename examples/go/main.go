// Command go is the Go version of the examples in ../profiling: the same
// datasources, secret and CPU, goroutine and memory flame graphs, written
// with pyrobuild's Go SDK in a project of their own, profiling-go.
//
// pyrobuild compile builds and runs it like any other source; go run .
// prints what it hands to pyrobuild.
package main

import "github.com/pyrobuild/pyrobuild/dac"

// project is the Perses project every resource of this program belongs to.
const project = "profiling-go"

func main() {
	dac.Emit(
		dac.Project(project,
			dac.Display("Continuous profiling (Go)"),
			dac.Description("Flame graphs of the services profiled by Pyroscope, written in Go"),
		),
		mainDatasource(),
		proxiedDatasource(),
		secret(),
		cpuDashboard(),
		goroutinesDashboard(),
		memoryDashboard(),
	)
}
