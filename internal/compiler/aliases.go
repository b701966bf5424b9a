package compiler

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// LoadSchema is check.LoadSchema: the embedded schema's model, compiled
// once per process, refused when it names a rule check does not have.
func LoadSchema() (*model.Schema, error) { return check.LoadSchema() }

// MustSchema is LoadSchema for callers that cannot proceed without it; the
// embedded schema is tested, so failure is a build defect.
func MustSchema() *model.Schema {
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
