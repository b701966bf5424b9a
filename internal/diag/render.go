package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// FileText returns the text of a source file, and whether it is known.
// Renderers quote source lines through it, so they need not know how the
// caller keeps its sources.
type FileText func(file string) (text []byte, ok bool)

// lineCache finds lines of the sources, indexing where each file's lines
// start the first time it is asked for, so that many diagnostics about a
// large file do not each scan it from the top.
type lineCache struct {
	mu    sync.Mutex
	files map[string]lineIndex
	// last is the line masked last: diagnostics come sorted, many on one
	// line of a minified file, and masking scans the whole line.
	last maskedLine
}

type maskedLine struct {
	file        string
	n           int
	src, masked string
}

// masked returns line n of file, as line does, and the line with the
// credentials it shows masked (maskSecrets).
func (c *lineCache) masked(files FileText, file string, n int) (src, masked string, ok bool) {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	if last.file == file && last.n == n && n > 0 {
		return last.src, last.masked, true
	}
	if src, ok = c.line(files, file, n); !ok {
		return "", "", false
	}
	masked = RedactURLs(maskSecrets(src))
	c.mu.Lock()
	c.last = maskedLine{file: file, n: n, src: src, masked: masked}
	c.mu.Unlock()
	return src, masked, true
}

type lineIndex struct {
	text   []byte
	starts []int // byte offset of each line's start
}

// line returns the text of 1-based line n of file, without its line break
// (a CR before the LF included), "" when there is no such line; ok is
// false when the file's text is unknown.
func (c *lineCache) line(files FileText, file string, n int) (text string, ok bool) {
	if files == nil {
		return "", false
	}
	c.mu.Lock()
	idx, ok := c.files[file]
	if !ok {
		var data []byte
		if data, ok = files(file); ok {
			idx = lineIndex{text: data, starts: []int{0}}
			for i, b := range data {
				if b == '\n' {
					idx.starts = append(idx.starts, i+1)
				}
			}
			if c.files == nil {
				c.files = map[string]lineIndex{}
			}
			c.files[file] = idx
		}
	}
	c.mu.Unlock()
	if !ok {
		return "", false
	}
	if n < 1 || n > len(idx.starts) {
		return "", true
	}
	start, end := idx.starts[n-1], len(idx.text)
	if n < len(idx.starts) {
		end = idx.starts[n] - 1
	}
	return string(bytes.TrimRight(idx.text[start:end], "\r")), true
}

