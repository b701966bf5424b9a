package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
)

// checkDashboards runs the checks that need a whole dashboard and the
// resources around it: its own datasources (defaults, proxies), its
// layouts, variables and queries. Dashboards are checked in parallel, each
// decoded on its own when packed, and their findings gathered in order.
func checkDashboards(w *World, rep diag.Reporter) {
	proj, global := w.datasources()
	vars := w.outerVariables()
	var dashboards []*model.Resource
	for _, r := range w.Resources {
		if r.Kind == "Dashboard" {
			dashboards = append(dashboards, r)
		}
	}
	found := make([]diag.Diagnostics, len(dashboards))
	parallel.Do(len(dashboards), func(i int) {
		r, ds := dashboards[i], &found[i]
		rep := diag.NewReporter(ds)
		tree := r.Tree()
		own := dashboardDatasources(r, tree)
		checkDefaults(own, fmt.Sprintf("of dashboard %s", r.Name), rep)
		if m := tree.Get("spec").Get("datasources"); m != nil {
			checkProxies(w, r, m.Vals, rep)
		}
		before := len(*ds)
		checkDashboard(w, tree, r.Project, [][]datasourceRef{own, proj[r.Project], global}, vars, rep)
		// Values a CUE schema filled in have no position of the user's:
		// point at the dashboard instead.
		for j := before; j < len(*ds); j++ {
			if !(*ds)[j].Pos.IsValid() {
				(*ds)[j].Pos = r.Pos
			}
		}
	})
	for _, ds := range found {
		for _, d := range ds {
			rep.Add(d)
		}
	}
}

func checkDashboard(w *World, tree *model.Node, project string, scopes [][]datasourceRef, vars map[string]map[string]bool, rep diag.Reporter) {
	spec := tree.Get("spec")
	checkLayouts(spec, rep)
	defined := checkVariables(spec, vars[project], vars[""], rep)
	panels := spec.Get("panels")
	if panels == nil {
		return
	}
	for i, key := range panels.Keys {
		checkPanelQueries(w, key, panels.Vals[i], scopes, defined, rep)
	}
}

// outerVariables lists the names of project ("<project>") and global ("")
// variables among the sources.
func (w *World) outerVariables() map[string]map[string]bool {
	out := map[string]map[string]bool{"": {}}
	for _, r := range w.Resources {
		var scope string
		switch r.Kind {
		case "Variable":
			scope = r.Project
		case "GlobalVariable":
			scope = ""
		default:
			continue
		}
		if out[scope] == nil {
			out[scope] = map[string]bool{}
		}
		name := r.Name
		if n, ok := r.Node.Get("spec").Get("spec").Str("name"); ok {
			name = n
		}
		out[scope][name] = true
	}
	return out
}

type gridRect struct {
	x, y, w, h int
	pos        diag.Pos
	ref        string
}

