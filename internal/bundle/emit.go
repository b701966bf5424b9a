// Package bundle writes compiled resources as pyrobuild's output folder
// (the layout below, in YAML or JSON, streamed to disk and swapped in
// whole), leaves an unchanged output folder alone (stamps), and reads an
// output folder back to compare it with a new compilation (pyrobuild
// diff).
package bundle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/outdir"
	"github.com/pyrobuild/pyrobuild/internal/parallel"
)

// Format is an output encoding.
type Format string

// Output formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "yaml", "yml":
		return YAML, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("unknown format %q: use yaml or json", s)
}

// Encode writes one node in the given format with stable formatting.
func Encode(n *model.Node, f Format) []byte {
	var b bytes.Buffer
	if f == JSON {
		writeJSON(&b, n, "")
		b.WriteByte('\n')
		return b.Bytes()
	}
	if writeYAMLFast(&b, n) {
		return b.Bytes()
	}
	return encodeYAMLv3(n)
}

// encodeYAMLv3 is Encode's YAML through yaml.v3, the reference that
// writeYAMLFast matches.
func encodeYAMLv3(n *model.Node) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(toYAML(n)); err != nil {
		panic(err) // our own tree always encodes
	}
	enc.Close()
	return b.Bytes()
}

// EncodeList writes nodes as one YAML sequence or JSON array: the bundle
// form percli reads whole (it reads only the first document of a
// multi-document YAML file).
func EncodeList(ns []*model.Node, f Format) []byte {
	items := make([][]byte, len(ns))
	for i, n := range ns {
		items[i] = Encode(n, f)
	}
	return joinList(items, f)
}

