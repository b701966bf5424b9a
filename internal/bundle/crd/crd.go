// Package crd writes compiled resources as the custom resources of the
// Perses operator (pyrobuild compile --crd), in the folders of package
// bundle.
package crd

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// The Perses operator's custom resources (perses.dev/v1alpha2, the version
// it stores). The operator creates and updates the Perses resources they
// describe: the Perses project is the custom resource's namespace, the
// Perses name its metadata.name, the tags its perses.dev/tags annotation.
const (
	APIVersion     = "perses.dev/v1alpha2"
	TagsAnnotation = "perses.dev/tags"
)

// crdKinds maps the Perses kinds the operator has a custom resource for to
// that resource's kind.
var crdKinds = map[string]string{
	"Dashboard":        "PersesDashboard",
	"Datasource":       "PersesDatasource",
	"GlobalDatasource": "PersesGlobalDatasource",
}

// dns1123Label is a Kubernetes namespace name; dns1123Subdomain the name of
// most other objects, custom resources included.
var (
	dns1123Label     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })
	dns1123Subdomain = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	})
)

// Convert turns compiled resources into the Kubernetes objects the Perses
// operator reads, in the same order:
//
//   - a Dashboard becomes a PersesDashboard and a Datasource a
//     PersesDatasource in the project's namespace, with the Perses spec
//     under spec.config; a GlobalDatasource becomes a cluster-wide
//     PersesGlobalDatasource;
//   - a Project becomes its Namespace, so the bundle applies to a cluster
//     where it does not exist yet (the operator creates the Perses project
//     of each namespace it sees; resources of a project without a Project
//     resource go to a namespace that must exist);
//   - Secrets, GlobalSecrets and the pass-through kinds have no custom
//     resource: they are left out, with a note.
//
// Kubernetes names are lower-case: a name that differs from a valid one
// only in case is lower-cased (Perses matches datasource names without
// case, so selectors still resolve); another is an error. In the returned
// resources Kind, Project, Name and Global place the object in the output
// tree (Project and Name as Kubernetes spells them) and Node is the object.
//
// A Secret used by datasource proxies whose credentials the operator's
// spec.client can carry (see clientOf) is written as spec.client of each
// of those datasources, whose proxy then names the secret the operator
// makes from it, "<custom resource name>-secret".
func Convert(rs []*model.Resource) ([]*model.Resource, diag.Diagnostics) {
	return ConvertWith(rs, Options{})
}

// Options are the settings of a conversion.
type Options struct {
	// InstanceSelector, when set, is written as spec.instanceSelector of
	// every custom resource (namespaces aside).
	InstanceSelector *Selector
}

// ConvertWith is Convert with options.
func ConvertWith(rs []*model.Resource, o Options) ([]*model.Resource, diag.Diagnostics) {
	c := &crdConverter{seen: map[string]*model.Resource{}, namespaces: map[string]string{}, opts: o,
		users: secretUsers(rs), clients: map[string]*model.Node{}, noClient: map[string]string{}}
	var out []*model.Resource
	// Projects first, so a namespace's problem is reported at its Project.
	for _, r := range rs {
		switch r.Kind {
		case "Project":
			c.namespace(r.Name, r.Node.Get("metadata").Get("name"), r.Pos)
		case "Secret", "GlobalSecret":
			k := secretKey(r.Kind == "GlobalSecret", r.Project, r.Name)
			if client, why := clientOf(r.Tree().Get("spec")); client != nil {
				c.clients[k] = client
			} else {
				c.noClient[k] = why
			}
		}
	}
	for _, r := range rs {
		if cr := c.convert(r); cr != nil {
			out = append(out, cr)
		}
	}
	return out, c.diags
}

type crdConverter struct {
	diags diag.Diagnostics
	// namespaces maps a project to its namespace name ("" when it has
	// none), so each project's name is judged, and reported, once.
	namespaces map[string]string
	// seen holds the objects made so far, by kind, namespace and name.
	seen map[string]*model.Resource
	opts Options
	// users are the datasources naming each secret (see secretKey);
	// clients the spec.client of the secrets that have one, noClient why
	// the others have none.
	users    map[string][]*model.Resource
	clients  map[string]*model.Node
	noClient map[string]string
}

