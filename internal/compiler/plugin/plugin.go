// Package plugin loads the schemas of Perses plugin modules, as the Perses
// server does (folders of extracted plugins, or their archives), and
// validates the plugin objects of compiled resources against them: a
// {kind, spec} object is unified with the `model` package whose kind
// matches and must be concrete and complete. Problems are reported at the
// user's line and column of the offending field.
package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueload "cuelang.org/go/cue/load"
	"cuelang.org/go/mod/modfile"
	"cuelang.org/go/mod/module"
)

// Schema is the loaded schema of one plugin kind.
type Schema struct {
	// Kind is the plugin kind (PrometheusTimeSeriesQuery), the `kind` of
	// the schema and the `spec.name` of its entry in package.json.
	Kind string
	// Type is where the plugin may be used: Datasource, Panel, Variable,
	// or the kind of the query holding it (TimeSeriesQuery, ...).
	Type string
	// Module is the plugin module (folder or archive name) it came from,
	// Origin the path it was read from.
	Module, Origin string

	value cue.Value       // in the Set's first context
	inst  *build.Instance // to build it in the others
}

// Set is the plugin schemas loaded for a compilation. Its methods may be
// called from several goroutines: a CUE context is not safe for concurrent
// use, so each goroutine validating borrows one of a pool, in which the
// schemas are built on first use.
type Set struct {
	ctx    *cue.Context
	pool   chan *evaluator
	byKind map[string]*Schema
	// results holds the problems of each plugin object validated, by its
	// kind and content: dashboards repeat the same panel specs.
	results sync.Map
	// Modules lists the modules read, in the order of the paths given.
	Modules []string
}

