// A program that panics in a helper of its own.
package main

import "github.com/pyrobuild/pyrobuild/dac"

var services = []string{"api", "worker"}

func service(i int) string {
	return services[i]
}

func main() {
	dac.Emit(dac.Project(service(2)))
}
