package site

import "github.com/pyrobuild/pyrobuild/internal/compiler"

// The docs site's diagnostic codes, defined with the others in package
// compiler so that one table documents every code.
const (
	CodeContentRead   = compiler.CodeContentRead
	CodeFrontMatter   = compiler.CodeFrontMatter
	CodeBrokenLink    = compiler.CodeBrokenLink
	CodeBrokenAnchor  = compiler.CodeBrokenAnchor
	CodeExample       = compiler.CodeExample
	CodeTemplate      = compiler.CodeTemplate
	CodeDuplicatePage = compiler.CodeDuplicatePage
	CodeNav           = compiler.CodeNav
)
