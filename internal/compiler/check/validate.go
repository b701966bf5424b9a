// Package check is the compiler's second stage: it validates each loaded
// resource against the schema model (Validate), filling in defaults and
// lowering authoring forms through the rules named by @check attributes,
// and then checks the resources together (World): datasources, secrets,
// variables, layouts.
package check

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"cuelang.org/go/cue"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// validator walks a resource against the compiled model. It reports every
// problem it finds (not only the first), fills in defaults, orders fields as
// the model declares them, and lowers authoring forms through the plugin
// hooks. The tree it returns is the wire form.
type validator struct {
	s   *model.Schema
	rep diag.Reporter
	// stack holds the maps being walked, outermost first, so rules can look
	// at their context (e.g. the query kind around a query plugin).
	stack []*model.Node
}

// PathString spells a path inside a resource as diagnostics show it:
// spec.panels.cpu, spec.queries[0].
func PathString(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if strings.HasPrefix(p, "[") {
			b.WriteString(p)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// LastName is the last field name of a path (not an index), as a message
// names the value: "maxNodes", or "value" for a path of indexes only.
func LastName(path []string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if !strings.HasPrefix(path[i], "[") {
			return path[i]
		}
	}
	return "value"
}

// walk validates n against t and returns the value to emit (n itself, with
// defaults filled and fields ordered).
func (v *validator) walk(t *model.Type, n *model.Node, path []string, at diag.Pos) *model.Node {
	at = model.Where(n, at)
	switch t.Kind {
	case model.AnyType:
		return n
	case model.UnionType:
		return v.walkUnion(t, n, path, at)
	case model.ListType:
		if n.Kind != model.ListKind {
			v.wrongType(n, "a list", path, at)
			return n
		}
		for i, e := range n.Items {
			n.Items[i] = v.walk(t.Elem, e, append(path, fmt.Sprintf("[%d]", i)), at)
		}
		return n
	case model.StructType:
		return v.walkStruct(t, n, path, at)
	default:
		if !kindAllowed(t, n) {
			v.wrongType(n, describeKinds(t), path, at)
			return n
		}
		if msg := v.s.CheckLeaf(t, n); msg != "" {
			hint := ""
			if t.Enum != nil && n.Kind == model.StringKind {
				hint = didYouMean(n.Value, t.Enum)
			}
			v.rep.Errorf(model.CodeInvalidValue, at, "invalid %s %s: %s", LastName(path), shown(n, path), msg).
				Path(PathString(path)).
				Hint(hint)
		}
		return n
	}
}

func (v *validator) wrongType(n *model.Node, want string, path []string, at diag.Pos) {
	got := n.Kind.String()
	if n.Kind == model.StringKind || n.Kind == model.NumberKind || n.Kind == model.BoolKind {
		got = fmt.Sprintf("%s %s", n.Kind, shown(n, path))
	}
	hint := ""
	switch {
	case n.Kind == model.MapKind && want == "a string" && writtenAsBrace(n):
		hint = "in YAML an unquoted {…} is a map: quote the value, e.g. '{service_name=\"api\"}'"
	case n.Kind == model.StringKind && want == "a boolean":
		hint = "write true or false"
	case n.Kind == model.StringKind && strings.Contains(want, "number") || n.Kind == model.StringKind && strings.Contains(want, "integer"):
		hint = "write the number without quotes"
	}
	v.rep.Errorf(model.CodeWrongType, at, "%s must be %s, got %s", LastName(path), want, got).
		Path(PathString(path)).
		Hint(hint)
}

func kindAllowed(t *model.Type, n *model.Node) bool {
	switch n.Kind {
	case model.StringKind:
		return t.Kinds&cueString != 0
	case model.BoolKind:
		return t.Kinds&cueBool != 0
	case model.NullKind:
		return t.Kinds&cueNull != 0
	case model.NumberKind:
		if t.Kinds&cueFloat != 0 {
			return true
		}
		return t.Kinds&cueInt != 0 && !strings.ContainsAny(n.Value, ".eE")
	}
	return false
}

func describeKinds(t *model.Type) string {
	var parts []string
	for _, k := range []struct {
		bit  cue.Kind
		name string
	}{{cueString, "a string"}, {cueInt, "an integer"}, {cueFloat, "a number"}, {cueBool, "a boolean"}, {cueNull, "null"}} {
		if t.Kinds&k.bit != 0 {
			parts = append(parts, k.name)
		}
	}
	if t.Kinds&cueInt != 0 && t.Kinds&cueFloat != 0 {
		parts = slices.DeleteFunc(parts, func(s string) bool { return s == "an integer" })
	}
	return strings.Join(parts, " or ")
}

func (v *validator) walkUnion(t *model.Type, n *model.Node, path []string, at diag.Pos) *model.Node {
	// Pick the alternative of the right shape; among structs, the one whose
	// literal kind matches.
	var same []*model.Type
	for _, a := range t.Alts {
		switch {
		case a.Kind == model.StructType && n.Kind == model.MapKind,
			a.Kind == model.ListType && n.Kind == model.ListKind,
			a.Kind == model.LeafType && kindAllowed(a, n),
			a.Kind == model.AnyType:
			same = append(same, a)
		}
	}
	if len(same) == 0 {
		var want []string
		for _, a := range t.Alts {
			switch a.Kind {
			case model.StructType:
				want = append(want, "a map")
			case model.ListType:
				want = append(want, "a list")
			case model.LeafType:
				want = append(want, describeKinds(a))
			}
		}
		if t.Msg != "" {
			v.rep.Errorf(model.CodeWrongType, at, "invalid %s: %s", LastName(path), t.Msg).
				Path(PathString(path))
			return n
		}
		v.wrongType(n, strings.Join(slices.Compact(want), " or "), path, at)
		return n
	}
	if len(same) > 1 && n.Kind == model.MapKind {
		kind, _ := n.Str("kind")
		var kinds []string
		for _, a := range same {
			f := a.Field("kind")
			if f == nil || f.Type.Literal == nil {
				continue
			}
			kinds = append(kinds, f.Type.Literal.Value)
			if f.Type.Literal.Value == kind {
				return v.walk(a, n, path, at)
			}
		}
		pos := at
		if k := n.Get("kind"); k != nil {
			pos = model.Where(k, at)
		}
		if kind == "" {
			v.rep.Errorf(model.CodeMissingField, pos, "%s needs a kind: one of %s", LastName(path), strings.Join(kinds, ", ")).
				Path(PathString(path))
		} else {
			v.rep.Errorf(model.CodeInvalidValue, pos, "unknown kind %q: expected one of %s", kind, strings.Join(kinds, ", ")).
				Path(PathString(path)).
				Hint(didYouMean(kind, kinds))
		}
		return n
	}
	if t.Msg != "" && same[0].Kind == model.LeafType {
		if msg := v.s.CheckLeaf(same[0], n); msg != "" {
			v.rep.Errorf(model.CodeInvalidValue, at, "invalid %s %s: %s", LastName(path), shown(n, path), t.Msg).
				Path(PathString(path))
			return n
		}
	}
	return v.walk(same[0], n, path, at)
}

func (v *validator) walkStruct(t *model.Type, n *model.Node, path []string, at diag.Pos) *model.Node {
	if n.Kind != model.MapKind {
		v.wrongType(n, "a map", path, at)
		return n
	}
	v.stack = append(v.stack, n)
	defer func() { v.stack = v.stack[:len(v.stack)-1] }()
	out := model.NewLike(n)
	out.Kind = model.MapKind
	// A missing field is reported where the map is introduced (its key),
	// not at its first field.
	missingAt := at
	if n.KeyPos.IsValid() {
		missingAt = n.KeyPos
	}
	// Declared fields first, in the model's order.
	for _, f := range t.Fields {
		child := n.Get(f.Name)
		fpath := append(path[:len(path):len(path)], f.Name)
		if child == nil {
			switch {
			case f.Required:
				v.rep.Errorf(model.CodeMissingField, missingAt, "missing required field %q in %s", f.Name, describePath(path)).
					Path(PathString(fpath)).
					Hint(fieldHint(f))
			case !f.Optional:
				if d := FillValue(f.Type); d != nil {
					out.Set(f.Name, d)
				} else {
					v.rep.Errorf(model.CodeMissingField, missingAt, "missing required field %q in %s", f.Name, describePath(path)).
						Path(PathString(fpath)).
						Hint(fieldHint(f))
				}
			}
			continue
		}
		val := v.walk(f.Type, child, fpath, at)
		if f.PluginRole != "" {
			val = v.plugin(f.PluginRole, val, fpath, model.Where(child, at))
		}
		for _, c := range f.Checks {
			v.runCheck(c, val, fpath, model.Where(child, at))
		}
		out.Set(f.Name, val)
	}
	// Then the rest, in source order.
	for i, k := range n.Keys {
		if t.Field(k) != nil {
			continue
		}
		child := n.Vals[i]
		fpath := append(path[:len(path):len(path)], k)
		switch {
		case t.Pattern != nil:
			if t.KeyType != nil {
				if msg := v.s.CheckLeaf(t.KeyType, &model.Node{Kind: model.StringKind, Value: k}); msg != "" {
					v.rep.Errorf(model.CodeMapKey, model.Where(&model.Node{Pos: child.KeyPos}, at), "invalid key %q in %s: %s", k, describePath(path), msg).
						Path(PathString(fpath))
				}
			}
			out.Set(k, v.walk(t.Pattern, child, fpath, at))
		case t.Closed:
			names := make([]string, 0, len(t.Fields))
			for _, f := range t.Fields {
				names = append(names, f.Name)
			}
			hint := didYouMean(k, names)
			if hint == "" {
				hint = "allowed fields: " + strings.Join(names, ", ")
			}
			pos := child.KeyPos
			if !pos.IsValid() {
				pos = model.Where(child, at)
			}
			v.rep.Errorf(model.CodeUnknownField, pos, "unknown field %q in %s", k, describePath(path)).
				Path(PathString(fpath)).
				Hint(hint)
		default:
			out.Set(k, child)
		}
	}
	for _, c := range t.Checks {
		v.runCheck(c, out, path, at)
	}
	return out
}

// FillValue is what an absent regular field becomes: its default, its only
// possible value, or (for a struct) the struct with its own regular fields
// filled. nil means the field must be given.
func FillValue(t *model.Type) *model.Node {
	switch {
	case t.Default != nil:
		return t.Default.Clone()
	case t.Literal != nil:
		return t.Literal.Clone()
	case t.Kind == model.StructType:
		out := model.New(model.MapKind, diag.Pos{})
		for _, f := range t.Fields {
			if f.Required {
				return nil
			}
			if f.Optional {
				continue
			}
			d := FillValue(f.Type)
			if d == nil {
				return nil
			}
			out.Set(f.Name, d)
		}
		return out
	}
	return nil
}

func describePath(path []string) string {
	if len(path) == 0 {
		return "the resource"
	}
	return PathString(path)
}

var docDefRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`; see #\w+| \(see #\w+\)`) })

