package dac

import (
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// frame is one call in the user's code.
type frame struct {
	file string // as the runtime reports it: absolute unless built with -trimpath
	line int
	fn   string // the function called there, for the reader to find the column
	// pc is the call's program counter and entry that of the function
	// making it: several calls of one function on one line have one
	// line but distinct program counters (see frameTable).
	pc, entry uintptr
}

// pos is where a builder was called: the user's call into this package,
// then the user's calls that led to it, outwards.
type pos struct {
	frames []frame
}

func (p pos) valid() bool { return len(p.frames) > 0 && p.frames[0].line > 0 }

// same reports whether p and q were made by the same calls.
func (p pos) same(q pos) bool {
	if len(p.frames) != len(q.frames) {
		return false
	}
	if len(p.frames) == 0 || &p.frames[0] == &q.frames[0] {
		return true // one pos passed to several values: the common case
	}
	return slices.Equal(p.frames, q.frames)
}

// lineString formats p for a person, as "file:line": the runtime knows no
// columns, which pyrobuild finds in the source.
func (p pos) lineString(cwd string) string {
	if len(p.frames) == 0 {
		return "?"
	}
	f := p.frames[0]
	return relFile(cwd, f.file) + ":" + strconv.Itoa(f.line)
}

// relFile names a source file relative to the working directory cwd, so
// that output does not depend on where the checkout is (pyrobuild runs
// programs in their folder), with slashes.
func relFile(cwd, file string) string {
	if cwd != "" && filepath.IsAbs(file) {
		if rel, err := filepath.Rel(cwd, file); err == nil {
			file = rel
		}
	}
	return filepath.ToSlash(file)
}

// maxFrames bounds how far out a position looks for the literal a value
// came from (a helper of a helper of main is still found).
const maxFrames = 6

// dacPrefix is the prefix of the runtime names of this package's functions
// and methods ("github.com/pyrobuild/pyrobuild/dac."). It is computed, not
// written, so a fork under another module path keeps working.
var dacPrefix = reflect.TypeFor[pos]().PkgPath() + "."

// caller returns the position of the user's call into this package: the
// first frame, going outwards, that is not a function of package dac, and
// the user's frames around it. Builders call it directly.
func caller() pos {
	var pcs [32]uintptr
	n := runtime.Callers(2, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	var p pos
	fn := ""
	for {
		f, more := frames.Next()
		switch {
		case strings.HasPrefix(f.Function, dacPrefix):
			if len(p.frames) > 0 {
				// dac called back into user code (an option applied
				// later): the frames outside are not how this value came.
				return p
			}
			fn = shortName(f.Function[len(dacPrefix):])
		case f.Function == "" || (len(p.frames) > 0 && isStd(f.Function)):
			// Past main, or into the testing package: not the user's.
			return p
		default:
			fr := frame{file: f.File, line: f.Line, fn: fn, pc: f.PC, entry: f.Entry}
			p.frames = append(p.frames, fr)
			if len(p.frames) == maxFrames {
				return p
			}
			name := f.Function[strings.LastIndex(f.Function, "/")+1:]
			if i := strings.Index(name, "."); i >= 0 {
				name = name[i+1:]
			}
			fn = shortName(name)
		}
		if !more {
			return p
		}
	}
}

// isStd reports whether a function belongs to the standard library, whose
// import paths have no dot in their first element (user modules' do, and
// package main is the user's).
func isStd(function string) bool {
	slash := strings.LastIndex(function, "/")
	path := function
	if dot := strings.Index(function[slash+1:], "."); dot >= 0 {
		path = function[:slash+1+dot]
	}
	first, _, _ := strings.Cut(path, "/")
	return path != "main" && !strings.Contains(first, ".")
}

// shortName turns a runtime function name relative to its package ("Row",
// "Row.func1", "(*Panel).Key") into the name a call is written with.
func shortName(fn string) string {
	if strings.HasPrefix(fn, "(") {
		if i := strings.Index(fn, ")."); i >= 0 {
			fn = fn[i+2:]
		}
	}
	if i := strings.IndexAny(fn, ".["); i >= 0 {
		fn = fn[:i]
	}
	return fn
}

// kind is the JSON type of a value.
type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kObject
	kList
)

// value is one JSON value with the position of the call that set it.
type value struct {
	k     kind
	s     string
	b     bool
	i     int
	obj   *object
	items []*value
	at    pos
}

// object is a JSON object that keeps its keys in the order they were set.
type object struct {
	keys []string
	vals []*value
}

func strVal(s string, at pos) *value { return &value{k: kString, s: s, at: at} }
func boolVal(b bool, at pos) *value  { return &value{k: kBool, b: b, at: at} }
func intVal(i int, at pos) *value    { return &value{k: kInt, i: i, at: at} }
func objVal(at pos) *value           { return &value{k: kObject, obj: &object{}, at: at} }
func listVal(at pos) *value          { return &value{k: kList, items: []*value{}, at: at} }

func (o *object) get(k string) *value {
	for i, key := range o.keys {
		if key == k {
			return o.vals[i]
		}
	}
	return nil
}

// set sets key k, keeping its place when it is already set.
func (o *object) set(k string, v *value) {
	for i, key := range o.keys {
		if key == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// sub returns the object under key k, creating it at at when absent.
func (o *object) sub(k string, at pos) *object {
	if v := o.get(k); v != nil && v.k == kObject {
		return v.obj
	}
	v := objVal(at)
	o.set(k, v)
	return v.obj
}

// list returns the list under key k, creating it at at when absent.
func (o *object) list(k string, at pos) *value {
	if v := o.get(k); v != nil && v.k == kList {
		return v
	}
	v := listVal(at)
	o.set(k, v)
	return v
}

// plugin creates {kind, spec: {}} under key k and returns the spec.
func (o *object) plugin(k, kind string, at pos) *object {
	p := o.sub(k, at)
	p.set("kind", strVal(kind, at))
	return p.sub("spec", at)
}

// encoder writes values as indented JSON and, unless frames is nil, lists
// the values' positions as stacks of frames (see Write).
type encoder struct {
	buf       []byte
	frames    *frameTable
	positions []position
}

// position is a value's entry in the document's "positions".
type position struct {
	ptr   string
	stack []int // indices into the document's "frames"
}

// value writes v at the given JSON pointer; outer is the position of the
// enclosing value. A value made by the same calls as the enclosing one is
// left out (readers inherit the position), unless it is a string: the
// reader may find it written as a literal of its own.
func (e *encoder) value(v *value, ptr string, outer pos, depth int) {
	at := outer
	if e.frames != nil && v.at.valid() {
		if v.k == kString || !v.at.same(outer) {
			e.positions = append(e.positions, position{ptr, e.frames.stack(v.at)})
		}
		at = v.at
	}
	switch v.k {
	case kString:
		e.buf = appendString(e.buf, v.s)
	case kBool:
		e.buf = strconv.AppendBool(e.buf, v.b)
	case kInt:
		e.buf = strconv.AppendInt(e.buf, int64(v.i), 10)
	case kObject:
		if len(v.obj.keys) == 0 {
			e.buf = append(e.buf, "{}"...)
			return
		}
		e.buf = append(e.buf, '{')
		for i, k := range v.obj.keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.buf = appendString(e.buf, k)
			e.buf = append(e.buf, ": "...)
			e.value(v.obj.vals[i], ptr+"/"+escapePointer(k), at, depth+1)
		}
		e.newline(depth)
		e.buf = append(e.buf, '}')
	case kList:
		if len(v.items) == 0 {
			e.buf = append(e.buf, "[]"...)
			return
		}
		e.buf = append(e.buf, '[')
		for i, it := range v.items {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.value(it, ptr+"/"+strconv.Itoa(i), at, depth+1)
		}
		e.newline(depth)
		e.buf = append(e.buf, ']')
	}
}

func (e *encoder) newline(depth int) {
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, "  "...)
	}
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}

// appendString appends s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone, so selectors stay readable when the output is read by
// hand.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
