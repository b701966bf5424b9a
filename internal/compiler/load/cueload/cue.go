// Package cueload is the compiler's CUE loader: it evaluates one CUE
// package in-process, each file with its own imports, pyrobuild's schema
// importable offline, and turns the resources in its value into model
// Nodes with the user's positions. CUE's errors are placed in the user's
// files; a place inside a dependency (cue.mod/pkg, CUE's module cache,
// pyrobuild's schema) becomes a note.
package cueload

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	cueloader "cuelang.org/go/cue/load"
	"cuelang.org/go/cue/parser"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// ModuleRoot returns the folder holding cue.mod at or above dir, or "".
func ModuleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "cue.mod")); err == nil && fi.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Env is one worker's CUE contexts with the schema built in them: one
// with the schema's evaluation form, where packages are evaluated, and one
// with the schema as written, where a package that failed there is
// evaluated again for its diagnostics (see model.EvalSchemaInstance).
// Building the schema once per worker, not once per package, is most of
// the speed. CUE contexts only grow, by about 200 KB per package evaluated
// in them, so a worker starts a fresh one every cueEnvUses packages: with
// 50, 10,000 dashboards compile in a third of the memory 250 took, for
// about 1.5 ms of schema building per 50 packages.
type Env struct {
	// ModCache is where CUE keeps the modules it downloaded (CUE_CACHE_DIR,
	// or cue in the user's cache folder), named when an import is missing;
	// "" describes it instead.
	ModCache string
	// AsWritten evaluates against the schema as written only, skipping
	// the evaluation form (tests compare the two).
	AsWritten bool

	eval, written envCtx
}

type envCtx struct {
	ctx  *cue.Context
	uses int
}

const cueEnvUses = 50

func (e *envCtx) get(build func(*cue.Context) (cue.Value, error)) (*cue.Context, error) {
	if e.ctx == nil || e.uses >= cueEnvUses {
		ctx := cuecontext.New()
		if _, err := build(ctx); err != nil {
			return nil, err
		}
		e.ctx, e.uses = ctx, 0
	}
	e.uses++
	return e.ctx, nil
}

// Sources is where the loader records the files it reads and finds them
// again, to quote them in diagnostics.
type Sources interface {
	Add(src *model.Source)
	Get(path string) *model.Source
}

// Resource is a resource as evaluated, before validation.
type Resource struct {
	Node *model.Node
	File string // the file it was read from
	// Via maps the user's position given to values a CUE dependency made
	// (the line that led there) to where the dependency wrote them.
	Via map[diag.Pos]diag.Pos
}

// Load evaluates one CUE package in-process, each file with its own
// imports, as `cue export` does. Packages that import only pyrobuild's
// schema and CUE's standard library are built directly in the worker's
// context, where the schema is already built; others go through the CUE
// loader with the schema laid over the user's module (cue.mod/pkg/<import
// path>), so they too import it offline, with no registry and no `cue mod
// tidy`. Every problem of the package is reported, each once.
//
// dir is the package's folder, srcs its files, read. closed reports
// whether the result depends on these files alone.
func Load(dir string, srcs []*model.Source, sources Sources, env *Env) (_ []Resource, _ diag.Diagnostics, closed bool) {
	return load(dir, srcs, sources, env, true)
}