// checkLayouts: every $ref points at a panel, every panel is placed, items
// fit the 24 columns and do not overlap.
func checkLayouts(spec *model.Node, rep diag.Reporter) {
	panels := spec.Get("panels")
	placed := map[string]bool{}
	for _, layout := range spec.Get("layouts").List() {
		items := layout.Get("spec").Get("items")
		if items == nil {
			continue
		}
		var rects []gridRect
		for _, item := range items.List() {
			ref := item.Get("content").Get("$ref")
			if ref != nil && ref.Kind == model.StringKind {
				key, ok := strings.CutPrefix(strings.TrimPrefix(ref.Value, "#"), "/spec/panels/")
				switch {
				case model.MustSchema().CheckLeaf(model.MustSchema().Defs["#Ref"], ref) != "":
					// Malformed, and reported by the schema check; it still
					// places the panel it names, so no orphan warning follows.
					placed[ref.Value[strings.LastIndex(ref.Value, "/")+1:]] = true
				case !ok || strings.Contains(key, "/"):
					rep.Errorf(model.CodeRefUnresolved, ref.Pos, "$ref %q does not point at a panel", ref.Value).
						Hint("a grid item's $ref is #/spec/panels/<key>")
				case panels.Get(key) == nil:
					rep.Errorf(model.CodeRefUnresolved, ref.Pos, "$ref %q points at no panel: there is no panel %q", ref.Value, key).
						Hint(refHint(key, panels))
				default:
					placed[key] = true
				}
			}
			x, okx := intOf(item.Get("x"))
			y, oky := intOf(item.Get("y"))
			wd, okw := intOf(item.Get("width"))
			h, okh := intOf(item.Get("height"))
			if !(okx && oky && okw && okh) {
				continue
			}
			if x+wd > 24 && x < 24 && wd <= 24 {
				rep.Errorf(model.CodeGridOverflow, model.Where(item.Get("width"), item.Pos), "grid item ends at column %d: x + width = %d + %d is more than 24", x+wd, x, wd).
					Hint(fmt.Sprintf("use width: %d, or move it to x: %d", 24-x, 24-wd))
			}
			rc := gridRect{x, y, wd, h, item.Pos, ""}
			if ref != nil {
				rc.ref = ref.Value
			}
			for _, o := range rects {
				if rc.x < o.x+o.w && o.x < rc.x+rc.w && rc.y < o.y+o.h && o.y < rc.y+rc.h {
					rep.Warnf(model.CodeGridOverlap, item.Pos, "grid item %s overlaps %s (line %d)", rc.ref, o.ref, o.pos.Line).
						Hint("the Perses UI pushes overlapping items down; give them distinct rows or columns").
						Note(o.pos, strings.TrimSpace("overlapped by grid item "+rc.ref))
					break
				}
			}
			rects = append(rects, rc)
		}
	}
	if panels == nil {
		return
	}
	keyType := model.MustSchema().Defs["#PanelKey"]
	for i, key := range panels.Keys {
		if !placed[key] && model.MustSchema().CheckLeaf(keyType, &model.Node{Kind: model.StringKind, Value: key}) == "" {
			p := panels.Vals[i]
			rep.Warnf(model.CodeOrphanPanel, model.Where(&model.Node{Pos: p.KeyPos}, p.Pos), "panel %q is in no layout, so the dashboard never shows it", key).
				Hint(fmt.Sprintf(`place it with a grid item whose content is {"$ref": "#/spec/panels/%s"}`, key))
		}
	}
}

func refHint(key string, panels *model.Node) string {
	if panels == nil {
		return ""
	}
	if h := didYouMean(key, panels.Keys); h != "" {
		return h
	}
	return "panels: " + strings.Join(panels.Keys, ", ")
}

func intOf(n *model.Node) (int, bool) {
	if n == nil || n.Kind != model.NumberKind {
		return 0, false
	}
	var i int
	_, err := fmt.Sscan(n.Value, &i)
	return i, err == nil
}

