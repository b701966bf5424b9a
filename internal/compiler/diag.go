package compiler

import "github.com/pyrobuild/pyrobuild/internal/diag"

// The diagnostics types live in package diag. These aliases keep the
// compiler's callers compiling while they move to diag's names.
type (
	// Pos is diag.Pos.
	Pos = diag.Pos
	// Severity is diag.Severity.
	Severity = diag.Severity
	// Diagnostic is diag.Diagnostic.
	Diagnostic = diag.Diagnostic
	// Diagnostics is diag.Diagnostics.
	Diagnostics = diag.Diagnostics
	// Code is diag.Code.
	Code = diag.Code
	// CodeInfo is diag.CodeInfo.
	CodeInfo = diag.CodeInfo
)

// Severities, as diag names them (diag.Info is printed "note").
const (
	Note    = diag.Info
	Warning = diag.Warning
	Error   = diag.Error
)
