package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// ReadOutput reads the resources of an output folder written by
// WriteOutput, from its root bundle (bundle.yaml, or bundle.json), so that
// a new compilation can be compared with it. It needs nothing else from
// the folder: a build checked out from Git, without pyrobuild's marker
// file, reads the same.
func ReadOutput(dir string) ([]*model.Resource, error) {
	var src *model.Source
	var f Format
	for _, f = range []Format{YAML, JSON} {
		p := filepath.Join(dir, "bundle."+string(f))
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		src = model.NewSource(p, data)
		break
	}
	if src == nil {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a folder", dir)
		}
		return nil, fmt.Errorf("%s has no bundle.yaml or bundle.json: it is not an output folder of pyrobuild compile", dir)
	}
	var docs []*model.Node
	if f == JSON {
		n, d := compiler.ParseJSON(src)
		if d != nil {
			return nil, fmt.Errorf("%s: %s", d.Pos, d.Message)
		}
		docs = []*model.Node{n}
	} else {
		var d *diag.Diagnostic
		if docs, d = compiler.ParseYAML(src); d != nil {
			return nil, fmt.Errorf("%s: %s", d.Pos, d.Message)
		}
	}
	var out []*model.Resource
	for _, doc := range docs {
		items := []*model.Node{doc}
		if doc.Kind == model.ListKind {
			items = doc.Items
		}
		for _, n := range items {
			if n.Get("apiVersion") != nil {
				// Perses resources have no apiVersion; Kubernetes objects
				// (compile --crd) do, and name things differently.
				return nil, fmt.Errorf("%s holds Kubernetes objects (pyrobuild compile --crd): diff compares builds written without --crd", dir)
			}
			kind, _ := n.Str("kind")
			name, _ := n.Get("metadata").Str("name")
			project, _ := n.Get("metadata").Str("project")
			if kind == "" || name == "" {
				return nil, fmt.Errorf("%s: an item has no kind or metadata.name: not a bundle written by pyrobuild", n.Pos)
			}
			// In wire form only global kinds (and Project) lack a project.
			out = append(out, &model.Resource{Kind: kind, Name: name, Project: project, Global: project == "", Node: n, Pos: n.Pos})
		}
	}
	compiler.SortResources(out)
	return out, nil
}

// Change operations, of a resource or of one of its fields.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// FieldChange is one value that differs between two versions of a
// resource.
type FieldChange struct {
	// Op is Added, Removed or Changed.
	Op string `json:"op"`
	// Path is the JSON pointer (RFC 6901) of the value in the resource,
	// e.g. /spec/panels/api/spec/display/name.
	Path string `json:"path"`
	// Old and New are the values as compact JSON, with the values of
	// credential fields masked; Old is empty for an added field, New for a
	// removed one.
	Old json.RawMessage `json:"old,omitempty"`
	New json.RawMessage `json:"new,omitempty"`
}

// ResourceChange is one resource that differs between two builds.
type ResourceChange struct {
	// Op is Added, Removed or Changed.
	Op      string `json:"op"`
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Project string `json:"project,omitempty"`
	Name    string `json:"name"`
	// Fields are the changed values of a changed resource, in the order of
	// the new resource's keys (then the removed ones).
	Fields []FieldChange `json:"fields,omitempty"`

	global bool
}

// DiffResult is what changed between two sets of compiled resources.
type DiffResult struct {
	// Changes are the resources added, removed or changed, in apply order.
	Changes []ResourceChange
	// Unchanged counts the resources that are the same in both.
	Unchanged int
}

// Empty reports whether nothing changed.
func (d *DiffResult) Empty() bool { return len(d.Changes) == 0 }

// Count returns how many resources were added, removed and changed.
func (d *DiffResult) Count() (added, removed, changed int) {
	for _, c := range d.Changes {
		switch c.Op {
		case Added:
			added++
		case Removed:
			removed++
		default:
			changed++
		}
	}
	return
}

