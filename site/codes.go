package site

import "github.com/pyrobuild/pyrobuild/compiler"

// Diagnostic codes of the docs site (PB2xxx).
const (
	CodeContentRead   compiler.Code = "PB2001"
	CodeFrontMatter   compiler.Code = "PB2002"
	CodeBrokenLink    compiler.Code = "PB2003"
	CodeBrokenAnchor  compiler.Code = "PB2004"
	CodeExample       compiler.Code = "PB2005"
	CodeTemplate      compiler.Code = "PB2006"
	CodeDuplicatePage compiler.Code = "PB2007"
)
