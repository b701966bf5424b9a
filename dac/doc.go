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
// so dashboards programs build in a fraction of a second, and does not read
// the program's sources: pyrobuild finds the columns (see the protocol).
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
//	  "pyrobuild": 2,
//	  "resources": [ {"kind": "Project", "metadata": {"name": "profiling"}, "spec": {}}, … ],
//	  "positions": {
//	    "0": [0],
//	    "1/spec/panels/api/spec/queries/0/spec/plugin/spec/profileType": [4],
//	    …
//	  },
//	  "frames": [
//	    {"file": "main.go", "line": 10, "func": "Project"},
//	    …
//	    {"file": "main.go", "line": 14, "func": "ProfileType"},
//	    …
//	    {"file": "main.go", "line": 30, "func": "flame", "rank": 1, "calls": 2},
//	    …
//	  ]
//	}
//
// Its fields:
//
//   - "pyrobuild" is the protocol version, ProtocolVersion. A reader
//     rejects versions it does not know; fields may be added without a new
//     version, and readers ignore fields they do not know.
//   - "resources" are Perses resources ({kind, metadata, spec}), in the
//     order given to Emit.
//   - "frames" are the calls of the user's code that made the values.
//     "file" is the source file, relative to the program's working
//     directory (with slashes) or absolute, as the Go runtime names it;
//     "line" the call's line. "func" is the name of the function called,
//     as the call writes it ("Row" for dac.Row(…), "flame" for a helper
//     flame(…) of the user's), absent when unknown. "rank" and "calls"
//     are there when the document's values were made by more than one
//     call of that function on that line: the call is the rank-th, from
//     0, of calls, in the order Go evaluates them (the order of the
//     calls' closing parentheses).
//   - "positions" maps a value to the calls that made it. A key is the
//     index of a resource in "resources" followed by the JSON pointer (RFC
//     6901) of the value inside it, "" for the resource itself. A value is
//     a list of indices into "frames": the user's call into this package
//     first, then the calls that led to it, outwards (up to six). A value
//     without an entry has the position of the nearest enclosing value
//     that has one.
//
// The program does not read its sources: the reader, which has them,
// finds the columns. A string value is at the first of its frames whose
// call passes it as a Go string literal, at the literal, so that a value
// passed through a helper of the user's is reported where it is written;
// any other value, or a string not written as such a literal, is at the
// name of the function called in its first frame.
//
// When a builder was misused, the document has "errors" in place of
// "resources" and "positions", and the program prints the mistakes to
// standard error, one "file:line: message" line each, and exits with
// status 1:
//
//	{
//	  "pyrobuild": 2,
//	  "errors": [
//	    {"at": [0], "message": ["dac: two panels have the key \"x\" (the other is at ", ")"], "quoted": [[1]]}
//	  ],
//	  "frames": [ … ]
//	}
//
// "at" are the frames of the call that made the mistake (absent when
// unknown); "message" is the message cut where it quotes positions, and
// "quoted" the frames of those positions, one between each two parts.
//
// pyrobuild still reads version 1, which older versions of this package
// wrote: it had no "frames" and no "errors"; "positions" mapped the same
// keys to "file:line:col" or "file:line" strings, and misuse was printed
// to standard error only, as "file:line:col: message" lines.
//
// Programs may also print plain Perses resources (a JSON or YAML resource,
// or a list of them, as the Perses Go SDK does); pyrobuild then reports
// problems at the program's main function.
package dac
