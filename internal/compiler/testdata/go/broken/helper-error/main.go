// A program whose helper package does not compile: the error is shown
// with its line of the helper, as one of main's would be.
package main

import (
	"github.com/pyrobuild/pyrobuild/dac"
	"github.com/pyrobuild/pyrobuild/internal/compiler/testdata/go/broken/helper-error/lib"
)

func main() {
	dac.Emit(dac.Project(lib.Project))
}
