package compiler

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// What the packages downstream of the compiler (bundle, bundle/crd, live,
// jsonschema) need of it beyond the result types: they import the
// compiler, never the other way round, so what they share with it is
// exported here rather than copied, to keep one rule in one place.

// ParseYAML parses every document of a YAML stream into nodes that keep
// their positions; the diagnostic is the first syntax error.
func ParseYAML(src *model.Source) ([]*model.Node, *diag.Diagnostic) { return load.ParseYAML(src) }

// ParseJSON parses one JSON value into a node that keeps its positions;
// the diagnostic is the first syntax error.
func ParseJSON(src *model.Source) (*model.Node, *diag.Diagnostic) { return load.ParseJSON(src) }

// SortResources puts resources in the order Result.Resources has: global
// ones first, then by project, kind (KindRank) and name.
func SortResources(rs []*model.Resource) { sortResources(rs) }

// KindRank is the place of a kind in the order resources are applied in:
// what others refer to comes first. Kinds pyrobuild does not know rank 0.
func KindRank(kind string) int { return kindOrder[kind] }

// CredentialHeader reports whether an HTTP header of a datasource proxy
// carries a credential.
func CredentialHeader(name string) bool { return check.CredentialHeader(name) }

// Hermetic reports whether every resource of r follows from r.Sources
// alone: not so when Go programs or CUE packages importing the user's own
// modules read files the compiler does not hash. Only a hermetic result's
// output can be known unchanged from its sources.
func (r *Result) Hermetic() bool { return r.hermetic }

// Where is n's position when it has one, else at: the best position for a
// problem with a value the user may not have written (a default).
func Where(n *model.Node, at diag.Pos) diag.Pos { return model.Where(n, at) }

// FillValue is what an absent regular field of type t becomes: its
// default, its only possible value, or (for a struct) the struct with its
// own regular fields filled; nil means the field must be given.
func FillValue(t *model.Type) *model.Node { return check.FillValue(t) }

// RoleName is how messages name a plugin role ("datasource", "Panel"
// becomes "panel"; "ProfileQuery" stays).
func RoleName(role string) string { return check.RoleName(role) }

// ProfileTypeIDPattern is the regular expression (Go syntax) a full
// Pyroscope profile type ID matches.
func ProfileTypeIDPattern() string { return check.ProfileTypeIDPattern() }

// LabelNamePattern is the regular expression (Go syntax) of a label name
// the Perses UI can write unquoted.
func LabelNamePattern() string { return check.LabelNamePattern() }

// RuleNames are the names of the rules written in Go that the schema's
// @check attributes name, sorted.
func RuleNames() []string { return check.RuleNames() }

// Closest is check.Closest: the candidate nearest to s, or "".
func Closest(s string, candidates []string) string { return check.Closest(s, candidates) }

// DidYouMean is check.DidYouMean: a "did you mean …?" hint, or "".
func DidYouMean(s string, candidates []string) string { return check.DidYouMean(s, candidates) }

// Resolver is check.Resolver: which datasource each query of a dashboard
// uses, by the rules the dashboard checks apply.
type Resolver = check.Resolver

// ResolvedDatasource is check.ResolvedDatasource.
type ResolvedDatasource = check.ResolvedDatasource

// NewResolver indexes the datasources among rs; serverDatasources are as
// in Options.ServerDatasources.
func NewResolver(rs []*model.Resource, serverDatasources []string) *Resolver {
	return check.NewResolver(rs, serverDatasources)
}
