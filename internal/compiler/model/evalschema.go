package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// The evaluation form of the schema.
//
// A default (`showSettings: bool | *true`) is a disjunction, and CUE
// evaluates every disjunction of every dashboard: with the schema's
// defaults they were about a sixth of a cold compile's CPU. The
// validator fills an absent regular field with its default anyway (YAML
// and JSON sources have no CUE to do it), from the model of the schema as
// written. So packages are evaluated against a form of the schema where
// every field with a default is optional and has none (`showSettings?:
// bool`): a value the user wrote meets the same constraint, an absent one
// is filled by the validator with the same default, and the output is the
// same.
//
// Two things differ, and the loader covers both by evaluating a package
// again against the schema as written whenever the evaluation form gives
// an error: CUE's messages about a default field (a disjunction's
// "2 errors in empty disjunction" becomes a plain conflict), and a user's
// reference to a default the user did not set (incomplete without it).
// Every diagnostic therefore comes from the schema as written.

// EvalSchemaInstance is the evaluation form of the embedded schema as
// loaded (once per process), under the same import path as the schema.
func EvalSchemaInstance() (*build.Instance, error) { return evalSchemaInstance() }

// BuildEvalSchema builds the evaluation form in ctx, as BuildSchema builds
// the schema. A context holds one of the two: they share an import path.
func BuildEvalSchema(ctx *cue.Context) (cue.Value, error) {
	return buildSchema(ctx, evalSchemaInstance, "embedded schema (evaluation form)")
}

var evalSchemaInstance = sync.OnceValues(func() (*build.Instance, error) {
	return loadSchema(WithoutDefaults, "embedded schema (evaluation form)")
})

// WithoutDefaults rewrites a CUE file of the schema so that every regular
// field whose value is a disjunction with a marked default becomes
// optional without a default: `f: T | *d` becomes `f?: T`. The default
// alternative is dropped when another alternative is a type (it is taken
// to admit the default: TestEvalSchemaAdmitsDefaults checks it), and kept
// unmarked when all the others are literals (`*"a" | "b"` becomes
// `"a" | "b"`). A field's choice among strings then becomes the regular
// expression that admits exactly them (`=~"^(?:a|b)$"`), the same
// concrete values without a disjunction.
func WithoutDefaults(filename string, src []byte) ([]byte, error) {
	f, err := parser.ParseFile(filename, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	ast.Walk(f, func(n ast.Node) bool {
		fd, ok := n.(*ast.Field)
		if !ok {
			return true
		}
		if fd.Constraint == token.ILLEGAL {
			if v, ok := withoutDefault(fd.Value); ok {
				fd.Value = v
				fd.Constraint = token.OPTION
			}
		}
		if re, ok := stringChoice(fd.Value); ok {
			fd.Value = re
		}
		return true
	}, nil)
	if runeCounts(f) {
		dropUnusedImport(f, "strings")
	}
	return format.Node(f)
}

// runeCounts replaces every call strings.MinRunes(n) and
// strings.MaxRunes(n) with the regular expression that admits the same
// strings (=~"^(?s:.{n,})$", =~"^(?s:.{0,n})$"), and reports whether it
// replaced any. A builtin is called through CUE's generic argument
// conversion for every value it checks; a regular expression literal is
// compiled once per context and matched directly. Go's regular
// expressions count runes as the builtins do, an invalid byte as one.
// Both refuse every non-string, so an error either way falls back to the
// schema as written.
func runeCounts(f *ast.File) bool {
	changed := false
	astutil.Apply(f, func(c astutil.Cursor) bool {
		call, ok := c.Node().(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || !importsPath(pkg, "strings") {
			return true
		}
		name, ok := sel.Sel.(*ast.Ident)
		if !ok {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.INT {
			return true
		}
		// Go's regular expressions repeat at most 1000 times.
		n, err := strconv.Atoi(lit.Value)
		if err != nil || n < 0 || n > 1000 {
			return true
		}
		var re string
		switch name.Name {
		case "MinRunes":
			re = fmt.Sprintf("^(?s:.{%d,})$", n)
		case "MaxRunes":
			re = fmt.Sprintf("^(?s:.{0,%d})$", n)
		default:
			return true
		}
		c.Replace(&ast.UnaryExpr{Op: token.MAT, X: ast.NewString(re)})
		changed = true
		return false
	}, nil)
	return changed
}

// importsPath reports whether id names the import of path.
func importsPath(id *ast.Ident, path string) bool {
	spec, ok := id.Node.(*ast.ImportSpec)
	if !ok {
		return false
	}
	p, err := strconv.Unquote(spec.Path.Value)
	return err == nil && p == path
}

// dropUnusedImport removes the import of path from f when no selector of
// f refers to it any more: CUE refuses an import left unused. References
// are told by what they resolve to, as runeCounts tells them, so an
// aliased import or a field that shadows its name is not mistaken.
func dropUnusedImport(f *ast.File, path string) {
	used := false
	ast.Walk(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && importsPath(id, path) {
				used = true
			}
		}
		return !used
	}, nil)
	if used {
		return
	}
	decls := f.Decls[:0]
	for _, d := range f.Decls {
		if imp, ok := d.(*ast.ImportDecl); ok {
			specs := imp.Specs[:0]
			for _, s := range imp.Specs {
				if s.Path.Value != strconv.Quote(path) {
					specs = append(specs, s)
				}
			}
			if imp.Specs = specs; len(specs) == 0 {
				continue
			}
		}
		decls = append(decls, d)
	}
	f.Decls = decls
}

// withoutDefault is x without its marked default, and whether x had one.
func withoutDefault(x ast.Expr) (ast.Expr, bool) {
	var rest, defaults []ast.Expr
	typed := false
	for _, a := range alternatives(x) {
		if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.MUL {
			defaults = append(defaults, u.X)
			continue
		}
		rest = append(rest, a)
		if !isLiteral(a) {
			typed = true
		}
	}
	if len(defaults) == 0 {
		return x, false
	}
	if !typed {
		rest = append(defaults, rest...) // the default stays a choice
	}
	out := rest[0]
	for _, a := range rest[1:] {
		out = &ast.BinaryExpr{X: out, Op: token.OR, Y: a}
	}
	return out, true
}

// stringChoice is a choice among string literals ("a" | "b") as the
// regular expression that matches exactly them (=~"^(?:a|b)$"): CUE
// evaluates a disjunction alternative by alternative for every value,
// and matches a regular expression, compiled once per context, at once.
func stringChoice(x ast.Expr) (ast.Expr, bool) {
	alts := alternatives(x)
	if len(alts) < 2 {
		return x, false
	}
	quoted := make([]string, len(alts))
	for i, a := range alts {
		lit, ok := a.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return x, false
		}
		s, err := literal.Unquote(lit.Value)
		if err != nil {
			return x, false
		}
		quoted[i] = regexp.QuoteMeta(s)
	}
	return &ast.UnaryExpr{Op: token.MAT, X: ast.NewString("^(?:" + strings.Join(quoted, "|") + ")$")}, true
}

// alternatives lists the operands of disjunction x (a | b | c), or x
// alone when it is not one.
func alternatives(x ast.Expr) []ast.Expr {
	if b, ok := x.(*ast.BinaryExpr); ok && b.Op == token.OR {
		return append(alternatives(b.X), alternatives(b.Y)...)
	}
	return []ast.Expr{x}
}

// isLiteral reports whether e is a literal value (a string, number,
// boolean or null), not a type or constraint.
func isLiteral(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return x.Name == "true" || x.Name == "false" || x.Name == "null"
	}
	return false
}
