package model

import (
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// TestEvalSchemaAdmitsDefaults: in the schema's evaluation form, every
// field that has a default in the schema as written is optional, has no
// default, and admits the default, so that a user's value meets the same
// constraint and the validator's filling of an absent one gives what CUE
// gave. Fields without a default are as written.
func TestEvalSchemaAdmitsDefaults(t *testing.T) {
	written, err := BuildSchema(cuecontext.New())
	if err != nil {
		t.Fatal(err)
	}
	eval, err := BuildEvalSchema(cuecontext.New())
	if err != nil {
		t.Fatal(err)
	}
	defaults := 0
	var walk func(w, e cue.Value, path string, depth int)
	walk = func(w, e cue.Value, path string, depth int) {
		if depth > 10 {
			return
		}
		// Elements of lists and values of maps.
		for _, sel := range []cue.Selector{cue.AnyIndex, cue.AnyString} {
			if we := w.LookupPath(cue.MakePath(sel)); we.Exists() {
				walk(we, e.LookupPath(cue.MakePath(sel)), path+"."+sel.String(), depth+1)
			}
		}
		it, err := w.Fields(cue.Optional(true), cue.Definitions(true))
		if err != nil {
			return
		}
		for it.Next() {
			sel := it.Selector()
			wv := it.Value()
			p := path + "." + sel.String()
			name := strings.TrimRight(sel.String(), "?!")
			if d, ok := wv.Default(); ok && sel.ConstraintType()&(cue.OptionalConstraint|cue.RequiredConstraint) == 0 {
				defaults++
				ev := e.LookupPath(cue.MakePath(cue.Str(name).Optional()))
				if !ev.Exists() {
					t.Errorf("%s: not optional in the evaluation form", p)
					continue
				}
				if _, has := ev.Default(); has {
					t.Errorf("%s: still has a default in the evaluation form", p)
				}
				if err := ev.Unify(d).Validate(cue.Concrete(true)); err != nil {
					t.Errorf("%s: the evaluation form does not admit the default %v: %v", p, d, err)
				}
				continue
			}
			var ev cue.Value
			switch sel.ConstraintType() {
			case cue.OptionalConstraint:
				ev = e.LookupPath(cue.MakePath(cue.Str(name).Optional()))
			case cue.RequiredConstraint:
				ev = e.LookupPath(cue.MakePath(cue.Str(name).Required()))
			default:
				ev = e.LookupPath(cue.MakePath(sel))
			}
			if !ev.Exists() {
				t.Errorf("%s: missing from the evaluation form", p)
				continue
			}
			walk(wv, ev, p, depth+1)
		}
	}
	walk(written, eval, "schema", 0)
	if defaults < 15 {
		t.Errorf("checked %d fields with defaults; the schema has more: the walk missed them", defaults)
	}
	t.Logf("%d fields with defaults checked", defaults)
}

// TestWithoutDefaults pins the rewriting of one field of each shape.
func TestWithoutDefaults(t *testing.T) {
	src := `package schema

#A: {
	b:  bool | *true
	n:  int & >=0 | *0
	p:  *"package-name" | "value"
	d:  #D | *"1h"
	r!: string
	o?: bool
	l:  [...{hidden: bool | *false}]
	k:  "x"
	m!: "GET" | "a.b"
	x?: "a" | int
}
#D: string
`
	got, err := WithoutDefaults("a.cue", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	norm := strings.Join(strings.Fields(string(got)), " ") + " " // formatting aside
	for _, want := range []string{"b?: bool ", "n?: int & >=0 ", `p?: =~"^(?:package-name|value)$"`, `d?: #D `, "r!: string", "o?: bool", "hidden?: bool}", `k: "x"`, `m!: =~"^(?:GET|a\\.b)$"`, `x?: "a" | int`} {
		if !strings.Contains(norm, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "*") {
		t.Errorf("a default is left:\n%s", got)
	}

	// A choice of strings admits exactly its strings.
	v := cuecontext.New().CompileBytes(got).LookupPath(cue.MakePath(cue.Def("#A"), cue.Str("m").Required()))
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	for s, ok := range map[string]bool{"GET": true, "a.b": true, "get": false, "GETX": false, "xGET": false, "axb": false, "": false} {
		if err := v.Unify(v.Context().Encode(s)).Validate(cue.Concrete(true)); (err == nil) != ok {
			t.Errorf("%q: admitted %v, want %v", s, err == nil, ok)
		}
	}
	if err := v.Unify(v.Context().Encode(1)).Validate(); err == nil {
		t.Error("a number is admitted by a choice of strings")
	}
}

// TestRuneCountsAsRegexps: strings.MinRunes and strings.MaxRunes become
// regular expressions that admit exactly the same values (runes counted,
// not bytes; a newline is a rune), and the strings import goes only when
// nothing else of it is used.
func TestRuneCountsAsRegexps(t *testing.T) {
	src := `package schema

import "strings"

#Min: strings.MinRunes(2)
#Max: strings.MaxRunes(3)
#Both: strings.MinRunes(1) & strings.MaxRunes(2) & =~"^[^x]*$"
`
	// Beyond what a regular expression can repeat, and a name that is
	// not the import, the calls stay; the import stays while a call of
	// it does (a field named strings is not one), and the result compiles.
	for _, c := range []struct {
		src         string
		keepsImport bool
	}{
		{"package schema\n\nimport \"strings\"\n\n#Long: strings.MaxRunes(1001)\n", true},
		{"package schema\n\nimport \"strings\"\n\n#A: strings.MinRunes(1)\n#B: {\n\tstrings: {MinRunes: _}\n\tx: strings.MinRunes(1)\n}\n", false},
	} {
		kept, err := WithoutDefaults("b.cue", []byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(kept), `import "strings"`) != c.keepsImport || strings.Count(string(kept), "strings.") != strings.Count(c.src, "strings.")-strings.Count(c.src, "#A: strings.") {
			t.Errorf("rewrote what it must keep:\n%s", kept)
		}
		if v := cuecontext.New().CompileBytes(kept); v.Err() != nil {
			t.Errorf("%v in:\n%s", v.Err(), kept)
		}
	}
	got, err := WithoutDefaults("a.cue", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "strings") {
		t.Fatalf("a call or the import is left:\n%s", got)
	}
	written, eval := cuecontext.New().CompileString(src), cuecontext.New().CompileBytes(got)
	if err := eval.Err(); err != nil {
		t.Fatalf("%v in:\n%s", err, got)
	}
	values := []any{"", "a", "ab", "abc", "abcd", "é", "éé", "ééé", "éééé", "😀😀", "😀😀😀😀", "a\n", "\n\n\n", "\n\n\n\n", "x", 1, true, nil}
	for _, def := range []string{"#Min", "#Max", "#Both"} {
		w, e := written.LookupPath(cue.ParsePath(def)), eval.LookupPath(cue.ParsePath(def))
		for _, x := range values {
			wErr := w.Unify(w.Context().Encode(x)).Validate(cue.Concrete(true))
			eErr := e.Unify(e.Context().Encode(x)).Validate(cue.Concrete(true))
			if (wErr == nil) != (eErr == nil) {
				t.Errorf("%s & %q: as written admitted %v, evaluation form %v", def, x, wErr == nil, eErr == nil)
			}
		}
	}

	// Another use of the package keeps its import, under its own name or
	// an alias.
	for _, src := range []string{
		"package schema\n\nimport \"strings\"\n\n#A: strings.MinRunes(1) & strings.HasPrefix(\"a\")\n",
		"package schema\n\nimport str \"strings\"\n\n#A: str.MinRunes(1) & str.HasPrefix(\"a\")\n",
	} {
		kept, err := WithoutDefaults("b.cue", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if v := cuecontext.New().CompileBytes(kept); v.Err() != nil || !strings.Contains(string(kept), `"strings"`) || strings.Contains(string(kept), "MinRunes") {
			t.Errorf("the import of a package still used went, or a call stayed (%v):\n%s", v.Err(), kept)
		}
	}
}
