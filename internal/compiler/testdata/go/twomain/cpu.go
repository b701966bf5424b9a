// One program per file, as percli's layout has it: percli runs
// `go run cpu.go` and `go run mem.go`; pyrobuild builds each file alone.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(dac.Project("twomain"),
		dac.Datasource("twomain", "pyro", dac.Default(), dac.DirectURL("http://pyroscope:4040")),
		dac.Dashboard("twomain", "cpu", dac.Row(1, 8, dac.FlameChart("cpu", dac.ProfileQuery(dac.ProfileType("cpu"), dac.Service("api"))))))
}