func fieldHint(f *model.Field) string {
	if f.Doc == "" {
		return ""
	}
	doc := strings.Join(strings.Fields(f.Doc), " ")
	if i := strings.Index(doc, ". "); i > 0 {
		doc = doc[:i+1]
	}
	// "see #profileTypeAliases" is a link on the docs site; in a terminal
	// it names nothing the user wrote.
	doc = docDefRef().ReplaceAllString(doc, "")
	if !strings.HasPrefix(doc, f.Name+" ") {
		doc = f.Name + ": " + doc
	}
	return doc
}

// plugin validates a plugin's spec against the schema registered for its
// kind, checks it is used in the right place, and lowers it.
func (v *validator) plugin(role string, n *model.Node, path []string, at diag.Pos) *model.Node {
	kind, ok := n.Str("kind")
	if !ok {
		return n
	}
	if role == "Query" && len(v.stack) >= 2 {
		// The role of a query plugin is the kind of the query around it.
		role, _ = v.stack[len(v.stack)-2].Str("kind")
		if !slices.Contains(v.s.Defs["#QueryKind"].Enum, role) {
			role = "" // an unknown query kind is reported on its own
		}
	}
	p := v.s.Plugins[kind]
	kpos := model.Where(n.Get("kind"), at)
	if p == nil {
		for k := range v.s.Plugins {
			if strings.EqualFold(k, kind) {
				v.rep.Errorf(model.CodeInvalidValue, kpos, "unknown plugin kind %q", kind).
					Path(PathString(append(path, "kind"))).
					Hint(fmt.Sprintf("plugin kinds are case-sensitive: did you mean %q?", k))
				return n
			}
		}
		// Checked, or warned about, by the plugin checker (package
		// compiler/plugin), which knows the schemas loaded.
		return n
	}
	if p.Role != role && role != "" {
		v.rep.Errorf(model.CodePluginRole, kpos, "%s is a %s plugin, but it is used as a %s plugin", kind, RoleName(p.Role), RoleName(role)).
			Path(PathString(append(path, "kind"))).
			Hint(roleHint(p))
		return n
	}
	spec := n.Get("spec")
	if spec == nil {
		spec = model.NewMap(n)
	}
	spath := append(path[:len(path):len(path)], "spec")
	spec = v.walk(p.Spec, spec, spath, at)
	if h, ok := plugins[kind]; ok && spec.Kind == model.MapKind {
		h.check(v, spec, spath, at)
		spec = h.lower(v.s, spec)
	}
	n.Set("spec", spec)
	return n
}

