package model

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	"github.com/pyrobuild/pyrobuild/internal/compiler/schema"
)

// TypeKind says what shape of value a Type describes.
type TypeKind int

// Type kinds.
const (
	AnyType TypeKind = iota
	StructType
	ListType
	LeafType
	UnionType
)

// Type is one node of the model, compiled once from the embedded CUE schema.
// Validation walks Types rather than unifying with CUE for every value: it
// is much faster, and it reports every problem with the user's position
// (CUE stops at the first kind of failure in a struct).
type Type struct {
	Kind TypeKind
	// Name is the CUE definition this type comes from, e.g. "#Name".
	Name string
	Doc  string

	Fields  []*Field // StructType, in declaration order
	Closed  bool     // StructType: unknown fields are errors
	Pattern *Type    // StructType: type of every other field ([string]: T)
	KeyType *Type    // StructType with Pattern: constraint on keys (@key)
	Checks  []Check  // StructType: rules from @check declaration attributes

	Elem *Type // ListType

	Alts []*Type // UnionType

	// LeafType: the CUE constraint, the scalar kinds it admits, its allowed
	// values when it is an enumeration (JSON literals), and a message
	// explaining it (@msg).
	leaf  cue.Value
	Kinds cue.Kind
	Enum  []string
	Msg   string

	// Default is the value filled in when a regular field is absent.
	Default *Node
	// Literal is the only value allowed, when the type is concrete
	// (e.g. kind: "Panel").
	Literal *Node

	cache *sync.Map        // LeafType: value -> error message ("" if valid)
	fast  func(*Node) bool // LeafType: accepts values surely valid, or nil
}

// Field is one field of a StructType.
type Field struct {
	Name     string
	Type     *Type
	Doc      string
	Required bool // name!: must be given
	Optional bool // name?: may be absent; otherwise absent means "fill in"
	// Authoring marks fields accepted in sources and lowered away.
	Authoring bool
	// PluginRole, when set, dispatches the plugin's spec to the schema of
	// its kind (@plugin(role)).
	PluginRole string
	Checks     []Check // rules from @check field attributes
}

// Check is a rule written in Go, named by a @check attribute.
type Check struct {
	Rule string
	Args []string
}

// Field returns the field called name, or nil.
func (t *Type) Field(name string) *Field {
	for _, f := range t.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// PluginSchema is a plugin whose spec pyrobuild validates.
type PluginSchema struct {
	Kind string
	Role string // Datasource, Panel, Variable, or a query kind
	Spec *Type
}

// ResourceSchema is a resource kind pyrobuild compiles or passes through.
type ResourceSchema struct {
	Kind   string
	Global bool
	Type   *Type // nil for pass-through kinds
}

// Schema is the compiled model.
type Schema struct {
	Resources   map[string]*ResourceSchema
	Plugins     map[string]*PluginSchema
	Aliases     map[string]string // profile type short names
	AliasOrder  []string
	AliasDocs   map[string]string
	Defs        map[string]*Type // every definition, by name (#Dashboard, …)
	Value       cue.Value        // the CUE package, for documentation
	ProjectMeta *Type
	GlobalMeta  *Type
	// boundMsgs maps a constraint as CUE prints it (=~"^https?://…") to
	// the explanation of the definition it belongs to, so CUE's own errors
	// in CUE sources read like pyrobuild's.
	boundMsgs map[string]string

	mu  sync.Mutex // guards CUE operations on Value (not safe concurrently)
	ctx *cue.Context
}

var (
	schemaOnce sync.Once
	theSchema  *Schema
	schemaErr  error
)

// LoadSchema compiles the embedded CUE schema (once per process).
func LoadSchema() (*Schema, error) {
	schemaOnce.Do(func() { theSchema, schemaErr = compileSchema() })
	return theSchema, schemaErr
}

// MustSchema is LoadSchema for callers that cannot proceed without it; the
// embedded schema is tested, so failure is a build defect.
func MustSchema() *Schema {
	s, err := LoadSchema()
	if err != nil {
		panic(err)
	}
	return s
}

// SchemaOverlay returns the schema files as a load overlay rooted at dir,
// and their names, for building CUE packages that import the schema.
func SchemaOverlay(dir string) (map[string]load.Source, []string, error) {
	return schemaOverlay(dir, nil)
}

// schemaOverlay is SchemaOverlay with each file replaced by what rewrite
// makes of it, when rewrite is not nil.
func schemaOverlay(dir string, rewrite func(path string, src []byte) ([]byte, error)) (map[string]load.Source, []string, error) {
	ov := map[string]load.Source{}
	var names []string
	err := fs.WalkDir(schema.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := schema.Files.ReadFile(p)
		if err != nil {
			return err
		}
		full := path.Join(dir, p)
		if rewrite != nil {
			if b, err = rewrite(full, b); err != nil {
				return err
			}
		}
		ov[full] = load.FromBytes(b)
		names = append(names, p)
		return nil
	})
	return ov, names, err
}

