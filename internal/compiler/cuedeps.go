package compiler

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/pyrobuild/pyrobuild/internal/compiler/load/cueload"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
)

// cueDeps hashes what a CUE package that imports modules reads beyond its
// own files, so that the unit store can keep it (every project written
// with the Perses CUE SDK imports it from cue.mod/pkg): the module's
// cue.mod/module.cue and the files of each package it imports, directly
// or through another, each package folder hashed once per compilation
// and shared by all units.
//
// A package is found where CUE's loader looks: in the module itself (its
// import path under the module's), else in cue.mod/pkg, cue.mod/gen or
// cue.mod/usr; its folder's .cue files are hashed, and those of the
// folders above it up to where the search started (CUE adds a parent's
// files of the same package). A unit whose imports cannot all be found so
// (a dependency of module.cue's deps, from CUE's registry and module
// cache; a path with a major version; no cue.mod; an import cycle), or
// that embeds files (@extern(embed)), has no key: it is evaluated every
// time, as before.
type cueDeps struct {
	mu      sync.Mutex
	modules map[string]*cueModule // by module root
	pkgs    map[string]pkgSum     // by module root and import path
	dirs    map[string]dirSum     // by folder
}

type cueModule struct {
	sum  [sha256.Size]byte // of cue.mod/module.cue
	path string            // the module's path, without a major version
	deps []string          // the module paths of its deps
	ok   bool
}

type pkgSum struct {
	sum [sha256.Size]byte
	ok  bool
}

type dirSum struct {
	sum     [sha256.Size]byte
	files   int                 // .cue files
	imports map[string][]string // of those files, by package name
	ok      bool
}

// externAttr starts the attribute of a file that embeds others
// (@extern(embed)): what it reads is not hashed, so it is not kept.
var externAttr = []byte("@extern(")

func newCUEDeps() *cueDeps {
	return &cueDeps{modules: map[string]*cueModule{}, pkgs: map[string]pkgSum{}, dirs: map[string]dirSum{}}
}

// key returns what the store key of a CUE package with these files adds to
// the files' own sum: nothing (ok, and extra false) when it imports only
// pyrobuild's schema and CUE's standard library, as cueload evaluates it
// alone; the sum of its module and dependencies (extra) when they can all
// be hashed; ok false when they cannot.
func (d *cueDeps) key(srcs []*model.Source) (sum [sha256.Size]byte, extra, ok bool) {
	if len(srcs) == 0 {
		return sum, false, true
	}
	var imports []string
	embeds := false
	for _, src := range srcs {
		embeds = embeds || bytes.Contains(src.Data, externAttr)
		im, ok := fileImports(src.Path, src.Data)
		if !ok {
			return sum, false, true // a syntax error: the package is not evaluated
		}
		imports = append(imports, im...)
	}
	imports = moduleImports(imports)
	if len(imports) == 0 {
		return sum, false, true
	}
	if embeds {
		return sum, true, false // it reads files of any kind
	}
	dir, err := filepath.Abs(filepath.Dir(srcs[0].Path))
	if err != nil {
		return sum, true, false
	}
	root := cueload.ModuleRoot(dir)
	if root == "" {
		return sum, true, false
	}
	mod := d.module(root)
	if !mod.ok {
		return sum, true, false
	}
	h := sha256.New()
	h.Write(mod.sum[:])
	slices.Sort(imports)
	for _, p := range slices.Compact(imports) {
		ps := d.pkg(root, mod, p, map[string]bool{})
		if !ps.ok {
			return sum, true, false
		}
		h.Write([]byte(p + "\x00"))
		h.Write(ps.sum[:])
	}
	h.Sum(sum[:0])
	return sum, true, true
}

// fileImports lists the import paths of a CUE file; ok is false when its
// imports do not parse.
func fileImports(name string, data []byte) ([]string, bool) {
	_, im, ok := fileHeader(name, data)
	return im, ok
}

// moduleImports keeps the imports cueload does not resolve itself: those
// whose first element has a dot, but pyrobuild's schema (as cueImports).
func moduleImports(imports []string) []string {
	return slices.DeleteFunc(imports, func(p string) bool {
		return p == schema.ImportPath || !strings.Contains(strings.SplitN(p, "/", 2)[0], ".")
	})
}

// module reads and hashes root's cue.mod/module.cue, once.
func (d *cueDeps) module(root string) *cueModule {
	d.mu.Lock()
	m, seen := d.modules[root]
	d.mu.Unlock()
	if seen {
		return m
	}
	m = &cueModule{}
	p := filepath.Join(root, "cue.mod", "module.cue")
	data, err := os.ReadFile(p)
	if err == nil {
		m.sum = sha256.Sum256(data)
		m.path, m.deps, m.ok = parseModule(p, data)
	}
	d.mu.Lock()
	d.modules[root] = m
	d.mu.Unlock()
	return m
}

