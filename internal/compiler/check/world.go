package check

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// World is every resource of one compilation. Checks that look across
// resources (datasource resolution, secrets, defaults) run on it, after each
// resource has been validated on its own.
type World struct {
	Resources []*model.Resource
	// ServerDatasources are datasources that exist only on the server:
	// selectors naming them are not errors. "default" stands for a default
	// datasource of every kind.
	ServerDatasources []string
	byID              map[string]*model.Resource
}

// worldCheck is one rule over the whole world. Each is small and named after
// what it checks.
type worldCheck func(w *World, rep diag.Reporter)

var worldChecks = []worldCheck{
	checkDuplicates,
	checkDefaultDatasources,
	checkProxySecrets,
	checkDashboards,
}

// Check runs every check across resources, reporting to diags. A
// resource defined twice is kept once in w.Resources.
func (w *World) Check(diags *diag.Diagnostics) {
	rep := diag.NewReporter(diags)
	for _, c := range worldChecks {
		c(w, rep)
	}
}

// checkDuplicates: a resource (kind, project, name) is defined once.
func checkDuplicates(w *World, rep diag.Reporter) {
	first := map[string]*model.Resource{}
	var unique []*model.Resource
	for _, r := range w.Resources {
		id := r.ID()
		if prev, dup := first[id]; dup {
			rep.Errorf(model.CodeDuplicate, r.Pos, "%s %q is defined twice (first at %s)", r.Kind, r.Name, prev.Pos).
				Hint("resource names are unique per kind and project; rename or remove one").
				Note(prev.Pos, fmt.Sprintf("%s %q is first defined here", prev.Kind, prev.Name))
			continue
		}
		first[id] = r
		unique = append(unique, r)
	}
	w.Resources = unique
	w.byID = first
}

// datasourceRef is a datasource visible from some scope.
type datasourceRef struct {
	name    string
	kind    string // plugin kind
	def     bool
	pos     diag.Pos
	scope   string // "dashboard", "project" or "global"
	project string
	spec    *model.Node // the datasource spec
}

func datasourceOf(name string, spec *model.Node, scope, project string) datasourceRef {
	d := datasourceRef{name: name, scope: scope, project: project, spec: spec}
	if spec == nil {
		return d // a datasource without spec, reported as such
	}
	d.pos = spec.Pos
	d.kind, _ = spec.Get("plugin").Str("kind")
	if def := spec.Get("default"); def != nil && def.Value == "true" {
		d.def = true
		if def.Pos.IsValid() {
			d.pos = def.Pos
		}
	}
	return d
}

// projectDatasources and globalDatasources index the Datasource resources.
func (w *World) datasources() (map[string][]datasourceRef, []datasourceRef) {
	proj := map[string][]datasourceRef{}
	var global []datasourceRef
	for _, r := range w.Resources {
		switch r.Kind {
		case "Datasource":
			proj[r.Project] = append(proj[r.Project], datasourceOf(r.Name, r.Node.Get("spec"), "project", r.Project))
		case "GlobalDatasource":
			global = append(global, datasourceOf(r.Name, r.Node.Get("spec"), "global", ""))
		}
	}
	return proj, global
}

// checkDefaultDatasources: at most one default per plugin kind in each
// scope (a project, the global scope, and each dashboard's datasources,
// which checkDashboards looks at).
func checkDefaultDatasources(w *World, rep diag.Reporter) {
	proj, global := w.datasources()
	projects := make([]string, 0, len(proj))
	for p := range proj {
		projects = append(projects, p)
	}
	sort.Strings(projects)
	for _, p := range projects {
		checkDefaults(proj[p], fmt.Sprintf("of project %s", p), rep)
	}
	checkDefaults(global, "among global datasources", rep)
}

func checkDefaults(refs []datasourceRef, where string, rep diag.Reporter) {
	seen := map[string]datasourceRef{}
	for _, d := range refs {
		if !d.def {
			continue
		}
		if prev, ok := seen[d.kind]; ok {
			rep.Errorf(model.CodeDefaultDatasource, d.pos, "%s and %s are both the default %s %s", prev.name, d.name, d.kind, where).
				Hint("set default: true on one of them only").
				Note(prev.pos, fmt.Sprintf("%s is the default %s here", prev.name, prev.kind))
			continue
		}
		seen[d.kind] = d
	}
}

// dashboardDatasources lists the datasources dashboard r (whose tree is
// tree) defines for itself.
func dashboardDatasources(r *model.Resource, tree *model.Node) []datasourceRef {
	m := tree.Get("spec").Get("datasources")
	var out []datasourceRef
	if m == nil {
		return nil
	}
	for i, k := range m.Keys {
		out = append(out, datasourceOf(k, m.Vals[i], "dashboard", r.Project))
	}
	return out
}

// checkProxySecrets: a proxy's secret names a Secret of the project (a
// GlobalSecret for a GlobalDatasource). It may exist only on the server, so
// a missing one is a warning (an error under --strict). Credentials belong
// in that secret, not in plain headers.
func checkProxySecrets(w *World, rep diag.Reporter) {
	for _, r := range w.Resources {
		switch r.Kind {
		case "Datasource", "GlobalDatasource":
			checkProxies(w, r, []*model.Node{r.Node.Get("spec")}, rep)
		}
	}
}

// checkProxies checks the proxies of datasource specs of resource r (a
// datasource, or a dashboard's own datasources).
func checkProxies(w *World, r *model.Resource, specs []*model.Node, rep diag.Reporter) {
	for _, spec := range specs {
		checkURLSafety(spec, rep)
		proxy := spec.Get("plugin").Get("spec").Get("proxy").Get("spec")
		if sn := proxy.Get("secret"); sn != nil && sn.Kind == model.StringKind {
			kind, id := "Secret", "Secret/"+r.Project+"/"+sn.Value
			if r.Global {
				kind, id = "GlobalSecret", "GlobalSecret/"+sn.Value
			}
			if w.byID[id] == nil {
				rep.Warnf(model.CodeMissingSecret, sn.Pos, "%s %q is not among the compiled sources", kind, sn.Value).
					Hint(fmt.Sprintf("define it (kind: %s) or make sure it exists on the Perses server", kind))
			}
		}
		if hs := proxy.Get("headers"); hs != nil {
			for i, h := range hs.Keys {
				if CredentialHeader(h) {
					rep.Warnf(model.CodeLiteralCredential, model.Where(&model.Node{Pos: hs.Vals[i].KeyPos}, hs.Vals[i].Pos), "header %q carries a credential in plain text", h).
						Hint("put it in a Secret and name the secret in proxy.spec.secret")
				}
			}
		}
	}
}

// CredentialHeader reports whether an HTTP header of a datasource proxy
// carries a credential.
func CredentialHeader(h string) bool {
	switch strings.ToLower(h) {
	case "authorization", "x-api-key", "api-key", "x-auth-token", "cookie", "proxy-authorization":
		return true
	}
	return false
}

// varRefRe finds $name and ${name} references.
var varRefRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$(?:\{(\w+)(?:[:.][^}]*)?\}|(\w+))`) })
