// Package schema embeds pyrobuild's CUE model of the Perses resources.
package schema

import "embed"

// ImportPath is the CUE import path under which sources import the schema.
const ImportPath = "github.com/pyrobuild/pyrobuild/schema"

// Files holds the schema's .cue files.
//
//go:embed *.cue
var Files embed.FS
