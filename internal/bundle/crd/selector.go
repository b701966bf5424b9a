package crd

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

// Selector is a Kubernetes label selector, written as spec.instanceSelector
// of every custom resource: the operator creates the resource only in the
// Perses instances (Perses custom resources) whose labels it matches.
// Without one the operator creates it in every Perses instance it manages.
type Selector struct {
	// MatchLabels are the key=value requirements, in the order written.
	MatchLabels [][2]string
	// MatchExpressions are the others: key in (v1,v2), key notin (…),
	// key (Exists), !key (DoesNotExist).
	MatchExpressions []Requirement
}

// Requirement is one entry of matchExpressions.
type Requirement struct {
	Key, Operator string
	Values        []string
}

var (
	labelKeyRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
	})
	labelValueRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`) })
	setRe        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\S+)\s+(in|notin)\s+\(([^()]*)\)$`) })
)

// ParseSelector reads a selector as kubectl -l writes one:
// "app=perses,env in (prod,staging),!canary". "" is no selector (nil).
func ParseSelector(s string) (*Selector, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	sel := &Selector{}
	for _, part := range splitSelector(s) {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
			return nil, fmt.Errorf("instance selector %q: an empty requirement (two commas in a row?)", s)
		case setRe().MatchString(part):
			m := setRe().FindStringSubmatch(part)
			op := "In"
			if m[2] == "notin" {
				op = "NotIn"
			}
			var values []string
			for _, v := range strings.Split(m[3], ",") {
				values = append(values, strings.TrimSpace(v))
			}
			if err := checkLabel(s, m[1], values...); err != nil {
				return nil, err
			}
			sel.MatchExpressions = append(sel.MatchExpressions, Requirement{Key: m[1], Operator: op, Values: values})
		case strings.Contains(part, "!="):
			k, v, _ := strings.Cut(part, "!=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if err := checkLabel(s, k, v); err != nil {
				return nil, err
			}
			sel.MatchExpressions = append(sel.MatchExpressions, Requirement{Key: k, Operator: "NotIn", Values: []string{v}})
		case strings.Contains(part, "="):
			k, v, _ := strings.Cut(part, "=")
			k, v = strings.TrimSpace(k), strings.TrimPrefix(strings.TrimSpace(v), "=")
			if err := checkLabel(s, k, strings.TrimSpace(v)); err != nil {
				return nil, err
			}
			sel.MatchLabels = append(sel.MatchLabels, [2]string{k, strings.TrimSpace(v)})
		case strings.HasPrefix(part, "!"):
			k := strings.TrimSpace(part[1:])
			if err := checkLabel(s, k); err != nil {
				return nil, err
			}
			sel.MatchExpressions = append(sel.MatchExpressions, Requirement{Key: k, Operator: "DoesNotExist"})
		default:
			if err := checkLabel(s, part); err != nil {
				return nil, err
			}
			sel.MatchExpressions = append(sel.MatchExpressions, Requirement{Key: part, Operator: "Exists"})
		}
	}
	return sel, nil
}

// splitSelector splits at the commas outside parentheses.
func splitSelector(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func checkLabel(sel, key string, values ...string) error {
	if !labelKeyRe().MatchString(key) || len(key) > 316 {
		return fmt.Errorf("instance selector %q: %q is not a label key (letters, digits, '-', '_', '.', up to 63, with an optional DNS prefix and '/')", sel, key)
	}
	for _, v := range values {
		if !labelValueRe().MatchString(v) {
			return fmt.Errorf("instance selector %q: %q is not a label value (up to 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit)", sel, v)
		}
	}
	return nil
}

// node is the selector as the custom resources write it.
func (s *Selector) node() *model.Node {
	n := model.NewMap(nil)
	if len(s.MatchLabels) > 0 {
		m := model.NewMap(nil)
		for _, kv := range s.MatchLabels {
			m.Set(kv[0], model.NewString(kv[1], nil))
		}
		n.Set("matchLabels", m)
	}
	if len(s.MatchExpressions) > 0 {
		list := model.New(model.ListKind, model.Pos{})
		for _, r := range s.MatchExpressions {
			e := model.NewMap(nil)
			e.Set("key", model.NewString(r.Key, nil))
			e.Set("operator", model.NewString(r.Operator, nil))
			if r.Values != nil {
				vs := model.New(model.ListKind, model.Pos{})
				for _, v := range r.Values {
					vs.Items = append(vs.Items, model.NewString(v, nil))
				}
				e.Set("values", vs)
			}
			list.Items = append(list.Items, e)
		}
		n.Set("matchExpressions", list)
	}
	return n
}