// RoleName is how messages name a plugin role ("datasource", "Panel"
// becomes "panel"; "ProfileQuery" stays).
func RoleName(role string) string {
	switch role {
	case "Datasource", "Panel", "Variable":
		return strings.ToLower(role)
	}
	return role
}

// partOfResource explains, for a resource kind that is unknown in any
// spelling (so an error, where a known kind in another case is only a
// warning: Perses reads resource kinds case-insensitively), that it names
// a part of a resource, which Perses takes only inside one; "" when it
// does not.
func partOfResource(s *model.Schema, kind string) string {
	switch {
	case strings.EqualFold(kind, "Panel"):
		return "a panel is not a resource: it goes in a Dashboard's spec.panels, under its name"
	case strings.EqualFold(kind, "Grid"):
		return "a layout is not a resource: it goes in a Dashboard's spec.layouts"
	}
	if q := s.Defs["#QueryKind"]; q != nil {
		for _, k := range q.Enum {
			if strings.EqualFold(k, kind) {
				return fmt.Sprintf("a %s is not a resource: it goes in a panel's spec.queries", k)
			}
		}
	}
	for k, p := range s.Plugins {
		if strings.EqualFold(k, kind) {
			where := roleHint(p)
			if where == "" {
				where = "it goes in the spec.plugin of a resource"
			}
			return fmt.Sprintf("%s is a plugin, not a resource: %s", k, where)
		}
	}
	return ""
}

