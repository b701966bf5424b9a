// The second program of the folder: it declares main too.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(dac.Dashboard("twomain", "mem", dac.Row(1, 8, dac.FlameChart("mem", dac.ProfileQuery(dac.ProfileType("memory"), dac.Service("api"))))))
}
