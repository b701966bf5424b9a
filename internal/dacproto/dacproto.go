// Package dacproto holds what the Go SDK (package dac) and pyrobuild must
// agree on: the version of the document a dashboards program writes, and
// the shape of the call frames it reports. Package dac documents the
// protocol itself.
//
// Every dashboards program links this package, so it imports nothing:
// what reads the frames (and parses Go sources to do it) lives on
// pyrobuild's side.
package dacproto

// Version is the newest version of the document: the value of its
// "pyrobuild" field. It changes only when a reader of an older version
// could misread a document; new optional fields keep the version.
//
// Version 1 carried positions as "file:line:col" strings, worked out by
// the program from its own sources. Version 2 carries call frames
// instead, and pyrobuild, which has the sources, finds the columns.
const Version = 2

// Frame is one call in the user's code, an entry of a document's
// "frames" list.
type Frame struct {
	// File is the source file as the Go runtime names it: absolute,
	// unless the program was built with -trimpath.
	File string `json:"file"`
	// Line is the call's line, from 1.
	Line int `json:"line"`
	// Func is the function called there, as the call writes its name:
	// "Row" for dac.Row(…), "Key" for p.Key(…), "flame" for a helper
	// flame(…) of the user's. Empty when unknown.
	Func string `json:"func,omitempty"`
	// Rank and Calls tell apart several calls of Func on one line: the
	// call is the Rank-th (from 0), in the order Go evaluates them, of
	// Calls distinct calls of Func on that line that the document's
	// values were made by. Both are 0 when Calls would be 1.
	Rank  int `json:"rank,omitempty"`
	Calls int `json:"calls,omitempty"`
}
