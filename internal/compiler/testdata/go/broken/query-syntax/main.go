// A label value without quotes in a raw string: reported at its column.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Row(1, 12,
				dac.FlameChart("cpu", dac.ProfileQuery(
					dac.ProfileType("cpu"),
					dac.Query(`{service_name="api", env=prod}`),
				)),
			),
		),
	)
}