// checkVariables: names are unique, references are defined, and no
// variable depends on itself. It returns every name a query may use.
func checkVariables(spec *model.Node, project, global map[string]bool, rep diag.Reporter) map[string]bool {
	defined := map[string]bool{}
	for k := range project {
		defined[k] = true
	}
	for k := range global {
		defined[k] = true
	}
	type variable struct {
		name string
		node *model.Node
		deps []string
	}
	var vs []variable
	seen := map[string]diag.Pos{}
	vl := spec.Get("variables")
	if vl == nil {
		return defined
	}
	for _, v := range vl.List() {
		nn := v.Get("spec").Get("name")
		if nn == nil || nn.Kind != model.StringKind {
			continue
		}
		if prev, dup := seen[nn.Value]; dup {
			rep.Errorf(model.CodeDuplicateVariable, nn.Pos, "variable %q is defined twice (first at line %d)", nn.Value, prev.Line).
				Hint("variable names are unique within a dashboard").
				Note(prev, fmt.Sprintf("variable %q is first defined here", nn.Value))
			continue
		}
		seen[nn.Value] = nn.Pos
		defined[nn.Value] = true
		vs = append(vs, variable{name: nn.Value, node: v})
	}
	for i, v := range vs {
		body := v.node.Get("spec")
		var refs []*model.Node
		if p := body.Get("plugin"); p != nil {
			refs = append(refs, p.Get("spec"))
		}
		if t := body.Get("value"); t != nil {
			refs = append(refs, t)
		}
		for _, r := range refs {
			forEachVarRef(r, func(name string, at diag.Pos) {
				if !defined[name] {
					rep.Errorf(model.CodeUndefinedVariable, at, "variable %q refers to $%s, which is not defined", v.name, name).
						Hint(didYouMean(name, keys(defined)))
					return
				}
				vs[i].deps = append(vs[i].deps, name)
			})
		}
	}
	// Cycles: depth-first search over the dependency graph.
	deps := map[string][]string{}
	for _, v := range vs {
		deps[v.name] = v.deps
	}
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case 1:
			i := slices.Index(stack, n)
			cycle := append(slices.Clone(stack[i:]), n)
			rep.Report(diag.Error, model.CodeVariableCycle, seen[n], "variables depend on each other in a circle: "+strings.Join(cycle, " → ")).
				Hint("break the circle: one of them must not refer to the others")
			return true
		case 2:
			return false
		}
		state[n] = 1
		stack = append(stack, n)
		for _, d := range deps[n] {
			if visit(d) {
				state[n] = 2
				stack = stack[:len(stack)-1]
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return false
	}
	for _, v := range vs {
		visit(v.name)
	}
	return defined
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// forEachVarRef calls f for every $name or ${name} in the strings under n,
// skipping built-ins ($__from, …) and $1-style capture references.
func forEachVarRef(n *model.Node, f func(name string, at diag.Pos)) {
	if n == nil {
		return
	}
	switch n.Kind {
	case model.StringKind:
		for _, m := range varRefRe().FindAllStringSubmatchIndex(n.Value, -1) {
			s, e := m[2], m[3]
			if s < 0 {
				s, e = m[4], m[5]
			}
			name := n.Value[s:e]
			if strings.HasPrefix(name, "__") || strings.Trim(name, "0123456789") == "" {
				continue
			}
			f(name, n.PosAt(m[0]))
		}
	case model.MapKind:
		for _, v := range n.Vals {
			forEachVarRef(v, f)
		}
	case model.ListKind:
		for _, v := range n.Items {
			forEachVarRef(v, f)
		}
	}
}

// supportedQueries lists, for the panel plugins pyrobuild models, the query
// kinds they can show.
var supportedQueries = map[string][]string{"FlameChart": {"ProfileQuery"}}

// checkPanelQueries: the panel can show its queries, their variables are
// defined and their datasources resolve.
func checkPanelQueries(w *World, key string, panel *model.Node, scopes [][]datasourceRef, defined map[string]bool, rep diag.Reporter) {
	pspec := panel.Get("spec")
	pkind, _ := pspec.Get("plugin").Str("kind")
	for _, q := range pspec.Get("queries").List() {
		qk := q.Get("kind")
		if qk == nil || !slices.Contains(model.MustSchema().Defs["#QueryKind"].Enum, qk.Value) {
			continue // an unknown query kind is reported by the schema check
		}
		if allowed, ok := supportedQueries[pkind]; ok && !slices.Contains(allowed, qk.Value) {
			rep.Errorf(model.CodeQueryType, qk.Pos, "panel %q is a %s, which shows %s queries, not %s", key, pkind, strings.Join(allowed, ", "), qk.Value)
		}
		plugin := q.Get("spec").Get("plugin")
		forEachVarRef(plugin.Get("spec"), func(name string, at diag.Pos) {
			if !defined[name] {
				rep.Errorf(model.CodeUndefinedVariable, at, "query of panel %q refers to $%s, which is not defined", key, name).
					Hint(didYouMean(name, keys(defined)))
			}
		})
		w.resolveDatasource(plugin, scopes, rep)
	}
}

// datasourceKinds maps query plugins to the datasource plugin they use
// when their selector names no kind.
var datasourceKinds = map[string]string{"PyroscopeProfileQuery": "PyroscopeDatasource"}

// selectorOf reads a query plugin's datasource selector: the datasource
// plugin kind and name it asks for, and where to report. ok is false when
// there is nothing to resolve (a plugin pyrobuild does not model without a
// selector, or a datasource variable, checked as a variable).
func selectorOf(plugin *model.Node) (kind, name string, at diag.Pos, ok bool) {
	if plugin == nil {
		return "", "", diag.Pos{}, false // a query without plugin, reported as such
	}
	qkind, _ := plugin.Str("kind")
	spec := plugin.Get("spec")
	sel := spec.Get("datasource")
	kind = datasourceKinds[qkind]
	at = model.Where(spec, plugin.Pos)
	if spec != nil && spec.KeyPos.IsValid() {
		at = spec.KeyPos
	}
	switch {
	case sel == nil:
	case sel.Kind == model.StringKind:
		return "", "", at, false
	case sel.Kind == model.MapKind:
		if k, ok := sel.Str("kind"); ok {
			kind = k
		}
		name, _ = sel.Str("name")
		at = model.Where(sel, at)
		if nn := sel.Get("name"); nn != nil {
			at = model.Where(nn, at)
		}
	}
	return kind, name, at, kind != ""
}

// lookupDatasource finds what a selector names: the dashboard's datasources
// (keys case-sensitive), then the project's, then the global ones (names
// case-insensitive); without a name, the default of that kind. When it
// finds nothing it returns what came close: datasources of that name but
// another kind, and the names of those of that kind.
func lookupDatasource(kind, name string, scopes [][]datasourceRef) (found *datasourceRef, sameName []datasourceRef, ofKind []string) {
	for i, scope := range scopes {
		for j, d := range scope {
			match := d.name == name
			if i > 0 {
				match = strings.EqualFold(d.name, name)
			}
			if d.kind == kind {
				ofKind = append(ofKind, d.name)
			}
			switch {
			case name == "" && d.def && d.kind == kind, name != "" && match && d.kind == kind:
				return &scopes[i][j], nil, nil
			case name != "" && match:
				sameName = append(sameName, d)
			}
		}
	}
	return nil, sameName, ofKind
}

// resolveDatasource: a query's datasource selector names a datasource of
// the right kind in scope (see lookupDatasource).
func (w *World) resolveDatasource(plugin *model.Node, scopes [][]datasourceRef, rep diag.Reporter) {
	kind, name, at, ok := selectorOf(plugin)
	if !ok {
		return
	}
	for _, s := range w.ServerDatasources {
		if (name == "" && s == "default") || (name != "" && strings.EqualFold(s, name)) {
			return
		}
	}
	found, sameName, ofKind := lookupDatasource(kind, name, scopes)
	if found != nil {
		return
	}
	if len(sameName) > 0 {
		d := sameName[0]
		rep.Errorf(model.CodeUnresolvedDatasource, at, "datasource %q is a %s, not a %s", name, d.kind, kind).
			Hint(fmt.Sprintf("the %s datasource %q is defined at %s", d.scope, d.name, d.pos)).
			Note(d.pos, fmt.Sprintf("the %s datasource %q is defined here", d.scope, d.name))
		return
	}
	if name == "" {
		hint := fmt.Sprintf("mark one %s default: true, name one in the selector, or pass --server-datasource default if it exists on the server", kind)
		rep.Errorf(model.CodeUnresolvedDatasource, at, "no default %s for this query: none of the dashboard's, the project's or the global datasources of that kind has default: true", kind).
			Hint(hint)
		return
	}
	hint := didYouMean(name, ofKind)
	if hint == "" && len(ofKind) > 0 {
		hint = fmt.Sprintf("%s datasources in scope: %s", kind, strings.Join(ofKind, ", "))
	}
	if hint == "" {
		hint = fmt.Sprintf("define it, or pass --server-datasource %s if it exists only on the server", name)
	}
	rep.Errorf(model.CodeUnresolvedDatasource, at, "no %s named %q in the dashboard, its project or the global datasources", kind, name).
		Hint(hint)
}
