// Two calls of one function on one line, with values that are not
// literals: the second's mistake is reported at the second call.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	good, bad := "cpu", "cpuu"
	dac.Emit(dac.Dashboard("broken", "cpu", dac.Row(1, 12, dac.FlameChart("a", dac.ProfileQuery(dac.ProfileType(good)), dac.ProfileQuery(dac.ProfileType(bad))))))
}
