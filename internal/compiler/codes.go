package compiler

import "github.com/pyrobuild/pyrobuild/internal/compiler/model"

// The diagnostic codes are declared in package model, shared by the
// loaders and the checks; these names keep the compiler's callers
// compiling.

// Diagnostic codes, as model declares them.
const (
	CodeRead                 = model.CodeRead
	CodeYAMLSyntax           = model.CodeYAMLSyntax
	CodeJSONSyntax           = model.CodeJSONSyntax
	CodeCUE                  = model.CodeCUE
	CodeNotResource          = model.CodeNotResource
	CodeDuplicateKey         = model.CodeDuplicateKey
	CodeInputLimit           = model.CodeInputLimit
	CodeNoSources            = model.CodeNoSources
	CodeGoBuild              = model.CodeGoBuild
	CodeGoRun                = model.CodeGoRun
	CodeGoTimeout            = model.CodeGoTimeout
	CodeGoToolchain          = model.CodeGoToolchain
	CodeGoOutput             = model.CodeGoOutput
	CodeUnknownKind          = model.CodeUnknownKind
	CodeUnknownField         = model.CodeUnknownField
	CodeMissingField         = model.CodeMissingField
	CodeWrongType            = model.CodeWrongType
	CodeInvalidValue         = model.CodeInvalidValue
	CodeKindSpelling         = model.CodeKindSpelling
	CodeScope                = model.CodeScope
	CodeUncheckedPlugin      = model.CodeUncheckedPlugin
	CodePluginRole           = model.CodePluginRole
	CodeExclusive            = model.CodeExclusive
	CodeTooMany              = model.CodeTooMany
	CodeDuplicate            = model.CodeDuplicate
	CodeRegexp               = model.CodeRegexp
	CodeMapKey               = model.CodeMapKey
	CodeUnresolvedDatasource = model.CodeUnresolvedDatasource
	CodeDefaultDatasource    = model.CodeDefaultDatasource
	CodeMissingSecret        = model.CodeMissingSecret
	CodeRefUnresolved        = model.CodeRefUnresolved
	CodeOrphanPanel          = model.CodeOrphanPanel
	CodeGridOverflow         = model.CodeGridOverflow
	CodeGridOverlap          = model.CodeGridOverlap
	CodeDuplicateVariable    = model.CodeDuplicateVariable
	CodeUndefinedVariable    = model.CodeUndefinedVariable
	CodeVariableCycle        = model.CodeVariableCycle
	CodeQueryType            = model.CodeQueryType
	CodeUnknownProfile       = model.CodeUnknownProfile
	CodeProfileTypeForm      = model.CodeProfileTypeForm
	CodeSelectorSyntax       = model.CodeSelectorSyntax
	CodeNoService            = model.CodeNoService
	CodeUICannotCarry        = model.CodeUICannotCarry
	CodeQueryConflict        = model.CodeQueryConflict
	CodeStaleEndpoint        = model.CodeStaleEndpoint
	CodeServiceMatcher       = model.CodeServiceMatcher
	CodeLiteralCredential    = model.CodeLiteralCredential
	CodeEmptyFilter          = model.CodeEmptyFilter
	CodeLiveUnreachable      = model.CodeLiveUnreachable
	CodeLiveNoData           = model.CodeLiveNoData
	CodeCRDSkipped           = model.CodeCRDSkipped
	CodeCRDName              = model.CodeCRDName
)

// Codes is model.Codes: every code with its documentation, in code order.
var Codes = model.Codes
