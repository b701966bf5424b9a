package load

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	cueload "cuelang.org/go/cue/load"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
	"github.com/pyrobuild/pyrobuild/internal/diag"
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

// findModuleRoot returns the folder holding cue.mod above dir, or "".
func findModuleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "cue.mod")); err == nil && fi.IsDir() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// CUEEnv is one worker's CUE context with the schema built in it. Building
// the schema once per worker, not once per package, is most of the speed.
// CUE contexts only grow, by about 200 KB per package evaluated in them,
// so a worker starts a fresh one every cueEnvUses packages: with 50, 10,000
// dashboards compile in a third of the memory 250 took, for about 1.5 ms of
// schema building per 50 packages.
type CUEEnv struct {
	ctx    *cue.Context
	schema cue.Value
	uses   int
}

const cueEnvUses = 50

func (e *CUEEnv) get() (*cue.Context, cue.Value, error) {
	if e.ctx == nil || e.uses >= cueEnvUses {
		ctx := cuecontext.New()
		v, err := model.BuildSchema(ctx)
		if err != nil {
			return nil, cue.Value{}, err
		}
		e.ctx, e.schema, e.uses = ctx, v, 0
	}
	e.uses++
	return e.ctx, e.schema, nil
}

// loadCUE evaluates one CUE package in-process. Packages that import only
// pyrobuild's schema and CUE's standard library are built directly in the
// worker's context; others go through the CUE loader with the schema laid
// over the user's module (cue.mod/pkg/<import path>), so they too import it
// offline, with no registry and no `cue mod tidy`.
func loadCUE(u Unit, sources *Sources, env *CUEEnv) ([]Raw, diag.Diagnostics, bool) {
	files := make([]*ast.File, 0, len(u.files))
	for i, f := range u.files {
		src, d := u.source(i)
		if d != nil {
			return nil, diag.Diagnostics{*d}, false
		}
		sources.Add(src)
		af, err := parser.ParseFile(f, src.Data)
		if err != nil {
			cl := &cueLoc{schemaDir: model.SchemaRoot, sources: sources}
			return nil, cl.errors(err, f), true
		}
		files = append(files, af)
	}
	if merged, aliases, ok := mergeSchemaOnly(files); ok {
		ctx, sv, err := env.get()
		if err != nil {
			return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeCUE, Message: "embedded schema: " + err.Error()}}, false
		}
		scope := ctx.CompileString("{}")
		for _, a := range aliases {
			scope = scope.FillPath(cue.MakePath(cue.Str(a)), sv)
		}
		v := ctx.BuildFile(merged, cue.Scope(scope), cue.InferBuiltins(true))
		cl := &cueLoc{schemaDir: model.SchemaRoot, sources: sources}
		raws, diags := cl.resources(v, u.files[0])
		return raws, diags, true
	}
	raws, diags := loadCUEModule(u, sources)
	return raws, diags, false // imports of the user's own packages are not tracked
}

// mergeSchemaOnly joins the files of a package into one, replacing imports
// of the schema by names bound in the scope. It declines (ok false) when a
// file imports anything but the schema and the standard library.
func mergeSchemaOnly(files []*ast.File) (*ast.File, []string, bool) {
	var aliases []string
	dropped := map[*ast.ImportSpec]bool{}
	var imports []ast.Decl
	var decls []ast.Decl
	for _, f := range files {
		for spec := range f.ImportSpecs() {
			path, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return nil, nil, false
			}
			switch {
			case path == schema.ImportPath:
				name := "schema"
				if spec.Name != nil {
					name = spec.Name.Name
				}
				aliases = append(aliases, name)
				dropped[spec] = true
			case strings.Contains(strings.SplitN(path, "/", 2)[0], "."):
				return nil, nil, false // a module import: the loader's job
			}
		}
		for i, d := range f.Decls {
			switch d := d.(type) {
			case *ast.Package:
				if len(decls) == 0 && len(imports) == 0 && i == 0 {
					decls = append(decls, d)
				}
			case *ast.ImportDecl:
				var keep []*ast.ImportSpec
				for _, spec := range d.Specs {
					if !dropped[spec] {
						keep = append(keep, spec)
					}
				}
				if len(keep) > 0 {
					imports = append(imports, &ast.ImportDecl{Specs: keep})
				}
			default:
				decls = append(decls, d)
			}
		}
	}
	// References to the dropped imports now resolve in the scope.
	for _, f := range files {
		astutil.Apply(f, func(c astutil.Cursor) bool {
			if id, ok := c.Node().(*ast.Ident); ok {
				if spec, ok := id.Node.(*ast.ImportSpec); ok && dropped[spec] {
					id.Node, id.Scope = nil, nil
				}
			}
			return true
		}, nil)
	}
	out := &ast.File{Filename: files[0].Filename}
	if len(decls) > 0 {
		if pkg, ok := decls[0].(*ast.Package); ok {
			out.Decls = append(out.Decls, pkg)
			decls = decls[1:]
		}
	}
	out.Decls = append(out.Decls, imports...)
	out.Decls = append(out.Decls, decls...)
	return out, aliases, true
}

