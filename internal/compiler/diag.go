package compiler

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes, as Go's own tools do. The zero Pos means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String formats p as file:line:col, the form editors and CI systems link.
func (p Pos) String() string {
	switch {
	case !p.IsValid():
		return p.File
	case p.Col > 0:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	default:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
}

func (p Pos) less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Severity orders how serious a diagnostic is.
type Severity int

// Severities, least serious first.
const (
	Note Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "note"
	}
}

// Diagnostic is one problem found in the sources. It is plain data; how it is
// shown (terminal text, JSON, CI annotations) is the renderer's business.
type Diagnostic struct {
	Severity Severity
	Code     Code
	Pos      Pos
	// End is where the offending token ends (exclusive), when known.
	End     Pos
	Message string
	Hint    string
	// Path is the location inside the resource, e.g. spec.panels.cpu.
	Path string
}

func (d Diagnostic) String() string {
	s := fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
	if d.Pos.File == "" {
		s = fmt.Sprintf("%s: %s", d.Severity, d.Message)
	}
	return s
}

// Diagnostics is a list of diagnostics with helpers to sort and query it.
type Diagnostics []Diagnostic

// Sort orders diagnostics by position, then severity, then message, and drops
// exact duplicates (the same fact reached by two paths).
func (ds *Diagnostics) Sort() {
	l := *ds
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.Pos != b.Pos {
			return a.Pos.less(b.Pos)
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	out := l[:0]
	for i, d := range l {
		if i > 0 && d.Pos == out[len(out)-1].Pos && d.Code == out[len(out)-1].Code && d.Message == out[len(out)-1].Message {
			continue
		}
		out = append(out, d)
	}
	*ds = out
}

// Count returns how many diagnostics have severity s.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool { return ds.Count(Error) > 0 }

// Summary is a one-line count such as "2 errors, 1 warning".
func (ds Diagnostics) Summary() string {
	var parts []string
	for _, s := range []Severity{Error, Warning, Note} {
		if n := ds.Count(s); n > 0 {
			name := s.String()
			if n > 1 {
				name += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	if len(parts) == 0 {
		return "no problems"
	}
	return strings.Join(parts, ", ")
}