// Diff compares two sets of compiled resources (an earlier build and a new
// compilation) resource by resource, matching them by identity (kind,
// project, name). Values are compared structurally: the order of a map's
// keys does not matter, numbers are compared by value, list items by index.
func Diff(old, new []*model.Resource) *DiffResult {
	byID := make(map[string]*model.Resource, len(old))
	for _, r := range old {
		byID[r.ID()] = r
	}
	seen := make(map[string]bool, len(new))
	res := &DiffResult{}
	for _, r := range new {
		id := r.ID()
		seen[id] = true
		o := byID[id]
		if o == nil {
			res.Changes = append(res.Changes, resourceChange(Added, r))
			continue
		}
		d := &differ{kind: r.Kind}
		d.node(nil, o.Tree(), r.Tree())
		if len(d.fields) == 0 {
			res.Unchanged++
			continue
		}
		c := resourceChange(Changed, r)
		c.Fields = d.fields
		res.Changes = append(res.Changes, c)
	}
	for _, r := range old {
		if !seen[r.ID()] {
			res.Changes = append(res.Changes, resourceChange(Removed, r))
		}
	}
	sort.SliceStable(res.Changes, func(i, j int) bool {
		a, b := res.Changes[i], res.Changes[j]
		if a.global != b.global {
			return a.global
		}
		if a.Project != b.Project {
			return a.Project < b.Project
		}
		if ka, kb := compiler.KindRank(a.Kind), compiler.KindRank(b.Kind); ka != kb {
			return ka < kb
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Name < b.Name
	})
	return res
}

func resourceChange(op string, r *model.Resource) ResourceChange {
	return ResourceChange{Op: op, ID: r.ID(), Kind: r.Kind, Project: r.Project, Name: r.Name, global: r.Global}
}

// differ collects the field changes of one resource.
type differ struct {
	kind   string
	fields []FieldChange
}

func (d *differ) add(op string, path []string, old, new *model.Node) {
	fc := FieldChange{Op: op, Path: pointer(path)}
	if old != nil {
		fc.Old = d.value(path, old)
	}
	if new != nil {
		fc.New = d.value(path, new)
	}
	if op == Changed && bytes.Equal(fc.Old, fc.New) {
		// Two different credentials, both masked: still a change, and it
		// must say so without saying what.
		fc.Old, fc.New = json.RawMessage(`"`+maskedOld+`"`), json.RawMessage(`"`+maskedNew+`"`)
	}
	d.fields = append(d.fields, fc)
}

// Masks of credential values. A changed secret shows two different masks
// so that it reads as a change.
const (
	masked    = "********"
	maskedOld = "******** (old)"
	maskedNew = "******** (new)"
)

func (d *differ) node(path []string, a, b *model.Node) {
	if sameScalar(a, b) {
		return
	}
	switch {
	case a.Kind == model.MapKind && b.Kind == model.MapKind:
		for i, k := range b.Keys {
			p := append(path[:len(path):len(path)], k)
			if av := a.Get(k); av != nil {
				d.node(p, av, b.Vals[i])
			} else {
				d.add(Added, p, nil, b.Vals[i])
			}
		}
		for i, k := range a.Keys {
			if b.Get(k) == nil {
				d.add(Removed, append(path[:len(path):len(path)], k), a.Vals[i], nil)
			}
		}
	case a.Kind == model.ListKind && b.Kind == model.ListKind:
		for i := range max(len(a.Items), len(b.Items)) {
			p := append(path[:len(path):len(path)], strconv.Itoa(i))
			switch {
			case i >= len(a.Items):
				d.add(Added, p, nil, b.Items[i])
			case i >= len(b.Items):
				d.add(Removed, p, a.Items[i], nil)
			default:
				d.node(p, a.Items[i], b.Items[i])
			}
		}
	default:
		d.add(Changed, path, a, b)
	}
}

// sameScalar reports whether a and b are equal scalars. Numbers are equal
// when their values are (1.0 and 1), whatever their spelling.
func sameScalar(a, b *model.Node) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case model.NullKind:
		return true
	case model.BoolKind, model.StringKind:
		return a.Value == b.Value
	case model.NumberKind:
		if a.Value == b.Value {
			return true
		}
		x, ok1 := new(big.Float).SetString(a.Value)
		y, ok2 := new(big.Float).SetString(b.Value)
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	return false
}

// pointer writes a path as a JSON pointer.
func pointer(path []string) string {
	if len(path) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// value writes n as compact JSON, masking credentials below path.
func (d *differ) value(path []string, n *model.Node) json.RawMessage {
	var b bytes.Buffer
	d.writeValue(&b, path, n)
	return b.Bytes()
}

func (d *differ) writeValue(b *bytes.Buffer, path []string, n *model.Node) {
	switch n.Kind {
	case model.MapKind:
		b.WriteByte('{')
		for i, k := range n.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			d.writeValue(b, append(path[:len(path):len(path)], k), n.Vals[i])
		}
		b.WriteByte('}')
	case model.ListKind:
		b.WriteByte('[')
		for i, e := range n.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			d.writeValue(b, append(path[:len(path):len(path)], strconv.Itoa(i)), e)
		}
		b.WriteByte(']')
	default:
		if n.Kind != model.NullKind && isCredential(d.kind, path) {
			writeJSONString(b, masked)
			return
		}
		if n.Kind == model.StringKind && strings.Contains(n.Value, "://") {
			// A credential written inside a URL is not shown either.
			writeJSONString(b, diag.RedactURLs(n.Value))
			return
		}
		writeJSONNode(b, n)
	}
}

