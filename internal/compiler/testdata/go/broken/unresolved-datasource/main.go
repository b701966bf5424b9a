// A query naming a datasource that exists nowhere.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Row(1, 12,
				dac.FlameChart("cpu", dac.ProfileQuery(
					dac.ProfileType("cpu"),
					dac.Query(`{service_name="api"}`),
					dac.UseDatasource("nowhere"),
				)),
			),
		),
	)
}
