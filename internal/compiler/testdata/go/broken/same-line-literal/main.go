// The same misspelt literal twice on one line: the unknown profile type is
// reported at ProfileType's argument, not at Display's.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	mem := dac.FlameChart("mem", dac.Display("memroy"), dac.ProfileQuery(dac.ProfileType("memroy"), dac.Query(`{service_name="api"}`)))
	dac.Emit(dac.Dashboard("broken", "mem", dac.Row(1, 8, mem)))
}
