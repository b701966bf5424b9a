package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// yaml.v3 reports a syntax error as text, "yaml: line N: problem", and N is
// not where the problem is: for a parser error it is the 0-based line of
// the enclosing construct (a block mapping that began forty lines
// earlier), for a scanner error the 1-based line of the problem, and a
// reader error (a control character) has none. The column is never given.
// The decoder keeps the true place (its problem mark) to itself, so it is
// found again here: the decoder is streaming, so the error appears, the
// same, for every prefix of the source that holds the offending token, and
// for none that stops before it. The end of the shortest failing prefix
// is the place.

var (
	yamlLineRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })
	yamlAnchorRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown anchor '(.*)' referenced$`) })
)

// yamlError turns the decoder's error into a diagnostic at the offending
// token.
func yamlError(src *model.Source, err error) *diag.Diagnostic {
	text := err.Error()
	msg, reported := strings.TrimPrefix(text, "yaml: "), 0
	if m := yamlLineRe().FindStringSubmatch(text); m != nil {
		reported, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if off, r, ok := yamlControlChar(src.Data); ok && msg == "control characters are not allowed" {
		return diag.Errorf(model.CodeYAMLSyntax, src.Pos(off), "control character %U is not allowed in YAML", r).
			Hint("YAML allows tabs and line breaks but no other control character: remove it (most editors do not show it)").
			Diagnostic()
	}
	// A parser error's line is 0-based, a scanner error's 1-based: the
	// problem is on that line or after it.
	off := yamlErrorAt(src.Data, text, max(1, reported))
	if off < 0 {
		// An empty source, which decodes without error.
		return diag.New(diag.Error, model.CodeYAMLSyntax, diag.Pos{File: src.Path, Line: max(1, reported), Col: 1}, msg).Diagnostic()
	}
	if strings.HasPrefix(msg, "did not find expected") && src.Data[off] == ':' {
		// A key is read whole before the parser sees it (the key must
		// be followed by ':'): the offending token is the key.
		off = yamlKeyStart(src.Data, off)
	}
	if m := yamlAnchorRe().FindStringSubmatch(msg); m != nil {
		// Found once the name is complete: point at its '*'.
		if i := bytes.LastIndex(src.Data[:off+1], []byte("*"+m[1])); i >= 0 {
			off = i
		}
	}
	at := src.Pos(off)
	d := diag.New(diag.Error, model.CodeYAMLSyntax, at, msg)
	switch {
	case src.Data[off] == '\t':
		d = d.Hint("YAML does not allow tabs for indentation: use spaces")
	case msg == "did not find expected key":
		d = d.Hint("check this line's indentation: a key must line up with the other keys of its mapping")
	case msg == "did not find expected '-' indicator":
		d = d.Hint("check this line's indentation: an item must line up with the other '-' items of its list")
	case msg == "did not find expected ',' or ']'", msg == "did not find expected ',' or '}'":
		// Flow collections: the unclosed bracket is the mistake. (Where
		// it shows is not known: a prefix that stops inside the
		// collection fails the same way, so the search lands early.)
		open, closing, what := byte('['), ']', "list"
		if strings.HasSuffix(msg, "'}'") {
			open, closing, what = '{', '}', "mapping"
		}
		if b := yamlUnclosed(src, off, open, reported); b >= 0 {
			d = diag.New(diag.Error, model.CodeYAMLSyntax, src.Pos(b), msg).
				Hint(fmt.Sprintf("the %s opened here is not closed: end it with '%c', or separate its items with ','", what, closing))
		}
	case msg == "did not find expected node content":
		// After a trailing ',' in a list or mapping never closed, the
		// stream ends where a value should be: the bracket is the place.
		// (A bracket open only up to the search's place is no sign: the
		// search stops inside the collection.)
		b := max(yamlOpenBracket(src.Data, '['), yamlOpenBracket(src.Data, '{'))
		if b >= 0 && yamlOnLine(src, b, reported) {
			closing := map[byte]byte{'[': ']', '{': '}'}[src.Data[b]]
			d = diag.New(diag.Error, model.CodeYAMLSyntax, src.Pos(b), msg).
				Hint(fmt.Sprintf("the '%c' opened here is never closed: end it with '%c'", src.Data[b], closing))
		}
	}
	return d.Diagnostic()
}

// yamlFirstError decodes every document of data and returns the text of
// the first error, "" when there is none.
func yamlFirstError(data []byte) string {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return ""
		}
		if err != nil {
			return err.Error()
		}
	}
}

// yamlErrorAt returns the offset of the byte where decoding data first
// fails with the error text want, which decoding all of data gave,
// searching from line from (1-based) on. It decodes about twice the
// logarithm of the distance in lines, plus of the line's length, prefixes
// of data, but no more than yamlSearchBudget bytes in all: past that (a
// large file whose error lies far from where yaml.v3 says), it settles for
// the first line known to fail, at its first character. The budget is in
// bytes, not time, so the same source always gets the same position.
func yamlErrorAt(data []byte, want string, from int) int {
	if len(data) == 0 {
		return -1
	}
	starts := []int{0}
	for i, b := range data {
		if b == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	n := len(starts)
	from = min(from, n)
	// lineEnd is the end of the first l lines, line break included.
	lineEnd := func(l int) int {
		if l >= n {
			return len(data)
		}
		return starts[l]
	}
	budget := yamlSearchBudget + 16*len(data)
	fails := func(k int) (failed, ok bool) {
		if budget -= k; budget < 0 {
			return false, false
		}
		probe := data[:k]
		if k < len(data) && data[k-1] != '\n' && bytes.IndexByte(data[k:], '\n') >= 0 {
			// The line goes on in the source: end it, so that an error
			// at the end of the stream (an unclosed quote) is reported
			// on the line after, as it is for the whole source.
			probe = append(probe[:k:k], '\n')
		}
		return yamlFirstError(probe) == want, true
	}
	// atLine is the first character of 1-based line l that is no blank.
	atLine := func(l int) int {
		i := starts[l-1]
		for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
			i++
		}
		return min(i, len(data)-1)
	}

	// The fewest lines that fail: gallop from the reported line, then
	// halve. Fewer than from lines are taken not to fail.
	lo, hi := from-1, from
	for step := 1; hi < n; step *= 2 {
		failed, ok := fails(lineEnd(hi))
		if !ok {
			return atLine(n)
		}
		if failed {
			break
		}
		lo, hi = hi, min(n, from+step)
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		failed, ok := fails(lineEnd(mid))
		if !ok {
			return atLine(hi)
		}
		if failed {
			hi = mid
		} else {
			lo = mid
		}
	}
	// The shortest failing prefix that ends in that line.
	line, start := hi, starts[hi-1]
	lo, hi = start, lineEnd(hi)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		failed, ok := fails(mid)
		if !ok {
			return atLine(line)
		}
		if failed {
			hi = mid
		} else {
			lo = mid
		}
	}
	off := hi - 1
	for off > start && !utf8.RuneStart(data[off]) {
		off--
	}
	return off
}

// yamlSearchBudget is how many bytes yamlErrorAt decodes at least before
// it settles (plus 16 times the source's size): enough for an exact
// position in any dashboard written by hand.
const yamlSearchBudget = 8 << 20

// yamlControlChar finds the first character YAML does not allow in a
// stream (YAML 1.2, 5.1: printable characters, tab and line breaks).
func yamlControlChar(data []byte) (int, rune, bool) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85,
			r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff,
			r >= 0xe000 && r <= 0xfffd && !(r == utf8.RuneError && size == 1), r >= 0x10000:
		default:
			return i, r, true
		}
		i += size
	}
	return 0, 0, false
}

// yamlUnclosed finds the bracket (open) of the flow collection that a
// "did not find expected ',' or ']'" error at off is about: the innermost
// one of its kind left open at the end of the source (the usual mistake),
// else at off; the one on the line the error names. Or -1.
func yamlUnclosed(src *model.Source, off int, open byte, reported int) int {
	if b := yamlOpenBracket(src.Data, open); b >= 0 && yamlOnLine(src, b, reported) {
		return b
	}
	if b := yamlOpenBracket(src.Data[:off], open); b >= 0 && yamlOnLine(src, b, reported) {
		return b
	}
	return -1
}

// yamlOnLine reports whether the context of a parser error can be at
// offset b, given the line the error names: the context's line, 0-based,
// or, for a context on the first line, the problem's.
func yamlOnLine(src *model.Source, b, reported int) bool {
	line := src.Pos(b).Line
	return line == reported+1 || line == 1
}

// yamlOpenBracket returns the offset of the innermost bracket open (a '['
// or '{') left open at the end of data, or -1. It skips quoted
// strings and comments the way YAML writes them.
func yamlOpenBracket(data []byte, open byte) int {
	var stack []int
	for i := 0; i < len(data); i++ {
		c := data[i]
		// A quote or a comment starts only after a blank or an indicator;
		// inside a plain word (it's, a#b) it is text.
		startsToken := i == 0 || bytes.IndexByte([]byte(" \t\r\n[{,:"), data[i-1]) >= 0
		switch {
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case (c == '"' || c == '\'') && startsToken:
			for i++; i < len(data); i++ {
				if c == '"' && data[i] == '\\' {
					i++
				} else if data[i] == c {
					if c == '"' || i+1 == len(data) || data[i+1] != '\'' {
						break
					}
					i++ // '' is a quote inside a single-quoted string
				}
			}
		case c == '[' || c == '{':
			stack = append(stack, i)
		case (c == ']' || c == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if data[stack[i]] == open {
			return stack[i]
		}
	}
	return -1
}

// yamlKeyStart returns where the key before the ':' at colon starts, on
// the same line: a quoted key at its quote, a plain one after the blank or
// indicator before it.
func yamlKeyStart(data []byte, colon int) int {
	i := colon
	for i > 0 && (data[i-1] == ' ' || data[i-1] == '\t') {
		i--
	}
	if i > 0 && (data[i-1] == '"' || data[i-1] == '\'') {
		if q := bytes.LastIndexByte(data[:i-1], data[i-1]); q >= 0 && bytes.IndexByte(data[q:i], '\n') < 0 {
			return q
		}
	}
	for i > 0 && bytes.IndexByte([]byte(" \t\n[{,"), data[i-1]) < 0 {
		i--
	}
	return i
}
