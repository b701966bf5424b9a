package dac

// GridColumns is the width of a Perses grid: items span 1 to 24 columns.
const GridColumns = 24

// dashboard tracks what a Dashboard's options add, so panels placed
// several times are defined once.
type dashboard struct {
	panels      *object
	layouts     *value
	panelByKey  map[string]*Panel
	datasources map[string]pos
}

// Dashboard builds a dashboard of a project. Panels are added by placing
// them with Row, Place or Grid; each panel is defined once, under its key,
// however often it is placed.
func Dashboard(project, name string, opts ...DashboardOption) *Resource {
	at := caller()
	r, t := newResource("Dashboard", project, name, at)
	t.dash = &dashboard{
		panels:      t.spec.sub("panels", at),
		layouts:     t.spec.list("layouts", at),
		panelByKey:  map[string]*Panel{},
		datasources: map[string]pos{},
	}
	for _, o := range opts {
		o.applyDashboard(t)
	}
	return r
}

// Duration sets the time range the dashboard shows by default, as a Perses
// duration such as "1h", "30m" or "1d12h" (the default is 1h).
func Duration(d string) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) { t.spec.set("duration", strVal(d, at)) })
}

// Refresh re-runs the dashboard's queries every interval, a Perses duration
// such as "30s" or "1m".
func Refresh(interval string) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) { t.spec.set("refreshInterval", strVal(interval, at)) })
}

// DashboardDatasource defines a Pyroscope datasource inside the dashboard,
// under key. Queries select it by that key before the project's and the
// global datasources.
func DashboardDatasource(key string, opts ...DatasourceOption) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) {
		if prev, dup := t.dash.datasources[key]; dup {
			t.fail(at, "DashboardDatasource: key %q is already used (at %s)", key, prev)
			return
		}
		t.dash.datasources[key] = at
		spec := t.spec.sub("datasources", at).sub(key, at)
		dt := &target{what: "dashboard datasource", spec: spec, errs: t.errs}
		dt.plugin = spec.plugin("plugin", PyroscopeDatasourceKind, at)
		for _, o := range opts {
			o.applyDatasource(dt)
		}
	})
}

// TextVariable adds a free-text variable, used in queries as $name, with
// an initial value.
func TextVariable(name, value string, opts ...VariableOption) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) {
		spec := addVariable(t, "TextVariable", name, at)
		spec.set("value", strVal(value, at))
		applyVariable(t, spec, opts)
	})
}

// ListVariable adds a variable whose value is picked from a fixed list
// (the StaticListVariable plugin), used in queries as $name.
func ListVariable(name string, values []string, opts ...VariableOption) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) {
		spec := addVariable(t, "ListVariable", name, at)
		vs := listVal(at)
		for _, v := range values {
			vs.items = append(vs.items, strVal(v, at))
		}
		spec.plugin("plugin", "StaticListVariable", at).set("values", vs)
		applyVariable(t, spec, opts)
	})
}

func addVariable(t *target, kind, name string, at pos) *object {
	v := objVal(at)
	v.obj.set("kind", strVal(kind, at))
	spec := v.obj.sub("spec", at)
	spec.set("name", strVal(name, at))
	l := t.spec.list("variables", at)
	l.items = append(l.items, v)
	return spec
}

func applyVariable(t *target, spec *object, opts []VariableOption) {
	vt := &target{what: "variable", spec: spec, errs: t.errs}
	for _, o := range opts {
		o.applyVariable(vt)
	}
}

// Hidden hides the variable from the dashboard's variable bar.
func Hidden() VariableOption {
	at := caller()
	return variableFunc(func(t *target) { t.spec.sub("display", at).set("hidden", boolVal(true, at)) })
}

// Constant makes a text variable read-only.
func Constant() VariableOption {
	at := caller()
	return variableFunc(func(t *target) { t.spec.set("constant", boolVal(true, at)) })
}

// AllowMultiple lets a list variable hold several values at once.
func AllowMultiple() VariableOption {
	at := caller()
	return variableFunc(func(t *target) { t.spec.set("allowMultiple", boolVal(true, at)) })
}

// AllowAll adds an "All" choice to a list variable.
func AllowAll() VariableOption {
	at := caller()
	return variableFunc(func(t *target) { t.spec.set("allowAllValue", boolVal(true, at)) })
}

