// Package dac writes Perses dashboards for Grafana Pyroscope as Go code,
// for pyrobuild to check, lower and bundle.
//
// A dashboards program is a main package that builds resources and hands
// them to Emit:
//
//	func main() {
//		dac.Emit(
//			dac.Project("profiling"),
//			dac.Datasource("profiling", "pyroscope", dac.Default(),
//				dac.DirectURL("http://pyroscope.example.com:4040")),
//			dac.Dashboard("profiling", "cpu",
//				dac.Display("CPU"),
//				dac.Row(2, 12,
//					dac.FlameChart("api", dac.Display("api"),
//						dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`{service_name="api"}`))),
//					dac.FlameChart("worker", dac.Display("worker"),
//						dac.ProfileQuery(dac.ProfileType("cpu"), dac.Query(`{service_name="worker"}`))),
//				),
//			),
//		)
//	}
//
// `pyrobuild compile` finds such programs among its inputs (main packages
// that import this package), builds each once into a cache, runs them and
// checks what they emit together with the CUE, YAML and JSON sources.
//
// # Values, not rules
//
// The builders only build values, in the authoring form of pyrobuild's
// model (short profile types such as "cpu", query label selectors); they
// check nothing that the model says. pyrobuild checks the values and
// lowers them to the form Perses accepts, so the rules exist once, and a
// mistake is reported at the line of the Go call that made it:
//
//	main.go:14:23: error: unknown profile type "cpuu" [PB1201]
//
// Every builder and option records where the user's code called it (the
// first caller outside this package, so a helper function of your own is
// where its dac calls are). The package imports only the standard library,
// so dashboards programs build in a fraction of a second.
//
// Emit stops only on misuse of the builders themselves, which no model
// could report: two different panels under one key in a dashboard, a Row of
// 0 panels per row, a nil resource or panel.
//
// # The protocol
//
// Emit writes one JSON document to standard output:
//
//	{
//	  "pyrobuild": 1,
//	  "resources": [ {"kind": "Project", "metadata": {"name": "profiling"}, "spec": {}}, … ],
//	  "positions": {
//	    "0": "main.go:10:3",
//	    "1/spec/panels/api/spec/queries/0/spec/plugin/spec/profileType": "main.go:14:23",
//	    …
//	  }
//	}
//
// Its fields:
//
//   - "pyrobuild" is the protocol version, ProtocolVersion. A reader
//     rejects versions it does not know; fields may be added without a new
//     version, and readers ignore fields they do not know.
//   - "resources" are Perses resources ({kind, metadata, spec}), in the
//     order given to Emit.
//   - "positions" maps a value to the call that set it. A key is the index
//     of a resource in "resources" followed by the JSON pointer (RFC 6901)
//     of the value inside it, "" for the resource itself. A position is
//     "file:line:col" or "file:line"; the file is relative to the program's
//     working directory, or absolute. A value without a position has the
//     position of the nearest enclosing value that has one.
//
// Programs may also print plain Perses resources (a JSON or YAML resource,
// or a list of them, as the Perses Go SDK does); pyrobuild then reports
// problems at the program's main function.
package dac
