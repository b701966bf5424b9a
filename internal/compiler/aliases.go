package compiler

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// The value tree and the schema model live in package model, which the
// loaders and the checks share. These aliases keep the compiler's callers
// (bundle, live, jsonschema, site) compiling with the names they know.
type (
	// Node is model.Node.
	Node = model.Node
	// Kind is model.Kind.
	Kind = model.Kind
	// Source is model.Source.
	Source = model.Source
	// Schema is model.Schema.
	Schema = model.Schema
	// Type is model.Type.
	Type = model.Type
	// TypeKind is model.TypeKind.
	TypeKind = model.TypeKind
	// Field is model.Field.
	Field = model.Field
	// Check is model.Check.
	Check = model.Check
	// PluginSchema is model.PluginSchema.
	PluginSchema = model.PluginSchema
	// ResourceSchema is model.ResourceSchema.
	ResourceSchema = model.ResourceSchema
	// Resource is model.Resource: one compiled resource in wire form.
	Resource = model.Resource
)

// Node kinds, as model names them.
const (
	NullKind   = model.NullKind
	BoolKind   = model.BoolKind
	NumberKind = model.NumberKind
	StringKind = model.StringKind
	MapKind    = model.MapKind
	ListKind   = model.ListKind
)

// Type kinds, as model names them.
const (
	AnyType    = model.AnyType
	StructType = model.StructType
	ListType   = model.ListType
	LeafType   = model.LeafType
	UnionType  = model.UnionType
)

// NewString is model.NewString.
func NewString(s string, at *Node) *Node { return model.NewString(s, at) }

// NewMap is model.NewMap.
func NewMap(at *Node) *Node { return model.NewMap(at) }

// NewSource is model.NewSource.
func NewSource(path string, data []byte) *Source { return model.NewSource(path, data) }

// LoadSchema is check.LoadSchema: the embedded schema's model, compiled
// once per process, refused when it names a rule check does not have.
func LoadSchema() (*Schema, error) { return check.LoadSchema() }

// MustSchema is LoadSchema for callers that cannot proceed without it; the
// embedded schema is tested, so failure is a build defect.
func MustSchema() *Schema {
	s, err := LoadSchema()
	if err != nil {
		panic(err)
	}
	return s
}

// Cache is load.Cache: what loading each unit gave, for the next
// compilation of the same sources.
type Cache = load.Cache

// NewCache returns an empty cache.
func NewCache() *Cache { return load.NewCache() }

// DefaultGoTimeout bounds how long each Go program may run, unless
// Options.GoTimeout says otherwise.
const DefaultGoTimeout = load.DefaultGoTimeout

// GoCacheDir is where compiled Go programs are kept in pyrobuild's cache
// folder root: the usual Options.GoCache.
func GoCacheDir(root string) string { return load.GoCacheDir(root) }
