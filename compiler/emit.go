package compiler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
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
func Encode(n *Node, f Format) []byte {
	var b bytes.Buffer
	if f == JSON {
		writeJSON(&b, n, "")
		b.WriteByte('\n')
		return b.Bytes()
	}
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
func EncodeList(ns []*Node, f Format) []byte {
	items := make([][]byte, len(ns))
	for i, n := range ns {
		items[i] = Encode(n, f)
	}
	return joinList(items, f)
}

func writeJSON(b *bytes.Buffer, n *Node, indent string) {
	switch n.Kind {
	case NullKind:
		b.WriteString("null")
	case BoolKind, NumberKind:
		b.WriteString(n.Value)
	case StringKind:
		writeJSONString(b, n.Value)
	case ListKind:
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
	case MapKind:
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

func toYAML(n *Node) *yaml.Node {
	switch n.Kind {
	case MapKind:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i, k := range n.Keys {
			y.Content = append(y.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, toYAML(n.Vals[i]))
		}
		return y
	case ListKind:
		y := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range n.Items {
			y.Content = append(y.Content, toYAML(e))
		}
		return y
	case StringKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.Value}
	case NumberKind:
		tag := "!!int"
		if strings.ContainsAny(n.Value, ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: n.Value}
	case BoolKind:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.Value}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

// folder names for each kind, as in the Perses API paths.
func kindFolder(kind string) string {
	return strings.ToLower(kind) + "s"
}

// OutputFile is one file of the output tree.
type OutputFile struct {
	Path string // relative to the output folder, with forward slashes
	Data []byte
}

// Layout lays out the output tree:
//
//	bundle.<ext>                          everything, in apply order
//	global/bundle.<ext>                   the global resources
//	global/<kinds>/<name>.<ext>
//	projects/<project>/bundle.<ext>       the Project, then its resources
//	projects/<project>/<kinds>/<name>.<ext>
//
// Projects themselves are written as projects/<name>/project.<ext>.
func Layout(rs []*Resource, f Format) []OutputFile {
	ext := "." + string(f)
	enc := encodeAll(rs, f)
	var files []OutputFile
	var all, global [][]byte
	perProject := map[string][][]byte{}
	var projects []string
	addProject := func(p string) {
		if _, ok := perProject[p]; !ok {
			perProject[p] = nil
			projects = append(projects, p)
		}
	}
	// Project resources lead their project's bundle.
	for i, r := range rs {
		if r.Kind == "Project" {
			addProject(r.Name)
			perProject[r.Name] = append(perProject[r.Name], enc[i])
			files = append(files, OutputFile{"projects/" + r.Name + "/project" + ext, enc[i]})
		}
	}
	for i, r := range rs {
		switch {
		case r.Kind == "Project":
		case r.Global:
			global = append(global, enc[i])
			files = append(files, OutputFile{"global/" + kindFolder(r.Kind) + "/" + r.Name + ext, enc[i]})
		default:
			addProject(r.Project)
			perProject[r.Project] = append(perProject[r.Project], enc[i])
			files = append(files, OutputFile{"projects/" + r.Project + "/" + kindFolder(r.Kind) + "/" + r.Name + ext, enc[i]})
		}
	}
	sort.Strings(projects)
	all = append(all, global...)
	if len(global) > 0 {
		files = append(files, OutputFile{"global/bundle" + ext, joinList(global, f)})
	}
	for _, p := range projects {
		all = append(all, perProject[p]...)
		files = append(files, OutputFile{"projects/" + p + "/bundle" + ext, joinList(perProject[p], f)})
	}
	files = append(files, OutputFile{"bundle" + ext, joinList(all, f)})
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// encodeAll encodes every resource once, in parallel; bundles reuse the
// bytes. The result does not depend on scheduling.
func encodeAll(rs []*Resource, f Format) [][]byte {
	out := make([][]byte, len(rs))
	var wg sync.WaitGroup
	next := make(chan int, len(rs))
	for i := range rs {
		next <- i
	}
	close(next)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = Encode(rs[i].Node, f)
			}
		}()
	}
	wg.Wait()
	return out
}

// joinList makes a YAML sequence or JSON array of encoded resources by
// indenting them as items, which gives the bytes encoding the list would.
func joinList(items [][]byte, f Format) []byte {
	var b bytes.Buffer
	if f == JSON {
		if len(items) == 0 {
			return []byte("[]\n")
		}
		b.WriteString("[\n")
		for i, it := range items {
			indentLines(&b, bytes.TrimSuffix(it, []byte("\n")), "  ", "  ")
			if i < len(items)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString("]\n")
		return b.Bytes()
	}
	if len(items) == 0 {
		return []byte("[]\n")
	}
	for _, it := range items {
		indentLines(&b, bytes.TrimSuffix(it, []byte("\n")), "- ", "  ")
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// indentLines writes text with first before its first line and rest
// before every other non-empty line.
func indentLines(b *bytes.Buffer, text []byte, first, rest string) {
	for i, line := range bytes.Split(text, []byte("\n")) {
		switch {
		case i == 0:
			b.WriteString(first)
		case len(line) > 0:
			b.WriteString(rest)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	b.Truncate(b.Len() - 1)
}

// markerFile marks a folder as pyrobuild's output, so a mistaken -o never
// replaces a folder of the user's.
const markerFile = ".pyrobuild-output"

// WriteTree replaces dir with exactly files, atomically: the new tree is
// written beside dir and swapped in; on any failure dir is left as it was.
func WriteTree(dir string, files []OutputFile) error {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("output %s exists and is not a folder", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, markerFile)); err != nil {
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				return fmt.Errorf("output folder %s is not empty and was not written by pyrobuild; refusing to replace it (choose another -o, or empty it)", dir)
			}
		}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	cleanStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range append(files, OutputFile{markerFile, []byte("This folder is written by pyrobuild and replaced on every build.\n")}) {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	if err := swapDirs(tmp, dir); err != nil {
		return err
	}
	ok = true
	return nil
}

// cleanStale removes temp folders left by an earlier run that was killed.
func cleanStale(parent, base string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "."+base+".tmp-") || strings.HasPrefix(e.Name(), "."+base+".old-") {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}
