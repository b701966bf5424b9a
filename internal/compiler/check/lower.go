package check

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/selector"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// pluginHooks are the Go code of a plugin whose spec has an authoring form:
// check reports what the schema cannot say about the spec, and lower then
// turns it into the wire form a real Perses accepts, without reporting.
// Both run after the spec has been validated against the schema.
type pluginHooks struct {
	check func(v *validator, spec *model.Node, path []string, at diag.Pos)
	lower func(s *model.Schema, spec *model.Node) *model.Node
}

var plugins = map[string]pluginHooks{
	"PyroscopeProfileQuery": {checkProfileQuery, lowerProfileQuery},
}

// lowerProfileQuery resolves short profile type names and splits the query
// label selector into service and filters (see the authoring model).
func lowerProfileQuery(s *model.Schema, spec *model.Node) *model.Node {
	if pt := spec.Get("profileType"); pt != nil && pt.Kind == model.StringKind {
		if id, ok := s.Aliases[pt.Value]; ok {
			spec.Set("profileType", model.NewString(id, pt))
		}
	}
	q := spec.Get("query")
	if q == nil {
		return spec
	}
	spec.Delete("query")
	if q.Kind != model.StringKind {
		return spec
	}
	sel, err := selector.Parse(q.Value)
	if err != nil {
		return spec // reported by the selector check
	}
	split := splitQuery(q, sel)
	if split.service != nil {
		spec.Set("service", split.service)
	}
	if len(split.filters.Items) > 0 {
		spec.Set("filters", split.filters)
	}
	return orderLike(s.Plugins["PyroscopeProfileQuery"].Spec, spec)
}

// orderLike orders a map's keys as the struct type declares them, keeping
// undeclared keys after, in their order.
func orderLike(t *model.Type, n *model.Node) *model.Node {
	out := model.NewLike(n)
	out.Kind = model.MapKind
	for _, f := range t.Fields {
		if c := n.Get(f.Name); c != nil {
			out.Set(f.Name, c)
		}
	}
	for i, k := range n.Keys {
		if t.Field(k) == nil {
			out.Set(k, n.Vals[i])
		}
	}
	return out
}