// loadCUEModule evaluates a package through the CUE loader.
func loadCUEModule(u Unit, sources *Sources) ([]Raw, diag.Diagnostics) {
	absDir, err := filepath.Abs(u.dir)
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeRead, Pos: diag.Pos{File: u.dir}, Message: err.Error()}}
	}
	root := findModuleRoot(absDir)
	ov := map[string]cueload.Source{}
	if root == "" {
		root = absDir
		ov[filepath.Join(root, "cue.mod", "module.cue")] = cueload.FromString("module: \"pyrobuild.local/sources\"\nlanguage: version: \"v0.16.0\"\n")
	}
	pkgDir := filepath.Join(root, "cue.mod", "pkg", filepath.FromSlash(schema.ImportPath))
	schemaOv, _, err := model.SchemaOverlay(pkgDir)
	if err != nil {
		return nil, diag.Diagnostics{{Severity: diag.Error, Code: model.CodeRead, Message: err.Error()}}
	}
	for k, v := range schemaOv {
		ov[k] = v
	}
	names := make([]string, len(u.files))
	for i, f := range u.files {
		names[i] = filepath.Base(f)
	}
	cl := &cueLoc{absDir: absDir, relDir: u.dir, schemaDir: pkgDir, sources: sources}
	insts := cueload.Instances(names, &cueload.Config{Dir: absDir, Overlay: ov, Tests: false})
	if len(insts) == 0 {
		return nil, nil
	}
	inst := insts[0]
	if inst.Err != nil {
		return nil, cl.errors(inst.Err, u.files[0])
	}
	return cl.resources(cuecontext.New().BuildInstance(inst), u.files[0])
}

// resources takes the resources out of an evaluated package. An error
// inside one resource must not hide the others: each is validated on its
// own while extracting.
func (c *cueLoc) resources(v cue.Value, file string) ([]Raw, diag.Diagnostics) {
	if err := v.Err(); err != nil {
		if _, ferr := v.Fields(); ferr != nil {
			return nil, c.errors(err, file)
		}
	}
	var diags diag.Diagnostics
	var out []Raw
	c.extract(v, 0, &out, &diags)
	if !diags.HasErrors() {
		if err := v.Validate(); err != nil {
			diags = append(diags, c.errors(err, file)...)
		}
	}
	return out, diags
}

// cueLoc maps CUE positions (absolute paths) back to the paths the user gave.
type cueLoc struct {
	absDir, relDir, schemaDir string
	sources                   *Sources
	// tooDeep is where node met a value nested deeper than model.MaxDepth.
	tooDeep *diag.Pos
}

func (c *cueLoc) pos(p token.Pos) diag.Pos {
	if !p.IsValid() {
		return diag.Pos{}
	}
	file := p.Filename()
	if strings.HasPrefix(file, c.schemaDir) {
		return diag.Pos{} // inside pyrobuild's schema: not the user's doing
	}
	if rel, err := filepath.Rel(c.absDir, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.Join(c.relDir, rel)
	}
	return diag.Pos{File: file, Line: p.Line(), Col: p.Column()}
}