func (c *crdConverter) report(sev diag.Severity, code diag.Code, pos diag.Pos, path, msg, hint string) diag.Report {
	return diag.NewReporter(&c.diags).Report(sev, code, pos, msg).Path(path).Hint(hint)
}

func (c *crdConverter) convert(r *model.Resource) *model.Resource {
	tree := r.Tree()
	meta := tree.Get("metadata")
	switch {
	case r.Kind == "Project":
		ns := c.namespaces[r.Name]
		if ns == "" {
			return nil
		}
		if d := tree.Get("spec").Get("display"); d != nil && !sameDisplay(d, r.Name, ns) {
			c.report(diag.Info, model.CodeCRDSkipped, compiler.Where(&model.Node{Pos: d.KeyPos}, compiler.Where(d, r.Pos)), "spec.display", fmt.Sprintf("the display of project %s is not written: the operator creates the Perses project of namespace %s with the namespace as its display name", r.Name, ns), "")
		}
		obj := model.NewMap(nil)
		obj.Set("apiVersion", model.NewString("v1", nil))
		obj.Set("kind", model.NewString("Namespace", nil))
		m := model.NewMap(nil)
		m.Set("name", model.NewString(ns, nil))
		obj.Set("metadata", m)
		return c.add(&model.Resource{Kind: "Project", Name: ns, Global: true, Pos: compiler.Where(meta.Get("name"), r.Pos)}, "Namespace", obj)
	case r.Kind == "Secret" || r.Kind == "GlobalSecret":
		c.secretNote(r)
		return nil
	case crdKinds[r.Kind] == "":
		what := "the Perses operator has no custom resource for " + r.Kind + "s"
		hint := "create it on the Perses server (percli apply) or leave it to the operator's defaults"
		c.report(diag.Info, model.CodeCRDSkipped, compiler.Where(meta.Get("name"), r.Pos), "kind", fmt.Sprintf("%s is not written: %s", r.ID(), what), hint)
		return nil
	}
	kind := crdKinds[r.Kind]
	ns := ""
	if !r.Global {
		ns = c.namespace(r.Project, meta.Get("project"), r.Pos)
		if ns == "" {
			return nil
		}
	}
	name, ok := c.name(r, meta.Get("name"))
	if !ok {
		return nil
	}
	m := model.NewMap(nil)
	m.Set("name", model.NewString(name, nil))
	if ns != "" {
		m.Set("namespace", model.NewString(ns, nil))
	}
	if tags := meta.Get("tags"); tags != nil && len(tags.Items) > 0 {
		var ts []string
		for _, t := range tags.Items {
			ts = append(ts, t.Value)
		}
		a := model.NewMap(nil)
		a.Set(TagsAnnotation, model.NewString(strings.Join(ts, ","), nil))
		m.Set("annotations", a)
	}
	config := tree.Get("spec").Clone()
	spec := model.NewMap(nil)
	spec.Set("config", config)
	if r.Kind == "Dashboard" {
		panelDisplays(config)
		c.hideHeaders(r, config)
	} else if client := c.client(r, config, name); client != nil {
		spec.Set("client", client)
	}
	if c.opts.InstanceSelector != nil {
		spec.Set("instanceSelector", c.opts.InstanceSelector.node())
	}
	obj := model.NewMap(nil)
	obj.Set("apiVersion", model.NewString(APIVersion, nil))
	obj.Set("kind", model.NewString(kind, nil))
	obj.Set("metadata", m)
	obj.Set("spec", spec)
	return c.add(&model.Resource{Kind: r.Kind, Project: ns, Name: name, Global: r.Global, Pos: compiler.Where(meta.Get("name"), r.Pos)}, kind, obj)
}

