package diag

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Excerpts and messages quote the user's sources, which may hold anything:
// control characters (an ESC would start a terminal escape sequence), bytes
// that are not UTF-8 (a binary file), lines of hundreds of kilobytes (a
// minified JSON export). What a renderer prints from a source goes through
// the functions of this file, so that a source can neither drive the
// terminal nor flood it.

// maxExcerptWidth is how many columns of a source line an excerpt shows at
// most; a longer line is cut to a window around the caret, each cut end
// marked with an ellipsis.
const maxExcerptWidth = 120

// maxMessageLine bounds, in characters, each line of a message or hint in
// the text form: a message that quotes a huge value keeps its start and
// end. The machine forms (JSON, GitHub) carry the message whole.
const maxMessageLine = 400

// ellipsis marks where a line or a message was cut.
const ellipsis = "…"

// tabWidth is how many spaces a tab in an excerpt becomes.
const tabWidth = 4

// escapeRune returns how r is shown when it must not be printed as it is,
// and whether it must not: C0 and C1 control characters (but a tab, which
// excerpts expand, and a line feed, which messages keep), DEL, the
// invisible characters that reorder text (bidirectional overrides and
// isolates, which can make a line read differently from what it holds),
// and the line and paragraph separators.
func escapeRune(r rune) (string, bool) {
	switch {
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r), true
	case r >= 0x80 && r < 0xa0,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e || r == 0x200f || r == 0x061c,
		r == 0x2028 || r == 0x2029:
		return fmt.Sprintf(`\u%04x`, r), true
	}
	return "", false
}

// Sanitize returns s with every control character, reordering character
// and byte that is not UTF-8 escaped (\x1b, \u202e, \xff), except line
// feeds and tabs, so that text from a source can be printed to a terminal
// or a log without acting on it.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, esc := escapeRune(r); (esc && r != '\n' && r != '\t') || (r == utf8.RuneError && size == 1) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch e, esc := escapeRune(r); {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case esc && r != '\n' && r != '\t':
			b.WriteString(e)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// shortenLines cuts each line of s longer than maxMessageLine characters
// in its middle, keeping its start and end.
func shortenLines(s string) string {
	if len(s) <= maxMessageLine {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if utf8.RuneCountInString(l) <= maxMessageLine {
			continue
		}
		rs := []rune(l)
		head, tail := maxMessageLine*3/4, maxMessageLine/4-1
		lines[i] = string(rs[:head]) + ellipsis + string(rs[len(rs)-tail:])
	}
	return strings.Join(lines, "\n")
}

// printable is what the text form prints of a message, hint or file name
// that may quote a source.
func printable(s string) string { return shortenLines(Sanitize(s)) }

// cell is how one rune (or one byte that is not UTF-8) of a source line is
// shown in an excerpt.
type cell struct {
	off  int    // byte offset in the line
	text string // what is printed
}

// cells splits line into the pieces an excerpt prints: runes as they are,
// tabs as spaces, anything escapeRune rejects and bytes that are not UTF-8
// escaped.
func cells(line string) []cell {
	cs := make([]cell, 0, len(line))
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		text := line[i : i+size]
		switch e, esc := escapeRune(r); {
		case r == '\t':
			text = strings.Repeat(" ", tabWidth)
		case r == utf8.RuneError && size == 1:
			text = fmt.Sprintf(`\x%02x`, line[i])
		case esc:
			text = e
		}
		cs = append(cs, cell{off: i, text: text})
		i += size
	}
	return cs
}

// width is how many columns a cell takes: one per rune.
func (c cell) width() int { return utf8.RuneCountInString(c.text) }

// excerptLines returns the two lines of an excerpt, without their gutter:
// the source line (a window of it when it is long) and where the carets
// stand under it (their column and count). from and to are byte offsets in
// line; to <= from shows one caret. When from is at the line's end, the
// caret stands right after it.
func excerptLines(line string, from, to int) (shown string, caretAt, carets int) {
	// Only the bytes that can be in the window are split into cells: a
	// column takes at most four bytes (a rune), so the window lies within
	// reach bytes of the caret.
	const reach = 4 * maxExcerptWidth
	lo, hi := 0, len(line)
	if from > reach {
		lo = from - reach
		for lo < len(line) && !utf8.RuneStart(line[lo]) {
			lo++
		}
	}
	if from+reach < hi {
		hi = from + reach
		for hi > lo && !utf8.RuneStart(line[hi]) {
			hi--
		}
	}
	cs := cells(line[lo:hi])
	from, to = from-lo, to-lo
	// Column of each cell's start, and of the end of the line.
	cols := make([]int, len(cs)+1)
	for i, c := range cs {
		cols[i+1] = cols[i] + c.width()
	}
	// Cells [a, b) are under the carets; a == len(cs) is the line's end.
	a := len(cs)
	if from < hi-lo {
		a = sort.Search(len(cs), func(i int) bool { return cs[i].off > from }) - 1
	}
	b := sort.Search(len(cs), func(i int) bool { return cs[i].off >= to })
	b = max(b, a+1)
	start, end := 0, len(cs)
	if lo > 0 || hi < len(line) || cols[len(cs)] > maxExcerptWidth {
		start, end = window(cols, a)
	}
	var s strings.Builder
	lead := 0
	if start > 0 || lo > 0 {
		s.WriteString(ellipsis)
		lead = 1
	}
	for _, c := range cs[start:end] {
		s.WriteString(c.text)
	}
	if end < len(cs) || hi < len(line) {
		s.WriteString(ellipsis)
	}
	caretAt = cols[a] - cols[start] + lead
	if a == len(cs) {
		return s.String(), caretAt, 1
	}
	return s.String(), caretAt, max(1, cols[min(b, end)]-cols[a])
}

// window picks the cells [start, end) shown of a long line whose cell
// columns are cols (one more than there are cells), so that the cell a
// under the caret is in sight, a third of the way in, and the window is
// as wide as maxExcerptWidth allows.
func window(cols []int, a int) (start, end int) {
	n := len(cols) - 1
	budget := maxExcerptWidth - 2 // room for the two ellipses
	first := max(0, cols[a]-budget/3)
	if cols[n]-first < budget {
		first = max(0, cols[n]-budget)
	}
	for start < a && cols[start] < first {
		start++
	}
	end = start
	for end < n && cols[end+1]-cols[start] <= budget {
		end++
	}
	if end <= a && a < n {
		end = a + 1 // one very wide cell
	}
	return start, end
}
