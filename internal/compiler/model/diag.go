package model

import "github.com/pyrobuild/pyrobuild/internal/diag"

// Short names for the diagnostics types the model's users speak of.
type (
	// Pos is diag.Pos: a position in a source file.
	Pos = diag.Pos
	// Code is diag.Code.
	Code = diag.Code
	// CodeInfo is diag.CodeInfo.
	CodeInfo = diag.CodeInfo
)