// add gives the object to r, which places it in the output tree, and
// records it, refusing a second object of the same kind, namespace and
// name (two Perses names that lower-case alike).
func (c *crdConverter) add(r *model.Resource, kind string, obj *model.Node) *model.Resource {
	key := kind + "/" + r.Project + "/" + r.Name
	if first := c.seen[key]; first != nil {
		c.report(diag.Error, model.CodeCRDName, r.Pos, "metadata.name", fmt.Sprintf("two resources would be written as %s %q", kind, r.Name), fmt.Sprintf("the other one is at %s; rename one of them", first.Pos)).
			Note(first.Pos, fmt.Sprintf("the other resource written as %s %q", kind, r.Name))
		return nil
	}
	r.Node = obj
	c.seen[key] = r
	return r
}

// namespace returns the namespace of a project, reporting (once) a project
// name Kubernetes cannot take; "" means there is none.
func (c *crdConverter) namespace(project string, at *model.Node, pos diag.Pos) string {
	if ns, ok := c.namespaces[project]; ok {
		return ns
	}
	ns, sev, msg, hint := kubeName(project, dns1123Label(), 63, "a namespace")
	if msg != "" {
		c.report(sev, model.CodeCRDName, compiler.Where(at, pos), "metadata.project", fmt.Sprintf("project %q %s", project, msg), hint)
	}
	c.namespaces[project] = ns
	return ns
}

// name returns the name of r's custom resource, reporting a name
// Kubernetes cannot take.
func (c *crdConverter) name(r *model.Resource, at *model.Node) (string, bool) {
	name, sev, msg, hint := kubeName(r.Name, dns1123Subdomain(), 253, "a Kubernetes name")
	if msg != "" {
		if sev == diag.Warning && r.Kind != "Dashboard" {
			// Perses matches project and global datasource names without
			// case: every selector still finds the datasource.
			sev = diag.Info
			msg += "; datasource selectors still find it, as Perses compares datasource names without case"
		} else if sev == diag.Warning {
			msg += ", which changes its address in Perses"
		}
		c.report(sev, model.CodeCRDName, compiler.Where(at, r.Pos), "metadata.name", fmt.Sprintf("%s name %q %s", r.Kind, r.Name, msg), hint)
	}
	return name, name != ""
}

// kubeName checks a name against a Kubernetes naming rule. A name valid
// once lower-cased is returned lower-cased with a warning; "" and an error
// otherwise.
func kubeName(name string, rule *regexp.Regexp, max int, what string) (string, diag.Severity, string, string) {
	if rule.MatchString(name) && len(name) <= max {
		return name, diag.Info, "", ""
	}
	if low := strings.ToLower(name); rule.MatchString(low) && len(low) <= max {
		return low, diag.Warning, fmt.Sprintf("is written %q: %s is lower-case", low, what), ""
	}
	hint := fmt.Sprintf("%s has at most %d lower-case letters, digits and '-'", what, max)
	if rule == dns1123Subdomain() {
		hint += " or '.'"
	}
	hint += ", starting and ending with a letter or digit"
	if s := kubeSuggest(name, rule == dns1123Subdomain()); s != "" && len(s) <= max {
		hint += fmt.Sprintf(": rename it, e.g. %q", s)
	}
	return "", diag.Error, "cannot be " + what + " (the operator names the Perses resource after it)", hint
}

// kubeSuggest is name made into a Kubernetes name, or "".
func kubeSuggest(name string, dots bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		case r == '.' && dots:
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-.")
}

// panelDisplays gives every panel a display name. The operator's schema
// for a dashboard requires spec.display.name of each panel (its Go model
// has no "omitempty" there, so Perses itself writes an empty one), and
// Kubernetes refuses a custom resource without it.
func panelDisplays(config *model.Node) {
	panels := config.Get("panels")
	if panels == nil {
		return
	}
	for _, p := range panels.Vals {
		spec := p.Get("spec")
		if spec == nil || spec.Kind != model.MapKind {
			continue
		}
		d := spec.Get("display")
		if d == nil {
			d = model.NewMap(nil)
			prepend(spec, "display", d)
		}
		if d.Kind == model.MapKind && d.Get("name") == nil {
			prepend(d, "name", model.NewString("", nil))
		}
	}
}

// prepend sets key k first in a map node, where the model puts it.
func prepend(n *model.Node, k string, v *model.Node) {
	n.Keys = append([]string{k}, n.Keys...)
	n.Vals = append([]*model.Node{v}, n.Vals...)
}