// load is Load; lookup false reads every struct with Fields, as values
// the schema does not surely close are read (tests compare the two).
func load(dir string, srcs []*model.Source, sources Sources, env *Env, lookup bool) (_ []Resource, _ diag.Diagnostics, closed bool) {
	newLoc := func() *cueLoc { return &cueLoc{schemaDir: model.SchemaRoot, sources: sources, modCache: env.ModCache} }
	cl := newLoc()
	files := make([]*ast.File, 0, len(srcs))
	var diags diag.Diagnostics
	for _, src := range srcs {
		f := src.Path
		sources.Add(src)
		af, err := parser.ParseFile(f, src.Data)
		if err != nil {
			// Every file is parsed, so every file's syntax error shows;
			// only its first, as the parser's next ones mostly follow
			// from it.
			if errs := cueerrors.Errors(err); len(errs) > 0 {
				err = errs[0]
			}
			diags = append(diags, cl.errors(err, f)...)
			continue
		}
		files = append(files, af)
	}
	if diags != nil {
		return nil, cueDedup(diags), true
	}
	imports, offline := cueImports(files)
	if !offline {
		raws, diags := loadModule(dir, srcs, cl)
		return raws, cueDedup(diags), false // imports of the user's own packages are not tracked
	}
	var raws []Resource
	var err error
	if !env.AsWritten {
		raws, diags, err = evalOffline(dir, srcs, files, imports, cl, &env.eval, model.BuildEvalSchema, model.EvalSchemaInstance, lookup)
	}
	if env.AsWritten || err == nil && diags.HasErrors() {
		// The diagnostics are those of the schema as written.
		raws, diags, err = evalOffline(dir, srcs, files, imports, newLoc(), &env.written, model.BuildSchema, model.SchemaInstance, lookup)
	}
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeCUE, Message: "embedded schema: " + err.Error()}}, false
	}
	return raws, cueDedup(diags), true
}

// evalOffline evaluates a package that imports only the schema and CUE's
// standard library in the context of e, where buildSchema built the schema
// whose instance inst returns.
func evalOffline(dir string, srcs []*model.Source, files []*ast.File, imports map[string]bool, cl *cueLoc, e *envCtx,
	buildSchema func(*cue.Context) (cue.Value, error), inst func() (*build.Instance, error), lookup bool) ([]Resource, diag.Diagnostics, error) {
	ctx, err := e.get(buildSchema)
	if err != nil {
		return nil, nil, err
	}
	bi := build.NewContext().NewInstance(dir, nil)
	if name, ok := onePackage(files); ok {
		// AddSyntax would resolve the files' names again, as the parser
		// did: 2% of a cold compile. Its only other work is the check
		// of package names, which found none to report.
		bi.PkgName, bi.Files = name, files
	} else {
		for _, f := range files {
			if err := bi.AddSyntax(f); err != nil {
				return nil, cl.errors(err, srcs[0].Path), nil
			}
		}
	}
	// Loaded once per process: e.get built the schema from it already.
	si, err := inst()
	if err != nil {
		return nil, nil, err
	}
	if imports[schema.ImportPath] {
		bi.Imports = append(bi.Imports, si)
	}
	if lookup {
		if labels, ok := declaredLabels(files); ok {
			cl.files, cl.labels, cl.schemaLabels = files, labels, schemaRegularLabels(si)
		}
	}
	raws, diags := cl.resources(ctx.BuildInstance(bi), srcs[0].Path)
	return raws, diags, nil
}

// onePackage returns the package name files share, "" when none has one,
// as build.Instance.AddSyntax sets it; ok is false when two differ, for
// AddSyntax to report.
func onePackage(files []*ast.File) (name string, ok bool) {
	for _, f := range files {
		switch pkg := f.PackageName(); {
		case pkg == "" || pkg == "_" || pkg == name:
		case name == "":
			name = pkg
		default:
			return "", false
		}
	}
	return name, true
}

// cueImports lists the import paths of files, and reports whether they are
// all offline: pyrobuild's schema or CUE's standard library (whose paths
// have no dot in their first element).
func cueImports(files []*ast.File) (map[string]bool, bool) {
	paths := map[string]bool{}
	for _, f := range files {
		for spec := range f.ImportSpecs() {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, false // the loader reports it
			}
			if path != schema.ImportPath && strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				return nil, false // a module import: the loader's job
			}
			paths[path] = true
		}
	}
	return paths, true
}

