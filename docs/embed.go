// Package docs embeds the generated reference documents of this folder so
// the docs site can publish them from any installed binary.
package docs

import _ "embed"

// Diagnostics is diagnostics.md: every diagnostic code, what it means, an
// example (a broken source and what pyrobuild reports for it) and its fix.
//
//go:embed diagnostics.md
var Diagnostics []byte
