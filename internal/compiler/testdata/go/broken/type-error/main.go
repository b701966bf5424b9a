// A dashboards program that does not compile.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(
		dac.Project("broken"),
		dac.Dashboard("broken", "cpu", dac.Duration(30)),
	)
}
