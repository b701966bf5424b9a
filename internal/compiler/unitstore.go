package compiler

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/cache"
	"github.com/pyrobuild/pyrobuild/internal/compiler/load"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// A unit store keeps what evaluating each self-contained CUE package gave
// on disk, beside the compiled Go programs, so that the next `pyrobuild
// compile` of a repository evaluates only the packages that changed (CUE
// evaluation is most of a compilation; YAML and JSON parse faster than an
// entry could be read back). An entry is named by the hash of the
// package's file names and contents and of the pyrobuild executable that
// wrote it, so a new pyrobuild (a new schema, a new CUE) never reads an old
// entry. Entries are appended to pack files (cache.Store), checked when
// read; one that cannot be read whole and intact is a miss.

// UnitStoreDir is the folder of the unit store in pyrobuild's cache folder
// root, beside GoCacheDir's compiled programs: the usual Options.UnitStore.
func UnitStoreDir(root string) string { return filepath.Join(root, "units") }

// unitStoreFormat changes whenever the encoding or what loaders put in a
// node changes.
const unitStoreFormat = "pyrobuild-units-4"

// unitStore is the cache.Store of units' entries.
type unitStore struct{ store *cache.Store }

// openUnitStore returns the store in dir, or nil when there is none to use.
func openUnitStore(dir string) *unitStore {
	s := cache.Open(dir, unitStoreFormat)
	if s == nil {
		return nil
	}
	return &unitStore{s}
}

// get reads the entry of a unit whose key is sum: its resources, validated
// and in wire form, each with its tree packed too (packs[i] is res[i]'s,
// ready for Resource.Pack without encoding it again), all its
// diagnostics, and where the values its CUE dependencies made were written
// (load.Raw.Via). It adds the unit's sources to sources when it finds one.
func (s *unitStore) get(u load.Unit, sum [sha256.Size]byte, sources *load.Sources) (res []*model.Resource, packs []*packed, diags diag.Diagnostics, via map[diag.Pos]diag.Pos, ok bool) {
	b, ok := s.store.Read(sum[:])
	if !ok {
		return nil, nil, nil, nil, false
	}
	srcs := map[string]*model.Source{}
	for _, src := range u.Sources() {
		srcs[src.Path] = src
	}
	res, packs, diags, via, err := decodeUnit(b, srcs)
	if err != nil {
		return nil, nil, nil, nil, false
	}
	for _, src := range u.Sources() {
		sources.Add(src)
	}
	return res, packs, diags, via, true
}

// put writes a unit's entry, packs[i] being res[i]'s tree packed: the
// entry holds those bytes, so a tree is encoded once for the store and
// for the pack a large compilation keeps. A unit whose trees point into
// files other than its own is not kept (its key does not cover them, nor
// could they be found when it is read), nor one that may hold a
// credential: the store must not become a second, forgotten copy of a
// secret.
func (s *unitStore) put(u load.Unit, sum [sha256.Size]byte, res []*model.Resource, packs []*packed, diags diag.Diagnostics, via map[diag.Pos]diag.Pos) {
	for i := range res {
		for _, src := range packs[i].srcs {
			if !slices.ContainsFunc(u.Sources(), func(s *model.Source) bool { return s.Path == src.Path }) {
				return
			}
		}
		if packs[i].credential {
			return
		}
	}
	s.store.Write(sum[:], encodeUnit(res, packs, diags, via))
}

// close ends the store's use: the entries put go into its index (see
// cache.Store.Close). A nil store has nothing to close.
func (s *unitStore) close() {
	if s != nil {
		s.store.Close()
	}
}

// ---- the encoding ----
//
// An entry is the magic, then the resources (kind, project, name, global,
// position, the paths of the files its tree points into, its wire-form
// tree packed), then the diagnostics with their notes, then the places
// values of CUE dependencies were made (sorted). Integers are varints;
// strings are numbered on first use and written once. A packed tree (pack)
// stands on its own, with its own numbering of strings, so that the same
// bytes are both part of an entry and the packed form of a resource kept
// in memory: a node's source (for positions inside a string) is a number,
// that of the source in the packed tree's list, which an entry writes as
// file paths.