// SchemaRoot is where the schema package lives in the overlay used to
// build it; positions under it are pyrobuild's, not the user's.
const SchemaRoot = "/pyrobuild-schema"

// BuildSchema builds the embedded schema package in ctx. Positions in it
// are under SchemaRoot, so they are never taken for the user's. The files
// are loaded and parsed once per process: workers build the package in a
// fresh context every cueEnvUses packages, and loading was most of that.
func BuildSchema(ctx *cue.Context) (cue.Value, error) {
	return buildSchema(ctx, schemaInstance, "embedded schema")
}

// buildSchema builds the package instance returns in ctx; what names it
// in errors.
func buildSchema(ctx *cue.Context, instance func() (*build.Instance, error), what string) (cue.Value, error) {
	inst, err := instance()
	if err != nil {
		return cue.Value{}, err
	}
	// Building records results in the shared instance: one at a time.
	schemaBuildMu.Lock()
	v := ctx.BuildInstance(inst)
	schemaBuildMu.Unlock()
	if err := v.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

var schemaBuildMu sync.Mutex

var schemaInstance = sync.OnceValues(func() (*build.Instance, error) {
	return loadSchema(nil, "embedded schema")
})

// loadSchema loads the embedded schema package, each file replaced by what
// rewrite makes of it (nil: as embedded); what names it in errors.
func loadSchema(rewrite func(path string, src []byte) ([]byte, error), what string) (*build.Instance, error) {
	ov, names, err := schemaOverlay(SchemaRoot, rewrite)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	ov[SchemaRoot+"/cue.mod/module.cue"] = load.FromString(`module: "` + schema.ImportPath + `"` + "\nlanguage: version: \"v0.16.0\"\n")
	insts := load.Instances(names, &load.Config{Dir: SchemaRoot, Overlay: ov})
	if len(insts) != 1 || insts[0].Err != nil {
		return nil, fmt.Errorf("%s: %v", what, insts[0].Err)
	}
	// Loaded by file name, it has no import path: give it the one users
	// import, so their packages can list it among their imports.
	insts[0].ImportPath = schema.ImportPath
	return insts[0], nil
}

// SchemaInstance is the embedded schema package as loaded (once per
// process). A package that imports it lists it among its build imports;
// BuildSchema must have built it in the same context first, so that every
// package of a context shares one evaluation of it.
func SchemaInstance() (*build.Instance, error) { return schemaInstance() }

func compileSchema() (*Schema, error) {
	ctx := cuecontext.New()
	v, err := BuildSchema(ctx)
	if err != nil {
		return nil, err
	}
	s := &Schema{
		Value: v, ctx: ctx,
		Resources: map[string]*ResourceSchema{},
		Plugins:   map[string]*PluginSchema{},
		Aliases:   map[string]string{},
		AliasDocs: map[string]string{},
		Defs:      map[string]*Type{},
	}
	b := &typeBuilder{s: s, pkg: v}
	it, err := v.Fields(cue.Definitions(true))
	if err != nil {
		return nil, err
	}
	for it.Next() {
		name := it.Selector().String()
		if !it.Selector().IsDefinition() || strings.HasPrefix(name, "#plugins") || name == "#resources" || name == "#passThrough" || name == "#profileTypeAliases" {
			continue
		}
		s.Defs[name] = b.def(name)
	}
	s.ProjectMeta, s.GlobalMeta = s.Defs["#ProjectMetadata"], s.Defs["#GlobalMetadata"]
	s.boundMsgs = map[string]string{}
	for _, t := range s.Defs {
		if t.Kind != LeafType || t.Msg == "" {
			continue
		}
		s.boundMsgs[fmt.Sprint(t.leaf)] = t.Msg
		if op, args := t.leaf.Expr(); op == cue.AndOp {
			for _, a := range args {
				s.boundMsgs[fmt.Sprint(a)] = t.Msg
			}
		}
	}

	res := v.LookupPath(cue.ParsePath("#resources"))
	it, _ = res.Fields()
	for it.Next() {
		kind := it.Selector().Unquoted()
		scope, _ := it.Value().LookupPath(cue.ParsePath("scope")).String()
		ref := b.refName(it.Value().LookupPath(cue.ParsePath("schema")))
		s.Resources[kind] = &ResourceSchema{Kind: kind, Global: scope == "global", Type: s.Defs[ref]}
	}
	pt := v.LookupPath(cue.ParsePath("#passThrough"))
	it, _ = pt.Fields()
	for it.Next() {
		scope, _ := it.Value().String()
		kind := it.Selector().Unquoted()
		s.Resources[kind] = &ResourceSchema{Kind: kind, Global: scope == "global"}
	}
	pl := v.LookupPath(cue.ParsePath("#plugins"))
	it, _ = pl.Fields()
	for it.Next() {
		kind := it.Selector().Unquoted()
		role, _ := it.Value().LookupPath(cue.ParsePath("role")).String()
		ref := b.refName(it.Value().LookupPath(cue.ParsePath("spec")))
		s.Plugins[kind] = &PluginSchema{Kind: kind, Role: role, Spec: s.Defs[ref]}
	}
	al := v.LookupPath(cue.ParsePath("#profileTypeAliases"))
	it, _ = al.Fields()
	for it.Next() {
		k := it.Selector().Unquoted()
		id, _ := it.Value().String()
		s.Aliases[k] = id
		s.AliasOrder = append(s.AliasOrder, k)
		s.AliasDocs[k] = docOf(it.Value())
	}
	for _, r := range s.Resources {
		if r.Type == nil && !b.isPassThrough(r.Kind) {
			return nil, fmt.Errorf("embedded schema: resource %s has no definition", r.Kind)
		}
	}
	for _, p := range s.Plugins {
		if p.Spec == nil {
			return nil, fmt.Errorf("embedded schema: plugin %s has no spec definition", p.Kind)
		}
	}
	return s, nil
}

type typeBuilder struct {
	s   *Schema
	pkg cue.Value
}

func (b *typeBuilder) isPassThrough(kind string) bool {
	return b.pkg.LookupPath(cue.MakePath(cue.Def("#passThrough"), cue.Str(kind))).Exists()
}

// refName returns the definition a value refers to ("#Name"), or "".
func (b *typeBuilder) refName(v cue.Value) string {
	if _, p := v.ReferencePath(); len(p.Selectors()) == 1 && p.Selectors()[0].IsDefinition() {
		return p.Selectors()[0].String()
	}
	return ""
}

// def compiles a top-level definition, memoised so shared definitions are
// one Type (and recursion terminates).
func (b *typeBuilder) def(name string) *Type {
	if t, ok := b.s.Defs[name]; ok {
		return t
	}
	v := b.pkg.LookupPath(cue.MakePath(cue.Def(name)))
	t := &Type{Name: name}
	b.s.Defs[name] = t
	b.fill(t, v)
	t.Doc = docOf(v)
	if a := v.Attribute("msg"); a.Err() == nil {
		t.Msg, _ = a.String(0)
	}
	return t
}

// typ compiles the type of a value; references to definitions share the
// definition's Type.
func (b *typeBuilder) typ(v cue.Value) *Type {
	if ref := b.refName(v); ref != "" {
		return b.def(ref)
	}
	t := &Type{}
	b.fill(t, v)
	return t
}

func (b *typeBuilder) fill(t *Type, v cue.Value) {
	if d, ok := v.Default(); ok && d.IsConcrete() {
		t.Default = NodeFromCUE(d)
	}
	op, args := v.Expr()
	ik := v.IncompleteKind()
	if op == cue.OrOp && !allScalar(args) {
		t.Kind = UnionType
		for _, a := range args {
			t.Alts = append(t.Alts, b.typ(a))
		}
		return
	}
	switch {
	case ik == cue.StructKind:
		b.fillStruct(t, v)
	case ik == cue.ListKind:
		t.Kind = ListType
		t.Elem = b.typ(v.LookupPath(cue.MakePath(cue.AnyIndex)))
	case ik == cue.TopKind:
		t.Kind = AnyType
	default:
		t.Kind = LeafType
		t.leaf = v
		t.fast = fastLeaf(v)
		t.cache = new(sync.Map)
		t.Kinds = ik
		if v.IsConcrete() {
			t.Literal = NodeFromCUE(v)
		}
		if op == cue.OrOp {
			for _, a := range args {
				if ref := b.refName(a); ref != "" && t.Msg == "" {
					t.Msg = b.def(ref).Msg // e.g. #Duration | *"1h"
				}
			}
			for _, a := range args {
				if !a.IsConcrete() {
					t.Enum = nil
					break
				}
				t.Enum = append(t.Enum, NodeFromCUE(a).Value)
			}
		}
	}
}

func allScalar(args []cue.Value) bool {
	for _, a := range args {
		k := a.IncompleteKind()
		if k&(cue.StructKind|cue.ListKind) != 0 {
			return false
		}
	}
	return true
}

func (b *typeBuilder) fillStruct(t *Type, v cue.Value) {
	t.Kind = StructType
	t.Closed = !v.Allows(cue.Str("\x00no such field"))
	attrs := v.Attributes(cue.DeclAttr)
	if len(attrs) == 0 {
		if root, p := v.ReferencePath(); root.Exists() {
			attrs = b.pkg.LookupPath(p).Attributes(cue.DeclAttr)
		}
	}
	for _, a := range attrs {
		if a.Name() == "check" {
			t.Checks = append(t.Checks, checkOf(a))
		}
	}
	if p := v.LookupPath(cue.MakePath(cue.AnyString)); p.Exists() {
		t.Pattern = b.typ(p)
		t.Closed = false
	}
	it, _ := v.Fields(cue.Optional(true))
	for it.Next() {
		sel := it.Selector()
		fv := it.Value()
		f := &Field{Name: sel.Unquoted(), Doc: docOf(fv)}
		switch sel.ConstraintType() {
		case cue.RequiredConstraint:
			f.Required = true
		case cue.OptionalConstraint:
			f.Optional = true
		}
		f.Type = b.typ(fv)
		for _, a := range fv.Attributes(cue.FieldAttr) {
			switch a.Name() {
			case "check":
				f.Checks = append(f.Checks, checkOf(a))
			case "plugin":
				f.PluginRole, _ = a.String(0)
			case "authoring":
				f.Authoring = true
			case "msg":
				// A message on the field itself beats the definition's.
				m, _ := a.String(0)
				c := *f.Type
				c.cache = new(sync.Map)
				c.Msg = m
				f.Type = &c
			case "key":
				k, _ := a.String(0)
				c := *f.Type
				c.cache = new(sync.Map)
				c.KeyType = b.def(k)
				f.Type = &c
			}
		}
		t.Fields = append(t.Fields, f)
	}
}

func checkOf(a cue.Attribute) Check {
	c := Check{}
	for i := 0; i < a.NumArgs(); i++ {
		s, _ := a.String(i)
		s = strings.TrimSpace(s)
		if i == 0 {
			c.Rule = s
		} else {
			c.Args = append(c.Args, s)
		}
	}
	return c
}

func docOf(v cue.Value) string {
	var parts []string
	for _, c := range v.Doc() {
		parts = append(parts, strings.TrimSpace(c.Text()))
	}
	return strings.Join(parts, "\n")
}

// NodeFromCUE converts a concrete CUE value (from the schema) to a Node
// with no source text.
func NodeFromCUE(v cue.Value) *Node {
	n := &Node{off: -1}
	switch k := v.Kind(); k {
	case cue.StructKind:
		n.Kind = MapKind
		it, _ := v.Fields()
		for it.Next() {
			n.Keys = append(n.Keys, it.Selector().Unquoted())
			n.Vals = append(n.Vals, NodeFromCUE(it.Value()))
		}
	case cue.ListKind:
		n.Kind = ListKind
		n.Items = []*Node{}
		it, _ := v.List()
		for it.Next() {
			n.Items = append(n.Items, NodeFromCUE(it.Value()))
		}
	default:
		n.Kind, n.Value = ScalarFromCUE(v, k)
	}
	return n
}

// ScalarFromCUE is the Kind and Value of a Node holding concrete scalar v
// of CUE kind k (v.Kind()), as NodeFromCUE makes them, without the Node.
func ScalarFromCUE(v cue.Value, k cue.Kind) (Kind, string) {
	switch k {
	case cue.BoolKind:
		b, _ := v.Bool()
		return BoolKind, strconv.FormatBool(b)
	case cue.IntKind, cue.FloatKind, cue.NumberKind:
		b, _ := v.MarshalJSON()
		return NumberKind, string(b)
	case cue.StringKind:
		s, _ := v.String()
		return StringKind, s
	}
	return NullKind, ""
}

// CheckLeaf validates a scalar against a leaf type and returns a message
// describing the problem, or "".
func (s *Schema) CheckLeaf(t *Type, n *Node) string {
	if t.Literal != nil {
		if n.Equal(t.Literal) {
			return ""
		}
		return "must be " + t.Literal.Literal()
	}
	if t.Enum != nil {
		lit := n.Literal()
		if slices.Contains(t.Enum, n.Value) && n.Kind == StringKind || slices.Contains(t.Enum, lit) {
			return ""
		}
		return "must be one of " + strings.Join(quoteAll(t.Enum), ", ")
	}
	if t.fast != nil && t.fast(n) {
		return ""
	}
	return s.cueLeaf(t, n)
}

// cueLeaf is CheckLeaf's answer from CUE itself, cached per value.
func (s *Schema) cueLeaf(t *Type, n *Node) string {
	key := n.Kind.String() + ":" + n.Value
	if m, ok := t.cache.Load(key); ok {
		return m.(string)
	}
	s.mu.Lock()
	var data cue.Value
	switch n.Kind {
	case StringKind:
		data = s.ctx.Encode(n.Value)
	default:
		data = s.ctx.CompileString(n.Literal())
	}
	err := t.leaf.Unify(data).Validate(cue.Concrete(true))
	s.mu.Unlock()
	msg := ""
	if err != nil {
		if t.Msg != "" {
			msg = t.Msg
		} else {
			msg = cueMessage(err)
		}
	}
	t.cache.Store(key, msg)
	return msg
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// Literal returns a scalar node as it would appear in JSON.
func (n *Node) Literal() string {
	switch n.Kind {
	case StringKind:
		return fmt.Sprintf("%q", n.Value)
	case NullKind:
		return "null"
	case MapKind:
		return "a map"
	case ListKind:
		return "a list"
	}
	return n.Value
}

// cueMessage turns a CUE constraint error into a short phrase, e.g.
// "invalid value -3 (out of bound >=0)" → "out of bound >=0".
func cueMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "(out of bound "); i >= 0 {
		bound := strings.TrimSuffix(msg[i+len("(out of bound "):], ")")
		for _, b := range []struct{ op, words string }{{">=", "at least "}, {"<=", "at most "}, {">", "greater than "}, {"<", "less than "}} {
			if strings.HasPrefix(bound, b.op) {
				return "must be " + b.words + strings.TrimPrefix(bound, b.op)
			}
		}
		return "must satisfy " + bound
	}
	if i := strings.Index(msg, ": "); i >= 0 && !strings.Contains(msg[:i], " ") {
		msg = msg[i+2:]
	}
	return msg
}

// BoundMessage is the explanation of the schema definition whose
// constraint CUE prints as constraint (=~"^https?://…"), so CUE's own
// errors in CUE sources read like pyrobuild's.
func (s *Schema) BoundMessage(constraint string) (string, bool) {
	m, ok := s.boundMsgs[constraint]
	return m, ok
}

// Leaf is a LeafType's CUE constraint. Use it inside Schema.Exclusive: CUE
// values are not safe for concurrent use.
func (t *Type) Leaf() cue.Value { return t.leaf }

// Exclusive runs f while no other goroutine works on the schema's CUE
// values, which are not safe for concurrent use.
func (s *Schema) Exclusive(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// Constraint is a leaf type's CUE constraint as CUE prints it (">=0",
// "strings.MinRunes(1)"), or "" for other types.
func (t *Type) Constraint() string {
	if t.Kind != LeafType || !t.leaf.Exists() {
		return ""
	}
	s := MustSchema()
	s.mu.Lock() // CUE values are not safe for concurrent use
	defer s.mu.Unlock()
	return fmt.Sprint(t.leaf)
}
