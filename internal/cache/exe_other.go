//go:build !unix

package cache

import "os"

// fileIdentity is not known here: the executable is hashed on every run.
func fileIdentity(os.FileInfo) string { return "" }