// errors converts CUE errors to diagnostics at the user's positions.
func (c *cueLoc) errors(err error, fallback string) diag.Diagnostics {
	var diags diag.Diagnostics
	rep := diag.NewReporter(&diags)
	for _, e := range cueerrors.Errors(err) {
		var at diag.Pos
		for _, p := range cueerrors.Positions(e) {
			if at = c.pos(p); at.IsValid() {
				break
			}
		}
		if !at.IsValid() {
			at = diag.Pos{File: fallback}
		}
		format, args := e.Msg()
		path := e.Path()
		if format == "invalid value %v (out of bound %s)" && len(args) == 2 && len(path) > 0 {
			// A schema constraint: explain it as for YAML and JSON.
			if m, ok := model.MustSchema().BoundMessage(fmt.Sprint(args[1])); ok {
				msg := fmt.Sprintf("invalid %s %v: %s", path[len(path)-1], args[0], m)
				if diag.CredentialPath(path) {
					msg = diag.RedactQuoted(msg)
				}
				rep.Report(diag.Error, model.CodeInvalidValue, at, msg).
					Path(strings.Join(path[1:], "."))
				continue
			}
		}
		msg := fmt.Sprintf(format, args...)
		if diag.CredentialPath(path) {
			// CUE quotes the values in conflict: never a credential.
			msg = diag.RedactQuoted(msg)
		}
		if len(path) > 0 {
			msg = strings.Join(path, ".") + ": " + msg
		}
		rep.Report(diag.Error, model.CodeCUE, at, msg).
			Hint(cueHint(msg))
	}
	return diags
}

func cueHint(msg string) string {
	switch {
	case strings.Contains(msg, "incomplete value"), strings.Contains(msg, "non-concrete value"):
		return "every field of a resource must have a concrete value; give it one or a default (*value)"
	case strings.Contains(msg, "field not allowed"):
		return "the field is not part of the definition it is unified with; check its spelling"
	case strings.Contains(msg, "cannot find package"), strings.Contains(msg, "import failed"):
		return "pyrobuild provides \"" + schema.ImportPath + "\"; other imports need a cue.mod of your own"
	}
	return ""
}

// extract finds the resources in an evaluated value: the value itself, the
// elements of a list, or the fields of a struct (recursively).
func (c *cueLoc) extract(v cue.Value, depth int, out *[]Raw, diags *diag.Diagnostics) {
	if err := v.Err(); err != nil && depth > 0 {
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
			c.extract(it.Value(), depth+1, out, diags)
		}
	case cue.StructKind:
		if v.LookupPath(cue.ParsePath("kind")).Exists() || (v.LookupPath(cue.ParsePath("metadata")).Exists() && v.LookupPath(cue.ParsePath("spec")).Exists()) {
			if err := v.Validate(cue.Concrete(true)); err != nil {
				*diags = append(*diags, c.errors(err, "")...)
				return
			}
			c.tooDeep = nil
			n := c.node(v, 0)
			if c.tooDeep != nil {
				// As for YAML and JSON: an error, not a value cut short.
				diag.NewReporter(diags).Errorf(model.CodeInputLimit, model.Where(&model.Node{Pos: *c.tooDeep}, n.Pos), "nesting deeper than %d levels", model.MaxDepth)
				return
			}
			*out = append(*out, Raw{Node: n, File: n.Pos.File})
			return
		}
		if depth > 8 {
			return
		}
		it, _ := v.Fields()
		for it.Next() {
			c.extract(it.Value(), depth+1, out, diags)
		}
	}
}

// node converts a concrete CUE value to a Node with the user's positions.
func (c *cueLoc) node(v cue.Value, depth int) *model.Node {
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
	switch v.Kind() {
	case cue.StructKind:
		n.Kind = model.MapKind
		it, _ := v.Fields()
		for it.Next() {
			child := c.node(it.Value(), depth+1)
			if !child.KeyPos.IsValid() {
				child.KeyPos = child.Pos
			}
			n.Keys = append(n.Keys, it.Selector().Unquoted())
			n.Vals = append(n.Vals, child)
		}
	case cue.ListKind:
		n.Kind = model.ListKind
		n.Items = []*model.Node{}
		it, _ := v.List()
		for it.Next() {
			n.Items = append(n.Items, c.node(it.Value(), depth+1))
		}
	default:
		s := model.NodeFromCUE(v)
		n.Kind, n.Value = s.Kind, s.Value
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
