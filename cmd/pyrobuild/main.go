// Command pyrobuild compiles Perses dashboards for Grafana Pyroscope and
// builds their documentation. See `pyrobuild --help`.
package main

import (
	"os"

	"github.com/pyrobuild/pyrobuild/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
