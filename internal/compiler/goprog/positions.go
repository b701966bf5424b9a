// Package goprog holds the parts of reading a Go dashboards program's
// output that do not depend on the compiler's model: finding, in the
// program's sources, the columns of the calls its document reports.
package goprog

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyrobuild/pyrobuild/internal/dacproto"
)

// Resolver turns the call frames of a protocol-2 document into positions,
// "file:line:col" as a protocol-1 program wrote them. The Go runtime knows
// lines only, so the column is found in the source: the Go literal a
// string value was written as, among the arguments of the call that
// passed it, else the name of the function called.
//
// A Resolver reads and parses each file once. It is meant for one
// program's document and is not safe for concurrent use.
type Resolver struct {
	dir   string
	files map[string]*srcFile
}

// NewResolver returns a resolver for the document of a program that ran
// in dir: the document names files relative to it (or absolute), as
// positions name them.
func NewResolver(dir string) *Resolver {
	return &Resolver{dir: dir, files: map[string]*srcFile{}}
}

// srcFile is what the resolver knows of one source file.
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

// Position formats the position of a value made by the calls of stack,
// the user's call into the SDK first. For a string value, lit is the
// value (as the document has it), and the first frame whose call has it
// as a literal argument wins, so a value passed through a helper of the
// user's is reported where it was written. An empty stack has no
// position: "".
func (r *Resolver) Position(stack []dacproto.Frame, lit *string) string {
	if len(stack) == 0 {
		return ""
	}
	if lit != nil {
		for _, f := range stack {
			if line, col := r.literal(f, *lit); col > 0 {
				return r.format(f.File, line, col)
			}
		}
	}
	f := stack[0]
	col := 0
	if call := r.call(f, nil); call != nil {
		col = call.col
	} else {
		col = lineCallColumn(r.file(f.File).line(f.Line), f.Func)
	}
	return r.format(f.File, f.Line, col)
}

func (r *Resolver) format(file string, line, col int) string {
	s := file + ":" + strconv.Itoa(line)
	if col > 0 {
		s += ":" + strconv.Itoa(col)
	}
	return s
}

// file reads and parses a source file once.
func (r *Resolver) file(name string) *srcFile {
	if sf, ok := r.files[name]; ok {
		return sf
	}
	sf := &srcFile{}
	r.files[name] = sf
	path := filepath.FromSlash(name)
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return sf
	}
	sf.lines = strings.Split(string(b), "\n")
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, path, b, parser.SkipObjectResolution)
	if err != nil {
		return sf
	}
	sf.calls = map[int][]*srcCall{}
	ast.Inspect(af, func(n ast.Node) bool {
		if ce, ok := n.(*ast.CallExpr); ok {
			if call := newSrcCall(fset, ce); call != nil {
				sf.calls[call.line] = append(sf.calls[call.line], call)
			}
		}
		return true
	})
	// In the order of evaluation, which is the order of the calls'
	// closing parentheses: arguments are called before the call.
	for _, l := range sf.calls {
		slices.SortFunc(l, func(a, b *srcCall) int { return int(a.end) - int(b.end) })
	}
	return sf
}

// newSrcCall describes a call expression, or returns nil when it calls
// no name (a function literal, a call's result).
func newSrcCall(fset *token.FileSet, ce *ast.CallExpr) *srcCall {
	id := calledName(ce.Fun)
	if id == nil {
		return nil
	}
	at := fset.Position(id.Pos())
	call := &srcCall{name: id.Name, line: at.Line, col: at.Column, end: ce.Rparen}
	// The literals passed directly, in composite literals too; not those
	// of nested calls, which are those calls' own (a value passed as a
	// variable is not the literal of another call that happens to be
	// equal).
	for _, a := range ce.Args {
		ast.Inspect(a, func(m ast.Node) bool {
			switch m := m.(type) {
			case *ast.BasicLit:
				if m.Kind != token.STRING {
					return true
				}
				if v, err := strconv.Unquote(m.Value); err == nil {
					p := fset.Position(m.Pos())
					call.lits = append(call.lits, srcLit{value: documentString(v), line: p.Line, col: p.Column})
				}
			case *ast.CallExpr, *ast.FuncLit:
				return false
			}
			return true
		})
	}
	return call
}

// documentString is s as a document carries it: the SDK writes each byte
// that is not UTF-8 as U+FFFD, so a literal holding one still matches.
func documentString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
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

// call finds the call expression f made: among the calls of f.Func on
// f's line, the one of f's rank in evaluation order, when the program saw
// as many calls there as the line has; else the first passing lit, if lit
// is given; else the first. It returns nil when the line has no call of
// f.Func (the file changed, or the function was called through a
// variable).
func (r *Resolver) call(f dacproto.Frame, lit *string) *srcCall {
	if f.Func == "" {
		return nil
	}
	var cands []*srcCall
	for _, call := range r.file(f.File).calls[f.Line] {
		if call.name == f.Func {
			cands = append(cands, call)
		}
	}
	switch len(cands) {
	case 0:
		return nil
	case 1:
		return cands[0]
	}
	if f.Calls == len(cands) && f.Rank >= 0 && f.Rank < f.Calls {
		return cands[f.Rank]
	}
	if lit != nil {
		for _, call := range cands {
			if slices.ContainsFunc(call.lits, func(l srcLit) bool { return l.value == *lit }) {
				return call
			}
		}
	}
	return cands[0]
}

// literal finds s written as a Go string literal among the arguments of
// f's call, and returns its line and column; 0, 0 when it is not there.
func (r *Resolver) literal(f dacproto.Frame, s string) (int, int) {
	if call := r.call(f, &s); call != nil {
		for _, l := range call.lits {
			if l.value == s {
				return l.line, l.col
			}
		}
		return 0, 0
	}
	// No call found (the source does not parse): the literal on the line.
	line := r.file(f.File).line(f.Line)
	if line == "" {
		return 0, 0
	}
	if i := strings.Index(line, strconv.Quote(s)); i >= 0 {
		return f.Line, i + 1
	}
	if !strings.ContainsAny(s, "`\n") {
		if i := strings.Index(line, "`"+s+"`"); i >= 0 {
			return f.Line, i + 1
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
