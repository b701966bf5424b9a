package check

import (
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// Resolver answers, after a compilation, which datasource each query of a
// dashboard uses, by the same rules the dashboard checks apply. The docs
// site's catalog and the preview's proxy use it, so they never disagree
// with the compiler.
type Resolver struct {
	proj   map[string][]datasourceRef
	global []datasourceRef
	server []string
}

// ResolvedDatasource is the datasource a query selector names.
type ResolvedDatasource struct {
	Name    string
	Kind    string      // plugin kind, e.g. PyroscopeDatasource
	Scope   string      // "dashboard", "project", "global", or "server" (exists only on the Perses server)
	Project string      // for project and dashboard scopes
	Default bool        // chosen as the default of its kind (the selector names none)
	Spec    *model.Node // the datasource spec; nil in the server scope
	// Pos is where a problem with the datasource is reported: its
	// default field when it is set, else its spec.
	Pos diag.Pos
}

// NewResolver indexes the datasources among rs. serverDatasources are as in
// Options.ServerDatasources.
func NewResolver(rs []*model.Resource, serverDatasources []string) *Resolver {
	w := &World{Resources: rs}
	proj, global := w.datasources()
	return &Resolver{proj: proj, global: global, server: serverDatasources}
}

// Resolve returns the datasource the query plugin (a query's spec.plugin)
// of dashboard d uses; ok is false when it names none that is known.
func (r *Resolver) Resolve(d *model.Resource, plugin *model.Node) (ResolvedDatasource, bool) {
	kind, name, _, ok := selectorOf(plugin)
	if !ok {
		return ResolvedDatasource{}, false
	}
	scopes := [][]datasourceRef{dashboardDatasources(d, d.Tree()), r.proj[d.Project], r.global}
	if found, _, _ := lookupDatasource(kind, name, scopes); found != nil {
		return ResolvedDatasource{Name: found.name, Kind: found.kind, Scope: found.scope,
			Project: found.project, Default: name == "", Spec: found.spec, Pos: found.pos}, true
	}
	for _, s := range r.server {
		if (name == "" && s == "default") || (name != "" && s == name) {
			return ResolvedDatasource{Name: name, Kind: kind, Scope: "server", Project: d.Project, Default: name == ""}, true
		}
	}
	return ResolvedDatasource{}, false
}