// loadModule evaluates a package through the CUE loader.
func loadModule(dir string, srcs []*model.Source, cl *cueLoc) ([]Resource, diag.Diagnostics) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeRead, Pos: diag.Pos{File: dir}, Message: err.Error()}}
	}
	root := ModuleRoot(absDir)
	ov := map[string]cueloader.Source{}
	cl.modRoot = root
	if root == "" {
		root = absDir
		ov[filepath.Join(root, "cue.mod", "module.cue")] = cueloader.FromString("module: \"pyrobuild.local/sources\"\nlanguage: version: \"v0.16.0\"\n")
	}
	pkgDir := filepath.Join(root, "cue.mod", "pkg", filepath.FromSlash(schema.ImportPath))
	schemaOv, _, err := model.SchemaOverlay(pkgDir)
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeRead, Message: err.Error()}}
	}
	for k, v := range schemaOv {
		ov[k] = v
	}
	names := make([]string, len(srcs))
	for i, src := range srcs {
		names[i] = filepath.Base(src.Path)
	}
	cl.absDir, cl.relDir, cl.schemaDir = absDir, dir, pkgDir
	insts := cueloader.Instances(names, &cueloader.Config{Dir: absDir, Overlay: ov, Tests: false})
	if len(insts) == 0 {
		return nil, nil
	}
	inst := insts[0]
	if inst.Err != nil {
		return nil, cl.errors(inst.Err, srcs[0].Path)
	}
	return cl.resources(cuecontext.New().BuildInstance(inst), srcs[0].Path)
}

// resources takes the resources out of an evaluated package. An error
// inside one resource must not hide the others: each is validated on its
// own while extracting.
func (c *cueLoc) resources(v cue.Value, file string) ([]Resource, diag.Diagnostics) {
	c.root = v
	if err := v.Err(); err != nil {
		if _, ferr := v.Fields(); ferr != nil {
			if all := v.Validate(); all != nil {
				err = all // every error, where v.Err has the first
			}
			return nil, c.errors(err, file)
		}
	}
	var diags diag.Diagnostics
	var out []Resource
	c.extract(v, 0, "", &out, &diags)
	if !diags.HasErrors() {
		if err := v.Validate(); err != nil {
			diags = append(diags, c.errors(err, file)...)
		}
	}
	return out, diags
}

// hasField reports whether struct v has a regular field name, even when an
// error made v bottom: LookupPath still finds the fields CUE evaluated.
func hasField(v cue.Value, name string) bool {
	return v.LookupPath(fieldPath(name)).Exists()
}

// fieldErrors is every error of v: those of its fields, validated one by
// one, and of theirs, where CUE stops at a struct an error made bottom.
func fieldErrors(v cue.Value, depth int, opts []cue.Option) cueerrors.Error {
	// An error makes v bottom, of no kind: ask for fields, then items.
	it, err := v.Fields()
	if err != nil {
		l, lerr := v.List()
		it, err = &l, lerr
	}
	if err != nil || depth > model.MaxDepth {
		if e := v.Validate(opts...); e != nil {
			return cueerrors.Promote(e, "")
		}
		return nil
	}
	var all cueerrors.Error
	for it.Next() {
		ch := it.Value()
		e := ch.Validate(opts...)
		if e == nil {
			continue
		}
		if ch.Err() != nil {
			if deeper := fieldErrors(ch, depth+1, opts); deeper != nil {
				all = cueerrors.Append(all, deeper)
				continue
			}
		}
		all = cueerrors.Append(all, cueerrors.Promote(e, ""))
	}
	if all == nil {
		if e := v.Validate(opts...); e != nil {
			return cueerrors.Promote(e, "")
		}
	}
	return all
}

