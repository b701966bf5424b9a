// Calls whose columns TestPosition finds (not built: testdata).
package main

import "github.com/pyrobuild/pyrobuild/dac"

func flame(key, profileType string) *dac.Panel {
	return dac.FlameChart(key, dac.ProfileQuery(dac.ProfileType(profileType)))
}

func main() {
	a, b := flame("a", "cpu"), flame("b", "cpu")
	dac.Emit(
		dac.Dashboard("p", "d", dac.Row(1, 12, a), dac.Row(1, 12, b)),
		dac.Dashboard("p", "e", dac.Display("memroy"), dac.Row(1, 8, dac.FlameChart("x", dac.ProfileQuery(dac.ProfileType("memroy"))))),
		dac.Dashboard("p", "f", dac.Row(1, 8, dac.FlameChart("y", dac.ProfileQuery(dac.Query(`{a="b"}`), dac.Query(`{c="d"}`))))),
	)
}