// Kinds returns the plugin kinds that have a schema, sorted.
func (s *Set) Kinds() []string {
	out := make([]string, 0, len(s.byKind))
	for k := range s.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// hasType reports whether a plugin of type t (Panel, Variable, …) is
// loaded.
func (s *Set) hasType(t string) bool {
	for _, sc := range s.byKind {
		if sc.Type == t {
			return true
		}
	}
	return false
}

// Lookup returns the schema of a plugin kind, or nil.
func (s *Set) Lookup(kind string) *Schema {
	if s == nil {
		return nil
	}
	return s.byKind[kind]
}

// Load reads the plugin modules under paths: each is a folder of extracted
// plugin folders, one plugin folder, a folder of plugin archives (.tar.gz,
// .tgz, .tar, .zip), or one archive. Archives are read in memory. Every
// schema is compiled once, offline: imports resolve from the module's
// vendored cue.mod/pkg only. When two modules define a plugin kind, the
// first path given wins.
//
// The files are read at every call; when they are the same as at an
// earlier call of this process (serve, compile --watch), the schemas
// compiled then are used again.
func Load(paths []string) (*Set, error) {
	var mods []*pluginModule
	for _, p := range paths {
		ms, err := discover(p)
		if err != nil {
			return nil, fmt.Errorf("plugins: %w", err)
		}
		mods = append(mods, ms...)
	}
	h := sha256.New()
	for _, m := range mods {
		fmt.Fprintf(h, "%s\x00%s\x00", m.origin, m.sum())
	}
	key := string(h.Sum(nil))
	memo.Lock()
	defer memo.Unlock()
	if s, ok := memo.sets[key]; ok {
		return s, nil
	}
	s := newSet()
	for _, m := range mods {
		if err := s.add(m); err != nil {
			return nil, fmt.Errorf("plugins: %s: %w", m.origin, err)
		}
		s.Modules = append(s.Modules, m.name)
	}
	if len(memo.sets) >= 4 {
		clear(memo.sets)
	}
	memo.sets[key] = s
	return s, nil
}

// memo keeps the sets compiled by this process, by the content of their
// modules.
var memo = struct {
	sync.Mutex
	sets map[string]*Set
}{sets: map[string]*Set{}}

// packageJSON is what validation needs of a module's package.json.
type packageJSON struct {
	Perses struct {
		SchemasPath string `json:"schemasPath"`
		Plugins     []struct {
			Kind string `json:"kind"`
			Spec struct {
				Name string `json:"name"`
			} `json:"spec"`
		} `json:"plugins"`
	} `json:"perses"`
}

// add compiles the schemas of one module.
func (s *Set) add(m *pluginModule) error {
	if err := checkManifest(m.files["mf-manifest.json"]); err != nil {
		return err
	}
	raw, ok := m.files["package.json"]
	if !ok {
		return errors.New("no package.json")
	}
	var pj packageJSON
	if err := json.Unmarshal(raw, &pj); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	types := map[string]string{}
	for _, p := range pj.Perses.Plugins {
		types[p.Spec.Name] = p.Kind
	}
	schemas := pj.Perses.SchemasPath
	if schemas == "" {
		schemas = "schemas"
	}
	schemas = strings.Trim(path.Clean(filepath.ToSlash(schemas)), "/")
	root := virtualRoot(m)
	ov, err := overlay(m, root)
	if err != nil {
		return err
	}
	for _, dir := range modelDirs(m, schemas) {
		v, inst, err := s.build(root, dir, ov)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		kind, err := v.LookupPath(cue.MakePath(cue.Str("kind"))).String()
		if err != nil {
			return fmt.Errorf("%s: the schema's kind is not a string: %w", dir, err)
		}
		if sp := v.LookupPath(cue.MakePath(cue.Str("spec"))); !sp.Exists() || sp.IncompleteKind() != cue.StructKind {
			return fmt.Errorf("%s: the schema of %s has no spec struct", dir, kind)
		}
		typ, ok := types[kind]
		if !ok {
			return fmt.Errorf("%s: plugin %s is not listed in package.json's perses.plugins", dir, kind)
		}
		if _, dup := s.byKind[kind]; dup {
			continue
		}
		s.byKind[kind] = &Schema{Kind: kind, Type: typ, Module: m.name, Origin: m.origin, value: v, inst: inst}
	}
	return nil
}

// modelDirs lists the folders under schemas/ that hold a `model` package,
// as the server finds them: the first folder on each branch with a .cue
// file declaring package model; migrate folders are skipped.
func modelDirs(m *pluginModule, schemas string) []string {
	dirs := map[string]bool{}
	for n, data := range m.files {
		if !strings.HasSuffix(n, ".cue") || !strings.HasPrefix(n, schemas+"/") {
			continue
		}
		dir := path.Dir(n)
		if slicesHas(strings.Split(dir, "/"), "migrate") || !strings.Contains(string(data), "package model") {
			continue
		}
		dirs[dir] = true
	}
	var out []string
	for d := range dirs {
		out = append(out, d)
	}
	sort.Strings(out)
	// A model folder inside another one is part of it, not a plugin.
	var top []string
	for _, d := range out {
		if len(top) > 0 && strings.HasPrefix(d, top[len(top)-1]+"/") {
			continue
		}
		top = append(top, d)
	}
	return top
}

func slicesHas(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// virtualRoot is where a module's files appear to the CUE loader: nothing
// is read from there, every file comes from the overlay.
func virtualRoot(m *pluginModule) string {
	abs, err := filepath.Abs(m.origin)
	if err != nil {
		abs = m.origin
	}
	return abs + ".pyrobuild-plugin"
}

// overlay maps every CUE file of the module under root. The module file is
// rewritten without its dependencies: a plugin's dependencies are vendored
// in cue.mod/pkg, and nothing may be fetched from a registry.
func overlay(m *pluginModule, root string) (map[string]cueload.Source, error) {
	ov := map[string]cueload.Source{}
	for n, data := range m.files {
		if strings.HasSuffix(n, ".cue") {
			ov[filepath.Join(root, filepath.FromSlash(n))] = cueload.FromBytes(data)
		}
	}
	modPath, lang := "pyrobuild.local/plugin/"+sanitize(m.name)+"@v0", "v0.15.1"
	if raw, ok := m.files["cue.mod/module.cue"]; ok {
		mf, err := modfile.ParseNonStrict(raw, "cue.mod/module.cue")
		if err != nil {
			return nil, fmt.Errorf("cue.mod/module.cue: %w", err)
		}
		if mf.Module != "" {
			modPath = mf.Module
			if !strings.Contains(modPath, "@") {
				modPath += "@v0"
			}
		}
		if mf.Language != nil && mf.Language.Version != "" {
			lang = mf.Language.Version
		}
	}
	ov[filepath.Join(root, "cue.mod", "module.cue")] = cueload.FromString(fmt.Sprintf("module: %q\nlanguage: version: %q\n", modPath, lang))
	return ov, nil
}

// build compiles the model package in dir.
func (s *Set) build(root, dir string, ov map[string]cueload.Source) (cue.Value, *build.Instance, error) {
	insts := cueload.Instances(nil, &cueload.Config{
		Dir:        filepath.Join(root, filepath.FromSlash(dir)),
		ModuleRoot: root,
		Package:    "model",
		Overlay:    ov,
		Registry:   offline{},
		Tests:      false,
	})
	if len(insts) != 1 {
		return cue.Value{}, nil, fmt.Errorf("%d CUE instances, want 1", len(insts))
	}
	if err := insts[0].Err; err != nil {
		return cue.Value{}, nil, errors.New(strings.ReplaceAll(err.Error(), root, "."))
	}
	v := s.ctx.BuildInstance(insts[0])
	if err := v.Err(); err != nil {
		return cue.Value{}, nil, errors.New(strings.ReplaceAll(err.Error(), root, "."))
	}
	return v, insts[0], nil
}

// offline is the registry plugin schemas are built with: none.
type offline struct{}

var errOffline = errors.New("plugin schemas are built offline: vendor the dependency in the plugin's cue.mod/pkg")

func (offline) Requirements(context.Context, module.Version) ([]module.Version, error) {
	return nil, errOffline
}

func (offline) Fetch(context.Context, module.Version) (module.SourceLoc, error) {
	return module.SourceLoc{}, errOffline
}

func (offline) ModuleVersions(context.Context, string) ([]string, error) { return nil, errOffline }

// sanitize makes a module name usable in a CUE module path.
func sanitize(name string) string {
	b := []byte(strings.ToLower(name))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b), "-_")
}