// TextRenderer writes diagnostics for people: the position, the message,
// the source line with a caret under the offending token, the hint, and
// each note with its own source line.
type TextRenderer struct {
	// Files gives the sources' text for excerpts; nil shows none. A
	// renderer reads each file once: Files must not change afterwards.
	Files FileText
	Color bool

	lines lineCache
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[1;31m"
	ansiYellow = "\x1b[1;33m"
	ansiCyan   = "\x1b[1;36m"
	ansiDim    = "\x1b[2m"
)

func (r *TextRenderer) paint(code, s string) string {
	if !r.Color {
		return s
	}
	return code + s + ansiReset
}

func sevColor(s Severity) string {
	switch s {
	case Error:
		return ansiRed
	case Warning:
		return ansiYellow
	}
	return ansiCyan
}

// Render writes one diagnostic.
func (r *TextRenderer) Render(w io.Writer, d Diagnostic) {
	r.header(w, d.Pos, d.Severity, d.Message, d.Code)
	r.excerpt(w, d.Pos, d.End, d.Severity, d.Path)
	if d.Hint != "" {
		fmt.Fprintf(w, "  %s %s\n", r.paint(ansiBold, "hint:"), printable(RedactURLs(d.Hint)))
	}
	for _, n := range d.Notes {
		r.header(w, n.Pos, Info, n.Message, "")
		// The note is about the same value as the diagnostic: a
		// credential's path masks its line too.
		r.excerpt(w, n.Pos, n.End, Info, d.Path)
	}
}

// Excerpt writes only the source excerpt of d: its line with a caret
// under the offending token, or nothing when the source is unknown.
func (r *TextRenderer) Excerpt(w io.Writer, d Diagnostic) {
	r.excerpt(w, d.Pos, d.End, d.Severity, d.Path)
}

func (r *TextRenderer) header(w io.Writer, pos Pos, sev Severity, msg string, code Code) {
	loc := ""
	if pos.File != "" {
		loc = r.paint(ansiBold, printable(pos.String())) + ": "
	}
	tag := ""
	if code != "" {
		tag = " " + r.paint(ansiDim, "["+string(code)+"]")
	}
	fmt.Fprintf(w, "%s%s: %s%s\n", loc, r.paint(sevColor(sev), sev.String()), printable(RedactURLs(msg)), tag)
}

func (r *TextRenderer) excerpt(w io.Writer, pos, end Pos, sev Severity, path string) {
	if pos.Line <= 0 {
		return
	}
	src, masked, ok := r.lines.masked(r.Files, pos.File, pos.Line)
	if !ok {
		return
	}
	num := fmt.Sprintf("%d", pos.Line)
	pad := strings.Repeat(" ", len(num))
	if CredentialPath(strings.Split(path, ".")) {
		masked = maskValue(masked)
	}
	// Masking keeps what comes before the value, where carets point; a
	// caret past a shortened value stays at the line's end.
	from, to := len(masked), len(masked)
	caret := pos.Col > 0 && pos.Col <= len(src)+1
	if caret {
		from = min(pos.Col-1, len(masked))
		if end.Line == pos.Line && end.Col > pos.Col && end.Col <= len(src)+1 {
			to = end.Col - 1
		} else {
			to = pos.Col - 1 + runesLen(src[pos.Col-1:], tokenWidth(src[pos.Col-1:]))
		}
	}
	shown, at, n := excerptLines(masked, from, to)
	fmt.Fprintf(w, " %s | %s\n", num, shown)
	if caret {
		fmt.Fprintf(w, " %s | %s%s\n", pad, strings.Repeat(" ", at), r.paint(sevColor(sev), strings.Repeat("^", n)))
	}
}

// runesLen is how many bytes the first n runes of s take.
func runesLen(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// tokenWidth guesses how wide the token at the start of s is, in runes,
// to underline it: a quoted string, or a run up to a delimiter, at most
// maxToken runes. It reads no further than it needs: s may be the rest of
// a line of megabytes.
func tokenWidth(s string) int {
	if s == "" {
		return 1
	}
	if q := s[0]; q == '"' || q == '\'' {
		n := 1
		for i := 1; i < len(s); n++ {
			if s[i] == '\\' && q == '"' && i+1 < len(s) {
				// The backslash, then what it escapes, a quote too.
				i++
				n++
			} else if s[i] == q {
				return n + 1
			}
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		return n
	}
	n := 0
	for i, c := range s {
		// A colon ends a YAML key ("name:"), not a value ("a:b:c").
		if c == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			break
		}
		if strings.ContainsRune(" \t,{}[]()\"'=!~", c) || n == maxToken {
			break
		}
		n++
	}
	return max(n, 1)
}

// maxToken is the most runes tokenWidth underlines outside quotes.
const maxToken = 60

// SetEnds fills in where each diagnostic's token ends, when it is not
// known, from the source line, for editors and the JSON output.
func SetEnds(ds Diagnostics, files FileText) {
	var lines lineCache
	for i := range ds {
		d := &ds[i]
		if d.Pos.Line < 1 || d.Pos.Col < 1 || d.End.IsValid() {
			continue
		}
		src, ok := lines.line(files, d.Pos.File, d.Pos.Line)
		if !ok {
			continue
		}
		if d.Pos.Col > len(src) {
			continue
		}
		rest := src[d.Pos.Col-1:]
		w := max(1, runesLen(rest, tokenWidth(rest)))
		d.End = Pos{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col + w}
	}
}

// jsonDiagnostic is the machine-readable form of a diagnostic.
type jsonDiagnostic struct {
	File     string     `json:"file,omitempty"`
	Line     int        `json:"line,omitempty"`
	Col      int        `json:"col,omitempty"`
	EndLine  int        `json:"endLine,omitempty"`
	EndCol   int        `json:"endCol,omitempty"`
	Severity string     `json:"severity"`
	Code     Code       `json:"code,omitempty"`
	Message  string     `json:"message"`
	Hint     string     `json:"hint,omitempty"`
	Path     string     `json:"path,omitempty"`
	Notes    []jsonNote `json:"notes,omitempty"`
}

// jsonNote is the machine-readable form of a note.
type jsonNote struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
}

// RenderJSON writes diagnostics as one JSON array (an empty array when
// there are none), for editors and scripts.
func RenderJSON(w io.Writer, ds Diagnostics) error {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		j := jsonDiagnostic{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, EndLine: d.End.Line, EndCol: d.End.Col,
			Severity: d.Severity.String(), Code: d.Code, Message: RedactURLs(d.Message), Hint: RedactURLs(d.Hint), Path: d.Path}
		for _, n := range d.Notes {
			j.Notes = append(j.Notes, jsonNote{File: n.Pos.File, Line: n.Pos.Line, Col: n.Pos.Col, Message: RedactURLs(n.Message)})
		}
		out = append(out, j)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONRunes(b.Bytes()))
	return err
}

// escapeJSONRunes writes, as \u escapes, the characters encoding/json
// leaves raw that a terminal may act on (C1 controls) or that reorder
// text; in JSON they can only stand inside strings, where the escape means
// the same character.
func escapeJSONRunes(js []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(js); {
		r, size := utf8.DecodeRune(js[i:])
		if _, esc := escapeRune(r); esc && r >= 0x80 {
			out = append(out, js[last:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			last = i + size
		}
		i += size
	}
	if out == nil {
		return js
	}
	return append(out, js[last:]...)
}

// RenderGitHub writes diagnostics as GitHub Actions workflow commands, which
// show as annotations on the pull request's lines: one per diagnostic, and
// a notice at each of its notes.
func RenderGitHub(w io.Writer, ds Diagnostics) {
	for _, d := range ds {
		level := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[d.Severity]
		msg := RedactURLs(d.Message)
		if d.Hint != "" {
			msg += "\nhint: " + RedactURLs(d.Hint)
		}
		ghCommand(w, level, d.Pos, d.Code, msg)
		for _, n := range d.Notes {
			ghCommand(w, "notice", n.Pos, d.Code, RedactURLs(n.Message))
		}
	}
}

func ghCommand(w io.Writer, level string, pos Pos, code Code, msg string) {
	var props []string
	if pos.File != "" {
		props = append(props, "file="+ghProp(pos.File))
	}
	if pos.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", pos.Line))
	}
	if pos.Col > 0 {
		props = append(props, fmt.Sprintf("col=%d", pos.Col))
	}
	if code != "" {
		props = append(props, "title="+ghProp("pyrobuild "+string(code)))
	}
	sep := " "
	if len(props) == 0 {
		sep = ""
	}
	fmt.Fprintf(w, "::%s%s%s::%s\n", level, sep, strings.Join(props, ","), ghData(msg))
}

// ghData and ghProp escape a message and a property as GitHub wants;
// control characters from a source are escaped first (the Actions log
// interprets terminal escape sequences), line breaks stay line breaks.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(Sanitize(s))
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(Sanitize(s))
}