// The Kubernetes output has the folders of the Perses one (see bundle), for
// kubectl apply -f, Argo CD and Flux: each object in its own file, and
// each bundle a multi-document YAML file, or a JSON v1 List, which kubectl
// reads whole (it splits both). A project's Namespace is its project file.

// Layout returns the output tree of custom resources made by Convert, in
// memory, sorted by path.
func Layout(crs []*model.Resource, f bundle.Format) []bundle.OutputFile {
	return bundle.LayoutStyle(crs, f, Objects)
}

// WriteOutput replaces dir with the output tree of custom resources,
// atomically, as bundle.WriteOutput does, with the file of each object
// only when files says so.
func WriteOutput(dir string, crs []*model.Resource, f bundle.Format, files bundle.Files) error {
	return bundle.WriteOutputStyle(dir, crs, f, Objects, files)
}

// Objects is the bundle.Style of Kubernetes bundles: one file kubectl
// reads whole, YAML documents separated by ---, or the items of a JSON v1
// List, laid out as encoding the whole List would.
var Objects bundle.Style = objectStyle{}

type objectStyle struct{}

func (objectStyle) Item(obj []byte, f bundle.Format) []byte {
	if f == bundle.YAML {
		return obj
	}
	return bundle.Indent(bytes.TrimSuffix(obj, []byte("\n")), "    ", "    ")
}

func (objectStyle) Open(w io.Writer, f bundle.Format) bundle.Stream {
	return &objectStream{w: w, f: f}
}

// objectStream writes the items of one Kubernetes bundle.
type objectStream struct {
	w   io.Writer
	f   bundle.Format
	n   int
	err error
}

func (s *objectStream) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func (s *objectStream) Add(item []byte) {
	var b bytes.Buffer
	switch {
	case s.f == bundle.YAML && s.n > 0:
		b.WriteString("---\n")
	case s.f == bundle.YAML:
	case s.n == 0:
		b.WriteString("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n")
	default:
		b.WriteString(",\n")
	}
	b.Write(item)
	s.n++
	s.write(b.Bytes())
}

func (s *objectStream) Close() error {
	switch {
	case s.f == bundle.JSON && s.n == 0:
		s.write([]byte("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n"))
	case s.f == bundle.JSON:
		s.write([]byte("\n  ]\n}\n"))
	}
	return s.err
}

// sameDisplay tells a project display that says nothing the operator's
// own would not: no description, and no name or the project's own (as
// written, or as its namespace). The operator names the Perses project's
// display after the namespace.
func sameDisplay(d *model.Node, project, ns string) bool {
	if d.Kind != model.MapKind {
		return false
	}
	for i, k := range d.Keys {
		if v := d.Vals[i].Value; k != "name" || v != "" && v != project && v != ns {
			return false
		}
	}
	return true
}

// hideHeaders reports, and leaves out, the display.hideHeader of a
// dashboard's panels: the operator's PersesDashboard schema (v0.5.0) has
// no such field, so Kubernetes would prune it and the panel would show
// its header.
func (c *crdConverter) hideHeaders(r *model.Resource, config *model.Node) {
	panels := config.Get("panels")
	if panels == nil || panels.Kind != model.MapKind {
		return
	}
	for i, key := range panels.Keys {
		d := panels.Vals[i].Get("spec").Get("display")
		h := d.Get("hideHeader")
		if h == nil {
			continue
		}
		d.Delete("hideHeader")
		if h.Kind == model.BoolKind && h.Value == "false" {
			continue // what Perses does without it
		}
		c.report(diag.Warning, model.CodeCRDSkipped, compiler.Where(&model.Node{Pos: h.KeyPos}, compiler.Where(h, r.Pos)), "spec.panels."+key+".spec.display.hideHeader",
			fmt.Sprintf("panel %s's display.hideHeader is not written: the Perses operator's PersesDashboard (v0.5.0) has no such field, so Kubernetes would drop it and the panel would show its header", key),
			"remove hideHeader, or apply this dashboard with percli (pyrobuild's output without --crd)")
	}
}
