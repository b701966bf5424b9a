// A program that forgets to emit its resources.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	_ = dac.Project("broken")
}
