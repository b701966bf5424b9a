// Package model is what the compiler's stages share: the value tree every
// loader produces (Node, Source), the resource model compiled from the
// embedded CUE schema (Schema, Type) that validation walks, and the
// diagnostic codes.
package model

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// MaxDepth bounds the nesting of values: every loader stops there, so
// hostile input cannot exhaust the stack.
const MaxDepth = 200

// Kind is the type of a Node.
type Kind uint8

// Node kinds, matching JSON's value types.
const (
	NullKind Kind = iota
	BoolKind
	NumberKind
	StringKind
	MapKind
	ListKind
)

// String is the kind as messages name it ("map", "list", …).
func (k Kind) String() string {
	return [...]string{"null", "bool", "number", "string", "map", "list"}[k]
}

// Node is a JSON-like value that remembers where it came from. Every loader
// (YAML, JSON, CUE) produces Nodes, so checks and lowering are written once.
type Node struct {
	Kind Kind
	// Value holds the scalar: the string for StringKind, the literal text of
	// a number for NumberKind, "true"/"false" for BoolKind.
	Value string
	Keys  []string // MapKind, in source order (CUE: the model's order where the schema closes a struct)
	Vals  []*Node  // MapKind values, parallel to Keys
	Items []*Node  // ListKind

	Pos    Pos // where the value starts
	KeyPos Pos // where the key of this map entry starts, if any

	src *Source // for mapping offsets inside a string value
	off int     // byte offset of the value token in src, -1 if unknown
}

// New returns an empty node of kind k at pos, with no source text to map
// offsets into (lowering and decoding build nodes this way).
func New(k Kind, pos Pos) *Node {
	return &Node{Kind: k, Pos: pos, off: -1}
}

// NewLike returns an empty node of n's kind, positioned like n and mapping
// into the same source text: the copy a check builds when it rewrites n.
func NewLike(n *Node) *Node {
	return &Node{Kind: n.Kind, Pos: n.Pos, KeyPos: n.KeyPos, src: n.src, off: n.off}
}

// Origin is the source text n's value was read from and the byte offset
// of its token there; src is nil or off negative when unknown.
func (n *Node) Origin() (src *Source, off int) { return n.src, n.off }

// SetOrigin records where in src n's value token starts, so positions
// inside a string value can be mapped back (PosAt); nil and -1 forget it.
func (n *Node) SetOrigin(src *Source, off int) { n.src, n.off = src, off }

// Where is n's position when it has one, else at: the best position for a
// problem with a value the user may not have written (a default).
func Where(n *Node, at Pos) Pos {
	if n != nil && n.Pos.IsValid() {
		return n.Pos
	}
	return at
}

// NewString returns a string node positioned like at (used when lowering
// creates values from a source value).
func NewString(s string, at *Node) *Node {
	n := &Node{Kind: StringKind, Value: s, off: -1}
	if at != nil {
		n.Pos = at.Pos
	}
	return n
}

// NewMap returns an empty map node positioned like at.
func NewMap(at *Node) *Node {
	n := &Node{Kind: MapKind, off: -1}
	if at != nil {
		n.Pos = at.Pos
	}
	return n
}

// Get returns the value of key k of a map node, or nil.
func (n *Node) Get(k string) *Node {
	if n == nil || n.Kind != MapKind {
		return nil
	}
	for i, key := range n.Keys {
		if key == k {
			return n.Vals[i]
		}
	}
	return nil
}

// Str returns the string value of key k, and whether it is a string.
func (n *Node) Str(k string) (string, bool) {
	v := n.Get(k)
	if v == nil || v.Kind != StringKind {
		return "", false
	}
	return v.Value, true
}

// Set sets key k, keeping its place if present, appending otherwise.
func (n *Node) Set(k string, v *Node) {
	for i, key := range n.Keys {
		if key == k {
			n.Vals[i] = v
			return
		}
	}
	n.Keys = append(n.Keys, k)
	n.Vals = append(n.Vals, v)
}

// Delete removes key k from a map node.
func (n *Node) Delete(k string) {
	for i, key := range n.Keys {
		if key == k {
			n.Keys = append(n.Keys[:i:i], n.Keys[i+1:]...)
			n.Vals = append(n.Vals[:i:i], n.Vals[i+1:]...)
			return
		}
	}
}

// Clone returns a deep copy of n.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Keys = append([]string(nil), n.Keys...)
	c.Vals = make([]*Node, len(n.Vals))
	for i, v := range n.Vals {
		c.Vals[i] = v.Clone()
	}
	if n.Items != nil {
		c.Items = make([]*Node, len(n.Items))
		for i, v := range n.Items {
			c.Items[i] = v.Clone()
		}
	}
	return &c
}

