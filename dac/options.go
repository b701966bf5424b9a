package dac

import (
	"fmt"
	"os"
	"strings"
)

// target is what an option configures. Options write into the objects
// that exist for the builder at hand and leave the others alone.
type target struct {
	what   string  // the builder, for messages: "Project", "FlameChart", …
	meta   *object // a resource's metadata; nil below resources
	spec   *object // where display lives: a resource, panel or variable spec, a datasource spec
	plugin *object // the plugin's spec: datasource, panel or query plugin
	dash   *dashboard
	grid   *grid
	errs   *[]posError
}

// fail records a mistake in the use of this package. Emit reports it, at
// the call that made it, instead of writing anything. An argument that is
// a pos is a position the message quotes: format it with %s.
func (t *target) fail(at pos, format string, args ...any) {
	*t.errs = append(*t.errs, newPosError(at, format, args...))
}

// posError is a misuse of a builder, at the user's call.
type posError struct {
	at pos
	// msg is the message, "dac: " first, cut where it quotes the
	// positions of quoted: msg[0] quoted[0] msg[1] … quoted[n-1] msg[n].
	msg    []string
	quoted []pos
}

// posMark stands for a quoted position while the message is formatted. No
// message holds it otherwise: the user's strings are quoted with %q.
const posMark = "\x00"

func newPosError(at pos, format string, args ...any) posError {
	pe := posError{at: at}
	fargs := make([]any, len(args))
	for i, a := range args {
		if p, ok := a.(pos); ok {
			pe.quoted = append(pe.quoted, p)
			a = posMark
		}
		fargs[i] = a
	}
	pe.msg = strings.Split("dac: "+fmt.Sprintf(format, fargs...), posMark)
	return pe
}

// The option interfaces. Their methods are unexported: options are made by
// this package's functions, each documented with the builders it applies to.
type (
	// ProjectOption configures a Project.
	ProjectOption interface{ applyProject(*target) }
	// DatasourceOption configures a Datasource, a GlobalDatasource or a
	// dashboard's own datasource.
	DatasourceOption interface{ applyDatasource(*target) }
	// ProxyOption configures a datasource's HTTP proxy.
	ProxyOption interface{ applyProxy(*target) }
	// SecretOption configures a Secret or a GlobalSecret.
	SecretOption interface{ applySecret(*target) }
	// DashboardOption configures a Dashboard.
	DashboardOption interface{ applyDashboard(*target) }
	// VariableOption configures a dashboard variable.
	VariableOption interface{ applyVariable(*target) }
	// GridOption configures one grid layout of a dashboard.
	GridOption interface{ applyGrid(*target) }
	// PanelOption configures a panel.
	PanelOption interface{ applyPanel(*target) }
	// QueryOption configures a ProfileQuery.
	QueryOption interface{ applyQuery(*target) }
)

// Function types implementing one option interface each.
type (
	datasourceFunc func(*target)
	proxyFunc      func(*target)
	secretFunc     func(*target)
	dashboardFunc  func(*target)
	variableFunc   func(*target)
	gridFunc       func(*target)
	panelFunc      func(*target)
	queryFunc      func(*target)
)

func (f datasourceFunc) applyDatasource(t *target) { f(t) }
func (f proxyFunc) applyProxy(t *target)           { f(t) }
func (f secretFunc) applySecret(t *target)         { f(t) }
func (f dashboardFunc) applyDashboard(t *target)   { f(t) }
func (f variableFunc) applyVariable(t *target)     { f(t) }
func (f gridFunc) applyGrid(t *target)             { f(t) }
func (f panelFunc) applyPanel(t *target)           { f(t) }
func (f queryFunc) applyQuery(t *target)           { f(t) }

// DisplayOption sets how something is shown in the Perses UI. It applies
// to projects, datasources, dashboards, panels and variables.
type DisplayOption struct{ set func(*target) }

func (o DisplayOption) applyProject(t *target)    { o.set(t) }
func (o DisplayOption) applyDatasource(t *target) { o.set(t) }
func (o DisplayOption) applyDashboard(t *target)  { o.set(t) }
func (o DisplayOption) applyPanel(t *target)      { o.set(t) }
func (o DisplayOption) applyVariable(t *target)   { o.set(t) }

