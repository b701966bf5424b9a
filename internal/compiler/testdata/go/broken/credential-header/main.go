// Credentials written in Go: reported, and never quoted in an excerpt.
package main

import "github.com/pyrobuild/pyrobuild/dac"

func main() {
	dac.Emit(
		dac.Datasource("broken", "pyroscope", dac.Default(),
			dac.Proxy("http://pyroscope:4040", dac.Header("Authorization", "Bearer s3cr3t-t0ken")),
		),
	)
}
