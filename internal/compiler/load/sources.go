package load

import (
	"maps"
	"sync"

	"cuelang.org/go/cue/parser"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// Sources holds every source read, for quoting in diagnostics.
type Sources struct {
	mu sync.Mutex
	m  map[string]*model.Source
}

// Add records src, replacing a source of the same path.
func (s *Sources) Add(src *model.Source) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*model.Source{}
	}
	s.m[src.Path] = src
}

// Snapshot copies the set, never nil.
func (s *Sources) Snapshot() map[string]*model.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]*model.Source, len(s.m))
	maps.Copy(m, s.m)
	return m
}

// Get returns the source of path, or nil.
func (s *Sources) Get(path string) *model.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[path]
}

// cuePackageName reads only the package clause of a .cue file.
func cuePackageName(path string) (string, error) {
	f, err := parser.ParseFile(path, nil, parser.PackageClauseOnly)
	if err != nil {
		return "", nil // the full load reports syntax errors with positions
	}
	return f.PackageName(), nil
}