// parseModule reads a module.cue's module path and its deps' module
// paths, each without its major version.
func parseModule(name string, data []byte) (path string, deps []string, ok bool) {
	f, err := parser.ParseFile(name, data)
	if err != nil {
		return "", nil, false
	}
	for _, decl := range f.Decls {
		field, isField := decl.(*ast.Field)
		if !isField {
			continue
		}
		label, _, _ := ast.LabelName(field.Label)
		switch label {
		case "module":
			lit, isLit := field.Value.(*ast.BasicLit)
			if !isLit {
				return "", nil, false
			}
			p, err := strconv.Unquote(lit.Value)
			if err != nil {
				return "", nil, false
			}
			path, _, _ = strings.Cut(p, "@")
		case "deps":
			st, isStruct := field.Value.(*ast.StructLit)
			if !isStruct {
				return "", nil, false
			}
			for _, el := range st.Elts {
				dep, isField := el.(*ast.Field)
				if !isField {
					return "", nil, false
				}
				name, _, err := ast.LabelName(dep.Label)
				if err != nil {
					return "", nil, false
				}
				name, _, _ = strings.Cut(name, "@")
				deps = append(deps, name)
			}
		}
	}
	return path, deps, true
}

// under reports whether import path p is path or below it.
func under(p, path string) bool {
	return path != "" && (p == path || strings.HasPrefix(p, path+"/"))
}

// pkg hashes the package of import path p (with a qualifier, ":name",
// its folder's files are hashed whatever their package) and, through
// their imports, its dependencies. visiting holds the packages under way,
// to stop at a cycle.
func (d *cueDeps) pkg(root string, mod *cueModule, p string, visiting map[string]bool) pkgSum {
	memo := root + "\x00" + p
	d.mu.Lock()
	ps, seen := d.pkgs[memo]
	d.mu.Unlock()
	if seen {
		return ps
	}
	if visiting[p] {
		return pkgSum{}
	}
	visiting[p] = true
	defer delete(visiting, p)

	path, name, qualified := strings.Cut(p, ":")
	if !qualified {
		name = path[strings.LastIndex(path, "/")+1:]
	}
	var bases []string // where the search for the folder starts
	switch {
	case strings.Contains(path, "@"):
	case under(path, mod.path):
		bases = []string{root}
		path = strings.TrimPrefix(strings.TrimPrefix(path, mod.path), "/")
	case slices.ContainsFunc(mod.deps, func(dep string) bool { return under(path, dep) }):
	default:
		for _, b := range []string{"pkg", "gen", "usr"} {
			bases = append(bases, filepath.Join(root, "cue.mod", b))
		}
	}
	h := sha256.New()
	found := false
	var imports []string
	for _, base := range bases {
		dir := filepath.Join(base, filepath.FromSlash(path))
		for dd := dir; ; dd = filepath.Dir(dd) {
			ds := d.dir(dd)
			if !ds.ok {
				return pkgSum{}
			}
			// The folder's absolute path too: an entry may name a
			// dependency's file where it was (a note), and a copy of the
			// repository elsewhere must not show the old place.
			h.Write([]byte(dd + "\x00"))
			h.Write(ds.sum[:])
			// Files above the folder are of the package when they
			// have its name (CUE adds them); so are their imports. In
			// the folder, every file's imports are followed.
			for pkg, im := range ds.imports {
				if dd == dir || pkg == name {
					imports = append(imports, im...)
				}
			}
			found = found || (dd == dir && ds.files > 0)
			if dd == base || !strings.HasPrefix(dd, base) {
				break
			}
		}
	}
	ps = pkgSum{}
	if found {
		ps.ok = true
		imports = moduleImports(imports)
		slices.Sort(imports)
		for _, im := range slices.Compact(imports) {
			if im == p {
				continue
			}
			dep := d.pkg(root, mod, im, visiting)
			if !dep.ok {
				ps.ok = false
				break
			}
			h.Write([]byte(im + "\x00"))
			h.Write(dep.sum[:])
		}
		h.Sum(ps.sum[:0])
	}
	d.mu.Lock()
	d.pkgs[memo] = ps
	d.mu.Unlock()
	return ps
}

// dir hashes the names and contents of a folder's .cue files (a missing
// folder hashes to zero), once, and lists their imports.
func (d *cueDeps) dir(dir string) dirSum {
	d.mu.Lock()
	ds, seen := d.dirs[dir]
	d.mu.Unlock()
	if seen {
		return ds
	}
	ds = dirSum{ok: true}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		ds.ok = false
	}
	h := sha256.New()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".cue") || e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			ds.ok = false
			break
		}
		ds.files++
		if bytes.Contains(data, externAttr) {
			ds.ok = false // it may embed files of any kind
		}
		fs := sha256.Sum256(data)
		h.Write([]byte(e.Name() + "\x00"))
		h.Write(fs[:])
		if pkg, im, ok := fileHeader(e.Name(), data); ok {
			if ds.imports == nil {
				ds.imports = map[string][]string{}
			}
			ds.imports[pkg] = append(ds.imports[pkg], im...)
		}
	}
	if ds.files > 0 {
		h.Sum(ds.sum[:0])
	}
	d.mu.Lock()
	d.dirs[dir] = ds
	d.mu.Unlock()
	return ds
}