// Display sets the name shown instead of the resource's name; for a panel,
// its title.
func Display(name string) DisplayOption {
	at := caller()
	return DisplayOption{func(t *target) { t.spec.sub("display", at).set("name", strVal(name, at)) }}
}

// Description sets the description shown as a tooltip or subtitle.
func Description(text string) DisplayOption {
	at := caller()
	return DisplayOption{func(t *target) { t.spec.sub("display", at).set("description", strVal(text, at)) }}
}

// TagsOption labels a resource. It applies to projects, datasources,
// secrets and dashboards.
type TagsOption struct{ set func(*target) }

func (o TagsOption) applyProject(t *target)    { o.set(t) }
func (o TagsOption) applyDatasource(t *target) { o.set(t) }
func (o TagsOption) applySecret(t *target)     { o.set(t) }
func (o TagsOption) applyDashboard(t *target)  { o.set(t) }

// Tags adds tags to a resource's metadata (lower-case words; the Perses
// UI filters by them).
func Tags(tags ...string) TagsOption {
	at := caller()
	return TagsOption{func(t *target) {
		if t.meta == nil {
			t.fail(at, "Tags: a %s has no metadata to tag", t.what)
			return
		}
		l := t.meta.list("tags", at)
		for _, tag := range tags {
			l.items = append(l.items, strVal(tag, at))
		}
	}}
}

// Resource is one Perses resource built by this package: a Project, a
// Datasource, a Secret, a Dashboard… Emit writes resources for pyrobuild.
type Resource struct {
	v    *value
	errs []posError
}

// Kind is the resource's kind, e.g. "Dashboard".
func (r *Resource) Kind() string { return r.v.obj.get("kind").s }

// Name is the resource's metadata.name.
func (r *Resource) Name() string { return r.v.obj.get("metadata").obj.get("name").s }

// MarshalJSON encodes the resource as Perses JSON in the authoring form,
// without positions (useful in tests; Emit writes positions too).
func (r *Resource) MarshalJSON() ([]byte, error) {
	if err := errorOf(r.errs, []*Resource{r}); err != nil {
		return nil, err
	}
	e := &encoder{}
	e.value(r.v, "", pos{}, 0)
	return e.buf, nil
}

// newResource starts {kind, metadata: {name[, project]}, spec: {}}.
func newResource(kind, project, name string, at pos) (*Resource, *target) {
	r := &Resource{v: objVal(at)}
	root := r.v.obj
	root.set("kind", strVal(kind, at))
	meta := root.sub("metadata", at)
	meta.set("name", strVal(name, at))
	if project != "" {
		meta.set("project", strVal(project, at))
	}
	spec := root.sub("spec", at)
	return r, &target{what: kind, meta: meta, spec: spec, errs: &r.errs}
}

// Project builds a Project, which groups dashboards, datasources and
// secrets.
func Project(name string, opts ...ProjectOption) *Resource {
	r, t := newResource("Project", "", name, caller())
	for _, o := range opts {
		o.applyProject(t)
	}
	return r
}

// errorOf joins misuse errors into one error; from are the resources
// being written, whose calls tell apart calls on one line.
func errorOf(errs []posError, from []*Resource) error {
	if len(errs) == 0 {
		return nil
	}
	return &Error{errs: errs, from: from}
}

// Error lists the mistakes found while building resources, each at the
// user's call that made it. Its message has one "file:line: message" line
// per mistake.
type Error struct {
	errs []posError
	from []*Resource
}

// Error returns one "file:line: dac: message" line per mistake, the form
// editors link to the source. (Run by pyrobuild, a program reports its
// mistakes at their columns too: see Emit.)
func (e *Error) Error() string {
	cwd, _ := os.Getwd()
	var b strings.Builder
	for i, pe := range e.errs {
		if i > 0 {
			b.WriteByte('\n')
		}
		if pe.at.valid() {
			b.WriteString(pe.at.lineString(cwd) + ": ")
		}
		for j, part := range pe.msg {
			if j > 0 && j <= len(pe.quoted) {
				b.WriteString(pe.quoted[j-1].lineString(cwd))
			}
			b.WriteString(part)
		}
	}
	return b.String()
}
