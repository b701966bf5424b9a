package dac

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// frame is one call in the user's code.
type frame struct {
	file string // as the runtime reports it: absolute unless built with -trimpath
	line int
	fn   string // the function called there, to find the column
	// pc is the call's program counter and entry that of the function
	// making it: several calls of one function on one line have one
	// line but distinct program counters (see callSites).
	pc, entry uintptr
}

// pos is where a builder was called: the user's call into this package,
// then the user's calls that led to it, outwards.
type pos struct {
	frames []frame
}

func (p pos) valid() bool { return len(p.frames) > 0 && p.frames[0].line > 0 }

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
			sites.add(fr)
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

// encoder writes values as indented JSON and collects their positions.
type encoder struct {
	buf       []byte
	positions []string // key, value, key, value, …
	cols      *columnFinder
}

// value writes v at the given JSON pointer. Positions equal to the
// enclosing value's are left out: readers inherit them.
func (e *encoder) value(v *value, ptr string, outer string, depth int) {
	at := outer
	if v.at.valid() {
		var lit *string
		if v.k == kString {
			lit = &v.s
		}
		at = e.cols.format(v.at, lit)
		if at != outer {
			e.positions = append(e.positions, ptr, at)
		}
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

// callSites records, for each line of the user's code and function called
// there, the program counters of the calls made, so that a call can be
// told apart from another call of the same function on the same line: the
// i-th lowest program counter is the i-th call in the order Go evaluates
// them (compilers lay out a function's calls in that order), which is the
// order of their closing parentheses. Counters are compared within one
// compiled function (entry), as an inlined or generic function has copies.
type callSites struct {
	mu  sync.Mutex
	pcs map[siteKey][]uintptr // sorted
}

type siteKey struct {
	file  string
	line  int
	fn    string
	entry uintptr
}

var sites = &callSites{}

func (s *callSites) add(f frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pcs == nil {
		s.pcs = map[siteKey][]uintptr{}
	}
	k := siteKey{f.file, f.line, f.fn, f.entry}
	l := s.pcs[k]
	i, found := slices.BinarySearch(l, f.pc)
	if !found {
		s.pcs[k] = slices.Insert(l, i, f.pc)
	}
}

// rank returns the index of f's call among the calls of its function seen
// on its line, and how many there are.
func (s *callSites) rank(f frame) (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.pcs[siteKey{f.file, f.line, f.fn, f.entry}]
	i, _ := slices.BinarySearch(l, f.pc)
	return i, len(l)
}

// columnFinder formats positions as file:line:col. The runtime knows only
// lines, so the column is found in the source, which is where the binary
// was built from (it is, for pyrobuild and for go run): the Go literal a
// string value was written as, among the arguments of the call that
// passed it, else the name of the function called.
type columnFinder struct {
	mu    sync.Mutex
	cwd   string
	files map[string]*srcFile
}

var columns = &columnFinder{}

// srcFile is what the finder knows of one source file.
type srcFile struct {
	lines []string
	calls map[int][]*srcCall // by the line of the called name; nil when the file does not parse
}

// srcCall is one call expression of a source file.
type srcCall struct {
	name      string // the function called, as written: Row for dac.Row(…)
	line, col int    // of the name
	end       token.Pos
	lits      []srcLit // the string literals passed to it
}

// srcLit is a string literal at a position.
type srcLit struct {
	value     string
	line, col int
}

// format formats p; for a string value, lit is the value, and the first
// of p's frames whose call has it as a literal argument wins, so a value
// passed through a helper of the user's is reported where it was written.
func (c *columnFinder) format(p pos, lit *string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.files == nil {
		c.files = map[string]*srcFile{}
		c.cwd, _ = os.Getwd()
	}
	if lit != nil {
		for _, f := range p.frames {
			if line, col := c.literal(f, *lit); col > 0 {
				return c.format1(f.file, line, col)
			}
		}
	}
	f := p.frames[0]
	col := 0
	if call := c.call(f, nil); call != nil {
		col = call.col
	} else {
		col = lineCallColumn(c.file(f.file).line(f.line), f.fn)
	}
	return c.format1(f.file, f.line, col)
}

func (c *columnFinder) format1(file string, line, col int) string {
	// Relative to the working directory, so that output does not depend on
	// where the checkout is (pyrobuild runs programs in their folder).
	if c.cwd != "" && filepath.IsAbs(file) {
		if rel, err := filepath.Rel(c.cwd, file); err == nil {
			file = rel
		}
	}
	s := filepath.ToSlash(file) + ":" + strconv.Itoa(line)
	if col > 0 {
		s += ":" + strconv.Itoa(col)
	}
	return s
}

// file reads and parses a source file once.
func (c *columnFinder) file(name string) *srcFile {
	if sf, ok := c.files[name]; ok {
		return sf
	}
	sf := &srcFile{}
	c.files[name] = sf
	b, err := os.ReadFile(name)
	if err != nil {
		return sf
	}
	sf.lines = strings.Split(string(b), "\n")
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, name, b, parser.SkipObjectResolution)
	if err != nil {
		return sf
	}
	sf.calls = map[int][]*srcCall{}
	ast.Inspect(af, func(n ast.Node) bool {
		ce, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		id := calledName(ce.Fun)
		if id == nil {
			return true
		}
		at := fset.Position(id.Pos())
		call := &srcCall{name: id.Name, line: at.Line, col: at.Column, end: ce.Rparen}
		addLit := func(bl *ast.BasicLit) {
			if bl.Kind != token.STRING {
				return
			}
			v, err := strconv.Unquote(bl.Value)
			if err != nil {
				return
			}
			p := fset.Position(bl.Pos())
			call.lits = append(call.lits, srcLit{value: v, line: p.Line, col: p.Column})
		}
		// The literals passed directly, in composite literals too; not
		// those of nested calls, which are those calls' own (a value
		// passed as a variable is not the literal of another call that
		// happens to be equal).
		for _, a := range ce.Args {
			ast.Inspect(a, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.BasicLit:
					addLit(m)
				case *ast.CallExpr, *ast.FuncLit:
					return false
				}
				return true
			})
		}
		sf.calls[at.Line] = append(sf.calls[at.Line], call)
		return true
	})
	// In the order of evaluation, which is the order of the calls'
	// closing parentheses: arguments are called before the call.
	for _, l := range sf.calls {
		slices.SortFunc(l, func(a, b *srcCall) int { return int(a.end) - int(b.end) })
	}
	return sf
}

