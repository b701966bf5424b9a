// A row of zero panels per row: a misuse of the SDK's layout helper.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	cpu := dac.FlameChart("cpu", dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`{service_name="api"}`)))
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Row(0, 12, cpu),
		),
	)
}