// extract finds the resources in an evaluated value: the value itself, the
// elements of a list, or the fields of a struct (recursively). label is
// the field v is the value of, "" for a list element.
func (c *cueLoc) extract(v cue.Value, depth int, label string, out *[]Resource, diags *diag.Diagnostics) {
	if err := v.Err(); err != nil && depth > 0 {
		// v.Err has the first error, and CUE validates no further a value
		// an error made bottom: its fields are validated one by one.
		var opts []cue.Option
		if hasField(v, "kind") {
			opts = append(opts, cue.Concrete(true)) // a resource is concrete
		}
		if all := fieldErrors(v, 0, opts); all != nil {
			err = all
		}
		*diags = append(*diags, c.errors(err, "")...)
		return
	}
	kind := v.IncompleteKind()
	if depth == 0 && kind != cue.ListKind {
		kind = cue.StructKind // the package itself, even when a field failed
	}
	switch kind {
	case cue.ListKind:
		it, _ := v.List()
		for it.Next() {
			c.extract(it.Value(), depth+1, "", out, diags)
		}
	case cue.StructKind:
		if v.LookupPath(fieldPath("kind")).Exists() || (v.LookupPath(fieldPath("metadata")).Exists() && v.LookupPath(fieldPath("spec")).Exists()) {
			if err := v.Validate(cue.Concrete(true)); err != nil {
				*diags = append(*diags, c.errors(err, "")...)
				return
			}
			c.tooDeep, c.deps = nil, nil
			n := c.node(v, 0, c.resourceType(v, depth, label))
			if c.tooDeep != nil {
				// As for YAML and JSON: an error, not a value cut short.
				diag.NewReporter(diags).Errorf(model.CodeInputLimit, model.Where(&model.Node{Pos: *c.tooDeep}, n.Pos), "nesting deeper than %d levels", model.MaxDepth)
				return
			}
			var via map[diag.Pos]diag.Pos
			if c.deps != nil {
				via = map[diag.Pos]diag.Pos{}
				c.fill(n, n.Pos, via)
			}
			*out = append(*out, Resource{Node: n, File: n.Pos.File, Via: via})
			return
		}
		if depth > 8 {
			return
		}
		it, _ := v.Fields()
		for it.Next() {
			c.extract(it.Value(), depth+1, it.Selector().Unquoted(), out, diags)
		}
	}
}

// resourceType is the model type of resource v, the value of field label
// at depth, when the schema surely closes it (see declaredLabels), else
// nil.
func (c *cueLoc) resourceType(v cue.Value, depth int, label string) *model.Type {
	if c.files == nil || depth != 1 || label == "" {
		return nil
	}
	kind, err := v.LookupPath(fieldPath("kind")).String()
	if err != nil {
		return nil
	}
	s, err := model.LoadSchema()
	if err != nil {
		return nil
	}
	r := s.Resources[kind]
	if r == nil || r.Type == nil || !closedBySchema(c.files, label, r.Type.Name) {
		return nil
	}
	return r.Type
}

// depValue is where a dependency wrote a value; unified is set when the
// node's position is the user's unification with it, or its nearest
// ancestor's (not a position borrowed from its first field).
type depValue struct {
	pos     diag.Pos
	unified bool
}

// fill gives the nodes a dependency made, with no position in the user's
// files, the position of their nearest ancestor that has one: the user's
// line that led there. via maps such a position to where the dependency
// wrote the first value placed there, for a note.
func (c *cueLoc) fill(n *model.Node, at diag.Pos, via map[diag.Pos]diag.Pos) {
	d, made := c.deps[n]
	if !n.Pos.IsValid() {
		n.Pos = at
		d.unified = made
	}
	if d.unified && n.Pos.IsValid() {
		// Parents are filled before their children: a value the user
		// unified with a dependency's definition names the definition.
		if _, seen := via[n.Pos]; !seen {
			via[n.Pos] = d.pos
		}
	}
	if !n.KeyPos.IsValid() {
		n.KeyPos = n.Pos
	}
	for _, ch := range n.Vals {
		c.fill(ch, n.Pos, via)
	}
	for _, ch := range n.Items {
		c.fill(ch, n.Pos, via)
	}
}