func roleHint(p *model.PluginSchema) string {
	switch p.Role {
	case "ProfileQuery":
		return fmt.Sprintf("put %s in a query of kind ProfileQuery", p.Kind)
	case "Panel":
		return fmt.Sprintf("%s belongs in a panel's spec.plugin", p.Kind)
	case "Datasource":
		return fmt.Sprintf("%s belongs in a datasource's spec.plugin", p.Kind)
	}
	return ""
}

// shown is how a value appears in a message.
func shown(n *model.Node, path []string) string {
	if diag.SecretField(LastName(path)) {
		return diag.Redacted
	}
	return n.Literal()
}

// writtenAsBrace reports whether n's source token starts with "{": a map
// where a string was expected, probably an unquoted ${var}.
func writtenAsBrace(n *model.Node) bool {
	src, off := n.Origin()
	return src != nil && off >= 0 && off < len(src.Data) && src.Data[off] == '{'
}

// Validate checks one resource as loaded against the schema, fills in its
// defaults and lowers its authoring forms, and returns it in wire form, or
// nil when it is too broken to identify.
func Validate(s *model.Schema, n *model.Node, diags *diag.Diagnostics) *model.Resource {
	v := &validator{s: s, rep: diag.NewReporter(diags)}
	kn := n.Get("kind")
	kind, ok := n.Str("kind")
	if !ok {
		v.rep.Errorf(model.CodeWrongType, model.Where(kn, n.Pos), "kind must be a string").
			Path(PathString([]string{"kind"}))
		return nil
	}
	rs := s.Resources[kind]
	if rs == nil {
		for k, r := range s.Resources {
			if strings.EqualFold(k, kind) {
				v.rep.Warnf(model.CodeKindSpelling, model.Where(kn, n.Pos), "kind %q is written %q by Perses", kind, k).
					Path(PathString([]string{"kind"})).
					Hint("pyrobuild writes the canonical spelling")
				rs = r
				n.Set("kind", model.NewString(k, kn))
				break
			}
		}
	}
	if rs == nil {
		var kinds []string
		for k := range s.Resources {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		hint := partOfResource(s, kind)
		if hint == "" {
			hint = didYouMean(kind, kinds)
		}
		if hint == "" {
			hint = "pyrobuild compiles Project, Datasource, GlobalDatasource, Secret, GlobalSecret and Dashboard resources"
		}
		v.rep.Errorf(model.CodeUnknownKind, model.Where(kn, n.Pos), "unknown resource kind %q", kind).
			Path(PathString([]string{"kind"})).
			Hint(hint)
		return nil
	}
	meta := n.Get("metadata")
	if rs.Global && meta != nil {
		if p := meta.Get("project"); p != nil {
			v.rep.Errorf(model.CodeScope, model.Where(&model.Node{Pos: p.KeyPos}, model.Where(p, n.Pos)), "%s is a global kind: it has no project", rs.Kind).
				Path(PathString([]string{"metadata", "project"})).
				Hint("remove metadata.project, or use the project-scoped kind")
			meta.Delete("project")
		}
	}
	var wire *model.Node
	if rs.Type != nil {
		wire = v.walk(rs.Type, n, nil, n.Pos)
	} else {
		// Pass-through kinds: the envelope is checked, the spec is kept.
		mt := s.ProjectMeta
		if rs.Global {
			mt = s.GlobalMeta
		}
		wire = model.NewMap(n)
		wire.Set("kind", n.Get("kind"))
		if meta == nil {
			v.rep.Report(diag.Error, model.CodeMissingField, n.Pos, `missing required field "metadata" in the resource`).
				Path(PathString([]string{"metadata"}))
		} else {
			wire.Set("metadata", v.walk(mt, meta, []string{"metadata"}, n.Pos))
		}
		if spec := n.Get("spec"); spec != nil {
			wire.Set("spec", spec)
		} else {
			v.rep.Report(diag.Error, model.CodeMissingField, n.Pos, `missing required field "spec" in the resource`).
				Path(PathString([]string{"spec"}))
		}
		v.rep.Infof(model.CodeUncheckedPlugin, model.Where(kn, n.Pos), "%s resources are passed through: their spec is not validated", rs.Kind).
			Path(PathString([]string{"kind"}))
	}
	md := wire.Get("metadata")
	setOfTags(md)
	name, _ := md.Str("name")
	project, _ := md.Str("project")
	if name == "" || (!rs.Global && project == "") {
		return nil // reported as a missing field
	}
	return &model.Resource{Kind: rs.Kind, Name: name, Project: project, Global: rs.Global, Node: wire, Pos: n.Pos}
}

// setOfTags writes metadata.tags sorted and each once: Perses keeps tags
// as a set and stores them so, and a resource written in another order
// would look changed to diff --url and pull against the server.
func setOfTags(md *model.Node) {
	tags := md.Get("tags")
	if tags == nil || tags.Kind != model.ListKind || len(tags.Items) < 2 {
		return
	}
	for _, t := range tags.Items {
		if t.Kind != model.StringKind {
			return // reported by the walk
		}
	}
	slices.SortStableFunc(tags.Items, func(a, b *model.Node) int { return strings.Compare(a.Value, b.Value) })
	tags.Items = slices.CompactFunc(tags.Items, func(a, b *model.Node) bool { return a.Value == b.Value })
}