var unitMagic = []byte("PBU5")

type unitEncoder struct {
	buf     bytes.Buffer
	strings map[string]int
	// srcs numbers the sources the nodes of a packed tree point into.
	srcs map[*model.Source]int
	// varint is scratch space for one number: appending to a nil slice
	// allocated once per number, the most frequent thing encoded.
	varint [binary.MaxVarintLen64]byte
	// keys, when packing, records whether each key met may name a
	// credential (diag.CredentialPath's rule, asked once per key), and
	// credential whether one did.
	keys       map[string]bool
	credential bool
}

// encodeUnit encodes an entry; packs[i] is res[i]'s tree packed.
func encodeUnit(res []*model.Resource, packs []*packed, diags diag.Diagnostics, via map[diag.Pos]diag.Pos) []byte {
	e := &unitEncoder{strings: map[string]int{}}
	size := len(unitMagic) + 64*len(res) + 64*len(diags)
	for _, p := range packs {
		size += len(p.data)
	}
	e.buf.Grow(size)
	e.buf.Write(unitMagic)
	e.int(len(res))
	for i, r := range res {
		e.str(r.Kind)
		e.str(r.Project)
		e.str(r.Name)
		global := 0
		if r.Global {
			global = 1
		}
		e.int(global)
		e.pos(r.Pos)
		p := packs[i]
		e.int(len(p.srcs))
		for _, s := range p.srcs {
			e.str(s.Path)
		}
		e.int(len(p.data))
		e.buf.WriteString(p.data)
	}
	e.int(len(diags))
	for _, d := range diags {
		e.int(int(d.Severity))
		e.str(string(d.Code))
		e.pos(d.Pos)
		e.pos(d.End)
		e.str(d.Message)
		e.str(d.Hint)
		e.str(d.Path)
		e.int(len(d.Notes))
		for _, n := range d.Notes {
			e.pos(n.Pos)
			e.pos(n.End)
			e.str(n.Message)
		}
	}
	at := slices.SortedFunc(maps.Keys(via), diag.Pos.Compare)
	e.int(len(at))
	for _, p := range at {
		e.pos(p)
		e.pos(via[p])
	}
	return e.buf.Bytes()
}

func (e *unitEncoder) int(n int) {
	e.buf.Write(binary.AppendVarint(e.varint[:0], int64(n)))
}

func (e *unitEncoder) str(s string) {
	if i, ok := e.strings[s]; ok {
		e.int(i)
		return
	}
	e.strings[s] = len(e.strings)
	e.int(-1)
	e.int(len(s))
	e.buf.WriteString(s)
}

func (e *unitEncoder) pos(p diag.Pos) {
	e.str(p.File)
	e.int(p.Line)
	e.int(p.Col)
}

func (e *unitEncoder) node(n *model.Node) {
	if n == nil {
		e.int(-1)
		return
	}
	e.int(int(n.Kind))
	e.str(n.Value)
	e.pos(n.Pos)
	e.pos(n.KeyPos)
	if src, off := n.Origin(); src != nil && off >= 0 {
		i, ok := e.srcs[src]
		if !ok {
			i = len(e.srcs)
			e.srcs[src] = i
		}
		e.int(off)
		e.int(i)
	} else {
		e.int(-1)
	}
	e.int(len(n.Keys))
	for i, k := range n.Keys {
		if e.keys != nil {
			cred, seen := e.keys[k]
			if !seen {
				cred = diag.CredentialPath([]string{k})
				e.keys[k] = cred
			}
			e.credential = e.credential || cred
		}
		e.str(k)
		e.node(n.Vals[i])
	}
	if n.Items == nil {
		e.int(-1)
	} else {
		e.int(len(n.Items))
		for _, it := range n.Items {
			e.node(it)
		}
	}
}

