package compiler

import (
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
		fmt.Fprintf(w, " %s | %s\n", num, maskSecrets(expandTabs(line)))
		if d.Pos.Col > 0 && d.Pos.Col <= len(line)+1 {
			prefix := expandTabs(line[:d.Pos.Col-1])
			width := max(1, tokenWidth(line[d.Pos.Col-1:]))
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
	for _, c := range s {
		if strings.ContainsRune(" \t,:{}[]()\"'=!~", c) {
			break
		}
		n++
	}
	if n == 0 {
		return 1
	}
	return min(n, 60)
}

// secretLineRe finds values of credential fields on a source line, so an
// excerpt never prints a password.
var secretLineRe = regexp.MustCompile(`(?i)("?(password|credentials|clientSecret|authorization|token|key)"?\s*:\s*)(.+)$`)

func maskSecrets(line string) string {
	return secretLineRe.ReplaceAllString(line, "${1}<redacted>")
}
