package compiler

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// TextRenderer writes diagnostics for people: the position, the message,
// the source line with a caret under the offending token, and the hint.
type TextRenderer struct {
	Sources map[string]*Source
	Color   bool
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

// Render writes one diagnostic.
func (r *TextRenderer) Render(w io.Writer, d Diagnostic) {
	sev := d.Severity.String()
	switch d.Severity {
	case Error:
		sev = r.paint(ansiRed, sev)
	case Warning:
		sev = r.paint(ansiYellow, sev)
	default:
		sev = r.paint(ansiCyan, sev)
	}
	loc := ""
	if d.Pos.File != "" {
		loc = r.paint(ansiBold, d.Pos.String()) + ": "
	}
	code := ""
	if d.Code != "" {
		code = " " + r.paint(ansiDim, "["+string(d.Code)+"]")
	}
	fmt.Fprintf(w, "%s%s: %s%s\n", loc, sev, d.Message, code)
	if src := r.Sources[d.Pos.File]; src != nil && d.Pos.Line > 0 {
		line := src.Line(d.Pos.Line)
		num := fmt.Sprintf("%d", d.Pos.Line)
		pad := strings.Repeat(" ", len(num))
		shown := maskSecrets(expandTabs(line))
		if credentialPath(strings.Split(d.Path, ".")) {
			shown = maskValue(shown)
		}
		fmt.Fprintf(w, " %s | %s\n", num, shown)
		if d.Pos.Col > 0 && d.Pos.Col <= len(line)+1 {
			prefix := expandTabs(line[:d.Pos.Col-1])
			width := max(1, tokenWidth(line[d.Pos.Col-1:]))
			if d.End.Line == d.Pos.Line && d.End.Col > d.Pos.Col && d.End.Col <= len(line)+1 {
				width = displayWidth(line[d.Pos.Col-1 : d.End.Col-1])
			}
			fmt.Fprintf(w, " %s | %s%s\n", pad, strings.Repeat(" ", displayWidth(prefix)), r.paint(sevColor(d.Severity), strings.Repeat("^", width)))
		}
	}
	if d.Hint != "" {
		fmt.Fprintf(w, "  %s %s\n", r.paint(ansiBold, "hint:"), d.Hint)
	}
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

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

func displayWidth(s string) int { return len([]rune(s)) }

// tokenWidth guesses how wide the token at the start of s is, to underline
// it: a quoted string, or a run up to a delimiter.
func tokenWidth(s string) int {
	if s == "" {
		return 1
	}
	if q := s[0]; q == '"' || q == '\'' {
		for i := 1; i < len(s); i++ {
			if s[i] == '\\' && q == '"' {
				i++
				continue
			}
			if s[i] == q {
				return len([]rune(s[:i+1]))
			}
		}
		return len([]rune(s))
	}
	n := 0
	rs := []rune(s)
	for i, c := range rs {
		// A colon ends a YAML key ("name:"), not a value ("a:b:c").
		if c == ':' && (i+1 == len(rs) || rs[i+1] == ' ') {
			break
		}
		if strings.ContainsRune(" \t,{}[]()\"'=!~", c) {
			break
		}
		n++
	}
	if n == 0 {
		return 1
	}
	return min(n, 60)
}

// setEnds fills in where each diagnostic's token ends, from the source
// line, for editors and the JSON output.
func setEnds(ds Diagnostics, sources map[string]*Source) {
	for i := range ds {
		d := &ds[i]
		src := sources[d.Pos.File]
		if src == nil || d.Pos.Line < 1 || d.Pos.Col < 1 || d.End.IsValid() {
			continue
		}
		line := src.Line(d.Pos.Line)
		if d.Pos.Col > len(line) {
			continue
		}
		rest := line[d.Pos.Col-1:]
		w := len(string([]rune(rest)[:max(1, min(tokenWidth(rest), len([]rune(rest))))]))
		d.End = Pos{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col + w}
	}
}

// secretLineRe finds values of credential fields on a source line, so an
// excerpt never prints a password.
var secretLineRe = regexp.MustCompile(`(?i)("?(password|credentials|clientSecret|authorization|token|key)"?\s*:\s*)(.+)$`)

// goSecretRe finds credentials passed to Go SDK calls: the string after a
// credential-like quoted name (dac.Header("Authorization", "…")), and the
// second argument of BasicAuth and Authorization.
var goSecretRe = regexp.MustCompile(`(?i)((?:"[^"]*(?:password|credentials|secret|authorization|token|key|cookie)[^"]*"|\b(?:BasicAuth|Authorization)\(\s*(?:"(?:[^"\\]|\\.)*"|\w+))\s*,\s*)("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)

// credentialElem reports whether e names a field or header that holds
// credentials, or a struct (basicAuth, headers, …) whose values may: it
// holds, in any case, one of credentialWords, "apikey" or "api-key", or is
// "key". (The unit store asks this of every key of every package it keeps;
// as a case-insensitive regular expression it was a twentieth of a cold
// compilation.)
func credentialElem(e string) bool {
	var buf [64]byte
	if len(e) > len(buf) {
		return credentialElemRe.MatchString(e)
	}
	b := buf[:len(e)]
	for i := 0; i < len(e); i++ {
		c := e[i]
		switch {
		case c >= 0x80:
			// Unicode folds more than ASCII does (ſ is s, K is k).
			return credentialElemRe.MatchString(e)
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		b[i] = c
	}
	e = string(b)
	if e == "key" || strings.Contains(e, "apikey") || strings.Contains(e, "api-key") {
		return true
	}
	for _, w := range credentialWords {
		if strings.Contains(e, w) {
			return true
		}
	}
	return false
}

var credentialWords = []string{"basicauth", "authorization", "oauth", "tlsconfig", "headers", "password", "credential", "secret", "token", "cookie"}

// credentialElemRe is credentialElem's rule, for names beyond ASCII.
var credentialElemRe = regexp.MustCompile(`(?i)basicauth|authorization|oauth|tlsconfig|headers|password|credential|secret|token|cookie|api-?key|^key$`)

// credentialPath reports whether a value at path (field names from the
// resource's root) may be a credential. A misspelt field (pasword) is
// then masked too: its value is meant as a credential all the same.
func credentialPath(path []string) bool {
	for _, e := range path {
		if credentialElem(e) {
			return true
		}
	}
	return false
}

// keyValueRe is a "key: value" line of YAML, JSON or CUE.
var keyValueRe = regexp.MustCompile(`^(\s*(?:-\s+)?"?[^"\s:]+"?\s*:\s*)\S.*$`)

// maskValue hides the value of a "key: value" line.
func maskValue(line string) string {
	return keyValueRe.ReplaceAllString(line, "${1}<redacted>")
}

// quotedValueRe is a quoted string in a message, unless it follows =~ or
// !~ (a pattern the schema imposes, not a value of the user's).
var quotedValueRe = regexp.MustCompile(`(^|[^~])"(?:[^"\\]|\\.)*"`)

// maskQuoted hides the quoted values of a message about a credential.
func maskQuoted(msg string) string {
	return quotedValueRe.ReplaceAllString(msg, `${1}"<redacted>"`)
}

func maskSecrets(line string) string {
	// Go lines hold many values: the literal keeps its width, so that a
	// caret under a later value stays under it.
	line = goSecretRe.ReplaceAllStringFunc(line, func(m string) string {
		sub := goSecretRe.FindStringSubmatch(m)
		lit := sub[2]
		return sub[1] + lit[:1] + strings.Repeat("*", len([]rune(lit))-2) + lit[len(lit)-1:]
	})
	return secretLineRe.ReplaceAllString(line, "${1}<redacted>")
}

// jsonDiagnostic is the machine-readable form of a diagnostic.
type jsonDiagnostic struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	EndLine  int    `json:"endLine,omitempty"`
	EndCol   int    `json:"endCol,omitempty"`
	Severity string `json:"severity"`
	Code     Code   `json:"code,omitempty"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Path     string `json:"path,omitempty"`
}

// RenderJSON writes diagnostics as one JSON array (an empty array when
// there are none), for editors and scripts.
func RenderJSON(w io.Writer, ds Diagnostics) error {
	out := make([]jsonDiagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, jsonDiagnostic{File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, EndLine: d.End.Line, EndCol: d.End.Col,
			Severity: d.Severity.String(), Code: d.Code, Message: d.Message, Hint: d.Hint, Path: d.Path})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// RenderGitHub writes diagnostics as GitHub Actions workflow commands, which
// show as annotations on the pull request's lines.
func RenderGitHub(w io.Writer, ds Diagnostics) {
	for _, d := range ds {
		level := map[Severity]string{Error: "error", Warning: "warning", Note: "notice"}[d.Severity]
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+ghProp(d.Pos.File))
		}
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line))
		}
		if d.Pos.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", d.Pos.Col))
		}
		if d.Code != "" {
			props = append(props, "title="+ghProp("pyrobuild "+string(d.Code)))
		}
		msg := d.Message
		if d.Hint != "" {
			msg += "\nhint: " + d.Hint
		}
		sep := " "
		if len(props) == 0 {
			sep = ""
		}
		fmt.Fprintf(w, "::%s%s%s::%s\n", level, sep, strings.Join(props, ","), ghData(msg))
	}
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
