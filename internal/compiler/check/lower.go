package check

import (
	"fmt"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/selector"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// lowering turns a plugin spec's authoring form into the wire form a real
// Perses accepts. It runs after the spec has been validated.
type lowering func(v *validator, spec *model.Node, path []string, at diag.Pos) *model.Node

var lowerings = map[string]lowering{
	"PyroscopeProfileQuery": lowerProfileQuery,
}

// lowerProfileQuery resolves short profile type names and splits the query
// label selector into service and filters (see the authoring model).
func lowerProfileQuery(v *validator, spec *model.Node, path []string, at diag.Pos) *model.Node {
	t := v.s.Plugins["PyroscopeProfileQuery"].Spec
	pt := spec.Get("profileType")
	profileType := ""
	if pt != nil && pt.Kind == model.StringKind {
		profileType = pt.Value
		if id, ok := v.s.Aliases[pt.Value]; ok {
			profileType = id
			spec.Set("profileType", model.NewString(id, pt))
		}
	}
	q := spec.Get("query")
	if q == nil {
		if spec.Get("service") == nil {
			v.rep.Warnf(model.CodeNoService, at, "profile query has no service: the Perses UI does not run a query without one").
				Path(pathString(path)).
				Hint(`add service: "<service_name>" (or service_name="…" in query)`)
		}
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
	qpath := append(path[:len(path):len(path)], "query")
	if sel.Metric != "" && profileType != "" && sel.Metric != profileType {
		v.rep.Errorf(model.CodeQueryConflict, q.PosAt(sel.MetricOff), "query selects profile type %q but profileType is %q", sel.Metric, profileType).
			Path(pathString(qpath)).
			Hint("drop the prefix from query; profileType says which profile to show")
	}
	var service *model.Node
	serviceWarned := false
	filters := model.New(model.ListKind, q.Pos)
	filters.Items = []*model.Node{}
	for _, m := range sel.Matchers {
		at := q.PosAt(m.NameOff)
		switch {
		case m.Name == selector.MetricNameLabel:
			if profileType != "" && m.Value != profileType {
				v.rep.Errorf(model.CodeQueryConflict, at, "query selects %s=%q but profileType is %q", m.Name, m.Value, profileType).
					Path(pathString(qpath)).
					Hint("remove the __name__ matcher; profileType says which profile to show")
			}
			continue
		case m.Name == "service_name" && m.Op == selector.OpEqual:
			if service != nil {
				v.rep.Errorf(model.CodeServiceMatcher, at, "query has more than one service_name=… matcher; a profile query shows one service").
					Path(pathString(qpath)).
					Hint("use one service_name matcher per query")
				continue
			}
			// Inside the quotes for mapping offsets; the error about the
			// value as a whole points at its opening quote.
			service = q.Sub(m.Value, m.ValueOff+1)
			service.Pos = q.PosAt(m.ValueOff)
			if strings.ContainsAny(m.Value, "\"\\\n") {
				v.rep.Errorf(model.CodeUICannotCarry, service.Pos, "service %q contains a quote, backslash or newline: the Perses UI does not escape it when it builds the query", m.Value).
					Path(pathString(qpath))
			}
			continue
		case m.Name == "service_name":
			serviceWarned = true
			v.rep.Warnf(model.CodeServiceMatcher, at, "service_name%s%q becomes a filter: the Perses UI needs service_name=\"…\" to run the query", m.Op, m.Value).
				Path(pathString(qpath)).
				Hint("select one service with service_name=\"…\"")
		}
		f := model.New(model.MapKind, at)
		name := q.Sub(m.Name, m.NameOff)
		val := q.Sub(m.Value, m.ValueOff+1)
		val.Pos = q.PosAt(m.ValueOff)
		f.Set("labelName", name)
		f.Set("operator", model.NewString(string(m.Op), q))
		f.Set("labelValue", val)
		checkLabelFilter(v, model.Check{}, f, append(qpath[:len(qpath):len(qpath)], fmt.Sprintf("[%d]", len(filters.Items))), at)
		filters.Items = append(filters.Items, f)
	}
	if service == nil && !serviceWarned {
		v.rep.Report(diag.Warning, model.CodeNoService, q.Pos, "query has no service_name=\"…\" matcher: the Perses UI does not run a query without a service").
			Path(pathString(qpath)).
			Hint(`add service_name="<service>" to the selector`)
	}
	// Wire fields given beside the query must agree with it.
	if old := spec.Get("service"); old != nil && (service == nil || !old.Equal(service)) {
		v.rep.Errorf(model.CodeQueryConflict, model.Where(old, at), "service disagrees with the service_name in query").
			Path(pathString(append(path, "service"))).
			Hint("give either query or service/filters, not both")
	}
	if old := spec.Get("filters"); old != nil && !old.Equal(filters) {
		v.rep.Errorf(model.CodeQueryConflict, model.Where(old, at), "filters disagree with the matchers in query").
			Path(pathString(append(path, "filters"))).
			Hint("give either query or service/filters, not both")
	}
	if service != nil {
		spec.Set("service", service)
	}
	if len(filters.Items) > 0 {
		spec.Set("filters", filters)
	}
	return orderLike(t, spec)
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