// evaluator is one CUE context and the schemas built in it.
type evaluator struct {
	ctx    *cue.Context
	values map[string]cue.Value
}

func newSet() *Set {
	n := max(1, runtime.GOMAXPROCS(0))
	s := &Set{ctx: cuecontext.New(), pool: make(chan *evaluator, n), byKind: map[string]*Schema{}}
	// The first evaluator uses the context the schemas were built in.
	s.pool <- &evaluator{ctx: s.ctx, values: map[string]cue.Value{}}
	for i := 1; i < n; i++ {
		s.pool <- &evaluator{values: map[string]cue.Value{}}
	}
	return s
}

// schema returns sc's value in e's context, building it there once.
func (e *evaluator) schema(sc *Schema, first *cue.Context) cue.Value {
	if e.ctx == first {
		return sc.value
	}
	if e.ctx == nil {
		e.ctx = cuecontext.New()
	}
	v, ok := e.values[sc.Kind]
	if !ok {
		v = e.ctx.BuildInstance(sc.inst)
		e.values[sc.Kind] = v
	}
	return v
}

// checkManifest checks the module-federation manifest the Perses server
// requires of a plugin: without one, or without its id, name and build
// version, the server skips the plugin, so its schemas would check
// nothing the server checks.
func checkManifest(raw []byte) error {
	if raw == nil {
		return errors.New("no mf-manifest.json: the Perses server skips a plugin without one")
	}
	var mf struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		MetaData struct {
			BuildInfo struct {
				BuildVersion string `json:"buildVersion"`
			} `json:"buildInfo"`
		} `json:"metaData"`
	}
	if err := json.Unmarshal(raw, &mf); err != nil {
		return fmt.Errorf("mf-manifest.json: %w", err)
	}
	if mf.ID == "" || mf.Name == "" || mf.MetaData.BuildInfo.BuildVersion == "" {
		return errors.New("mf-manifest.json: id, name and metaData.buildInfo.buildVersion are required (the Perses server skips the plugin otherwise)")
	}
	return nil
}
