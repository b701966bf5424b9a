package load

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
	"github.com/pyrobuild/pyrobuild/internal/diag"
)

// ParseJSON parses one JSON value keeping positions. encoding/json checks
// syntax but forgets where values were, so this small scanner does both.
func ParseJSON(src *model.Source) (*model.Node, *diag.Diagnostic) {
	p := &jsonParser{src: src, data: src.Data}
	if len(p.data) >= 3 && string(p.data[:3]) == "\xef\xbb\xbf" {
		p.i = 3 // a UTF-8 byte order mark, as some Windows editors write
	}
	p.skipSpace()
	n, err := p.value(0)
	if err == nil {
		p.skipSpace()
		if p.i < len(p.data) {
			err = p.errorf("unexpected %s after the top-level value", p.describe())
		}
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

type jsonParser struct {
	src  *model.Source
	data []byte
	i    int
}

// errorf returns a syntax error at the parser's offset.
func (p *jsonParser) errorf(format string, args ...any) *diag.Diagnostic {
	return diag.Errorf(model.CodeJSONSyntax, p.src.Pos(p.i), format, args...).Diagnostic()
}

func (p *jsonParser) describe() string {
	if p.i >= len(p.data) {
		return "end of file"
	}
	r, _ := utf8.DecodeRune(p.data[p.i:])
	return fmt.Sprintf("%q", r)
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) node(k model.Kind) *model.Node {
	n := &model.Node{Kind: k, Pos: p.src.Pos(p.i)}
	n.SetOrigin(p.src, p.i)
	return n
}

func (p *jsonParser) value(depth int) (*model.Node, *diag.Diagnostic) {
	if depth > model.MaxDepth {
		d := p.errorf("nesting deeper than %d levels", model.MaxDepth)
		d.Code = model.CodeInputLimit
		return nil, d
	}
	if p.i >= len(p.data) {
		return nil, p.errorf("unexpected end of file, expected a value")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		n := p.node(model.StringKind)
		s, err := p.str()
		n.Value = s
		return n, err
	case c == '-' || (c >= '0' && c <= '9'):
		n := p.node(model.NumberKind)
		start := p.i
		for p.i < len(p.data) && isNumByte(p.data[p.i]) {
			p.i++
		}
		lit := string(p.data[start:p.i])
		var f json.Number
		if json.Unmarshal(p.data[start:p.i], &f) != nil {
			p.i = start
			return nil, p.errorf("invalid number %q", lit)
		}
		n.Value = lit
		return n, nil
	default:
		for _, w := range []struct {
			lit  string
			kind model.Kind
		}{{"true", model.BoolKind}, {"false", model.BoolKind}, {"null", model.NullKind}} {
			if len(p.data)-p.i >= len(w.lit) && string(p.data[p.i:p.i+len(w.lit)]) == w.lit {
				n := p.node(w.kind)
				if w.kind == model.BoolKind {
					n.Value = w.lit
				}
				p.i += len(w.lit)
				return n, nil
			}
		}
		return nil, p.errorf("unexpected %s, expected a value", p.describe())
	}
}

func isNumByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (p *jsonParser) str() (string, *diag.Diagnostic) {
	start := p.i
	p.i++
	for p.i < len(p.data) {
		switch c := p.data[p.i]; {
		case c == '"':
			p.i++
			var s string
			if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
				p.i = start
				return "", p.errorf("invalid string: %v", err)
			}
			if !utf8.Valid(p.data[start:p.i]) {
				p.i = start
				return "", p.errorf("string is not valid UTF-8")
			}
			return s, nil
		case c == '\\':
			p.i += 2
		case c < 0x20:
			return "", p.errorf("control character %q in string", rune(c))
		default:
			p.i++
		}
	}
	p.i = start
	return "", p.errorf("unterminated string")
}

func (p *jsonParser) object(depth int) (*model.Node, *diag.Diagnostic) {
	n := p.node(model.MapKind)
	p.i++
	seen := map[string]diag.Pos{}
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.errorf("unexpected %s, expected a quoted object key", p.describe())
		}
		keyPos := p.src.Pos(p.i)
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[k]; dup {
			return nil, diag.Errorf(model.CodeDuplicateKey, keyPos, "duplicate key %q (first defined at line %d)", k, prev.Line).
				Hint("remove one of the two; JSON readers disagree on which one wins").
				Note(prev, fmt.Sprintf("key %q is first defined here", k)).
				Diagnostic()
		}
		seen[k] = keyPos
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf("unexpected %s, expected ':' after key %q", p.describe(), k)
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.KeyPos = keyPos
		n.Keys = append(n.Keys, k)
		n.Vals = append(n.Vals, v)
		done, err := p.separator('}')
		if err != nil {
			return nil, err
		}
		if done {
			return n, nil
		}
	}
}

func (p *jsonParser) array(depth int) (*model.Node, *diag.Diagnostic) {
	n := p.node(model.ListKind)
	n.Items = []*model.Node{}
	p.i++
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, v)
		done, err := p.separator(']')
		if err != nil {
			return nil, err
		}
		if done {
			return n, nil
		}
	}
}

// separator reads what follows an element of an object or array closed by
// close: a comma (done is false, the next element follows) or close itself
// (done is true, consumed). A comma right before close is refused, at the
// comma, as JSON does not allow it.
func (p *jsonParser) separator(close byte) (done bool, err *diag.Diagnostic) {
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ',' {
		comma := p.i
		p.i++
		p.skipSpace()
		if p.i < len(p.data) && p.data[p.i] == close {
			p.i = comma
			return false, p.errorf("trailing comma before '%c' is not allowed in JSON", close)
		}
		return false, nil
	}
	if p.i < len(p.data) && p.data[p.i] == close {
		p.i++
		return true, nil
	}
	return false, p.errorf("unexpected %s, expected ',' or '%c'", p.describe(), close)
}
