package bundle

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// A block-style YAML writer for the node trees pyrobuild emits, writing
// the same bytes as yaml.v3's encoder (indent 2) in a fraction of its time:
// the encoder analyses every scalar character by character and builds an
// event stream, which made it a quarter of a compilation whose CUE
// packages came from the unit store. Scalars it cannot vouch for are
// rendered by yaml.v3 itself (once per distinct string); a tree with a
// string it would write over several lines, or a key yaml.v3 would write
// as a complex key, is left to yaml.v3 whole. A differential test and a
// fuzz target hold the two to the same output.

// writeYAMLFast writes n as a YAML document, or reports false (with b
// unchanged in length) when yaml.v3 must write it.
func writeYAMLFast(b *bytes.Buffer, n *model.Node) bool {
	start := b.Len()
	w := yamlWriter{b: b}
	switch {
	case n.Kind == model.MapKind && len(n.Keys) > 0:
		w.mapBody(n, 0)
	case n.Kind == model.ListKind && len(n.Items) > 0:
		w.listBody(n, 0)
	default:
		w.inline(n)
		b.WriteByte('\n')
	}
	if !w.ok {
		b.Truncate(start)
	}
	return w.ok
}

type yamlWriter struct {
	b  *bytes.Buffer
	ok bool
}

func (w *yamlWriter) indent(n int) {
	for range n {
		w.b.WriteByte(' ')
	}
}

// mapBody writes a non-empty map's entries at column ind; the first entry
// starts where the writer stands (after "- " in a list).
func (w *yamlWriter) mapBody(n *model.Node, ind int) {
	w.ok = true
	for i, k := range n.Keys {
		if i > 0 {
			w.indent(ind)
		}
		key, ok := yamlScalar(k, true)
		if !ok {
			w.ok = false
			return
		}
		w.b.WriteString(key)
		w.b.WriteByte(':')
		v := n.Vals[i]
		switch {
		case v.Kind == model.MapKind && len(v.Keys) > 0:
			w.b.WriteByte('\n')
			w.indent(ind + 2)
			w.mapBody(v, ind+2)
		case v.Kind == model.ListKind && len(v.Items) > 0:
			w.b.WriteByte('\n')
			w.indent(ind + 2)
			w.listBody(v, ind+2)
		default:
			w.b.WriteByte(' ')
			w.inline(v)
			w.b.WriteByte('\n')
		}
		if !w.ok {
			return
		}
	}
}

// listBody writes a non-empty list's items at column ind, the first where
// the writer stands.
func (w *yamlWriter) listBody(n *model.Node, ind int) {
	w.ok = true
	for i, e := range n.Items {
		if i > 0 {
			w.indent(ind)
		}
		w.b.WriteString("- ")
		switch {
		case e.Kind == model.MapKind && len(e.Keys) > 0:
			w.mapBody(e, ind+2)
		case e.Kind == model.ListKind && len(e.Items) > 0:
			w.listBody(e, ind+2)
		default:
			w.inline(e)
			w.b.WriteByte('\n')
		}
		if !w.ok {
			return
		}
	}
}

// inline writes a scalar or an empty collection.
func (w *yamlWriter) inline(n *model.Node) {
	w.ok = true
	switch n.Kind {
	case model.MapKind:
		w.b.WriteString("{}")
	case model.ListKind:
		w.b.WriteString("[]")
	case model.StringKind:
		s, ok := yamlScalar(n.Value, false)
		if !ok {
			w.ok = false
			return
		}
		w.b.WriteString(s)
	case model.NumberKind, model.BoolKind:
		// Literals as the loaders keep them; yaml.v3 writes a tagged
		// scalar's value as is when it resolves to that tag, which the
		// differential test checks for the forms sources use.
		if !plainLiteral().MatchString(n.Value) {
			w.ok = false
			return
		}
		w.b.WriteString(n.Value)
	default:
		w.b.WriteString("null")
	}
}

// plainLiteral is a number or boolean literal yaml.v3 writes unchanged.
var plainLiteral = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:true|false|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)$`)
})

// isSafePlain reports whether yaml.v3 writes a string plain, as is: it
// starts with a letter, holds no character YAML gives a meaning to (": ",
// " #", quotes, brackets), no doubled or trailing space; it must also not
// be a word YAML reads as something else (checked apart). It is the
// regular expression
//
//	^[A-Za-z][A-Za-z0-9_./=@+-]*(?: [A-Za-z0-9_./=@+()-]+)*$
//
// written out (a test holds them equal): matching it took a fifth of a
// warm compilation.

// plainFirst and plainRest are the bytes of the first word and of the
// words after a space.
var plainFirst, plainRest = func() (first, rest [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=@+-") {
		first[c], rest[c] = true, true
	}
	rest['('], rest[')'] = true, true
	return first, rest
}()

func isSafePlain(s string) bool {
	if s == "" || !(s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	i := 1
	for i < len(s) && plainFirst[s[i]] {
		i++
	}
	for i < len(s) {
		if s[i] != ' ' {
			return false
		}
		i++
		word := i
		for i < len(s) && plainRest[s[i]] {
			i++
		}
		if i == word {
			return false
		}
	}
	return true
}

// yaml11Word reports whether a string that starts with a letter is one
// yaml11Ambiguous matches: for those, only its words can.
func yaml11Word(s string) bool {
	return len(s) <= 3 && slices.Contains(yaml11Words, s)
}

// yamlScalarCache holds yaml.v3's rendering of the strings isSafePlain does
// not vouch for: they repeat across resources ($ref values, URLs).
var yamlScalarCache sync.Map

// yamlScalar renders a string as yaml.v3 would on one line, as a map key
// (key) or a value; ok is false when yaml.v3 would not write it on one
// line as a simple scalar.
func yamlScalar(s string, key bool) (string, bool) {
	if key && len(s) > 128 {
		return "", false // yaml.v3 writes a long key as a complex key ("? ")
	}
	if isSafePlain(s) && !yamlWord(s) && !yaml11Word(s) {
		return s, true
	}
	if strings.ContainsAny(s, "\n\r\u0085\u2028\u2029") || (key && !printableASCII(s)) {
		// Line breaks, for YAML, make yaml.v3 fold or indent the string;
		// and it may write an odd key as a complex key ("? ").
		return "", false
	}
	if v, ok := yamlScalarCache.Load(s); ok {
		r := v.(string)
		return r, r != ""
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	err := enc.Encode(yamlString(s))
	enc.Close()
	r := strings.TrimSuffix(out.String(), "\n")
	if err != nil || strings.ContainsAny(r, "\n") || r == "" {
		r = ""
	}
	yamlScalarCache.Store(s, r)
	return r, r != ""
}

// yamlWord reports whether a plain word reads as a boolean or null in the
// YAML 1.2 core schema yaml.v3 resolves with.
func yamlWord(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return true
	}
	return false
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
