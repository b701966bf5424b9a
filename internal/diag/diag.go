// Package diag holds what every part of pyrobuild needs to report problems
// in its inputs: positions, diagnostics with their related locations, a
// reporter that collects them, the catalogue of diagnostic codes, the
// renderers (text for people, JSON and GitHub annotations for machines)
// and the redaction that keeps credentials out of all of them.
//
// It imports no other package of pyrobuild, so that every domain (the
// compiler, the docs site, the command line) can use it.
package diag

import (
	"cmp"
	"fmt"
	"slices"
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

// Compare orders positions by file, then line, then column: it returns -1,
// 0 or +1 as p comes before, at or after q.
func (p Pos) Compare(q Pos) int {
	if c := strings.Compare(p.File, q.File); c != 0 {
		return c
	}
	if c := cmp.Compare(p.Line, q.Line); c != 0 {
		return c
	}
	return cmp.Compare(p.Col, q.Col)
}

// Severity orders how serious a diagnostic is.
type Severity int

// Severities, least serious first. The least is printed "note"; it is not
// called Note because a Note is a diagnostic's related location.
const (
	Info Severity = iota
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

// Code is a stable diagnostic identifier such as PB1002. Codes never change
// meaning once published; retired codes are not reused.
type Code string

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
	// Notes point at other places the problem involves, such as the
	// first of two definitions.
	Notes []Note
}

// Note is a location related to a diagnostic, with what happens there.
type Note struct {
	Pos Pos
	// End is where the token at Pos ends (exclusive), when known.
	End     Pos
	Message string
}

func (d Diagnostic) String() string {
	if d.Pos.File == "" {
		return fmt.Sprintf("%s: %s", d.Severity, d.Message)
	}
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
}

// Diagnostics is a list of diagnostics with helpers to sort and query it.
type Diagnostics []Diagnostic

// Sort orders diagnostics by position, then severity, then code, then
// message, and drops exact duplicates (the same fact reached by two
// paths).
func (ds *Diagnostics) Sort() {
	l := *ds
	slices.SortStableFunc(l, func(a, b Diagnostic) int {
		if c := a.Pos.Compare(b.Pos); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Code), string(b.Code)); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
	out := l[:0]
	for i, d := range l {
		if i > 0 {
			last := out[len(out)-1]
			if d.Pos == last.Pos && d.Code == last.Code && d.Message == last.Message {
				continue
			}
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
	for _, s := range []Severity{Error, Warning, Info} {
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
