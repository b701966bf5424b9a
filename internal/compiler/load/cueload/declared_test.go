package cueload

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"

	"github.com/pyrobuild/pyrobuild/internal/benchgen"
	"github.com/pyrobuild/pyrobuild/internal/compiler/model"
)

type testSources map[string]*model.Source

func (s testSources) Add(src *model.Source)         { s[src.Path] = src }
func (s testSources) Get(path string) *model.Source { return s[path] }

func parseAll(t *testing.T, srcs ...string) []*ast.File {
	t.Helper()
	var files []*ast.File
	for i, src := range srcs {
		f, err := parser.ParseFile(filepath.Join("p", string(rune('a'+i))+".cue"), src)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func TestDeclaredCertain(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want bool
	}{
		{"schema import only", "package p\nimport pb \"github.com/pyrobuild/pyrobuild/schema\"\nd: pb.#Dashboard & {spec: display: name: \"x\"}\n", true},
		{"no import", "package p\nd: {kind: \"Dashboard\"}\n", true},
		{"quoted labels", "package p\nd: {\"$ref\": \"#/x\", \"a-b\": 1}\n", true},
		{"standard library", "package p\nimport \"encoding/json\"\nd: json.Unmarshal(\"{}\")\n", false},
		{"comprehension", "package p\nx: [\"a\"]\nd: {for k in x {(k): 1}}\n", false},
		{"guarded field", "package p\nd: {if true {extra: 1}}\n", false},
		{"computed label", "package p\nk: \"a\"\nd: {(k): 1}\n", false},
		{"interpolated label", "package p\nk: \"a\"\nd: {\"\\(k)-x\": 1}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := declaredLabels(parseAll(t, tc.src)); got != tc.want {
				t.Errorf("declaredLabels = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClosedBySchema(t *testing.T) {
	const head = "package p\nimport pb \"github.com/pyrobuild/pyrobuild/schema\"\n"
	for _, tc := range []struct {
		name, src, label string
		want             bool
	}{
		{"conjunction", "d: pb.#Dashboard & {}", "d", true},
		{"definition alone", "d: pb.#Dashboard", "d", true},
		{"right operand, parenthesised", "d: {} & (pb.#Dashboard & {})", "d", true},
		{"another declaration of the label", "d: {}\nd: pb.#Dashboard", "d", true},
		{"other label", "e: pb.#Dashboard & {}\nd: {}", "d", false},
		{"other definition", "d: pb.#Project & {}", "d", false},
		{"disjunction", "d: pb.#Dashboard | {}", "d", false},
		{"user definition embedding the schema's", "#D: {pb.#Dashboard, extra: 1}\nd: #D & {}", "d", false},
		{"optional field", "d?: pb.#Dashboard", "d", false},
		{"local name shadowing nothing", "pbx: {#Dashboard: {}}\nd: pbx.#Dashboard", "d", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := closedBySchema(parseAll(t, head+tc.src+"\n"), tc.label, "#Dashboard"); got != tc.want {
				t.Errorf("closedBySchema = %v, want %v", got, tc.want)
			}
		})
	}
}

// loadDir loads the CUE package in dir, reading structs by lookup where the
// schema closes them (lookup) or all with Fields.
func loadDir(t *testing.T, dir string, lookup, asWritten bool) []Resource {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.cue"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no CUE files in %s: %v", dir, err)
	}
	var srcs []*model.Source
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, model.NewSource(name, data))
	}
	res, diags, _ := load(dir, srcs, testSources{}, &Env{AsWritten: asWritten}, lookup)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", dir, diags)
	}
	return res
}

