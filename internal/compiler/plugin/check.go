package plugin

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/check"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// LoadHint says how to load plugin schemas; messages about plugins
// pyrobuild cannot check end with it.
const LoadHint = "load the schemas of the plugins your Perses server runs with --plugins PATH " +
	"(or plugins: in pyrobuild.yaml): PATH is a folder of plugin archives, such as a copy of the " +
	"Perses container's /etc/perses/plugins-archive or archives from the perses/plugins releases"

// Checker checks the plugin objects of compiled resources: against the
// loaded schemas when there are some, else it warns about the plugins
// pyrobuild's own schema does not model.
type Checker struct {
	// Set holds the loaded schemas; nil when none were loaded.
	Set *Set
	// Own maps the plugin kinds pyrobuild's own schema models to their
	// role (the compiler has already validated and lowered them).
	Own map[string]string

	prior diag.Diagnostics
}

// reported reports whether the compiler's own checks found an error inside
// the plugin object at path, in the file of pos.
func (c *Checker) reported(path string, pos diag.Pos) bool {
	for _, d := range c.prior {
		if d.Severity == diag.Error && d.Pos.File == pos.File && (d.Path == path || strings.HasPrefix(d.Path, path+".")) {
			return true
		}
	}
	return false
}

// Resource checks every plugin object of r, in wire form (lowered). prior
// are the problems already reported on r's unit: a plugin pyrobuild
// models that its own checks found wrong is not checked again against a
// loaded schema, which would say the same thing twice.
func (c *Checker) Resource(r *model.Resource, rep diag.Reporter, prior diag.Diagnostics) {
	c = &Checker{Set: c.Set, Own: c.Own, prior: prior} // workers share c
	n := r.Node
	if n == nil {
		return
	}
	spec := n.Get("spec")
	if spec == nil {
		return
	}
	if !c.typesLoaded(r, rep) {
		return
	}
	switch r.Kind {
	case "Datasource", "GlobalDatasource":
		c.object(spec.Get("plugin"), "Datasource", []string{"spec", "plugin"}, rep)
	case "Dashboard":
		c.dashboard(spec, rep)
	case "Variable", "GlobalVariable":
		if k, _ := spec.Str("kind"); k == "ListVariable" {
			if inner := spec.Get("spec"); inner != nil {
				c.object(inner.Get("plugin"), "Variable", []string{"spec", "spec", "plugin"}, rep)
			}
		}
	}
}

// typesLoaded reports whether the loaded plugins have the schema types the
// Perses server needs to accept r at all: it refuses every datasource
// when no datasource plugin is loaded, and every dashboard when no panel
// or no variable plugin is (even a dashboard without variables).
func (c *Checker) typesLoaded(r *model.Resource, rep diag.Reporter) bool {
	if c.Set == nil {
		return true
	}
	var need []string
	switch r.Kind {
	case "Datasource", "GlobalDatasource":
		need = []string{"Datasource"}
	case "Dashboard":
		need = []string{"Panel", "Variable"}
	}
	for _, t := range need {
		if c.Set.hasType(t) {
			continue
		}
		rep.Errorf(model.CodeNoPluginSchema, model.Where(r.Node.Get("kind"), r.Pos), "the loaded plugins define no %s plugin: the Perses server refuses every %s then (%s schemas are not loaded)", check.RoleName(t), r.Kind, strings.ToLower(t)).
			Path("kind").
			Hint(typesHint(t))
		return false
	}
	return true
}

func (c *Checker) dashboard(spec *model.Node, rep diag.Reporter) {
	if panels := spec.Get("panels"); panels != nil && panels.Kind == model.MapKind {
		for i, name := range panels.Keys {
			ps := panels.Vals[i].Get("spec")
			if ps == nil {
				continue
			}
			path := []string{"spec", "panels", name, "spec"}
			c.object(ps.Get("plugin"), "Panel", append(path, "plugin"), rep)
			qs := ps.Get("queries")
			if qs == nil || qs.Kind != model.ListKind {
				continue
			}
			for j, q := range qs.Items {
				role, _ := q.Str("kind")
				if qspec := q.Get("spec"); qspec != nil {
					c.object(qspec.Get("plugin"), role, append(path[:4:4], "queries", fmt.Sprintf("[%d]", j), "spec", "plugin"), rep)
				}
			}
		}
	}
	if vars := spec.Get("variables"); vars != nil && vars.Kind == model.ListKind {
		for i, v := range vars.Items {
			if k, _ := v.Str("kind"); k == "ListVariable" {
				if vs := v.Get("spec"); vs != nil {
					c.object(vs.Get("plugin"), "Variable", []string{"spec", "variables", fmt.Sprintf("[%d]", i), "spec", "plugin"}, rep)
				}
			}
		}
	}
}

