package dac

import "strings"

// Palettes of a FlameChart.
const (
	// PalettePackageName colours frames by package (the default).
	PalettePackageName = "package-name"
	// PaletteValue colours frames by their value.
	PaletteValue = "value"
)

// Panel is a panel of a dashboard, under a key unique in the dashboard.
// Place it with Row, Place or Grid.
type Panel struct {
	key  string
	v    *value
	errs []posError
}

// Key is the panel's key in the dashboard's panels.
func (p *Panel) Key() string { return p.key }

// FlameChart builds a flame graph panel under key (letters, digits, '_'
// and '-'), showing the ProfileQuery options given. Unset chart options
// take the Perses UI's defaults when pyrobuild compiles the dashboard.
func FlameChart(key string, opts ...PanelOption) *Panel {
	at := caller()
	p := &Panel{key: key, v: objVal(at)}
	p.v.obj.set("kind", strVal("Panel", at))
	spec := p.v.obj.sub("spec", at)
	t := &target{what: "FlameChart", spec: spec, errs: &p.errs}
	t.plugin = spec.plugin("plugin", "FlameChart", at)
	for _, o := range opts {
		o.applyPanel(t)
	}
	return p
}

// Palette chooses how frames are coloured: PalettePackageName or
// PaletteValue.
func Palette(palette string) PanelOption {
	at := caller()
	return panelFunc(func(t *target) { t.plugin.set("palette", strVal(palette, at)) })
}

// ShowSettings shows or hides the settings toolbar (shown by default).
func ShowSettings(show bool) PanelOption { return chartSwitch("showSettings", show, caller()) }

// ShowSeries shows or hides the time series above the flame graph (hidden
// by default).
func ShowSeries(show bool) PanelOption { return chartSwitch("showSeries", show, caller()) }

// ShowTable shows or hides the table of functions (shown by default).
func ShowTable(show bool) PanelOption { return chartSwitch("showTable", show, caller()) }

// ShowFlameGraph shows or hides the flame graph itself (shown by default).
func ShowFlameGraph(show bool) PanelOption { return chartSwitch("showFlameGraph", show, caller()) }

func chartSwitch(field string, show bool, at pos) PanelOption {
	return panelFunc(func(t *target) { t.plugin.set(field, boolVal(show, at)) })
}

// TraceHeight sets the height of the time series chart, in pixels.
func TraceHeight(px int) PanelOption {
	at := caller()
	return panelFunc(func(t *target) { t.plugin.set("traceHeight", intVal(px, at)) })
}

// ProfileQuery adds a Pyroscope profile query to a panel: a ProfileType,
// and the profiles to merge, either as a Query label selector (the
// authoring form, which pyrobuild lowers) or as Service and Filter.
func ProfileQuery(opts ...QueryOption) PanelOption {
	at := caller()
	q := objVal(at)
	q.obj.set("kind", strVal("ProfileQuery", at))
	spec := q.obj.sub("spec", at)
	t := &target{what: "ProfileQuery", spec: spec}
	t.plugin = spec.plugin("plugin", "PyroscopeProfileQuery", at)
	var errs []posError
	t.errs = &errs
	for _, o := range opts {
		o.applyQuery(t)
	}
	return panelFunc(func(pt *target) {
		l := pt.spec.list("queries", at)
		l.items = append(l.items, q)
		*pt.errs = append(*pt.errs, errs...)
	})
}

// ProfileType selects the profile: a Pyroscope profile type ID such as
// "process_cpu:cpu:nanoseconds:cpu:nanoseconds", or one of pyrobuild's
// short names ("cpu", "memory", "goroutines", "alloc_space", …).
func ProfileType(profileType string) QueryOption {
	at := caller()
	return queryFunc(func(t *target) { t.plugin.set("profileType", strVal(profileType, at)) })
}

// Query selects profiles with a label selector such as
// `{service_name="api", env=~"prod.*"}`. pyrobuild turns it into the
// service and filters the Perses plugin reads.
func Query(selector string) QueryOption {
	at := caller()
	return queryFunc(func(t *target) { t.plugin.set("query", strVal(selector, at)) })
}

// Service selects the profiles of one service_name (the wire form of
// the selector's service_name="…").
func Service(name string) QueryOption {
	at := caller()
	return queryFunc(func(t *target) { t.plugin.set("service", strVal(name, at)) })
}

// Filter adds a label matcher: operator is "=", "!=", "=~" or "!~"
// (regular expressions match whole values).
func Filter(label, operator, value string) QueryOption {
	at := caller()
	return queryFunc(func(t *target) {
		f := objVal(at)
		f.obj.set("labelName", strVal(label, at))
		f.obj.set("operator", strVal(operator, at))
		f.obj.set("labelValue", strVal(value, at))
		l := t.plugin.list("filters", at)
		l.items = append(l.items, f)
	})
}

// MaxNodes caps the number of nodes of the flame graph.
func MaxNodes(n int) QueryOption {
	at := caller()
	return queryFunc(func(t *target) { t.plugin.set("maxNodes", intVal(n, at)) })
}

// UseDatasource makes the query read from the Pyroscope datasource named
// name: a key of the dashboard's datasources, a Datasource of the project
// or a GlobalDatasource. A name starting with "$" is a datasource
// variable. Without it, queries use the default datasource.
func UseDatasource(name string) QueryOption {
	at := caller()
	return queryFunc(func(t *target) {
		if strings.HasPrefix(name, "$") {
			t.plugin.set("datasource", strVal(name, at))
			return
		}
		ds := objVal(at)
		ds.obj.set("kind", strVal(PyroscopeDatasourceKind, at))
		ds.obj.set("name", strVal(name, at))
		t.plugin.set("datasource", ds)
	})
}