// unitDecoder reads an entry held as one string: every string it gives
// back is a piece of it, and nodes come a slab at a time, so decoding
// allocates little.
type unitDecoder struct {
	s       string
	i       int // read offset in s
	slab    []model.Node
	strings []string
	srcs    []*model.Source // see unitEncoder.srcs
	err     error
}

var errBadEntry = errors.New("unreadable unit store entry")

// decodeUnit reads an entry whose trees point into sources (by path):
// packs[i] is res[i]'s tree as the entry holds it, packed.
func decodeUnit(b []byte, sources map[string]*model.Source) (res []*model.Resource, packs []*packed, diags diag.Diagnostics, via map[diag.Pos]diag.Pos, err error) {
	if !bytes.HasPrefix(b, unitMagic) {
		return nil, nil, nil, nil, errBadEntry
	}
	d := &unitDecoder{s: string(b[len(unitMagic):])}
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		r := &model.Resource{Kind: d.str(), Project: d.str(), Name: d.str()}
		switch d.int() {
		case 0:
		case 1:
			r.Global = true
		default:
			d.err = errBadEntry
		}
		r.Pos = d.pos()
		p := &packed{srcs: make([]*model.Source, d.count())}
		for j := range p.srcs {
			if p.srcs[j] = sources[d.str()]; p.srcs[j] == nil {
				d.err = errBadEntry
			}
		}
		p.data = d.bytes()
		if d.err == nil {
			t := &unitDecoder{s: p.data, srcs: p.srcs, slab: d.slab}
			if r.Node = t.node(0); r.Node == nil || t.err != nil || t.i != len(t.s) {
				d.err = errBadEntry
			}
			d.slab = t.slab
		}
		res, packs = append(res, r), append(packs, p)
	}
	n = d.count()
	for i := 0; i < n && d.err == nil; i++ {
		// Decoding restores what encodeUnit stored, field by field: no
		// report is made here.
		dg := diag.Diagnostic{Severity: diag.Severity(d.int()), Code: diag.Code(d.str()), Pos: d.pos(), End: d.pos(),
			Message: d.str(), Hint: d.str(), Path: d.str()}
		for range d.count() {
			dg.Notes = append(dg.Notes, diag.Note{Pos: d.pos(), End: d.pos(), Message: d.str()})
		}
		diags = append(diags, dg)
	}
	n = d.count()
	for i := 0; i < n && d.err == nil; i++ {
		if via == nil {
			via = map[diag.Pos]diag.Pos{}
		}
		at := d.pos()
		via[at] = d.pos()
	}
	if d.err == nil && d.i != len(d.s) {
		d.err = errBadEntry
	}
	if d.err != nil {
		return nil, nil, nil, nil, d.err
	}
	return res, packs, diags, via, nil
}

func (d *unitDecoder) int() int {
	if d.err != nil {
		return 0
	}
	// binary.Varint, over the string the entry is held as (so that its
	// strings are pieces of it, not copies).
	var ux uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.i >= len(d.s) {
			break
		}
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			ux |= uint64(c) << shift
			x := int64(ux >> 1)
			if ux&1 != 0 {
				x = ^x
			}
			return int(x)
		}
		ux |= uint64(c&0x7f) << shift
	}
	d.err = errBadEntry
	return 0
}

// count reads a length that must fit in what is left of the entry.
func (d *unitDecoder) count() int {
	n := d.int()
	if n < 0 || n > len(d.s)-d.i {
		d.err = errBadEntry
		return 0
	}
	return n
}

// bytes reads a length and as many bytes.
func (d *unitDecoder) bytes() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := d.s[d.i : d.i+n]
	d.i += n
	return s
}

