package plugin

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// ProblemKind classifies a validation failure.
type ProblemKind uint8

// The kinds of problem, matching the compiler's codes for its own schema.
const (
	NotAllowed ProblemKind = iota // a field the closed struct does not declare
	Missing                       // a required field absent
	WrongType                     // a value of another type
	Invalid                       // a value outside the constraint
)

// Problem is one way a plugin object fails its schema.
type Problem struct {
	Kind ProblemKind
	// Path leads from the plugin object to the value: "spec", "values", "0".
	Path []string
	// Message is CUE's message, without the path.
	Message string
	// Fields lists, for NotAllowed, the fields the struct declares.
	Fields []string
}

// Validate checks a plugin object ({kind, spec}) against its schema as the
// Perses server does: unified with the schema, every value concrete, no
// field a closed struct does not declare. Problems are de-duplicated: one
// per path, the most telling first.
func (s *Set) Validate(sc *Schema, obj *model.Node) []Problem {
	spec := obj.Get("spec")
	if spec == nil {
		spec = model.New(model.MapKind, obj.Pos)
	}
	var key strings.Builder
	key.WriteString(sc.Kind)
	key.WriteByte(0)
	writeKey(&key, spec, 0)
	if p, ok := s.results.Load(key.String()); ok {
		return p.([]Problem)
	}
	e := <-s.pool
	defer func() { s.pool <- e }()
	out := validate(e.schema(sc, s.ctx), e.ctx, sc, obj, spec)
	s.results.Store(key.String(), out)
	return out
}

// validate is Validate in one context: schema is sc's value there.
func validate(schema cue.Value, ctx *cue.Context, sc *Schema, obj, spec *model.Node) []Problem {
	x := &ast.StructLit{Elts: []ast.Decl{
		&ast.Field{Label: ast.NewString("kind"), Value: ast.NewString(sc.Kind)},
		&ast.Field{Label: ast.NewString("spec"), Value: expr(spec, 0)},
	}}
	v := ctx.BuildExpr(x).Unify(schema)
	err := v.Validate(cue.Concrete(true), cue.Attributes(true), cue.Definitions(true), cue.Hidden(true))
	if err == nil {
		return nil
	}
	// Validate stops at the first kind of failure it meets (a field not
	// allowed hides a wrong type beside it): every value the user wrote is
	// also looked at on its own, so one run reports every problem.
	errs := cueerrors.Errors(err)
	var closed []Problem
	eachPath(spec, []cue.Selector{cue.Str("spec")}, func(sels []cue.Selector, n *model.Node) {
		val := v.LookupPath(cue.MakePath(sels...))
		if e := val.Err(); e != nil {
			errs = append(errs, cueerrors.Errors(e)...)
		}
		if n.Kind != model.MapKind {
			return
		}
		// Incomplete values (a required field missing) are not errors
		// of the value: ask for them where the user wrote a map.
		if val.Err() == nil {
			if e := val.Validate(cue.Concrete(true)); e != nil {
				errs = append(errs, cueerrors.Errors(e)...)
			}
		}
		// A struct with an error allows anything: ask the schema's.
		st := val
		if val.Err() != nil {
			st = schema.LookupPath(cue.MakePath(schemaSels(sels)...))
		}
		if !st.Exists() || st.IncompleteKind()&cue.StructKind == 0 {
			return
		}
		for _, k := range n.Keys {
			if !st.Allows(cue.Str(k)) {
				path := append(selStrings(sels), k)
				closed = append(closed, Problem{Kind: NotAllowed, Path: path, Message: "field not allowed", Fields: fieldsAt(v, path[:len(path)-1], k)})
			}
		}
	})
	byPath := map[string]int{}
	var out []Problem
	for _, p := range closed {
		byPath[strings.Join(p.Path, "\x00")] = len(out)
		out = append(out, p)
	}
	for _, e := range errs {
		format, args := e.Msg()
		msg := strings.TrimSpace(fmt.Sprintf(format, args...))
		p := Problem{Path: e.Path(), Message: msg, Kind: classify(msg, obj, e.Path())}
		if strings.Contains(msg, "errors in empty disjunction") {
			continue // its branches follow, each with its own message
		}
		if p.Kind == NotAllowed && len(p.Path) > 0 {
			p.Fields = fieldsAt(v, p.Path[:len(p.Path)-1], p.Path[len(p.Path)-1])
		}
		key := strings.Join(p.Path, "\x00")
		if i, ok := byPath[key]; ok {
			// Disjunctions give one message per branch: keep them as one.
			if !strings.Contains(out[i].Message, msg) && out[i].Kind != NotAllowed {
				if !strings.HasPrefix(out[i].Message, noBranch) {
					out[i].Message = noBranch + out[i].Message
				}
				out[i].Kind = Invalid
				out[i].Message += "; " + msg
			}
			continue
		}
		byPath[key] = len(out)
		out = append(out, p)
	}
	return out
}