func writeJSON(b *bytes.Buffer, n *model.Node, indent string) {
	switch n.Kind {
	case model.NullKind:
		b.WriteString("null")
	case model.BoolKind, model.NumberKind:
		b.WriteString(n.Value)
	case model.StringKind:
		writeJSONString(b, n.Value)
	case model.ListKind:
		if len(n.Items) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range n.Items {
			b.WriteString(indent + "  ")
			writeJSON(b, e, indent+"  ")
			if i < len(n.Items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case model.MapKind:
		if len(n.Keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range n.Keys {
			b.WriteString(indent + "  ")
			writeJSONString(b, k)
			b.WriteString(": ")
			writeJSON(b, n.Vals[i], indent+"  ")
			if i < len(n.Keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	var sb bytes.Buffer
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Write(bytes.TrimRight(sb.Bytes(), "\n"))
}

func toYAML(n *model.Node) *yaml.Node {
	switch n.Kind {
	case model.MapKind:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i, k := range n.Keys {
			y.Content = append(y.Content, yamlString(k), toYAML(n.Vals[i]))
		}
		return y
	case model.ListKind:
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range n.Items {
			y.Content = append(y.Content, toYAML(e))
		}
		return y
	case model.StringKind:
		return yamlString(n.Value)
	case model.NumberKind:
		tag := "!!int"
		if strings.ContainsAny(n.Value, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.Value}
	case model.BoolKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.Value}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

func yamlString(v string) *yaml.Node {
	y := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	if yaml11Ambiguous().MatchString(v) {
		// YAML 1.2 (yaml.v3) leaves these plain, but YAML 1.1 readers,
		// which much Kubernetes and Perses tooling still uses, would read
		// a boolean, a number or (a lone "=", a filter's operator) the
		// value key, which PyYAML refuses to load.
		y.Style = yaml.DoubleQuotedStyle
	}
	return y
}

// yaml11Ambiguous matches plain strings that YAML 1.1 reads as booleans
// (yaml11Words), sexagesimal numbers or the value key "=".
var yaml11Ambiguous = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + strings.Join(yaml11Words, "|") + `|=|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$`)
})

// yaml11Words are the words YAML 1.1 reads as booleans.
var yaml11Words = []string{"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}

// folder names for each kind, as in the Perses API paths.
func kindFolder(kind string) string {
	return strings.ToLower(kind) + "s"
}

// OutputFile is one file of the output tree.
type OutputFile struct {
	Path string // relative to the output folder, with forward slashes
	Data []byte
}

// The output tree:
//
//	bundle.<ext>                          everything, in apply order
//	global/bundle.<ext>                   the global resources
//	global/<kinds>/<name>.<ext>           (resource files)
//	projects/<project>/bundle.<ext>       the Project, then its resources
//	projects/<project>/project.<ext>      (resource files) the Project itself
//	projects/<project>/<kinds>/<name>.<ext> (resource files)
//
// The bundles are what `percli apply -f` and the operator's users read;
// the file of each resource is written only when asked (ResourceFiles): a
// cold compilation of N dashboards otherwise creates N files more, and
// creating a file costs more than encoding a dashboard on some disks.

// bundleGroup is the resources of one bundle below the root one, in order.
type bundleGroup struct {
	path  string
	items []int // indexes into the resources
}

// plan orders the resources into bundles: the global ones, then each
// project (sorted) led by its Project resource.
func plan(rs []*model.Resource, ext string) []bundleGroup {
	global := bundleGroup{path: "global/bundle" + ext}
	byProject := map[string]*bundleGroup{}
	var projects []string
	group := func(p string) *bundleGroup {
		if g, ok := byProject[p]; ok {
			return g
		}
		g := &bundleGroup{path: "projects/" + p + "/bundle" + ext}
		byProject[p] = g
		projects = append(projects, p)
		return g
	}
	for i, r := range rs {
		if r.Kind == "Project" {
			g := group(r.Name)
			g.items = append(g.items, i)
		}
	}
	for i, r := range rs {
		switch {
		case r.Kind == "Project":
		case r.Global:
			global.items = append(global.items, i)
		default:
			g := group(r.Project)
			g.items = append(g.items, i)
		}
	}
	sort.Strings(projects)
	var out []bundleGroup
	if len(global.items) > 0 {
		out = append(out, global)
	}
	for _, p := range projects {
		out = append(out, *byProject[p])
	}
	return out
}

func resourcePath(r *model.Resource, ext string) string {
	switch {
	case r.Kind == "Project":
		return "projects/" + r.Name + "/project" + ext
	case r.Global:
		return "global/" + kindFolder(r.Kind) + "/" + r.Name + ext
	}
	return "projects/" + r.Project + "/" + kindFolder(r.Kind) + "/" + r.Name + ext
}

// A Style is how bundle files hold their resources: Perses bundles are
// lists, which percli reads whole (Lists); package crd writes streams of
// Kubernetes objects.
type Style interface {
	// Item is an encoded resource as a bundle holds it: the root bundle
	// and the resource's own bundle write the same bytes.
	Item(enc []byte, f Format) []byte
	// Open starts a bundle file on w.
	Open(w io.Writer, f Format) Stream
}

// A Stream writes the items of one bundle file.
type Stream interface {
	// Add writes the next item (see Style.Item).
	Add(item []byte)
	// Close ends the file and reports the first error writing it.
	Close() error
}

// Lists is the Style of Perses bundles: a YAML sequence or a JSON array.
var Lists Style = listStyle{}

type listStyle struct{}

func (listStyle) Item(enc []byte, f Format) []byte  { return listItem(enc, f) }
func (listStyle) Open(w io.Writer, f Format) Stream { return newListWriter(w, f) }

// emitChunk bounds how many encoded resources are held at once.
const emitChunk = 256

// emit produces the output tree: put receives each resource's file (nil:
// none is written), open each bundle, which is written item by item. Resources are encoded in
// parallel, a chunk at a time, so memory does not grow with the output.
func emit(rs []*model.Resource, f Format, style Style, put func(path string, data []byte) error, open func(path string) (io.Writer, error)) error {
	ext := "." + string(f)
	root, err := open("bundle" + ext)
	if err != nil {
		return err
	}
	all := style.Open(root, f)
	for _, g := range plan(rs, ext) {
		w, err := open(g.path)
		if err != nil {
			return err
		}
		s := style.Open(w, f)
		for start := 0; start < len(g.items); start += emitChunk {
			chunk := g.items[start:min(start+emitChunk, len(g.items))]
			enc := encodeAll(rs, chunk, f)
			for k, i := range chunk {
				if put != nil {
					if err := put(resourcePath(rs[i], ext), enc[k]); err != nil {
						return err
					}
				}
				item := style.Item(enc[k], f)
				s.Add(item)
				all.Add(item)
			}
		}
		if err := s.Close(); err != nil {
			return err
		}
	}
	return all.Close()
}

// Layout returns the output tree in memory, sorted by path, with the file
// of each resource.
func Layout(rs []*model.Resource, f Format) []OutputFile {
	return LayoutStyle(rs, f, Lists)
}

// LayoutStyle is Layout with bundles in the given style.
func LayoutStyle(rs []*model.Resource, f Format, style Style) []OutputFile {
	return LayoutTree(rs, f, style, ResourceFiles)
}

// What an output tree holds beside its bundles.
type Files bool

// ResourceFiles is a tree with the file of each resource; BundlesOnly
// one without, the default output of pyrobuild compile.
const (
	ResourceFiles Files = true
	BundlesOnly   Files = false
)

// LayoutTree is LayoutStyle with the file of each resource only when
// files says so.
func LayoutTree(rs []*model.Resource, f Format, style Style, files Files) []OutputFile {
	var out []OutputFile
	bufs := map[string]*bytes.Buffer{}
	var order []string
	var put func(path string, data []byte) error
	if files {
		put = func(path string, data []byte) error {
			out = append(out, OutputFile{path, data})
			return nil
		}
	}
	open := func(path string) (io.Writer, error) {
		b := new(bytes.Buffer)
		bufs[path] = b
		order = append(order, path)
		return b, nil
	}
	if err := emit(rs, f, style, put, open); err != nil {
		panic(err) // writing to memory does not fail
	}
	for _, p := range order {
		out = append(out, OutputFile{p, bufs[p].Bytes()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// WriteOutput replaces dir with the output tree of rs, the file of each
// resource included, atomically (see replaceDir), streaming it to disk.
func WriteOutput(dir string, rs []*model.Resource, f Format) error {
	return writeOutput(dir, rs, f, Lists, ResourceFiles, nil)
}

// WriteOutputStyle is WriteOutput with bundles in the given style, and
// the file of each resource only when files says so.
func WriteOutputStyle(dir string, rs []*model.Resource, f Format, style Style, files Files) error {
	return writeOutput(dir, rs, f, style, files, nil)
}

// writeOutput is WriteOutputStyle; after the tree, done (if set) may add
// to the new folder before it is swapped in.
func writeOutput(dir string, rs []*model.Resource, f Format, style Style, which Files, done func(tmp string) error) error {
	return outdir.Replace(dir, func(t *outdir.Tree) error {
		t.SetFileMode(0o666) // as os.Create makes them
		var open []*bufio.Writer
		var files []*os.File
		defer func() {
			for _, fh := range files {
				fh.Close()
			}
		}()
		openBundle := func(path string) (io.Writer, error) {
			fh, err := t.Create(path)
			if err != nil {
				return nil, err
			}
			files = append(files, fh)
			w := bufio.NewWriterSize(fh, 64<<10)
			open = append(open, w)
			return w, nil
		}
		put := t.WriteFile
		if !which {
			put = nil
		}
		if err := emit(rs, f, style, put, openBundle); err != nil {
			return err
		}
		for i, w := range open {
			if err := w.Flush(); err != nil {
				return err
			}
			if err := files[i].Close(); err != nil {
				return err
			}
		}
		files = nil
		if done != nil {
			return done(t.Root())
		}
		return nil
	})
}

// encodeAll encodes the given resources in parallel. The result does not
// depend on scheduling.
func encodeAll(rs []*model.Resource, idx []int, f Format) [][]byte {
	out := make([][]byte, len(idx))
	parallel.Do(len(idx), func(k int) { out[k] = Encode(rs[idx[k]].Tree(), f) })
	return out
}

// listWriter writes encoded resources as the items of a YAML sequence or a
// JSON array, which gives the bytes encoding the whole list would.
type listWriter struct {
	w   io.Writer
	f   Format
	n   int
	err error
}

func newListWriter(w io.Writer, f Format) *listWriter { return &listWriter{w: w, f: f} }

func (l *listWriter) write(b []byte) {
	if l.err == nil {
		_, l.err = l.w.Write(b)
	}
}

// listItem is an encoded resource as an item of a list in format f:
// indented, and for YAML behind "- ". Every bundle holding the resource
// writes the same bytes.
func listItem(item []byte, f Format) []byte {
	var b bytes.Buffer
	b.Grow(len(item) + len(item)/8)
	text := bytes.TrimSuffix(item, []byte("\n"))
	if f == JSON {
		indentLines(&b, text, "  ", "  ")
	} else {
		indentLines(&b, text, "- ", "  ")
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Add writes an item listItem made.
func (l *listWriter) Add(item []byte) {
	if l.f == JSON {
		if l.n == 0 {
			l.write([]byte("[\n"))
		} else {
			l.write([]byte(",\n"))
		}
	}
	l.n++
	l.write(item)
}

func (l *listWriter) Close() error {
	switch {
	case l.n == 0:
		l.write([]byte("[]\n"))
	case l.f == JSON:
		l.write([]byte("\n]\n"))
	}
	return l.err
}

// joinList makes a YAML sequence or JSON array of encoded resources.
func joinList(items [][]byte, f Format) []byte {
	var b bytes.Buffer
	lw := newListWriter(&b, f)
	for _, it := range items {
		lw.Add(listItem(it, f))
	}
	lw.Close()
	return b.Bytes()
}

// Indent is text with first before its first line and rest before every
// other non-empty one: how a bundle indents the resources it holds.
func Indent(text []byte, first, rest string) []byte {
	var b bytes.Buffer
	b.Grow(len(text) + len(text)/8)
	indentLines(&b, text, first, rest)
	return b.Bytes()
}

// indentLines writes text with first before its first line and rest
// before every other non-empty line.
func indentLines(b *bytes.Buffer, text []byte, first, rest string) {
	b.WriteString(first)
	for {
		nl := bytes.IndexByte(text, '\n')
		if nl < 0 {
			b.Write(text)
			return
		}
		b.Write(text[:nl+1])
		text = text[nl+1:]
		if len(text) > 0 && text[0] != '\n' {
			b.WriteString(rest)
		}
	}
}
