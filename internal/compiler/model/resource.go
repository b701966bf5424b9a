package model

// Resource is one compiled resource in wire form.
type Resource struct {
	Kind    string
	Project string // "" for global resources
	Name    string
	Global  bool
	// Node is the resource; nil when it was packed (use Tree).
	Node *Node
	Pos  Pos // where its source starts

	packed Packed
}

// Packed is a resource's tree held in a compact form (the compiler's
// Options.Pack), decoded on demand.
type Packed interface {
	// Unpack decodes a new tree.
	Unpack() *Node
}

// Pack replaces the resource's tree by its packed form p.
func (r *Resource) Pack(p Packed) { r.Node, r.packed = nil, p }

// Tree returns the resource's node tree: Node, or a new tree decoded from
// its packed form.
func (r *Resource) Tree() *Node {
	if r.Node != nil || r.packed == nil {
		return r.Node
	}
	return r.packed.Unpack()
}

// ID is the resource's identity as the Perses API sees it.
func (r *Resource) ID() string {
	if r.Global {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Project + "/" + r.Name
}
