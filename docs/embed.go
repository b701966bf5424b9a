// Package docs embeds the generated reference documents of this folder so
// the docs site can publish them from any installed binary.
package docs

import _ "embed"

// Diagnostics is diagnostics.md: every diagnostic code with an example.
//
//go:embed diagnostics.md
var Diagnostics []byte