// sameNode reports where a and b differ: kind, value, positions, origin,
// the set of map keys, list items in order, and the order of the keys
// the model does not declare (validation emits those in source order).
func sameNode(t *testing.T, path string, a, b *model.Node) {
	t.Helper()
	if a.Kind != b.Kind || a.Value != b.Value || a.Pos != b.Pos || a.KeyPos != b.KeyPos {
		t.Errorf("%s: %v %q at %v (key %v), want %v %q at %v (key %v)", path, a.Kind, a.Value, a.Pos, a.KeyPos, b.Kind, b.Value, b.Pos, b.KeyPos)
		return
	}
	as, ao := a.Origin()
	bs, bo := b.Origin()
	if (as == nil) != (bs == nil) || ao != bo || (as != nil && as.Path != bs.Path) {
		t.Errorf("%s: origin %v+%d, want %v+%d", path, as, ao, bs, bo)
	}
	if len(a.Items) != len(b.Items) || (a.Items == nil) != (b.Items == nil) {
		t.Errorf("%s: %d items, want %d", path, len(a.Items), len(b.Items))
		return
	}
	for i := range a.Items {
		sameNode(t, path+"["+string(rune('0'+i))+"]", a.Items[i], b.Items[i])
	}
	if !slices.Equal(slices.Sorted(slices.Values(a.Keys)), slices.Sorted(slices.Values(b.Keys))) || (a.Keys == nil) != (b.Keys == nil) {
		t.Errorf("%s: keys %q, want %q", path, a.Keys, b.Keys)
		return
	}
	for i, k := range a.Keys {
		sameNode(t, path+"."+k, a.Vals[i], b.Get(k))
	}
}

// TestLookupReadsWhatFieldsReads compares the trees read by lookup with
// those read with Fields on the example and the generated dashboards.
func TestLookupReadsWhatFieldsReads(t *testing.T) {
	gen := t.TempDir()
	if err := benchgen.WriteCUE(gen, 2); err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join("..", "..", "..", "..", "examples", "profiling")}
	for _, pattern := range []string{"*", "*/*"} {
		m, _ := filepath.Glob(filepath.Join(gen, pattern, "*.cue"))
		for _, f := range m {
			dirs = append(dirs, filepath.Dir(f))
		}
	}
	dirs = slices.Compact(slices.Sorted(slices.Values(dirs)))
	for _, dir := range dirs {
		// Both forms of the schema: they declare different fields regular.
		for _, asWritten := range []bool{false, true} {
			fast, slow := loadDir(t, dir, true, asWritten), loadDir(t, dir, false, asWritten)
			if len(fast) != len(slow) || len(fast) == 0 {
				t.Fatalf("%s: %d resources by lookup, %d with Fields", dir, len(fast), len(slow))
			}
			for i := range fast {
				if fast[i].File != slow[i].File {
					t.Errorf("%s: resource %d from %s, want %s", dir, i, fast[i].File, slow[i].File)
				}
				sameNode(t, dir, fast[i].Node, slow[i].Node)
			}
		}
	}
}

// TestUndeclaredFieldKept: a resource closed by the user's own definition,
// which allows a field the schema does not declare, is read with Fields,
// so validation sees the field (and reports it).
func TestUndeclaredFieldKept(t *testing.T) {
	dir := t.TempDir()
	src := `package p

import pb "github.com/pyrobuild/pyrobuild/schema"

#D: {
	pb.#Project
	extra: "x"
}

project: #D & {metadata: name: "p"}
`
	if err := os.WriteFile(filepath.Join(dir, "p.cue"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := loadDir(t, dir, true, false)
	if len(res) != 1 || res[0].Node.Get("extra") == nil {
		t.Fatalf("resources %+v: want the project with its field extra", res)
	}
}

// TestPackageNames: files with no package clause or `package _` join any
// package; two different names are an error at the second file, as
// `cue export` reports it.
func TestPackageNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string // package clauses
		want  string   // part of the error, "" for none
	}{
		{"one name", []string{"package a", "package a"}, ""},
		{"no clause", []string{"", "package a"}, ""},
		{"blank", []string{"package _", "package a", ""}, ""},
		{"two names", []string{"package a", "package b"}, `package name "b" conflicts with previous package name "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var srcs []*model.Source
			for i, clause := range tc.files {
				name := filepath.Join(dir, string(rune('a'+i))+".cue")
				src := clause + "\n\n" + string(rune('x'+i)) + ": 1\n"
				if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
				srcs = append(srcs, model.NewSource(name, []byte(src)))
			}
			_, diags, _ := Load(dir, srcs, testSources{}, &Env{})
			if tc.want == "" {
				if diags.HasErrors() {
					t.Fatalf("unexpected errors: %v", diags)
				}
				return
			}
			if !diags.HasErrors() || !strings.Contains(fmt.Sprint(diags), tc.want) {
				t.Fatalf("diagnostics %v, want %q", diags, tc.want)
			}
		})
	}
}
