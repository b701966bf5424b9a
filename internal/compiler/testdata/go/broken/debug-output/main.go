// A program that prints debug output on standard output before dac.Emit's
// document.
package main

import (
	"fmt"

	"github.com/pyrobuild/pyrobuild/dac"
)

func main() {
	fmt.Println("building the dashboards")
	dac.Emit(dac.Project("debug"))
}
