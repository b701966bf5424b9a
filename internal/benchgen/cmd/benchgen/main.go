// Command benchgen writes N synthetic dashboards for benchmarks, in CUE or
// YAML, or a synthetic docs site of N pages (for pyrobuild, or for Hugo to
// compare with). Dashboards are laid out as team-TT/svc-NNNNN/dashboard.{cue,yaml}. The CUE
// dashboards import "github.com/pyrobuild/pyrobuild/schema"; pyrobuild
// provides it, while plain `cue` needs a cue.mod (see
// scripts/bench-compile.sh). The cue-sdk dashboards are the same ones written
// with the Perses CUE SDK and plugin schemas, for `percli dac build`.
//
//	go run ./internal/benchgen/cmd/benchgen -n 500 -format cue -out /tmp/dash
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
)

func main() {
	n := flag.Int("n", 50, "number of dashboards")
	format := flag.String("format", "cue", "what to write: cue, cue-sdk (the Perses CUE SDK) or yaml dashboards, or a docs site of N pages for pyrobuild (pages) or Hugo (hugo)")
	out := flag.String("out", "", "folder to write into (created if missing)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: benchgen -n N -format cue|cue-sdk|yaml|pages|hugo -out DIR")
		os.Exit(2)
	}
	var err error
	switch *format {
	case "cue":
		err = benchgen.WriteCUE(*out, *n)
	case "yaml":
		err = benchgen.WriteYAML(*out, *n)
	case "cue-sdk":
		err = benchgen.WriteCUESDK(*out, *n)
	case "pages":
		err = benchgen.WritePages(*out, *n)
	case "hugo":
		err = benchgen.WriteHugoSite(*out, *n)
	default:
		fmt.Fprintf(os.Stderr, "benchgen: unknown format %q (want cue, cue-sdk, yaml, pages or hugo)\n", *format)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
}
