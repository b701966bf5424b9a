package dac

import (
	"os"
	"slices"
	"strconv"
)

// frameTable numbers the frames a document refers to, and ranks the calls
// of one function on one line, so that pyrobuild can tell them apart.
//
// The runtime knows lines only, but several calls of one function on one
// line have distinct program counters, and the i-th lowest is the i-th
// call in the order Go evaluates them (compilers lay out a function's
// calls in that order), which is the order of their closing parentheses.
// Counters are compared within one compiled function (entry), as an
// inlined or generic function has copies. A document ranks the calls its
// own values were made by, so every call is seen before any is ranked.
type frameTable struct {
	pcs   map[siteKey][]uintptr // sorted, distinct
	index map[frame]int
	list  []frame
	cwd   string
}

type siteKey struct {
	file  string
	line  int
	fn    string
	entry uintptr
}

func newFrameTable() *frameTable {
	cwd, _ := os.Getwd()
	return &frameTable{pcs: map[siteKey][]uintptr{}, index: map[frame]int{}, cwd: cwd}
}

// see records the calls of p.
func (t *frameTable) see(p pos) {
	for _, f := range p.frames {
		k := siteKey{f.file, f.line, f.fn, f.entry}
		l := t.pcs[k]
		if i, found := slices.BinarySearch(l, f.pc); !found {
			t.pcs[k] = slices.Insert(l, i, f.pc)
		}
	}
}

// seeValue records the calls of v and of the values inside it.
func (t *frameTable) seeValue(v *value) {
	t.see(v.at)
	switch v.k {
	case kObject:
		for _, c := range v.obj.vals {
			t.seeValue(c)
		}
	case kList:
		for _, c := range v.items {
			t.seeValue(c)
		}
	}
}

// stack returns the indices of p's frames in the table, adding them.
func (t *frameTable) stack(p pos) []int {
	s := make([]int, len(p.frames))
	for i, f := range p.frames {
		n, ok := t.index[f]
		if !ok {
			n = len(t.list)
			t.index[f] = n
			t.list = append(t.list, f)
		}
		s[i] = n
	}
	return s
}

// rank returns the index of f's call among the calls of its function seen
// on its line, and how many there are.
func (t *frameTable) rank(f frame) (int, int) {
	l := t.pcs[siteKey{f.file, f.line, f.fn, f.entry}]
	i, _ := slices.BinarySearch(l, f.pc)
	return i, len(l)
}

// appendTail appends the member that ends a document, after the ones
// that refer to its entries: the frames.
func (t *frameTable) appendTail(b []byte) []byte {
	b = append(b, ",\n  \"frames\": ["...)
	for i, f := range t.list {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {\"file\": "...)
		b = appendString(b, relFile(t.cwd, f.file))
		b = append(b, ", \"line\": "...)
		b = strconv.AppendInt(b, int64(f.line), 10)
		if f.fn != "" {
			b = append(b, ", \"func\": "...)
			b = appendString(b, f.fn)
		}
		if r, n := t.rank(f); n > 1 {
			b = append(b, ", \"rank\": "...)
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, ", \"calls\": "...)
			b = strconv.AppendInt(b, int64(n), 10)
		}
		b = append(b, '}')
	}
	if len(t.list) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "]\n}\n"...)
}

// appendStack appends a stack of frame indices as a JSON list.
func appendStack(b []byte, s []int) []byte {
	b = append(b, '[')
	for i, n := range s {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return append(b, ']')
}

// document is the document Emit writes when the builders were misused:
// the mistakes, at frames, for pyrobuild to report at their columns.
func (e *Error) document() []byte {
	t := newFrameTable()
	for _, r := range e.from {
		if r != nil {
			t.seeValue(r.v)
		}
	}
	for _, pe := range e.errs {
		t.see(pe.at)
		for _, q := range pe.quoted {
			t.see(q)
		}
	}
	b := append([]byte(nil), "{\n  \"pyrobuild\": "...)
	b = strconv.AppendInt(b, ProtocolVersion, 10)
	b = append(b, ",\n  \"errors\": ["...)
	for i, pe := range e.errs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    {"...)
		if pe.at.valid() {
			b = append(b, "\"at\": "...)
			b = appendStack(b, t.stack(pe.at))
			b = append(b, ", "...)
		}
		b = append(b, "\"message\": ["...)
		for j, part := range pe.msg {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = appendString(b, part)
		}
		b = append(b, ']')
		if len(pe.quoted) > 0 {
			b = append(b, ", \"quoted\": ["...)
			for j, q := range pe.quoted {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = appendStack(b, t.stack(q))
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	if len(e.errs) > 0 {
		b = append(b, "\n  "...)
	}
	b = append(b, ']')
	return t.appendTail(b)
}