func (d *unitDecoder) str() string {
	i := d.int()
	if i >= 0 {
		if i >= len(d.strings) {
			d.err = errBadEntry
			return ""
		}
		return d.strings[i]
	}
	s := d.bytes()
	if d.err != nil {
		return ""
	}
	d.strings = append(d.strings, s)
	return s
}

func (d *unitDecoder) pos() diag.Pos {
	return diag.Pos{File: d.str(), Line: d.int(), Col: d.int()}
}

func (d *unitDecoder) node(depth int) *model.Node {
	k := d.int()
	if d.err != nil || k == -1 {
		return nil
	}
	if k < int(model.NullKind) || k > int(model.ListKind) || depth > model.MaxDepth {
		d.err = errBadEntry
		return nil
	}
	if len(d.slab) == 0 {
		d.slab = make([]model.Node, 32)
	}
	n := &d.slab[0]
	d.slab = d.slab[1:]
	*n = model.Node{Kind: model.Kind(k), Value: d.str(), Pos: d.pos(), KeyPos: d.pos()}
	var src *model.Source
	off := d.int()
	if off >= 0 {
		i := d.int()
		if i < 0 || i >= len(d.srcs) || off > len(d.srcs[i].Data) {
			d.err = errBadEntry
			return nil
		}
		src = d.srcs[i]
	}
	n.SetOrigin(src, off)
	if nk := d.count(); nk > 0 {
		n.Keys, n.Vals = make([]string, nk), make([]*model.Node, nk)
		for i := 0; i < nk && d.err == nil; i++ {
			n.Keys[i] = d.str()
			n.Vals[i] = d.node(depth + 1)
		}
	}
	if ni := d.int(); ni >= 0 {
		if ni > len(d.s)-d.i {
			d.err = errBadEntry
			return nil
		}
		n.Items = make([]*model.Node, ni)
		for i := 0; i < ni && d.err == nil; i++ {
			n.Items[i] = d.node(depth + 1)
		}
	}
	return n
}

// packed is a node tree held in the unit encoding, several times smaller
// than the Nodes: the form of each resource in a unit store entry, and that
// of the resources a large compilation keeps until its end.
type packed struct {
	data string
	srcs []*model.Source
	// credential: the tree is a secret's or has a key that may name a
	// credential (see unitStore.put).
	credential bool
}

// packer packs one tree after another (a worker's), keeping its buffer and
// tables: cleared, they cost less than new ones grown for every tree.
type packer struct{ e unitEncoder }

// pack encodes n. It keeps each string once and the sources n points into.
func (pk *packer) pack(n *model.Node) *packed {
	e := &pk.e
	// Tables or a buffer a very large tree grew are not kept.
	if len(e.strings) > 1<<12 || e.strings == nil {
		e.strings, e.srcs, e.keys = map[string]int{}, map[*model.Source]int{}, map[string]bool{}
	} else {
		clear(e.strings)
		clear(e.srcs)
	}
	if len(e.keys) > 1<<12 {
		e.keys = map[string]bool{} // the verdicts stay valid: only the size is bounded
	}
	e.credential = false
	if e.buf.Cap() > 1<<20 {
		e.buf = bytes.Buffer{}
	}
	e.buf.Reset()
	e.node(n)
	kind, _ := n.Str("kind")
	p := &packed{data: e.buf.String(), srcs: make([]*model.Source, len(e.srcs)),
		credential: e.credential || strings.Contains(strings.ToLower(kind), "secret")}
	for s, i := range e.srcs {
		p.srcs[i] = s
	}
	return p
}

// Unpack decodes a new tree; the caller may change it.
func (p *packed) Unpack() *model.Node {
	d := &unitDecoder{s: p.data, srcs: p.srcs}
	n := d.node(0)
	if d.err != nil || d.i != len(d.s) {
		// pack wrote these bytes in this process, or decodeUnit read them
		// whole.
		panic("compiler: unreadable packed resource")
	}
	return n
}