func writeJSONNode(b *bytes.Buffer, n *model.Node) {
	switch n.Kind {
	case model.NullKind:
		b.WriteString("null")
	case model.BoolKind, model.NumberKind:
		b.WriteString(n.Value)
	case model.StringKind:
		writeJSONString(b, n.Value)
	}
}

// credentialKeyRe matches the names of fields that hold credentials
// anywhere in a resource.
var credentialKeyRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^(password|credentials|clientSecret|token|accessToken|apiKey|privateKey|bearerToken)$`)
})

// secretPlainKeys are the fields of a Secret's spec that are not
// credentials, so a diff may show them (every other value of a Secret is
// masked: a field Perses adds later is hidden until it is known here).
var secretPlainKeys = map[string]bool{
	"username": true, "clientID": true, "tokenURL": true, "scopes": true, "authStyle": true,
	"type": true, "serverName": true, "insecureSkipVerify": true, "ca": true, "cert": true,
}

// isCredential reports whether the scalar at path in a resource of kind is
// a credential, whose value a diff must not print.
func isCredential(kind string, path []string) bool {
	if len(path) == 0 {
		return false
	}
	last := path[len(path)-1]
	if (kind == "Secret" || kind == "GlobalSecret") && path[0] == "spec" {
		// Paths to files on the server are not secrets.
		return !secretPlainKeys[last] && !strings.HasSuffix(last, "File") && !isIndex(last)
	}
	if credentialKeyRe().MatchString(last) {
		return true
	}
	return len(path) >= 2 && path[len(path)-2] == "headers" && compiler.CredentialHeader(last)
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// WriteText prints the changes for people: a line per resource (+ added,
// - removed, ~ changed), then each changed field with its old and new
// values, then a summary. Long values are shortened.
func (d *DiffResult) WriteText(w io.Writer, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	var b bytes.Buffer
	for _, c := range d.Changes {
		switch c.Op {
		case Added:
			b.WriteString(paint("32", "+ "+c.ID) + "\n")
		case Removed:
			b.WriteString(paint("31", "- "+c.ID) + "\n")
		default:
			b.WriteString(paint("33", "~ "+c.ID) + "\n")
		}
		for _, f := range c.Fields {
			path := f.Path
			if path == "" {
				path = "/"
			}
			switch f.Op {
			case Added:
				fmt.Fprintf(&b, "    %s: %s %s\n", path, paint("32", "added"), shorten(f.New))
			case Removed:
				fmt.Fprintf(&b, "    %s: %s %s\n", path, paint("31", "removed"), shorten(f.Old))
			default:
				fmt.Fprintf(&b, "    %s: %s → %s\n", path, paint("31", shorten(f.Old)), paint("32", shorten(f.New)))
			}
		}
	}
	b.WriteString(d.summary() + "\n")
	_, err := w.Write(b.Bytes())
	return err
}

func (d *DiffResult) summary() string {
	added, removed, changed := d.Count()
	if d.Empty() {
		return fmt.Sprintf("no changes (%s unchanged)", countWord(d.Unchanged, "resource"))
	}
	verb := "differ"
	if len(d.Changes) == 1 {
		verb = "differs"
	}
	return fmt.Sprintf("%s %s: %d added, %d removed, %d changed, %d unchanged",
		countWord(len(d.Changes), "resource"), verb, added, removed, changed, d.Unchanged)
}

func countWord(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// maxTextValue bounds a value printed by WriteText, in runes.
const maxTextValue = 120

func shorten(v json.RawMessage) string {
	s := []rune(string(v))
	if len(s) <= maxTextValue {
		return string(s)
	}
	return string(s[:maxTextValue-1]) + "…"
}

// jsonDiff is the machine-readable form of a DiffResult.
type jsonDiff struct {
	Added     int              `json:"added"`
	Removed   int              `json:"removed"`
	Changed   int              `json:"changed"`
	Unchanged int              `json:"unchanged"`
	Resources []ResourceChange `json:"resources"`
}

// WriteJSON prints the changes as one JSON object for scripts: the counts,
// and "resources", the changed resources (an empty array when nothing
// changed) with their field changes and full values.
func (d *DiffResult) WriteJSON(w io.Writer) error {
	added, removed, changed := d.Count()
	out := jsonDiff{Added: added, Removed: removed, Changed: changed, Unchanged: d.Unchanged, Resources: d.Changes}
	if out.Resources == nil {
		out.Resources = []ResourceChange{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
