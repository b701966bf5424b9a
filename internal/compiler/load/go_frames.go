package load

import (
	"strconv"
	"strings"

	"github.com/pyrobuild/pyrobuild/internal/compiler/goprog"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// This file reads the call frames of protocol 2 (see package dac): a
// program reports, per value, the frames of the calls that made it, and
// the columns are found here, in the sources, as a protocol-1 program
// found them itself. Both are turned into protocol 1's positions, so that
// everything after reads one form.

// goProtocol is the newest version of the SDK's protocol this compiler
// reads.
const goProtocol = dacproto.Version

// frameDoc is the frames part of a protocol-2 document.
type frameDoc struct {
	frames []dacproto.Frame
	res    *goprog.Resolver
}

// newFrameDoc reads a document's "frames".
func (r *goRun) newFrameDoc(doc *model.Node) *frameDoc {
	fd := &frameDoc{res: goprog.NewResolver(r.dir)}
	if fs := doc.Get("frames"); fs != nil && fs.Kind == model.ListKind {
		fd.frames = make([]dacproto.Frame, len(fs.Items))
		for i, n := range fs.Items {
			f := &fd.frames[i]
			f.File, _ = n.Str("file")
			f.Func, _ = n.Str("func")
			f.Line = frameInt(n.Get("line"))
			f.Rank = frameInt(n.Get("rank"))
			f.Calls = frameInt(n.Get("calls"))
		}
	}
	return fd
}

// frameInt is the value of a number node, 0 if it is none.
func frameInt(n *model.Node) int {
	if n == nil || n.Kind != model.NumberKind {
		return 0
	}
	i, _ := strconv.Atoi(n.Value)
	return i
}

// stack reads a list of indices into the document's frames; nil when it
// is not one.
func (fd *frameDoc) stack(n *model.Node) []dacproto.Frame {
	if n == nil || n.Kind != model.ListKind {
		return nil
	}
	s := make([]dacproto.Frame, 0, len(n.Items))
	for _, it := range n.Items {
		i, err := strconv.Atoi(it.Value)
		if it.Kind != model.NumberKind || err != nil || i < 0 || i >= len(fd.frames) {
			return nil
		}
		s = append(s, fd.frames[i])
	}
	return s
}

// framePositions works out the positions table of a protocol-2 document:
// what a protocol-1 program would have written, an entry for each value
// whose position is not its enclosing value's.
func (r *goRun) framePositions(doc, resources *model.Node) map[string]string {
	fd := r.newFrameDoc(doc)
	stacks := map[string][]dacproto.Frame{}
	if ps := doc.Get("positions"); ps != nil && ps.Kind == model.MapKind {
		for i, k := range ps.Keys {
			if s := fd.stack(ps.Vals[i]); len(s) > 0 && s[0].Line > 0 {
				stacks[k] = s
			}
		}
	}
	table := map[string]string{}
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	var walk func(n *model.Node, key, outer string)
	walk = func(n *model.Node, key, outer string) {
		at := outer
		if s, ok := stacks[key]; ok {
			var lit *string
			if n.Kind == model.StringKind {
				lit = &n.Value
			}
			at = fd.res.Position(s, lit)
			if at != outer {
				table[key] = at
			}
		}
		for i, k := range n.Keys {
			walk(n.Vals[i], key+"/"+escape.Replace(k), at)
		}
		for i, it := range n.Items {
			walk(it, key+"/"+strconv.Itoa(i), at)
		}
	}
	for i, n := range resources.Items {
		walk(n, strconv.Itoa(i), "")
	}
	return table
}

// sdkErrors turns the mistakes a failed protocol-2 program lists in its
// output into protocol 1's lines on its standard error (see
// goprog.Mistakes), which runErrors reads.
func (r *goRun) sdkErrors(stdout []byte, stderr string) string {
	return goprog.Mistakes(r.dir, stdout, stderr)
}