// node converts a concrete CUE value to a Node with the user's positions.
// t is v's type when the schema surely closes v (see declaredLabels),
// else nil.
func (c *cueLoc) node(v cue.Value, depth int, t *model.Type) *model.Node {
	if d, ok := v.Default(); ok {
		v = d
	}
	n := model.New(model.NullKind, c.pos(v.Pos()))
	src := v.Source()
	if f, ok := src.(*ast.Field); ok {
		// A plain field: the key is the label, the value its literal.
		n.KeyPos = c.pos(f.Label.Pos())
		src = f.Value
	}
	if lit, ok := src.(*ast.BasicLit); ok {
		if p := c.pos(lit.ValuePos); p.IsValid() {
			n.Pos = p
			if s := c.sources.Get(p.File); s != nil {
				n.SetOrigin(s, lit.ValuePos.Offset())
			}
		}
	}
	if depth > model.MaxDepth {
		if c.tooDeep == nil {
			c.tooDeep = &n.Pos
		}
		return n
	}
	switch k := v.Kind(); k {
	case cue.StructKind:
		n.Kind = model.MapKind
		if allDeclared(t) {
			c.declaredFields(n, v, depth, t)
			break
		}
		it, _ := v.Fields()
		for it.Next() {
			name := it.Selector().Unquoted()
			c.field(n, name, it.Value(), depth, childType(t, name))
		}
	case cue.ListKind:
		n.Kind = model.ListKind
		n.Items = []*model.Node{}
		var elem *model.Type
		if t != nil && t.Kind == model.ListType {
			elem = t.Elem
		}
		it, _ := v.List()
		for it.Next() {
			n.Items = append(n.Items, c.node(it.Value(), depth+1, elem))
		}
	default:
		n.Kind, n.Value = model.ScalarFromCUE(v, k)
	}
	if !n.Pos.IsValid() && c.absDir != "" {
		if p := v.Pos(); p.IsValid() && !c.isUser(p.Filename()) && !within(p.Filename(), c.schemaDir) {
			// Made by a dependency: where the user unified it, if anywhere
			// (asked only here, for its cost), and where the dependency
			// wrote it, for a note.
			n.Pos = c.valuePos(v)
			if c.deps == nil {
				c.deps = map[*model.Node]depValue{}
			}
			d, _ := c.depPos(p)
			c.deps[n] = depValue{d, n.Pos.IsValid()}
		}
	}
	if !n.Pos.IsValid() {
		// A value unified with the schema reports the schema's position.
		// Like a YAML block map, it then stands where its first field the
		// user wrote (the earliest) stands. (Asking CUE for the conjuncts costs a third
		// of the compile time.)
		for _, c := range append(n.Vals, n.Items...) {
			if p := model.Where(&model.Node{Pos: c.KeyPos}, c.Pos); p.IsValid() && (!n.Pos.IsValid() || p.Compare(n.Pos) < 0) {
				n.Pos = p
			}
		}
	}
	return n
}

// declaredField is a declared field found in a struct, and its value.
type declaredField struct {
	f *model.Field
	v cue.Value
}

// declaredFields reads the fields of struct v, of type t, which the schema
// closes, by lookup in the model's order: no sort, and slices of the
// right size.
func (c *cueLoc) declaredFields(n *model.Node, v cue.Value, depth int, t *model.Type) {
	var buf [16]declaredField
	found := buf[:0]
	for _, f := range t.Fields {
		if !c.mayBePresent(f.Name) {
			continue
		}
		if fv := v.LookupPath(fieldPath(f.Name)); fv.Exists() {
			found = append(found, declaredField{f, fv})
		}
	}
	if len(found) > 0 {
		n.Keys, n.Vals = make([]string, 0, len(found)), make([]*model.Node, 0, len(found))
	}
	for _, e := range found {
		c.field(n, e.f.Name, e.v, depth, e.f.Type)
	}
}

// mayBePresent reports whether a field name can be present in a value of
// the package: some file of it or the schema declares it regular. (A
// failed lookup costs CUE an error value, and most declared fields are
// optional and absent.)
func (c *cueLoc) mayBePresent(name string) bool {
	return c.schemaLabels == nil || c.labels[name] || c.schemaLabels[name] || c.schemaLabels[""]
}

// field adds field name of value v, of type t, to map n.
func (c *cueLoc) field(n *model.Node, name string, v cue.Value, depth int, t *model.Type) {
	child := c.node(v, depth+1, t)
	if !child.KeyPos.IsValid() {
		child.KeyPos = child.Pos
	}
	n.Keys = append(n.Keys, name)
	n.Vals = append(n.Vals, child)
}
