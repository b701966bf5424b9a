// A panel placed by hand past the 24th column.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	cpu := dac.FlameChart("cpu", dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`{service_name="api"}`)))
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Grid(
				dac.Place(cpu, 12, 0, 24, 8),
			),
		),
	)
}
