package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// maxYAMLNodes bounds how many nodes one document may expand to through
// aliases, so an alias bomb fails fast instead of eating memory.
const maxYAMLNodes = 250_000

// ParseYAML parses every document of a YAML stream into Nodes.
func ParseYAML(src *model.Source) ([]*model.Node, *diag.Diagnostic) {
	if !utf8.Valid(src.Data) {
		off := 0
		for off < len(src.Data) {
			r, size := utf8.DecodeRune(src.Data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return nil, diag.Errorf(model.CodeYAMLSyntax, src.Pos(off), "file is not valid UTF-8").Diagnostic()
	}
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	var docs []*model.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(src, err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		c := &yamlConv{src: src}
		n, d := c.conv(doc.Content[0], 0)
		if d != nil {
			return nil, d
		}
		if n.Kind == model.NullKind {
			continue // an empty document, e.g. a trailing "---"
		}
		docs = append(docs, n)
	}
	return docs, nil
}

type yamlConv struct {
	src   *model.Source
	count int
}

func (c *yamlConv) pos(y *yaml.Node) (diag.Pos, int) {
	// yaml.v3 counts columns in characters; diagnostics use bytes.
	line := c.src.Line(y.Line)
	col, r := 0, 1
	for col < len(line) && r < y.Column {
		_, size := utf8.DecodeRuneInString(line[col:])
		col += size
		r++
	}
	return diag.Pos{File: c.src.Path, Line: y.Line, Col: col + 1}, c.src.Offset(y.Line, col+1)
}

// errorf starts an error at y.
func (c *yamlConv) errorf(y *yaml.Node, code diag.Code, format string, args ...any) diag.Report {
	p, _ := c.pos(y)
	return diag.Errorf(code, p, format, args...)
}

func (c *yamlConv) conv(y *yaml.Node, depth int) (*model.Node, *diag.Diagnostic) {
	c.count++
	if c.count > maxYAMLNodes {
		return nil, c.errorf(y, model.CodeInputLimit, "document expands to more than %d values (alias bomb?)", maxYAMLNodes).Diagnostic()
	}
	if depth > model.MaxDepth {
		return nil, c.errorf(y, model.CodeInputLimit, "nesting deeper than %d levels", model.MaxDepth).Diagnostic()
	}
	if y.Kind == yaml.AliasNode {
		n, d := c.conv(y.Alias, depth+1)
		if d != nil {
			return nil, d
		}
		// The alias stands where it is written.
		var off int
		n.Pos, off = c.pos(y)
		n.SetOrigin(nil, off)
		return n, nil
	}
	p, off := c.pos(y)
	n := &model.Node{Pos: p}
	n.SetOrigin(c.src, off)
	switch y.Kind {
	case yaml.DocumentNode:
		return c.conv(y.Content[0], depth)
	case yaml.MappingNode:
		n.Kind = model.MapKind
		if len(y.Content) > 0 {
			n.Keys = make([]string, 0, len(y.Content)/2)
			n.Vals = make([]*model.Node, 0, len(y.Content)/2)
		}
		// Small maps, most of them, find a duplicate key by a scan of the
		// keys before; larger ones with a map.
		var seen map[string]*yaml.Node
		if len(y.Content) > 2*smallMap {
			seen = make(map[string]*yaml.Node, len(y.Content)/2)
		}
		var merges []*yaml.Node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, c.errorf(k, model.CodeYAMLSyntax, "mapping keys must be plain strings").Diagnostic()
			}
			if isMergeKey(k) {
				merges = append(merges, v)
				continue
			}
			if first := firstKey(y.Content[:i], seen, k.Value); first != nil {
				at, _ := c.pos(first)
				return nil, c.errorf(k, model.CodeDuplicateKey, "duplicate key %q (first defined at line %d)", k.Value, first.Line).
					Hint("remove one of the two; YAML readers disagree on which one wins").
					Note(at, fmt.Sprintf("key %q is first defined here", k.Value)).
					Diagnostic()
			}
			if seen != nil {
				seen[k.Value] = k
			}
			cv, d := c.conv(v, depth+1)
			if d != nil {
				return nil, d
			}
			cv.KeyPos, _ = c.pos(k)
			n.Keys = append(n.Keys, k.Value)
			n.Vals = append(n.Vals, cv)
		}
		for _, m := range merges {
			if d := c.merge(n, m, depth); d != nil {
				return nil, d
			}
		}
	case yaml.SequenceNode:
		n.Kind = model.ListKind
		n.Items = make([]*model.Node, 0, len(y.Content))
		for _, e := range y.Content {
			cv, d := c.conv(e, depth+1)
			if d != nil {
				return nil, d
			}
			n.Items = append(n.Items, cv)
		}
	case yaml.ScalarNode:
		return c.scalar(y, n)
	}
	return n, nil
}

// smallMap is the number of keys up to which a mapping looks for a
// duplicate key by scanning the keys before it.
const smallMap = 16

func isMergeKey(k *yaml.Node) bool {
	return k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0)
}

// firstKey is the earlier key named name of a mapping: found in seen when
// the mapping is large (seen not nil), else among the keys and values
// before, or nil.
func firstKey(before []*yaml.Node, seen map[string]*yaml.Node, name string) *yaml.Node {
	if seen != nil {
		return seen[name]
	}
	for i := 0; i+1 < len(before); i += 2 {
		if k := before[i]; k.Value == name && !isMergeKey(k) {
			return k
		}
	}
	return nil
}

// merge applies a YAML merge key: keys already present win.
func (c *yamlConv) merge(n *model.Node, m *yaml.Node, depth int) *diag.Diagnostic {
	src := []*yaml.Node{m}
	if m.Kind == yaml.SequenceNode {
		src = m.Content
	}
	for _, s := range src {
		v, d := c.conv(s, depth+1)
		if d != nil {
			return d
		}
		if v.Kind != model.MapKind {
			return c.errorf(s, model.CodeYAMLSyntax, "merge key << needs a mapping or a list of mappings").Diagnostic()
		}
		for i, k := range v.Keys {
			if n.Get(k) == nil {
				n.Keys = append(n.Keys, k)
				n.Vals = append(n.Vals, v.Vals[i])
			}
		}
	}
	return nil
}

func (c *yamlConv) scalar(y *yaml.Node, n *model.Node) (*model.Node, *diag.Diagnostic) {
	switch y.ShortTag() {
	case "!!null":
		n.Kind = model.NullKind
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err != nil {
			return nil, c.errorf(y, model.CodeYAMLSyntax, "invalid boolean %q", y.Value).Diagnostic()
		}
		n.Kind, n.Value = model.BoolKind, strconv.FormatBool(b)
	case "!!int":
		var i int64
		if err := y.Decode(&i); err != nil {
			var u uint64
			if err := y.Decode(&u); err != nil {
				return nil, c.errorf(y, model.CodeYAMLSyntax, "invalid integer %q", y.Value).Diagnostic()
			}
			n.Kind, n.Value = model.NumberKind, strconv.FormatUint(u, 10)
			break
		}
		n.Kind, n.Value = model.NumberKind, strconv.FormatInt(i, 10)
	case "!!float":
		var f float64
		if err := y.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, c.errorf(y, model.CodeYAMLSyntax, "%q is not a number JSON can carry", y.Value).Diagnostic()
		}
		n.Kind, n.Value = model.NumberKind, strconv.FormatFloat(f, 'g', -1, 64)
	default:
		// Strings, and timestamps or binary kept as their text.
		n.Kind, n.Value = model.StringKind, y.Value
	}
	return n, nil
}