// classify tells what a CUE message means for the user's value at path.
func classify(msg string, obj *model.Node, path []string) ProblemKind {
	switch {
	case strings.Contains(msg, "field not allowed"):
		return NotAllowed
	case strings.Contains(msg, "field is required but not present"),
		strings.Contains(msg, "incomplete value"),
		strings.Contains(msg, "non-concrete value"):
		if Lookup(obj, path) == nil {
			return Missing
		}
		return Invalid
	case strings.Contains(msg, "mismatched types"):
		return WrongType
	}
	return Invalid
}

// noBranch starts the message of a value that matches no branch of a
// disjunction; each branch's reason follows.
const noBranch = "it matches none of the forms the schema allows: "

// eachPath calls f with the path of n and of every value inside it.
func eachPath(n *model.Node, path []cue.Selector, f func([]cue.Selector, *model.Node)) {
	f(path, n)
	switch n.Kind {
	case model.MapKind:
		for i, k := range n.Keys {
			eachPath(n.Vals[i], append(path[:len(path):len(path)], cue.Str(k)), f)
		}
	case model.ListKind:
		for i, e := range n.Items {
			eachPath(e, append(path[:len(path):len(path)], cue.Index(i)), f)
		}
	}
}

// fieldsAt lists the regular and optional fields of the struct at parent,
// except name.
func fieldsAt(v cue.Value, parent []string, name string) []string {
	sels := make([]cue.Selector, len(parent))
	for i, p := range parent {
		if n, err := strconv.Atoi(p); err == nil {
			sels[i] = cue.Index(n)
		} else {
			sels[i] = cue.Str(p)
		}
	}
	it, err := v.LookupPath(cue.MakePath(sels...)).Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var out []string
	for it.Next() {
		if sel := it.Selector(); sel.IsString() && sel.Unquoted() != name {
			out = append(out, sel.Unquoted())
		}
	}
	return out
}

// Lookup follows a CUE path inside a plugin object; nil when the object
// has no value there.
func Lookup(n *model.Node, path []string) *model.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case model.MapKind:
			n = n.Get(p)
		case model.ListKind:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n.Items) {
				return nil
			}
			n = n.Items[i]
		default:
			return nil
		}
	}
	return n
}

// expr is a node as a CUE expression.
func expr(n *model.Node, depth int) ast.Expr {
	if depth > model.MaxDepth {
		return ast.NewNull()
	}
	switch n.Kind {
	case model.MapKind:
		s := &ast.StructLit{}
		for i, k := range n.Keys {
			s.Elts = append(s.Elts, &ast.Field{Label: ast.NewString(k), Value: expr(n.Vals[i], depth+1)})
		}
		return s
	case model.ListKind:
		l := &ast.ListLit{}
		for _, e := range n.Items {
			l.Elts = append(l.Elts, expr(e, depth+1))
		}
		return l
	case model.StringKind:
		return ast.NewString(n.Value)
	case model.BoolKind:
		return ast.NewBool(n.Value == "true")
	case model.NumberKind:
		return number(n.Value)
	}
	return ast.NewNull()
}

// number is a numeric literal as JSON would carry it to the server.
func number(s string) ast.Expr {
	if !json.Valid([]byte(s)) {
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil {
			return ast.NewString(s)
		}
		s = strconv.FormatFloat(f, 'g', -1, 64)
	}
	if strings.ContainsAny(s, ".eE") {
		return &ast.BasicLit{Kind: token.FLOAT, Value: s}
	}
	return &ast.BasicLit{Kind: token.INT, Value: s}
}

func selStrings(sels []cue.Selector) []string {
	out := make([]string, len(sels))
	for i, s := range sels {
		if s.Type() == cue.IndexLabel {
			out[i] = strconv.Itoa(s.Index())
		} else {
			out[i] = s.Unquoted()
		}
	}
	return out
}

// schemaSels is a path inside the schema: any element of a list.
func schemaSels(sels []cue.Selector) []cue.Selector {
	out := make([]cue.Selector, len(sels))
	for i, s := range sels {
		if s.Type() == cue.IndexLabel {
			s = cue.AnyIndex
		}
		out[i] = s
	}
	return out
}

// writeKey writes n's content: the key of the results kept.
func writeKey(b *strings.Builder, n *model.Node, depth int) {
	if depth > model.MaxDepth {
		return
	}
	b.WriteByte(byte('0' + n.Kind))
	switch n.Kind {
	case model.MapKind:
		for i, k := range n.Keys {
			b.WriteString(strconv.Quote(k))
			writeKey(b, n.Vals[i], depth+1)
		}
		b.WriteByte('}')
	case model.ListKind:
		for _, e := range n.Items {
			writeKey(b, e, depth+1)
		}
		b.WriteByte(']')
	default:
		b.WriteString(strconv.Quote(n.Value))
	}
}
