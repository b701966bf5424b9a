package cueload

import (
	"strconv"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/token"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
)

// CUE's Value.Fields sorts a struct's fields (a topological sort of every
// struct that contributed to it) before it returns the first: about a
// third of the time spent reading a dashboard out of CUE. Where the model
// fixes the order anyway (validation emits a struct's declared fields in
// the model's order, then the others in source order), the fields of a
// struct whose every field is surely declared are read by lookup instead.
//
// A struct's fields are surely declared when CUE closed it with the
// schema's definition of its type: CUE reports any other field as not
// allowed, and closing is recursive through the definition's fields. The
// loader knows that of a resource the user's file unifies with the
// schema's definition of its kind (dashboard: pb.#Dashboard & {…}), in a
// package whose every label is written out (no comprehension, no computed
// label) and that imports nothing but the schema. Every other value is
// read with Fields, as before.

// declaredLabels reports whether files can be read by lookup where the
// schema closes a value: they import only pyrobuild's schema and every
// field label in them is written out. It returns those labels: a field
// can only be present in a value if a conjunct declares it regular, so
// one that neither the files nor the schema (regularLabels) write as a
// label is not looked up.
func declaredLabels(files []*ast.File) (map[string]bool, bool) {
	ok := true
	labels := map[string]bool{}
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.ImportSpec:
				if p, err := strconv.Unquote(x.Path.Value); err != nil || p != schema.ImportPath {
					ok = false
				}
			case *ast.Comprehension:
				ok = false
			case *ast.Field:
				name, _, err := ast.LabelName(x.Label)
				if err != nil {
					ok = false // a computed label: (expr) or "\(x)"
				}
				labels[name] = true
			}
			return ok
		}, nil)
		if !ok {
			return nil, false
		}
	}
	return labels, true
}

// regularLabels is the set of labels a form of the schema declares as
// regular fields anywhere (not optional, not required), by instance.
var regularLabels sync.Map // *build.Instance -> map[string]bool

func schemaRegularLabels(inst *build.Instance) map[string]bool {
	if m, ok := regularLabels.Load(inst); ok {
		return m.(map[string]bool)
	}
	labels := map[string]bool{}
	for _, f := range inst.Files {
		ast.Walk(f, func(n ast.Node) bool {
			if x, ok := n.(*ast.Field); ok && x.Constraint == token.ILLEGAL {
				if _, pattern := x.Label.(*ast.ListLit); pattern {
					return true // [string]: T applies to fields, makes none
				}
				if name, _, err := ast.LabelName(x.Label); err == nil {
					labels[name] = true
				} else {
					labels[""] = true // not known: look every field up
				}
			}
			return true
		}, nil)
	}
	m, _ := regularLabels.LoadOrStore(inst, labels)
	return m.(map[string]bool)
}

// closedBySchema reports whether a top-level field label of files is
// declared, in one of its declarations at least, as a conjunction with the
// schema's definition def (label: pb.#Dashboard & {…}).
func closedBySchema(files []*ast.File, label, def string) bool {
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.Field)
			if !ok || fd.Constraint != token.ILLEGAL {
				continue
			}
			if name, _, err := ast.LabelName(fd.Label); err != nil || name != label {
				continue
			}
			if conjoinsDef(fd.Value, def) {
				return true
			}
		}
	}
	return false
}

// conjoinsDef reports whether expression e is the schema's definition def,
// or a conjunction with it as one of its operands.
func conjoinsDef(e ast.Expr, def string) bool {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return conjoinsDef(x.X, def)
	case *ast.BinaryExpr:
		return x.Op == token.AND && (conjoinsDef(x.X, def) || conjoinsDef(x.Y, def))
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		if !ok {
			return false
		}
		spec, ok := id.Node.(*ast.ImportSpec)
		if !ok {
			return false
		}
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil || p != schema.ImportPath {
			return false
		}
		name, _, err := ast.LabelName(x.Sel)
		return err == nil && name == def
	}
	return false
}

// allDeclared reports whether the fields of a struct of type t, closed by
// the schema, are all among t's declared fields.
func allDeclared(t *model.Type) bool {
	return t != nil && t.Kind == model.StructType && t.Closed && t.Pattern == nil
}

// childType is the type of the field name of a value of type t, or nil
// when the model does not fix it (then the field is read with Fields).
func childType(t *model.Type, name string) *model.Type {
	if t == nil || t.Kind != model.StructType {
		return nil
	}
	if f := t.Field(name); f != nil {
		return f.Type
	}
	return t.Pattern
}

// fieldPaths holds the path of every field name looked up, built once.
var fieldPaths sync.Map // string -> cue.Path

func fieldPath(name string) cue.Path {
	if p, ok := fieldPaths.Load(name); ok {
		return p.(cue.Path)
	}
	p := cue.MakePath(cue.Str(name))
	fieldPaths.Store(name, p)
	return p
}
