// pyrobuild accepts 5000 nodes; the Pyroscope schema loaded with --plugins
// (testdata/plugins/Pyro-1.0.0.tar.gz) allows at most 1000: reported at
// the MaxNodes call.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(
		dac.Dashboard("broken", "cpu",
			dac.Row(1, 24,
				dac.FlameChart("cpu", dac.ProfileQuery(dac.ProfileType("cpu"), dac.Service("api"), dac.MaxNodes(5000))),
			),
		),
	)
}
