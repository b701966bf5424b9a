package model

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"unicode/utf8"

	"cuelang.org/go/cue"
)

// fastLeaf turns the common scalar constraints of the schema (basic types,
// regular expressions, string lengths, integer bounds, and their & and |)
// into a Go predicate that accepts only values the constraint surely
// admits. It returns nil for anything else. checkLeaf asks it first, so the
// many distinct valid values of a large repository (every dashboard's
// name) are checked without a CUE unification under the schema's lock;
// anything it does not accept goes to CUE, which has the final word and
// writes the message.
func fastLeaf(v cue.Value) func(*Node) bool {
	op, args := v.Expr()
	switch op {
	case cue.AndOp, cue.OrOp:
		fs := make([]func(*Node) bool, len(args))
		for i, a := range args {
			if fs[i] = fastLeaf(a); fs[i] == nil {
				return nil
			}
		}
		if op == cue.AndOp {
			return func(n *Node) bool {
				for _, f := range fs {
					if !f(n) {
						return false
					}
				}
				return true
			}
		}
		return func(n *Node) bool {
			for _, f := range fs {
				if f(n) {
					return true
				}
			}
			return false
		}
	case cue.RegexMatchOp, cue.NotRegexMatchOp:
		if len(args) != 1 {
			return nil
		}
		pat, err := args[0].String()
		if err != nil {
			return nil
		}
		re, err := regexp.Compile(pat)
		if err != nil {
			return nil
		}
		want := op == cue.RegexMatchOp
		return func(n *Node) bool { return n.Kind == StringKind && re.MatchString(n.Value) == want }
	case cue.GreaterThanEqualOp, cue.GreaterThanOp, cue.LessThanEqualOp, cue.LessThanOp:
		if len(args) != 1 {
			return nil
		}
		bound, err := args[0].Int64()
		if err != nil {
			return nil
		}
		return func(n *Node) bool {
			i, ok := nodeInt(n)
			switch {
			case !ok:
				return false
			case op == cue.GreaterThanEqualOp:
				return i >= bound
			case op == cue.GreaterThanOp:
				return i > bound
			case op == cue.LessThanEqualOp:
				return i <= bound
			default:
				return i < bound
			}
		}
	case cue.CallOp:
		if len(args) != 2 {
			return nil
		}
		bound, err := args[1].Int64()
		if err != nil {
			return nil
		}
		switch fmt.Sprint(args[0]) {
		case "strings.MinRunes":
			return func(n *Node) bool { return n.Kind == StringKind && int64(utf8.RuneCountInString(n.Value)) >= bound }
		case "strings.MaxRunes":
			return func(n *Node) bool { return n.Kind == StringKind && int64(utf8.RuneCountInString(n.Value)) <= bound }
		}
		return nil
	case cue.NoOp:
		if v.IsConcrete() {
			if s, err := v.String(); err == nil {
				return func(n *Node) bool { return n.Kind == StringKind && n.Value == s }
			}
			return nil
		}
		switch fmt.Sprint(v) {
		case "string":
			return func(n *Node) bool { return n.Kind == StringKind }
		case "bool":
			return func(n *Node) bool { return n.Kind == BoolKind }
		case "int":
			return func(n *Node) bool { _, ok := nodeInt(n); return ok }
		case "uint":
			return func(n *Node) bool { i, ok := nodeInt(n); return ok && i >= 0 }
		}
	}
	return nil
}

// intLiteral is how an integer is written in JSON, YAML and CUE alike;
// other forms (1e3, 0x10, 1_000) are left to CUE.
var intLiteral = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]{0,17})$`) })

func nodeInt(n *Node) (int64, bool) {
	if n.Kind != NumberKind || !intLiteral().MatchString(n.Value) {
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	return i, err == nil
}
