package check

import (
	"fmt"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/compiler/selector"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// matcherRole is what a matcher of a profile query's selector becomes in
// the wire form.
type matcherRole int

const (
	asFilter       matcherRole = iota // one of filters
	asProfileType                     // __name__: the profile type, dropped
	asService                         // the first service_name="…": service
	asExtraService                    // a further service_name="…": dropped
)

// querySplit is a profile query's selector as the wire form's fields.
type querySplit struct {
	service *model.Node   // from the first service_name="…", or nil
	filters *model.Node   // list of {labelName, operator, labelValue}
	roles   []matcherRole // by matcher
}

// splitQuery maps the selector sel, parsed from the string node q, to
// service and filters whose values point inside q's literal.
func splitQuery(q *model.Node, sel *selector.Selector) querySplit {
	split := querySplit{filters: model.New(model.ListKind, q.Pos), roles: make([]matcherRole, len(sel.Matchers))}
	split.filters.Items = []*model.Node{}
	for i, m := range sel.Matchers {
		switch {
		case m.Name == selector.MetricNameLabel:
			split.roles[i] = asProfileType
			continue
		case m.Name == "service_name" && m.Op == selector.OpEqual:
			if split.service != nil {
				split.roles[i] = asExtraService
				continue
			}
			split.roles[i] = asService
			// Inside the quotes for mapping offsets; the error about the
			// value as a whole points at its opening quote.
			split.service = q.Sub(m.Value, m.ValueOff+1)
			split.service.Pos = q.PosAt(m.ValueOff)
			continue
		}
		f := model.New(model.MapKind, q.PosAt(m.NameOff))
		val := q.Sub(m.Value, m.ValueOff+1)
		val.Pos = q.PosAt(m.ValueOff)
		f.Set("labelName", q.Sub(m.Name, m.NameOff))
		f.Set("operator", model.NewString(string(m.Op), q))
		f.Set("labelValue", val)
		split.filters.Items = append(split.filters.Items, f)
	}
	return split
}

// checkProfileQuery reports what lowering a profile query would get wrong
// or lose: a query without a service, a selector that disagrees with
// profileType or with the wire fields given beside it, matchers the Perses
// UI cannot carry.
func checkProfileQuery(v *validator, spec *model.Node, path []string, at diag.Pos) {
	profileType := ""
	if pt := spec.Get("profileType"); pt != nil && pt.Kind == model.StringKind {
		profileType = pt.Value
		if id, ok := v.s.Aliases[pt.Value]; ok {
			profileType = id
		}
	}
	q := spec.Get("query")
	if q == nil {
		if spec.Get("service") == nil {
			v.rep.Warnf(model.CodeNoService, at, "profile query has no service: the Perses UI does not run a query without one").
				Path(PathString(path)).
				Hint(`add service: "<service_name>" (or service_name="…" in query)`)
		}
		return
	}
	if q.Kind != model.StringKind {
		return
	}
	sel, err := selector.Parse(q.Value)
	if err != nil {
		return // reported by the selector check
	}
	qpath := append(path[:len(path):len(path)], "query")
	if sel.Metric != "" && profileType != "" && sel.Metric != profileType {
		v.rep.Errorf(model.CodeQueryConflict, q.PosAt(sel.MetricOff), "query selects profile type %q but profileType is %q", sel.Metric, profileType).
			Path(PathString(qpath)).
			Hint("drop the prefix from query; profileType says which profile to show")
	}
	split := splitQuery(q, sel)
	checkMatchers(v, q, sel, split, qpath, profileType)
	// Wire fields given beside the query must agree with it.
	if old := spec.Get("service"); old != nil && (split.service == nil || !old.Equal(split.service)) {
		v.rep.Errorf(model.CodeQueryConflict, model.Where(old, at), "service disagrees with the service_name in query").
			Path(PathString(append(path, "service"))).
			Hint("give either query or service/filters, not both")
	}
	if old := spec.Get("filters"); old != nil && !old.Equal(split.filters) {
		v.rep.Errorf(model.CodeQueryConflict, model.Where(old, at), "filters disagree with the matchers in query").
			Path(PathString(append(path, "filters"))).
			Hint("give either query or service/filters, not both")
	}
}

// checkMatchers reports, matcher by matcher, what the selector's matchers
// become that the user may not expect, and checks the filters they make.
func checkMatchers(v *validator, q *model.Node, sel *selector.Selector, split querySplit, qpath []string, profileType string) {
	serviceWarned := false
	filter := 0
	for i, m := range sel.Matchers {
		at := q.PosAt(m.NameOff)
		switch split.roles[i] {
		case asProfileType:
			if profileType != "" && m.Value != profileType {
				v.rep.Errorf(model.CodeQueryConflict, at, "query selects %s=%q but profileType is %q", m.Name, m.Value, profileType).
					Path(PathString(qpath)).
					Hint("remove the __name__ matcher; profileType says which profile to show")
			}
			continue
		case asExtraService:
			v.rep.Errorf(model.CodeServiceMatcher, at, "query has more than one service_name=… matcher; a profile query shows one service").
				Path(PathString(qpath)).
				Hint("use one service_name matcher per query")
			continue
		case asService:
			if strings.ContainsAny(m.Value, "\"\\\n") {
				v.rep.Errorf(model.CodeUICannotCarry, split.service.Pos, "service %q contains a quote, backslash or newline: the Perses UI does not escape it when it builds the query", m.Value).
					Path(PathString(qpath))
			}
			continue
		}
		if m.Name == "service_name" {
			serviceWarned = true
			v.rep.Warnf(model.CodeServiceMatcher, at, "service_name%s%q becomes a filter: the Perses UI needs service_name=\"…\" to run the query", m.Op, m.Value).
				Path(PathString(qpath)).
				Hint("select one service with service_name=\"…\"")
		}
		f := split.filters.Items[filter]
		checkLabelFilter(v, model.Check{}, f, append(qpath[:len(qpath):len(qpath)], fmt.Sprintf("[%d]", filter)), at)
		filter++
	}
	if split.service == nil && !serviceWarned {
		v.rep.Report(diag.Warning, model.CodeNoService, q.Pos, "query has no service_name=\"…\" matcher: the Perses UI does not run a query without a service").
			Path(PathString(qpath)).
			Hint(`add service_name="<service>" to the selector`)
	}
}