// Equal reports whether two nodes hold the same data (positions ignored; map
// key order ignored).
func (n *Node) Equal(m *Node) bool {
	if n == nil || m == nil {
		return n == m
	}
	if n.Kind != m.Kind {
		return false
	}
	switch n.Kind {
	case MapKind:
		if len(n.Keys) != len(m.Keys) {
			return false
		}
		for i, k := range n.Keys {
			if !n.Vals[i].Equal(m.Get(k)) {
				return false
			}
		}
		return true
	case ListKind:
		if len(n.Items) != len(m.Items) {
			return false
		}
		for i := range n.Items {
			if !n.Items[i].Equal(m.Items[i]) {
				return false
			}
		}
		return true
	case NumberKind:
		a, e1 := strconv.ParseFloat(n.Value, 64)
		b, e2 := strconv.ParseFloat(m.Value, 64)
		if e1 == nil && e2 == nil {
			return a == b
		}
	}
	return n.Value == m.Value
}

// PosAt returns the source position of byte i of a string node's decoded
// value, so a problem inside a query string points at its exact column. When
// the literal cannot be mapped (block scalars, interpolations) it returns the
// start of the value.
func (n *Node) PosAt(i int) Pos {
	if n.src == nil || n.off < 0 || n.Kind != StringKind {
		return n.Pos
	}
	raw := n.src.Data[n.off:]
	if r, ok := rawOffset(raw, n.Value, i); ok {
		return n.src.Pos(n.off + r)
	}
	return n.Pos
}

// Sub returns a string node for value, which starts at decoded byte i of n,
// positioned (and mappable) inside n's literal.
func (n *Node) Sub(value string, i int) *Node {
	s := &Node{Kind: StringKind, Value: value, Pos: n.PosAt(i), off: -1}
	if n.src != nil && n.off >= 0 && n.Kind == StringKind {
		if r, ok := rawOffset(n.src.Data[n.off:], n.Value, i); ok {
			s.src, s.off = n.src, n.off+r
		}
	}
	return s
}

// rawOffset maps decoded byte index i of value to a byte offset in raw, the
// source text starting at the literal's first byte.
func rawOffset(raw []byte, value string, i int) (int, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	switch q := raw[0]; q {
	case '"':
		if len(raw) >= 3 && raw[1] == '"' && raw[2] == '"' {
			return 0, false // CUE multi-line string
		}
		r, d := 1, 0
		for r < len(raw) && raw[r] != '"' && raw[r] != '\n' {
			if d >= i {
				return r, true
			}
			if raw[r] != '\\' {
				_, size := utf8.DecodeRune(raw[r:])
				r += size
				d += size
				continue
			}
			// One escape sequence decodes to one rune.
			n := escapeLen(raw[r:])
			v, _, _, err := strconv.UnquoteChar(string(raw[r:r+n]), '"')
			if err != nil {
				return 0, false
			}
			r += n
			d += utf8.RuneLen(v)
		}
		if d >= i {
			return r, true
		}
		return 0, false
	case '\'':
		// YAML single-quoted: '' is one quote.
		r, d := 1, 0
		for r < len(raw) && raw[r] != '\n' {
			if d >= i {
				return r, true
			}
			if raw[r] == '\'' {
				if r+1 < len(raw) && raw[r+1] == '\'' {
					r += 2
					d++
					continue
				}
				break
			}
			r++
			d++
		}
		if d >= i {
			return r, true
		}
		return 0, false
	case '|':
		return literalBlockOffset(raw, value, i)
	case '>', '`':
		return 0, false
	default:
		// Plain scalar: the source is the value, as long as it is on one line.
		if i <= len(value) && len(raw) >= len(value) && string(raw[:len(value)]) == value {
			return i, true
		}
		return 0, false
	}
}

// literalBlockOffset maps an offset in a YAML literal block (|): the text
// is the following lines, verbatim past their common indentation.
func literalBlockOffset(raw []byte, value string, i int) (int, bool) {
	r := bytes.IndexByte(raw, '\n')
	if r < 0 {
		return 0, false
	}
	r++
	ind := 0
	for r+ind < len(raw) && raw[r+ind] == ' ' {
		ind++
	}
	d := 0
	for d <= len(value) {
		for k := 0; k < ind && r < len(raw) && raw[r] == ' '; k++ {
			r++
		}
		for r < len(raw) && raw[r] != '\n' {
			if d >= i {
				return r, true
			}
			r++
			d++
		}
		if d >= i {
			return r, true
		}
		if r >= len(raw) {
			break
		}
		r++
		d++
	}
	return 0, false
}

func escapeLen(b []byte) int {
	if len(b) < 2 {
		return len(b)
	}
	switch b[1] {
	case 'x':
		return min(4, len(b))
	case 'u':
		return min(6, len(b))
	case 'U':
		return min(10, len(b))
	case '0', '1', '2', '3', '4', '5', '6', '7':
		return min(4, len(b))
	}
	return 2
}

// List returns the items of a list node; nil for anything else (nil too),
// so checks can range over optional lists without guarding.
func (n *Node) List() []*Node {
	if n == nil || n.Kind != ListKind {
		return nil
	}
	return n.Items
}
