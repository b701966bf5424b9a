// A profile type misspelt in a helper's argument: reported where it is
// written, not inside the helper.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func flame(key, profileType string) *dac.Panel {
	return dac.FlameChart(key,
		dac.ProfileQuery(dac.ProfileType(profileType), dac.Query(`{service_name="api"}`)),
	)
}

func main() {
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Row(2, 12,
				flame("ok", "cpu"),
				flame("typo", "cpuu"),
			),
			dac.Row(1, 12,
				dac.FlameChart("direct", dac.ProfileQuery(dac.ProfileType("memroy"), dac.Query(`{service_name="api"}`))),
			),
		),
	)
}
