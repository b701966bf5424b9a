// Package templates holds the docs site's default layouts and assets. They
// are embedded so a binary from `go install` builds a complete site; a site
// overrides any of them with a file at the same path under its own
// templates/ folder.
package templates

import "embed"

// FS holds layouts/*.html (Go html/template files) and assets/** (copied
// to the site's /assets/).
//
//go:embed layouts assets
var FS embed.FS
