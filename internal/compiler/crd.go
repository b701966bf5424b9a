package compiler

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/outdir"
)

// The Perses operator's custom resources (perses.dev/v1alpha2, the version
// it stores). The operator creates and updates the Perses resources they
// describe: the Perses project is the custom resource's namespace, the
// Perses name its metadata.name, the tags its perses.dev/tags annotation.
const (
	CRDAPIVersion  = "perses.dev/v1alpha2"
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
	dns1123Label     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// CRDs turns compiled resources into the Kubernetes objects the Perses
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
func CRDs(rs []*Resource) ([]*Resource, Diagnostics) {
	c := &crdConverter{seen: map[string]*Resource{}, namespaces: map[string]string{}}
	var out []*Resource
	// Projects first, so a namespace's problem is reported at its Project.
	for _, r := range rs {
		if r.Kind == "Project" {
			c.namespace(r.Name, r.Node.Get("metadata").Get("name"), r.Pos)
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
	diags Diagnostics
	// namespaces maps a project to its namespace name ("" when it has
	// none), so each project's name is judged, and reported, once.
	namespaces map[string]string
	// seen holds the objects made so far, by kind, namespace and name.
	seen map[string]*Resource
}

func (c *crdConverter) report(sev Severity, code Code, pos Pos, path, msg, hint string) {
	c.diags = append(c.diags, Diagnostic{Severity: sev, Code: code, Pos: pos, Path: path, Message: msg, Hint: hint})
}

func (c *crdConverter) convert(r *Resource) *Resource {
	tree := r.Tree()
	meta := tree.Get("metadata")
	switch {
	case r.Kind == "Project":
		ns := c.namespaces[r.Name]
		if ns == "" {
			return nil
		}
		if d := tree.Get("spec").Get("display"); d != nil {
			c.report(Note, CodeCRDSkipped, where(&Node{Pos: d.KeyPos}, where(d, r.Pos)), "spec.display", fmt.Sprintf("the display of project %s is not written: the operator creates the Perses project of namespace %s with the namespace as its name", r.Name, ns), "")
		}
		obj := NewMap(nil)
		obj.Set("apiVersion", NewString("v1", nil))
		obj.Set("kind", NewString("Namespace", nil))
		m := NewMap(nil)
		m.Set("name", NewString(ns, nil))
		obj.Set("metadata", m)
		return c.add(&Resource{Kind: "Project", Name: ns, Global: true, Pos: where(meta.Get("name"), r.Pos)}, "Namespace", obj)
	case crdKinds[r.Kind] == "":
		what := "the Perses operator has no custom resource for " + r.Kind + "s"
		hint := "create it on the Perses server (percli apply) or leave it to the operator's defaults"
		if r.Kind == "Secret" || r.Kind == "GlobalSecret" {
			hint = "create it on the Perses server (percli apply -f with pyrobuild's output without --crd), or give the datasource's custom resource a spec.client, from which the operator makes a secret of its own"
		}
		c.report(Note, CodeCRDSkipped, where(meta.Get("name"), r.Pos), "kind", fmt.Sprintf("%s is not written: %s", r.ID(), what), hint)
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
	m := NewMap(nil)
	m.Set("name", NewString(name, nil))
	if ns != "" {
		m.Set("namespace", NewString(ns, nil))
	}
	if tags := meta.Get("tags"); tags != nil && len(tags.Items) > 0 {
		var ts []string
		for _, t := range tags.Items {
			ts = append(ts, t.Value)
		}
		a := NewMap(nil)
		a.Set(TagsAnnotation, NewString(strings.Join(ts, ","), nil))
		m.Set("annotations", a)
	}
	config := tree.Get("spec").Clone()
	if r.Kind == "Dashboard" {
		panelDisplays(config)
	}
	spec := NewMap(nil)
	spec.Set("config", config)
	obj := NewMap(nil)
	obj.Set("apiVersion", NewString(CRDAPIVersion, nil))
	obj.Set("kind", NewString(kind, nil))
	obj.Set("metadata", m)
	obj.Set("spec", spec)
	return c.add(&Resource{Kind: r.Kind, Project: ns, Name: name, Global: r.Global, Pos: where(meta.Get("name"), r.Pos)}, kind, obj)
}

// add gives the object to r, which places it in the output tree, and
// records it, refusing a second object of the same kind, namespace and
// name (two Perses names that lower-case alike).
func (c *crdConverter) add(r *Resource, kind string, obj *Node) *Resource {
	key := kind + "/" + r.Project + "/" + r.Name
	if first := c.seen[key]; first != nil {
		c.report(Error, CodeCRDName, r.Pos, "metadata.name", fmt.Sprintf("two resources would be written as %s %q", kind, r.Name), fmt.Sprintf("the other one is at %s; rename one of them", first.Pos))
		return nil
	}
	r.Node = obj
	c.seen[key] = r
	return r
}

// namespace returns the namespace of a project, reporting (once) a project
// name Kubernetes cannot take; "" means there is none.
func (c *crdConverter) namespace(project string, at *Node, pos Pos) string {
	if ns, ok := c.namespaces[project]; ok {
		return ns
	}
	ns, sev, msg, hint := kubeName(project, dns1123Label, 63, "a namespace")
	if msg != "" {
		c.report(sev, CodeCRDName, where(at, pos), "metadata.project", fmt.Sprintf("project %q %s", project, msg), hint)
	}
	c.namespaces[project] = ns
	return ns
}

// name returns the name of r's custom resource, reporting a name
// Kubernetes cannot take.
func (c *crdConverter) name(r *Resource, at *Node) (string, bool) {
	name, sev, msg, hint := kubeName(r.Name, dns1123Subdomain, 253, "a Kubernetes name")
	if msg != "" {
		if sev == Warning && r.Kind != "Dashboard" {
			// Perses matches project and global datasource names without
			// case: every selector still finds the datasource.
			sev = Note
			msg += "; datasource selectors still find it, as Perses compares datasource names without case"
		} else if sev == Warning {
			msg += ", which changes its address in Perses"
		}
		c.report(sev, CodeCRDName, where(at, r.Pos), "metadata.name", fmt.Sprintf("%s name %q %s", r.Kind, r.Name, msg), hint)
	}
	return name, name != ""
}

// kubeName checks a name against a Kubernetes naming rule. A name valid
// once lower-cased is returned lower-cased with a warning; "" and an error
// otherwise.
func kubeName(name string, rule *regexp.Regexp, max int, what string) (string, Severity, string, string) {
	if rule.MatchString(name) && len(name) <= max {
		return name, Note, "", ""
	}
	if low := strings.ToLower(name); rule.MatchString(low) && len(low) <= max {
		return low, Warning, fmt.Sprintf("is written %q: %s is lower-case", low, what), ""
	}
	hint := fmt.Sprintf("%s has at most %d lower-case letters, digits and '-'", what, max)
	if rule == dns1123Subdomain {
		hint += " or '.'"
	}
	hint += ", starting and ending with a letter or digit"
	if s := kubeSuggest(name, rule == dns1123Subdomain); s != "" && len(s) <= max {
		hint += fmt.Sprintf(": rename it, e.g. %q", s)
	}
	return "", Error, "cannot be " + what + " (the operator names the Perses resource after it)", hint
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
func panelDisplays(config *Node) {
	panels := config.Get("panels")
	if panels == nil {
		return
	}
	for _, p := range panels.Vals {
		spec := p.Get("spec")
		if spec == nil || spec.Kind != MapKind {
			continue
		}
		d := spec.Get("display")
		if d == nil {
			d = NewMap(nil)
			prepend(spec, "display", d)
		}
		if d.Kind == MapKind && d.Get("name") == nil {
			prepend(d, "name", NewString("", nil))
		}
	}
}

// prepend sets key k first in a map node, where the model puts it.
func prepend(n *Node, k string, v *Node) {
	n.Keys = append([]string{k}, n.Keys...)
	n.Vals = append([]*Node{v}, n.Vals...)
}

// The Kubernetes output has the folders of the Perses one (see emit), for
// kubectl apply -f, Argo CD and Flux: each object in its own file, and
// each bundle a multi-document YAML file, or a JSON v1 List, which kubectl
// reads whole (it splits both). A project's Namespace is its project file.

// CRDLayout returns the output tree of custom resources made by CRDs, in
// memory, sorted by path.
func CRDLayout(crs []*Resource, f Format) []OutputFile {
	var files []OutputFile
	bufs := map[string]*bytes.Buffer{}
	put := func(path string, data []byte) error {
		files = append(files, OutputFile{path, data})
		return nil
	}
	open := func(path string) (io.Writer, error) {
		b := new(bytes.Buffer)
		bufs[path] = b
		return b, nil
	}
	if err := emitCRDs(crs, f, put, open); err != nil {
		panic(err) // writing to memory does not fail
	}
	for p, b := range bufs {
		files = append(files, OutputFile{p, b.Bytes()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// WriteCRDOutput replaces dir with the output tree of custom resources,
// atomically, as WriteOutput does.
func WriteCRDOutput(dir string, crs []*Resource, f Format) error {
	return outdir.Replace(dir, func(tmp string) error {
		var bundles []*bufio.Writer
		var files []*os.File
		defer func() {
			for _, fh := range files {
				fh.Close()
			}
		}()
		create := func(path string) (*os.File, error) {
			p := filepath.Join(tmp, filepath.FromSlash(path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			return os.Create(p)
		}
		put := func(path string, data []byte) error {
			fh, err := create(path)
			if err != nil {
				return err
			}
			_, err = fh.Write(data)
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
			return err
		}
		open := func(path string) (io.Writer, error) {
			fh, err := create(path)
			if err != nil {
				return nil, err
			}
			files = append(files, fh)
			w := bufio.NewWriterSize(fh, 64<<10)
			bundles = append(bundles, w)
			return w, nil
		}
		if err := emitCRDs(crs, f, put, open); err != nil {
			return err
		}
		for i, w := range bundles {
			if err := w.Flush(); err != nil {
				return err
			}
			if err := files[i].Close(); err != nil {
				return err
			}
		}
		files = nil
		return nil
	})
}

// emitCRDs is emit for Kubernetes objects: the same files, bundles
// written as object streams rather than lists.
func emitCRDs(crs []*Resource, f Format, put func(path string, data []byte) error, open func(path string) (io.Writer, error)) error {
	ext := "." + string(f)
	root, err := open("bundle" + ext)
	if err != nil {
		return err
	}
	all := &objectStream{w: root, f: f}
	for _, g := range plan(crs, ext) {
		w, err := open(g.path)
		if err != nil {
			return err
		}
		s := &objectStream{w: w, f: f}
		for start := 0; start < len(g.items); start += emitChunk {
			chunk := g.items[start:min(start+emitChunk, len(g.items))]
			enc := encodeAll(crs, chunk, f)
			for k, i := range chunk {
				if err := put(resourcePath(crs[i], ext), enc[k]); err != nil {
					return err
				}
				s.add(enc[k])
				all.add(enc[k])
			}
		}
		if err := s.close(); err != nil {
			return err
		}
	}
	return all.close()
}

// objectStream writes encoded objects as one file kubectl reads whole: YAML
// documents separated by ---, or the items of a JSON v1 List, laid out as
// encoding the whole List would.
type objectStream struct {
	w   io.Writer
	f   Format
	n   int
	err error
}

func (s *objectStream) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func (s *objectStream) add(obj []byte) {
	var b bytes.Buffer
	switch {
	case s.f == YAML && s.n > 0:
		b.WriteString("---\n")
		b.Write(obj)
	case s.f == YAML:
		b.Write(obj)
	default:
		if s.n == 0 {
			b.WriteString("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n")
		} else {
			b.WriteString(",\n")
		}
		indentLines(&b, bytes.TrimSuffix(obj, []byte("\n")), "    ", "    ")
	}
	s.n++
	s.write(b.Bytes())
}

func (s *objectStream) close() error {
	switch {
	case s.f == JSON && s.n == 0:
		s.write([]byte("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n"))
	case s.f == JSON:
		s.write([]byte("\n  ]\n}\n"))
	}
	return s.err
}