// ownSpelling returns the kind pyrobuild models that kind misspells only
// by case (the compiler has reported it), or "".
func (c *Checker) ownSpelling(kind string) string {
	for k := range c.Own {
		if k != kind && strings.EqualFold(k, kind) {
			return k
		}
	}
	return ""
}

func (c *Checker) ownKinds() []string {
	out := make([]string, 0, len(c.Own))
	for k := range c.Own {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// object checks one plugin object used as role at path.
func (c *Checker) object(obj *model.Node, role string, path []string, rep diag.Reporter) {
	if obj == nil || obj.Kind != model.MapKind {
		return
	}
	kind, ok := obj.Str("kind")
	if !ok || c.ownSpelling(kind) != "" {
		return
	}
	kpath := check.PathString(append(path, "kind"))
	kpos := model.Where(obj.Get("kind"), obj.Pos)
	_, own := c.Own[kind]
	if c.Set == nil {
		if !own {
			hint := LoadHint
			if k := check.Closest(kind, c.ownKinds()); k != "" {
				hint = fmt.Sprintf("did you mean %q? Otherwise, %s", k, LoadHint)
			}
			rep.Warnf(model.CodeUncheckedPlugin, kpos, "plugin %q is not one pyrobuild models: its spec is not checked", kind).
				Path(kpath).
				Hint(hint)
		}
		return
	}
	if own && c.reported(check.PathString(path), kpos) {
		return
	}
	sc := c.Set.Lookup(kind)
	if sc == nil {
		hint := check.DidYouMean(kind, c.Set.Kinds())
		if hint == "" {
			hint = fmt.Sprintf("the Perses server rejects a plugin it has no schema for; the plugins loaded (%s) define %s",
				strings.Join(c.Set.Modules, ", "), strings.Join(c.Set.Kinds(), ", "))
		}
		rep.Errorf(model.CodeNoPluginSchema, kpos, "no schema for plugin %q among the loaded plugins", kind).
			Path(kpath).
			Hint(hint)
		return
	}
	if role != "" && sc.Type != role {
		if !own { // the compiler reports the roles of the plugins it models
			rep.Errorf(model.CodePluginRole, kpos, "%s is a %s plugin, but it is used as a %s plugin", kind, check.RoleName(sc.Type), check.RoleName(role)).
				Path(kpath).
				Hint(placeHint(sc))
		}
		return
	}
	for _, p := range c.Set.Validate(sc, obj) {
		report(rep, sc, obj, p, path)
	}
}

// placeHint says where a plugin of sc's type belongs.
func placeHint(sc *Schema) string {
	switch sc.Type {
	case "Datasource":
		return sc.Kind + " belongs in a datasource's spec.plugin"
	case "Panel":
		return sc.Kind + " belongs in a panel's spec.plugin"
	case "Variable":
		return sc.Kind + " belongs in a ListVariable's spec.plugin"
	}
	return fmt.Sprintf("put %s in a query of kind %s", sc.Kind, sc.Type)
}

// report turns a problem into a diagnostic at the user's value.
func report(rep diag.Reporter, sc *Schema, obj *model.Node, p Problem, prefix []string) {
	full := append(prefix[:len(prefix):len(prefix)], cuePath(obj, p.Path)...)
	at, node := position(obj, p.Path, p.Kind == NotAllowed)
	name := check.LastName(full)
	from := fmt.Sprintf("the schema of %s (plugin module %s)", sc.Kind, sc.Module)
	switch p.Kind {
	case NotAllowed:
		hint := check.DidYouMean(name, p.Fields)
		if hint == "" && len(p.Fields) > 0 {
			hint = fmt.Sprintf("%s allows %s", from, strings.Join(p.Fields, ", "))
		}
		rep.Errorf(model.CodeUnknownField, at, "unknown field %q: %s does not allow it", name, from).
			Path(check.PathString(full)).
			Hint(hint)
	case Missing:
		rep.Errorf(model.CodeMissingField, at, "missing required field %q in %s", name, check.PathString(full[:len(full)-1])).
			Path(check.PathString(full)).
			Hint("required by " + from)
	case WrongType:
		want, hint := wantType(p.Message, node), "required by "+from
		if node != nil && node.Kind == model.StringKind && (want == "number" || want == "int" || want == "float") {
			hint = "write the number without quotes"
		}
		if want == "" {
			rep.Errorf(model.CodeWrongType, at, "%s %s has the wrong type: %s", name, shown(node, name), p.Message).
				Path(check.PathString(full)).
				Hint(hint)
			return
		}
		got := "a " + node.Kind.String()
		if node != nil && node.Kind != model.MapKind && node.Kind != model.ListKind {
			got = node.Kind.String() + " " + shown(node, name)
		}
		rep.Errorf(model.CodeWrongType, at, "%s must be %s, got %s", name, article(want), got).
			Path(check.PathString(full)).
			Hint(hint)
	default:
		msg := p.Message
		if alts := alternatives(msg, node); alts != nil {
			msg = "must be one of " + strings.Join(alts, ", ")
		}
		rep.Errorf(model.CodeInvalidValue, at, "invalid %s %s: %s", name, shown(node, name), msg).
			Path(check.PathString(full)).
			Hint("checked against " + from)
	}
}

// position is where a problem at path is shown: the key of the field
// when there is one (a field not allowed, a value), else the nearest
// enclosing value the user wrote (lowered values have no position).
func position(obj *model.Node, path []string, atKey bool) (diag.Pos, *model.Node) {
	at := obj.Pos
	if k := obj.Get("kind"); k != nil && k.Pos.IsValid() {
		at = k.Pos
	}
	n := obj
	for _, p := range path {
		next := Lookup(n, []string{p})
		if next == nil {
			if n.KeyPos.IsValid() {
				at = n.KeyPos
			}
			return at, nil
		}
		n = next
		if n.Pos.IsValid() {
			at = n.Pos
		}
	}
	if n.KeyPos.IsValid() && (atKey || n.Kind == model.MapKind || n.Kind == model.ListKind) {
		at = n.KeyPos
	}
	return at, n
}

// cuePath spells CUE's path of a value as the compiler's paths: list
// indices in brackets.
func cuePath(obj *model.Node, path []string) []string {
	out := make([]string, 0, len(path))
	n := obj
	for _, p := range path {
		if n != nil && n.Kind == model.ListKind {
			if _, err := strconv.Atoi(p); err == nil {
				out = append(out, "["+p+"]")
				n = Lookup(n, []string{p})
				continue
			}
		}
		out = append(out, p)
		n = Lookup(n, []string{p})
	}
	return out
}

// shown is how a value appears in a message.
func shown(n *model.Node, name string) string {
	if n == nil {
		return ""
	}
	if diag.SecretField(name) {
		return diag.Redacted
	}
	return n.Literal()
}

var (
	mismatched  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`mismatched types (\w+) and (\w+)`) })
	conflicting = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^conflicting values (.+) and (.+)$`) })
)

// wantType is the type the schema wants, from CUE's "mismatched types"
// message: the one that is not the user's value's.
func wantType(msg string, n *model.Node) string {
	m := mismatched().FindStringSubmatch(msg)
	if m == nil || n == nil {
		return ""
	}
	got := map[model.Kind]string{model.StringKind: "string", model.BoolKind: "bool", model.MapKind: "struct", model.ListKind: "list", model.NullKind: "null"}[n.Kind]
	for _, t := range m[1:] {
		if t != got && !(n.Kind == model.NumberKind && (t == "int" || t == "float" || t == "number")) {
			if t == "struct" {
				return "map"
			}
			return t
		}
	}
	return ""
}

// article is a type name as messages read it: "a string", "an int".
func article(t string) string {
	if strings.ContainsRune("aeiou", rune(t[0])) {
		return "an " + t
	}
	return "a " + t
}

// alternatives reads the values an enumeration allows from CUE's messages
// for each of its branches ("conflicting values "bottom" and "left"; …"),
// or nil when the message is not only that.
func alternatives(msg string, n *model.Node) []string {
	if n == nil {
		return nil
	}
	var out []string
	for _, part := range strings.Split(msg, "; ") {
		m := conflicting().FindStringSubmatch(part)
		if m == nil {
			return nil
		}
		switch n.Literal() {
		case m[2]:
			out = append(out, m[1])
		case m[1]:
			out = append(out, m[2])
		default:
			return nil
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

func typesHint(t string) string {
	h := fmt.Sprintf("add the plugin modules your Perses server runs to --plugins, with at least one %s plugin", check.RoleName(t))
	if t == "Variable" {
		h += " (Perses ships StaticListVariable)"
	}
	return h
}
