package remote

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/bundle"
	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/perses"
)

// PullOptions say how pull writes the sources.
type PullOptions struct {
	// Lang is "yaml" or "cue".
	Lang string
	// Authoring writes profile queries in the authoring form (short
	// profile type names, a query selector) where that compiles back to
	// the same query.
	Authoring bool
}

// PulledFile is one source file pull writes.
type PulledFile struct {
	Name string // the file's name, kind-name.ext
	Data []byte
	// ID is the resource it holds.
	ID string
	// SecretVars are the environment variables its placeholders name.
	SecretVars []string
}

// Pull reads the project and its resources from the server and returns
// them as source files, one per resource, that compile back to what the
// server holds (secret values aside: the server never returns them, so
// the files name environment variables instead).
func Pull(ctx context.Context, c *perses.Client, project string, o PullOptions) ([]PulledFile, error) {
	raw, err := c.Get(ctx, perses.Ref{Kind: "Project", Name: project})
	if err != nil {
		if perses.NotFound(err) {
			return nil, fmt.Errorf("the server %s has no project %q", c.URL(), project)
		}
		return nil, err
	}
	p, err := serverItem(raw, "Project")
	if err != nil {
		return nil, err
	}
	items := []*Item{p}
	for _, kind := range perses.ProjectKinds {
		l, err := list(ctx, c, kind, p.Ref.Name)
		if err != nil {
			return nil, err
		}
		items = append(items, l...)
	}
	sortItems(items)
	var schema *model.Schema
	if o.Authoring {
		schema = compiler.MustSchema()
	}
	files := make([]PulledFile, 0, len(items))
	for _, it := range items {
		r := it.Server
		n := r.Node
		f := PulledFile{ID: r.ID(), Name: fileName(r.Kind, r.Name, o.Lang)}
		if isSecret(r.Kind) {
			f.SecretVars = placeholders(n, r.Project, r.Name)
		}
		if schema != nil {
			toAuthoring(n, schema, 0)
		}
		if o.Lang == "cue" {
			f.Data = cueFile(n, r, f.SecretVars)
		} else {
			f.Data = append(secretComment(f.SecretVars, "#"), bundle.Encode(n, bundle.YAML)...)
		}
		files = append(files, f)
	}
	return files, nil
}

// fileName is kind-name.ext, in lower case: "datasource-pyroscope.yaml".
func fileName(kind, name, lang string) string {
	ext := ".yaml"
	if lang == "cue" {
		ext = ".cue"
	}
	safe := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, name)
	return strings.ToLower(kind) + "-" + safe + ext
}

func secretComment(vars []string, mark string) []byte {
	if len(vars) == 0 {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s The Perses server never returns a secret's values: each ${env:NAME} below\n", mark)
	fmt.Fprintf(&b, "%s is read from the environment of the machine that runs pyrobuild apply\n", mark)
	fmt.Fprintf(&b, "%s (or write ${file:PATH}). Set them before applying:\n", mark)
	for _, v := range vars {
		fmt.Fprintf(&b, "%s   %s\n", mark, v)
	}
	return b.Bytes()
}

// cueFile writes n as a CUE file of package pulled, checked against
// pyrobuild's schema: JSON is CUE, so the value is the JSON encoding.
func cueFile(n *model.Node, r *model.Resource, vars []string) []byte {
	var b bytes.Buffer
	b.Write(secretComment(vars, "//"))
	b.WriteString("package pulled\n\n")
	def := schemaDefs[r.Kind]
	if def != "" {
		b.WriteString("import pb \"github.com/pyrobuild/pyrobuild/schema\"\n\n")
	}
	field := cueIdent(strings.ToLower(r.Kind) + "_" + r.Name)
	if def != "" {
		fmt.Fprintf(&b, "%s: pb.%s & ", field, def)
	} else {
		// A kind pyrobuild passes through has no schema of its own: the
		// value alone.
		fmt.Fprintf(&b, "%s: ", field)
	}
	b.Write(bundle.Encode(n, bundle.JSON))
	return b.Bytes()
}

// schemaDefs names the definition of pyrobuild's CUE schema for each kind
// it models (#Variable is a dashboard's variable, hence the two names).
var schemaDefs = map[string]string{
	"Project": "#Project", "Datasource": "#Datasource", "GlobalDatasource": "#GlobalDatasource",
	"Secret": "#Secret", "GlobalSecret": "#GlobalSecret", "Dashboard": "#Dashboard",
	"Variable": "#VariableResource", "GlobalVariable": "#GlobalVariableResource",
}

// cueIdent is s as a CUE field name: quoted unless it is an identifier
// (quoted names need no escaping beyond Go's).
func cueIdent(s string) string {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return strconv.Quote(s)
		}
	}
	return s
}

// toAuthoring rewrites the profile queries under n in the authoring form
// where it is unambiguous: a profile type ID with exactly one short name
// becomes that name; service and filters become a query selector when
// every value can be written in one.
func toAuthoring(n *model.Node, s *model.Schema, depth int) {
	if n == nil || depth > model.MaxDepth {
		return
	}
	switch n.Kind {
	case model.ListKind:
		for _, v := range n.Items {
			toAuthoring(v, s, depth+1)
		}
	case model.MapKind:
		if k, _ := n.Str("kind"); k == "PyroscopeProfileQuery" {
			if spec := n.Get("spec"); spec != nil && spec.Kind == model.MapKind {
				authoringQuery(spec, s)
			}
			return
		}
		for _, v := range n.Vals {
			toAuthoring(v, s, depth+1)
		}
	}
}

func authoringQuery(spec *model.Node, s *model.Schema) {
	if pt, ok := spec.Str("profileType"); ok {
		if short := shortName(pt, s); short != "" {
			spec.Set("profileType", model.NewString(short, spec))
		}
	}
	if q, ok := selector(spec); ok {
		spec.Delete("service")
		spec.Delete("filters")
		spec.Set("query", model.NewString(q, spec))
	}
}

// shortName is the one short name of the profile type id, or "".
func shortName(id string, s *model.Schema) string {
	var names []string
	for short, full := range s.Aliases {
		if full == id {
			names = append(names, short)
		}
	}
	if len(names) != 1 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

// selector writes service and filters as a label selector, when every
// value can be written (the Perses UI does not escape quotes or
// backslashes, so the compiler refuses them in a query).
func selector(spec *model.Node) (string, bool) {
	service, ok := spec.Str("service")
	if !ok || service == "" || !plainValue(service) {
		return "", false
	}
	parts := []string{`service_name="` + service + `"`}
	if f := spec.Get("filters"); f != nil {
		if f.Kind != model.ListKind {
			return "", false
		}
		for _, m := range f.Items {
			name, _ := m.Str("labelName")
			op, _ := m.Str("operator")
			val, _ := m.Str("labelValue")
			if name == "" || name == "service_name" || !plainValue(val) || len(m.Keys) != 3 {
				return "", false
			}
			switch op {
			case "=", "!=", "=~", "!~":
			default:
				return "", false
			}
			parts = append(parts, name+op+`"`+val+`"`)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}", true
}

func plainValue(s string) bool {
	return !strings.ContainsAny(s, "\"\\\n")
}