// DefaultValue sets a list variable's initial value; several values need
// AllowMultiple.
func DefaultValue(values ...string) VariableOption {
	at := caller()
	return variableFunc(func(t *target) {
		if len(values) == 1 {
			t.spec.set("defaultValue", strVal(values[0], at))
			return
		}
		l := listVal(at)
		for _, v := range values {
			l.items = append(l.items, strVal(v, at))
		}
		t.spec.set("defaultValue", l)
	})
}

// grid is one grid layout being filled.
type grid struct {
	spec   *object
	items  *value
	bottom int // the first row below everything placed so far
}

// Grid adds a grid layout: the rows and placements given, and a Title to
// make it a collapsible section. Row and Place used directly as dashboard
// options make a grid of their own each.
func Grid(opts ...GridOption) DashboardOption {
	at := caller()
	return dashboardFunc(func(t *target) {
		g := newGrid(t, at)
		gt := *t
		gt.spec, gt.grid = g.spec, g
		for _, o := range opts {
			o.applyGrid(&gt)
		}
	})
}

func newGrid(t *target, at pos) *grid {
	l := objVal(at)
	l.obj.set("kind", strVal("Grid", at))
	spec := l.obj.sub("spec", at)
	t.dash.layouts.items = append(t.dash.layouts.items, l)
	return &grid{spec: spec, items: spec.list("items", at)}
}

// Title makes a grid a titled section, shown as a row header.
func Title(title string) GridOption {
	at := caller()
	return gridFunc(func(t *target) { t.spec.sub("display", at).set("title", strVal(title, at)) })
}

// Collapsible lets the section be folded, open or closed at first. The
// grid needs a Title.
func Collapsible(open bool) GridOption {
	at := caller()
	return gridFunc(func(t *target) {
		t.spec.sub("display", at).sub("collapse", at).set("open", boolVal(open, at))
	})
}

// Placement puts panels on a grid. As a DashboardOption it adds a grid of
// its own; as a GridOption it goes below what the grid already holds.
type Placement struct {
	at    pos
	place func(t *target, g *grid)
}

func (p Placement) applyGrid(t *target) { p.place(t, t.grid) }
func (p Placement) applyDashboard(t *target) {
	g := newGrid(t, p.at)
	gt := *t
	gt.spec, gt.grid = g.spec, g
	p.place(&gt, g)
}

// Row lays panels out left to right, perRow to a row of the 24-column
// grid (each GridColumns/perRow wide), height rows of 30 px high, wrapping
// onto further rows as needed.
func Row(perRow, height int, panels ...*Panel) Placement {
	at := caller()
	return Placement{at: at, place: func(t *target, g *grid) {
		if perRow < 1 || perRow > GridColumns {
			t.fail(at, "Row: perRow is %d; a row holds 1 to %d panels", perRow, GridColumns)
			return
		}
		w := GridColumns / perRow
		top := g.bottom
		for i, p := range panels {
			y := top + i/perRow*height
			placeAt(t, g, p, at, i%perRow*w, y, w, height)
		}
	}}
}

// Place puts one panel at column x (0 to 23) and row y of the grid,
// width columns wide and height rows high.
func Place(panel *Panel, x, y, width, height int) Placement {
	at := caller()
	return Placement{at: at, place: func(t *target, g *grid) {
		placeAt(t, g, panel, at, x, y, width, height)
	}}
}

func placeAt(t *target, g *grid, p *Panel, at pos, x, y, w, h int) {
	if p == nil {
		t.fail(at, "a nil *Panel cannot be placed")
		return
	}
	if prev := t.dash.panelByKey[p.key]; prev == nil {
		t.dash.panelByKey[p.key] = p
		t.dash.panels.set(p.key, p.v)
		*t.errs = append(*t.errs, p.errs...)
	} else if prev != p {
		t.fail(p.v.at, "two panels have the key %q (the other is at %s)", p.key, prev.v.at)
		return
	}
	item := objVal(at)
	item.obj.set("x", intVal(x, at))
	item.obj.set("y", intVal(y, at))
	item.obj.set("width", intVal(w, at))
	item.obj.set("height", intVal(h, at))
	item.obj.sub("content", at).set("$ref", strVal("#/spec/panels/"+p.key, at))
	g.items.items = append(g.items.items, item)
	g.bottom = max(g.bottom, y+h)
}
