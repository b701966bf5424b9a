package model

import (
	"bytes"
	"sort"
)

// Source is one input file's text, kept so diagnostics can quote it and so
// offsets inside string values can be mapped back to columns.
type Source struct {
	Path  string
	Data  []byte
	lines []int // byte offset of each line start
}

// NewSource wraps a file's text so diagnostics about it (from the docs
// site, say) can quote its lines.
func NewSource(path string, data []byte) *Source {
	s := &Source{Path: path, Data: data, lines: []int{0}}
	for i, b := range data {
		if b == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// Pos converts a byte offset to a position.
func (s *Source) Pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(s.Data) {
		off = len(s.Data)
	}
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	return Pos{File: s.Path, Line: i + 1, Col: off - s.lines[i] + 1}
}

// Offset converts a line and byte column back to an offset, or -1.
func (s *Source) Offset(line, col int) int {
	if line < 1 || line > len(s.lines) {
		return -1
	}
	off := s.lines[line-1] + col - 1
	if off > len(s.Data) {
		return -1
	}
	return off
}

// Line returns the text of a 1-based line without its newline.
func (s *Source) Line(n int) string {
	if n < 1 || n > len(s.lines) {
		return ""
	}
	start := s.lines[n-1]
	end := len(s.Data)
	if n < len(s.lines) {
		end = s.lines[n] - 1
	}
	return string(bytes.TrimRight(s.Data[start:end], "\r"))
}