// calledName is the name a call expression calls: f, pkg.F, x.M, F[T].
func calledName(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			return x.Sel
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// line returns line n of the file, or "".
func (sf *srcFile) line(n int) string {
	if n < 1 || n > len(sf.lines) {
		return ""
	}
	return sf.lines[n-1]
}

// call finds the call expression f made: among the calls of f.fn on f's
// line, the one whose rank in evaluation order is that of f's program
// counter among those seen there, when all of them were seen; else the
// only one passing lit, if lit is given; else the first. It returns nil
// when the line has no call of f.fn (the file changed, or the function
// was called through a variable).
func (c *columnFinder) call(f frame, lit *string) *srcCall {
	if f.fn == "" {
		return nil
	}
	var cands []*srcCall
	for _, call := range c.file(f.file).calls[f.line] {
		if call.name == f.fn {
			cands = append(cands, call)
		}
	}
	switch len(cands) {
	case 0:
		return nil
	case 1:
		return cands[0]
	}
	if i, n := sites.rank(f); n == len(cands) && i < n {
		return cands[i]
	}
	if lit != nil {
		var with []*srcCall
		for _, call := range cands {
			if slices.ContainsFunc(call.lits, func(l srcLit) bool { return l.value == *lit }) {
				with = append(with, call)
			}
		}
		if len(with) > 0 {
			return with[0]
		}
	}
	return cands[0]
}

// literal finds s written as a Go string literal among the arguments of
// f's call, and returns its line and column; 0, 0 when it is not there.
func (c *columnFinder) literal(f frame, s string) (int, int) {
	if call := c.call(f, &s); call != nil {
		for _, l := range call.lits {
			if l.value == s {
				return l.line, l.col
			}
		}
		return 0, 0
	}
	// No call found (the source does not parse): the literal on the line.
	line := c.file(f.file).line(f.line)
	if line == "" {
		return 0, 0
	}
	if i := strings.Index(line, strconv.Quote(s)); i >= 0 {
		return f.line, i + 1
	}
	if !strings.ContainsAny(s, "`\n") {
		if i := strings.Index(line, "`"+s+"`"); i >= 0 {
			return f.line, i + 1
		}
	}
	return 0, 0
}

// lineCallColumn finds a call of fn on a line: where no parsed call is
// known.
func lineCallColumn(line, fn string) int {
	if fn == "" {
		return 0
	}
	for from := 0; ; {
		i := strings.Index(line[from:], fn+"(")
		if i < 0 {
			return 0
		}
		i += from
		// A whole identifier: not the tail of a longer name.
		if i == 0 || !isIdentByte(line[i-1]) {
			return i + 1
		}
		from = i + 1
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf
}
