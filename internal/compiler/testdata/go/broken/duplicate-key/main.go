// Two panels under one key, made by two calls on one line: each is
// reported at its own call, the other's position with its folder.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(dac.Dashboard("broken", "dup", dac.Row(2, 8, dac.FlameChart("x"), dac.FlameChart("x"))))
}
