package diag

import "fmt"

// Reporter adds diagnostics to a list. It is the one way checks report a
// problem: a severity, a code, a position and a message, then, chained on
// the Report it returns, a hint, a path inside the resource and notes at
// related places:
//
//	rep.Errorf(CodeDuplicate, r.Pos, "%s is defined twice", r.Name).
//		Hint("rename or remove one").
//		Note(prev.Pos, "first defined here")
//
// A Reporter is a small value: pass it by value. The zero Reporter has no
// list to add to; make one with NewReporter.
type Reporter struct {
	list *Diagnostics
}

// NewReporter returns a Reporter that appends to *list.
func NewReporter(list *Diagnostics) Reporter { return Reporter{list: list} }

// Report adds a diagnostic of severity sev with message msg, taken as is.
func (r Reporter) Report(sev Severity, code Code, pos Pos, msg string) Report {
	*r.list = append(*r.list, Diagnostic{Severity: sev, Code: code, Pos: pos, Message: msg})
	return Report{list: r.list, i: len(*r.list) - 1}
}

// Add adds a diagnostic made elsewhere, such as one of a list collected
// apart.
func (r Reporter) Add(d Diagnostic) { *r.list = append(*r.list, d) }

// Errorf adds an error; the message is formatted as by fmt.Sprintf.
func (r Reporter) Errorf(code Code, pos Pos, format string, args ...any) Report {
	return r.Report(Error, code, pos, fmt.Sprintf(format, args...))
}

// Warnf adds a warning; the message is formatted as by fmt.Sprintf.
func (r Reporter) Warnf(code Code, pos Pos, format string, args ...any) Report {
	return r.Report(Warning, code, pos, fmt.Sprintf(format, args...))
}

// Infof adds a diagnostic of severity Info (printed "note"); the message is
// formatted as by fmt.Sprintf.
func (r Reporter) Infof(code Code, pos Pos, format string, args ...any) Report {
	return r.Report(Info, code, pos, fmt.Sprintf(format, args...))
}

// Report is a diagnostic just added by a Reporter, to complete it. It
// refers to the diagnostic by its index, so it stays valid while more are
// added.
type Report struct {
	list *Diagnostics
	i    int
}

func (r Report) d() *Diagnostic { return &(*r.list)[r.i] }

// Hint sets the diagnostic's hint: how to fix the problem.
func (r Report) Hint(hint string) Report {
	r.d().Hint = hint
	return r
}

// Path sets where inside the resource the problem is, e.g. spec.panels.cpu.
func (r Report) Path(path string) Report {
	r.d().Path = path
	return r
}

// End sets where the offending token ends (exclusive).
func (r Report) End(end Pos) Report {
	r.d().End = end
	return r
}

// Note adds a related location: at is another place the problem involves,
// msg says what is there. A note must point somewhere: one at an invalid
// position (a value no source spelled out) is left out.
func (r Report) Note(at Pos, msg string) Report {
	if !at.IsValid() {
		return r
	}
	d := r.d()
	d.Notes = append(d.Notes, Note{Pos: at, Message: msg})
	return r
}

// Diagnostic returns the diagnostic being completed. The pointer is valid
// until the next diagnostic is added to the same list.
func (r Report) Diagnostic() *Diagnostic { return r.d() }

// New starts a diagnostic on its own, in no list, for code that stops at
// its first problem (a parser) and returns it: complete it as any Report,
// and take it with Diagnostic.
func New(sev Severity, code Code, pos Pos, msg string) Report {
	return NewReporter(new(Diagnostics)).Report(sev, code, pos, msg)
}

// Errorf is New for an error, with the message formatted as by
// fmt.Sprintf.
func Errorf(code Code, pos Pos, format string, args ...any) Report {
	return New(Error, code, pos, fmt.Sprintf(format, args...))
}
