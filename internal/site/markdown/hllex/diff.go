package hllex

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
)

// Diff tokenises a diff (unified, context or normal) as chroma's Diff
// lexer does, a line at a time: added lines are GenericInserted, removed
// ones GenericDeleted, hunk headers GenericSubheading, file headers
// GenericHeading, the rest Text.
func Diff(src string) []chroma.Token {
	b := &buf{src: src, toks: make([]chroma.Token, 0, strings.Count(src, "\n")+1)}
	for b.pos < len(src) {
		e := lineEnd(src, b.pos)
		line := src[b.pos:e]
		if e < len(src) {
			e++
		}
		b.emit(diffLine(line), e)
	}
	return b.toks
}

// diffLine types a line, without its newline, by chroma's rules in their
// order.
func diffLine(l string) chroma.TokenType {
	switch {
	case l == "":
		return chroma.Text
	case l[0] == ' ':
		return chroma.Text
	case normalHunk(l):
		return chroma.GenericSubheading
	case l == "---":
		return chroma.GenericStrong
	case strings.HasPrefix(l, "< "):
		return chroma.GenericDeleted
	case strings.HasPrefix(l, "> "), l[0] == '+':
		return chroma.GenericInserted
	case l[0] == '-':
		return chroma.GenericDeleted
	case l[0] == '!':
		return chroma.GenericStrong
	case l[0] == '@':
		return chroma.GenericSubheading
	case strings.HasPrefix(l, "Index"), strings.HasPrefix(l, "index"), strings.HasPrefix(l, "diff"), l[0] == '=':
		return chroma.GenericHeading
	}
	return chroma.Text
}

// normalHunk reports whether l is a normal diff's command, such as
// 12,14c12: \d+(,\d+)?(a|c|d)\d+(,\d+)? and nothing else.
func normalHunk(l string) bool {
	i := 0
	rng := func() bool {
		j := digits(l, i)
		if j == i {
			return false
		}
		i = j
		if i < len(l) && l[i] == ',' {
			if j = digits(l, i+1); j > i+1 {
				i = j
			}
		}
		return true
	}
	if !rng() || i >= len(l) || strings.IndexByte("acd", l[i]) < 0 {
		return false
	}
	i++
	return rng() && i == len(l)
}
